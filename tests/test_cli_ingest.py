"""``subdetect ingest`` through click's CliRunner, against a real SQLite file."""

from __future__ import annotations

import csv
import io
import json

from detector.cli import cli
from detector.store import Store

CHASE = ("Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
         "01/16/2024,01/17/2024,NETFLIX.COM,Entertainment,Sale,-15.49,\n"
         "01/17/2024,01/17/2024,KROGER #0456,Groceries,Sale,not-a-number,\n")


def test_summary_table(tmp_path, runner):
    card = tmp_path / "card.csv"
    card.write_text(CHASE)
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(card), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "chase_card" in result.output and "card.csv" in result.output
    assert f"rejected {card}:3:" in result.output and "not-a-number" in result.output
    assert len(Store(db).transactions()) == 1


def test_json_output_and_format_json_alias(tmp_path, runner):
    card = tmp_path / "card.csv"
    card.write_text(CHASE)
    db = tmp_path / "s.db"
    out = runner.invoke(cli, ["ingest", str(card), "--db", str(db), "--output", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    f = data["files"][0]
    assert (f["format"], f["rows_read"], f["stored"], f["duplicates"], f["rejected"], f["ok"]) == (
        "chase_card", 2, 1, 0, 1, True)
    assert f["rejections"][0]["source_line"] == 3
    again = json.loads(runner.invoke(cli, ["ingest", str(card), "--db", str(db), "--format", "json"]).output)
    assert again["totals"] == {"rows_read": 2, "stored": 0, "duplicates": 1, "rejected": 1, "files": 1,
                               "failed": 0}


def test_nonzero_exit_when_one_of_two_files_fails_but_the_other_is_stored(tmp_path, runner):
    card = tmp_path / "card.csv"
    card.write_text(CHASE)
    junk = tmp_path / "notes.csv"
    junk.write_text("hello,world\nfoo,bar\n")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(junk), str(card), "--db", str(db), "--output", "json"])
    assert result.exit_code == 3
    data = json.loads(result.output)
    assert [f["ok"] for f in data["files"]] == [False, True]
    assert "notes.csv" in data["files"][0]["error"] and "--columns" in data["files"][0]["error"]
    assert len(Store(db).transactions()) == 1


def test_layout_columns_account_and_payment_method_options(tmp_path, runner):
    bank = tmp_path / "mybank.csv"
    bank.write_text("Posted,Payee,Amt\n2024-01-02,NETFLIX,-15.49\n")
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["ingest", str(bank), "--db", str(db), "--account", "joint",
                                 "--columns", "date=Posted,description=Payee,amount=Amt",
                                 "--payment-method", "debit_card"])
    assert result.exit_code == 0, result.output
    store = Store(db)
    assert store.transactions()["account_id"].tolist() == ["joint"]
    assert store.account("joint")["payment_method_source"] == "user"
    unknown = runner.invoke(cli, ["ingest", str(bank), "--db", str(db), "--format", "no_such_bank"])
    assert unknown.exit_code != 0 and "known formats" in unknown.output


def test_formats_lists_every_layout(runner):
    from detector.importers import format_names

    result = runner.invoke(cli, ["formats", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["format"] for r in json.loads(result.output)] == format_names()


def test_formats_table_shows_each_layouts_doc_whole_and_as_text(runner):
    # round-51 audit: the table showed "``\\[account_id,]\\[transaction_id,]...amount[,cur…": the
    # markup escaped twice, the reST literal marks kept and the line cut off
    doc = "[account_id,][transaction_id,]date,description,amount[,currency]; negative = money out."
    table = runner.invoke(cli, ["formats"])
    assert table.exit_code == 0, table.output
    assert "…" not in table.output and "\\[" not in table.output and "``" not in table.output
    lines = table.output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("│ generic "))
    generic = [lines[first]] + [line for line in lines[first + 1:first + 3] if line.startswith("│        ")]
    cells = " ".join(line.split("│")[5].strip() for line in generic)
    assert cells.startswith(doc), cells
    rows = list(csv.DictReader(io.StringIO(runner.invoke(cli, ["formats", "--format", "csv"]).output)))
    assert next(r["doc"] for r in rows if r["format"] == "generic") == doc


