"""The engine behind every CSV statement layout.

A bank's layout is a short declarative subclass of :class:`CsvLayout` naming its columns, date
formats, decimal mark and sign convention (see ``csv_banks.py``). This module finds the header row
(below any summary block), reads the records as a stream with their physical line numbers, and
turns each into a :class:`Row` or, when a cell cannot be read, a :class:`Reject` with the reason.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import UnrecognisedFormat
from .base import (
    DELIMITER_NAMES,
    HEAD_LINES,
    Importer,
    Reject,
    Row,
    columns_seen,
    columns_suggestion,
    other_delimiter_message,
    read_text,
)
from .parsing import (
    currency_code,
    is_date,
    normalise_header,
    parse_amount,
    parse_currency,
    parse_date,
    split_dr_cr,
)

Names = tuple[str, ...]


@dataclass(frozen=True)
class HeaderLayout:
    """How a file's body is read: delimiter, field positions, first body line, header cells."""

    delimiter: str
    index: dict[str, int]
    #: 1-based physical line of the first record below the header.
    first_line: int
    #: The header's normalised cells (to skip repeated headers); ``None`` for header-less layouts.
    header_cells: list[str] | None
    #: Fields a record may have (the header's, or a header-less layout's ``record_width``): a
    #: record with more, not all of them empty, is rejected (``None``: not checked).
    width: int | None = None


def _alts(value) -> Names:
    if value is None:
        return ()
    if isinstance(value, str):
        return (normalise_header(value),)
    return tuple(normalise_header(v) for v in value)


class _Tap:
    """Iterator over lines that remembers what the csv reader consumed (for raw text, line numbers)."""

    def __init__(self, lines: Iterable[str]):
        self._it = iter(lines)
        self.taken: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._it)
        self.taken.append(line)
        return line


def swap_day_month(fmt: str) -> str:
    """``fmt`` with ``%d`` and ``%m`` exchanged; year-first formats (``%Y-%m-%d``) as they are,
    since nobody writes year, day, month."""
    if fmt.startswith(("%Y", "%y")) or "%d" not in fmt or "%m" not in fmt:
        return fmt
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def day_month_order(formats: tuple[str, ...], cells: Iterable[str]) -> tuple[tuple[str, ...], str | None]:
    """The date formats to read a whole file's ``cells`` with, and a cell only they read.

    The order of day and month is decided once per file, never per row (a file re-saved by Excel
    with other regional settings writes ``1/15/2025`` where its layout writes ``15/01/2025``; read
    per row, its day<=12 dates were stored swapped and the rest rejected: thirteenth audit). The
    day/month-swapped ``formats`` are taken when some cell reads only that way and no cell reads
    only the layout's way; cells that are no date either way are rejected either way. A file whose
    every day is 12 or less reads both ways and keeps the layout's order. Returns ``(formats,
    None)`` when the layout's order stays.
    """
    swapped = tuple(swap_day_month(f) for f in formats)
    if swapped == tuple(formats):
        return tuple(formats), None
    example = None
    for s, ours, theirs in read_either_order(cells, formats, swapped):
        if ours and not theirs:
            return tuple(formats), None
        if theirs and not ours and example is None:
            example = s
    return (swapped, example) if example is not None else (tuple(formats), None)


def read_either_order(cells: Iterable[str], formats: tuple[str, ...],
                      swapped: tuple[str, ...]) -> Iterator[tuple[str, bool, bool]]:
    """Each distinct non-blank cell of ``cells`` (stripped, in the file's order) with whether it
    is a date in ``formats`` and whether in ``swapped`` (their day and month exchanged)."""
    seen: set[str] = set()
    for cell in cells:
        s = (cell or "").strip()
        if not s or s in seen:
            continue
        seen.add(s)
        yield s, is_date(s, formats), is_date(s, swapped)


#: Between a move between one's own accounts' kind and its description (``Pot transfer: Savings``).
OWN_TRANSFER_SEP = ": "
#: What a wallet layout's own-money rows begin with (:attr:`CsvLayout.own_transfer_label`): money
#: the holder moved from a card or a bank into the wallet, back out, or between its currencies.
#: The stream detector never makes such rows a plan (``non_plans.OWN_ACCOUNT_MOVE``).
OWN_TRANSFER_LABEL = "Own transfer"

#: A counterparty that is a payment processor or wallet, not the merchant: PayPal (``PayPal``,
#: ``PayPal Europe S.a.r.l. et Cie S.C.A``), Klarna, Stripe, Mollie, Adyen, Google/Apple/Samsung
#: Pay. A bank that names the counterparty in one column and the payment's reference in another
#: (Starling's Counter Party and Reference, N26's Partner Name and Payment Reference, ING's Naam /
#: Omschrijving and Mededelingen) names the merchant only in the reference for these.
PROCESSOR_COUNTERPARTY_RE = re.compile(
    r"^\s*(?:pay\s?pal|klarna|stripe|(?:stichting\s+)?mollie|adyen|(?:google|apple|samsung)\s?pay)\b",
    re.IGNORECASE)
_PROCESSOR_WORD_RE = re.compile(r"^\s*(pay\s?pal|klarna|stripe|mollie|adyen)\b", re.IGNORECASE)


def processor_description(counterparty: str, reference: str | None) -> str:
    """The description of a row whose counterparty may be a payment processor (see
    :data:`PROCESSOR_COUNTERPARTY_RE`): the counterparty, then the reference, a space between, both
    as the bank wrote them; the reference alone when it starts with the processor's own name
    (Starling: Counter Party ``PayPal``, Reference ``PAYPAL *DISNEYPLUS 35314369001 GBR``). Any
    other counterparty, or an empty reference, is the counterparty alone, as before."""
    ref = (reference or "").strip()
    if not ref or not counterparty or not PROCESSOR_COUNTERPARTY_RE.match(counterparty):
        return counterparty
    word = _PROCESSOR_WORD_RE.match(counterparty)
    if word and re.sub(r"\W", "", ref[:24]).lower().startswith(re.sub(r"\W", "", word.group(1)).lower()):
        return ref
    return f"{counterparty} {ref}"


