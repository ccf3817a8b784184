"""Store statement files: :func:`ingest_files`.

Each file is read, its rows stored (ids already stored count as duplicates), its rejected lines
kept in ``rejected_rows``, its account created or updated, and an ``imports`` row recorded. One
bad file does not stop the others: its error is reported in its :class:`IngestResult`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..account_notes import HeldElsewhere, record_held_elsewhere
from ..errors import ConfigError, DetectorError, EmptyStatement
from ..ids import file_sha256, stable_id
from ..schema import PAYMENT_METHODS
from ..store import Store, utcnow
from ..workdays import country_for_currency
from .csv_banks import MappedCsv
from .overlap import Copies, charges_in_other_accounts, drop_copies_from_other_files
from .reader import (
    Statement,
    format_names,
    iter_statement_chunks,
    no_rows_error,
    parse_columns_or_fail,
    read_statement,
)
from .reused_ids import SOURCES as REUSED_ID_SOURCES
from .reused_ids import STORED_COLUMNS, ReusedIds, separate_reused_ids
from .ties import AccountTies

#: CSV statements bigger than this are stored in chunks, so memory does not grow with the file.
STREAM_BYTES = 256 * 2**20
STREAM_CHUNK_ROWS = 250_000


def _streams(path: str, stream_bytes: int | None) -> bool:
    limit = STREAM_BYTES if stream_bytes is None else stream_bytes
    try:
        return os.path.getsize(path) > limit
    except OSError:
        return False  # reading it will say what is wrong


@dataclass
class IngestResult:
    """What happened to one file. ``rows_read == stored + duplicates + rejected`` when ``ok``."""

    path: str
    format: str | None = None
    #: The file's account, or ``None`` when it holds several (all of them are in ``accounts``).
    account_id: str | None = None
    accounts: list[str] = field(default_factory=list)
    rows_read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    error: str | None = None
    rejections: list[dict] = field(default_factory=list, repr=False)
    #: Read and stored in chunks (a file bigger than ``stream_bytes``).
    streamed: bool = False
    #: The newest transaction date in the file (ISO), ``None`` when it held none.
    last_date: str | None = None
    #: The oldest transaction date in the file (ISO), ``None`` when it held none.
    first_date: str | None = None
    #: What the reader decided about the file that the analyst should hear (``Statement.notes``).
    notes: list[str] = field(default_factory=list)
    #: Of ``duplicates``: rows recognised as charges another file of the account already stored,
    #: exported again in another form (an OFX beside the CSV of the same months; ``overlap.py``).
    overlapping: int = 0
    #: Rows other files stored that took this file's earlier dates (``overlap.py``): stored id ->
    #: its date now. Rows a caller kept from those files (``on_rows``) are given the same dates.
    redated_rows: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        """Plain fields for JSON output (rejections with file, line and reason)."""
        d = asdict(self)
        d.pop("redated_rows")
        d["ok"] = self.ok
        d["rejections"] = [
            {k: r[k] for k in ("source_file", "source_line", "reason", "raw")} for r in self.rejections
        ]
        return d



def _frame(rows: list[tuple], cols: list[str]) -> pd.DataFrame:
    """Query rows as a frame (through one 2-D array: cheaper than ``from_records`` for 250k rows)."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    table = np.array(rows, dtype=object)
    return pd.DataFrame({c: table[:, i] for i, c in enumerate(cols)})


