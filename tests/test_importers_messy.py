"""Messy real-world statement files (round-49 audit): exports re-saved by Excel and the like."""

from __future__ import annotations

import sqlite3

import pytest

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


def test_a_file_whose_every_row_is_rejected_keeps_and_counts_them_and_is_still_refused(runner, tmp_path):
    # round-49 audit: Read 0 / Rejected 0, "rejections": [], an empty rejected_rows table, and an
    # error naming three lines "(and 53 more)": a nightly database kept no trace of which failed
    import json

    from detector.errors import EmptyStatement

    rows = [f"2025-{m:02d}-{d:02d} 00:00:00,NETFLIX.COM,-15.49,USD\n" for m in range(1, 7) for d in (3, 17)]
    path = write(tmp_path, "household.csv", "date,description,amount,currency\n" + "".join(rows))
    with pytest.raises(EmptyStatement) as caught:
        read_statement(path)
    assert caught.value.rows_read == 12 and caught.value.format == "generic"
    assert [r["source_line"] for r in caught.value.rejected] == list(range(2, 14))
    db = str(tmp_path / "s.db")
    for _ in range(2):  # and again: each line kept once
        result = runner.invoke(cli, ["ingest", "--db", db, str(path), "--output", "json"])
        assert result.exit_code == 3, result.output  # refused, as for any file that cannot be read
        (f,) = json.loads(result.output)["files"]
        assert (f["ok"], f["format"], f["rows_read"], f["stored"], f["duplicates"], f["rejected"]) == (
            False, "generic", 12, 0, 0, 12)
        assert [r["source_line"] for r in f["rejections"]] == list(range(2, 14))
        assert f["rejections"][0]["raw"] == rows[0].rstrip("\n")
        assert "no usable rows, all 12 rejected" in f["error"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM transactions").fetchone() == (0,)
        assert [r for (r,) in conn.execute("SELECT source_line FROM rejected_rows ORDER BY 1")] == list(range(2, 14))
    table = runner.invoke(cli, ["ingest", "--db", db, str(path)])
    assert "│   12 │      0 │          0 │       12 │ failed" in table.output
    assert f"rejected {path}:2: not a date" in table.output


def test_the_nightly_inbox_lists_a_refused_files_rejected_lines_beside_it(tmp_path):
    from detector.nightly import run_nightly

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = [f"2025-{m:02d}-03 00:00:00,NETFLIX.COM,-15.49,USD\n" for m in range(1, 7)]
    (inbox / "household.csv").write_text("date,description,amount,currency\n" + "".join(rows))
    result = run_nightly(tmp_path / "s.db", inbox=inbox, as_of="2025-06-30")
    (entry,) = result.files
    assert entry["ok"] is False and entry["rejected"] == 6 and entry["stored"] == 0
    assert "household.csv: no usable rows, all 6 rejected" in (inbox / "failed" / "household.csv.reason.txt").read_text()
    listing = (inbox / "failed" / "household.csv.rejected.txt").read_text()
    assert all(f"household.csv:{n}: not a date" in listing for n in range(2, 8))
    assert entry["rejected_list"] == str(inbox / "failed" / "household.csv.rejected.txt")


@pytest.mark.parametrize("engine", ["rows", "columns"])
@pytest.mark.parametrize(("cells", "fmt"), [
    (["2025-06-26 00:00:00", "2025-06-02 00:00:00", "2025-05-26 00:00:00"], "%Y-%m-%d %H:%M:%S"),  # Excel/pandas
    (["26/06/2025", "02/06/2025", "26/05/2025"], "%d/%m/%Y"),
    (["06/26/2025", "06/02/2025", "05/26/2025"], "%m/%d/%Y"),
    (["26.06.2025", "02.06.2025", "26.05.2025"], "%d.%m.%Y"),
])
def test_a_generic_csvs_date_hint_names_a_format_that_reads_its_dates(tmp_path, cells, fmt, engine):
    # round-49 audit: every hint said date_format=%m/%d/%Y, which pasted rejected Excel's
    # "2025-06-26 00:00:00" (all 56 rows) again
    import shlex

    from detector.errors import EmptyStatement

    body = "".join(f"{c},NETFLIX.COM,-15.49,USD\n" for c in cells) + "Total,,-46.47,\n"
    path = write(tmp_path, "household.csv", "date,description,amount,currency\n" + body)
    with pytest.raises(EmptyStatement) as caught:
        read_statement(path, engine=engine)
    reasons = [r["reason"] for r in caught.value.rejected]
    assert all(f"dates read as {fmt}" in r for r in reasons[:3]), reasons
    assert "no other common format reads this one either" in reasons[3]  # the footer gets no format
    argument = shlex.split(reasons[0][reasons[0].index("--columns"):].rstrip(")"))[1]
    st = read_statement(path, columns=argument, engine=engine)
    assert len(st.transactions) == 3 and [r["source_line"] for r in st.rejected] == [5]
    assert sorted(st.transactions["date"]) == ["2025-05-26", "2025-06-02", "2025-06-26"]


def _chase_resaved_in_germany(path) -> str:
    """A Chase card export as Excel on a German PC saves it: ';', decimal commas, dd.mm.yyyy."""
    lines = ["Transaction Date;Post Date;Description;Category;Type;Amount;Memo\n"]
    for m in range(6, 0, -1):
        lines.append(f"15.{m:02d}.2025;16.{m:02d}.2025;NETFLIX.COM;Entertainment;Sale;-15,49;\n")
        lines.append(f"03.{m:02d}.2025;03.{m:02d}.2025;SPOTIFY USA;Entertainment;Sale;-11,99;\n")
        lines.append(f"26.{m:02d}.2025;26.{m:02d}.2025;Payment Thank You-Mobile;;Payment;600,00;\n")
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


def test_a_layouts_header_under_another_separator_is_named_with_its_fix(runner, tmp_path):
    # round-49 audit: with --layout chase_card, "missing column(s) ; columns seen: ..." listing
    # exactly Chase's columns; detected, a --columns suggestion that never said it was Chase's
    import json
    import shlex

    path = _chase_resaved_in_germany(tmp_path / "Chase7777_Activity20250630.CSV")
    db = str(tmp_path / "s.db")
    named = runner.invoke(cli, ["ingest", "--db", db, "--layout", "chase_card", path, "--output", "json"])
    assert named.exit_code == 3
    error = json.loads(named.output)["files"][0]["error"]
    assert "missing column" not in error
    assert ("not a chase_card statement as written: its header (line 1) is the chase_card layout's (Chase credit "
            "card) with semicolons between the columns where the bank writes commas") in error
    detected = json.loads(runner.invoke(cli, ["ingest", "--db", db, path, "--output", "json"]).output)
    assert ("no importer recognises this file: its header (line 1) is the chase_card layout's (Chase credit card) "
            "with semicolons") in detected["files"][0]["error"]
    assert "--columns mapping below and --payment-method credit_card" in detected["files"][0]["error"]
    # the fix the message names, pasted as written, reads every row as Chase's card
    fix = shlex.split(error[error.index("--columns"):])
    stored = runner.invoke(cli, ["ingest", "--db", db, path, *fix])
    assert stored.exit_code == 0, stored.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), round(sum(amount), 2) FROM transactions").fetchone() == (18, 3435.12)
        assert conn.execute("SELECT min(date), max(date) FROM transactions").fetchone() == ("2025-01-03", "2025-06-26")
        assert conn.execute("SELECT payment_method FROM accounts").fetchall() == [("credit_card",)]


