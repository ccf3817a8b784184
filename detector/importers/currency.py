"""The currency of a CSV mapped with ``--columns`` that names none: the file's own, when it says.

A mapping without ``currency=`` used to store every row in USD, silently (sixteenth audit: HSBC
UK's header-less download, a French bank's export). Before the file is read, its first lines are
looked at, and the first clear piece of evidence decides:

1. the money column's name saying its currency (``Montant(EUROS)``, ``Amount (GBP)``, Up Bank's
   ``Total (AUD)``): a currency column beside it may be another amount's;
2. a column naming each row's currency that the mapping left out (``Currency``, ``Devise``,
   ``Währung``, ...), every cell of it a currency: read per row;
3. signs or codes on the amounts (``-£10.99``, ``EUR 13,49``), all of one currency.

Otherwise USD stays, as for the generic layout, and the note says it was assumed and how to name
another (all the more when day-first dates or comma decimals show no US bank wrote the file).
Every decision is one note (``Statement.notes``), shown by ``subdetect ingest`` and ``scan``.
"""

from __future__ import annotations

import re

from ..workdays import CURRENCY_COUNTRY
from . import date_order
from .csv_layout import CsvLayout, day_month_order
from .parsing import CURRENCY_SIGNS, normalise_header, parse_currency

#: Names of a column holding each row's currency code (exact, case-insensitive). Not "Valuta":
#: German exports use it for the value date.
CURRENCY_COLUMNS = frozenset({"currency", "currency code", "ccy", "devise", "währung", "wahrung", "waehrung",
                              "divisa", "moneda", "munt"})
#: ISO codes recognised on amounts and in column names.
KNOWN_CODES = frozenset(CURRENCY_COUNTRY) | frozenset(CURRENCY_SIGNS.values()) | {"EUR"}
#: Words of a column's name that say its currency ("Débit euros", "Montant(EUROS)").
_NAME_WORDS = {"euro": "EUR", "euros": "EUR", "€": "EUR", "£": "GBP", "sterling": "GBP", "$": "USD"}
#: What an amount is made of besides its currency: digits, separators, signs, parentheses.
_NUMBER_PARTS = re.compile(r"[\d.,\s'\u00a0\u202f()+\-\u2212\u2012\u2013]")

ASSUMED = "USD"


def cell_currency(text: str) -> str | None:
    """A currency cell's code (``"gbp"``, ``"£"`` -> GBP), else ``None``."""
    return _code(text)


def _code(text: str) -> str | None:
    """A currency sign or ISO code as its code, else ``None`` (``"£"`` -> GBP, ``"eur"`` -> EUR)."""
    code = parse_currency(text)
    return code if code in KNOWN_CODES and (text.strip() in CURRENCY_SIGNS or text.strip().isalpha()) else None


def _from_column(header: list[str], rows: list[list[str]]) -> tuple[int, str] | None:
    for pos, name in enumerate(header):
        if normalise_header(name) not in CURRENCY_COLUMNS:
            continue
        cells = [r[pos].strip() for r in rows if pos < len(r) and r[pos].strip()]
        if cells and all(_code(c) for c in cells):
            return pos, name.strip()
    return None


def currency_in_name(name: str, dollar: bool = True) -> str | None:
    """The currency a column's name says its amounts are in (``Amount (GBP)``, ``Montant(EUROS)``,
    Up Bank's ``Total (AUD)``), else ``None``. ``dollar=False``: a bare ``$`` says none (Canadian,
    Australian, ... dollars write it too)."""
    for word in re.findall(r"[A-Za-z]+|[£€$]", name):
        if word == "$" and not dollar:
            continue
        code = _NAME_WORDS.get(word.lower()) or (word if word.isupper() and word in KNOWN_CODES else None)
        if code:
            return code
    return None


def _named_by_money_column(header: list[str], index: dict[str, int], dollar: bool = False) -> tuple[str, str] | None:
    """``(code, column name)`` when the mapped amount (or debit/credit) column names its currency
    (``dollar``: a bare ``$`` too, :func:`currency_in_name`)."""
    for field in ("amount", "debit", "credit"):
        code = (currency_in_name(header[index[field]], dollar)
                if field in index and index[field] < len(header) else None)
        if code:
            return code, header[index[field]]
    return None


def _other_codes(header: list[str], rows: list[list[str]], column: str, code: str) -> list[str]:
    """The currencies other than ``code`` a currency ``column`` names (the original amount's)."""
    if column not in header:
        return []
    pos = header.index(column)
    codes = {_code(r[pos]) for r in rows if pos < len(r) and r[pos].strip()}
    return sorted(c for c in codes if c and c != code)


def settle_named_currency_column(layout: CsvLayout, head: str) -> str | None:
    """A mapping naming ``currency=COLUMN`` whose amount column's name says its currency (Up
    Bank's ``amount=Total (AUD)`` beside ``Currency``, the currency of its foreign-currency
    ``Subtotal (Transaction Currency)``): the name wins, every row is read in it, and the note
    says why; ``None`` (nothing changed) otherwise. Round twenty-seven: a 13.99 AUD charge of a
    US-dollar purchase was stored as -13.99 USD."""
    found = layout.head_records(head) if layout.currency_column else None
    if not found or found[0] is None:
        return None
    header, rows, index = found
    header = [c.strip() for c in header]
    named = _named_by_money_column(header, index)
    if named is None:
        return None
    code, name = named
    column = layout.currency_column if isinstance(layout.currency_column, str) else str(layout.currency_column)
    layout.currency, layout.currency_column = code, None
    layout.currency_source = "name"
    other = _other_codes(header, rows, column, code)
    also = f" (it says {', '.join(other)} on some rows: another amount's currency)" if other else ""
    return (f"amounts read as {code}, as the column name {name!r} says, not in the currency of column {column!r}"
            f"{also}: a column naming its currency holds amounts in that currency")