class LabelledText:
    """A description cell that holds labelled fields, as some banks write one text for the whole
    transfer: comdirect's ``Auftraggeber: Netflix International B.V. Buchungstext: 3192... Netflix
    Monthly Ref. 21D2...``, ABN AMRO's ``SEPA Incasso ... Naam: KPN B.V. Machtiging: ...
    Omschrijving: Factuur ...``, Societe Generale's ``PRLV SEPA ... DE: EDF ... MOTIF: ...``.

    ``counterparty``, ``purpose`` and ``others`` are regular expressions of labels (each written
    with its own boundary: comdirect glues ``Kto/IBAN:`` to the name before it). :meth:`split`
    gives the counterparty's value (the description) and the purpose's (the reference, joined
    when the counterparty is a payment processor: :func:`processor_description`); without a
    counterparty label the text before the first label is the description (a card payment's
    ``AUDIBLE GMBH AUDIBLE.DE DE`` before ``Karte Nr. ...``), else the purpose, else the cell as
    written. ``card``: a pattern whose first group names the merchant of a card payment
    (ABN AMRO's ``BEA, Betaalpas   Albert Heijn 1403,PAS123 ...``).
    """

    def __init__(self, counterparty: tuple[str, ...], purpose: tuple[str, ...] = (), others: tuple[str, ...] = (),
                 card: str | None = None):
        self.counterparty = counterparty
        self.purpose = purpose
        kinds = [("c", counterparty), ("p", purpose), ("o", others)]
        self._labels = re.compile("|".join(f"(?P<{k}{i}>{rx})" for k, rxs in kinds for i, rx in enumerate(rxs)))
        self._card = re.compile(card) if card else None

    def split(self, text: str) -> tuple[str, str | None]:
        """``(description, reference)`` read from one description cell."""
        text = text or ""
        if self._card is not None:
            m = self._card.match(text)
            if m:
                return _squeeze(m.group(1)), None
        found = list(self._labels.finditer(text))
        if not found:
            return text, None
        values: dict[str, str] = {}
        for m, nxt in zip(found, [*found[1:], None], strict=True):
            kind = m.lastgroup[0]
            value = _squeeze(text[m.end():nxt.start() if nxt else len(text)])
            if value and kind not in values:
                values[kind] = value
        before = _squeeze(text[:found[0].start()])
        description = values.get("c") or before or values.get("p") or _squeeze(text)
        return description, values.get("p") if description != values.get("p") else None


def _squeeze(text: str) -> str:
    """``text`` stripped, its runs of spaces one space (ABN AMRO pads its fields with spaces)."""
    return re.sub(r"\s{2,}", " ", text).strip(" ,")


