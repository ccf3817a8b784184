"""Loans, mortgages and rent through `subdetect scan` on real SQLite files (round-thirty-six
audit): an amount a lender or a landlord sets is no vendor's price, so its rise is flagged low
with nothing to ask back and no refund request is queued; a paid-off loan's larger final payment
is its end, not a rise; rent to a landlord whose surname is an investment platform's is rent."""

from __future__ import annotations

import json
from datetime import date

from _statement_files import chase_checking as _chase
from _statement_files import month_dates
from _statement_files import next_weekday as _weekday

from detector.cli import cli

BARCLAYS_ACCOUNT = "20-11-09 40331122"



def _monthly(first: date, amounts: list[float], description: str) -> list[tuple[date, str, float]]:
    return [(_weekday(d), description, -a) for d, a in zip(month_dates(first, len(amounts)), amounts)]



def _barclays(path, rows) -> str:
    """A Barclays UK export: Number,Date,Account,Amount,Subcategory,Memo (day first)."""
    lines = ["Number,Date,Account,Amount,Subcategory,Memo"]
    lines += [f",{d:%d/%m/%Y},{BARCLAYS_ACCOUNT},{amount:.2f},Direct Debit,{memo}" for d, memo, amount in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _scan(runner, tmp_path, path: str, as_of: str) -> dict:
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", path, "--db", str(db), "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _one(items: list[dict], word: str) -> dict:
    (hit,) = [x for x in items if word.lower() in (x.get("merchant") or "").lower()]
    return hit


def _refunded(doc: dict) -> set[str]:
    return {r.get("vendor") or r.get("merchant") for r in doc["refund_requests"]}


def test_a_lenders_and_a_rent_portals_rises_are_low_with_nothing_to_ask_back(runner, tmp_path):
    # a mortgage servicer's escrow review, a student loan recalculated on income, an auto loan of
    # a lender the catalogue does not know, rent through a rent portal raised at the lease's
    # renewal: each rise is flagged low, "nothing to ask back", and no refund request is drafted;
    # a vendor's own rise (an insurer's premium) still is asked back
    first = date(2023, 7, 5)
    rows = (_monthly(first, [1310.25] * 18 + [1402.80] * 6, "MR. COOPER       MTG PMT        PPD ID: 5551112222")
            + _monthly(date(2023, 7, 24), [162.10] * 14 + [219.35] * 10,
                       "DEPT EDUCATION   STUDENT LN     PPD ID: 9102030405")
            + _monthly(date(2023, 7, 12), [301.00] * 12 + [344.00] * 12, "FIRST VALLEY AUTO LN PMT")
            + _monthly(date(2023, 7, 1), [2150.00] * 14 + [2290.00] * 10, "CLICKPAY SERVICES WEB PMTS")
            + _monthly(date(2023, 7, 3), [121.40] * 12 + [133.90] * 12, "GEICO *AUTO"))
    doc = _scan(runner, tmp_path, _chase(tmp_path / "Chase5678_Activity_20250630.CSV", rows), "2025-06-30")
    rises = {f["merchant"]: f for f in doc["flags"] if f["type"] == "price_increase"}
    for word, why in (("cooper", "a loan's instalment, which the lender sets"),
                      ("education", "a loan's instalment, which the lender sets"),
                      ("first valley", "a loan's instalment, which the lender sets"),
                      ("clickpay", "set by a lease or an association")):
        flag = _one(list(rises.values()), word)
        assert flag["severity"] == "low", flag
        assert flag["reason"].endswith(why + ", not a vendor's price: nothing to ask back"), flag["reason"]
        stream = _one(doc["streams"], word)
        assert (stream["status"], stream["counted"]) == ("active", True)
    assert _one(doc["streams"], "clickpay")["vendor"] == "ClickPay"
    assert _one(doc["streams"], "education")["vendor"] == "US Department of Education"
    assert not _one(list(rises.values()), "geico")["reason"].endswith("nothing to ask back")
    assert _refunded(doc) == {"GEICO"}
    refunds = runner.invoke(cli, ["refunds", "list", "--db", str(tmp_path / "s.db"), "--format", "json"])
    assert refunds.exit_code == 0, refunds.output
    assert {r["vendor"] for r in json.loads(refunds.stdout)} == {"GEICO"}


def test_a_paid_off_loans_larger_final_payment_is_no_price_increase(runner, tmp_path):
    # car finance paid off with a larger last payment (an option-to-purchase fee) has ended: that
    # payment is the loan's end, not a new price. A plan that rose and then stopped keeps its flag.
    rows = (_monthly(date(2023, 7, 20), [412.00] * 14 + [478.25], "AMERICAN HONDA FIN  PPD ID: 3030303030")
            + _monthly(date(2023, 7, 9), [24.99] * 14 + [29.99], "PLANET FITNESS CLUB FEES")
            + _monthly(date(2023, 7, 3), [15.49] * 24, "NETFLIX.COM"))
    doc = _scan(runner, tmp_path, _chase(tmp_path / "Chase5678_Activity_20250630.CSV", rows), "2025-06-30")
    honda = _one(doc["streams"], "honda")
    assert (honda["status"], honda["counted"], honda["last_amount"]) == ("ended", False, 478.25)
    assert not [f for f in doc["flags"] if "honda" in f["merchant"].lower()]
    assert "Honda Financial Services" not in _refunded(doc)
    gym = _one([f for f in doc["flags"] if f["type"] == "price_increase"], "planet fitness")
    assert gym["amount"] == 29.99 and _one(doc["streams"], "planet fitness")["status"] == "ended"


def test_uk_standing_order_rent_student_loan_and_car_finance(runner, tmp_path):
    # rent by standing order to a landlord surnamed Hargreaves is rent, not a contribution to
    # Hargreaves Lansdown (whose own direct debit still is one's own money moved); its rise is
    # money the holder sends. The Student Loans Company's recalculated instalment is the lender's;
    # car finance's larger final payment ends the loan; Santander's UK lender keeps a neutral name.
    rows = (_monthly(date(2024, 1, 1), [875.00] * 6 + [925.00] * 15, "J HARGREAVES     FLAT 2       STO")
            + _monthly(date(2024, 1, 10), [150.00] * 21, "HARGREAVES LANSDOWN 4471 DDR")
            + _monthly(date(2024, 1, 16), [64.00] * 15 + [77.00] * 6, "SLC RECEIPTS 6612345 DDR")
            + _monthly(date(2024, 1, 15), [265.40] * 13 + [330.40], "BLACK HORSE LTD 88123 DDR")
            + _monthly(date(2024, 1, 18), [198.75] * 15 + [208.75], "SANTANDER CONSUMER UK 7712 DDR")
            + _monthly(date(2024, 1, 6), [10.99] * 21, "NETFLIX.COM"))
    doc = _scan(runner, tmp_path, _barclays(tmp_path / "barclays.csv", rows), "2025-09-15")
    rent = _one(doc["streams"], "hargreaves flat")
    assert (rent["status"], rent["counted"], rent["monthly_amount"]) == ("active", True, 925.0)
    assert not [s for s in doc["streams"] if "lansdown" in s["merchant"].lower()]
    flag = _one(doc["flags"], "hargreaves flat")
    assert flag["severity"] == "low" and flag["reason"].endswith(
        "a payment you send, whose amount you set, not a vendor's price: nothing to ask back")
    slc = _one(doc["flags"], "student loans")
    assert slc["severity"] == "low" and "a loan's instalment" in slc["reason"]
    horse = _one(doc["streams"], "black horse")
    assert horse["status"] == "ended" and not [f for f in doc["flags"] if "black horse" in f["merchant"].lower()]
    assert _one(doc["streams"], "santander")["merchant"] == "Santander Consumer"
    assert _refunded(doc) == set()