def _stored_under(store: Store, df: pd.DataFrame) -> pd.DataFrame:
    """The rows stored under ``df``'s ids (:data:`reused_ids.STORED_COLUMNS`): ``transaction_id``
    the id as the file gives it, ``stored_id`` the one it is stored under. A row of an id another
    account holds is looked for under the ``x_`` id its own account's row is stored under
    (:func:`_separate_clashing_ids`), and found so has ``namespaced`` set."""
    # (the date and amount only where reused_ids looks at them: a CSV's ids need the account alone)
    reused = "source" in df and bool(df["source"].isin(REUSED_ID_SOURCES).any())
    cols = ["transaction_id", "account_id", "date", "amount"] if reused else ["transaction_id", "account_id"]
    if df.empty or not store.conn.execute("SELECT 1 FROM transactions LIMIT 1").fetchone():
        return pd.DataFrame(columns=list(STORED_COLUMNS))  # nothing to clash with
    query = (f"SELECT {', '.join('t.' + c for c in cols)} FROM json_each(?) AS j "
             "JOIN transactions AS t ON t.transaction_id = j.value")
    # one JSON parameter, not a query per 900 ids (a chunk of a streamed file has 250k)
    ids = df["transaction_id"].dropna().drop_duplicates()
    found = _frame(store.conn.execute(query, [json.dumps(ids.tolist())]).fetchall(), cols)
    found["stored_id"] = found["transaction_id"]
    found["namespaced"] = False
    if found.empty:
        return found
    accounts = df["account_id"].unique()
    if len(accounts) == 1 and (found["account_id"] == accounts[0]).all():
        return found  # (the usual case: one account's file, its ids stored for it)
    owner = df["transaction_id"].map(pd.Series(found["account_id"].to_numpy(), index=found["transaction_id"]))
    other = (owner.notna() & (owner != df["account_id"])).to_numpy(dtype=bool)
    if other.any():
        elsewhere = df.loc[other, ["account_id", "transaction_id"]].drop_duplicates()
        namespaced = {stable_id(a, i, prefix="x_"): i for a, i in elsewhere.itertuples(index=False)}
        more = _frame(store.conn.execute(query, [json.dumps(list(namespaced))]).fetchall(), cols)
        more = more.assign(stored_id=more["transaction_id"], transaction_id=more["transaction_id"].map(namespaced),
                           namespaced=True)
        found = pd.concat([found, more], ignore_index=True)
    return found


def _stored_details(store: Store, stored_ids: list[str]) -> dict[str, tuple[str, str]]:
    """``stored_id -> (description, source_file)`` of a few stored rows (for a note)."""
    rows = store.conn.execute("SELECT t.transaction_id, t.description, t.source_file FROM json_each(?) AS j "
                              "JOIN transactions AS t ON t.transaction_id = j.value", [json.dumps(stored_ids)])
    return {i: (d or "", f or "") for i, d, f in rows}


def _separate_clashing_ids(store: Store, df: pd.DataFrame, stored: pd.DataFrame | None = None,
                           found: ReusedIds | None = None) -> pd.DataFrame:
    """Give a row a namespaced id when its source id already belongs to another account.

    Source ids (OFX FITIDs, CSV id columns) are unique within an account, not across banks: two
    accounts may both have a FITID ``1001``. Without this the second would be counted as a
    duplicate and lost. Deterministic, so re-importing still finds the row as a duplicate.
    ``stored``: :func:`_stored_under` ``df`` (looked up when not given). ``found`` counts the rows
    of each (account, account holding their ids) pair, for a note: one account's export stored
    again under another name is said, not done silently (round-52 audit).
    """
    if df.empty:
        return df
    ids = df["transaction_id"]
    stored = _stored_under(store, df) if stored is None else stored
    # the accounts holding the ids as stored (not the x_ ids _stored_under found for them)
    direct = stored[~stored["namespaced"].astype(bool)]
    owner = dict(zip(direct["transaction_id"].tolist(), direct["account_id"].tolist(), strict=True))
    # An id belongs to the account that stored it, else to the first account using it in this file.
    first = df.groupby("transaction_id", sort=False)["account_id"].transform("first")
    holder = ids.map(owner).fillna(first) if owner else first
    clash = (holder != df["account_id"]).to_numpy(dtype=bool)
    if not clash.any():
        return df
    if found is not None and owner:
        # (ids held by a stored account: two accounts of one file sharing an id are not this)
        held = ids.map(owner)
        elsewhere = clash & held.notna().to_numpy(dtype=bool)
        if "id_from_bank" in df:
            elsewhere &= (df["id_from_bank"].fillna(0).astype("int64") == 1).to_numpy()
        if elsewhere.any():
            pairs = zip(df["account_id"][elsewhere].tolist(), held[elsewhere].tolist(), strict=True)
            found.add_elsewhere(Counter(pairs))
    out = df.copy()
    out.loc[clash, "transaction_id"] = [
        stable_id(account, tx_id, prefix="x_")
        for account, tx_id in zip(df["account_id"][clash].tolist(), ids[clash].tolist(), strict=True)
    ]
    if "id_from_bank" in out:  # the id is ours now, not one the bank can find
        out.loc[clash, "id_from_bank"] = 0
    return out


