"""Two plans under one descriptor billed in turn, on a short history (`subdetect scan --as-of`):
iCloud at 2.99 on the 8th and Apple Music at 10.99 on the 21st behind APPLE.COM/BILL were one
"biweekly" stream of 2.99-10.99 in a six-week statement (round-44 audit). The one-stream cases
beside them (a price rise, a trial, tax jitter) stay one stream."""

from __future__ import annotations

import json
from datetime import date

import pytest
from _statement_files import chase_card, everyday_spending

from detector.cli import cli


def _months(start: date, n: int, day: int) -> list[date]:
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, day) for i in range(n)]


def _scan(runner, db, statement, as_of):
    res = runner.invoke(cli, ["scan", statement, "--db", str(db), "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _of(doc, merchant):
    return sorted((s["frequency"], s["last_amount"], s["status"], s["next_date"], round(s["monthly_amount"], 2))
                  for s in doc["streams"] if s["merchant"] == merchant)


@pytest.fixture
def apple_card(tmp_path):
    start = date(2024, 11, 1)
    charges = everyday_spending(start, 26)
    charges += [(d, "APPLE.COM/BILL", "Shopping", 2.99) for d in _months(start, 6, 8)]
    charges += [(d, "APPLE.COM/BILL", "Shopping", 10.99) for d in _months(start, 6, 21)]
    charges += [(d, "NETFLIX.COM", "Entertainment", 15.49) for d in _months(start, 6, 12)]
    return chase_card(tmp_path / "Chase4821_Activity20250430.CSV", charges)


@pytest.mark.parametrize("as_of, apple", [
    # six weeks: iCloud billed twice, Apple Music once (no plan yet); not one "biweekly" 2.99-10.99
    # stream due on the 22nd, which neither plan bills on, at 12.31 a month
    ("2024-12-15", [("monthly", 2.99, "early", "2025-01-08", 2.99)]),
    # Apple Music's second charge: an early plan beside iCloud, as Netflix's second is (it was none)
    ("2025-01-10", [("monthly", 2.99, "active", "2025-02-08", 2.99),
                    ("monthly", 10.99, "early", "2025-01-21", 10.99)]),
    ("2025-01-25", [("monthly", 2.99, "active", "2025-02-08", 2.99),
                    ("monthly", 10.99, "active", "2025-02-21", 10.99)]),
    ("2025-04-30", [("monthly", 2.99, "active", "2025-05-08", 2.99),
                    ("monthly", 10.99, "active", "2025-05-21", 10.99)]),
])
def test_two_plans_billed_in_turn_under_one_descriptor_are_two_streams_at_any_length(runner, tmp_path,
                                                                                    apple_card, as_of, apple):
    doc = _scan(runner, tmp_path / "s.db", apple_card, as_of)
    assert _of(doc, "Apple") == apple
    ids = [s["stream_id"] for s in doc["streams"] if s["merchant"] == "Apple"]
    assert len(set(ids)) == len(ids)


def test_an_early_plan_billed_in_turn_with_another_counts_in_the_total(runner, tmp_path, apple_card):
    doc = _scan(runner, tmp_path / "s.db", apple_card, "2025-01-10")
    apple = sum(s["monthly_amount"] for s in doc["streams"] if s["merchant"] == "Apple" and s["counted"])
    assert round(apple, 2) == 13.98
    assert _of(doc, "Netflix") == [("monthly", 15.49, "early", "2025-01-12", 15.49)]


def _one_stream(runner, tmp_path, charges, as_of):
    start = date(2024, 11, 1)
    path = chase_card(tmp_path / "Chase5512_Activity20250430.CSV", everyday_spending(start, 26) + charges)
    return _scan(runner, tmp_path / "one.db", path, as_of)


def test_a_price_rise_inside_a_plan_stays_one_stream(runner, tmp_path):
    start = date(2024, 11, 1)
    charges = [(d, "Spotify USA", "Entertainment", 10.99 if i < 3 else 11.99)
               for i, d in enumerate(_months(start, 6, 3))]
    doc = _one_stream(runner, tmp_path, charges, "2025-04-30")
    assert [s[:3] for s in _of(doc, "Spotify")] == [("monthly", 11.99, "active")]


@pytest.mark.parametrize("as_of", ["2025-01-20", "2025-02-28"])
def test_a_trial_then_full_price_at_an_app_store_stays_one_stream(runner, tmp_path, as_of):
    start = date(2024, 11, 1)
    charges = [(d, "APPLE.COM/BILL", "Shopping", 0.99 if i == 0 else 9.99) for i, d in enumerate(_months(start, 4, 14))]
    doc = _one_stream(runner, tmp_path, charges, as_of)
    assert [s[:3] for s in _of(doc, "Apple")] == [("monthly", 9.99, "active")]


def test_tax_jitter_stays_one_stream(runner, tmp_path):
    start = date(2024, 11, 1)
    charges = [(d, "NETFLIX.COM", "Entertainment", (15.49, 15.52, 15.47)[i % 3])
               for i, d in enumerate(_months(start, 3, 12))]
    doc = _one_stream(runner, tmp_path, charges, "2025-01-31")
    assert [s[:3] for s in _of(doc, "Netflix")] == [("monthly", 15.47, "active")]


# Two plans at prices less than PRICE_STEP apart, each on a day of its own (working_frame._own_days):
# Apple plans at 9.99 on the 5th and 10.99 on the 20th, two months of them, were one "semimonthly"
# stream of 9.99-10.99 at 21.32 a month; with a third 9.99 the 10.99 plan was no stream at all.
@pytest.mark.parametrize("descriptor, merchant", [("APPLE.COM/BILL", "Apple"), ("Spotify USA", "Spotify")])
@pytest.mark.parametrize("as_of, plans", [
    ("2024-12-22", [("monthly", 9.99, "early", "2025-01-05", 9.99),
                    ("monthly", 10.99, "early", "2025-01-20", 10.99)]),
    ("2025-01-07", [("monthly", 9.99, "active", "2025-02-05", 9.99),
                    ("monthly", 10.99, "early", "2025-01-20", 10.99)]),
    ("2025-03-22", [("monthly", 9.99, "active", "2025-04-05", 9.99),
                    ("monthly", 10.99, "active", "2025-04-21", 10.99)]),
])
def test_two_plans_at_close_prices_on_days_of_their_own_are_two_streams(runner, tmp_path, descriptor, merchant,
                                                                       as_of, plans):
    start = date(2024, 11, 1)
    charges = [(d, descriptor, "Shopping", 9.99) for d in _months(start, 6, 5)]
    charges += [(d, descriptor, "Shopping", 10.99) for d in _months(start, 6, 20)]
    doc = _one_stream(runner, tmp_path, charges, as_of)
    assert _of(doc, merchant) == plans


def test_a_price_change_to_another_day_stays_one_stream(runner, tmp_path):
    # one price ending where the other starts is a price change, whatever its new day
    start = date(2024, 11, 1)
    charges = [(d, "Spotify USA", "Entertainment", 9.99) for d in _months(start, 3, 5)]
    charges += [(d, "Spotify USA", "Entertainment", 10.99) for d in _months(date(2025, 2, 1), 3, 20)]
    doc = _one_stream(runner, tmp_path, charges, "2025-04-25")
    assert [s[:3] for s in _of(doc, "Spotify")] == [("monthly", 10.99, "active")]
