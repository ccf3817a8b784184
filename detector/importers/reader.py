"""Read one statement file into canonical transactions: :func:`read_statement`, :func:`iter_statement_chunks`.

Whatever the layout, rows come out with exactly :data:`~detector.schema.TRANSACTION_COLUMNS`:
the source's own transaction id where it has one, else a stable hash of account, date, amount,
description and the row's occurrence among identical rows in the file (so re-importing adds
nothing, while two genuine identical charges on one day are both kept).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from hashlib import blake2b
from itertools import islice

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ConfigError, EmptyStatement, ImportError_, UnrecognisedFormat
from ..ids import stable_id
from ..schema import TRANSACTION_COLUMNS, empty_transactions
from .base import (
    HEAD_LINES,
    Importer,
    Loaded,
    Reject,
    Row,
    choose_importer,
    file_country,
    head_of,
    load_statement,
    read_text,
)
from .csv_banks import MappedCsv, csv_importers, parse_columns
from .csv_layout import CsvLayout, HeaderLayout, swap_day_month
from .currency import date_order_hint, settle_currency, settle_named_currency_column
from .decoding import stray_bytes_note, stream_decoding
from .fast_csv import STR, Parsed, body_offset, encode, filled, read_body, stable_ids
from .naming import account_from_filename, card_account
from .ofx import OfxImporter
from .parsing import NOT_ONE_LINE_RE2, binary_kind, one_line
from .santander_txt import SantanderTxt


def all_importers() -> list[Importer]:
    """A fresh instance of every importer that takes part in format detection."""
    return [*csv_importers(), SantanderTxt(), OfxImporter()]


def format_names() -> list[str]:
    """The values ``--format`` accepts."""
    return [imp.name for imp in all_importers()]


def get_importer(name: str) -> Importer:
    """The importer called ``name``, marked as chosen by the user (no detection)."""
    for imp in all_importers():
        if imp.name == name:
            imp.forced = True
            return imp
    raise ConfigError(f"unknown format {name!r}; known formats: {', '.join(format_names())}")


@dataclass
class Statement:
    """One statement file read into canonical rows, plus the lines that could not be read."""

    transactions: pd.DataFrame
    rejected: list[dict] = field(default_factory=list)
    format: str = ""
    #: The account when the file holds one (the usual case), else ``None`` (see ``accounts``).
    account_id: str | None = None
    rows_read: int = 0
    default_payment_method: str | None = None
    #: Accounts whose payment method is not ``default_payment_method`` alone: an OFX file's bank
    #: and card statements (``Importer.account_payment_methods``), by the account stored.
    payment_methods: dict[str, str] = field(default_factory=dict)
    currency: str | None = None
    path: str = ""
    country: str | None = None
    #: What the reader decided about the file that the analyst should hear (dates read day/month
    #: swapped, source ids not trusted), one sentence each.
    notes: list[str] = field(default_factory=list)
    #: The account the file's name gave (no ``--account``, and the file named none): where the
    #: rows of no account column or card went.
    named_by_file: str | None = None
    #: The layout's ids name one transaction among all the bank's accounts (``Importer.bank_wide_ids``).
    bank_wide_ids: bool = False

    @property
    def accounts(self) -> list[str]:
        """Distinct account ids, in order of first appearance."""
        return list(pd.unique(self.transactions["account_id"])) if len(self.transactions) else (
            [self.account_id] if self.account_id else [])


#: An id cell Excel saved in scientific notation (``2.44922E+22`` for a 23-digit reference): its
#: digits are lost, so different rows share it.
ROUNDED_ID = r"^\s*[0-9](\.[0-9]+)?[eE]\+[0-9]+\s*$"
_ROUNDED_ID = re.compile(ROUNDED_ID)


def _one_line_column(descriptions: pa.Array) -> pa.Array:
    """:func:`~.parsing.one_line` of each description that holds a line break or a tab (a quoted
    field spanning lines; the column reader hands whole files of them to the row reader, but a
    tab, a vertical tab or a Unicode line separator may stand in one line)."""
    broken = pc.fill_null(pc.match_substring_regex(descriptions, NOT_ONE_LINE_RE2), False)
    if not pc.any(broken).as_py():
        return descriptions
    values = descriptions.to_pylist()
    for i in np.flatnonzero(broken.to_numpy(zero_copy_only=False)):
        values[i] = one_line(values[i])
    return pa.array(values, STR)


def _amount_key(amount: float) -> str:
    return f"{amount:.6f}".rstrip("0").rstrip(".")


class _Canonicaliser:
    """Turns importer rows into canonical frames, carrying occurrence counts across chunks."""

    def __init__(self, path: str, importer: Importer, account_id: str | None,
                 accounts_as: dict[str, str] | None = None):
        self.path = path
        self.importer = importer
        #: Accounts stored under another name: the one the same account's other statements have
        #: (``ties.py``: a Chase CSV's file-name account and its QFX's ACCTID).
        self.accounts_as = dict(accounts_as or {})
        own = importer.account(path)
        self.file_account = self.accounts_as.get(own, own) if own else own
        self.user_account = account_id
        named = importer.default_account(path) or account_from_filename(path)
        self.fallback_account = account_id or self.accounts_as.get(named, named)
        self._cards: dict[str, str | None] = {}
        self.seen: Counter = Counter()
        self.currencies: Counter = Counter()
        self.accounts: dict[str, None] = {}
        self.notes: list[str] = list(importer.notes)
        #: The first rounded id seen (:data:`ROUNDED_ID`), once noted.
        self.rounded_id: str | None = None
        #: The payment method of each account a later block of the download names (Row.block).
        self.block_methods: dict[str, str] = {}
        #: Whether rows came with a canonical CSV's own ``source`` (``Row.source``): its accounts'
        #: payment methods are then read from it (:func:`exported_payment_methods`).
        self.exported = False

    def card_account(self, card: str | None) -> str | None:
        """The account of a row naming its card, unless ``--account`` or the file names one."""
        if not card or self.user_account or self.file_account:
            return None
        if card not in self._cards:
            self._cards[card] = card_account(self.importer.name, card, getattr(self.importer, "card_digits", None))
        return self._cards[card]

    def note_rounded_ids(self, example: str) -> None:
        """Say once per file that its id column was rounded (its rows get content-derived ids)."""
        if self.rounded_id is None:
            self.rounded_id = example.strip()
            self.notes.append(
                f"transaction ids in scientific notation (e.g. {self.rounded_id!r}: digits lost when the file "
                "was saved by Excel) are not used as ids; those rows' ids come from their date, amount and "
                "description instead, as for layouts without an id column")

    def note_date_order(self, layout: CsvLayout | None) -> None:
        """Say when the file's dates are read day/month swapped (:meth:`CsvLayout.with_date_order`),
        or in an order other evidence decided (``date_order.py``)."""
        if layout is not None and layout.date_order_note:
            self.notes.append(layout.date_order_note)
            return
        if layout is None or layout.swapped_date_example is None:
            return
        formats = " or ".join(f for f in layout.date_formats if f != swap_day_month(f))
        self.notes.append(
            f"dates read as {formats}, not in the {layout.name} layout's order: the file's own dates "
            f"show it ({layout.swapped_date_example!r} reads only that way; a file re-saved by Excel "
            "with other regional settings?)")

    def frame(self, items: Iterable[Row | Reject]) -> tuple[pd.DataFrame, list[dict], int]:
        records: list[tuple] = []
        rejected: list[dict] = []
        n = 0
        source, path = self.importer.name, self.path
        default_currency = self.importer.currency or "USD"
        for item in items:
            n += 1
            if isinstance(item, Row) and item.note and item.note not in self.notes:
                self.notes.append(item.note)
            if isinstance(item, Reject):
                rejected.append({
                    "rejected_id": stable_id(path, item.line, prefix="r_"),
                    "source_file": path,
                    "source_line": item.line,
                    "reason": item.reason,
                    "raw": item.raw,
                })
                continue
            account = (item.account_id or self.file_account or self.card_account(item.card)
                       or self.fallback_account)
            if item.block:  # another account's block of the download: the file's account and its heading
                account = f"{account} {item.block}"
                if item.block_payment_method:
                    self.block_methods.setdefault(account, item.block_payment_method)
            if self.accounts_as:
                account = self.accounts_as.get(account, account)
            # the id's description: the stored one, or the text a layout read before it joined more
            # to it (Row.id_description), so the id stays what an older database holds
            key = (account, item.date, _amount_key(item.amount), item.id_description or item.description)
            # A 12-byte digest, not the tuple, keeps a 10-million-row stream's counter small.
            seen_key = blake2b("\x1f".join(key).encode("utf-8"), digest_size=12).digest()
            occurrence = self.seen[seen_key]
            self.seen[seen_key] = occurrence + 1
            tx_id = item.transaction_id
            if tx_id and _ROUNDED_ID.match(tx_id):
                self.note_rounded_ids(tx_id)
                tx_id = None
            # (a canonical CSV says whether its id is the bank's; any other id column's is)
            from_bank = (1 if item.id_from_bank is None else item.id_from_bank) if tx_id else 0
            tx_id = tx_id or stable_id(*key, occurrence)
            currency = item.currency or default_currency
            self.currencies[currency] += 1
            self.accounts.setdefault(account)
            original = original_of(item.original_amount, item.original_currency, currency)
            if item.source:
                self.exported = True
            # (the id above hashes the description as read, line breaks and all: the one a
            # database written before holds; the stored one is on one line)
            records.append((tx_id, account, item.date, item.amount, currency, one_line(item.description),
                            item.source or source, path, item.line, from_bank, *original))
        if not records:
            return empty_transactions(), rejected, n
        df = pd.DataFrame.from_records(records, columns=list(TRANSACTION_COLUMNS))
        df["amount"] = df["amount"].astype("float64")
        df["source_line"] = df["source_line"].astype("int64")
        df["id_from_bank"] = df["id_from_bank"].astype("int64")
        df["original_amount"] = df["original_amount"].astype("float64")
        # (text as the columns reader gives it: pandas 3's str dtype, NaN where there is none)
        df["original_currency"] = df["original_currency"].astype(df["currency"].dtype)
        return df, rejected, n

    def frame_parsed(self, parsed: Parsed, *, carry: bool = False) -> tuple[pd.DataFrame, list[dict], int]:
        """:meth:`frame` for a vectorised read: the same rows, ids and rejects, column at a time.

        ``carry`` keeps occurrence counts for the next chunk (streaming); a single read needs none.
        """
        path = self.path
        self.notes += [note for note in parsed.notes if note not in self.notes]
        rejected = [{
            "rejected_id": stable_id(path, r.line, prefix="r_"),
            "source_file": path,
            "source_line": r.line,
            "reason": r.reason,
            "raw": r.raw,
        } for r in parsed.rejects]
        n = len(parsed.line)
        if n == 0:
            return empty_transactions(), rejected, parsed.items
        own, own_groups = parsed.account, parsed.account_groups
        if parsed.card is not None and not self.user_account and not self.file_account:
            codes, uniq = encode(pc.fill_null(parsed.card, ""))
            cards = pa.array([self.card_account(c) for c in uniq.to_pylist()], STR).take(pa.array(codes))
            own, own_groups = pc.coalesce(own, cards), None
        account, account_groups = filled(own, own_groups, self.file_account or self.fallback_account)
        currency, (codes, names) = filled(parsed.currency, parsed.currency_groups, self.importer.currency or "USD")
        tx_id = parsed.transaction_id
        # a "+" first (a plain substring search), the pattern only then: ~30 ms a million ids
        if pc.any(pc.match_substring(tx_id, "+")).as_py():
            rounded = pc.fill_null(pc.match_substring_regex(tx_id, ROUNDED_ID), False)
            if pc.any(rounded).as_py():
                self.note_rounded_ids(tx_id.filter(rounded)[0].as_py())
                tx_id = pc.if_else(rounded, pa.scalar(None, STR), tx_id)
        missing = tx_id.is_null().to_numpy(zero_copy_only=False)
        # Occurrence counts only feed hashed ids and the counts carried to the next chunk.
        if carry or missing.any():
            tx_id = self._hashed_ids(parsed, account, account_groups, tx_id, missing, carry)
        for name, count in zip(names, np.bincount(codes, minlength=len(names)).tolist(), strict=True):
            self.currencies[name] += count
        for name in account_groups[1]:
            self.accounts.setdefault(name)
        zeros = pa.array(np.zeros(n, dtype=np.int32))
        self.exported = self.exported or parsed.source is not None
        table = pa.table({
            "transaction_id": tx_id,
            "account_id": account,
            "date": parsed.date,
            "amount": pa.array(parsed.amount, pa.float64()),
            "currency": currency,
            "description": _one_line_column(parsed.description),
            "source": _sources(parsed, self.importer.name, zeros),
            "source_file": pa.array([path], STR).take(zeros),
            "source_line": pa.array(parsed.line, pa.int64()),
            # the source's own id, or one hashed here (no id cell, or one Excel rounded); a
            # canonical CSV's own id_from_bank where it gives one
            "id_from_bank": _from_bank(parsed, missing),
            **_originals(parsed, currency, n),
        })
        df = table.to_pandas()
        return df, rejected, parsed.items

    def _hashed_ids(self, parsed: Parsed, account, account_groups, tx_id, missing: np.ndarray, carry: bool):
        """``stable_id(account, date, amount key, description, occurrence)`` where the source has no id
        (the description :attr:`Parsed.id_description` where a row has one, as :meth:`frame`)."""
        n = len(parsed.line)
        amount_codes, amounts = parsed.amount_groups or pd.factorize(parsed.amount)
        described = parsed.description if parsed.id_description is None else parsed.id_description
        parts = [account_groups, parsed.date_groups or encode(parsed.date), (amount_codes, amounts),
                 encode(described)]
        # One integer per distinct key: mixed-radix codes, re-factorised before they could overflow.
        group = np.zeros(n, dtype=np.int64)
        size = 1
        for codes, uniq in parts:
            if size * len(uniq) >= 1 << 62:
                group, seen = pd.factorize(group)
                size = len(seen)
            group = group * len(uniq) + codes
            size *= len(uniq)
        occurrence = pd.Series(group).groupby(group, sort=False).cumcount().to_numpy()
        amount_key = pa.array([_amount_key(float(u)) for u in amounts], STR).take(pa.array(amount_codes))

        def keys(rows=None):
            cols = [account, parsed.date, amount_key, described]
            if rows is not None:
                cols = [c.take(rows) for c in cols]
            return pc.binary_join_element_wise(*cols, pa.scalar("\x1f", STR))

        if carry:
            # Same 12-byte digests as frame(), so counts carry across chunks of either kind.
            group = pd.factorize(group)[0]  # 0..groups-1, in order of first appearance
            _, first = np.unique(group, return_index=True)
            digests = [blake2b(k.encode("utf-8"), digest_size=12).digest()
                       for k in keys(pa.array(first)).to_pylist()]
            # dict.get and dict.update, not Counter's item access (a Python call per new key):
            # 2 s less over a 3M-row stream
            get = self.seen.get
            base = np.array([get(d, 0) for d in digests], dtype=np.int64)
            occurrence = occurrence + base[group]
            dict.update(self.seen, zip(digests, (base + np.bincount(group, minlength=len(digests))).tolist()))
        if not missing.any():
            return tx_id
        rows = None if missing.all() else pa.array(np.flatnonzero(missing))
        occ = pa.array(occurrence if rows is None else occurrence[missing]).cast(STR)
        full = pc.binary_join_element_wise(keys(rows), occ, pa.scalar("\x1f", STR))
        hashes = stable_ids(full)
        return hashes if rows is None else pc.replace_with_mask(tx_id, pa.array(missing), hashes)


def original_of(amount: float | None, code: str | None, currency: str) -> tuple[float | None, str | None]:
    """A row's original amount and currency as kept: both, when the statement gave an amount in
    another currency than the row's (``currency``, as stored); else neither."""
    if amount is None or not code or code == currency or math.isnan(amount):
        return None, None
    return float(amount), code


