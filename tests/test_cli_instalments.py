"""Bills paid in instalments at set times of year, through `subdetect scan` and `report` on real
SQLite files: UK council tax in ten monthly instalments (none in February and March), whose
monthly cost is a year's instalments over twelve months, not one instalment; a US property tax
in two instalments a year in fixed months (December and April), a stream of its own."""

from __future__ import annotations

import json
from datetime import date, timedelta

from detector.cli import cli

ACCOUNT = "20-32-06 13152170"


def _business_day(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _instalment_months(first_year: int, until: date, skip=(2, 3)) -> list[date]:
    """The 1st of each month from April of ``first_year`` to ``until``, but ``skip``'s months."""
    out, d = [], date(first_year, 4, 1)
    while d <= until:
        if d.month not in skip:
            out.append(d)
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return out


def _barclays(path, rows: list[tuple[date, str, float]]) -> str:
    """A Barclays UK export: Number,Date,Account,Amount,Subcategory,Memo (day first)."""
    lines = ["Number,Date,Account,Amount,Subcategory,Memo"]
    lines += [f",{d:%d/%m/%Y},{ACCOUNT},{amount:.2f},Direct Debit,{memo}" for d, memo, amount in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _council_tax(until: date, first_year: int = 2023, skip=(2, 3), memo: str = "LB CAMDEN CTAX 60004419 DDR"):
    # the council's yearly rise each April: 155.00, 161.50, 166.00
    price = {2023: -155.0, 2024: -161.5, 2025: -166.0, 2026: -172.0}
    return [(_business_day(d), memo, price[d.year if d.month >= 4 else d.year - 1])
            for d in _instalment_months(first_year, until, skip)]


def _scan(runner, tmp_path, rows, as_of: str, name: str = "statement.csv") -> dict:
    db = tmp_path / f"{name}.db"
    result = runner.invoke(cli, ["scan", _barclays(tmp_path / name, rows), "--db", str(db), "--as-of", as_of,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _stream(doc: dict, merchant_word: str) -> dict:
    (hit,) = [s for s in doc["streams"] if merchant_word.lower() in s["merchant"].lower()]
    return hit


def test_council_tax_in_ten_instalments_costs_a_years_instalments_a_month(runner, tmp_path):
    # in October, between pauses: ten instalments of 166.00 a year are 138.33 a month
    rows = _council_tax(date(2025, 10, 31)) + [(date(2025, m, 5), "NETFLIX.COM", -10.99) for m in range(1, 11)]
    doc = _scan(runner, tmp_path, rows, "2025-10-20")
    tax = _stream(doc, "camden")
    assert (tax["frequency"], tax["status"], tax["next_amount"]) == ("monthly", "active", 166.0)
    assert tax["charges_per_year"] == 10 and tax["monthly_amount"] == 138.33
    assert tax["evidence"].endswith("; none between 2025-01-01 and 2025-04-01, a pause each year: 10 charges a year")
    # a plan billed every month keeps its price a month, and the total adds the two
    netflix = _stream(doc, "netflix")
    assert netflix["charges_per_year"] is None and netflix["monthly_amount"] == 10.99
    db = tmp_path / "statement.csv.db"
    table = runner.invoke(cli, ["report", "--db", str(db)])
    assert table.exit_code == 0, table.output
    assert "138.33" in table.stdout and "149.32" in table.stdout  # 138.33 + 10.99
    # the stored stream keeps its charges a year: the stored report's JSON and CSV agree
    stored = json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout)
    assert _stream(stored, "camden")["monthly_amount"] == 138.33
    csv_out = runner.invoke(cli, ["report", "--db", str(db), "--format", "csv"]).stdout
    assert "charges_per_year" in csv_out.splitlines()[0] and ",10.0,138.33," in csv_out


def test_council_tax_in_its_pause_costs_the_same(runner, tmp_path):
    # in February the bill is in its pause: due 1 April, active, and still 138.33 a month
    doc = _scan(runner, tmp_path, _council_tax(date(2026, 1, 31)), "2026-02-20")
    tax = _stream(doc, "camden")
    assert (tax["status"], tax["next_date"], tax["monthly_amount"]) == ("active", "2026-04-01", 138.33)
    assert tax["evidence"].endswith("none between 2025-01-01 and 2025-04-01 a year ago either; 10 charges a year")
    # a statement of eighteen months shows the pause once: a tax's scheme pauses, so once is
    # its pattern (as for its next date)
    doc = _scan(runner, tmp_path, _council_tax(date(2025, 10, 31), first_year=2024), "2025-10-20", "short.csv")
    assert _stream(doc, "camden")["monthly_amount"] == 138.33


def test_a_plan_that_lapsed_once_or_skipped_keeps_its_price_a_month(runner, tmp_path):
    # a gym that lapsed over February and March once is no seasonal bill: 45.00 a month
    gym = [(d, "PUREGYM LTD DDR", -45.0) for d in _instalment_months(2024, date(2025, 10, 31), skip=())
           if not (d.year == 2025 and d.month in (2, 3))]
    doc = _scan(runner, tmp_path, gym, "2025-10-20", "gym.csv")
    s = _stream(doc, "puregym")
    assert s["charges_per_year"] is None and s["monthly_amount"] == 45.0
    assert "a pause each year" not in s["evidence"]
    # ... nor is one that lapsed in February and March two years running and skipped a month
    # in the summer: it stops at other times too
    gym = [(d, "PUREGYM LTD DDR", -45.0) for d in _instalment_months(2023, date(2025, 10, 31))
           if d != date(2024, 8, 1)]
    s = _stream(_scan(runner, tmp_path, gym, "2025-10-20", "gym2.csv"), "puregym")
    assert s["charges_per_year"] is None and s["monthly_amount"] == 45.0
    # a council tax paid in twelve instalments one year (February and March 2024 billed) has no
    # pause each year, whatever the last year did
    tax = [r for r in _council_tax(date(2025, 10, 31), skip=()) if not (r[0].year == 2025 and r[0].month in (2, 3))]
    s = _stream(_scan(runner, tmp_path, tax, "2025-10-20", "ctax12.csv"), "camden")
    assert s["charges_per_year"] is None and s["monthly_amount"] == 166.0
    # a late instalment (May's on the 20th) or a skipped one makes the history irregular
    for name, moved in (("late.csv", date(2024, 5, 20)), ("skip.csv", None)):
        rows = [r for r in _council_tax(date(2025, 10, 31)) if r[0] != date(2024, 5, 1)]
        if moved:
            rows = sorted(rows + [(moved, "LB CAMDEN CTAX 60004419 DDR", -161.5)])
        s = _stream(_scan(runner, tmp_path, rows, "2025-10-20", name), "camden")
        assert s["charges_per_year"] is None and s["monthly_amount"] == 166.0, name


def test_a_store_from_before_charges_a_year_is_migrated_and_reported(runner, tmp_path):
    # a store written by the version before (schema 6, streams without charges_per_year) opens,
    # gains the column, reports its stored streams as before and a rescan fills it
    import sqlite3

    path = _barclays(tmp_path / "s.csv", _council_tax(date(2025, 10, 31)))
    db = tmp_path / "old.db"
    assert runner.invoke(cli, ["scan", path, "--db", str(db), "--as-of", "2025-10-20"]).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE streams DROP COLUMN charges_per_year")
        conn.execute("PRAGMA user_version = 6")
    doc = json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout)
    tax = _stream(doc, "camden")
    assert tax["charges_per_year"] is None and tax["monthly_amount"] == 166.0
    with sqlite3.connect(db) as conn:
        assert "charges_per_year" in {r[1] for r in conn.execute("PRAGMA table_info(streams)")}
    assert runner.invoke(cli, ["scan", path, "--db", str(db), "--as-of", "2025-10-20"]).exit_code == 0
    doc = json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout)
    assert _stream(doc, "camden")["monthly_amount"] == 138.33


def _chase_checking(path, rows: list[tuple[date, str, float]]) -> str:
    """A Chase checking export (Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #)."""
    lines = ["Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #"]
    lines += [f'DEBIT,{d:%m/%d/%Y},"{memo}",{amount:.2f},ACH_DEBIT, ,,' for d, memo, amount in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


#: California's two instalments, paid before they fall delinquent on 10 December and 10 April
#: (the second is half the year's bill too; the bill rises each year).
PROPERTY_TAX = [(date(2022, 12, 6), 4812.37), (date(2023, 4, 7), 4812.37), (date(2023, 12, 8), 4907.62),
                (date(2024, 4, 5), 4907.62), (date(2024, 12, 9), 5005.11), (date(2025, 4, 8), 5005.11)]


def _scan_us(runner, tmp_path, rows, as_of: str, name: str) -> dict:
    db = tmp_path / f"{name}.db"
    result = runner.invoke(cli, ["scan", _chase_checking(tmp_path / name, rows), "--db", str(db), "--as-of", as_of,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_property_tax_in_two_instalments_in_fixed_months_is_a_stream(runner, tmp_path):
    # December and April, 4 and 8 months apart by turns: six-monthly in the terms, its
    # next instalment a year after the one before the last, its monthly cost the year's over 12
    memo = "SANTA CLARA CO TAX COLL WEB PMT"
    doc = _scan_us(runner, tmp_path, [(d, memo, -a) for d, a in PROPERTY_TAX], "2025-06-30", "tax.csv")
    assert len(doc["streams"]) == 1
    tax = doc["streams"][0]
    assert (tax["frequency"], tax["status"], tax["next_date"]) == ("semiannual", "active", "2025-12-09")
    assert len(tax["transaction_ids"]) == 6 and tax["next_amount"] == 5005.11
    assert tax["monthly_amount"] == round(2 * 5005.11 / 12, 2)
    assert tax["evidence"].endswith("; two a year, in December and April")
    # set by law: its "renewals" are nothing to ask back, and no refund request is queued
    assert doc["flags"] and all(f["severity"] == "low" for f in doc["flags"]) and not doc["refund_requests"]
    # in December the April instalment is next, a year after the last April's; once it is months
    # overdue, the tax has ended (paid off, moved away)
    rows = [(d, memo, -a) for d, a in PROPERTY_TAX] + [(date(2025, 12, 8), memo, -5102.40)]
    tax = _scan_us(runner, tmp_path, rows, "2026-01-15", "dec.csv")["streams"][0]
    assert (tax["status"], tax["next_date"]) == ("active", "2026-04-08")
    tax = _scan_us(runner, tmp_path, rows, "2026-08-01", "gone.csv")["streams"][0]
    assert tax["status"] == "ended"
    # a county treasury paid in March and August (5 and 7 months apart): due a year after March
    king = [(date(y, m, 28 if m == 3 else 30), "KING COUNTY TREASURY PROPERTY TX", -2230.15)
            for y in (2023, 2024, 2025) for m in (3, 8)]
    tax = _scan_us(runner, tmp_path, king, "2025-09-30", "king.csv")["streams"][0]
    assert (tax["frequency"], tax["next_date"]) == ("semiannual", "2026-03-28")
    assert tax["evidence"].endswith("two a year, in March and August")


def test_two_charges_a_year_in_fixed_months_elsewhere_are_no_stream(runner, tmp_path):
    # a garden centre every April and December at like sums is shopping, not a bill: the pattern
    # is read for taxes alone (read for any payee, it made five streams of purchases on the
    # held-out synthetic set)
    shop = [(d, "DOBBIES GARDEN CENTRE", -a) for d, a in PROPERTY_TAX]
    assert _scan_us(runner, tmp_path, [(d, m, a / 50) for d, m, a in shop], "2025-06-30", "shop.csv")["streams"] == []
    # a tax seen in its two months once each, then once more, is no pattern yet
    memo = "SANTA CLARA CO TAX COLL WEB PMT"
    three = [(d, memo, -a) for d, a in PROPERTY_TAX[:3]]
    assert _scan_us(runner, tmp_path, three, "2024-01-31", "three.csv")["streams"] == []
    # nor is a tax paid at no fixed time of year (an instalment in August one year)
    odd = [(d, memo, -a) for d, a in PROPERTY_TAX]
    odd[3] = (date(2024, 8, 2), memo, -4907.62)
    assert _scan_us(runner, tmp_path, odd, "2025-06-30", "odd.csv")["streams"] == []


def test_a_council_named_alone_is_council_tax_and_its_other_charges_are_not(runner, tmp_path):
    # round-forty-one audit (its Lloyds export, Jan 2025 - Mar 2026): a payee named only "LEEDS
    # CITY COUNCIL" (no "CTAX") got a price-rise flag with a refund email to the council for its
    # April rise, and in its February-March pause the stream was 'ended', out of the total
    from pathlib import Path

    lloyds = Path(__file__).parent / "data" / "anglo" / "lloyds_30917402344812_20260327.csv"
    columns = ("date=Transaction Date,description=Transaction Description,debit=Debit Amount,"
               "credit=Credit Amount,date_format=%d/%m/%Y,currency=GBP")
    result = runner.invoke(cli, ["scan", str(lloyds), "--db", str(tmp_path / "l.db"), "--as-of", "2026-03-30",
                                 "--limit", "0", "--format", "json", "--columns", columns])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    tax = _stream(doc, "leeds")
    assert (tax["status"], tax["charges_per_year"], tax["monthly_amount"]) == ("active", 10, 138.25)
    assert not [f for f in doc["flags"] if "Leeds" in json.dumps(f)]
    assert not [r for r in doc["refund_requests"] if "Leeds" in (r.get("vendor") or "")]
    # a council's garden waste collection is a service it prices: its rise is flagged
    garden = [(_business_day(date(y, 6, 1)), "LEEDS CITY COUNCIL GARDEN WASTE", p)
              for y, p in ((2023, -40.0), (2024, -40.0), (2025, -47.0))]
    doc = _scan(runner, tmp_path, garden, "2025-06-20", "garden.csv")
    assert "price_increase" in [f["type"] for f in doc["flags"] if "Garden" in json.dumps(f)]


#: US estimated income tax (IRS Direct Pay), due 15 April, 15 June, 15 September and 15 January,
#: or the next business day: 18 April 2023 (Emancipation Day), 16 January 2024 (Martin Luther
#: King Day), Monday 17 June 2024 (the 15th a Saturday), Monday 16 September 2024, Monday 16 June
#: 2025. Re-estimated each year, in round sums.
ESTIMATED_TAX = [(date(2023, 4, 18), 2500.0), (date(2023, 6, 15), 2500.0), (date(2023, 9, 15), 2500.0),
                 (date(2024, 1, 16), 2500.0), (date(2024, 4, 15), 3100.0), (date(2024, 6, 17), 3100.0),
                 (date(2024, 9, 16), 3100.0), (date(2025, 1, 15), 3100.0), (date(2025, 4, 15), 2800.0),
                 (date(2025, 6, 16), 2800.0)]


def test_us_estimated_income_tax_in_four_fixed_months_is_a_quarterly_stream(runner, tmp_path):
    # 2, 3, 4 and 3 months apart: quarterly in the terms, due on the 15th of the next
    # fixed month (rolled off a weekend as the IRS rolls it), costing its last year's instalments
    memo = "IRS USATAXPYMT 270365000000000"
    doc = _scan_us(runner, tmp_path, [(d, memo, -a) for d, a in ESTIMATED_TAX], "2025-07-01", "irs.csv")
    assert len(doc["streams"]) == 1
    tax = doc["streams"][0]
    assert (tax["frequency"], tax["status"], tax["next_date"]) == ("quarterly", "active", "2025-09-15")
    assert len(tax["transaction_ids"]) == 10 and tax["next_amount"] == 2800.0 and tax["charges_per_year"] == 4
    # September's and January's 3,100.00 and April's and June's 2,800.00 over twelve months
    assert tax["monthly_amount"] == round((2 * 3100 + 2 * 2800) / 12, 2)
    assert tax["evidence"].endswith("; four a year, in September, January, April and June")
    assert not doc["refund_requests"] and all(f["severity"] == "low" for f in doc["flags"])
    # after April, June is next: due Sunday 15 June 2025, so Monday the 16th (not the 17th, a
    # year after June 2024's instalment, paid on Monday the 17th)
    rows = [(d, memo, -a) for d, a in ESTIMATED_TAX[:9]]
    tax = _scan_us(runner, tmp_path, rows, "2025-05-01", "april.csv")["streams"][0]
    assert (tax["frequency"], tax["next_date"], tax["next_amount"]) == ("quarterly", "2025-06-16", 2800.0)
    # with a year's instalments and two more it is a stream already: September 2024 is next,
    # due Sunday the 15th, so Monday the 16th
    rows = [(d, memo, -a) for d, a in ESTIMATED_TAX[:6]]
    tax = _scan_us(runner, tmp_path, rows, "2024-07-01", "six.csv")["streams"][0]
    assert (tax["frequency"], tax["status"], tax["next_date"]) == ("quarterly", "active", "2024-09-16")
    # a state's estimated tax too, at other sums (New York's)
    nys = [(d, "NYS DTF PIT ESTPAY", -round(a * 0.27, 2)) for d, a in ESTIMATED_TAX]
    tax = _scan_us(runner, tmp_path, nys, "2025-07-01", "nys.csv")["streams"][0]
    assert (tax["frequency"], tax["next_date"]) == ("quarterly", "2025-09-15")


def test_californias_estimated_tax_in_three_fixed_months_is_a_stream(runner, tmp_path):
    # California's estimated tax: 30% on 15 April, 40% on 15 June, none in September, 30% on 15
    # January: three a year, 2, 7 and 3 months apart; each instalment its own sum
    ca = [(date(2023, 4, 18), 1230.0), (date(2023, 6, 15), 1640.0), (date(2024, 1, 16), 1230.0),
          (date(2024, 4, 15), 1410.0), (date(2024, 6, 17), 1880.0)]
    doc = _scan_us(runner, tmp_path, [(d, "FRANCHISE TAX BD ESTPMT", -a) for d, a in ca], "2024-07-01", "ca.csv")
    (tax,) = doc["streams"]
    assert (tax["frequency"], tax["status"], tax["next_date"]) == ("quarterly", "active", "2025-01-15")
    assert len(tax["transaction_ids"]) == 5 and tax["charges_per_year"] == 3
    # January's instalment is the one a year before's, not June's 40%
    assert tax["next_amount"] == 1230.0 and tax["monthly_amount"] == round((1230 + 1410 + 1880) / 12, 2)
    assert tax["evidence"].endswith("; three a year, in January, April and June")


def test_purchases_or_a_tax_at_no_fixed_months_are_no_four_a_year_stream(runner, tmp_path):
    # a hardware store on the estimated tax's very days, at like sums, is shopping: the months are
    # read for taxes alone
    shop = [(d, "HOME DEPOT #0455", -round(a / 40 + 0.37 * i, 2)) for i, (d, a) in enumerate(ESTIMATED_TAX)]
    assert _scan_us(runner, tmp_path, shop, "2025-07-01", "shop.csv")["streams"] == []
    # a tax paid now and then, at no fixed months, is no stream either
    memo = "IRS USATAXPYMT 270365000000000"
    odd = [(date(2023, 4, 18), 900.0), (date(2023, 7, 3), 1200.0), (date(2023, 11, 20), 800.0),
           (date(2024, 2, 12), 1500.0), (date(2024, 6, 28), 700.0), (date(2024, 9, 9), 1100.0)]
    assert _scan_us(runner, tmp_path, [(d, memo, -a) for d, a in odd], "2024-10-01", "odd.csv")["streams"] == []


def test_a_first_year_of_us_estimated_tax_is_a_quarterly_stream(runner, tmp_path):
    # known limit of round forty: a first year of estimated tax (fewer than six instalments) was no
    # stream, at unequal sums none at all. Its payee's due days are set by law (15 April, 15 June,
    # 15 September, 15 January), so three instalments on them make the stream
    memo = "IRS USATAXPYMT 270365000000000"
    first = [(date(2024, 4, 15), 1800.0), (date(2024, 6, 14), 2600.0), (date(2024, 9, 13), 2350.0)]
    doc = _scan_us(runner, tmp_path, [(d, memo, -a) for d, a in first], "2024-10-01", "first.csv")
    (tax,) = doc["streams"]
    assert (tax["frequency"], tax["status"], tax["charges_per_year"]) == ("quarterly", "active", 4)
    # January's is next, on its due day; at the last sum (no instalment a year before it yet),
    # four of them a year
    assert (tax["next_date"], tax["next_amount"]) == ("2025-01-15", 2350.0)
    assert tax["monthly_amount"] == round(4 * 2350.0 / 12, 2) and tax["last_year_total"] is None
    assert tax["evidence"].endswith("; four a year, in January, April, June and September")
    assert not doc["refund_requests"] and all(f["severity"] == "low" for f in doc["flags"])
    # the year's four (January's paid early, in December: deducted that year) cost their sum, and
    # April is due on the 15th, whatever day of the month they were paid on
    rows = [(d, "EFTPS TAX PAYMENT", -a) for d, a in first + [(date(2024, 12, 20), 2100.0)]]
    tax = _scan_us(runner, tmp_path, rows, "2025-02-01", "eftps.csv")["streams"][0]
    assert (tax["frequency"], tax["charges_per_year"], tax["next_date"]) == ("quarterly", 4, "2025-04-15")
    assert tax["last_year_total"] == 8850.0 and tax["monthly_amount"] == round(8850.0 / 12, 2)
    # California's (April, June, January): due 15 April 2025, three a year
    ca = [(date(2024, 4, 15), 1230.0), (date(2024, 6, 17), 1640.0), (date(2025, 1, 15), 1230.0)]
    tax = _scan_us(runner, tmp_path, [(d, "FRANCHISE TAX BD ESTPMT", -a) for d, a in ca], "2025-02-01",
                   "ca.csv")["streams"][0]
    assert (tax["frequency"], tax["charges_per_year"], tax["next_date"]) == ("quarterly", 3, "2025-04-15")
    assert tax["monthly_amount"] == round((1230 + 1640 + 1230) / 12, 2)


def test_a_first_year_off_the_estimated_tax_days_or_at_another_payee_is_no_stream(runner, tmp_path):
    # the IRS paid three times on no due day (a balance due, a notice, an instalment agreement)
    odd = [(date(2024, 5, 3), 1800.0), (date(2024, 8, 20), 2600.0), (date(2024, 11, 29), 2350.0)]
    doc = _scan_us(runner, tmp_path, [(d, "IRS USATAXPYMT 270365000000000", -a) for d, a in odd], "2024-12-20",
                   "odd.csv")
    assert doc["streams"] == []
    # a county's tax or a shop on the estimated tax's days has no such schedule
    days = [(date(2024, 4, 15), 1800.0), (date(2024, 6, 14), 2600.0), (date(2024, 9, 13), 2350.0)]
    for memo in ("SANTA CLARA CO TAX COLL WEB PMT", "HOME DEPOT #0455"):
        assert _scan_us(runner, tmp_path, [(d, memo, -a / 30) for d, a in days], "2024-10-01",
                        f"{memo[:5]}.csv")["streams"] == [], memo


def test_a_tax_paid_every_four_months_is_a_stream_of_three_a_year(runner, tmp_path):
    # known limit of round forty: three instalments a year evenly apart (February, June and
    # October) fitted no frequency and were no stream. Read at the nearest, quarterly,
    # three charges a year, costing its last year's three
    memo = "MONTGOMERY CO TAX COLL WEB PMT"
    rows = [(date(2024, 2, 12), 1210.0), (date(2024, 6, 10), 1210.0), (date(2024, 10, 10), 1255.0),
            (date(2025, 2, 10), 1255.0)]
    doc = _scan_us(runner, tmp_path, [(d, memo, -a) for d, a in rows], "2025-03-01", "four.csv")
    (tax,) = doc["streams"]
    assert (tax["frequency"], tax["status"], tax["charges_per_year"]) == ("quarterly", "active", 3)
    assert tax["next_date"] == "2025-06-10" and tax["last_year_total"] == 1210.0 + 1255.0 * 2
    assert tax["monthly_amount"] == round((1210.0 + 2 * 1255.0) / 12, 2)
    assert tax["evidence"].endswith("; three a year, in June, October and February")
    assert all(f["severity"] == "low" for f in doc["flags"]) and not doc["refund_requests"]
    # a year's intervals are needed: three charges are no stream yet, nor are a shop's four
    assert _scan_us(runner, tmp_path, [(d, memo, -a) for d, a in rows[:3]], "2024-11-01", "three.csv")["streams"] == []
    shop = [(d, "DOBBIES GARDEN CENTRE", -a / 40) for d, a in rows]
    assert _scan_us(runner, tmp_path, shop, "2025-03-01", "shop.csv")["streams"] == []


#: UK self-assessment: on 31 January the year before's balancing payment and the first payment on
#: account, on 31 July the second payment on account (the working day before when the 31st is a
#: weekend), the sums changing each year.
SELF_ASSESSMENT = [(date(2023, 1, 31), 5862.40), (date(2023, 7, 31), 2931.20), (date(2024, 1, 31), 6158.93),
                   (date(2024, 7, 31), 3390.55), (date(2025, 1, 31), 5477.12), (date(2025, 7, 31), 3105.80)]


def test_uk_self_assessment_in_unequal_instalments_costs_its_last_year(runner, tmp_path):
    # every six months, January's instalment about twice July's: a twelfth of the last year's two
    # a month, and January's next instalment expected at last January's sum, not at the mean of
    # the last three (3,991.16, a sum never paid)
    rows = [(d, "HMRC SELF ASSESSMENT 1234567890K", -a) for d, a in SELF_ASSESSMENT]
    tax = _stream(_scan(runner, tmp_path, rows, "2025-09-01"), "hmrc")
    assert (tax["frequency"], tax["status"]) == ("semiannual", "active")
    assert tax["next_amount"] == 5477.12 and tax["monthly_amount"] == round((5477.12 + 3105.80) / 12, 2)
    # in spring, July's is next, at last July's sum
    tax = _stream(_scan(runner, tmp_path, rows[:5], "2025-03-01", "spring.csv"), "hmrc")
    assert (tax["next_date"], tax["next_amount"]) == ("2025-07-31", 3390.55)
    assert tax["monthly_amount"] == round((3390.55 + 5477.12) / 12, 2)


def test_uk_self_assessment_is_due_on_its_statutory_day(runner, tmp_path):
    # round forty's known limit: a direct debit's due day rolled forward off a weekend, as the
    # IRS's does, so 31 January 2026 (a Saturday) read Monday 2 February, after the deadline; and
    # a payer who pays a few days early was due on his own day. HMRC's dates do not move
    rows = [(d, "HMRC SELF ASSESSMENT 1234567890K", -a) for d, a in SELF_ASSESSMENT]
    tax = _stream(_scan(runner, tmp_path, rows, "2025-09-01", "sa.csv"), "hmrc")
    assert (tax["frequency"], tax["next_date"]) == ("semiannual", "2026-01-31")
    early = [(d - timedelta(days=3 + i % 4), m, a) for i, (d, m, a) in enumerate(rows)]
    tax = _stream(_scan(runner, tmp_path, early, "2025-09-01", "early.csv"), "hmrc")
    assert tax["next_date"] == "2026-01-31"
    tax = _stream(_scan(runner, tmp_path, early[:5], "2025-03-01", "spring.csv"), "hmrc")
    assert tax["next_date"] == "2025-07-31"
    # HMRC paid twice a year at other times (not self-assessment's days) keeps its own day
    other = [(_business_day(date(y, m, 14)), "HMRC VAT 123456789", -1200.0) for y in (2023, 2024, 2025) for m in (3, 9)]
    tax = _stream(_scan(runner, tmp_path, other, "2025-10-01", "vat.csv"), "hmrc")
    assert tax["frequency"] == "semiannual" and tax["next_date"][5:7] == "03"


def test_a_property_tax_in_unequal_halves_expects_each_half_at_its_own_sum(runner, tmp_path):
    # December's first half carries the year's special assessments: unequal halves in fixed months
    halves = [(date(2022, 12, 6), 2604.18), (date(2023, 4, 7), 2395.82), (date(2023, 12, 8), 2688.40),
              (date(2024, 4, 5), 2471.60), (date(2024, 12, 9), 2760.15), (date(2025, 4, 8), 2539.85)]
    memo = "SANTA CLARA CO TAX COLL WEB PMT"
    tax = _scan_us(runner, tmp_path, [(d, memo, -a) for d, a in halves], "2025-06-30", "halves.csv")["streams"][0]
    assert (tax["frequency"], tax["next_date"]) == ("semiannual", "2025-12-09")
    assert tax["next_amount"] == 2760.15 and tax["monthly_amount"] == round((2760.15 + 2539.85) / 12, 2)


def test_a_tax_in_two_fixed_months_is_renewed_twice_a_year_in_them(runner, tmp_path):
    # December and April are no six months apart: its renewals say when it is paid
    memo = "SANTA CLARA CO TAX COLL WEB PMT"
    doc = _scan_us(runner, tmp_path, [(d, memo, -a) for d, a in PROPERTY_TAX], "2025-06-30", "renewed.csv")
    renewals = [f["reason"] for f in doc["flags"] if f["type"] == "annual_renewal"]
    assert renewals and all("renewed twice a year, in December and April, for " in r for r in renewals)
    assert not any("every six months" in r for r in renewals)
    # a tax paid six months apart (January and July) is renewed every six months, as before
    rows = [(d, "HMRC SELF ASSESSMENT 1234567890K", -3000.0 if d.month == 1 else -2990.0) for d, _ in SELF_ASSESSMENT]
    flags = _scan(runner, tmp_path, rows, "2025-09-01", "hmrc.csv")["flags"]
    assert [f for f in flags if "every six months" in f["reason"]]
    assert not [f for f in flags if "twice a year" in f["reason"]]
