"""A year's total is a moving bill's monthly cost, not a set-price plan's, and no double charge
counts in it (round-forty-two audit: a plan at 20.00 USD on a pound card cost its year's mean with
its double charge in it, and one whose price rose to 6.00 USD cost the year's mean of mostly
5.00 USD months, where a set-price plan costs its current price)."""

from __future__ import annotations

import datetime as dt
import json
import random

from click.testing import CliRunner

from detector.cli import cli

AS_OF = "2025-06-30"
HEADER = ("Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,Local currency,"
          "Notes and #tags,Address,Receipt,Description,Category split,Money Out,Money In")


def _row(i: int, day: dt.date, kind: str, name: str, gbp: float, local: float, code: str, desc: str) -> str:
    return (f"tx_{i:020d},{day:%d/%m/%Y},09:00:00,{kind},{name},,general,-{gbp:.2f},GBP,-{local:.2f},{code},"
            f",,,{desc},,{gbp:.2f},")


def _monzo(path) -> list[float]:
    """A Monzo export: two USD plans (one at a set price, one raised), a seasonal gas bill in
    pounds with one double charge; returns the gas bills of the year to its last one."""
    rng = random.Random(42)
    rows, i = [], 0
    for k in range(24):  # July 2023 .. June 2025
        y, m = 2023 + (6 + k) // 12, (6 + k) % 12 + 1
        rate = rng.uniform(0.74, 0.82)
        i += 1
        rows.append(_row(i, dt.date(y, m, 9), "Card payment", "Grammarly", round(12 * rate, 2), 12.0, "USD",
                         "GRAMMARLY INC SAN FRANCISCO USA"))
        if (y, m) == (2024, 11):  # charged twice, at one price in dollars
            i += 1
            rows.append(_row(i, dt.date(y, m, 11), "Card payment", "Grammarly", round(12 * (rate + 0.004), 2), 12.0,
                             "USD", "GRAMMARLY INC SAN FRANCISCO USA"))
        if k >= 6:  # January 2024 on: 10.00 USD, 13.00 USD from the last seven months
            usd = 13.0 if k >= 17 else 10.0
            i += 1
            rows.append(_row(i, dt.date(y, m, 20), "Card payment", "Canva", round(usd * rate, 2), usd, "USD",
                             "CANVA* PTY SYDNEY AUS"))
    gas, year = {}, []
    for k in range(24):
        y, m = 2023 + (6 + k) // 12, (6 + k) % 12 + 1
        winter = m in (11, 12, 1, 2, 3)
        gas[(y, m)] = round((140 if winter else 45) * rng.uniform(0.9, 1.1), 2)
    for (y, m), amt in gas.items():
        i += 1
        rows.append(_row(i, dt.date(y, m, 2), "Direct Debit", "British Gas", amt, amt, "GBP", "BRITISH GAS"))
        if (y, m) == (2025, 1):  # the same bill taken twice, a day apart
            i += 1
            rows.append(_row(i, dt.date(y, m, 3), "Direct Debit", "British Gas", amt, amt, "GBP", "BRITISH GAS"))
        if (y, m) >= (2024, 7):
            year.append(amt)
    rows.sort(key=lambda r: dt.datetime.strptime(r.split(",")[1], "%d/%m/%Y"))
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return year


def _streams(tmp_path) -> tuple[dict, list[float]]:
    f = tmp_path / "MonzoDataExport_2023-07-01_2025-06-30.csv"
    year = _monzo(f)
    out = tmp_path / "scan.json"
    r = CliRunner().invoke(cli, ["scan", str(f), "--db", str(tmp_path / "s.db"), "--as-of", AS_OF,
                                 "--format", "json", "-o", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    return {s["merchant"]: s for s in doc["streams"]}, year


def test_a_set_price_plan_billed_in_dollars_costs_its_current_price(tmp_path):
    streams, _ = _streams(tmp_path)
    for name in ("Grammarly", "Canva"):
        s = streams[name]
        assert s["currency"] == "GBP" and s["frequency"] == "monthly"
        # its pounds move with the exchange rate, its price does not: no year's total
        assert s["last_year_total"] is None, name
        assert s["monthly_amount"] == s["next_amount"], name
    # the raised plan costs its new price (three charges at 13.00 USD), not a year mostly at 10.00
    assert streams["Canva"]["monthly_amount"] > 13 * 0.74


def test_a_double_charge_is_left_out_of_a_moving_bills_year(tmp_path):
    streams, year = _streams(tmp_path)
    gas = streams["British Gas"]
    assert len(gas["transaction_ids"]) == 25  # the double charge is in the stream
    assert gas["last_year_total"] == round(sum(year), 2)
    assert gas["monthly_amount"] == round(sum(year) / 12, 2)
