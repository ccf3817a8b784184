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


def test_at_a_shop_a_half_price_first_month_of_the_plan_is_an_intro_price():
    # Apps at several prices around it make Apple a shop; the plan's own first charge, 4.99 a
    # month before 10.99, is still its intro month. A cheaper head (1.99: an app bought that
    # day) or one billed two months before is not.
    def book(head: float, months_before: int = 1):
        b = Book()
        for date, amount in (("2025-03-02", 2.99), ("2025-04-18", 6.99), ("2025-07-09", 0.99)):
            b.charge(date, amount, "Apple")
        intro = b.charge(f"2025-{6 - months_before:02d}-05", head, "Apple")
        ids = b.series("2025-06-05", 4, 10.99, merchant="Apple")
        b.stream([intro, *ids])
        return b, ids

    b, ids = book(4.99)
    assert conversions(b) == [ids[0]]
    for b, _ in (book(1.99), book(4.99, months_before=2)):
        assert conversions(b) == []


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


# -- trial lines outside any stream -----------------------------------------------------------


def _book() -> Book:
    b = Book()
    b.stream(b.series("2025-01-05", 6, 15.49, merchant="Netflix"))  # the account's other plan
    return b


def _orders(b: Book) -> None:
    for date, amount in (("2025-01-04", 23.05), ("2025-02-11", 46.65), ("2025-03-19", 17.51),
                         ("2025-04-08", 31.20), ("2025-04-21", 12.87)):
        b.charge(date, amount, "Amazon")


def test_a_dollar_trial_then_a_monthly_price_outside_any_stream_is_a_conversion():
    # Prime's 1.00 month among a marketplace's orders, then 14.99 twice: too few charges for a
    # stream, but a plan (the same price to the cent a month apart) that left its trial.
    b = _book()
    _orders(b)
    b.charge("2025-04-02", 1.00, "Amazon")
    first = b.charge("2025-05-02", 14.99, "Amazon")
    b.charge("2025-06-01", 14.99, "Amazon")
    f = flags_of(b)
    assert of_type(f, "trial_conversion") == [first]
    assert "1.00 trial starting 2025-04-02" in f.loc[f["transaction_id"] == first, "reason"].iloc[0]


def test_no_conversion_after_a_trial_line_without_a_plan_after_it():
    # An order after the line that is not billed again a month later at its price is an order.
    b = _book()
    _orders(b)
    b.charge("2025-04-02", 1.00, "Amazon")
    b.charge("2025-05-02", 14.99, "Amazon")
    b.charge("2025-06-01", 14.87, "Amazon")
    assert conversions(b) == []


def test_a_recurring_dollar_is_a_fee_not_a_trial():
    # A finance app's 1.00 membership every month, and its advance repaid at one amount twice.
    b = _book()
    for month in ("2025-01-02", "2025-02-02", "2025-03-02", "2025-04-02"):
        b.charge(month, 1.00, "Cleo")
    b.charge("2025-02-15", 118.49, "Cleo")
    b.charge("2025-03-15", 118.49, "Cleo")
    assert conversions(b) == []


def test_a_price_paid_before_the_trial_line_is_a_running_plan():
    # 9.99 was billed in the winter already: the 1.00 line in spring is another plan's.
    b = _book()
    b.charge("2025-01-05", 9.99, "Google Play")
    b.charge("2025-04-02", 1.00, "Google Play")
    b.charge("2025-05-02", 9.99, "Google Play")
    b.charge("2025-06-01", 9.99, "Google Play")
    assert conversions(b) == []


def test_a_charge_the_day_after_a_dollar_line_is_no_trial_ending():
    # A trial lasts a week or more: 49.57 the day after a 1.00 line (a cash advance and its
    # fee) is no conversion even if repaid at that amount a month later.
    b = _book()
    b.charge("2025-04-02", 1.00, "SoFi")
    b.charge("2025-04-03", 49.57, "SoFi")
    b.charge("2025-05-03", 49.57, "SoFi")
    assert conversions(b) == []


def test_a_price_paid_for_most_of_a_year_then_an_upgrade_is_no_conversion():
    # Netflix 6.99 for nine months, then 15.49 after the person changed plan: the price they
    # chose, not an offer ending (round-three audit: a thirteen-charge intro called it one)
    b = Book()
    b.stream(b.series("2024-01-10", 14, [6.99] * 9 + [15.49] * 5, merchant="Netflix"))
    assert conversions(b) == []
