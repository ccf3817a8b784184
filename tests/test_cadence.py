"""Cadence features computed without a scorer: look-alike ratio and month-count dispersion."""

from __future__ import annotations

import numpy as np
import pytest

from detector.cadence import (
    CADENCE_COLUMNS,
    FREQUENCIES,
    _circular_median,
    _segment_mean,
    _segment_median,
    candidate_stats,
    day_of_month,
    dense_rank,
    fixed_months_a_year,
    frequency_index,
    int_lexsort,
    month_index,
    next_due,
    scheduled_a_year,
    two_fixed_months,
)

EPOCH_2023 = 19358  # 2023-01-01 in days since 1970-01-01


def _stats(cand, day, amt, cluster=None):
    cand, day, amt = np.asarray(cand), np.asarray(day, dtype=np.int64), np.asarray(amt, dtype=float)
    n = len(cand)
    sizes = None if cluster is None else np.bincount(cluster)[cluster]
    return candidate_stats(cand, day, amt, group=np.zeros(n, dtype=np.int64), vendor_known=np.zeros(n, bool),
                           inflow=np.zeros(n, bool), cluster=cluster, cluster_size=sizes)


def test_lookalike_ratio_counts_same_cluster_charges_beside_the_candidate():
    """Twelve monthly charges picked out of a 36-charge cluster at one price: every charge it
    holds has two look-alikes beside it. The whole cluster has none."""
    day = EPOCH_2023 + np.sort(np.r_[np.arange(12) * 30, np.arange(24) * 15 + 7])
    cluster = np.zeros(36, dtype=np.int64)
    whole = _stats(np.zeros(36, dtype=np.int64), day, np.full(36, 9.99), cluster)
    pick = np.where(np.isin(day - EPOCH_2023, np.arange(12) * 30), 1, -1)
    chain = _stats(pick, day, np.full(36, 9.99), cluster)
    assert whole.loc[0, "lookalike_ratio"] == 1.0
    assert chain.loc[1, "lookalike_ratio"] == 3.0
    assert _stats(np.zeros(36, dtype=np.int64), day, np.full(36, 9.99)).loc[0, "lookalike_ratio"] == 1.0


def test_month_dispersion_separates_schedules_from_random_days():
    rng = np.random.default_rng(2)
    monthly = EPOCH_2023 + np.arange(24) * 30 + rng.integers(-4, 5, 24)  # loose days, one a month
    weekly = EPOCH_2023 + np.arange(100) * 7
    two_plans = np.sort(np.r_[EPOCH_2023 + 3 + np.arange(24) * 30.44, EPOCH_2023 + 17 + np.arange(24) * 30.44])
    random = np.sort(EPOCH_2023 + rng.integers(0, 730, 48))
    disp = {}
    for name, day in [("monthly", monthly), ("weekly", weekly), ("two_plans", two_plans), ("random", random)]:
        day = np.asarray(day).astype(np.int64)
        disp[name] = _stats(np.zeros(len(day), dtype=np.int64), day, np.full(len(day), 5.0)).loc[0, "month_dispersion"]
    assert disp["monthly"] < 0.3 and disp["weekly"] < 0.1 and disp["two_plans"] < 0.3
    assert 0.5 < disp["random"] < 2.0


def test_gap_segments_cut_a_cluster_at_gaps_far_longer_than_its_rhythm():
    """Segments are candidates of their own: a plan taken up after a long pause (or one-off
    purchases months before it) is regular only over its own stretch of time."""
    from detector.chains import _gap_segments

    day = np.array([0, 34, 158, 332, 363, 386, 417, 449, 478, 508], dtype=np.int64) + EPOCH_2023
    cid = np.zeros(len(day), dtype=np.int64)
    seg = _gap_segments(cid, day)
    assert seg.tolist() == [0, 0, 2, 3, 3, 3, 3, 3, 3, 3]
    # another cluster (shuffled rows) is cut on its own
    day2 = EPOCH_2023 + np.array([10, 40, 70, 100, 130], dtype=np.int64)
    both = _gap_segments(np.r_[cid, np.ones(5, dtype=np.int64)][::-1], np.r_[day, day2][::-1])
    assert len(set(both[:5])) == 1 and len(set(both[5:])) == 3


