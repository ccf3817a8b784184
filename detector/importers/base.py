"""The importer interface and the dispatch that picks one importer per file.

Beangulp-style: an importer recognises a file from its own contents (``identify``), may name the
account the file belongs to (``account``), and turns the file into rows (``extract``). Exactly one
registered importer must claim a file: none is :class:`UnrecognisedFormat` (listing the columns it
saw and how to map them with ``--columns``), two is :class:`AmbiguousFormat`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import AmbiguousFormat, EmptyStatement, ImportError_, UnrecognisedFormat
from .decoding import UTF16_SAMPLE, decode_statement
from .parsing import binary_kind, decode_bytes, direction_of, is_date

#: How much of a file ``identify`` sees: enough for a bank's summary block above its table.
HEAD_LINES = 40


@dataclass
class Row:
    """One transaction as an importer read it, before ids and accounts are settled."""

    line: int
    date: str
    amount: float
    description: str
    account_id: str | None = None
    transaction_id: str | None = None
    currency: str | None = None
    #: The card the row names (Capital One "Card No."), for the account when the file names none.
    card: str | None = None
    #: The description a row without the bank's id hashes into its id, when not ``description``:
    #: a layout that came to read more of the row into its description (a payment processor's
    #: reference, ``csv_layout.processor_description``) keeps hashing the text it read before, so
    #: the row keeps the id a database written before the change holds (docs/importers.md).
    id_description: str | None = None
    #: The amount as the merchant billed it (signed as ``amount``) and its currency, when the
    #: statement gives it in another currency than the row's (Monzo's Local amount and Local
    #: currency): the plan's own price, which the exchange rate does not move.
    original_amount: float | None = None
    original_currency: str | None = None
    #: The heading of the block of a download holding several accounts that the row is in, when not
    #: the first (comdirect's ``"Umsätze Visa-Karte (Kreditkarte)"`` after its Girokonto): the row's
    #: account is the file's account followed by it, and the block's layout's payment method its own.
    block: str | None = None
    block_payment_method: str | None = None
    #: What a canonical CSV (``subdetect transactions --format csv``) says of the row it exported:
    #: the importer that first read it (``source``) and whether its id is the bank's
    #: (``id_from_bank``); ``None`` for a bank's own statement, whose importer and id column decide.
    source: str | None = None
    id_from_bank: int | None = None
    #: What the reader should tell of this row (a file's last line with no line end, whose amount a
    #: download cut short may have cut: ``CsvLayout.unended_note``); said once in the file's notes.
    note: str | None = None


@dataclass
class Reject:
    """One line an importer could not read, with the reason and the raw text."""

    line: int
    reason: str
    raw: str


class Importer:
    """Base class of every statement importer.

    Subclasses set ``name`` (the ``--format`` value), ``title``, ``currency`` (default when the
    file does not say) and ``payment_method`` (``credit_card`` for card statements, ``debit_card``
    for current accounts, ``None`` when the layout cannot tell).
    """

    name: str = ""
    title: str = ""
    currency: str | None = "USD"
    payment_method: str | None = None
    country: str | None = None
    #: Set when the user named this format: layouts then accept headers they would not claim.
    forced: bool = False
    #: What choosing this importer for the file decided that the analyst should hear (a mapped
    #: CSV's currency, ``currency.settle_currency``); copied into ``Statement.notes``.
    notes: tuple[str, ...] = ()
    #: The layout's id column names one transaction among all the bank's accounts (Monzo's
    #: ``tx_...``, Bank of America's 23-digit Reference Number, Amex's Reference), not only
    #: within one account as an OFX ``FITID`` or a mapped column may: rows of a file named by its
    #: file name whose ids another account of the layout holds are that account's
    #: (``ingest.same_account_by_ids``).
    bank_wide_ids: bool = False

    def identify(self, path: str, head: str) -> bool:
        """Whether this importer reads ``path``, judged from its first lines ``head``."""
        raise NotImplementedError

    def account(self, path: str) -> str | None:
        """The account the whole file belongs to, when the file says so."""
        return None

    def default_account(self, path: str) -> str | None:
        """The account of a file that names none, when the bank's file name tells it better than
        the name without its date stamps (``naming.account_from_filename``); ``--account`` wins."""
        return None

    def extract(self, path: str) -> Iterator[Row | Reject]:
        """Every transaction line of the file, as a :class:`Row` or a :class:`Reject`."""
        raise NotImplementedError

    def file_payment_method(self, path: str) -> str | None:
        """The payment method of the file's account(s) when the file tells (an OFX card
        statement, RBC's Account Type), else the layout's :attr:`payment_method`."""
        return self.payment_method

    def account_payment_methods(self, path: str) -> dict[str, str]:
        """The payment method of each account the file names, where the file tells them apart (an
        OFX holding a bank statement and a card statement); accounts not named take
        :meth:`file_payment_method`."""
        return {}

    def header_with_other_delimiter(self, lines: list[str]) -> tuple[int, str] | None:
        """``(line index, separator)`` of a line of ``lines`` that is this importer's header split
        on a separator it does not read (``CsvLayout``'s); ``None`` otherwise."""
        return None

    def file_notes(self, path: str) -> list[str]:
        """What reading ``path`` found that the analyst should hear and no row or reject says (an
        OFX download cut right after a whole transaction), one sentence each."""
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def read_text(path: str | os.PathLike) -> str:
    """A statement's text, decoded (UTF-8 with or without BOM, UTF-16, else cp1252/latin-1;
    ``decoding.decode_statement``).

    Raises :class:`UnrecognisedFormat` for binary files and :class:`EmptyStatement` for empty ones,
    both naming the file.
    """
    return load_statement(path).text


class Loaded:
    """A statement file's bytes, its encoding and (decoded when first asked for) its text.

    ``note`` says where a UTF-8 file holds bytes that are not UTF-8 (``decoding.stray_bytes_note``).
    """

    def __init__(self, data: bytes, text: str | None, encoding: str, note: str | None = None):
        self.data = data
        self._text = text
        self.encoding = encoding
        self.note = note

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = decode_bytes(self.data)[0]
        return self._text

    def head(self, lines: int = HEAD_LINES) -> str:
        """The first ``lines`` physical lines, without decoding all of a large ASCII file."""
        if self._text is None and len(self.data) > 65536:
            out = io.StringIO(self.data[:65536].decode("ascii"), newline="").readlines()
            if len(out) > lines:
                return "".join(out[:lines])
        return head_of(self.text, lines)


_NOT_SPACE = re.compile(rb"[^\t\n\x0b\x0c\r\x1c-\x1f ]")  # what str.isspace() is not, in ASCII


def load_statement(path: str | os.PathLike) -> Loaded:
    """Read and decode a statement file once (see :func:`read_text` for the rules and errors)."""
    p = str(path)
    try:
        data = Path(p).read_bytes()
    except FileNotFoundError as exc:
        raise ImportError_("file not found", path=p) from exc
    except IsADirectoryError as exc:
        raise ImportError_("is a directory, not a statement file", path=p) from exc
    except OSError as exc:
        raise ImportError_(f"cannot read: {exc.strerror}", path=p) from exc
    kind = binary_kind(data)
    if kind:
        raise UnrecognisedFormat(
            f"this is {kind}, not a text statement; export the statement as CSV or OFX/QFX", path=p
        )
    # the common case: its text is its bytes, decoded only if needed (NULs in its first bytes that
    # binary_kind let through are UTF-16 written without a byte-order mark)
    if data.isascii() and b"\x00" not in data[:UTF16_SAMPLE]:
        if not _NOT_SPACE.search(data):
            raise EmptyStatement("the file is empty", path=p)
        return Loaded(data, None, "utf-8")
    try:
        decoded = decode_statement(data)
    except UnicodeDecodeError as exc:  # (UTF-16 only: every other reading decodes any bytes)
        raise UnrecognisedFormat(
            f"this is UTF-16 text that does not decode at byte {exc.start} ({exc.reason}: a file cut short?); "
            "export the statement again, or re-save it as UTF-8", path=p) from None
    if not decoded.text or decoded.text.isspace():  # not text.strip(), which would copy a large file
        raise EmptyStatement("the file is empty", path=p)
    return Loaded(data, decoded.text, decoded.encoding, decoded.note)


def head_of(text: str, lines: int = HEAD_LINES) -> str:
    """The first ``lines`` physical lines of ``text``."""
    # Split only a prefix: a million-line statement need not be split to see its header. With more
    # than ``lines`` lines in the prefix, the first ``lines`` are complete (a \r\n is not cut).
    out = io.StringIO(text[:65536], newline="").readlines()
    if len(out) <= lines and len(text) > 65536:
        out = io.StringIO(text, newline="").readlines()
    return "".join(out[:lines])


def sniff_delimiter(line: str) -> str:
    """The most likely field separator of a header line: ``;``, tab or ``,``."""
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def columns_seen(head: str) -> list[str]:
    """The cells of the first non-empty line, for error messages."""
    for line in io.StringIO(head, newline="").readlines():
        if line.strip():
            cells = next(csv.reader([line.rstrip("\r\n")], delimiter=sniff_delimiter(line)), [])
            return [c.strip().replace("\ufeff", "") for c in cells]
    return []


#: (with German, Dutch, French and Spanish names: an ING Germany export's header, "Buchung;
#: Valuta;Auftraggeber/Empfänger;...;Betrag", sits below fourteen lines of account details, and
#: the hint took the first of those for it: round eleven)
_HINTS = {
    "date": ("date", "posted", "booked", "datum", "time", "buchung", "valuta", "fecha"),
    "description": ("desc", "payee", "merchant", "name", "memo", "narrative", "details", "reference",
                    "empf", "auftraggeber", "verwendungszweck", "omschrijving", "libell", "concepto"),
    "amount": ("amount", "amt", "value", "sum", "bedrag", "betrag", "montant", "importe", "$", "umsatz in", "gross"),
}
#: Names of a column naming the other party of a transfer (the merchant of a direct debit), and of
#: one holding the transfer's purpose. A file with both is mapped ``description=`` the first and
#: ``reference=`` the second (round-thirty-five audit: Sparkasse's suggestion read Verwendungszweck
#: alone, and its card payments at Shell and EDEKA were one "40 Debitk 1" plan; Rabobank's read
#: the Omschrijving lines and left Naam tegenpartij out).
#: (in order of preference: the payee before the payer where a file names both, as DKB's
#: Zahlungsempfänger*in and Zahlungspflichtige*r: most rows are money out)
_COUNTERPARTY = ("tegenpartij", "counterparty", "counter party", "partner name", "zahlungsbeteiligt", "empfänger",
                 "empfaenger", "payee", "begünstigter", "beguenstigter", "bénéficiaire", "beneficiaire",
                 "beneficiario", "merchant", "auftraggeber", "zahlungspflichtig", "ordenante", "naam", "name")
_PURPOSE = ("verwendungszweck", "omschrijving", "mededelingen", "purpose", "reference", "remittance", "motif",
            "observaciones")
#: Words of a column's name that make it no counterparty's name (its IBAN, account or number).
#: A deviating or ultimate party (Deutsche Bank's "Abweichender Empfänger", Rabobank's "Naam
#: uiteindelijke partij") is empty on most rows and no counterparty either.
_NOT_A_NAME = re.compile(r"iban|konto|account|rekening|\bbic|\bblz|nummer|number|\bid\b|\bnr\b|abweichend|"
                         r"uiteindelijk|initi[eë]rend|ultimate", re.IGNORECASE)
#: Column names that are the field outright, preferred to a name merely holding a hint.
_OUTRIGHT = {"description": ("original description", "description", "transaction description", "payee", "merchant",
                             "memo", "details", "narrative")}
#: Names taken only when no column holds a hint above: comdirect's Buchungstext holds the whole
#: transfer (``Auftraggeber: ... Buchungstext: ...``), where Sparkasse's and ING Germany's say only
#: its kind beside a counterparty column.
_LAST_RESORT = {"description": ("buchungstext",)}
#: Money out and money in as two columns (Capital One's Debit/Credit, Lloyds' Debit Amount/Credit
#: Amount, Nationwide's Paid out/Paid in).
_SPLIT = {"debit": ("debit", "withdrawal", "paid out", "money out"),
          "credit": ("credit", "deposit", "paid in", "money in")}
#: Date formats a suggestion may name, tried in this order on the file's own date cells.
_SUGGEST_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%d/%m/%y", "%m/%d/%y", "%d.%m.%Y", "%d.%m.%y",
                  "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%Y%m%d",
                  # with the time (Venmo's 2025-08-02T18:43:08, Cash App's "... 15:54:58 EST": round
                  # forty, every row of both rejected as the suggestion said)
                  "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S %Z", "%m/%d/%Y %H:%M:%S",
                  "%m/%d/%Y %H:%M")
