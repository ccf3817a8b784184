"""The flag rules' dollar amounts in other currencies (detector/money.py), and amounts written
without decimals in a currency that has none (audits: a 480 JPY coffee bought
twice on a day was a double charge, a 100 JPY first month no trial, reasons said "¥1500.00")."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from detector.flags import flag_charges
from detector.money import figure, format_money, scale, scales, to_cents
from detector.price_flags import price_before
from detector.recurrence import detect_streams
from detector.report import render_scan
from tests.flagkit import Book
from tests.test_recurrence import enriched, series

AS_OF = "2025-12-31"


def flags(book: Book, as_of: str = AS_OF) -> pd.DataFrame:
    return flag_charges(book.tx, book.stream_frame, as_of=as_of)


def of_type(f: pd.DataFrame, ftype: str) -> pd.DataFrame:
    return f[f["type"] == ftype]


def test_amounts_in_cents_round_half_to_even_as_every_old_copy_did():
    # one conversion for price chains, transfers, overlapping statements, reused ids and the
    # spending rules: each rounded amount * 100 half to even (np.rint, Python's round, pandas' round)
    amounts = [0.125, 0.135, 1.005, 2.675, -2.675, 19.99, -0.005, 0.0, 1234.565, 10.0 / 3]
    got = to_cents(pd.Series(amounts))
    assert got.dtype == np.int64
    assert list(got) == [round(a * 100) for a in amounts] == list((pd.Series(amounts) * 100).round())
    assert list(to_cents(np.array(amounts), absolute=True)) == [round(abs(a) * 100) for a in amounts]
    assert list(to_cents([-12.5, 12.5], absolute=True)) == [1250, 1250]
    assert int(to_cents(12.345)) == round(12.345 * 100) and isinstance(to_cents(-0.99), np.integer)
    assert len(to_cents(())) == 0
    # an imported column may hold text or nothing: <NA> there, with ``missing``
    held = to_cents(pd.Series(["1.5", "x", None, np.nan, -2.675], dtype=object), missing=True)
    assert str(held.dtype) == "Int64"
    assert held.isna().tolist() == [False, True, True, True, False] and [held[0], held[4]] == [150, -268]


def test_a_dollar_in_other_currencies():
    assert [scale(c) for c in ("USD", "EUR", "GBP", "CHF", "CAD", "AUD")] == [1.0] * 6
    assert [scale(c) for c in ("JPY", "KRW", "HUF", "CZK", "ISK", "INR", "SEK")] == [100, 1000, 200, 20, 100, 50, 10]
    assert scale("jpy") == 100 and scale("XXX") == 1 and scale(None) == 1
    assert list(scales(pd.Series(["JPY", None, "USD", "KRW"]))) == [100, 1, 1, 1000]
    assert (figure(1500, "JPY"), figure(1234.5, "USD"), figure(1234.5, None)) == ("1,500", "1,234.50", "1,234.50")
    # a text column of any kind, coded in Arrow or as objects, gives each row its own code's figures
    from detector.money import places

    values = ["JPY", None, " usd", "krw", "", "XXX", "JPY"]
    for dtype in ("str", "string", object):
        column = pd.Series(values, dtype=dtype)
        assert list(scales(column)) == [scale(v) for v in values]
        assert list(places(column)) == [0, 2, 2, 0, 2, 2, 0]
    assert (format_money(1500, "JPY"), format_money(8.99, "GBP"), format_money(1200, "KRW")) == \
        ("¥1500", "£8.99", "1200 KRW")


def _weekly_with_a_same_day_repeat(currency: str, price: float, merchant: str) -> tuple[Book, str]:
    """A weekly stream at a merchant no catalogue vendor names, twenty charges of ``price`` in
    ``currency``, one of them charged twice on its day; returns the book and the repeat's id."""
    b = Book(currency=currency)
    ids = b.series("2025-01-04", 20, price, merchant=merchant, days=7)
    extra = b.charge(b.rows[10]["date"], price, merchant)
    b.stream(ids + [extra], frequency="weekly")
    b.streams[-1]["vendor"] = None
    b.rows = [dict(r, vendor=None) for r in b.rows]
    return b, extra


@pytest.mark.parametrize("currency, coffee", [("JPY", 480), ("KRW", 4500), ("HUF", 890), ("ISK", 650),
                                              ("INR", 250), ("CZK", 85), ("USD", 4.80)])
