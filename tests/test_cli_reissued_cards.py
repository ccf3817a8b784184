"""A card lost, stolen or reissued under a new number (round-54 audit), through the real CLI on
real SQLite files: the new number makes a new account (Capital One's ``Card No.``, Amex's
``Account #``, a Chase file named by the card), and every plan ended on the old card and started
over on the new one. `subdetect accounts link OLD NEW` reads the two as one account's history;
scans suggest the link from the data; the lagging-account note lists plans only and says what a
closed account or a replaced card means."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest
from _statement_files import chase_card, month_dates

from detector.cli import cli

AS_OF = "2025-11-30"


def _capital_one(path, rows) -> str:
    """A Capital One card download: ``(date, card, description, amount)``, amount as money out
    (a payment negative), newest first."""
    lines = ["Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit"]
    for d, card, text, amount in sorted(rows, key=lambda r: r[0], reverse=True):
        debit, credit = (f"{amount:.2f}", "") if amount > 0 else ("", f"{-amount:.2f}")
        kind = "Other" if amount > 0 else "Payment/Credit"
        lines.append(f"{d:%Y-%m-%d},{d + timedelta(days=1):%Y-%m-%d},{card},{text},{kind},{debit},{credit}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _amex(path, rows) -> str:
    """An Amex activity.csv: ``(date, account #, description, amount)``, amount as money out."""
    lines = ["Date,Description,Card Member,Account #,Amount"]
    for d, acct, text, amount in sorted(rows, key=lambda r: r[0], reverse=True):
        lines.append(f"{d:%m/%d/%Y},{text},SAM RIVERA,{acct},{amount:.2f}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _spending(start: date, end: date, seed: int):
    """Groceries, fuel and coffee at sums that vary, on no plan's schedule: ``(date, text, amount)``."""
    out, d, i = [], start, seed
    while d <= end:
        out.append((d, "WHOLEFDS MKT 10234", 38.0 + (i * 29) % 61 + 0.27))
        if i % 3 == 0:
            out.append((d + timedelta(days=2), "SHELL OIL 57444123", 41.0 + (i * 7) % 13 + 0.58))
        if i % 4 != 1:
            out.append((d + timedelta(days=1 + (i * 5) % 4), "STARBUCKS STORE 08321", 4.0 + (i * 3) % 5 + 0.49))
        d += timedelta(days=3 + (i * 7) % 9)
        i += 1
    return out


CAPONE_SWITCH = date(2025, 8, 22)  # card 4821 until the day before, 6630 from it


def _capone_rows(double: bool = False):
    rows = []
    for first, text, amount in [(date(2025, 1, 5), "NETFLIX.COM", 15.49), (date(2025, 1, 12), "SPOTIFY USA", 11.99),
                                (date(2025, 1, 20), "HULU 877-8244858 CA", 17.99),
                                (date(2025, 1, 25), "CAPITAL ONE MOBILE PYMT", -600.00)]:
        for d in month_dates(first, 11):
            if d <= date(2025, 11, 29):
                rows.append((d, "4821" if d < CAPONE_SWITCH else "6630", text, amount))
    for d, text, amount in _spending(date(2025, 1, 2), date(2025, 11, 25), 1):
        rows.append((d, "4821" if d < CAPONE_SWITCH else "6630", text, amount))
    if double:  # the August cycle billed again on the replacement card
        rows.append((date(2025, 8, 23), "6630", "HULU 877-8244858 CA", 17.99))
    return rows


AMEX_SWITCH = date(2025, 10, 12)  # -71003 until the day before, -82005 from it


def _amex_rows():
    rows = []
    for first, text, amount in [(date(2024, 11, 3), "APPLE.COM/BILL 866-712-7753", 2.99),
                                (date(2024, 11, 15), "AUDIBLE*2K4LD0XY1 AMZN.COM/BILL", 14.95),
                                (date(2024, 11, 27), "ADOBE *ADOBE 408-536-6000 CA", 22.99),
                                (date(2024, 11, 26), "ONLINE PAYMENT - THANK YOU", -350.00)]:
        rows += [(d, text, amount) for d in month_dates(first, 13) if d <= date(2025, 11, 29)]
    rows += [(date(2024, 11, 8), "AMAZON PRIME*2K0RT4ZY1 AMZN.COM/BILL", 139.00),
             (date(2025, 11, 8), "AMAZON PRIME*8B1QX7LM2 AMZN.COM/BILL", 139.00)]
    rows += [(d, t, a) for d, t, a in _spending(date(2024, 11, 5), date(2025, 11, 25), 2) if "SHELL" not in t]
    return [(d, "-71003" if d < AMEX_SWITCH else "-82005", t, a) for d, t, a in rows]


def _chase_rows():
    rows = []
    for first, text, amount in [(date(2025, 1, 9), "NYTIMES*NYTDIGITAL 800-698-4637 NY", 25.00),
                                (date(2025, 1, 18), "PELOTON* MEMBERSHIP 866-679-9129", 44.00)]:
        rows += [(d, text, "Shopping", amount) for d in month_dates(first, 11) if d <= date(2025, 11, 29)]
    rows += [(d, t, "Shopping", a) for d, t, a in _spending(date(2025, 1, 3), date(2025, 11, 26), 3)]
    old = [r for r in rows if r[0] <= date(2025, 9, 14)]
    new = [r for r in rows if r[0] >= date(2025, 9, 16)]
    return old, new


def _reissue_files(tmp_path, double: bool = False) -> list[str]:
    old, new = _chase_rows()
    return [_capital_one(tmp_path / "2025-11-30_transaction_download.csv", _capone_rows(double)),
            _amex(tmp_path / "activity.csv", _amex_rows()),
            chase_card(tmp_path / "Chase9753_Activity20250915.CSV", old),
            chase_card(tmp_path / "Chase2281_Activity20251130.CSV", new)]


def _run(runner, *args) -> tuple[str, str]:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def _scan(runner, db, files) -> tuple[dict, str]:
    out, err = _run(runner, "scan", *files, "--db", db, "--as-of", AS_OF, "--format", "json")
    return json.loads(out), err


def _report(runner, db) -> dict:
    return json.loads(_run(runner, "report", "--db", db, "--format", "json")[0])


def _counted(doc) -> dict[str, float]:
    return {s["merchant"]: s["monthly_amount"] for s in doc["streams"] if s["counted"]}


LINKS = [("capital_one-4821", "capital_one-6630"), ("amex-71003", "amex-82005"),
         ("Chase9753_Activity", "Chase2281_Activity")]
PLANS = {"Netflix": 15.49, "Spotify": 11.99, "Hulu": 17.99, "Apple": 2.99, "Audible": 14.95,
         "Adobe Creative Cloud": 22.99, "Amazon Prime": 11.58, "The New York Times": 25.00, "Peloton": 44.00}


@pytest.fixture
def scanned(runner, tmp_path):
    db = tmp_path / "s.db"
    doc, err = _scan(runner, db, _reissue_files(tmp_path))
    return db, doc, err


def test_a_scan_suggests_the_link_once_from_the_data_and_links_nothing(runner, scanned):
    db, doc, err = scanned
    for old, new in LINKS:
        lines = [line for line in err.splitlines() if f"accounts link {old} {new}" in line]
        assert len(lines) == 1, err
        assert f"{old}'s plans continue on {new}" in lines[0] and "reissued card?" in lines[0]
    assert "Add its later statements" not in err and "add its later statements" not in err
    # nothing was linked: the plans are still split, as before the link
    hulu = [s for s in doc["streams"] if s["merchant"] == "Hulu"]
    assert {s["account_id"]: s["status"] for s in hulu} == {"capital_one-4821": "ended", "capital_one-6630": "active"}
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM account_links").fetchone() == (0,)
    # `report` says it too, once a pair
    err = runner.invoke(cli, ["report", "--db", str(db)]).stderr
    assert sum("reissued card?" in line for line in err.splitlines()) == 3


def test_linked_cards_are_one_accounts_history_for_every_later_run(runner, scanned, tmp_path):
    db, before, _ = scanned
    old_ids = {s["merchant"]: s["stream_id"] for s in before["streams"] if s["account_id"] == "capital_one-4821"}
    for old, new in LINKS:
        out, _ = _run(runner, "accounts", "link", old, new, "--db", db)
        assert f"{new} continues {old}: linked" in out
    doc = _report(runner, db)
    assert _counted(doc) == PLANS
    assert round(sum(PLANS.values()), 2) == 166.98
    live = {s["merchant"]: s for s in doc["streams"] if s["counted"]}
    assert {s["status"] for s in live.values()} == {"active"}
    # each stream shows the card it bills now; a plan keeps the id it had on the old card
    assert live["Hulu"]["account_id"] == "capital_one-6630" and live["Hulu"]["next_date"] == "2025-12-20"
    assert live["Hulu"]["stream_id"] == old_ids["Hulu"] and live["Netflix"]["stream_id"] == old_ids["Netflix"]
    assert live["Amazon Prime"]["account_id"] == "amex-82005" and live["Amazon Prime"]["next_date"] == "2026-11-08"
    # Prime's renewal across the reissue is flagged, on the card it was charged to, and asked back
    renewal = [f for f in doc["flags"] if f["type"] == "annual_renewal" and f["date"] == "2025-11-08"]
    assert len(renewal) == 1 and renewal[0]["account_id"] == "amex-82005"
    assert [r["account_id"] for r in doc["refund_requests"] if r["transaction_id"] == renewal[0]["transaction_id"]] \
        == ["amex-82005"]
    assert not [f for f in doc["flags"] if f["type"] in ("duplicate_charge", "price_increase",
                                                         "charge_after_cancellation")]
    # the rows keep their own account
    rows = json.loads(_run(runner, "transactions", "--db", db, "--account", "capital_one-4821", "--format", "json")[0])
    assert rows and {r["account_id"] for r in rows} == {"capital_one-4821"}
    # a scan, a detect and a report later: the same, and no note of a lagging card
    again, err = _scan(runner, db, _reissue_files(tmp_path))
    assert _counted(again) == PLANS and "newest transaction of account" not in err and "reissued" not in err
    out, err = _run(runner, "detect", "--db", db, "--as-of", AS_OF, "--format", "json")
    assert _counted(json.loads(out)) == PLANS and "newest transaction of account" not in err
    one = json.loads(_run(runner, "detect", "--db", db, "--as-of", AS_OF, "--account", "amex-71003",
                          "--format", "json")[0])
    assert {s["merchant"] for s in one["streams"] if s["counted"]} == {"Apple", "Audible", "Adobe Creative Cloud",
                                                                       "Amazon Prime"}
    assert _counted(_report(runner, db)) == PLANS
    listed = json.loads(_run(runner, "accounts", "list", "--db", db, "--format", "json")[0])
    assert {a["account_id"]: a["continues"] for a in listed if a["continues"]} == {n: o for o, n in LINKS}


def test_link_is_idempotent_and_unlink_detects_the_cards_apart_again(runner, scanned):
    db, _, _ = scanned
    _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db)
    first = _report(runner, db)
    out, _ = _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db)
    assert "already linked" in out
    assert _report(runner, db)["streams"] == first["streams"]
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM account_links").fetchone() == (1,)
    out, _ = _run(runner, "accounts", "unlink", "capital_one-4821", "capital_one-6630", "--db", db)
    assert "no longer continues" in out
    hulu = [s for s in _report(runner, db)["streams"] if s["merchant"] == "Hulu"]
    assert {s["account_id"]: s["status"] for s in hulu} == {"capital_one-4821": "ended", "capital_one-6630": "active"}
    out, _ = _run(runner, "accounts", "unlink", "capital_one-4821", "capital_one-6630", "--db", db)
    assert "nothing to undo" in out


