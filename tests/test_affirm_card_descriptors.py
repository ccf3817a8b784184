"""Affirm instalments under the shop's name (twenty-sixth session): Affirm's own card descriptor
is ``AFF*`` and a short form of the shop the purchase was made at ("AFF*CASPER", "SP AFF*..."
when billed through Shopify's Split Pay), and a bank or an aggregator that drops the asterisk
shows "Aff Casper". Each is an instalment of one purchase, like any buy-now-pay-later line, so it
is never a stream, a flag or a refund request; a monthly instalment under the shop's name had
been read as the shop's monthly plan. Words that only begin with the letters (Affinity, Affordable)
are not Affirm."""

from __future__ import annotations

import json
from datetime import date

from _statement_files import chase_card, everyday_spending, month_dates

from detector.cli import cli
from detector.match import MerchantMatcher


def test_affirms_card_descriptor_names_affirm_whatever_the_shop():
    lines = ["AFF*CASPER SLEEP", "AFF *WAYFAIR", "AFF* PELOTON INTERACT", "Aff Casper Sleep", "AFF*NORDICTRACK 8774465",
             "SP AFF*ALLBIRDS"]
    others = ["AFFINITY PLUS FCU", "AFFORDABLE DENTAL CARE", "AFFLECK HARDWARE", "TAFFY TOWN"]
    got = MerchantMatcher().fit().transform(lines + others)["vendor"].tolist()
    assert got[:len(lines)] == ["Affirm"] * len(lines)
    assert [v if isinstance(v, str) else None for v in got[len(lines):]] == [None] * len(others)


def test_monthly_affirm_instalments_under_a_shops_name_are_no_plan(runner, tmp_path):
    start = date(2024, 1, 8)
    charges = everyday_spending(start, 60)
    charges += [(d, "NETFLIX.COM", "Entertainment", 15.49) for d in month_dates(date(2024, 1, 12), 13)]
    # a mattress and a treadmill bought on instalments: one payment a month for a year / eight months
    charges += [(d, "AFF*CASPER SLEEP", "Shopping", 61.25) for d in month_dates(date(2024, 1, 22), 12)]
    charges += [(d, "AFF *NORDICTRACK", "Shopping", 93.70) for d in month_dates(date(2024, 3, 4), 8)]
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", chase_card(tmp_path / "Chase1234_Activity.CSV", charges), "--db", str(db),
                                 "--as-of", "2025-02-20", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {s["merchant"] for s in doc["streams"]} == {"Netflix"}
    assert not [f for f in doc["flags"] if "aff" in (f.get("merchant") or "").lower()]
    assert not [r for r in doc["refund_requests"] if "aff" in (r.get("merchant") or "").lower()]
