"""A CSV download cut off in its last line (round-49 audit).

Chase's ``...,Sale,-43.61,`` cut to ``...,Sale,-43.6`` (no final newline, six fields under a
seven-column header: the Memo and its comma gone) was stored as -43.60 with no word, and the whole
download of the same months then stored the real -43.61 beside it. A last line with no line end
and fewer fields than the header, or a quote left open, is now rejected as cut short with its
line, as the OFX and Santander readers already did; a whole last line that merely lacks its line
end is read, with a note when its amount is its last field (a cut there cannot be seen).
"""

from __future__ import annotations

import csv
import re
import sqlite3

import pytest

from detector.cli import cli
from detector.importers import iter_statement_chunks, read_statement
from tests.test_importers_layouts import CASES, write

CUT = "the download looks cut short; download the statement again"
CHASE_HEADER = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"


def chase_rows(n: int = 30) -> list[str]:
    return [f"{(i % 12) + 1:02d}/{(i % 27) + 1:02d}/2025,{(i % 12) + 1:02d}/{(i % 27) + 1:02d}/2025,"
            f"SHOP {i},Shopping,Sale,-{10 + i}.{i % 90 + 10},\n" for i in range(n)]


def _cut_in_last_amount(text: str, amount: float) -> tuple[str, int] | None:
    """``text`` cut right after the first digit of its last line's amount cell (no line end
    after it), and that line's number; ``None`` when the last line shows no such cell."""
    lines = text.splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.strip())
    line = lines[last].rstrip("\r\n")
    delimiter = ";" if line.count(";") > line.count(",") else ("\t" if "\t" in line else ",")
    cells = next(csv.reader([line], delimiter=delimiter))
    for cell in cells:
        digits = re.sub(r"[^\d.,]", "", cell).replace(",", ".")
        if digits and re.fullmatch(r"\d+(\.\d+)?", digits) and float(digits) == abs(amount) and "/" not in cell:
            at = line.index(cell) + re.search(r"\d", cell).start() + 1
            return "".join(lines[:last]) + line[:at], last + 1
    return None


CUTTABLE = sorted(name for name, (_, text, expected) in CASES.items()
                  if _cut_in_last_amount(text, expected[-1][1]) is not None)


def test_most_layouts_can_be_cut_in_their_last_amount():
    assert len(CUTTABLE) >= len(CASES) * 3 // 4, sorted(set(CASES) - set(CUTTABLE))


@pytest.mark.parametrize("engine", ["rows", "columns"])
@pytest.mark.parametrize("name", CUTTABLE)
def test_no_layout_stores_a_last_line_cut_in_its_amount_without_a_word(tmp_path, name, engine):
    filename, text, expected = CASES[name]
    cut, line = _cut_in_last_amount(text, expected[-1][1])
    st = read_statement(write(tmp_path, filename, cut), format=name, engine=engine)
    stored = st.transactions[st.transactions["source_line"] == line]
    rejected = [r for r in st.rejected if r["source_line"] == line]
    if stored.empty:  # rejected as cut short, with its line
        assert len(rejected) == 1 and CUT in rejected[0]["reason"], st.rejected
    else:  # a record that reads whole (the amount its last field): the file's notes say it may be cut
        assert any(f"its last line (line {line}) ends with its amount" in n for n in st.notes), (name, st.notes)
    # every other row as before
    others = st.transactions[st.transactions["source_line"] != line]
    assert list(zip(others["date"], others["amount"], others["description"])) == expected[:len(others)]