def _store_rows(store: Store, st: Statement, payment_method: str | None,
                currencies: CurrencyCounts | None = None) -> tuple[int, int, Copies, ReusedIds]:
    """Rows, rejects and accounts of one statement (or chunk); returns ``(stored, duplicates,
    copies, reused)``, the copies (of rows other files stored) counted in ``duplicates``, and the
    bank ids found naming several transactions (``reused_ids.py``).

    ``currencies``: the counts of a streamed file's chunks so far, this one's added (each
    account's currency is the commonest of all its rows, not of the chunk's)."""
    stored_before = _stored_under(store, st.transactions)
    st.transactions, reused = separate_reused_ids(st.transactions, stored_before,
                                                  lambda ids: _stored_details(store, ids))
    st.transactions = _separate_clashing_ids(store, st.transactions, stored_before, reused)
    # what stays in st.transactions is what the caller sees (on_rows): copies must not reach it
    st.transactions, copies = drop_copies_from_other_files(store, st.transactions)
    for other in charges_in_other_accounts(store, st.transactions):
        copies.other_accounts[(other.mine, other.account)] = [other.rows, other.path]
    if currencies is not None:
        currencies.add(st.transactions)
    stored, duplicates = store.add_transactions(st.transactions)
    if duplicates:
        copies.same_lines = _stored_from_other_files(store, st.transactions)
    duplicates += copies.rows
    store.add_rejected(st.rejected)
    source = "user" if payment_method else "importer"
    for currency, accounts in _accounts_by_currency(st, currencies).items():
        # --payment-method names every account's; else each its own where the file tells them
        # apart (an OFX's bank and card statements: round-thirty-nine audit), else the file's
        by_method: dict[str | None, list[str]] = {}
        for account in accounts:
            method = payment_method or st.payment_methods.get(account, st.default_payment_method)
            by_method.setdefault(method, []).append(account)
        for method, group in by_method.items():
            store.set_accounts(group, payment_method=method, payment_method_source=source,
                               currency=currency, source=st.format,
                               country=st.country or country_for_currency(currency))
    return stored, duplicates, copies, reused


def _stored_from_other_files(store: Store, tx: pd.DataFrame) -> dict[str, int]:
    """Of the rows whose ids were stored already, how many each other file stored (a re-import
    of the same file is no news; the same lines in a statement of overlapping months are)."""
    if tx.empty:
        return {}
    path = tx["source_file"].iloc[0] if "source_file" in tx else None
    rows = store.conn.execute(
        "SELECT coalesce(t.source_file, ''), count(*) FROM json_each(?) AS j "
        "JOIN transactions AS t ON t.transaction_id = j.value WHERE t.source_file IS NOT ? GROUP BY 1",
        [json.dumps(tx["transaction_id"].dropna().tolist()), path]).fetchall()
    return dict(rows)


def _files(counts: dict[str, int]) -> str:
    files = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    named = ", ".join(f"{f or 'rows of no file (Plaid)'} ({n})" for f, n in files[:3])
    return named + (f" and {len(files) - 3} more file(s)" if len(files) > 3 else "")


def copies_note(copies: Copies, stored: int) -> str | None:
    """What the analyst hears of the rows another file of the account had stored (nothing is
    dropped silently): how many, from which files, by which rule, and what was stored."""
    said = []
    same = sum(copies.same_lines.values())
    if same:
        said.append(f"{same} row(s) were already stored from {_files(copies.same_lines)} (the same lines: "
                    "date, amount and description)")
    if copies.rows:
        dated = "on the same day" if copies.max_days == 0 else f"dated up to {copies.max_days} day(s) apart"
        said.append(f"{copies.rows} row(s) were recognised as charges already stored from {_files(copies.files)}: "
                    f"the same account, amount and merchant, {dated} (the same months exported again in another "
                    "form)" + (f"; {copies.redated} of them took this file's earlier date (the transaction's, "
                               "where the other file has the posting date)" if copies.redated else ""))
    if not said:
        return None
    return ("; ".join(said) + f"; they count as duplicates and were not stored again; {stored} row(s) found only "
            "in this file were stored (docs/importers.md, \"The same months exported twice\")")


