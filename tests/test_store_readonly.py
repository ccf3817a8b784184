"""Commands that only read open the store read-only: a read-only folder, an empty file.

Round-fifty audit: a store in a folder that cannot be written (a read-only mount, a backup
snapshot) could not be read at all: `report` and `refunds list` failed "cannot open store ...:
unable to open database file", naming no cause. And a zero-byte file at ``--db`` was turned into
a store by `report` (exit 0, "none"), where the docs say read-only commands never create one.

A folder is made read-only for real: a read-only bind mount in a user and mount namespace of the
command's own (``unshare``), as a read-only file system is for every user, root too; where that is
not possible a non-root user's folder without write permission; else the test is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from detector.cli import cli
from detector.store import MIGRATIONS, Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
AS_OF = "2025-06-30"
READ_ONLY_COMMANDS = [["report", "--format", "json"], ["refunds", "list", "--format", "json"],
                      ["transactions", "--format", "json"], ["runs", "--format", "json"],
                      ["decisions", "list", "--format", "json"], ["plaid", "items", "--format", "json"]]


@cache
def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    try:
        probe = subprocess.run(["unshare", "-Urm", "sh", "-c", "mount --bind -o ro / / 2>/dev/null || "
                                "mount -o remount,bind,ro / /"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def _in_read_only(folder: Path, *args) -> subprocess.CompletedProcess:
    """``subdetect ARGS`` with ``folder`` read-only."""
    command = [sys.executable, "-m", "detector", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if _can_unshare():
        wrapped = ["unshare", "-Urm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), *command]
        return subprocess.run(wrapped, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    if os.geteuid() == 0:
        pytest.skip("no way to make a folder read-only for root here (unshare and mount unavailable)")
    folder.chmod(0o555)
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    finally:
        folder.chmod(0o755)


def _scanned(folder: Path, runner) -> Path:
    """A store scanned by a process that has ended (its ``-wal`` written into the file and gone)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "s.db"
    done = subprocess.run([sys.executable, "-m", "detector", "scan", str(SAMPLES / "chase_card.csv"), "--db",
                           str(db), "--as-of", AS_OF], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("s.db-")) == []
    return db


def test_read_only_commands_read_a_store_in_a_read_only_folder(tmp_path, runner):
    db = _scanned(tmp_path / "snapshot", runner)
    (tmp_path / "copy").mkdir()
    copy = Path(shutil.copy(db, tmp_path / "copy" / "s.db"))
    expected = {}
    for args in READ_ONLY_COMMANDS:
        res = runner.invoke(cli, [*args, "--db", str(copy)])
        assert res.exit_code == 0, res.output
        expected[args[0] + args[1]] = json.loads(res.stdout)
    assert expected["report--format"]["streams"]
    for args in READ_ONLY_COMMANDS:
        res = _in_read_only(db.parent, *args, "--db", db)
        assert res.returncode == 0, (args, res.stderr)
        assert json.loads(res.stdout) == expected[args[0] + args[1]], args
    # (no -shm or -wal file there: read as the file alone, SQLite's immutable mode)
    assert sorted(p.name for p in db.parent.iterdir()) == ["s.db", "s.db.lock", "s.db.migrate.lock"]

    # a command that writes cannot: one line naming the cause
    scan = _in_read_only(db.parent, "scan", SAMPLES / "chase_card.csv", "--db", db, "--as-of", AS_OF)
    assert scan.returncode == 1
    assert scan.stderr.strip().splitlines() == [scan.stderr.strip()]
    assert f"its folder {db.parent} is not writable" in scan.stderr and "Traceback" not in scan.stderr


def _with_pending_wal(folder: Path, runner, *, keep_shm: bool) -> Path:
    """A copy, in ``folder``, of a store whose ``-wal`` holds a committed change not yet written
    into the file (a snapshot taken while a run had the store open)."""
    src = _scanned(folder.parent / "live", runner)
    conn = sqlite3.connect(src)
    try:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("INSERT INTO runs (run_id, kind, as_of, started_at, status, counts, errors) "
                     "VALUES ('run_in_the_wal', 'nightly', '2025-06-30', '2025-06-30T01:00:00+00:00', 'ok', '{}', '[]')")
        conn.commit()
        folder.mkdir()
        names = ["s.db", "s.db-wal"] + (["s.db-shm"] if keep_shm else [])
        for name in names:
            shutil.copy(src.parent / name, folder / name)
    finally:
        conn.close()
    return folder / "s.db"


def test_a_read_only_folder_with_its_shm_file_reads_the_changes_in_the_wal(tmp_path, runner):
    db = _with_pending_wal(tmp_path / "snapshot", runner, keep_shm=True)
    res = _in_read_only(db.parent, "runs", "--format", "json", "--db", db)
    assert res.returncode == 0, res.stderr
    assert [r["run_id"] for r in json.loads(res.stdout)] == ["run_in_the_wal"]


def test_a_read_only_folder_whose_wal_cannot_be_read_is_refused_saying_why(tmp_path, runner):
    # SQLite reads a -wal only through its -shm file, which it cannot make there; reading the
    # file alone would silently miss the change: refused, in one line
    db = _with_pending_wal(tmp_path / "snapshot", runner, keep_shm=False)
    res = _in_read_only(db.parent, "runs", "--format", "json", "--db", db)
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [res.stderr.strip()]
    assert f"its folder {db.parent} is not writable and {db}-wal holds changes" in res.stderr
    assert "copy the database with its -wal file to a writable folder" in res.stderr


def test_an_old_store_in_a_read_only_folder_says_it_needs_upgrading(tmp_path):
    from tests._old_stores import store_at_version

    folder = tmp_path / "old"
    folder.mkdir()
    old = store_at_version(folder / "s.db", len(MIGRATIONS) - 1)
    old.close()
    res = _in_read_only(folder, "report", "--db", folder / "s.db")
    assert res.returncode == 1
    assert "made by an older version" in res.stderr and f"its folder {folder} is not writable" in res.stderr
    assert Store(folder / "s.db").schema_version == len(MIGRATIONS)  # (writable again: migrated as always)


def test_a_store_opened_read_only_refuses_writes(tmp_path):
    Store(tmp_path / "s.db").close()
    store = Store(tmp_path / "s.db", readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.conn.execute("INSERT INTO runs (run_id) VALUES ('x')")
    store.close()


@pytest.mark.parametrize("args", READ_ONLY_COMMANDS + [["detect", "--as-of", AS_OF],
                                                       ["refunds", "show", "nosuchid"]])
def test_an_empty_file_is_no_store(tmp_path, runner, args):
    db = tmp_path / "s.db"
    db.touch()
    res = runner.invoke(cli, [*args, "--db", str(db)])
    assert res.exit_code == 4, res.output
    assert f"Error: no database at {db}: it is an empty file (0 bytes), not a subdetect store" in res.stderr
    assert db.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.db"]


def test_a_missing_store_is_still_refused_by_plaid_items(tmp_path, runner):
    res = runner.invoke(cli, ["plaid", "items", "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 4 and "no database at" in res.stderr
    assert not (tmp_path / "none.db").exists()