#: The formats a mapping reads without date_format= (``MappedCsv``).
_MAPPED_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y")


def _first(cols: list[str], keys: tuple[str, ...], taken, exact: bool = False) -> str | None:
    """The first column whose name holds one of ``keys``; with ``exact``, one named by a key
    outright first (Sparkasse's "Betrag" before its "Lastschrift Ursprungsbetrag", empty on most
    rows: round twelve)."""
    free = [c for c in cols if c not in taken]
    return ((next((c for c in free if c.strip().lower() in keys), None) if exact else None)
            or next((c for c in free if any(k in c.lower() for k in keys)), None))


#: A cell that is an amount as written (``-10.99``, ``+6200.00``, ``£1,575.72``, ``(12.00)``).
_MONEY_CELL = re.compile(r"[-+(]?[£$€]?\s?[\d,]*\d(?:[.,]\d{1,2})?\)?")


def _is_record(cells: list[str]) -> bool:
    """Whether a line's cells read as a transaction: three or more, a date and an amount among them."""
    if len(cells) < 3:
        return False
    dated = [i for i, c in enumerate(cells) if is_date(c, _SUGGEST_DATES)]
    return bool(dated) and any(i not in dated and c.strip() and _MONEY_CELL.fullmatch(c.strip())
                               for i, c in enumerate(cells))


