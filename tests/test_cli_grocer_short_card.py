"""A grocer on a short statement (`subdetect scan` on a new card's three months): three shops at
Trader Joe's of 52.49, 66.38 and 49.47, 26-35 days apart, were an active monthly "subscription" of
56.11 a month in the total (round-54 audit, a reissued card). Groceries, fuel and meals out are no
plan, whatever the cadence of the visits; a bill of three varying sums at a merchant no word names, and a grocer's
fixed-price pass, stay plans."""

from __future__ import annotations

import json
from datetime import date

import pytest
from _statement_files import chase_card, month_dates

from detector.cli import cli

PLANS = ([(d, "PELOTON* MEMBERSHIP 866-679-9129 NY", "Health & Wellness", 44.00) for d in month_dates(date(2025, 9, 18), 3)]
         + [(d, "NYTIMES*NYTDIGITAL 800-698-4637 NY", "Shopping", 25.00) for d in month_dates(date(2025, 10, 9), 2)])
OTHER = [(date(2025, 9, 16), "STARBUCKS STORE 08321", "Food & Drink", 8.60),
         (date(2025, 9, 23), "WHOLEFDS MKT 10234", "Groceries", 45.48),
         (date(2025, 10, 1), "UBER   *TRIP HELP.UBER.COM", "Travel", 19.24),
         (date(2025, 10, 22), "AMAZON MKTPL*2K3R41ZX0", "Shopping", 36.07),
         (date(2025, 10, 30), "WHOLEFDS MKT 10234", "Groceries", 61.86),
         (date(2025, 11, 23), "UBER   *TRIP HELP.UBER.COM", "Travel", 25.02)]
SHOPS = (date(2025, 9, 21), date(2025, 10, 25), date(2025, 11, 18))
SUMS = (52.49, 66.38, 49.47)


def _scan(runner, tmp_path, charges):
    path = chase_card(tmp_path / "Chase2281_Activity20251130.CSV", PLANS + OTHER + charges)
    res = runner.invoke(cli, ["scan", path, "--db", str(tmp_path / "s.db"), "--as-of", "2025-11-30",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _counted(doc):
    return sorted((s["merchant"], s["frequency"], round(s["monthly_amount"], 2)) for s in doc["streams"] if s["counted"])


@pytest.mark.parametrize("descriptor", ["TRADER JOE S #552", "KROGER #0412", "TESCO STORES 3012", "H-E-B #118"])
def test_a_grocers_three_monthly_shops_are_no_subscription(runner, tmp_path, descriptor):
    doc = _scan(runner, tmp_path, [(d, descriptor, "Groceries", a) for d, a in zip(SHOPS, SUMS)])
    assert _counted(doc) == [("Peloton", "monthly", 44.0), ("The New York Times", "monthly", 25.0)]


@pytest.mark.parametrize("descriptor, sums", [("CHIPOTLE 1234", (16.96, 13.97, 24.10)),
                                               ("SHELL OIL 57444123", (42.75, 35.36, 45.06))])
def test_a_diners_or_a_stations_three_monthly_visits_are_no_subscription(runner, tmp_path, descriptor, sums):
    doc = _scan(runner, tmp_path, [(d, descriptor, "Food & Drink", a) for d, a in zip(SHOPS, sums)])
    assert _counted(doc) == [("Peloton", "monthly", 44.0), ("The New York Times", "monthly", 25.0)]


def test_a_restaurants_own_monthly_plan_stays_a_plan(runner, tmp_path):
    doc = _scan(runner, tmp_path, [(d, "ROSA S PIZZA WINE CLUB", "Food & Drink", 35.00) for d in SHOPS])
    assert ("Rosa S Pizza Wine Club", "monthly", 35.0) in _counted(doc)


def test_a_bill_of_three_varying_sums_stays_a_plan(runner, tmp_path):
    # the same dates and sums at a merchant no word names a grocer's (a cleaner, a tutor)
    doc = _scan(runner, tmp_path, [(d, "BRIGHTSIDE HOME SERVICES", "Home", a) for d, a in zip(SHOPS, SUMS)])
    assert ("Brightside Home Services", "monthly", 56.11) in _counted(doc)


def test_a_grocers_fixed_price_pass_stays_a_plan(runner, tmp_path):
    doc = _scan(runner, tmp_path, [(d, "WEGMANS DELIVERY PASS", "Groceries", 12.99) for d in SHOPS])
    assert ("Wegmans Delivery Pass", "monthly", 12.99) in _counted(doc)
