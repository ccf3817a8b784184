"""Training labels from the generator's truth: positives, negatives and what is left out."""

from __future__ import annotations

import datetime as dt

import numpy as np
from test_recurrence import enriched, monthly_dates, series

from detector.scoring import RuleScorer
from detector.training import label_candidates

START = dt.date(2023, 1, 10)


def _labelled(rows, truth_ids):
    tx = enriched(rows)
    truth = {"streams": [{"account_id": "A1", "merchant": "x", "frequency": "monthly",
                          "transaction_ids": list(truth_ids(tx))}]}
    return tx, label_candidates(tx, truth, "2024-12-31", RuleScorer().fit())


def test_long_piece_of_a_stream_is_not_a_negative():
    """Eight charges before a price rise and sixteen after: the whole series (and the longer
    price, Jaccard 2/3) are positives; the eight-charge piece (Jaccard 1/3) is neither taught
    as a stream nor as a non-stream."""
    dates = monthly_dates(START, 24, day=10)
    rows = series("STREAMFLIX", dates, [9.99] * 8 + [12.99] * 16)
    _, (_, y, st) = _labelled(rows, lambda tx: tx["transaction_id"])
    n = st["n"].to_numpy()
    assert sorted(n[y == 1]) == [16, 24]
    assert not (n == 8).any()


def test_short_piece_and_unrelated_charges_stay_negatives():
    rng = np.random.default_rng(5)
    dates = monthly_dates(START, 14, day=10)
    # the trial month at another price is a short piece; groceries are no stream at all
    rows = series("STREAMFLIX", dates, [1.0, 1.0] + [15.49] * 12)
    rows += [("A1", START + dt.timedelta(days=int(d)), "KROGER", -float(np.round(rng.lognormal(4, 0.5), 2)))
             for d in rng.integers(0, 400, 60)]
    _, (_, y, st) = _labelled(rows, lambda tx: tx.loc[tx["description"] == "STREAMFLIX", "transaction_id"])
    assert y.sum() >= 1
    assert ((y == 0) & (st["n"].to_numpy() == 2)).any()  # the two-charge trial piece
    assert (y == 0).sum() >= 2