@pytest.mark.parametrize("args, code, says", [
    (["capital_one-4821", "capital_one-9999"], 4, "nothing is stored for account 'capital_one-9999'"),
    (["capital_one-4821", "capital_one-4821"], 1, "two different accounts"),
])
def test_link_refuses_what_cannot_be_one_card(runner, scanned, args, code, says):
    db, _, _ = scanned
    result = runner.invoke(cli, ["accounts", "link", *args, "--db", str(db)])
    assert result.exit_code == code and says in result.output


def test_link_refuses_a_circle_and_a_second_successor(runner, scanned):
    db, _, _ = scanned
    _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db, "--no-detect")
    back = runner.invoke(cli, ["accounts", "link", "capital_one-6630", "capital_one-4821", "--db", str(db)])
    assert back.exit_code == 1 and "already continues" in back.output or "other way round" in back.output
    twice = runner.invoke(cli, ["accounts", "link", "capital_one-4821", "amex-82005", "--db", str(db)])
    assert twice.exit_code == 1 and "already continued by capital_one-6630" in twice.output


def test_a_double_charge_across_the_old_and_new_card_is_flagged_once_linked(runner, tmp_path):
    db = tmp_path / "s.db"
    files = [_capital_one(tmp_path / "2025-11-30_transaction_download.csv", _capone_rows(double=True))]
    doc, err = _scan(runner, db, files)
    assert not [f for f in doc["flags"] if f["type"] == "duplicate_charge"]
    assert "accounts link capital_one-4821 capital_one-6630" in err
    _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db)
    doc = _report(runner, db)
    (dup,) = [f for f in doc["flags"] if f["type"] == "duplicate_charge"]
    assert (dup["date"], dup["amount"], dup["severity"], dup["account_id"]) == \
        ("2025-08-23", 17.99, "high", "capital_one-6630")
    assert [r["transaction_id"] for r in doc["refund_requests"]] == [dup["transaction_id"]]
    (hulu,) = [s for s in doc["streams"] if s["merchant"] == "Hulu"]
    assert (hulu["status"], hulu["next_date"], hulu["monthly_amount"]) == ("active", "2025-12-20", 17.99)


