"""Rows stored but never detected are owed a detection, durably: the next run finishes the job.

Round-fifty audit: a `scan` killed (kill -9, the OOM killer, Ctrl-C) after its rows were committed
and before detection left a file's 512 accounts without streams or flags; the next scan of another
file detected only that file's account, and `scan` and `report` showed a partial picture, exit 0,
no word. The store now records, with the rows, which accounts are owed a detection
(``detection_owed``, migration 13), and clears an account when its detection is saved.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd

from detector.cli import cli
from detector.store import MIGRATIONS, Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
AS_OF = "2025-06-30"


def _scan_killed_after_storing(db: Path, *files: Path) -> subprocess.CompletedProcess:
    """`subdetect scan FILES` in its own process, SIGKILLed once its rows are committed."""
    env = {**os.environ, "SUBDETECT_CRASH_AT": "scan.stored", "PYTHONPATH": str(ROOT)}
    env.pop("SUBDETECT_CRASH_SIGNAL", None)
    return subprocess.run([sys.executable, "-m", "detector", "scan", *map(str, files), "--db", str(db),
                           "--as-of", AS_OF], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
                           check=False)


def _query(db: Path, sql: str):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _stream_accounts(db: Path) -> set[str]:
    return {r[0] for r in _query(db, "SELECT DISTINCT account_id FROM streams")}


def test_a_scan_killed_before_detecting_is_finished_by_the_next_scan_of_another_file(tmp_path, runner):
    db = tmp_path / "s.db"
    killed = _scan_killed_after_storing(db, SAMPLES / "amex.csv", SAMPLES / "capital_one.csv")
    assert killed.returncode == -9, killed.stderr
    stranded = {"amex-71003", "capital_one-4821"}
    assert {r[0] for r in _query(db, "SELECT DISTINCT account_id FROM transactions")} == stranded
    assert _stream_accounts(db) == set()
    assert {r[0] for r in _query(db, "SELECT account_id FROM detection_owed")} == stranded

    # `report` says so: how many accounts, and the command that finishes the job
    report = runner.invoke(cli, ["report", "--db", str(db), "--format", "json"])
    assert report.exit_code == 0, report.output
    assert "warning: 2 account(s) hold transactions no detection has looked at yet" in report.stderr
    assert "amex-71003, capital_one-4821" in report.stderr
    assert "`subdetect detect --as-of" in report.stderr
    assert json.loads(report.stdout)["streams"] == []

    # the next scan, of another account's file, detects the stranded accounts too and says so
    scan = runner.invoke(cli, ["scan", str(SAMPLES / "chase_card.csv"), "--db", str(db), "--as-of", AS_OF,
                               "--format", "json"])
    assert scan.exit_code == 0, scan.output
    assert "note: also detected 2 account(s) whose stored transactions no detection had looked at" in scan.stderr
    # its report is of its own file, as before
    assert {s["account_id"] for s in json.loads(scan.stdout)["streams"]} == {"chase_card"}
    assert _stream_accounts(db) == stranded | {"chase_card"}
    assert _query(db, "SELECT * FROM detection_owed") == []

    # the store equals that of one clean scan of the three files
    clean = tmp_path / "clean.db"
    done = runner.invoke(cli, ["scan", str(SAMPLES / "amex.csv"), str(SAMPLES / "capital_one.csv"),
                               str(SAMPLES / "chase_card.csv"), "--db", str(clean), "--as-of", AS_OF])
    assert done.exit_code == 0, done.output
    for table, key in (("streams", "stream_id"), ("flags", "flag_id"), ("refund_requests", "request_id")):
        assert _query(db, f"SELECT {key} FROM {table} ORDER BY 1") == _query(clean, f"SELECT {key} FROM {table} ORDER BY 1")

    again = runner.invoke(cli, ["report", "--db", str(db)])
    assert again.exit_code == 0 and "warning" not in again.stderr


def test_detect_of_one_account_and_nightly_finish_what_a_killed_scan_left(tmp_path, runner):
    db = tmp_path / "s.db"
    assert runner.invoke(cli, ["scan", str(SAMPLES / "chase_card.csv"), "--db", str(db), "--as-of", AS_OF]).exit_code == 0
    assert _scan_killed_after_storing(db, SAMPLES / "amex.csv").returncode == -9
    one = runner.invoke(cli, ["detect", "--account", "chase_card", "--db", str(db), "--as-of", AS_OF,
                              "--format", "json"])
    assert one.exit_code == 0, one.output
    assert "note: also detected 1 account(s)" in one.stderr and "amex-71003" in one.stderr
    assert {s["account_id"] for s in json.loads(one.stdout)["streams"]} == {"chase_card"}
    assert _stream_accounts(db) == {"chase_card", "amex-71003"}

    # nightly: a killed scan's accounts are detected (it detects all) and its summary says so
    assert _scan_killed_after_storing(db, SAMPLES / "capital_one.csv").returncode == -9
    nightly = runner.invoke(cli, ["nightly", "--db", str(db), "--as-of", AS_OF])
    assert nightly.exit_code == 0, nightly.output
    assert "detect: also 1 account(s) whose rows an earlier run or `ingest` stored without detecting" in nightly.stdout
    assert "capital_one-4821" in _stream_accounts(db)
    assert _query(db, "SELECT * FROM detection_owed") == []


def test_ingest_leaves_its_accounts_owed_until_a_detection(tmp_path, runner):
    db = str(tmp_path / "s.db")
    assert runner.invoke(cli, ["ingest", str(SAMPLES / "amex.csv"), "--db", db]).exit_code == 0
    report = runner.invoke(cli, ["report", "--db", db, "--account", "amex-71003"])
    assert "warning: 1 account(s)" in report.stderr
    assert "`subdetect detect --account amex-71003 --as-of" in report.stderr
    other = runner.invoke(cli, ["report", "--db", db, "--account", "nobody"])
    assert "warning" not in other.stderr  # (only the account asked for)
    # a second ingest of the same file stores nothing new: nothing more is owed
    before = _query(Path(db), "SELECT marks FROM detection_owed")
    assert runner.invoke(cli, ["ingest", str(SAMPLES / "amex.csv"), "--db", db]).exit_code == 0
    assert _query(Path(db), "SELECT marks FROM detection_owed") == before
    done = runner.invoke(cli, ["detect", "--db", db, "--as-of", AS_OF])
    assert done.exit_code == 0, done.output
    assert "note: also detected 1 account(s)" in done.stderr
    assert "warning" not in runner.invoke(cli, ["report", "--db", db]).stderr


def test_rows_stored_while_a_detection_runs_stay_owed(tmp_path):
    # a detection clears only what was owed when it read the rows: an `ingest` (which takes no
    # lock) storing more rows of the account meanwhile leaves it owed
    from detector.pipeline import empty_flags, empty_streams, save_detection

    store = Store(tmp_path / "s.db")
    rows = pd.DataFrame({"transaction_id": ["a1", "a2"], "account_id": ["acct", "acct"],
                         "date": ["2025-01-05", "2025-02-05"], "amount": [-9.99, -9.99], "currency": "USD",
                         "description": ["NETFLIX.COM", "NETFLIX.COM"], "source": "csv", "source_file": "x.csv",
                         "source_line": [2, 3]})
    store.add_transactions(rows.iloc[:1])
    read = store.detection_owed()
    assert read == {"acct": 1}
    store.add_transactions(rows.iloc[1:])  # stored after the detection read the rows
    save_detection(store, empty_streams(), empty_flags(), AS_OF, ["acct"], owed=read)
    assert store.detection_owed() == {"acct": 2}
    save_detection(store, empty_streams(), empty_flags(), AS_OF, ["acct"], owed=store.detection_owed())
    assert store.detection_owed() == {}
    store.close()


def test_the_owed_entries_are_the_marks_and_reasons_in_one_read(tmp_path):
    store = Store(tmp_path / "s.db")
    assert store.detection_owed_entries() == {}
    store.mark_detection_owed(["b", "a"])
    store.mark_detection_owed(["a"], "linked")
    store.mark_detection_owed(["a"], "linked")
    entries = store.detection_owed_entries()
    assert entries == {"a": (3, ["stored", "linked"]), "b": (1, ["stored"])}
    assert store.detection_owed() == {a: marks for a, (marks, _) in entries.items()} == {"a": 3, "b": 1}
    assert store.detection_owed_reasons() == {"a": ["stored", "linked"], "b": ["stored"]}
    store.close()


def test_a_plaid_sync_leaves_its_accounts_owed(tmp_path, runner, monkeypatch):
    from tests.plaid_scenario import CHASE_TOKEN, build_world, link_item, plaid_env

    db = str(tmp_path / "s.db")
    with build_world(faults=False) as world:
        plaid_env(monkeypatch, world)
        link_item(db, "chase", CHASE_TOKEN)
        sync = runner.invoke(cli, ["plaid", "sync", "chase", "--db", db])
        assert sync.exit_code == 0, sync.output
    assert set(Store(db).detection_owed()) == {"chase-cc", "chase-chk"}
    assert "warning: 2 account(s)" in runner.invoke(cli, ["report", "--db", db]).stderr


def test_a_store_from_before_migrates_with_nothing_owed(tmp_path):
    from tests._old_stores import store_at_version

    path = tmp_path / "old.db"
    old = store_at_version(path, len(MIGRATIONS) - 1)
    old.execute("INSERT INTO transactions (transaction_id, account_id, date, amount, description) "
                "VALUES ('t1', 'acct', '2025-01-05', -9.99, 'NETFLIX.COM')")
    old.conn.commit()
    old.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert store.detection_owed() == {}
    store.close()
