"""App-store plans end to end (`subdetect scan`, `cancel`) on the round-43 audit's invented
statements (tests/data/app_stores): plans at one price beside apps bought at it, tier moves."""

from __future__ import annotations

import json
from pathlib import Path

from detector.cli import cli

DATA = Path(__file__).parent / "data" / "app_stores"
APPLE_CARD = DATA / "Chase4417_Activity20250630.CSV"


def _scan(runner, db, statement, as_of):
    res = runner.invoke(cli, ["scan", str(statement), "--db", str(db), "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cancelling_one_of_two_apple_plans_at_one_price_flags_nothing_of_the_other(runner, tmp_path):
    # iCloud+ 9.99 on the 5th (billing), Max via Apple 9.99 on the 22nd (stopped 2025-04-22) and an
    # app bought at 9.99: one "semimonthly" stream shown ended, iCloud missing from the total;
    # cancelling it (the only 9.99 Apple stream offered) flagged every later iCloud charge high,
    # with refund emails to Apple (round-43 audit)
    db = tmp_path / "s.db"
    doc = _scan(runner, db, APPLE_CARD, "2025-06-30")
    at_999 = sorted(((s["frequency"], s["status"], s["next_date"]) for s in doc["streams"]
                     if s["merchant"] == "Apple" and abs(s["last_amount"] - 9.99) < 0.005), key=str)
    assert at_999 == [("monthly", "active", "2025-07-05"), ("monthly", "ended", "2025-05-22")]
    total = sum(s["monthly_amount"] for s in doc["streams"] if s["counted"])
    assert round(total, 2) == 50.67  # iCloud 9.99 + Apple One 25.95 + Fantastical 4.75 + Roblox 2 x 4.99
    max_plan = next(s for s in doc["streams"] if s["merchant"] == "Apple" and s["next_date"] == "2025-05-22")
    res = runner.invoke(cli, ["cancel", "--db", str(db), "--stream", max_plan["stream_id"], "--on", "2025-04-30"])
    assert res.exit_code == 0, res.output
    again = _scan(runner, db, APPLE_CARD, "2025-06-30")
    assert [f for f in again["flags"] if f["type"] == "charge_after_cancellation"] == []
    assert not [q for q in again["refund_requests"] if q["amount"] == 9.99]


TIERS_CARD = DATA / "amex_bundles_tiers.csv"


def test_a_move_to_a_dearer_tier_after_months_on_a_cheaper_one_drafts_no_request(runner, tmp_path):
    # Xbox Game Pass Core 9.99 for six months, then Ultimate 16.99: scanned a week after the first
    # Ultimate charge, a trial_conversion "after an introductory price of 9.99" and an eligible
    # 16.99 email saying an offer converted without notice; Netflix Standard with ads 6.99 for five
    # months, then Standard 15.49, a trial_conversion in every report (round-43 audit)
    early = _scan(runner, tmp_path / "a.db", TIERS_CARD, "2024-04-10")
    assert [f for f in early["flags"] if f["type"] == "trial_conversion"] == []
    # at most a price rise saying it is more often a bigger plan, and no email
    xbox = [f for f in early["flags"] if f["merchant"].startswith("Xbox")]
    assert all(f["type"] == "price_increase" and "bigger plan" in f["reason"] for f in xbox)
    assert not [q for q in early["refund_requests"] if q["amount"] == 16.99 or q["transaction_id"] in
                {f["transaction_id"] for f in xbox}]
    late = _scan(runner, tmp_path / "b.db", TIERS_CARD, "2025-06-30")
    assert [f for f in late["flags"] if f["type"] == "trial_conversion"] == []
