"""An amount written ``-1,250.00`` without quotes in a comma-separated file (twenty-third session).

Its thousands separator is the delimiter: the row holds ``-1`` and ``250.00`` in two fields. Where
a column after the amount was empty (a generic CSV's currency, Chase's Memo, a trailing comma) the
row had no field too many, and it was stored as ``-1.00`` (generic: with the currency ``250.00``;
Capital One: ``+23.99``, debit and credit both read) without a word. Every engine refuses such a
row naming its line (docs/scale.md, "Reading a CSV strictly"); the importers now reject it with its
line and reason, in every layout, row by row and by columns alike.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from detector.cli import cli
from detector.importers import read_statement
from tests.test_importers_layouts import CASES, write

CUT = "written without quotes, its thousands separator read as the comma between columns"


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in ',"\n') else cell


def _cut_first_row(text: str, amount: float) -> tuple[str, int, float] | None:
    """``text`` with its first transaction's amount 1,000 larger and written unquoted with a
    thousands comma (``-15.49`` -> ``-1,015.49``); its line and the amount it should be."""
    lines = text.splitlines(keepends=True)
    for at, line in enumerate(lines):
        if ";" in line or "\t" in line:
            return None
        cells = next(csv.reader([line]), [])
        for i, c in enumerate(cells):
            digits = re.sub(r"[^\d.]", "", c)
            if digits and re.fullmatch(r"\d+(\.\d{2})?", digits) and float(digits) == abs(amount) and "/" not in c:
                m = re.fullmatch(r"(.*?)(\d+)(\.\d{2})?(.*)", c)
                whole = str(int(m.group(2)) + 1000)
                cut = f"{m.group(1)}{whole[:-3]},{whole[-3:]}{m.group(3) or ''}{m.group(4)}"
                lines[at] = ",".join(cut if j == i else _quoted(x) for j, x in enumerate(cells)) + "\n"
                return "".join(lines), at + 1, abs(amount) + 1000
    return None


#: The layouts a thousands comma can cut: not those written with semicolons, tabs or decimal commas.
CUTTABLE = [name for name in sorted(CASES) if _cut_first_row(CASES[name][1], CASES[name][2][0][1]) is not None]


def test_most_layouts_can_be_cut():
    assert len(CUTTABLE) >= len(CASES) // 2, CUTTABLE


@pytest.mark.parametrize("engine", ["rows", "columns"])
@pytest.mark.parametrize("name", CUTTABLE)
def test_no_layout_stores_an_amount_cut_at_its_thousands_separator(tmp_path, name, engine):
    filename, text, expected = CASES[name]
    text, line, size = _cut_first_row(text, expected[0][1])
    path = write(tmp_path, filename, text)
    try:
        st = read_statement(path, engine=engine)
    except Exception as exc:  # noqa: BLE001 - a header-less file whose first line no longer reads as its layout's
        assert "no importer recognises" in str(exc), exc
        return
    row = st.transactions[st.transactions["source_line"] == line]
    # the cut row is never stored with another amount: rejected with its line, or read whole
    assert row.empty or abs(row["amount"].iloc[0]) == size, (name, row.to_dict("records"))
    if row.empty:
        assert [r["source_line"] for r in st.rejected] == [line]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_generic_csv_with_an_empty_currency_rejects_the_cut_amount_with_its_line(tmp_path, engine):
    path = tmp_path / "g.csv"
    path.write_text("date,description,amount,currency\n"
                    "2025-01-05,NETFLIX.COM,-15.49,USD\n"
                    "2025-01-06,RENT,-1,250.00\n"           # the currency left empty: no field too many
                    "2025-01-07,SPOTIFY,-11.99,\n"
                    "2025-01-08,PAYROLL,\"2,400.00\",USD\n")  # quoted: read
    st = read_statement(path, engine=engine)
    assert st.transactions["amount"].tolist() == [-15.49, -11.99, 2400.0]
    assert st.transactions["currency"].tolist() == ["USD"] * 3
    assert [(r["source_line"], r["reason"]) for r in st.rejected] == [
        (3, f"amount '-1' with '250.00' after it: -1,250.00 {CUT} (a value holding a comma must be quoted)")]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_number_where_the_currency_goes_is_rejected_as_every_engine_rejects_it(tmp_path, engine):
    path = tmp_path / "g.csv"
    path.write_text("date,description,amount,currency\n2025-01-05,NETFLIX.COM,-15.49,USD\n"
                    "2025-01-06,RENT,-1250.00,250\n")
    st = read_statement(path, engine=engine)
    assert len(st.transactions) == 1
    assert [(r["source_line"], r["reason"]) for r in st.rejected] == [
        (3, "currency '250' is not a currency code (three letters, as USD; a value holding a comma must be quoted)")]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_rows_that_only_look_cut_are_read(tmp_path, engine):
    # a whole-dollar charge beside its running balance (Bank of America; Starling, whose balance is
    # followed by text) and a debit beside an empty credit are no cut amounts
    bofa = write(tmp_path, "stmt.csv", "Date,Description,Amount,Running Bal.\n"
                 "01/06/2025,COFFEE,-1,250.00\n01/07/2025,TEA,-2.50,247.50\n")
    assert read_statement(bofa, engine=engine).transactions["amount"].tolist() == [-1.0, -2.5]
    starling = write(tmp_path, "StarlingStatement_2024-01.csv",
                     "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes\n"
                     "02/01/2024,Cafe,CAFE,CARD PAYMENT,-1,250.00,EATING_OUT,\n")
    assert read_statement(starling, engine=engine).transactions["amount"].tolist() == [-1.0]
    chase = write(tmp_path, "Chase1234_Activity.CSV",
                  "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
                  "01/16/2024,01/17/2024,NETFLIX.COM,Entertainment,Sale,-15.49,250.00\n"
                  "01/16/2024,01/17/2024,PARKING,Travel,Sale,-1,ticket 250\n")
    assert read_statement(chase, engine=engine).transactions["amount"].tolist() == [-15.49, -1.0]


def test_scan_names_the_cut_line_and_stores_no_wrong_amount(runner, tmp_path):
    path = tmp_path / "g.csv"
    lines = ["date,description,amount,currency"] + [f"2024-{m:02d}-05,NETFLIX.COM,-15.49,USD" for m in range(1, 13)]
    lines.insert(3, "2024-02-20,RENT,-1,250.00")
    path.write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["scan", str(path), "--db", str(db), "--as-of", "2024-12-31"])
    assert result.exit_code == 0, result.output
    assert f"{path}:4: amount '-1' with '250.00' after it" in result.stderr
    stored = runner.invoke(cli, ["transactions", "--db", str(db), "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(stored)))
    assert len(rows) == 12 and {r["amount"] for r in rows} == {"-15.49"} and {r["currency"] for r in rows} == {"USD"}
