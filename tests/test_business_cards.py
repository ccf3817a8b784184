"""A small business's cards and checking account (round-forty-six audit): payroll runs funded
through a payroll service, payments to business card issuers, per-seat plans billed with sales
tax or on one combined bill, Intuit's card descriptors, a bank's foreign-exchange fee.

Every case is scanned through the real CLI into a real SQLite file."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta

from detector.cli import cli

AS_OF = "2025-11-30"


def _months(n: int, start: tuple[int, int] = (2024, 1)) -> list[tuple[int, int]]:
    y, m = start
    return [(y + (m - 1 + i) // 12, (m - 1 + i) % 12 + 1) for i in range(n)]


def _weekday_before(d: date) -> date:
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def _scan(runner, tmp_path, rows: list[tuple[str, str, str, float]], name: str = "books.csv") -> dict:
    """Scan ``rows`` (account, date, description, money out) as a generic CSV; the JSON report."""
    path = tmp_path / name
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["account_id", "date", "description", "amount"])
        out.writerows((a, d, desc, f"-{amt:.2f}") for a, d, desc, amt in rows)
    res = runner.invoke(cli, ["scan", str(path), "--db", str(tmp_path / "books.db"), "--as-of", AS_OF,
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _table(runner, tmp_path) -> str:
    res = runner.invoke(cli, ["report", "--db", str(tmp_path / "books.db"), "--limit", "0"])
    assert res.exit_code == 0, res.output
    return " ".join(res.stdout.split())


# -- payroll runs ---------------------------------------------------------------------------------


def _payroll_rows() -> list[tuple[str, str, str, float]]:
    """A bakery's checking account: Gusto pays 4 people, then 5 from June 2024 and 6 from March
    2025 (net pay and payroll taxes debited on the 15th and the month's last weekday), Gusto's
    own fee (a base of 80.00 and 12.00 a person), and a phone plan. A second account runs its
    payroll through ADP (wages, taxes, its fee) and a third through QuickBooks Payroll, whose
    debits the merchant stage names "Intuit Payroll S"."""
    rng = random.Random(46)
    rows = []
    for y, m in _months(23):
        people = 4 if (y, m) < (2024, 6) else 5 if (y, m) < (2025, 3) else 6
        last = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1))
        for day in (_weekday_before(date(y, m, 15)), _weekday_before(last)):
            net = round(people * 2415.0 * rng.uniform(0.985, 1.015), 2)
            rows.append(("bakery", day.isoformat(), "GUSTO NET 4410932 CCD ID: 9138864001", net))
            rows.append(("bakery", day.isoformat(), "GUSTO TAX 4410932 CCD ID: 9138864001", round(net * 0.31, 2)))
            wages = round(people * 1980.0 * rng.uniform(0.99, 1.01), 2)
            rows.append(("studio", day.isoformat(), f"ORIG CO NAME:ADP WAGE PAY ORIG ID:9333006057 CO ENTRY DESCR:WAGE PAY SEC:CCD TRACE#:{day:%y%m%d}01", wages))
            rows.append(("studio", day.isoformat(), f"ADP Tax ADP Tax {day:%y%m%d} CCD", round(wages * 0.29, 2)))
            pay = round(people * 1700.0 * rng.uniform(0.99, 1.01), 2)
            rows.append(("shop", day.isoformat(), "INTUIT PAYROLL S DES:QUICKBOOKS ID:552013 CCD", pay))
        rows.append(("bakery", f"{y}-{m:02d}-02", "GUSTO FEE 4410932 CCD ID: 9138864001", 80.0 + 12.0 * people))
        rows.append(("bakery", f"{y}-{m:02d}-20", "VERIZON WIRELESS PAYMENTS", 112.40))
        rows.append(("studio", f"{y}-{m:02d}-05", "ORIG CO NAME:ADP PAYROLL FEES CO ENTRY DESCR:ADP FEES", 139.0))
    return rows


def test_payroll_runs_are_no_subscription_no_price_rise_and_no_refund(runner, tmp_path):
    doc = _scan(runner, tmp_path, _payroll_rows())
    streams = {(s["account_id"], s["merchant"]): s for s in doc["streams"]}
    runs = [k for k, s in streams.items() if s["not_counted_reason"] == "payroll"]
    assert sorted(runs) == [("bakery", "Gusto Net"), ("bakery", "Gusto Tax"), ("shop", "Intuit Payroll S"),
                            ("studio", "ADP Tax"), ("studio", "ADP Wage Pay")]
    names = {m for _, m in runs}
    for k in runs:
        assert streams[k]["counted"] is False and streams[k]["monthly_amount"] is None
    # the payroll service's own fee is a plan, and counted
    assert streams[("bakery", "Gusto")]["counted"] is True
    assert streams[("studio", "ADP Payroll Fees")]["counted"] is True
    flagged = {f["merchant"] for f in doc["flags"] if f["type"] == "price_increase"}
    assert not flagged & names
    assert not {r["vendor"] for r in doc["refund_requests"]} & names
    counted = [s for s in doc["streams"] if s["counted"]]
    assert round(sum(s["monthly_amount"] for s in counted), 2) < 1000  # the plans alone
    table = _table(runner, tmp_path)
    assert "Not listed or counted: 5 payroll debit(s)" in table
    total = table.split("Total ")[1].split()[0]
    assert float(total.replace(",", "")) == round(sum(s["monthly_amount"] for s in counted), 2)


def test_a_payroll_service_named_alone_is_told_by_its_lines(runner, tmp_path):
    # "GUSTO PAYROLL DEBIT" is merchant "Gusto", as Gusto's fee could be: the lines say payroll
    rng = random.Random(7)
    rows = []
    for y, m in _months(14):
        people = 3 if (y, m) < (2024, 9) else 4
        rows.append(("cafe", f"{y}-{m:02d}-14", "GUSTO PAYROLL DEBIT 7731", round(people * 2200 * rng.uniform(0.99, 1.01), 2)))
        rows.append(("cafe", f"{y}-{m:02d}-28", "GUSTO PAYROLL DEBIT 7731", round(people * 2200 * rng.uniform(0.99, 1.01), 2)))
    doc = _scan(runner, tmp_path, rows)
    (gusto,) = [s for s in doc["streams"] if s["account_id"] == "cafe"]
    assert gusto["not_counted_reason"] == "payroll" and "payroll runs" in gusto["evidence"]
    assert not [f for f in doc["flags"] if f["type"] == "price_increase"] and not doc["refund_requests"]


# -- business card issuers ------------------------------------------------------------------------


def test_payments_to_business_charge_cards_are_card_payments(runner, tmp_path):
    # an agency's checking account pays four company cards in full each month (the cards' own
    # plans are on the cards' statements) beside one plan it pays from checking
    rng = random.Random(11)
    rows = []
    cards = {"brex": "BREX INC. PAYMENT", "ramp": "RAMP PAYMENT", "mercury": "MERCURY IO PAYMENT",
             "divvy": "DIVVY PAYMENT", "airbase": "AIRBASE PAYMENT"}
    for y, m in _months(23):
        for i, (acct, text) in enumerate(cards.items()):
            rows.append(("agency", f"{y}-{m:02d}-{8 + i:02d}", f"{text} {acct.upper()}{y}{m:02d}",
                         round(rng.uniform(380, 1900), 2)))
        rows.append(("agency", f"{y}-{m:02d}-21", "MERCURY CARD PAYMENT", round(rng.uniform(150, 400), 2)))
        rows.append(("agency", f"{y}-{m:02d}-03", "COMCAST BUSINESS 800-391-3000", 189.90))
    doc = _scan(runner, tmp_path, rows)
    got = {s["merchant"]: s["not_counted_reason"] for s in doc["streams"]}
    paid = {m for m, why in got.items() if why == "card_payment"}
    assert {"Brex", "Ramp", "Mercury IO", "Divvy", "Airbase", "Mercury Card"} <= paid, got
    counted = [s for s in doc["streams"] if s["counted"]]
    assert [s["merchant"] for s in counted] == ["Xfinity"]
    assert not [f for f in doc["flags"] if f["merchant"] in paid] and not doc["refund_requests"]


# -- per-seat plans -------------------------------------------------------------------------------


def _taxed(users: int, price: float, rate: float) -> float:
    return round(users * price * (1 + rate) + 1e-9, 2)


def _price_rises(doc: dict, merchant: str) -> list[dict]:
    return sorted((f for f in doc["flags"] if f["type"] == "price_increase" and f["merchant"] == merchant),
                  key=lambda f: f["date"])


def _requested(doc: dict, merchant: str) -> list[str]:
    return sorted(r["charge_date"] for r in doc["refund_requests"]
                  if r["vendor"] == merchant and r["flag_type"] == "price_increase")


def test_users_added_to_a_plan_billed_with_sales_tax_are_seats_and_a_real_rise_stays_flagged(runner, tmp_path):
    # Google Workspace with New York City's 8.875% on the total: 6 users at 13.50 (88.19), a 7th
    # in May 2024 (102.89), the vendor's new price of 16.20 a user in February 2025 (123.48, a
    # real rise), an 8th user in August 2025 (141.12); none of the pairs shares a price to the cent
    rate, rows = 0.08875, []
    for y, m in _months(23):
        users, price = (6 if (y, m) < (2024, 5) else 7 if (y, m) < (2025, 8) else 8), (
            13.50 if (y, m) < (2025, 2) else 16.20)
        rows.append(("amex", f"{y}-{m:02d}-01", "GOOGLE *GSUITE_acme-tools.com g.co/helppay#CA",
                     _taxed(users, price, rate)))
    doc = _scan(runner, tmp_path, rows)
    seats, rise, more = _price_rises(doc, "Google Workspace")
    assert (seats["date"], seats["severity"]) == ("2024-05-01", "low")
    assert "7/6 of the old, give or take the rounding of a tax" in seats["reason"]
    assert rise["date"] == "2025-02-01" and rise["severity"] == "medium" and "per user" not in rise["reason"]
    assert (more["date"], more["severity"]) == ("2025-08-01", "low") and "7 users to 8" in more["reason"]
    assert _requested(doc, "Google Workspace") == ["2025-02-01"]


def test_a_bill_combining_two_prices_per_user_rises_by_whole_users(runner, tmp_path):
    # GitHub Team at 4.00 a user and Copilot Business at 19.00 on one bill: 7 users and 2 Copilot
    # seats (66.00), an 8th user (70.00), then 3 more Copilot seats (127.00); Gusto's fee of 80.00
    # and 12.00 a person: 5 people (140.00), then 6 (152.00), then 8 (176.00)
    rows = []
    for y, m in _months(23):
        team, copilot = (7 if (y, m) < (2024, 8) else 8), (2 if (y, m) < (2025, 3) else 5)
        rows.append(("spark", f"{y}-{m:02d}-06", "GITHUB, INC. GITHUB.COM CA", 4.0 * team + 19.0 * copilot))
        people = 5 if (y, m) < (2024, 5) else 6 if (y, m) < (2025, 1) else 8
        rows.append(("checking", f"{y}-{m:02d}-03", "GUSTO FEE 558120 CCD ID: 9138864001", 80.0 + 12.0 * people))
    doc = _scan(runner, tmp_path, rows)
    github = _price_rises(doc, "GitHub")
    assert [(f["date"], f["severity"]) for f in github] == [("2024-08-06", "low"), ("2025-03-06", "low")]
    assert "1 more user at 4.00" in github[0]["reason"] and "3 more users at 19.00" in github[1]["reason"]
    assert "bigger plan" not in github[1]["reason"]
    gusto = _price_rises(doc, "Gusto")
    assert [(f["date"], f["severity"]) for f in gusto] == [("2024-05-03", "low"), ("2025-01-03", "low")]
    assert "2 more users at 12.00" in gusto[1]["reason"]
    assert _requested(doc, "GitHub") == _requested(doc, "Gusto") == []


def test_a_password_manager_for_business_is_priced_per_user(runner, tmp_path):
    # 1Password Business, billed yearly at 95.88 a user: 9 users, then 11 at the renewal
    rows = [("card", "2024-02-20", "1PASSWORD TORONTO ON", 9 * 95.88), ("card", "2025-02-20", "1PASSWORD TORONTO ON", 11 * 95.88)]
    rows += [("card", f"{y}-{m:02d}-11", "NOTION LABS, INC. SAN FRANCISCO CA", 10.0) for y, m in _months(23)]
    doc = _scan(runner, tmp_path, rows)
    (rise,) = _price_rises(doc, "1Password")
    assert rise["severity"] == "low" and "9 users to 11" in rise["reason"]
    assert _requested(doc, "1Password") == []


def test_a_new_price_per_user_after_users_were_added_is_a_price_rise(runner, tmp_path):
    # Slack at 8.75 a user: 10 users (87.50), an 11th (96.25), then Slack's price of 10.50 a user
    # for the same 11 (115.50): 6/5 of the bill, which alone reads as 5 users to 6, but the
    # chain's own price per user says otherwise
    rows = []
    for y, m in _months(23):
        users, price = (10 if (y, m) < (2024, 4) else 11), (8.75 if (y, m) < (2025, 5) else 10.50)
        rows.append(("amex", f"{y}-{m:02d}-03", "SLACK T0123ABCD DUBLIN IRL", round(users * price, 2)))
    doc = _scan(runner, tmp_path, rows)
    seats, rise = _price_rises(doc, "Slack")
    assert seats["severity"] == "low" and "10 users to 11" in seats["reason"]
    assert rise["date"] == "2025-05-03" and rise["severity"] == "medium" and "per user" not in rise["reason"]
    assert _requested(doc, "Slack") == ["2025-05-03"]


def test_a_catalogue_s_seat_prices_are_checked(tmp_path):
    import pytest

    from detector.catalog import load_vendors
    from detector.errors import CatalogError

    entry = '[[vendor]]\nname = "Acme Seats"\ncategory = "software"\ncadence = ["monthly"]\n'
    good = tmp_path / "good.toml"
    good.write_text(entry + 'billing = "per_seat"\nseat_prices = [5, 12.5]\n')
    assert load_vendors(user_path=good).get("Acme Seats").seat_prices == (5.0, 12.5)
    for n, bad in enumerate(('billing = "per_seat"\nseat_prices = ["5.00"]\n', 'billing = "per_seat"\nseat_prices = [0]\n',
                             'seat_prices = [5]\n')):
        path = tmp_path / f"bad{n}.toml"
        path.write_text(entry + bad)
        with pytest.raises(CatalogError, match=rf"bad{n}.toml: vendor #1 \('Acme Seats'\): field 'seat_prices'"):
            load_vendors(user_path=path)


# -- Intuit's card descriptors --------------------------------------------------------------------


def test_intuit_s_card_descriptors_name_their_products(runner, tmp_path):
    # QuickBooks Online as Intuit bills it, with its billing domain (in both spacings), Mailchimp
    # and TurboTax under Intuit's name
    rows = []
    for y, m in _months(23):
        price = 38.0 if (y, m) < (2025, 2) else 42.0
        rows.append(("visa", f"{y}-{m:02d}-12", "INTUIT *QBooks Online CL.INTUIT.COM CA", price))
        rows.append(("amex", f"{y}-{m:02d}-13", "INTUIT *QBooks Online CL.INTUIT.COMCA", 65.0))
        rows.append(("visa", f"{y}-{m:02d}-19", "INTUIT *MAILCHIMP CL.INTUIT.COM GA", 26.5))
    rows += [("visa", "2024-03-02", "INTUIT *TURBOTAX CL.INTUIT.COM CA", 129.0),
             ("visa", "2025-03-03", "INTUIT *TURBOTAX CL.INTUIT.COM CA", 139.0)]
    doc = _scan(runner, tmp_path, rows)
    got = sorted((s["account_id"], s["merchant"], s["vendor"]) for s in doc["streams"])
    assert got == [("amex", "Intuit QuickBooks", "Intuit QuickBooks"), ("visa", "Intuit QuickBooks", "Intuit QuickBooks"),
                   ("visa", "Mailchimp", "Mailchimp"), ("visa", "TurboTax", "TurboTax")]
    (request,) = [r for r in doc["refund_requests"] if r["flag_type"] == "price_increase"]
    assert request["vendor"] == "Intuit QuickBooks" and request["charge_date"] == "2025-02-12"


# -- a bank's foreign-exchange fee ----------------------------------------------------------------


def test_a_bank_s_exchange_rate_adjustment_fee_is_no_plan(runner, tmp_path):
    # a debit card paying The Economist in pounds each month; the bank adds its 3% exchange-rate
    # adjustment as a line of its own the same day ("FOREIGN EXCH RT ADJ FEE", as Chase writes it)
    rng = random.Random(5)
    rows = []
    for y, m in _months(23):
        usd = round(23.00 * rng.uniform(1.22, 1.31), 2)
        rows.append(("checking", f"{y}-{m:02d}-09", "THE ECONOMIST NEWSPAPER LONDON GBR", usd))
        rows.append(("checking", f"{y}-{m:02d}-09", "FOREIGN EXCH RT ADJ FEE", round(usd * 0.03, 2)))
    doc = _scan(runner, tmp_path, rows)
    assert [s["merchant"] for s in doc["streams"]] == ["The Economist"]
    assert not doc["flags"] and not doc["refund_requests"]


# -- refund requests' wording ---------------------------------------------------------------------


def test_a_vendor_guide_naming_no_refundable_situation_is_told_so(runner, tmp_path):
    # Google Workspace's refund guide lists no situation it refunds: the eligibility reason of a
    # request for its price rise must not end with an empty list, "recognised ();"
    rows = [("amex", f"{y}-{m:02d}-01", "GOOGLE *GSUITE_acme-tools.com g.co/helppay#CA",
             120.00 if (y, m) < (2025, 2) else 139.00) for y, m in _months(23)]
    doc = _scan(runner, tmp_path, rows)
    (request,) = [r for r in doc["refund_requests"] if r["vendor"] == "Google Workspace"]
    why = request["eligibility_reason"]
    assert "()" not in why and "it names no situation it refunds; say why this charge should be refunded" in why