def _rows(head: str) -> tuple[list[str], list[list[str]], bool]:
    """The header of a file no layout claims, the records below it (within ``head``), and whether
    the file has no header row.

    The header is the first line with three or more cells naming a date and an amount (or money out
    and in): Nationwide's ``"Account Name:","FlexAccount ****12345"`` preamble is no header, the
    ``"Date","Transaction type",...`` line below it is. A line that reads as a transaction before
    any such line means the file has no header row (HSBC UK's, CommBank's download): that line is
    returned as the "header", and with the records too, unless a line of three or more cells came
    before it (the header, of names no hint knows: RBC's ``CAD$``). (Round twenty-four: CommBank's second line,
    ``...,"AMAZON AU ... Value Date: 25/06/2025",...``, named a date and a "value", and was taken
    for the header; the suggestion mapped ``date=`` to its description, and the first line was
    lost.) Else the first non-empty line.
    """
    records = []
    for line in io.StringIO(head, newline="").readlines():
        if line.strip():
            cells = next(csv.reader([line.rstrip("\r\n")], delimiter=sniff_delimiter(line)), [])
            records.append([c.strip().replace("\ufeff", "") for c in cells])
    wide = None  # the last line of three or more cells above: a header of names no hint knows (RBC's "CAD$")
    for i, cells in enumerate(records):
        if _is_record(cells):
            if wide is None:
                return cells, records[i:], True
            return records[wide], records[wide + 1:], False
        money = _first(cells, _HINTS["amount"], ()) or all(_first(cells, k, ()) for k in _SPLIT.values())
        if len(cells) >= 3 and _first(cells, _HINTS["date"], ()) and money:
            return cells, records[i + 1:], False
        if len(cells) >= 3:
            wide = i
    return (records[0], records[1:], False) if records else ([], [], False)


#: Words of a column's name that say it holds which way money went, for a column whose values
#: are one letter each (``D``/``C``, ``S``/``H``): a ``Status`` column of ``C`` (cleared) is none.
_DIRECTION_WORDS = frozenset({"dr", "cr", "debit", "credit", "indicator", "direction", "sign", "type", "soll",
                              "haben", "af", "bij"})


def direction_column(cols: list[str], rows: list[list[str]], amount: str, taken=()) -> str | None:
    """The column saying which way each amount went, when the ``amount`` column's cells carry no
    sign: the first other column every non-empty cell of which is a debit/credit marker
    (``parsing.OUTFLOW_MARKERS``/``INFLOW_MARKERS``: Mint's and Capital One 360's "Transaction
    Type" debit/credit, Navy Federal's "Credit Debit Indicator"), filled on the rows with an amount.
    ``None`` when an amount is written negative (the amounts then carry their sign) or no column fits.

    Mint writes every amount positive: a mapping of its ``Amount`` alone stored every charge as
    money in (seventeenth session's audit).
    """
    if amount not in cols:
        return None
    pos = cols.index(amount)
    amounts = [r[pos].strip() for r in rows if pos < len(r) and r[pos].strip()]
    if not amounts or any(re.match(r"^[-(\u2212\u2013]|.*-$", a) for a in amounts):
        return None
    for i, col in enumerate(cols):
        if col == amount or col in taken:
            continue
        cells = [r[i].strip() for r in rows if i < len(r) and r[i].strip()]
        if len(cells) < len(amounts) or not all(direction_of(c) is not None for c in cells):
            continue
        if all(len(c) == 1 for c in cells) and not _DIRECTION_WORDS & set(re.findall(r"[a-z]+", col.lower())):
            continue
        return col
    return None


def _by_shape(cells: list[str], rows: list[list[str]] = ()) -> dict[str, str]:
    """For a file with no header row: its first line's date cell, amount cell (the first number
    with cents that is not the date, nor a running balance the records show: CommBank's amount
    comes before its balance, ABN AMRO's after its opening and closing balances) and description
    cell (the one with the most letters), as ``--columns`` maps them (by that line's cells).

    Two fields of unsigned amounts, exactly one of them filled on every record (TD Canada Trust's
    withdrawal and deposit), are ``debit=`` and ``credit=`` by position (``#3``, ``#4``: the one
    empty on the first line has no text to be named by), money out the one a running balance
    goes down by, else the first (round-forty-one audit: ``amount=`` the withdrawal stored every
    charge as money in and rejected every salary)."""
    chosen: dict[str, str] = {}
    date = next((c for c in cells if is_date(c, _SUGGEST_DATES)), None)
    if date is not None:
        chosen["date"] = date
    same = [r for r in rows if len(r) == len(cells)]
    balances = set(balance_columns(same))
    split = split_money_columns(same, {cells.index(date)} if date is not None else set())
    numbers = [c for i, c in enumerate(cells) if c != date and c.strip() and _MONEY_CELL.fullmatch(c.strip())
               and i not in balances]
    # one with cents first: an account or cheque number before the amount is no amount
    money = next((c for c in numbers if re.search(r"[.,]\d\d\)?$", c.strip())), numbers[0] if numbers else None)
    if split:
        money = None
    text = [c for i, c in enumerate(cells) if c not in (date, money) and re.search(r"[^\W\d_]", c)
            and not (split and i in split)]
    if text:
        chosen["description"] = max(text, key=lambda c: len(re.findall(r"[^\W\d_]", c)))
    if split:
        chosen["debit"], chosen["credit"] = (f"#{split[0] + 1}", f"#{split[1] + 1}")
    elif money is not None:
        chosen["amount"] = money
    return chosen


