"""Which charge a merchant's credit gave back: the one rule the flags (a flag's ``refunded_on``)
and the refund follow-up (a request opened by hand, which no flag holds) both read.

A credit gives back one charge: the account's nearest charge of the same merchant before it (on
its day or up to :data:`REFUND_DAYS` earlier) of its amount, within a cent or 1% for a plan
billed in another currency, flagged or not; of two charges on one day, the later. A charge two
credits would give back is given back by the nearer one (of two on one day, the first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A credit from the merchant this many days after a flagged charge or sooner, of its amount,
#: gave the charge back (a card refund posts within days to weeks of the request).
REFUND_DAYS = 90


def gives_back(credit: pd.Series, paid: pd.Series) -> pd.Series:
    """A credit of ``credit`` gives back a charge of ``paid``: within a cent, or 1% for a plan
    billed in another currency."""
    return (credit - paid).abs() <= np.maximum(0.011, 0.01 * paid)


def credits_giving_back(charges: pd.DataFrame, credits: pd.DataFrame, *,
                        one_percent_of: str = "charge") -> pd.DataFrame:
    """The credit that gave back each charge it gave back (the module's rule), one row per such
    charge, indexed by its ``transaction_id``: the charge's and the credit's columns and ``gap``,
    the days from the charge to the credit.

    ``charges``: ``transaction_id, key, day, paid, order``; ``credits``: ``credit_id, key,
    credit_day, back``; either may carry more columns, returned as they are. ``key`` is the
    account and merchant (one value per pair), ``day`` and ``credit_day`` day numbers, ``paid``
    and ``back`` positive amounts; ``order`` puts two charges of one day in statement order (the
    greater is the later) and ``credit_id`` two credits of one day (the lesser is the first).

    ``one_percent_of`` is what the 1% is of: the ``"charge"`` (:func:`gives_back`: the flags) or
    the ``"credit"`` (a charge from the credit less its slack to the credit plus it, ends included:
    the follow-up of a request no flag holds, which has always read it so in SQL). The two differ
    only for amounts about 1% apart (a credit of 2.00 gives back a charge of 1.98 by the credit's
    reading, not by the charge's).
    """
    if one_percent_of not in ("charge", "credit"):
        raise ValueError(f"one_percent_of is 'charge' or 'credit', not {one_percent_of!r}")
    pairs = charges.merge(credits, on="key")
    gap = pairs["credit_day"] - pairs["day"]
    if one_percent_of == "charge":
        same = gives_back(pairs["back"], pairs["paid"])
    else:
        slack = np.maximum(0.011, 0.01 * pairs["back"])
        same = (pairs["paid"] >= pairs["back"] - slack) & (pairs["paid"] <= pairs["back"] + slack)
    # (gap filtered too: a column set on a frame with no rows would give it the column's rows)
    keep = (gap >= 0) & (gap <= REFUND_DAYS) & same
    pairs = pairs[keep].assign(gap=gap[keep])
    # each credit takes its nearest charge before it (the later of two on one day), and a charge
    # two credits would take goes to the nearer one
    pairs = pairs.sort_values(["credit_id", "gap", "order"], ascending=[True, True, False], kind="stable")
    pairs = pairs.drop_duplicates("credit_id").sort_values(["gap", "credit_id"], kind="stable")
    return pairs.drop_duplicates("transaction_id").set_index("transaction_id")
