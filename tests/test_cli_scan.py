"""`subdetect scan` end to end on a real SQLite file: summary, rejects, report."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd

from detector.cli import cli


def test_scan_reports_rejected_lines_and_writes_json(runner, tmp_path):
    statement = tmp_path / "card.csv"
    lines = ["date,description,amount"]
    lines += [f"2024-{m:02d}-05,NETFLIX.COM 866-579-7172 CA,-15.49" for m in range(1, 13)]
    lines.insert(4, "2024-13-45,NETFLIX.COM,-15.49")  # physical line 5: a bad date
    statement.write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", str(statement), "--db", str(db), "--as-of", "2024-12-31",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    assert f"{statement}:5" in result.stderr and "rejected" in result.stderr
    doc = json.loads(result.stdout)
    netflix = [s for s in doc["streams"] if s["merchant"] == "Netflix"]
    assert len(netflix) == 1 and netflix[0]["frequency"] == "monthly"
    assert len(netflix[0]["transaction_ids"]) == 12


def test_report_table_limit(runner, tmp_path):
    # three monthly plans: --limit 1 shows the costliest and says two more exist; --limit 0 all
    statement = tmp_path / "card.csv"
    lines = ["date,description,amount"]
    for name, price in (("NETFLIX.COM", -15.49), ("SPOTIFY USA", -11.99), ("HULU 877-8244858 CA", -7.99)):
        lines += [f"2024-{m:02d}-05,{name},{price}" for m in range(1, 13)]
    statement.write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.db"
    assert runner.invoke(cli, ["scan", str(statement), "--db", str(db), "--as-of", "2024-12-31"]).exit_code == 0
    one = runner.invoke(cli, ["report", "--db", str(db), "--limit", "1"])
    assert one.exit_code == 0, one.output
    active = one.stdout.split("Active subscriptions")[1]
    assert "Netflix" in active and "Hulu" not in active and "and 2 more not shown" in active
    every = runner.invoke(cli, ["report", "--db", str(db), "--limit", "0"])
    assert "Hulu" in every.stdout and "more not shown" not in every.stdout
    assert runner.invoke(cli, ["report", "--db", str(db), "--limit", "-1"]).exit_code == 2


def _monthly_file(path, last: date, months: int = 8):
    lines = ["date,description,amount"]
    for k in range(months):
        d = (pd.Timestamp(last) - pd.DateOffset(months=k)).date()
        lines.append(f"{d.isoformat()},NETFLIX.COM,-15.49")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_scan_notes_statements_that_end_long_before_today(runner, tmp_path):
    old = _monthly_file(tmp_path / "old.csv", date(2024, 6, 5))
    result = runner.invoke(cli, ["scan", old, "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 0, result.output
    assert "newest transaction in these statements is 2024-06-05" in result.stderr
    assert "--as-of 2024-06-05" in result.stderr and "note:" not in result.stdout
    # the user chose the date: no note
    chosen = runner.invoke(cli, ["scan", old, "--db", str(tmp_path / "b.db"), "--as-of", "2026-01-01"])
    assert "note:" not in chosen.stderr
    # a statement that ends recently: no note
    recent = _monthly_file(tmp_path / "recent.csv", date.today() - timedelta(days=3))
    fresh = runner.invoke(cli, ["scan", recent, "--db", str(tmp_path / "c.db")])
    assert fresh.exit_code == 0, fresh.output
    assert "note:" not in fresh.stderr
