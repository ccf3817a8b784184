"""Small pure functions that turn a bank's text cells into numbers, dates and text.

Every statement layout goes through these, so the hard cases (currency symbols, thousands
separators, parentheses for negatives, comma decimals, byte order marks, latin-1 exports) are
handled once and property-tested.

>>> parse_amount("$1,234.50")
1234.5
>>> parse_amount("(12.00)")
-12.0
>>> parse_amount("1.234,56", decimal=",")
1234.56
>>> parse_date("07/15/2024", ("%m/%d/%Y",))
'2024-07-15'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .decoding import decode_statement, utf16_without_bom

# Symbols and codes banks put around amounts; removed before the number is read.
_CURRENCY_SIGNS = "$£€¥₹₩₽₺₪฿"
_CURRENCY_CODES = re.compile(r"^(?:[A-Z]{3})\s*|\s*(?:[A-Z]{3})$")
_MINUS_SIGNS = "-\u2212\u2012\u2013"  # ASCII hyphen, unicode minus, figure and en dashes
_SPACES = re.compile(r"[\s\u00a0\u202f']")  # incl. no-break spaces and Swiss apostrophes
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")


def parse_amount(text: str, *, decimal: str = ".") -> float:
    """Read a money amount as a bank wrote it; raise ``ValueError`` with the text if it is not one.

    Accepts a leading or trailing minus, parentheses for negatives, currency symbols or ISO codes,
    a leading ``+``, and thousands separators (``,`` when ``decimal="."``; ``.`` or spaces when
    ``decimal=","``). An empty cell is not an amount.
    """
    if text is None:
        raise ValueError("empty amount")
    return _parse_amount(str(text), decimal)


@lru_cache(maxsize=65536)
def _parse_amount(text: str, decimal: str) -> float:
    raw = text
    s = raw.strip()
    if not s:
        raise ValueError("empty amount")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    s = _CURRENCY_CODES.sub("", s.upper()) if re.search(r"[A-Za-z]", s) else s
    s = s.strip().strip(_CURRENCY_SIGNS).strip()
    if s and s[0] in _MINUS_SIGNS:
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    elif s and s[-1] in _MINUS_SIGNS:  # "12.00-" (German, some card exports)
        negative, s = not negative, s[:-1]
    s = s.strip().strip(_CURRENCY_SIGNS)
    s = _SPACES.sub("", s)
    if decimal == ",":
        # a point is a thousands separator here, in groups of three: "-16.41" is no amount (a
        # decimal-point file read with comma decimals was 1641.00 without a word)
        if "." in s and not re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d*)?", s):
            raise ValueError(f"not an amount with a decimal comma: {raw.strip()!r}")
        s = s.replace(".", "").replace(",", ".")
    else:
        if re.search(r",\d{3}(?:\D|$)", s) or "," not in s:
            s = s.replace(",", "")
        else:
            raise ValueError(f"not an amount: {raw.strip()!r}")
    if not _NUMBER.match(s):
        raise ValueError(f"not an amount: {raw.strip()!r}")
    try:
        value = Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValueError(f"not an amount: {raw.strip()!r}") from exc
    # + 0.0 turns -0.0 into 0.0 so a zero charge hashes the same whichever way it was written.
    return float(-value if negative else value) + 0.0


#: An amount followed by a debit/credit mark, as UK, Australian and Indian statements (and Excel
#: re-saves of them) write it in one cell: ``15.49 DR``, ``11.99DR``, ``600.00 CR``, ``15.49 Dr.``.
_DR_CR = re.compile(r"^(?P<number>.*?[\d)])\s*(?P<mark>[DC][Rr])\.?$")


def split_dr_cr(text: str | None) -> tuple[str, int] | None:
    """The number of an amount cell written with a ``DR``/``CR`` mark after it and the way the
    mark says the money went (-1 for DR, money out; 1 for CR, money in); ``None`` without a mark.

    >>> split_dr_cr("15.49 DR"), split_dr_cr("600.00CR"), split_dr_cr("15.49")
    (('15.49', -1), ('600.00', 1), None)
    """
    m = _DR_CR.match((text or "").strip())
    if m is None:
        return None
    return m.group("number"), -1 if m.group("mark").upper() == "DR" else 1


#: Currency signs a statement may write in its currency column, as ISO 4217 codes. A sign several
#: currencies share ($, ¥) is read as the commonest; "kr" and the like stay as written.
_CURRENCY_BY_SIGN = {"$": "USD", "US$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR", "₩": "KRW",
                     "₽": "RUB", "₺": "TRY", "₪": "ILS", "฿": "THB", "C$": "CAD", "A$": "AUD", "CHF": "CHF"}


#: Currency signs and their ISO codes (the Spark engine reads them as :func:`parse_currency`).
CURRENCY_SIGNS = _CURRENCY_BY_SIGN

#: Currencies as American Express names them in a charge's "Foreign Spend Amount" (``7.18 UNITED
#: STATES DOLLAR``, ``12.00 EURO``), upper case, to their ISO 4217 codes.
CURRENCY_NAMES = {
    "UNITED STATES DOLLAR": "USD", "UNITED STATES DOLLARS": "USD", "US DOLLAR": "USD", "US DOLLARS": "USD",
    "U.S. DOLLAR": "USD", "EURO": "EUR", "EUROS": "EUR", "EUROPEAN UNION EURO": "EUR", "BRITISH POUND": "GBP",
    "POUND STERLING": "GBP", "BRITISH POUND STERLING": "GBP", "CANADIAN DOLLAR": "CAD", "AUSTRALIAN DOLLAR": "AUD",
    "NEW ZEALAND DOLLAR": "NZD", "SWISS FRANC": "CHF", "JAPANESE YEN": "JPY", "SWEDISH KRONA": "SEK",
    "NORWEGIAN KRONE": "NOK", "DANISH KRONE": "DKK", "POLISH ZLOTY": "PLN", "CZECH KORUNA": "CZK",
    "HUNGARIAN FORINT": "HUF", "HONG KONG DOLLAR": "HKD", "SINGAPORE DOLLAR": "SGD", "INDIAN RUPEE": "INR",
    "MEXICAN PESO": "MXN", "SOUTH AFRICAN RAND": "ZAR", "ISRAELI SHEKEL": "ILS", "ISRAELI NEW SHEKEL": "ILS",
    "TURKISH LIRA": "TRY", "BRAZILIAN REAL": "BRL", "CHINESE YUAN": "CNY", "CHINESE YUAN RENMINBI": "CNY",
    "UNITED ARAB EMIRATES DIRHAM": "AED", "THAI BAHT": "THB", "SOUTH KOREAN WON": "KRW", "KOREAN WON": "KRW",
}


def currency_code(text: str | None) -> str | None:
    """A currency written as an ISO code, a sign or a name (``usd``, ``$``, ``UNITED STATES DOLLAR``)
    as its ISO 4217 code; ``None`` when it is none of them.

    >>> currency_code("usd"), currency_code(" united states dollar "), currency_code("12.00")
    ('USD', 'USD', None)
    """
    value = " ".join((text or "").split()).upper()
    if value in CURRENCY_NAMES:
        return CURRENCY_NAMES[value]
    code = parse_currency(value)
    return code if code and re.fullmatch(r"[A-Z]{3}", code) else None


def parse_currency(text: str | None) -> str | None:
    """A currency cell as an ISO 4217 code: "gbp" -> "GBP", "£" -> "GBP"; empty -> None."""
    value = (text or "").strip()
    if not value:
        return None
    return _CURRENCY_BY_SIGN.get(value, _CURRENCY_BY_SIGN.get(value.upper(), value.upper()))


#: What a column saying which way money went writes for money out and for money in, lower case:
#: Mint's and Capital One 360's "Transaction Type" (debit/credit), Navy Federal's "Credit Debit
#: Indicator" (Debit/Credit), DR/CR and D/C indicators, Withdrawal/Deposit, ING's Af/Bij, German
#: Soll/Haben (S/H), a sign on its own. A ``--columns`` mapping's ``direction=`` reads these.
OUTFLOW_MARKERS = ("debit", "dr", "d", "withdrawal", "withdrawals", "out", "money out", "paid out",
                   "af", "soll", "s", "-")
INFLOW_MARKERS = ("credit", "cr", "c", "deposit", "deposits", "in", "money in", "paid in",
                  "bij", "haben", "h", "+")


def direction_of(cell: str | None) -> int | None:
    """-1 for a money-out marker, 1 for money in (:data:`OUTFLOW_MARKERS`, :data:`INFLOW_MARKERS`),
    ``None`` for anything else.

    >>> direction_of(" Debit "), direction_of("CR"), direction_of("Visa purchase")
    (-1, 1, None)
    """
    s = (cell or "").strip().lower()
    return -1 if s in OUTFLOW_MARKERS else (1 if s in INFLOW_MARKERS else None)


def parse_date(text: str, formats: Sequence[str]) -> str:
    """Parse ``text`` with the first of ``formats`` that fits and return ISO ``yyyy-mm-dd``.

    Raises ``ValueError`` naming the text and the formats tried.
    """
    return _parse_date((text or "").strip(), tuple(formats))


def is_date(text: str, formats: Sequence[str]) -> bool:
    """Whether ``text`` reads as a date in one of ``formats`` as :func:`parse_date` reads it."""
    try:
        _parse_date((text or "").strip(), tuple(formats))
    except ValueError:
        return False
    return True


_ZONE_WORD = re.compile(r"\s+[A-Z]{2,5}$")


# Statements repeat the same few hundred dates; strptime is the slowest step of reading a row.
@lru_cache(maxsize=65536)
def _parse_date(s: str, formats: tuple[str, ...]) -> str:
    if not s:
        raise ValueError("empty date")
    for fmt in formats:
        text = s
        if fmt.endswith(" %Z"):
            # a zone's abbreviation after the time ("2025-11-29 15:54:58 EST", "... EDT"), which
            # strptime's %Z reads only for UTC and the machine's own zone: the date is the one
            # written, in that zone
            zone = _ZONE_WORD.search(s)
            if zone is None:
                continue
            text, fmt = s[:zone.start()], fmt[:-3]
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        # strptime reads "01/05/24" with %Y as the year 24: refuse it so a %y format can take it.
        if 1900 <= parsed.year <= 2199:
            return parsed.isoformat()
    shown = " or ".join(formats)
    raise ValueError(f"not a date in format {shown}: {s!r}")


#: Characters that end a line (as ``str.splitlines`` reads them, but for the rare separators
#: ``\x1c``-``\x1e``), and the same set with the tab as an RE2 class for the column reader (the
#: descriptions :func:`one_line` changes).
_BREAKS = "\r\n\x0b\x0c\x85\u2028\u2029"
NOT_ONE_LINE_RE2 = r"[\t\r\n\x{0b}\x{0c}\x{85}\x{2028}\x{2029}]"
_LINE_BREAK_RUN = re.compile(f"[ \t]*[{_BREAKS}][ \t{_BREAKS}]*")
_TAB_RUN = re.compile(r" *\t[ \t]*")


def one_line(text: str) -> str:
    """``text`` on one line: each run of line breaks or tabs (and the spaces around it) one space,
    and none at either end. A quoted description spanning two lines (``AMAZON PRIME*2K4LL1234,
    AMZN.COM/BILL\r\nWA``), or a Plaid name holding a line break or a tab, is printed on one line
    by reports and emails. Other runs of spaces stay as the bank wrote them.

    The one place descriptions are flattened: every statement importer (both readers) and the
    Plaid sync (``plaid.sync.canonical_row``) call it.

    >>> one_line("AMAZON PRIME*2K4LL1234, AMZN.COM/BILL\r\n  WA")
    'AMAZON PRIME*2K4LL1234, AMZN.COM/BILL WA'
    >>> one_line("NETFLIX.COM\t866-579-7172  CA")
    'NETFLIX.COM 866-579-7172  CA'
    """
    if "\t" not in text and not any(c in text for c in _BREAKS):
        return text
    return _TAB_RUN.sub(" ", _LINE_BREAK_RUN.sub(" ", text)).strip(" ")


def normalise_header(cell: str) -> str:
    """Header cells compared case- and space-insensitively, BOM and quotes stripped."""
    return re.sub(r"\s+", " ", (cell or "").replace("\ufeff", "").strip().strip('"').strip()).lower()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a statement's bytes: UTF-8 (with or without BOM), UTF-16 (with a BOM or without one),
    else cp1252/latin-1.

    Returns ``(text, encoding)``. A UTF-8 file with a few bytes that are not UTF-8 stays UTF-8,
    those bytes read as cp1252 (``decoding.decode_statement``, which also says where they are).
    This always returns text; whether the text is a statement is for the importers to decide.
    """
    decoded = decode_statement(data)
    return decoded.text, decoded.encoding


_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook?)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office document",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
}


def binary_kind(data: bytes) -> str | None:
    """Why ``data`` is not a text statement, or ``None`` when it looks like text."""
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text has NUL bytes but is text
    sample = data[:8192]
    if b"\x00" in sample:
        # so has UTF-16 written without a byte-order mark (round-44 audit: "a binary file")
        return None if utf16_without_bom(sample) else "a binary file"
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if sample and control / len(sample) > 0.05:
        return "a binary file"
    return None