def test_a_header_of_no_layout_under_any_separator_says_nothing_of_one(tmp_path):
    from detector.errors import UnrecognisedFormat

    path = write(tmp_path, "x.csv", "Posted;Payee;Value\n15.06.2025;NETFLIX.COM;-15,49\n")
    with pytest.raises(UnrecognisedFormat) as caught:
        read_statement(path)
    assert "no importer recognises this file. Columns seen" in str(caught.value)
    with pytest.raises(UnrecognisedFormat, match="missing column"):
        read_statement(path, format="chase_card")


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_amounts_marked_dr_or_cr_in_the_amount_cell_are_read_the_way_the_mark_says(tmp_path, engine):
    # round-49 audit: '15.49 DR' / '600.00 CR' rejected "not an amount", every row of the file
    generic = write(tmp_path, "statement.csv", "date,description,amount\n"
                    "2025-01-15,NETFLIX.COM,15.49 DR\n"
                    "2025-01-03,SPOTIFY USA,11.99DR\n"
                    "2025-01-26,PAYMENT RECEIVED THANK YOU,600.00 CR\n"
                    "2025-01-27,REFUND,\"1,002.50 Cr\"\n"
                    "2025-01-28,FEE,-2.00 DR\n"       # a minus agreeing with its mark
                    "2025-01-29,ODD,-3.00 CR\n"       # one that does not: rejected
                    "2025-01-30,PLAIN,-4.00\n")
    st = read_statement(generic, engine=engine)
    assert st.transactions["amount"].tolist() == [-15.49, -11.99, 600.0, 1002.5, -2.0, -4.0]
    assert [(r["source_line"], r["reason"]) for r in st.rejected] == [
        (7, "amount '-3.00 CR' is negative and marked CR (money in): which is it?")]
    # a layout writing charges positive (Amex): the mark says the way, not the layout's sign
    amex = write(tmp_path, "activity.csv", "Date,Description,Card Member,Account #,Amount\n"
                 "01/15/2025,NETFLIX.COM,ALEX MORGAN,-71003,15.49 DR\n"
                 "01/16/2025,PAYMENT,ALEX MORGAN,-71003,400.00 CR\n"
                 "01/17/2025,SPOTIFY,ALEX MORGAN,-71003,11.99\n")
    assert read_statement(amex, engine=engine).transactions["amount"].tolist() == [-15.49, 400.0, -11.99]
    # a --columns mapping alike
    mapped = read_statement(generic, columns="date=date,description=description,amount=amount", engine=engine)
    assert mapped.transactions["amount"].tolist()[:4] == [-15.49, -11.99, 600.0, 1002.5]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_marked_amount_cut_at_its_thousands_separator_is_rejected(tmp_path, engine):
    chase = write(tmp_path, "Chase1_Activity.CSV", "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
                  "01/16/2025,01/17/2025,NETFLIX.COM,Entertainment,Sale,15.49 DR,\n"
                  "01/15/2025,01/15/2025,RENT,Home,Sale,1,250.00 DR\n")
    st = read_statement(chase, engine=engine)
    assert st.transactions["amount"].tolist() == [-15.49]
    assert [r["source_line"] for r in st.rejected] == [3] and "thousands separator" in st.rejected[0]["reason"]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_description_spanning_lines_is_stored_on_one_line_and_keeps_its_id(tmp_path, engine):
    # round-49 audit: 'AMAZON PRIME*2K4LL1234, AMZN.COM/BILL\r\nWA' was stored with its CRLF, and
    # reports and emails printed it on two lines
    from detector.ids import stable_id

    text = ("Transaction Date,Post Date,Description,Category,Type,Amount,Memo\r\n"
            "03/08/2025,03/09/2025,\"AMAZON PRIME*2K4LL1234, AMZN.COM/BILL\r\n  WA\",Shopping,Sale,-14.99,\r\n"
            "03/07/2025,03/08/2025,NETFLIX.COM\u2028AMSTERDAM,Entertainment,Sale,-15.49,\r\n"
            "03/06/2025,03/07/2025,UBER   *TRIP HELP.UBER.COM,Travel,Sale,-11.66,\r\n")
    path = tmp_path / "Chase8888_Activity20250630.CSV"
    path.write_bytes(text.encode("utf-8"))
    st = read_statement(path, engine=engine)
    assert st.transactions["description"].tolist() == [
        "AMAZON PRIME*2K4LL1234, AMZN.COM/BILL WA", "NETFLIX.COM AMSTERDAM",
        "UBER   *TRIP HELP.UBER.COM"]  # (runs of spaces stay as the bank wrote them)
    # the id is the one a database written before holds: the text as read, line break and all
    assert st.transactions["transaction_id"].iloc[0] == stable_id(
        "Chase8888_Activity", "2025-03-08", "-14.99", "AMAZON PRIME*2K4LL1234, AMZN.COM/BILL\r\n  WA", 0)
    assert st.transactions["source_line"].tolist() == [2, 4, 5]
    # a line separator inside one physical line: the column reader reads that file itself
    one = tmp_path / "Chase8889_Activity20250630.CSV"
    one.write_bytes(("Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
                     "03/07/2025,03/08/2025,NETFLIX.COM\u2028AMSTERDAM,Entertainment,Sale,-15.49,\n").encode("utf-8"))
    assert read_statement(one, engine=engine).transactions["description"].tolist() == ["NETFLIX.COM AMSTERDAM"]


