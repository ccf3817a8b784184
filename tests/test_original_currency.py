"""A charge's amount as the merchant billed it, in its own currency (round-thirty-nine audit).

Monzo's Local amount / Local currency, Wise's Exchange To Amount, Amex's "Foreign Spend Amount"
and an OFX ``<ORIGCURRENCY>`` are kept as the row's ``original_amount`` / ``original_currency``;
a plan priced in dollars on a pound card is judged at its dollar price (no price rise when only
the pound moved, a rise when the dollar price did), and its double charge at that price is one.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from _old_stores import store_at_version

from detector.cli import cli
from detector.importers import read_statement
from detector.store import MIGRATIONS, Store

MONZO_HEADER = ("Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,Local currency,"
                "Notes and #tags,Address,Receipt,Description,Category split,Money Out,Money In\n")

#: Dollars a pound bought on the 3rd of each month, Jan 2022 - Mar 2023 (rounded; the pound fell
#: to 1.12 in the autumn and came back).
POUND = [1.352, 1.355, 1.335, 1.311, 1.251, 1.250, 1.211, 1.215, 1.155, 1.130, 1.115, 1.230, 1.205, 1.220, 1.195]


def monzo(path, plan_rows, descriptor="MEDIUM.COM", local=True):
    """A Monzo export: a council tax direct debit, groceries, and a plan billed ``plan_rows``
    (date, pounds, dollars); ``local=False`` writes the pound amounts in the Local columns too
    (an export that does not say the plan's own currency)."""
    lines = [MONZO_HEADER]
    months: set[str] = set()
    for i, (day, gbp, usd) in enumerate(plan_rows):
        month = day[3:]
        if month not in months:  # the month's other rows, once
            months.add(month)
            lines.append(f"tx_ctax{i:04d},01/{month},08:00:01,Direct Debit,Council,,bills,-152.00,GBP,-152.00,GBP,"
                         ",,,COUNCIL TAX CAMDEN,,152.00,\n")
            lines.append(f"tx_shop{i:04d},06/{month},13:00:00,Card payment,Tesco,,groceries,-{9 + i % 4}.65,GBP,"
                         f"-{9 + i % 4}.65,GBP,,,,TESCO STORES 2931 LONDON GBR,,{9 + i % 4}.65,\n")
        amount, cur = (f"-{usd:.2f}", "USD") if local else (f"-{gbp:.2f}", "GBP")
        lines.append(f"tx_plan{i:04d},{day},09:12:44,Card payment,Medium,,entertainment,-{gbp:.2f},GBP,{amount},{cur},"
                     f",,,{descriptor},,{gbp:.2f},\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def plan(dollars):
    """(dd/mm/yyyy, pounds, dollars) of a monthly plan on the 3rd, Jan 2022 on, at ``dollars`` a month
    (a number or one per month), each charged at the month's rate."""
    prices = dollars if isinstance(dollars, list) else [dollars] * len(POUND)
    out = []
    for i, (rate, usd) in enumerate(zip(POUND, prices, strict=False)):
        year, month = 2022 + i // 12, i % 12 + 1
        out.append((f"03/{month:02d}/{year}", round(usd / rate, 2), usd))
    return out


def scan_json(runner, tmp_path, path, as_of="2023-03-31"):
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", str(path), "--db", str(db), "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), db


# -- importers --------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_monzo_keeps_the_local_amount_of_a_charge_in_another_currency(tmp_path, engine):
    path = monzo(tmp_path / "MonzoDataExport.csv", plan(10.00)[:3])
    df = read_statement(path, engine=engine).transactions
    medium = df[df["description"] == "MEDIUM.COM"]
    assert medium["original_amount"].tolist() == [-10.0, -10.0, -10.0]
    assert medium["original_currency"].tolist() == ["USD"] * 3
    assert medium["currency"].tolist() == ["GBP"] * 3 and medium["amount"].tolist() == [-7.40, -7.38, -7.49]
    others = df[df["description"] != "MEDIUM.COM"]  # a pound payment repeats its amount there: none kept
    assert others["original_amount"].isna().all() and others["original_currency"].isna().all()


def test_both_readers_give_the_same_original_amounts(tmp_path):
    # a file big enough for the columns reader, with a line it hands to the row reader (a bad date)
    rows = plan([10.00 + (i % 3) for i in range(15)]) * 40
    path = monzo(tmp_path / "MonzoDataExport.csv", rows)
    text = path.read_text().splitlines(keepends=True)
    text.insert(5, "tx_bad,31/13/2022,09:00:00,Card payment,Medium,,entertainment,-8.00,GBP,-10.00,USD,,,,MEDIUM.COM,,8.00,\n")
    path.write_text("".join(text))
    rows_read = read_statement(path, engine="rows")
    cols_read = read_statement(path, engine="columns")
    assert len(rows_read.rejected) == 1
    pd.testing.assert_frame_equal(cols_read.transactions, rows_read.transactions, check_exact=True)
    assert set(cols_read.transactions["original_amount"].dropna()) == {-10.0, -11.0, -12.0}


def test_wise_keeps_a_card_payments_exchange_to_amount_not_a_conversions(tmp_path):
    path = tmp_path / "statement_31415926_GBP_2024-07-01_2025-06-30.csv"
    path.write_text(
        '"TransferWise ID",Date,Amount,Currency,Description,"Payment Reference","Running Balance","Exchange From",'
        '"Exchange To","Exchange Rate","Payer Name","Payee Name","Payee Account Number",Merchant,'
        '"Card Last Four Digits","Card Holder Full Name",Attachment,Note,"Total fees","Exchange To Amount"\n'
        'CARD-1,03-02-2025,-8.05,GBP,"Card transaction of 10.00 USD issued by Medium SAN FRANCISCO",,991.95,GBP,USD,'
        '1.2453,,,,"Medium SAN FRANCISCO",4821,"ALEX MORGAN",,,0.02,10.00\n'
        'BALANCE-2,04-02-2025,-100.00,GBP,"Converted 100.00 GBP to 116.47 EUR",,891.95,GBP,EUR,1.17,,,,,,,,,0.45,116.47\n'
        'CARD-3,05-02-2025,-4.20,GBP,"Card transaction of 4.20 GBP issued by Pret London",,887.75,,,,,,,'
        '"Pret London",4821,"ALEX MORGAN",,,0.00,\n')
    for engine in ("rows", "columns"):
        df = read_statement(path, engine=engine).transactions
        assert df["original_amount"].tolist()[0] == -10.0 and df["original_currency"].tolist()[0] == "USD"
        assert df["original_amount"].iloc[1:].isna().all()


def test_amex_uk_keeps_a_foreign_spend_amount(tmp_path):
    path = tmp_path / "activity.csv"
    path.write_text(
        "Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,Town/City,Postcode,Country,"
        "Reference,Category\n"
        '03/02/2025,MEDIUM.COM SAN FRANCISCO,8.07,"Foreign Spend Amount: 10.00 UNITED STATES DOLLAR Commission '
        'Amount: 0.24 Currency Exchange Rate: 1.2392",MEDIUM.COM,"548 MARKET ST",SAN FRANCISCO,94104,UNITED STATES,'
        "'AT250340012000010394832',Entertainment-Other\n"
        "05/02/2025,PRET A MANGER,4.20,,PRET A MANGER,,LONDON,EC1,UNITED KINGDOM,'AT250360012000010394833',"
        "Restaurant-Restaurant\n")
    st = read_statement(path)
    assert st.format == "amex_uk"
    df = st.transactions
    assert df[["amount", "currency", "original_amount", "original_currency"]].iloc[0].tolist() == [
        -8.07, "GBP", -10.0, "USD"]
    assert pd.isna(df["original_amount"].iloc[1])


def test_an_ofx_origcurrency_gives_the_amount_it_was_converted_from(tmp_path):
    from tests.test_importers_ofx import CLOSE, HEADER, OPEN

    orig = "<ORIGCURRENCY><CURRATE>0.8050<CURSYM>USD</ORIGCURRENCY>"
    text = (HEADER + OPEN.format(acct="4111000011112222")
            + f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250203<TRNAMT>-8.05<FITID>A1<NAME>MEDIUM.COM{orig}</STMTTRN>\n"
            + "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250204<TRNAMT>-5.00<FITID>A2<NAME>STARBUCKS</STMTTRN>\n" + CLOSE)
    path = tmp_path / "card.qfx"
    path.write_text(text.replace("<CURDEF>USD", "<CURDEF>GBP"))
    df = read_statement(path).transactions
    assert df[["currency", "original_amount", "original_currency"]].values.tolist()[0] == ["GBP", -10.0, "USD"]
    assert pd.isna(df["original_amount"].iloc[1])


def test_a_database_of_an_older_version_gains_the_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    db = store_at_version(path, 6)
    db["transactions"].insert({"transaction_id": "old1", "account_id": "a", "date": "2024-01-03", "amount": -7.4,
                               "currency": "GBP", "description": "MEDIUM.COM", "source": "monzo",
                               "source_file": "m.csv", "source_line": 2, "id_from_bank": 1})
    db.conn.commit()
    db.close()
    s = Store(path)
    assert s.schema_version == len(MIGRATIONS)
    got = s.transactions()
    assert got["transaction_id"].tolist() == ["old1"] and got["original_amount"].isna().all()
    # a frame without the columns (Plaid's) is stored with none
    s.add_transactions(got.drop(columns=["original_amount", "original_currency"]).assign(transaction_id="p1"))
    assert len(s.transactions()) == 2
    # and a statement that has them keeps them
    s.add_transactions(read_statement(monzo(tmp_path / "MonzoDataExport.csv", plan(10.00)[:2])).transactions)
    kept = s.transactions().dropna(subset=["original_amount"])
    assert kept[["original_amount", "original_currency"]].values.tolist() == [[-10.0, "USD"], [-10.0, "USD"]]


# -- price_increase ---------------------------------------------------------------------------


def _rises(doc):
    return [f for f in doc["flags"] if f["type"] == "price_increase"]


@pytest.mark.parametrize("descriptor", ["MEDIUM.COM", "MEDIUM.COM SAN FRANCISCO CA", "MEDIUM.COM SAN FRANCISCO USA"])
def test_a_steady_dollar_price_on_a_pound_card_is_no_price_increase(runner, tmp_path, descriptor):
    # the pound fell from 1.35 to 1.12 dollars: the plan's 10.00 USD cost 7.40, then 8.97 pounds
    doc, _ = scan_json(runner, tmp_path, monzo(tmp_path / "MonzoDataExport.csv", plan(10.00), descriptor))
    assert _rises(doc) == [] and doc["refund_requests"] == []
    assert [s["currency"] for s in doc["streams"] if s["merchant"] == "Medium"] == ["GBP"]


def test_a_us_state_ending_on_a_pound_card_is_billing_in_dollars(runner, tmp_path):
    # the export's Local columns say pounds (as a bank without them would): the descriptor's
    # "SAN FRANCISCO CA" tells the plan is billed in dollars, as "USA" does
    path = monzo(tmp_path / "MonzoDataExport.csv", plan(10.00), "MEDIUM.COM SAN FRANCISCO CA", local=False)
    doc, _ = scan_json(runner, tmp_path, path)
    assert _rises(doc) == []


def test_a_rise_of_the_dollar_price_is_a_price_increase_asked_in_pounds(runner, tmp_path):
    prices = [10.00] * 8 + [12.00] * 7  # 10.00 USD to 12.00 USD in September 2022, the pound falling
    doc, db = scan_json(runner, tmp_path, monzo(tmp_path / "MonzoDataExport.csv", plan(prices)))
    [rise] = _rises(doc)
    assert rise["date"] == "2022-09-03" and rise["amount"] == round(12.00 / POUND[8], 2)  # 10.39 pounds charged
    assert rise["reason"].startswith("Medium charged 10.39 on 2022-09-03 (12.00 USD), up 20% from 10.00 USD")
    [req] = doc["refund_requests"]
    # the rise's share of the pounds charged: 10.39 less what 10.00 USD was of it
    assert req["amount"] == round(10.39 - round(10.39 * 10 / 12, 2), 2)
    email = json.loads(runner.invoke(cli, ["refunds", "show", "--db", str(db), req["request_id"], "--format",
                                           "json"]).stdout)["email"]["body"]
    assert "the price went from $10.00 to $12.00" in email and f"£{req['amount']:.2f}" in email
    assert "£10.39" in email


def test_a_plan_known_in_its_own_currency_for_part_of_its_charges_is_judged_as_before(runner, tmp_path):
    # an older export without the Local columns' dollar amounts, then a newer one with them: the
    # chain is judged in pounds, as a plan billed from abroad ("... USA"), and no rate move is a rise
    rows = plan(10.00)
    old = monzo(tmp_path / "MonzoDataExport_2022.csv", rows[:8], "MEDIUM.COM SAN FRANCISCO USA", local=False)
    new = monzo(tmp_path / "MonzoDataExport_2023.csv", rows[8:], "MEDIUM.COM SAN FRANCISCO USA")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", str(old), str(new), "--db", str(db), "--account", "monzo",
                                 "--as-of", "2023-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert _rises(json.loads(result.stdout)) == []


# -- duplicate_charge -------------------------------------------------------------------------


def _double_charged(path, local=True):
    """ChatGPT Plus at 20.00 USD a month on a pound card, charged twice in March 2025 (15.50 and
    15.48 pounds two days apart) while the pound moved 2% or more a month."""
    rates = [1.281, 1.290, 1.330, 1.310, 1.270, 1.260, 1.230, 1.250, 1.290, 1.320, 1.330, 1.360]
    rows = []
    for i, rate in enumerate(rates):
        year, month = 2024 + (i + 6) // 12, (i + 6) % 12 + 1
        rows.append((f"14/{month:02d}/{year}", 15.50 if (year, month) == (2025, 3) else round(20 / rate, 2), 20.0))
        if (year, month) == (2025, 3):
            rows.append(("16/03/2025", 15.48, 20.0))
    return monzo(path, rows, "OPENAI *CHATGPT SUBSCR SAN FRANCISCO USA", local=local)


@pytest.mark.parametrize("local", [True, False])
def test_a_double_charge_of_a_dollar_plan_on_a_pound_card_is_flagged(runner, tmp_path, local):
    # with the Local amounts both are 20.00 USD; without them, a plan billed in dollars moves with
    # the rate in the two days between, 0.13% here
    doc, _ = scan_json(runner, tmp_path, _double_charged(tmp_path / "MonzoDataExport.csv", local), "2025-06-30")
    [dup] = [f for f in doc["flags"] if f["type"] == "duplicate_charge"]
    assert (dup["date"], dup["amount"], dup["severity"]) == ("2025-03-16", 15.48, "high")
    assert "2 days after a charge of 15.50 on 2025-03-14" in dup["reason"]
    assert ("(both 20.00 USD)" in dup["reason"]) is local
    [req] = [r for r in doc["refund_requests"] if r["transaction_id"] == dup["transaction_id"]]
    assert req["amount"] == 15.48 and "£15.48" in req["email"]["body"]


def test_two_charges_of_different_dollar_prices_are_no_double_charge(runner, tmp_path):
    # the second charge's pounds are within the rate's move of the first, but the Local amounts
    # say 20.00 and 19.50 USD: two prices, not one billed twice
    path = _double_charged(tmp_path / "MonzoDataExport.csv")
    path.write_text(path.read_text().replace("-15.48,GBP,-20.00,USD", "-15.48,GBP,-19.50,USD"))
    doc, _ = scan_json(runner, tmp_path, path, "2025-06-30")
    assert [f for f in doc["flags"] if f["type"] == "duplicate_charge"] == []


# -- engines ----------------------------------------------------------------------------------


def exported_and_scanned(runner, tmp_path):
    """The double-charge statement scanned into a database, and its stored rows exported as a
    canonical CSV (with their original amounts) for the engines."""
    doc, db = scan_json(runner, tmp_path, _double_charged(tmp_path / "MonzoDataExport.csv"), "2025-06-30")
    out = runner.invoke(cli, ["transactions", "--db", str(db), "--format", "csv"])
    assert out.exit_code == 0, out.output
    path = tmp_path / "tx.csv"
    path.write_text(out.stdout + "\n")
    assert "original_amount" in out.stdout.splitlines()[0]
    return path, doc


@pytest.mark.parametrize("engine", ["local", "chunked"])
def test_the_engines_judge_original_amounts_as_scan_does(runner, tmp_path, engine):
    from detector import engines

    path, doc = exported_and_scanned(runner, tmp_path)
    _, flags = engines.run(path, "2025-06-30", engine)
    assert flags[["type", "date", "amount"]].values.tolist() == [["duplicate_charge", "2025-03-16", 15.48]]
    assert flags["reason"].tolist() == [f["reason"] for f in doc["flags"]]
    assert "(both 20.00 USD)" in flags["reason"].iloc[0]
    # without the columns (an input that does not have them) the plan is judged in pounds
    plain = tmp_path / "plain.csv"
    pd.read_csv(path).drop(columns=["original_amount", "original_currency"]).to_csv(plain, index=False)
    _, flags = engines.run(plain, "2025-06-30", engine)
    assert flags[["type", "date"]].values.tolist() == [["duplicate_charge", "2025-03-16"]]
    assert "both" not in flags["reason"].iloc[0]
