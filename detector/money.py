"""Money in the account's own currency: how large an amount is, and how it is written.

The flag rules state their few absolute amounts in US dollars ("a same-day repeat of 20.00 or less
is one more coffee", "a 1.00 trial", "high from 100.00"). A statement in yen or forints counts in
other units: a 480 JPY coffee is not over a 20.00 limit, and a 100 JPY first month is the 1.00
trial. Each such amount is ``threshold * scale(currency)`` of the charge's currency.

:data:`PER_DOLLAR` is knowledge, not tuning: about how many units of each currency a US dollar
bought (ECB and Federal Reserve reference rates, mid-2024: JPY ~157, KRW ~1380, HUF ~368, CZK ~23,
INR ~83, SEK ~10.5), rounded *down* to 1, 2 or 5 times a power of ten, and never below 1. The
thresholds need only the order of magnitude; rounding down follows prices, which in the cheaper
currencies sit below what the exchange rate implies (Netflix ¥1,490 and a coffee ¥480 are about
$10 and $3), and keeps the step stable while a rate moves (JPY 104-161 since 2020: 100). The
currencies worth about a dollar or more (EUR, GBP, CHF) and those within a factor two of it
(CAD, AUD, NZD, SGD) are 1: their shops price in about as many units (Netflix €13.99, £10.99,
A$18.99, $15.49), so nothing changes for them. A currency not listed (or none) is 1.

:data:`ZERO_DECIMAL` lists the currencies without minor units (ISO 4217 exponent 0): their amounts
are written without decimals (``¥1,500``, not ``¥1,500.00``), in reasons, reports and emails alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Units of each currency per US dollar, mid-2024, rounded down to a 1-2-5 step (module docstring).
PER_DOLLAR: dict[str, float] = {
    "USD": 1, "EUR": 1, "GBP": 1, "CHF": 1, "CAD": 1, "AUD": 1, "NZD": 1, "SGD": 1, "BGN": 1,
    "ILS": 2, "PLN": 2, "RON": 2, "MYR": 2, "AED": 2, "SAR": 2,
    "CNY": 5, "HKD": 5, "DKK": 5, "BRL": 5,
    "SEK": 10, "NOK": 10, "MXN": 10, "ZAR": 10,
    "CZK": 20, "TRY": 20, "THB": 20, "TWD": 20, "UAH": 20, "EGP": 20,
    "INR": 50, "PHP": 50,
    "JPY": 100, "ISK": 100, "KES": 100,
    "HUF": 200, "PKR": 200,
    "CLP": 500,
    "KRW": 1000, "NGN": 1000,
    "COP": 2000,
    "IDR": 10000,
    "VND": 20000,
}

#: Currencies without minor units in use (ISO 4217 exponent 0): ``¥1500``, not ``¥1500.00``.
ZERO_DECIMAL = frozenset({"JPY", "KRW", "ISK", "CLP", "VND", "PYG", "UGX", "XAF", "XOF", "RWF", "KMF", "GNF", "DJF",
                          "VUV", "XPF", "BIF"})

_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "JPY": "¥", "INR": "₹"}


def _code(currency) -> str:
    return currency.strip().upper() if isinstance(currency, str) else ""


def scale(currency: str | None) -> float:
    """How many units of ``currency`` a rule's dollar amount is (:data:`PER_DOLLAR`; 1 when unknown)."""
    return float(PER_DOLLAR.get(_code(currency), 1))


def decimals(currency: str | None) -> int:
    """Decimals an amount of ``currency`` is written with: 0 for :data:`ZERO_DECIMAL`, else 2."""
    return 0 if _code(currency) in ZERO_DECIMAL else 2


def _each(currencies, of) -> np.ndarray:
    """``of(code)`` for each of ``currencies`` (a column; a missing one counts as unknown),
    worked out once per distinct code: a statement has a million rows and a currency or two.

    A text column is coded as it is (Arrow hashes it): made objects first, each row became a
    Python string, 0.1 CPU-s a call at 1.2M rows, paid by every detection and flagging batch."""
    if not (isinstance(currencies, pd.Series) and pd.api.types.is_string_dtype(currencies.dtype)
            and currencies.dtype != object):
        currencies = pd.Series(currencies, dtype=object)
    codes, distinct = pd.factorize(currencies, use_na_sentinel=True)
    return np.r_[[of(c) for c in distinct], of(None)][codes]


def scales(currencies) -> np.ndarray:
    """:func:`scale` of each of ``currencies``, as floats."""
    return _each(currencies, scale).astype(float)


def places(currencies) -> np.ndarray:
    """:func:`decimals` of each of ``currencies``, as small integers."""
    return _each(currencies, decimals).astype(np.int8)


def to_cents(amounts, *, absolute: bool = False, missing: bool = False):
    """``amounts`` in whole cents: ``amount * 100`` rounded half to even (:func:`numpy.rint`, the
    rounding of Python's ``round`` and of pandas' ``Series.round``), of its size alone when
    ``absolute``. The one conversion every comparison of amounts by the cent goes through, so
    12.345 is the same cent wherever two charges are matched.

    ``amounts`` is an amount, a list, an array or a Series; the answer is an ``int64`` array
    (an ``np.int64`` for one amount). With ``missing``, an amount that is not a number (text,
    empty, NaN) is allowed and gives ``<NA>`` in a nullable ``Int64`` array (imported columns);
    without it every amount must be a number."""
    if missing:
        values = pd.Series(pd.to_numeric(pd.Series(amounts), errors="coerce"), dtype=float).to_numpy() * 100
    else:
        values = np.asarray(amounts, dtype=float) * 100
    whole = np.rint(np.abs(values) if absolute else values)
    return pd.array(whole, dtype="Int64") if missing else whole.astype(np.int64)


def figure(amount: float, currency: str | None = None, *, thousands: bool = True) -> str:
    """The number as reasons and reports write it: ``1,234.50``, ``1,500`` in yen."""
    return written(amount, decimals(currency), thousands=thousands)


def written(amount: float, places: int = 2, *, thousands: bool = True) -> str:
    """``amount`` with ``places`` decimals (:func:`decimals` of its currency), thousands
    separated unless not ``thousands``: the one way every amount shown is written."""
    return f"{float(amount):{',' if thousands else ''}.{int(places)}f}"


def format_money(amount: float, currency: str | None = "USD") -> str:
    """``$119.00``, ``£8.99``, ``¥1500``, else ``12.50 SEK``: an email's amount. No thousands
    separator, so the figure is searchable. A currency without minor units has no decimals
    (round-nineteen audit: "¥49.00")."""
    code = _code(currency) or "USD"
    value = figure(abs(float(amount)), code, thousands=False)
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{value}" if symbol else f"{value} {code}"