def split_money_columns(rows: list[list[str]], skip: set[int] = frozenset()) -> tuple[int, int] | None:
    """Positions ``(out, in)`` of two fields of unsigned amounts exactly one of which is filled on
    every record of ``rows`` (four at least, each field filled on some record): a withdrawal and a
    deposit column. Money out is the one a third field, a running balance, goes down by from one
    record to the next (in either order of the records), else the first of the two."""
    if len(rows) < 4:
        return None
    width = min(len(r) for r in rows)
    unsigned = re.compile(r"[£$€]?\s?\d[\d,]*\.\d\d")

    def value(r: list[str], i: int) -> float | None:
        c = r[i].strip()
        return float(c.lstrip("£$€ ").replace(",", "")) if unsigned.fullmatch(c) else None

    money = [i for i in range(width) if i not in skip
             and all(not r[i].strip() or unsigned.fullmatch(r[i].strip()) for r in rows)
             and any(r[i].strip() for r in rows)]
    for a in money:
        for b in money:
            if b <= a or not all(bool(r[a].strip()) != bool(r[b].strip()) for r in rows):
                continue
            for bal in range(width):
                if bal in (a, b):
                    continue
                vals = [money_value(r[bal]) for r in rows]
                if None in vals:
                    continue
                moves = [(value(r, b) or 0.0) - (value(r, a) or 0.0) for r in rows]
                oldest = all(abs(vals[k] - vals[k - 1] - moves[k]) < 0.005 for k in range(1, len(rows)))
                newest = all(abs(vals[k - 1] - vals[k] - moves[k - 1]) < 0.005 for k in range(1, len(rows)))
                back_old = all(abs(vals[k] - vals[k - 1] + moves[k]) < 0.005 for k in range(1, len(rows)))
                back_new = all(abs(vals[k - 1] - vals[k] + moves[k - 1]) < 0.005 for k in range(1, len(rows)))
                if (back_old or back_new) and not (oldest or newest):
                    return b, a
            return a, b
    return None


def date_column(cols: list[str], rows: list[list[str]], taken=()) -> str | None:
    """The column of each record's date: of the columns whose name holds a date hint, the first
    whose filled cells are dates (most of them, a footer aside), one named "date" first; else any
    column whose cells are all dates; ``None`` when no record is below the header. Round-forty-one
    audit: AIB's ``Posted Account`` (the account number: "posted" is a hint) came before its
    ``Posted Transactions Date`` and was suggested ``date=``; pasted, all 494 rows were rejected."""
    def dates(c: str) -> bool:
        i = cols.index(c)
        cells = [r[i].strip() for r in rows if i < len(r) and r[i].strip()]
        return bool(cells) and sum(is_date(x, _SUGGEST_DATES) for x in cells) >= 0.8 * len(cells)

    free = [c for c in cols if c not in taken]
    if not rows:
        return None
    hinted = [c for c in free if any(k in c.lower() for k in _HINTS["date"]) and dates(c)]
    return (next((c for c in hinted if "date" in c.lower()), None) or (hinted[0] if hinted else None)
            or next((c for c in free if dates(c)), None))


def _counterparty_and_purpose(cols: list[str], rows: list[list[str]] = ()) -> tuple[str, str] | None:
    """The columns naming the other party and the purpose of each transfer, when a file has both
    and no column named ``Description`` outright (a bank's own descriptor, which comes first); a
    column no row fills is neither."""
    if any(c.strip().lower() in ("description", "transaction description") for c in cols):
        return None

    def filled(c: str) -> bool:
        i = cols.index(c)
        return not rows or any(i < len(r) and r[i].strip() for r in rows)

    names = [c for c in cols if not _NOT_A_NAME.search(c) and filled(c)]
    party = next((c for k in _COUNTERPARTY for c in names if k in c.lower()), None)
    # (not an id: PayPal's "Reference Txn ID" is no purpose, round forty)
    purpose = next((c for c in cols if c != party and any(k in c.lower() for k in _PURPOSE) and filled(c)
                    and not re.search(r"\b(?:id|txn)\b", c, re.IGNORECASE)), None)
    return (party, purpose) if party and purpose else None


def _currency_cell(cols: list[str], rows: list[list[str]]) -> str | None:
    """The currency code a header-less file's records all name in one field (``EUR``), if any."""
    from .currency import cell_currency

    for i, cell in enumerate(cols):
        if not re.fullmatch(r"[A-Z]{3}", cell.strip()):
            continue
        code = cell_currency(cell)
        if code and all(i < len(r) and r[i].strip() == cell.strip() for r in rows):
            return code
    return None


def money_value(cell: str) -> float | None:
    """A cell with cents as a number (``-13,99``, ``2.934,04``, ``1,234.50``), else ``None``."""
    c = (cell or "").strip()
    if not re.fullmatch(r"[-+]?[£$€]?\s?\d[\d.,\s\u00a0]*[.,]\d\d", c):
        return None
    decimal = "," if re.search(r",\d\d$", c) else "."
    from .parsing import parse_amount

    try:
        return parse_amount(c, decimal=decimal)
    except ValueError:
        return None


def balance_columns(rows: list[list[str]]) -> dict[int, str]:
    """Positions of the fields that hold a running balance in ``rows`` (records in the file's
    order), each with why: on every pair of consecutive records (three pairs at least) its value
    is the other record's plus another field of the later one (a balance after each transaction:
    ``Eindsaldo``, ``Saldo na trn``), or another field's value on the record before (ABN AMRO's
    ``Beginsaldo``, the previous ``Eindsaldo``), in either order of the records.

    Round-thirty-five audit: the suggestion for ABN AMRO's header-less .TAB mapped its opening
    balance as the amount, and 96 rows were stored as credits of the running balance.
    """
    if len(rows) < 4:
        return {}
    width = min(len(r) for r in rows)
    values = [[money_value(r[i]) for i in range(width)] for r in rows]
    money = [i for i in range(width) if sum(v[i] is not None for v in values) >= 4]

    def pairs(b: int, a: int):
        return [(values[k - 1][b], values[k][b], values[k - 1][a], values[k][a]) for k in range(1, len(values))
                if None not in (values[k - 1][b], values[k][b], values[k - 1][a], values[k][a])]

    def near(x: float, y: float) -> bool:
        return abs(x - y) < 0.005

    out: dict[int, str] = {}
    for b in money:
        for a in money:
            if a == b:
                continue
            both = pairs(b, a)
            if len(both) < 3 or all(near(pb, pa) and near(nb, na) for pb, nb, pa, na in both):
                continue  # too few, or the same values twice
            moved = [pa for _, _, pa, _ in both] + [na for _, _, _, na in both]
            if any(not near(x, 0) for x in moved) and (
                    all(near(nb, pb + na) for pb, nb, _, na in both)        # oldest first
                    or all(near(pb, nb + pa) for pb, nb, pa, _ in both)):   # newest first
                out.setdefault(b, f"each record's value is the one before plus field {a + 1}")
            elif all(near(nb, pa) for _, nb, pa, _ in both) or all(near(pb, na) for pb, _, _, na in both):
                out.setdefault(b, f"each record's value is field {a + 1} of the record next to it")
    return out