def _sources(parsed: Parsed, name: str, zeros: pa.Array) -> pa.Array:
    """Each row's ``source``: the importer's ``name``, or what a canonical CSV's ``source`` column
    says of the row (:attr:`Row.source`) where it is filled."""
    own = pa.array([name], STR).take(zeros)
    if parsed.source is None:
        return own
    return pc.if_else(pc.fill_null(pc.equal(parsed.source, ""), True), own, parsed.source)


def _from_bank(parsed: Parsed, missing: np.ndarray) -> pa.Array:
    """``id_from_bank`` of each row: 0 for an id hashed here, else 1, or what a canonical CSV's
    ``id_from_bank`` column says of the row (:attr:`Row.id_from_bank`) where it is filled."""
    given = (~missing).astype(np.int64)
    if parsed.id_from_bank is None:
        return pa.array(given)
    told = pc.fill_null(parsed.id_from_bank, 1).to_numpy(zero_copy_only=False).astype(np.int64)
    return pa.array(np.where(missing, 0, told))


def _originals(parsed: Parsed, currency: pa.Array, n: int) -> dict[str, pa.Array]:
    """:func:`original_of` for a vectorised read's columns (nulls where the layout reads none)."""
    if parsed.original_amount is None:
        return {"original_amount": pa.nulls(n, pa.float64()), "original_currency": pa.nulls(n, STR)}
    code = parsed.original_currency
    keep = pc.fill_null(pc.and_(pc.not_equal(code, currency), pc.invert(pc.is_nan(parsed.original_amount))), False)
    return {"original_amount": pc.if_else(keep, parsed.original_amount, pa.scalar(None, pa.float64())),
            "original_currency": pc.if_else(keep, code, pa.scalar(None, STR))}


