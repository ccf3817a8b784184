"""Kill the nightly job (SIGKILL, in a real subprocess) at several steps, rerun it, and compare:
the store must end exactly as after a run that was never interrupted. Tokens never leak."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from detector.plaid import add_item
from detector.store import Store
from tests.plaid_scenario import AMEX_TOKEN, CHASE_TOKEN, SECRET_KEY, build_world, dump
from tests.test_nightly import AS_OF, BAD_FILE, GOOD_CSV, PIPELINE_READY

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A store with both items linked (tokens encrypted once, so every copy is byte-identical)."""
    os.environ.setdefault("SUBDETECT_SECRET_KEY", SECRET_KEY)
    path = tmp_path_factory.mktemp("template") / "subdetect.db"
    saved = os.environ.get("SUBDETECT_SECRET_KEY")
    os.environ["SUBDETECT_SECRET_KEY"] = SECRET_KEY
    try:
        store = Store(path)
        add_item(store, "chase", CHASE_TOKEN)
        add_item(store, "amex", AMEX_TOKEN)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
    finally:
        if saved is None:
            os.environ.pop("SUBDETECT_SECRET_KEY")
        else:
            os.environ["SUBDETECT_SECRET_KEY"] = saved
    return path


def _setup(template: Path, where: Path, with_inbox: bool) -> tuple[Path, Path | None]:
    """A fresh store (and inbox) at ``where``. Every scenario runs at the same path, because
    imported rows record their file's path (and import ids hash it)."""
    where.mkdir(parents=True)
    db = where / "subdetect.db"
    shutil.copy(template, db)
    inbox = None
    if with_inbox:
        inbox = where / "inbox"
        inbox.mkdir()
        (inbox / "card.csv").write_text(GOOD_CSV)
        (inbox / "junk.csv").write_bytes(BAD_FILE.encode())
        # filed first, with the listing of its rejected line beside it (sixteenth audit): killed
        # before the move, the rerun writes that listing from the store
        (inbox / "bad_line.csv").write_text(GOOD_CSV + "2025-13-45,BAD DATE,-1.00\n")
    return db, inbox


def _nightly(db: Path, inbox: Path | None, server, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAID_", "SUBDETECT_"))}
    env.update(PYTHONPATH=str(ROOT), PLAID_CLIENT_ID=server.client_id, PLAID_SECRET=server.secret,
               PLAID_BASE_URL=server.url, SUBDETECT_SECRET_KEY=SECRET_KEY, SUBDETECT_PLAID_BACKOFF="0.001",
               SUBDETECT_PLAID_BACKOFF_MAX="0.01")
    if crash_at:
        env["SUBDETECT_CRASH_AT"] = crash_at
    cmd = [sys.executable, "-m", "detector", "nightly", "--db", str(db), "--as-of", AS_OF]
    if inbox is not None:
        cmd += ["--inbox", str(inbox)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=db.parent,
                          check=False)


def _files(folder: Path | None) -> list[str]:
    if folder is None:
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _set_aside(tmp_path: Path, name: str) -> Path:
    """Move the scenario just run out of the shared path, keeping it for inspection."""
    return (tmp_path / "run").rename(tmp_path / name)


def _reference(template, tmp_path, with_inbox):
    with build_world() as server:
        db, inbox = _setup(template, tmp_path / "run", with_inbox)
        done = _nightly(db, inbox, server)
    assert done.returncode == 1, done.stderr  # amex needs login; chase synced
    return db, inbox, done


# page#1: first page in; page#4: after the mutation restart; committed: cursor moved, rest not run.
PLAID_POINTS = ["plaid.page#1", "plaid.page#4", "plaid.committed"]
INBOX_POINTS = ["inbox.ingested#1", "inbox.moved#1", "detect.done", "report.written"]


def test_killed_anywhere_then_rerun_equals_uninterrupted(template, tmp_path):
    with_inbox = PIPELINE_READY
    ref_db, ref_inbox, _ = _reference(template, tmp_path, with_inbox)
    reference, ref_files = dump(ref_db), _files(ref_inbox)
    assert "processed/bad_line.csv.rejected.txt" in ref_files
    ref_inbox_dir = _set_aside(tmp_path, "reference") / "inbox"
    assert len(reference["transactions"]) >= 20
    points = PLAID_POINTS + (INBOX_POINTS if with_inbox else [])
    for point in points:
        with build_world() as server:
            db, inbox = _setup(template, tmp_path / "run", with_inbox)
            killed = _nightly(db, inbox, server, crash_at=point)
            assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
            again = _nightly(db, inbox, server)
        assert again.returncode == 1, (point, again.stderr)
        assert dump(db) == reference, point
        assert _files(inbox) == ref_files, point
        listing = "processed/bad_line.csv.rejected.txt"
        assert (inbox / listing).read_text() == (ref_inbox_dir / listing).read_text(), point
        store = Store(db)
        runs = store.db.execute("SELECT status FROM runs ORDER BY started_at, rowid").fetchall()
        store.close()
        assert [r[0] for r in runs] == ["interrupted", "failed"], point
        if with_inbox:
            assert sorted(p.name for p in (db.parent / "reports").iterdir()) == [f"{AS_OF}.html", f"{AS_OF}.json"]
        _set_aside(tmp_path, point.replace("#", "_"))


def test_second_run_changes_nothing_and_tokens_never_leak(template, tmp_path):
    with_inbox = PIPELINE_READY
    with build_world() as server:
        db, inbox = _setup(template, tmp_path / "twice", with_inbox)
        first = _nightly(db, inbox, server)
        assert first.returncode == 1, first.stderr
        before = dump(db)
        second = _nightly(db, inbox, server)
    assert second.returncode == 1
    assert dump(db) == before
    blobs = [first.stdout, first.stderr, second.stdout, second.stderr]
    files = [p for p in db.parent.rglob("*") if p.is_file()]
    for token in (CHASE_TOKEN, AMEX_TOKEN):
        for text in blobs:
            assert token not in text
        for path in files:
            assert token.encode() not in path.read_bytes(), path
    assert "ITEM_LOGIN_REQUIRED" in first.stderr  # cron log says what failed, without secrets
