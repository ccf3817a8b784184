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


# -- decimal commas, semicolons and tabs (twenty-fourth session) ------------------------------
# Only a comma can cut an amount: a semicolon- or tab-separated file holds no amount's separator.
# A comma-separated file with decimal commas (Rabobank's, ING Netherlands', a mapping's
# decimal=comma) is cut at its decimal comma when an amount is written without quotes: -29,99 is
# -29 and 99, -1.234,56 is -1.234 and 56. Where a column after it was empty (Rabobank's Koers,
# ING's Tag) the row had no filled field too many and was stored as -29.00, without a word.

DECIMAL_CUT = "written without quotes, its decimal comma read as the comma between columns"
RABO_HEADER = CASES["rabobank"][1].splitlines()[0]


def _rabo_row(volgnr: int, day: str, amount: str, balance: str, name: str) -> str:
    return (f'"NL91RABO0315273637","EUR","RABONL2U","{volgnr:018d}","{day}","{day}",{amount},{balance},'
            f'"NL29ABNA0501234567","{name}","","","","ei","","","","","","Lidmaatschap","","","","","",""')


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_rabobank_amount_cut_at_its_decimal_comma_is_rejected_with_its_line(tmp_path, engine):
    path = write(tmp_path, "CSV_A_NL91RABO0315273637_EUR_20250101_20250131.csv", "\n".join([
        RABO_HEADER,
        _rabo_row(4, "2025-01-09", '"-29,99"', '"+2719,01"', "Basic-Fit Nederland B.V."),
        _rabo_row(5, "2025-02-09", "-29,99", '"+2689,02"', "Basic-Fit Nederland B.V."),    # unquoted: cut
        _rabo_row(6, "2025-02-12", "-1.234,56", '"+1454,46"', "Coolblue B.V."),             # cut at its comma
        _rabo_row(7, "2025-03-09", '"-29,99"', '"+1424,47"', "Basic-Fit Nederland B.V."),
    ]) + "\n")
    st = read_statement(path, engine=engine)
    assert st.transactions["amount"].tolist() == [-29.99, -29.99]
    assert [(r["source_line"], r["reason"]) for r in st.rejected] == [
        (3, f"amount '-29' with '99' after it: -29,99 {DECIMAL_CUT} (a value holding a comma must be quoted)"),
        (4, f"amount '-1.234' with '56' after it: -1.234,56 {DECIMAL_CUT} (a value holding a comma must be quoted)")]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_an_ing_amount_cut_at_its_decimal_comma_in_a_comma_separated_download_is_rejected(tmp_path, engine):
    # ING's comma-separated download (Af Bij says the direction; amounts unsigned)
    header = ('"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij","Bedrag (EUR)",'
              '"Mutatiesoort","Mededelingen","Saldo na mutatie","Tag"')
    rows = ['"20240109","Netflix International B.V.","NL12INGB0001234567","","BA","Af","13,49","Betaalautomaat",'
            '"Pasvolgnr: 004","1.986,51",""',
            '"20240209","Netflix International B.V.","NL12INGB0001234567","","BA","Af",13,49,"Betaalautomaat",'
            '"Pasvolgnr: 004","1.973,02",""']
    path = write(tmp_path, "NL12INGB0001234567_01-01-2024_29-02-2024.csv", "\n".join([header, *rows]) + "\n")
    st = read_statement(path, engine=engine)
    assert (st.format, st.transactions["amount"].tolist()) == ("ing_nl", [-13.49])
    assert [(r["source_line"], r["reason"].split(" written")[0]) for r in st.rejected] == [
        (3, "amount '13' with '49' after it: 13,49")]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_mapped_decimal_comma_file_rejects_the_cut_and_reads_quoted_amounts(tmp_path, engine):
    path = write(tmp_path, "konto.csv", "Datum,Empfaenger,Betrag,Waehrung\n"
                 '05.01.2025,NETFLIX,"-12,99",EUR\n'
                 "06.01.2025,MIETE,-1.250,00,\n"           # the currency left empty: no field too many
                 '07.01.2025,GEHALT,"2.400,00",EUR\n'
                 "08.01.2025,SPOTIFY,-10,99 EUR,\n")        # a currency after the cents
    st = read_statement(path, engine=engine, columns="date=Datum,description=Empfaenger,amount=Betrag,"
                        "currency=Waehrung,date_format=%d.%m.%Y,decimal=comma")
    assert st.transactions["amount"].tolist() == [-12.99, 2400.0]
    assert [(r["source_line"], r["reason"].split(":")[0]) for r in st.rejected] == [
        (3, "amount '-1.250' with '00' after it"), (5, "amount '-10' with '99 EUR' after it")]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_semicolon_tab_and_whole_amount_rows_that_only_look_cut_are_read(tmp_path, engine):
    # a semicolon or a tab cuts no amount: "-1" beside "250,00" or "99" is what the bank wrote
    semi = write(tmp_path, "semi.csv", "Datum;Omschrijving;Bedrag;Saldo;Code\n"
                 "05.01.2025;KOFFIE;-1;250,00;12\n06.01.2025;THEE;-29;99;7\n07.01.2025;BROOD;-2,50;247,50;1\n")
    got = read_statement(semi, engine=engine, columns="date=Datum,description=Omschrijving,amount=Bedrag,"
                         "date_format=%d.%m.%Y,decimal=comma,delimiter=semicolon")
    assert (got.transactions["amount"].tolist(), got.rejected) == ([-1.0, -29.0, -2.5], [])
    tab = write(tmp_path, "tab.csv", "Date\tDescription\tAmount\tBalance\tCode\n"
                "2025-01-05\tCOFFEE\t-1\t250.00\t12\n2025-01-06\tTEA\t-29\t99\t7\n")
    got = read_statement(tab, engine=engine, columns="date=Date,description=Description,amount=Amount,"
                         "date_format=%Y-%m-%d,delimiter=tab")
    assert (got.transactions["amount"].tolist(), got.rejected) == ([-1.0, -29.0], [])
    tab_comma = write(tmp_path, "tab_comma.csv", "Datum\tOmschrijving\tBedrag\tSaldo\n"
                      "05.01.2025\tKOFFIE\t-29\t99\n06.01.2025\tTHEE\t-1.234,56\t56\n")
    got = read_statement(tab_comma, engine=engine, columns="date=Datum,description=Omschrijving,amount=Bedrag,"
                         "date_format=%d.%m.%Y,decimal=comma,delimiter=tab")
    assert (got.transactions["amount"].tolist(), got.rejected) == ([-29.0, -1234.56], [])
    # comma-separated with decimal commas: a whole amount beside a balance of two digits, in a row
    # of the header's width, is read (a cut would have added a field)
    rabo = write(tmp_path, "CSV_A_NL91RABO0315273637_EUR_20250101_20250131.csv", "\n".join([
        RABO_HEADER, _rabo_row(4, "2025-01-09", "-29", "99", "Basic-Fit Nederland B.V.")]) + "\n")
    got = read_statement(rabo, engine=engine)
    assert (got.transactions["amount"].tolist(), got.rejected) == ([-29.0], [])
