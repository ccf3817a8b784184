"""trial_conversion rules about the merchant's other charges, paused streams and trial lines
outside any stream, with the near misses that must stay quiet."""

from __future__ import annotations

from tests.flagkit import Book
from tests.test_flags import flags_of, of_type


def conversions(b: Book) -> list[str]:
    return of_type(flags_of(b), "trial_conversion")


# -- the merchant's other charges -------------------------------------------------------------


def test_a_099_charge_outside_the_stream_is_an_app_not_a_trial():
    # Apps cost 0.99; a trial line is free or a dollar. A 1.00 line before the plan stays a trial.
    b = Book()
    b.charge("2025-05-22", 0.99, "Apple")
    b.stream(b.series("2025-06-03", 5, 9.99, merchant="Apple"))
    assert conversions(b) == []
    b = Book()
    b.charge("2025-05-22", 1.00, "Apple")
    ids = b.series("2025-06-03", 5, 9.99, merchant="Apple")
    b.stream(ids)
    assert conversions(b) == [ids[0]]


def test_an_earlier_purchase_at_another_price_does_not_block_an_intro_price():
    # A 49.99 app bought in the spring says nothing about the plan: its 4.99 intro month, then
    # 10.99, is a conversion. A charge at the plan's own price before is the plan paid before.
    b = Book()
    b.charge("2025-03-10", 49.99, "Apple")
    ids = b.series("2025-06-05", 5, [4.99, 10.99, 10.99, 10.99, 10.99], merchant="Apple")
    b.stream(ids)
    assert conversions(b) == [ids[1]]
    b = Book()
    b.charge("2025-03-10", 10.99, "Apple")
    ids = b.series("2025-06-05", 5, [4.99, 10.99, 10.99, 10.99, 10.99], merchant="Apple")
    b.stream(ids)
    assert conversions(b) == []


def test_apps_bought_earlier_in_the_year_make_the_merchant_a_shop():
    # Apps at two prices five and seven months before the plan: the account buys apps there, so
    # a 0.99 first "month" is as likely an app as a trial (only a free or 1.00 line is a trial).
    b = Book()
    b.charge("2024-06-10", 2.99, "Apple")
    b.charge("2024-08-02", 6.99, "Apple")
    ids = b.series("2025-01-20", 5, [0.99, 9.99, 9.99, 9.99, 9.99], merchant="Apple")
    b.stream(ids)
    assert conversions(b) == []
    # Purchases more than a year before say nothing about it.
    b = Book()
    b.charge("2023-06-10", 2.99, "Apple")
    b.charge("2023-08-02", 6.99, "Apple")
    ids = b.series("2025-01-20", 5, [0.99, 9.99, 9.99, 9.99, 9.99], merchant="Apple")
    b.stream(ids)
    assert conversions(b) == [ids[1]]


# -- paused streams ---------------------------------------------------------------------------


def test_a_plan_taken_up_again_at_an_intro_price_converts_again():
    # Four months at 16.99, fourteen months of nothing, then a win-back offer: 6.99, then 14.99.
    b = Book()
    old = b.series("2023-01-03", 4, 16.99, merchant="Apple")
    new = b.series("2024-06-17", 5, [6.99, 14.99, 14.99, 14.99, 14.99], merchant="Apple")
    b.stream(old + new)
    assert conversions(b) == [new[1]]


def test_an_order_merged_into_the_stream_months_before_it_is_not_the_plans_first_charge():
    # The detector put a 68.48 order from January at the head of a Prime stream that began in
    # August at 6.99: the conversion is the first 14.99.
    b = Book()
    order = b.charge("2024-01-03", 68.48, "Amazon")
    ids = b.series("2024-08-25", 5, [6.99, 14.99, 14.99, 14.99, 14.99], merchant="Amazon")
    b.stream([order] + ids)
    assert conversions(b) == [ids[1]]


def test_an_intro_price_billed_for_two_months_at_once_is_not_a_pause():
    # 6.99 for the first two months in one charge, then 13.99 monthly: the two months without a
    # charge are the intro's, not a pause, so the 6.99 is still this plan's intro price.
    b = Book()
    ids = [b.charge("2024-08-06", 6.99, "YouTube Premium")] + b.series("2024-10-06", 5, 13.99,
                                                                       merchant="YouTube Premium")
    b.stream(ids)
    assert conversions(b) == [ids[1]]
