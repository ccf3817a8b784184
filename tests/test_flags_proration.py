"""A prorated sign-up charge (part of a month, then the plan bills on its billing day) is neither a
trial or intro price nor the plan's previous price; real intro prices, a period before the full
price, stay conversions (round-twenty-six audit)."""

from __future__ import annotations

import json

import pandas as pd

from detector.cli import cli
from tests.flagkit import Book
from tests.test_flags import flags_of, of_type


def _prorated(first: str, part: float, full: float, merchant: str, until: str = "2025-06-01",
              raised: tuple[str, float] | None = None, since: str | None = None) -> tuple[Book, list[str]]:
    """A sign-up on ``first`` charged ``part``, then ``full`` on the 1st of each month (a new
    price ``raised`` = (date, amount) from that month on), all one stream; the account's history
    starts ``since`` (a grocery bill), else at the sign-up."""
    b = Book()
    if since:
        b.charge(since, 54.10, "Kroger")
    ids = [b.charge(first, part, merchant)]
    month = pd.Timestamp(first).replace(day=1) + pd.DateOffset(months=1)
    while month <= pd.Timestamp(until):
        day = month.strftime("%Y-%m-%d")
        ids.append(b.charge(day, raised[1] if raised and day >= raised[0] else full, merchant))
        month += pd.DateOffset(months=1)
    b.stream(ids)
    return b, ids


def test_a_prorated_first_charge_is_no_intro_price():
    # GitHub 16.00 a month, signed up 2024-09-17: 14 of September's 30 days, 7.47
    b, _ = _prorated("2024-09-17", 7.47, 16.00, "GitHub")
    assert flags_of(b).empty


def test_a_prorated_first_charge_is_no_steady_price_to_rise_from():
    # 12 Slack seats (105.00) from 2024-09-07: 24 of 30 days, 84.00; 4 GitHub seats from the
    # 12th, 19 days, 10.13; 4 Notion seats (48.00) from the 5th, 26 days, 41.60
    for first, part, full, merchant in (("2024-09-07", 84.00, 105.00, "Slack"), ("2024-09-12", 10.13, 16.00, "GitHub"),
                                        ("2024-09-05", 41.60, 48.00, "Notion")):
        b, _ = _prorated(first, part, full, merchant)
        assert flags_of(b).empty, merchant


def test_a_prorated_month_of_another_length_and_a_card_posting_a_day_late():
    # February has 28 days: a sign-up on 2025-02-15 pays 14/28 of 30.00
    b, _ = _prorated("2025-02-15", 15.00, 30.00, "Notion")
    assert flags_of(b).empty
    # 12 of 30 days posted a day late, 11 days before the billing day: a day off the days it
    # pays for, a sign-up where the statement reaches back before it
    b, _ = _prorated("2024-11-20", 12.00, 30.00, "Notion", since="2024-08-02")
    assert flags_of(b).empty


def test_a_first_charge_at_the_start_of_the_data_a_day_off_a_share_of_the_next_is_the_old_price():
    # the statement starts with a plan at 13.49, billed 27 days later at 14.99 (27.9 days'
    # worth of it): the plan billed a few days early, then its new price, not a sign-up
    b = Book()
    ids = [b.charge("2024-01-05", 13.49, "Zoom")] + b.series("2024-02-01", 8, 14.99, merchant="Zoom")
    b.stream(ids)
    assert of_type(flags_of(b), "price_increase") == [ids[1]]


def test_consumer_plans_and_app_stores_bill_from_the_sign_up_day():
    # Netflix never charges for the days to a billing day: 7.75 fifteen days before 15.49 (about
    # half of it, as fifteen days of thirty are) is a cheaper first charge, its intro price
    b, ids = _prorated("2024-09-16", 7.75, 15.49, "Netflix", since="2024-05-02")
    assert of_type(flags_of(b), "trial_conversion") == [ids[1]]


def test_a_rise_after_a_prorated_start_is_measured_from_the_plans_price():
    b, ids = _prorated("2024-09-07", 84.00, 105.00, "Slack", raised=("2025-03-01", 115.50))
    f = flags_of(b)
    rise = f[f["type"] == "price_increase"]
    assert list(rise["transaction_id"]) == [ids[6]]
    assert "up 10% from 105.00 (steady since 2024-10-01)" in rise["reason"].iloc[0]


def test_real_intro_prices_stay_conversions():
    # A dollar, then the full price a month later; half price for the first month; half price
    # for three months: each is a full period before the next charge.
    b = Book()
    ids = b.series("2024-09-17", 6, [1.00] + [16.00] * 5, merchant="GitHub")
    b.stream(ids)
    assert of_type(flags_of(b), "trial_conversion") == [ids[1]]
    b = Book()
    ids = b.series("2024-09-17", 6, [7.99] + [15.99] * 5, merchant="Hulu")
    b.stream(ids)
    assert of_type(flags_of(b), "trial_conversion") == [ids[1]]
    b = Book()
    ids = b.series("2024-09-17", 8, [7.99] * 3 + [15.99] * 5, merchant="Hulu")
    b.stream(ids)
    assert of_type(flags_of(b), "trial_conversion") == [ids[3]]


def test_a_cheap_first_charge_weeks_before_whose_amount_is_no_share_of_the_days_stays_an_intro():
    # 5.00 two weeks before a 16.00 plan's billing day would be 9 of 30 days' worth, not 14: a
    # sign-up offer, not a proration
    b, ids = _prorated("2024-09-17", 5.00, 16.00, "GitHub")
    assert of_type(flags_of(b), "trial_conversion") == [ids[1]]


def test_scan_of_a_prorated_sign_up_flags_nothing(runner, tmp_path):
    # the audit's statement end to end: a Slack sign-up on the 7th of September, 84.00 for 24 of
    # its 30 days, then 105.00 on the 1st of each month
    lines = ["date,description,amount", "2024-09-07,SLACK T01ABC2DE,-84.00"]
    lines += [f"{d:%Y-%m-%d},SLACK T01ABC2DE,-105.00" for d in pd.date_range("2024-10-01", "2025-06-01", freq="MS")]
    statement = tmp_path / "card.csv"
    statement.write_text("\n".join(lines) + "\n")
    result = runner.invoke(cli, ["scan", str(statement), "--db", str(tmp_path / "s.db"), "--account", "biz",
                                 "--as-of", "2025-06-30", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [s["merchant"] for s in doc["streams"]] == ["Slack"]
    assert doc["flags"] == [] and doc["refund_requests"] == []
