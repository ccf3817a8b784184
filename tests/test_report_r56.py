"""`subdetect report` says the same thing, safely, in every format (round-56 audit): a refund
request opened by hand stays in `report --since` when its charge is since. Real CLI, real SQLite
files, Chase's card export layout."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from detector.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("json", "csv", "markdown", "html", "table")
HEADER = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"


def _monthly(descriptor: str, amount: float, day: int, months) -> list[tuple[date, str, float]]:
    return [(date(y, m, day), descriptor, amount) for y, m in months]


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _chase_csv(path: Path, rows) -> Path:
    """A Chase card export (newest first) of ``(day, descriptor, amount)`` charges."""
    lines = [f"{d:%m/%d/%Y},{d:%m/%d/%Y},{text},Entertainment,Sale,{-amount:.2f},\n"
             for d, text, amount in sorted(rows, reverse=True)]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _run(runner, *args, ok=True):
    res = runner.invoke(cli, [str(a) for a in args])
    if ok:
        assert res.exit_code == 0, res.output
    return res


def _report(runner, db, fmt, *more):
    return _run(runner, "report", "--db", db, "--format", fmt, "--limit", "0", *more)


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _plain(text: str, fmt: str) -> str:
    """The words of a report, an HTML page's without its tags."""
    return " ".join((html.unescape(re.sub(r"<[^>]+>", " ", text)) if fmt == "html" else text).split())


# -- a refund request opened by hand and `report --since` ---------------------------------------

@pytest.fixture
def hand_opened(runner, tmp_path):
    """A card with Spotify (charged twice in June: a flag) and Netflix billed monthly for a year, and
    two requests opened by hand (`refunds open`), for charges no flag holds: Netflix's of 2025-01-07
    and Spotify's of 2025-09-22."""
    months = _months((2024, 12), (2025, 11))
    card = _chase_csv(tmp_path / "Chase1357_Activity_20251130.CSV",
                      _monthly("Spotify USA", 11.99, 22, months) + _monthly("NETFLIX.COM", 15.49, 7, months)
                      + [(date(2025, 6, 23), "Spotify USA", 11.99)])
    db = tmp_path / "hand.db"
    _run(runner, "scan", card, "--db", db, "--as-of", "2025-11-30", "--format", "json")
    rows = json.loads(_run(runner, "transactions", "--db", db, "--format", "json").stdout)
    rows = rows if isinstance(rows, list) else rows["transactions"]
    ids = {(r["date"], r["description"]): r["transaction_id"] for r in rows}
    for day, text in (("2025-01-07", "NETFLIX.COM"), ("2025-09-22", "Spotify USA")):
        _run(runner, "refunds", "open", "--db", db, ids[(day, text)], "--reason", "charged after I closed the account",
             "--as-of", "2025-11-30")
    return db


def _requests(text: str, fmt: str) -> list[str]:
    """The charge dates of the refund requests a report lists."""
    if fmt == "json":
        return sorted(r["charge_date"] for r in json.loads(text)["refund_requests"])
    if fmt == "csv":
        return sorted(r["charge_date"] for r in _csv(text) if r["record"] == "refund_request")
    section = re.split(r"Refund requests", _plain(text, fmt))
    return sorted(set(re.findall(r"20\d\d-\d\d-\d\d", section[1]))) if len(section) > 1 else []


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_since_keeps_a_hand_opened_request_whose_charge_is_since(runner, hand_opened, fmt):
    db = hand_opened
    every = _report(runner, db, fmt)
    assert {"2025-01-07", "2025-09-22"} <= set(_requests(every.stdout, fmt))
    since = _report(runner, db, fmt, "--since", "2025-06-01")
    got = _requests(since.stdout, fmt)
    assert "2025-09-22" in got  # (it was dropped: it answers no flag)
    assert "2025-01-07" not in got  # (its charge is before --since, as a flag of it would be)
    # ... and not without a word: it is still in progress
    said = " ".join(since.stderr.split())
    assert "--since 2025-06-01 leaves out 1 refund request(s) in progress" in said
    assert "the oldest 2025-01-07" in said and "subdetect refunds list" in said
    every_since = _report(runner, db, fmt, "--since", "2024-01-01")
    assert {"2025-01-07", "2025-09-22"} <= set(_requests(every_since.stdout, fmt))
    assert "leaves out" not in every_since.stderr