def test_a_short_series_with_a_skipped_charge_keeps_its_cadence():
    """Half-yearly premiums on 2023-06-29, 2023-12-29 and 2024-12-30 (the June charge between
    them missing): the median interval (275 days) fits no frequency, the shortest one does and
    the other is two periods of it. Intervals that are no multiple of it get no cadence."""
    premium = _stats([0, 0, 0], [19537, 19720, 20087], [787.32, 810.83, 802.50])
    assert FREQUENCIES[int(premium.loc[0, "freq_idx"])] == "semiannual"
    assert premium.loc[0, "frac_skip"] == 0.5 and premium.loc[0, "frac_on"] == 1.0
    assert abs(premium.loc[0, "median_interval"] - 183.25) < 1e-9
    # 183 then 290 days: 290 is neither one nor two half-years
    assert _stats([0, 0, 0], [19537, 19720, 20010], [800.0] * 3).loc[0, "freq_idx"] == -1
    # a regular series keeps its plain median: monthly, 30 and 31 days
    monthly = _stats([0, 0, 0], [19358, 19388, 19419], [9.99] * 3)
    assert monthly.loc[0, "median_interval"] == 30.5 and FREQUENCIES[int(monthly.loc[0, "freq_idx"])] == "monthly"


def test_a_month_end_plan_that_posts_on_the_1st_keeps_its_day_at_month_end():
    """Billed on the last day of the month, posted on the 1st or 2nd when it falls on a weekend:
    on the month's circle those days are next to the 31st, so the plan's day is the month's end,
    its days barely vary, and the next charge is due at the end of the next month."""
    dates = np.array(["2024-01-31", "2024-03-01", "2024-03-31", "2024-04-30", "2024-06-01", "2024-07-01"],
                     dtype="datetime64[D]").astype(np.int64)
    st = _stats(np.zeros(6, dtype=np.int64), dates, np.full(6, 15.49))
    assert st.loc[0, "dom_median"] == 31.0
    assert st.loc[0, "dom_dev"] <= 1.0
    due = next_due(st["last_day"].to_numpy(), st["freq_idx"].to_numpy(), st["dom_median"].to_numpy())
    # last posted 2024-07-01 for June's end: next due at the end of July, not of August
    assert str(due.astype("datetime64[D]")[0]) == "2024-07-31"
    # two yearly charges on the 1st and, a year later, the 28th of the month before
    yearly = _stats(np.zeros(2, dtype=np.int64), np.array(["2023-05-01", "2024-04-28"], dtype="datetime64[D]")
                    .astype(np.int64), np.array([80.23, 81.50]))
    assert yearly.loc[0, "dom_dev"] <= 2.0
    # days that do not straddle the month's turn keep their plain median
    mid = _stats(np.zeros(3, dtype=np.int64), np.array(["2024-01-10", "2024-02-12", "2024-03-11"],
                                                       dtype="datetime64[D]").astype(np.int64), np.full(3, 9.99))
    assert mid.loc[0, "dom_median"] == 11.0


def _lexsort_median(x, cidx, n_seg):
    """The reference: one pandas median per segment (NaNs left out)."""
    import pandas as pd

    return pd.Series(x).groupby(cidx).median().reindex(range(n_seg)).to_numpy()


@pytest.mark.parametrize("kind", ["days", "cents", "fractions", "huge", "with_nan"])
def test_segment_median_equals_a_plain_median_per_segment(kind):
    rng = np.random.default_rng(len(kind))
    n = 5000
    cidx = np.sort(rng.integers(0, 700, n))
    x = {"days": rng.integers(0, 400, n).astype(float),
         "cents": np.round(rng.uniform(0.5, 300, n), 2),
         "fractions": np.abs(rng.integers(0, 400, n) - 30.44),
         "huge": rng.uniform(0, 1e12, n),  # no lookup table: binary search
         "with_nan": np.where(rng.random(n) < 0.3, np.nan, rng.integers(0, 40, n).astype(float))}[kind]
    x[cidx == 3] = np.nan  # a segment with no value at all
    seg = np.unique(cidx)
    cidx = np.searchsorted(seg, cidx)
    starts = np.flatnonzero(np.r_[True, cidx[1:] != cidx[:-1]])
    got = _segment_median(x, cidx, starts)
    np.testing.assert_array_equal(got, _lexsort_median(x, cidx, len(starts)))


