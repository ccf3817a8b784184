"""``annual_renewal`` through ``subdetect scan``: charges that renew nothing (twenty-sixth session)."""

from __future__ import annotations

import json

from detector.cli import cli

APPLE = "APPLE.COM/BILL 866-712-7753 CA"


def _scan(runner, tmp_path, lines: list[str], as_of: str) -> dict:
    statement = tmp_path / "card.csv"
    statement.write_text("\n".join(["Date,Description,Amount", *lines]) + "\n")
    result = runner.invoke(cli, ["scan", str(statement), "--db", str(tmp_path / "s.db"), "--as-of", as_of,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _netflix(last: tuple[int, int]) -> list[str]:
    return [f"{y}-{m:02d}-03,NETFLIX.COM,-15.49" for y in (2023, 2024, 2025) for m in range(1, 13) if (y, m) <= last]


def test_a_yearly_app_plan_charged_twice_at_renewal_renewed_once(runner, tmp_path):
    # A 49.99 yearly app plan billed by Apple, charged again the day after its 2025 renewal, beside
    # app purchases: the duplicate rule leaves the repeat alone (the store sells items at plan
    # prices), and the renewal rule flagged it too, "renewed yearly for 49.99 on 2025-03-15
    # (previous charge 49.99 on 2025-03-14)": a plan does not renew a day after it renewed.
    plan = [f"{d},{APPLE},-49.99" for d in ("2023-03-14", "2024-03-14", "2025-03-14", "2025-03-15")]
    buys = [f"{d},{APPLE},-{a:.2f}" for d, a in (
        ("2023-05-02", 2.99), ("2023-08-19", 0.99), ("2023-11-30", 4.99), ("2024-02-11", 1.99),
        ("2024-06-23", 2.99), ("2024-10-07", 9.99), ("2025-01-26", 0.99), ("2025-02-27", 4.99))]
    doc = _scan(runner, tmp_path, plan + buys + _netflix((2025, 6)), "2025-09-30")
    renewals = [(f["date"], f["reason"]) for f in doc["flags"] if f["type"] == "annual_renewal"]
    assert [d for d, _ in renewals] == ["2025-03-14", "2024-03-14", "2023-03-14"]
    assert "previous charge 49.99 on 2024-03-14" in renewals[0][1]


def test_a_yearly_plan_after_a_plan_at_99_cents_a_month_is_a_sign_up(runner, tmp_path):
    # iCloud's 50 GB at 0.99 a month from February to June 2024, then 10.99 for a year from July,
    # the history starting in January: the scan showed the yearly stream "switched to yearly
    # billing", and flagged its first charge as the renewal of a plan begun before the history
    # (a monthly price of a dollar or less was read as a trial's, no plan). Charged twice or more,
    # it is the plan the yearly one replaced; the 2025 charge renews the plan taken in 2024.
    lines = [f"2024-{m:02d}-16,APPLE.COM/BILL,-0.99" for m in range(2, 7)]
    lines += ["2024-07-20,APPLE.COM/BILL,-10.99", "2025-07-21,APPLE.COM/BILL,-10.99"]
    lines += ["2024-04-02,APPLE.COM/BILL,-4.99", "2024-09-12,APPLE.COM/BILL,-2.99"]
    doc = _scan(runner, tmp_path, lines + [x for x in _netflix((2025, 9)) if x >= "2024"], "2025-09-30")
    yearly = [s for s in doc["streams"] if s["frequency"] == "annual"]
    assert len(yearly) == 1 and yearly[0]["evidence"].startswith("switched to yearly billing")
    renewals = [(f["date"], f["reason"]) for f in doc["flags"] if f["type"] == "annual_renewal"]
    assert renewals == [("2025-07-21", "Apple renewed yearly for 10.99 on 2025-07-21 (previous charge 10.99 on "
                                       "2024-07-20, subscribed since 2024-07-20)")]


def test_one_purchase_at_99_cents_before_a_yearly_app_plan_is_no_plan_it_replaced(runner, tmp_path):
    # The near miss: one 0.99 app bought weeks before a yearly app plan's charge is no monthly plan
    # the yearly one replaced; with the history starting two months before, the charge may renew
    # a plan older than the data, and is flagged so, as before.
    lines = ["2024-04-11,APPLE.COM/BILL,-0.99", "2024-05-02,APPLE.COM/BILL,-49.99", "2025-05-02,APPLE.COM/BILL,-49.99"]
    lines += [x for x in _netflix((2025, 9)) if x >= "2024-03"]
    doc = _scan(runner, tmp_path, lines, "2025-09-30")
    assert sorted((f["type"], f["date"]) for f in doc["flags"]) == [
        ("annual_renewal", "2024-05-02"), ("annual_renewal", "2025-05-02")]


def test_a_yearly_app_plan_beside_icloud_at_99_cents_a_month_replaced_nothing(runner, tmp_path):
    # The other near miss: iCloud's 0.99 a month billing on beside a yearly app plan, both billed by
    # Apple, was not replaced by it: the yearly charge a few months into the history may still
    # renew a plan older than the data (a first version of the rule above took it for a switch).
    lines = [f"{y}-{m:02d}-16,APL*ITUNES.COM/BILL 866-712-7753 CA,-0.99" for y in (2024, 2025) for m in range(1, 13)
             if (y, m) <= (2025, 9)]
    lines += ["2024-05-23,APPLE.COM/BILL,-64.99", "2025-05-23,APPLE.COM/BILL,-64.99"]
    doc = _scan(runner, tmp_path, lines, "2025-09-30")
    assert sorted((f["type"], f["date"]) for f in doc["flags"]) == [
        ("annual_renewal", "2024-05-23"), ("annual_renewal", "2025-05-23")]


def test_a_yearly_plan_after_99_cents_a_month_with_a_month_skipped_before_it_is_a_sign_up(runner, tmp_path):
    # The same, the plan's last monthly charge two months before the yearly one (June's charge
    # not taken): one 0.99 within the months before the switch read as an app, and the sign-up
    # as the renewal of a plan older than the history. Its earlier months at 0.99 count too; the
    # 10.99 is no trial conversion either (four months at 0.99 are a plan, not a trial).
    lines = [f"2024-{m:02d}-16,APPLE.COM/BILL,-0.99" for m in range(2, 6)]
    lines += ["2024-07-20,APPLE.COM/BILL,-10.99", "2025-07-21,APPLE.COM/BILL,-10.99"]
    lines += ["2024-04-02,APPLE.COM/BILL,-4.99", "2024-09-12,APPLE.COM/BILL,-2.99"]
    doc = _scan(runner, tmp_path, lines + [x for x in _netflix((2025, 9)) if x >= "2024"], "2025-09-30")
    assert sorted((f["type"], f["date"]) for f in doc["flags"]) == [("annual_renewal", "2025-07-21")]


def test_two_apps_at_99_cents_three_months_apart_before_a_yearly_app_plan_are_no_plan_it_replaced(runner, tmp_path):
    # The near miss of the rule above: two 0.99 apps, three months apart, the second two days
    # before a 109.00 yearly app plan, are no monthly plan that stopped; with the history starting
    # six months before, the yearly charge may renew a plan older than the data, as before.
    lines = ["2024-06-29,APPLE.COM/BILL,-0.99", "2024-10-04,APPLE.COM/BILL,-0.99",
             "2024-10-06,APPLE.COM/BILL,-109.00", "2025-10-06,APPLE.COM/BILL,-109.00", "2025-03-20,APPLE.COM/BILL,-2.99"]
    doc = _scan(runner, tmp_path, lines + [x for x in _netflix((2025, 10)) if x >= "2024-04"], "2025-10-20")
    assert sorted((f["type"], f["date"]) for f in doc["flags"]) == [
        ("annual_renewal", "2024-10-06"), ("annual_renewal", "2025-10-06")]
