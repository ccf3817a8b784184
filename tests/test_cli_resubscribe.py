"""A plan signed up to again after a long break (`subdetect scan` on a Chase card export): Hulu at
7.99 from January to April 2024, nothing for seventeen months, then 9.99 from September 2025, no
cancellation recorded, was a medium `price_increase` "up 25% from 7.99" with a refund email
claiming a renewal "at a higher price ... without any notice" (round-54 audit). A new sign-up pays
the price of the day. A rise at a short pause (one month skipped) is still the plan's new price."""

from __future__ import annotations

import json
from datetime import date

import pytest
from _statement_files import chase_card, everyday_spending, month_dates

from detector.cli import cli


def _scan(runner, tmp_path, charges, as_of):
    path = chase_card(tmp_path / "Chase4417_Activity20251231.CSV", everyday_spending(date(2024, 1, 2), 104) + charges)
    res = runner.invoke(cli, ["scan", path, "--db", str(tmp_path / "s.db"), "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _hulu(before: list[date], after: list[date]):
    return ([(d, "HULU 877-8244858 CA", "Shopping", 7.99) for d in before]
            + [(d, "HULU 877-8244858 CA", "Shopping", 9.99) for d in after])


def _price_flags(doc, merchant):
    return [f for f in doc["flags"] if f["merchant"] == merchant and f["type"] == "price_increase"]


def test_a_sign_up_after_seventeen_months_away_is_no_price_increase(runner, tmp_path):
    doc = _scan(runner, tmp_path, _hulu(month_dates(date(2024, 1, 20), 4), month_dates(date(2025, 9, 20), 4)),
                "2025-12-31")
    assert _price_flags(doc, "Hulu") == []
    assert not [r for r in doc["refund_requests"] if r["vendor"] == "Hulu"]
    hulu = [s for s in doc["streams"] if s["merchant"] == "Hulu" and s["counted"]]
    assert [(s["last_amount"], s["status"], s["next_date"], s["monthly_amount"]) for s in hulu] == [
        (9.99, "active", "2026-01-20", 9.99)]


@pytest.mark.parametrize("skipped", [1, 2])
def test_a_rise_at_a_short_pause_is_still_a_price_increase(runner, tmp_path, skipped):
    # 7.99 for six months, one or two months skipped (a card declined, a short pause), then 9.99
    after = month_dates(date(2024, 7 + skipped, 20), 6)
    doc = _scan(runner, tmp_path, _hulu(month_dates(date(2024, 1, 20), 6), after), "2025-03-31")
    flags = _price_flags(doc, "Hulu")
    assert [(f["date"], f["amount"], f["severity"]) for f in flags] == [(str(after[0]), 9.99, "medium")]
    assert "up 25% from 7.99" in flags[0]["reason"]


def test_a_rise_after_a_plan_came_back_is_measured_from_its_price_since(runner, tmp_path):
    # back at 9.99 after the break, three months at it, then 10.99: a rise of the plan taken up again
    after = month_dates(date(2025, 5, 20), 7)
    charges = _hulu(month_dates(date(2024, 1, 20), 4), after[:3])
    charges += [(d, "HULU 877-8244858 CA", "Shopping", 10.99) for d in after[3:]]
    doc = _scan(runner, tmp_path, charges, "2025-12-31")
    flags = _price_flags(doc, "Hulu")
    assert [(f["date"], f["amount"]) for f in flags] == [(str(after[3]), 10.99)]
    assert "up 10% from 9.99 (steady since 2025-05-20)" in flags[0]["reason"]


def test_a_paused_membership_stays_one_plan_with_no_flag(runner, tmp_path):
    # Peloton 44.00 on the 14th, paused March to May 2025 (three bills skipped), back in June
    days = [d for d in month_dates(date(2024, 1, 14), 24) if not date(2025, 3, 1) <= d <= date(2025, 5, 31)]
    doc = _scan(runner, tmp_path, [(d, "PELOTON* MEMBERSHIP", "Health & Wellness", 44.00) for d in days], "2025-12-31")
    assert [f for f in doc["flags"] if f["merchant"] == "Peloton"] == []
    counted = [(s["last_amount"], s["status"], s["next_date"]) for s in doc["streams"]
               if s["merchant"] == "Peloton" and s["counted"]]
    assert counted == [(44.0, "active", "2026-01-14")]


def test_a_yearly_plan_switched_to_monthly_keeps_its_yearly_charge_out_of_the_monthly_plan(runner, tmp_path):
    # Amazon Prime 139.00 for a year from 2024-02-10, then 14.99 a month from 2025-02-10
    charges = [(date(2024, 2, 10), "AMAZON PRIME*0Q8RT2LK0 AMZN.COM/BILL WA", "Shopping", 139.00)]
    charges += [(d, f"AMAZON PRIME*{i}Q8RT2LK{i} AMZN.COM/BILL WA", "Shopping", 14.99)
                for i, d in enumerate(month_dates(date(2025, 2, 10), 11))]
    doc = _scan(runner, tmp_path, charges, "2025-12-31")
    prime = [s for s in doc["streams"] if s["merchant"] == "Amazon Prime" and s["counted"]]
    assert [(s["frequency"], s["first_date"], s["average_amount"], s["monthly_amount"], s["status"]) for s in prime] == [
        ("monthly", "2025-02-10", 14.99, 14.99, "active")]
    assert "14.99-14.99" in prime[0]["evidence"]
    assert [f for f in doc["flags"] if f["merchant"] == "Amazon Prime"] == []
