"""Which charge a merchant's credit gave back: the one rule the flags (a flag's ``refunded_on``)
and the refund follow-up (a request opened by hand, which no flag holds) both read.

A credit gives back one charge: the account's nearest charge of the same merchant before it (on
its day or up to :data:`REFUND_DAYS` earlier) of its amount, within a cent or 1% for a plan
billed in another currency, flagged or not; of two charges on one day, the later. A charge two
credits would give back is given back by the nearer one (of two on one day, the first).

The 1% is of the charge (:func:`amount_slack`, :func:`gives_back`), for the flags and the
follow-up alike: a credit of 2.00 does not give back a charge of 1.98 (1% of 1.98 is under two
cents), while a credit of 99.00 gives back a charge of 100.00. Until the twenty-fourth session
the follow-up of a request opened by hand read it of the credit, so a credit of 200.00 gave back
a 198.00 charge there and the licence of 200.00 the request disputed stayed Pending, while the
flags (their ``refunded_on``) read the credit as the licence's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A credit from the merchant this many days after a flagged charge or sooner, of its amount,
#: gave the charge back (a card refund posts within days to weeks of the request).
REFUND_DAYS = 90


def amount_slack(paid):
    """How far an amount may be from a charge of ``paid`` (positive) and still be its amount: a
    cent, or 1% of the charge for a plan billed in another currency. A number or an array."""
    return np.maximum(0.011, 0.01 * paid)


def gives_back(credit: pd.Series, paid: pd.Series) -> pd.Series:
    """A credit of ``credit`` gives back a charge of ``paid``: within :func:`amount_slack` of it."""
    return (credit - paid).abs() <= amount_slack(paid)


def credits_giving_back(charges: pd.DataFrame, credits: pd.DataFrame) -> pd.DataFrame:
    """The credit that gave back each charge it gave back (the module's rule), one row per such
    charge, indexed by its ``transaction_id``: the charge's and the credit's columns and ``gap``,
    the days from the charge to the credit.

    ``charges``: ``transaction_id, key, day, paid, order``; ``credits``: ``credit_id, key,
    credit_day, back``; either may carry more columns, returned as they are. ``key`` is the
    account and merchant (one value per pair), ``day`` and ``credit_day`` day numbers, ``paid``
    and ``back`` positive amounts; ``order`` puts two charges of one day in statement order (the
    greater is the later) and ``credit_id`` two credits of one day (the lesser is the first).
    The amounts match by :func:`gives_back` (the 1% is of the charge).
    """
    pairs = charges.merge(credits, on="key")
    gap = pairs["credit_day"] - pairs["day"]
    same = gives_back(pairs["back"], pairs["paid"])
    # (gap filtered too: a column set on a frame with no rows would give it the column's rows)
    keep = (gap >= 0) & (gap <= REFUND_DAYS) & same
    pairs = pairs[keep].assign(gap=gap[keep])
    # each credit takes its nearest charge before it (the later of two on one day), and a charge
    # two credits would take goes to the nearer one
    pairs = pairs.sort_values(["credit_id", "gap", "order"], ascending=[True, True, False], kind="stable")
    pairs = pairs.drop_duplicates("credit_id").sort_values(["gap", "credit_id"], kind="stable")
    return pairs.drop_duplicates("transaction_id").set_index("transaction_id")
