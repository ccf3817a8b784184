"""A plan named by its store's name, cancelled, billing once more: what counts as its late bills
(`subdetect scan --cancellations`). Twenty-seventh session, dev seeds 501-505: a bill taken twice
or an app bought at the plan's price months later counted as a second late bill, the plan (named
only through the store, "iCloud" for an APPLE.COM/BILL stream) was left undecided, and its charge
after the date went unflagged."""

from __future__ import annotations

import json

from detector.cli import cli

APPLE = "APPLE.COM/BILL 866-712-7753 CA"


def _scan(runner, tmp_path, last_lines: list[str], as_of: str = "2025-10-31") -> dict:
    # iCloud 2.99 on the 8th since January 2024 (the card's only Apple plan), Netflix beside it;
    # "iCloud" cancelled on 20 April 2025, the charge of 8 May came all the same
    rows = ["Date,Description,Amount"]
    for m in range(1, 17):
        y, mm = 2024 + (m - 1) // 12, (m - 1) % 12 + 1
        rows.append(f"{y}-{mm:02d}-08,{APPLE},-2.99")
    rows += [f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}-15,NETFLIX.COM,-15.49" for m in range(1, 21)]
    rows.append(f"2025-05-08,{APPLE},-2.99")
    rows += last_lines
    rows.append("2025-10-20,BLUE BOTTLE COFFEE,-4.50")  # the statement runs to late October
    statement = tmp_path / "card.csv"
    statement.write_text("\n".join(rows) + "\n")
    cancels = tmp_path / "cancels.csv"
    cancels.write_text("account_id,merchant,cancelled_on\ncard,iCloud,2025-04-20\n")
    res = runner.invoke(cli, ["scan", str(statement), "--db", str(tmp_path / "s.db"), "--as-of", as_of,
                              "--cancellations", str(cancels), "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _after(doc) -> list[tuple[str, float, str]]:
    return sorted((f["date"], f["amount"], f["severity"]) for f in doc["flags"]
                  if f["type"] == "charge_after_cancellation")


def test_a_late_bill_taken_twice_is_one_late_bill_and_the_plan_named_by_the_store_is_flagged(runner, tmp_path):
    # 8 May's 2.99 taken again on the 9th: one bill charged twice, not the plan billing on for two
    # cycles; before, "iCloud" resolved to no stream and neither charge was flagged after the date
    doc = _scan(runner, tmp_path, [f"2025-05-09,{APPLE},-2.99"])
    assert ("2025-05-08", 2.99, "high") in _after(doc)
    assert [(f["type"], f["date"]) for f in doc["flags"] if f["type"] == "duplicate_charge"] == [
        ("duplicate_charge", "2025-05-09")]
    assert [s["status"] for s in doc["streams"] if s["merchant"] == "Apple"] == ["cancelled"]


def test_an_app_bought_at_the_plans_price_months_later_is_no_late_bill_nor_the_plan_back(runner, tmp_path):
    # A 2.99 app in October, five months after the plan's last charge: no late bill of the plan
    # (before, it made two and "iCloud" resolved to nothing), and, the plan being named only
    # through the store, no "if you did not sign up again" flag either: nothing tied that charge
    # to iCloud but the store's name
    doc = _scan(runner, tmp_path, [f"2025-10-02,{APPLE},-2.99"])
    assert _after(doc) == [("2025-05-08", 2.99, "high")]
    assert not [q for q in doc["refund_requests"] if q.get("date") == "2025-10-02"]