@pytest.mark.parametrize("given", ["", ",date_format=%m/%d/%Y"])
def test_a_mapped_csvs_rejected_dates_name_the_date_format_that_reads_them(runner, tmp_path, given):
    # round-53 audit: a Lloyds export of dd/mm/yy dates mapped with --columns (no date_format=)
    # had all 8 rows rejected, "not a date in format %Y-%m-%d or %Y/%m/%d or %m/%d/%Y: '01/03/25'",
    # with no hint; the same file without --columns got date_format=%d/%m/%y in its suggestion
    import shlex

    head = "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,Debit Amount,Credit Amount,Balance\n"
    days = ["01/03/25", "28/02/25", "29/01/25", "29/12/24", "29/02/24", "29/01/24"]
    path = str(write(tmp_path, "lloyds.csv", head + "".join(
        f"{d},DEB,'30-94-57,12345678,NETFLIX.COM,10.99,,1000.00\n" for d in days)))
    mapping = "date=Transaction Date,description=Transaction Description,debit=Debit Amount,credit=Credit Amount"
    db = str(tmp_path / "s.db")
    refused = runner.invoke(cli, ["ingest", "--db", db, path, "--columns", mapping + given])
    assert "all 6 rejected" in refused.output
    line = next(x for x in refused.output.splitlines() if x.startswith(f"rejected {path}:2: not a date"))
    assert "this file's dates read as %d/%m/%y: " in line and " date_format=%d/%m/%y in --columns" in line
    argument = shlex.split(line[line.index("--columns"):].rstrip(")"))[1]
    assert argument == mapping + ",date_format=%d/%m/%y"
    stored = runner.invoke(cli, ["ingest", "--db", db, path, "--columns", argument])
    assert stored.exit_code == 0, stored.output
    with sqlite3.connect(db) as con:
        dates = sorted(d for (d,) in con.execute("SELECT date FROM transactions"))
    assert dates == ["2024-01-29", "2024-02-29", "2024-12-29", "2025-01-29", "2025-02-28", "2025-03-01"]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_tab_in_a_description_is_one_space_and_keeps_its_id(tmp_path, engine):
    # twenty-fifth session: a tab is flattened as a line break is, here as in a Plaid name
    # (parsing.one_line, the one place both call)
    from detector.ids import stable_id

    path = tmp_path / "Chase8890_Activity20250630.CSV"
    path.write_text("Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
                    "03/07/2025,03/08/2025,\"NETFLIX.COM \t866-579-7172\",Entertainment,Sale,-15.49,\n"
                    "03/06/2025,03/07/2025,\"\tSPOTIFY  USA\t\",Entertainment,Sale,-10.99,\n", encoding="utf-8")
    st = read_statement(path, engine=engine)
    assert st.transactions["description"].tolist() == ["NETFLIX.COM 866-579-7172", "SPOTIFY  USA"]
    assert st.transactions["transaction_id"].iloc[0] == stable_id(
        "Chase8890_Activity", "2025-03-07", "-15.49", "NETFLIX.COM \t866-579-7172", 0)


