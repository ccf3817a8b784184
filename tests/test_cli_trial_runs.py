"""``trial_conversion`` through ``subdetect scan`` on a Chase card export: how long a trial lasts
(twenty-seventh session).

A trial is one charge, or a few, at a trial's price before the full price. A plan billed at 0.99
a month for a year is a plan: when it moves to yearly billing, the yearly charge is no "full price
after a 0.99 trial" (the rule read every charge of a dollar or less as a trial's, however many)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from _statement_files import chase_card, everyday_spending, month_dates

from detector.cli import cli


def _scan(runner, tmp_path, plan: list[tuple[date, str, str, float]], as_of: str) -> dict:
    charges = everyday_spending(date(2024, 1, 1), 100) + plan
    charges += [(d, "NETFLIX.COM", "Entertainment", 15.49) for d in month_dates(date(2024, 1, 3), 24)]
    res = runner.invoke(cli, ["scan", chase_card(tmp_path / "Chase1234_Activity.CSV", charges),
                              "--db", str(tmp_path / "s.db"), "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize("descriptor", ["GOOGLE *Google One", "APPLE.COM/BILL", "MEDIUM.COM"])
def test_a_plan_at_99_cents_a_month_moved_to_yearly_billing_is_no_trial_conversion(runner, tmp_path, descriptor):
    # 0.99 a month from January 2024 to February 2025 (14 charges), then 9.99 for a year.
    months = month_dates(date(2024, 1, 5), 15)
    plan = [(d, descriptor, "Shopping", 0.99) for d in months[:-1]] + [(months[-1], descriptor, "Shopping", 9.99)]
    doc = _scan(runner, tmp_path, plan, "2025-12-20")
    assert [f for f in doc["flags"] if f["type"] == "trial_conversion"] == []


@pytest.mark.parametrize("n_trial", [1, 3])
def test_one_to_three_charges_at_99_cents_then_the_full_price_are_a_trial(runner, tmp_path, n_trial):
    # The near miss: an offer of 0.99 for a month (or three), then 9.99 a month, is a conversion.
    months = month_dates(date(2024, 5, 12), n_trial + 6)
    plan = [(d, "MEDIUM.COM", "Shopping", 0.99 if i < n_trial else 9.99) for i, d in enumerate(months)]
    doc = _scan(runner, tmp_path, plan, "2025-12-20")
    flags = [(f["date"], f["amount"]) for f in doc["flags"] if f["type"] == "trial_conversion"]
    assert flags == [(months[n_trial].isoformat(), 9.99)]


def test_a_dollar_trial_after_three_months_of_another_plan_at_99_cents_is_still_a_trial(runner, tmp_path):
    # iCloud at 0.99 for three months, then an app's 1.00 trial and its 7.99 a month, all billed
    # by Apple: the 0.99s are no run of the trial's price, and the 1.00 is the trial.
    icloud = [(d, "APPLE.COM/BILL", "Shopping", 0.99) for d in month_dates(date(2024, 2, 2), 3)]
    app = month_dates(date(2024, 5, 10), 5)
    plan = icloud + [(d, "APPLE.COM/BILL", "Shopping", 1.00 if i == 0 else 7.99) for i, d in enumerate(app)]
    doc = _scan(runner, tmp_path, plan, "2024-10-20")
    flags = [(f["date"], f["amount"]) for f in doc["flags"] if f["type"] == "trial_conversion"]
    assert flags == [(app[1].isoformat(), 7.99)]


def _app_store_month(first: date, gap_days: int) -> list[tuple[date, str, str, float]]:
    # An app's 4.99 first month, then 9.99 a month from ``gap_days`` later, billed by Apple among
    # apps bought there at other prices.
    from datetime import timedelta

    paid = first + timedelta(days=gap_days)
    plan = [(first, "APPLE.COM/BILL", "Shopping", 4.99)]
    plan += [(d, "APPLE.COM/BILL", "Shopping", 9.99) for d in month_dates(paid, 6)]
    apps = [(date(2024, 1, 9), 2.99), (date(2024, 2, 21), 0.99), (date(2024, 6, 2), 1.99), (date(2024, 8, 27), 6.99)]
    return plan + [(d, "APPLE.COM/BILL", "Shopping", a) for d, a in apps]


def test_a_half_price_app_month_whose_next_charge_was_retried_a_week_late_is_an_intro(runner, tmp_path):
    # The full price came 37 days after the 4.99 month (a declined charge taken again a week on):
    # within a fifth of a period only, the intro month went unflagged.
    doc = _scan(runner, tmp_path, _app_store_month(date(2024, 3, 10), 37), "2024-10-30")
    flags = [(f["date"], f["amount"]) for f in doc["flags"] if f["type"] == "trial_conversion"]
    assert flags == [("2024-04-16", 9.99)]


def test_an_app_bought_at_many_times_the_price_before_an_intro_month_is_not_the_plans_first_charge(runner, tmp_path):
    # An 84.99 app two months before Apple Music's 4.99 first month and its 10.99 a month, all
    # billed by Apple: the detector took the app into the plan's stream, and the rule read it as
    # the plan's first full price, so the conversion two charges on went unflagged.
    plan = [(date(2024, 6, 29), "APPLE.COM/BILL", "Shopping", 84.99), (date(2024, 8, 29), "APPLE.COM/BILL", "Shopping", 4.99)]
    plan += [(d, "APPLE.COM/BILL", "Shopping", 10.99) for d in month_dates(date(2024, 9, 29), 4)]
    doc = _scan(runner, tmp_path, plan, "2025-01-15")
    flags = [(f["date"], f["amount"]) for f in doc["flags"] if f["type"] == "trial_conversion"]
    assert flags == [("2024-09-29", 10.99)]
