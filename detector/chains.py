"""Reading one amount cluster's charges in time: echo chains (same-price charges a month apart,
:func:`_echo_chains`), concurrent chains (a few plans at one price, :func:`_concurrent_chains`) and
broken ones (:func:`_broken_chains`), gap segments (:func:`_gap_segments`) and runs. The candidates
of :func:`detector.recurrence.candidates` beyond whole groups and clusters come from here, with
the billing-day helpers the later stages share (:data:`BILLING_DAY_JITTER`,
:func:`_days_apart_in_month`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import _segment_median, day_of_month, int_lexsort


def _echo_chains(cid: np.ndarray, day: np.ndarray, order: np.ndarray | None = None,
                 dom: np.ndarray | None = None, dim: np.ndarray | None = None) -> np.ndarray:
    """Chain id per row: same-amount charges about one month apart, linked (-1 = not chained).

    Several subscriptions at one price under one merchant (creator memberships, app-store
    items) interleave into a cluster with no single cadence; following each charge to the
    charge of the same amount a month later separates them again. Each charge links to the
    one 27-34 days on nearest the same day of the next month (month-end clamped), and each
    charge keeps only its nearest-fitting predecessor, so a purchase a few days off the plan's
    day neither takes the plan's next charge nor joins its chain. Links are followed to their
    end by pointer doubling, so every row learns its chain's last charge without a loop over
    chains. ``order``: the rows by cluster and day, when already sorted; ``dom``, ``dim``:
    each row's day of month and days in its month, when known.
    """
    n = len(cid)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    key = cid.astype(np.int64) * 1_000_000 + day
    # the key sorts as (cluster, day) while the days span less than its million
    if order is None or np.ptp(day) >= 1_000_000:
        order = np.argsort(key, kind="stable")
    ks = key[order]
    # the same day of the next month, clamped to its end (Jan 31 -> Feb 28); from a month's
    # last day also the next month's last (Feb 28 -> Mar 31 for a plan billed on the 31st)
    d = day[order]
    dom, dim = (dom[order], dim[order]) if dom is not None and dim is not None else day_of_month(d)
    to_next = dim - dom + 1  # days to the first of the next month
    next_dim = day_of_month(d + to_next)[1]
    want = ks + to_next + np.minimum(dom, next_dim) - 1
    want_end = np.where(dom == dim, ks + to_next + next_dim - 1, want)
    lo = np.searchsorted(ks, ks + 27, side="left")
    hi = np.searchsorted(ks, ks + 34, side="right")
    # the charge in the window nearest a wanted day: the first on or after one, or the last before
    succ, err = _nearest_in_window(ks, want, want_end, lo, hi, (-1, 0))
    has = err < _NONE
    # Same-day twins (two plans at one price billed together) link k-th to k-th: both took the
    # next month's first one, so one plan's chain was lost (flag audit: two Netflix plans billed
    # on one day made no stream at all).
    run_start = np.r_[0, np.flatnonzero(ks[1:] != ks[:-1]) + 1]
    rank = np.arange(n) - np.repeat(run_start, np.diff(np.r_[run_start, n]))
    twin = np.minimum(succ + rank, n - 1)
    same = has & (rank > 0) & (ks[twin] == ks[succ])
    succ = np.where(same, twin, succ)
    # one predecessor per charge: the best fitting (the latest on a tie)
    src = _one_predecessor(np.flatnonzero(has), succ, err)
    # A charge that lost its successor to a better-fitting one takes the next best still free
    # within RELINK_DAYS: two plans at one price billed a day or two apart (a couple's gym
    # memberships on the 17th and the 17th-19th) both wanted the 17th and neither made a chain.
    lost = np.flatnonzero(has)
    lost = lost[~np.isin(lost, src)]
    if len(lost):
        free = np.ones(n, dtype=bool)
        free[succ[src]] = False
        alt, alt_err = _nearest_in_window(ks, want[lost], want_end[lost], lo[lost], hi[lost], (-2, -1, 0, 1),
                                          free=free, max_err=RELINK_DAYS)
        found = alt_err < _NONE
        if found.any():
            succ[lost[found]], err[lost[found]] = alt[found], alt_err[found]
            src = np.sort(np.r_[src, _one_predecessor(lost[found], succ, err)])
    nxt = np.arange(n)
    nxt[src] = succ[src]
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):
        nxt = nxt[nxt]
    linked = np.zeros(n, dtype=bool)
    linked[src] = True
    linked[succ[src]] = True
    chain_sorted = np.where(linked, nxt, -1)
    chain = np.empty(n, dtype=np.int64)
    chain[order] = chain_sorted
    return chain


#: How far (days) from a charge's wanted day a second-choice successor may be (see _echo_chains).
RELINK_DAYS = 3
#: Charges of one price closer than this to the previous one are a second plan's (or a
#: double charge): three of them make a cluster worth untangling into echo chains.
CLOSE_DAYS = 20
#: At most this many plans share one price at one merchant (two people's Spotify, a third).
MAX_SHARED_PLANS = 3
#: Chains of a shared cluster whose first (or last) charges are further apart than this are
#: plans begun (or stopped) at different times, whatever cadence the whole cluster reads at.
APART_DAYS = 45


def _concurrent_chains(cid: np.ndarray, day: np.ndarray, chain: np.ndarray,
                       group: np.ndarray | None = None) -> np.ndarray:
    """Per row: (its cluster is two or three echo chains billed side by side, each with at least
    three charges inside another's span, and at most a stray charge or so besides (a double
    charge): a few plans at one price (a second Spotify kept for ten months of two years), not a
    plan with a double charge (whose chains follow one another: the charge that lost its
    successor ends one and the double starts the next); and those plans began or stopped more
    than :data:`APART_DAYS` apart, or continue such plans after a price change:
    :func:`_continue_ragged`; ``group``: each cluster's group). A chain broken where a charge
    was posted days off is one plan in two pieces (:func:`_broken_chains`): its plan, not each
    piece, is what lies inside another plan's span and begins or stops."""
    n = len(cid)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out, out
    chained = chain >= 0
    n_cl = int(cid.max()) + 1
    size = np.bincount(cid, minlength=n_cl)
    stray = np.bincount(cid, weights=~chained, minlength=n_cl)
    mostly_chained = (stray <= np.maximum(1, 0.1 * size)) & (stray < size)
    rows = np.flatnonzero(chained & mostly_chained[cid])
    if len(rows) == 0:
        return out, out
    r = pd.DataFrame({"row": rows, "cid": cid[rows], "chain": chain[rows], "day": day[rows]})
    spans = r.groupby("chain").agg(cid=("cid", "first"), first=("day", "min"), last=("day", "max"))
    per_cluster = spans.groupby("cid").size()
    spans = spans[spans["cid"].map(per_cluster).between(2, MAX_SHARED_PLANS)].reset_index()
    if spans.empty:
        return out, out
    # the pieces of a chain broken where one charge was posted days off are one plan
    spans["plan"] = _broken_chains(r, spans)
    plans = spans.groupby("plan").agg(cid=("cid", "first"), first=("first", "min"), last=("last", "max"))
    r = r.merge(spans[["chain", "plan"]], on="chain")
    # each plan's charges against the other plans of its cluster (at most two)
    j = r.merge(plans.reset_index().rename(columns={"plan": "other"}), on="cid")
    j = j[(j["other"] != j["plan"]) & (j["day"] >= j["first"]) & (j["day"] <= j["last"])]
    inside = j.groupby(["plan", "other"]).size()
    concurrent = set(inside[inside >= 3].index.get_level_values(0))
    spans["ok"] = spans["plan"].isin(concurrent)
    by_cl = spans.groupby("cid")
    good_cl = by_cl["ok"].all()
    shared = np.zeros(n_cl, dtype=bool)
    shared[good_cl.index[good_cl.to_numpy()].to_numpy(dtype=np.int64)] = True
    # plans that began or stopped months apart, every charge in one of them: no twice-monthly
    # bill, whose two days start and stop together (and one whose skipped charges broke a chain
    # leaves charges in none)
    by_plan = plans.groupby("cid")
    apart = ((by_plan["first"].max() - by_plan["first"].min()) > APART_DAYS) | \
            ((by_plan["last"].max() - by_plan["last"].min()) > APART_DAYS)
    ragged = np.zeros(n_cl, dtype=bool)
    ragged[apart.index[apart.to_numpy()].to_numpy(dtype=np.int64)] = True
    ragged &= shared & ((stray == 0) | _one_off_stray(cid, day, chain, spans, stray))
    cont = _continue_ragged(spans, ragged, group)
    shared |= cont
    ragged |= cont
    return shared[cid], ragged[cid]


