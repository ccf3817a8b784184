"""Gifts to charities through `subdetect scan` on real SQLite files (round-48 audit): a donor who
raises a monthly gift, a yearly gift and a first gift are the donor's own amounts, so a flag on
them is low, says it is a gift the donor sets (never a price raised "without notice"), and no
refund request is drafted."""

from __future__ import annotations

import json
from datetime import date

from _statement_files import chase_checking, month_dates

from detector.cli import cli


def _scan(runner, tmp_path, rows, as_of):
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", chase_checking(tmp_path / "Chase1234_Activity.CSV", rows), "--db", str(db),
                                 "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["refunds", "list", "--db", str(db), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    return json.loads(result.stdout), json.loads(listed.output)


def test_a_raised_monthly_gift_and_a_yearly_gift_are_low_flags_without_a_request(runner, tmp_path):
    rows = [(d, "ALSAC ST JUDE 901-578-2000 TN", -(20.00 if i < 9 else 35.00))
            for i, d in enumerate(month_dates(date(2025, 1, 8), 14))]
    rows += [(d, "UNICEF USA 800-367-5437 NY", -(15.00 if i < 8 else 18.00))
             for i, d in enumerate(month_dates(date(2025, 1, 21), 13))]
    rows += [(date(2024, 12, 28), "WIKIMEDIA FOUNDATION 877-600-9454 CA", -75.00),
             (date(2025, 12, 29), "WIKIMEDIA FOUNDATION 877-600-9454 CA", -75.00)]
    # a charity the catalogue does not know, named as a gift on its line
    rows += [(d, "HARBOR ANIMAL RESCUE DONATION", -(10.00 if i < 7 else 12.50))
             for i, d in enumerate(month_dates(date(2025, 1, 14), 12))]
    rows += [(d, "NETFLIX.COM", -15.49 if i < 10 else -17.99) for i, d in enumerate(month_dates(date(2025, 1, 3), 13))]
    doc, requests = _scan(runner, tmp_path, rows, "2026-02-05")
    gifts = [f for f in doc["flags"] if f["merchant"] != "Netflix"]
    assert {f["merchant"] for f in gifts} >= {"St. Jude Children's Research Hospital", "UNICEF",
                                               "Wikimedia Foundation", "Harbor Animal Rescue Donation"}
    assert {f["severity"] for f in gifts} == {"low"}
    rises = [f for f in gifts if f["type"] == "price_increase"]
    assert len(rises) == 3 and all("a change in a gift you give, whose amount you set" in f["reason"] for f in rises)
    assert all("a gift you give" in f["reason"] and "notice" not in f["reason"] for f in gifts)
    # the gifts ask nothing back; Netflix's rise still does
    assert [r["vendor"] for r in requests] == ["Netflix"]


def test_a_gift_taken_twice_is_asked_back_as_a_donation_taken_in_error(runner, tmp_path):
    # A double charge of a gift is a payment error the charity refunds (GoFundMe's, JustGiving's
    # and most charities' refund rules), unlike a change in the gift, which asks nothing back: the
    # flag says so, and the request asks for the second gift back as a donation, with a corrected
    # receipt, not "the same subscription period" (twenty-fifth session)
    rows = [(d, "ALSAC ST JUDE 901-578-2000 TN", -(25.00 if i < 9 else 30.00))
            for i, d in enumerate(month_dates(date(2025, 1, 8), 12))]
    rows.append((date(2025, 6, 10), "ALSAC ST JUDE 901-578-2000 TN", -25.00))
    rows += [(d, "NETFLIX.COM", -15.49) for d in month_dates(date(2025, 1, 3), 12)]
    db = tmp_path / "s.db"
    doc, requests = _scan(runner, tmp_path, rows, "2025-12-20")
    flags = {f["type"]: f for f in doc["flags"] if f["merchant"] == "St. Jude Children's Research Hospital"}
    assert set(flags) == {"duplicate_charge", "price_increase"}
    double = flags["duplicate_charge"]
    assert (double["date"], double["severity"]) == ("2025-06-10", "high")
    assert double["reason"].endswith("; a gift taken twice is a payment error, not a change in a gift you give: "
                                     "charities and giving platforms refund it when asked soon")
    assert "nothing to ask back" in flags["price_increase"]["reason"]
    [req] = [r for r in requests if r["vendor"] == "St. Jude Children's Research Hospital"]
    assert (req["transaction_id"], req["flag_type"], req["amount"]) == (double["transaction_id"], "duplicate_charge",
                                                                        25.0)
    assert req["reason"] == "my donation was taken twice, and I meant to give it once; I had already been charged " \
                            "$25.00 on 2025-06-08"
    assert req["email"]["subject"] == ("Refund of a donation taken in error – St. Jude Children's Research Hospital, "
                                       "$25.00 on 2025-06-10")
    body = req["email"]["body"]
    assert "subscription" not in body and "corrected receipt" in body and "Gift Aid" in body
    assert req["eligible"] is True and "taken in error" in req["eligibility_reason"]
    # the report says why the gift's rise asks nothing back, in the same words as its reason
    table = runner.invoke(cli, ["report", "--db", str(db)])
    assert table.exit_code == 0, table.output
    assert "a gift's amount" in " ".join(table.output.split())


def test_a_gift_taken_after_its_cancellation_is_asked_back_as_a_donation_taken_in_error(runner, tmp_path):
    rows = [(d, "UNICEF USA 800-367-5437 NY", -20.00) for d in month_dates(date(2025, 1, 21), 9)]
    rows += [(d, "NETFLIX.COM", -15.49) for d in month_dates(date(2025, 1, 3), 10)]
    cancellations = tmp_path / "cancel.csv"
    cancellations.write_text("account_id,merchant,cancelled_on\nChase1234_Activity,UNICEF,2025-08-05\n")
    res = runner.invoke(cli, ["scan", chase_checking(tmp_path / "Chase1234_Activity.CSV", rows), "--db",
                              str(tmp_path / "s.db"), "--cancellations", str(cancellations), "--as-of", "2025-10-10",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    flags = sorted((f for f in doc["flags"] if f["merchant"] == "UNICEF"), key=lambda f: f["date"])
    assert [(f["type"], f["date"]) for f in flags] == [("charge_after_cancellation", "2025-08-21"),
                                                       ("charge_after_cancellation", "2025-09-21")]
    flag = flags[0]
    assert flag["reason"].endswith("; a gift taken after you cancelled it is a payment error, not a gift you chose: "
                                   "charities and giving platforms refund it when asked soon")
    [req] = [r for r in doc["refund_requests"] if r["transaction_id"] == flag["transaction_id"]]
    assert req["reason"].startswith("my recurring donation was taken after I had cancelled it; I cancelled it on "
                                    "2025-08-05")
    assert req["email"]["subject"].startswith("Refund of a donation taken in error – UNICEF,")
