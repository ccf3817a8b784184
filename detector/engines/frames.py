"""The fixed frame shapes every engine agrees on, and the per-account wrapper they all run.

Engines differ only in how they split the accounts; each one calls :func:`detect_frame` on a
group of whole accounts. Giving every engine the same canonical input (same dtypes, same row
order inside an account) and the same output shape is what makes their results identical: a
shuffle in Spark reorders rows, and float sums over reordered rows can differ in the last bit.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import ImportError_
from ..schema import (
    FLAG_COLUMNS,
    LINKED_COLUMN,
    PENDING_COLUMN,
    STREAM_COLUMNS,
    TRANSACTION_COLUMNS,
    SchemaError,
    require_columns,
)
from ..transfers import TRANSFER_COLUMN

#: Columns a step before detection puts on the rows, which canonical frames keep when present: the
#: account a transfer between the input's accounts went to or came from (:mod:`detector.transfers`),
#: and a row's own account while a group of linked accounts is read as one (:mod:`detector.links`).
DERIVED_COLUMNS = (TRANSFER_COLUMN, LINKED_COLUMN)
#: Columns every engine's input must have; the provenance columns are filled in when absent.
REQUIRED_INPUT_COLUMNS = ("transaction_id", "account_id", "date", "amount", "description")

#: Per-account detection: ``detect(tx, as_of, **kw) -> (streams, flags)`` on whole accounts.
DetectFn = Callable[..., tuple[pd.DataFrame, pd.DataFrame]]

FLOAT_COLUMNS = frozenset({"amount", "average_amount", "last_amount", "next_amount", "confidence",
                           "charges_per_year", "original_amount", "last_year_total"})
INT_COLUMNS = frozenset({"source_line", "id_from_bank"})
LIST_COLUMNS = frozenset({"transaction_ids"})

STREAM_ORDER = ("account_id", "stream_id")
FLAG_ORDER = ("account_id", "flag_id")
#: Rows of one day keep their statement order (file, then line), and only then the id: which of
#: two identical same-day charges is the repeat is the one the bank listed second, where opaque
#: ids (Plaid's, hashes) would pick one at random. Rows without a file (Plaid) sort by id.
TX_ORDER = ["account_id", "date", "source_file", "source_line", "transaction_id"]


def column_kind(name: str) -> str:
    """``float``, ``int``, ``list`` or ``str``: the one type a canonical column has everywhere."""
    if name in FLOAT_COLUMNS:
        return "float"
    if name in INT_COLUMNS:
        return "int"
    if name in LIST_COLUMNS:
        return "list"
    return "str"


#: pandas 3 defaults to an Arrow-backed ``str`` dtype: ~5x smaller than Python str objects.
_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3


def _as_text(series: pd.Series) -> pd.Series:
    """Object dtype holding ``str`` or ``None``: the same on pandas 2 and 3, Arrow and SQLite."""
    values = series.astype(object)
    return values.where(series.notna(), None)


def _as_input_text(series: pd.Series) -> pd.Series:
    """Input text columns: pandas' own string dtype on pandas 3 (compact), else object/None.

    Millions of input rows as Python ``str`` objects would cost about 1 GB; outputs are small
    and use :func:`_as_text`.
    """
    if not _PANDAS3:
        return _as_text(series)
    if series.dtype == "str":
        return series
    return series.astype(object).where(series.notna(), None).astype("str")


def _as_list(value) -> list:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return list(json.loads(value))
    return [str(v) for v in value]


def canonical_transactions(tx: pd.DataFrame, *, sort: bool = True, check_values: bool = False) -> pd.DataFrame:
    """Canonical columns only, fixed dtypes, ISO date strings, sorted by account, date, id.

    Raises :class:`~detector.schema.SchemaError` if a required column is missing; optional
    provenance columns (source, source_file, source_line, currency, id_from_bank) are filled in when
    absent. ``id_from_bank`` absent or empty is 1: the input's own ids are taken for the bank's, as a
    statement's own id column is (:mod:`detector.importers`); an export of the store writes 0 for
    ids the bank did not give (subdetect's hashes, Plaid's), which are then never quoted to a vendor.
    ``sort=False`` leaves the rows in their order (a caller then sorts with :func:`sort_rows`).
    ``check_values=True`` (every engine's input) refuses a row leaving a required value empty or
    with a currency that is no code (:func:`_refuse_bad_values`), naming its row as read.
    Rows of one account and day keep their statement order (:data:`TX_ORDER`).
    Every canonical frame also carries :data:`~detector.schema.PENDING_COLUMN` as booleans, false
    where the input has no such column or leaves it empty (:func:`read_pending`).
    """
    require_columns(tx, REQUIRED_INPUT_COLUMNS, "engine input")
    out = {}
    n = len(tx)
    for name in TRANSACTION_COLUMNS:
        if name in tx.columns:
            col = tx[name]
        else:
            col = pd.Series([None] * n, index=tx.index, dtype=object)
        kind = column_kind(name)
        if name == "date":
            out[name] = _as_input_text(_iso_date_text(col, tx["account_id"]))
        elif kind == "float":
            out[name] = _numbers(col, name).astype("float64")
        elif kind == "int":
            out[name] = _numbers(col, name).fillna(1 if name == "id_from_bank" else 0).astype("int64")
        else:
            out[name] = _as_input_text(col)
    out[PENDING_COLUMN] = read_pending(tx)
    for name in DERIVED_COLUMNS:  # (kept where a step before has put it on the rows)
        if name in tx.columns:
            out[name] = _as_text(tx[name])
    frame = pd.DataFrame(out, index=tx.index)
    if check_values:
        _refuse_bad_values(frame)
    return sort_rows(frame, TX_ORDER) if sort else frame.reset_index(drop=True)


def _numbers(col: pd.Series, name: str) -> pd.Series:
    """A numeric column as numbers, an empty or blank text cell as missing (as a CSV's empty
    cell is read): a Parquet file written from text (pandas ``dtype=str``) holds ``""`` or
    ``" "`` for an empty optional value. A cell that is no number raises :class:`SchemaError`
    naming its row (counted from 1), column and value, as :func:`_refuse_bad_values` does (it
    was pandas' bare ``Unable to parse string``, naming neither file nor column: r55 audit)."""
    try:
        return pd.to_numeric(col)
    except (ValueError, TypeError):
        pass
    text = col.astype(object)
    blank = text.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    text = text.mask(blank, None)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = (text.notna() & numbers.isna()).to_numpy()
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        value = str(text.iloc[at])
        raise _bad_value(at, name, value, f"{name} {value!r} is not a number")
    return numbers


#: How a ``pending`` value is read, in any case and without the spaces around it: every engine's
#: input (a Plaid store's 0 and 1, Parquet's booleans, which Spark hands on as text, a CSV's words).
_PENDING_VALUES = {"": False, "0": False, "0.0": False, "false": False, "f": False, "no": False, "n": False,
                   "1": True, "1.0": True, "true": True, "t": True, "yes": True, "y": True}


def read_pending(tx: pd.DataFrame) -> pd.Series:
    """``tx``'s :data:`~detector.schema.PENDING_COLUMN` as booleans: false where it has none or a
    value is missing. A value that says neither (``maybe``, ``2``) raises :class:`SchemaError`
    naming its row (counted from 1), column and value, as :func:`_refuse_bad_values` does."""
    if PENDING_COLUMN not in tx.columns:
        return pd.Series(np.zeros(len(tx), dtype=bool), index=tx.index)
    col = tx[PENDING_COLUMN]
    if pd.api.types.is_bool_dtype(col) and not pd.api.types.is_object_dtype(col):
        return col.fillna(False).astype(bool)
    # each distinct value read once (a million rows hold two or three)
    values = pd.Series(pd.unique(col.dropna()), dtype=object)
    read = {v: _PENDING_VALUES.get(str(v).strip().lower()) for v in values}
    bad = [v for v, got in read.items() if got is None]
    if bad:
        at = int(np.flatnonzero(col.isin(bad).to_numpy())[0])
        value = str(col.iloc[at])
        raise _bad_value(at, PENDING_COLUMN, value,
                         f"pending {value!r} is neither true nor false (true, false, 1, 0, yes, no or empty)")
    return col.map(read).eq(True)


#: Columns every row must fill: a row without one is refused, not dropped on the way (round
#: forty-two audit: an empty amount, date or account dropped the charge silently, exit 0).
FILLED_COLUMNS = ("account_id", "transaction_id", "date", "amount")
#: What a currency cell must be once read (``usd`` and ``$`` are read as USD before this).
_CURRENCY_CODE = r"[A-Z]{3}"


def _refuse_bad_values(frame: pd.DataFrame) -> None:
    """Raise :class:`SchemaError` naming the first row (counted from 1) that leaves a required
    value empty or whose currency is no three-letter code (``250.00``: an unquoted
    ``-1,250.00`` in a row whose currency was empty moved into it). The error carries ``row``,
    ``column`` and ``value`` (the raw text, ``""`` when empty), so a reader of a file names its
    line. Vectorised: a few ``isna`` and one check per distinct currency."""
    first: tuple[int, str, str, str] | None = None
    for name in FILLED_COLUMNS:
        col = frame[name]
        empty = col.isna().to_numpy()
        if column_kind(name) == "str":
            empty = empty | (col.fillna("").astype(str).str.strip() == "").to_numpy()
        if empty.any():
            at = int(np.flatnonzero(empty)[0])
            if first is None or at < first[0]:
                first = (at, name, "", f"empty {name}")
    currency = frame["currency"]
    codes = pd.Series(currency.dropna().unique())
    bad_codes = codes[~codes.astype(str).str.fullmatch(_CURRENCY_CODE)]
    if len(bad_codes):
        hit = currency.isin(set(bad_codes)).to_numpy()
        at = int(np.flatnonzero(hit)[0])
        value = str(currency.iloc[at])
        if first is None or at < first[0]:
            what = f"currency {value!r} is not a currency code (three letters, as USD; a value holding a comma must be quoted)"
            first = (at, "currency", value, what)
    if first is None:
        return
    raise _bad_value(*first)


def _bad_value(at: int, column: str, value: str, what: str) -> SchemaError:
    """The error for row ``at`` (counted from 0) of engine input: ``what`` is wrong with its
    ``column`` value ``value``. It carries ``row`` (from 1), ``column`` and ``value``, so a reader
    of a file names its line."""
    err = SchemaError(f"engine input: row {at + 1}: {what}")
    err.row, err.column, err.value = at + 1, column, value
    return err


#: Date forms engine input may use besides ``yyyy-mm-dd`` (a time after a space or ``T`` is
#: ignored). One form holds for each account: a day-first account is read day-first throughout.
DATE_FORMS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%Y%m%d", "%m-%d-%Y", "%d-%m-%Y")


def _non_iso_dates(text: pd.Series, col: pd.Series, account: pd.Series | None = None) -> pd.Series | None:
    """``text`` with the dates not written ``yyyy-mm-dd`` made so (``06/21/2024 10:30`` ->
    ``2024-06-21``), or None when all are.

    Judged once per distinct date of an account (a time after a space or ``T`` is ignored), in
    one of :data:`DATE_FORMS` for each account: the form all its dates parse in (a ``15/01/2024``
    makes an account day-first). Per account, so every engine reads an account's dates alike,
    whatever else is in its chunk or group. Raises :class:`SchemaError` naming the value and its
    row (counted from 1) when no form reads an account's dates, or when two do and disagree
    (``06/01/2024`` with nothing to tell the order by). Missing dates pass.
    """
    values = pd.Series(text.dropna().unique())
    if values.empty:
        return None
    # (the pattern too: pandas reads "today" and "now" whatever the format)
    iso = (values.astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy()
           & pd.to_datetime(values, format="%Y-%m-%d", errors="coerce").notna().to_numpy())
    if iso.all():
        return None
    todo = text.notna() & ~text.isin(set(values[iso]))
    raw = col[todo].astype(str)
    head_of = raw.str.strip().str.split(r"[ T]", n=1, regex=True).str[0]
    acct_of = (account[todo] if account is not None else pd.Series("", index=raw.index)).astype(str)
    pairs = pd.DataFrame({"acct": acct_of.to_numpy(), "head": head_of.to_numpy()}).drop_duplicates()
    head = pd.Series(pairs["head"].unique())

    def fail(acct: str, h: str, what: str):
        hit = (head_of == h).to_numpy() & (acct_of == acct).to_numpy()
        at = int(np.flatnonzero(todo.to_numpy())[int(np.flatnonzero(hit)[0])])
        value = str(col.iloc[at])
        raise _bad_value(at, "date", value, f"date {value!r} {what}")

    # (digits and separators only: pandas reads "today" and "now" whatever the format)
    shaped = head.str.fullmatch(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{8}")
    iso_in = {}
    for f in DATE_FORMS:
        parsed = pd.to_datetime(head.where(shaped), format=f, errors="coerce")
        iso_in[f] = pd.Series(parsed.dt.strftime("%Y-%m-%d").to_numpy(), index=head.to_numpy())
    of_pair = {f: iso_in[f].reindex(pairs["head"].to_numpy()).to_numpy() for f in DATE_FORMS}
    fits = {f: pd.Series(pd.notna(of_pair[f])).groupby(pairs["acct"].to_numpy()).all() for f in DATE_FORMS}
    fit = pd.DataFrame(fits)  # accounts x forms
    chosen = fit.idxmax(axis=1).where(fit.any(axis=1))
    for acct in chosen.index[chosen.isna()]:
        mine = pairs["acct"].to_numpy() == acct
        best = max(DATE_FORMS, key=lambda f: int(pd.notna(of_pair[f][mine]).sum()))
        h = pairs["head"].to_numpy()[mine][pd.isna(of_pair[best][mine])][0]
        readable = any(pd.notna(iso_in[f].get(h)) for f in DATE_FORMS)
        fail(acct, h, f"is written unlike the account's other dates ({best})" if readable
             else "is not a date (yyyy-mm-dd)")
    form_of = pairs["acct"].map(chosen).to_numpy()
    mapped = np.empty(len(pairs), dtype=object)
    for f in DATE_FORMS:
        mapped[form_of == f] = of_pair[f][form_of == f]
    for g in DATE_FORMS:  # another form reading every date of the account, differently
        also = fit[g].reindex(pairs["acct"]).to_numpy() & (form_of != g)
        differ = also & (of_pair[g] != mapped)
        if differ.any():
            k = int(np.flatnonzero(differ)[0])
            fail(pairs["acct"].iloc[k], pairs["head"].iloc[k],
                 f"reads as {form_of[k]} or {g}; write dates yyyy-mm-dd")
    lookup = pd.Series(mapped, index=pd.MultiIndex.from_frame(pairs[["acct", "head"]]))
    got = lookup.reindex(pd.MultiIndex.from_arrays([acct_of.to_numpy(), head_of.to_numpy()])).to_numpy()
    return text.mask(todo, pd.Series(got, index=raw.index))


def input_error_in_file(exc: SchemaError, path, *, records=None) -> Exception:
    """``exc``, an engine-input error of :func:`canonical_transactions`, as one naming the file
    ``path``: a missing column stays a :class:`SchemaError`; a bad value (``exc.row``, counted
    from 1 in the frame read) becomes an :class:`~detector.errors.ImportError_` naming where
    the row is in the file. ``records`` says which record of the file each row of the frame is
    (counted from 0 as read): an int when the frame's rows are the file's from that record on,
    else one number per row (rows regrouped, as the chunked engine's hash pass does); None when
    the frame is not the file's. A CSV's record is named by its line (:func:`.io.record_line`,
    a record spanning lines counted as they are), a Parquet file's by its row."""
    from .io import is_parquet, record_line

    row = getattr(exc, "row", None)
    if row is None:
        return SchemaError(str(exc).replace("engine input", f"engine input {path}", 1))
    what = str(exc).split(f"row {row}: ", 1)[-1]
    line = None
    if records is not None:
        record = records + row - 1 if isinstance(records, int) else int(records[row - 1])
        if is_parquet(path):
            what += f" (row {record + 1})"
        else:
            line = record_line(path, record)
    return ImportError_(what, path=str(path), line=line)


def _iso_date_text(col: pd.Series, account: pd.Series | None = None) -> pd.Series:
    """A date column as ``yyyy-mm-dd`` text, read the same way by every engine.

    Integers are ``yyyymmdd`` (as Spark reads them; pandas would take them for nanoseconds since
    1970); timestamps with a time zone give their UTC date, as Spark's UTC session does.
    """
    if pd.api.types.is_integer_dtype(col):
        parsed = pd.to_datetime(col.astype("int64").astype(str), format="%Y%m%d", errors="coerce")
        if parsed.isna().any():
            bad = col[parsed.isna()].iloc[0]
            raise SchemaError(f"engine input: date {bad!r} is not a date (integers are read as yyyymmdd)")
        return parsed.dt.strftime("%Y-%m-%d")
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        sliced = col.astype(str).str.slice(0, 10)
        other = _non_iso_dates(sliced.where(col.notna()), col, account)  # ("06/21/2024")
        return sliced if other is None else other.where(col.notna(), sliced)
    stamps = pd.to_datetime(col)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC")
    return stamps.dt.strftime("%Y-%m-%d")


def sort_rows(frame: pd.DataFrame, keys: list[str], *, inplace: bool = False) -> pd.DataFrame:
    """``frame.sort_values(keys, kind="stable").reset_index(drop=True)``, through Arrow when it can.

    Arrow's stable multi-key sort over the text keys takes 0.13 s for 1.2M rows where pandas
    takes 0.9 s (it factorizes each column first). Both order strings by code point and put
    nulls last (pandas' ``na_position="last"``); values Arrow cannot hold take the pandas path,
    so the order is the same either way.

    ``inplace=True`` reorders ``frame``'s own columns one at a time (and returns it): each old
    column is freed as its sorted copy is made, where a sorted copy of the whole frame would hold
    the rows twice (+450 MB at 3M rows, the peak of a scan held in memory).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        table = pa.table({k: pa.array(frame[k], from_pandas=True) for k in keys})
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        table = None
    if table is None:
        order = frame.reset_index(drop=True).sort_values(keys, kind="stable").index.to_numpy()
    elif _in_order(table, keys):
        # a stable sort of rows already in order keeps them as they are; the scan's rows come
        # sorted to every later step (a check is a third of a sort, ~0.08 CPU-s less at 1.2M rows)
        order = None
    else:
        # Arrow puts nulls at the end by default, as pandas does.
        order = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]).to_numpy()
    del table
    if not inplace:
        if order is None or (len(order) and (order[1:] > order[:-1]).all()):  # in order: keep the columns
            return frame.reset_index(drop=True)
        return frame.take(order).reset_index(drop=True)
    frame.index = pd.RangeIndex(len(frame))
    if order is not None and len(order) and not (order[1:] > order[:-1]).all():
        for name in frame.columns:
            col = frame[name]  # a Series on the new index, so assigning it does not realign
            frame[name] = pd.Series(col.array.take(order), index=frame.index, dtype=col.dtype, copy=False)
            del col
    return frame


def _in_order(table, keys: list[str]) -> bool:
    """Whether ``table``'s rows are already in the order of a stable ascending sort by ``keys``
    (Arrow's: values by their order, text by code point, nulls last). Adjacent rows are compared
    a key at a time, the next key read only where the keys before are equal. False (sort them)
    where a key is floating point: its NaNs sort apart from both values and nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    if n < 2:
        return True
    tie = None
    for key in keys:
        col = table.column(key)
        if pa.types.is_floating(col.type) or pa.types.is_dictionary(col.type) or pa.types.is_null(col.type):
            return False
        a, b = col.slice(0, n - 1), col.slice(1)
        a_null, b_null = pc.is_null(a), pc.is_null(b)
        # out of order: a greater value first, or a null before a value (nulls go last)
        after = pc.or_(pc.fill_null(pc.greater(a, b), False), pc.and_(a_null, pc.invert(b_null)))
        same = pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(a_null, b_null))
        if tie is not None:
            after, same = pc.and_(tie, after), pc.and_(tie, same)
        if pc.any(after).as_py():
            return False
        if not pc.any(same).as_py():
            return True
        tie = same
    return True


def conform(df: pd.DataFrame | None, columns: dict[str, str], order: tuple[str, ...]) -> pd.DataFrame:
    """Project a stage's output onto its canonical columns with canonical dtypes and row order.

    Missing columns become nulls; extra columns are dropped so every engine returns the same
    shape. Lists are Python lists of strings (Arrow hands back numpy arrays, JSON gives str).
    """
    if df is None:
        df = pd.DataFrame()
    out = {}
    n = len(df)
    for name in columns:
        col = df[name] if name in df.columns else pd.Series([None] * n, index=df.index, dtype=object)
        kind = column_kind(name)
        if kind == "float":
            out[name] = pd.to_numeric(col).astype("float64")
        elif kind == "list":
            out[name] = pd.Series([_as_list(v) for v in col], index=df.index, dtype=object)
        else:
            out[name] = _as_text(col)
    frame = pd.DataFrame(out, index=df.index, columns=list(columns))
    if n:
        frame = frame.sort_values(list(order), kind="stable")
    return frame.reset_index(drop=True)


def conform_streams(df: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`conform` for STREAM_COLUMNS, ordered by account and stream id."""
    return conform(df, STREAM_COLUMNS, STREAM_ORDER)


def shared_flag_ids(flags: pd.DataFrame) -> str | None:
    """A sentence naming flag ids that two accounts' flags share, or None.

    A flag id hashes the flag's type and transaction id; source ids are unique within an
    account only (``scan`` and ``ingest`` rename ids another account holds, canonical input to
    the engines may not), and two accounts' flags of one id would overwrite each other when
    stored."""
    if flags is None or flags.empty:
        return None
    owners = flags.groupby("flag_id")["account_id"].nunique()
    shared = owners[owners > 1]
    if shared.empty:
        return None
    first = flags[flags["flag_id"] == shared.index[0]]
    return (f"{len(shared)} flag id(s) name charges of two accounts, e.g. transaction id "
            f"{first['transaction_id'].iloc[0]!r} of {', '.join(sorted(map(str, first['account_id'].unique())))}: "
            "transaction ids must be unique across accounts (give them an account prefix)")


def conform_flags(df: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`conform` for FLAG_COLUMNS, ordered by account and flag id."""
    return conform(df, FLAG_COLUMNS, FLAG_ORDER)


def detect_frame(tx: pd.DataFrame, as_of: str, detect: DetectFn, **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ``detect`` on whole accounts after canonicalising input, and conform its output.

    This is the one function both the local and the Spark engine execute.
    """
    canon = canonical_transactions(tx, check_values=True)
    if canon.empty:
        return conform_streams(None), conform_flags(None)
    streams, flags = detect(canon, as_of, **kwargs)
    return conform_streams(streams), conform_flags(flags)


def default_detect() -> DetectFn:
    """The product's per-account function, :func:`detector.pipeline.detect_account`."""
    from ..pipeline import detect_account

    return detect_account
