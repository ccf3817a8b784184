"""Working days: Monday to Friday, minus the public holidays of a country.

Vendors quote refund times in working days ("Working days are Monday to Friday, and don't
include public holidays"), so the expected refund date depends on the account's country. Public
holidays come from the ``holidays`` package: a country's national holidays, or for the UK those
of England and Wales (:data:`SETTLEMENT_SUBDIVISION`), whose bank holidays Bacs direct debits and
most UK firms keep (the national list lacks Easter Monday and the late-August bank holiday).

>>> add_working_days("2025-11-26", 1, "US")   # Thanksgiving (Thu 27) is skipped
datetime.date(2025, 11, 28)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
import pandas as pd

from .errors import ConfigError

DEFAULT_COUNTRY = "US"


def to_date(value) -> date:
    """An ISO string, ``date``, ``datetime`` or ``Timestamp`` as a ``date``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ConfigError(f"not an ISO date (yyyy-mm-dd): {value!r}") from exc


#: Countries whose banks settle on one subdivision's holidays: Bacs (UK direct debits) runs on
#: England and Wales bank holidays (twelfth session's audit: a direct debit due on Easter Monday
#: was predicted for that day).
SETTLEMENT_SUBDIVISION = {"GB": "ENG", "UK": "ENG"}


#: The "country" of a euro account that belongs to no one country: the days the euro payment
#: system (TARGET2) is closed, which every euro country's banks keep (New Year's Day, Good Friday,
#: Easter Monday, 1 May, Christmas Day and 26 December), as the ``holidays`` package gives them
#: under "ECB". Sixteenth session's audit: a German user's euro Revolut account was counted with
#: England's bank holidays; a EUR account from a generic CSV, an OFX or Plaid with the US's.
EURO_AREA = "EU"

#: The country an account's currency implies, for a statement whose layout names none (a generic
#: CSV, an OFX ``CURDEF``, Plaid) or whose bank serves several countries with one export (Revolut,
#: N26): the country that issues it, whose public holidays its banks keep. A currency several
#: countries use is its issuer's (CHF: Switzerland, AUD: Australia, NZD: New Zealand, USD: the
#: US). The euro implies no one country: :data:`EURO_AREA` (thirteenth session's audit: GBP
#: accounts were counted with US holidays; round-thirty-seven audit: a TWD account, PRO360's
#: Taiwan, with US ones, Martin Luther King Day skipped and Lunar New Year worked). Every code
#: here is one the ``holidays`` package has a calendar for (a test checks).
CURRENCY_COUNTRY = {
    # the Americas
    "USD": "US", "CAD": "CA", "MXN": "MX", "BRL": "BR", "ARS": "AR", "CLP": "CL", "COP": "CO",
    # Europe outside the euro
    "GBP": "GB", "CHF": "CH", "SEK": "SE", "NOK": "NO", "DKK": "DK", "ISK": "IS", "PLN": "PL", "CZK": "CZ",
    "HUF": "HU", "RON": "RO", "BGN": "BG", "TRY": "TR",
    # Asia and the Pacific
    "JPY": "JP", "KRW": "KR", "TWD": "TW", "HKD": "HK", "CNY": "CN", "SGD": "SG", "INR": "IN",
    "THB": "TH", "MYR": "MY", "PHP": "PH", "IDR": "ID", "VND": "VN", "PKR": "PK", "AUD": "AU", "NZD": "NZ",
    # the Middle East and Africa
    "ILS": "IL", "AED": "AE", "SAR": "SA", "ZAR": "ZA", "EGP": "EG", "NGN": "NG", "KES": "KE",
    "EUR": EURO_AREA,
}


def country_for_currency(currency: str | None) -> str | None:
    """The country whose holidays an account in ``currency`` keeps ('GBP' -> 'GB'), or None."""
    return CURRENCY_COUNTRY.get((currency or "").strip().upper())


#: Countries whose banks close on more days than the national public holidays, with the
#: ``holidays`` categories that add them. Canada: Payments Canada's non-processing days are the
#: federal holidays (``government``: Victoria Day, Truth and Reconciliation Day, Thanksgiving,
#: Remembrance Day, Boxing Day) beside the five national ones, and the Civic Holiday (first Monday
#: of August), when banks close outside Quebec and PEI (round-forty-one audit: a refund filed the
#: Monday before Victoria Day was expected a day early). Family Day, regional, is not among them.
BANK_CATEGORIES = {"CA": ("public", "government")}


#: Euro countries whose accounts are named by their file (``importers.base.file_country``): their
#: banks keep the country's public holidays and the euro system's closing days both (Ireland: St
#: Patrick's Day and the June and October bank holidays besides Good Friday, when TARGET is shut).
#: Round-forty-one audit: an AIB account counted St Patrick's Day as a working day.
EURO_SYSTEM_TOO = frozenset({"IE"})


def public_holidays(country: str, years) -> holidays.HolidayBase:
    """``country``'s public holidays in ``years`` as banks and firms there keep them
    (:data:`EURO_AREA`: the euro payment system's closing days; :data:`BANK_CATEGORIES`)."""
    code = _country(country)
    if code == EURO_AREA:
        return holidays.financial_holidays("ECB", years=years)
    if code in EURO_SYSTEM_TOO:
        out = holidays.country_holidays(code, years=years)
        out.update(holidays.financial_holidays("ECB", years=years))
        return out
    if code in BANK_CATEGORIES:
        out = holidays.country_holidays(code, years=years, categories=BANK_CATEGORIES[code])
        if code == "CA":
            for year in ([years] if isinstance(years, int) else list(years)):
                first = date(year, 8, 1)
                out[first + timedelta(days=(7 - first.weekday()) % 7)] = "Civic Holiday"
        return out
    return holidays.country_holidays(code, subdiv=SETTLEMENT_SUBDIVISION.get(code), years=years)


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(public_holidays(country, year).keys())
    except NotImplementedError as exc:
        raise ConfigError(
            f"unknown country {country!r} for public holidays (use an ISO 3166 code such as US, GB, DE, "
            f"or {EURO_AREA} for the euro payment system's closing days)"
        ) from exc


def holiday_name(day, country: str = DEFAULT_COUNTRY) -> str | None:
    """The public holiday's name on ``day``, or None."""
    d = to_date(day)
    return public_holidays(country, d.year).get(d)


def _country(country: str | None) -> str:
    return (country or DEFAULT_COUNTRY).strip().upper()


def is_working_day(day, country: str | None = DEFAULT_COUNTRY) -> bool:
    """Monday to Friday and not a public holiday of ``country``."""
    d = to_date(day)
    return d.weekday() < 5 and d not in _holidays(_country(country), d.year)


def add_working_days(start, days: int, country: str | None = DEFAULT_COUNTRY) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts).

    Filing on a Friday with a 1-working-day timeline gives the Monday; filing on a Saturday
    gives the Monday too, because the count starts with the first working day after filing.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    d = to_date(start)
    country = _country(country)
    remaining = days
    while remaining:
        d += timedelta(days=1)
        if is_working_day(d, country):
            remaining -= 1
    return d