def test_circular_median_equals_the_median_of_the_turned_days():
    """The circular median ranks turned days by integer keys; it must read the very values a
    plain median of the turned days gives, with shifts that put days on the turn itself."""
    rng = np.random.default_rng(11)
    n = 20000
    cidx = np.sort(rng.integers(0, 3000, n))
    seg = np.unique(cidx)
    cidx = np.searchsorted(seg, cidx)
    starts = np.flatnonzero(np.r_[True, cidx[1:] != cidx[:-1]])
    counts = np.bincount(cidx)
    # month-end days (31) and days 1-2 mixed in, as month-end plans post
    dom = np.where(rng.random(n) < 0.3, rng.choice([1.0, 2.0, 31.0], n), rng.integers(1, 32, n).astype(float))
    angle = 2 * np.pi * dom / 31
    centre = np.mod(np.arctan2(_segment_mean(np.sin(angle), cidx, counts), _segment_mean(np.cos(angle), cidx, counts))
                    * 31 / (2 * np.pi), 31)
    shift = 15.5 - centre
    plain = np.mod(_segment_median(np.mod(dom + shift[cidx], 31), cidx, starts) - shift, 31)
    np.testing.assert_array_equal(_circular_median(dom, cidx, starts, counts), np.where(plain < 1, 31.0, plain))


def test_int_lexsort_is_the_stable_lexsort_of_candidate_day_amount():
    rng = np.random.default_rng(5)
    n = 20000
    cand, day = rng.integers(0, 300, n), rng.integers(19000, 19700, n)
    amt = rng.choice([9.99, 10.0, 10.01, 14.99, 0.5], n)  # many exact ties: stability matters
    _, rank = dense_rank(amt)
    np.testing.assert_array_equal(int_lexsort(cand, day, rank), np.lexsort((amt, day, cand)))
    big = cand * 2**52  # the combined key would overflow: lexsort itself
    np.testing.assert_array_equal(int_lexsort(big, day, rank), np.lexsort((amt, day, big)))


@pytest.mark.parametrize("n", [1, 2, 3, 1000])
def test_int_lexsort_small_inputs_and_negative_keys(n):
    """The row position packed below the combined key must keep ties in input order."""
    rng = np.random.default_rng(n)
    a, b = rng.integers(-3, 3, n), rng.integers(0, 2, n)
    np.testing.assert_array_equal(int_lexsort(a, b), np.lexsort((b, a)))
    np.testing.assert_array_equal(int_lexsort(b), np.argsort(b, kind="stable"))


@pytest.mark.parametrize("span", [800, 40_000])
def test_calendar_lookup_agrees_with_numpy_calendar(span):
    """Day of month, days in month and month index read from a table of the days spanned (a
    statement's few hundred days) or, over a long span, from numpy's calendar: the same either way,
    leap days and month ends included."""
    rng = np.random.default_rng(5)
    day = np.r_[rng.integers(EPOCH_2023 - 1200, EPOCH_2023 - 1200 + span, 5000), 19781, 19782, 19783]  # 2024-02-28, -29, 03-01
    d64 = day.astype("datetime64[D]")
    months = d64.astype("datetime64[M]")
    dom, dim = day_of_month(day)
    assert (dom == (d64 - months.astype("datetime64[D]")).astype(np.int64) + 1).all()
    assert (dim == ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64)).all()
    assert (month_index(day) == months.astype(np.int64)).all()
    assert dim[-3:].tolist() == [29, 29, 31] and dom[-3:].tolist() == [28, 29, 1]