def _pick(path: str, format: str | None, columns) -> Importer:
    mapping = parse_columns_or_fail(columns)
    if mapping:
        try:
            return MappedCsv(mapping)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    if format:
        imp = get_importer(format)
        read_text(path)  # binary / empty / missing files fail here with their own message
        return imp
    text = read_text(path)
    return choose_importer(path, head_of(text), all_importers())


def _settle_mapped(imp: Importer, head: str, path: str = "") -> Importer:
    """A mapped layout's currency, from the file's first lines when the mapping names none, and
    a warning when its amounts carry no sign and a column it left out says which way they went,
    when a numbered description column beside the mapped one is left unread, and when a built-in
    layout reads the file without the mapping."""
    if isinstance(imp, MappedCsv):
        error = imp.running_balance_error(head, path or None)
        if error is not None:
            raise error
        notes = (settle_named_currency_column(imp, head),) if imp.currency_named else (settle_currency(imp, head),)
        notes = tuple(n for n in notes if n)
        imp.notes = (notes + imp.unsigned_amounts_notes(head) + imp.unread_description_notes(head)
                     + _layout_notes(path, head))
        imp.date_order_hint = date_order_hint(imp, head)
        imp.source_path = path or None
        if not imp.country_named:
            found = imp.head_records(head)
            told = file_country(found[0], found[1]) if found else None
            if told:
                imp.country = told[0]
                note = (f"country={told[0]} (its working days, for refund timelines) because {told[1]}; "
                        "give --columns country=XX to say otherwise")
                imp.notes += (note,)
    return imp