def test_utf16_without_a_byte_order_mark_is_read_as_with_one(tmp_path, runner):
    # round-44 audit: a UTF-16LE CSV without a BOM was refused as "a binary file"; with one it was read
    text = ("Transaction Date,Post Date,Description,Category,Type,Amount,Memo\r\n"
            + "".join(f"{m:02d}/16/2024,{m:02d}/17/2024,CAFÉ DE FLORE,Food,Sale,-15.49,\r\n" for m in range(1, 7)))
    got, streams = {}, {}
    for codec in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        card = tmp_path / codec / "Chase1234_Activity.CSV"
        card.parent.mkdir()
        card.write_bytes(text.encode(codec))
        db = tmp_path / f"{codec}.db"
        res = runner.invoke(cli, ["scan", str(card), "--db", str(db), "--as-of", "2024-06-30", "--format", "json"])
        assert res.exit_code == 0, (codec, res.output)
        assert "binary" not in res.stderr
        got[codec] = Store(db).transactions()[["transaction_id", "account_id", "date", "amount", "description"]]
        streams[codec] = [(s["merchant"], len(s["transaction_ids"])) for s in json.loads(res.stdout)["streams"]]
    for codec in ("utf-16", "utf-16-le", "utf-16-be"):
        assert got[codec].equals(got["utf-8"]) and streams[codec] == streams["utf-8"], codec
    assert len(streams["utf-8"]) == 1 and streams["utf-8"][0][1] == 6
    assert got["utf-8"]["description"].tolist() == ["CAFÉ DE FLORE"] * 6
    # a UTF-16 file cut in the middle of a character: one line saying so, nothing stored (with a
    # byte-order mark it was a traceback)
    for codec in ("utf-16-le", "utf-16"):
        cut = tmp_path / f"cut-{codec}.CSV"
        cut.write_bytes(text.encode(codec)[:-1])
        db = tmp_path / f"cut-{codec}.db"
        res = runner.invoke(cli, ["ingest", str(cut), "--db", str(db)])
        assert res.exit_code == 3 and "UTF-16 text that does not decode" in res.output, (codec, res.output)
        assert "binary" not in res.output and Store(db).transactions().empty


def test_a_streamed_utf16_file_without_a_byte_order_mark_stores_what_a_whole_read_stores(tmp_path):
    from detector.importers import ingest_files

    text = ("Transaction Date,Post Date,Description,Category,Type,Amount,Memo\r\n"
            + "".join(f"{m:02d}/16/2024,{m:02d}/17/2024,CAFÉ DE FLORE,Food,Sale,-15.49,\r\n" for m in range(1, 7)))
    card = tmp_path / "Chase1234_Activity.CSV"
    card.write_bytes(text.encode("utf-16-le"))
    got = {}
    for how, stream_bytes in (("whole", None), ("streamed", 0)):
        store = Store(tmp_path / f"{how}.db")
        [result] = ingest_files([card], store, stream_bytes=stream_bytes)
        assert result.ok and result.streamed == (how == "streamed") and result.stored == 6, result.error
        got[how] = store.transactions()
    assert got["streamed"].equals(got["whole"])
    card.write_bytes(text.encode("utf-16-le")[:-1])
    [result] = ingest_files([card], Store(tmp_path / "cut.db"), stream_bytes=0)
    assert "UTF-16 text that does not decode: an odd number of bytes" in result.error


def test_the_first_example_of_the_importers_page_ingests_the_samples(tmp_path):
    # round-51 audit: `subdetect ingest data/samples/*.csv ...` took cancellations.csv too and exited 3
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    line = next(line.strip() for line in (root / "docs" / "importers.md").read_text().splitlines()
                if line.startswith("    subdetect ingest "))
    assert "data/samples" in line
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", f"{line} --db {tmp_path / 'i.db'}"], check=False, cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 file(s)" in done.stdout and "0 failed" in done.stdout