def _broken_chains(r: pd.DataFrame, spans: pd.DataFrame) -> np.ndarray:
    """Per chain of ``spans``: the first piece of the plan it belongs to (itself, unless it
    continues another chain of its cluster, broken where one charge was posted days off).

    A chain links a charge to one 27-34 days on; a fortnightly plan's every other charge makes a
    monthly chain of 28-day steps, and one charge posted three days late (Friday 10 November,
    Veterans Day, paid Monday 13th) leaves the next 25 days on: the chain broke there, and its
    second piece read as a plan begun a few months after the others (:data:`APART_DAYS`), which
    split the fortnightly plan into its two monthly chains (round-45 audit). A monthly charge
    retried four days late links to neither neighbour: the chain broke around it, and two plans
    at an app store's price, one begun months later, read as one "semimonthly" stream. A piece
    continues another when its first charge (or its second) is where the other's rhythm (its
    median step) puts a charge one or two steps on (the charge between moved off), counted from
    the other's last or last but one, within :data:`BILLING_DAY_JITTER` days, and the two pieces,
    each the only such partner of the other, step alike. A plan stopped and another begun a month
    or two after at a day of its own stays two (one begun on the old plan's day reads as that
    plan taken up again, as the chains read it).
    ``r``: the chained rows (chain, cid, day); ``spans``: per chain its cluster, first and last.
    """
    chain_ids = spans["chain"].to_numpy()
    plan = chain_ids.copy()
    rows = r[r["chain"].isin(chain_ids)].sort_values(["chain", "day"], kind="stable")
    if rows.empty:
        return plan
    ch, d = rows["chain"].to_numpy(), rows["day"].to_numpy()
    start = np.r_[0, np.flatnonzero(ch[1:] != ch[:-1]) + 1]
    end = np.r_[start[1:], len(ch)] - 1
    med = rows["day"].diff().where(rows["chain"].duplicated()).groupby(ch).median().to_numpy()  # (in chain order)
    ends = pd.DataFrame({"chain": ch[start], "med": med, "last": d[end], "before": d[np.maximum(end - 1, start)],
                         "first": d[start], "second": d[np.minimum(start + 1, end)]})
    ends["cid"] = ends["chain"].map(spans.set_index("chain")["cid"])
    j = ends.merge(ends, on="cid", suffixes=("", "_y"))
    j = j[(j["chain"] != j["chain_y"]) & (j["first_y"] > j["last"])]
    m = j["med"].to_numpy()[:, None] * np.array([1.0, 2.0])  # (the next charge, or the one after)
    last, before = j[["last"]].to_numpy(), j[["before"]].to_numpy()
    err = np.c_[np.abs(j[["first_y"]].to_numpy() - np.c_[last + m, before + m + m[:, :1]]),
                np.abs(j[["second_y"]].to_numpy() - (last + m + m[:, :1]))].min(axis=1)
    j = j[(err <= BILLING_DAY_JITTER) & (np.abs(j["med"] - j["med_y"]) <= BILLING_DAY_JITTER)]
    # each piece the only one that continues the other
    j = j[~j["chain"].duplicated(keep=False) & ~j["chain_y"].duplicated(keep=False)]
    if j.empty:
        return plan
    # (a cluster holds at most MAX_SHARED_PLANS chains: as many hops reach a plan's first piece)
    prev = pd.Series(j["chain"].to_numpy(), index=j["chain_y"].to_numpy())
    plan = pd.Series(chain_ids)
    for _ in range(MAX_SHARED_PLANS):
        plan = plan.map(prev).fillna(plan).astype(np.int64)
    return plan.to_numpy()


