"""Cadence statistics of candidate streams, vectorised over all candidates at once.

A *candidate* is a set of transactions (an integer id per row). :func:`candidate_stats` sorts by
candidate and date, diffs the dates and reduces each candidate's run of rows with numpy
(``bincount``, ``reduceat``, a segment median), so a million rows cost a few sorts — no Python
loop per account or group and no pandas groupby.

The cadence is read from the median interval and then checked interval by interval, allowing
for skipped charges (an interval of two periods), posting delays and weekend shifts (a tolerance
per frequency) and month-end clamping (day-of-month distance is measured on a circle, and the
31st, 30th and 28th are all "month end").
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .schema import FREQUENCIES, PERIOD_DAYS

PERIODS = np.array([PERIOD_DAYS[f] for f in FREQUENCIES])
#: Days an interval may differ from k periods and still count as on cadence, per frequency. Two
#: calendar months are 59-62 days, and a debit rolled off a weekend moves up to three more.
_TOLERANCE_DAYS = {"weekly": 1.5, "biweekly": 2.5, "semimonthly": 4.0, "monthly": 5.0, "bimonthly": 7.0,
                   "quarterly": 10.0, "semiannual": 15.0, "annual": 20.0}
TOLERANCE = np.array([_TOLERANCE_DAYS[f] for f in FREQUENCIES])
_MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "semiannual": 6, "annual": 12}
MONTH_BASED = np.array([f in _MONTHS for f in FREQUENCIES])
#: Months per cycle of the month-based frequencies (0 for day-based ones).
MONTH_STEP = np.array([_MONTHS.get(f, 0) for f in FREQUENCIES])
MONTHLY = FREQUENCIES.index("monthly")
BIMONTHLY = FREQUENCIES.index("bimonthly")
SEMIANNUAL = FREQUENCIES.index("semiannual")
ANNUAL = FREQUENCIES.index("annual")

#: Features the scorer sees, in order.
FEATURES = (
    "n", "log_period", "interval_error", "interval_mad", "frac_on", "frac_skip", "frac_dup",
    "coverage", "amount_cv", "amount_range", "frac_near_median", "dom_dev", "weekday_share",
    "group_share", "vendor_known", "inflow", "round_share", "lookalike_ratio", "month_dispersion",
)


def frequency_index(median_interval: np.ndarray) -> np.ndarray:
    """Index into FREQUENCIES nearest (in log space) to each median interval; -1 when none fits.

    Bimonthly only fills the gap between monthly and quarterly: a median that also fits
    quarterly (66-74 days) stays quarterly, as it read before bimonthly was a frequency."""
    m = np.maximum(np.asarray(median_interval, dtype=float), 0.5)
    dist = np.abs(np.log(m[:, None] / PERIODS[None, :]))
    fits_all = np.abs(m[:, None] - PERIODS[None, :]) <= np.maximum(2.5 * TOLERANCE, 0.2 * PERIODS)[None, :]
    idx = dist.argmin(axis=1)
    dist[:, BIMONTHLY] = np.inf
    other = dist.argmin(axis=1)
    rows = np.arange(len(m))
    idx = np.where((idx == BIMONTHLY) & fits_all[rows, other], other, idx)
    return np.where(fits_all[rows, idx] & np.isfinite(median_interval), idx, -1)


def _months_with_skips(fidx: np.ndarray, iv: np.ndarray, cidx: np.ndarray, C: int) -> np.ndarray:
    """Candidates read bimonthly that hold an interval of one month are a monthly bill with
    skipped months (30, 61, 30 days), not a bill every two months: they are left to
    :func:`_skip_tolerant` (-1), which read them before bimonthly was a frequency."""
    bi = fidx == BIMONTHLY
    if not bi.any():
        return fidx
    one_month = bi[cidx] & (np.abs(iv - PERIODS[MONTHLY]) <= TOLERANCE[MONTHLY])
    return np.where(bi & (np.bincount(cidx[one_month], minlength=C) > 0), -1, fidx)


def day_of_month(day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(day of month, days in that month) of epoch days."""
    day = np.asarray(day)
    table = _calendar_table(day)
    if table is not None:
        lo, _, dom, dim = table
        at = day - lo
        return dom[at], dim[at]
    return _day_of_month(day)