class CsvLayout(Importer):
    """A CSV statement layout, declared by class attributes.

    Column attributes take a header name or a tuple of alternative names (matched case- and
    space-insensitively). ``date``, ``description`` and either ``amount`` or ``debit``/``credit``
    must be present; ``transaction_id``, ``account_column``, ``currency_column``, ``fee``,
    ``status`` and ``description_fallback`` are used when the file has them. ``identify`` requires
    every required column plus ``also_required``.
    """

    date: str | Names = "Date"
    description: str | Names = "Description"
    description_fallback: str | Names | None = None
    #: Further columns whose text follows the description's, a space between (RBC's "Description
    #: 2", which names the merchant of a card purchase whose "Description 1" is "VISA DEBIT PURCHASE
    #: - 1234"; ``--columns description=Description 1+Description 2``). Required when declared.
    description_join: tuple[str | Names, ...] = ()
    #: The payment's reference or remittance column (Starling "Reference", N26 "Payment Reference",
    #: ING "Mededelingen"): joined to the description when the counterparty is a payment processor
    #: (:func:`processor_description`), which names the merchant only there.
    reference: str | Names | None = None
    #: The column naming the counterparty of money coming in, when the description column names
    #: the one of money going out (DKB's "Zahlungspflichtige*r" beside its "Zahlungsempfänger*in":
    #: the account holder is the payer of every charge and the payee of every salary). Money in
    #: with no payer named takes ``description_fallback``, never the other column's holder.
    description_in: str | Names | None = None
    #: A description cell of labelled fields (:class:`LabelledText`): its counterparty is the
    #: description, its purpose the reference.
    labels: LabelledText | None = None
    amount: str | Names | None = "Amount"
    debit: str | Names | None = None
    credit: str | Names | None = None
    #: Column saying which way money went (ING "Af Bij"); with ``outflow_markers``.
    direction: str | Names | None = None
    outflow_markers: tuple[str, ...] = ()
    inflow_markers: tuple[str, ...] = ()
    fee: str | Names | None = None
    #: Column naming the kind of transaction (Monzo "Type"); rows of the kinds in
    #: ``own_transfer_kinds`` move money between the holder's own accounts (a Monzo pot), and
    #: their description says so: ``Pot transfer: Savings`` (see :data:`OWN_TRANSFER_SEP`).
    kind: str | Names | None = None
    own_transfer_kinds: tuple[str, ...] = ()
    #: What an own-transfer row's description begins with instead of its kind, when the kind is
    #: a wallet's word that says nothing on its own (PayPal's "General Card Deposit", Cash App's
    #: "Deposits"): ``Own transfer: General Card Deposit`` (see :data:`OWN_TRANSFER_LABEL`).
    own_transfer_label: str | None = None
    #: Kinds whose rows name their counterparty the other way round: the ``description_in``
    #: column for money out, the ``description`` column for money in (a Venmo "Charge" is From the
    #: one asking To the one paying, a "Payment" From the one paying To the one paid).
    swapped_kinds: tuple[str, ...] = ()
    #: A column saying a row moved no money, and its values that say so (PayPal's Balance
    #: Impact "Memo" on an authorisation, a hold and its reversal): such a row is rejected, saying why.
    no_money_column: str | Names | None = None
    no_money_values: tuple[str, ...] = ()
    #: Balance columns: a line with no date and no amount that fills one of them is a balance
    #: line, not a transaction (Venmo's beginning and ending balance lines).
    balance_columns: tuple[str, ...] = ()
    status: str | Names | None = None
    accepted_status: tuple[str, ...] = ()
    #: Whether the status column is read word by word, for a wallet whose completed states are
    #: too many to list (Cash App: CARD CHARGED, PAYMENT SENT, DEPOSITED, ...): a state holding a
    #: word of :data:`NEVER_SETTLED`, a pending one, or a refund's on money out is rejected
    #: (:func:`unsettled_status`); any other state is read.
    status_words: bool = False
    #: What a pending row writes where its booking date goes (comdirect's ``offen``), lower case:
    #: such a row is rejected as not booked yet.
    pending_dates: tuple[str, ...] = ()
    transaction_id: str | Names | None = None
    account_column: str | Names | None = None
    #: Column naming the card a row was paid with (Capital One "Card No.", Amex "Account #"): the
    #: account is then ``<layout>-<card>`` unless ``--account`` names one (``naming.card_account``).
    card_column: str | Names | None = None
    #: How many digits the bank always writes in :attr:`card_column` (Capital One's last four,
    #: Amex's last five): a number Excel wrote without its leading zeros (``0821`` -> ``821``)
    #: names the same card (``naming.card_account``).
    card_digits: int | None = None
    currency_column: str | Names | None = None
    #: Columns giving a charge's amount and currency as the merchant billed it, before the bank
    #: converted it (Monzo's "Local amount" and "Local currency", Wise's "Exchange To Amount" and
    #: "Exchange To"): kept as the row's ``original_amount`` / ``original_currency`` where the
    #: currency differs from the row's. A plan priced in dollars on a pound card then keeps its
    #: price, which the exchange rate moves in pounds (docs/importers.md).
    original_amount: str | Names | None = None
    original_currency: str | Names | None = None
    #: A column that must be filled for those to be a charge's (Wise's "Merchant": a conversion
    #: between one's own balances fills the exchange columns too, and is no merchant's price).
    original_requires: str | Names | None = None
    #: A free-text column that may say the original amount (Amex's "Extended Details": ``Foreign
    #: Spend Amount: 7.18 UNITED STATES DOLLAR Commission Amount: 0.16 ...``).
    original_details: str | Names | None = None
    #: A canonical CSV's ``source`` and ``id_from_bank`` columns (``subdetect transactions --format
    #: csv``): what the export says of each row, kept as its own (:attr:`Row.source`,
    #: :attr:`Row.id_from_bank`).
    source_column: str | Names | None = None
    id_from_bank_column: str | Names | None = None
    #: A column only subdetect's own CSV export writes: its text cells were written formula-safe
    #: (``report.safe_cell``: ``'=...``, ``'-...``), and are read back without that quote.
    escaped_by: str | Names | None = None
    also_required: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ("%m/%d/%Y", "%m/%d/%y")
    #: Multiplies the amount as written: -1 for banks that write charges as positive numbers.
    sign: int = 1
    decimal: str = "."
    delimiters: tuple[str, ...] = (",",)
    #: Lines like "Beginning balance as of ..." with no amount are not transactions.
    balance_lines: tuple[str, ...] = ()
    has_header: bool = True
    #: For header-less layouts: field -> 0-based position.
    positions: dict[str, int] | None = None
    #: For header-less layouts: the fields of one record, when the bank always writes that many.
    record_width: int | None = None
    #: Bytes that start a line heading another account's block in a download of several accounts
    #: (comdirect's ``"Umsätze``): a body holding them is read row by row, where the layout's
    #: :meth:`records` reads each block with its own header.
    block_marker: bytes | None = None
    #: Whether a comma-decimal layout's own amount cells may show the file was saved with decimal
    #: points (BBVA's export re-saved by Excel: ``-16.41``): :meth:`with_decimal_of`.
    decimal_from_cells: bool = False
    #: Set on a copy reading decimal points for that reason: an amount cell that showed it.
    decimal_example: str | None = None

    # -- header ---------------------------------------------------------------------------------

    def _fields(self) -> dict[str, Names]:
        return {
            "date": _alts(self.date),
            "description": _alts(self.description),
            "description_fallback": _alts(self.description_fallback),
            "reference": _alts(self.reference),
            "description_in": _alts(self.description_in),
            "amount": _alts(self.amount),
            "debit": _alts(self.debit),
            "credit": _alts(self.credit),
            "direction": _alts(self.direction),
            "fee": _alts(self.fee),
            "kind": _alts(self.kind),
            "no_money": _alts(self.no_money_column),
            **{f"balance_{i}": _alts(c) for i, c in enumerate(self.balance_columns, 1)},
            "status": _alts(self.status),
            "transaction_id": _alts(self.transaction_id),
            "account": _alts(self.account_column),
            "card": _alts(self.card_column),
            "currency": _alts(self.currency_column),
            "original_amount": _alts(self.original_amount),
            "original_currency": _alts(self.original_currency),
            "original_requires": _alts(self.original_requires),
            "original_details": _alts(self.original_details),
            "source": _alts(self.source_column),
            "id_from_bank": _alts(self.id_from_bank_column),
            "escaped_by": _alts(self.escaped_by),
            **{f: _alts(names) for f, names in zip(self._join_fields(), self.description_join, strict=True)},
        }

    def _join_fields(self) -> list[str]:
        """The index keys of :attr:`description_join`'s columns, in order."""
        return [f"description_join_{i}" for i in range(1, len(self.description_join) + 1)]

    def _required(self) -> list[str]:
        req = ["date", "description"]
        if self.amount is not None:
            req.append("amount")
        else:
            req += [f for f in ("debit", "credit") if getattr(self, f) is not None]
        if self.direction is not None:
            req.append("direction")
        return req + self._join_fields()

    def resolve(self, header: list[str]) -> dict[str, int] | None:
        """Map fields to column positions for this header, or ``None`` if a required one is missing."""
        cells = [normalise_header(c) for c in header]
        index: dict[str, int] = {}
        for field, names in self._fields().items():
            for name in names:
                at = self._column_at(name, cells)
                if at is not None:
                    index[field] = at
                    break
        if any(f not in index for f in self._required()):
            return None
        if any(normalise_header(c) not in cells for c in self.also_required):
            return None
        return index

    def _column_at(self, name: str, cells: list[str]) -> int | None:
        """The position of the column called ``name`` (normalised) among a header's ``cells``."""
        return cells.index(name) if name in cells else None

    def missing(self, header: list[str]) -> list[str]:
        """Required column names absent from ``header`` (for error messages)."""
        cells = [normalise_header(c) for c in header]
        out = []
        joins = dict(zip(self._join_fields(), self.description_join, strict=True))
        for f in self._required():
            raw = joins[f] if f in joins else getattr(self, f)
            names = (raw,) if isinstance(raw, str) else tuple(raw or ())
            if not any(self._column_at(normalise_header(n), cells) is not None for n in names):
                out.append(" or ".join(repr(n) for n in names))
        out += [repr(c) for c in self.also_required if normalise_header(c) not in cells]
        return out

    def _delimiters_tried(self) -> tuple[str, ...]:
        # (and tabs: a bank's export saved again by Excel as "Text (Tab delimited)" keeps its
        # header word for word; round eleven: Chase's was "no importer recognises this file"; a
        # header-less one its records' shape: sixteenth audit, Wells Fargo's)
        return self.delimiters + (() if "\t" in self.delimiters else ("\t",))

    def _find_header(self, lines: list[str]) -> tuple[int, str, dict[str, int]] | None:
        delimiters = self._delimiters_tried()
        for i, line in enumerate(lines[:HEAD_LINES]):
            if not line.strip():
                continue
            for delim in delimiters:
                cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delim), [])
                index = self.resolve(cells)
                if index is not None:
                    return i, delim, index
        return None

    def header_with_other_delimiter(self, lines: list[str]) -> tuple[int, str] | None:
        """``(line index, separator)`` of the first line of ``lines`` that is this layout's header
        split on a separator it does not read (a file saved again with other regional settings:
        Chase's export with semicolons), else ``None``."""
        if not self.has_header:
            return None
        tried = self._delimiters_tried()
        for i, line in enumerate(lines[:HEAD_LINES]):
            for delim in (d for d in DELIMITER_NAMES if d not in tried and d in line):
                if self.resolve(next(csv.reader([line.rstrip("\r\n")], delimiter=delim), [])) is not None:
                    return i, delim
        return None

    def identify(self, path: str, head: str) -> bool:
        lines = io.StringIO(head, newline="").readlines()
        if not self.has_header:
            return self._headerless_delimiter(lines) is not None
        return self._find_header(lines) is not None

    def _headerless_delimiter(self, lines: list[str]) -> str | None:
        """For a header-less layout: the delimiter (of :meth:`_delimiters_tried`) with which the
        file's first non-blank line reads as this layout's record, else ``None``."""
        for line in lines[:HEAD_LINES]:
            if not line.strip():
                continue
            for delim in self._delimiters_tried():
                cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delim), [])
                if self._is_headerless_record(cells):
                    return delim
            return None
        return None

    def _is_headerless_record(self, cells: list[str]) -> bool:
        """Whether ``cells`` are one record of this header-less layout (never, for layouts with a header)."""
        return False

    #: Set on a copy that reads its file's dates day/month swapped: a date cell only that order reads.
    swapped_date_example: str | None = None
    #: Set on a copy whose order of day and month was decided from other evidence than the dates
    #: alone (a mapped file whose every day is 12 or less: ``date_order.py``): what to tell.
    date_order_note: str | None = None
    #: Whether the whole file's dates must be looked at even when every one reads in the layout's
    #: formats (a mapping without ``date_format=``: each may read the other way too).
    date_order_open = False

    def date_cells(self, lines: Iterable[str], layout: HeaderLayout) -> Iterator[str]:
        """The date cell of every record of a body (``lines`` start below the header), as written."""
        pos = layout.index.get("date")
        if pos is None:
            return
        reader = csv.reader(lines, delimiter=layout.delimiter)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                continue
            if pos < len(cells):
                yield cells[pos]

    def with_date_order(self, cells: Iterable[str]) -> CsvLayout:
        """This layout, or a copy reading day and month the other way round when the file's date
        ``cells`` say so (:func:`day_month_order`)."""
        formats, example = day_month_order(tuple(self.date_formats), cells)
        if example is None:
            return self
        other = copy.copy(self)
        other.date_formats = formats
        other.swapped_date_example = example
        return other

    def amount_cells(self, lines: Iterable[str], layout: HeaderLayout) -> Iterator[str]:
        """The amount cell of every record of a body (``lines`` start below the header), as written."""
        pos = layout.index.get("amount")
        if pos is None:
            return
        for cells in csv.reader(lines, delimiter=layout.delimiter):
            if pos < len(cells):
                yield cells[pos]

    def with_decimal_of(self, cells: Iterable[str]) -> CsvLayout:
        """This layout, or a copy reading decimal points when the file's amount ``cells`` show
        points and never a decimal comma (:attr:`decimal_from_cells`). Cells that read either way
        (``1.234``) are then rejected with their line (:meth:`_amount`); a file with both kinds keeps
        the comma, its point cells rejected as before."""
        if not self.decimal_from_cells or self.decimal != ",":
            return self
        example, comma = None, False
        for cell in cells:
            c = _SPACES_RE.sub("", cell.strip().strip("€$£"))
            if _COMMA_DECIMAL_RE.fullmatch(c):
                comma = True
                break
            if example is None and _POINT_DECIMAL_RE.fullmatch(c):
                example = cell.strip()
        if comma or example is None:
            return self
        other = copy.copy(self)
        other.decimal = "."
        other.decimal_example = example
        return other

    @property
    def decimal_note(self) -> str | None:
        """What to tell when the file's amounts were read with decimal points (:meth:`with_decimal_of`)."""
        if self.decimal_example is None:
            return None
        return (f"amounts read with decimal points, not the {self.name} layout's decimal comma: the file's own "
                f"amounts show it ({self.decimal_example!r}; a file re-saved by Excel?)")

    # -- records --------------------------------------------------------------------------------

    def extract(self, path: str) -> Iterator[Row | Reject]:
        """Every row of the file, its dates read in the order the whole file shows (:meth:`with_date_order`)."""
        text = read_text(path)
        lines = io.StringIO(text, newline="")
        body, layout = self.read_header(path, lines)
        tail = "".join(body) + text[lines.tell():]
        reader = self.with_date_order(self.date_cells(io.StringIO(tail, newline=""), layout))
        reader = reader.with_decimal_of(reader.amount_cells(io.StringIO(tail, newline=""), layout))
        yield from reader.records(io.StringIO(tail, newline=""), layout)

    def extract_lines(self, path: str, lines: Iterable[str]) -> Iterator[Row | Reject]:
        """Rows of a statement given as an iterable of physical lines (streams; no whole-file read).

        Dates are read in the layout's own order: a stream cannot be looked over first. Use
        :meth:`extract` or ``read_statement`` to have the file's own dates settle the order.
        """
        it = iter(lines)
        body, layout = self.read_header(path, it)
        yield from self.records(_chain(body, it), layout)

    def read_header(self, path: str, it: Iterator[str]) -> tuple[list[str], HeaderLayout]:
        """Consume ``it`` up to the header row; return the lines read past it and how to read the body.

        Raises :class:`UnrecognisedFormat` naming the missing columns when no header fits.
        """
        if not self.has_header:
            # the first record tells the delimiter (the bank's, or a tab where Excel saved the file
            # again); the lines read to see it are the body's first
            head = []
            for line in it:
                head.append(line)
                if line.strip() or len(head) >= HEAD_LINES:
                    break
            delim = self._headerless_delimiter(head) or self.delimiters[0]
            return head, HeaderLayout(delim, dict(self.positions or {}), 1, None, self.record_width)
        head: list[str] = []
        found = None
        for line in it:  # read only as far as the header row (at most HEAD_LINES)
            head.append(line)
            found = self._find_header(head)
            if found or len(head) >= HEAD_LINES:
                break
        if found is None:
            other = self.header_with_other_delimiter(head)
            if other is not None:
                at, delim = other
                raise UnrecognisedFormat(
                    f"not a {self.name} statement as written: "
                    + other_delimiter_message(self, at + 1, delim, self.delimiters[0], columns_suggestion("".join(head))),
                    path=path)
            seen = columns_seen("".join(head))
            missing = self.missing(seen) if seen else ["a header row"]
            raise UnrecognisedFormat(
                f"not a {self.name} statement: missing column(s) {', '.join(missing)}; "
                f"columns seen: {', '.join(repr(c) for c in seen) or '(none)'}",
                path=path,
            )
        header_at, delim, index = found
        raw_cells = next(csv.reader([head[header_at].rstrip("\r\n")], delimiter=delim))
        header_cells = [normalise_header(c) for c in raw_cells]
        if self._is_a_record(raw_cells, index):
            # A file with no header row (HSBC UK's download), its columns mapped by its first
            # row's cells as the hint shows them: that row is a transaction too, not a header
            # (round eleven: it was dropped without a word). Mapped by a later row's cells, the
            # lines above it are the file's too: each is read, or rejected with its line (round
            # twenty-four: a CommBank file mapped by its second line's cells lost its first
            # transaction without a word).
            return head, HeaderLayout(delim, index, 1, None, len(raw_cells))
        return head[header_at + 1:], HeaderLayout(delim, index, header_at + 2, header_cells, len(raw_cells))

    def head_records(self, head: str) -> tuple[list[str] | None, list[list[str]], dict[str, int]] | None:
        """The header's cells (``None`` when the mapping named a first record's cells), the records
        below it within ``head`` (the file's first lines; blank ones left out), and the mapped
        fields' positions; None when no header is found or nothing follows it."""
        lines = io.StringIO(head, newline="").readlines()
        found = self._find_header(lines)
        if found is None:
            return None
        at, delim, index = found
        rows = [r for r in csv.reader(lines[at:HEAD_LINES], delimiter=delim) if any(c.strip() for c in r)]
        if not rows:
            return None
        if self._is_a_record(rows[0], index):
            return None, rows, index
        return rows[0], rows[1:], index

    def _date_either_order(self, cell: str) -> bool:
        """Whether ``cell`` is a date in the layout's formats, day and month either way round: a
        headerless file's first line is judged before its whole file settles the order
        (:func:`day_month_order`)."""
        return is_date(cell, self.date_formats + tuple(swap_day_month(f) for f in self.date_formats))

    def _is_a_record(self, cells: list[str], index: dict[str, int]) -> bool:
        """Whether a row found as the header reads as a transaction: its date cell a date and its
        amount a number (no bank's header does)."""
        try:
            self.parse_record(cells, index, 0)
        except (ValueError, KeyError, IndexError):
            return False
        return True

    def records(self, lines: Iterable[str], layout: HeaderLayout) -> Iterator[Row | Reject]:
        """The body's records (``lines`` start right below the header) as rows and rejects."""
        tap = _Tap(lines)
        reader = csv.reader(tap, delimiter=layout.delimiter)
        line_no = layout.first_line
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raw = "".join(tap.taken)
                yield Reject(line_no, f"unreadable CSV: {exc}", raw.rstrip("\r\n"))
                line_no += len(tap.taken)
                tap.taken.clear()
                continue
            text = "".join(tap.taken)
            raw = text.rstrip("\r\n")
            start = line_no
            line_no += len(tap.taken)
            tap.taken.clear()
            item = self.record(cells, layout, start, raw, ended=text != raw)
            if item is not None:
                yield item

    def record(self, cells: list[str], layout: HeaderLayout, line: int, raw: str, *,
               ended: bool = True) -> Row | Reject | None:
        """One parsed record: a row, a reject, or ``None`` for lines that are not transactions.

        ``ended``: whether the record's text ends with a line end (only a file's last one may not:
        a download cut short, :func:`cut_short`)."""
        if not any(c.strip() for c in cells):
            return None
        header_cells, index = layout.header_cells, layout.index
        if (header_cells is not None and len(cells) == len(header_cells)
                and cells[0].strip().lower() == header_cells[0]
                and [normalise_header(c) for c in cells] == header_cells):
            return None  # some banks repeat the header row every page
        if self._is_balance_line(cells, index):
            return None
        cut = None if ended else cut_short(cells, layout, raw)
        if cut is not None:
            return Reject(line, cut, raw)
        extra = too_many_fields(cells, layout) or self.split_amount(cells, layout)
        if extra is not None:
            return Reject(line, extra, raw)
        try:
            row = self.parse_record(cells, index, line)
        except ValueError as exc:
            return Reject(line, str(exc), raw)
        if not ended:
            row.note = self.unended_note(cells, layout, line)
        return row

    def unended_note(self, cells: list[str], layout: HeaderLayout, line: int) -> str | None:
        """What to tell of a file's last record, read whole but with no line end after it, whose
        last field is its amount (Amex's, a generic CSV's without a currency): a download cut
        inside that amount (``11.99`` -> ``11``) leaves a record that reads as well, so the file
        may be cut short. ``None`` when a field follows the amount (a cut would have left fewer)."""
        money = {layout.index[f] for f in ("amount", "debit", "credit", "fee") if f in layout.index}
        last = len(cells) - 1
        if last not in money or not cells[last].strip():
            return None
        return (f"the file does not end with a line end and its last line (line {line}) ends with its amount, "
                f"{cells[last].strip()!r}, read as written: a download cut short inside that amount would read "
                "the same, so compare it with the bank's statement (or download the statement again)")

    def split_amount(self, cells: list[str], layout: HeaderLayout) -> str | None:
        """Why a record whose amount was cut at its thousands separator (or, with a decimal
        comma, at that comma) is rejected, or ``None``.

        An unquoted ``-1,250.00`` in a comma-separated file is two fields, ``-1`` and ``250.00``.
        Where a column after the amount was empty (Chase's Memo, a generic CSV's currency, a
        trailing delimiter) the record has no field past the header, and it was stored as
        ``-1.00`` (the ``250.00`` in the Memo, the currency, the Type) or, between a debit and a
        credit column, as ``+249.00``, without a word. So a money cell of one to three digits
        without decimals followed by a cell of three digits (and decimals) is that cut. Where the
        next column is money of its own (a balance, a fee, an original amount: ``-1`` beside a
        balance of ``250.00`` may be just that) the cut must also show in the column after it,
        holding the balance it moved on (Starling's Spending Category holding ``1492.01``).

        A comma-separated layout with a decimal comma (Rabobank's, ING Netherlands', a mapping's
        ``decimal=comma``) is cut at its decimal comma: an unquoted ``-1.234,56`` is ``-1.234`` and
        ``56``, ``-29,99`` is ``-29`` and ``99``. So a money cell without a comma followed by a cell
        of two digits (the cents; a sign, a currency after them) is that cut; beside a column of
        money of its own (``-29`` and a balance of ``99``) only when the record holds more fields
        than the header, the cut's one. Semicolon- and tab-separated files hold no amount's
        separator: nothing is cut there, and nothing is looked for (the column reader sends such
        rows here: ``fast_csv``).
        """
        if layout.delimiter != "," or self.decimal not in (".", ","):
            return None
        comma = self.decimal == ","
        head_re, tail_re = (_SPLIT_HEAD_COMMA, _SPLIT_TAIL_COMMA) if comma else (_SPLIT_HEAD, _SPLIT_TAIL)
        index = layout.index
        fields = ("amount",) if self.amount is not None and "amount" in index else ("debit", "credit")
        for field in fields:
            pos = index.get(field)
            if pos is None or pos + 1 >= len(cells):
                continue
            head, tail = cells[pos].strip(), cells[pos + 1].strip()
            if not (head_re.fullmatch(head) and tail_re.fullmatch(tail)):
                continue
            if comma:
                if self._money_column(pos + 1, layout) and not (layout.width and len(cells) > layout.width):
                    continue  # "-29" and a balance "99" beside it, unless the record has the cut's field
                return (f"amount {head!r} with {tail!r} after it: {head},{tail} written without quotes, its decimal "
                        "comma read as the comma between columns (a value holding a comma must be quoted)")
            if self._money_column(pos + 1, layout) and not (
                    pos + 2 < len(cells) and _MONEY_WITH_CENTS.fullmatch(cells[pos + 2].strip())
                    and not self._money_column(pos + 2, layout)):
                continue  # "-1" and a balance "250.00" beside it, unless the balance moved on a column
            return (f"amount {head!r} with {tail!r} after it: {head},{tail} written without quotes, its thousands "
                    "separator read as the comma between columns (a value holding a comma must be quoted)")
        return None

    def _money_column(self, pos: int, layout: HeaderLayout) -> bool:
        """Whether the column at ``pos`` holds money of its own beside the amount (a balance, a
        fee, an original amount; a credit beside a debit is no such column: one row fills one of
        the two)."""
        own = ("fee", "original_amount", *(f"balance_{i}" for i in range(1, len(self.balance_columns) + 1)))
        if any(layout.index.get(f) == pos for f in own):
            return True
        names = layout.header_cells
        return bool(names) and pos < len(names) and _BALANCE_NAME.search(names[pos]) is not None

    def _cell(self, cells: list[str], index: dict[str, int], field: str) -> str | None:
        pos = index.get(field)
        if pos is None or pos >= len(cells):
            return None
        return cells[pos].strip()

    def _is_balance_line(self, cells, index) -> bool:
        """A line with no amount whose description, or first cell, says it is a balance
        (Bank of America's "Beginning balance as of ...", comdirect's footer "Alter Kontostand")."""
        if self.balance_columns and not self._cell(cells, index, "date") and not self._cell(cells, index, "amount") \
                and any(self._cell(cells, index, f"balance_{i}") for i in range(1, len(self.balance_columns) + 1)):
            return True
        if not self.balance_lines:
            return False
        amount = self._cell(cells, index, "amount")
        if amount:
            return False
        desc = (self._cell(cells, index, "description") or "").lower()
        first = next((c.strip().lower() for c in cells if c.strip()), "")
        return desc.startswith(self.balance_lines) or first.startswith(self.balance_lines)

    def parse_record(self, cells: list[str], index: dict[str, int], line: int) -> Row:
        """One record to a :class:`Row`; raises ``ValueError`` with a reason for the reject list."""
        needed = max(index[f] for f in self._required()) + 1
        if len(cells) < needed:
            raise ValueError(f"expected at least {needed} columns, found {len(cells)}")
        no_money = self._cell(cells, index, "no_money")
        if no_money is not None and no_money.lower() in self.no_money_values:
            raise ValueError(no_money_reason(no_money, self.no_money_column))
        status = self._cell(cells, index, "status")
        if status is not None and self.accepted_status and status.upper() not in self.accepted_status:
            raise ValueError(status_reason(status))
        when = self._cell(cells, index, "date") or ""
        if self.pending_dates and when.lower() in self.pending_dates:
            raise ValueError(pending_reason(when))
        date = parse_date(when, self.date_formats)
        amount = self._amount(cells, index)
        if status and self.status_words:
            unsettled = unsettled_status(status, amount)
            if unsettled:
                raise ValueError(unsettled)
        description = self._cell(cells, index, "description") or ""
        labelled = None
        if self.labels is not None:
            description, labelled = self.labels.split(description)
        for field in self._join_fields():
            description = " ".join(p for p in (description, self._cell(cells, index, field) or "") if p)
        swapped = bool(self.swapped_kinds) and (self._cell(cells, index, "kind") or "").lower() in self.swapped_kinds
        if (amount > 0) != swapped and "description_in" in index:  # the payer, else (below) the purpose
            description = self._cell(cells, index, "description_in") or ""
        # the id keeps hashing the description as read before the reference was joined to it
        id_description = None
        if "reference" in index or labelled is not None:
            reference = self._cell(cells, index, "reference") if "reference" in index else labelled
            joined = processor_description(description, reference)
            id_description, description = (description if joined != description else None), joined
        if not description and "description_fallback" in index:
            description = self._cell(cells, index, "description_fallback") or ""
        original = self.original_of_cells(cells, index)
        kind = self._cell(cells, index, "kind") if self.own_transfer_kinds else None
        if kind and kind.strip().lower() in self.own_transfer_kinds:
            label = self.own_transfer_label or kind.strip()
            description = f"{label}{OWN_TRANSFER_SEP}{description or (kind.strip() if self.own_transfer_label else '')}"
            if id_description is not None:
                id_description = f"{label}{OWN_TRANSFER_SEP}{id_description}"
        return Row(
            line=line,
            date=date,
            amount=amount,
            description=description,
            account_id=self._cell(cells, index, "account") or None,
            # Amex writes its reference as '320240150123456789' (quotes keep Excel from rounding it).
            transaction_id=(self._cell(cells, index, "transaction_id") or "").strip("'") or None,
            currency=_currency_cell(self._cell(cells, index, "currency")),
            card=self._cell(cells, index, "card") or None,
            id_description=id_description,
            original_amount=(math.copysign(original[0], amount) if original and amount else None),
            original_currency=original[1] if original and amount else None,
            source=(self._cell(cells, index, "source") or None) if "source" in index else None,
            id_from_bank=id_from_bank_of(self._cell(cells, index, "id_from_bank")),
        )

    def original_of_cells(self, cells: list[str], index: dict[str, int]) -> tuple[float, str] | None:
        """The size of the amount the merchant billed and its currency, as the row's original
        columns (:attr:`original_amount`, :attr:`original_currency`) or its details text
        (:attr:`original_details`) give them; ``None`` when they give none. What cannot be read
        there is no original amount, and the row is kept as it is (the bank's own amount)."""
        if "original_requires" in index and not self._cell(cells, index, "original_requires"):
            return None
        if "original_amount" in index and "original_currency" in index:
            return original_from_columns(self._cell(cells, index, "original_amount"),
                                         self._cell(cells, index, "original_currency"), self.decimal)
        if "original_details" in index:
            return original_from_details(self._cell(cells, index, "original_details"))
        return None

    def _amount(self, cells, index) -> float:
        if "amount" in index and self.amount is not None:
            cell = self._cell(cells, index, "amount") or ""
            # "15.49 DR" / "600.00 CR": the mark says the way, whatever the layout's sign convention
            number, way = split_dr_cr(cell) or (cell, 0)
            if self.decimal_example is not None and _EITHER_DECIMAL_RE.fullmatch(number.strip().lstrip("+-")):
                raise ValueError(f"ambiguous amount {cell.strip()!r}: a thousand or a decimal (the file's other "
                                 f"amounts have decimal points, e.g. {self.decimal_example!r}; the bank's layout "
                                 "writes a decimal comma)")
            value = parse_amount(number, decimal=self.decimal)
            if way and value < 0 < way:
                raise ValueError(f"amount {cell.strip()!r} is negative and marked CR (money in): which is it?")
            value = way * abs(value) if way else value * self.sign
        else:
            debit = self._cell(cells, index, "debit") or ""
            credit = self._cell(cells, index, "credit") or ""
            if not debit and not credit:
                raise ValueError("no amount in either the debit or the credit column")
            value = 0.0
            # Some banks (Citi) write credits as negative numbers in the Credit column: use magnitudes.
            if debit:
                value -= abs(parse_amount(debit, decimal=self.decimal))
            if credit:
                value += abs(parse_amount(credit, decimal=self.decimal))
        if "direction" in index:
            marker = (self._cell(cells, index, "direction") or "").lower()
            if marker in self.outflow_markers:
                value = -abs(value)
            elif marker in self.inflow_markers:
                value = abs(value)
            else:
                raise ValueError(self._unknown_marker(marker))
        fee = self._cell(cells, index, "fee")
        if fee:
            value -= abs(parse_amount(fee, decimal=self.decimal))
        return round(value, 10) + 0.0

    def _unknown_marker(self, marker: str) -> str:
        """Why a row's debit/credit marker was not read: the value, its column and what it may say."""
        names = (self.direction,) if isinstance(self.direction, str) else tuple(self.direction or ())
        def shown(markers: tuple[str, ...]) -> str:
            return ", ".join(markers[:5]) + (", ..." if len(markers) > 5 else "")

        what = f"unknown debit/credit marker {marker!r}" if marker else "no debit/credit marker"
        return (f"{what} in column {' / '.join(repr(n) for n in names)} (money out: "
                f"{shown(self.outflow_markers)}; money in: {shown(self.inflow_markers)})")


