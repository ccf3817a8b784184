"""An Irish account keeps Irish bank holidays (round-forty-one audit: an AIB export, EUR, took the
euro system's days and St Patrick's Day counted as a working day for refund timelines)."""

from __future__ import annotations

import json
import sqlite3

from detector.cli import cli
from detector.workdays import add_working_days

AIB_HEADER = ("Posted Account, Posted Transactions Date, Description1, Description2, Description3, Debit Amount, "
              "Credit Amount,Balance,Posted Currency,Transaction Type,Local Currency Amount,Local Currency")
MAPPING = ("date=Posted Transactions Date,description=Description1+Description2+Description3,debit=Debit Amount,"
           "credit=Credit Amount,currency=Posted Currency,date_format=%d/%m/%Y,account_id=Posted Account")
MONTHS = [(2025, m) for m in range(1, 13)] + [(2026, 1), (2026, 2), (2026, 3)]


def _aib_rows(account="931012-99990000"):
    rows = []
    for y, m in MONTHS:
        rows.append(f"{account},05/{m:02d}/{y},VDP-HARBOURLIGHT YOGA,,,29.00,,1000.00,EUR,Debit,29.00,EUR")
        rows.append(f"{account},25/{m:02d}/{y},ACME PAYROLL,,,,2500.00,3000.00,EUR,Credit,2500.00,EUR")
    rows.append(f"{account},05/03/2026,VDP-HARBOURLIGHT YOGA,,,29.00,,1000.00,EUR,Debit,29.00,EUR")  # charged twice
    return rows


def _scan(runner, tmp_path, text, columns=MAPPING):
    statement = tmp_path / "Transaction_Export.csv"
    statement.write_text(text, encoding="utf-8")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", str(statement), "--db", str(db), "--as-of", "2026-03-09",
                                 "--columns", columns, "--payment-method", "debit_card"])
    assert result.exit_code == 0, result.output
    countries = dict(sqlite3.connect(db).execute("SELECT account_id, country FROM accounts").fetchall())
    return result, str(db), countries


def test_st_patricks_day_and_good_friday_are_no_irish_working_days():
    assert add_working_days("2026-03-16", 1, "IE").isoformat() == "2026-03-18"  # Tue 17 March skipped
    assert add_working_days("2026-03-16", 1, "EU").isoformat() == "2026-03-17"
    assert add_working_days("2026-04-02", 1, "IE").isoformat() == "2026-04-07"  # Good Friday (TARGET), Easter Monday


def test_an_aib_export_is_an_irish_account_and_its_refund_date_skips_st_patricks_day(runner, tmp_path):
    result, db, countries = _scan(runner, tmp_path, "\n".join([AIB_HEADER, *_aib_rows()]) + "\n")
    assert countries == {"931012-99990000": "IE"}
    assert "country=IE" in result.output and "AIB's export" in result.output
    listed = runner.invoke(cli, ["refunds", "list", "--db", db, "--format", "json"])
    (request,) = json.loads(listed.output)
    days = request["timeline"]["max_working_days"]
    assert request["country"] == "IE"
    assert request["expected_by"] == add_working_days("2026-03-09", days, "IE").isoformat()
    assert request["expected_by"] != add_working_days("2026-03-09", days, "EU").isoformat()  # 17 March skipped


def test_an_irish_iban_on_every_row_is_an_irish_account(runner, tmp_path):
    rows = ["Date,IBAN,Details,Amount,Currency"]
    for y, m in MONTHS:
        rows.append(f"{y}-{m:02d}-05,IE29 AIBK 9311 5212 3456 78,HARBOURLIGHT YOGA,-29.00,EUR")
    _, _, countries = _scan(runner, tmp_path, "\n".join(rows) + "\n",
                            "date=Date,description=Details,amount=Amount,currency=Currency,account_id=IBAN")
    assert set(countries.values()) == {"IE"}


def test_a_euro_file_naming_no_country_keeps_the_euro_systems_days(runner, tmp_path):
    rows = ["Date,Details,Amount,Currency"] + [f"{y}-{m:02d}-05,HARBOURLIGHT YOGA,-29.00,EUR" for y, m in MONTHS]
    _, _, countries = _scan(runner, tmp_path, "\n".join(rows) + "\n",
                            "date=Date,description=Details,amount=Amount,currency=Currency")
    assert set(countries.values()) == {"EU"}


def test_the_analyst_names_the_country_with_columns(runner, tmp_path):
    _, _, countries = _scan(runner, tmp_path, "\n".join([AIB_HEADER, *_aib_rows()]) + "\n", MAPPING + ",country=de")
    assert countries == {"931012-99990000": "DE"}


def test_a_country_that_is_no_code_is_refused(runner, tmp_path):
    statement = tmp_path / "x.csv"
    statement.write_text("\n".join([AIB_HEADER, *_aib_rows()]) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["scan", str(statement), "--db", str(tmp_path / "s.db"), "--columns",
                                 MAPPING + ",country=Ireland"])
    assert result.exit_code != 0
    assert "country='Ireland'" in result.output


def test_a_bank_of_ireland_export_is_not_guessed_irish_but_the_suggestion_says_what_to_add(runner, tmp_path):
    # twenty-fourth session: Bank of Ireland's export (Date,Details,Debit,Credit,Balance, dd/mm/yyyy)
    # is also the generic statement template other banks and converters write, so it names no
    # currency or country; pasted as suggested, its amounts were US dollars and its holidays the US's
    # without a word but the "currency assumed USD" note
    import re
    import shlex

    rows = ["Date,Details,Debit,Credit,Balance"]
    balance = 2000.0
    for y, m in MONTHS:
        balance -= 29.0
        rows.append(f"05/{m:02d}/{y},POS HARBOURLIGHT YOGA,29.00,,{balance:.2f}")
        balance += 2500.0
        rows.append(f"25/{m:02d}/{y},ACME PAYROLL,,2500.00,{balance:.2f}")
    statement = tmp_path / "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f.csv"
    statement.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(statement), "--db", str(tmp_path / "x.db")])
    message = " ".join(result.output.split())
    assert "are Bank of Ireland's export, and other banks' too, and name no currency: for a Bank of Ireland " \
           "account in the Republic add currency=EUR,country=IE" in message
    (value,) = shlex.split(re.search(r'--columns ("[^"]*")', message).group(1))
    assert "currency" not in value and "country" not in value  # (not guessed: other banks write these columns)
    _, _, countries = _scan(runner, tmp_path, "\n".join(rows) + "\n", value + ",currency=EUR,country=IE")
    assert set(countries.values()) == {"IE"}