def _layout_notes(path: str, head: str) -> tuple[str, ...]:
    """A note naming the built-in layout that reads a file given with ``--columns`` (RBC's
    export, mapped by hand as an older suggestion said, lost every card merchant: round-twenty-four
    audit); none when no layout, or several, or only the generic one claims it."""
    claims = [imp for imp in all_importers() if imp.name != "generic" and imp.identify(path, head)]
    if len(claims) != 1:
        return ()
    imp = claims[0]
    note = (f"the {imp.name} layout ({imp.title}) reads this file without --columns: leave --columns out "
            f"(or give --layout {imp.name}) to have it read as that bank writes it")
    return (note,)


def parse_columns_or_fail(columns) -> dict[str, str] | None:
    """``--columns`` text or dict to a mapping; a malformed one is a :class:`ConfigError`."""
    try:
        return parse_columns(columns)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _payment_method(imp: Importer, path: str) -> str | None:
    if isinstance(imp, OfxImporter):
        if len(set(imp.account_payment_methods(path).values())) > 1:
            return None  # a bank account and a card: each its own (Statement.payment_methods)
        return "credit_card" if imp.card_statement(path) else "debit_card"
    return imp.file_payment_method(path)


#: A mapped file of at least this many rows, every one of them money in, gets a warning.
ALL_IN_ROWS = 100