@pytest.mark.parametrize("engine", ["rows", "columns"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_whole_file_without_its_final_line_end_reads_as_with_it(tmp_path, name, engine):
    filename, text, _ = CASES[name]
    whole = read_statement(write(tmp_path, filename, text), engine=engine)
    (tmp_path / "bare").mkdir()
    bare = read_statement(write(tmp_path / "bare", filename, text.rstrip("\n")), format=name, engine=engine)
    assert bare.rejected == whole.rejected == []
    cols = ["date", "amount", "description", "source_line", "transaction_id"]
    assert bare.transactions[cols].equals(whole.transactions[cols])


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_chase_cut_inside_its_last_amount_is_rejected_with_file_and_line(tmp_path, engine):
    rows = chase_rows()
    last = "01/02/2025,01/03/2025,WHOLEFDS MKT 10155,Groceries,Sale,-43.61,\n"
    # '-43.61' (only the Memo's comma lost), '-43.6', '-4', and cut in the description
    for cut in (last[:-2], last[:-3], last[:-6], "01/02/2025,01/03/2025,WHOLEFDS"):
        path = write(tmp_path, "Chase4013_Activity20250630.CSV", CHASE_HEADER + "".join(rows) + cut)
        st = read_statement(path, engine=engine)
        assert len(st.transactions) == len(rows), cut
        assert 32 not in set(st.transactions["source_line"])
        assert [r["source_line"] for r in st.rejected] == [32], cut
        assert CUT in st.rejected[0]["reason"] and "of the header's 7 fields" in st.rejected[0]["reason"]
        assert st.rejected[0]["raw"] == cut.rstrip("\n")
        assert st.rejected[0]["source_file"] == str(path)
    # streamed in chunks, by columns or row by row, the same
    for engine_ in ("columns", "rows"):
        chunks = list(iter_statement_chunks(path, chunksize=7, engine=engine_))
        assert sum(len(c.transactions) for c in chunks) == len(rows)
        assert [r["source_line"] for c in chunks for r in c.rejected] == [32]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_quote_left_open_at_the_end_is_cut_short(tmp_path, engine):
    text = ('"Transaction Date","Post Date","Description","Category","Type","Amount","Memo"\n'
            '"01/05/2025","01/06/2025","NETFLIX.COM","Entertainment","Sale","-15.49",""\n'
            '"01/02/2025","01/03/2025","WHOLEFDS","Groceries","Sale","-43.61","a note that was cu')
    st = read_statement(write(tmp_path, "Chase1_Activity.CSV", text), engine=engine)
    assert st.transactions["amount"].tolist() == [-15.49]
    assert [r["source_line"] for r in st.rejected] == [3] and "a quote in it is never closed" in st.rejected[0]["reason"]


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_whole_last_line_without_line_end_is_read_and_noted_only_when_it_ends_with_its_amount(tmp_path, engine):
    # Chase: the Memo's comma follows the amount, so the line is whole: read, no note
    chase = write(tmp_path, "Chase9_Activity.CSV", CHASE_HEADER + "".join(chase_rows()).rstrip("\n"))
    st = read_statement(chase, engine=engine)
    assert len(st.transactions) == 30 and st.rejected == [] and st.notes == []
    # Amex: the amount is the last field, '11.99' cut to '11' reads as 11.00: noted with its line
    amex = write(tmp_path, "activity.csv", "Date,Description,Card Member,Account #,Amount\n"
                 "01/19/2025,NYTIMES*NYTDIGITAL,ALEX MORGAN,-71003,17.00\n"
                 "01/05/2025,SPOTIFY USA,ALEX MORGAN,-71003,11")
    st = read_statement(amex, engine=engine)
    assert st.transactions["amount"].tolist() == [-17.0, -11.0]
    assert st.notes == ["the file does not end with a line end and its last line (line 3) ends with its amount, "
                        "'11', read as written: a download cut short inside that amount would read the same, so "
                        "compare it with the bank's statement (or download the statement again)"]


def test_the_whole_download_after_a_cut_one_stores_the_real_row_once(runner, tmp_path):
    rows = chase_rows()
    last = "01/02/2025,01/03/2025,WHOLEFDS MKT 10155,Groceries,Sale,-43.61,\n"
    cut = write(tmp_path, "Chase4013_Activity20250630.CSV", CHASE_HEADER + "".join(rows) + last[:-3])
    whole = write(tmp_path, "Chase4013_Activity20250701.CSV", CHASE_HEADER + "".join(rows) + last)
    db = str(tmp_path / "s.db")
    first = runner.invoke(cli, ["ingest", "--db", db, str(cut)])
    assert first.exit_code == 0, first.output
    assert f"rejected {cut}:32: the file ends inside this line" in first.output
    second = runner.invoke(cli, ["ingest", "--db", db, str(whole)])
    assert second.exit_code == 0, second.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM transactions").fetchone() == (31,)
        assert conn.execute("SELECT amount FROM transactions WHERE date = '2025-01-02'").fetchall() == [(-43.61,)]
        assert conn.execute("SELECT source_line FROM rejected_rows").fetchall() == [(32,)]


def test_an_open_quote_is_judged_on_the_last_record_only(tmp_path):
    # a multi-line quoted description in the middle of the file is whole: its record has a line end
    text = (CHASE_HEADER + '01/05/2025,01/06/2025,"AMAZON PRIME\nWA",Shopping,Sale,-14.99,\n'
            + "01/02/2025,01/03/2025,NETFLIX.COM,Entertainment,Sale,-15.49,")
    st = read_statement(write(tmp_path, "Chase2_Activity.CSV", text))
    assert st.rejected == [] and st.transactions["amount"].tolist() == [-14.99, -15.49]