def test_cadence_only_stats_equal_the_full_stats_columns():
    """``features=False`` skips the amount and day-of-month features the selection steps never
    read; what it does compute is the very same numbers."""
    rng = np.random.default_rng(3)
    cand = rng.integers(-1, 40, 2000)
    day = EPOCH_2023 + rng.integers(0, 730, 2000)
    amt = np.round(rng.choice([9.99, 15.49, 120.0], 2000) * rng.uniform(0.97, 1.03, 2000), 2)
    kw = {"group": cand.clip(0) // 4, "vendor_known": rng.random(2000) < 0.5, "inflow": np.zeros(2000, bool)}
    full = candidate_stats(cand, day, amt, **kw)
    light = candidate_stats(cand, day, amt, features=False, **kw)
    assert list(light.columns) == list(CADENCE_COLUMNS) and "amt_median" in light.columns
    assert light.equals(full[list(CADENCE_COLUMNS)])


def test_frequency_index_reads_two_months_between_monthly_and_quarterly():
    """Bimonthly fills the gap between monthly and quarterly, which read as no frequency: a
    median that fits quarterly (66-74 days) stays quarterly, as before."""
    got = [FREQUENCIES[i] if i >= 0 else None for i in frequency_index(np.array([30.0, 41.0, 45.0, 59.0, 61.0,
                                                                                 65.0, 70.0, 91.0]))]
    assert got == ["monthly", "monthly", "bimonthly", "bimonthly", "bimonthly", "bimonthly", "quarterly",
                   "quarterly"]


def test_a_monthly_series_with_skips_is_not_read_bimonthly():
    """Intervals of 31, 59 and 61 days have a median of two months, but the one-month interval
    says the bill is monthly with skipped months (read per period: about a month)."""
    day = np.array(["2024-01-09", "2024-02-09", "2024-04-08", "2024-06-08"], dtype="datetime64[D]").astype(np.int64)
    st = _stats(np.zeros(4, dtype=np.int64), day, np.full(4, 95.0))
    assert FREQUENCIES[int(st.loc[0, "freq_idx"])] == "monthly" and st.loc[0, "frac_on"] == 1.0
    every_two = np.array(["2024-01-14", "2024-03-14", "2024-05-14", "2024-07-14"], dtype="datetime64[D]")
    two = _stats(np.zeros(4, dtype=np.int64), every_two.astype(np.int64), np.full(4, 95.0))
    assert FREQUENCIES[int(two.loc[0, "freq_idx"])] == "bimonthly" and two.loc[0, "frac_on"] == 1.0


def test_two_instalments_a_year_in_fixed_months_read_semiannual_where_allowed():
    # candidates 0-3: December and April (121 and 244 days by turns), six charges; 1: the same,
    # its rows not allowed (no tax); 2: three charges (April seen once); 3: every six months
    # (plain semiannual, left to the cadence); 4: December and April with one in August: every four
    # months (three a year evenly, read so since the twenty-third session)
    def days(*dates):
        return [int(np.datetime64(d, "D").astype(np.int64)) for d in dates]

    dec_apr = days("2022-12-06", "2023-04-07", "2023-12-08", "2024-04-05", "2024-12-09", "2025-04-08")
    even = days("2023-01-31", "2023-07-31", "2024-01-31", "2024-07-31")
    odd = days("2022-12-06", "2023-04-07", "2023-08-08", "2023-12-08", "2024-04-05")
    cand = np.repeat([0, 1, 2, 3, 4], [6, 6, 3, 4, 5])
    day = np.array(dec_apr + dec_apr + dec_apr[:3] + even + odd, dtype=np.int64)
    allowed = cand != 1
    n = len(cand)
    st = candidate_stats(cand, day, np.full(n, 4812.37), group=cand, vendor_known=np.zeros(n, bool),
                         inflow=np.zeros(n, bool), fixed_months=allowed)
    assert st["two_months"].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    semi = FREQUENCIES.index("semiannual")
    assert st.loc[0, "freq_idx"] == semi and st.loc[0, "frac_on"] == 1.0 and st.loc[0, "median_interval"] == 182.6
    assert st.loc[3, "freq_idx"] == semi  # (as before: six months apart is semiannual anyway)
    assert st.loc[1, "freq_idx"] == -1 or st.loc[1, "frac_on"] == 0.0
    # without the rows' leave, nothing is read so
    plain = candidate_stats(cand, day, np.full(n, 4812.37), group=cand, vendor_known=np.zeros(n, bool),
                            inflow=np.zeros(n, bool))
    assert plain["two_months"].sum() == 0 and plain.drop(columns="two_months").loc[1:3].equals(
        st.drop(columns="two_months").loc[1:3])
    assert st.loc[4, "fixed_months"] == 3.0 and plain.loc[4, "fixed_months"] == 0.0


def _epoch(*dates) -> list[int]:
    return [int(np.datetime64(d, "D").astype(np.int64)) for d in dates]


def test_three_or_four_instalments_a_year_in_fixed_months_read_quarterly_where_allowed():
    # 0: US estimated tax (April, June, September, January), six charges; 1: the same, not allowed;
    # 2: the same, five charges (a year's and one more); 3: California's (April, June, January),
    # five; 4: plain quarterly (left to the cadence); 5: every four months, evenly (no frequency
    # reads it: three a year since the twenty-third session, a year's intervals enough); 6: four a
    # year, then one in August where June's was due
    est = _epoch("2023-04-18", "2023-06-15", "2023-09-15", "2024-01-16", "2024-04-15", "2024-06-17")
    ca = _epoch("2023-04-18", "2023-06-15", "2024-01-16", "2024-04-15", "2024-06-17")
    quarterly = _epoch("2023-01-15", "2023-04-15", "2023-07-15", "2023-10-15", "2024-01-15", "2024-04-15")
    four_months = _epoch("2023-01-10", "2023-05-10", "2023-09-10", "2024-01-10", "2024-05-10")
    stray = _epoch("2023-04-18", "2023-06-15", "2023-09-15", "2024-01-16", "2024-04-15", "2024-08-15")
    parts = [est, est, est[:5], ca, quarterly, four_months, stray]
    cand = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    day = np.array([d for p in parts for d in p], dtype=np.int64)
    n = len(cand)
    allowed = cand != 1
    st = candidate_stats(cand, day, np.full(n, 2500.0), group=cand, vendor_known=np.zeros(n, bool),
                         inflow=np.zeros(n, bool), fixed_months=allowed)
    assert st["fixed_months"].tolist() == [4.0, 0.0, 0.0, 3.0, 0.0, 3.0, 0.0]
    assert st["two_months"].sum() == 0
    quarter = FREQUENCIES.index("quarterly")
    for c in (0, 3):
        assert st.loc[c, "freq_idx"] == quarter and st.loc[c, "frac_on"] == 1.0
    assert st.loc[4, "freq_idx"] == quarter  # (as before)
    # the function itself, on the rows' intervals (NaN at each candidate's first)
    interval = np.r_[np.nan, np.diff(day).astype(float)]
    interval[np.r_[0, np.cumsum([len(p) for p in parts])[:-1]]] = np.nan
    sizes = np.array([len(p) for p in parts])
    assert fixed_months_a_year(interval, cand, sizes, allowed).tolist() == [4, 0, 0, 3, 0, 3, 0]
    assert two_fixed_months(interval, cand, sizes, allowed).tolist() == [False] * 7


def test_a_payees_scheduled_instalments_are_read_from_its_first_year():
    # 0: US estimated tax's first three (15 April, 14 June, 16 September); 1: its four, January's
    # paid on 20 December; 2: September's missed; 3: June's paid twice; 4: three a month apart;
    # 5: rows of another payee; 6: California's April, June and January; 7: two charges
    federal, california = (4, 6, 9, 1), (4, 6, 1)
    parts = [_epoch("2024-04-15", "2024-06-14", "2024-09-16"),
             _epoch("2024-04-15", "2024-06-14", "2024-09-16", "2024-12-20"),
             _epoch("2024-04-15", "2024-06-14", "2025-01-15"),
             _epoch("2024-04-15", "2024-06-03", "2024-06-14", "2024-09-16"),
             _epoch("2024-04-15", "2024-05-15", "2024-06-14"),
             _epoch("2024-04-15", "2024-06-14", "2024-09-16"),
             _epoch("2024-04-15", "2024-06-17", "2025-01-15"),
             _epoch("2024-04-15", "2024-06-14")]
    codes = [1, 1, 1, 1, 1, 0, 2, 1]
    cand = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    day = np.array([d for p in parts for d in p], dtype=np.int64)
    code = np.repeat(codes, [len(p) for p in parts])
    sizes = np.array([len(p) for p in parts])
    got = scheduled_a_year(day, cand, sizes, code, (federal, california))
    assert got.tolist() == [4, 4, 0, 0, 0, 0, 3, 0]
    # through candidate_stats: a quarterly stream of four a year from its first year, where allowed
    n = len(cand)
    st = candidate_stats(cand, day, np.full(n, 2500.0), group=cand, vendor_known=np.zeros(n, bool),
                         inflow=np.zeros(n, bool), fixed_months=code > 0, schedule=code,
                         schedules=(federal, california))
    assert st["fixed_months"].tolist() == [4.0, 4.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0]
    assert st.loc[0, "freq_idx"] == FREQUENCIES.index("quarterly") and st.loc[0, "frac_on"] == 1.0
