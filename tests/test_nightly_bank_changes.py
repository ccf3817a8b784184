"""The nightly job when the bank changes a charge under a refund request, or authorises one twice
(round-forty-seven audit), and the run log's as-of date; against the stand-in Plaid server,
through the real plaid-python client, with real SQLite stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.store import Store
from detector.testing.plaid_standin import PlaidStandIn, standin_account, standin_transaction
from tests.plaid_scenario import link_item, plaid_env

HULU = "HULU 877-8244858 CA"
SPOTIFY = "Spotify USA 877-778-1161 NY"


def _nightly(runner, db: Path, as_of: str):
    from detector.cli import cli

    result = runner.invoke(cli, ["nightly", "--db", str(db), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return result


def _cli(runner, *args: str) -> str:
    from detector.cli import cli

    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _flat(text: str) -> str:
    """``text`` with its runs of whitespace as one space (a table wraps a long cell over lines)."""
    return " ".join(text.split())


def _cells(table: str) -> list[str]:
    """The cells of a terminal table, each wrapped cell's lines joined by a space (a row goes on
    over the lines whose first cell is empty)."""
    rows: list[list[str]] = []
    for line in table.splitlines():
        if not line.strip().startswith("\u2502"):
            continue
        cells = [c.strip() for c in line.strip().strip("\u2502").split("\u2502")]
        if cells[0] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells)]
    return [c for row in rows for c in row]


def _report_status(report: str) -> str:
    """The Status column of the report table's refund requests, its wrapped lines joined."""
    lines = report[report.index("Refund requests"):].splitlines()
    header = next(line for line in lines if "Status" in line and "Eligible" in line)
    start, end = header.index("Status"), header.index("Eligible")
    rows = lines[lines.index(header) + 2:]
    return _flat(" ".join(line[start:end] for line in rows))


def _requests(db: Path) -> list[tuple]:
    store = Store(db)
    rows = store.conn.execute(
        "SELECT transaction_id, json_extract(details, '$.flag_type'), amount, status FROM refund_requests "
        "ORDER BY transaction_id").fetchall()
    store.close()
    return rows


def _flags(db: Path) -> list[tuple]:
    store = Store(db)
    rows = store.conn.execute("SELECT type, transaction_id, severity FROM flags ORDER BY transaction_id").fetchall()
    store.close()
    return rows


@pytest.fixture
def hulu_filed(tmp_path, monkeypatch, runner):
    """Hulu billed 18.99 January to June 2026, then 23.99 on 2026-07-09: a price rise, whose
    5.00 request the user files that night. Yields ``(item, db, request_id)``."""
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-hulu-rise", accounts=[standin_account("cc", "credit")])
        item.add(*[standin_transaction(f"hu-{m}", "cc", f"2026-{m:02d}-09", 18.99, "Hulu",
                                       original_description=HULU) for m in range(1, 7)])
        item.add(standin_transaction("hu-7", "cc", "2026-07-09", 23.99, "Hulu", original_description=HULU))
        db = tmp_path / "subdetect.db"
        link_item(db, "chase", "access-sandbox-hulu-rise")
        _nightly(runner, db, "2026-07-09")
        assert _requests(db) == [("hu-7", "price_increase", 5.0, "Candidate")]
        store = Store(db)
        (request_id,) = [r for (r,) in store.conn.execute("SELECT request_id FROM refund_requests")]
        store.close()
        _cli(runner, "refunds", "mark", "--db", str(db), request_id, "Pending", "--on", "2026-07-09")
        yield item, db, request_id


