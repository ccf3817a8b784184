"""Training labels from the generator's truth: positives, negatives and what is left out."""

from __future__ import annotations

import datetime as dt

import numpy as np
from test_recurrence import enriched, monthly_dates, series

from detector.schema import FREQUENCIES
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


def test_group_mixing_a_stream_with_other_charges_is_not_a_positive():
    """Twenty repayments on paydays, a five-month fee and five loose charges under one name:
    the whole group overlaps the repayments with Jaccard 2/3 but a third of it is something
    else, so it is no positive; the repayments' own amount cluster is."""
    rng = np.random.default_rng(3)
    repay_dates = sorted(monthly_dates(START, 10, day=1) + monthly_dates(START, 10, day=15))
    rows = series("LENDAPP", repay_dates, 95.99) + series("LENDAPP", monthly_dates(START, 5, day=20), 9.99)
    rows += [("A1", START + dt.timedelta(days=int(d)), "LENDAPP", -float(a))
             for d, a in zip(rng.integers(0, 290, 5), (23.5, 41.2, 17.8, 60.0, 33.3))]
    tx = enriched(rows)
    truth = {"streams": [{"account_id": "A1", "merchant": "x", "frequency": "semimonthly",
                          "transaction_ids": list(tx["transaction_id"].iloc[:20])}]}
    _, y, st = label_candidates(tx, truth, "2024-12-31", RuleScorer().fit())
    n = st["n"].to_numpy()
    assert (y[n == 30] == 0).all() and (n == 30).any()
    assert (y[n == 20] == 1).any()


def test_short_gappy_piece_of_a_stream_is_not_a_negative():
    """Four charges at the old price with a skipped month, then ten at the new one: the
    four-charge piece (Jaccard 4/14) is left out of training. As a negative it taught that a
    short clean series sharing its merchant with other charges is no stream (a finance app's
    fee beside its advance repayments)."""
    dates = monthly_dates(START, 15, day=10)
    dates = dates[:2] + dates[3:]  # month three skipped
    rows = series("STREAMFLIX", dates, [9.99] * 4 + [12.99] * 10)
    _, (_, y, st) = _labelled(rows, lambda tx: tx["transaction_id"])
    n = st["n"].to_numpy()
    assert (y[n == 14] == 1).any()
    assert not ((n == 4) & (y == 0)).any()


def test_piece_at_another_cadence_stays_a_negative():
    """A monthly bill whose every third charge is higher: the four higher charges are a
    quarterly-looking cut of a monthly stream, which is what a wrong cut looks like, so they
    stay a negative (taught otherwise, the model called pieces of phone bills quarterly)."""
    dates = monthly_dates(START, 12, day=10)
    amounts = [24.99 if i % 3 == 2 else 9.99 for i in range(12)]
    rows = series("STREAMFLIX", dates, amounts)
    _, (_, y, st) = _labelled(rows, lambda tx: tx["transaction_id"])
    quarterly = (st["n"].to_numpy() == 4) & (st["freq_idx"].to_numpy() == FREQUENCIES.index("quarterly"))
    assert quarterly.any()
    assert (y[quarterly] == 0).all()


def test_bank_event_fees_teach_nothing():
    """An overdraft fee charged twice a year apart at one price is never scored (a bank's
    charge for an event has confidence 0 whatever the model says), so it is no training row;
    as a negative it made the model doubt two-charge yearly plans."""
    rows = series("OVERDRAFT ITEM FEE", [START, START + dt.timedelta(days=361)], 36.68)
    rows += series("DOMAINREG RENEWAL", [START, START + dt.timedelta(days=359)], 35.99)
    _, (_, y, st) = _labelled(rows, lambda tx: tx.loc[tx["description"] != "OVERDRAFT ITEM FEE",
                                                       "transaction_id"])
    assert len(st) >= 1 and (y == 1).all()  # the renewal's two charges only, as a positive