def _month_circle(day: np.ndarray) -> np.ndarray:
    """Day of month of epoch days on the month's circle (28th-31st of a month's end: 31)."""
    dom, dim = day_of_month(day)
    return np.where(dom >= dim - 1, 31, dom).astype(float)


def _circle_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Days between days of month ``a`` and ``b`` on the month's circle."""
    d = np.abs(a - b)
    return np.minimum(d, 31 - d)


def _one_off_stray(cid: np.ndarray, day: np.ndarray, chain: np.ndarray, spans: pd.DataFrame,
                   stray: np.ndarray) -> np.ndarray:
    """Per cluster: its one charge in no chain is a one-off, not a plan's: off every chain's
    billing day (by more than :data:`BILLING_DAY_JITTER`), and the chains bill on days of their
    own (as far apart).

    An app store sells items at its plans' prices: iCloud+ at 9.99 on the 5th, Max at 9.99 on
    the 22nd (stopped) and one app bought at 9.99 on the 27th were one "semimonthly" stream shown
    ended, the plan still billing missing from the total and every later iCloud charge flagged
    after Max was cancelled (round-43 audit). A twice-monthly bill that skipped a charge leaves
    its stray on one of its two days, and its broken chain's pieces share a day: it stays whole.
    (Pieces that :func:`_broken_chains` reads as one plan's are no two plans sharing a day.)
    """
    n_cl = len(stray)
    out = np.zeros(n_cl, dtype=bool)
    cand = np.flatnonzero(stray == 1)
    cand = cand[np.isin(cand, spans["cid"].to_numpy())]
    if len(cand) == 0:
        return out
    rows = np.flatnonzero(np.isin(cid, cand))
    dom = _month_circle(day[rows])
    ang = 2 * np.pi * dom / 31
    in_chain = chain[rows] >= 0
    c = pd.DataFrame({"chain": chain[rows][in_chain], "sin": np.sin(ang[in_chain]), "cos": np.cos(ang[in_chain])})
    mean = c.groupby("chain").mean()
    bill_day = pd.Series(np.mod(np.arctan2(mean["sin"], mean["cos"]) * 31 / (2 * np.pi), 31), index=mean.index)
    sp = spans[spans["cid"].isin(cand)].assign(bill_day=lambda x: x["chain"].map(bill_day).to_numpy())
    pairs = sp.merge(sp, on="cid")
    pairs = pairs[(pairs["chain_x"] < pairs["chain_y"]) & (pairs["plan_x"] != pairs["plan_y"])]  # (of two plans)
    close_days = pairs.loc[_circle_gap(pairs["bill_day_x"].to_numpy(), pairs["bill_day_y"].to_numpy())
                           <= BILLING_DAY_JITTER, "cid"]
    lone = pd.DataFrame({"cid": cid[rows][~in_chain], "dom": dom[~in_chain]}).merge(sp, on="cid")
    on_a_day = lone.loc[_circle_gap(lone["dom"].to_numpy(), lone["bill_day"].to_numpy()) <= BILLING_DAY_JITTER, "cid"]
    out[cand] = True
    out[np.r_[close_days.to_numpy(), on_a_day.to_numpy()].astype(np.int64)] = False
    return out