def _numbered_join(cols: list[str], col: str) -> str:
    """``Description 1+Description 2`` when ``col`` is the first of numbered columns (RBC's
    "Description 1" says "VISA DEBIT PURCHASE - 1234" and "Description 2" names the merchant:
    round-twenty-four audit), else ``col``."""
    m = re.fullmatch(r"(.*?\D)\s*1", col)
    if not m or "+" in col:
        return col
    more = [c for n in range(2, 6) for c in cols
            if "+" not in c and re.fullmatch(re.escape(m.group(1).strip()) + rf"\s*{n}", c.strip(), re.IGNORECASE)]
    return "+".join([col, *more]) if more else col


def _suggest_mapping(cols: list[str], rows: list[list[str]] = (), headerless: bool = False,
                     said: list[str] | None = None) -> list[tuple[str, str]]:
    """A ``--columns`` mapping guessed from the column names (and the rows below them), placeholders
    where no guess fits, as ``(key, value)`` pairs (:func:`columns_argument` quotes them).

    ``headerless``: ``cols`` is the file's first line, a transaction: its cells are mapped by
    their shape (a date, an amount, the wordiest text), and ``rows`` hold that line too.
    ``said`` receives what the user must decide that the mapping cannot say (dates reading day
    and month either way, nothing in the file telling which)."""
    chosen: dict[str, str] = {}
    found = {f: _first(cols, keys, ()) for f, keys in _SPLIT.items()}
    # Two columns, one for money out and one for money in, are that even when their names say
    # "Amount" (Lloyds' Debit Amount / Credit Amount): amount=Debit Amount read every charge as
    # money in (thirteenth audit).
    split = not headerless and all(found.values()) and found["debit"] != found["credit"]
    if split:
        chosen.update(found)
    if headerless:
        chosen.update(_by_shape(cols, rows))
        split = "debit" in chosen
    fields = ["date", "description", "debit", "credit"] if split else ["date", "description", "amount"]
    if not headerless:
        pair = _counterparty_and_purpose(cols, list(rows))
        if pair:
            chosen["description"], chosen["reference"] = pair
            fields.insert(2, "reference")
    if not headerless and "date" not in chosen:
        dated = date_column(cols, list(rows), set(chosen.values()))
        if dated:
            chosen["date"] = dated
    for field in [] if headerless else fields:
        if field in _HINTS and field not in chosen:
            # a column named for the field outright first: Navy Federal's "Description", not its
            # "Reference" before it (seventeenth session); none empty on every row (round forty:
            # PayPal's Shipping and Handling Amount as amount=, every row rejected)
            empty = _empty_columns(cols, rows)
            outright = _OUTRIGHT.get(field, ())
            col = (_outright_column(cols, outright, set(chosen.values()) | empty)
                   or _first(cols, _HINTS[field], set(chosen.values()) | empty, exact=field == "amount")
                   or _first(cols, _LAST_RESORT.get(field, ()), set(chosen.values()) | empty))
            if col:
                chosen[field] = col
    if not headerless and "description" in fields and "description" not in chosen:
        text = _text_column(cols, rows, set(chosen.values()))
        if text:
            chosen["description"] = text
    if not split and not headerless and "amount" not in chosen and all(found.values()):
        chosen.update(found)  # one column both ways is no split: still a guess for the user
    if "amount" in chosen:
        direction = direction_column(cols, list(rows), chosen["amount"], set(chosen.values()))
        if direction:
            fields.append("direction")
            chosen["direction"] = direction
    extra = []
    dates: list[str] = []
    fmt = None
    def at(value: str) -> int:  # a column's position: its name (or first-line cell), or #N
        m = re.fullmatch(r"#(\d+)", value)
        return int(m.group(1)) - 1 if m and value not in cols else cols.index(value)

    if "date" in chosen:
        pos = cols.index(chosen["date"])
        # the cells that are a date in some format: a footer's "Summe" or "Kontostand am 31.03.2025"
        # is none, and with two of them below four rows the suggestion left out date_format=
        # (round twenty-seven), and pasted as given, every row was rejected
        cells = [r[pos] for r in rows if pos < len(r) and r[pos] and is_date(r[pos], _SUGGEST_DATES)]
        fmt = next((f for f in _SUGGEST_DATES
                    if cells and sum(is_date(c, (f,)) for c in cells) >= max(1, 0.8 * len(cells))), None)
        dates = [c for c in cells if fmt and is_date(c, (fmt,))]
        if fmt and fmt not in _MAPPED_DATES:
            extra.append(f"date_format={fmt}")
    money_fields = ("amount", "debit", "credit")
    money = {at(chosen[f]) for f in money_fields if f in chosen}
    sums = [r[p].strip() for r in rows for p in money if p < len(r) and r[p].strip()]
    # amounts written with a decimal comma ("-15,49", "-1.234,56", "+3250,00", "3 250,00", "-10,9",
    # a whole "3.250" beside them: an EU bank's export), every one of them EU-shaped
    eu = re.compile(r"[-+]?[^\d,.\s-]?\s?(?:\d{1,3}(?:[.\s\u00a0]\d{3})+|\d+)(?:,\d{1,2})?\s?[^\d,.\s]?")
    if sums and all(eu.fullmatch(c) for c in sums) and any(re.search(r",\d{1,2}\D?$", c) for c in sums):
        extra.append("decimal=comma")
    signs = "".join(r[p] for r in rows for p in money if p < len(r))
    currency = next((code for sign, code in (("£", "GBP"), ("€", "EUR")) if sign in signs), None)
    code = _currency_cell(cols, rows) if headerless else None
    if code:  # every record names it in one field (ABN AMRO's Muntsoort)
        currency = currency or code
    named = None if headerless else _first(cols, ("currency", "währung", "wahrung", "waehrung", "devise", "moneda",
                                                  "divisa", "munt", "valuta code"), set(chosen.values()))
    # (with a value on some row: Navy Federal's "Instructed Currency" is empty but for foreign payments)
    filled = named in cols and any(cols.index(named) < len(r) and r[cols.index(named)].strip() for r in rows)
    if named and filled and _currency_of_another_amount(cols, rows, named, [chosen[f] for f in money_fields
                                                                          if f in chosen]):
        named = None
    if not (named and filled) and not currency:
        desc = chosen.get("description")
        told = country_currency(cols, rows, None if desc is None or desc not in cols else cols.index(desc),
                                headerless)
        if told:
            currency, why = told
            if said is not None:
                said.append(f"currency={currency} because {why}")
    if named and filled:  # (a name holding a comma is quoted: columns_argument)
        extra.append(f"currency={named}")  # a column naming each row's currency (ING Germany's Währung)
    elif currency:
        extra.append(f"currency={currency}")
    elif said is not None and not headerless and [c.strip().lower() for c in cols] == list(_SHARED_HEADER):
        said.append(_SHARED_HEADER_HINT)
    if dates:
        _settle_date_order(extra, fmt, dates, cols, rows, said, signs=currency, column=named if named and filled else None,
                           money=[chosen[f] for f in money_fields if f in chosen], comma="decimal=comma" in extra)
    if "description" in chosen and not headerless:
        chosen["description"] = _numbered_join(cols, chosen["description"])
    if "amount" in chosen and _purchases_positive(cols, rows, chosen["amount"], chosen.get("description")):
        extra.append("sign=-1")
    return ([(field, chosen.get(field, f"<{field} column>")) for field in fields]
            + [tuple(e.split("=", 1)) for e in extra])


