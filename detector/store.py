"""The SQLite store: one file, versioned schema, idempotent writes.

Everything goes through :class:`Store`, a thin wrapper over :class:`sqlite_utils.Database`.
Domain modules (refunds, plaid, runs) use ``store.db[table]`` for their own queries; the schema
itself changes only here, by appending a migration to :data:`MIGRATIONS`.

>>> store = Store(":memory:")
>>> store.schema_version == len(MIGRATIONS)
True
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import sqlite_utils

from .errors import StoreError
from .schema import FLAG_TYPES, OPTIONAL_TRANSACTION_COLUMNS, PENDING_COLUMN, TRANSACTION_COLUMNS, empty_transactions

DEFAULT_DB = "subdetect.db"


#: Rows turned into Python tuples at a time by :meth:`Store.add_transactions`.
INSERT_BATCH_ROWS = 100_000
#: An import of at least this many rows into an empty table builds its indexes after the rows.
BULK_LOAD_ROWS = 50_000


#: What a store whose folder or files cannot be written should check (said with the error).
WRITABLE_HINT = ("Check that the --db file (default ./subdetect.db, or SUBDETECT_DB) and its folder are "
                 "writable (beside the file go its -wal, -shm and .lock files), or give another --db.")


def _folder_cause(path: str) -> str:
    """`` (its folder F is not writable)`` when the folder of the store at ``path`` cannot be
    written (a read-only mount): SQLite says only "unable to open database file"."""
    if path == ":memory:":
        return ""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(folder) and not os.access(folder, os.W_OK):
        return (f" (its folder {folder} is not writable: a command that writes needs to make the -wal, -shm "
                "and .lock files there; `report`, `refunds list` and the other commands that only read "
                "can still read it)")
    return ""


def default_db_path() -> str:
    """``$SUBDETECT_DB`` if set, else ``./subdetect.db``."""
    return os.environ.get("SUBDETECT_DB") or DEFAULT_DB


#: Seconds a write waits while another connection holds the database's write lock before it
#: fails with "database is locked" (env ``SUBDETECT_DB_TIMEOUT``; SQLite's busy timeout).
DEFAULT_DB_TIMEOUT = 30.0


def db_timeout() -> float:
    """``$SUBDETECT_DB_TIMEOUT`` (seconds, >= 0) if set, else :data:`DEFAULT_DB_TIMEOUT`."""
    text = os.environ.get("SUBDETECT_DB_TIMEOUT")
    if not text:
        return DEFAULT_DB_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # (NaN too)
        raise StoreError(f"SUBDETECT_DB_TIMEOUT={text!r}: give the seconds to wait for a locked database, e.g. 30")
    return value


def locked_reason(exc: BaseException, timeout: float) -> str:
    """One line for a database error: "database is locked" says how long it was waited for."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "locked" in text.lower() or "busy" in text.lower():
        return (f"the database stayed locked for more than {timeout:g} s (another connection was writing "
                f"to it): {text}")
    return text


