"""Store statement files: :func:`ingest_files`.

Each file is read, its rows stored (ids already stored count as duplicates), its rejected lines
kept in ``rejected_rows``, its account created or updated, and an ``imports`` row recorded. One
bad file does not stop the others: its error is reported in its :class:`IngestResult`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import pandas as pd

from ..errors import ConfigError, DetectorError
from ..ids import stable_id
from ..schema import PAYMENT_METHODS
from ..store import Store, utcnow
from .csv_banks import MappedCsv
from .reader import Statement, format_names, parse_columns_or_fail, read_statement


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

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        """Plain fields for JSON output (rejections with file, line and reason)."""
        d = asdict(self)
        d["ok"] = self.ok
        d["rejections"] = [
            {k: r[k] for k in ("source_file", "source_line", "reason", "raw")} for r in self.rejections
        ]
        return d


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _separate_clashing_ids(store: Store, df: pd.DataFrame) -> pd.DataFrame:
    """Give a row a namespaced id when its source id already belongs to another account.

    Source ids (OFX FITIDs, CSV id columns) are unique within an account, not across banks: two
    accounts may both have a FITID ``1001``. Without this the second would be counted as a
    duplicate and lost. Deterministic, so re-importing still finds the row as a duplicate.
    """
    if df.empty:
        return df
    tx_ids = df["transaction_id"].astype(object)
    accounts = df["account_id"].astype(object)
    owner: dict[str, str] = {}
    ids = pd.unique(tx_ids)
    # json_each: one query per 100k ids instead of one per 900 bound parameters
    for i in range(0, len(ids), 100_000):
        chunk = json.dumps(ids[i:i + 100_000].tolist())
        owner.update(store.conn.execute(
            "SELECT transaction_id, account_id FROM transactions "
            "WHERE transaction_id IN (SELECT value FROM json_each(?))", (chunk,)).fetchall())
    # an id not stored yet belongs to the first account that uses it in this file
    first = accounts.groupby(tx_ids, sort=False).transform("first")
    holder = tx_ids.map(owner).fillna(first) if owner else first
    clash = (holder != accounts).to_numpy()
    if not clash.any():
        return df
    out = df.copy()
    new_ids = tx_ids.to_numpy(copy=True)
    new_ids[clash] = [stable_id(a, t, prefix="x_") for a, t in zip(accounts[clash], tx_ids[clash])]
    out["transaction_id"] = new_ids
    return out


def store_statement(store: Store, st: Statement, *, payment_method: str | None = None) -> IngestResult:
    """Write one read statement into the store and return its counts."""
    st.transactions = _separate_clashing_ids(store, st.transactions)
    stored, duplicates = store.add_transactions(st.transactions)
    store.add_rejected(st.rejected)
    method = payment_method or st.default_payment_method
    source = "user" if payment_method else "importer"
    accounts = st.accounts
    for account in accounts:
        store.set_account(account, payment_method=method, payment_method_source=source,
                          currency=st.currency, source=st.format, country=st.country)
    result = IngestResult(path=st.path, format=st.format, account_id=st.account_id, accounts=accounts,
                          rows_read=st.rows_read, stored=stored, duplicates=duplicates, rejected=len(st.rejected),
                          rejections=st.rejected)
    now = utcnow()
    sha = _sha256(st.path) if os.path.isfile(st.path) else None
    store.db["imports"].insert({
        "import_id": stable_id("import", st.path, sha, now, stored, duplicates),
        "path": st.path, "sha256": sha, "format": st.format, "account_id": st.account_id or ",".join(accounts[:20]),
        "rows_read": st.rows_read, "stored": stored, "duplicates": duplicates,
        "rejected": len(st.rejected), "imported_at": now,
    }, pk="import_id", replace=True)
    return result


def ingest_files(paths: Iterable[str | os.PathLike], store: Store, *, format: str | None = None,
                 account_id: str | None = None, columns: str | dict | None = None,
                 payment_method: str | None = None,
                 progress: Callable[[IngestResult], None] | None = None) -> list[IngestResult]:
    """Read and store each statement file; return one :class:`IngestResult` per file, in order.

    ``format``/``columns``/``account_id`` are passed to :func:`read_statement` for every file.
    ``payment_method`` (one of :data:`~detector.schema.PAYMENT_METHODS`) overrides the importer's
    default and is stored as set by the user. ``progress`` is called with each result as it is done.
    A file that cannot be read gets ``error`` set and the others are still ingested.
    """
    if payment_method is not None and payment_method not in PAYMENT_METHODS:
        raise ConfigError(f"unknown payment method {payment_method!r}; use one of {', '.join(PAYMENT_METHODS)}")
    if format is not None and format not in format_names():
        raise ConfigError(f"unknown format {format!r}; known formats: {', '.join(format_names())}")
    mapping = parse_columns_or_fail(columns)
    if mapping:
        try:
            MappedCsv(mapping)  # a bad mapping is the caller's mistake, not one file's
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    results = []
    for path in paths:
        p = str(path)
        try:
            st = read_statement(p, format=format, account_id=account_id, columns=mapping)
            result = store_statement(store, st, payment_method=payment_method)
        except DetectorError as exc:
            result = IngestResult(path=p, format=format, error=str(exc))
        except OSError as exc:  # a file vanishing between listing and reading
            result = IngestResult(path=p, format=format, error=f"{p}: {exc.strerror or exc}")
        results.append(result)
        if progress is not None:
            progress(result)
    return results