def all_money_in_note(imp: Importer, df: pd.DataFrame, rejected: list[dict]) -> str | None:
    """A warning for a ``--columns`` mapping that stored :data:`ALL_IN_ROWS` rows or more and not
    one of them money out: no current account or card goes a hundred transactions without a
    charge, so the mapped amounts carry no sign (round-forty-one audit: TD's withdrawals mapped
    as ``amount=`` were stored as 506 credits, its salaries rejected, and the report said "none")."""
    if not isinstance(imp, MappedCsv) or len(df) < ALL_IN_ROWS or (df["amount"] < 0).any():
        return None
    empty = sum("empty amount" in r.get("reason", "") for r in rejected)
    also = f", and {empty} row(s) were rejected for an empty amount" if empty else ""
    return (f"WARNING: all {len(df)} rows stored are money in, not one charge{also}: the mapped amount column "
            f"is most likely written without a sign (a withdrawal column), so every charge was read as income "
            f"and nothing will be found. Map two columns of money out and in as debit= and credit= (by "
            f"position, debit=#3,credit=#4, in a file with no header row), or add sign=-1 or direction=, "
            f"and import into a new database (--db)")


def _finish(path: str, imp: Importer, canon: _Canonicaliser, df: pd.DataFrame,
            rejected: list[dict], rows_read: int) -> Statement:
    currency = canon.currencies.most_common(1)[0][0] if canon.currencies else imp.currency
    warning = all_money_in_note(imp, df, rejected)
    if warning:
        canon.notes.insert(0, warning)
    return Statement(
        transactions=df,
        rejected=rejected,
        format=imp.name,
        account_id=next(iter(canon.accounts)) if len(canon.accounts) == 1 else None,
        rows_read=rows_read,
        default_payment_method=_payment_method(imp, path),
        payment_methods={canon.accounts_as.get(a, a): m for a, m in
                         ((exported_payment_methods(imp, df) if canon.exported else {}) | imp.account_payment_methods(path)
                          | canon.block_methods).items()},
        currency=currency,
        path=path,
        country=imp.country,
        notes=list(canon.notes),
        named_by_file=None if canon.user_account or canon.file_account else canon.fallback_account,
        bank_wide_ids=bool(getattr(imp, "bank_wide_ids", False)),
    )


