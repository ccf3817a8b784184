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


def test_the_one_percent_is_of_the_charge_for_flags_and_for_a_request_opened_by_hand_alike():
    # (twenty-fourth session: the follow-up of a request opened by hand read it of the credit,
    # `one_percent_of="credit"`, and a credit of 2.00 gave back a charge of 1.98 there alone)
    charges = _charges(("a", 1, 0, 1.98, 0))
    credits = _credits(("c", 1, 3, 2.00))
    assert credits_giving_back(charges, credits).empty
    assert credits_giving_back(_charges(("a", 1, 0, 100.0, 0)), _credits(("c", 1, 3, 99.0))).index.tolist() == ["a"]
    assert credits_giving_back(_charges(("a", 1, 0, 198.0, 0)), _credits(("c", 1, 3, 200.0))).empty
    with pytest.raises(TypeError):
        credits_giving_back(charges, credits, one_percent_of="credit")


def test_a_credit_about_one_percent_off_a_nearer_charge_gives_back_the_earlier_charge_of_its_amount():
    # 200.00 is 1% of the credit off 198.00, but more than 1% of that charge: the nearer charge is
    # not of the credit's amount, the earlier one is
    charges = _charges(("licence", 1, 0, 200.0, 0), ("renewal", 1, 15, 198.0, 1))
    assert credits_giving_back(charges, _credits(("c", 1, 27, 200.0))).index.tolist() == ["licence"]