def _from_amounts(cells: list[str]) -> tuple[set[str], str | None]:
    """The currencies the amount ``cells`` are written with, and one sign as written."""
    codes, shown = set(), None
    for cell in cells:
        rest = _NUMBER_PARTS.sub("", cell)
        if rest and _code(rest):
            codes.add(_code(rest))
            shown = shown or rest
    return codes, shown


def _day_first(layout: CsvLayout, rows: list[list[str]], index: dict[str, int]) -> bool:
    pos = index.get("date")
    cells = [r[pos] for r in rows if pos is not None and pos < len(r)]
    formats, _ = day_month_order(tuple(layout.date_formats), cells)
    fmt = formats[0] if formats else ""
    month = min((fmt.find(m) for m in ("%m", "%b", "%B") if m in fmt), default=-1)
    return not fmt.startswith(("%Y", "%y")) and 0 <= fmt.find("%d") < month


def settle_currency(layout: CsvLayout, head: str) -> str:
    """Set a mapped ``layout``'s currency (or currency column) from the file's first lines
    ``head``, when the mapping named none; return the note saying what was decided and why.

    >>> from detector.importers import MappedCsv
    >>> layout = MappedCsv({"date": "Date", "description": "Payee", "amount": "Amount (GBP)"})
    >>> settle_currency(layout, "Date,Payee,Amount (GBP)\\n2025-01-15,NETFLIX.COM,-10.99\\n")[:20]
    'amounts read as GBP:'
    >>> layout.currency
    'GBP'
    """
    found = layout.head_records(head)
    header, rows, index = found if found else (None, [], {})
    if header is not None:
        # the money column's name first: a currency column beside it may be another amount's (Up
        # Bank's "Currency" is its foreign-currency "Subtotal (Transaction Currency)"'s, beside
        # "Total (AUD)": round twenty-seven, a 13.99 AUD charge was stored as 13.99 USD)
        named = _named_by_money_column(header, index)
        if named:
            layout.currency = named[0]
            layout.currency_source = "name"
            column = _from_column(header, rows)
            other = _other_codes(header, rows, column[1], named[0]) if column else []
            beside = (f"; its {column[1]!r} column, which says {', '.join(other)} on some rows, is taken for another "
                      "amount's currency" if other else "")
            return (f"amounts read as {named[0]}: the column name {named[1]!r} says so (--columns named no "
                    f"currency){beside}")
        column = _from_column(header, rows)
        if column:
            layout.currency_column = column[1]
            layout.currency_source = "column"
            return (f"each row's currency read from its {column[1]!r} column, which --columns did not name "
                    f"(currency=CODE there sets one for every row)")
        named = _named_by_money_column(header, index, dollar=True)
        if named:  # "Amount ($)": after a currency column, which may say which dollars
            layout.currency = named[0]
            layout.currency_source = "dollar"
            return f"amounts read as {named[0]}: the column name {named[1]!r} says so (--columns named no currency)"
    money = [r[index[f]].strip() for r in rows for f in ("amount", "debit", "credit") if f in index and index[f] < len(r)]
    codes, shown = _from_amounts(money)
    if len(codes) == 1:
        layout.currency = codes.pop()
        layout.currency_source = "dollar" if shown and shown.strip() == "$" else "signs"
        note = f"amounts read as {layout.currency}: they are written with {shown!r} (--columns named no currency)"
        if shown and shown.strip() == "$":  # Canada, Australia, New Zealand, ... write it too (round fifteen)
            note += ("; '$' is also Canadian, Australian, ... dollars: if these are, add currency=CAD (or the "
                     "code) to --columns and import the file into a new database (--db)")
        return note
    layout.currency = ASSUMED
    layout.currency_source = "assumed"
    mixed = (f"; its amounts carry several currencies' signs ({', '.join(sorted(codes))}): a column naming each "
             "row's is mapped by currency=COLUMN" if len(codes) > 1 else "")
    why = [w for w, shown in (("day-first dates", rows and _day_first(layout, rows, index)),
                              ("comma decimals", layout.decimal == ",")) if shown]
    doubt = f"; its {' and '.join(why)} are not a US bank's" if why else ""
    example = "EUR" if layout.decimal == "," else "GBP"
    return (f"currency assumed {ASSUMED}: neither the file nor --columns names one{mixed}{doubt}. If the amounts "
            f"are not US dollars, add their ISO code to --columns (currency={example}, say; or currency=COLUMN) and "
            "import the file into a new database (--db): rows already stored keep their currency, a second "
            "import counting them as duplicates")


def date_order_hint(layout: CsvLayout, head: str) -> tuple[str | None, str]:
    """What a mapped file's first lines ``head`` show of whether its bank writes the day or the
    month first (``date_order.hints``): its currency as settled (not an assumed one), its column
    names, comma decimals. ``(None, "")`` when the mapping names a date format."""
    if not getattr(layout, "date_order_open", False):
        return None, ""
    found = layout.head_records(head)
    header, rows, index = found if found else (None, [], {})
    source = getattr(layout, "currency_source", None)
    codes: list[str] = []
    if layout.currency_column and "currency" in index:
        pos = index["currency"]
        codes = [c for r in rows if pos < len(r) and r[pos].strip() and (c := _code(r[pos]))]
    elif source not in (None, "assumed") and layout.currency:
        codes = [layout.currency]
    return date_order.hints(currencies=codes, dollar_only=source == "dollar", header=header or (),
                            comma_decimals=layout.decimal == ",")
