"""A monthly plan with two double charges, last billed in February (`subdetect scan` and
`subdetect report` on a Chase checking export; the twenty-fourth session's known gap): Hulu on the
3rd from July 2024 to February 2026, charged twice in January and August 2025. 22 charges in 19
months have a mean gap of 27.6 days, and from a February charge the plan's next date is 28 days
on, so the report read it as billed every four weeks and counted 19.56 a month, 13/12 of its
price, though its frequency said monthly. The two doubles are flagged, and the flagged doubles are
no cycles: the plan costs 17.99 a month."""

from __future__ import annotations

import json
from datetime import date

from _statement_files import chase_checking, month_dates

from detector.cli import cli

HULU = "HULU 877-8244858 CA"


def test_a_monthly_plan_with_two_flagged_doubles_ending_in_february_costs_its_price_a_month(runner, tmp_path):
    rows = [(d, HULU, -17.99) for d in month_dates(date(2024, 7, 3), 20)]
    rows += [(date(2025, 1, 6), HULU, -17.99), (date(2025, 8, 5), HULU, -17.99)]
    rows += [(d, "PLANET FITNESS 800-1234 NH", -24.99) for d in month_dates(date(2024, 7, 17), 20)]
    db = str(tmp_path / "s.db")
    res = runner.invoke(cli, ["scan", chase_checking(tmp_path / "Chase1234_Activity.CSV", rows), "--db", db,
                              "--as-of", "2026-02-25", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    hulu = [s for s in doc["streams"] if s["merchant"] == "Hulu"]
    assert [(s["frequency"], s["first_date"], s["last_date"], s["next_date"], len(s["transaction_ids"]),
             s["monthly_amount"]) for s in hulu] == [("monthly", "2024-07-03", "2026-02-03", "2026-03-03", 22, 17.99)]
    assert sorted((f["type"], f["date"]) for f in doc["flags"] if f["merchant"] == "Hulu") == [
        ("duplicate_charge", "2025-01-06"), ("duplicate_charge", "2025-08-05")]
    table = runner.invoke(cli, ["report", "--db", db])
    assert table.exit_code == 0, table.output
    line = next(x for x in table.output.split("Active subscriptions")[1].splitlines() if "Hulu" in x)
    assert line.split()[1:4] == ["monthly", "17.99", "17.99"]
