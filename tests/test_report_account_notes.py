"""`subdetect report` repeats what a scan found once (twenty-sixth session): a file whose charges
another account holds already was said in that scan's output only, and a `report` run later, the
nightly report, never said it. The note is stored with the account, the file and the day, shown
in every report format until it no longer applies or is dismissed. Real CLI, real SQLite files,
Chase's real export layouts (tests/data/overlap)."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from detector.cli import cli

DATA = Path(__file__).parent / "data" / "overlap"
ACCTID = "520844521-9753"
AS_OF = "2025-05-31"


@pytest.fixture
def scanned(runner, tmp_path):
    """The card's January-March CSV as ``card.csv`` and its March-May QFX as ``statement.qfx``:
    two accounts, the QFX's March charges held by ``card`` already."""
    shutil.copy(DATA / "Chase9753_Activity_20250331.CSV", tmp_path / "card.csv")
    shutil.copy(DATA / "Chase9753_Activity_20250531.QFX", tmp_path / "statement.qfx")
    db = tmp_path / "s.db"
    res = runner.invoke(cli, ["scan", str(tmp_path / "card.csv"), str(tmp_path / "statement.qfx"), "--db", str(db),
                              "--as-of", AS_OF, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert "charges account 'card' already holds" in " ".join(res.stderr.split())
    assert "notes" not in json.loads(res.stdout)  # (the scan said it on stderr, as before)
    return db, tmp_path


def _report(runner, db, fmt="json", *more):
    res = runner.invoke(cli, ["report", "--db", str(db), "--format", fmt, *more])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_report_repeats_the_note_in_every_format_with_account_file_and_day(runner, scanned):
    db, folder = scanned
    doc = json.loads(_report(runner, db))
    assert {"streams", "flags", "refund_requests"} <= set(doc)  # (the documented shape, a key added)
    (note,) = doc["notes"]
    assert note["kind"] == "charges_held_elsewhere" and note["account_id"] == ACCTID
    assert note["other_account"] == "card" and note["file"] == str(folder / "statement.qfx")
    assert note["other_file"] == str(folder / "card.csv") and 20 <= note["rows"] <= 26
    assert len(note["noted_on"]) == 10 and note["note_id"].startswith("n_")
    assert f"scan {folder / 'card.csv'} with --account '{ACCTID}'" in note["message"]
    said = "row(s) of this file are charges account 'card' already holds"
    table = " ".join(_report(runner, db, "table").split())
    assert "Notes from earlier scans (1)" in table and said in table and str(folder / "statement.qfx") in table
    assert f"subdetect notes dismiss {note['note_id']}" in table
    assert "## Notes from earlier scans (1)" in _report(runner, db, "markdown")
    page = _report(runner, db, "html")
    assert "<h2>Notes from earlier scans (1)</h2>" in page and said in html.unescape(page)
    records = list(csv.DictReader(io.StringIO(_report(runner, db, "csv"))))
    assert [r["note_id"] for r in records if r["record"] == "note"] == [note["note_id"]]
    # either account's report shows it; another account's does not
    assert json.loads(_report(runner, db, "json", "--account", "card"))["notes"] == [note]
    assert json.loads(_report(runner, db, "json", "--account", ACCTID))["notes"] == [note]
    # scanning the same files again keeps one note, of the first day
    res = runner.invoke(cli, ["scan", str(folder / "card.csv"), str(folder / "statement.qfx"), "--db", str(db),
                              "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    assert json.loads(_report(runner, db))["notes"] == [note]
    listed = json.loads(runner.invoke(cli, ["notes", "list", "--db", str(db), "--format", "json"]).stdout)
    assert [n["note_id"] for n in listed] == [note["note_id"]]


def test_a_dismissed_note_leaves_the_report_and_stays_dismissed(runner, scanned):
    db, folder = scanned
    (note,) = json.loads(_report(runner, db))["notes"]
    res = runner.invoke(cli, ["notes", "dismiss", note["note_id"], "--db", str(db)])
    assert res.exit_code == 0 and "dismissed" in res.stdout
    assert "notes" not in json.loads(_report(runner, db))
    assert "Notes from earlier scans" not in _report(runner, db, "table")
    again = runner.invoke(cli, ["scan", str(folder / "statement.qfx"), "--db", str(db), "--as-of", AS_OF])
    assert again.exit_code == 0
    assert "notes" not in json.loads(_report(runner, db))
    assert "was dismissed already" in runner.invoke(cli, ["notes", "dismiss", note["note_id"], "--db", str(db)]).stdout
    missing = runner.invoke(cli, ["notes", "dismiss", "n_nothing", "--db", str(db)])
    assert missing.exit_code == 4 and "no note 'n_nothing'" in missing.output


def test_a_note_that_no_longer_applies_leaves_the_report(runner, scanned):
    db, _ = scanned
    assert json.loads(_report(runner, db))["notes"]
    conn = sqlite3.connect(db)  # (the other account's rows gone: nothing is held twice any more)
    conn.execute("DELETE FROM transactions WHERE account_id = 'card'")
    conn.commit()
    conn.close()
    assert "notes" not in json.loads(_report(runner, db))


def test_the_nightly_report_shows_the_notes_of_its_inbox(runner, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(DATA / "Chase9753_Activity_20250331.CSV", inbox / "card.csv")
    shutil.copy(DATA / "Chase9753_Activity_20250531.QFX", inbox / "statement.qfx")
    db = tmp_path / "n.db"
    res = runner.invoke(cli, ["nightly", "--db", str(db), "--inbox", str(inbox), "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "reports" / f"{AS_OF}.json").read_text())
    assert [(n["account_id"], n["other_account"]) for n in doc["notes"]] in ([(ACCTID, "card")], [("card", ACCTID)])


def test_a_store_before_notes_is_upgraded(runner, tmp_path):
    """Migration 16 adds ``account_notes`` to a store of version 15; its report has no notes."""
    from _old_stores import store_at_version

    from detector.store import MIGRATIONS, Store

    old = store_at_version(tmp_path / "old.db", 15)
    assert "account_notes" not in old.table_names()
    old.close()
    store = Store(tmp_path / "old.db")
    assert store.schema_version == len(MIGRATIONS) >= 16 and "account_notes" in store.db.table_names()
    store.close()
    assert "notes" not in json.loads(_report(runner, tmp_path / "old.db"))