def test_a_second_coffee_in_any_currency_is_a_purchase_not_a_double_charge(currency, coffee):
    # a weekly coffee shop's same-day repeat up to SMALL_PURCHASE (20.00 in dollars) is one more
    # coffee: in yen that is 2,000, and a 480 JPY coffee is under it
    b, _ = _weekly_with_a_same_day_repeat(currency, coffee, "Corner Cup")
    assert of_type(flags(b), "duplicate_charge").empty


def test_a_weekly_charge_above_a_small_purchase_in_its_currency_is_still_a_double_charge():
    # 480 dollars twice on one day is no coffee, nor is a 12,000 JPY weekly cleaner's fee
    for currency, price in (("USD", 480.0), ("JPY", 12000.0)):
        b, extra = _weekly_with_a_same_day_repeat(currency, price, "Sparkle Cleaning")
        assert list(of_type(flags(b), "duplicate_charge")["transaction_id"]) == [extra], currency


def test_a_monthly_plans_double_charge_in_yen_is_written_without_decimals():
    b = Book(currency="JPY")
    ids = b.series("2025-01-05", 6, 1490, merchant="Netflix")
    extra = b.charge("2025-03-06", 1490, "Netflix")
    b.stream(ids + [extra])
    dup = of_type(flags(b), "duplicate_charge")
    assert list(dup["transaction_id"]) == [extra]
    assert dup.iloc[0]["reason"].startswith("Netflix charged 1,490 on 2025-03-06, 1 day after an identical charge")


@pytest.mark.parametrize("currency, line, price", [("JPY", 100, 1490), ("KRW", 1000, 13500), ("USD", 1.00, 14.90)])
def test_a_one_dollar_first_month_in_its_currency_is_a_trial(currency, line, price):
    # a lone 100 JPY line (the "1.00 trial" of a yen account) and then the plan's price every month
    b = Book(currency=currency)
    trial = b.charge("2025-01-05", line, "Netflix")
    ids = b.series("2025-02-05", 5, price, merchant="Netflix")
    b.stream(ids)
    conv = of_type(flags(b), "trial_conversion")
    assert list(conv["transaction_id"]) == [ids[0]] and trial not in set(conv["transaction_id"])
    written = figure(line, currency)
    assert f"after a {written} trial starting 2025-01-05" in conv.iloc[0]["reason"]
    # medium: 1,490 JPY is about ten dollars, not over the 50.00 of a high one
    assert conv.iloc[0]["severity"] == "medium"


def test_a_plan_after_a_trial_line_just_before_the_data_ends_is_a_conversion_in_yen_too():
    # the price of a monthly plan (MAX_MONTHLY_PLAN_PRICE, 100.00) is 10,000 in yen: a 1,490 JPY
    # plan charged after its 100 JPY line, ten days before the statement ends, is no bike
    b = Book(currency="JPY")
    b.charge("2025-11-20", 100, "Netflix")
    paid = b.charge("2025-12-21", 1490, "Netflix")
    assert list(of_type(flags(b), "trial_conversion")["transaction_id"]) == [paid]
    b = Book(currency="JPY")
    b.charge("2025-11-20", 100, "Netflix")
    b.charge("2025-12-21", 149000, "Netflix")
    assert of_type(flags(b), "trial_conversion").empty


def test_severity_thresholds_count_in_the_currency():
    # a 5,900 JPY yearly plan (about 40 dollars) renews at medium, a 29,800 JPY one at high
    for price, severity in ((5900, "medium"), (29800, "high")):
        b = Book(currency="JPY")
        b.stream(b.series("2023-01-10", 3, price, merchant="Adobe", months=12), frequency="annual")
        ren = of_type(flag_charges(b.tx, b.stream_frame, as_of=AS_OF, renewal_before_data=False), "annual_renewal")
        assert list(ren["severity"]) == [severity] * 2
        assert f"for {figure(price, 'JPY')} on 2024-01-10 (previous charge {figure(price, 'JPY')} on 2023-01-10" \
            in ren.iloc[0]["reason"]


def test_a_price_increase_in_yen_names_both_prices_without_decimals():
    b = Book(currency="JPY")
    b.stream(b.series("2024-01-15", 12, [1490] * 8 + [1990] * 4, merchant="Netflix"))
    rise = of_type(flags(b), "price_increase")
    assert len(rise) == 1
    reason = rise.iloc[0]["reason"]
    assert reason.startswith("Netflix charged 1,990 on 2024-09-15, up 34% from 1,490 (steady since 2024-01-15")
    assert price_before(reason) == 1490.0  # (the refund asks back the 500 JPY difference)
    assert price_before("Netflix charged 17.99 on 2025-01-15, up 16% from 15.49 (steady since 2024-03-15)") == 15.49