@pytest.mark.parametrize(("now", "said", "left"), [
    (18.99, "Pending (the bank corrected the charge to $18.99: nothing is left to ask, withdraw it)", 0.0),
    (20.99, "Pending (the bank changed the charge to $20.99: revise the amount asked to $2.00)", 2.0),
])
def test_a_filed_price_rise_the_bank_corrects_says_what_is_left_to_ask(hulu_filed, runner, now, said, left):
    # round-forty-seven audit: the bank corrected the filed Hulu rise (Plaid `modified`, 23.99 ->
    # 18.99); `refunds list` and the report still read "Hulu 5.00 Pending" and `refunds show` "Wait
    # for the vendor's answer", for a rise that was never charged. At 20.99 a rise still stands.
    item, db, request_id = hulu_filed
    item.modify(standin_transaction("hu-7", "cc", "2026-07-09", now, "Hulu", original_description=HULU))
    _nightly(runner, db, "2026-07-10")
    flags = _flags(db)
    assert [f[:2] for f in flags] == ([("price_increase", "hu-7")] if left else []), flags
    # the request was sent: it stays Pending asking its 5.00, and says what to do about it
    assert _requests(db) == [("hu-7", "price_increase", 5.0, "Pending")]
    listed = _cli(runner, "refunds", "list", "--db", str(db))
    assert said in _cells(listed), listed
    assert _report_status(_cli(runner, "report", "--db", str(db), "--format", "table")) == said
    for fmt in ("markdown", "html"):
        out = _cli(runner, "report", "--db", str(db), "--format", fmt)
        assert said in _flat(out), (fmt, out)
    assert said in _flat((db.parent / "reports" / "2026-07-10.html").read_text())
    doc = json.loads(_cli(runner, "report", "--db", str(db), "--format", "json"))
    (req,) = doc["refund_requests"]
    assert (req["charge_amount_now"], req["amount_to_ask_now"], req["amount"]) == (now, left, 5.0)
    assert "amount_to_ask_now" in _cli(runner, "report", "--db", str(db), "--format", "csv").splitlines()[0]
    shown = _cli(runner, "refunds", "show", "--db", str(db), request_id)
    assert f"Changed:     the bank now shows this charge as ${now:.2f}" in shown
    assert "Wait for the vendor's answer" not in shown and said[len("Pending ("):-1] in _flat(shown), shown
    # once: a night with nothing new adds no second note and changes nothing
    store = Store(db)
    before = store.conn.execute("SELECT details, history, updated_at FROM refund_requests").fetchall()
    store.close()
    _nightly(runner, db, "2026-07-11")
    store = Store(db)
    assert store.conn.execute("SELECT details, history, updated_at FROM refund_requests").fetchall() == before
    store.close()
    notes = [h["note"] for h in json.loads(before[0][1]) if "flag" in (h.get("note") or "") and "at $" in h["note"]]
    assert len(notes) == 1, notes


def test_a_filed_request_whose_charge_is_changed_back_asks_what_it_asked(hulu_filed, runner):
    # corrected to 18.99, then back to 23.99: the rise stands again at 5.00, nothing left to revise
    item, db, _ = hulu_filed
    item.modify(standin_transaction("hu-7", "cc", "2026-07-09", 18.99, "Hulu", original_description=HULU))
    _nightly(runner, db, "2026-07-10")
    item.modify(standin_transaction("hu-7", "cc", "2026-07-09", 23.99, "Hulu", original_description=HULU))
    _nightly(runner, db, "2026-07-11")
    listed = _cli(runner, "refunds", "list", "--db", str(db))
    assert "Pending" in _cells(listed) and "withdraw" not in listed and "revise" not in listed, listed
    store = Store(db)
    (details,) = store.conn.execute("SELECT details FROM refund_requests").fetchone()
    store.close()
    assert json.loads(details)["amount_to_ask_now"] == 5.0


def _spotify_history(item) -> None:
    item.add(*[standin_transaction(f"sp-{m}", "cc", f"2026-{m:02d}-12", 11.99, "Spotify",
                                   original_description=SPOTIFY) for m in range(1, 7)])


@pytest.mark.parametrize("then", ["one posts, the other drops", "one posts, the other drops a night later",
                                  "both post"])
