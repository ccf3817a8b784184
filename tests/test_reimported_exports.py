"""One account's exports saved under names that do not say so (round-52 audit).

A user saves two overlapping Monzo exports as "Monzo Jan-Mar 2025.csv" and "Monzo Feb-Apr
2025.csv": the file name's period words are no part of the account, and a bank's own
transaction id (Monzo's ``Transaction ID`` names one transaction of all Monzo's) already stored
under another account of the same layout says whose export a file is.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from detector.cli import cli
from detector.importers.naming import account_from_filename

MONZO_HEADER = ("Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,Local currency,"
                "Notes and #tags,Address,Receipt,Description,Category split,Money Out,Money In\n")
AS_OF = "2025-04-30"


def monzo_rows() -> list[tuple[str, date, str, float, str]]:
    """(Transaction ID, date, name, pounds out, descriptor) of one current account, Jan-Apr 2025:
    council tax, a gym, Netflix and Spotify monthly (Spotify twice on 15 March: a real double
    charge, two transactions), and groceries on no schedule."""
    rows = []
    for m in range(1, 5):
        rows += [(f"tx_00ctax{m:02d}", date(2025, m, 1), "Leeds City Council", 142.00, "COUNCIL TAX LEEDS CC"),
                 (f"tx_00gym{m:02d}", date(2025, m, 1), "PureGym", 24.99, "PUREGYM LTD LEEDS GBR"),
                 (f"tx_00nflx{m:02d}", date(2025, m, 9), "Netflix", 10.99, "NETFLIX.COM 866-579-7172"),
                 (f"tx_00spot{m:02d}", date(2025, m, 15), "Spotify", 11.99, "SPOTIFY P2D4E1 STOCKHOLM")]
    rows.append(("tx_00spot03b", date(2025, 3, 15), "Spotify", 11.99, "SPOTIFY P2D4E1 STOCKHOLM"))
    day = date(2025, 1, 3)
    for k in range(30):
        rows.append((f"tx_00shop{k:02d}", day, "Tesco", 20.0 + (k * 7) % 30 + 0.35, "TESCO STORES 2931 LEEDS GBR"))
        day += timedelta(days=3 + k % 2)
    return rows


def monzo(path, first: date, last: date):
    """A Monzo export of :func:`monzo_rows` from ``first`` to ``last``."""
    lines = [MONZO_HEADER]
    for tx, d, name, out, desc in sorted(monzo_rows(), key=lambda r: (r[1], r[0])):
        if first <= d <= last:
            lines.append(f"{tx},{d:%d/%m/%Y},09:12:44,Card payment,{name},,bills,-{out:.2f},GBP,-{out:.2f},GBP,"
                         f",,,{desc},,{out:.2f},\n")
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


def jan_mar_feb_apr(tmp_path, first_name: str, second_name: str) -> tuple[str, str]:
    return (monzo(tmp_path / first_name, date(2025, 1, 1), date(2025, 3, 31)),
            monzo(tmp_path / second_name, date(2025, 2, 1), date(2025, 4, 30)))


def scan_json(runner, tmp_path, *args):
    res = runner.invoke(cli, ["scan", *args, "--db", str(tmp_path / "s.db"), "--as-of", AS_OF, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout), res.stderr


def spotify_doubles(report) -> list[tuple[str, str]]:
    return [(f["account_id"], f["date"]) for f in report["flags"]
            if f["type"] == "duplicate_charge" and f["merchant"] == "Spotify"]


@pytest.mark.parametrize("name, account", [
    ("Monzo Jan-Mar 2025.csv", "Monzo"), ("Monzo Feb-Apr 2025.csv", "Monzo"),
    ("Barclays Jan to Mar 2025.csv", "Barclays"), ("Barclays January-March 2025.csv", "Barclays"),
    ("Monzo January 2025.csv", "Monzo"), ("Monzo 2025-01.csv", "Monzo"), ("Monzo Q1 2025.csv", "Monzo"),
    ("Monzo 2025-Q1.csv", "Monzo"), ("Monzo 1 Jan - 31 Mar 2025.csv", "Monzo"),
    ("Monzo Jan 1 - Mar 31, 2025.csv", "Monzo"), ("Monzo Dec 2024 - Feb 2025.csv", "Monzo"),
    ("Starling Jan-Mar.csv", "Starling"), ("Monzo_Jan_Mar_2025.csv", "Monzo"),
    ("Monzo Jan\u2013Mar 2025.csv", "Monzo"), ("Monzo 2025-01 to March.csv", "Monzo"),
    # a lone month's name, or a name's own words, stay: they may be the account's (Jan, June, Mar)
    ("Chase Sapphire Mar.csv", "Chase Sapphire Mar"), ("Jan Smith 2025-03.csv", "Jan Smith"),
    ("Mar Azul Savings.csv", "Mar Azul Savings"), ("Q1 2025.csv", "Q1 2025"),
])
def test_a_file_names_period_words_are_no_part_of_its_account(name, account):
    assert account_from_filename(name) == account


def test_two_overlapping_exports_named_by_their_months_are_one_account(runner, tmp_path):
    # Round-52 audit: "Monzo Jan" and "Monzo Feb", every shared row stored twice, one double
    # charge flagged twice with two refund requests
    first, second = jan_mar_feb_apr(tmp_path, "Monzo Jan-Mar 2025.csv", "Monzo Feb-Apr 2025.csv")
    report, _ = scan_json(runner, tmp_path, first, second)
    assert {s["account_id"] for s in report["streams"]} == {"Monzo"}
    assert spotify_doubles(report) == [("Monzo", "2025-03-15")]
    assert len([r for r in report["refund_requests"] if r["flag_type"] == "duplicate_charge"]) == 1


def test_an_export_whose_bank_ids_another_account_holds_is_that_accounts(runner, tmp_path):
    # Names that give two accounts whatever the rule (renamed by hand): Monzo's own Transaction
    # IDs, 26 of them already stored under the first file's account, say whose export the second
    # is. Before, they were stored again under x_ ids without a word: one double charge flagged
    # in each account, two refund requests.
    first, second = jan_mar_feb_apr(tmp_path, "monzo export.csv", "current account.csv")
    report, err = scan_json(runner, tmp_path, first, second)
    assert {s["account_id"] for s in report["streams"]} == {"monzo export"}
    assert spotify_doubles(report) == [("monzo export", "2025-03-15")]
    assert len([r for r in report["refund_requests"] if r["flag_type"] == "duplicate_charge"]) == 1
    said = " ".join(err.split())
    assert ("26 of this file's 34 row(s) carry the bank's own transaction ids already stored under account "
            "'monzo export'") in said
    assert "not under 'current account' as its file name gives" in said
    # the same again: nothing more is stored, under either name
    again = runner.invoke(cli, ["ingest", second, "--db", str(tmp_path / "s.db"), "--output", "json"])
    assert again.exit_code == 0, again.output
    [f] = json.loads(again.stdout)["files"]
    assert (f["account_id"], f["stored"], f["duplicates"]) == ("monzo export", 0, 34)


def test_an_export_given_another_account_says_its_ids_are_stored_under_the_first(runner, tmp_path):
    # --account decides, but not silently: the rows whose bank ids the other account holds are
    # named, with both accounts and how to make them one
    first, second = jan_mar_feb_apr(tmp_path, "monzo export.csv", "current account.csv")
    scan_json(runner, tmp_path, first)
    report, err = scan_json(runner, tmp_path, second, "--account", "joint")
    assert {s["account_id"] for s in report["streams"]} == {"joint"}
    said = " ".join(err.split())
    assert ("26 row(s) carry bank transaction ids already stored under account 'monzo export': they are stored "
            "again, for account 'joint'") in said
    assert "scan this file with --account 'monzo export'" in said