#: The two fields an unquoted amount cut at its thousands separator makes (``-1,250.00``: ``-1`` and
#: ``250.00``; ``- $1,062.50``: ``- $1`` and ``062.50``; ``1,250``: ``1`` and ``250``), as
#: :meth:`CsvLayout.split_amount` reads them; ``SPLIT_HEAD_RE2`` and ``SPLIT_TAIL_RE2`` are the
#: same for pyarrow (unstripped cells).
_SPLIT_HEAD = re.compile(r"\(?\s*[+\-\u2212]?\s*(?:[A-Z]{2,3}\s*)?[$£€]?\s*[+\-\u2212]?\s*\d{1,3}")
_SPLIT_TAIL = re.compile(r"\d{3}(?:\.\d{1,2})?\)?(?:\s*[DC][Rr]\.?)?")
SPLIT_HEAD_RE2 = r"^\s*\(?\s*[+\-\x{2212}]?\s*(?:[A-Z]{2,3}\s*)?[$£€]?\s*[+\-\x{2212}]?\s*\d{1,3}\s*$"
SPLIT_TAIL_RE2 = r"^\s*\d{3}(?:\.\d{1,2})?\)?(?:\s*[DC][Rr]\.?)?\s*$"
#: The same for an amount with a decimal comma, cut at that comma (``-1.234,56``: ``-1.234`` and
#: ``56``; ``-29,99 €``: ``-29`` and ``99 €``; ``13,49-``: ``13`` and ``49-``).
_SPLIT_HEAD_COMMA = re.compile(r"\(?\s*[+\-\u2212]?\s*(?:[A-Z]{2,3}\s*)?[$£€]?\s*[+\-\u2212]?\s*"
                               r"(?:\d{1,3}(?:[. \u00a0]\d{3})+|\d+)")
