"""Notes about an account that a later ``report`` repeats: what a scan found out once.

A scan or an ingest that finds a file's charges held by another stored account already (the
same card's statement saved under another name: :func:`detector.importers.overlap.charges_in_other_accounts`)
says so in a note; before the twenty-sixth session only that command's output did, and a
``report`` run later, or the nightly report, never did. Each such finding is a row of
``account_notes`` (store migration 16): the account the file's rows went to, the account that
holds them, the file, how many rows, the message and the day it was noted. :func:`open_notes`
gives those that still apply (the file's rows are still stored under the account and the other
account still holds rows) and were not dismissed (:func:`dismiss`, ``subdetect notes dismiss``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from .errors import NotFound
from .ids import stable_id
from .store import Store, utcnow

#: ``kind`` of a note that another account holds a file's charges.
HELD_ELSEWHERE = "charges_held_elsewhere"
#: Fields of a note in the report (JSON ``notes``, CSV ``note`` records).
NOTE_FIELDS = ("note_id", "kind", "account_id", "other_account", "file", "other_file", "rows", "noted_on",
               "message")


@dataclass(frozen=True)
class HeldElsewhere:
    """``rows`` rows of ``path`` stored under ``account`` are charges ``other`` holds already
    (most of them from ``other_path``); ``message`` says it and what to do."""

    account: str
    other: str
    rows: int
    path: str
    other_path: str
    message: str


def record_held_elsewhere(store: Store, found: list[HeldElsewhere], day: str | None = None) -> None:
    """Store (or refresh) each finding as a note, noted ``day`` (default today). A note already
    stored keeps its first day and, once dismissed, stays dismissed. A finding the other way
    round (the other account's file, scanned again, holding this one's charges) is the same
    fact: not a second note."""
    if not found:
        return
    day = day or date.today().isoformat()
    now = utcnow()
    reverse = {(a, o) for a, o in store.conn.execute(
        "SELECT other_account, account_id FROM account_notes WHERE kind = ?", [HELD_ELSEWHERE])}
    rows = [(stable_id(HELD_ELSEWHERE, f.account, f.other, f.path, prefix="n_"), HELD_ELSEWHERE, f.account,
             f.other, f.path, f.other_path, int(f.rows), f.message, day, now) for f in found
            if (f.account, f.other) not in reverse]
    with store.conn:
        store.conn.executemany(
            "INSERT INTO account_notes (note_id, kind, account_id, other_account, path, other_path, rows, message, "
            "noted_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(note_id) DO UPDATE SET "
            "other_path = excluded.other_path, rows = excluded.rows, message = excluded.message", rows)


def open_notes(store: Store, accounts=None) -> list[dict]:
    """The notes that still apply and were not dismissed, oldest first, each with
    :data:`NOTE_FIELDS`; ``accounts`` limits them to notes naming one of those accounts (either
    side). A note of a file's charges held by another account applies while the account still
    holds rows of that file and the other account still holds rows."""
    where, params = "", []
    if accounts is not None:
        where = ("AND (n.account_id IN (SELECT value FROM json_each(?1)) "
                 "OR n.other_account IN (SELECT value FROM json_each(?1)))")
        params = [json.dumps(sorted(str(a) for a in accounts))]
    rows = store.conn.execute(
        "SELECT n.note_id, n.kind, n.account_id, n.other_account, n.path, n.other_path, n.rows, n.noted_on, n.message "
        "FROM account_notes n WHERE n.dismissed_at IS NULL "
        "AND EXISTS (SELECT 1 FROM transactions t WHERE t.account_id = n.account_id AND t.source_file = n.path) "
        "AND EXISTS (SELECT 1 FROM transactions t WHERE t.account_id = n.other_account) "
        f"{where} ORDER BY n.noted_on, n.account_id, n.path, n.other_account", params).fetchall()
    return [dict(zip(NOTE_FIELDS, row)) for row in rows]


def dismiss(store: Store, note_id: str) -> bool:
    """Hide note ``note_id`` from later reports; False when it was dismissed already. Raises
    :class:`~detector.errors.NotFound` for an id no note has."""
    row = store.conn.execute("SELECT dismissed_at FROM account_notes WHERE note_id = ?", [note_id]).fetchone()
    if row is None:
        raise NotFound(f"no note {note_id!r}: `subdetect notes list` names them")
    if row[0]:
        return False
    with store.conn:
        store.conn.execute("UPDATE account_notes SET dismissed_at = ? WHERE note_id = ?", [utcnow(), note_id])
    return True


def note_line(note: dict) -> str:
    """One line of a report for a note: the file, the day, the message and how to hide it."""
    return (f"{note['file']} (noted {note['noted_on']}): {note['message']} "
            f"[`subdetect notes dismiss {note['note_id']}` hides this]")
