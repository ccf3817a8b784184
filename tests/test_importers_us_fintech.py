"""US card, bank and wallet exports read by their own layouts (round-forty audit).

The statements under tests/data/us_fintech are the audit's invented data (one person's life:
eight plans, four flags, 117.52 USD a month), in the layouts public parsers of these exports read.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from detector.cli import cli
from detector.importers import read_statement

DATA = Path(__file__).resolve().parent / "data" / "us_fintech"
APPLE = DATA / "Apple Card Transactions - November 2025.csv"
PLANS = {"Adobe Creative Cloud", "Amazon Prime", "Apple", "ChatGPT Plus", "Disney+", "Hulu", "Netflix", "Spotify"}


def scan(runner, tmp_path, *args, db=None):
    result = runner.invoke(cli, ["scan", *map(str, args), "--db", str(db or tmp_path / "s.db"),
                                 "--as-of", "2025-12-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def counted(doc) -> dict[str, float]:
    return {s["merchant"]: s["monthly_amount"] for s in doc["streams"] if s.get("counted")}


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_each_export_is_recognised_and_read_both_ways(engine):
    want = {APPLE: ("apple_card", 518, 0), DATA / "VenmoStatement_2025_01.csv": ("venmo", 3, 0),
            DATA / "cash_app_report_1764600000000.csv": ("cash_app", 535, 0),
            DATA / "Checking_XXX567_Transactions_20251201-091512.csv": ("schwab_checking", 588, 3),
            DATA / "bk_download_2025-10-15.csv": ("usaa", 528, 4), DATA / "Download.CSV": ("paypal", 188, 54)}
    for path, (layout, stored, rejected) in want.items():
        st = read_statement(path, engine=engine)
        assert (st.format, len(st.transactions), len(st.rejected)) == (layout, stored, rejected), path.name


def test_apple_card_purchases_are_money_out_and_its_payments_no_plan(runner, tmp_path):
    # read with the suggested mapping every plan was money in and the card's payments a counted
    # 1,294.26 a month "plan": 0 flags, 0 refund requests
    doc, _ = scan(runner, tmp_path, APPLE)
    assert counted(doc).keys() == PLANS
    assert round(sum(counted(doc).values()), 2) == 117.52
    assert {s["direction"] for s in doc["streams"]} == {"outflow"}
    assert Counter(f["type"] for f in doc["flags"]) == Counter(
        {"annual_renewal": 2, "duplicate_charge": 1, "trial_conversion": 1, "price_increase": 1})
    st = read_statement(APPLE)
    payments = st.transactions[st.transactions["description"].str.startswith("Own transfer: ACH DEPOSIT")]
    assert len(payments) == 16 and (payments["amount"] > 0).all()


def test_venmo_statements_skip_their_balance_lines_and_name_the_counterparty(runner, tmp_path):
    files = sorted(DATA.glob("VenmoStatement_*.csv"))
    doc, err = scan(runner, tmp_path, *files)
    assert "rejected" not in err  # the beginning and ending balance lines are no rejects
    st = read_statement(files[0])
    assert st.rejected == [] and st.account_id == "VenmoStatement"
    assert list(st.transactions["description"]) == ["Sam Patel", "Ana Reyes", "Grubhub"]
    assert list(st.transactions["amount"]) == [-62.5, 6.0, -21.93]
    assert {s["account_id"] for s in doc["streams"]} <= {"VenmoStatement"}


def test_cash_app_reads_zoned_dates_and_names_card_merchants_from_the_notes(runner, tmp_path):
    # "2025-11-29 15:54:58 EST" / "... EDT": no --columns could read them; the card rows name
    # their merchant in Notes only (every card plan was "Unknown")
    doc, _ = scan(runner, tmp_path, DATA / "cash_app_report_1764600000000.csv")
    plans = counted(doc)
    assert plans.keys() == PLANS | {"Sam Patel"}
    assert {f["type"] for f in doc["flags"]} == {"annual_renewal", "duplicate_charge", "trial_conversion",
                                                      "price_increase"}
    # money added from the holder's bank is their own money: never a stream
    assert not [s for s in doc["streams"] if "Deposit" in s["merchant"] or "Own" in s["merchant"]]


def test_paypal_keeps_completed_money_rows_only_and_counts_each_plan_once(runner, tmp_path):
    st = read_statement(DATA / "Download.CSV")
    reasons = Counter(r["reason"].split(":")[0] for r in st.rejected)
    assert reasons == {"Balance Impact Memo": 54}  # 18 authorisations, 18 holds, 18 reversals
    assert st.account_id == "paypal-jordan.reyes@example.com"
    doc, err = scan(runner, tmp_path, DATA / "Download.CSV")
    assert "Balance Impact Memo: not a transaction" in err
    assert counted(doc) == {"Netflix": 17.99, "Spotify": 11.99, "ProtonVPN": 4.99}
    assert [f["type"] for f in doc["flags"]] == ["price_increase"]
    # the USD leg of a euro payment's conversion and the card's deposits are own money
    assert len(doc["streams"]) == 3


def test_usaa_reads_the_descriptor_and_rejects_pending_rows(runner, tmp_path):
    st = read_statement(DATA / "bk_download_2025-10-15.csv")
    assert [r["reason"] for r in st.rejected] == ["state Pending: not a completed transaction "
                                                  "(re-import once it completes)"] * 4
    assert "TRANSFER TO SAVINGS XXXXXX4321" in set(st.transactions["description"])


def test_usaa_rows_pending_in_one_export_and_posted_in_the_next_are_stored_once(runner, tmp_path):
    # Netflix pending on 10-14 in the October export posted on 10-15 in November's: stored from
    # both, it was a duplicate charge with a refund request (round-forty audit)
    doc, _ = scan(runner, tmp_path, DATA / "bk_download_2025-10-15.csv", DATA / "bk_download_2025-11-30.csv",
                  "--account", "usaa-checking")
    assert [f for f in doc["flags"] if f["type"] == "duplicate_charge"
            and f["merchant"] != "Hulu"] == []
    netflix = next(s for s in doc["streams"] if s["merchant"] == "Netflix")
    assert len(netflix["transaction_ids"]) == 16
    assert "Transfer" not in counted(doc)  # the savings transfer is own money, not a 300.00 plan
    assert round(sum(counted(doc).values()), 2) == 2235.42


def test_two_schwab_downloads_of_one_account_are_one_account(runner, tmp_path):
    # Schwab names each download Checking_XXX567_Transactions_<date>-<hhmmss>.csv: the time kept
    # in the account's name made two accounts, every plan, flag and refund request twice
    first = DATA / "Checking_XXX567_Transactions_20251201-091512.csv"
    second = DATA / "schwab_second" / "Checking_XXX567_Transactions_20251215-174003.csv"
    doc, _ = scan(runner, tmp_path, first, second)
    assert {s["account_id"] for s in doc["streams"]} == {"Checking_XXX567_Transactions"}
    assert [s["merchant"] for s in doc["streams"]].count("Netflix") == 1
    assert sum(f["type"] == "duplicate_charge" for f in doc["flags"]) == 1  # Hulu's own, once


def test_a_plan_paid_through_paypal_from_a_card_is_counted_once(runner, tmp_path):
    # The card's "PAYPAL *NETFLIX.COM" charge and PayPal's Netflix payment are the same money: the
    # card's charge pairs with PayPal's General Card Deposit of it. Before, Spotify and Netflix
    # were counted twice, Proton three times, with two Netflix price increases and two refund
    # requests for the same 2.50 (round-forty audit).
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(DATA / "Download.CSV"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    scan(runner, tmp_path, DATA / "Chase4821_Activity20251201.CSV", db=db)
    result = runner.invoke(cli, ["detect", "--db", str(db), "--as-of", "2025-12-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    plans = Counter(s["merchant"] for s in doc["streams"] if s.get("counted"))
    assert plans["Netflix"] == plans["Spotify"] == plans["ProtonVPN"] == 1
    card = [s for s in doc["streams"] if s["account_id"] == "Chase4821_Activity"
            and s["merchant"] in ("Netflix", "Spotify", "ProtonVPN")]
    assert len(card) == 3 and {s["not_counted_reason"] for s in card} == {"own_transfer"}
    assert [f["merchant"] for f in doc["flags"] if f["type"] == "price_increase"] == ["Netflix"]
    assert sum(r["merchant"] == "Netflix" for r in doc["refund_requests"]) == 1
    totals = Counter()
    for s in doc["streams"]:
        if s.get("counted"):
            totals[s["currency"]] += s["monthly_amount"]
    assert round(totals["USD"], 2) == 117.52 and round(totals["EUR"], 2) == 4.99


def suggested(runner, tmp_path, path) -> list[str]:
    """The ``--columns`` suggestion of the error for a file no layout claims, as shell words."""
    import re
    import shlex

    result = runner.invoke(cli, ["ingest", str(path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code != 0
    text = " ".join(result.output.split())
    m = re.search(r"e\.g\. (--columns (?:\"[^\"]*\"|'[^']*'))", text)
    assert m, text
    assert "sign=-1" in text.split("(optional:")[1]  # the optional keys name sign=
    return shlex.split(m.group(1))


def test_the_suggestion_turns_the_sign_of_a_card_writing_purchases_positive(runner, tmp_path):
    # a card export no layout knows, purchases positive, the few negative lines payments/credits
    lines = ["Trans Date,Details,Amount (USD),Kind"]
    for m in range(1, 13):
        lines += [f"{m:02d}/03/2025,NETFLIX.COM 866-579-7172 CA,17.99,Purchase",
                  f"{m:02d}/09/2025,STARBUCKS STORE 05412,{4 + m / 10:.2f},Purchase",
                  f"{m:02d}/25/2025,PAYMENT THANK YOU,-60.00,Payment"]
    path = tmp_path / "card.csv"
    path.write_text("\n".join(lines) + "\n")
    words = suggested(runner, tmp_path, path)
    assert "sign=-1" in words[1]
    st = read_statement(path, columns=words[1])
    netflix = st.transactions[st.transactions["description"].str.startswith("NETFLIX")]
    assert (netflix["amount"] == -17.99).all()


def test_the_suggestion_reads_datetimes_and_never_writes_a_placeholder(runner, tmp_path):
    lines = [",ID,Datetime,Type,Status,Note,From,To,Amount (total)"]
    lines += [f",41{m:04d},2025-{m:02d}-02T18:43:08,Payment,Complete,wifi + power,Jordan Reyes,Sam Patel,- $62.50"
              for m in range(1, 13)]
    lines += [",419999,2025-03-05T10:00:00,Merchant Transaction,Complete,,Jordan Reyes,Grubhub,- $21.93"]
    path = tmp_path / "wallet.csv"
    path.write_text("\n".join(lines) + "\n")
    words = suggested(runner, tmp_path, path)
    assert "<" not in words[1] and "date_format=%Y-%m-%dT%H:%M:%S" in words[1]
    st = read_statement(path, columns=words[1])
    assert st.rejected == [] and len(st.transactions) == 13


def test_the_suggestion_prefers_the_payee_to_a_memo_and_never_an_empty_amount(runner, tmp_path):
    # U.S. Bank's Memo is "Download from usbank.com. NETFLIX.COM ...": 11 of 12 plans lost their vendor
    words = suggested(runner, tmp_path, DATA / "Checking - 8830_12-01-2025.csv")
    assert "description=Name" in words[1]
    # PayPal's download without its layout's columns: Shipping and Handling Amount is empty on
    # every row (all 242 rejected) and Reference Txn ID an id, not a purpose
    text = (DATA / "Download.CSV").read_text(encoding="utf-8-sig").replace('"TimeZone",', '"Zone",')
    path = tmp_path / "paypal_other.csv"
    path.write_text(text)
    words = suggested(runner, tmp_path, path)
    assert "amount=Gross" in words[1] and "Reference Txn ID" not in words[1]


def test_the_suggestion_reads_the_original_descriptor_before_a_cleaned_name(runner, tmp_path):
    # round-forty audit: USAA's cleaned Description was suggested over its Original Description:
    # "TRANSFER TO SAVINGS" became "Transfer", a counted 300.00 a month plan, and a pending charge
    # and its posting went unmatched. A USAA-shaped file its layout does not read (no Status):
    rows = (DATA / "bk_download_2025-10-15.csv").read_text().splitlines()
    for header in ("Original Description", "Original description"):
        path = tmp_path / "usaa_export.csv"
        path.write_text("\n".join([f"Date,Description,{header},Category,Amount"]
                                  + [",".join(r.split(",")[:5]) for r in rows[1:]]) + "\n")
        words = suggested(runner, tmp_path, path)
        mapping = dict(w.split("=", 1) for w in words[1].split(","))
        assert mapping["description"] == header
        st = read_statement(path, columns=words[1])
        assert "TRANSFER TO SAVINGS XXXXXX4321" in set(st.transactions["description"])
    # a cleaned name is still taken where no row fills the original one
    path = tmp_path / "cleaned.csv"
    path.write_text("Date,Description,Original Description,Amount\n" + "".join(
        f"2025-{m:02d}-03,Netflix,,-17.99\n" for m in range(1, 7)))
    mapping = dict(w.split("=", 1) for w in suggested(runner, tmp_path, path)[1].split(","))
    assert mapping["description"] == "Description"
