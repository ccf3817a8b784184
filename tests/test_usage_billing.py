"""Bills that move with use or with a seat count (round-twenty-six audit, a small business's
company cards full of SaaS): a usage bill beside a fixed plan of its merchant is a stream of its
own; a usage bill growing with the workload is no price increase; a per-seat plan's added seats
are told as such, with no refund request claiming a price rise; a usage bill costs a typical
month, not its last bill."""

from __future__ import annotations

import datetime as dt
import json
import random

import pandas as pd
import pytest

from detector.catalog import load_vendors, metered_vendors, per_seat_vendors, usage_billed_vendors
from detector.cli import cli
from detector.errors import CatalogError
from detector.flags import flag_charges
from detector.match import enrich
from detector.price_flags import own_change
from detector.recurrence import detect_streams
from detector.report import render_scan
from tests.flagkit import Book

AS_OF = "2025-06-30"


def _months(start: tuple[int, int], n: int) -> list[tuple[int, int]]:
    y, m = start
    return [(y + (m - 1 + i) // 12, (m - 1 + i) % 12 + 1) for i in range(n)]


def _workload(levels: dict[int, float], n: int, jitter: float, seed: int) -> list[float]:
    """A usage bill steady while the workload is (``jitter`` either way) and stepping up at the
    months ``levels`` names."""
    rng = random.Random(seed)
    out, base = [], None
    for i in range(n):
        base = levels.get(i, base)
        out.append(round(base * rng.uniform(1 - jitter, 1 + jitter), 2))
    return out


# -- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_says_how_a_vendor_bills():
    cat = load_vendors(user_path=None)
    assert cat.get("Amazon Web Services").billing == "usage"
    assert cat.get("Microsoft Azure").billing == "usage"
    assert cat.get("OpenAI API").billing == "usage"
    assert cat.get("Slack").billing == "per_seat"
    assert cat.get("Google Workspace").billing == "per_seat"
    assert cat.get("Netflix").billing == "plan"  # the default
    assert cat.get("Slack").to_dict()["billing"] == "per_seat"
    # usage-billed vendors and the metered categories (utilities, telecom) are the metered bills
    assert {"Amazon Web Services", "Datadog", "Twilio", "OpenAI API"} <= usage_billed_vendors()
    assert usage_billed_vendors() <= metered_vendors()
    assert {"Verizon", "PG&E"} <= metered_vendors() and "Netflix" not in metered_vendors()
    assert {"Slack", "Google Workspace", "Microsoft 365"} <= per_seat_vendors()
    assert not per_seat_vendors() & metered_vendors()


def test_a_bad_billing_value_names_the_entry_and_field(tmp_path):
    p = tmp_path / "v.toml"
    p.write_text('[[vendor]]\nname = "Acme Cloud"\ncategory = "software"\ncadence = ["monthly"]\nbilling = "metered"\n')
    with pytest.raises(CatalogError, match=r"Acme Cloud.*'billing'"):
        load_vendors(path=p)


def test_openai_api_usage_is_its_own_vendor_not_chatgpt():
    tx = pd.DataFrame({"account_id": "a", "description": [
        "OPENAI *API OPENAI.COM CA", "OPENAI *CHATGPT SUBSCR", "OPENAI API", "CHATGPT SUBSCRIPTION"]})
    out = enrich(tx)
    assert list(out["vendor"]) == ["OpenAI API", "ChatGPT Plus", "OpenAI API", "ChatGPT Plus"]
    assert out["merchant_key"].iloc[0] != out["merchant_key"].iloc[1]


# -- a usage bill beside a fixed plan of its merchant -------------------------------------------


def _enriched(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["date", "description", "amount"]).assign(account_id="biz")
    df["transaction_id"] = [f"t{i:05d}" for i in range(len(df))]
    df["currency"], df["source"], df["source_file"], df["source_line"] = "USD", "test", "", 0
    return enrich(df)


@pytest.mark.parametrize("seed", range(6))
def test_a_usage_bill_beside_a_fixed_plan_billed_under_one_name_is_a_stream_of_its_own(seed):
    # Microsoft bills Microsoft 365 (9 seats, 112.50) and Azure (usage, 480-640) both as
    # "MSFT *<E0400...> MSBILL.INFO": the plan made a stream and the usage bill vanished
    rng = random.Random(seed)
    rows = []
    for y, m in _months((2024, 1), 18):
        rows.append((f"{dt.date(y, m, 6)}", f"MSFT *<E0400{rng.randrange(16 ** 5):05X}> MSBILL.INFO WA", -112.50))
        rows.append((f"{dt.date(y, m, 2)}", f"MSFT *<E0400{rng.randrange(16 ** 5):05X}> MSBILL.INFO WA",
                     -round(rng.uniform(480, 640), 2)))
    s = detect_streams(_enriched(rows), AS_OF)
    live = s[s["status"].isin(["active", "early"])]
    assert len(live) == 2, s[["merchant", "last_amount", "status"]]
    usage = live[live["last_amount"] > 200].iloc[0]
    assert usage["frequency"] == "monthly" and len(usage["transaction_ids"]) >= 16
    assert 480 <= usage["next_amount"] <= 640


def test_the_rest_of_a_shop_beside_its_plan_stays_purchases():
    # Prime at 14.99 and orders on no schedule: the orders are no second stream
    rng = random.Random(7)
    rows = [(f"{dt.date(y, m, 12)}", "AMAZON PRIME*2K4", -14.99) for y, m in _months((2024, 1), 18)]
    day = dt.date(2024, 1, 3)
    while day < dt.date(2025, 6, 20):
        rows.append((f"{day}", "AMAZON MKTPL*AB12", -round(rng.uniform(8, 90), 2)))
        day += dt.timedelta(days=rng.choice([2, 5, 9, 13, 20, 31, 44]))
    s = detect_streams(_enriched(rows), AS_OF)
    assert len(s[s["status"].isin(["active", "early"])]) == 1


def test_a_varying_bills_charges_at_one_amount_by_chance_are_no_plan_beside_it():
    # a quarterly waste-collection bill whose three charges of 95.70-97.90, six months apart, read
    # as a plan at a set price: they sit in the cycles the others skip, not beside them, so the
    # others are not split off as a second, quarterly stream (independent generator's seed 11)
    amounts = [71.20, 88.10, 117.90, 96.40, 83.30, 97.90, 109.80, 95.70]
    rows = [(f"{dt.date(y, m, 10)}", "WASTE MANAGEMENT WM EZPAY", -a)
            for (y, m), a in zip(_months((2023, 7), 24)[::3], amounts)]
    assert len(detect_streams(_enriched(rows), "2025-06-19")) == 1


# -- usage bills are no price increases -----------------------------------------------------------


@pytest.mark.parametrize("merchant", ["Amazon Web Services", "Datadog", "Microsoft Azure", "Twilio", "OpenAI API",
                                      "Google Ads"])
def test_a_usage_bill_growing_with_the_workload_is_no_price_increase(merchant):
    b = Book()
    bill = _workload({0: 1840.0, 9: 2210.0, 17: 2650.0}, 24, 0.015, seed=3)
    b.stream(b.series("2023-07-03", 24, bill, merchant=merchant))
    assert flags_of(b).query("type == 'price_increase'").empty


def test_the_same_steps_at_a_plan_vendor_are_still_price_increases():
    # the catalogue's billing says which bills move with use: an unknown merchant's steps stay flagged
    b = Book()
    bill = _workload({0: 1840.0, 9: 2210.0, 17: 2650.0}, 24, 0.015, seed=3)
    b.stream(b.series("2023-07-03", 24, bill, merchant="Acme Hosting"))
    assert len(flags_of(b).query("type == 'price_increase'")) == 2


def test_a_user_catalogue_can_mark_a_vendor_usage_billed(tmp_path, monkeypatch):
    from detector import catalog

    user = tmp_path / "mine.toml"
    user.write_text('[[vendor]]\nname = "Acme Hosting"\ncategory = "software"\ncadence = ["monthly"]\n'
                    'billing = "usage"\naliases = ["ACME HOSTING"]\n')
    monkeypatch.setenv("SUBDETECT_VENDORS", str(user))
    for f in (catalog.usage_billed_vendors, catalog.metered_vendors, catalog.per_seat_vendors):
        f.cache_clear()
    try:
        b = Book()
        b.stream(b.series("2023-07-03", 24, _workload({0: 1840.0, 9: 2210.0}, 24, 0.015, seed=3),
                          merchant="Acme Hosting"))
        assert flags_of(b).query("type == 'price_increase'").empty
    finally:
        monkeypatch.delenv("SUBDETECT_VENDORS")
        for f in (catalog.usage_billed_vendors, catalog.metered_vendors, catalog.per_seat_vendors):
            f.cache_clear()


def test_a_usage_bills_final_bill_after_closing_is_owed():
    # a usage bill comes after the use, as a utility's does: AWS's first bill after the account
    # was closed is the last month's use, low and no refund request; a second one is flagged high
    from detector.cancel_flags import is_final_bill

    b = Book()
    ids = b.series("2025-01-03", 5, [1840.20, 1911.75, 1877.10, 1902.44, 1650.00], merchant="Amazon Web Services")
    ids.append(b.charge("2025-06-03", 1210.40, "Amazon Web Services"))  # May's use, up to the 15th
    later = b.charge("2025-07-03", 1105.10, "Amazon Web Services")  # still running: asked about
    sid = b.stream(ids + [later])
    cancel = pd.DataFrame({"account_id": ["acct1"], "stream_id": [sid], "cancelled_on": ["2025-05-15"]})
    f = flag_charges(b.tx, b.stream_frame, cancellations=cancel, as_of="2025-12-31")
    after = f[f["type"] == "charge_after_cancellation"].set_index("transaction_id")
    assert after.loc[ids[-1], "severity"] == "low"
    assert is_final_bill("charge_after_cancellation", after.loc[ids[-1], "reason"])
    assert "usage-billed" in after.loc[ids[-1], "reason"]
    assert after.loc[later, "severity"] == "high"
    assert not is_final_bill("charge_after_cancellation", after.loc[later, "reason"])


# -- per-seat plans ----------------------------------------------------------------------------


def flags_of(book: Book) -> pd.DataFrame:
    return flag_charges(book.tx, book.stream_frame, as_of="2025-12-31")


def test_added_seats_of_a_per_seat_plan_are_told_as_such_low_and_not_the_vendors_doing():
    # Slack Pro at 8.75 a user: 10 users, then 12, then 15; the unit price never changed
    b = Book()
    b.stream(b.series("2023-07-03", 24, [87.50] * 6 + [105.00] * 9 + [131.25] * 9, merchant="Slack"))
    f = flags_of(b).query("type == 'price_increase'").sort_values("date")
    assert list(f["severity"]) == ["low", "low"]
    first, second = f["reason"]
    assert first.startswith("Slack charged 105.00 on 2024-01-03, up 20% from 87.50")
    assert "Slack bills per user" in first and "6/5" in first and "10 to 12" in first
    assert "5/4" in second and "12 to 15" in second
    assert "bigger plan" not in second  # (+25%: no tier note either way)
    assert all(own_change(r) for r in f["reason"])


@pytest.mark.parametrize("merchant, before, after, ratio", [
    ("Google Workspace", 144.00, 156.00, "13/12"),   # 12 users at 12.00, then 13
    ("Microsoft", 100.00, 112.50, "9/8"),            # MSBILL.INFO: Microsoft 365 Business, 8 users, then 9
    ("Slack", 87.50, 131.25, "3/2"),                 # +50%: seats, not "a bigger plan"
])
def test_per_seat_rises_by_whole_seats(merchant, before, after, ratio):
    b = Book()
    b.stream(b.series("2023-07-01", 24, [before] * 11 + [after] * 13, merchant=merchant))
    f = flags_of(b).query("type == 'price_increase'")
    assert len(f) == 1 and f.iloc[0]["severity"] == "low"
    assert ratio in f.iloc[0]["reason"] and "bigger plan" not in f.iloc[0]["reason"]


@pytest.mark.parametrize("merchant, before, after, severity", [
    ("Slack", 66.70, 72.50, "low"),        # Slack's new price per user (6.67 -> 7.25) for 10 users: +9%
    ("Slack", 66.70, 77.10, "medium"),     # ... +16%: 667 and 771 share no price per user
    ("Netflix", 10.00, 12.00, "medium"),   # a plan vendor: seats do not come into it
])
def test_other_rises_stay_price_increases(merchant, before, after, severity):
    b = Book()
    b.stream(b.series("2023-07-01", 24, [before] * 11 + [after] * 13, merchant=merchant))
    f = flags_of(b).query("type == 'price_increase'")
    assert len(f) == 1 and f.iloc[0]["severity"] == severity
    assert "per user" not in f.iloc[0]["reason"] and not own_change(f.iloc[0]["reason"])


# -- what a usage bill costs a month -------------------------------------------------------------


def _stream(**kw) -> dict:
    base = {"stream_id": "s1", "account_id": "a", "merchant": "Twilio", "vendor": "Twilio", "channel": "direct",
            "direction": "outflow", "frequency": "monthly", "average_amount": 73.69, "last_amount": 212.40,
            "first_date": "2023-07-02", "last_date": "2025-06-02", "next_date": "2025-07-02",
            "next_amount": 107.43, "status": "active", "confidence": 0.9, "currency": "USD",
            "transaction_ids": [f"t{i}" for i in range(24)], "evidence": ""}
    return {**base, **kw}


def test_a_usage_bill_costs_its_expected_amount_a_month_a_plan_its_price():
    streams = [_stream(), _stream(stream_id="s2", merchant="Netflix", vendor="Netflix", average_amount=16.20,
                                  last_amount=17.99, next_amount=17.99)]
    doc = json.loads(render_scan(streams, [], [], "json", as_of=AS_OF))
    monthly = {s["merchant"]: s["monthly_amount"] for s in doc["streams"]}
    assert monthly == {"Twilio": 107.43, "Netflix": 17.99}
    table = render_scan(streams, [], [], "table", as_of=AS_OF)
    assert "125.42" in table.split("Total")[1]  # 107.43 + 17.99
    # a stream stored before next_amount was known costs its last charge
    doc = json.loads(render_scan([_stream(next_amount=None)], [], [], "json", as_of=AS_OF))
    assert doc["streams"][0]["monthly_amount"] == 212.40


# -- end to end through `subdetect scan` ----------------------------------------------------------


def _scan(runner, tmp_path, lines: list[str], *extra) -> dict:
    statement = tmp_path / "card.csv"
    statement.write_text("\n".join(["date,description,amount"] + lines) + "\n")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", str(statement), "--db", str(db), "--account", "ops-card",
                                 "--as-of", AS_OF, "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_scan_usage_billed_cloud_raises_no_price_increase_nor_refund_request(runner, tmp_path):
    months = _months((2023, 7), 24)
    lines = []
    for desc, day, levels, jitter, seed in (
            ("AMAZON WEB SERVICES AWS.AMAZON.CO WA", 3, {0: 1840, 9: 2210, 17: 2650}, 0.015, 1),
            ("DATADOG INC NEW YORK NY", 5, {0: 270, 8: 316, 15: 408}, 0.01, 2),
            ("MICROSOFT*AZURE MSBILL.INFO WA", 4, {0: 612, 12: 705}, 0.012, 3)):
        for (y, m), amount in zip(months, _workload(levels, 24, jitter, seed)):
            lines.append(f'{dt.date(y, m, day)},"{desc}",-{amount:.2f}')
    doc = _scan(runner, tmp_path, lines)
    assert {s["merchant"] for s in doc["streams"] if s["status"] == "active"} == {
        "Amazon Web Services", "Datadog", "Microsoft Azure"}
    assert [f for f in doc["flags"] if f["type"] == "price_increase"] == []
    assert doc["refund_requests"] == []


def test_scan_seat_adds_are_low_flags_with_no_refund_request(runner, tmp_path):
    lines = []
    for i, (y, m) in enumerate(_months((2023, 7), 24)):
        slack = 10 if (y, m) < (2024, 1) else 12 if (y, m) < (2024, 10) else 15
        lines.append(f"{dt.date(y, m, 3)},SLACK T01ABC2DE,-{8.75 * slack:.2f}")
        google = 12 if (y, m) < (2024, 5) else 13
        microsoft = 8 if (y, m) < (2024, 6) else 9
        lines.append(f"{dt.date(y, m, 1)},GOOGLE *GSUITE_northwind.com,-{12.00 * google:.2f}")
        lines.append(f"{dt.date(y, m, 6)},MSFT *<E0400{i:05X}> MSBILL.INFO WA,-{12.50 * microsoft:.2f}")
    doc = _scan(runner, tmp_path, lines)
    rises = [f for f in doc["flags"] if f["type"] == "price_increase"]
    assert len(rises) == 4
    assert {f["severity"] for f in rises} == {"low"}
    assert all("bills per user" in f["reason"] for f in rises)
    assert doc["refund_requests"] == []


def test_scan_keeps_a_usage_bill_beside_the_fixed_plan_of_its_merchant(runner, tmp_path):
    rng = random.Random(5)
    lines = []
    for i, (y, m) in enumerate(_months((2024, 1), 18)):
        lines.append(f"{dt.date(y, m, 6)},MSFT *<E0400{rng.randrange(16 ** 5):05X}> MSBILL.INFO WA,-112.50")
        lines.append(f"{dt.date(y, m, 2)},MSFT *<E0400{rng.randrange(16 ** 5):05X}> MSBILL.INFO WA,"
                     f"-{rng.uniform(480, 640):.2f}")
        lines.append(f"{dt.date(y, m, 14)},OPENAI *CHATGPT SUBSCR,-60.00")
        lines.append(f"{dt.date(y, m, 1)},OPENAI *API OPENAI.COM CA,-{rng.uniform(35, 90):.2f}")
    doc = _scan(runner, tmp_path, lines)
    live = [s for s in doc["streams"] if s["status"] in ("active", "early")]
    by = sorted((s["merchant"], s["monthly_amount"]) for s in live)
    assert [m for m, _ in by] == ["ChatGPT Plus", "Microsoft", "Microsoft", "OpenAI API"], by
    total = sum(a for _, a in by)
    assert 112.50 + 60.00 + 480 + 35 <= total <= 112.50 + 60.00 + 640 + 90


def test_scan_a_usage_bills_month_is_its_expected_amount_not_its_last_spike(runner, tmp_path):
    rng = random.Random(11)
    lines = [f"{dt.date(y, m, 2)},TWILIO SENDGRID 877-889-4546 CA,-{rng.uniform(40, 95):.2f}"
             for y, m in _months((2023, 7), 23)] + ["2025-06-02,TWILIO SENDGRID 877-889-4546 CA,-212.40"]
    doc = _scan(runner, tmp_path, lines)
    s = doc["streams"][0]
    assert s["last_amount"] == 212.40 and s["next_amount"] < 212.40
    # seen for two years, its month is a twelfth of its last year's bills, the spike one of twelve
    # (round thirty-six; before, its next amount, the mean of its last three)
    year = sum(float(line.rsplit(",-", 1)[1]) for line in lines[-12:])
    assert s["last_year_total"] == round(year, 2) and s["monthly_amount"] == round(year / 12, 2) < 212.40
    table = runner.invoke(cli, ["report", "--db", str(tmp_path / "s.db"), "--limit", "0"]).stdout
    total = table.split("Active subscriptions")[1].split("Total")[1].split()[0]
    assert float(total) == s["monthly_amount"]
