"""Joining selected streams that are one plan: a price change up or down
(:func:`_join_price_changes`, with :func:`_continuations` where two plans billed side by side
both changed price), an introductory price ending at the plan's full price
(:func:`_intro_prices_ended`), and the reverse, a stream cut where another plan of its merchant
hands over to it (:func:`_handovers`, :func:`_undo_lone_pieces`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import TOLERANCE, int_lexsort
from .chains import BILLING_DAY_JITTER, _days_apart_in_month, _long_gaps
from .confidence import _stats
from .selection import _family

#: Largest price step (either way) that still reads as one plan's price change.
PRICE_STEP = 2.5


def _union_pairs(assign: np.ndarray, day: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and pair ids of the unions of streams ``a[i]`` and ``b[i]`` (one candidate per pair)."""
    rows = np.flatnonzero(assign >= 0)
    rows = rows[int_lexsort(assign[rows])]
    ids, start, count = np.unique(assign[rows], return_index=True, return_counts=True)
    parts = []
    for side in (a, b):
        k = np.searchsorted(ids, side)
        n = count[k]
        pair = np.repeat(np.arange(len(side)), n)
        offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        parts.append((rows[np.repeat(start[k], n) + offset], pair))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _gaps(cand: np.ndarray, day: np.ndarray, period: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate id (< n): its longest interval and its number of intervals shorter than
    half its period (``period`` indexed by candidate id)."""
    order = int_lexsort(cand, day)
    c, d = cand[order], day[order]
    gap = np.r_[0, np.diff(d)].astype(float)
    gap[np.r_[True, c[1:] != c[:-1]]] = np.nan
    ok = ~np.isnan(gap)
    longest = np.zeros(n)
    np.maximum.at(longest, c[ok], gap[ok])
    short = np.bincount(c[ok], weights=gap[ok] < 0.5 * period[c[ok]], minlength=n)
    return longest, short


def _join_price_changes(df: pd.DataFrame, assign: np.ndarray) -> np.ndarray:
    """Join chosen streams of one group that are one plan whose price changed, up or down.

    Two streams of a merchant are one plan when together they keep one charge per cycle at
    their common cadence, with no gap longer than a skipped charge or two: a price rise, a
    downgrade, a new escrow or insurance premium each term (prices that may come back, so the
    amount clusters need not follow each other in time). Two plans billed side by side crowd
    two charges into each cycle and stay apart.
    """
    sel = assign >= 0
    if not sel.any():
        return assign
    st = _stats(df, assign, features=False)
    s = pd.DataFrame({"cand": st.index.to_numpy(), "group": st["group"].to_numpy(),
                      "fam": _family(st["freq_idx"].to_numpy()),
                      "amt": st["amt_median"].to_numpy(), "on": st["frac_on"].to_numpy()})
    s = s[s["fam"] >= 0]
    multi = s["group"].duplicated(keep=False).to_numpy()
    s = s[multi]
    if s.empty:
        return assign
    pr = s.merge(s, on=["group", "fam"], suffixes=("_a", "_b"))
    pr = pr[pr["cand_a"] < pr["cand_b"]]
    ratio = pr["amt_b"].to_numpy() / pr["amt_a"].to_numpy()
    pr = pr[(ratio <= PRICE_STEP) & (ratio >= 1 / PRICE_STEP)]
    if pr.empty:
        return assign
    day = df["day"].to_numpy()
    rows, pair = _union_pairs(assign, day, pr["cand_a"].to_numpy(), pr["cand_b"].to_numpy())
    u = _stats(df, pair, rows=rows, features=False)
    P = u["period"].to_numpy()
    max_gap, short_u = _gaps(pair, day[rows], P, len(pr))
    # charges of either stream that fall inside the other's cycles: two plans side by side
    own = np.flatnonzero(sel)
    _, short_own = _gaps(assign[own], day[own], st["period"].reindex(np.arange(assign.max() + 1)).to_numpy(),
                         int(assign.max()) + 1)
    crowded = short_u > short_own[pr["cand_a"].to_numpy()] + short_own[pr["cand_b"].to_numpy()]
    fam_u = _family(u["freq_idx"].to_numpy())
    ok = ((fam_u == pr["fam"].to_numpy()) & ~crowded
          & (u["frac_on"].to_numpy() >= np.minimum(pr["on_a"].to_numpy(), pr["on_b"].to_numpy()) - 0.1)
          # a plan left and taken up again much later is two streams
          & (max_gap <= 2.5 * P))
    pr = pr[ok]
    if pr.empty:
        return assign
    ids = np.unique(assign[sel])
    first = _components(ids, pr)
    out = assign.copy()
    out[sel] = first[np.searchsorted(ids, assign[sel])]
    # Pairs that each keep one charge a cycle can chain two plans billed side by side into one
    # (two app-store plans that both rose in price: 9.99 then 10.99, and 16.99 then 20.99; the
    # 9.99 plan's end fits the 20.99 plan's start, the 16.99 plan's the 10.99 one's, and all four
    # became one stream, pruned to six charges). In a component that crowds two charges into
    # its cycles where its parts did not, a price change is a stream followed by the one that
    # continues it: each keeps the successor (and each the predecessor) billed nearest its own
    # day of the month, the nearer price deciding between equals, where both choose each other.
    period = st["period"].reindex(np.arange(assign.max() + 1)).to_numpy()
    _, short_comp = _gaps(out[own], day[own], period, int(assign.max()) + 1)
    comp_of = pd.Series(first, index=ids)
    members_short = pd.Series(short_own[ids], index=ids).groupby(first).sum()
    crowded_comp = short_comp[members_short.index.to_numpy()] > members_short.to_numpy()
    if not crowded_comp.any():
        return out
    bad = set(members_short.index.to_numpy()[crowded_comp])
    in_bad = comp_of.reindex(pr["cand_a"].to_numpy()).isin(bad).to_numpy()
    keep = pr[~in_bad]
    first = _components(ids, pd.concat([keep, _continuations(df, assign, st, pr[in_bad])]))
    out = assign.copy()
    out[sel] = first[np.searchsorted(ids, assign[sel])]
    return out


def _intro_prices_ended(df: pd.DataFrame, assign: np.ndarray) -> tuple[np.ndarray, dict]:
    """``assign`` with a plan's introductory price and its full price one stream, where the full
    price is more than :data:`PRICE_STEP` times the offer's (which :func:`_join_price_changes`
    leaves apart, a much dearer follower being more often another plan).

    The New York Times at 4.00 every four weeks for a year, then 25.00 (round-48 audit): an ended
    4.00 stream and a new 25.00 one. Joined where the evidence says one plan: both streams at a
    seller of fixed-price plans (``plan_vendor``: a catalogue vendor of ``PLAN_ONLY_CATEGORIES``;
    not an app store, whose cheap app plan may end as another app's begins), money out, at one
    frequency and median interval (within the frequency's tolerance), the dearer one beginning
    one interval (within that tolerance) after the cheaper one's last charge, each stream the
    other's only such partner. Two plans side by side, a plan taken up again after a pause, or a
    yearly plan after a monthly one stay apart.

    Returns the new assignment and ``{joined stream id: [the ids of its parts]}``: the scorer,
    taught on plans at one price, doubts a stream of 4.00 and 25.00 charges that it believed in
    two pieces, so the caller keeps the parts' confidence (:func:`detector.recurrence.detect_streams`)."""
    sel = assign >= 0
    if not sel.any():
        return assign, {}
    rows = np.flatnonzero(sel)
    n_ids = int(assign.max()) + 1
    seller = df["plan_vendor"].to_numpy()[rows] & ~df["store"].to_numpy()[rows] \
        & ~df["inflow"].to_numpy()[rows].astype(bool)
    # streams all of whose charges are a seller's, two or more in their group (read first: the
    # features of a handful of streams, not of every stream)
    other = np.bincount(assign[rows], weights=~seller, minlength=n_ids) > 0
    group_of = np.full(n_ids, -1, dtype=np.int64)
    group_of[assign[rows]] = df["group"].to_numpy()[rows]
    streams = np.flatnonzero((group_of >= 0) & ~other)
    streams = streams[pd.Series(group_of[streams]).duplicated(keep=False).to_numpy()]
    if not len(streams):
        return assign, {}
    st = _stats(df, np.where(np.isin(assign, streams), assign, -1), features=False)
    cand = st.index.to_numpy()
    s = pd.DataFrame({"cand": cand, "group": st["group"].to_numpy(), "freq": st["freq_idx"].to_numpy(),
                      "step": st["median_interval"].to_numpy(), "amt": st["amt_median"].to_numpy(),
                      "first": st["first_day"].to_numpy(), "last": st["last_day"].to_numpy()})
    s = s[s["freq"].to_numpy() >= 0]
    pr = s.merge(s, on=["group", "freq"], suffixes=("_a", "_b"))
    tol = TOLERANCE[pr["freq"].to_numpy()]
    step = pr["step_a"].to_numpy()
    ok = ((pr["amt_b"].to_numpy() > PRICE_STEP * pr["amt_a"].to_numpy())
          & (np.abs(pr["step_b"].to_numpy() - step) <= tol)
          & (np.abs(pr["first_b"].to_numpy() - pr["last_a"].to_numpy() - step) <= tol))
    pr = pr[ok]
    pr = pr[~pr["cand_a"].duplicated(keep=False) & ~pr["cand_b"].duplicated(keep=False)]
    if pr.empty:
        return assign, {}
    parts = np.unique(np.r_[pr["cand_a"].to_numpy(), pr["cand_b"].to_numpy()])
    first = _components(parts, pr)
    at = np.flatnonzero(np.isin(assign, parts))
    out = assign.copy()
    out[at] = first[np.searchsorted(parts, assign[at])]
    joined = pd.Series(parts).groupby(first).agg(list)
    return out, {int(k): [int(x) for x in v] for k, v in joined.items()}


def _handovers(df: pd.DataFrame, assign: np.ndarray) -> tuple[np.ndarray, dict]:
    """``assign`` with a stream cut at a long gap where another plan of its group hands over to
    it: the other stream, billed beside the piece before the gap, ends inside the gap a period
    before the piece after it begins (or begins a period after the piece before ends, billed
    beside the piece after). Two plans at one price one after the other, not one plan paused.

    An app store's 6.99 plan billed from March to October, and another plan at 5.99 all year
    that rose to 6.99 in January: the 6.99 charges read as one plan that skipped two months,
    the 5.99 plan as ended, and its price rise went unflagged (round-seven audit). The pieces
    after a cut get new ids; returns the new assignment and ``{new id: original id}``.
    """
    rows = np.flatnonzero(assign >= 0)
    if len(rows) < 2:
        return assign, {}
    day = df["day"].to_numpy()
    rows = rows[int_lexsort(assign[rows], day[rows])]
    a, d = assign[rows], day[rows]
    start, cut, med = _long_gaps(a, d)
    if not cut.any():
        return assign, {}
    dom = df["dom"].to_numpy()[rows]
    spans = pd.DataFrame({"a": a, "d": d, "dom": dom, "group": df["group"].to_numpy()[rows]}).groupby("a").agg(
        group=("group", "first"), first=("d", "min"), last=("d", "max"), dom=("dom", "median"))
    at = np.flatnonzero(cut)
    cuts = pd.DataFrame({"pos": at, "a": a[at], "l1": d[at - 1], "f2": d[at], "P": med[at],
                         "dom1": dom[at - 1], "dom2": dom[at],
                         "group": spans["group"].reindex(a[at]).to_numpy()})
    j = cuts.merge(spans.rename_axis("t").reset_index(), on="group")
    j = j[j["t"] != j["a"]]
    lo, hi = 0.6 * j["P"], 1.4 * j["P"]

    # the other plan ends in the gap a period before the later piece, having billed beside the
    # earlier one, on the later piece's day of the month (no nearer the earlier piece's); or
    # begins in the gap a period after the earlier piece, billing beside the later, on its day.
    # A plan paused for a summer comes back on its own day: a plan on another day ending in its
    # pause hands nothing over (round nine: 8.99 on the 2nd chained to 9.99 on the 12th, "up 11%")
    # (the day of the month only where plans keep one: a month or longer)
    to_later, to_earlier = _days_apart_in_month(j["dom2"], j["dom"]), _days_apart_in_month(j["dom1"], j["dom"])
    daily = j["P"] < 25
    ends = (j["last"] > j["l1"]) & (j["last"] < j["f2"]) & (j["f2"] - j["last"]).between(lo, hi) \
        & (j["first"] < j["l1"]) \
        & (daily | ((to_later <= BILLING_DAY_JITTER) & (to_later <= _days_apart_in_month(j["dom2"], j["dom1"]))))
    begins = (j["first"] > j["l1"]) & (j["first"] < j["f2"]) & (j["first"] - j["l1"]).between(lo, hi) \
        & (j["last"] > j["f2"]) \
        & (daily | ((to_earlier <= BILLING_DAY_JITTER) & (to_earlier <= _days_apart_in_month(j["dom1"], j["dom2"]))))
    handed = np.unique(j.loc[ends | begins, "pos"].to_numpy())
    if len(handed) == 0:
        return assign, {}
    mark = np.zeros(len(rows), dtype=np.int64)
    mark[handed] = 1
    piece = np.cumsum(mark) - np.repeat(np.cumsum(mark)[start] - mark[start], np.diff(np.r_[np.flatnonzero(start),
                                                                                             len(rows)]))
    later = piece > 0
    key = pd.MultiIndex.from_arrays([a[later], piece[later]])
    codes, uniq = pd.factorize(key)
    new_ids = int(assign.max()) + 1 + codes
    out = assign.copy()
    out[rows[later]] = new_ids
    origin = dict(zip((int(assign.max()) + 1 + np.arange(len(uniq))).tolist(),
                      uniq.get_level_values(0).tolist()))
    return out, origin


def _undo_lone_pieces(assign: np.ndarray, pieces: np.ndarray, origin: dict) -> np.ndarray:
    """``assign`` with each piece :func:`_handovers` cut off that no price change joined to an
    original stream put back with what its original stream became."""
    if not origin:
        return assign
    is_new = pieces >= min(origin)
    old_rows = (pieces >= 0) & ~is_new
    joined = np.isin(assign, np.unique(assign[old_rows])) & is_new
    back = np.flatnonzero(is_new & ~joined)
    if len(back) == 0:
        return assign
    became = pd.Series(assign[old_rows]).groupby(pieces[old_rows]).first()
    out = assign.copy()
    out[back] = became.reindex(pd.Series(pieces[back]).map(origin)).to_numpy()
    return out


def _continuations(df: pd.DataFrame, assign: np.ndarray, st: pd.DataFrame, pr: pd.DataFrame) -> pd.DataFrame:
    """Of candidate price-change pairs ``pr`` (``cand_a``, ``cand_b``, ``amt_a``, ``amt_b``),
    those where one stream ends as the other begins and each is the other's best fit: the
    successor billed nearest the stream's day of the month (then the nearest price), and the
    predecessor likewise (see :func:`_join_price_changes`)."""
    if pr.empty:
        return pr
    members = np.unique(np.r_[pr["cand_a"], pr["cand_b"]])
    rows = np.flatnonzero(np.isin(assign, members))
    dom = pd.Series(df["dom"].to_numpy()[rows]).groupby(assign[rows]).median()
    a, b = pr["cand_a"].to_numpy(), pr["cand_b"].to_numpy()
    first_a, last_a = st["first_day"].reindex(a).to_numpy(), st["last_day"].reindex(a).to_numpy()
    first_b, last_b = st["first_day"].reindex(b).to_numpy(), st["last_day"].reindex(b).to_numpy()
    slack = 0.5 * np.nan_to_num(st["period"].reindex(a).to_numpy(), nan=30.0)
    a_then_b = last_a < first_b + slack
    b_then_a = last_b < first_a + slack
    ordered = a_then_b ^ b_then_a
    pred = np.where(a_then_b, a, b)[ordered]
    succ = np.where(a_then_b, b, a)[ordered]
    apart = _days_apart_in_month(dom.reindex(pred).to_numpy(), dom.reindex(succ).to_numpy())
    # days of the month a few apart are one billing day posted with jitter: the price decides
    off_day = np.maximum(apart - BILLING_DAY_JITTER, 0)
    # ... and where the prices are the same too, the nearer day (two gym memberships at 24.99 on
    # the 17th and the 19th, both raised to 29.99, were crossed at the rise: round nine)
    cost = off_day + np.abs(np.log(pr["amt_b"].to_numpy() / pr["amt_a"].to_numpy()))[ordered] + 1e-3 * apart
    c = pd.DataFrame({"pred": pred, "succ": succ, "cost": cost}).sort_values(["cost", "pred", "succ"], kind="stable")
    best_succ = c.drop_duplicates("pred").set_index("pred")["succ"]
    best_pred = c.drop_duplicates("succ").set_index("succ")["pred"]
    mutual = (best_succ.reindex(c["pred"]).to_numpy() == c["succ"].to_numpy()) & \
             (best_pred.reindex(c["succ"]).to_numpy() == c["pred"].to_numpy())
    return pd.DataFrame({"cand_a": c["pred"].to_numpy()[mutual], "cand_b": c["succ"].to_numpy()[mutual]})


def _components(ids: np.ndarray, pairs: pd.DataFrame) -> np.ndarray:
    """Per id of ``ids`` (sorted): the smallest id of its connected component, joined by
    ``pairs`` (``cand_a``, ``cand_b``)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    a = np.searchsorted(ids, pairs["cand_a"].to_numpy())
    b = np.searchsorted(ids, pairs["cand_b"].to_numpy())
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(ids), len(ids)))
    _, comp = connected_components(graph, directed=False)
    return pd.Series(ids).groupby(comp).transform("min").to_numpy()