def exported_payment_methods(imp: Importer, df: pd.DataFrame) -> dict[str, str]:
    """Each account's payment method as a canonical CSV's ``source`` column tells it (the
    importers that first read its rows: Monzo's a debit card, Amex's a credit card), where every
    row of the account names an importer of one method, as the Spark job reads that CSV
    (``spark_job._payment_methods``); none for a bank's own statement."""
    if not isinstance(imp, CsvLayout) or imp.source_column is None or df.empty or "source" not in df:
        return {}
    layout = {i.name: i.payment_method for i in all_importers()}
    pairs = df[["account_id", "source"]].drop_duplicates()
    methods = pairs.assign(method=pairs["source"].map(layout)).groupby("account_id", sort=False)["method"]
    one = methods.agg(lambda m: m.iloc[0] if m.notna().all() and m.nunique() == 1 else None)
    return {a: m for a, m in one.items() if m is not None}


def no_rows_error(path: str, rejected: list[dict], rows_read: int, format: str | None) -> EmptyStatement:
    """The error refusing a file with no usable rows; the rejected ones ride along with it (each
    line is kept, counted and listed as a partly bad file's: round-49 audit, where the file said
    Read 0, Rejected 0 and the store kept none of them). A file stored in chunks is refused with
    the same error when no chunk held a usable row (``ingest.store_statement_chunks``)."""
    if rows_read == 0:
        return EmptyStatement("no transaction rows in the file", path=path)
    shown = "; ".join(f"line {r['source_line']}: {r['reason']}" for r in rejected[:3])
    more = f" (and {len(rejected) - 3} more, each kept with its line and reason)" if len(rejected) > 3 else ""
    return EmptyStatement(f"no usable rows, all {rows_read} rejected: {shown}{more}", path=path,
                          rejected=rejected, rows_read=rows_read, format=format)


ENGINES = ("auto", "columns", "rows")
#: Below this many body bytes "auto" reads row by row: pyarrow's set-up costs more than it saves.
COLUMNS_MIN_BYTES = 64 * 1024


def read_statement(path: str | os.PathLike, *, format: str | None = None, account_id: str | None = None,
                   columns: str | dict | None = None, engine: str = "auto",
                   accounts_as: dict[str, str] | None = None) -> Statement:
    """Read one statement file (CSV layout or OFX/QFX) into canonical transactions.

    ``format`` names the layout (skipping detection); ``columns`` maps any CSV's columns
    (``"date=Posted,description=Payee,amount=Amount"``); ``account_id`` is used when the file does
    not name its account (else the card its rows name, else the file name without extension and
    date stamps: ``naming.py``). Bad rows are in ``rejected`` with their line and reason. Raises :class:`~detector.errors.ImportError_` subclasses for whole-file problems:
    unrecognised or ambiguous layout, binary, empty, missing columns, no usable rows.

    ``engine="columns"`` reads CSV columns at a time (pyarrow) wherever that gives exactly what
    the row-by-row reader gives, and the rest row by row; ``"auto"`` (the default) does so for files
    over 64 KiB; ``"rows"`` is the row-by-row reader alone (the reference the other is tested against).

    ``accounts_as`` stores an account the file names, or its file name gives, under another id
    (``{"520844521-9753": "Chase9753_Activity"}``): :mod:`detector.importers.ties`.
    """
    p = str(path)
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    _check_name_is_text(p)
    imp, loaded = _pick_loaded(p, format, columns)
    canon = _Canonicaliser(p, imp, account_id, accounts_as)
    if loaded.note:
        canon.notes.append(loaded.note)
    if isinstance(imp, CsvLayout):
        df, rejected, rows_read = _read_csv(p, imp, loaded, canon, engine=engine)
    else:
        df, rejected, rows_read = canon.frame(imp.extract(p))
        canon.notes += imp.file_notes(p)
    if df.empty:
        raise no_rows_error(p, rejected, rows_read, imp.name)
    return _finish(p, imp, canon, df, rejected, rows_read)


