"""`subdetect report` says the same thing, safely, in every format (round-56 audit): a refund
request opened by hand stays in `report --since` when its charge is since; accounts detected as of
different days are each reported as of their own; a store whose scan found nothing is reported as
of that scan; a dollar total names its currency everywhere; the CSV's header never changes; every
`not_counted_reason` is documented. Real CLI, real SQLite files, Chase's card export layout."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from detector import report
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


# -- a store whose only scan found nothing --------------------------------------------------------

@pytest.fixture
def no_findings(runner, tmp_path):
    rows = [(date(2025, 11, 20), "WHOLEFDS MKT #10234", 54.21), (date(2025, 11, 2), "SHELL OIL 57444", 41.10),
            (date(2025, 10, 14), "TARGET 00012345", 23.99), (date(2025, 9, 30), "CHIPOTLE 1234", 13.45)]
    card = _chase_csv(tmp_path / "Chase2468_Activity_20251130.CSV", rows)
    db = tmp_path / "empty.db"
    scanned = json.loads(_run(runner, "scan", card, "--db", db, "--as-of", "2025-11-30", "--format", "json").stdout)
    assert scanned == {"as_of": "2025-11-30", "streams": [], "flags": [], "refund_requests": []}
    return db


def _as_of(text: str, fmt: str) -> str | None:
    if fmt == "json":
        return json.loads(text)["as_of"]
    found = re.search(r"Subscriptions as of (\d{4}-\d\d-\d\d)", text)
    return found and found.group(1)


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "table"])
@pytest.mark.parametrize("more", [(), ("--account", "nosuch"), ("--since", "2030-01-01")])
def test_a_store_whose_scan_found_nothing_is_reported_as_of_that_scan(runner, no_findings, fmt, more):
    assert _as_of(_report(runner, no_findings, fmt, *more).stdout, fmt) == "2025-11-30"  # (was today's date)


def test_a_store_from_before_migration_18_is_reported_as_of_its_streams(runner, tmp_path):
    from detector.store import MIGRATIONS, _m18_detections
    from tests._old_stores import store_at_version

    db = tmp_path / "old.db"
    old = store_at_version(db, MIGRATIONS.index(_m18_detections))
    old.execute("INSERT INTO streams (stream_id, account_id, merchant, direction, frequency, last_amount, first_date, "
                "last_date, next_date, status, transaction_ids, currency, as_of) VALUES ('s1', 'card', 'Netflix', "
                "'outflow', 'monthly', 15.49, '2025-01-07', '2025-10-07', '2025-11-07', 'active', '[]', 'USD', "
                "'2025-10-31')")
    old.conn.commit()
    old.close()
    doc = json.loads(_report(runner, db, "json").stdout)
    assert doc["as_of"] == "2025-10-31" and [s["as_of"] for s in doc["streams"]] == ["2025-10-31"]


# -- accounts detected as of different days --------------------------------------------------------

@pytest.fixture
def mixed(runner, tmp_path):
    """Card A's export up to October, scanned --as-of 2025-10-31; card B's up to November,
    scanned --as-of 2025-11-30: one database."""
    a = _chase_csv(tmp_path / "Chase1111_Activity_20251031.CSV",
                   _monthly("Spotify USA", 11.99, 10, _months((2024, 11), (2025, 10))))
    b = _chase_csv(tmp_path / "Chase2222_Activity_20251130.CSV",
                   _monthly("NETFLIX.COM", 15.49, 7, _months((2024, 12), (2025, 11))))
    db = tmp_path / "mixed.db"
    _run(runner, "scan", a, "--db", db, "--as-of", "2025-10-31")
    _run(runner, "scan", b, "--db", db, "--as-of", "2025-11-30")
    return db


SAID = "Not every account is as of 2025-11-30: Chase1111_Activity as of 2025-10-31 (its last detection)."


@pytest.mark.parametrize("fmt", FORMATS)
def test_accounts_detected_as_of_different_days_are_each_reported_as_of_their_own(runner, mixed, fmt):
    res = _report(runner, mixed, fmt)
    assert SAID in " ".join(res.stderr.split())  # (every format, JSON and CSV too)
    if fmt == "json":
        doc = json.loads(res.stdout)
        assert doc["as_of"] == "2025-11-30"
        assert {(s["account_id"], s["merchant"], s["as_of"]) for s in doc["streams"]} == {
            ("Chase1111_Activity", "Spotify", "2025-10-31"), ("Chase2222_Activity", "Netflix", "2025-11-30")}
    elif fmt == "csv":
        streams = [r for r in _csv(res.stdout) if r["record"] == "stream"]
        assert {(r["account_id"], r["as_of"]) for r in streams} == {("Chase1111_Activity", "2025-10-31"),
                                                                  ("Chase2222_Activity", "2025-11-30")}
    else:
        assert SAID in _plain(res.stdout, fmt)
        assert _plain(res.stdout, fmt).index(SAID) < _plain(res.stdout, fmt).index("Active subscriptions")


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_account_alone_is_reported_as_of_its_own_day_without_a_note(runner, mixed, fmt):
    res = _report(runner, mixed, fmt, "--account", "Chase1111_Activity")
    assert "Not every account" not in res.stdout + res.stderr
    if fmt == "json":
        doc = json.loads(res.stdout)
        assert doc["as_of"] == "2025-10-31" and {s["as_of"] for s in doc["streams"]} == {"2025-10-31"}
    elif fmt != "csv":
        assert _as_of(res.stdout, fmt) == "2025-10-31"


def test_a_scans_own_report_gives_each_stream_its_as_of(runner, tmp_path):
    card = _chase_csv(tmp_path / "Chase3333_Activity_20251130.CSV",
                      _monthly("Spotify USA", 11.99, 22, _months((2024, 12), (2025, 11))))
    doc = json.loads(_run(runner, "scan", card, "--db", tmp_path / "s.db", "--as-of", "2025-11-30",
                          "--format", "json").stdout)
    assert [s["as_of"] for s in doc["streams"]] == ["2025-11-30"]


# -- a dollar total names its currency in every format ---------------------------------------------

@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_a_dollar_total_names_its_currency_in_every_format(runner, mixed, fmt):
    text = _plain(_report(runner, mixed, fmt, "--account", "Chase2222_Activity").stdout, fmt)
    total = {"table": "Total 15.49 USD", "markdown": "**Total per month: 15.49 USD**",
             "html": "Total per month 15.49 USD"}[fmt]
    assert total in text  # (markdown and html said "15.49")


# -- the CSV's header --------------------------------------------------------------------------------

def test_the_csv_header_is_the_same_whatever_the_report_holds(runner, hand_opened, no_findings, mixed):
    headers = {}
    for name, db, more in (("flags, streams and requests", hand_opened, ()), ("nothing", no_findings, ()),
                           ("streams only", mixed, ()), ("requests, no flag", hand_opened, ("--since", "2025-06-01"))):
        text = _report(runner, db, "csv", *more).stdout
        headers[name] = next(csv.reader(io.StringIO(text)))
        kinds = {r["record"] for r in _csv(text)}
        assert kinds == {"nothing": set(), "streams only": {"stream"}}.get(name, {"flag", "stream", "refund_request"})
        for record in _csv(text):  # (each record's own fields filled, the others empty)
            if record["record"] == "stream":
                assert record["stream_id"] and record["frequency"] and not record["request_id"]
            if record["record"] == "refund_request":
                assert record["request_id"] and record["charge_date"] and not record["frequency"]
    assert all(h == list(report.csv_columns()) for h in headers.values()), {k: len(h) for k, h in headers.items()}
    assert headers["streams only"].index("stream_id") == 6  # (it was column 2 with no flag)


def test_the_documented_csv_header_is_the_one_written():
    text = (ROOT / "docs" / "flags.md").read_text(encoding="utf-8")
    listed = re.search(r"<!-- csv-columns -->\s*(.*?)\s*<!-- /csv-columns -->", text, re.DOTALL).group(1)
    assert [c.strip("` \n") for c in listed.split(",")] == list(report.csv_columns())


# -- every not_counted_reason is documented where the others are -----------------------------------

def test_every_not_counted_reason_a_report_gives_is_documented(runner, tmp_path):
    rows = ["date,description,amount,currency\n"]
    for y, m in _months((2025, 1), (2025, 11)):
        for day in (14, 28):  # (a payroll service's debits twice a month: net pay and payroll taxes)
            rows.append(f"{y}-{m:02d}-{day:02d},GUSTO NET 4F7A2C ACME DESIGN LLC,-8421.37,USD\n")
            rows.append(f"{y}-{m:02d}-{day:02d},GUSTO TAX 4F7A2C ACME DESIGN LLC,-2533.18,USD\n")
        rows.append(f"{y}-{m:02d}-05,SLACK T0123ABC,-87.50,USD\n")
    statement = tmp_path / "checking.csv"
    statement.write_text("".join(rows), encoding="utf-8")
    doc = json.loads(_run(runner, "scan", statement, "--account", "acme", "--db", tmp_path / "s.db",
                          "--as-of", "2025-11-30", "--format", "json").stdout)
    given = {s["not_counted_reason"] for s in doc["streams"]} - {None}
    assert "payroll" in given
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    reports = readme[readme.index("## Reports"):readme.index("## Measured accuracy")]
    cli_md = " ".join((ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split())
    formats = cli_md[cli_md.index("## Report formats"):cli_md.index("**Notes from earlier scans**")]
    for reason in report.NOT_COUNTED_REASONS:
        assert f"`{reason}`" in reports, f"README's Reports section does not list {reason}"
        assert f"`{reason}`" in formats, f"docs/cli.md's Report formats do not list {reason}"
