"""Fortnightly payments to vendors the catalogue knows, through `subdetect scan` on a real Chase
checking file and SQLite store (round-45 audit).

A fortnightly plan's every other charge makes a monthly echo chain of 28-day steps. One charge
posted three days late (Friday 10 November 2023, Veterans Day, paid Monday the 13th) broke one
chain in two, and its second piece read as a plan begun months after the other: at a catalogue
vendor (whose chains score as plans) a fortnightly loan, mortgage or gym became two "monthly"
streams, priced differently, with a wrong next date; with a price rise, three streams (one
"ended"), two price-increase flags and two refund requests for one rise. The same rows under a
payee nobody knows were one fortnightly stream.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from _statement_files import chase_checking, next_weekday

from detector.cli import cli

AS_OF = "2025-07-01"
#: What a fortnightly plan costs a month (docs: a year of 365.25 days, charges 14 days apart).
FORTNIGHTS_A_MONTH = 365.25 / 14 / 12


def _every(first: date, n: int, step: int, description: str, amount, moved: dict | None = None) -> list:
    """``n`` charges ``step`` days apart from ``first`` (``amount``: a sum, or a function of the
    day), each on the day ``moved`` says where a holiday or a retry moved it."""
    rows = []
    for k in range(n):
        d = first + timedelta(days=step * k)
        rows.append(((moved or {}).get(d, d), description, -(amount(d) if callable(amount) else amount)))
    return rows


def _scan(runner, tmp_path, rows) -> dict:
    path = chase_checking(tmp_path / "Chase9753_Activity_20250701.CSV", rows)
    result = runner.invoke(cli, ["scan", path, "--db", str(tmp_path / "s.db"), "--as-of", AS_OF,
                                 "--format", "json", "--limit", "0"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _of(doc: dict, word: str, key: str = "streams") -> list[dict]:
    return [x for x in doc[key] if word.lower() in (x.get("merchant") or "").lower()]


# every other Friday from 7 July 2023 (52 of them to 20 June 2025); Friday 10 November 2023 is
# Veterans Day (observed): the ACH is paid on Monday the 13th
VETERANS_DAY = {date(2023, 11, 10): date(2023, 11, 13)}
# every other Friday from 14 July 2023 (to 27 June 2025); one card charge declined and retried
# three days later
RETRIED = {date(2024, 5, 3): date(2024, 5, 6)}


def _gym(d: date) -> float:
    return 19.99 if d < date(2025, 1, 10) else 21.99


@pytest.mark.parametrize("known", [True, False], ids=["catalogue vendors", "unknown payees"])
def test_a_fortnightly_plan_at_a_catalogue_vendor_is_one_fortnightly_stream(runner, tmp_path, known):
    # a loan, a mortgage and a gym billed every two weeks, one charge each moved a few days; the
    # same schedules under payees the catalogue does not know must read the same
    loan, mortgage, gym = (("UPSTART NETWORK  LOAN PMT  PPD ID: 4270465600", "MR. COOPER       MTG PMT"
                            "        PPD ID: 5551112222", "ANYTIME FITNESS 800-704-5004 MN") if known else
                           ("KEYSTONE LENDING  LOAN PMT  PPD ID: 9911223344", "HARBORVIEW SVCG  MTG PMT"
                            "        PPD ID: 7766554433", "RIVERSIDE ATHLETIC CLUB MN"))
    rows = (_every(date(2023, 7, 7), 52, 14, loan, 189.37, VETERANS_DAY)
            + _every(date(2023, 7, 7), 52, 14, mortgage, 1042.50, VETERANS_DAY)
            + _every(date(2023, 7, 14), 52, 14, gym, _gym, RETRIED))
    doc = _scan(runner, tmp_path, rows)
    words = ("Upstart", "Cooper", "Anytime") if known else ("Keystone", "Harborview", "Riverside")
    for word, price, last, nxt in zip(words, (189.37, 1042.50, 21.99), ("2025-06-20", "2025-06-20", "2025-06-27"),
                                      ("2025-07-04", "2025-07-04", "2025-07-11")):
        streams = _of(doc, word)
        assert [(s["frequency"], len(s["transaction_ids"]), s["status"]) for s in streams] == \
            [("biweekly", 52, "active")], (word, streams)
        (s,) = streams
        assert (s["last_date"], s["next_date"], s["last_amount"]) == (last, nxt, price)
        assert s["monthly_amount"] == round(price * FORTNIGHTS_A_MONTH, 2)  # 411.71, 2265.49, 47.81
    # one rise, one flag, at most one refund request
    rises = [(f["type"], f["date"]) for f in _of(doc, words[2], "flags")]
    assert rises == [("price_increase", "2025-01-10")]
    assert len(_of(doc, words[2], "refund_requests")) <= 1
    assert not _of(doc, words[0], "flags") and not _of(doc, words[1], "flags")


def test_two_plans_of_one_merchant_on_alternating_weeks_stay_two_streams(runner, tmp_path):
    # a couple's gym memberships, each every four weeks, on alternating Wednesdays: at two prices
    # they are two plans (never one fortnightly stream), and at one price, the second begun five
    # months after the first, too; a charge of each retried days later breaks nothing
    rows = (_every(date(2023, 7, 5), 26, 28, "ORANGETHEORY FITNESS 888-123-4567 FL", 59.00,
                   {date(2024, 4, 24): date(2024, 4, 27)})
            + _every(date(2023, 7, 19), 26, 28, "ORANGETHEORY FITNESS 888-123-4567 FL", 79.00,
                     {date(2023, 11, 8): date(2023, 11, 10)})
            + _every(date(2023, 7, 6), 26, 28, "ANYTIME FITNESS 800-704-5004 MN", 24.99,
                     {date(2024, 5, 9): date(2024, 5, 12)})
            + _every(date(2023, 12, 7), 21, 28, "ANYTIME FITNESS 800-704-5004 MN", 24.99))
    doc = _scan(runner, tmp_path, rows)
    got = sorted((s["last_amount"], s["frequency"], len(s["transaction_ids"])) for s in _of(doc, "Orangetheory"))
    assert got == [(59.0, "monthly", 26), (79.0, "monthly", 26)]
    got = sorted((s["frequency"], len(s["transaction_ids"]), s["first_date"]) for s in _of(doc, "Anytime"))
    assert got == [("monthly", 21, "2023-12-07"), ("monthly", 26, "2023-07-06")]


def _monthly(first: date, n: int, day: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, day) for i in range(n)]


def test_an_app_stores_two_plans_at_one_price_stay_apart_when_a_renewal_was_retried(runner, tmp_path):
    # Apple bills two plans at 9.99, one on the 5th for two years, one on the 20th begun in March
    # 2024, and iCloud at 2.99; April's 9.99 renewal failed and was retried four days later. That
    # charge linked to neither neighbour and broke the first plan's chain in two: both plans were
    # one "semimonthly" stream of 40 charges
    apple = "APPLE.COM/BILL 866-712-7753 CA"
    rows = [(date(2024, 4, 9) if d == date(2024, 4, 5) else d, apple, -9.99) for d in _monthly(date(2023, 7, 5), 24, 5)]
    rows += [(d, apple, -9.99) for d in _monthly(date(2024, 3, 20), 16, 20)]
    rows += [(d, apple, -2.99) for d in _monthly(date(2023, 7, 12), 24, 12)]
    rows += [(date(2023, 9, 2), apple, -0.99), (date(2024, 1, 27), apple, -4.99), (date(2025, 2, 3), apple, -0.99)]
    doc = _scan(runner, tmp_path, rows)
    got = sorted((s["last_amount"], s["frequency"], s["first_date"], s["next_date"], s["status"])
                 for s in _of(doc, "Apple"))
    assert got == [(2.99, "monthly", "2023-07-12", "2025-07-12", "active"),
                   (9.99, "monthly", "2023-07-05", "2025-07-05", "active"),
                   (9.99, "monthly", "2024-03-20", "2025-07-20", "active")]
    # (the retried charge, four days off the plan's day, is left out of it, as a one-off is)
    assert sorted(len(s["transaction_ids"]) for s in _of(doc, "Apple")) == [16, 23, 24]
    assert not doc["flags"] and not doc["refund_requests"]


def test_a_four_weekly_debit_due_on_a_holiday_still_costs_thirteen_twelfths(runner, tmp_path):
    # the detector dates a four-weekly plan's next charge 28 days on, moved off a holiday for a
    # debit: due Friday 4 July 2025, Monday the 7th. The report read 31 days as a calendar month
    # and priced the plan at its price a month (the round-45 audit's "Upstart" half at 189.37,
    # beside its twin chain at 205.86). A calendar-monthly debit whose next date rolls to the
    # same Monday keeps its price, even with two double charges bringing its mean gap to 28 days.
    gym = _every(date(2023, 7, 7), 26, 28, "ORANGETHEORY FITNESS 888-123-4567 FL", 59.00)
    monthly = [(d, "COMCAST CABLE COMM 800-266-2278 PA", -89.99) for d in _monthly(date(2023, 7, 6), 24, 6)]
    monthly += [(date(2024, 2, 6), "COMCAST CABLE COMM 800-266-2278 PA", -89.99),
                (date(2024, 9, 6), "COMCAST CABLE COMM 800-266-2278 PA", -89.99)]
    doc = _scan(runner, tmp_path, gym + [(next_weekday(d), w, a) for d, w, a in monthly])
    (s,) = _of(doc, "Orangetheory")
    assert (s["frequency"], s["last_date"], s["next_date"]) == ("monthly", "2025-06-06", "2025-07-07")
    assert s["monthly_amount"] == round(59.00 * 365.25 / 28 / 12, 2)  # 64.14, not 59.00
    comcast = _of(doc, "Xfinity")  # (Comcast bills as Xfinity)
    assert [(c["frequency"], c["next_date"], c["monthly_amount"]) for c in comcast] == \
        [("monthly", "2025-07-07", 89.99)]
