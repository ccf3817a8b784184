"""The one rule of which charge a merchant's credit gave back (detector.given_back), read by the
flags (a flag's refunded_on) and the follow-up of a request opened by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from detector.given_back import REFUND_DAYS, credits_giving_back


def _charges(*rows):
    return pd.DataFrame(rows, columns=["transaction_id", "key", "day", "paid", "order"])


def _credits(*rows):
    return pd.DataFrame(rows, columns=["credit_id", "key", "credit_day", "back"])


def test_a_credit_gives_back_the_nearest_charge_before_it_the_later_of_two_on_a_day():
    charges = _charges(("jan", 1, 0, 9.99, 0), ("feb", 1, 30, 9.99, 1), ("feb-2", 1, 30, 9.99, 2),
                       ("later", 1, 40, 9.99, 3), ("other", 2, 35, 9.99, 4))
    given = credits_giving_back(charges, _credits(("c1", 1, 35, 9.99)))
    assert given.index.tolist() == ["feb-2"] and given.loc["feb-2", "gap"] == 5


def test_a_charge_two_credits_would_give_back_goes_to_the_nearer_and_of_one_day_to_the_lesser_id():
    charges = _charges(("a", 1, 0, 20.0, 0))
    assert credits_giving_back(charges, _credits(("c9", 1, 9, 20.0), ("c4", 1, 4, 20.0))).loc["a", "credit_id"] == "c4"
    assert credits_giving_back(charges, _credits(("c9", 1, 4, 20.0), ("c4", 1, 4, 20.0))).loc["a", "credit_id"] == "c4"


def test_a_credit_gives_back_nothing_before_or_too_long_after():
    charges = _charges(("a", 1, 10, 20.0, 0))
    credits = _credits(("early", 1, 9, 20.0), ("late", 1, 11 + REFUND_DAYS, 20.0))
    assert credits_giving_back(charges, credits).empty
    assert credits_giving_back(charges, _credits(("last", 1, 10 + REFUND_DAYS, 20.0))).index.tolist() == ["a"]


def test_the_one_percent_is_of_the_charge_for_flags_and_of_the_credit_for_a_request_opened_by_hand():
    charges = _charges(("a", 1, 0, 1.98, 0))
    credits = _credits(("c", 1, 3, 2.00))
    assert credits_giving_back(charges, credits).empty
    assert credits_giving_back(charges, credits, one_percent_of="credit").index.tolist() == ["a"]
    with pytest.raises(ValueError, match="one_percent_of"):
        credits_giving_back(charges, credits, one_percent_of="both")