_SPLIT_TAIL_COMMA = re.compile(r"\d{2}(?:\s*(?:[$£€]|[A-Z]{3}))?[-\u2212]?\)?")
SPLIT_HEAD_COMMA_RE2 = (r"^\s*\(?\s*[+\-\x{2212}]?\s*(?:[A-Z]{2,3}\s*)?[$£€]?\s*[+\-\x{2212}]?\s*"
                        r"(?:\d{1,3}(?:[. \x{00a0}]\d{3})+|\d+)\s*$")
SPLIT_TAIL_COMMA_RE2 = r"^\s*\d{2}(?:\s*(?:[$£€]|[A-Z]{3}))?[-\x{2212}]?\)?\s*$"
#: A money cell written with cents (a balance moved on by the cut: ``1492.01``).
_MONEY_WITH_CENTS = re.compile(r"[+\-]?[$£€]?\d[\d,]*\.\d{2}")
#: A column's name that says it holds a balance (Bank of America's "Running Bal.", Saldo, Solde).
_BALANCE_NAME = re.compile(r"bal\b|balance|saldo|solde|kontostand|disponible")

#: An amount with a decimal comma (``-16,41``, ``3.414,18``), one with a decimal point
#: (``-16.41``, ``1,234.56``), and one that reads as either (``1.234``, ``-1,234``).
_COMMA_DECIMAL_RE = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d{1,2}-?")
_POINT_DECIMAL_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{1,2}-?")
_EITHER_DECIMAL_RE = re.compile(r"\d{1,3}[.,]\d{3}")
_SPACES_RE = re.compile(r"\s+")