def _check_name_is_text(path: str) -> None:
    """A file name that is not UTF-8 text (a latin-1 ``relevé.csv`` from an old archive or a
    Windows share: Python holds its byte as a lone surrogate) cannot be stored, shown or logged as
    the rows' ``source_file``: the file is refused in one line naming it, its bad bytes shown as
    "\ufffd" (round-twenty-five audit: a traceback from deep in pandas, and an inbox blocked)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        raise ImportError_("the file's name is not UTF-8 text (a name from another system's encoding): "
                           "rename the file, e.g. with `convmv -f latin1 -t utf8` or by hand, and import it "
                           "again", path=shown) from None


def _pick_loaded(path: str, format: str | None, columns) -> tuple[Importer, Loaded]:
    """:func:`_pick`, reading the file once: the importer and the loaded file."""
    mapping = parse_columns_or_fail(columns)
    if mapping:
        imp = _pick(path, None, mapping)
        loaded = load_statement(path)
        return _settle_mapped(imp, loaded.head(), path), loaded
    imp = get_importer(format) if format else None  # an unknown format is reported first, as by _pick
    loaded = load_statement(path)  # binary / empty / missing files fail here with their own message
    if imp is None:
        imp = choose_importer(path, loaded.head(), all_importers())
    return imp, loaded


def _read_csv(path: str, imp: CsvLayout, loaded: Loaded, canon: _Canonicaliser, *, engine: str):
    """A CSV statement through the vectorised reader, or row by row where it declines the file
    (``engine="rows"``: row by row). Either way the whole file's dates settle the order of day
    and month before any row is made."""
    head = io.StringIO(loaded.head(), newline="").readlines()
    _, hl = imp.read_header(path, iter(head))
    offset = body_offset(head, hl)
    if imp.decimal_from_cells:
        imp = imp.with_decimal_of(imp.amount_cells(io.StringIO(loaded.text[offset:], newline=""), hl))
        if imp.decimal_note:
            canon.notes.append(imp.decimal_note)
    if engine != "rows":
        if loaded.encoding == "utf-8":  # the bytes are the text: no need to encode it again
            data, start = loaded.data, len("".join(head[:hl.first_line - 1]).encode("utf-8"))
        else:
            data, start = loaded.text[offset:].encode("utf-8"), 0
        parsed = (read_body(imp, data, hl, start, date_order=True)
                  if engine == "columns" or len(data) - start >= COLUMNS_MIN_BYTES else None)
        if parsed is not None:
            canon.note_date_order(parsed.date_layout)
            return canon.frame_parsed(parsed)
    body = loaded.text[offset:]
    imp = imp.with_date_order(imp.date_cells(io.StringIO(body, newline=""), hl))
    canon.note_date_order(imp)
    return canon.frame(imp.records(io.StringIO(body, newline=""), hl))


def _stream_decoding(path: str) -> tuple[str, str, str | None]:
    """How to decode a streamed file as :func:`read_statement` decodes it whole: ``(encoding,
    errors, note)``, from one pass over its bytes (``decoding.stream_decoding``)."""
    try:
        with open(path, "rb") as fb:
            prefix = fb.read(65536)
        kind = binary_kind(prefix)
        if kind:
            raise UnrecognisedFormat(f"this is {kind}, not a text statement", path=path)
        encoding, errors, stray = stream_decoding(path)
        if encoding.startswith("utf-16") and os.path.getsize(path) % 2:
            # (as a whole file's read says it; here the read would stop half-way with a traceback)
            raise UnrecognisedFormat("this is UTF-16 text that does not decode: an odd number of bytes (a file "
                                     "cut short?); export the statement again, or re-save it as UTF-8", path=path)
    except OSError as exc:
        raise ImportError_(f"cannot read: {exc.strerror or exc}", path=path) from exc
    return encoding, errors, (stray_bytes_note(stray) if stray else None)


def _stream_lines(path: str, decoding: tuple[str, str, str | None]) -> Iterator[str]:
    """The file's lines, decoded incrementally as ``decoding`` (:func:`_stream_decoding`) says."""
    encoding, errors, _ = decoding
    with open(path, encoding=encoding, errors=errors, newline="") as fh:
        yield from fh