def test_a_price_rise_in_yen_asks_back_the_rise(store):
    from _refund_helpers import add_tx, flag, flags_df

    from detector.refunds import queue_refunds

    store.set_account("acc1", country="JP")
    add_tx(store, "n1", "2025-05-30", 1990, "NETFLIX.COM", currency="JPY")
    row = flag("n1", "2025-05-30", 1990, type="price_increase", vendor="Netflix", description="NETFLIX.COM")
    row["reason"] = "Netflix charged 1,990 on 2025-05-30, up 34% from 1,490 (steady since 2024-03-30)"
    req = queue_refunds(store, flags_df(row), "2025-06-02")[0]
    assert req["amount"] == 500 and req["charged_amount"] == 1990
    assert "from ¥1490 to ¥1990, so I am asking for the ¥500 difference" in req["reason"]


def test_a_refunded_double_charge_in_yen_says_the_credit_without_decimals():
    b = Book(currency="JPY")
    ids = b.series("2025-01-05", 6, 1490, merchant="Netflix")
    extra = b.charge("2025-03-06", 1490, "Netflix")
    b.stream(ids + [extra])
    b.rows.append(dict(b.rows[-1], transaction_id="credit", date="2025-03-10", amount=1490.0))
    dup = of_type(flags(b), "duplicate_charge")
    assert "(a credit of 1,490 on 2025-03-10)" in dup.iloc[0]["reason"]


def test_the_report_writes_yen_without_decimals_and_dollars_as_before():
    b = Book(currency="JPY")
    ids = b.series("2025-01-05", 6, 1490, merchant="Netflix")
    b.charge("2025-03-06", 1490, "Netflix")
    b.stream(ids + [b.rows[-1]["transaction_id"]])
    streams = b.stream_frame.assign(currency="JPY")
    f = flag_charges(b.tx, streams, as_of="2025-06-30")
    for fmt in ("table", "markdown", "html"):
        out = render_scan(streams, f, [], fmt, as_of="2025-06-30", width=160)
        assert "1,490" in out and "1,490.00" not in out, fmt
    usd = Book()
    usd.stream(usd.series("2025-01-05", 6, 1490, merchant="Netflix"))
    out = render_scan(usd.stream_frame.assign(currency="USD"), None, [], "table", as_of="2025-06-30", width=160)
    assert "1,490.00" in out


def test_a_lunch_every_friday_in_yen_is_a_habit_not_a_weekly_plan():
    # MEAL_PRICE (30.00) is 3,000 in yen: the same 1,150 JPY lunch each Friday is no plan
    fridays = [dt.date(2024, 1, 5) + dt.timedelta(days=7 * i) for i in range(60)]
    lunch = enriched(series("JERSEY MIKES 17022 TOKYO", fridays, 1150))
    assert detect_streams(lunch.assign(currency="JPY"), "2025-06-30").empty
    # ... while 1,150 dollars each week is more than a meal, whatever the place is called
    assert len(detect_streams(lunch, "2025-06-30")) == 1


def test_a_won_bill_in_tens_of_won_is_no_round_sum_but_cash_drawn_in_ten_thousands_is():
    # won bills are cut to tens (₩45,230), which a round sum of 10 took for cash or a transfer of
    # whatever sum: a Korean electricity bill made no stream. A round sum is 10 dollars' worth in
    # the currency's own power of ten (₩10,000, ¥1,000), as cash drawn is.
    rng = np.random.default_rng(3)
    dates = [dt.date(2024, 1, 20) + pd.DateOffset(months=i) for i in range(17)]
    dates = [d.date() for d in dates]
    bill = list(np.round(rng.uniform(38000, 62000, len(dates)), -1))
    tx = enriched(series("KEPCO ELECTRIC", dates, bill)).assign(currency="KRW")
    assert len(detect_streams(tx, "2025-06-30")) == 1
    cash = list(rng.choice([30000.0, 50000.0, 70000.0, 100000.0], len(dates)))
    tx = enriched(series("TRANSFER TO KIM MINJI", dates, cash)).assign(currency="KRW")
    assert detect_streams(tx, "2025-06-30").empty
