"""Day or month first, for a mapped CSV whose every date reads either way.

``--columns`` without ``date_format=`` reads ``mm/dd/yyyy``, and a file with a day over 12
anywhere settles the order itself (``csv_layout.day_month_order``). A file whose every day is 12
or less reads both ways: a Lloyds (UK) export of 1-12 March, mapped as the suggestion said, was
stored as dates from January to December, every one on the 3rd, without a word (round
twenty-seven). Such a file's order is never guessed: in this order,

1. the dates in the file's order (statements are sorted, newest or oldest first) are in order
   read one way and not the other: that way;
2. what the file shows of where it comes from: a currency (the mapping's, a currency column's,
   the money column's name, ``£``/``€`` on the amounts: pounds, euros, Australian dollars, ...
   are written by banks that put the day first; US and Canadian dollars named as such, by banks
   that put the month first; a bare ``$`` says nothing), a UK or Australian bank's column (``Sort Code``,
   ``BSB``, ``Paid out``), column names in German, Dutch, French or Spanish, comma decimals;
   when all of it points one way, that way;
3. otherwise the file is refused, named, with the two ``date_format=`` to choose from.

A decision by 1 or 2 is said in a note. A mapping naming ``date_format=`` is read as it says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import pairwise

from .parsing import parse_date

#: Currencies whose banks' exports write the month first: the US's, Canada's (RBC, TD,
#: Scotiabank: ``m/d/yyyy``; a few write ``yyyy-mm-dd``, which needs no order) and the
#: Philippines'. Every other currency named is a bank that writes the day first.
MONTH_FIRST_CURRENCIES = frozenset({"USD", "CAD", "PHP"})
NAMES = {"USD": "US dollars", "CAD": "Canadian dollars", "PHP": "Philippine pesos"}
#: Column names only a UK or Australian bank writes, and words of German, Dutch, French and
#: Spanish column names: banks that put the day first.
_DAY_FIRST_COLUMNS = {"sort code": "a UK bank's 'Sort Code' column", "bsb": "an Australian bank's 'BSB' column",
                      "paid out": "a UK bank's 'Paid out' column", "paid in": "a UK bank's 'Paid in' column"}
_EU_WORDS = ("buchung", "betrag", "datum", "empf", "auftraggeber", "verwendungszweck", "wahrung", "währung",
             "waehrung", "bedrag", "omschrijving", "naam", "rekening", "montant", "libell", "opération",
             "devise", "importe", "fecha", "concepto", "divisa", "moneda", "saldo", "valuta")


def orders(fmt: str) -> bool:
    """Whether ``fmt`` puts day and month in an order another reading would swap (``%m/%d/%Y``,
    not ``%Y-%m-%d``)."""
    return "%d" in fmt and "%m" in fmt and not fmt.startswith(("%Y", "%y"))


def _dates(cells: list[str], formats: Sequence[str]) -> list[date]:
    return [date.fromisoformat(parse_date(c, tuple(formats))) for c in cells]


def _sorted(days: list[date]) -> bool:
    pairs = list(pairwise(days))
    return all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)


def in_order(cells: list[str], formats: Sequence[str], swapped: Sequence[str]) -> int | None:
    """0 when the dates (distinct, in the file's order) are in order read with ``formats`` only,
    1 when read with ``swapped`` only, ``None`` when both or neither (or too few to tell)."""
    a, b = _dates(cells, formats), _dates(cells, swapped)
    if len(set(a)) < 3:
        return None
    ok = (_sorted(a), _sorted(b))
    return ok.index(True) if ok.count(True) == 1 else None


def hints(*, currencies: Iterable[str] = (), dollar_only: bool = False, header: Sequence[str] = (),
          comma_decimals: bool = False) -> tuple[str | None, str]:
    """``("day" | "month" | None, why)`` from what a file shows of where it comes from: the
    currencies it names (``dollar_only``: only by a bare ``$``, which says nothing), its column
    names, comma decimals. ``None`` when nothing does, or its evidence points both ways."""
    day, month = [], []
    codes = {c for c in currencies if c}
    if codes and not dollar_only:
        if codes <= MONTH_FIRST_CURRENCIES:
            month.append(f"its amounts are in {', '.join(NAMES[c] for c in sorted(codes))}, whose banks write the "
                         "month first")
        elif not codes & MONTH_FIRST_CURRENCIES:
            day.append(f"its amounts are in {', '.join(sorted(codes))}, whose banks write the day first")
    names = [(h or "").strip().lower() for h in header]
    for name in names:
        if name in _DAY_FIRST_COLUMNS:
            day.append(f"it has {_DAY_FIRST_COLUMNS[name]}")
    eu = [h for h, name in zip(header, names, strict=True) if any(w in name for w in _EU_WORDS)]
    if eu:
        day.append(f"its column names are not English ({eu[0]!r})")
    if comma_decimals:
        day.append("its amounts have comma decimals")
    if day and not month:
        return "day", "; ".join(day)
    if month and not day:
        return "month", "; ".join(month)
    return None, ""
