"""A few months at an introductory price, then the full price (`subdetect scan` on a Chase
checking export): The Washington Post at 4.99 a month for six months, then 15.99. The detector
made it one plan (`stream_joins._intro_prices_ended`) but only an offer of three charges or less,
or of a year, was a `trial_conversion`: four to eleven months at an intro price raised nothing
(twenty-fifth session). At a catalogue seller of fixed-price plans billed directly, the first
full price is flagged, naming the intro price, how many charges it lasted and its dates; a price
less than 2.5 times below, a merchant the catalogue does not know and an app store stay unflagged."""

from __future__ import annotations

import json
from datetime import date

import pytest
from _statement_files import chase_checking, month_dates

from detector.cli import cli


def _scan(runner, tmp_path, rows, as_of):
    rows = rows + [(d, "NETFLIX.COM", -15.49) for d in month_dates(date(2025, 1, 3), 12)]
    res = runner.invoke(cli, ["scan", chase_checking(tmp_path / "Chase1234_Activity.CSV", rows),
                              "--db", str(tmp_path / "s.db"), "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _plan(descriptor, intro, n_intro, full, n_full):
    return [(d, descriptor, -(intro if i < n_intro else full))
            for i, d in enumerate(month_dates(date(2025, 1, 12), n_intro + n_full))]


@pytest.mark.parametrize("months", [4, 6, 9])
def test_months_at_an_intro_price_then_the_full_price_are_one_plan_and_one_conversion(runner, tmp_path, months):
    doc = _scan(runner, tmp_path, _plan("WASHINGTONPOST.COM", 4.99, months, 15.99, 4), "2026-01-20")
    post = [s for s in doc["streams"] if s["merchant"] == "The Washington Post"]
    assert [(s["first_date"], s["last_amount"], len(s["transaction_ids"])) for s in post] == [
        ("2025-01-12", 15.99, months + 4)]
    flags = [f for f in doc["flags"] if f["merchant"] == "The Washington Post"]
    full = month_dates(date(2025, 1, 12), months + 1)
    assert [(f["type"], f["date"], f["amount"], f["severity"]) for f in flags] == [
        ("trial_conversion", full[-1].isoformat(), 15.99, "medium")]
    assert (f"introductory price of 4.99 for {months} charges, from 2025-01-12 to {full[-2].isoformat()}"
            in flags[0]["reason"])


def test_a_cheaper_plan_not_far_below_the_full_price_is_a_change_of_plan(runner, tmp_path):
    # 6.99 with ads, then 15.49: 2.2 times, no intro offer
    doc = _scan(runner, tmp_path, _plan("WASHINGTONPOST.COM", 6.99, 6, 15.49, 4), "2025-10-28")
    assert [f["type"] for f in doc["flags"] if f["merchant"] == "The Washington Post"
            and f["type"] == "trial_conversion"] == []


def test_months_at_a_low_price_at_a_merchant_the_catalogue_does_not_know_raise_no_conversion(runner, tmp_path):
    doc = _scan(runner, tmp_path, _plan("HARBOR PILATES STUDIO", 4.99, 6, 15.99, 4), "2025-10-28")
    assert [f for f in doc["flags"] if f["type"] == "trial_conversion"] == []


def test_months_at_a_low_price_at_an_app_store_raise_no_conversion(runner, tmp_path):
    doc = _scan(runner, tmp_path, _plan("APPLE.COM/BILL", 4.99, 6, 15.99, 4), "2025-10-28")
    assert [f for f in doc["flags"] if f["type"] == "trial_conversion"] == []
