"""Cadences and bills as real calendars make them (round-thirty-one audit): a weekly shop and
fuel cut by amount, a salary on the month's last Friday, a plan taken up again after a lapse."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from detector.recurrence import detect_streams
from tests.test_recurrence import enriched, monthly_dates, series


def _weekly(start: dt.date, end: dt.date, weekday: int) -> list[dt.date]:
    d = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    out = []
    while d <= end:
        out.append(d)
        d += dt.timedelta(days=7)
    return out


def test_a_sunday_shop_cut_by_amount_is_still_shopping():
    # A Sunday supermarket shop of 60-180 for three years: the amount clusters cut off its upper
    # half (about 120-180), which varies by less than an eighth and was a weekly plan of 600.92 a
    # month; its merchant's sums vary by a third. Here no shop happened to come to 117-122, so
    # the clusters part there. A cleaner paid one sum each Sunday stays.
    rng = np.random.default_rng(31)
    sundays = _weekly(dt.date(2022, 7, 1), dt.date(2025, 6, 30), 6)
    amounts = np.where(rng.random(len(sundays)) < 0.5, rng.uniform(60, 117, len(sundays)),
                       rng.uniform(122, 180, len(sundays)))
    shop = series("SUPERMARKET 0091", sundays, list(np.round(amounts, 2)))
    cleaner = series("SPARKLE CLEANING", sundays, 95.0, account="A2")
    s = detect_streams(enriched(shop + cleaner), "2025-06-30")
    assert s["merchant"].tolist() == ["SPARKLE CLEANING"], s[["merchant", "evidence"]]


def test_weekly_fill_ups_at_a_normal_spread_are_no_plan():
    # a tank filled each Monday for 52-74 spreads by a tenth, under the eighth the fuel rule asked
    # for (BP every Monday, Shell most Tuesdays: weekly plans of 190-250 a month)
    rng = np.random.default_rng(131)
    mondays = _weekly(dt.date(2023, 8, 1), dt.date(2025, 8, 8), 0)
    bp = series("BP CONNECT WEYBRIDGE", mondays, list(np.round(rng.uniform(52, 74, len(mondays)), 2)))
    assert detect_streams(enriched(bp), "2025-08-10").empty
    tuesdays = [d for d in _weekly(dt.date(2023, 7, 1), dt.date(2025, 6, 30), 1) if rng.random() < 0.85]
    shell = series("SHELL OIL 57442101", tuesdays, list(np.round(rng.uniform(34, 58, len(tuesdays)), 2)))
    assert detect_streams(enriched(shell), "2025-06-30").empty
    # a station's car-wash club holds its price (and rises once): still a plan
    club = series("SHELL CAR WASH CLUB", mondays[:40] + mondays[40:90:1], [9.99] * 40 + [10.99] * 50)
    s = detect_streams(enriched(club), "2025-08-10")
    assert len(s) >= 1 and set(s["frequency"]) == {"weekly"}


def _last_friday(y: int, m: int) -> dt.date:
    d = dt.date(y, m, calendar.monthrange(y, m)[1])
    return d - dt.timedelta(days=(d.weekday() - 4) % 7)


def test_a_salary_on_the_last_friday_is_due_on_the_next_last_friday():
    # the last Friday is the 4th or the 5th Friday of its month by turns; the Friday of Easter
    # 2024 (29 March) paid on the Thursday before
    pays = [_last_friday(y, m) for y in (2024, 2025) for m in range(1, 13)]
    pays = [d - dt.timedelta(days=1) if d == dt.date(2024, 3, 29) else d for d in pays]
    tx = enriched([("A1", d, "BELLWAY HOMES PAYROLL", 1987.40) for d in pays]).assign(currency="GBP")
    for as_of, want in (("2025-07-10", "2025-07-25"), ("2025-08-10", "2025-08-29"), ("2025-10-10", "2025-10-31")):
        s = detect_streams(tx[tx["date"] <= as_of], as_of).iloc[0]
        assert (s["frequency"], s["next_date"]) == ("monthly", want), as_of
    # a salary on the last working day is not a last-Friday one
    last_working = []
    for y, m in [(2024, k) for k in range(1, 13)] + [(2025, k) for k in range(1, 7)]:
        d = dt.date(y, m, calendar.monthrange(y, m)[1])
        while d.weekday() >= 5:
            d -= dt.timedelta(days=1)
        last_working.append(d)
    tx = enriched([("A1", d, "ACME PAYROLL", 2100.0) for d in last_working])
    assert detect_streams(tx, "2025-07-10").iloc[0]["next_date"] == "2025-07-31"


def test_a_plan_taken_up_again_after_a_lapse_bills_on_its_new_day():
    # Spotify on the 9th until February, then again from 22 May: due on the 22nd, and the
    # evidence tells of the months without it
    dates = monthly_dates(dt.date(2022, 7, 9), 32, day=9) + [dt.date(2025, 5, 22), dt.date(2025, 6, 22)]
    s = detect_streams(enriched(series("SPOTIFY USA", dates, 11.99)), "2025-06-30").iloc[0]
    assert (s["status"], s["next_date"]) == ("active", "2025-07-22")
    assert "none between 2025-02-09 and 2025-05-22" in s["evidence"]
    # without the lapse, two charges on a new day are posting jitter or a one-off (the rule of
    # three agreeing charges stands)
    steady = monthly_dates(dt.date(2022, 7, 9), 35, day=9)[:-2] + [dt.date(2025, 4, 22), dt.date(2025, 5, 22)]
    s = detect_streams(enriched(series("SPOTIFY USA", steady, 11.99)), "2025-05-30").iloc[0]
    assert s["next_date"].endswith("-09") and "none between" not in s["evidence"]