#: How subdetect's CSV export starts a text cell a spreadsheet would read as a formula
#: (``report.safe_cell``): a quote before it.
FORMULA_ESCAPE = re.compile(r"^'([=+\-@\t\r])")


def unescape_formula(cell: str) -> str:
    """A cell of subdetect's CSV export as the store held it: ``'=HYPERLINK(...)`` -> ``=HYPERLINK(...)``."""
    return cell[1:] if cell[:1] == "'" and FORMULA_ESCAPE.match(cell) else cell


def id_from_bank_of(cell: str | None) -> int | None:
    """A canonical CSV's ``id_from_bank`` cell: 1 or 0, ``None`` when empty (the row's id, if it
    has one, is then the bank's); raises ``ValueError`` for anything else."""
    s = (cell or "").strip()
    if not s:
        return None
    if s in ("1", "1.0"):
        return 1
    if s in ("0", "0.0"):
        return 0
    raise ValueError(f"id_from_bank {s!r} is not 0 or 1")


def original_from_columns(amount: str | None, currency: str | None, decimal: str = ".") -> tuple[float, str] | None:
    """An original amount's size and currency code from its two cells, or ``None`` when either is
    empty or unreadable (or the amount is zero)."""
    code = currency_code(currency)
    if not code or not amount:
        return None
    try:
        value = abs(parse_amount(amount, decimal=decimal))
    except ValueError:
        return None
    return (value, code) if value else None


