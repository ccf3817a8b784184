"""A plan charged twice a day or two apart at a merchant the account also buys from (`subdetect
scan` on a Chase card export; twenty-sixth session). Instacart bills its membership, 9.99 on the
14th, under the name its grocery orders carry, at amounts of their own; the membership charged
again the next day, or two days later (a retried payment, a second authorisation posted the next
day), was no double charge, since beside one-offs only a same-day identical charge was. It is
now, with its refund request. A weekly meal kit's extra box two days after its box, beside
add-ons bought there, stays a purchase (a weekly plan's own posting jitter brings two charges that
close), as does a plan's charge posted late, whose next one comes on its usual day."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from _statement_files import chase_card, month_dates

from detector.cli import cli

INSTACART = "INSTACART"
MEAL_KIT = "HELLOFRESH 646-846-3663 NY"
ORDERS = [(date(2025, 1, 19), 64.27), (date(2025, 2, 23), 118.52), (date(2025, 3, 8), 43.81),
          (date(2025, 4, 12), 87.13), (date(2025, 5, 17), 52.36), (date(2025, 6, 21), 101.74),
          (date(2025, 7, 2), 38.62), (date(2025, 8, 9), 76.18)]


def _statement(tmp_path, extra, late_in_june=False):
    plan = [date(2025, 6, 16) if late_in_june and d.month == 6 else d for d in month_dates(date(2025, 1, 14), 9)]
    charges = [(d, INSTACART, "Groceries", 9.99) for d in plan]
    charges += [(d, INSTACART, "Groceries", amount) for d, amount in ORDERS]
    charges += [(d, "PLANET FITNESS 800-1234 NH", "Health & Wellness", 24.99) for d in month_dates(date(2025, 1, 17), 9)]
    return chase_card(tmp_path / "Chase4417_Activity.CSV", charges + extra)


def _scan(runner, tmp_path, extra, late_in_june=False):
    db = str(tmp_path / "s.db")
    res = runner.invoke(cli, ["scan", _statement(tmp_path, extra, late_in_june), "--db", db, "--as-of", "2025-09-30",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize("late", [1, 2])
def test_a_plan_charged_again_a_day_or_two_later_beside_orders_is_a_double_charge(runner, tmp_path, late):
    again = date(2025, 6, 14) + timedelta(days=late)
    doc = _scan(runner, tmp_path, [(again, INSTACART, "Groceries", 9.99)])
    flags = [f for f in doc["flags"] if f["type"] == "duplicate_charge"]
    day = "day" if late == 1 else "days"
    assert [(f["merchant"], f["date"], f["amount"], f["severity"], f["reason"]) for f in flags] == [
        ("Instacart", f"{again}", 9.99, "high",
         f"Instacart charged 9.99 on {again}, {late} {day} after an identical charge on 2025-06-14, "
         "inside one monthly billing cycle")]
    assert [r["transaction_id"] for r in doc["refund_requests"]] == [flags[0]["transaction_id"]]


def test_a_weekly_plans_extra_box_and_a_plan_charged_late_are_no_double_charges(runner, tmp_path):
    boxes = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(30)]
    extra = [(d, MEAL_KIT, "Groceries", 71.92) for d in boxes]
    extra += [(date(2025, 3, 5), MEAL_KIT, "Groceries", 71.92)]  # two days after the box of 3 March
    extra += [(d, MEAL_KIT, "Groceries", amount)  # add-ons ordered with a box
              for d, amount in [(date(2025, 1, 27), 12.37), (date(2025, 2, 17), 8.43), (date(2025, 4, 7), 15.26)]]
    # the Instacart membership's June charge posted two days late, July's on its day
    doc = _scan(runner, tmp_path, extra, late_in_june=True)
    assert [f for f in doc["flags"] if f["type"] == "duplicate_charge"] == []
    kit = [s for s in doc["streams"] if s["merchant"] == "HelloFresh"]
    assert [s["frequency"] for s in kit] == ["weekly"]