def held_elsewhere(copies: Copies, named_by_file: str | None, path: str) -> list[HeldElsewhere]:
    """What the analyst hears of another account holding this file's (``path``) charges
    (``copies.other_accounts``): which account, how many rows, and the ``--account`` that makes
    them one (round-52 audit: a card's CSV and its QFX saved under another name were two accounts
    without a word), as :class:`detector.account_notes.HeldElsewhere` findings, which the store
    keeps for later reports (:func:`detector.account_notes.record_held_elsewhere`)."""
    out = []
    for (mine, theirs), (n, other_path) in sorted(copies.other_accounts.items()):
        if named_by_file == mine:  # this file's account is its name's: --account moves it
            how = f"scan this file with --account {theirs!r}"
        else:  # this file names its own account (an OFX's ACCTID): the other file's rows move
            how = f"scan {other_path or 'the files of ' + repr(theirs)} with --account {mine!r}"
        out.append(HeldElsewhere(mine, theirs, n, path, other_path or "", (
            f"{n} row(s) of this file are charges account {theirs!r} already holds (most of them from "
            f"{other_path or 'rows of no file'}): the same amounts, merchants and dates across the months both "
            f"cover, as when one card's statement is saved again under another name. Files of different "
            f"accounts are not joined, so they are stored under {mine!r} too and their plans, flags and refund "
            f"requests show in both accounts. If the two are one account, {how}, into a new --db (rows stored "
            "stay where they are; docs/importers.md, \"The same charges under another account\")")))
    return out


class CurrencyCounts:
    """Rows per account and currency, kept over the chunks of a streamed file (or any rows), so
    an account's currency is the commonest of all its rows: a streamed scan gave an account the
    currency of its last chunk (round-twenty-three audit: a card's trip abroad at the end of a
    statement made a US account GBP, and its refund requests British)."""

    def __init__(self, tx: pd.DataFrame | None = None):
        self._counts: dict[str, Counter] = {}
        if tx is not None:
            self.add(tx)

    def add(self, tx: pd.DataFrame | None) -> None:
        """Count canonical rows (``account_id``, ``currency``) in their order: of two currencies
        with as many rows, the one an account used first is its currency."""
        if tx is None or tx.empty or "currency" not in tx.columns:
            return
        self.add_sizes(tx.dropna(subset=["currency"]).groupby(["account_id", "currency"], sort=False).size())

    def add_sizes(self, sizes: pd.Series) -> None:
        """Add rows counted elsewhere (the Spark job counts them on the cluster): ``sizes`` is
        indexed by ``(account_id, currency)`` in the order each pair first shows in the rows."""
        for (account, currency), n in sizes.items():
            if isinstance(currency, str) and currency:
                self._counts.setdefault(account, Counter())[currency] += int(n)

    def commonest(self) -> dict[str, str]:
        """Each counted account's commonest currency."""
        return {account: counts.most_common(1)[0][0] for account, counts in self._counts.items() if counts}