def iter_statement_chunks(path: str | os.PathLike, *, chunksize: int = 100_000, format: str | None = None,
                          account_id: str | None = None, columns: str | dict | None = None,
                          engine: str = "auto", accounts_as: dict[str, str] | None = None) -> Iterator[Statement]:
    """Read a CSV statement bigger than memory as a stream of :class:`Statement` chunks.

    Each chunk holds up to ``chunksize`` rows (transactions plus rejects); ids are the same as
    :func:`read_statement` gives, because occurrence counts carry across chunks. OFX files are
    read whole (they are small) and come back as one chunk. Blocks of ``chunksize`` lines are read
    by columns where that is exact; from the first block that is not, the rest of the file is read
    row by row (``engine="rows"``: all of it).
    """
    p = str(path)
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    mapping = parse_columns_or_fail(columns)
    if format and not mapping:
        get_importer(format)  # an unknown format is reported before the file is read
    decoding = _stream_decoding(p)
    if mapping:
        imp = _settle_mapped(_pick(p, None, mapping), "".join(islice(_stream_lines(p, decoding), HEAD_LINES)), p)
    elif format:
        imp = get_importer(format)
    else:
        head = "".join(islice(_stream_lines(p, decoding), HEAD_LINES))
        if not head.strip():
            raise EmptyStatement("the file is empty", path=p)
        imp = choose_importer(p, head, all_importers())
    if not isinstance(imp, CsvLayout):
        yield read_statement(p, format=imp.name, account_id=account_id, accounts_as=accounts_as)
        return
    canon = _Canonicaliser(p, imp, account_id, accounts_as)
    if decoding[2]:
        canon.notes.append(decoding[2])
    lines = _stream_lines(p, decoding)
    body, hl = imp.read_header(p, lines)
    # The order of day and month is the whole file's: looked over before the first chunk is made
    # (a second pass over the body's lines, stopping at the first date only the layout's order reads).
    imp = imp.with_date_order(imp.date_cells(islice(_stream_lines(p, decoding), hl.first_line - 1, None), hl))
    canon.note_date_order(imp)
    if imp.decimal_from_cells:
        imp = imp.with_decimal_of(imp.amount_cells(islice(_stream_lines(p, decoding), hl.first_line - 1, None), hl))
        if imp.decimal_note:
            canon.notes.append(imp.decimal_note)
    total = 0
    if engine != "rows":
        for chunk in _column_blocks(p, imp, canon, body, hl, lines, chunksize):
            if isinstance(chunk, tuple):  # a block the columns cannot read: rows from here on
                body, hl = chunk
                break
            total += chunk.rows_read
            yield chunk
        else:
            body = None
    if body is not None:
        items = imp.records(_chain(body, lines), hl)
        while True:
            batch = list(islice(items, chunksize))
            if not batch:
                break
            df, rejected, n = canon.frame(batch)
            total += n
            yield _finish(p, imp, canon, df, rejected, n)
    if total == 0:
        raise EmptyStatement("no transaction rows in the file", path=p)


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _continues(line: str, delimiter: str) -> bool:
    """Whether the csv module, reading ``line``, would go on into the next line (an open quote)."""
    try:
        return len(list(csv.reader([line, "x\n"], delimiter=delimiter))) < 2
    except csv.Error:
        return True


def _column_blocks(p: str, imp: CsvLayout, canon: _Canonicaliser, pending: list[str], hl: HeaderLayout,
                   lines: Iterator[str], chunksize: int):
    """Statements for blocks of up to ``chunksize`` lines read by columns.

    Yields ``(unread lines, layout)`` instead when a block cannot be read that way (it starts at a
    record boundary: every block before it was whole records).
    """
    first_line = hl.first_line
    while True:
        block = pending + list(islice(lines, max(1, chunksize - len(pending))))
        at_end = len(block) - len(pending) < max(1, chunksize - len(pending))
        pending = []
        # A quoted field may go on to the next line: end the block before any line that, read on
        # its own, leaves a quote open (a record started earlier shows up as rows != lines).
        while not at_end and block and _continues(block[-1], hl.delimiter):
            pending.insert(0, block.pop())
        here = replace(hl, first_line=first_line)
        if not block:
            if pending:  # no line of the block closes its quotes: read it row by row
                yield pending, here
            return
        data = "".join(block).encode("utf-8")
        if not data.strip():  # blank lines only: nothing to read
            first_line += len(block)
            if at_end:
                return
            continue
        # Every block by columns, however small: a block read row by row would stop the stream's
        # column reading for good (a later block cannot be cut loose from a record it continues).
        parsed = read_body(imp, data, here)
        if parsed is None:
            yield block + pending, here
            return
        first_line += len(block)
        if parsed.items:
            df, rejected, n = canon.frame_parsed(parsed, carry=True)
            yield _finish(p, imp, canon, df, rejected, n)
        if at_end and not pending:
            return
