"""UK buy-now-pay-later lenders through `subdetect scan` on real SQLite files (round-48 audit):
Clearpay (Afterpay's UK name), Laybuy, Zilch and PayPal Pay in 3 instalments repay one purchase
each and end with it, so they are never a stream, a flag or a refund request, however their
purchases overlap."""

from __future__ import annotations

import json
from datetime import date, timedelta

from detector.cli import cli
from detector.match import MerchantMatcher
from tests.test_own_transfers import monzo


def _every(first: date, days: int, n: int) -> list[date]:
    return [first + timedelta(days=days * i) for i in range(n)]


def _plans(name: str, descriptor: str, purchases, days: int, n: int):
    """``purchases``: (first day, instalment) of each purchase, repaid in ``n`` parts ``days`` apart."""
    return [(d, "Card payment", name, descriptor, -amount) for first, amount in purchases
            for d in _every(first, days, n)]


def test_uk_pay_later_instalments_are_no_stream_flag_or_request(runner, tmp_path):
    rows = [(d, "Card payment", "Netflix", "NETFLIX.COM", -10.99) for d in _every(date(2025, 1, 6), 30, 10)]
    # Clearpay: pay in 4 a fortnight apart; the second purchase starts as the first ends, at
    # the same instalment (eight payments 14 days apart), then a dearer one
    rows += _plans("Clearpay", "CLEARPAY LONDON GBR",
                   [(date(2025, 1, 10), 21.75), (date(2025, 2, 21), 21.75), (date(2025, 4, 4), 33.10)], 14, 4)
    rows += _plans("Laybuy", "LAYBUY", [(date(2025, 2, 3), 15.00), (date(2025, 3, 17), 15.00)], 7, 6)
    rows += _plans("Zilch", "ZILCH", [(date(2025, 3, 2), 18.40), (date(2025, 4, 13), 18.40)], 14, 4)
    rows += _plans("PayPal", "PAYPAL *PAYIN3", [(date(2025, 1, 20), 40.00), (date(2025, 4, 20), 40.00),
                                                (date(2025, 7, 20), 45.00)], 30, 3)
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", str(monzo(tmp_path / "MonzoDataExport.csv", rows)), "--db", str(db),
                                 "--as-of", "2025-10-20", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {s["merchant"] for s in doc["streams"] if s["direction"] == "outflow"} == {"Netflix"}
    assert doc["flags"] == [] and doc["refund_requests"] == []


def test_the_uk_lenders_descriptor_forms_name_them():
    lines = ["CLEARPAY LONDON GBR", "CLEARPAY*ASOS", "CLEARPAY                ON 03 MAR          BCC",
             "LAYBUY*ASOS", "ZILCH", "PAYZILCH.COM LONDON", "PAYPAL *PAYIN3", "PAYPAL PAY IN 3",
             "SP AFF*ALLBIRDS"]
    vendors = MerchantMatcher().fit().transform(lines)["vendor"].tolist()
    assert vendors == ["Clearpay"] * 3 + ["Laybuy", "Zilch", "Zilch", "PayPal Pay in 3", "PayPal Pay in 3",
                                          "Affirm"]
