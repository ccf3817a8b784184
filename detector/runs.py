"""The run log (``runs`` table) and the one-run-at-a-time job lock.

A run row is written when a job starts (``status='running'``) and completed when it ends
(``ok`` or ``failed``, with counts per stage and one error entry per failed item or file). A row
still ``running`` when the next run takes the lock belongs to a run that was killed: it is marked
``interrupted``.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import uuid
from pathlib import Path

from .errors import LockHeld, StoreError
from .store import WRITABLE_HINT, Store, dumps, utcnow

#: The kinds of run the log records (``subdetect runs --kind``).
RUN_KINDS = ("nightly",)


class JobLock:
    """An exclusive ``fcntl.flock`` on ``<db>.lock``, released by the kernel when the process dies,
    so a killed run never leaves a stale lock behind."""

    def __init__(self, db_path: str | os.PathLike, kind: str = "nightly"):
        # keyed on the file itself, beside it: the same store reached through a symlink took
        # another lock, and two detections ran at once (round-twenty-five audit)
        self.path = Path(f"{os.path.realpath(db_path)}.lock")
        self.kind = kind
        self._fd: int | None = None

    def acquire(self, *, wait: bool = False, on_wait=None) -> JobLock:
        """Take the lock. Held by another process: raise :class:`LockHeld`, or with ``wait``
        call ``on_wait(holder)`` (who holds it, e.g. "scan pid 4242 since ...") and block until
        it is free."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:  # round-twenty-five audit: a read-only folder gave a traceback
            raise StoreError(f"cannot take the run lock {self.path}: {exc.strerror or exc}. "
                             f"{WRITABLE_HINT}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            if not wait:
                os.close(fd)
                kind = holder.split()[0] if holder and not holder.startswith("pid") else self.kind
                raise LockHeld(
                    f"another {kind} run holds {self.path}" + (f" ({holder})" if holder else "")
                    + "; this run did nothing. Try again when it has finished."
                ) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.kind} pid {os.getpid()} since {utcnow()}".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JobLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def start_run(store: Store, kind: str, as_of: str | None = None) -> str:
    """Record a run as started, as of ``as_of`` (the date it judges as of, ISO); earlier runs of
    ``kind`` still marked running were killed."""
    run_id = f"run_{uuid.uuid4().hex[:16]}"
    with store.conn:
        store.conn.execute(
            "UPDATE runs SET status = 'interrupted' WHERE kind = ? AND status = 'running'", [kind]
        )
        store.conn.execute(
            "INSERT INTO runs (run_id, kind, as_of, started_at, status, counts, errors) "
            "VALUES (?, ?, ?, ?, 'running', ?, ?)",
            [run_id, kind, as_of, utcnow(), dumps({}), dumps([])],
        )
    return run_id


def finish_run(store: Store, run_id: str, counts: dict, errors: list[dict]) -> str:
    """Complete a run row; its status is ``failed`` when any error was recorded."""
    status = "failed" if errors else "ok"
    with store.conn:
        store.conn.execute(
            "UPDATE runs SET ended_at = ?, status = ?, counts = ?, errors = ? WHERE run_id = ?",
            [utcnow(), status, dumps(counts), dumps(errors), run_id],
        )
    return status


def interrupt_run(store: Store, run_id: str, counts: dict, errors: list[dict], why: str) -> bool:
    """Mark a run stopped before its end (SIGTERM, Ctrl-C) ``interrupted`` as it stops, with
    what it counted so far and ``why``: ``subdetect runs`` showed such a run ``running`` until
    the next one started (round-twenty-five audit). False if the store cannot be written now
    (the next run marks it, :func:`start_run`): the caller says so."""
    import sqlite3

    try:
        _end_early(store, run_id, "interrupted", counts, [*errors, {"stage": "run", "error_code": "Interrupted",
                                                                    "error": why}])
    except sqlite3.Error:
        return False
    return True


def fail_run(store: Store, run_id: str, counts: dict, errors: list[dict]) -> None:
    """Mark a run that stops on an error of its own (the database stayed locked when it wrote
    its end) ``failed`` as it stops, ``errors`` saying why in one line each: such a run stayed
    ``running`` until the next one marked it ``interrupted`` (nineteenth session). Raises
    :class:`sqlite3.Error` when this cannot be written either."""
    _end_early(store, run_id, "failed", counts, errors)


def _end_early(store: Store, run_id: str, status: str, counts: dict, errors: list[dict]) -> None:
    with store.conn:
        store.conn.execute(
            "UPDATE runs SET ended_at = ?, status = ?, counts = ?, errors = ? WHERE run_id = ? AND status = 'running'",
            [utcnow(), status, dumps(counts), dumps(errors), run_id],
        )


def list_runs(store: Store, *, kind: str | None = None, limit: int = 20) -> list[dict]:
    """Latest runs first, ``counts`` and ``errors`` decoded; ``as_of`` is the date each run was
    as of (None for runs logged before it was recorded)."""
    sql = "SELECT run_id, kind, as_of, started_at, ended_at, status, counts, errors FROM runs"
    params: list = []
    if kind:
        sql += " WHERE kind = ?"
        params.append(kind)
    sql += " ORDER BY started_at DESC, rowid DESC LIMIT ?"
    params.append(int(limit))
    cur = store.conn.execute(sql, params)
    cols = [d[0] for d in cur.description]
    rows = []
    for r in cur.fetchall():
        row = dict(zip(cols, r))
        row["counts"] = json.loads(row["counts"] or "{}")
        row["errors"] = json.loads(row["errors"] or "[]")
        rows.append(row)
    return rows