def test_a_big_file_whose_every_row_is_rejected_is_refused_like_a_small_one(runner, tmp_path, monkeypatch):
    # a file over the streaming threshold (ingest.STREAM_BYTES, 256 MiB) whose every row was
    # rejected was recorded as ingested "ok" (exit 0, an imports row, its account created), where
    # the same small file is refused with exit 3 ("Read N / Rejected N")
    import json

    from detector.importers import ingest

    rows = [f"2025-{m:02d}-{d:02d} 00:00:00,NETFLIX.COM,-15.49,USD\n" for m in range(1, 7) for d in (3, 17)]
    path = write(tmp_path, "household.csv", "date,description,amount,currency\n" + "".join(rows))
    seen = {}
    for how in ("whole", "streamed"):
        if how == "streamed":
            monkeypatch.setattr(ingest, "STREAM_BYTES", 10)  # every file is "big"
            monkeypatch.setattr(ingest, "STREAM_CHUNK_ROWS", 5)  # and read in three chunks
        db = str(tmp_path / f"{how}.db")
        result = runner.invoke(cli, ["ingest", "--db", db, str(path), "--output", "json"])
        assert result.exit_code == 3, (how, result.output)
        (f,) = json.loads(result.output)["files"]
        assert f["streamed"] is (how == "streamed")
        assert "no usable rows, all 12 rejected" in f["error"], f["error"]
        scanned = runner.invoke(cli, ["scan", "--db", str(tmp_path / f"scan-{how}.db"), str(path),
                                      "--as-of", "2025-06-30"])
        assert scanned.exit_code == 3 and "no usable rows, all 12 rejected" in scanned.output, scanned.output
        with sqlite3.connect(db) as conn:
            seen[how] = (
                {k: f[k] for k in ("ok", "format", "rows_read", "stored", "duplicates", "rejected", "error", "accounts")},
                [r["source_line"] for r in f["rejections"]],
                conn.execute("SELECT count(*) FROM transactions").fetchone(),
                conn.execute("SELECT count(*) FROM imports").fetchone(),
                conn.execute("SELECT count(*) FROM accounts").fetchone(),
                [r for (r,) in conn.execute("SELECT source_line FROM rejected_rows ORDER BY 1")],
            )
    assert seen["streamed"] == seen["whole"]
    assert seen["whole"][1] == list(range(2, 14)) and seen["whole"][2:5] == ((0,), (0,), (0,))


def test_a_big_file_with_usable_rows_in_one_chunk_only_is_stored(tmp_path):
    # the refusal is for a file with no usable row at all: chunks of rejects beside a good one
    # store the good rows, keep the rejects, and name only the account the good rows name
    from detector.importers import ingest_files
    from detector.store import Store

    bad = [f"2025-{m:02d}-03 00:00:00,NETFLIX.COM,-15.49,USD\n" for m in range(1, 7)]
    good = [f"2025-{m:02d}-05,SPOTIFY,-11.99,USD\n" for m in range(1, 4)]
    path = write(tmp_path, "household.csv", "date,description,amount,currency\n" + "".join(bad + good))
    store = Store(tmp_path / "s.db")
    [res] = ingest_files([path], store, stream_bytes=0)
    assert res.ok and res.streamed
    assert (res.rows_read, res.stored, res.rejected) == (9, 3, 6)
    assert res.accounts == ["household"]