#: Column names only one country's banks write, and that country's currency.
_COUNTRY_COLUMNS = {"sort code": ("GBP", "its 'Sort Code' column is a UK bank's"),
                    "bsb": ("AUD", "its 'BSB' column is an Australian bank's")}
#: Headers only one bank writes, all their columns (lower case), its currency and why: ASB's (New
#: Zealand) FastNet exports, of an account (``Date,Unique Id,Tran Type,Cheque Number,Payee,Memo,
#: Amount`` below its ``Bank 12; Branch ...`` preamble) and of a card (``Date Processed,Date of
#: Transaction,Unique Id,Tran Type,Reference,Description,Amount``), as public parsers of them
#: read them. Round-forty-one audit: the ASB suggestion named no currency, and pasted, every
#: amount was USD and ANZAC Day's observance a working day.
_BANK_HEADERS = (
    (frozenset({"unique id", "tran type", "cheque number", "payee", "memo"}),
     ("NZD", "its Unique Id, Tran Type, Cheque Number, Payee and Memo columns are ASB's (New Zealand) export")),
    (frozenset({"date processed", "date of transaction", "unique id", "tran type", "reference", "description"}),
     ("NZD", ("its Date Processed, Date of Transaction, Unique Id and Tran Type columns are ASB's (New Zealand) "
              "card export"))),
)
#: Bank of Ireland's export (365 Online, ``dd/mm/yyyy``; bank2ynab's "IE Bank of Ireland"), which is
#: also the generic statement template many banks and converters write: it names no currency and no
#: country, so none is suggested (an Irish account's EUR and IE would be wrong for the others), but
#: the suggestion says what to add for a Bank of Ireland account (twenty-fourth session).
_SHARED_HEADER = ("date", "details", "debit", "credit", "balance")
_SHARED_HEADER_HINT = ("its columns (Date, Details, Debit, Credit, Balance) are Bank of Ireland's export, and other "
                       "banks' too, and name no currency: for a Bank of Ireland account in the Republic add "
                       "currency=EUR,country=IE (the euro and Ireland's bank holidays), else the amounts are read "
                       "as US dollars")
#: The country code a card purchase's descriptor ends with (ANZ's "NETFLIX.COM MELBOURNE VI AUS").
_COUNTRY_ENDINGS = {"AUS": "AUD", "NZL": "NZD", "GBR": "GBP", "CAN": "CAD", "IRL": "EUR"}
#: IBAN country codes and their currency (of the account an IBAN column names on every row).
_IBAN_CURRENCY = {"GB": "GBP", "IE": "EUR", "DE": "EUR", "FR": "EUR", "NL": "EUR", "ES": "EUR", "IT": "EUR",
                  "BE": "EUR", "AT": "EUR", "PT": "EUR", "FI": "EUR", "LU": "EUR", "CH": "CHF"}


def country_currency(cols: list[str], rows: list[list[str]], description: int | None,
                     headerless: bool) -> tuple[str, str] | None:
    """The currency a file says by its country, and why, for a suggestion: a column only one
    country's banks write (a UK ``Sort Code``, an Australian ``BSB``), a header only one bank
    writes (ASB's, New Zealand: :data:`_BANK_HEADERS`), one IBAN on every row, or
    most descriptions ending in one country's code (ANZ's ``... NS AUS``); else ``None``.
    Round-forty-one audit: the Lloyds suggestion read day-first dates from the Sort Code column
    yet left the currency out, and pasted, every email said "$" and Good Friday was a working day."""
    if not headerless:
        for c in cols:
            hit = _COUNTRY_COLUMNS.get(c.strip().lower())
            if hit and any(cols.index(c) < len(r) and r[cols.index(c)].strip() for r in rows):
                return hit
        names = {c.strip().lower() for c in cols}
        for header, hit in _BANK_HEADERS:
            if header <= names:
                return hit
    body = rows[1:] if headerless else rows
    for i in range(len(cols)):
        cells = {r[i].strip().replace(" ", "").upper() for r in body if i < len(r)}
        if len(cells) == 1:
            (iban,) = cells
            if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban) and iban[:2] in _IBAN_CURRENCY:
                return _IBAN_CURRENCY[iban[:2]], f"every row's {cols[i]!r} is an IBAN of {iban[:2]}"
    if description is not None:
        texts = [r[description].strip() for r in rows if description < len(r) and r[description].strip()]
        ends = [m.group(1) for t in texts if (m := re.search(r"\s([A-Z]{3})$", t))]
        for code, currency in _COUNTRY_ENDINGS.items():
            if texts and ends.count(code) >= 0.5 * len(texts):
                return currency, (f"{ends.count(code)} of its first {len(texts)} descriptions end with "
                                  f"{code!r}, the country a card purchase was made in")
    return None


#: AIB's (Allied Irish Banks) export header: no other bank writes these three columns.
_AIB_COLUMNS = frozenset({"posted account", "posted transactions date", "description1"})
#: IBAN countries whose banks keep more closing days than the euro system's (``workdays``): an
#: IBAN of one on every row names the account's country.
_IBAN_COUNTRIES = frozenset({"IE"})


def file_country(cols: list[str] | None, rows: list[list[str]]) -> tuple[str, str] | None:
    """The country a file names for its account's working days, and why: AIB's export (its
    ``Posted Account``, ``Posted Transactions Date`` and ``Description1`` columns) or an Irish IBAN
    on every row is Irish, ``IE``; else ``None`` (the currency's country then, ``ingest.py``).
    Round-forty-one audit: an AIB account, EUR, took the euro system's days (``EU``) and St
    Patrick's Day counted as a working day."""
    if cols and _AIB_COLUMNS <= {c.strip().lower() for c in cols}:
        return "IE", "its Posted Account, Posted Transactions Date and Description1 columns are AIB's export"
    width = max((len(r) for r in rows), default=0)
    for i in range(width):
        cells = {r[i].strip().replace(" ", "").upper() for r in rows if i < len(r)}
        if len(cells) == 1:
            (iban,) = cells
            if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban) and iban[:2] in _IBAN_COUNTRIES:
                name = cols[i] if cols and i < len(cols) else f"#{i + 1}"
                return iban[:2], f"every row's {name!r} is an IBAN of {iban[:2]}"
    return None