#: Days from one monthly chain's last charge to the first of the chain that continues it at a
#: new price (a month, give or take a few days' posting).
CONTINUE_DAYS = (20, 40)


def _continue_ragged(spans: pd.DataFrame, ragged: np.ndarray, group: np.ndarray | None) -> np.ndarray:
    """Per cluster: a cluster of a few echo chains (``spans``) whose every chain continues (or
    is continued by) a chain of a ragged cluster of its group, a month apart: the same plans
    before or after a price change.

    Two Spotify plans on the 3rd and the 18th, begun months apart, both rising to 11.99 in one
    month: at 11.99 they start and stop together, like a twice-monthly bill, but each 11.99
    chain continues one of the 10.99 plans (round seven: one "semimonthly" stream of 31
    charges). Or begun together at 10.99 for three months, both rising, one stopped later (round
    eight): the 10.99 chains overlap too briefly to be plans side by side on their own.
    """
    out = np.zeros(len(ragged), dtype=bool)
    if group is None or not ragged.any():
        return out
    sp = spans.copy()
    sp["group"] = group[sp["cid"].to_numpy()]
    sp["ragged"] = ragged[sp["cid"].to_numpy()]
    cand, src = sp[~sp["ragged"]], sp[sp["ragged"]]
    if cand.empty:
        return out
    j = cand.merge(src, on="group", suffixes=("", "_r"))
    lo, hi = CONTINUE_DAYS
    after = (j["first"] - j["last_r"]).between(lo, hi)
    before = (j["first_r"] - j["last"]).between(lo, hi)
    linked = j.loc[after | before, "chain"].unique()
    every = cand.assign(linked=cand["chain"].isin(linked)).groupby("cid")["linked"].all()
    out[every.index[every.to_numpy()].to_numpy(dtype=np.int64)] = True
    return out