def utcnow() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _m1_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS accounts (
            account_id TEXT PRIMARY KEY,
            name TEXT,
            payment_method TEXT,
            payment_method_source TEXT,      -- 'user' | 'importer' | 'plaid'
            country TEXT NOT NULL DEFAULT 'US',
            currency TEXT,
            source TEXT,
            updated_at TEXT
        );
        CREATE TABLE IF NOT EXISTS transactions (
            transaction_id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            date TEXT NOT NULL,
            amount REAL NOT NULL,
            currency TEXT,
            description TEXT NOT NULL,
            source TEXT,
            source_file TEXT,
            source_line INTEGER,
            pending INTEGER NOT NULL DEFAULT 0,
            imported_at TEXT
        );
        CREATE INDEX IF NOT EXISTS ix_transactions_account_date ON transactions(account_id, date);
        CREATE TABLE IF NOT EXISTS rejected_rows (
            rejected_id TEXT PRIMARY KEY,    -- hash of file and line
            source_file TEXT,
            source_line INTEGER,
            reason TEXT,
            raw TEXT,
            imported_at TEXT
        );
        CREATE TABLE IF NOT EXISTS imports (
            import_id TEXT PRIMARY KEY,
            path TEXT,
            sha256 TEXT,
            format TEXT,
            account_id TEXT,
            rows_read INTEGER,
            stored INTEGER,
            duplicates INTEGER,
            rejected INTEGER,
            imported_at TEXT
        );
        CREATE TABLE IF NOT EXISTS streams (
            stream_id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            merchant TEXT,
            vendor TEXT,
            channel TEXT,
            direction TEXT,
            frequency TEXT,
            average_amount REAL,
            last_amount REAL,
            first_date TEXT,
            last_date TEXT,
            next_date TEXT,
            next_amount REAL,
            status TEXT,
            confidence REAL,
            transaction_ids TEXT,            -- JSON list
            evidence TEXT,
            as_of TEXT,
            updated_at TEXT
        );
        CREATE INDEX IF NOT EXISTS ix_streams_account ON streams(account_id);
        CREATE TABLE IF NOT EXISTS flags (
            flag_id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            transaction_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            merchant TEXT,
            stream_id TEXT,
            date TEXT,
            amount REAL,
            severity TEXT,
            reason TEXT,
            created_at TEXT
        );
        CREATE INDEX IF NOT EXISTS ix_flags_account ON flags(account_id);
        CREATE TABLE IF NOT EXISTS decisions (
            decision_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,              -- 'cancel' | 'dismiss'
            account_id TEXT,
            merchant TEXT,
            target_id TEXT,                  -- stream or flag id (dismiss)
            on_date TEXT,                    -- cancelled_on (cancel)
            reason TEXT,
            created_at TEXT
        );
        CREATE TABLE IF NOT EXISTS refund_requests (
            request_id TEXT PRIMARY KEY,
            transaction_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            flag_id TEXT,
            vendor TEXT,
            channel TEXT,
            payment_method TEXT,
            amount REAL,
            refunded_amount REAL,
            reason TEXT,
            eligible INTEGER,
            eligibility_reason TEXT,
            deadline TEXT,
            filed_on TEXT,
            expected_by TEXT,
            status TEXT,
            steps TEXT,                      -- JSON
            documents TEXT,                  -- JSON
            email TEXT,                      -- JSON {subject, body}
            history TEXT,                    -- JSON list
            process TEXT,                    -- refund-process id used
            created_at TEXT,
            updated_at TEXT
        );
        CREATE TABLE IF NOT EXISTS plaid_items (
            name TEXT PRIMARY KEY,
            item_id TEXT,
            access_token_enc TEXT,           -- encrypted, never plain text
            cursor TEXT,
            last_synced_at TEXT,
            last_error TEXT,
            created_at TEXT
        );
        CREATE TABLE IF NOT EXISTS runs (
            run_id TEXT PRIMARY KEY,
            kind TEXT,
            started_at TEXT,
            ended_at TEXT,
            status TEXT,                     -- running | ok | failed
            counts TEXT,                     -- JSON
            errors TEXT                      -- JSON list
        );
        """
    )


def _add_column(db: sqlite_utils.Database, table: str, column: str, kind: str) -> None:
    """``ALTER TABLE ... ADD COLUMN`` unless the column is there: a store that two processes
    migrated at once before the migration lock (columns added, version written back lower)
    is repaired by migrating it again."""
    if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _m2_refund_details(db: sqlite_utils.Database) -> None:
    # Refund requests keep what they were built from (flag type, charge date, descriptor,
    # currency, job date, the user's own reason) and the sources of every fact, so filing a
    # candidate later can recompute eligibility and the expected date from the same inputs.
    _add_column(db, "refund_requests", "details", "TEXT")  # JSON object


def _m3_dismissed_charges(db: sqlite_utils.Database) -> None:
    # A dismissed stream keeps the ids of its charges: its stream id hashes its first charge, so
    # older history imported later gives it a new id, and the dismissal must still find it.
    _add_column(db, "decisions", "transaction_ids", "TEXT")  # JSON list


def _m4_refunded_flags(db: sqlite_utils.Database) -> None:
    # A flagged charge the merchant gave back keeps the date of that credit: the report shows it,
    # and no refund request is queued for it.
    _add_column(db, "flags", "refunded_on", "TEXT")


def _m5_stream_currency(db: sqlite_utils.Database) -> None:
    # A stream's currency: the report totals each currency on its own (a GBP and a USD account).
    _add_column(db, "streams", "currency", "TEXT")


def _m6_bank_ids(db: sqlite_utils.Database) -> None:
    # Whether a transaction's id is the bank's own (OFX FITID, a CSV's id or reference column) or
    # one subdetect made (a hash of the line) or Plaid did: a refund email quotes only the bank's
    # (round-twenty-four audit: a Chase charge's hash was quoted as its "transaction reference").
    if "id_from_bank" in {row[1] for row in db.execute("PRAGMA table_info(transactions)").fetchall()}:
        return  # (a store left half migrated: its rows were judged already)
    _add_column(db, "transactions", "id_from_bank", "INTEGER NOT NULL DEFAULT 0")
    # Rows stored before: the ids subdetect made are hex hashes (16 digits; 64 in early versions),
    # or "x_" and one (a source id another account held); Plaid's are Plaid's, the generator's its
    # own. The others came from the file. A bank id that looks like a hash stays 0: not quoting a
    # reference is safe, quoting one the bank never gave is not.
    db.execute("UPDATE transactions SET id_from_bank = 1 WHERE COALESCE(source, '') NOT IN ('plaid', 'synth') "
               "AND transaction_id NOT LIKE 'x\\_%' ESCAPE '\\' "
               "AND NOT (length(transaction_id) IN (16, 64) AND transaction_id NOT GLOB '*[^0-9a-f]*')")


def _m7_charges_per_year(db: sqlite_utils.Database) -> None:
    # A stream that pauses at the same time each year (council tax: ten instalments, none in
    # February and March) keeps its charges a year: the report's monthly cost counts them.
    _add_column(db, "streams", "charges_per_year", "REAL")


def _m8_plaid_sync_health(db: sqlite_utils.Database) -> None:
    # Which item each Plaid account comes from, the day an item's data is complete through (the
    # as-of date of its last successful sync; ``last_synced_at`` is the clock's) and its last
    # error's code: a report names the accounts of an item that stopped syncing, and judges their
    # plans as of that day (round-thirty-eight audit: weeks of ITEM_LOGIN_REQUIRED made an
    # item's plans "ended" without a word).
    _add_column(db, "accounts", "plaid_item", "TEXT")
    _add_column(db, "plaid_items", "synced_through", "TEXT")
    _add_column(db, "plaid_items", "last_error_code", "TEXT")
    db.execute("UPDATE plaid_items SET synced_through = substr(last_synced_at, 1, 10) "
               "WHERE synced_through IS NULL AND last_synced_at IS NOT NULL")
    # error text stored before errors were redacted may quote a token (the same audit)
    from .redact import REDACTED, TOKEN_PATTERN

    for table, key, column in (("plaid_items", "name", "last_error"), ("runs", "run_id", "errors")):
        for row_key, text in db.execute(f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL").fetchall():
            clean = TOKEN_PATTERN.sub(REDACTED, text)
            if clean != text:
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", [clean, row_key])


def _m9_original_amounts(db: sqlite_utils.Database) -> None:
    # A charge's amount and currency as the merchant billed it, where the statement gives them in
    # another currency than the account's (Monzo's Local amount): a plan priced in dollars on a
    # pound card is judged at its own price, which the exchange rate does not move (round-thirty-
    # nine audit). Rows stored before have none (null): their statements imported again add none
    # either (the rows are there), so they are judged by their amounts as before.
    _add_column(db, "transactions", "original_amount", "REAL")
    _add_column(db, "transactions", "original_currency", "TEXT")


def _m10_last_year_total(db: sqlite_utils.Database) -> None:
    # A bill whose amount moves every cycle keeps what its last year of charges came to: the
    # report's monthly cost is a twelfth of it (a gas bill's seasons, not its last three bills).
    _add_column(db, "streams", "last_year_total", "REAL")


def _m11_flag_descriptions(db: sqlite_utils.Database) -> None:
    # The flagged charge's descriptor, as the bank wrote it: the Spark job's ``--db`` stores no
    # transaction rows, where the report read it from, so its every flag's descriptor was empty
    # (round-forty-two audit). Flags stored before have none: the report reads their charge's row.
    _add_column(db, "flags", "description", "TEXT")


def _m12_run_as_of(db: sqlite_utils.Database) -> None:
    # The date a run is as of (``nightly --as-of``, else its day): a back-dated or catch-up run
    # read like any other in the run log, which had only the clock's ``started_at`` (round-forty-
    # seven audit). Runs logged before have none (null): nothing recorded it.
    _add_column(db, "runs", "as_of", "TEXT")


def _m13_detection_owed(db: sqlite_utils.Database) -> None:
    # The accounts whose stored transactions no detection has looked at since they were stored:
    # written in the transaction that stores the rows, deleted in the one that saves the
    # account's streams and flags. A scan killed between the two (kill -9, the OOM killer, Ctrl-C)
    # left a file's 512 accounts without streams or flags, and the next scan of another file,
    # and `report`, said nothing (round-fifty audit). ``marks`` counts the stores since the row
    # was written: a detection deletes the row only if nothing was stored after it read the rows.
    # Stores made before this migration start with none owed (what they hold is not known).
    db.execute("CREATE TABLE IF NOT EXISTS detection_owed (account_id TEXT PRIMARY KEY, since TEXT, "
               "marks INTEGER NOT NULL DEFAULT 1)")


def _m14_account_links(db: sqlite_utils.Database) -> None:
    # Accounts the user said are one account's history: a card lost, stolen or reissued gets a
    # new number, and with it a new account (`<layout>-<card>`, a Chase file named by the card),
    # so every plan ended on the old card and started over on the new one (round-54 audit).
    # ``account_id`` continues ``continues`` (``subdetect accounts link OLD NEW``); detection
    # reads a chain of them as one account (detector.links). The rows keep their own account.
    db.execute("CREATE TABLE IF NOT EXISTS account_links (account_id TEXT PRIMARY KEY, "
               "continues TEXT NOT NULL, linked_at TEXT)")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS ix_account_links_continues ON account_links(continues)")


def _m15_persistent_account_ids(db: sqlite_utils.Database) -> None:
    # Plaid's ``persistent_account_id``: the one id an account keeps when it is linked again as a
    # new Item and gets a new ``account_id`` (Chase, PNC, US Bank: Tokenized Account Numbers). A
    # sync that meets a new account with the persistent id of a stored one links the two as
    # ``accounts link`` does (detector.plaid.sync); ``linked_by`` says who made a link ('user',
    # or 'plaid' for such a sync), so the report and `accounts list` can tell. The nightly job
    # linked nothing and every plan started over on the new account (twenty-sixth session).
    # Accounts stored before have none until a sync of their item records it; links made
    # before were the user's.
    _add_column(db, "accounts", "persistent_account_id", "TEXT")
    _add_column(db, "account_links", "linked_by", "TEXT NOT NULL DEFAULT 'user'")
    db.execute("CREATE INDEX IF NOT EXISTS ix_accounts_persistent_id ON accounts(persistent_account_id)")


def _m16_account_notes(db: sqlite_utils.Database) -> None:
    # What a scan or an ingest found out about an account that the user should still hear in a
    # later `report`: a file whose charges another account holds already (the note the scan
    # printed once, then never again: twenty-sixth session). One row a pair of accounts and
    # file (``note_id`` a stable hash), until it no longer applies or is dismissed
    # (``dismissed_at``; `subdetect notes dismiss`).
    db.execute("CREATE TABLE IF NOT EXISTS account_notes (note_id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
               "account_id TEXT NOT NULL, other_account TEXT, path TEXT, other_path TEXT, rows INTEGER, "
               "message TEXT NOT NULL, noted_on TEXT NOT NULL, created_at TEXT, dismissed_at TEXT)")


def _m17_detection_owed_reasons(db: sqlite_utils.Database) -> None:
    # Why an account's detection is owed, comma-separated (:data:`OWED_REASONS`): after
    # `accounts link --no-detect` the next scan said the accounts were "stored by `ingest`,
    # `plaid sync` or a run stopped before detecting" (r55 audit). Rows owed before this
    # migration have none: their rows were stored (the only reason there was).
    _add_column(db, "detection_owed", "reasons", "TEXT")


def _m18_detections(db: sqlite_utils.Database) -> None:
    # The date each account was last detected as of, whatever the detection found: `report` read
    # it from the stored streams, so a store whose scan found nothing was reported "as of" today,
    # and accounts scanned as of different days were all reported as of the latest (r56 audit).
    # Stores made before know only their streams' dates (detector.pipeline.detected_dates).
    db.execute("CREATE TABLE IF NOT EXISTS detections (account_id TEXT PRIMARY KEY, as_of TEXT NOT NULL, "
               "updated_at TEXT)")


#: Ordered schema migrations; the schema version is the number applied (PRAGMA user_version).
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_m1_initial, _m2_refund_details,
                                                            _m3_dismissed_charges, _m4_refunded_flags,
                                                            _m5_stream_currency, _m6_bank_ids,
                                                            _m7_charges_per_year, _m8_plaid_sync_health,
                                                            _m9_original_amounts, _m10_last_year_total,
                                                            _m11_flag_descriptions, _m12_run_as_of,
                                                            _m13_detection_owed, _m14_account_links,
                                                            _m15_persistent_account_ids, _m16_account_notes,
                                                            _m17_detection_owed_reasons, _m18_detections]


#: Why a detection is owed (:meth:`Store.mark_detection_owed`): rows stored and not detected
#: since, a link made without detecting, a link undone without detecting.
OWED_REASONS = ("stored", "linked", "unlinked")

#: Each of :data:`OWED_REASONS` said to a person (the CLI's notes, `report`'s warning, the
#: nightly summary).
OWED_BECAUSE = {
    "stored": "stored by `ingest`, `plaid sync` or a run stopped before detecting",
    "linked": "linked by `accounts link --no-detect` (or a link whose detection stopped), not detected since",
    "unlinked": "unlinked by `accounts unlink --no-detect` (or one whose detection stopped), not detected since",
}


class _MigrationLock:
    """A blocking exclusive ``flock`` on ``<db>.migrate.lock`` (none for an in-memory store or
    where ``fcntl`` is missing); the kernel releases it if the process dies."""

    def __init__(self, db_path: str):
        self.path = None if db_path == ":memory:" else f"{os.path.realpath(db_path)}.migrate.lock"
        self._fd: int | None = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # (not POSIX)
            return self
        if self.path is not None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a directory it cannot write to: SQLite says what it can do there
                return self
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.close(self._fd)  # (closing releases the lock)
            self._fd = None


class _Connection(sqlite3.Connection):
    """A connection whose ``commit()`` and ``with conn:`` blocks wait while
    :meth:`Store.one_transaction` holds a transaction open, so several steps that each commit
    their own writes are stored together or not at all."""

    held = 0

    def commit(self) -> None:
        if not self.held:
            super().commit()

    def __exit__(self, exc_type, exc, tb):
        if self.held:  # (an error reaches the holder, which rolls everything back)
            return False
        return super().__exit__(exc_type, exc, tb)


class Store:
    """The SQLite file behind every command.

    ``path`` defaults to :func:`default_db_path`; ``":memory:"`` gives a throw-away store.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float | None = None,
                 readonly: bool = False):
        self.path = str(path) if path is not None else default_db_path()
        #: seconds a write waits for another connection's write lock (:func:`db_timeout`)
        self.timeout = db_timeout() if timeout is None else float(timeout)
        #: opened read-only (:meth:`_open_readonly`): every write fails
        self.readonly = readonly and self.path != ":memory:"
        if self.readonly:
            self._open_readonly()
            return
        try:
            if self.path == ":memory:":
                conn = sqlite3.connect(":memory:", factory=_Connection)
            else:
                folder = Path(self.path).parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:  # round-twenty-five audit: a traceback for `--db ro/new/s.db`
                    raise StoreError(f"cannot open store {self.path}: cannot create its folder {folder}: "
                                     f"{exc.strerror or exc}. {WRITABLE_HINT}") from exc
                conn = sqlite3.connect(self.path, timeout=self.timeout, factory=_Connection)
                # WAL is kept in the file: only a new store switches, and two processes switching
                # one at once may get "database is locked" at once (no busy wait for it), so the
                # switch takes the migration lock
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    with _MigrationLock(self.path):
                        conn.execute("PRAGMA journal_mode=WAL")
            self._tune(conn)
            self.db = sqlite_utils.Database(conn)
            self.migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}{_folder_cause(self.path)}") from exc

    @staticmethod
    def _tune(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Up to 256 MiB of page cache (grown only as used): with SQLite's 2 MiB default a
        # million-row import thrashes the primary-key and (account, date) B-trees, 41 s vs 23 s.
        conn.execute("PRAGMA cache_size=-262144")

    def _open_readonly(self) -> None:
        """Open the store for reading only (``report``, ``refunds list``, ...): SQLite's
        ``mode=ro``, so nothing is written to it, whoever may write the file.

        A store in a folder that cannot be written (a read-only mount, a backup snapshot) cannot
        be opened so when its ``-shm`` file is not there (SQLite makes it to read a WAL-mode
        file): it is then opened ``immutable``, which reads the file alone, unless a ``-wal``
        file beside it holds changes not yet written into it (those would go unseen: refused,
        saying so). Round-fifty audit: `report` on a read-only folder failed "unable to open
        database file". A store of an older schema is migrated first when it can be written
        (as every command did before), else refused in one line."""
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            conn = self._connect_uri("mode=ro")
        except sqlite3.DatabaseError as exc:
            wal = f"{self.path}-wal"
            if os.access(folder, os.W_OK):
                raise StoreError(f"cannot open store {self.path}: {exc}") from exc
            if os.path.exists(wal) and os.path.getsize(wal) > 0:
                raise StoreError(
                    f"cannot open store {self.path}: its folder {folder} is not writable and {wal} holds "
                    "changes not yet written into the file, which SQLite reads only by making its -shm file "
                    "there: copy the database with its -wal file to a writable folder and read the copy"
                ) from exc
            try:
                conn = self._connect_uri("immutable=1")
            except sqlite3.DatabaseError as again:
                raise StoreError(f"cannot open store {self.path}: {again} (its folder {folder} is not "
                                 "writable)") from again
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this program ({len(MIGRATIONS)})")
            if version < len(MIGRATIONS):
                conn.close()
                if not (os.access(self.path, os.W_OK) and os.access(folder, os.W_OK)):
                    raise StoreError(
                        f"cannot read store {self.path}: it was made by an older version (schema {version}, this "
                        f"program reads {len(MIGRATIONS)}) and upgrading it needs writing, but "
                        + ("its folder " + folder if not os.access(folder, os.W_OK) else "the file")
                        + " is not writable: run this version's `subdetect detect` on a writable copy")
                Store(self.path, timeout=self.timeout).close()  # (migrates it)
                conn = self._connect_uri("mode=ro")
            self._tune(conn)
            self.db = sqlite_utils.Database(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"cannot open store {self.path}: {exc}{_folder_cause(self.path)}") from exc
        except BaseException:
            conn.close()
            raise

    def _connect_uri(self, flags: str) -> sqlite3.Connection:
        """A connection to the file through an SQLite URI with ``flags``, opened at once (SQLite
        opens the file at the first statement)."""
        from urllib.parse import quote

        uri = f"file:{quote(os.path.abspath(self.path))}?{flags}"
        conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, factory=_Connection)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @contextlib.contextmanager
    def one_transaction(self):
        """Every write inside the block in one ``BEGIN IMMEDIATE`` transaction: committed at its
        end, rolled back on any error, whatever the steps inside commit on their own (the Spark
        job's ``--db`` left streams and flags stored without their currencies and refund queue when
        a later step failed: round-forty-two audit)."""
        conn = self.conn
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        conn.held += 1
        try:
            yield self
        except BaseException:
            conn.held -= 1
            conn.rollback()
            raise
        conn.held -= 1
        conn.commit()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Apply every migration not yet applied, each in its own transaction.

        One process migrates at a time (an exclusive lock on ``<db>.migrate.lock``; the version is
        read again once it is held): two commands opening a new store at once used to both run
        the migrations, and the slower wrote back a lower version over columns that existed.
        """
        if self.schema_version == len(MIGRATIONS):
            return
        with _MigrationLock(self.path):
            version = self.schema_version
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this program ({len(MIGRATIONS)})"
                )
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                with self.conn:
                    migration(self.db)
                    self.conn.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.conn.close()

    def release_memory(self) -> None:
        """Free SQLite's page cache (it grows to ``cache_size``, 256 MiB, while a big import runs).

        Later reads come from the operating system's file cache. A scan calls this between
        storing and detecting: 255 MB less at the peak of a 1.2M-row scan.
        """
        self.conn.execute("PRAGMA shrink_memory")

    # -- transactions -------------------------------------------------------------------------

    def add_transactions(self, df: pd.DataFrame) -> tuple[int, int]:
        """Insert canonical rows; ids already stored are duplicates. Returns ``(stored, duplicates)``.

        One transaction and ``executemany``: a million rows is seconds, not minutes.
        """
        if df.empty:
            return 0, 0
        cols = list(TRANSACTION_COLUMNS) + ["pending", "imported_at"]
        # assign, not copy: with copy-on-write the untouched columns are shared, not duplicated
        # an id not known to be the bank's (a frame without the column) is never quoted as its reference
        from_bank = df["id_from_bank"].fillna(0).astype("int64") if "id_from_bank" in df else 0
        frame = df.assign(pending=df.get("pending", 0), imported_at=utcnow(), id_from_bank=from_bank,
                          date=iso_dates(df["date"]), **_absent_optional(df))[cols]
        with self.conn:
            indexes = self._drop_indexes_for_bulk_load("transactions") if len(frame) >= BULK_LOAD_ROWS else []
            before = self.conn.total_changes
            # Python row tuples cost ~0.5 KB a row: build them a slice at a time, in one transaction
            for start in range(0, len(frame), INSERT_BATCH_ROWS):
                for sql, rows in _insert_rows("transactions", frame.iloc[start:start + INSERT_BATCH_ROWS]):
                    self.conn.executemany(sql, rows)
            stored = self.conn.total_changes - before
            for sql in indexes:
                self.conn.execute(sql)
            if stored:  # (with the rows, or not at all: a run killed before detecting leaves them owed)
                self.mark_detection_owed(frame["account_id"].unique())
        return stored, len(frame) - stored

    # -- detection owed ------------------------------------------------------------------------

    def mark_detection_owed(self, accounts: Iterable[str], reason: str = "stored") -> None:
        """Record that ``accounts`` hold transactions no detection has looked at yet, in the
        caller's transaction (the one storing the rows). Every write of transaction rows does:
        :meth:`add_transactions`, a Plaid sync; and so does a link made or undone (``reason``
        ``linked`` / ``unlinked``: one of :data:`OWED_REASONS`), which changes what detection reads."""
        if reason not in OWED_REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        accounts = [a for a in dict.fromkeys(accounts) if isinstance(a, str) and a]
        if accounts:  # (one statement and one JSON parameter however many accounts)
            self.conn.execute(
                "INSERT INTO detection_owed (account_id, since, reasons) SELECT value, ?, ? FROM json_each(?) "
                "WHERE true ON CONFLICT(account_id) DO UPDATE SET marks = marks + 1, reasons = CASE "
                "WHEN instr(',' || coalesce(reasons, 'stored') || ',', ',' || excluded.reasons || ',') "
                "THEN coalesce(reasons, 'stored') ELSE coalesce(reasons, 'stored') || ',' || excluded.reasons END",
                [utcnow(), reason, json.dumps(accounts)])

    def detection_owed_entries(self) -> dict[str, tuple[int, list[str]]]:
        """Each account owed a detection with its :meth:`detection_owed` count of stores and its
        :meth:`detection_owed_reasons`, read in one query: a caller needing both sees them of the
        same moment (an `ingest` may mark accounts between two reads)."""
        rows = self.conn.execute("SELECT account_id, marks, reasons FROM detection_owed ORDER BY account_id")
        return {a: (marks, (why or "stored").split(",")) for a, marks, why in rows}

    def detection_owed_reasons(self) -> dict[str, list[str]]:
        """Why each account of :meth:`detection_owed` is owed a detection, in the order the
        reasons came (:data:`OWED_REASONS`; ``stored`` for a row marked before they were kept)."""
        return {a: why for a, (_, why) in self.detection_owed_entries().items()}

    def detection_owed(self) -> dict[str, int]:
        """The accounts holding transactions that no detection has looked at since they were
        stored (a `scan` or `nightly` stopped between storing and detecting, or `ingest` and
        `plaid sync`, which do not detect), each with its count of stores, for
        :meth:`clear_detection_owed`. A small table: reading it costs nothing at any size."""
        return {a: marks for a, (marks, _) in self.detection_owed_entries().items()}

    def clear_detection_owed(self, accounts: Iterable[str], marks: dict[str, int] | None = None) -> None:
        """Forget ``accounts`` from :meth:`detection_owed` once their detection is saved, in the
        caller's transaction. With ``marks`` (what :meth:`detection_owed` said before the
        detection read the rows) an account stored to again since is kept."""
        accounts = [str(a) for a in accounts]
        if marks is None:
            self.conn.execute("DELETE FROM detection_owed WHERE account_id IN (SELECT value FROM json_each(?))",
                              [json.dumps(accounts)])
            return
        self.conn.executemany("DELETE FROM detection_owed WHERE account_id = ? AND marks = ?",
                              [(a, marks[a]) for a in accounts if a in marks])

    def record_detections(self, accounts: Iterable[str], as_of: str) -> None:
        """Note that ``accounts`` were detected as of ``as_of`` (ISO), in the caller's transaction:
        what :meth:`detection_dates` reads, also for an account where nothing was found. A run
        again as of the same date changes nothing (``updated_at``: when it was first as of it)."""
        now = utcnow()
        self.conn.executemany("INSERT INTO detections (account_id, as_of, updated_at) VALUES (?, ?, ?) "
                              "ON CONFLICT(account_id) DO UPDATE SET as_of = excluded.as_of, "
                              "updated_at = excluded.updated_at WHERE detections.as_of IS NOT excluded.as_of",
                              [(str(a), as_of, now) for a in accounts])

    def detection_dates(self, accounts: Iterable[str] | None = None) -> dict[str, str]:
        """Each account's last detection's as-of date (:meth:`record_detections`), of ``accounts``
        or all; a store opened read-only before its upgrade has none."""
        if "detections" not in self.db.table_names():
            return {}
        if accounts is None:
            return dict(self.conn.execute("SELECT account_id, as_of FROM detections"))
        return dict(self.conn.execute("SELECT account_id, as_of FROM detections WHERE account_id IN "
                                      "(SELECT value FROM json_each(?))", [json.dumps(sorted(map(str, accounts)))]))

    def repoint_transactions(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Carry what refers to a transaction over to the one replacing it, for ``(old, new)``
        id pairs (a bank's posted charge replacing its pending authorisation): refund requests
        (a filed one stays the charge's one request), flag dismissals (their flag id hashes the
        charge's id, :mod:`detector.flags`) and the charge ids decisions keep. Runs inside the
        caller's transaction; returns how many rows it changed."""
        from .ids import stable_id

        pairs = {str(o): str(n) for o, n in pairs if o and n and o != n}
        if not pairs:
            return 0
        c = self.conn
        before = c.total_changes
        c.execute("CREATE TEMP TABLE IF NOT EXISTS _repoint (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
        c.execute("DELETE FROM _repoint")
        c.executemany("INSERT OR REPLACE INTO _repoint VALUES (?, ?)", pairs.items())
        # a flag's id hashes its type and charge (a dismissed flag is stored nowhere else)
        c.execute("CREATE TEMP TABLE IF NOT EXISTS _reflag (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
        c.execute("DELETE FROM _reflag")
        c.executemany("INSERT OR REPLACE INTO _reflag VALUES (?, ?)",
                      ((stable_id(kind, o), stable_id(kind, n)) for o, n in pairs.items() for kind in FLAG_TYPES))
        dismissed = c.execute("SELECT decision_id, new FROM decisions JOIN _reflag ON old = target_id "
                              "WHERE kind = 'dismiss'").fetchall()
        for did, new_fid in dismissed:
            c.execute("UPDATE OR REPLACE decisions SET target_id = ?, decision_id = ? WHERE decision_id = ?",
                      [new_fid, stable_id("dismiss", new_fid, prefix="d_"), did])
        c.execute("UPDATE refund_requests SET flag_id = (SELECT new FROM _reflag WHERE old = flag_id) "
                  "WHERE flag_id IN (SELECT old FROM _reflag)")
        c.execute("UPDATE refund_requests SET transaction_id = (SELECT new FROM _repoint WHERE old = transaction_id), "
                  "details = CASE WHEN json_type(details, '$.inputs') = 'object' "
                  "THEN json_set(details, '$.inputs.transaction_id', "
                  "(SELECT new FROM _repoint WHERE old = transaction_id)) ELSE details END "
                  "WHERE transaction_id IN (SELECT old FROM _repoint)")
        kept = c.execute("SELECT decision_id, transaction_ids FROM decisions WHERE transaction_ids IS NOT NULL "
                         "AND EXISTS (SELECT 1 FROM json_each(decisions.transaction_ids) "
                         "WHERE value IN (SELECT old FROM _repoint))").fetchall()
        for did, ids in kept:
            c.execute("UPDATE decisions SET transaction_ids = ? WHERE decision_id = ?",
                      [json.dumps([pairs.get(str(t), t) for t in json.loads(ids)]), did])
        c.execute("DELETE FROM _repoint")
        c.execute("DELETE FROM _reflag")
        return c.total_changes - before

    def _drop_indexes_for_bulk_load(self, table: str) -> list[str]:
        """Drop ``table``'s secondary indexes if it is empty; returns the SQL that recreates them.

        Building an index once over sorted keys is cheaper than updating it row by row: a
        1.2M-row import into an empty store takes 0.3-0.5 s less. Runs inside the caller's write
        transaction (taken here with ``BEGIN IMMEDIATE``, so no other writer can fill the table
        between the check and the load); a crash or error rolls the drop back with the rows.
        """
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
        if self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            return []
        rows = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            [table]).fetchall()
        for name, _ in rows:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in rows]

    def transactions(self, account_id: str | None = None, since: str | None = None,
                     until: str | None = None, *, accounts: Iterable[str] | None = None,
                     columns: Iterable[str] | None = None, with_pending: bool = False) -> pd.DataFrame:
        """Stored canonical transactions as a DataFrame, ordered by account and date.

        ``since``/``until`` are inclusive ISO dates; ``accounts`` limits the rows to those accounts;
        ``columns`` reads only those canonical columns. ``with_pending`` adds the rows'
        :data:`~detector.schema.PENDING_COLUMN` (1: an authorisation a bank feed sent, not
        posted yet), which detection reads.
        """
        where, params = [], []
        if account_id is not None:
            where.append("account_id = ?")
            params.append(account_id)
        if accounts is not None:
            # one JSON parameter instead of one per account (SQLite allows ~32k parameters)
            where.append("account_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(accounts)))
        if since is not None:
            where.append("date >= ?")
            params.append(since)
        if until is not None:
            where.append("date <= ?")
            params.append(until)
        names = list(TRANSACTION_COLUMNS) if columns is None else [c for c in TRANSACTION_COLUMNS if c in set(columns)]
        read = names + [PENDING_COLUMN] if with_pending else names
        sql = f"SELECT {', '.join(read)} FROM transactions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY account_id, date, transaction_id"
        df = pd.read_sql_query(sql, self.conn, params=params)
        if df.empty:
            empty = empty_transactions()[names]
            return empty.assign(**{PENDING_COLUMN: pd.Series(dtype="int64")}) if with_pending else empty
        return df

    def account_row_counts(self, until: str | None = None) -> dict[str, int]:
        """Stored transactions per account (dated on or before ``until``), in account order."""
        sql = "SELECT account_id, COUNT(*) FROM transactions"
        params = []
        if until is not None:
            sql += " WHERE date <= ?"
            params.append(until)
        return dict(self.conn.execute(sql + " GROUP BY account_id ORDER BY account_id", params).fetchall())

    def add_rejected(self, rows: Iterable[dict]) -> int:
        """Keep rejected rows (file, line, reason, raw text) so an analyst can see them."""
        rows = [dict(r, imported_at=utcnow()) for r in rows]
        if rows:
            self.db["rejected_rows"].upsert_all(rows, pk="rejected_id")
        return len(rows)

    # -- accounts ------------------------------------------------------------------------------

    def set_account(self, account_id: str, *, payment_method: str | None = None,
                    payment_method_source: str = "importer", **fields) -> None:
        """Create or update an account. A payment method the user set is not overwritten by importers."""
        self.set_accounts([account_id], payment_method=payment_method,
                          payment_method_source=payment_method_source, **fields)

    def set_accounts(self, account_ids: Iterable[str], *, payment_method: str | None = None,
                     payment_method_source: str = "importer", **fields) -> None:
        """:meth:`set_account` for many accounts with the same fields, in one transaction.

        A statement of 1,338 accounts took 0.25 s one upsert at a time.
        """
        account_ids = list(dict.fromkeys(account_ids))
        if not account_ids:
            return
        user_set = set()
        if payment_method is not None and payment_method_source != "user":
            user_set = {row[0] for row in self.conn.execute(
                "SELECT account_id FROM accounts WHERE payment_method_source = 'user' "
                "AND account_id IN (SELECT value FROM json_each(?))", [json.dumps(account_ids)])}
        now = utcnow()
        given = {k: v for k, v in fields.items() if v is not None}
        rows = []
        for account_id in account_ids:
            row = {"account_id": account_id, "updated_at": now, **given}
            if payment_method is not None and account_id not in user_set:
                row["payment_method"] = payment_method
                row["payment_method_source"] = payment_method_source
            rows.append(row)
        with self.conn:
            upsert_rows(self, "accounts", rows, pk="account_id")

    def account(self, account_id: str) -> dict | None:
        rows = list(self.db["accounts"].rows_where("account_id = ?", [account_id]))
        return rows[0] if rows else None

    def accounts(self) -> list[dict]:
        return list(self.db["accounts"].rows_where(order_by="account_id"))


def upsert_rows(store: Store, table: str, rows: list[dict], *, pk: str) -> None:
    """``store.db[table].upsert_all(rows, pk=pk, alter=False)``, each row with only its own columns.

    The same statements sqlite-utils writes (``INSERT ... ON CONFLICT(pk) DO UPDATE SET`` the
    row's other columns, values through its ``jsonify_if_needed``), run with ``executemany`` per
    set of columns: sqlite-utils costs ~40 us a row to build them.
    """
    _write_rows(store, table, rows, pk=pk, replace=False)


def replace_rows(store: Store, table: str, rows: list[dict], *, pk: str) -> None:
    """``store.db[table].insert_all(rows, pk=pk, replace=True)`` (``INSERT OR REPLACE``), as :func:`upsert_rows`."""
    _write_rows(store, table, rows, pk=pk, replace=True)


def _write_rows(store: Store, table: str, rows: list[dict], *, pk: str, replace: bool) -> None:
    from sqlite_utils.db import jsonify_if_needed

    def quote_identifier(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row.get(pk) is None:
            raise StoreError(f"{table}: a row without its primary key {pk!r}")
        groups.setdefault(tuple(sorted(row)), []).append(row)
    name = quote_identifier(table)
    for columns, group in groups.items():
        cols = ", ".join(quote_identifier(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        if replace:
            sql = f"INSERT OR REPLACE INTO {name} ({cols}) VALUES ({marks})"
        else:
            others = [c for c in columns if c != pk]
            action = ("DO UPDATE SET " + ", ".join(f"{quote_identifier(c)} = excluded.{quote_identifier(c)}"
                                                    for c in others)) if others else "DO NOTHING"
            sql = f"INSERT INTO {name} ({cols}) VALUES ({marks}) ON CONFLICT({quote_identifier(pk)}) {action}"
        # jsonify_if_needed returns these exact types unchanged: testing the type first skips its
        # chain of isinstance checks for nearly every value (10k stream rows: 0.064 -> 0.018 s)
        store.conn.executemany(sql, [[v if type(v) in _PLAIN_TYPES else jsonify_if_needed(v)
                                      for v in (row[c] for c in columns)] for row in group])


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def iso_dates(dates: pd.Series) -> pd.Series:
    """Dates as stored: ISO ``yyyy-mm-dd`` strings."""
    # importers already write ISO dates; re-parsing a million of them cost a second
    if pd.api.types.is_string_dtype(dates) and dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
        return dates
    return pd.to_datetime(dates).dt.strftime("%Y-%m-%d")


def as_stored(df: pd.DataFrame, *, unique_ids: bool = False) -> pd.DataFrame:
    """What :meth:`Store.add_transactions` keeps of canonical rows (in the frame's order).

    Within the frame the first row with an id wins, as ``INSERT OR IGNORE`` keeps it. A caller
    that knows no id occurs twice (every row was stored) passes ``unique_ids=True`` to skip
    that search (0.5 s on a million rows).
    """
    if df.empty:
        return empty_transactions()
    frame = df if unique_ids else df.drop_duplicates("transaction_id", keep="first")
    if "id_from_bank" not in frame:
        frame = frame.assign(id_from_bank=0)
    frame = frame.assign(**_absent_optional(frame))[list(TRANSACTION_COLUMNS)]
    return frame.assign(date=iso_dates(frame["date"])).reset_index(drop=True)


def _absent_optional(df: pd.DataFrame) -> dict[str, object]:
    """Nulls for the optional transaction columns ``df`` lacks (a Plaid frame has no original amounts)."""
    return {c: None for c in OPTIONAL_TRANSACTION_COLUMNS if c not in df}


def _sql_literal(value) -> str | None:
    """``value`` as an SQL literal that stores exactly what binding it would, else ``None``.

    Only ``None``, ``int`` and ``str`` (floats could round differently when SQLite parses them).
    """
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _insert_rows(table: str, frame: pd.DataFrame) -> list[tuple[str, Iterable[Sequence]]]:
    """``INSERT OR IGNORE`` statements and their parameters for ``frame``, for ``executemany``.

    Columns are read a column at a time through Arrow. A column holding one value in every row
    (a file's source, source file, currency, the import time, ``pending``) is written into the
    statement as a literal instead of bound per row: on a million-row statement that is about 1 s
    less of Python objects and parameter binding. The rows go :data:`ROWS_PER_STATEMENT` to a
    statement (``VALUES (...), (...), ...``, in the frame's order, so the first row with an id
    still wins): ``executemany`` costs ~0.6 us a call on top of its bound values, 0.4 s at 1.2M rows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    names = list(frame.columns)
    marks, columns = [], []
    try:
        for name in names:
            values = pa.array(frame[name], from_pandas=True)
            literal = None
            if len(values) > 1:
                first = values[0]
                if not first.is_valid:
                    literal = "NULL" if values.null_count == len(values) else None
                elif values.null_count == 0 and pc.all(pc.equal(values, first)).as_py():
                    literal = _sql_literal(first.as_py())
            marks.append(literal or "?")
            if literal is None:
                columns.append(values.to_pylist())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):  # mixed-type object columns
        marks = ["?"] * len(names)
        columns = None
    head = f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES "
    one = "(" + ", ".join(marks) + ")"
    if columns is None:
        return [(head + one, frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))]
    if not columns:  # every column constant: one tuple per row all the same
        return [(head + one, [()] * len(frame))]
    width = len(columns)
    per = max(1, min(ROWS_PER_STATEMENT, _max_variables() // width))
    full = len(frame) - len(frame) % per
    # the values row after row in one list (strided slice assignment, in C), cut per statement
    values = [None] * (len(frame) * width)
    for i, column in enumerate(columns):
        values[i::width] = column
    step = width * per
    statements = []
    if full:
        statements.append((head + ", ".join([one] * per),
                           [values[k:k + step] for k in range(0, full * width, step)]))
    if full < len(frame):
        statements.append((head + one, [values[k:k + width] for k in range(full * width, len(values), width)]))
    return statements


#: Rows written by one ``INSERT ... VALUES`` statement in :func:`_insert_rows`.
ROWS_PER_STATEMENT = 200


@functools.cache
def _max_variables() -> int:
    """The most ``?`` parameters one statement may have in this SQLite build (999 before 3.32)."""
    conn = sqlite3.connect(":memory:")
    try:
        return conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # Python < 3.11 cannot ask
        return 999
    finally:
        conn.close()


def dumps(value) -> str:
    """JSON for list/dict columns, stable key order."""
    return json.dumps(value, sort_keys=True, default=str)