def set_account_currencies(store: Store, currencies: dict[str, str]) -> None:
    """Store each account's currency, and its currency's country, for rows stored by no
    statement (the Spark job's ``--db``: its refund requests were drafted in dollars with US
    working days for a GBP account, round-twenty-three audit). An account already stored in
    that currency keeps its country: the layout of the statement it came from may have named it
    (ING's EUR account is NL, where the euro alone says EU)."""
    if not currencies:
        return
    stored = {row[0]: (row[1], row[2]) for row in store.conn.execute(
        "SELECT account_id, currency, country FROM accounts WHERE account_id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(currencies))])}
    groups: dict[tuple[str, str | None], list[str]] = {}
    for account, currency in currencies.items():
        old_currency, old_country = stored.get(account, (None, None))
        country = old_country if old_currency == currency and old_country else country_for_currency(currency)
        groups.setdefault((currency, country), []).append(account)
    for (currency, country), accounts in groups.items():
        store.set_accounts(accounts, currency=currency, country=country)


def _accounts_by_currency(st: Statement, currencies: CurrencyCounts | None = None) -> dict[str | None, list[str]]:
    """The statement's accounts grouped by each one's own currency: the commonest of its rows
    (of a streamed file's rows so far, with ``currencies``).

    A generic CSV may hold several accounts, each with its own currency column value; the
    statement's currency is only the commonest of all its rows, so a GBP and an AUD account
    beside a US checking account took the USD and US holidays (nineteenth-round audit,
    multi-account-csv-one-country). An account without rows keeps the statement's currency.
    """
    accounts = st.accounts
    tx = st.transactions
    if currencies is None:
        if len(accounts) <= 1 or tx is None or tx.empty or "currency" not in tx.columns:
            return {st.currency: accounts} if accounts else {}
        currencies = CurrencyCounts(tx)
    own = currencies.commonest()
    groups: dict[str | None, list[str]] = {}
    for account in accounts:
        groups.setdefault(own.get(account, st.currency), []).append(account)
    return groups


def _edge_date(tx: pd.DataFrame, newest: bool = True) -> str | None:
    """The newest (or oldest) ISO date of canonical rows (dates are ``yyyy-mm-dd`` text, so they sort)."""
    if tx is None or tx.empty:
        return None
    last = tx["date"].max() if newest else tx["date"].min()
    return None if pd.isna(last) else str(last)


def _record_import(store: Store, result: IngestResult) -> None:
    now = utcnow()
    sha = file_sha256(result.path) if os.path.isfile(result.path) else None
    store.db["imports"].insert({
        "import_id": stable_id("import", result.path, sha, now, result.stored, result.duplicates),
        "path": result.path, "sha256": sha, "format": result.format,
        "account_id": result.account_id or ",".join(result.accounts[:20]),
        "rows_read": result.rows_read, "stored": result.stored, "duplicates": result.duplicates,
        "rejected": result.rejected, "imported_at": now,
    }, pk="import_id", replace=True)


def store_statement(store: Store, st: Statement, *, payment_method: str | None = None) -> IngestResult:
    """Write one read statement into the store and return its counts."""
    first, last = _edge_date(st.transactions, newest=False), _edge_date(st.transactions)
    stored, duplicates, copies, reused = _store_rows(store, st, payment_method)
    note = copies_note(copies, stored)
    result = IngestResult(path=st.path, format=st.format, account_id=st.account_id, accounts=st.accounts,
                          rows_read=st.rows_read, stored=stored, duplicates=duplicates, rejected=len(st.rejected),
                          rejections=st.rejected, last_date=last, first_date=first,
                          overlapping=copies.rows, redated_rows=copies.new_dates)
    held = held_elsewhere(copies, st.named_by_file, st.path)
    result.notes = list(st.notes) + reused.notes() + ([note] if note else []) + [h.message for h in held]
    _record_import(store, result)
    record_held_elsewhere(store, held)
    return result


def store_statement_chunks(store: Store, chunks: Iterable[Statement], path: str, *,
                           payment_method: str | None = None) -> IngestResult:
    """Store a statement read in chunks (:func:`iter_statement_chunks`); one result for the file.

    Each chunk is committed as it is stored, so memory stays at one chunk. If reading fails part
    way, the rows stored so far stay and a re-run counts them as duplicates.

    Raises :class:`EmptyStatement` with every rejected line, as :func:`read_statement` does for a
    small file, when no chunk held a usable row: the file is refused, with no ``imports`` row
    and no account made for it (a big file whose every row was rejected was recorded as ingested
    "ok" while the same small file was refused, twenty-fifth session).
    """
    result = IngestResult(path=path, streamed=True)
    accounts: dict[str, None] = {}
    copies = Copies()
    reused = ReusedIds()
    currencies = CurrencyCounts()
    named_by_file = None
    usable = 0
    for st in chunks:
        named_by_file = st.named_by_file
        first, last = _edge_date(st.transactions, newest=False), _edge_date(st.transactions)
        if st.transactions.empty:  # rejects only: nothing names an account (as in a small file)
            store.add_rejected(st.rejected)
            stored, duplicates, found, also = 0, 0, Copies(), ReusedIds()
        else:
            usable += len(st.transactions)
            stored, duplicates, found, also = _store_rows(store, st, payment_method, currencies)
            accounts.update(dict.fromkeys(st.accounts))
        copies.add(found)
        reused.add(also)
        result.format = st.format
        result.rows_read += st.rows_read
        result.stored += stored
        result.duplicates += duplicates
        result.rejected += len(st.rejected)
        result.rejections.extend(st.rejected)
        result.notes += [n for n in st.notes if n not in result.notes]  # every chunk carries the file's
        if last is not None and (result.last_date is None or last > result.last_date):
            result.last_date = last
        if first is not None and (result.first_date is None or first < result.first_date):
            result.first_date = first
    if not usable:
        raise no_rows_error(path, result.rejections, result.rows_read, result.format)
    result.accounts = list(accounts)
    result.account_id = result.accounts[0] if len(result.accounts) == 1 else None
    result.overlapping = copies.rows
    result.redated_rows = copies.new_dates
    result.notes += reused.notes()
    note = copies_note(copies, result.stored)
    if note:
        result.notes.append(note)
    held = held_elsewhere(copies, named_by_file, path)
    result.notes += [h.message for h in held]
    _record_import(store, result)
    record_held_elsewhere(store, held)
    return result


#: Rows of a file whose bank ids another account holds it takes to be that account's export ...
MIN_SHARED_IDS = 2
#: ... and the share of the file's rows in that account's stored days they must be: a few shared
#: ids (a transfer both of two accounts of one bank list under one id, should a bank do so) are not.
MIN_SHARED_SHARE = 0.5


@dataclass
class SameAccount:
    """What :func:`same_account_by_ids` found: the stored account a file is an export of."""

    account: str
    #: The account the file's name gave.
    named: str
    #: The file's rows whose bank ids ``account`` holds, and its rows with a bank id.
    shared: int
    rows: int
    #: The file that stored most of them.
    path: str

    def note(self) -> str:
        return (f"{self.shared} of this file's {self.rows} row(s) carry the bank's own transaction ids already "
                f"stored under account {self.account!r} (from {self.path or 'another file'}): the bank's id names "
                f"one transaction of one account, so this file is an export of {self.account!r} and its rows are "
                f"stored under it, not under {self.named!r} as its file name gives (--account names another; "
                "docs/importers.md, \"A bank's id already stored under another account\")")


def same_account_by_ids(store: Store, st: Statement) -> SameAccount | None:
    """The stored account ``st`` (one file, read) is an export of, known by the bank's own ids.

    Only a file whose one account its name gave (no ``--account``, no account or card column),
    of a layout whose ids name one transaction among all the bank's accounts
    (``Importer.bank_wide_ids``: Monzo's ``Transaction ID``), and whose rows' ids another account
    of the same layout holds: :data:`MIN_SHARED_IDS` rows at least, and
    :data:`MIN_SHARED_SHARE` of the file's rows dated within that account's stored days. Round-52
    audit: "Monzo Jan-Mar 2025.csv" and "Monzo Feb-Apr 2025.csv" became two accounts, and the 21
    rows of Monzo's ids already stored under the first were stored again under ``x_`` ids without
    a word: one double charge, two flags and two refund requests."""
    tx = st.transactions
    if (not st.bank_wide_ids or st.named_by_file is None or st.accounts != [st.named_by_file] or tx.empty
            or "id_from_bank" not in tx):
        return None
    bank = tx[tx["id_from_bank"].fillna(0).astype("int64").to_numpy() == 1]
    if len(bank) < MIN_SHARED_IDS:
        return None
    held = store.conn.execute(
        "SELECT t.account_id, count(*) FROM json_each(?) AS j JOIN transactions AS t "
        "ON t.transaction_id = j.value WHERE t.source = ? GROUP BY 1 ORDER BY 2 DESC, 1",
        [json.dumps(bank["transaction_id"].tolist()), st.format]).fetchall()
    own = dict(held).get(st.named_by_file, 0)
    others = [(a, n) for a, n in held if a != st.named_by_file]
    if not others:
        return None
    account, shared = others[0]
    if shared < MIN_SHARED_IDS or shared <= own:
        return None
    lo, hi = store.conn.execute("SELECT min(date), max(date) FROM transactions WHERE account_id = ?",
                                [account]).fetchone()
    dates = bank["date"].astype(str).str[:10]
    within = int(((dates >= str(lo)[:10]) & (dates <= str(hi)[:10])).sum())
    if shared < MIN_SHARED_SHARE * within:
        return None
    (path,) = store.conn.execute(
        "SELECT coalesce(t.source_file, '') FROM json_each(?) AS j JOIN transactions AS t ON t.transaction_id = "
        "j.value WHERE t.account_id = ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
        [json.dumps(bank["transaction_id"].tolist()), account]).fetchone()
    return SameAccount(account=account, named=st.named_by_file, shared=shared, rows=len(bank), path=path)


def apply_new_dates(rows: pd.DataFrame, results: Iterable[IngestResult]) -> pd.DataFrame:
    """``rows`` (canonical rows ``on_rows`` received) with the dates later files gave them in the
    store (each result's ``redated_rows``, in file order): the same rows as the store holds.
    Changed in place; nothing to do (no look-up) when no file re-dated a row. One hash look-up
    of the ids (``get_indexer``: 0.3 s for a million rows all re-dated, where ``isin`` took 18 s)."""
    new_dates: dict[str, str] = {}
    for r in results:
        new_dates.update(r.redated_rows)
    if not new_dates or rows.empty:
        return rows
    dates = pd.Series(new_dates)
    pos = dates.index.get_indexer(rows["transaction_id"])
    hit = pos >= 0
    if hit.any():
        rows.loc[hit, "date"] = dates.to_numpy()[pos[hit]]
    return rows


def imported_before_as(store: Store, path: str, accounts: list[str]) -> tuple[str, str] | None:
    """``(account now, account then)`` when this very file (the same sha256, in the ``imports``
    ledger) was imported before under one other account whose rows are still stored.

    A version that named accounts otherwise (an older release took ``amex`` from the file name
    where this one reads ``amex-71003`` from the file) stored every row of a file scanned again a
    second time, under the new name, silently (round-twenty-five audit): the plans, flags and
    refund requests of the card doubled, the dismissed flag came back. ``None`` when the file
    was not imported, was imported under the account it reads as now, holds several accounts,
    or the old account's rows are gone."""
    if len(accounts) != 1:
        return None
    try:
        sha = file_sha256(path)
    except OSError:
        return None
    then = {a for (a,) in store.conn.execute(
        "SELECT DISTINCT account_id FROM imports WHERE sha256 = ? AND account_id IS NOT NULL", [sha])}
    if len(then) != 1 or accounts[0] in then:
        return None
    (old,) = then
    if "," in old or store.conn.execute("SELECT 1 FROM transactions WHERE account_id = ? LIMIT 1",
                                        [old]).fetchone() is None:
        return None
    return accounts[0], old


def checked_format(format: str | None) -> None:
    """A :class:`ConfigError` when ``format`` names no statement layout (the CLI checks it before
    the store opens)."""
    if format is not None and format not in format_names():
        raise ConfigError(f"unknown format {format!r}; known formats: {', '.join(format_names())}")


def checked_mapping(columns) -> dict[str, str] | None:
    """``--columns`` as a mapping (None without one); one that is malformed, has a key no mapping
    takes or lacks ``date=``/``description=`` is a :class:`ConfigError`: the caller's mistake, not
    one file's (the CLI checks it before the store opens)."""
    mapping = parse_columns_or_fail(columns)
    if mapping:
        try:
            MappedCsv(mapping)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    return mapping


def ingest_files(paths: Iterable[str | os.PathLike], store: Store, *, format: str | None = None,
                 account_id: str | None = None, columns: str | dict | None = None,
                 payment_method: str | None = None,
                 progress: Callable[[IngestResult], None] | None = None,
                 on_rows: Callable[[pd.DataFrame], None] | None = None,
                 stream_bytes: int | None = None) -> list[IngestResult]:
    """Read and store each statement file; return one :class:`IngestResult` per file, in order.

    ``format``/``columns``/``account_id`` are passed to :func:`read_statement` for every file.
    ``payment_method`` (one of :data:`~detector.schema.PAYMENT_METHODS`) overrides the importer's
    default and is stored as set by the user. ``progress`` is called with each result as it is done.
    ``on_rows`` receives each stored file's canonical rows (ids as stored), so a caller can work on
    them without reading them back from SQLite; a later file of the same account may re-date some
    of them (its copy of a charge dated earlier): each result's ``redated_rows`` says which, and
    the caller applies them (:func:`apply_new_dates`) to hold what the store holds. CSV files bigger than ``stream_bytes`` (default
    :data:`STREAM_BYTES`) are read and stored :data:`STREAM_CHUNK_ROWS` rows at a time instead
    (their result has ``streamed=True`` and ``on_rows`` does not see them).
    A file that cannot be read gets ``error`` set and the others are still ingested.
    """
    if payment_method is not None and payment_method not in PAYMENT_METHODS:
        raise ConfigError(f"unknown payment method {payment_method!r}; use one of {', '.join(PAYMENT_METHODS)}")
    checked_format(format)
    mapping = checked_mapping(columns)
    results = []
    paths = [str(p) for p in paths]
    ties = AccountTies(store, paths, account_id)
    for p in paths:
        streamed = _streams(p, stream_bytes)
        try:
            accounts_as, tie_note = ties.accounts_as(p)
            if streamed:
                chunks = iter_statement_chunks(p, chunksize=STREAM_CHUNK_ROWS, format=format,
                                               account_id=account_id, columns=mapping, accounts_as=accounts_as)
                result = store_statement_chunks(store, chunks, p, payment_method=payment_method)
            else:
                st = read_statement(p, format=format, account_id=account_id, columns=mapping,
                                    accounts_as=accounts_as)
                before = None if account_id else imported_before_as(store, p, st.accounts)
                if before is not None:  # this very file, stored under the account it had then
                    st = read_statement(p, format=format, account_id=account_id, columns=mapping,
                                        accounts_as={**accounts_as, before[0]: before[1]})
                    tie_note = "; ".join(filter(None, [tie_note, (
                        f"this very file (the same sha256) was imported before under account {before[1]!r}: its "
                        f"rows are stored under {before[1]!r} again, not under {before[0]!r} as this version "
                        "names the account (docs/importers.md, \"The same file under a new account name\"; "
                        "--account names another)")]))
                same = None if before is not None or account_id else same_account_by_ids(store, st)
                if same is not None:  # the bank's own ids say whose export it is
                    st = read_statement(p, format=format, account_id=account_id, columns=mapping,
                                        accounts_as={**accounts_as, same.named: same.account})
                    tie_note = "; ".join(filter(None, [tie_note, same.note()]))
                result = store_statement(store, st, payment_method=payment_method)
                if on_rows is not None:
                    on_rows(st.transactions)
            if tie_note:
                result.notes.insert(0, tie_note)
        except EmptyStatement as exc:  # refused; its rejected lines kept as a partly bad file's
            store.add_rejected(exc.rejected)
            result = IngestResult(path=p, format=exc.format or format, rows_read=exc.rows_read,
                                  rejected=len(exc.rejected), rejections=exc.rejected, error=str(exc),
                                  streamed=streamed)
        except DetectorError as exc:
            result = IngestResult(path=p, format=format, error=str(exc))
        except OSError as exc:  # a file vanishing between listing and reading
            result = IngestResult(path=p, format=format, error=f"{p}: {exc.strerror or exc}")
        results.append(result)
        if progress is not None:
            progress(result)
    return results

