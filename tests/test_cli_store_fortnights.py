"""An app store bills no plan every two weeks or twice a month (recur27): Apple's auto-renewable
periods are a week, one, two, three or six months and a year, so a "fortnightly" run of one
price at a store is in-app purchases (or two monthly plans, which the echo chains find).
Statements invented for the test, in Chase's card layout."""

from __future__ import annotations

import json
from datetime import date, timedelta

from detector.cli import cli

HEADER = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"


def _line(day: date, text: str, amount: float, category: str = "Shopping") -> str:
    d = day.strftime("%m/%d/%Y")
    return f"{d},{d},{text},{category},Sale,{-amount:.2f},\n"


def _card(tmp_path, store_rows: list[tuple[date, float]]) -> str:
    lines = []
    start = date(2025, 1, 1)
    for week in range(26):  # a grocer and a coffee shop, as on any card
        lines.append(_line(start + timedelta(days=7 * week + 2), "WHOLEFDS SFO 10234", 48.17 + 3.1 * (week % 5),
                           "Groceries"))
        lines.append(_line(start + timedelta(days=7 * week + 4), "STARBUCKS STORE 10482", 5.45 + 0.4 * (week % 3),
                           "Food & Drink"))
    lines += [_line(d, "APPLE.COM/BILL 866-712-7753 CA", amt) for d, amt in store_rows]
    lines.sort(key=lambda s: (s[6:10], s[:2], s[3:5]), reverse=True)
    path = tmp_path / "Chase4417_Activity20250630.CSV"
    path.write_text(HEADER + "".join(lines))
    return str(path)


def _scan(runner, tmp_path, statement):
    res = runner.invoke(cli, ["scan", statement, "--db", str(tmp_path / "s.db"), "--as-of", "2025-06-30",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_a_games_pack_bought_every_other_week_at_the_store_is_no_fortnightly_plan(runner, tmp_path):
    # iCloud+ 2.99 on the 6th, and a game's 8.49 pack bought now and then: two weeks apart, a day
    # apart, twice on one day. The pack was a "semimonthly" Apple plan.
    icloud = [(date(2025, m, 6), 2.99) for m in range(1, 7)]
    packs = [(date(2025, 2, 3), 8.49), (date(2025, 2, 18), 8.49), (date(2025, 2, 19), 8.49),
             (date(2025, 3, 8), 8.49), (date(2025, 3, 8), 8.49), (date(2025, 3, 23), 8.49)]
    doc = _scan(runner, tmp_path, _card(tmp_path, icloud + packs))
    apple = sorted((s["frequency"], s["last_amount"]) for s in doc["streams"] if s["merchant"] == "Apple")
    assert apple == [("monthly", 2.99)]


def test_two_monthly_plans_at_one_price_at_the_store_stay_two_monthly_plans(runner, tmp_path):
    # two 5.49 plans on the 3rd and the 18th: twice a month at one price, yet two monthly plans
    plans = [(date(2025, m, 3), 5.49) for m in range(1, 7)] + [(date(2025, m, 18), 5.49) for m in range(1, 7)]
    doc = _scan(runner, tmp_path, _card(tmp_path, plans))
    apple = sorted((s["frequency"], s["last_amount"]) for s in doc["streams"] if s["merchant"] == "Apple")
    assert apple == [("monthly", 5.49), ("monthly", 5.49)]
