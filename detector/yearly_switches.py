"""A plan that moved to yearly (or six-monthly) billing: shown as two streams, the shorter one
ended and the longer one from its first charge (:func:`_yearly_switches`, :func:`_long_tail`),
and the evidence of both saying so (:func:`_switch_evidence`). ``renewal_flags`` reads
:data:`SWITCH_GAP_DAYS` too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import BIMONTHLY, FREQUENCIES, MONTHLY, PERIODS, TOLERANCE, int_lexsort
from .catalog import yearly_plan_vendors
from .confidence import _score, _stats, as_alone
from .spending_rules import YEARLY_SWITCH, YEARLY_SWITCH_MAX
from .stream_edges import YEARLY_RENEWAL_DAYS
from .stream_rows import _build_rows
from .working_frame import STORE_CHANNELS, _Text

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
