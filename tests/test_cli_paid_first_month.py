"""A plan's paid first month at about half its price, then the full price (`subdetect scan` on a
Chase checking export), where the detector makes no plan of the intro month (twenty-sixth session).

Spotify at 4.99, then 10.99 a month later and again a month after that: three charges, no stream
holding the 4.99, and the first 10.99 was no `trial_conversion` (only a free or one-dollar line
outside every stream was a trial). At a catalogue vendor that sells nothing but its plans there
is no app or order the 4.99 could be. And at an app store, where a plan's own first charge a
month before the full price counts when it is about half of it (40% to 55%), 1.99 before 4.99
is 40% of a 5.00 plan in list prices: it counts too."""

from __future__ import annotations

from datetime import date

import pytest
from _statement_files import month_dates, scan_chase_checking


def _netflix():
    return [(d, "NETFLIX.COM", -15.49) for d in month_dates(date(2024, 6, 3), 19)]


def _trials(doc, merchant=None):
    return [(f["date"], f["amount"], f["reason"]) for f in doc["flags"]
            if f["type"] == "trial_conversion" and (merchant is None or f["merchant"] == merchant)]


def _spotify(name="SPOTIFY USA", intro=4.99, intro_on=date(2024, 8, 29), monthly=(date(2024, 9, 29), date(2024, 10, 29))):
    # a month at 4.99, two at 10.99, then a switch to yearly billing (119.99 a year): the three
    # monthly charges are no plan of their own, the yearly ones are
    return ([(intro_on, name, -intro)] + [(d, name, -10.99) for d in monthly]
            + [(date(2024, 12, 1), name, -119.99), (date(2025, 12, 1), name, -119.99)])


def test_a_half_price_first_month_at_a_plan_seller_is_an_intro_price(runner, tmp_path):
    doc = scan_chase_checking(runner, tmp_path, _netflix() + _spotify(), "2025-12-20")
    assert [(d, a) for d, a, _ in _trials(doc)] == [("2024-09-29", 10.99)]
    assert "after an introductory price of 4.99 starting 2024-08-29" in _trials(doc)[0][2]


@pytest.mark.parametrize("case", ["no next bill", "two months before", "a quarter of the price",
                                  "a merchant the catalogue does not know", "paid before"])
def test_near_misses_of_a_paid_first_month_raise_no_conversion(runner, tmp_path, case):
    kw, extra = {}, []
    if case == "no next bill":  # one 10.99 only: as likely a one-off
        kw["monthly"] = (date(2024, 9, 29),)
    elif case == "two months before":  # not the month before the full price
        kw["intro_on"] = date(2024, 7, 29)
    elif case == "a quarter of the price":  # no half-price offer
        kw["intro"] = 2.99
    elif case == "a merchant the catalogue does not know":  # may sell a small plan, then a bigger one
        kw["name"] = "HARBOR PILATES STUDIO"
    else:  # the full price paid in the year before: a plan already known, the 4.99 something else
        extra = [(date(2024, 6, 20), "SPOTIFY USA", -10.99)]
    doc = scan_chase_checking(runner, tmp_path, _netflix() + extra + _spotify(**kw), "2025-12-20")
    assert _trials(doc) == []


def test_a_cheap_charge_where_the_account_buys_other_things_is_no_intro_price(runner, tmp_path):
    # a creator's page: 4.99, then 12.00 a month, but tips of 5.00 and 20.00 around them too
    rows = _spotify(name="ONLYFANS.COM", intro=4.99) + [(date(2024, 9, 12), "ONLYFANS.COM", -5.00),
                                                        (date(2024, 10, 14), "ONLYFANS.COM", -20.00)]
    doc = scan_chase_checking(runner, tmp_path, _netflix() + rows, "2025-12-20")
    assert _trials(doc) == []
    # without the tips it is the plan's intro month
    (tmp_path / "plain").mkdir()
    doc = scan_chase_checking(runner, tmp_path / "plain", _netflix() + _spotify(name="ONLYFANS.COM"), "2025-12-20")
    assert [(d, a) for d, a, _ in _trials(doc)] == [("2024-09-29", 10.99)]


def _app_store(first: float):
    apps = [(date(2025, 2, 14), "APPLE.COM/BILL", -2.99), (date(2025, 3, 21), "APPLE.COM/BILL", -6.99),
            (date(2025, 6, 27), "APPLE.COM/BILL", -0.99)]
    plan = [(d, "APPLE.COM/BILL", -(first if i == 0 else 4.99)) for i, d in enumerate(month_dates(date(2025, 3, 5), 6))]
    return [(d, "NETFLIX.COM", -15.49) for d in month_dates(date(2025, 1, 3), 12)] + apps + plan


def test_at_an_app_store_one_99_before_four_99_is_a_half_price_first_month(runner, tmp_path):
    doc = scan_chase_checking(runner, tmp_path, _app_store(1.99), "2025-08-20")
    assert [(d, a) for d, a, _ in _trials(doc)] == [("2025-04-05", 4.99)]
    assert "after an introductory price of 1.99 starting 2025-03-05" in _trials(doc)[0][2]


def test_at_an_app_store_a_cheaper_first_charge_is_still_an_app(runner, tmp_path):
    # 1.49 is 30% of 4.99: an app bought that day as likely as an offer
    doc = scan_chase_checking(runner, tmp_path, _app_store(1.49), "2025-08-20")
    assert _trials(doc) == []

