"""Charges at the edges of the joined streams: a single charge one period before or after
(:func:`_attach_edges`), free yearly renewals chained into streams (:func:`_yearly_renewals`), a
lone charge long after a plan stopped dropped (:func:`_lone_returns`), a yearly plan's charges
before the monthly plan it moved to split off (:func:`_yearly_heads`), strays beside a renewal
pruned (:func:`_prune_strays`), and a second plan at one price split off (:func:`_second_plans`,
:func:`same_offset_repeats`, which ``duplicate_flags`` reads too).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import TOLERANCE, int_lexsort
from .chains import _days_apart_in_month
from .confidence import _stats
from .spending_rules import YEARLY_SWITCH, YEARLY_SWITCH_MAX
from .stream_joins import PRICE_STEP, _components


def _attach_edges(df: pd.DataFrame, assign: np.ndarray, added: np.ndarray | None = None) -> np.ndarray:
    """Add the single charge one period before (cheaper: trial/intro) or after (dearer: new price).

    A stream whose first charge was added so (``added``: the rows the call before added) takes
    the charge a period before it at that same price too (within 1%): the old price was billed
    more than once (car insurance at 540.22 twice, then 566.80). A charge that fits several
    streams of its group goes to the one whose cadence it fits best: a semiannual premium 184 days
    before a six-monthly stream, not 287 days before a yearly one (round-twenty-nine audit).
    """
    st = _stats(df, assign, features=False)
    free = np.flatnonzero(assign < 0)
    if len(st) == 0 or len(free) == 0:
        return assign
    order = int_lexsort(assign[assign >= 0], df["day"].to_numpy()[assign >= 0])
    rows = np.flatnonzero(assign >= 0)[order]
    a_sorted = assign[rows]
    is_first = np.r_[True, a_sorted[1:] != a_sorted[:-1]]
    is_last = np.r_[a_sorted[1:] != a_sorted[:-1], True]
    amt = df["amt"].to_numpy()
    first_added = np.zeros(len(rows), dtype=bool) if added is None else added[rows]
    edges = pd.DataFrame({"cand": a_sorted[is_first], "first_amt": amt[rows[is_first]],
                          "first_added": first_added[is_first], "last_amt": amt[rows[is_last]]}).set_index("cand")
    streams = st[["group", "first_day", "last_day", "period"]].join(edges)
    streams = streams[streams["period"].notna()].reset_index(names="cand")
    loose = pd.DataFrame({"row": free, "group": df["group"].to_numpy()[free], "day": df["day"].to_numpy()[free],
                          "amt": amt[free]})
    m = loose.merge(streams, on="group")
    after = m["day"] - m["last_day"]
    before = m["first_day"] - m["day"]
    tail = (after >= 0.75 * m["period"]) & (after <= 1.35 * m["period"]) & (m["amt"] >= 0.97 * m["last_amt"]) \
        & (m["amt"] <= 1.6 * m["last_amt"])
    old_price = m["first_added"].to_numpy(dtype=bool) & (np.abs(m["amt"] - m["first_amt"]) <= 0.01 * m["first_amt"])
    head = (before >= 0.75 * m["period"]) & (before <= 1.35 * m["period"]) \
        & ((m["amt"] <= 0.97 * m["first_amt"]) | old_price)
    # (two charges on one day: the one listed first in the account's statement order, whatever
    # other accounts share the call; a sort on the day alone broke the tie by the whole frame)
    pick = pd.concat([m[tail].sort_values(["day", "row"], kind="stable").drop_duplicates("cand", keep="first"),
                      m[head].sort_values(["day", "row"], kind="stable").drop_duplicates("cand", keep="last")])
    # a charge two streams want goes to the one whose cadence it fits best
    off = (np.where(pick["day"] > pick["last_day"], pick["day"] - pick["last_day"], pick["first_day"] - pick["day"])
           / pick["period"] - 1).abs()
    pick = pick.assign(off=off.to_numpy()).sort_values("off", kind="stable").drop_duplicates("row")
    out = assign.copy()
    out[pick["row"].to_numpy()] = pick["cand"].to_numpy()
    # keep an added charge only where the stream still has a cadence with it (a stream's
    # cadence is its own: only the streams that took a charge are read again)
    grown = np.unique(out[out != assign])
    if len(grown) == 0:
        return out
    broken = _stats(df, np.where(np.isin(out, grown), out, -1), features=False)["freq_idx"] < 0
    undo = np.isin(out, broken.index[broken.to_numpy()]) & (out != assign)
    out[undo] = assign[undo]
    return out


#: A yearly plan's renewal comes this many days after its last charge (posting and weekends).
YEARLY_RENEWAL_DAYS = (350, 380)


def _yearly_renewals(df: pd.DataFrame, assign: np.ndarray) -> np.ndarray:
    """``assign`` with the yearly charges of plans no stream holds chained into streams of their
    own (new ids after ``assign``'s), for the scorer to judge like any other.

    Streams are found within amount clusters, or as a merchant's whole set of charges: a yearly
    plan whose price changed at renewal (Norton's 49.99 first year, 109.99 the next; Prime 119.00
    -> 139.00) is two clusters of one charge, and another charge of the vendor's (an add-on, a
    rental, a second domain bought in September) leaves the whole set irregular, so the plan and
    its renewal flag were lost (round-twenty audit); so were two domains renewed at one price in
    April and September. Only at catalogue vendors selling yearly plans and nothing else under
    their descriptor: each free charge is linked to the free charge of its merchant
    :data:`YEARLY_RENEWAL_DAYS` later nearest a year on, within :data:`PRICE_STEP` of its price,
    each charge renewing and renewed at most once (the mutual best).
    """
    free = np.flatnonzero((assign < 0) & df["yearly_vendor"].to_numpy() & ~df["inflow"].to_numpy())
    if len(free) < 2:
        return assign
    f = pd.DataFrame({"row": free, "group": df["group"].to_numpy()[free], "day": df["day"].to_numpy()[free],
                      "amt": df["amt"].to_numpy()[free]})
    f = f[f.groupby("group")["row"].transform("size") >= 2]
    if f.empty:
        return assign
    pr = f.merge(f, on="group", suffixes=("", "_next"))
    gap = pr["day_next"] - pr["day"]
    ratio = np.abs(np.log(pr["amt_next"] / pr["amt"]))
    pr = pr[gap.between(*YEARLY_RENEWAL_DAYS) & (ratio <= np.log(PRICE_STEP))]
    if pr.empty:
        return assign
    pr = pr.assign(cost=(pr["day_next"] - pr["day"] - 365).abs() + ratio.loc[pr.index])
    pr = pr.sort_values(["cost", "row", "row_next"], kind="stable")
    best_next = pr.drop_duplicates("row").set_index("row")["row_next"]
    best_prev = pr.drop_duplicates("row_next").set_index("row_next")["row"]
    mutual = (best_next.reindex(pr["row"]).to_numpy() == pr["row_next"].to_numpy()) & \
             (best_prev.reindex(pr["row_next"]).to_numpy() == pr["row"].to_numpy())
    links = pd.DataFrame({"cand_a": pr["row"].to_numpy()[mutual], "cand_b": pr["row_next"].to_numpy()[mutual]})
    if links.empty:
        return assign
    rows = np.unique(np.r_[links["cand_a"], links["cand_b"]])
    chain = _components(rows, links)
    out = assign.copy()
    out[rows] = int(max(assign.max(initial=-1), 0)) + 1 + pd.factorize(chain)[0]
    return out


#: A stream's last charge this many of its intervals (and RETURN_MIN_DAYS) after the one before
#: it, alone, is no plan taken up again yet (see :func:`_lone_returns`).
RETURN_PERIODS = 6
RETURN_MIN_DAYS = 180
#: ... where the stream billed at least this many times before.
RETURN_MIN_BEFORE = 3


def _lone_returns(df: pd.DataFrame, assign: np.ndarray) -> np.ndarray:
    """``assign`` without a stream's last charge when it comes alone long after the one before
    (:data:`RETURN_PERIODS` of the stream's median interval and :data:`RETURN_MIN_DAYS` or more)
    at the plan's price (within 2% and a cent of its other charges' median), at an app store:
    one charge at a plan's old price months after the plan stopped is as likely an item bought
    at that price (a 0.99 app at the store that billed iCloud 50GB at 0.99 until 16 months
    before made the plan "active" again: round-43 audit). A plan taken up again bills again a
    period on, and its charges after the gap then stay in the stream."""
    rows = np.flatnonzero(assign >= 0)
    if len(rows) < RETURN_MIN_BEFORE + 1:
        return assign
    day = df["day"].to_numpy()[rows]
    a = assign[rows]
    order = np.lexsort((day, a))
    rows, day, a = rows[order], day[order], a[order]
    gap = np.r_[0, np.diff(day)]
    first = np.r_[True, a[1:] != a[:-1]]
    gap[first] = 0
    last = np.r_[a[1:] != a[:-1], True]
    before = pd.Series(np.where(first | last, np.nan, gap)).groupby(a).transform("median").to_numpy()
    amt = df["amt"].to_numpy()[rows]
    price = pd.Series(np.where(last, np.nan, amt)).groupby(a).transform("median").to_numpy()
    n = np.bincount(a)[a]
    # (at the plan's price: a yearly charge after a monthly plan is the switch to a yearly plan;
    # at an app store, which sells items at its plans' prices: elsewhere people took such a
    # charge for the plan back, recur_scan's labels, F1 0.6192 -> 0.6183 everywhere)
    lone = last & (n > RETURN_MIN_BEFORE) & (gap >= np.maximum(RETURN_PERIODS * before, RETURN_MIN_DAYS)) \
        & (np.abs(amt - price) <= 0.02 * price + 0.01) & df["store"].to_numpy()[rows]
    if not lone.any():
        return assign
    out = assign.copy()
    out[rows[lone]] = -1
    return out


#: A yearly plan's last charge comes this many days before the first charge of the shorter plan it
#: moved to: the year it paid for ran out (350-380 days), or the person signed up again up to a
#: quarter after (see :func:`_yearly_heads`).
HEAD_GAP_DAYS = (YEARLY_RENEWAL_DAYS[0], YEARLY_RENEWAL_DAYS[1] + 75)
#: ... and the shorter plan bills at least this often (monthly to quarterly: its median interval in days).
HEAD_PLAN_MAX_DAYS = 100
#: ... with at least this many charges after the yearly ones.
HEAD_MIN_AFTER = 3


def _yearly_heads(df: pd.DataFrame, assign: np.ndarray) -> np.ndarray:
    """``assign`` with a yearly plan's charges at the head of a shorter plan's stream split off:
    a plan moved from yearly to monthly billing (Amazon Prime 139.00 on 2024-02-10, then 14.99 a
    month from 2025-02-10) was one monthly stream "amount 14.99-139.00" from 2024-02-10, its
    average 25.32 (round-54 audit). The stream's first charges, each :data:`YEARLY_SWITCH` to
    :data:`YEARLY_SWITCH_MAX` times the median of the charges after them (a year of the shorter
    plan's price) and a year apart (:data:`YEARLY_RENEWAL_DAYS`), the last of them
    :data:`HEAD_GAP_DAYS` before the next charge, followed by :data:`HEAD_MIN_AFTER` or more
    charges billed monthly to quarterly, at a seller of yearly plans (a catalogue vendor selling
    nothing but plans that bills some yearly) or an app store: two or more become a yearly stream
    of their own (new ids after ``assign``'s, for the scorer to judge), one leaves the streams
    (a single charge is no stream). The reverse of :mod:`detector.yearly_switches`' monthly plan
    moved to yearly billing; a dear first charge a month before the plan (a device bought with
    its membership) is no year's price a year before."""
    rows = np.flatnonzero(assign >= 0)
    if len(rows) < HEAD_MIN_AFTER + 1:
        return assign
    seller = df["yearly_vendor"].to_numpy() | df["store"].to_numpy()
    day, amt = df["day"].to_numpy()[rows], df["amt"].to_numpy()[rows]
    a = assign[rows]
    order = np.lexsort((day, a))
    rows, day, amt, a = rows[order], day[order], amt[order], a[order]
    first = np.r_[True, a[1:] != a[:-1]]
    rest = pd.Series(np.where(first, np.nan, amt)).groupby(a).transform("median").to_numpy()
    head = first & seller[rows] & (amt >= YEARLY_SWITCH * rest) & (amt <= YEARLY_SWITCH_MAX * rest)
    if not head.any():
        return assign
    out = assign.copy()
    new_id = int(max(assign.max(initial=-1), 0)) + 1
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(rows)]
    for i in np.flatnonzero(head):
        end = ends[np.searchsorted(starts, i)]
        d, x = day[i:end], amt[i:end]
        for k in range(len(d) - HEAD_MIN_AFTER, 0, -1):  # the longest run of a year's price, a year apart
            after = float(np.median(x[k:]))
            gaps = np.diff(d[:k])
            if ((x[:k] >= YEARLY_SWITCH * after).all() and (x[:k] <= YEARLY_SWITCH_MAX * after).all()
                    and ((gaps >= YEARLY_RENEWAL_DAYS[0]) & (gaps <= YEARLY_RENEWAL_DAYS[1])).all()
                    and HEAD_GAP_DAYS[0] <= d[k] - d[k - 1] <= HEAD_GAP_DAYS[1]
                    and np.median(np.diff(d[k:])) <= HEAD_PLAN_MAX_DAYS):
                if k >= 2:
                    out[rows[i:i + k]] = new_id
                    new_id += 1
                else:
                    out[rows[i]] = -1
                break
    return out


def _prune_strays(df: pd.DataFrame, assign: np.ndarray) -> np.ndarray:
    """Drop a charge that sits within a quarter period of a stream charge whose amount is closer
    to the stream's usual amount (a purchase of a similar price next to a renewal). Exact repeats
    stay: they are what duplicate-charge flags look for."""
    rows = np.flatnonzero(assign >= 0)
    if len(rows) < 2:
        return assign
    st = _stats(df, assign, features=False)
    rows = rows[int_lexsort(assign[rows], df["day"].to_numpy()[rows])]
    a, day, amt = assign[rows], df["day"].to_numpy()[rows], df["amt"].to_numpy()[rows]
    pos = np.searchsorted(st.index.to_numpy(), a)
    med, P = st["amt_median"].to_numpy()[pos], st["period"].to_numpy()[pos]
    dev = np.abs(amt - med)
    stray = np.zeros(len(rows), dtype=bool)
    # each row's neighbours in its stream (none past either end: a roll would wrap the first
    # row of the batch round to the last, and a stream alone in its batch would be judged
    # between its own last and first charges, so results would depend on the batch)
    at = np.arange(len(rows))
    prv, nxt = np.maximum(at - 1, 0), np.minimum(at + 1, len(rows) - 1)
    has_prv, has_nxt = (at > 0) & (a[prv] == a), (at < len(rows) - 1) & (a[nxt] == a)
    for nb, has in ((prv, has_prv), (nxt, has_nxt)):
        close = has & (np.abs(day[nb] - day) <= 0.25 * P) & (dev[nb] < dev)
        stray |= close & (dev > 0.005 * med + 0.005)
    # A charge off the plan's cadence on both sides, at another price than the plan billed just
    # before and just after it (a gym's annual fee a week after the monthly dues), is a charge
    # of its own, not the plan's: a price change bills on the plan's day, a late charge at its
    # price, and a bill whose amount moves has no one price around it.
    inner = has_prv & has_nxt
    tol = TOLERANCE[np.maximum(st["freq_idx"].to_numpy(), 0)][pos]
    off = (np.abs(day - day[prv] - P) > tol) & (np.abs(day[nxt] - day - P) > tol)
    steady = np.abs(amt[prv] - amt[nxt]) <= 0.02 * amt[prv]
    other_price = np.abs(amt - amt[prv]) > 0.2 * amt[prv]
    # (instalments in fixed months are off any cadence by design, each at its own sum: California's
    # estimated tax of 30% in April, 40% in June and 30% in January)
    fixed = st["fixed_months"].to_numpy()[pos] > 0
    stray |= inner & off & steady & other_price & ~fixed
    out = assign.copy()
    out[rows[stray]] = -1
    return out


#: A second plan's charge keeps its offset from the first plan's within this many days a cycle on
#: (``duplicate_flags`` reads it too: such repeats are no double charges).
SAME_OFFSET_DAYS = 1
#: Repeats at any offset in this many cycles next to one another are a second plan too.
SECOND_PLAN_RUN = 3


def same_offset_repeats(stream: np.ndarray, day: np.ndarray, gap: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Of a stream's repeats (``stream``, ``day``: sorted by stream then day; ``gap``: days since
    the charge each repeats; ``period``: its stream's cycle in days), those that come back in the
    next cycle (half a period to a period and a half on) on the same offset (within
    :data:`SAME_OFFSET_DAYS`), and the ones they come back after: a second plan at one price
    billing days after the first (a family member's own Spotify on the 6th beside the parent's
    on the 4th: round-twenty-nine audit), not a billing error, which does not come back on
    schedule. The stream builder splits them off (:func:`_second_plans`); the duplicate rule
    leaves them alone (``duplicate_flags``)."""
    out = np.zeros(len(day), dtype=bool)
    if len(day) < 2:
        return out
    same = (stream[1:] == stream[:-1]) & (np.abs(gap[1:] - gap[:-1]) <= SAME_OFFSET_DAYS)
    apart = (day[1:] - day[:-1]).astype(float)
    # (each of a pair against its own period: one stream's are one)
    out[1:] |= same & (apart >= 0.5 * period[1:]) & (apart <= 1.5 * period[1:])
    out[:-1] |= same & (apart >= 0.5 * period[:-1]) & (apart <= 1.5 * period[:-1])
    return out


def _second_plans(df: pd.DataFrame, assign: np.ndarray) -> tuple[np.ndarray, dict]:
    """Split off a second plan at one price the stream builder merged into a plan's stream.

    A stream's *extra* charge is one at (nearly) its previous charge's amount within a quarter of a
    cycle after it (the duplicate rule's "close" pair). Extras that come back in the next cycle on
    the same offset (within :data:`SAME_OFFSET_DAYS`), or in :data:`SECOND_PLAN_RUN` cycles or
    more next to one another (each within a period and a half of another) at any offset, are a
    second plan (a family member's own Spotify on the 6th beside the parent's on the 4th: round
    twenty-nine audit, 38 charges in one stream whose monthly cost counted one plan). They become
    a stream of their own; of each pair the charge farther from the day the stream bills on alone
    moves (a second plan billed before the first one's day moves, not the first plan). A
    lone extra stays in its stream: a double charge. Monthly or longer cycles only, in streams
    on their cadence (own median gap at least 0.6 of the period): a weekly habit's repeats are
    purchases. Not at an app store (``APPLE.COM/BILL``), which sells items at its plans' prices
    and bills several apps' plans under one line (measured: docs/detection.md). Returns the new
    assignment and ``{new id: stream it came from}``."""
    rows = np.flatnonzero(assign >= 0)
    if len(rows) < 4:
        return assign, {}
    day_all, amt_all, dom_all = df["day"].to_numpy(), df["amt"].to_numpy(), df["dom"].to_numpy()
    rows = rows[int_lexsort(assign[rows], day_all[rows])]
    a, day, amt, dom = assign[rows], day_all[rows], amt_all[rows], dom_all[rows]
    st = _stats(df, assign, features=False)
    pos = np.searchsorted(st.index.to_numpy(), a)
    P = st["period"].to_numpy()[pos].astype(float)
    n = len(rows)
    same = np.r_[False, a[1:] == a[:-1]]
    gap = np.r_[0, np.diff(day)].astype(float)
    gaps = pd.Series(np.where(same & (gap > 5), gap, np.nan))
    own = gaps.groupby(a).transform("median").to_numpy()
    regular = np.isnan(own) | (own >= 0.6 * P)
    prev_amt = np.r_[np.nan, amt[:-1]]
    extra = (same & regular & (P >= 28) & (gap < 0.5 * P) & (gap <= np.maximum(2, 0.25 * P))
             & (np.abs(amt - prev_amt) <= 0.02 * np.abs(prev_amt) + 0.005) & ~df["store"].to_numpy()[rows])
    at = np.flatnonzero(extra)
    if len(at) < 2:
        return assign, {}
    ea, eday, eP = a[at], day[at], P[at]
    moved = same_offset_repeats(ea, eday, gap[at], eP)
    nb_same = ea[1:] == ea[:-1]
    apart = (eday[1:] - eday[:-1]).astype(float)
    # runs of extras in cycles next to one another, at any offset
    near = nb_same & (apart <= 1.5 * eP[1:])
    run = np.cumsum(np.r_[True, ~near])
    run_len = np.bincount(run)[run]
    moved |= run_len >= SECOND_PLAN_RUN
    if not moved.any():
        return assign, {}
    at, ea = at[moved], ea[moved]
    # which charge of each pair is the second plan's: the one farther from the day the stream
    # bills on alone (the median day of its charges in no such pair: the first plan's day); on a
    # tie, or with no such charge, the later one
    paired = np.zeros(n, dtype=bool)
    paired[at] = paired[at - 1] = True
    # (its median day, read round the month's end: the 30th and the 2nd are 3 days apart)
    alone = pd.Series(np.where(paired, np.nan, dom.astype(float)))
    anchor = alone.groupby(a).transform("first").to_numpy()
    ref = (anchor + pd.Series((alone.to_numpy() - anchor + 15) % 31 - 15).groupby(a).transform("median").to_numpy())[at]
    later, earlier = _days_apart_in_month(dom[at], ref), _days_apart_in_month(dom[at - 1], ref)
    take = np.where(~np.isnan(ref) & (later < earlier), at - 1, at)
    src = a[take]
    uniq, codes = np.unique(src, return_inverse=True)
    new_ids = int(assign.max()) + 1 + codes
    out = assign.copy()
    out[rows[take]] = new_ids
    return out, dict(zip((int(assign.max()) + 1 + np.arange(len(uniq))).tolist(), uniq.tolist()))