def test_a_double_authorisation_asks_nothing_back_until_it_posts(tmp_path, monkeypatch, runner, then):
    # round-forty-seven audit: Spotify authorised twice (both pending) on one day raised a HIGH
    # duplicate_charge and a refund request with a drafted email; the next night one dropped and
    # the other posted. Money not taken yet is not asked back: a low note until they post.
    db = tmp_path / "subdetect.db"
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-double-auth", accounts=[standin_account("cc", "credit")])
        _spotify_history(item)
        link_item(db, "chase", "access-sandbox-double-auth")
        _nightly(runner, db, "2026-07-11")
        item.add(standin_transaction("sp-p1", "cc", "2026-07-12", 11.99, "Spotify", original_description=SPOTIFY,
                                     pending=True),
                 standin_transaction("sp-p2", "cc", "2026-07-12", 11.99, "Spotify", original_description=SPOTIFY,
                                     pending=True))
        _nightly(runner, db, "2026-07-12")
        (flag,) = [f for f in _flags(db) if f[0] == "duplicate_charge"]
        assert flag[2] == "low" and _requests(db) == []
        report = _flat(_cli(runner, "report", "--db", str(db), "--format", "markdown"))
        assert "both are still pending, not taken yet" in report, report
        item.add(standin_transaction("sp-7", "cc", "2026-07-14", 11.99, "Spotify", original_description=SPOTIFY,
                                     pending_transaction_id="sp-p1", authorized_date="2026-07-12"))
        if then == "both post":
            item.add(standin_transaction("sp-7b", "cc", "2026-07-14", 11.99, "Spotify",
                                         original_description=SPOTIFY, pending_transaction_id="sp-p2",
                                         authorized_date="2026-07-12"))
            item.remove("sp-p1", "sp-p2")
        elif then == "one posts, the other drops":
            item.remove("sp-p1", "sp-p2")
        else:
            item.remove("sp-p1")
        _nightly(runner, db, "2026-07-14")
        if then == "one posts, the other drops a night later":
            # a posted charge and a pending one authorised the same day: still waiting, nothing asked
            assert [f[2] for f in _flags(db) if f[0] == "duplicate_charge"] == ["low"] and _requests(db) == []
            item.remove("sp-p2")
            _nightly(runner, db, "2026-07-15")
    flags, requests = _flags(db), _requests(db)
    if then == "both post":  # taken twice: now a double charge, asked back
        assert ("duplicate_charge", "sp-7b", "high") in flags
        assert requests == [("sp-7b", "duplicate_charge", 11.99, "Candidate")]
    else:
        assert [f for f in flags if f[0] == "duplicate_charge"] == [] and requests == []


def test_a_pending_charge_after_a_cancellation_is_still_asked_back(tmp_path, monkeypatch, runner):
    # (the other flags are not held back while a charge is pending: a plan's charge after its
    # cancellation is the vendor taking the money, and its request moves to the posted charge)
    db = tmp_path / "subdetect.db"
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-cancelled", accounts=[standin_account("cc", "credit")])
        _spotify_history(item)
        link_item(db, "chase", "access-sandbox-cancelled")
        _nightly(runner, db, "2026-07-01")
        _cli(runner, "cancel", "--db", str(db), "--account", "cc", "--merchant", "Spotify", "--on", "2026-06-20")
        item.add(standin_transaction("sp-p", "cc", "2026-07-12", 11.99, "Spotify", original_description=SPOTIFY,
                                     pending=True))
        _nightly(runner, db, "2026-07-12")
    assert ("charge_after_cancellation", "sp-p", "high") in _flags(db)
    assert _requests(db) == [("sp-p", "charge_after_cancellation", 11.99, "Candidate")]


def test_the_run_log_records_the_date_each_run_is_as_of(tmp_path, monkeypatch, runner):
    # round-forty-seven audit: `subdetect runs` and the runs table had only the clock's started_at,
    # so a back-dated or catch-up run (`nightly --as-of`) could not be told from the others
    from detector.runs import list_runs

    db = tmp_path / "subdetect.db"
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-runs", accounts=[standin_account("cc", "credit")])
        _spotify_history(item)
        link_item(db, "chase", "access-sandbox-runs")
        for day in ("2026-07-12", "2026-07-09", "2026-07-10"):  # the last two: catching up, back-dated
            _nightly(runner, db, day)
    store = Store(db)
    assert [r["as_of"] for r in list_runs(store)] == ["2026-07-10", "2026-07-09", "2026-07-12"]
    store.close()
    runs = json.loads(_cli(runner, "runs", "--db", str(db), "--format", "json"))
    assert [r["as_of"] for r in runs] == ["2026-07-10", "2026-07-09", "2026-07-12"]
    table = _cli(runner, "runs", "--db", str(db))
    assert "as_of" in table and all(day in table for day in ("2026-07-12", "2026-07-09", "2026-07-10")), table


def test_runs_logged_before_the_as_of_date_was_recorded_show_none(tmp_path, runner):
    # (the migration adds the column; an old run's date was never recorded and is not made up)
    import sqlite_utils

    from detector.runs import list_runs
    from detector.store import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:11]:
        migration(db)
    db.execute("PRAGMA user_version = 11")
    db["runs"].insert({"run_id": "run_old", "kind": "nightly", "started_at": "2026-07-01T02:00:00+00:00",
                       "ended_at": "2026-07-01T02:01:00+00:00", "status": "ok", "counts": "{}", "errors": "[]"})
    db.conn.commit()
    db.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert [(r["run_id"], r["as_of"]) for r in list_runs(store)] == [("run_old", None)]
    store.close()
    cells = _cells(_cli(runner, "runs", "--db", str(path)))
    assert cells[:3] == ["run_old", "nightly", "-"], cells
