"""A weekly bill at one price, every week without a miss, among its merchant's other weekly runs
(recur27): a lease-to-own store bills each agreement weekly at a price of its own. Statements
invented for the test, in Chase's card layout."""

from __future__ import annotations

import json
from datetime import date, timedelta

from detector.cli import cli

HEADER = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
STORE = "LEASECITY #0412 HOUSTON TX"


def _line(day: date, text: str, amount: float, category: str = "Shopping") -> str:
    d = day.strftime("%m/%d/%Y")
    return f"{d},{d},{text},{category},Sale,{-amount:.2f},\n"


def _mondays(first: date, n: int) -> list[date]:
    return [first + timedelta(days=7 * k) for k in range(n)]


def _card(tmp_path, rows: list[tuple[date, str, float]], weeks: int) -> str:
    lines = []
    start = date(2024, 7, 30)
    for week in range(weeks):  # a grocer and a coffee shop, as on any card
        lines.append(_line(start + timedelta(days=7 * week + 2), "WHOLEFDS SFO 10234", 48.17 + 3.1 * (week % 5),
                           "Groceries"))
        lines.append(_line(start + timedelta(days=7 * week + 4), "STARBUCKS STORE 10482", 5.45 + 0.4 * (week % 3),
                           "Food & Drink"))
    lines += [_line(d, text, amt) for d, text, amt in rows]
    lines.sort(key=lambda s: (s[6:10], s[:2], s[3:5]), reverse=True)
    path = tmp_path / "Chase4417_Activity.CSV"
    path.write_text(HEADER + "".join(lines))
    return str(path)


def _lease_streams(runner, tmp_path, rows, as_of: str, weeks: int) -> list[tuple]:
    res = runner.invoke(cli, ["scan", _card(tmp_path, rows, weeks), "--db", str(tmp_path / "s.db"),
                              "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    return sorted((s["frequency"], s["last_amount"], len(s["transaction_ids"])) for s in doc["streams"]
                  if "leasecity" in s["merchant"].lower())


def test_a_first_lease_agreements_six_weeks_are_a_stream_beside_the_later_agreements(runner, tmp_path):
    # a sofa leased at 59.99 a week, paid each Thursday (one payment a day late), bought out after
    # six weeks; then a bed at 41.50 a week, a TV at 36.25 and a washer at 31.80, each paid every
    # Monday, with delivery and processing fees and parts bought in store between them. The sofa's
    # six payments, a tenth of the store's charges, were no stream at all (scored 0.38).
    sofa = [date(2024, 8, 1), date(2024, 8, 9), date(2024, 8, 15), date(2024, 8, 22), date(2024, 8, 29),
            date(2024, 9, 5)]
    rows = [(d, STORE, 59.99) for d in sofa]
    rows += [(d, STORE, 41.50) for d in _mondays(date(2024, 10, 28), 12)]
    rows += [(d, STORE, 36.25) for d in _mondays(date(2025, 4, 7), 22)]
    rows += [(d, STORE, 31.80) for d in _mondays(date(2025, 10, 6), 14)]
    rows += [(date(2024, 10, 25), STORE, 129.47), (date(2024, 12, 16), STORE, 3.50), (date(2025, 2, 3), STORE, 3.50),
             (date(2025, 4, 4), STORE, 89.95), (date(2025, 6, 9), STORE, 12.99), (date(2025, 8, 11), STORE, 7.25),
             (date(2025, 9, 22), STORE, 3.50), (date(2025, 12, 1), STORE, 24.10)]
    leases = _lease_streams(runner, tmp_path, rows, "2026-01-09", weeks=72)
    assert leases == [("weekly", 31.8, 14), ("weekly", 36.25, 22), ("weekly", 41.5, 12), ("weekly", 59.99, 6)]


def test_a_round_sum_bought_every_week_among_a_shops_purchases_is_left_to_the_scorer(runner, tmp_path):
    # a 20.00 gift card bought every Thursday for six weeks at a pharmacy where the other purchases
    # vary: a habit at a round sum, not taken for a weekly bill by the rule above
    shop = "CVS/PHARMACY #08841"
    rows = [(d, shop, 20.00) for d in (date(2024, 8, 1), date(2024, 8, 9), date(2024, 8, 15), date(2024, 8, 22),
                                       date(2024, 8, 29), date(2024, 9, 5))]
    rows += [(date(2024, 7, 31) + timedelta(days=6 * k), shop, round(8.13 + (k * 7919 % 6100) / 100, 2)) for k in range(54)]
    res = runner.invoke(cli, ["scan", _card(tmp_path, rows, weeks=50), "--db", str(tmp_path / "s.db"),
                              "--as-of", "2025-07-01", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [(s["frequency"], s["last_amount"]) for s in doc["streams"] if s["merchant"].lower().startswith("cvs")] == []
