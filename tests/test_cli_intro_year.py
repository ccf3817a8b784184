"""A year at an introductory price, then the full price (`subdetect scan`): The New York Times at
4.00 every four weeks for thirteen charges, then 25.00 (round-48 audit). The 25.00 is more than
`PRICE_STEP` times the 4.00, so the plan was cut in two at the full price, an ended 4.00 stream
and a new 25.00 one, and no flag at all marked the end of the offer. Now it is one stream and one
`trial_conversion` on the first 25.00, saying how long the offer lasted."""

from __future__ import annotations

import json
from datetime import date, timedelta

from _statement_files import chase_card, everyday_spending

from detector.cli import cli

NYT = "NYTIMES*NYTDIGITAL 800-698-4637 NY"


def _scan(runner, tmp_path, charges, as_of):
    cut = date.fromisoformat(as_of)
    history = everyday_spending(date(2024, 11, 1), 110) + charges
    path = chase_card(tmp_path / "Chase7310_Activity20261130.CSV", [c for c in history if c[0] <= cut])
    res = runner.invoke(cli, ["scan", path, "--db", str(tmp_path / "s.db"), "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _every_28_days(start: date, prices: list[float], descriptor: str = NYT) -> list[tuple[date, str, str, float]]:
    return [(start + timedelta(days=28 * i), descriptor, "Entertainment", p) for i, p in enumerate(prices)]


def _streams(doc, merchant):
    return [s for s in doc["streams"] if s["merchant"] == merchant]


def _flags(doc, merchant):
    ids = {t for s in _streams(doc, merchant) for t in s["transaction_ids"]}
    return [f for f in doc["flags"] if f["transaction_id"] in ids]


def test_a_year_long_intro_price_then_the_full_price_is_one_plan_with_one_flag(runner, tmp_path):
    doc = _scan(runner, tmp_path, _every_28_days(date(2024, 12, 10), [4.00] * 13 + [25.00] * 13), "2026-11-30")
    nyt = _streams(doc, "The New York Times")
    assert [(s["first_date"], s["last_date"], s["status"], s["last_amount"], round(s["monthly_amount"], 2),
             len(s["transaction_ids"])) for s in nyt] == [("2024-12-10", "2026-11-10", "active", 25.0, 27.18, 26)]
    flags = _flags(doc, "The New York Times")
    assert [(f["type"], f["date"], f["amount"], f["severity"]) for f in flags] == [
        ("trial_conversion", "2025-12-09", 25.0, "medium")]
    reason = flags[0]["reason"]
    assert "full price 25.00 on 2025-12-09" in reason
    assert "introductory price of 4.00 for 13 charges, from 2024-12-10 to 2025-11-11" in reason
    # the plan billed on at the full price for months: nothing to ask back
    assert not [r for r in doc["refund_requests"] if r["transaction_id"] == flags[0]["transaction_id"]]


def test_the_offer_is_flagged_once_the_full_price_bills_again(runner, tmp_path):
    charges = _every_28_days(date(2024, 12, 10), [4.00] * 13 + [25.00] * 13)
    # one 25.00 charge may still be a year paid at once (five times the 4.00 or more): no flag yet
    (tmp_path / "a").mkdir()
    doc = _scan(runner, tmp_path / "a", charges, "2025-12-20")
    assert [s["status"] for s in _streams(doc, "The New York Times")] == ["active"]
    assert _flags(doc, "The New York Times") == []
    (tmp_path / "b").mkdir()
    doc = _scan(runner, tmp_path / "b", charges, "2026-01-10")
    nyt = _streams(doc, "The New York Times")
    assert [(s["first_date"], s["last_amount"], s["status"]) for s in nyt] == [("2024-12-10", 25.0, "active")]
    assert [(f["type"], f["date"]) for f in _flags(doc, "The New York Times")] == [("trial_conversion", "2025-12-09")]


def test_half_a_year_at_a_low_price_is_one_plan_and_its_offer_ends_in_a_conversion(runner, tmp_path):
    # Six charges at 4.00, then 25.00, at a catalogue seller of plans billed directly: one plan, as
    # before. This test said "a change of plan, no conversion" until the twenty-fifth session; a
    # price over 2.5 times below the plan's at a seller of fixed-price plans is an introductory
    # offer however long it lasted (tests/test_cli_intro_spells.py), and its end is flagged
    doc = _scan(runner, tmp_path, _every_28_days(date(2024, 12, 10), [4.00] * 6 + [25.00] * 8), "2025-11-30")
    nyt = _streams(doc, "The New York Times")
    assert [(s["first_date"], s["last_amount"], s["status"]) for s in nyt] == [("2024-12-10", 25.0, "active")]
    flags = _flags(doc, "The New York Times")
    assert [(f["type"], f["date"], f["amount"]) for f in flags] == [("trial_conversion", "2025-05-27", 25.0)]
    assert "introductory price of 4.00 for 6 charges, from 2024-12-10 to 2025-04-29" in flags[0]["reason"]


def test_a_cheap_plan_then_a_dear_one_at_an_app_store_stay_two_plans(runner, tmp_path):
    # the store bills many apps under one line: a 4.00 app's plan ending as a 25.00 one begins is
    # as likely another app as an offer ending
    doc = _scan(runner, tmp_path, _every_28_days(date(2024, 12, 10), [4.00] * 13 + [25.00] * 13, "APPLE.COM/BILL"),
                "2026-11-30")
    apple = _streams(doc, "Apple")
    assert sorted((s["first_date"], s["last_amount"], s["status"]) for s in apple) == [
        ("2024-12-10", 4.0, "ended"), ("2025-12-09", 25.0, "active")]
    assert [f["type"] for f in _flags(doc, "Apple") if f["type"] == "trial_conversion"] == []


def test_a_four_weekly_plan_whose_first_and_last_charges_share_a_day_costs_thirteen_twelfths(runner, tmp_path):
    # 26 charges every 28 days from 2024-12-10 end on 2026-11-10: a plan billed on one day of the
    # month has no 26 charges in 23 months, so this one still bills 13 times a year
    doc = _scan(runner, tmp_path, _every_28_days(date(2024, 12, 10), [25.00] * 26), "2026-11-30")
    assert [(s["first_date"], s["last_date"], round(s["monthly_amount"], 2))
            for s in _streams(doc, "The New York Times")] == [("2024-12-10", "2026-11-10", 27.18)]
