"""Messy real-world statement files (round-49 audit): exports re-saved by Excel and the like."""

from __future__ import annotations

import sqlite3

from detector.cli import cli
from detector.importers import read_statement
from tests.test_importers_layouts import write

CAPITAL_ONE_HEADER = "Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n"


def capital_one(path, card: str, months: range) -> str:
    """A Capital One download of ``months`` (2025) for card cell ``card``: a gym and a streaming
    plan each month, and a payment."""
    lines = [CAPITAL_ONE_HEADER]
    for m in sorted(months, reverse=True):
        lines.append(f"2025-{m:02d}-27,2025-{m:02d}-28,{card},CAPITAL ONE MOBILE PYMT,Payment/Credit,,300.00\n")
        lines.append(f"2025-{m:02d}-17,2025-{m:02d}-18,{card},PLANET FITNESS,Health Care,24.99,\n")
        lines.append(f"2025-{m:02d}-09,2025-{m:02d}-10,{card},DISNEY PLUS,Entertainment,13.99,\n")
    path.write_text("".join(lines))
    return str(path)


def test_a_capital_one_export_saved_again_by_excel_is_the_same_card(runner, tmp_path):
    # Excel reads Card No. 0821 as the number 821: the re-saved export was a second account, and
    # April-June were stored twice (every plan twice, the first card's "ended")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    jan_jun = capital_one(tmp_path / "a" / "2025-06-30_transaction_download.csv", "0821", range(1, 7))
    apr_sep = capital_one(tmp_path / "b" / "2025-09-30_transaction_download.csv", "821", range(4, 10))
    db = str(tmp_path / "s.db")
    result = runner.invoke(cli, ["ingest", "--db", db, jan_jun, apr_sep])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT account_id, count(*) FROM transactions GROUP BY 1").fetchall() == [
            ("capital_one-0821", 27)]
        assert conn.execute("SELECT account_id FROM accounts").fetchall() == [("capital_one-0821",)]
    for engine in ("rows", "columns"):
        assert read_statement(apr_sep, engine=engine).accounts == ["capital_one-0821"]


def test_an_amex_account_number_loses_no_leading_zero_either(tmp_path):
    header = "Date,Description,Card Member,Account #,Amount\n"
    saved = write(tmp_path, "activity.csv", header + "06/14/2025,NETFLIX.COM,ALEX MORGAN,-1003,15.49\n")
    assert read_statement(saved).accounts == ["amex-01003"]
    whole = write(tmp_path, "activity2.csv", header + "06/14/2025,NETFLIX.COM,ALEX MORGAN,-71003,15.49\n")
    assert read_statement(whole).accounts == ["amex-71003"]