_NONE = np.iinfo(np.int64).max


def _nearest_in_window(ks: np.ndarray, want: np.ndarray, want_end: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                       offsets: tuple[int, ...], *, free: np.ndarray | None = None,
                       max_err: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per charge, the position in ``ks`` (sorted keys) within ``[lo, hi)`` nearest ``want`` or
    ``want_end``, looked for at ``offsets`` from where each wanted day would sort, and its
    distance (``_NONE``: none; only ``free`` positions, at most ``max_err`` away, when given)."""
    n = len(ks)
    best, err = np.zeros(len(want), dtype=np.int64), np.full(len(want), _NONE)
    for target in (want, want_end):
        at = np.searchsorted(ks, target, side="left")
        for d in offsets:
            j = at + d
            jj = np.clip(j, 0, n - 1)
            ok = (j >= lo) & (j < hi)
            if free is not None:
                ok &= free[jj]
            e = np.where(ok, np.minimum(np.abs(ks[jj] - want), np.abs(ks[jj] - want_end)), _NONE)
            better = e < err if max_err is None else (e < err) & (e <= max_err)
            best[better], err[better] = jj[better], e[better]
    return best, err


def _one_predecessor(src: np.ndarray, succ: np.ndarray, err: np.ndarray) -> np.ndarray:
    """Of the charges ``src`` linking to one successor, the best fitting; on a tie (same-day
    twins) the one a charge before links to, so the chain runs on through it, else the latest.

    A plan on the 12th and a purchase at its price on the 12th of August: the July charge linked
    to one twin and September's took the other, and the plan broke in two at August, its older
    part shown ended (round-eight audit)."""
    def best(cands: np.ndarray, prefer: np.ndarray) -> np.ndarray:
        cands = cands[np.lexsort((-cands, ~prefer[cands], err[cands], succ[cands]))]
        first = np.ones(len(cands), dtype=bool)
        first[1:] = succ[cands][1:] != succ[cands][:-1]
        return cands[first]

    n = len(succ)
    chosen = best(src, np.zeros(n, dtype=bool))
    linked_to = np.zeros(n, dtype=bool)
    linked_to[succ[chosen]] = True
    return best(src, linked_to)


def _gap_segments(cid: np.ndarray, day: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Segment id per row (the row that starts it): a cluster's charges cut where a gap is far
    longer than the cluster's usual interval (> 2.5 median intervals and > 40 days).

    A subscription taken up after some one-off purchases at the same price, or a loan repaid
    monthly that later gets one more payment, is regular only over its own stretch of time.
    ``order``: the rows by cluster and day, when already sorted.
    """
    n = len(cid)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if order is None:
        order = int_lexsort(cid, day)
    start, long, _ = _long_gaps(cid[order], day[order])
    first = np.maximum.accumulate(np.where(start | long, np.arange(n), 0))
    seg = np.empty(n, dtype=np.int64)
    seg[order] = order[first]
    return seg


def _long_gaps(key: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows sorted by ``key`` (runs of equal keys) and day ``d``: whether each row starts
    its run, whether its gap from the row before is far longer than its run's usual interval (>
    2.5 median intervals and > 40 days), and that median interval."""
    start = np.r_[True, key[1:] != key[:-1]]
    gap = np.r_[0, np.diff(d)].astype(float)
    gap[start] = np.nan
    run = np.cumsum(start) - 1
    med = _segment_median(gap, run, np.flatnonzero(start))[run]
    return start, ~start & (gap > np.maximum(2.5 * med, 40.0)), med


def _run_spans(key: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Per row: the last ``d`` of its run of equal ``key`` minus the first (rows in runs, ``d``
    ascending within each)."""
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], n]
    return np.repeat(d[ends - 1] - d[starts], ends - starts)


def _days_apart_in_month(a, b):
    """Days between two days of the month, round the month's end (the 30th and the 2nd: 3)."""
    d = np.abs(a - b)
    return np.minimum(d, 31 - d)


#: Days by which one billing day's charges post apart (weekends, processing).
BILLING_DAY_JITTER = 3
