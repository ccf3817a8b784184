"""Recurring streams: which charges of an account repeat, how often, and what comes next.

:func:`detect_streams` works on all accounts at once with sorts, diffs and group reductions
(see :mod:`detector.cadence`) and gives the same streams when run one account at a time,
because every grouping key starts with the account.

Method, per account, merchant and direction (the *group*):

1. Candidates: the whole group (a bill whose amount varies, a steady subscription); its amount
   clusters (charges within ~2 % of their neighbour in amount order), which pull apart two
   subscriptions billed under one descriptor, or Amazon Prime among Amazon purchases; a
   cluster's exact-price core; its gap segments (cut at gaps far longer than its rhythm);
   and, in crowded clusters, echo chains of same-price charges a month apart (several
   memberships at one price).
2. Every candidate gets cadence features and a confidence from the scorer (model or rules).
3. A group becomes one stream when the whole group is regular and at most one of its clusters
   is (and that cluster keeps its rhythm no better than the group); otherwise each regular
   cluster is a stream, else a regular core, else regular segments, else regular chains.
4. Regular clusters of one group that follow each other in time at the same cadence are one
   stream whose price changed (a price increase never splits a stream), and a single charge one
   period before a stream at a lower price (trial, intro) or one period after at a higher price
   (the newest charge after a price rise) joins it.

docs/detection.md has the features, the model-vs-rules measurement and the eval numbers.

The stages live in modules of their own: :mod:`detector.working_frame` (the numeric frame;
patterns of lines that are never plans in :mod:`detector.non_plans`), :mod:`detector.chains`
(echo chains, gap segments), :mod:`detector.confidence` and :mod:`detector.spending_rules`
(features, confidence, rules), :mod:`detector.selection` (step 3), :mod:`detector.stream_joins`
and :mod:`detector.stream_edges` (step 4 and the charges at a stream's edges),
:mod:`detector.yearly_switches` (a plan moved to yearly billing) and :mod:`detector.stream_rows`
(the output rows and their evidence). This module holds the entry points: :func:`detect_streams`,
:func:`candidates` and :func:`default_scorer`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .cadence import BIMONTHLY, FREQUENCIES, MONTHLY, PERIODS, TOLERANCE, int_lexsort
from .catalog import yearly_plan_vendors
from .chains import CLOSE_DAYS, _concurrent_chains, _echo_chains, _gap_segments, _run_spans

# (re-exported until their callers import them from their new homes, a later commit)
from .confidence import (
    _score,
    _stats,
    as_alone,
    live,  # noqa: F401
)
from .schema import require_columns
from .selection import KINDS, _bills_beside_plans, _regular_wholes, _select
from .spending_rules import (
    YEARLY_SWITCH,
    YEARLY_SWITCH_MAX,
    ruled_out,  # noqa: F401
)
from .stream_edges import (
    YEARLY_RENEWAL_DAYS,
    _attach_edges,
    _lone_returns,
    _prune_strays,
    _second_plans,
    _yearly_renewals,
    same_offset_repeats,  # noqa: F401
)
from .stream_joins import _handovers, _join_price_changes, _undo_lone_pieces
from .stream_rows import _build_rows, _empty, _finish
from .working_frame import (
    STORE_CHANNELS,
    _days,  # noqa: F401
    _prepare,
    _Text,
)

DEFAULT_MIN_CONFIDENCE = 0.5


_NEEDED = ("transaction_id", "account_id", "date", "amount", "merchant_key", "merchant", "vendor", "channel")


@lru_cache(maxsize=1)
def default_scorer():
    """The saved model (or the rule fallback), loaded once per process."""
    from .scoring import load_scorer

    return load_scorer()


def candidates(df: pd.DataFrame, scorer, thr: float | None = None) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """Whole-group, amount-cluster, echo-chain, gap-segment and exact-price-core candidates, scored.

    Returns (stats indexed by candidate id, ids, confidence per candidate). ``ids[kind]`` is the
    per-row id within the kind (-1 = the row is in no candidate of that kind) and
    ``ids["base"][kind]`` where the kind's candidate ids start; ``ids["rows"]`` and
    ``ids["cand"]`` list every (row, candidate id) membership. Chains, segments and cores are
    candidates only where they are a strict part of their cluster. Candidates that are not
    :func:`live` have NaN for the features only the scorer reads (``scored_only``).

    ``thr`` (the selection's confidence threshold): only the candidates :func:`_select` can
    pick at that threshold are returned; without it, every candidate (to train on).
    """
    group = df["group"].to_numpy()
    n_groups = int(group.max()) + 1 if len(group) else 0
    cid = df["cid"].to_numpy()
    n_clusters = int(cid.max()) + 1 if len(cid) else 0
    n = len(df)
    day = df["day"].to_numpy()
    # echo chains, gap segments and each cluster's span all read the rows by cluster and day
    by_day = int_lexsort(cid, day)
    chain = _echo_chains(cid, day, by_day, df["dom"].to_numpy(), df["dim"].to_numpy())
    csize = np.bincount(cid)[cid]
    seg = _gap_segments(cid, day, by_day)
    seg_size = np.bincount(seg, minlength=n)[seg] if n else seg
    # only clusters with more charges than one monthly stream could hold are worth untangling,
    # over the cluster's span or over one of its segments (a long pause after a plan stretches
    # the cluster's span)
    d = day[by_day]
    span, seg_span = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    span[by_day] = _run_spans(cid[by_day], d)
    seg_span[by_day] = _run_spans(seg[by_day], d)
    crowded = (csize > 1.5 * (span / 30.44 + 1)) | (seg_size > 1.5 * (seg_span / 30.44 + 1))
    # ... or a second plan at the price for part of the time: a few charges far closer than a
    # month to the cluster's previous one (a second Spotify on the 5th or the 15th for ten months
    # of two years is fewer than 1.5 charges a month overall, and made no stream at all)
    close = np.zeros(n, dtype=bool)
    close[by_day[1:]] = (cid[by_day][1:] == cid[by_day][:-1]) & (np.diff(d) < CLOSE_DAYS)
    crowded |= np.bincount(cid, weights=close, minlength=n_clusters)[cid] >= 3
    chain_size = np.zeros(len(chain), dtype=np.int64)
    ok = chain >= 0
    if ok.any():
        chain_size[ok] = np.bincount(chain[ok])[chain[ok]]
    chain = np.where(ok & crowded & (chain_size >= 3) & (chain_size < csize), chain, -1)
    cl_group = np.zeros(n_clusters, dtype=np.int64)
    cl_group[cid] = group
    alone, ragged = _concurrent_chains(cid, day, chain, cl_group)
    seg = np.where((seg_size >= 3) & (seg_size < csize), seg, -1)
    # the price points of a cluster (charges within a few cents of each other): a renewal price
    # without the look-alike purchases around it (Prime's 14.99 among Amazon orders of 14.34
    # and 15.20, an annual fee among warehouse runs)
    core = df["point"].to_numpy()
    core_size = np.bincount(core, minlength=n)[core] if n else core
    core = np.where((core_size >= 2) & (core_size < csize), core, -1)
    ids = {"group": group, "cluster": cid, "chain": chain, "segment": seg, "core": core}
    sizes = {"group": n_groups, "cluster": n_clusters, "chain": n, "segment": n, "core": n}
    ids["size"] = sizes
    ids["base"] = dict(zip(KINDS, np.cumsum([0] + [sizes[k] for k in KINDS[:-1]]).tolist()))
    ids["alone"] = alone  # per row: its cluster is shared by a few plans, one chain each
    ids["ragged"] = ragged  # ... which began or stopped months apart
    ids["alone_ids"] = np.unique(ids["base"]["chain"] + chain[alone & (chain >= 0)])
    ids["day"], ids["amt"] = day, df["amt"].to_numpy()
    # a lone charge is never a stream: single-charge groups and clusters (most clusters of
    # everyday spending) are no candidates, which spares their rows every group reduction
    gsize = np.bincount(group)
    single = {"group": gsize[group] < 2, "cluster": csize < 2}
    member = [np.flatnonzero((ids[k] >= 0) & ~single[k]) if k in single else np.flatnonzero(ids[k] >= 0)
              for k in KINDS]
    ids["rows"] = np.concatenate(member)
    ids["cand"] = np.concatenate([ids["base"][k] + ids[k][r] for k, r in zip(KINDS, member)])
    # a cluster that is its whole group holds the group's rows in the group's order, so the
    # group's features and score are its own: computed once (a tenth of the candidate rows)
    whole = (ids["cand"] >= ids["base"]["cluster"]) & (ids["cand"] < ids["base"]["chain"]) \
        & (csize == gsize[group])[ids["rows"]]
    keep = np.flatnonzero(~whole)
    scorer = default_scorer() if scorer is None else scorer
    if thr is None:
        st, p = _with_copies(*_scored(df, ids, keep, gsize, scorer), ids["cand"][whole], group[ids["rows"][whole]])
        return st, ids, p
    # groups and clusters first: the parts of a cluster only matter where neither it nor its
    # whole group is a stream (a fifth of their candidates are not scored at all)
    top = keep[ids["cand"][keep] < ids["base"]["chain"]]
    st, p = _with_copies(*_scored(df, ids, top, gsize, scorer), ids["cand"][whole], group[ids["rows"][whole]])
    use_w, good_cluster = _regular_wholes(st, ids, p, thr)
    # the chains of a cluster shared by a few plans are scored even where the cluster or its
    # group is a stream: that stream holds two plans' charges (see _select)
    free = (~good_cluster[cid] & ~use_w[group]) | alone
    parts = keep[(ids["cand"][keep] >= ids["base"]["chain"]) & free[ids["rows"][keep]]]
    st_parts, p_parts = _scored(df, ids, parts, gsize, scorer)
    return pd.concat([st, st_parts]), ids, np.r_[p, p_parts]


def _scored(df: pd.DataFrame, ids: dict, at: np.ndarray, gsize: np.ndarray, scorer) -> tuple[pd.DataFrame, np.ndarray]:
    """Features and confidence of the candidates of memberships ``at`` (whole candidates)."""
    # in pieces of whole candidates: all 2.5M candidate rows at once held ~1 GB of temporaries,
    # and a fresh process pays for every page of it
    st = pd.concat([_stats(df, ids["cand"][r], rows=ids["rows"][r], group_sizes=gsize, scored_only=True)
                    for r in _pieces(ids["cand"][at], STATS_PIECE, at)])
    st = as_alone(st, ids["alone_ids"])
    return st, _score(st, scorer, df)


#: Candidate rows whose features are computed at once (see :func:`candidates`).
STATS_PIECE = 250_000


def _pieces(cand: np.ndarray, size: int, at: np.ndarray) -> list[np.ndarray]:
    """``at`` split into pieces of about ``size`` rows, each candidate id (``cand``, one per
    row) whole in one piece, pieces in id order."""
    if len(cand) <= size:
        return [at]
    upto = np.cumsum(np.bincount(cand))  # rows with an id up to each id
    last = np.unique(np.searchsorted(upto, np.arange(size, len(cand), size)))  # each piece's last id
    # a stable sort of the few piece numbers (a radix sort, being 16-bit) keeps each piece's
    # rows in their order, as a mask per piece would, in one pass
    piece = np.searchsorted(last, cand).astype(np.int16 if len(last) < 2**15 else np.int64)
    bounds = np.cumsum(np.bincount(piece, minlength=len(last) + 1))[:-1]
    return [r for r in np.split(at[np.argsort(piece, kind="stable")], bounds) if len(r)]


def _with_copies(st: pd.DataFrame, p: np.ndarray, cand: np.ndarray, source: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """``st`` and ``p`` with candidate ``cand[i]`` added as a copy of candidate ``source[i]``
    (one pair per membership row; each candidate once), in candidate order."""
    cand, first = np.unique(cand, return_index=True)
    if len(cand) == 0:
        return st, p
    at = st.index.get_indexer(source[first])
    copies = st.iloc[at].set_axis(pd.Index(cand, name=st.index.name))
    order = np.argsort(np.r_[st.index.to_numpy(), cand], kind="stable")
    return pd.concat([st, copies]).iloc[order], np.r_[p, p[at]][order]


def detect_streams(tx: pd.DataFrame, as_of, *, model=None, min_confidence: float | None = None) -> pd.DataFrame:
    """Recurring streams in enriched transactions (``schema.ENRICHED_COLUMNS`` added).

    ``as_of`` (date or ISO string): later transactions are ignored and status is judged then.
    ``model``: a fitted scorer (``predict_proba``); default the saved model from ``models/``.
    ``min_confidence``: candidates below it are not streams (default 0.5).
    Returns one row per stream with exactly ``schema.STREAM_COLUMNS``; ``transaction_ids`` is a
    list in date order.
    """
    require_columns(tx, _NEEDED, "detect_streams")
    thr = DEFAULT_MIN_CONFIDENCE if min_confidence is None else float(min_confidence)
    scorer = default_scorer() if model is None else model
    df, text = _prepare(tx, as_of)
    if len(df) == 0:
        return _empty()
    st, ids, p = candidates(df, scorer, thr)
    selected = _bills_beside_plans(df, st, ids, _select(df, st, ids, p, thr), scorer, thr)
    pieces, origin = _handovers(df, selected)
    assign = _undo_lone_pieces(_join_price_changes(df, pieces), pieces, origin)
    added = np.zeros(len(assign), dtype=bool)
    passes = []
    for _ in range(2):
        grown = _attach_edges(df, assign, added)
        added, assign = grown != assign, grown
        passes.append(assign)
    assign = _lone_returns(df, _yearly_renewals(df, _prune_strays(df, assign)))
    if not (assign >= 0).any():
        return _empty()
    final = as_alone(_stats(df, assign), ids["alone_ids"])
    conf = _score(final, scorer, df)
    # a join or attached charges the model no longer believes are undone: those streams are
    # the candidates selection picked. One the second pass took further back in time (an old
    # price's earlier charge, among purchases at that price) first loses that charge alone.
    day = df["day"].to_numpy()
    began = pd.Series(day[passes[0] >= 0]).groupby(passes[0][passes[0] >= 0]).min()
    went_back = np.unique(passes[1][added & (day < began.reindex(passes[1]).to_numpy())])
    for fallback in ("first pass", "selection"):
        grown_low = final.index.to_numpy()[conf < thr]
        if fallback == "first pass":
            grown_low = np.intersect1d(grown_low, went_back)
        if not len(grown_low):
            continue
        back = np.isin(assign, grown_low)
        assign = np.where(back, _prune_strays(df, passes[0]) if fallback == "first pass" else selected, assign)
        final = as_alone(_stats(df, assign), ids["alone_ids"])
        conf = _score(final, scorer, df)
    # a lone charge is never a stream, whatever selection, joins and pruning left of one (but
    # the first charge of the yearly plan a monthly plan moved to, split off below)
    lone = final.index.to_numpy()[final["n"].to_numpy() < 2]
    if len(lone):
        assign = np.where(np.isin(assign, lone), -1, assign)
        keep = ~final.index.isin(lone)
        final, conf = final[keep], conf[keep]
    # nothing may be left: the streams undone above may go back to no candidate at all (yearly
    # charges chained by _yearly_renewals, then ruled out, on a card holding nothing else crashed
    # the scan: round-twenty-six audit)
    if not (assign >= 0).any():
        return _empty()
    # a second plan at the plan's price billed days after it, cycle after cycle, is a stream of
    # its own (its monthly cost counts): both keep the confidence the merged stream had
    assign, second = _second_plans(df, assign)
    if second:
        was = pd.Series(conf, index=final.index)
        final = as_alone(_stats(df, assign), ids["alone_ids"])
        parent = pd.Series(final.index, index=final.index).replace(second)
        conf = np.maximum(_score(final, scorer, df), was.reindex(parent.to_numpy()).to_numpy())
    out = _build_rows(df, text, assign, final, conf, as_of)
    out = _yearly_switches(df, text, assign, final, conf, out, as_of, scorer, ids["alone_ids"], thr)
    out = _finish(_switch_evidence(out))
    if min_confidence is not None:
        out = out[out["confidence"] >= thr]
    return out.reset_index(drop=True)


#: Six months cost half as many months' worth (Tinder's six months are four monthly fees). Read
#: only from two charges six months apart: one charge at 2.5-5 months' price is also what the
#: full price after an introductory one, then a cancellation, looks like.
SIX_MONTHLY_SWITCH = YEARLY_SWITCH / 2
SIX_MONTHLY_SWITCH_MAX = YEARLY_SWITCH_MAX / 2
#: The yearly plan's first charge comes within this many days of the monthly plan's last (a
#: month skipped, or the yearly plan taken up some weeks after: renewal_flags reads a yearly
#: chain's first charge this soon after monthly charges as the switch, not a renewal); for a plan
#: billed every two or three months, as long after its next charge was due (:func:`switch_gap`).
#: At a catalogue vendor of yearly plans any time after: it sells nothing else, so its charge of a
#: year's price after the plan ended is the plan taken up again for a year.
SWITCH_GAP_DAYS = 75
_ANNUAL = FREQUENCIES.index("annual")
_SEMIANNUAL = FREQUENCIES.index("semiannual")
_QUARTERLY = FREQUENCIES.index("quarterly")
#: Plans that move to yearly billing: monthly, every two months, quarterly (a weekly plan has no
#: yearly version to move to; a six-monthly plan's next term at a year's price, 1.6-2.3 times
#: its own, is what a price rise looks like). Monthly and two-monthly plans move to six-monthly
#: billing too.
SWITCH_FROM = (MONTHLY, BIMONTHLY, _QUARTERLY)
_SIX_MONTH_DAYS = (PERIODS[_SEMIANNUAL] - TOLERANCE[_SEMIANNUAL], PERIODS[_SEMIANNUAL] + TOLERANCE[_SEMIANNUAL])


def switch_gap(period) -> np.ndarray:
    """Days after a plan's last charge (``period`` days apart) within which a yearly charge is
    its switch: :data:`SWITCH_GAP_DAYS` for a monthly plan, as long after the next charge was due
    for a longer one."""
    return SWITCH_GAP_DAYS + np.maximum(np.asarray(period, dtype=float) - PERIODS[MONTHLY], 0.0)


def _months(freq_idx) -> np.ndarray:
    """Months a charge of these frequencies pays for (1 for monthly, 3 for quarterly)."""
    return np.maximum(np.rint(PERIODS[np.maximum(np.asarray(freq_idx), 0)] / PERIODS[MONTHLY]), 1.0)


def _long_tail(amt: np.ndarray, day: np.ndarray, months: float, max_gap: float) -> tuple[int, int]:
    """How many of a shorter plan's last charges (date order) are a yearly or six-monthly plan
    it moved to, and which (``(k, frequency index)``; ``(0, -1)`` when none are). ``months``:
    the months one of its charges pays for. Yearly: each :data:`YEARLY_SWITCH` to
    :data:`YEARLY_SWITCH_MAX` months' price (of the median of the charges before them, or the last
    of those when dearer), a year apart (:data:`YEARLY_RENEWAL_DAYS`); six-monthly (from a monthly
    or two-monthly plan): two or more, :data:`SIX_MONTHLY_SWITCH` to :data:`SIX_MONTHLY_SWITCH_MAX`
    months' price, six months apart. The first within ``max_gap`` days of the shorter plan's last
    charge, with two of those or more before it."""
    n = len(amt)
    six = months <= 2
    floor = (SIX_MONTHLY_SWITCH if six else YEARLY_SWITCH) / months
    trailing = 0
    while trailing < n and amt[n - 1 - trailing] >= floor * np.median(amt):
        trailing += 1
    for k in dict.fromkeys((trailing, 1)):  # the run a year (or six months) apart, else the last charge alone
        if k < 1 or n - k < 2 or day[n - k] - day[n - k - 1] > max_gap:
            continue
        worth = amt[n - k:] / (max(float(np.median(amt[:n - k])), float(amt[n - k - 1])) / months)
        gaps = np.diff(day[n - k:])
        if ((worth >= YEARLY_SWITCH).all() and (worth <= YEARLY_SWITCH_MAX).all()
                and ((gaps >= YEARLY_RENEWAL_DAYS[0]) & (gaps <= YEARLY_RENEWAL_DAYS[1])).all()):
            return k, _ANNUAL
        if (six and k >= 2 and (worth >= SIX_MONTHLY_SWITCH).all() and (worth <= SIX_MONTHLY_SWITCH_MAX).all()
                and ((gaps >= _SIX_MONTH_DAYS[0]) & (gaps <= _SIX_MONTH_DAYS[1])).all()):
            return k, _SEMIANNUAL
    return 0, -1


def _yearly_switches(df: pd.DataFrame, text: _Text, assign: np.ndarray, st: pd.DataFrame, conf: np.ndarray,
                     out: pd.DataFrame, as_of, scorer, alone_ids: np.ndarray, thr: float) -> pd.DataFrame:
    """``out`` (:func:`_build_rows`) with each plan that moved to yearly (or six-monthly) billing
    shown as two streams: the shorter one, ended, and the longer one from its first charge.

    A monthly stream whose last charges are a yearly price (:func:`_long_tail`: Prime 14.99 a
    month, then 139.00) is either a plan switched to yearly billing or a monthly plan overcharged
    once (Peloton 12.99, then 129.90). One charge cannot tell them apart, time can: while the
    monthly plan may still bill, the stream stays as it is (the overcharge in it, its next charge
    due a month on); once its next monthly charge is overdue (``status`` ended: due date and
    grace passed as of the run), the plan billed for a year. Before, the plan was one monthly
    stream, ended, its yearly charge hidden with it and missing from the monthly total. The same
    for a plan billed every two or three months (:data:`SWITCH_FROM`), and for the yearly charges
    no stream holds after such a plan ended (a yearly charge two months after a two-monthly plan's
    last was left out of its stream, and out of every stream).

    Only at a seller of yearly plans: a catalogue vendor selling nothing but plans that bills
    some yearly (``yearly_vendor``), or an app store. A large last payment elsewhere is more
    often an end than a new plan (a loan paid off, a utility's or a carrier's final bill, a car
    insurer's six-month term). At an app store, which sells apps too, only within
    :func:`switch_gap` of the plan's last charge. The shorter part must still score as a plan on
    its own; the longer part keeps the whole stream's confidence (the model cannot judge one charge).
    """
    if out.empty:
        return out
    ended = out["_cand"].to_numpy()[(out["status"] == "ended").to_numpy()]
    cand = st.index.to_numpy()
    fidx = st["freq_idx"].to_numpy()
    pick = cand[np.isin(fidx, SWITCH_FROM) & (st["inflow"].to_numpy() == 0) & np.isin(cand, ended)]
    if not len(pick):
        return out
    amt, day = df["amt"].to_numpy(), df["day"].to_numpy()
    # charges no stream holds after such a plan's last, dear enough for a longer plan: each to the
    # plan of its merchant that ended last before it
    spans = st.loc[pick, ["group", "last_day", "amt_median", "freq_idx"]].reset_index(names="cand")
    # (at a catalogue vendor of yearly plans: at an app store such a charge is as likely an app bought)
    free = np.flatnonzero((assign < 0) & ~df["inflow"].to_numpy() & df["yearly_vendor"].to_numpy()
                          & np.isin(df["group"].to_numpy(), spans["group"]))
    extra = pd.DataFrame({"row": free, "group": df["group"].to_numpy()[free], "day": day[free], "amt": amt[free]})
    extra = extra.merge(spans, on="group")
    low = np.where(_months(extra["freq_idx"]) <= 2, SIX_MONTHLY_SWITCH, YEARLY_SWITCH) / _months(extra["freq_idx"])
    extra = extra[(extra["day"] > extra["last_day"]) & (extra["amt"] >= low * extra["amt_median"])]
    extra = extra.sort_values(["row", "last_day"]).drop_duplicates("row", keep="last")
    # (only plans with a charge dear enough in them or after them are read one by one)
    low = np.where(_months(fidx) <= 2, SIX_MONTHLY_SWITCH, YEARLY_SWITCH) / _months(fidx)
    big = cand[st["amt_max"].to_numpy() >= low * st["amt_median"].to_numpy()]
    pick = pick[np.isin(pick, big) | np.isin(pick, extra["cand"].to_numpy())]
    if not len(pick):
        return out
    owner = np.where(assign >= 0, assign, -1)
    owner[extra["row"].to_numpy()] = extra["cand"].to_numpy()
    rows = np.flatnonzero(np.isin(owner, pick))
    rows = rows[int_lexsort(owner[rows], day[rows])]
    bounds = np.flatnonzero(np.r_[True, owner[rows][1:] != owner[rows][:-1]])
    ends = np.r_[bounds[1:], len(rows)]
    yearly_vendor = df["yearly_vendor"].to_numpy()[rows]
    seller = yearly_vendor | np.isin(text.column("channel", rows), STORE_CHANNELS)
    as_of_day = np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64)
    new = assign.copy()
    split = {}  # shorter plan's candidate -> (longer plan's candidate, its frequency index)
    next_id = int(assign.max()) + 1
    for b, e in zip(bounds, ends):  # (a handful of streams: those ended after a dear charge, or before one)
        r = rows[b:e]
        c = int(owner[r[0]])
        f = int(st.at[c, "freq_idx"])
        P = float(PERIODS[f])
        if not seller[e - 1]:
            continue
        # (ended as of the run with the charge no stream holds, too: the plan's next charge is overdue)
        if assign[r[-1]] < 0 and as_of_day - day[r[-1]] <= P + max(0.5 * P, 7):
            continue
        k, longer = _long_tail(amt[r], day[r], float(_months(f)), np.inf if yearly_vendor[e - 1] else switch_gap(P))
        if k:
            new[r[-k:]] = next_id
            split[c] = (next_id, longer)
            next_id += 1
    if not split:
        return out
    monthly = np.fromiter(split, dtype=np.int64)
    yearly = np.array([y for y, _ in split.values()], dtype=np.int64)
    sub = np.where(np.isin(new, np.r_[monthly, yearly]), new, -1)
    st2 = as_alone(_stats(df, sub), alone_ids)
    conf2 = pd.Series(_score(st2, scorer, df), index=st2.index)
    # the shorter part must be a plan on its own; else the stream stays whole
    keep = conf2.reindex(monthly).to_numpy() >= thr
    longer = np.array([f for _, f in split.values()], dtype=np.int64)[keep]
    monthly, yearly = monthly[keep], yearly[keep]
    if not len(monthly):
        return out
    sub = np.where(np.isin(sub, np.r_[monthly, yearly]), sub, -1)
    st2 = st2.loc[np.sort(np.r_[monthly, yearly])].copy()
    whole = pd.Series(conf, index=st.index)
    conf2 = conf2.loc[st2.index]
    conf2.loc[yearly] = np.maximum(conf2.loc[yearly].to_numpy(), whole.loc[monthly].to_numpy())
    st2.loc[yearly, "freq_idx"] = longer
    st2.loc[yearly, "period"] = PERIODS[longer]
    part = _build_rows(df, text, sub, st2, conf2.to_numpy(), as_of)
    part["_from"] = part["_cand"].map(dict(zip(yearly, monthly))).fillna(-1).astype(np.int64)
    return pd.concat([out[~out["_cand"].isin(monthly)], part], ignore_index=True)


#: How each stream's evidence names a shorter plan's cadence, and a longer plan's.
_CADENCE_WORD = {"monthly": "monthly", "bimonthly": "bimonthly", "quarterly": "quarterly"}
_BILLING = {"annual": ("yearly", "a year", "yearly"), "semiannual": ("six-monthly", "six months", "every six months")}


def _switch_evidence(out: pd.DataFrame) -> pd.DataFrame:
    """``out`` (:func:`_build_rows`) with the evidence of a plan that moved to yearly (or
    six-monthly) billing saying so, on both streams: a monthly, two-monthly or quarterly stream
    ended and a yearly (six-monthly) one of its merchant beginning after it, within
    :func:`switch_gap` (at a catalogue vendor of yearly plans, any time after), at
    :data:`YEARLY_SWITCH` to :data:`YEARLY_SWITCH_MAX` months of its last price (half that for
    six months): "switched to yearly billing: 14.99 monthly until 2024-06-12, then 139.00 for a
    year from 2024-07-12". Split by :func:`_yearly_switches`, or, once renewed, two streams from
    the start."""
    freq = out["frequency"].to_numpy()
    m = out[np.isin(freq, list(_CADENCE_WORD)) & (out["status"] == "ended").to_numpy()
            & (out["direction"] == "outflow").to_numpy()]
    y = out[np.isin(freq, list(_BILLING)) & (out["_from"] < 0).to_numpy()]
    j = m[["_group", "last_date", "last_amount", "frequency"]].reset_index(names="m").merge(
        y[["_group", "first_date", "_first_amt", "frequency", "vendor"]].reset_index(names="y"),
        on="_group", suffixes=("", "_y"))
    gap = (pd.to_datetime(j["first_date"]) - pd.to_datetime(j["last_date"])).dt.days
    f_m = np.array([FREQUENCIES.index(f) for f in j["frequency"]], dtype=np.int64)
    worth = j["_first_amt"] / (j["last_amount"] / _months(f_m))
    half = (j["frequency_y"] == "semiannual").to_numpy()
    lo = np.where(half, SIX_MONTHLY_SWITCH, YEARLY_SWITCH)
    hi = np.where(half, SIX_MONTHLY_SWITCH_MAX, YEARLY_SWITCH_MAX)
    soon = (gap <= switch_gap(PERIODS[f_m])) | j["vendor"].isin(yearly_plan_vendors()).to_numpy()
    j = j[(gap > 0) & soon & (worth >= lo) & (worth <= hi) & ~(half & (f_m == _QUARTERLY))]
    # each longer plan follows the shorter one that ended last before it, and each shorter one
    # moved to one longer plan (the first); the pairs _yearly_switches split are pairs already
    j = j.sort_values(["y", "last_date"]).drop_duplicates("y", keep="last")
    j = j.sort_values(["m", "first_date"]).drop_duplicates("m")[["m", "y"]]
    split = out.index[(out["_from"] >= 0).to_numpy()]
    if len(split):
        at = pd.Series(out.index, index=out["_cand"].to_numpy())
        forced = pd.DataFrame({"m": at.loc[out.loc[split, "_from"]].to_numpy(), "y": split})
        j = pd.concat([j[~j["m"].isin(forced["m"])], forced])
    if j.empty:
        return out
    j = j.join(out[["last_date", "last_amount", "frequency"]], on="m").join(
        out[["first_date", "_first_amt", "frequency"]].rename(columns={"frequency": "frequency_y"}), on="y")
    money = np.char.mod("%.2f", j["last_amount"].to_numpy(dtype=float)).astype(object)
    price = np.char.mod("%.2f", j["_first_amt"].to_numpy(dtype=float)).astype(object)
    cadence = j["frequency"].map(_CADENCE_WORD).to_numpy(dtype=object)
    billing, term, every = (j["frequency_y"].map({k: v[i] for k, v in _BILLING.items()}).to_numpy(dtype=object)
                            for i in range(3))
    out = out.copy()
    ev = out["evidence"].astype(object)
    said = ("switched to " + billing + " billing: " + money + " " + cadence + " until "
            + j["last_date"].to_numpy(dtype=object) + ", then " + price + " for " + term + " from "
            + j["first_date"].to_numpy(dtype=object))
    once = out.loc[j["y"], "transaction_ids"].map(len).to_numpy() < 2  # (one charge: no cadence to tell)
    ev.loc[j["y"]] = np.where(once, said, said + "; " + ev.loc[j["y"]].to_numpy(dtype=object))
    ev.loc[j["m"]] = (ev.loc[j["m"]].to_numpy(dtype=object) + "; billed " + every + " from "
                      + j["first_date"].to_numpy(dtype=object) + " (" + price + "), a stream of its own")
    out["evidence"] = ev
    return out