def _day_of_month(day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d64 = day.astype("datetime64[D]")
    month = d64.astype("datetime64[M]")
    start = month.astype("datetime64[D]")
    dom = (d64 - start).astype(np.int64) + 1
    dim = ((month + 1).astype("datetime64[D]") - start).astype(np.int64)
    return dom, dim


def weekday(day: np.ndarray) -> np.ndarray:
    """Day of the week of epoch days, Monday 0 to Sunday 6 (1970-01-01 was a Thursday)."""
    return (np.asarray(day) + 3) % 7


def month_index(day: np.ndarray) -> np.ndarray:
    """Months since January 1970 of epoch days."""
    day = np.asarray(day)
    table = _calendar_table(day)
    if table is not None:
        return table[1][day - table[0]]
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _calendar_table(day: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
    """(first day, month index, day of month, days in month) of every day from the first to
    the last of ``day``, where that span is short beside the rows: numpy's calendar casts cost
    ~0.1 s a million rows, a lookup in a table of the few hundred days a statement spans a few
    ms. None where the span is long (or there are no rows)."""
    if len(day) == 0 or day.dtype.kind not in "iu":
        return None
    lo, hi = int(day.min()), int(day.max())
    if hi - lo >= len(day) + 4096:
        return None
    days = np.arange(lo, hi + 1, dtype=np.int64)
    dom, dim = _day_of_month(days)
    return lo, days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64), dom, dim


#: candidate_stats' columns, in order.
STAT_COLUMNS = (
    "n", "first_day", "last_day", "median_interval", "steady_share", "amt_mean", "amt_std", "amt_min", "amt_max", "amt_median",
    "freq_idx", "frac_on", "frac_skip", "frac_dup", "n_short", "frac_near_median", "round_share", "vendor_known",
    "inflow", "interval_mad", "dom_dev", "dom_median", "weekday_share", "weekend_share", "weekdays_used",
    "month_dispersion", "group", "group_n", "two_months", "fixed_months",
    "coverage", "interval_error", "period", "log_period", "amount_cv", "amount_range", "log_amount",
    "lookalike_ratio", "amount_rises", "amount_falls", "amount_held",
)

#: The columns of ``candidate_stats(..., features=False)``: the cadence and the amount median.
CADENCE_COLUMNS = tuple(c for c in STAT_COLUMNS if c not in (
    "amt_mean", "amt_std", "amt_min", "amt_max", "frac_near_median", "round_share", "interval_mad", "dom_dev",
    "dom_median", "month_dispersion", "amount_cv", "amount_range", "log_amount", "lookalike_ratio",
    "amount_rises", "amount_falls", "amount_held"))


def scorable(freq_idx: np.ndarray, n: np.ndarray, frac_on: np.ndarray) -> np.ndarray:
    """Candidates worth scoring: two or more charges, a cadence, and some interval on it."""
    return (freq_idx >= 0) & (n >= 2) & (frac_on > 0)


def candidate_stats(cand: np.ndarray, day: np.ndarray, amt: np.ndarray, *, group: np.ndarray,
                    vendor_known: np.ndarray, inflow: np.ndarray, dom: np.ndarray | None = None,
                    dim: np.ndarray | None = None, group_sizes: np.ndarray | None = None,
                    cluster: np.ndarray | None = None, cluster_size: np.ndarray | None = None,
                    scored_only: bool = False, features: bool = True, scale: np.ndarray | None = None,
                    fixed_months: np.ndarray | None = None, schedule: np.ndarray | None = None,
                    schedules: tuple = ()) -> pd.DataFrame:
    """Per-candidate features, indexed by candidate id (rows with ``cand < 0`` are ignored).

    ``day`` is days since the epoch, ``amt`` positive amounts, ``group`` the merchant group of
    each row (to measure what share of the merchant's charges the candidate holds; pass
    ``group_sizes`` when rows appear in more than one candidate). ``cluster`` and
    ``cluster_size`` (each row's amount cluster and its number of charges) give
    ``lookalike_ratio``; without them it is 1. ``scored_only``: the amount and day-of-month
    features (:func:`_amount_and_day`) are left NaN for candidates that are not
    :func:`scorable`, which only a scorer reads. ``features=False``: of those amount and
    day-of-month columns only ``amt_median`` is computed (:data:`CADENCE_COLUMNS`), for the
    steps that only group, order and compare streams. ``scale``: each row's currency's units
    per dollar (:func:`detector.money.scale`, 1 when not given), for what a round sum is
    (:func:`round_unit`). ``fixed_months`` (per row): charges that may be two to four instalments
    a year in fixed months (:func:`fixed_months_a_year`: a tax); a candidate of such rows alone
    that keeps to them is read at the issue's nearest frequency (semiannual for two a year,
    quarterly for three or four), every interval on cadence: ``fixed_months`` is its instalments a
    year (0 for the others), ``two_months`` 1 where that is two. ``schedule`` (per row, 0 for
    none) and ``schedules``: a payee whose instalments fall due on set days
    (:func:`scheduled_a_year`: US estimated income tax, ``schedules[schedule - 1]`` its months),
    whose first year is read so before a second shows the months again.
    """
    if dom is None or dim is None:
        dom, dim = day_of_month(day)
    keep = np.flatnonzero(cand >= 0)
    amt_values, amt_rank = dense_rank(amt[keep])
    perm = int_lexsort(cand[keep], day[keep], amt_rank)  # by candidate, day, amount
    order, amt_rank = keep[perm], amt_rank[perm]
    cand, day, amt, dom, dim = cand[order], day[order], amt[order], dom[order], dim[order]
    group, vendor_known, inflow = group[order], vendor_known[order], inflow[order]
    if cluster is not None and cluster_size is not None:
        cluster, cluster_size = cluster[order], cluster_size[order]
    unit = None if scale is None else round_unit(scale[order])
    # rows are sorted by candidate: each reduction is a bincount or a segment median over them
    seg = _segments(cand)
    cidx, starts, ends, n = seg
    C = len(n)
    interval = np.r_[np.nan, np.diff(day).astype(float)] if len(cand) else np.zeros(0)
    interval[starts] = np.nan

    def count(mask):
        return np.bincount(cidx, weights=mask, minlength=C)

    # the cadence is read without a few near-duplicate intervals: a renewal charged twice makes
    # an annual plan's intervals 364 and 2, whose median is half a year
    has_iv = ~np.isnan(interval)
    near_dup = interval <= 3
    n_near, n_intervals = count(near_dup), count(has_iv)
    few = (n_near <= np.maximum(1, 0.25 * n_intervals)) & (n_near < n_intervals)
    cadence_iv = np.where(near_dup & few[cidx], np.nan, interval)
    # columns are gathered in a dict and framed once: 30 column inserts cost 0.1-0.2 s a call
    out = {"n": n, "first_day": day[starts], "last_day": day[ends]}
    out["median_interval"] = _segment_median(cadence_iv, cidx, starts)
    # intervals within a day of that median: a bill every so many days or weeks keeps its
    # interval to the day, a calendar month's varies (28-31 days)
    out["steady_share"] = count(np.abs(cadence_iv - out["median_interval"][cidx]) <= 1) / np.maximum(n_intervals, 1)
    fidx = frequency_index(out["median_interval"])
    fidx = _months_with_skips(fidx, cadence_iv, cidx, C)
    fidx = _skip_tolerant(fidx, out, cadence_iv, cidx, C)
    per_year = np.zeros(C, dtype=np.int64)
    if fixed_months is not None and C:
        per_year = fixed_months_a_year(interval, cidx, n, fixed_months[order])
        if schedule is not None:
            first_year = scheduled_a_year(day, cidx, n, schedule[order], schedules)
            per_year = np.where(per_year == 0, first_year, per_year)
        fixed_freq = np.array([FIXED_MONTH_FREQUENCY.get(k, -1) for k in range(5)])[per_year]
        fidx = np.where(per_year > 0, fixed_freq, fidx)
        out["median_interval"] = np.where(per_year > 0, PERIODS[np.maximum(fixed_freq, 0)], out["median_interval"])
    fixed = per_year > 0
    out["two_months"] = (per_year == 2).astype(float)
    out["fixed_months"] = per_year.astype(float)
    # biweekly drifts through the month; semimonthly sits on two days of it (1st/15th, 15th/last)
    half = 2 * np.pi * (2 * (dom - 1) / dim)
    phase = np.hypot(_segment_mean(np.cos(half), cidx, n), _segment_mean(np.sin(half), cidx, n))
    # a biweekly biller keeps its weekday; semimonthly days (the 10th and 25th, rolled off
    # weekends) wander through the week, so a looser phase is enough when the weekday varies
    wk = np.bincount(cidx * 7 + weekday(day).astype(np.int64), minlength=7 * C).reshape(C, 7)
    weekday_share = wk.max(axis=1) / n if C else np.zeros(0)
    weekend_share = wk[:, 5:].sum(axis=1) / n if C else np.zeros(0)  # (Monday is 0)
    weekdays_used = (wk > 0).sum(axis=1) if C else np.zeros(0, dtype=np.int64)
    two_days = (phase >= 0.9) | ((phase >= 0.6) & (weekday_share < 0.6))
    semi = (fidx == 1) | (fidx == 2)
    fidx = np.where(semi, np.where(two_days & (n >= 4), 2, 1), fidx)
    out["freq_idx"] = fidx
    P = np.where(fidx >= 0, PERIODS[np.maximum(fidx, 0)], np.nan)
    tol = np.where(fidx >= 0, TOLERANCE[np.maximum(fidx, 0)], np.nan)
    Pr, tolr = P[cidx], tol[cidx]
    # interval by interval: on cadence (k = 1 or 2 periods), duplicate (a few days), or off
    k = np.clip(np.rint(interval / Pr), 1, 2)
    dup = interval <= np.minimum(3.0, 0.25 * Pr)
    on = ((np.abs(interval - k * Pr) <= tolr * np.sqrt(k)) | fixed[cidx]) & ~dup
    n_iv = np.maximum(n_intervals, 1)
    n_dup = count(dup & has_iv)
    n_reg = np.maximum(n_iv - n_dup, 1)
    out["frac_on"] = count(on & has_iv) / n_reg
    out["frac_skip"] = count(on & has_iv & (k == 2)) / n_reg
    out["frac_dup"] = n_dup / n_iv
    # intervals under half a period: two charges in one cycle (not a feature; selection uses it)
    out["n_short"] = count(has_iv & (interval < 0.5 * Pr))
    out["vendor_known"] = (count(vendor_known) > 0).astype(float)
    out["inflow"] = (count(inflow) > 0).astype(float)
    out["weekday_share"] = weekday_share
    out["weekend_share"] = weekend_share
    out["weekdays_used"] = weekdays_used
    out["group"] = group[starts]
    gsize = group_sizes if group_sizes is not None else np.bincount(group) if len(group) else np.zeros(0)
    out["group_n"] = gsize[out["group"]] if C else np.zeros(0, dtype=np.int64)
    span = (out["last_day"] - out["first_day"]).astype(float)
    out["coverage"] = n / (span / P + 1)
    out["interval_error"] = np.abs(out["median_interval"] - P) / P
    out["period"] = P
    out["log_period"] = np.log(np.where(np.isnan(P), 1.0, P))
    rows = {"cand": cand, "day": day, "dom": dom, "dim": dim, "amt": amt, "amt_rank": amt_rank,
            "interval": interval, "P": Pr, "cluster": cluster, "cluster_size": cluster_size, "round_unit": unit}
    if not features:
        out["amt_median"] = _segment_median(amt, cidx, starts, ranked=(amt_values, amt_rank))
        return pd.DataFrame({c: out[c] for c in CADENCE_COLUMNS}, index=pd.Index(cand[starts], name="cand"))
    if not scored_only:
        out.update(_amount_and_day(rows, seg, amt_values, P))
    else:
        # the rows of candidates never scored (no cadence or no interval on it: 40% of the
        # first call's rows) skip the features only a scorer reads
        chosen = scorable(fidx, n, out["frac_on"])
        sub = chosen[cidx]
        rows = {name: None if v is None else v[sub] for name, v in rows.items()}
        for name, v in _amount_and_day(rows, _segments(rows["cand"]), amt_values, P[chosen]).items():
            out[name] = np.full(C, np.nan)
            out[name][chosen] = v
    return pd.DataFrame({c: out[c] for c in STAT_COLUMNS}, index=pd.Index(cand[starts], name="cand"))


def round_unit(scale: np.ndarray) -> np.ndarray:
    """The sum whose multiples are round (cash drawn, a transfer): 10, and where a dollar is a
    hundred units or more (``scale``, :func:`detector.money.scale`: yen, won, forints), 10 of its
    power of ten, 1,000 yen, 10,000 won. Their prices have no cents and often end in 0 (won bills
    are cut to tens: ₩45,230 is no round sum). Where a dollar is a few units, sums are rounded
    as in dollars: a transfer of 2,160 crowns is a round sum, as one of 90.00 is."""
    big = scale >= 100
    return np.where(big, 10.0 * 10.0 ** np.floor(np.log10(np.where(big, scale, 1.0))), 10.0)


def is_round_sum(amt: np.ndarray, unit) -> np.ndarray:
    """Whether each amount is a whole multiple of ``unit`` (:func:`round_unit`): cash drawn or
    money sent, which bills and subscriptions rarely are."""
    return np.abs(amt / unit - np.rint(amt / unit)) < 1e-6


def _segments(cand: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(segment index per row, first row, last row, rows) of each run of ``cand``."""
    first = np.r_[True, cand[1:] != cand[:-1]] if len(cand) else np.zeros(0, bool)
    cidx = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(cand)].astype(np.int64) - 1 if len(starts) else starts
    return cidx, starts, ends, np.bincount(cidx, minlength=len(starts))


def _amount_and_day(rows: dict, seg: tuple, amt_values: np.ndarray, P: np.ndarray) -> dict:
    """Amount, day-of-month and calendar features per segment of ``rows`` (sorted row arrays,
    ``P``: each segment's period)."""
    cidx, starts, ends, n = seg
    C = len(n)
    amt = rows["amt"]
    out = {}
    amt_min = np.minimum.reduceat(amt, starts) if C else np.zeros(0)
    amt_max = np.maximum.reduceat(amt, starts) if C else np.zeros(0)
    # summed from the segment's minimum, a one-price plan's mean is its price exactly and its
    # deviation exactly 0 (plain float sums leave 1e-15, which would make its amount vary)
    amt_mean = amt_min + _segment_mean(amt - amt_min[cidx], cidx, n)
    out["amt_mean"] = amt_mean
    out["amt_std"] = np.where(amt_min == amt_max, np.where(n > 1, 0.0, np.nan), _segment_std(amt, cidx, n, amt_mean))
    out["amt_min"] = amt_min
    out["amt_max"] = amt_max
    out["amt_median"] = _segment_median(amt, cidx, starts, ranked=(amt_values, rows["amt_rank"]))
    med_amt = out["amt_median"][cidx]
    near = np.abs(amt - med_amt) <= 0.02 * med_amt + 0.01
    out["frac_near_median"] = np.bincount(cidx, weights=near, minlength=C) / n
    # cash and transfers come in round sums; bills and subscriptions rarely do
    unit = 10.0 if rows.get("round_unit") is None else rows["round_unit"]
    round_sum = is_round_sum(amt, unit)
    out["round_share"] = np.bincount(cidx, weights=round_sum, minlength=C) / n
    # changes of amount from one charge to the next (by more than a cent and 1%): a plan whose
    # price changed steps once or twice, a transfer of whatever sum at nearly every charge
    change = np.r_[0.0, np.diff(amt)] if len(amt) else np.zeros(0)
    step = np.abs(change) > 0.01 * np.r_[amt[:1], amt[:-1]] + 0.01
    step[starts] = False
    out["amount_rises"] = np.bincount(cidx, weights=step & (change > 0), minlength=C)
    out["amount_falls"] = np.bincount(cidx, weights=step & (change < 0), minlength=C)
    # the fewest charges in a row at one amount (a stretch ends where the amount steps)
    stretch = step.copy()
    stretch[starts] = True
    first = np.flatnonzero(stretch)
    held = np.diff(np.r_[first, len(amt)]) if len(amt) else np.zeros(0, dtype=np.int64)
    out["amount_held"] = np.minimum.reduceat(held, np.searchsorted(first, starts)) if C else np.zeros(0)
    out["interval_mad"] = _segment_median(np.abs(rows["interval"] - rows["P"]), cidx, starts) / P
    # day of month on a circle; month ends (28th-31st) are one point, clamping is not drift
    dom = np.where(rows["dom"] >= rows["dim"] - 1, 31, rows["dom"]).astype(float)
    dom_median = _circular_median(dom, cidx, starts, n)
    dev = np.abs(dom - dom_median[cidx])
    out["dom_dev"] = _segment_mean(np.minimum(dev, 31 - dev), cidx, n)
    # The plan's own day where months end differently: "month end" above is one point, but a plan
    # billed on the 30th bills on the 30th of a 31-day month (and the 28th of February), one
    # billed on the 31st on the 31st. Read from the charges in 31-day months.
    long_month = rows["dim"] == 31
    on30 = np.bincount(cidx, weights=long_month & (rows["dom"] == 30), minlength=C)
    on31 = np.bincount(cidx, weights=long_month & (rows["dom"] == 31), minlength=C)
    out["dom_median"] = np.where((dom_median > 30) & (on30 > on31), 30.0, dom_median)
    out["month_dispersion"] = _month_dispersion(rows["cand"], rows["day"], cidx, starts, ends)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["amount_cv"] = np.where(np.isnan(out["amt_std"]), 0.0, out["amt_std"]) / amt_mean
        out["amount_range"] = amt_max / amt_min
    out["log_amount"] = np.log1p(amt_mean)
    out["lookalike_ratio"] = _lookalikes(n, cidx, rows["cluster"], rows["cluster_size"])
    return out


def _skip_tolerant(fidx: np.ndarray, out: dict, iv: np.ndarray, cidx: np.ndarray, C: int) -> np.ndarray:
    """Cadence of candidates whose median interval fits none, read from their shortest interval.

    A short series with a skipped charge (a half-yearly premium: 183 days, then 367) has a
    median between one and two periods. Where the shortest interval fits a frequency and every
    interval is one or two of its periods, that is the cadence, and ``median_interval`` (in
    ``out``) becomes the median interval per period, so the series reads like any other with a
    skip.
    """
    lost = fidx < 0
    rows = np.flatnonzero(lost[cidx])  # only the lost candidates' rows are read
    if len(rows) == 0:
        return fidx
    c, iv = cidx[rows], iv[rows]
    ok_iv = ~np.isnan(iv)
    shortest = np.full(C, np.inf)
    np.minimum.at(shortest, c[ok_iv], iv[ok_iv])
    alt = np.full(C, -1)
    alt[lost] = frequency_index(np.where(np.isfinite(shortest[lost]), shortest[lost], np.nan))
    P = PERIODS[np.maximum(alt, 0)][c]
    k = np.clip(np.rint(iv / P), 1, 2)
    fits = np.abs(iv - k * P) <= TOLERANCE[np.maximum(alt, 0)][c] * np.sqrt(k)
    all_fit = np.bincount(c, weights=ok_iv & ~fits, minlength=C) == 0
    use = lost & (alt >= 0) & all_fit & (np.bincount(c, weights=ok_iv, minlength=C) >= 2)
    if not use.any():
        return fidx
    sel = use[c]
    c, per_charge = c[sel], (iv / k)[sel]
    seg, starts, _, _ = _segments(c)
    per_period = np.full(C, np.nan)
    per_period[c[starts]] = _segment_median(per_charge, seg, starts)
    out["median_interval"] = np.where(use, per_period, out["median_interval"])
    return np.where(use, alt, fidx)


#: Two instalments a year in fixed months: this many charges or more (each month seen twice).
TWO_MONTHS_MIN_CHARGES = 4
#: Instalments a year in fixed months that :func:`fixed_months_a_year` reads (a tax's scheme: a US
#: property tax's two, US estimated income tax's four), and the frequency each is read as: the
#: issue's nearest (three or four a year: quarterly).
FIXED_MONTH_FREQUENCY = {2: SEMIANNUAL, 3: FREQUENCIES.index("quarterly"), 4: FREQUENCIES.index("quarterly")}
#: The shortest interval between two of them, in days: a quarter of a year for two a year; a
#: month and a half for three or four (two months apart, 15 April and 15 June, paid as late as
#: the 18th of April and as early as the 12th of June: 55 days).
FIXED_MONTH_SHORTEST = {2: PERIODS[SEMIANNUAL] / 2, 3: PERIODS[ANNUAL] / 8, 4: PERIODS[ANNUAL] / 8}
#: Instalments a year that may also come evenly apart in fixed months (every four months), which
#: no frequency reads: a property tax in February, June and October.
EVEN_FIXED_MONTHS = 3


def fixed_months_a_year(interval: np.ndarray, cidx: np.ndarray, n: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per candidate: how many instalments a year it pays in fixed months unevenly apart, 0 where
    it does not. A US property tax paid in December and April (4 and 8 months apart by turns) is
    2; US estimated income tax, paid about 15 April, 15 June, 15 September and 15 January (2, 3,
    4 and 3 months apart), is 4. Neither fits a cadence.

    For ``k`` instalments a year (2, 3 or 4): ``k`` + 2 charges or more (a year's and two more,
    :data:`TWO_MONTHS_MIN_CHARGES` for two: each month seen twice), every interval at least
    :data:`FIXED_MONTH_SHORTEST` and at most a year less ``k - 1`` such intervals, every ``k`` intervals in a
    row adding up to a year (within the annual tolerance), one interval off ``1/k`` of a year by
    more than its nearest frequency's tolerance (else it is plain semiannual or quarterly), and
    every row ``allowed``. The smallest ``k`` that fits wins. Three a year evenly, every four
    months (a property tax in February, June and October), fits no frequency either: it is 3
    with ``k`` + 1 charges (every interval four months, and together a year).

    ``interval``: days since the candidate's previous charge (NaN at its first), rows sorted by
    candidate (``cidx``) and day; ``n``: charges per candidate.
    """
    C = len(n)
    out = np.zeros(C, dtype=np.int64)
    everyone = np.bincount(cidx[~allowed], minlength=C) == 0 if C else np.zeros(0, dtype=bool)
    if not (everyone & (n >= min(FIXED_MONTH_FREQUENCY) + 2)).any():
        return out  # (nearly always: only a tax's rows are allowed, and few statements pay one)
    has = ~np.isnan(interval)
    iv = np.where(has, interval, 0.0)
    year = PERIODS[ANNUAL]
    starts = np.r_[0, np.cumsum(n)[:-1]].astype(np.int64)
    pos = np.arange(len(iv)) - starts[cidx]  # a row's place in its candidate (0: its first)
    total = np.cumsum(iv)
    for k, f in FIXED_MONTH_FREQUENCY.items():
        step = year / k
        shortest = FIXED_MONTH_SHORTEST[k]
        wide = (iv >= shortest) & (iv <= year - (k - 1) * shortest)
        # every k intervals in a row within one candidate (ending at row i: rows i-k+1 .. i)
        ends = np.flatnonzero(pos >= k)
        window = total[ends] - total[ends - k]
        a_year = np.abs(window - year) <= TOLERANCE[ANNUAL]
        bad = np.bincount(cidx[has & ~wide], minlength=C) + np.bincount(cidx[ends[~a_year]], minlength=C)
        uneven = np.bincount(cidx[has & (np.abs(iv - step) > TOLERANCE[f])], minlength=C) > 0
        # (evenly every four months is no frequency of its own: a year's intervals are enough)
        enough = (n >= k + 2) & uneven
        if k == EVEN_FIXED_MONTHS:
            enough |= (n >= k + 1) & ~uneven
        fits = enough & (bad == 0) & everyone & (out == 0)
        out[fits] = k
    return out


#: A payee's scheduled instalments (:func:`scheduled_a_year`) read from this many charges.
SCHEDULED_MIN_CHARGES = 3
#: How early and how late (days) a charge may be paid around a scheduled due day and count as
#: that instalment: a fourth instalment due 15 January paid in December (deducted that year), a
#: due day on a weekend or a holiday rolled to the next business day and posted a day or two on.
SCHEDULE_EARLY_DAYS = 35
SCHEDULE_LATE_DAYS = 5
#: The day of the month a scheduled instalment is due (US estimated income tax: the 15th).
SCHEDULE_DUE_DAY = 15


def schedule_due_days(months: tuple, first_year: int, last_year: int) -> np.ndarray:
    """Epoch days of a schedule's due days (the :data:`SCHEDULE_DUE_DAY` of each of ``months``)
    from ``first_year`` to ``last_year``, in order."""
    days = [np.datetime64(f"{y:04d}-{m:02d}-{SCHEDULE_DUE_DAY:02d}") for y in range(first_year, last_year + 1)
            for m in sorted(months)]
    return np.array(days, dtype="datetime64[D]").astype(np.int64)


def scheduled_a_year(day: np.ndarray, cidx: np.ndarray, n: np.ndarray, code: np.ndarray, schedules: tuple) -> np.ndarray:
    """Per candidate: the instalments a year of the payee's schedule its charges keep to, 0 where
    they keep to none. A payee whose instalments fall due on days set by law (US estimated
    income tax: 15 April, 15 June, 15 September and 15 January, California's 15 April, 15 June and
    15 January) shows its months from its first instalments, before a second year repeats them.

    ``code``: each row's schedule (1-based into ``schedules``, each a tuple of months; 0: none).
    A candidate keeps to schedule ``s`` when every row is ``s``'s, it has
    :data:`SCHEDULED_MIN_CHARGES` charges or more, each paid up to :data:`SCHEDULE_EARLY_DAYS`
    before a due day of it or :data:`SCHEDULE_LATE_DAYS` after, and those due days follow one
    another, none missed or paid twice. ``day``: epoch days, rows sorted by candidate (``cidx``)
    and day."""
    C = len(n)
    out = np.zeros(C, dtype=np.int64)
    if not C or not (code > 0).any():
        return out
    for s, months in enumerate(schedules, start=1):
        mine = (np.bincount(cidx[code != s], minlength=C) == 0) & (n >= SCHEDULED_MIN_CHARGES)
        if not mine.any():
            continue
        rows = np.flatnonzero(mine[cidx])
        d = day[rows]
        years = d.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        dues = schedule_due_days(months, int(years.min()) - 1, int(years.max()) + 1)
        j = np.searchsorted(dues, d - SCHEDULE_LATE_DAYS, side="left")
        ok = (j < len(dues)) & (dues[np.minimum(j, len(dues) - 1)] - d <= SCHEDULE_EARLY_DAYS)
        c = cidx[rows]
        step = np.r_[1, np.diff(j)]
        step[np.r_[True, c[1:] != c[:-1]]] = 1  # (a candidate's first charge follows nothing)
        bad = np.bincount(c, weights=(~ok | (step != 1)).astype(float), minlength=C)
        out[mine & (bad == 0) & (out == 0)] = len(months)
    return out


def two_fixed_months(interval: np.ndarray, cidx: np.ndarray, n: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per candidate: its charges are two instalments a year in two fixed months unevenly apart
    (:func:`fixed_months_a_year` 2: a US property tax paid in December and April)."""
    return fixed_months_a_year(interval, cidx, n, allowed) == 2


def _circular_median(dom: np.ndarray, cidx: np.ndarray, starts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Median day of month per candidate, read on the month's circle (31 = month end, next to
    the 1st): a plan billed at month end that posts on the 1st or 2nd now and then has its
    median at the month's end, not in the middle of the month.

    The days are turned so that their circular mean sits mid-circle, the median is taken there,
    and turned back; days that do not straddle the month's turn get their plain median.
    """
    angle = 2 * np.pi * dom / 31
    centre = np.mod(np.arctan2(_segment_mean(np.sin(angle), cidx, n), _segment_mean(np.cos(angle), cidx, n))
                    * 31 / (2 * np.pi), 31)
    shift = 15.5 - centre
    x = dom + shift[cidx]
    turned = np.mod(x, 31)
    # A candidate's turned days stay whole days apart, so the day and the lap it turned through
    # rank them as their values do: one sort of small integer keys, no ranking of 3M floats.
    # Only the two middle values are read back, computed as above from their day.
    lap = np.rint((x - turned) / 31)  # -1, 0 or 1
    key = cidx.astype(np.int64) * 93 + (dom - 31 * lap).astype(np.int64) + 30
    key.sort()

    def turned_at(pos):
        day = (key[pos] % 93 - 31) % 31 + 1
        return np.mod(day + shift, 31)

    med = (turned_at(starts + (n - 1) // 2) + turned_at(starts + n // 2)) / 2 - shift
    med = np.mod(med, 31)
    # between the month's end and the 1st (as many of each): charges post late, not early, so
    # the plan's day is the month's end
    return np.where(med < 1, 31.0, med)


def _segment_mean(x: np.ndarray, cidx: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.bincount(cidx, weights=x, minlength=len(n)) / n


def _segment_std(x: np.ndarray, cidx: np.ndarray, n: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Sample standard deviation (ddof 1) per segment; NaN for a single row, as pandas gives."""
    ss = np.bincount(cidx, weights=(x - mean[cidx]) ** 2, minlength=len(n))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)


def dense_rank(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values, each value's index among them): equal values share a rank and
    NaN ranks last, so ranks sort exactly as the values do."""
    values = np.unique(x)
    real = values[~np.isnan(values)]
    nan = np.isnan(x)
    for scale in (1.0, 100.0):
        # Days and amounts in cents: where every distinct value has its own whole number of
        # days (cents), a lookup table ranks them, much quicker than a binary search.
        steps = np.rint(real * scale)
        if len(real) and steps[-1] - steps[0] < 4 * len(x) + 1024 and np.all(np.diff(steps) > 0):
            lut = np.zeros(int(steps[-1] - steps[0]) + 1, dtype=np.int64)
            lut[(steps - steps[0]).astype(np.int64)] = np.arange(len(real))
            rank = lut[(np.rint(np.where(nan, real[0], x) * scale) - steps[0]).astype(np.int64)]
            return values, np.where(nan, len(values) - 1, rank)
    # sorting again with the inverse is ~8x cheaper than a binary search per value (1M values)
    return values, np.unique(x, return_inverse=True)[1]


def sorted_codes(keys: np.ndarray) -> np.ndarray:
    """``np.unique(keys, return_inverse=True)[1]`` for integer keys: each key's index among the
    sorted distinct keys. Hashed (``pd.factorize``), then only the distinct keys sorted: a
    million rows of a few hundred thousand keys cost ~0.1 CPU-s to sort, ~0.02 s to hash."""
    codes, distinct = pd.factorize(np.asarray(keys))
    rank = np.empty(len(distinct), dtype=np.intp)
    rank[np.argsort(distinct, kind="stable")] = np.arange(len(distinct))
    return rank[codes]


def int_lexsort(*keys: np.ndarray) -> np.ndarray:
    """``np.lexsort(keys[::-1])`` for integer keys (most significant first) as one stable argsort
    of a combined integer key (three times faster at a few million rows), falling back to
    lexsort where the key would overflow."""
    if len(keys[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    combined, span = np.zeros(len(keys[0]), dtype=np.int64), 1
    for k in keys[::-1]:
        lo = int(k.min())
        width = int(k.max()) - lo + 1
        if span * width >= 2**62:
            return np.lexsort(keys[::-1])
        combined += (k.astype(np.int64) - lo) * span
        span *= width
    # with each row's position in its low bits every key is distinct, and a plain sort of the
    # keys gives the stable order directly (4-5x quicker than a stable argsort)
    bits = (len(combined) - 1).bit_length()
    if span < 2**(62 - bits):
        combined <<= bits
        combined |= np.arange(len(combined))
        combined.sort()
        return combined & ((1 << bits) - 1)
    return np.argsort(combined, kind="stable")


def _segment_median(x: np.ndarray, cidx: np.ndarray, starts: np.ndarray,
                    ranked: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Median per segment of rows sorted by ``cidx`` (segments begin at ``starts``), NaNs left
    out as pandas does; NaN where a segment has no value. ``ranked``: ``dense_rank(x)`` when
    already known.

    Each segment is sorted by value through one direct sort of ``segment * n_values + rank``
    (rows stay in their segment because ``cidx`` is already sorted): several times faster than
    an indirect two-key sort, and the values read back are the very ones a lexsort gives.
    """
    x = np.asarray(x, dtype=float)
    if len(starts) == 0:
        return np.zeros(0)
    values, rank = ranked if ranked is not None else dense_rank(x)
    width = max(len(values), 1)
    key = cidx.astype(np.int64) * width + rank  # NaN ranks last within its segment
    key.sort()
    nan = np.isnan(x)
    k = np.diff(np.r_[starts, len(x)]) - np.bincount(cidx[nan], minlength=len(starts))  # values per segment
    lo = starts + np.maximum(k - 1, 0) // 2
    hi = np.where(k > 0, starts + k // 2, lo)
    own = np.arange(len(starts)) * width  # segment i's keys start there: only the middles are read back
    return np.where(k > 0, (values[key[lo] - own] + values[key[hi] - own]) / 2, np.nan)


def _month_dispersion(cand: np.ndarray, day: np.ndarray, cidx: np.ndarray, starts: np.ndarray,
                      ends: np.ndarray) -> np.ndarray:
    """Variance over mean of the charges per calendar month, months without one included.

    About 0 for anything billed on a schedule (one charge a month, four or five a week, k
    plans renewing monthly), however loose its days; about 1 for purchases at random, more
    for bursts. Rows must be sorted by candidate and day (``cidx``: each row's candidate;
    ``starts``/``ends``: each candidate's first and last row).
    """
    n_cand = len(starts)
    if len(cand) == 0:
        return np.zeros(n_cand)
    month = month_index(day)
    run = np.r_[True, (cand[1:] != cand[:-1]) | (month[1:] != month[:-1])]
    run_starts = np.flatnonzero(run)
    count = np.diff(np.r_[run_starts, len(cand)]).astype(float)
    owner = cidx[run_starts]
    n = np.bincount(owner, weights=count, minlength=n_cand)
    sq = np.bincount(owner, weights=count ** 2, minlength=n_cand)
    months = np.maximum(month[ends] - month[starts] + 1, 1.0)
    mean = n / months
    var = np.maximum(sq / months - mean ** 2, 0.0)
    return var / np.maximum(mean, 1e-9)


def _lookalikes(n: np.ndarray, cidx: np.ndarray, cluster, cluster_size) -> np.ndarray:
    """Charges in the amount clusters a candidate touches, per charge it holds: 1 for a whole
    group or cluster, 1.5+ for an echo chain picked out of a crowded cluster (several plans at
    one price, or a coffee habit at one price whose other same-price charges say it is a
    habit). Counted over the whole history: counted between the candidate's first and last
    charge only, recur_scan fell from 0.588 to 0.576 and the synthetic set from 0.957 to 0.955."""
    if cluster is None or cluster_size is None or len(cidx) == 0:
        return np.ones(len(n))
    width = int(cluster.max()) + 1
    _, first = np.unique(cidx.astype(np.int64) * width + cluster, return_index=True)
    return np.bincount(cidx[first], weights=cluster_size[first], minlength=len(n)) / n


def feature_matrix(stats: pd.DataFrame, group_sizes: np.ndarray | None = None) -> np.ndarray:
    """The scorer's input: FEATURES in order, with no NaN (a candidate without a cadence gets
    neutral-bad values, the scorer learns they are not streams)."""
    st = stats.assign(group_share=stats["n"] / stats["group_n"])
    X = st[list(FEATURES)].to_numpy(dtype=float)
    bad = np.array([0, 0, 5, 5, 0, 0, 1, 0, 0, 0, 0, 15, 0, 0, 0, 0, 0, 1, 1], dtype=float)
    return np.where(np.isfinite(X), X, bad[None, :])


def next_due(last_day: np.ndarray, freq_idx: np.ndarray, dom: np.ndarray) -> np.ndarray:
    """Predicted next charge day: month-based cadences keep their day of month (clamped)."""
    last = last_day.astype("datetime64[D]")
    P = PERIODS[np.maximum(freq_idx, 0)]
    day_based = last + np.rint(P).astype(np.int64)
    step = MONTH_STEP[np.maximum(freq_idx, 0)]
    # the plan's day in the month one step on, or in the month before or after it when the last
    # charge posted across a month's turn (due on the 31st, posted on the 1st): whichever is
    # nearest one period after the last charge
    base = last.astype("datetime64[M]").astype(np.int64) + step
    best, best_err = None, None
    for off in (0, -1, 1):
        month = base + off
        first = month.astype("datetime64[M]").astype("datetime64[D]")
        dim = ((month + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(np.int64)
        due = first + (np.clip(np.rint(dom).astype(np.int64), 1, dim) - 1)
        err = np.abs((due - day_based).astype(np.int64))
        if best is None:
            best, best_err = due, err
        else:
            closer = err < best_err
            best, best_err = np.where(closer, due, best), np.where(closer, err, best_err)
    return np.where(MONTH_BASED[np.maximum(freq_idx, 0)], best, day_based).astype(np.int64)


#: A yearly pause is two missed cycles or more (one missed charge is a skip) and at most half a
#: year: council tax in ten monthly instalments (none in February and March), school-term fees.
PAUSE_CYCLES = 2.5
PAUSE_MAX_DAYS = 183


class YearlyPause(NamedTuple):
    """:func:`yearly_pause`'s answer, an array each, per stream (``-1``, or NaN, where none)."""

    #: the day it is due again, a year after the pause it is in now ended a year ago
    resume: np.ndarray
    #: that pause's last charge before it and first after it (days)
    start: np.ndarray
    end: np.ndarray
    #: charges a year of a stream that pauses at the same time each year
    per_year: np.ndarray
    #: its latest pause's last charge before it (a row index into ``day``; the first after it is
    #: the next row)
    before: np.ndarray


def yearly_pause(day: np.ndarray, stream: np.ndarray, last_day: np.ndarray, freq_idx: np.ndarray,
                 dom: np.ndarray, once: np.ndarray | None = None) -> YearlyPause:
    """Streams of a short cadence (a month or less) that pause at the same time each year (UK
    council tax: ten monthly instalments, none in February and March): when each is due again,
    and how many charges it has a year (:class:`YearlyPause`).

    ``day``/``stream``: every charge's day and stream index (``0..len(last_day)-1``), sorted by
    stream then day. A *pause* is a gap of :data:`PAUSE_CYCLES` cycles up to
    :data:`PAUSE_MAX_DAYS` days (one missed or late charge is no pause); every other gap of a
    cycle and a half or more makes a stream irregular, not seasonal. ``once`` (per stream): a
    bill paid by a scheme that pauses, not at will (a tax), for which one pause seen is the
    pattern; for others one pause is as often a card that expired or a plan stopped a while.
    The two answers read the pauses from two ends: :func:`_resume_after_pause` from the last
    charge (the pause a year ago it is in again now), :func:`_charges_a_year` from the latest
    pause (every pause of the history at its time of year).
    """
    k = len(last_day)
    out = YearlyPause(*(np.full(k, -1, dtype=np.int64) for _ in range(3)), np.full(k, np.nan),
                      np.full(k, -1, dtype=np.int64))
    if len(day) < 2 or k == 0:
        return out
    once = np.zeros(k, dtype=bool) if once is None else once
    day = day.astype(np.int64)
    P = PERIODS[np.maximum(freq_idx, 0)]
    s = stream[:-1]
    gap = np.diff(day)
    long = (stream[1:] == s) & (P[s] <= 31) & (gap >= 1.5 * P[s])
    pause = long & (gap >= PAUSE_CYCLES * P[s]) & (gap <= PAUSE_MAX_DAYS)
    _resume_after_pause(out, day, s, long, pause, last_day, freq_idx, dom, once)
    # (a stream of no known cadence has no charges a year)
    known = freq_idx[s] >= 0
    _charges_a_year(out, day, stream, s, long & known, pause & known, freq_idx, once)
    return out


def _resume_after_pause(out: YearlyPause, day, s, long, pause, last_day, freq_idx, dom, once) -> None:
    """:func:`yearly_pause`'s ``resume``, ``start`` and ``end``: a stream whose last charge falls,
    give or take a quarter cycle, a year after the start of a pause in its own history and two
    years after another (or once, for ``once``), and whose every other long gap is such a pause
    too, whole years back, is due again a year after that pause ended (month-based cadences keep
    their day of month). ``s``, ``long``, ``pause``: per gap between two rows of ``day``."""
    if not long.any():
        return
    f = np.maximum(freq_idx, 0)
    P = PERIODS[f]
    k = len(last_day)
    s, g_start, g_end, is_pause = s[long], day[:-1][long], day[1:][long], pause[long]
    # a pause at the time of year of the last charge, one or more years before it
    since = last_day[s].astype(np.int64) - g_start
    years = np.rint(since / 365.25)
    yearly = (years >= 1) & (np.abs(since - 365.25 * years) <= 0.25 * P[s] + 3)
    is_pause &= yearly
    # every long gap of the stream must be such a pause: a stream that also skips or stops at
    # other times of year is irregular, not seasonal
    other = np.bincount(s[~is_pause], minlength=k) > 0
    # and the pause came two years running: one gap a year ago is as often a card that expired
    # or a plan stopped for a while, and a plan billing again since is due a month on
    twice = np.bincount(s[is_pause & (years == 2)], minlength=k) > 0
    # ... but a tax is paid by its scheme, not at will: no card lapses or break taken a year ago
    # stops it at the very time it stops again (UK council tax's ten instalments, a statement of
    # eighteen months, showed the pause once and was "ended" every February: round twenty)
    twice |= once
    keep = is_pause & (years == 1) & ~other[s] & twice[s]
    if not keep.any():
        return
    s, g_start, g_end = s[keep], g_start[keep], g_end[keep]
    # a year after the pause ended: the plan's day of month twelve months on, or 52 weeks on
    annual = np.full(len(s), FREQUENCIES.index("annual"))
    month_based = next_due(g_end, annual, dom[s])
    weeks = g_end + np.where(f[s] <= 1, 364, 365)
    due = np.where(MONTH_BASED[f[s]], month_based, weeks)
    out.resume[s], out.start[s], out.end[s] = due, g_start, g_end  # (several: the last, latest, wins)


def _charges_a_year(out: YearlyPause, day, stream, s, long, pause, freq_idx, once) -> None:
    """:func:`yearly_pause`'s ``per_year`` and ``before``: a stream whose every pause is at the
    latest one's time of year, beginning and ending within a quarter cycle + 3 days of whole
    years from it, with no charge in that time of year in any other year of its history (a bill
    paid through it once is no seasonal bill), and that paused two years or more (or once, for
    ``once``), has its cadence's charges a year less the cycles its latest pause missed."""
    at = np.flatnonzero(pause)
    if len(at) == 0:
        return
    k = len(freq_idx)
    P = PERIODS[np.maximum(freq_idx, 0)]
    latest = np.full(k, -1, dtype=np.int64)
    np.maximum.at(latest, s[at], at)
    # every pause at the latest one's time of year, and as long
    ps = s[at]
    tol = 0.25 * P[ps] + 3
    since_start = day[latest[ps]] - day[at]
    since_end = day[latest[ps] + 1] - day[at + 1]
    years = np.rint(since_start / 365.25)
    aligned = (np.abs(since_start - 365.25 * years) <= tol) & (np.abs(since_end - 365.25 * years) <= tol)
    bad = np.bincount(s[long & ~pause], minlength=k) + np.bincount(ps[~aligned], minlength=k)
    # ... and no charge in that time of year in another year (a year billed straight through)
    rows = np.flatnonzero(latest[stream] >= 0)
    r_stream = stream[rows]
    start, end = day[latest[r_stream]], day[latest[r_stream] + 1]
    into = np.mod(day[rows] - start, 365.25)
    margin = 0.5 * P[r_stream]
    bad += np.bincount(r_stream[(into > margin) & (into < end - start - margin)], minlength=k)
    seen = np.bincount(ps, minlength=k)
    ok = (latest >= 0) & (bad == 0) & ((seen >= 2) | once)
    if not ok.any():
        return
    nominal = np.where(freq_idx == FREQUENCIES.index("monthly"), 12.0,
                       np.where(freq_idx == FREQUENCIES.index("semimonthly"), 24.0, 365.25 / P))
    missed = np.rint((day[latest[ok] + 1] - day[latest[ok]]) / P[ok]) - 1
    out.per_year[ok] = np.round(nominal[ok] - missed, 2)
    out.before[ok] = latest[ok]
