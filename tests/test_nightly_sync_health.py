"""The nightly job over several nights against the stand-in Plaid server (round-thirty-eight
audit): an item that stops syncing, error text quoting secrets, a posted charge that names no
pending version, a filed request whose charge the bank removed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from detector.store import Store
from detector.testing.plaid_standin import PlaidStandIn, standin_account, standin_transaction
from tests.plaid_scenario import SECRET_KEY, link_item, plaid_env

ROOT = Path(__file__).resolve().parents[1]
CHASE = "access-sandbox-5c1d0e2f-chase-0038"
AMEX = "access-production-3f6b2c1e-8d4a-4e7b-9c2f-1a5d7e9b0c3f"


def _nightly(runner, db: Path, as_of: str, *extra: str):
    from detector.cli import cli

    return runner.invoke(cli, ["nightly", "--db", str(db), "--as-of", as_of, *extra])


def _monthly(prefix: str, account: str, day: int, amount: float, name: str, months, year: int = 2025) -> list[dict]:
    return [standin_transaction(f"{prefix}-{m:02d}", account, f"{year}-{m:02d}-{day:02d}", amount, name)
            for m in months]


@pytest.fixture
def two_items(tmp_path, monkeypatch):
    """Chase (Netflix on the 5th) and Amex (Hulu on the 20th, NYT on the 2nd), January to June
    2025, both linked; yields ``(server, db, chase, amex)``."""
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        chase = server.add_item(CHASE, item_id="item-chase", accounts=[standin_account("chase-cc", "credit")])
        amex = server.add_item(AMEX, item_id="item-amex",
                               accounts=[standin_account("amex-cc", "credit", mask="1005")])
        chase.add(*_monthly("nflx", "chase-cc", 5, 15.49, "NETFLIX.COM 866-579-7172 CA", range(1, 7)))
        amex.add(*_monthly("hulu", "amex-cc", 20, 18.99, "HLU*HULUPLUS 888-265-6650 CA", range(1, 7)),
                 *_monthly("nyt", "amex-cc", 2, 25.00, "NYTIMES*NYTIMES SUBSCR NEW YORK NY", range(1, 7)))
        db = tmp_path / "state" / "subdetect.db"
        link_item(db, "chase", CHASE)
        link_item(db, "amex", AMEX)
        yield server, db, chase, amex


def _streams(db: Path) -> dict[str, tuple[str, str]]:
    store = Store(db)
    rows = store.conn.execute("SELECT merchant, status, evidence FROM streams").fetchall()
    store.close()
    return {m: (st, ev) for m, st, ev in rows}


def test_an_item_failing_for_weeks_keeps_its_plans_and_is_named_in_every_report(two_items, runner):
    # round-thirty-eight audit: Amex needing a new login from July made its Hulu and NYT plans
    # "ended" by late September, out of the active plans and the total, and no report said so
    _, db, chase, amex = two_items
    assert _nightly(runner, db, "2025-07-01").exit_code == 0
    amex.login_required = True
    chase.add(*_monthly("nflx", "chase-cc", 5, 15.49, "NETFLIX.COM 866-579-7172 CA", range(7, 10)))
    amex.add(*_monthly("hulu", "amex-cc", 20, 18.99, "HLU*HULUPLUS 888-265-6650 CA", range(7, 10)))
    night = _nightly(runner, db, "2025-09-25")
    assert night.exit_code == 1
    assert ("STALE amex-cc (Credit 1005), Plaid item amex: not synced since 2025-07-01 (ITEM_LOGIN_REQUIRED: log in to the "
            "bank again through Plaid Link's update mode, and the next run catches up). Its plans are shown "
            "as of 2025-07-01; their status since is unknown.") in night.output

    streams = _streams(db)
    for merchant in ("Hulu", "The New York Times"):
        status, evidence = streams[merchant]
        assert status == "active", (merchant, status)
        assert ("status as of 2025-07-01, when Plaid item amex last synced (ITEM_LOGIN_REQUIRED): charges "
                "since then are not known") in evidence
    assert streams["Netflix"][0] == "active" and "last synced" not in streams["Netflix"][1]

    reports = db.parent / "reports"
    doc = json.loads((reports / "2025-09-25.json").read_text())
    (problem,) = doc["sync_problems"]
    assert {k: problem[k] for k in ("account_id", "item", "last_successful_sync", "error_code", "judged_as_of")} == {
        "account_id": "amex-cc", "item": "amex", "last_successful_sync": "2025-07-01",
        "error_code": "ITEM_LOGIN_REQUIRED", "judged_as_of": "2025-07-01"}
    html = (reports / "2025-09-25.html").read_text()
    assert "Accounts whose bank data is not up to date (1)" in html and "not synced since 2025-07-01" in html
    from detector.cli import cli

    for fmt in ("table", "markdown"):
        out = runner.invoke(cli, ["report", "--db", str(db), "--format", fmt]).output
        head = out[:out.index("Suspicious charges")]
        assert "Accounts whose bank data is not up to date (1)" in head and "amex-cc" in head, out
        assert "59.48" in out  # Hulu 18.99 + NYT 25.00 + Netflix 15.49: still counted
    csv = runner.invoke(cli, ["report", "--db", str(db), "--format", "csv"]).output
    assert csv.splitlines()[1].startswith("sync_problem,")
    for text in (night.output, html, json.dumps(doc), csv):
        assert AMEX not in text and CHASE not in text

    # logged in again: the item catches up, and nothing is stale any more
    amex.login_required = False
    assert _nightly(runner, db, "2025-09-26").exit_code == 0
    doc = json.loads((reports / "2025-09-26.json").read_text())
    assert "sync_problems" not in doc
    status, evidence = _streams(db)["Hulu"]
    assert status == "active" and "last synced" not in evidence


def test_an_item_down_one_night_is_named_but_its_plans_barely_move(two_items, runner):
    _, db, _, amex = two_items
    assert _nightly(runner, db, "2025-07-01").exit_code == 0
    amex.login_required = True
    out = _nightly(runner, db, "2025-07-02", "--format", "json")
    payload = json.loads(out.stdout)
    (problem,) = payload["sync_problems"]
    assert problem["account_id"] == "amex-cc" and problem["last_successful_sync"] == "2025-07-01"
    assert {m: st for m, (st, _) in _streams(db).items()} == {
        "Hulu": "active", "The New York Times": "active", "Netflix": "active"}


def test_an_error_quoting_the_request_and_keys_hides_them_everywhere(two_items, tmp_path):
    # round-thirty-eight audit: an error message quoting the request put the access token in
    # stdout, the ERROR log line, `runs --format json` and plaid_items.last_error
    server, db, _, _ = two_items
    secret = "standin-secret-value-0038"
    server.secret = secret
    server.fail("/transactions/sync", status=400, error_type="INVALID_REQUEST", error_code="INVALID_FIELD",
                message="cursor is invalid for request {request} (keys " + secret + ")")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAID_", "SUBDETECT_"))}
    env.update(PYTHONPATH=str(ROOT), PLAID_CLIENT_ID=server.client_id, PLAID_SECRET=secret,
               PLAID_BASE_URL=server.url, SUBDETECT_SECRET_KEY=SECRET_KEY, SUBDETECT_PLAID_BACKOFF="0.001",
               SUBDETECT_PLAID_BACKOFF_MAX="0.01")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "detector", *args, "--db", str(db)], env=env,
                              capture_output=True, text=True, timeout=300, check=False)

    night = run("nightly", "--as-of", "2025-07-01")
    assert night.returncode == 1
    failed = [line for line in night.stdout.splitlines() if line.startswith("  FAILED plaid")]
    assert len(failed) == 1 and '"access_token": "[REDACTED]"' in failed[0] and "(keys [REDACTED])" in failed[0]
    assert '"access_token": "[REDACTED]"' in night.stderr
    outputs = [night.stdout, night.stderr, run("runs", "--format", "json").stdout,
               run("plaid", "items", "--format", "json").stdout]
    stored = b"".join(p.read_bytes() for p in db.parent.rglob("*") if p.is_file())
    for value in (CHASE, AMEX, secret):
        for text in outputs:
            assert value not in text
        assert value.encode() not in stored


def test_a_posted_charge_naming_no_pending_version_replaces_it(tmp_path, monkeypatch, runner):
    # round-thirty-eight audit: a pending charge and its posted twin (pending_transaction_id null,
    # as Capital One and USAA send them) were a high duplicate_charge with a refund request for
    # the night the pending row's removal came late
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-unlinked", accounts=[standin_account("citi-cc", "credit")])
        item.add(*_monthly("hulu", "citi-cc", 20, 18.99, "HLU*HULUPLUS 888-265-6650 CA", range(1, 7)))
        item.add(standin_transaction("hulu-07p", "citi-cc", "2025-07-20", 18.99, "HLU*HULUPLUS 888-265-6650 CA",
                                     pending=True))
        db = tmp_path / "subdetect.db"
        link_item(db, "citi", "access-sandbox-unlinked")
        assert _nightly(runner, db, "2025-07-21").exit_code == 0
        item.add(standin_transaction("hulu-07", "citi-cc", "2025-07-22", 18.99, "HLU*HULUPLUS 888-265-6650 CA",
                                     authorized_date="2025-07-20"))
        assert _nightly(runner, db, "2025-07-23").exit_code == 0
        store = Store(db)
        july = store.conn.execute("SELECT transaction_id, pending FROM transactions WHERE date >= '2025-07-01'").fetchall()
        flags = store.conn.execute("SELECT type FROM flags").fetchall()
        requests = store.conn.execute("SELECT status FROM refund_requests").fetchall()
        store.close()
        assert (july, flags, requests) == ([("hulu-07", 0)], [], [])
        item.remove("hulu-07p")  # the removal, a night late
        night = _nightly(runner, db, "2025-07-24", "--format", "json")
        assert json.loads(night.stdout)["counts"]["detect"] == {"streams": 1, "flags": 0, "refund_requests": 0}


def test_a_pending_charge_arriving_with_a_posted_one_of_its_day_is_still_a_double_charge(
        tmp_path, monkeypatch, runner):
    # (the posting of a pending charge comes after it: two charges of one day sent together are two)
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-double", accounts=[standin_account("cc", "credit")])
        item.add(*_monthly("pbo", "cc", 5, 49.0, "PROBACKOFFICE.COM", range(1, 7)))
        item.add(standin_transaction("pbo-again", "cc", "2025-06-05", 49.0, "PROBACKOFFICE.COM", pending=True))
        db = tmp_path / "subdetect.db"
        link_item(db, "bank", "access-sandbox-double")
        assert _nightly(runner, db, "2025-06-08").exit_code == 0
    store = Store(db)
    flags = store.conn.execute("SELECT type, transaction_id FROM flags").fetchall()
    store.close()
    assert ("duplicate_charge", "pbo-again") in flags


def test_a_filed_request_whose_charge_the_bank_removed_says_so_where_it_is_listed(tmp_path, monkeypatch, runner):
    # round-thirty-eight audit: the report and `refunds list` showed "Pending · eligible yes ·
    # expected by ...", like any open claim, and charge_removed_on was the clock's date
    from detector.cli import cli
    from detector.refunds import get_request
    from tests.test_nightly import _pending_double_charge

    path = tmp_path / "subdetect.db"
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item, req = _pending_double_charge(server, path, "access-sandbox-removed", filed=True)
        item.remove("pbo-pend")
        assert _nightly(runner, path, "2025-06-09").exit_code == 0
    store = Store(path)
    assert get_request(store, req["request_id"])["charge_removed_on"] == "2025-06-09"
    store.close()
    said = "Pending (charge removed by the bank on 2025-06-09: withdraw it)"
    listed = runner.invoke(cli, ["refunds", "list", "--db", str(path)]).output
    # (the status column may wrap the note over lines wherever the other columns' widths put it)
    assert " ".join(listed.split()).count("Pending (charge removed by the bank on") == 1, listed
    assert all(w in listed for w in ("2025-06-09:", "withdraw it)")), listed
    for fmt in ("table", "markdown", "html"):
        out = runner.invoke(cli, ["report", "--db", str(path), "--format", fmt]).output
        if fmt == "table":  # (the status column wraps it over lines)
            assert all(w in out for w in ("Pending", "(charge", "removed by the", "2025-06-09:", "withdraw it)")), out
        else:
            assert said in " ".join(out.split()), (fmt, out)
    html = (path.parent / "reports" / "2025-06-09.html").read_text()
    assert said in html


def _july_after_posting(tmp_path, monkeypatch, runner, pending: list[dict], posted: list[dict],
                        history: list[dict] = ()) -> tuple[list, list, list]:
    """Sync ``history`` and ``pending`` one night, ``posted`` (naming no pending version) the next;
    the July rows (id, pending, amount), flags (type, charge) and refund requests after it."""
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-adjusted", accounts=[standin_account("cap1-cc", "credit")])
        item.add(*history, *pending)
        db = tmp_path / "subdetect.db"
        link_item(db, "capone", "access-sandbox-adjusted")
        assert _nightly(runner, db, "2025-07-21").exit_code == 0
        item.add(*posted)
        assert _nightly(runner, db, "2025-07-24").exit_code == 0
    store = Store(db)
    july = store.conn.execute("SELECT transaction_id, pending, amount FROM transactions WHERE date >= '2025-07-01' "
                              "ORDER BY transaction_id").fetchall()
    flags = store.conn.execute("SELECT type, transaction_id FROM flags").fetchall()
    requests = store.conn.execute("SELECT transaction_id, status FROM refund_requests").fetchall()
    store.close()
    return july, flags, requests


@pytest.mark.parametrize("posted_sum", [11.88, 12.04])
def test_a_pending_charge_posting_at_another_sum_and_naming_no_pending_version_replaces_it(
        tmp_path, monkeypatch, runner, posted_sum):
    # a plan priced in another currency, authorised at one day's rate and posted at another's,
    # with pending_transaction_id null: the pending row stayed beside the posted one, and the two
    # read as a double charge with a refund request (a cent apart) or as two charges in July
    name = "SPOTIFY P2A1B3C4D5 STOCKHOLM SE"
    history = _monthly("spot", "cap1-cc", 18, 11.87, name, range(1, 7))
    pending = [standin_transaction("spot-07p", "cap1-cc", "2025-07-18", 11.87, name, pending=True)]
    posted = [standin_transaction("spot-07", "cap1-cc", "2025-07-21", posted_sum, name, authorized_date="2025-07-18")]
    july, flags, requests = _july_after_posting(tmp_path, monkeypatch, runner, pending, posted, history)
    assert july == [("spot-07", 0, -posted_sum)]
    assert not [f for f in flags if f[0] == "duplicate_charge"], flags
    assert not [r for r in requests if r[0] in ("spot-07", "spot-07p")], requests


def test_a_tip_and_a_fuel_hold_pair_with_their_postings_and_an_exact_twin_pairs_first(
        tmp_path, monkeypatch, runner):
    pending = [
        # two meals at one restaurant: the first posts with a tip, the second at its sum
        standin_transaction("meal-1p", "cap1-cc", "2025-07-18", 40.00, "TST* LUIGIS TRATTORIA", pending=True),
        standin_transaction("meal-2p", "cap1-cc", "2025-07-19", 44.00, "TST* LUIGIS TRATTORIA", pending=True),
        # a pump's hold of a round sum, posting at what was filled
        standin_transaction("fuel-p", "cap1-cc", "2025-07-19", 100.00, "SHELL OIL 57444", pending=True),
    ]
    posted = [
        standin_transaction("meal-1", "cap1-cc", "2025-07-21", 48.00, "TST* LUIGIS TRATTORIA",
                            authorized_date="2025-07-18"),
        standin_transaction("meal-2", "cap1-cc", "2025-07-22", 44.00, "TST* LUIGIS TRATTORIA",
                            authorized_date="2025-07-19"),
        standin_transaction("fuel", "cap1-cc", "2025-07-21", 43.17, "SHELL OIL 57444", authorized_date="2025-07-19"),
    ]
    july, _, _ = _july_after_posting(tmp_path, monkeypatch, runner, pending, posted)
    assert july == [("fuel", 0, -43.17), ("meal-1", 0, -48.0), ("meal-2", 0, -44.0)]
    store = Store(tmp_path / "subdetect.db")
    assert store.conn.execute("SELECT count(*) FROM transactions WHERE pending = 1").fetchone()[0] == 0
    store.close()


def test_a_second_charge_at_another_sum_is_not_taken_for_a_pending_ones_posting(tmp_path, monkeypatch, runner):
    # a sum far from the pending one's (and not within a round hold), another merchant's charge,
    # or a posting more than a few days after it is another charge: the pending row stays
    pending = [
        standin_transaction("gym-p", "cap1-cc", "2025-07-18", 30.00, "PLANET FITNESS 1234", pending=True),
        standin_transaction("cafe-p", "cap1-cc", "2025-07-10", 12.50, "BLUE BOTTLE COFFEE", pending=True),
        standin_transaction("book-p", "cap1-cc", "2025-07-19", 20.00, "POWELLS BOOKS", pending=True),
    ]
    posted = [
        standin_transaction("gym-2", "cap1-cc", "2025-07-21", 49.99, "PLANET FITNESS 1234"),
        standin_transaction("cafe-2", "cap1-cc", "2025-07-21", 13.00, "BLUE BOTTLE COFFEE"),
        standin_transaction("other", "cap1-cc", "2025-07-21", 21.00, "TARGET 00012345"),
    ]
    july, _, _ = _july_after_posting(tmp_path, monkeypatch, runner, pending, posted)
    assert july == [("book-p", 1, -20.0), ("cafe-2", 0, -13.0), ("cafe-p", 1, -12.5), ("gym-2", 0, -49.99),
                    ("gym-p", 1, -30.0), ("other", 0, -21.0)]


def test_a_plan_cancelled_while_its_item_is_stale_shows_cancelled(two_items, runner):
    # twenty-second session: Hulu cancelled in August while Amex needed a new login showed
    # "active" until Amex's data came in again: its plans are judged as of the last sync, and a
    # cancellation dated after that day was not applied yet
    from detector.cli import cli

    _, db, _, amex = two_items
    assert _nightly(runner, db, "2025-07-01").exit_code == 0
    amex.login_required = True
    cancel = runner.invoke(cli, ["cancel", "--db", str(db), "--account", "amex-cc", "--merchant", "Hulu",
                                 "--on", "2025-08-10"])
    assert cancel.exit_code == 0, cancel.output
    assert _nightly(runner, db, "2025-09-25").exit_code == 1
    streams = _streams(db)
    assert streams["Hulu"][0] == "cancelled", streams["Hulu"]
    assert "last synced" in streams["Hulu"][1]
    assert streams["The New York Times"][0] == "active"
    doc = json.loads((db.parent / "reports" / "2025-09-25.json").read_text())
    assert {s["merchant"]: s["status"] for s in doc["streams"]}["Hulu"] == "cancelled"
    out = json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout)
    assert {s["merchant"]: s["status"] for s in out["streams"]}["Hulu"] == "cancelled"
    # a cancellation dated after the run's own date is not applied yet
    cancel = runner.invoke(cli, ["cancel", "--db", str(db), "--account", "amex-cc", "--merchant",
                                 "The New York Times", "--on", "2025-10-15"])
    assert cancel.exit_code == 0, cancel.output
    assert _nightly(runner, db, "2025-09-26").exit_code == 1
    assert _streams(db)["The New York Times"][0] == "active"
