"""Continental European bank exports through ``subdetect ingest``, each beside a golden file.

Round-thirty-five audit: DKB, Sparkasse (CSV-CAMT, CSV-MT940), comdirect, N26's German export,
Rabobank, ABN AMRO (.TAB), Societe Generale and BBVA were no built-in layout, and the ``--columns``
suggestion, pasted as given, named merchants after purpose text ("40 Debitk 1"), the account holder
or, for ABN AMRO, read the opening balance as every row's amount. Each file under ``tests/data/eu``
is small, invented data in the bank's real layout (its encoding, preamble, footer, pending rows);
its golden file is what the database holds after the CLI imported it: the rows, the rejected lines
with their reasons, and the account. ``UPDATE_GOLDEN=1`` rewrites them, to be reviewed by eye.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from detector.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "eu"
GOLDEN = ROOT / "tests" / "golden" / "eu"

#: file -> (the layout it must be detected as, rows stored, lines rejected)
FILES = {
    "DKB_Umsaetze_Girokonto_20250101-20250331.csv": ("dkb", 7, 1),
    "DKB_Girokonto_alt.csv": ("dkb", 3, 0),
    "20250331-123456789-umsatz.CSV": ("sparkasse", 6, 1),
    "20250331-987654321-umsatz-mt940.CSV": ("sparkasse", 2, 0),
    "umsaetze_9787654321_20250331-1512.csv": ("comdirect", 6, 2),
    "umsaetze_9787654399_20250331-0930.csv": ("comdirect", 4, 3),  # Girokonto, Visa-Karte, Depot blocks
    "n26-csv-transactions.csv": ("n26_de", 4, 0),
    "CSV_A_NL91RABO0315273637_EUR_20250101_20250331.csv": ("rabobank", 5, 0),
    "TXT250331123456.TAB": ("abnamro_tab", 6, 0),
    "00050123456.csv": ("socgen", 4, 0),
    "ES0182_movimientos_cuenta.csv": ("bbva", 4, 0),
}


def _ingest(runner, tmp_path, name):
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(DATA / name), "--db", str(db), "--output", "json"])
    return result, db


def _stored(db: Path) -> str:
    """The database's rows, rejected lines and accounts as text (paths as the file's name)."""
    con = sqlite3.connect(db)
    out = ["account_id,date,amount,currency,description,source,source_line"]
    for row in con.execute("SELECT account_id, date, amount, currency, description, source, source_line "
                           "FROM transactions ORDER BY source_line"):
        out.append(",".join(json.dumps(v, ensure_ascii=False) if isinstance(v, str) else f"{v:g}" if
                            isinstance(v, float) else str(v) for v in row))
    for line, reason in con.execute("SELECT source_line, reason FROM rejected_rows ORDER BY source_line"):
        out.append(f"rejected line {line}: {reason}")
    for account, method, currency, country in con.execute(
            "SELECT account_id, payment_method, currency, country FROM accounts ORDER BY account_id"):
        out.append(f"account {account}: {method}, {currency}, {country}")
    con.close()
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("name", sorted(FILES))
def test_eu_export_is_read_by_its_layout_and_matches_golden(runner, tmp_path, name):
    layout, stored, rejected = FILES[name]
    result, db = _ingest(runner, tmp_path, name)
    assert result.exit_code == 0, result.output
    f = json.loads(result.output)["files"][0]
    assert (f["format"], f["stored"], f["rejected"], f["ok"]) == (layout, stored, rejected, True), f
    got = _stored(db)
    golden = GOLDEN / f"{Path(name).stem}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file for {name}; run with UPDATE_GOLDEN=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(FILES))
def test_eu_export_reads_the_same_both_ways(name):
    from test_importers_fast import assert_same

    assert_same(DATA / name)


def _rows(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT date, amount, description FROM transactions ORDER BY source_line").fetchall()
    con.close()
    return rows


def test_dkb_names_the_payer_of_money_in_and_the_payee_of_money_out(runner, tmp_path):
    # the 2023 export names the account holder as the payer of every charge and the payee of every
    # salary: mapped with the payee alone (as the audit's suggestion said) the salary was "Lena Hofmann"
    _, db = _ingest(runner, tmp_path, "DKB_Umsaetze_Girokonto_20250101-20250331.csv")
    rows = _rows(db)
    assert ("2025-03-28", 3118.22, "Kranich Werkzeugbau GmbH") in rows
    assert ("2025-03-12", -13.99, "Netflix International B.V.") in rows
    assert not any("Hofmann" in d for _, _, d in rows)
    # a PayPal debit keeps its reference, which names the merchant
    assert any(d.startswith("PayPal Europe") and "Spotify AB" in d for _, _, d in rows)
    # a charge with no payee (the bank's own fee) is named by its purpose
    assert ("2025-03-03", -4.5, "Abrechnung 28.02.2025 Kontofuehrung") in rows


def test_dkb_money_in_without_a_payer_is_named_by_its_purpose_not_the_account_holder(tmp_path):
    from test_importers_fast import assert_same
    from test_importers_layouts import CASES

    name, text, _ = CASES["dkb"]
    text += ('"31.01.25";"31.01.25";"Gebucht";"";"Jonas Becker";"Zinsen 01/2025";"Eingang";"";"0,42";"";"";""\n'
             '"31.01.25";"31.01.25";"Gebucht";"Jonas Becker";"";"Kontofuehrung 01/2025";"Ausgang";"";"-4,50";"";"";""\n')
    st = assert_same(_write(tmp_path, name, text))
    assert list(st.transactions["description"])[-2:] == ["Zinsen 01/2025", "Kontofuehrung 01/2025"]


def test_dkb_pending_rows_are_rejected_with_a_reason(runner, tmp_path):
    result, _ = _ingest(runner, tmp_path, "DKB_Umsaetze_Girokonto_20250101-20250331.csv")
    (reject,) = json.loads(result.output)["files"][0]["rejections"]
    assert reject["source_line"] == 6 and reject["reason"].startswith("state Vorgemerkt: not a completed")


def test_comdirect_pending_rows_footer_and_labels(runner, tmp_path):
    # round-thirty-five audit: the pending "offen" row was taken for the header, the "Alter
    # Kontostand" footer was rejected as a malformed line, and merchants kept comdirect's labels
    result, db = _ingest(runner, tmp_path, "umsaetze_9787654321_20250331-1512.csv")
    f = json.loads(result.output)["files"][0]
    assert [(r["source_line"], r["reason"].split(":")[0]) for r in f["rejections"]] == [(6, "pending"), (7, "pending")]
    assert "re-import once it is booked" in f["rejections"][0]["reason"]
    assert f["rows_read"] == 8  # the footer is no transaction and no reject
    descriptions = [d for _, _, d in _rows(db)]
    assert "Wohnungsbau eG Berlin" in descriptions and "Fraunhofer-Gesellschaft e.V." in descriptions
    assert "AUDIBLE GMBH AUDIBLE.DE DE" in descriptions  # the card number cut off
    assert not any(d.startswith(("Auftraggeber", "Empf")) for d in descriptions)
    assert f["account_id"] == "9787654321"  # the account number comdirect names the download by


def test_comdirect_account_option_wins_over_the_file_names_number(runner, tmp_path):
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(DATA / "umsaetze_9787654321_20250331-1512.csv"), "--db", str(db),
                                 "--account", "giro", "--output", "json"])
    assert json.loads(result.output)["files"][0]["account_id"] == "giro"


def test_comdirect_download_of_several_accounts_reads_every_block_as_its_account(runner, tmp_path):
    # round-35 audit's known limit: a download of the Girokonto then the Visa-Karte was read as its
    # first block's, the Visa rows read with the Girokonto's columns
    result, db = _ingest(runner, tmp_path, "umsaetze_9787654399_20250331-0930.csv")
    assert result.exit_code == 0, result.output
    f = json.loads(result.output)["files"][0]
    con = sqlite3.connect(db)
    rows = con.execute("SELECT account_id, date, amount, description, source_line FROM transactions "
                       "ORDER BY source_line").fetchall()
    accounts = dict(con.execute("SELECT account_id, payment_method FROM accounts").fetchall())
    con.close()
    visa = "9787654399 Visa-Karte (Kreditkarte)"
    assert [(a, line) for a, _, _, _, line in rows] == [("9787654399", 6), ("9787654399", 7), (visa, 15), (visa, 16)]
    # the card's block by its own columns: Umsatztag the date, Buchungstext the description
    assert rows[2][1:4] == ("2025-03-22", -9.95, "AUDIBLE GMBH AUDIBLE.DE DE")
    assert accounts == {"9787654399": "debit_card", visa: "credit_card"}
    # a block no comdirect layout reads (the Depot's) is rejected line by line, with its line
    assert [r["source_line"] for r in f["rejections"]] == [20, 21, 22]
    assert all("'Depot'" in r["reason"] for r in f["rejections"])
    db2 = tmp_path / "giro.db"
    named = runner.invoke(cli, ["ingest", str(DATA / "umsaetze_9787654399_20250331-0930.csv"), "--db", str(db2),
                                "--account", "giro", "--output", "json"])
    assert named.exit_code == 0, named.output
    con = sqlite3.connect(db2)
    assert {a for (a,) in con.execute("SELECT DISTINCT account_id FROM transactions")} == {
        "giro", "giro Visa-Karte (Kreditkarte)"}
    con.close()


def test_abnamro_tab_reads_the_amount_not_the_opening_balance(runner, tmp_path):
    # round-thirty-five audit: the suggestion for this header-less file mapped the Beginsaldo, and
    # every row was stored as a USD credit of the running balance
    _, db = _ingest(runner, tmp_path, "TXT250331123456.TAB")
    assert _rows(db) == [
        ("2025-03-02", -65.96, "Albert Heijn 1403"),
        ("2025-03-10", -13.99, "Netflix International B.V."),
        ("2025-03-14", -9.99, "PayPal Europe S.a.r.l. et Cie S.C.A 1041223348888 PAYPAL Disney Plus"),
        ("2025-03-21", -27.5, "KPN B.V."),
        ("2025-03-23", 2890.0, "Coolblue B.V."),
        ("2025-03-25", -50.0, "Geldmaat Rokin 12"),
    ]


def test_the_new_layouts_merchants_come_out_of_the_normaliser_named(runner, tmp_path):
    # what the report shows: the counterparty, and a PayPal debit's merchant from its reference
    from detector.normalize import normalize_one

    names = {}
    for name in ("20250331-123456789-umsatz.CSV", "CSV_A_NL91RABO0315273637_EUR_20250101_20250331.csv"):
        folder = tmp_path / Path(name).stem
        folder.mkdir()
        _, db = _ingest(runner, folder, name)
        names.update({d: normalize_one(d)[1] for _, _, d in _rows(db)})
    shown = set(names.values())
    assert {"Shell Deutschland", "Disney Plus", "Videoland", "Basic-Fit Nederland"} <= shown, shown
    assert not any("Debitk" in n or "Betaalautomaat" in n for n in shown)


# -- the --columns suggestion for exports no layout reads (round-thirty-five audit) ------------------

def _suggestion(path) -> str:
    import re

    from detector.errors import UnrecognisedFormat
    from detector.importers import read_statement

    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(path)
    return re.search(r"--columns (\"[^\"]*\"|'[^']*')", str(err.value)).group(1)[1:-1]


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_the_old_sparkasse_fixture_is_read_by_its_layout():
    from detector.importers import read_statement

    st = read_statement(ROOT / "tests" / "data" / "sparkasse_camt.csv")
    assert st.format == "sparkasse" and st.account_id == "DE12300500000001234567"
    assert list(zip(st.transactions["amount"], st.transactions["description"])) == [
        (-13.99, "NETFLIX INTERNATIONAL B.V."), (3250.0, "ARBEITGEBER GMBH"), (-1150.0, "VERMIETER GBR")]


def test_a_headerless_file_is_mapped_by_its_amount_not_a_running_balance_and_names_its_currency(runner, tmp_path):
    # ABN AMRO's .TAB saved again with semicolons (no layout reads it): the suggestion mapped the
    # opening balance ('3000,00') and named no currency; pasted as given, every row was a USD credit
    text = "".join(f"512345678;EUR;{d};{b0};{b1};{d};{a};{t}\n" for d, b0, b1, a, t in [
        ("20250302", "3000,00", "2934,04", "-65,96", "BEA Albert Heijn 1403 AMSTERDAM"),
        ("20250310", "2934,04", "2920,05", "-13,99", "SEPA Incasso Netflix International B.V."),
        ("20250321", "2920,05", "2892,55", "-27,50", "SEPA Incasso KPN B.V."),
        ("20250323", "2892,55", "5782,55", "2890,00", "SEPA Overboeking Coolblue B.V. Salaris"),
        ("20250325", "5782,55", "5732,55", "-50,00", "GEA Geldmaat Rokin 12 AMSTERDAM")])
    path = _write(tmp_path, "abn.csv", text)
    suggestion = _suggestion(path)
    assert "amount='-65,96'" in suggestion and "currency=EUR" in suggestion and "decimal=comma" in suggestion
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(path), "--db", str(db), "--columns", suggestion, "--output", "json"])
    assert result.exit_code == 0, result.output
    assert [a for _, a, _ in _rows(db)] == [-65.96, -13.99, -27.5, 2890.0, -50.0]
    con = sqlite3.connect(db)
    assert {c for (c,) in con.execute("SELECT currency FROM transactions")} == {"EUR"}
    con.close()


def test_a_mapping_whose_amount_is_a_running_balance_is_refused(runner, tmp_path):
    # the audit's paste: amount= the opening balance ('3000,00'); the file is refused, saying which
    # field holds the amounts, and nothing is stored (it had been 96 rows "ok", USD credits)
    rows = [("20250102", "3000,00", "2934,04", "-65,96", "BEA, Betaalpas Albert Heijn 1403,PAS123"),
            ("20250110", "2934,04", "2920,05", "-13,99", "Naam: Netflix International B.V."),
            ("20250124", "2920,05", "2900,05", "-20,00", "Naam: Shop B.V."),
            ("20250125", "2900,05", "2890,05", "-10,00", "Naam: Shop B.V.")]
    text = "".join(f"512345678;EUR;{d};{b0};{b1};{d};{a};{t}\n" for d, b0, b1, a, t in rows)
    path = _write(tmp_path, "TXT.csv", text)
    db = tmp_path / "s.db"
    mapped = ("date=20250102,description='BEA, Betaalpas Albert Heijn 1403,PAS123',amount='3000,00',"
              "date_format=%Y%m%d,decimal=comma")
    result = runner.invoke(cli, ["ingest", str(path), "--db", str(db), "--columns", mapped])
    assert result.exit_code == 3
    assert "holds a running balance, not amounts" in result.output
    assert "field 7 ('-65,96' on the first line)" in result.output
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM transactions").fetchone() == (0,)
    con.close()
    # the amount field mapped, it reads
    right = mapped.replace("amount='3000,00'", "amount='-65,96'")
    result = runner.invoke(cli, ["ingest", str(path), "--db", str(db), "--columns", right, "--output", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["files"][0]["stored"] == 4


def test_a_balance_after_each_row_mapped_as_the_amount_is_refused(tmp_path):
    # Rabobank's "Saldo na trn" beside "Bedrag": each balance is the one before plus that row's amount
    from detector.errors import UnrecognisedFormat
    from detector.importers import read_statement

    text = ("Datum;Naam;Bedrag;Saldo\n2025-03-01;A;-10,00;990,00\n2025-03-02;B;-5,50;984,50\n"
            "2025-03-03;C;+100,00;1084,50\n2025-03-04;D;-4,50;1080,00\n")
    path = _write(tmp_path, "x.csv", text)
    with pytest.raises(UnrecognisedFormat, match=r"\('Saldo'\) holds a running balance.*'Bedrag'"):
        read_statement(path, columns="date=Datum,description=Naam,amount=Saldo,decimal=comma")
    st = read_statement(path, columns="date=Datum,description=Naam,amount=Bedrag,decimal=comma")
    assert st.transactions["amount"].tolist() == [-10.0, -5.5, 100.0, -4.5]


def test_the_suggestion_maps_the_counterparty_with_the_purpose_as_its_reference(runner, tmp_path):
    # Rabobank's columns (without Volgnr, so no layout claims them): Naam tegenpartij, not the
    # Omschrijving lines; pasted as given, a PayPal debit is named by its reference
    header = ('"IBAN/BBAN","Munt","Datum","Bedrag","Saldo na trn","Tegenrekening IBAN/BBAN","Naam tegenpartij",'
              '"Naam uiteindelijke partij","Omschrijving-1","Omschrijving-2"\n')
    rows = ('"NL91RABO0315273637","EUR","2025-03-09","-29,99","+2719,01","NL29ABNA0501234567",'
            '"Basic-Fit Nederland B.V.","","Lidmaatschap 4 weken lidnr 7712345",""\n'
            '"NL91RABO0315273637","EUR","2025-03-14","-9,99","+2709,02","NL37DEUT0265262461",'
            '"PayPal Europe S.a.r.l. et Cie S.C.A","","1041223349999 PAYPAL Videoland",""\n'
            '"NL91RABO0315273637","EUR","2025-03-31","-1,50","+2707,52","","","","Kosten betaalpakket",""\n')
    path = _write(tmp_path, "rabo.csv", header + rows)
    suggestion = _suggestion(path)
    assert suggestion.startswith("date=Datum,description=Naam tegenpartij,reference=Omschrijving-1,amount=Bedrag")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(path), "--db", str(db), "--columns", suggestion])
    assert result.exit_code == 0, result.output
    assert [d for _, _, d in _rows(db)] == [
        "Basic-Fit Nederland B.V.", "PayPal Europe S.a.r.l. et Cie S.C.A 1041223349999 PAYPAL Videoland",
        "Kosten betaalpakket"]  # no counterparty: the purpose


def test_a_mapping_names_a_reference_column_that_is_not_there(tmp_path):
    from detector.errors import UnrecognisedFormat
    from detector.importers import read_statement

    path = _write(tmp_path, "x.csv", "Datum;Naam;Bedrag\n2025-03-01;A;-10,00\n")
    with pytest.raises(UnrecognisedFormat, match="missing column.*'Zweck'"):
        read_statement(path, columns="date=Datum,description=Naam,reference=Zweck,amount=Bedrag,decimal=comma")


def test_the_suggestion_for_a_comdirect_like_file_skips_pending_rows_and_reads_umsatz_in_eur(tmp_path):
    # round-thirty-five audit: the pending "offen" row was taken for the header, "Umsatz in EUR" was
    # no amount column and decimal=comma was left out (here without "Vorgang": no layout claims it)
    text = (';\n"Umsätze Girokonto";"Zeitraum: 01.02.2025 - 31.03.2025";\n"Neuer Kontostand";"6.214,07 EUR";\n\n'
            '"Buchungstag";"Wertstellung (Valuta)";"Buchungstext";"Umsatz in EUR";\n'
            '"offen";"--";"Auftraggeber: FitX Deutschland GmbH Buchungstext: Mitgliedsbeitrag";"-24,99";\n'
            '"15.03.2025";"15.03.2025";"Auftraggeber: Netflix International B.V. Buchungstext: 3192";"-19,99";\n'
            '"01.03.2025";"01.03.2025";"Auftraggeber: ACME Buchungstext: Gehalt";"4.012,66";\n'
            '\n"Alter Kontostand";"2.876,40 EUR";\n')
    path = _write(tmp_path, "umsaetze.csv", text, encoding="cp1252")
    assert _suggestion(path) == ("date=Buchungstag,description=Buchungstext,amount=Umsatz in EUR,"
                                 "date_format=%d.%m.%Y,decimal=comma")


def test_bbva_resaved_with_decimal_points_is_read_by_its_own_cells(runner, tmp_path):
    # round-35 audit's known limit: a BBVA export re-saved by Excel with decimal points had its
    # rows with cents rejected ("not an amount with a decimal comma: '-88.81'")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(DATA / "ES0182_movimientos_excel.csv"), "--db", str(db),
                                 "--output", "json"])
    assert result.exit_code == 0, result.output
    f = json.loads(result.output)["files"][0]
    assert (f["format"], f["stored"]) == ("bbva", 4)
    assert _rows(db) == [("2025-03-29", 2410.55, "NOMINA TELEFONICA SOLUCIONES SA"),
                         ("2025-03-22", -88.81, "RECIBO IBERDROLA CLIENTES SAU"),
                         ("2025-03-08", -13.99, "RECIBO NETFLIX.COM"),
                         ("2025-03-04", -11.99, "COMPRA TARJ. 5540XXXXXXXX1234 SPOTIFY P2E8A1B2C3")]
    # a cell that reads as a thousand or as a decimal stays rejected, with its file and line
    [reject] = f["rejections"]
    assert reject["source_line"] == 8 and reject["reason"].startswith("ambiguous amount '-1.250'")
    con = sqlite3.connect(db)
    assert con.execute("SELECT source_file, source_line FROM rejected_rows").fetchall() == [
        (str(DATA / "ES0182_movimientos_excel.csv"), 8)]
    con.close()


def test_bbva_with_both_decimal_marks_keeps_the_comma_and_rejects_the_points(runner, tmp_path):
    rows = (DATA / "ES0182_movimientos_cuenta.csv").read_bytes().decode("cp1252").splitlines()
    rows.append("01/03/2025;01/03/2025;RECIBO SPOTIFY;Adeudo recibo;-16.41;EUR;3.104,24;EUR;")
    path = tmp_path / "mixed.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    result = runner.invoke(cli, ["ingest", str(path), "--db", str(tmp_path / "s.db"), "--output", "json"])
    f = json.loads(result.output)["files"][0]
    assert f["stored"] == 4
    assert [(r["source_line"], r["reason"]) for r in f["rejections"]] == [
        (len(rows), "not an amount with a decimal comma: '-16.41'")]
