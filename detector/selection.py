"""Choosing streams among scored candidates: :func:`_select` (the whole group, its regular
clusters, else a cluster's regular core, segments or chains; :func:`_regular_wholes`), and
:func:`_bills_beside_plans`, a bill whose amount varies billed under a plan's name made a stream
of its own. :data:`KINDS` gives the candidate kinds in id order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import BIMONTHLY, MONTHLY
from .confidence import _score, _stats


def _blended(ids: dict, clusters: np.ndarray) -> np.ndarray:
    """Per amount cluster of ``clusters``: a charge of another cluster of its group, dated from
    its first charge to its last, at a price within :data:`OWN_PRICE_STEP` of its median (an
    amount a varying bill happened to repeat among its other bills). Asked of a few clusters."""
    group, cid, day, amt = ids["group"], ids["cluster"], ids["day"], ids["amt"]
    rows = np.flatnonzero(np.isin(group, np.unique(group[np.isin(cid, clusters)])))
    g, c, d, a = group[rows], cid[rows], day[rows], amt[rows]
    out = np.zeros(len(clusters), dtype=bool)
    for i, k in enumerate(clusters):
        mine = c == k
        other = (g == g[mine][0]) & ~mine & (d >= d[mine].min()) & (d <= d[mine].max())
        out[i] = bool((np.abs(a[other] / np.median(a[mine]) - 1) <= OWN_PRICE_STEP).any())
    return out


def _family(freq_idx: np.ndarray) -> np.ndarray:
    """Frequency index with biweekly and semimonthly as one cadence (both twice a month)."""
    return np.where(np.isin(freq_idx, (1, 2)), 1, freq_idx)


#: Candidate kinds in id order: each kind's ids start where the previous kind's end.
KINDS = ("group", "cluster", "chain", "segment", "core")


def _select(df: pd.DataFrame, st: pd.DataFrame, ids: dict, p: np.ndarray, thr: float) -> np.ndarray:
    """Candidate id per row (-1 = no stream): the whole group, its regular clusters, or, in a
    cluster that is not regular as a whole, its regular exact-price core, else its regular gap
    segments, else its regular echo chains."""
    base = ids["base"]
    group, cid = ids["group"], ids["cluster"]
    n_groups, n_clusters = ids["size"]["group"], ids["size"]["cluster"]
    cand = st.index.to_numpy()
    good = p >= thr
    use_w, good_cluster = _regular_wholes(st, ids, p, thr)
    good_of = {}
    for k in KINDS:
        lo, size = base[k], ids["size"][k]
        good_of[k] = np.zeros(max(size, 1), dtype=bool)
        good_of[k][cand[(cand >= lo) & (cand < lo + size) & good] - lo] = True
    free = ~good_cluster[cid] & ~use_w[group]
    picked = {k: (ids[k] >= 0) & good_of[k][np.maximum(ids[k], 0)] for k in ("core", "segment", "chain")}
    # A cluster shared by a few plans at one price, each chain a stream of its own, is those
    # plans: not one stream with a "duplicate" every cycle, nor none. Where the cluster (or its
    # whole group) reads as a stream, it must read at the chains' cadence, so a fortnightly
    # plan, whose every other charge also makes a monthly chain, stays one.
    in_chain = ids["alone"] & (ids["chain"] >= 0)
    shared = in_chain & picked["chain"]
    whole_ok = np.ones(n_clusters, dtype=bool)
    np.logical_and.at(whole_ok, cid[in_chain], shared[in_chain])
    owner_fam = np.full(len(cid), -1)
    fam_of = pd.Series(_family(st["freq_idx"].to_numpy()), index=cand)
    w_rows, c_rows = use_w[group], good_cluster[cid]
    owner_fam[w_rows] = fam_of.reindex(group[w_rows]).to_numpy()
    owner_fam[c_rows & ~w_rows] = fam_of.reindex(n_groups + cid[c_rows & ~w_rows]).to_numpy()
    chain_fam = fam_of.reindex(base["chain"] + np.maximum(ids["chain"], 0)).to_numpy()
    split = shared & whole_ok[cid] & ((owner_fam == -1) | (owner_fam == chain_fam) | ids["ragged"])
    # the whole group gives way only where shared clusters split into their plans are all of
    # it (two plans at one price, or the same two plans before and after a price change)
    split_rows = np.zeros(n_clusters, dtype=bool)
    split_rows[cid[split]] = True
    in_split = np.bincount(group, weights=split_rows[cid], minlength=n_groups)
    split &= ~w_rows | (in_split[group] == np.bincount(group, minlength=n_groups)[group])
    # a stray charge of a cluster split into its plans is in none of them (a double charge: the
    # flags find it beside the plan it doubles)
    split_cl = np.zeros(n_clusters, dtype=bool)
    split_cl[cid[split]] = True
    stray = split_cl[cid] & ~split
    free |= split
    core_ok = picked["core"] & free
    point_in = np.zeros(max(n_clusters, 1), dtype=bool)  # the cluster has a regular price point
    point_in[cid[core_ok]] = True
    seg_ok = picked["segment"] & free & ~point_in[cid]
    chain_ok = (picked["chain"] & free & ~point_in[cid] & ~seg_ok) | split
    return np.where(split, base["chain"] + ids["chain"], np.where(stray, -1,
           np.where(use_w[group], group,
                    np.where(good_cluster[cid], n_groups + cid,
                             np.where(core_ok, base["core"] + ids["core"],
                                      np.where(seg_ok, base["segment"] + ids["segment"],
                                               np.where(chain_ok, base["chain"] + ids["chain"], -1)))))))


def _regular_wholes(st: pd.DataFrame, ids: dict, p: np.ndarray, thr: float) -> tuple[np.ndarray, np.ndarray]:
    """(per group: the whole group is the stream, per cluster: the cluster is a stream) as
    :func:`_select` decides them; they read the group and cluster candidates only."""
    base = ids["base"]
    group, cid = ids["group"], ids["cluster"]
    n_groups, n_clusters = ids["size"]["group"], ids["size"]["cluster"]
    cand = st.index.to_numpy()
    good = p >= thr
    pw = np.zeros(n_groups)
    is_w = cand < n_groups
    pw[cand[is_w]] = p[is_w]
    is_c = ~is_w & (cand < base["chain"])
    c_group = st["group"].to_numpy()[is_c]
    # clusters per group, the single-charge ones (no candidates) included
    cl_group = np.zeros(n_clusters, dtype=np.int64)
    cl_group[cid] = group
    n_cl = np.bincount(cl_group, minlength=n_groups)
    good_c = good[is_c] & (n_cl[c_group] > 1)
    n_good = np.bincount(c_group[good_c], minlength=n_groups)
    # a regular cluster stands alone when the rest of its group crowds extra charges into its
    # cycles and breaks the rhythm (purchases beside a subscription at an app store); a price
    # change or a varying bill keeps one charge per cycle, and the whole group stays the stream
    on_w, cov_w = np.zeros(n_groups), np.zeros(n_groups)
    on_w[cand[is_w]] = st["frac_on"].to_numpy()[is_w]
    cov_w[cand[is_w]] = st["coverage"].to_numpy()[is_w]
    on_c, cov_c = st["frac_on"].to_numpy()[is_c], st["coverage"].to_numpy()[is_c]
    crowding = (on_c >= on_w[c_group] + 0.15) & (cov_w[c_group] >= cov_c + 0.2)
    sharper = np.bincount(c_group[good_c & crowding], minlength=n_groups) > 0
    # several regular clusters are still one plan when the group keeps one charge per cycle at
    # their cadence (a price that changes each term, up or down, and may come back)
    fam = _family(st["freq_idx"].to_numpy())
    fam_w = np.full(n_groups, -1)
    fam_w[cand[is_w]] = fam[is_w]
    # (at least as regular at its cadence as the group is at its own: every other bill of a
    # varying quarterly bill falls in one amount cluster by chance, half-yearly but patchy)
    own_rhythm = on_c >= on_w[c_group]
    # (and a plan of its own shows it: three charges or more, or a price of its own. Two of a
    # varying phone bill's four monthly charges, 87.77 and 88.41 three months apart, read as a
    # quarterly plan, which dropped the other two: thirteenth session's analyst audit)
    med_w = np.zeros(n_groups)
    med_w[cand[is_w]] = st["amt_median"].to_numpy()[is_w]
    med_c = st["amt_median"].to_numpy()[is_c]
    own_price = np.abs(med_c / np.maximum(med_w[c_group], 1e-9) - 1) > OWN_PRICE_STEP
    shown = (st["n"].to_numpy()[is_c] >= 3) | own_price
    # every other bill of a varying monthly bill reads bimonthly whenever its amounts alternate
    # (a phone bill's dearer months): a plan billed every two months beside a monthly one of
    # its merchant shows a price of its own
    shown &= own_price | (fam[is_c] != BIMONTHLY) | (fam_w[c_group] != MONTHLY)
    # ... and two charges in some month: a bill whose amounts alternate (a phone bill of about 75
    # and 95 by turns, an HOA's 250 and 290) keeps one charge a month, each half at a price of
    # its own, and was two "bimonthly" plans (round ten)
    short_group = np.zeros(n_groups)
    short_group[cand[is_w]] = st["n_short"].to_numpy()[is_w]
    shown &= ~((fam[is_c] == BIMONTHLY) & (fam_w[c_group] == MONTHLY) & (short_group[c_group] == 0))
    # ... and so is any longer cadence at a price among the bill's: a varying phone bill's 67.14,
    # between its 65.00 and 69.80 every third month, read as a quarterly plan that ended, and
    # took nine months from the bill (round-twenty audit). A second plan beside a bill crowds two
    # charges into some cycle (a gym's yearly fee beside its dues), a plan billed yearly after
    # monthly has no other charge among its own, and premiums of a few policies billed in turn
    # have prices of their own.
    among = (fam[is_c] > MONTHLY) & (fam_w[c_group] == MONTHLY) & (short_group[c_group] == 0) & good_c
    if among.any():
        shown[among] &= ~_blended(ids, cand[is_c][among] - n_groups)
    other_fam = np.bincount(c_group[good_c & (fam[is_c] != fam_w[c_group]) & own_rhythm & shown],
                            minlength=n_groups) > 0
    short_w = np.zeros(n_groups)
    short_w[cand[is_w]] = st["n_short"].to_numpy()[is_w]
    short_c = np.bincount(c_group, weights=st["n_short"].to_numpy()[is_c], minlength=n_groups)
    one_plan = (fam_w >= 0) & (short_w <= short_c)
    # a regular cluster at another cadence is a plan of its own (monthly, then billed yearly)
    use_w = (pw >= thr) & ((n_good <= 1) | one_plan) & ~sharper & ~other_fam
    good_cluster = np.zeros(n_clusters, dtype=bool)
    good_cluster[cand[is_c][good_c & ~use_w[c_group]] - n_groups] = True
    return use_w, good_cluster


#: A stream chosen with amounts this steady (coefficient of variation: tax or currency jitter) is a
#: plan at a set price, beside which the rest of its merchant's charges may be a bill of their own.
SET_PRICE_CV = 0.02
#: ... when they are this many or more.
BESIDE_MIN_CHARGES = 4


def _bills_beside_plans(df: pd.DataFrame, st: pd.DataFrame, ids: dict, selected: np.ndarray, scorer,
                        thr: float) -> np.ndarray:
    """``selected`` (:func:`_select`) with a bill whose amount varies, billed under the same name as
    a plan at a set price, made a stream of its own: the group's charges outside its set-price
    streams, taken together, when the plan bills beside them (:func:`_billed_beside`) and they
    score as a stream, one charge a cycle (at least :data:`BESIDE_MIN_CHARGES`).

    Microsoft bills Microsoft 365 (112.50 every month) and Azure (usage, 480-640) both as ``MSFT
    *<E0400...> MSBILL.INFO``: the group, two charges a month, is no stream; its 112.50 cluster is;
    the usage bills fall into several amount clusters (2% apart), none of them regular, so they
    made no stream (one piece of five at most) and were missing from the report and its total
    (round-twenty-six audit, 15 of 16 companies). What is left of a group beside its set-price
    plans is scored like any candidate: a shop's orders beside its membership (Amazon beside
    Prime) come on no schedule and stay out. A set-price stream not billed beside the rest (some
    of the bill's charges at one amount by chance, in the cycles the rest skips) is a piece of the
    bill and joins it, and so does any other stream chosen among those charges."""
    group = ids["group"]
    chosen = np.unique(selected[selected >= 0])
    if not len(chosen):
        return selected
    cv = st["amount_cv"].reindex(chosen).to_numpy()
    fixed = np.isin(selected, chosen[np.nan_to_num(cv, nan=1.0) <= SET_PRICE_CV])
    if not fixed.any():
        return selected
    n_groups = ids["size"]["group"]
    has_plan = np.zeros(n_groups, dtype=bool)
    has_plan[group[fixed]] = True
    rest = ~fixed & has_plan[group] & ~df["inflow"].to_numpy().astype(bool)
    rest &= (np.bincount(group[rest], minlength=n_groups) >= BESIDE_MIN_CHARGES)[group]
    if not rest.any():
        return selected
    # (new candidate ids, past every kind's: one per group)
    first_new = int(ids["base"]["core"] + ids["size"]["core"])
    rest_period = _stats(df, np.where(rest, first_new + group, -1), features=False)["period"]
    plans = fixed & np.isin(group, group[rest])
    beside = _billed_beside(df["day"].to_numpy(), group, selected, plans, rest,
                            st["period"], rest_period.set_axis(rest_period.index.to_numpy() - first_new))
    # the set-price streams no plan billed beside: pieces of the bill
    plan_beside = np.zeros(n_groups, dtype=bool)
    plan_beside[group[plans & beside]] = True
    rest = (rest | (plans & ~beside)) & plan_beside[group]
    if not rest.any():
        return selected
    cand = np.where(rest, first_new + group, -1)
    rest_st = _stats(df, cand, group_sizes=np.bincount(group, minlength=n_groups))
    p = _score(rest_st, scorer, df)
    # one charge a cycle: a second plan at a set price in the rest would have been a cluster
    ok = rest_st.index.to_numpy()[(p >= thr) & (rest_st["n_short"].to_numpy() == 0)]
    if not len(ok):
        return selected
    take = np.isin(cand, ok)
    # a stream chosen among those charges is a piece of the bill: it gives way to the whole
    pieces = np.unique(selected[take & (selected >= 0)])
    out = np.where(np.isin(selected, pieces), -1, selected)
    return np.where(take, cand, out)


def _billed_beside(day: np.ndarray, group: np.ndarray, stream: np.ndarray, plans: np.ndarray, rest: np.ndarray,
                   plan_period: pd.Series, rest_period: pd.Series) -> np.ndarray:
    """Per row: whether its set-price stream (rows ``plans``, their stream ids ``stream``) bills
    beside the rest of its group (rows ``rest``): half or more of the rest's charges have one of
    the stream's within half a period (the shorter of the two: ``plan_period`` by stream id,
    ``rest_period`` by group). A plan in the bill's cycles does (Microsoft 365 on the 6th, Azure on
    the 2nd); a few of the bill's own charges at one amount by chance sit in the cycles the rest
    skips, a period away: four quarterly waste-collection bills of 94.99-97.37, among others of
    68.87-119.27, read as a six-monthly plan, and the other five made a quarterly stream of their
    own (independent seed 11)."""
    out = np.zeros(len(day), dtype=bool)
    p_rows = np.flatnonzero(plans)
    r_rows = np.flatnonzero(rest)
    if not len(p_rows) or not len(r_rows):
        return out
    # each rest charge against each set-price stream of its group: the nearest of its charges
    sid, code = np.unique(stream[p_rows], return_inverse=True)
    key = code.astype(np.int64) * 1_000_000 + day[p_rows].astype(np.int64)
    order = np.argsort(key, kind="stable")
    key = key[order]
    s_group = pd.Series(group[p_rows], index=code).groupby(level=0).first()
    pairs = pd.DataFrame({"row": r_rows, "group": group[r_rows]}).merge(
        pd.DataFrame({"code": s_group.index.to_numpy(), "group": s_group.to_numpy()}), on="group")
    want = pairs["code"].to_numpy().astype(np.int64) * 1_000_000 + day[pairs["row"].to_numpy()].astype(np.int64)
    i = np.searchsorted(key, want)
    # (keys of another stream are a million days away)
    near = np.minimum(np.abs(want - key[np.clip(i - 1, 0, len(key) - 1)]), np.abs(key[np.clip(i, 0, len(key) - 1)] - want))
    half = 0.5 * np.minimum(plan_period.reindex(sid[pairs["code"].to_numpy()]).to_numpy(dtype=float),
                            rest_period.reindex(pairs["group"].to_numpy()).to_numpy(dtype=float))
    share = pd.Series(near <= np.nan_to_num(half, nan=0.0)).groupby(pairs["code"].to_numpy()).mean()
    good = sid[share.index.to_numpy()[share.to_numpy() >= 0.5]]
    return plans & np.isin(stream, good)


#: A two-charge cluster at another cadence than its group's is a plan of its own only at a
#: price this far (relative) from the group's median: a yearly fee beside monthly dues.
OWN_PRICE_STEP = 0.1
