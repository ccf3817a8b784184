"""Household bills through `subdetect scan` and `report` on real SQLite files (round-thirty-six
and round-thirty-five audits): a seasonal bill's monthly cost is its last year's charges over
twelve months, a yearly insurance premium that changed at renewal is still a yearly stream, a
quarterly debit due on a day that often falls on a weekend keeps that day, and a payment on the
second Wednesday of each month is not "about every 28 days"."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

from _statement_files import chase_checking as _chase
from _statement_files import next_weekday as _roll

from detector.cli import cli


def _month(first: date, i: int, day: int | None = None) -> date:
    y, m = first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1
    return date(y, m, day or first.day)



def _generic(path, rows, currency: str) -> str:
    lines = ["date,description,amount,currency"] + [f"{d:%Y-%m-%d},{text},{amount:.2f},{currency}"
                                                     for d, text, amount in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _scan(runner, db, path: str, as_of: str) -> dict:
    result = runner.invoke(cli, ["scan", path, "--db", str(db), "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _stream(doc: dict, word: str) -> dict:
    (hit,) = [s for s in doc["streams"] if word.lower() in (s["merchant"] or "").lower()]
    return hit


#: A gas bill's year, January to December: dear in winter, cheap in summer.
GAS = [188.20, 171.45, 132.60, 84.10, 41.35, 29.80, 27.15, 28.40, 36.90, 71.25, 118.70, 164.05]


def _gas_rows(first: date, n: int, description: str = "COLUMBUS GAS CO BILL PAY PPD ID: 7170000001"):
    return [(_roll(_month(first, i)), description, -round(GAS[(first.month - 1 + i) % 12] * (1.03 if i >= 12 else 1.0), 2))
            for i in range(n)]


def test_a_seasonal_bill_costs_its_last_years_charges_over_twelve_months(runner, tmp_path):
    # 22 months of a gas bill, the last in April: the mean of its last three (February to April)
    # is a winter's; its year, May to April, is what it costs
    gas = _gas_rows(date(2023, 7, 18), 22)
    rows = gas + [(_month(date(2023, 7, 3), i), "NETFLIX.COM", -15.49) for i in range(23)]
    # a phone bill that varies, seen for five months only: its last three bills' mean, as before
    phone = [92.10, 97.45, 88.30, 95.60, 90.05]
    rows += [(_roll(_month(date(2025, 1, 9), i)), "VERIZON WIRELESS PAYMENTS PPD ID: 4223344556", -a)
             for i, a in enumerate(phone)]
    db = tmp_path / "s.db"
    doc = _scan(runner, db, _chase(tmp_path / "Chase5678_Activity_20250531.CSV", rows), "2025-05-12")
    s = _stream(doc, "columbus gas")
    year = round(-sum(a for _, _, a in gas[-12:]), 2)
    assert (s["status"], s["last_year_total"], s["monthly_amount"]) == ("active", year, round(year / 12, 2))
    assert s["next_amount"] == round(-sum(a for _, _, a in gas[-3:]) / 3, 2)  # (its next bill: unchanged)
    assert s["monthly_amount"] < s["next_amount"]
    netflix, verizon = _stream(doc, "netflix"), _stream(doc, "verizon")
    assert netflix["last_year_total"] is None and netflix["monthly_amount"] == 15.49
    assert verizon["last_year_total"] is None and verizon["monthly_amount"] == round(sum(phone[-3:]) / 3, 2)
    # the table's total and the stored report say the same
    table = runner.invoke(cli, ["report", "--db", str(db)])
    assert table.exit_code == 0, table.output
    assert f"{s['monthly_amount']:.2f}" in table.stdout
    total = round(s["monthly_amount"] + 15.49 + verizon["monthly_amount"], 2)
    assert f"{total:,.2f}" in table.stdout
    stored = json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout)
    assert _stream(stored, "columbus gas")["monthly_amount"] == s["monthly_amount"]


def test_a_store_from_before_last_year_totals_is_migrated(runner, tmp_path):
    # a store of the version before (streams without last_year_total) opens, gains the column,
    # reports its stored bill as then (the mean of its last three) and a rescan fills it
    path = _chase(tmp_path / "Chase5678_Activity_20250531.CSV", _gas_rows(date(2023, 7, 18), 23))
    db = tmp_path / "old.db"
    assert runner.invoke(cli, ["scan", path, "--db", str(db), "--as-of", "2025-05-31"]).exit_code == 0
    from detector.store import MIGRATIONS, _m10_last_year_total

    with sqlite3.connect(db) as conn:  # (the version before migration 10, not before the latest)
        conn.execute("ALTER TABLE streams DROP COLUMN last_year_total")
        conn.execute("ALTER TABLE flags DROP COLUMN description")
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_m10_last_year_total)}")
    old = _stream(json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout), "gas")
    assert old["last_year_total"] is None and old["monthly_amount"] == old["next_amount"]
    with sqlite3.connect(db) as conn:
        assert "last_year_total" in {r[1] for r in conn.execute("PRAGMA table_info(streams)")}
    new = _scan(runner, db, path, "2025-05-31")
    assert _stream(new, "gas")["last_year_total"] is not None


def test_a_yearly_insurance_premium_changed_at_renewal_is_still_a_yearly_stream(runner, tmp_path):
    # round-thirty-five audit: a car insurer's 412.37 renewed at 447.80 a year later gave no
    # stream at all (unchanged, it was one). A catalogue insurer, and one the catalogue does not
    # know but named as an insurer, are yearly streams counted a twelfth a month; an unknown
    # payee's two yearly sums a few percent apart (a garage's yearly service) stay none.
    rows = [(date(2025, 1, 2), "HUK-COBURG", -398.64), (date(2026, 1, 2), "HUK-COBURG", -433.10),
            (date(2025, 2, 14), "MUSTERSTADT VERSICHERUNG AG", -241.50),
            (date(2026, 2, 16), "MUSTERSTADT VERSICHERUNG AG", -262.80),
            (date(2025, 3, 20), "AUTOHAUS MEIER SERVICE", -241.50), (date(2026, 3, 20), "AUTOHAUS MEIER SERVICE", -262.80)]
    rows += [(_month(date(2025, 1, 13), i), "NETFLIX.COM", -13.99) for i in range(18)]
    doc = _scan(runner, tmp_path / "s.db", _generic(tmp_path / "konto.csv", sorted(rows), "EUR"), "2026-06-30")
    huk = _stream(doc, "huk")
    assert (huk["vendor"], huk["frequency"], huk["status"], huk["next_date"]) == ("HUK-COBURG", "annual", "active",
                                                                                  "2027-01-02")
    assert huk["monthly_amount"] == round(433.10 / 12, 2)
    other = _stream(doc, "musterstadt")
    assert (other["frequency"], other["status"], other["monthly_amount"]) == ("annual", "active", 21.9)
    assert not [s for s in doc["streams"] if "autohaus" in s["merchant"].lower()]


def test_a_quarterly_debit_due_on_a_weekend_day_keeps_its_day(runner, tmp_path):
    # a water bill due on the 16th of March, June, September and December, moved to Monday when
    # the 16th is a weekend: posted on the 18th three times, on the 16th twice, the 17th twice.
    # It is due on the 16th (rolled to a business day), not the 18th.
    days = [_roll(date(y, m, 16)) for y, m in ((2023, 9), (2023, 12), (2024, 3), (2024, 6), (2024, 9), (2024, 12),
                                                (2025, 3))]
    assert sorted(d.day for d in days) == [16, 16, 17, 17, 18, 18, 18]
    rows = [(d, "AQUA VISTA WATER CO PPD ID: 1110002223", -round(96.0 + 3.1 * i, 2)) for i, d in enumerate(days)]
    rows += [(_month(date(2023, 9, 3), i), "NETFLIX.COM", -15.49) for i in range(21)]
    doc = _scan(runner, tmp_path / "s.db", _chase(tmp_path / "Chase5678_Activity_20250531.CSV", rows), "2025-05-31")
    water = _stream(doc, "aqua vista")
    assert (water["frequency"], water["next_date"]) == ("quarterly", "2025-06-16")


def test_a_payment_on_the_second_wednesday_is_monthly_in_its_evidence(runner, tmp_path):
    # a benefit paid on the second Wednesday of each month comes 28 or 35 days after the one
    # before: "about every 28 days" (the median) read as four-weekly
    def second_wednesday(y: int, m: int) -> date:
        d = date(y, m, 1)
        return d + timedelta(days=(2 - d.weekday()) % 7 + 7)

    rows = [(second_wednesday(_month(date(2024, 1, 1), i).year, _month(date(2024, 1, 1), i).month),
             "SSA  TREAS 310   XXSOC SEC     PPD ID: 9031036000", 1432.00) for i in range(17)]
    rows += [(_month(date(2024, 1, 3), i), "NETFLIX.COM", -15.49) for i in range(17)]
    doc = _scan(runner, tmp_path / "s.db", _chase(tmp_path / "Chase5678_Activity_20250520.CSV", rows), "2025-05-20")
    ssa = _stream(doc, "ssa")
    assert (ssa["frequency"], ssa["next_date"]) == ("monthly", "2025-06-11")
    assert ssa["evidence"].startswith("17 payments about every 31 days"), ssa["evidence"]