def _empty_columns(cols: list[str], rows) -> set[str]:
    """The columns empty on every one of ``rows`` (none when there are no rows)."""
    if not rows:
        return set()
    return {c for i, c in enumerate(cols) if not any(i < len(r) and r[i].strip() for r in rows)}


#: Description columns named outright, in order of preference: the bank's own descriptor before a
#: cleaned name (USAA's and Mint's "Original Description" beside their "Description": "TRANSFER
#: TO SAVINGS" was "Transfer", a counted 300.00 a month plan, and a pending and a posted charge
#: went unmatched: round forty); a payee's name before a memo (U.S. Bank's Name beside its Memo
#: "Download from usbank.com. NETFLIX.COM ...", which lost 11 of 12 vendors: round forty).
_OUTRIGHT_ORDER = ("original description", "original_description", "description", "transaction description",
                   "payee", "merchant", "name", "details", "narrative", "memo")


def _outright_column(cols: list[str], outright: tuple[str, ...], taken) -> str | None:
    """The column named one of ``outright`` outright, by :data:`_OUTRIGHT_ORDER` where it ranks them."""
    names = {c.strip().lower(): c for c in reversed(cols) if c not in taken}
    ranked = [*_OUTRIGHT_ORDER, *(k for k in outright if k not in _OUTRIGHT_ORDER)] if outright else []
    return next((names[k] for k in ranked if k in names), None)


def _text_column(cols: list[str], rows, taken) -> str | None:
    """The column of the most distinct cells holding words (not amounts or dates), for a description
    no column's name hints at (Venmo's From/To/Note); ``None`` when none holds any."""
    def words(i: int) -> int:  # distinct texts: a kind column (Payment, Charge) says few
        return len({r[i].strip() for r in rows if i < len(r) and re.search(r"[A-Za-z]{3}", r[i])
                    and not is_date(r[i].strip(), _SUGGEST_DATES) and money_value(r[i]) is None})
    kinds = re.compile(r"\b(?:type|status|state|category|kind|source|destination|location|disclaimer)\b", re.IGNORECASE)
    scored = [(words(i), -i, c) for i, c in enumerate(cols) if c not in taken and c.strip() and not kinds.search(c)]
    best = max(scored, default=(0, 0, None))
    return best[2] if best[0] else None


#: A card's payment or credit as its line says it (Apple Card's "ACH DEPOSIT INTERNET TRANSFER
#: FROM ACCOUNT ENDING IN 4821", "PAYMENT THANK YOU", a refund's "CREDIT").
_PAYMENT_WORDS = re.compile(r"\b(?:payment|pymt|pmt|autopay|thank you|credit|refund|return|deposit|transfer)\b",
                            re.IGNORECASE)


def _purchases_positive(cols: list[str], rows, amount: str, description: str | None) -> bool:
    """Whether the file writes a card's purchases positive and its payments negative (Apple Card,
    Discover, Amex): most amounts positive and every negative one's line (or Type) naming a
    payment or a credit. Mapped without ``sign=-1`` every plan was money in (round forty)."""
    if amount not in cols or not rows:
        return False
    pos = cols.index(amount)
    texts = [i for i, c in enumerate(cols) if c != amount]
    signed = [(money_value(r[pos]), r) for r in rows if pos < len(r) and money_value(r[pos]) is not None]
    negative = [r for v, r in signed if v < 0]
    positive = sum(1 for v, _ in signed if v > 0)
    if not negative or positive < 2 * len(negative):
        return False
    return all(any(i < len(r) and _PAYMENT_WORDS.search(r[i]) for i in texts) for r in negative)


def _settle_date_order(extra: list[str], fmt: str, dates: list[str], cols: list[str], rows: list[list[str]],
                       said: list[str] | None, *, signs: str | None, column: str | None, money: list[str],
                       comma: bool) -> None:
    """The suggestion's ``date_format=`` for ``dates`` that read both day and month first (every
    day 12 or less), from the file's evidence as a mapping without it decides (``date_order.py``):
    the order its dates are in only one way, else its currency, column names, comma decimals.
    Decided, ``extra`` names the format (even ``%m/%d/%Y``, which a mapping reads unasked, so the
    suggestion pastes as given); else ``said`` gets why the user must (round twenty-seven: a
    Lloyds export of 1-12 March, followed as suggested, was stored as dates of January to December)."""
    from . import date_order
    from .csv_layout import swap_day_month
    from .currency import cell_currency, currency_in_name

    other = swap_day_month(fmt)
    if not date_order.orders(fmt) or not all(is_date(c, (other,)) for c in dates):
        return
    distinct = list(dict.fromkeys(c.strip() for c in dates))
    pick = date_order.in_order(distinct, (fmt,), (other,))
    if pick is None:
        codes = [signs] if signs else []
        if column in cols:
            pos = cols.index(column)
            codes += [cell_currency(r[pos]) for r in rows if pos < len(r) and r[pos].strip()]
        codes += [c for c in (currency_in_name(m, dollar=False) for m in money) if c]
        hint, _ = date_order.hints(currencies=codes, header=cols, comma_decimals=comma)
        first_is_day = fmt.find("%d") < fmt.find("%m")
        pick = None if hint is None else (0 if (hint == "day") == first_is_day else 1)
    if pick is None:
        if said is not None:
            day, month = (fmt, other) if fmt.find("%d") < fmt.find("%m") else (other, fmt)
            said.append(f"its dates read both day first and month first (every day is 12 or less, {dates[0]!r} "
                        f"among them), and nothing in it tells which: add date_format={day} if the day comes first, "
                        f"date_format={month} if the month does")
        return
    chosen = (fmt, other)[pick]
    extra[:] = [f"date_format={chosen}"] + [e for e in extra if not e.startswith("date_format=")]


def _currency_of_another_amount(cols: list[str], rows: list[list[str]], column: str, money: list[str]) -> bool:
    """Whether the currency ``column`` is not the one of the amounts a mapping reads: the mapped
    money column (``money``) names its own currency (Up Bank's ``Total (AUD)``), or, none mapped
    yet, columns naming a currency (``Subtotal (AUD)``) sit beside it and it names others on some
    rows (Up Bank's ``Currency`` is its ``Subtotal (Transaction Currency)``'s: round twenty-seven,
    the suggestion offered ``currency=Currency`` and a 13.99 AUD charge was stored in USD)."""
    from .currency import cell_currency, currency_in_name

    if any(currency_in_name(c, dollar=False) for c in money):
        return True
    named = {code for c in cols if c != column and (code := currency_in_name(c, dollar=False))}
    pos = cols.index(column)
    cells = {cell_currency(r[pos]) for r in rows if pos < len(r) and r[pos].strip()}
    return bool(named) and bool(cells - named - {None})