#: Amex's words for a charge made in another currency, in its "Extended Details".
_FOREIGN_SPEND = re.compile(r"foreign spend amount\s*:?\s*([\d.,]+)\s+([A-Za-z][A-Za-z. ]*?)"
                            r"(?=\s+(?:commission|currency exchange|exchange rate)\b|\s*$|\s*[,;|])", re.IGNORECASE)


def original_from_details(text: str | None) -> tuple[float, str] | None:
    """The size and currency code of a "Foreign Spend Amount: 7.18 UNITED STATES DOLLAR" in a
    card statement's details text (American Express), or ``None``.

    >>> original_from_details("Foreign Spend Amount: 7.18 UNITED STATES DOLLAR Commission Amount: 0.16 "
    ...                       "Currency Exchange Rate: 1.3345")
    (7.18, 'USD')
    """
    m = _FOREIGN_SPEND.search(text or "")
    return original_from_columns(m.group(1), m.group(2)) if m else None


#: States of a row that never moved money (Revolut's DECLINED, REVERTED, FAILED, CANCELLED): no
#: later download completes them, so "re-import once it completes" (said of all of them before the
#: round-twenty-four audit) was wrong for them.
NEVER_SETTLED = frozenset({"DECLINED", "REVERTED", "FAILED", "CANCELLED", "CANCELED", "REJECTED"})