def test_a_cancellation_on_the_old_card_holds_for_the_plan_on_the_new_one(runner, scanned):
    """A decision is the plan's: recorded against the old card, a charge on the new one after it
    is a charge after cancellation."""
    db, _, _ = scanned
    _run(runner, "cancel", "--db", db, "--account", "capital_one-4821", "--merchant", "Spotify", "--on", "2025-10-20")
    _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db)
    doc = _report(runner, db)
    late = [f for f in doc["flags"] if f["type"] == "charge_after_cancellation"]
    assert [(f["merchant"], f["date"], f["account_id"]) for f in late] == [("Spotify", "2025-11-12", "capital_one-6630")]


def _closed_rows():
    rows = []
    for first, text, amount in [(date(2024, 6, 7), "NETFLIX.COM", 15.49),
                                (date(2024, 6, 19), "NYTIMES*NYTDIGITAL 800-698-4637 NY", 25.00),
                                (date(2024, 6, 25), "CAPITAL ONE MOBILE PYMT", -400.00)]:
        rows += [(d, "3307", text, amount) for d in month_dates(first, 12)]
    rows += [(date(2024, 7, 2) + timedelta(days=91 * i), "3307", "DROPBOX*XM3KQ7 DROPBOX.COM", 36.00) for i in range(4)]
    rows += [(date(2025, 3, 14), "3307", "COSTCO WHSE #1234", 65.00)]
    rows += [(d, "3307", t, a) for d, t, a in _spending(date(2024, 6, 3), date(2025, 5, 24), 4)]
    return rows


def test_the_lagging_note_lists_plans_only_and_says_what_a_closed_or_replaced_card_means(runner, tmp_path):
    db = tmp_path / "s.db"
    spotify = [(d, "SPOTIFY USA", "Shopping", 11.99) for d in month_dates(date(2025, 6, 11), 6)]
    files = [_capital_one(tmp_path / "2025-05-31_transaction_download.csv", _closed_rows()),
             chase_card(tmp_path / "Chase6204_Activity20251130.CSV", spotify)]
    doc, err = _scan(runner, db, files)
    (note,) = [line for line in err.splitlines() if "newest transaction of account 'capital_one-3307'" in line]
    due = note.split("due since (")[1].split(")")[0]
    assert [p.rsplit(" ", 1)[0] for p in due.split(", ")] == ["Netflix", "The New York Times", "Dropbox"]
    for other in ("Capital One", "Shell", "Starbucks", "Whole", "Costco"):
        assert other not in due
    assert "was closed" in note and "nothing to do" in note
    assert "subdetect accounts link capital_one-3307 NEW_ACCOUNT" in note
    assert "reissued card?" not in err  # (a Chase card is no Capital One card's new number)
    assert _counted(doc) == {"Spotify": 11.99}


def test_a_store_made_before_links_is_upgraded_and_links_its_cards(runner, tmp_path):
    """Migration 14 adds the links to a store of migration 13, its rows kept."""
    from _old_stores import store_at_version

    from detector.store import MIGRATIONS, Store

    db = tmp_path / "old.db"
    files = [_capital_one(tmp_path / "2025-11-30_transaction_download.csv", _capone_rows())]
    _scan(runner, db, files)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE account_links")
    conn.execute("PRAGMA user_version = 13")
    conn.commit()
    conn.close()
    old = store_at_version(tmp_path / "empty.db", 13)  # (what version 13 made: no links table)
    assert "account_links" not in old.table_names()
    old.close()
    store = Store(db)
    assert store.schema_version == len(MIGRATIONS) >= 14  # (upgraded to the current schema, links and all)
    store.close()
    _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db)
    assert _counted(_report(runner, db)) == {"Netflix": 15.49, "Spotify": 11.99, "Hulu": 17.99}