def columns_argument(pairs: list[tuple[str, str]]) -> str:
    """``--columns "date=...,description=...,..."`` as a shell takes it pasted: a value holding a
    comma (a column named ``Name, Ort``) quoted (round-twenty-four audit: pasted unquoted, it was
    "--columns entry 'Ort' is not key=column"), the whole in double quotes, or in single quotes
    when a value holds what a shell expands inside double ones (RBC's ``CAD$``)."""
    text = "".join(v for _, v in pairs)
    outer = "'" if any(c in text for c in '$`\\"!') and "'" not in text else '"'
    inner = "'" if outer == '"' else '"'

    def value(v: str) -> str:
        if "," not in v and v == v.strip() and v[:1] not in "\"'":
            return v
        q = inner if inner not in v else ('"' if "'" in v else "'")
        return f"{q}{v}{q}"

    spec = ",".join(f"{k}={value(v)}" for k, v in pairs)
    if outer == '"':
        spec = re.sub(r'([\\"$`])', r"\\\1", spec)
    return f"--columns {outer}{spec}{outer}"


#: A separator's name, for messages.
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def columns_suggestion(head: str) -> str:
    """The ``--columns`` argument :func:`unrecognised` would suggest for a file starting ``head``."""
    cols, rows, headerless = _rows(head)
    return columns_argument(_suggest_mapping(cols, rows, headerless, []))


def other_delimiter_message(importer: Importer, line: int, delimiter: str, ours: str, mapping: str | None) -> str:
    """What to tell of a file whose header (``line``, 1-based) is ``importer``'s with ``delimiter``
    between its columns where the bank writes ``ours``: the file was saved again with other
    regional settings (round-49 audit: a Chase export re-saved by Excel on a German PC was
    "missing column(s) ;" with exactly Chase's columns seen). ``mapping``: the ``--columns``
    argument to name, ``None`` when the message suggests one after this."""
    method = f" --payment-method {importer.payment_method}" if importer.payment_method else ""
    how = f"{mapping}{method}" if mapping else f"the --columns mapping below{' and' + method if method else ''}"
    return (f"its header (line {line}) is the {importer.name} layout's ({importer.title}) with "
            f"{DELIMITER_NAMES.get(delimiter, repr(delimiter))} between the columns where the bank writes "
            f"{DELIMITER_NAMES.get(ours, repr(ours))}: the file was saved again with other settings (Excel on a "
            "machine with European regional settings writes semicolons, and decimal commas and day-first dates "
            f"with them). Download the statement again and import it unchanged, or read this file with {how}")


def unrecognised(path: str, head: str, names: list[str],
                 resaved: list[tuple[Importer, int, str]] = ()) -> UnrecognisedFormat:
    """The error for a file no importer claims: what was seen and how to proceed. ``resaved``:
    importers whose header the file has with another separator (``(importer, line, separator)``)."""
    cols, rows, headerless = _rows(head)
    shown = ", ".join(repr(c) for c in cols[:15]) or "(no columns)"
    # a first line holding a date and an amount is a transaction: the file has no header row
    # (HSBC UK's download), and mapping its cells reads that line as a transaction too
    seen = (f"This file has no header row (its first line is a transaction: {shown}); map the "
            f"columns by that line's cells, and it is read as a transaction too"
            if headerless else f"Columns seen: {shown}")
    why = _not_a_table(head, [cols] + list(rows) if cols else [])
    if why:
        return UnrecognisedFormat(why, path=path)
    if {"merchant", "cancelled_on"} <= {c.strip().lower() for c in cols}:
        # round eleven: a cancellations file given as a statement got a column-mapping hint
        return UnrecognisedFormat(
            f"this is a cancellations file (columns {shown}), not a statement: give it to "
            f"`subdetect scan` with --cancellations {Path(path).name}, or record it with "
            f"`subdetect cancel --cancellations {Path(path).name}`", path=path)
    said: list[str] = []
    suggestion = columns_argument(_suggest_mapping(cols, rows, headerless, said))
    other = "".join(
        other_delimiter_message(imp, line, delim, getattr(imp, "delimiters", (",",))[0], None) + ". "
        for imp, line, delim in resaved)
    message = (
        f"no importer recognises this file{': ' + other[0].lower() + other[1:-1] if other else '.'} {seen}. "
        f"Name the layout with --layout NAME (one of: {', '.join(names)}) "
        f"or map the columns, e.g. {suggestion} "
        "(optional: account_id=, transaction_id=, currency=, debit=, credit=, direction=, reference=, "
        "sign=-1 (purchases written positive), date_format=%d/%m/%Y, country=IE (the account's holidays))"
        + "".join(f"; {s}" for s in said)
    )
    return UnrecognisedFormat(message, path=path)


#: ``Label: value`` lines, as a text statement writes each transaction (Santander UK's .txt).
_LABELLED = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,30}?)\s*:\s*\S")


def _not_a_table(head: str, records: list[list[str]]) -> str | None:
    """Why no ``--columns`` mapping can read a file that is no table (a text statement of
    labelled lines, or lines of one field each), and what to do; ``None`` for a table.

    Round-twenty-four audit: Santander UK's .txt statement got "Columns seen: 'From: 01/05/2024
    to 30/06/2025'" and a mapping to fill in, which no mapping could satisfy.
    """
    lines = [line for line in head.splitlines() if line.strip()]
    labels = [m.group(1).strip() for line in lines if (m := _LABELLED.match(line))]
    seen = list(dict.fromkeys(label.title() for label in labels))
    if len(labels) >= 3 and len(seen) < len(labels) and len(labels) >= 0.6 * len(lines):
        what = ("a text statement of labelled lines (" + ", ".join(f"{label}:" for label in seen[:6])
                + "), not a table of columns")
    elif records and all(len(r) <= 1 for r in records):
        what = "not a table of columns: no line of it has fields separated by commas, semicolons or tabs"
    else:
        return None
    return (f"no importer recognises this file: it is {what}, so no --columns mapping can read it. "
            "Download the statement again as CSV or OFX/QFX and import that")


def choose_importer(path: str, head: str, importers: list[Importer]) -> Importer:
    """The one importer that claims ``path``; raise when none or several do."""
    claims = [imp for imp in importers if imp.identify(path, head)]
    if len(claims) == 1:
        return claims[0]
    if not claims:
        lines = io.StringIO(head, newline="").readlines()
        resaved = [(imp, found[0] + 1, found[1]) for imp in importers
                   if (found := imp.header_with_other_delimiter(lines)) is not None]
        raise unrecognised(path, head, [imp.name for imp in importers], resaved)
    names = ", ".join(imp.name for imp in claims)
    raise AmbiguousFormat(
        f"several layouts fit this file ({names}); choose one with --layout NAME", path=path
    )
