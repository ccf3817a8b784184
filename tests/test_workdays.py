"""Working days skip weekends and the account country's public holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.errors import ConfigError
from detector.workdays import add_working_days, holiday_name, is_working_day
from tests._stress import examples


@pytest.mark.parametrize("start, days, country, expected", [
    ("2025-06-02", 7, "US", "2025-06-11"),    # Monday + 7: crosses one weekend
    ("2025-06-06", 3, "US", "2025-06-11"),    # Friday: the weekend does not count
    ("2025-06-07", 1, "US", "2025-06-09"),    # Saturday: first working day after is Monday
    ("2025-11-26", 7, "US", "2025-12-08"),    # Thanksgiving (Thu 27 Nov) skipped
    ("2025-07-02", 5, "US", "2025-07-10"),    # Independence Day (Fri 4 Jul) skipped
    ("2025-12-24", 5, "US", "2026-01-02"),    # Christmas and New Year's Day skipped
    ("2025-12-24", 5, "GB", "2026-01-05"),    # ...and Boxing Day too in the UK
    # Good Friday and Easter Monday skipped: UK banks (Bacs) keep England and Wales bank holidays,
    # Easter Monday among them though Scotland works it (it was taken as a working day before)
    ("2025-04-17", 1, "GB", "2025-04-22"),
    ("2025-08-22", 1, "GB", "2025-08-26"),    # the late-August bank holiday (Mon 25) skipped
    ("2025-04-17", 1, "US", "2025-04-18"),    # Good Friday is a working day in the US
    ("2025-06-02", 0, "US", "2025-06-02"),
    # EU, a euro account of no one country: the euro payment system's (TARGET2) closing days only
    ("2025-08-20", 10, "EU", "2025-09-03"),   # neither England's 25 Aug nor the US Labor Day (1 Sep)
    ("2025-04-17", 1, "EU", "2025-04-22"),    # Good Friday and Easter Monday: TARGET2 is closed
    ("2025-10-02", 1, "EU", "2025-10-03"),    # German Unity Day is Germany's alone
    # TW (a TWD account, round-thirty-seven audit): no Martin Luther King Day (19 Jan), but the
    # Lunar New Year holidays (Mon 16 - Fri 20 Feb 2026) and Peace Memorial Day (observed Fri 27 Feb)
    ("2026-01-05", 10, "TW", "2026-01-19"),
    ("2026-01-05", 10, "US", "2026-01-20"),
    ("2026-02-13", 1, "TW", "2026-02-23"),
    ("2026-02-26", 1, "TW", "2026-03-02"),
])
def test_add_working_days(start, days, country, expected):
    assert add_working_days(start, days, country) == date.fromisoformat(expected)


def test_holidays_are_not_working_days():
    assert holiday_name("2025-11-27", "US") == "Thanksgiving Day"
    assert not is_working_day("2025-11-27", "US")
    assert is_working_day("2025-11-27", "GB")
    assert not is_working_day("2025-12-26", "gb")
    assert not is_working_day("2025-06-07", "US")


def test_every_currencys_country_has_a_holiday_calendar():
    # an account's country comes from its currency when its statement names none: each must be
    # a country the holidays package knows, or a refund's expected date would raise ConfigError
    from detector.workdays import CURRENCY_COUNTRY, country_for_currency

    for currency, country in CURRENCY_COUNTRY.items():
        assert is_working_day("2026-03-04", country) in (True, False), currency
    assert [country_for_currency(c) for c in ("twd", "KRW", "CNY", "MXN", "BRL", "ZAR", "EUR", "XXX")] == \
        ["TW", "KR", "CN", "MX", "BR", "ZA", "EU", None]


def test_default_country_is_us():
    assert add_working_days("2025-07-03", 1, None) == date(2025, 7, 7)


def test_unknown_country_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown country 'ZZ'"):
        add_working_days("2025-06-02", 3, "ZZ")


def test_bad_date_is_a_clear_error():
    with pytest.raises(ConfigError, match="not an ISO date"):
        add_working_days("02/06/2025", 3, "US")


@settings(max_examples=examples(200), deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 15),
       st.sampled_from(["US", "GB", "DE"]))
def test_exactly_n_working_days_lie_after_the_start(start, n, country):
    end = add_working_days(start, n, country)
    days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_working_day(d, country) for d in days) == n
    assert n == 0 or is_working_day(end, country)


def test_canadian_working_days_skip_the_days_payments_canada_is_closed():
    # round-forty-one audit: filed Mon 11 May 2026, ten working days was 25 May, Victoria Day
    # (18 May) counted; Canadian banks are closed then, and on Thanksgiving, Remembrance Day,
    # Boxing Day, Truth and Reconciliation Day and the Civic Holiday
    assert add_working_days("2026-05-11", 10, "CA") == date(2026, 5, 26)
    for day in ("2026-05-18", "2026-08-03", "2026-09-30", "2026-10-12", "2026-11-11", "2026-12-28"):
        assert not is_working_day(day, "CA"), day
    assert is_working_day("2026-02-16", "CA")  # Family Day: regional, payments are processed