def test_report_of_either_card_shows_the_plans_and_a_later_cancellation_holds_across_the_link(runner, scanned):
    """`report --account OLD` shows the plans going on on the new card, and a cancellation of
    the plan recorded against the old card after the last run shows in `report` at once, as the
    next run will judge it."""
    db, _, _ = scanned
    _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db)
    for account in ("capital_one-4821", "capital_one-6630"):
        doc = json.loads(_run(runner, "report", "--db", db, "--account", account, "--format", "json")[0])
        assert _counted(doc) == {"Netflix": 15.49, "Spotify": 11.99, "Hulu": 17.99}
    _run(runner, "cancel", "--db", db, "--account", "capital_one-4821", "--merchant", "Netflix", "--on", "2025-11-25")
    (netflix,) = [s for s in _report(runner, db)["streams"] if s["merchant"] == "Netflix"]
    assert (netflix["status"], netflix["account_id"]) == ("cancelled", "capital_one-6630")


def test_the_next_scan_says_a_link_made_without_detecting_is_why_it_detected_the_accounts(runner, scanned, tmp_path):
    # (r55 audit: the note said they were "stored by `ingest`, `plaid sync` or a run stopped before
    # detecting", which none of them was)
    db, _, _ = scanned
    amex = _amex(tmp_path / "activity.csv", _amex_rows())
    _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db, "--no-detect")
    # `report` before the next run says the link is why, not that rows were stored
    _, err = _run(runner, "report", "--db", db, "--format", "json")
    assert ("warning: 2 account(s) are owed a detection (capital_one-4821, capital_one-6630): linked by "
            "`accounts link --no-detect`") in err
    assert "stored by `ingest`" not in err
    _, err = _scan(runner, db, [amex])
    assert ("note: also detected 2 account(s) whose stored transactions no detection had looked at "
            "(capital_one-4821, capital_one-6630: linked by `accounts link --no-detect`") in err
    assert "stored by `ingest`" not in err
    _run(runner, "accounts", "unlink", "capital_one-4821", "capital_one-6630", "--db", db, "--no-detect")
    _run(runner, "ingest", _capital_one(tmp_path / "again.csv", _capone_rows(double=True)), "--db", db)
    _, err = _scan(runner, db, [amex])
    assert ("(capital_one-4821, capital_one-6630: unlinked by `accounts unlink --no-detect` (or one whose detection stopped), not "
            "detected since and stored by `ingest`") in err


def test_the_nightly_summary_says_a_link_made_without_detecting_is_why_it_detected_the_accounts(runner, scanned):
    # (twenty-sixth session's leftover: the summary said their rows "an earlier run or `ingest`
    # stored without detecting them", which neither did)
    db, _, _ = scanned
    _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db, "--no-detect")
    out, _ = _run(runner, "nightly", "--db", db, "--as-of", AS_OF)
    assert ("detect: also 2 account(s) owed a detection: 2 linked by `accounts link --no-detect` (or a link whose "
            "detection stopped), not detected since") in out
    assert "stored without detecting" not in out
    again, _ = _run(runner, "nightly", "--db", db, "--as-of", AS_OF)
    assert "owed a detection" not in again and "stored without detecting" not in again


def test_a_link_detects_again_cards_whose_scan_found_no_plan_yet(runner, tmp_path):
    # (the link read the last detection's date from stored streams only: cards with groceries
    # and fuel alone were "not detected yet", though a scan had detected them as of AS_OF)
    db = tmp_path / "s.db"
    rows = [(d, "4821" if d < CAPONE_SWITCH else "6630", text, amount)
            for d, text, amount in _spending(date(2025, 1, 2), date(2025, 11, 25), 1) if "STARBUCKS" not in text]
    doc, _ = _scan(runner, db, [_capital_one(tmp_path / "2025-11-30_transaction_download.csv", rows)])
    assert doc["streams"] == [], [(s["merchant"], s["frequency"]) for s in doc["streams"]]
    _, err = _run(runner, "accounts", "link", "capital_one-4821", "capital_one-6630", "--db", db)
    assert f"Detected again as of {AS_OF}: 0 active stream(s)" in err
    assert "No run has detected them yet" not in err