#: Words of a state that says the payment is not done yet (Cash App's "WAITING ON RECIPIENT").
PENDING_WORDS = frozenset({"PENDING", "WAITING"})
#: A word (upper case) of any state :func:`unsettled_status` may refuse, for the column reader,
#: which leaves such rows to the row reader (an RE2 pattern).
UNSETTLED_WORDS_RE2 = (r"(?i)\b(?:" + "|".join(sorted(NEVER_SETTLED | PENDING_WORDS | {"REFUNDED", "EXPIRED"}))
                       + r")\b")


def unsettled_status(status: str, amount: float) -> str | None:
    """Why a row whose state (read word by word: :attr:`CsvLayout.status_words`) is no completed
    transaction is not read, or ``None``. ``PAYMENT CANCELED``, ``CARD DECLINED``, ``FAILED``
    moved no money; ``PENDING``, ``WAITING ON RECIPIENT`` not yet; a payment out whose state
    says it was refunded (``PAYMENT REFUNDED``) came back. A refund itself (``CARD REFUNDED`` on
    money in) is a refund, and read as one."""
    words = set(re.findall(r"[A-Z]+", status.upper()))
    never = sorted(words & (NEVER_SETTLED | {"EXPIRED"}))
    if never:
        what = {"FAILED": "failed", "EXPIRED": "expired"}.get(never[0], f"was {never[0].lower()}")
        return f"state {status.strip()}: not a transaction (the payment {what}, no money moved)"
    if words & PENDING_WORDS:
        return f"state {status.strip()}: not a completed transaction (re-import once it completes)"
    if "REFUNDED" in words and amount < 0:
        return (f"state {status.strip()}: not a charge (the payment was refunded: its money came back; a refund "
                "row of its own is read as money in)")
    return None


def status_reason(status: str) -> str:
    """Why a row whose state is not a completed one is not read as a transaction."""
    if status.strip().upper() in NEVER_SETTLED:
        return (f"state {status}: not a transaction (the payment was {status.strip().lower()}, no money "
                f"moved)")
    return f"state {status}: not a completed transaction (re-import once it completes)"


def no_money_reason(value: str, column) -> str:
    """Why a row its wallet says moved no money (PayPal's Balance Impact ``Memo``) is not read."""
    name = column if isinstance(column, str) else (column or ("",))[0]
    return (f"{name} {value.strip()}: not a transaction (an authorisation, a hold or its release; no money "
            "moved)")


def pending_reason(cell: str) -> str:
    """Why a row whose booking date says it is pending (comdirect's ``offen``) is not read."""
    return (f"pending: {cell.strip()!r} where the booking date goes, not a booked transaction (re-import once it "
            "is booked)")


_DELIMITER_NAMES = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


def _currency_cell(cell: str | None) -> str | None:
    """A currency column's cell as its code (:func:`parse_currency`); a cell holding a digit is
    rejected, as every engine rejects it: no currency is written so, and an unquoted ``-1,250.00``
    on a row whose currency was empty moves ``250.00`` into it (it was stored as the currency)."""
    if cell and any(c.isdigit() for c in cell):
        raise ValueError(f"currency {cell!r} is not a currency code (three letters, as USD; a value holding a "
                         "comma must be quoted)")
    return parse_currency(cell)


def too_many_fields(cells: list[str], layout: HeaderLayout) -> str | None:
    """Why a record with more fields than its header is rejected, or ``None`` when it is not.

    An unquoted delimiter inside a value (``BLUE BOTTLE, COFFEE``) shifts every cell after it: an
    Amex row then stored its Card Member as the account and its account number as a +71,003.00
    credit (sixteenth audit). Extra fields that are all empty are no such shift: many exports end
    every row with a delimiter the header lacks (Chase checking's trailing comma).
    """
    width = layout.width
    if width is None or len(cells) <= width or not any(c.strip() for c in cells[width:]):
        return None
    mark = _DELIMITER_NAMES.get(layout.delimiter, repr(layout.delimiter))
    return f"expected {width} columns, found {len(cells)} (a value holding {mark} must be quoted)"


def cut_short(cells: list[str], layout: HeaderLayout, raw: str) -> str | None:
    """Why the file's last record, with no line end after it, is rejected as cut short, or ``None``.

    A download cut off in its last line (``...,Sale,-43.61,`` -> ``...,Sale,-43.6``) leaves a
    record with fewer fields than the header (Chase's Memo and the comma before it gone) or a
    quote left open. Read as it stood, the cut amount was stored (-43.60, or -4.00 for ``-4``)
    without a word, and the whole download of the same months then stored the real one beside
    it (round-49 audit). Fields the header names with nothing (a trailing delimiter) are not
    counted: records need not write them.
    """
    names = layout.header_cells
    width = layout.width if names is None else len(names) - next(
        (i for i, c in enumerate(reversed(names)) if c), len(names))
    if width is not None and len(cells) < width:
        what = f"it has {len(cells)} of the header's {width} fields" if names is not None else \
            f"it has {len(cells)} of a record's {width} fields"
    else:
        try:
            next(csv.reader(io.StringIO(raw, newline=""), delimiter=layout.delimiter, strict=True), None)
            return None
        except csv.Error as exc:
            if "end of data" not in str(exc):
                return None
            what = "a quote in it is never closed"
    return (f"the file ends inside this line ({what} and no line end follows): the download looks cut short; "
            "download the statement again")


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest
