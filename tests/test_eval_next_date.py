"""The next-date measurement: errors against the true stream's next charge after each cut."""

from __future__ import annotations

import pandas as pd

from detector.match import enrich
from pipelines.eval_next_date import next_date_errors, summarise


def _month_end_plan() -> tuple[pd.DataFrame, dict]:
    # billed at each month's end, posted on the 1st when the end falls on a weekend
    days = ["2024-01-31", "2024-02-29", "2024-04-01", "2024-04-30", "2024-05-31", "2024-07-01",
            "2024-07-31", "2024-08-30", "2024-10-01", "2024-10-31"]
    tx = pd.DataFrame({"account_id": "a", "transaction_id": [f"t{i}" for i in range(len(days))], "date": days,
                       "description": "NETFLIX.COM 866-579-7172 CA", "amount": -15.49})
    truth = {"streams": [{"account_id": "a", "merchant": "Netflix", "frequency": "monthly",
                          "transaction_ids": list(tx["transaction_id"])}]}
    return enrich(tx), truth


def test_a_month_end_plan_is_predicted_at_the_next_month_end():
    tx, truth = _month_end_plan()
    # cut 2024-07-03 (after the 1 July posting): next true charge 2024-07-31
    errors = next_date_errors(tx, truth, cuts=[120])
    assert list(errors["frequency"]) == ["monthly"]
    assert errors["error_days"].iloc[0] <= 1
    summary = summarise(errors)
    assert summary["n"] == 1 and summary["within_3d"] == 1.0
    assert summary["by_frequency"]["monthly"]["within_7d"] == 1.0


def test_charges_in_no_true_stream_are_not_scored():
    tx, _ = _month_end_plan()
    assert next_date_errors(tx, {"streams": []}, cuts=[120]).empty
