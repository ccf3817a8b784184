"""`subdetect transactions --format csv` scanned again: the same transactions and streams.

A user exports the store (`subdetect transactions --db a.db --format csv > tx.csv`) and scans the
export elsewhere (`subdetect scan tx.csv --db b.db`). Before the twenty-third session `scan`
refused the export ("no importer recognises this file": its provenance columns were not the
generic layout's); now every row comes back with its id, account, date, signed amount, currency,
descriptor, source, `id_from_bank` and original amount, and detection finds the same streams.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from detector.cli import cli
from detector.importers import read_statement
from tests.conftest import SAMPLES
from tests.test_original_currency import monzo, plan

#: What a row is, as the store holds it (source_file and source_line are where it was read from).
SAME = ["transaction_id", "account_id", "date", "amount", "currency", "description", "source", "id_from_bank",
        "original_amount", "original_currency"]


def _spreadsheet_words(path):
    """A generic CSV whose descriptors start as spreadsheet formulas do (the export writes them
    with a quote first, formula-safe) and one charge of 1,250.00, twelve months each."""
    lines = ["account_id,date,description,amount,currency"]
    for m in range(1, 13):
        lines += [f"club,2024-{m:02d}-03,-JOHN'S GYM MEMBERSHIP,-39.00,USD",
                  f"club,2024-{m:02d}-09,=CLOUD STORAGE PLAN,-2.99,USD",
                  f"club,2024-{m:02d}-12,+44 MOBILE LTD,-12.00,USD",
                  f"club,2024-{m:02d}-15,@HOME INTERNET,-55.00,USD",
                  f"club,2024-{m:02d}-20,\"RENT, FLAT 2\",-1250.00,USD",
                  f"club,2024-{m:02d}-25,PAYROLL ACME,2400.00,USD"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _rows(runner, db):
    out = runner.invoke(cli, ["transactions", "--db", str(db), "--format", "json"])
    assert out.exit_code == 0, out.output
    df = pd.DataFrame(json.loads(out.stdout))[SAME]
    return df.sort_values(["account_id", "transaction_id"]).reset_index(drop=True)


def _report(runner, db):
    out = runner.invoke(cli, ["report", "--db", str(db), "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_the_csv_export_scanned_into_a_fresh_database_gives_the_same_transactions_and_streams(runner, tmp_path):
    files = [SAMPLES / "chase_card.csv", SAMPLES / "monzo.csv", SAMPLES / "checking.qfx",
             monzo(tmp_path / "MonzoDataExport.csv", plan(10.00)[:6], descriptor="MEDIUM.COM"),
             _spreadsheet_words(tmp_path / "club.csv")]
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    scanned = runner.invoke(cli, ["scan", *map(str, files), "--db", str(first), "--as-of", "2025-06-30"])
    assert scanned.exit_code == 0, scanned.output
    exported = runner.invoke(cli, ["transactions", "--db", str(first), "--format", "csv"])
    assert exported.exit_code == 0, exported.output
    export = tmp_path / "tx.csv"
    export.write_text(exported.stdout + "\n")
    assert "'-JOHN'S GYM" in export.read_text()  # written formula-safe

    again = runner.invoke(cli, ["scan", str(export), "--db", str(second), "--as-of", "2025-06-30"])
    assert again.exit_code == 0, again.output
    assert "no importer recognises" not in again.output

    before, after = _rows(runner, first), _rows(runner, second)
    assert len(before) == len(after) > 1000
    pd.testing.assert_frame_equal(before, after)
    # the three kinds of id kept as they were: a bank's (Monzo), a hash (Chase CSV), a FITID (QFX)
    assert set(after["id_from_bank"]) == {0, 1}
    assert (after["description"].str[:1].isin(list("-=+@"))).sum() == 48
    assert after["original_currency"].eq("USD").sum() == 6

    a, b = _report(runner, first), _report(runner, second)
    key = ["stream_id", "account_id", "merchant", "frequency", "status", "transaction_ids", "currency"]
    streams = lambda doc: sorted(({k: s[k] for k in key} for s in doc["streams"]), key=lambda s: s["stream_id"])
    assert streams(a) == streams(b) and len(streams(a)) >= 10
    flags = lambda doc: sorted((f["flag_id"], f["type"], f["transaction_id"]) for f in doc["flags"])
    assert flags(a) == flags(b)
    # an account keeps the payment method its statement's layout gave it (the export's source):
    # Chase's card a credit card; an OFX's, told by the file and not the layout, is not known again
    ofx = set(after.loc[after["source"] == "ofx", "account_id"])
    requests = lambda doc: sorted((r["flag_id"], r["account_id"], r["payment_method"], r["payment_method_source"],
                                   r["expected_by"]) for r in doc["refund_requests"] if r["account_id"] not in ofx)
    assert requests(a) == requests(b) and len(requests(b)) >= 3


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_an_export_reads_alike_row_by_row_and_by_columns(tmp_path, engine):
    export = tmp_path / "tx.csv"
    export.write_text(
        "transaction_id,account_id,date,amount,currency,description,source,source_file,source_line,id_from_bank,"
        "original_amount,original_currency\n"
        "tx_1,monzo,2024-01-03,-7.40,GBP,MEDIUM.COM,monzo,m.csv,2,1,-10.0,USD\n"
        "9f2c4e1a7b3d5e60,chase,2024-01-05,-15.49,USD,'-JOHN'S GYM,chase_card,c.csv,7,0,,\n"
        "x_0a1b2c3d4e5f6a7b,chase,2024-01-06,5.00,USD,'=REWARDS,ofx,c.qfx,40,0,,\n"
        "t4,other,2024-01-07,-1.00,USD,PLAIN,,,,,,\n")
    df = read_statement(export, engine=engine).transactions
    assert df["transaction_id"].tolist() == ["tx_1", "9f2c4e1a7b3d5e60", "x_0a1b2c3d4e5f6a7b", "t4"]
    assert df["description"].tolist() == ["MEDIUM.COM", "-JOHN'S GYM", "=REWARDS", "PLAIN"]
    assert df["source"].tolist() == ["monzo", "chase_card", "ofx", "generic"]
    assert df["id_from_bank"].tolist() == [1, 0, 0, 1]
    assert df["original_amount"].tolist()[0] == -10.0 and df["original_currency"].tolist()[0] == "USD"
    assert df["original_amount"].isna().tolist()[1:] == [True, True, True]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_an_export_row_whose_id_from_bank_is_no_flag_is_rejected_with_its_line(tmp_path, engine):
    export = tmp_path / "tx.csv"
    export.write_text("transaction_id,account_id,date,amount,currency,description,id_from_bank\n"
                      "t1,a,2024-01-03,-7.40,GBP,MEDIUM.COM,1\n"
                      "t2,a,2024-01-04,-7.40,GBP,MEDIUM.COM,yes\n")
    st = read_statement(export, engine=engine)
    assert st.transactions["transaction_id"].tolist() == ["t1"]
    assert [(r["source_line"], r["reason"]) for r in st.rejected] == [(3, "id_from_bank 'yes' is not 0 or 1")]
