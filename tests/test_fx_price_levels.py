"""A plan priced in another currency on a statement that gives no original amount costs its
current price after a price rise, not a blend of its last year's old and new prices; a utility's
and a usage bill's monthly cost is still their last year's charges over twelve months (known
limit of round forty-two: only a statement with an original amount column was read so)."""

from __future__ import annotations

import json
from datetime import date

from detector.cli import cli

ACCOUNT = "20-32-06 13152170"
#: The pound's move against the dollar from one month to the next, by turns (within 2%).
RATE_MOVES = [0.0, 0.02, -0.015, 0.01, -0.02, 0.015]


def _month(k: int, day: int) -> date:
    """The ``day`` of the ``k``-th month from July 2023."""
    return date(2023 + (6 + k) // 12, (6 + k) % 12 + 1, day)


def _barclays(path, rows) -> str:
    """A Barclays UK export (no original amount column): Number,Date,Account,Amount,Subcategory,Memo."""
    lines = ["Number,Date,Account,Amount,Subcategory,Memo"]
    lines += [f",{d:%d/%m/%Y},{ACCOUNT},{-a:.2f},{kind},{memo}" for d, memo, a, kind in sorted(rows)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _scan(runner, tmp_path, rows) -> dict:
    result = runner.invoke(cli, ["scan", _barclays(tmp_path / "statement.csv", rows), "--db", str(tmp_path / "s.db"),
                                 "--as-of", "2025-06-20", "--format", "json"])
    assert result.exit_code == 0, result.output
    return {s["merchant"]: s for s in json.loads(result.stdout)["streams"]}


def test_a_plan_billed_in_dollars_costs_its_new_price_without_an_original_amount(runner, tmp_path):
    # Medium at 5.00 USD a month, 6.00 USD from the last five; the card shows pounds only
    medium = [(_month(k, 9), "MEDIUM.COM SAN FRANCISCO CA", round((6.0 if k >= 19 else 5.0) * 0.78
                                                                   * (1 + RATE_MOVES[k % 6]), 2), "Card Payment")
              for k in range(24)]
    s = _scan(runner, tmp_path, medium)["Medium"]
    new = [a for _, _, a, _ in medium[-3:]]
    assert s["frequency"] == "monthly" and s["last_year_total"] is None
    # its current price: the mean of its last three at 6.00 USD, not a year mostly at 5.00 USD
    assert s["next_amount"] == round(sum(new) / 3, 2) and s["monthly_amount"] == s["next_amount"]
    assert s["monthly_amount"] > 6.0 * 0.78 * 0.97


def test_a_utilitys_and_a_usage_bills_year_is_still_their_cost(runner, tmp_path):
    # a water bill that moves a little each month and stepped up with April's tariff, and a usage
    # bill (AWS) that grew with the workload: their amounts could pass for a dollar plan's, but a
    # bill by its name, a utility's or a usage vendor's, costs what its year came to
    water = [(_month(k, 2), "THAMES WATER DD", round((24.0 if k >= 21 else 21.0) * (1 + RATE_MOVES[k % 6]), 2),
              "Direct Debit") for k in range(24)]
    aws = [(_month(k, 3), "AWS EMEA aws.amazon.co.uk LU", round((60.0 if k >= 20 else 52.0) * (1 + RATE_MOVES[k % 6]), 2),
            "Card Payment") for k in range(24)]
    # a seasonal gas bill, dear in winter
    gas = [(_month(k, 5), "BRITISH GAS", round((140.0 if _month(k, 5).month in (11, 12, 1, 2, 3) else 45.0)
                                              * (1 + RATE_MOVES[k % 6]), 2), "Direct Debit") for k in range(24)]
    streams = _scan(runner, tmp_path, water + aws + gas)
    for word, rows in (("Thames Water", water), ("Amazon Web Services", aws), ("British Gas", gas)):
        (s,) = [v for k, v in streams.items() if k.startswith(word)]
        year = round(sum(a for _, _, a, _ in rows[-12:]), 2)
        assert s["last_year_total"] == year and abs(s["monthly_amount"] - year / 12) <= 0.005, word
