"""A store as an older version of subdetect left it: the tests of what migrations do to it."""

from __future__ import annotations

import sqlite_utils

from detector.store import MIGRATIONS


def store_at_version(path, version: int) -> sqlite_utils.Database:
    """A database at ``path`` with the first ``version`` migrations applied and that version
    recorded, open for the test to store rows the old version had; commit and close it, then
    open it with ``Store`` to migrate it."""
    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:version]:
        migration(db)
    db.execute(f"PRAGMA user_version = {int(version)}")
    return db
