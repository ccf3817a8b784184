"""Vectorised reading of a CSV statement body (pyarrow + numpy), exactly as the row reader reads it.

The row-by-row reader in ``csv_layout.py`` is the reference: every line keeps its number, every
bad cell its reason. This module gives the same rows, lines and rejects at close to
``pandas.read_csv`` speed by reading the body with pyarrow's CSV parser and parsing columns
instead of cells. It takes only the shortcuts it can prove exact and hands everything else back:

* **Whole files** it cannot line up with physical lines (a quoted field spanning lines, a lone
  ``\\r`` line end, NUL bytes, fields longer than the csv module's limit) return ``None``; the
  caller then uses the row reader for that file.
* **Single lines** the columns do not settle (a date or amount that does not parse, a blank or
  repeated header line, an unknown status or debit/credit marker, a row with a different number
  of cells) go through the row reader's own :meth:`CsvLayout.record` on that line, so rejects
  carry the very same reason and raw text.
* Dates, amounts, currencies and markers are parsed once per *distinct* cell with the reference
  parsers (statements repeat them); only plain decimal amounts skip the parser, through pyarrow's
  correctly rounded cast, which gives the same float.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from hashlib import sha256

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .base import Reject, Row
from .csv_layout import (
    FORMULA_ESCAPE,
    OWN_TRANSFER_SEP,
    PROCESSOR_COUNTERPARTY_RE,
    SPLIT_HEAD_COMMA_RE2,
    SPLIT_HEAD_RE2,
    SPLIT_TAIL_COMMA_RE2,
    SPLIT_TAIL_RE2,
    UNSETTLED_WORDS_RE2,
    CsvLayout,
    HeaderLayout,
    id_from_bank_of,
    processor_description,
)
from .parsing import _parse_amount, _parse_date, parse_currency

#: Strings are large_string throughout: what pandas' ``str`` dtype holds, so no cast at the end.
STR = pa.large_string()
_PLAIN_AMOUNT = {".": r"^-?\d+(\.\d+)?$", ",": r"^-?\d+(,\d+)?$"}
# Plain amounts under 1e5 with at most 10 decimals: round(x, 10) gives x back (x is within 2^-37 of
# the written decimal), so the row reader's rounding need not be repeated for them.
_ROUND_EXACT = {".": r"^-?\d{1,5}(\.\d{1,10})?$", ",": r"^-?\d{1,5}(,\d{1,10})?$"}


@dataclass
class Parsed:
    """The accepted rows of a statement body as columns in file order, plus its rejects."""

    line: np.ndarray  # int64, 1-based physical line
    date: pa.Array  # ISO strings
    amount: np.ndarray  # float64, canonical sign
    description: pa.Array
    account: pa.Array  # str or null (then the file's / caller's account)
    transaction_id: pa.Array  # str or null (then a stable hash)
    currency: pa.Array  # str or null (then the layout's currency)
    rejects: list[Reject]
    #: Rows plus rejects: what the row reader yields for this body (blank/header lines excluded).
    items: int
    #: Codes of equal dates / equal amounts and the distinct values, when already known.
    date_groups: tuple[np.ndarray, pa.Array] | None = None
    amount_groups: tuple[np.ndarray, np.ndarray] | None = None
    #: Per row, codes into the distinct accounts / currencies as read (``None`` = not in the row).
    account_groups: tuple[np.ndarray, list] | None = None
    currency_groups: tuple[np.ndarray, list] | None = None
    #: The card each row names (``CsvLayout.card_column``), ``None`` without that column.
    card: pa.Array | None = None
    #: The layout copy that read the dates, when the body's dates read only day/month swapped.
    date_layout: CsvLayout | None = None
    #: The description each row's hashed id is made of, when some row's is not ``description``
    #: (``Row.id_description``: a processor's counterparty before its reference was joined).
    id_description: pa.Array | None = None
    #: Per row, the size of the amount the merchant billed signed as ``amount``, and its currency
    #: (``Row.original_amount``); ``None`` for a layout that reads none.
    original_amount: pa.Array | None = None
    original_currency: pa.Array | None = None
    #: Per row, what a canonical CSV says of it (``Row.source``, ``Row.id_from_bank``: ``""`` /
    #: null where it says nothing); ``None`` for a layout without those columns.
    source: pa.Array | None = None
    id_from_bank: pa.Array | None = None
    #: What the row reader said of a row (``Row.note``: a last line with no line end).
    notes: list[str] = dataclasses.field(default_factory=list)


def body_offset(lines: list[str], hl: HeaderLayout) -> int:
    """Characters of ``lines`` (the file's head) above the body."""
    return sum(len(line) for line in lines[:hl.first_line - 1])


def _column_count(data: bytes, start: int, delimiter: str) -> int | None:
    """Cells in the first non-blank line of the body (the row shape pyarrow is told to expect)."""
    pos = start
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        line = data[pos:end].decode("utf-8")
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if any(c.strip() for c in cells):
            return len(cells)
        pos = end
    return None


def _read_table(body: pa.Buffer, delimiter: str, ncols: int, threads: bool) -> tuple[pa.Table, list]:
    bad: list = []

    def invalid(row) -> str:
        bad.append(row.number)
        return "skip"

    names = [f"c{i}" for i in range(ncols)]
    table = pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=threads),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                                         newlines_in_values=True, invalid_row_handler=invalid),
        convert_options=pacsv.ConvertOptions(column_types={n: STR for n in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    return table, bad


def encode(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes and distinct values of ``arr`` (values in order of first appearance)."""
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        if enc.num_chunks == 0:
            return np.zeros(0, dtype=np.int32), pa.array([], arr.type)
        enc = enc.combine_chunks()  # the chunks share one dictionary
    return enc.indices.to_numpy(zero_copy_only=False), enc.dictionary


def as_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array."""
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _distinct(arr: pa.Array, fn, type_=STR) -> pa.Array:
    """``fn`` applied once per distinct value of ``arr`` (statements repeat their cells)."""
    codes, uniq = encode(arr)
    values = pa.array([fn(v) for v in uniq.to_pylist()], type=type_)
    return values.take(pa.array(codes))


def _parse_dates(cells: pa.Array, formats: tuple[str, ...]) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """ISO dates (null where the reference parser refuses the cell), their group codes and values."""
    def one(s):
        try:
            return _parse_date(s, formats)
        except ValueError:
            return None
    idx, uniq = encode(cells)
    iso = [one(v.strip()) for v in uniq.to_pylist()]
    codes, values = pd.factorize(pd.Series(iso, dtype=object))
    return pa.array(iso, STR).take(pa.array(idx)), codes[idx], pa.array(values, STR)


def _parse_amounts(cells: pa.Array, decimal: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, a parsed-ok mask and a cell-not-blank mask per row (cells as written, unstripped)."""
    idx, values, ok, _ = _parse_amounts_distinct(cells, decimal)
    filled = pc.not_equal(pc.utf8_trim_whitespace(encode(cells)[1]), "").to_numpy(zero_copy_only=False)
    return values[idx], ok[idx], filled[idx]


def _parse_amounts_distinct(cells: pa.Array, decimal: str
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Codes, and per distinct cell its value, whether the reference parser reads it, and whether
    rounding to 10 decimals leaves the value as it is."""
    idx, uniq = encode(cells)
    uniq = pc.utf8_trim_whitespace(uniq)  # the row reader strips cells; once per distinct cell here
    values = np.zeros(len(uniq), dtype=np.float64)
    ok = np.zeros(len(uniq), dtype=bool)
    plain = pc.match_substring_regex(uniq, _PLAIN_AMOUNT[decimal]).to_numpy(zero_copy_only=False)
    if plain.any():
        numbers = uniq.filter(pa.array(plain))
        if decimal == ",":
            numbers = pc.replace_substring(numbers, ",", ".")
        # pyarrow's cast rounds correctly, as float(Decimal(text)) does; + 0.0 makes "-0" 0.0.
        values[plain] = pc.cast(numbers, pa.float64()).to_numpy() + 0.0
        ok[plain] = True
    strings = uniq.to_pylist()
    for i in np.flatnonzero(~plain):
        try:
            values[i] = _parse_amount(strings[i], decimal)
            ok[i] = True
        except ValueError:
            pass
    exact = pc.match_substring_regex(uniq, _ROUND_EXACT[decimal]).to_numpy(zero_copy_only=False)
    return idx, values, ok, exact


def _python_round(values: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """``round(v, 10) + 0.0`` per value, as the row reader does (numpy's round differs in last bits).

    Also returns codes of equal results and the distinct results.
    """
    codes, uniq = pd.factorize(values)
    return _round_distinct(uniq, codes)


def _round_distinct(uniq: np.ndarray, codes: np.ndarray, exact: np.ndarray | None = None
                    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    rounded = uniq + 0.0
    for i in range(len(uniq)) if exact is None else np.flatnonzero(~exact):
        rounded[i] = round(float(uniq[i]), 10) + 0.0
    groups, distinct = pd.factorize(rounded)  # "1.5" and "1.50" are one amount
    row_groups = groups[codes]
    return distinct[row_groups], (row_groups, distinct)


def _distinct_text(cells: pa.ChunkedArray | None, n: int, fn) -> tuple[pa.Array, tuple[np.ndarray, list]]:
    """``fn`` of each cell (``None`` for a missing column), and the codes and distinct results."""
    if cells is None:
        return pa.nulls(n, STR), (np.zeros(n, dtype=np.int64), [None])
    idx, uniq = encode(cells)
    values = [fn(v) for v in uniq.to_pylist()]
    return pa.array(values, STR).take(pa.array(idx)), (idx, values)


def _null_if_empty(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, STR), arr)


def filled(values: pa.Array, groups: tuple[np.ndarray, list] | None, default: str
            ) -> tuple[pa.Array, tuple[np.ndarray, list]]:
    """``values`` with nulls replaced by ``default``; codes and distinct values in order of first use."""
    if groups is None:
        codes, uniq = encode(pc.fill_null(values, default))
        uniq = uniq.to_pylist()
        return pa.array(uniq, STR).take(pa.array(codes)), (codes, uniq)
    codes, uniq = groups
    merged, distinct = pd.factorize(pd.Series([default if v is None else v for v in uniq], dtype=object))
    row_codes = merged[codes]
    return pa.array(list(distinct), STR).take(pa.array(row_codes)), (row_codes, list(distinct))


_DIGEST = type(sha256()).digest
_HEX = np.array([f"{i:02x}".encode() for i in range(256)]).view(np.uint16)  # byte -> two hex digits


def stable_ids(keys: pa.Array) -> pa.Array:
    """``stable_id`` of each already-joined key: the first 16 hex digits of its sha256.

    One sha256 per row is the floor (~0.5 us); the rest stays in C: the keys are split out of one
    buffer and the digests turned to hex with numpy.
    """
    n = len(keys)
    newline = pa.scalar("\n", STR)
    ended = pc.binary_join_element_wise(keys, pa.scalar("", STR), newline)  # each key + "\n"
    if isinstance(ended, pa.ChunkedArray):
        ended = ended.combine_chunks()
    offsets = np.frombuffer(ended.buffers()[1], dtype=np.int64)[ended.offset:ended.offset + n + 1]
    parts = ended.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]].split(b"\n")
    parts.pop()
    if len(parts) != n:  # a key holding a line break (an unterminated quote on the last line)
        return pa.array([sha256(k.encode("utf-8")).hexdigest()[:16] for k in keys.to_pylist()], STR)
    digests = np.frombuffer(b"".join(map(_DIGEST, map(sha256, parts))), dtype=np.uint8).reshape(n, 32)
    hexed = _HEX[digests[:, :8]].tobytes()
    bounds = pa.py_buffer((np.arange(n + 1, dtype=np.int64) * 16).tobytes())
    return pa.Array.from_buffers(STR, n, [None, bounds, pa.py_buffer(hexed)])


def read_body(layout: CsvLayout, data: bytes, hl: HeaderLayout, start: int = 0, *,
              date_order: bool = False) -> Parsed | None:
    """Read a statement body (UTF-8 ``data`` from byte ``start``, right below the header) into columns.

    Returns ``None`` when the file cannot be read exactly this way (see the module docstring);
    the caller then uses the row reader. Line numbers start at ``hl.first_line``. ``date_order``:
    the body is the whole file's, and its dates settle the order of day and month
    (:meth:`CsvLayout.with_date_order`, as the row reader does); a block of a stream leaves it
    to the caller, who decided for the whole file.
    """
    try:
        return _read_body(layout, data, hl, start, date_order)
    except pa.ArrowException:  # pyarrow refusing some input is a reason to read it row by row
        return None


def _line_starts(data: bytes, start: int) -> np.ndarray:
    """Byte offset of each physical line of the body."""
    nl = np.flatnonzero(np.frombuffer(data, dtype=np.uint8, offset=start) == 10)
    return start + np.concatenate(([0], nl + 1))


def _bad_line_cells(data: bytes, start: int, bad: list, delimiter: str) -> list[list[str]]:
    """The cells of the body lines pyarrow skipped (1-based row numbers ``bad``), read as the csv module does."""
    starts = _line_starts(data, start)
    out = []
    for b in bad:
        k = b - 1
        end = starts[k + 1] if k + 1 < len(starts) else len(data)
        out.append(next(csv.reader([data[starts[k]:end].decode("utf-8")], delimiter=delimiter), []))
    return out


def _read_body(layout: CsvLayout, data: bytes, hl: HeaderLayout, start: int, date_order: bool) -> Parsed | None:
    if layout.decimal_example is not None:
        return None  # decimals the file's cells settled: its cells that read either way are judged row by row
    if layout.block_marker is not None and data.find(b"\n" + layout.block_marker, start) >= 0:
        return None  # another account's block follows, with its own header (CsvLayout.block_marker)
    if data.find(b"\x00", start) >= 0 or (data.find(b"\r", start) >= 0
                                           and data.count(b"\r", start) != data.count(b"\r\n", start)):
        return None
    try:
        ncols = _column_count(data, start, hl.delimiter)
    except (UnicodeDecodeError, csv.Error):
        return None
    index = hl.index
    if ncols is None or ncols <= max(index[f] for f in layout._required()):
        return None
    if layout.balance_lines and "amount" not in index:
        return None
    n_lines = data.count(b"\n", start) + (0 if data.endswith(b"\n") else 1)
    body = pa.py_buffer(data).slice(start)  # no copy of a large file
    try:
        table, bad = _read_table(body, hl.delimiter, ncols, threads=True)
        if bad:  # only the single-threaded reader numbers the rows it skips
            table, bad = _read_table(body, hl.delimiter, ncols, threads=False)
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows + len(bad) != n_lines or any(b is None for b in bad):
        return None  # a record spans lines: rows and physical lines no longer match
    cols = [table.column(i) for i in range(ncols)]
    limit = csv.field_size_limit()
    for col in cols:
        # Rows == lines, so only an unterminated quote on the last line can hold a line end.
        if len(col) and ("\n" in (col[len(col) - 1].as_py() or "")
                         or pc.max(pc.binary_length(col)).as_py() > limit):
            return None
    if "escaped_by" in hl.index:  # subdetect's own export: its formula-safe cells as stored
        cols = [pc.replace_substring_regex(col, FORMULA_ESCAPE.pattern, r"\1") for col in cols]

    if bad:
        keep = np.ones(n_lines, dtype=bool)
        keep[np.asarray(bad, dtype=np.int64) - 1] = False
        lines = hl.first_line + np.flatnonzero(keep)
    else:
        lines = hl.first_line + np.arange(n_lines, dtype=np.int64)

    def raw(field: str) -> pa.ChunkedArray | None:
        pos = index.get(field)
        return None if pos is None or pos >= ncols else cols[pos]

    def cell(field: str) -> pa.Array | None:
        """The stripped cells (fields parsed per distinct value use ``raw`` and strip those)."""
        col = raw(field)
        return None if col is None else pc.utf8_trim_whitespace(col)

    n = table.num_rows
    ok = np.ones(n, dtype=bool)
    if n and not data.endswith((b"\n", b"\r")) and lines[-1] == hl.first_line + n_lines - 1:
        ok[-1] = False  # the last line has no line end: the row reader judges it (csv_layout.cut_short)
    if hl.width is not None and ncols > hl.width:
        # fields past the header's: empty ones are a trailing delimiter; a filled one is a value
        # shifted by an unquoted delimiter, which the row reader rejects (csv_layout.too_many_fields)
        for col in cols[hl.width:]:
            ok &= ~pc.not_equal(pc.utf8_trim_whitespace(col), "").to_numpy(zero_copy_only=False)
    if hl.delimiter == "," and layout.decimal in (".", ","):
        # an unquoted amount cut at its thousands separator ("-1" then "250.00"), or at its decimal
        # comma ("-29" then "99"): the row reader decides whether it is one (CsvLayout.split_amount),
        # and says why
        money = ("amount",) if layout.amount is not None and "amount" in index else ("debit", "credit")
        head_re, tail_re = ((SPLIT_HEAD_RE2, SPLIT_TAIL_RE2) if layout.decimal == "."
                            else (SPLIT_HEAD_COMMA_RE2, SPLIT_TAIL_COMMA_RE2))
        for f in money:
            pos = index.get(f)
            # (a cut's first part has no decimal separator: most files' every amount has one, and
            # a substring search costs a fifth of the pattern)
            if pos is not None and pos + 1 < ncols and not pc.all(pc.match_substring(cols[pos], layout.decimal)).as_py():
                cut = pc.and_(pc.match_substring_regex(cols[pos], head_re),
                              pc.match_substring_regex(cols[pos + 1], tail_re))
                ok &= ~cut.to_numpy(zero_copy_only=False)
    status = raw("status")
    if status is not None and layout.accepted_status:
        accepted = _distinct(status, lambda s: s.strip().upper() in layout.accepted_status, pa.bool_())
        ok &= accepted.to_numpy(zero_copy_only=False)
    if status is not None and layout.status_words:  # (the row reader says why, line by line)
        ok &= ~pc.fill_null(pc.match_substring_regex(status, UNSETTLED_WORDS_RE2), False).to_numpy(zero_copy_only=False)
    no_money = raw("no_money")
    if no_money is not None and layout.no_money_values:  # (the row reader says why, line by line)
        moved = _distinct(no_money, lambda s: s.strip().lower() not in layout.no_money_values, pa.bool_())
        ok &= moved.to_numpy(zero_copy_only=False)
    dates, date_codes, date_values = _parse_dates(raw("date"), tuple(layout.date_formats))
    date_layout = None
    if date_order and ((date_codes < 0).any() or bad or layout.date_order_open):
        # Only a file some of whose dates the layout's order cannot read may read the other way:
        # the same cells as the row reader looks at (every record's date cell), once each.
        pos = index["date"]
        try:
            extra = [c[pos] for c in _bad_line_cells(data, start, bad, hl.delimiter) if pos < len(c)]
        except (UnicodeDecodeError, csv.Error):
            return None
        cells = encode(raw("date"))[1].to_pylist() + extra
        other = layout.with_date_order(cells)
        if other is not layout:
            layout = date_layout = other
            dates, date_codes, date_values = _parse_dates(raw("date"), tuple(layout.date_formats))
    ok &= date_codes >= 0
    simple = "direction" not in index and raw("fee") is None
    if "amount" in index and layout.amount is not None:
        idx, values, good, exact = _parse_amounts_distinct(raw("amount"), layout.decimal)
        ok &= good[idx]
        if simple:  # round once per distinct amount
            value, amount_groups = _round_distinct(values * layout.sign, idx, exact)
        else:
            value = values[idx] * layout.sign
    else:
        value = np.zeros(n, dtype=np.float64)
        debit, credit = raw("debit"), raw("credit")
        has_debit = has_credit = np.zeros(n, dtype=bool)
        if debit is not None:
            d, good, has_debit = _parse_amounts(debit, layout.decimal)
            ok &= ~has_debit | good
            value = np.where(has_debit, 0.0 - np.abs(d), value)
        if credit is not None:
            c, good, has_credit = _parse_amounts(credit, layout.decimal)
            ok &= ~has_credit | good
            value = np.where(has_credit, value + np.abs(c), value)
        ok &= has_debit | has_credit
    if "direction" in index:
        direction = raw("direction")
        if direction is None:
            ok[:] = False
        else:
            marker = _distinct(direction, lambda s: 1 if s.strip().lower() in layout.outflow_markers else
                               (2 if s.strip().lower() in layout.inflow_markers else 0), pa.int8())
            marker = marker.to_numpy(zero_copy_only=False)
            ok &= marker > 0
            value = np.where(marker == 1, -np.abs(value), np.where(marker == 2, np.abs(value), value))
    fee = raw("fee")
    if fee is not None:
        f, good, has_fee = _parse_amounts(fee, layout.decimal)
        ok &= ~has_fee | good
        value = np.where(has_fee, value - np.abs(f), value)
    if not (simple and "amount" in index and layout.amount is not None):
        value, amount_groups = _python_round(np.where(ok, value, 0.0))

    description = cell("description")
    labelled = None  # the purpose a labelled description cell names (csv_layout.LabelledText)
    if layout.labels is not None:
        codes, uniq = encode(description)
        parts = [layout.labels.split(v) for v in uniq.to_pylist()]
        take = pa.array(codes)
        description = pa.array([p[0] for p in parts], STR).take(take)
        labelled = pa.array([p[1] for p in parts], STR).take(take)
    for field in layout._join_fields():
        more = cell(field)
        if more is not None:  # "a b", or the one of the two that is filled
            both = pc.binary_join_element_wise(description, more, pa.scalar(" ", STR))
            description = pc.if_else(pc.equal(more, ""), description,
                                     pc.if_else(pc.equal(description, ""), more, both))
    payer = cell("description_in")
    if payer is not None:  # money in: the payer is the counterparty (DKB's Zahlungspflichtige*r)
        incoming = np.asarray(value) > 0
        kinds = cell("kind") if layout.swapped_kinds else None
        if kinds is not None:  # (Venmo's Charge names them the other way round)
            swapped = pc.fill_null(pc.is_in(pc.utf8_lower(kinds), value_set=pa.array(list(layout.swapped_kinds), STR)),
                                   False).to_numpy(zero_copy_only=False)
            incoming = incoming != swapped
        description = pc.if_else(pa.array(incoming), payer, description)
    reference = cell("reference")
    if reference is None and labelled is not None:
        reference = labelled
    plain = joined = None  # the description before the reference was joined, and where it was
    if reference is not None:  # a payment processor's counterparty names the merchant in its reference
        via = pc.fill_null(pc.match_substring_regex(description, PROCESSOR_COUNTERPARTY_RE.pattern,
                                                    ignore_case=True), False)
        at = np.flatnonzero(np.asarray(via, dtype=bool))
        if len(at):
            texts = description.to_pylist()
            refs = reference.to_pylist()
            changed = np.zeros(n, dtype=bool)
            for i in at:
                text = processor_description(texts[i], refs[i])
                changed[i] = text != texts[i]
                texts[i] = text
            if changed.any():
                plain, joined = description, pa.array(changed)
                description = pa.array(texts, STR)
    fallback = cell("description_fallback")
    if fallback is not None:
        description = pc.if_else(pc.equal(description, ""), fallback, description)
    kind = cell("kind") if layout.own_transfer_kinds else None
    if kind is not None:
        own = pc.fill_null(pc.is_in(pc.utf8_lower(kind), value_set=pa.array(list(layout.own_transfer_kinds), STR)),
                           False)
        label = kind if layout.own_transfer_label is None else pa.array([layout.own_transfer_label] * n, STR)
        # (a labelled row with no description names its kind: "Own transfer: Deposits")
        told = description if layout.own_transfer_label is None else pc.if_else(pc.equal(description, ""), kind,
                                                                                description)
        labelled = pc.binary_join_element_wise(label, told, pa.scalar(OWN_TRANSFER_SEP, STR))
        description = pc.if_else(own, labelled, description)
        if plain is not None:
            plain = pc.if_else(own, pc.binary_join_element_wise(label, plain, pa.scalar(OWN_TRANSFER_SEP, STR)), plain)
    # a joined row's id hashes the description as read before (Row.id_description), the others' theirs
    id_description = None if plain is None else pc.if_else(joined, plain, description)
    account, account_groups = _distinct_text(raw("account"), n, lambda s: s.strip() or None)
    tx_id = cell("transaction_id")
    # Amex writes its reference as '320240150123456789' (quotes keep Excel from rounding it).
    tx_id = pa.nulls(n, STR) if tx_id is None else _null_if_empty(pc.utf8_trim(tx_id, "'"))
    currency, currency_groups = _distinct_text(raw("currency"), n, parse_currency)
    if raw("currency") is not None:  # a number where the currency goes (the row reader rejects it)
        codes, values = currency_groups
        numbers = np.array([v is not None and any(c.isdigit() for c in v) for v in values], dtype=bool)
        if numbers.any():
            ok &= ~numbers[codes]
    card = None if raw("card") is None else _distinct_text(raw("card"), n, lambda s: s.strip() or None)[0]
    original = _original_columns(layout, raw, value)
    # what a canonical CSV says of each row: its source and whether its id is the bank's
    if "source" in index:
        original["source"] = as_array(cell("source"))
    if raw("id_from_bank") is not None:
        bank = _distinct(raw("id_from_bank"), _bank_cell, pa.int64())
        ok &= pc.fill_null(pc.not_equal(bank, -1), True).to_numpy(zero_copy_only=False)
        original["id_from_bank"] = as_array(bank)

    slow = np.flatnonzero(~ok)
    if not len(slow) and not bad:
        return Parsed(lines, dates, value, description, account, tx_id, currency, [], n,
                      (date_codes, date_values), amount_groups, account_groups, currency_groups,
                      card=card, date_layout=date_layout, id_description=id_description, **original)
    out = _merge_slow(layout, data, start, hl, lines, ok, slow, bad,
                      Parsed(lines, dates, value, description, account, tx_id, currency, [], n, card=card,
                             id_description=id_description, **original))
    if out is not None:
        out.date_layout = date_layout
    return out


def _bank_cell(cell: str) -> int | None:
    """:func:`~.csv_layout.id_from_bank_of` of one cell, -1 where it refuses the cell (the row reader says why)."""
    try:
        return id_from_bank_of(cell)
    except ValueError:
        return -1


def _original_columns(layout: CsvLayout, raw, value: np.ndarray) -> dict[str, pa.Array]:
    """``original_amount`` / ``original_currency`` of every row as :meth:`CsvLayout.original_of_cells`
    reads them (each distinct cell parsed once), signed as the row's amount; none for a layout
    without those columns."""
    from .csv_layout import original_from_columns, original_from_details

    amount, code = raw("original_amount"), raw("original_currency")
    details = raw("original_details")
    # each distinct cell read once, as the row reader reads it
    if amount is not None and code is not None:
        size = _distinct(amount, lambda a: (original_from_columns(a, "USD", layout.decimal) or (None,))[0],
                         pa.float64())
        codes = _distinct(code, lambda c: (original_from_columns("1", c) or (None, None))[1])
    elif details is not None:
        size = _distinct(details, lambda t: (original_from_details(t) or (None,))[0], pa.float64())
        codes = _distinct(details, lambda t: (original_from_details(t) or (None, None))[1])
    else:
        return {}
    good = pc.is_valid(size).to_numpy(zero_copy_only=False) & pc.is_valid(codes).to_numpy(zero_copy_only=False)
    size = pc.fill_null(size, 0.0).to_numpy(zero_copy_only=False)
    need = raw("original_requires")
    if need is not None:
        good &= pc.not_equal(pc.utf8_trim_whitespace(need), "").to_numpy(zero_copy_only=False)
    good &= value != 0
    signed = np.copysign(np.where(good, size, 0.0), value)
    return {"original_amount": pa.array(signed, pa.float64(), mask=~good),
            "original_currency": pc.if_else(pa.array(good), codes, pa.scalar(None, STR))}


def _merge_slow(layout: CsvLayout, data: bytes, start: int, hl: HeaderLayout, lines: np.ndarray, ok: np.ndarray,
                slow: np.ndarray, bad: list, fast: Parsed) -> Parsed | None:
    """Read the lines the columns did not settle with the row reader; merge them in line order."""
    starts = _line_starts(data, start)
    slow_lines = np.sort(np.concatenate((lines[slow], hl.first_line - 1 + np.asarray(bad, dtype=np.int64))))
    rows: list[Row] = []
    rejects: list[Reject] = []
    notes: list[str] = []
    for line_no in slow_lines.tolist():
        k = line_no - hl.first_line
        end = starts[k + 1] if k + 1 < len(starts) else len(data)
        try:
            text = data[starts[k]:end].decode("utf-8")
            cells = next(csv.reader([text], delimiter=hl.delimiter), [])
        except (UnicodeDecodeError, csv.Error):
            return None
        item = layout.record(cells, hl, line_no, text.rstrip("\r\n"), ended=text.endswith(("\n", "\r")))
        if isinstance(item, Row):
            rows.append(item)
            if item.note:
                notes.append(item.note)
        elif isinstance(item, Reject):
            rejects.append(item)
    keep = pa.array(ok)
    # each column: the fast rows' values kept, and the slow rows' as the row reader read them
    parts: dict[str, tuple] = {
        "line": (fast.line[ok], np.array([r.line for r in rows], dtype=np.int64)),
        "date": (as_array(fast.date).filter(keep), pa.array([r.date for r in rows], STR)),
        "amount": (fast.amount[ok], np.array([r.amount for r in rows], dtype=np.float64)),
        "description": (as_array(fast.description).filter(keep), pa.array([r.description for r in rows], STR)),
        "account": (as_array(fast.account).filter(keep), pa.array([r.account_id for r in rows], STR)),
        "transaction_id": (as_array(fast.transaction_id).filter(keep), pa.array([r.transaction_id for r in rows], STR)),
        "currency": (as_array(fast.currency).filter(keep), pa.array([r.currency for r in rows], STR)),
    }
    if fast.card is not None:
        parts["card"] = (as_array(fast.card).filter(keep), pa.array([r.card for r in rows], STR))
    if fast.id_description is not None or any(r.id_description is not None for r in rows):
        ids_of = as_array(fast.description if fast.id_description is None else fast.id_description)
        parts["id_description"] = (ids_of.filter(keep), pa.array([r.id_description or r.description for r in rows], STR))
    if fast.original_amount is not None:
        parts["original_amount"] = (as_array(fast.original_amount).filter(keep),
                                    pa.array([r.original_amount for r in rows], pa.float64()))
        parts["original_currency"] = (as_array(fast.original_currency).filter(keep),
                                      pa.array([r.original_currency for r in rows], STR))
    if fast.source is not None:
        parts["source"] = (as_array(fast.source).filter(keep), pa.array([r.source or "" for r in rows], STR))
    if fast.id_from_bank is not None:
        parts["id_from_bank"] = (as_array(fast.id_from_bank).filter(keep),
                                 pa.array([r.id_from_bank for r in rows], pa.int64()))
    line = np.concatenate(parts["line"])
    order = np.argsort(line, kind="stable")
    taker = pa.array(order)

    def cat(pair):
        a, b = pair
        if isinstance(a, np.ndarray):
            return np.concatenate((a, b))[order]
        return pa.concat_arrays([a, b]).take(taker)

    cols = {name: cat(pair) for name, pair in parts.items()}
    return Parsed(cols.pop("line"), cols.pop("date"), cols.pop("amount"), cols.pop("description"),
                  cols.pop("account"), cols.pop("transaction_id"), cols.pop("currency"),
                  rejects=rejects, items=len(line) + len(rejects), notes=notes, **cols)
