"""A plan named only weakly (a kind of payment, the store that bills it), cancelled: what counts as
its late bills, and what a charge months later is (`subdetect scan --cancellations`). Twenty-seventh
session, dev seeds 501-505."""

from __future__ import annotations

import json

from detector.cli import cli

APPLE = "APPLE.COM/BILL 866-712-7753 CA"


def _scan(runner, tmp_path, rows: list[str], cancelled: str, as_of: str = "2025-10-31") -> dict:
    rows = ["Date,Description,Amount", *rows,
            *[f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}-15,NETFLIX.COM,-15.49" for m in range(1, 23)]]
    statement = tmp_path / "card.csv"
    statement.write_text("\n".join(rows) + "\n")
    cancels = tmp_path / "cancels.csv"
    cancels.write_text(f"account_id,merchant,cancelled_on\ncard,{cancelled}\n")
    res = runner.invoke(cli, ["scan", str(statement), "--db", str(tmp_path / "s.db"), "--as-of", as_of,
                              "--cancellations", str(cancels), "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _after(doc) -> list[tuple[str, float, str]]:
    return sorted((f["date"], f["amount"], f["severity"]) for f in doc["flags"]
                  if f["type"] == "charge_after_cancellation")


def test_a_last_bill_taken_twice_is_one_late_bill_of_a_plan_named_by_its_kind(runner, tmp_path):
    # Ironworks Gym's 39.99 dues by direct debit on the 3rd; "gym" cancelled on 20 April 2025, the
    # May dues came all the same and were taken again the next day, then nothing. One bill charged
    # twice, not the gym billing on for two cycles: before, the two made "gym" (a kind, a weak
    # name that needs the payee to have stopped: at most one bill after the date) resolve to no
    # plan, and neither charge was flagged after the cancellation
    dues = [f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}-03,IRONWORKS GYM DUES ACH DEBIT,-39.99"
            for m in range(1, 17)]
    doc = _scan(runner, tmp_path, [*dues, "2025-05-03,IRONWORKS GYM DUES ACH DEBIT,-39.99",
                                   "2025-05-04,IRONWORKS GYM DUES ACH DEBIT,-39.99"], "gym,2025-04-20")
    assert ("2025-05-03", 39.99, "high") in _after(doc)
    assert [f["date"] for f in doc["flags"] if f["type"] == "duplicate_charge"] == ["2025-05-04"]
    assert [s["status"] for s in doc["streams"] if "Ironworks" in s["merchant"]] == ["cancelled"]


def test_a_store_plan_named_by_the_store_is_not_asked_about_an_app_bought_months_later(runner, tmp_path):
    # iCloud 2.99 on the 8th (the card's only Apple plan), cancelled on 20 April 2025 and billing no
    # more; a 2.99 app in October joins the stream. Only the stop at the date tied the
    # APPLE.COM/BILL stream to "iCloud": the October charge is no more the plan back than any app
    # (before: a medium "if you did not sign up again" flag, and a question to Apple)
    plan = [f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}-08,{APPLE},-2.99" for m in range(1, 17)]
    doc = _scan(runner, tmp_path, [*plan, f"2025-10-02,{APPLE},-2.99", "2025-10-20,BLUE BOTTLE COFFEE,-4.50"],
                "iCloud,2025-04-20")
    assert _after(doc) == []
