"""Billing calendars: nominal plan dates per frequency, month-end clamping, business-day rolls."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

import holidays

PERIOD_DAYS = {"weekly": 7, "biweekly": 14, "semimonthly": 15, "monthly": 30, "quarterly": 91,
               "semiannual": 182, "annual": 365}
MONTH_STEP = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
#: Day pairs that semimonthly payers use (31 = the month's last day).
SEMIMONTHLY_DAYS = ((1, 15), (15, 31), (5, 20), (10, 25))


def last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def add_months(d: date, k: int, anchor_day: int) -> date:
    """``d`` moved ``k`` months, on ``anchor_day`` clamped to the month's end (31st -> 28th in February)."""
    y, m = divmod(d.month - 1 + k, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(anchor_day, last_day(y, m)))


def plan_dates(freq: str, anchor: date, until: date, *, days: tuple[int, int] | None = None) -> list[date]:
    """Nominal billing dates of a plan from ``anchor`` (its first bill) through ``until``."""
    out: list[date] = []
    if freq in ("weekly", "biweekly"):
        step = timedelta(days=7 if freq == "weekly" else 14)
        d = anchor
        while d <= until:
            out.append(d)
            d += step
        return out
    if freq == "semimonthly":
        d1, d2 = days or (1, 15)
        y, m = anchor.year, anchor.month
        while date(y, m, 1) <= until:
            for dd in (d1, d2):
                cand = date(y, m, min(dd, last_day(y, m)))
                if anchor <= cand <= until:
                    out.append(cand)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out
    step = MONTH_STEP[freq]
    k = 0
    while True:
        d = add_months(anchor, k * step, anchor.day)
        if d > until:
            return out
        out.append(d)
        k += 1


@cache
def _holidays(year: int) -> frozenset:
    return frozenset(holidays.US(years=year).keys())


def is_business_day(d: date) -> bool:
    return d.weekday() < 5 and d not in _holidays(d.year)


def roll(d: date, forward: bool = True) -> date:
    """The next (or previous) business day on or after ``d``: ACH and posting skip weekends and holidays."""
    step = timedelta(days=1 if forward else -1)
    while not is_business_day(d):
        d += step
    return d
