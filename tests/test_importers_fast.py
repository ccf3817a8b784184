"""The vectorised CSV reader gives exactly what the row-by-row reader gives.

The row reader (``engine="rows"``) is the reference. Every sample, every layout case, a set of
awkward files and hypothesis-generated statements are read both ways and compared field by field:
canonical rows (ids, lines, order, dtypes), rejects (line, reason, raw), counts, account, currency.
"""

from __future__ import annotations

import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_importers_layouts import CASES

from detector.errors import DetectorError
from detector.importers import iter_statement_chunks, read_statement
from detector.importers import reader as reader_module
from tests._stress import examples

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "data" / "samples").glob("*.csv") if p.name != "cancellations.csv")


@pytest.fixture
def vectorised(monkeypatch):
    """Records, per read, whether the vectorised reader took the file (True) or declined it."""
    taken: list[bool] = []
    real = reader_module.read_body

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(reader_module, "read_body", spy)
    return taken


def read_both(path, **kwargs):
    """Both engines' results; an exception is a result too (type and message must match)."""
    out = []
    for engine in ("columns", "rows"):
        try:
            out.append(read_statement(path, engine=engine, **kwargs))
        except DetectorError as exc:
            out.append(exc)
    return out


def assert_same(path, **kwargs):
    fast, rows = read_both(path, **kwargs)
    if isinstance(rows, Exception) or isinstance(fast, Exception):
        assert type(fast) is type(rows) and str(fast) == str(rows)
        return rows
    pd.testing.assert_frame_equal(fast.transactions, rows.transactions, check_exact=True)
    assert fast.rejected == rows.rejected
    for attr in ("format", "account_id", "accounts", "rows_read", "default_payment_method", "currency",
                 "country", "path", "notes"):
        assert getattr(fast, attr) == getattr(rows, attr), attr
    return rows


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_sample_reads_the_same_both_ways(sample, vectorised, monkeypatch):
    monkeypatch.chdir(ROOT)  # source_file is the path as given
    assert_same(str(sample.relative_to(ROOT)))
    assert vectorised == [True]


@pytest.mark.parametrize("layout", sorted(CASES))
def test_every_layout_case_reads_the_same_both_ways(tmp_path, layout, vectorised):
    name, text, _ = CASES[layout]
    assert_same(write(tmp_path, name, text))
    assert vectorised == [True]


CHASE = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"

AWKWARD = {
    "bad_rows": CHASE + "01/16/2024,01/17/2024,NETFLIX.COM,E,Sale,-15.49,\n"
    "13/45/2024,01/17/2024,BAD DATE,E,Sale,-1.00,\n"
    "01/16/2024,01/17/2024,BAD AMOUNT,E,Sale,12.3.4,\n"
    "01/16/2024,01/17/2024,EMPTY AMOUNT,E,Sale,,\n"
    "01/18/2024,short row\n"
    "01/19/2024,01/19/2024,LONG ROW,E,Sale,-2.00,,extra,cells\n"
    ",,,,,,\n"
    "\n"
    "   \n"
    + CHASE
    + "01/20/2024,01/20/2024,  PADDED  ,E,Sale, $1,234.50 ,\n"
    "01/21/2024,01/21/2024,\"QUOTED, COMMA\",E,Sale,(12.00),\n"
    "01/22/2024,01/22/2024,TRAILING MINUS,E,Sale,12.00-,\n"
    "01/23/2024,01/23/2024,\u00a0NBSP EDGES\u00a0,E,Sale,-3.10,\n"
    "01/24/2024,01/24/2024,\x1cFILE SEP EDGE,E,Sale,-3.10,\n"
    "1/5/2024,1/5/2024,UNPADDED DATE,E,Sale,-0.00,\n"
    "01/16/2024,01/17/2024,NETFLIX.COM,E,Sale,-15.49,\n"
    "01/16/2024,01/17/2024,NETFLIX.COM,E,Sale,-15.490,\n"
    "01/16/2024,01/17/2024,NETFLIX.COM,E,Sale,-15.49,",
    # fields past the header's: empty ones (a trailing delimiter) are read, a filled one rejected
    "extra_fields": CHASE + "01/16/2024,01/17/2024,TRAILING,E,Sale,-1.00,,\n"
    "01/16/2024,01/17/2024,TRAILING SPACES,E,Sale,-1.00,, , \n"
    "01/16/2024,01/17/2024,SHIFTED, BY A COMMA,E,Sale,-1.00,\n"
    "01/16/2024,01/17/2024,FILLED,E,Sale,-1.00,,x\n"
    "01/16/2024,01/17/2024,OK,E,Sale,-1.00,\n",
    "extra_fields_first": CHASE + "01/16/2024,01/17/2024,FILLED FIRST,E,Sale,-1.00,memo,x\n"
    "01/16/2024,01/17/2024,TRAILING,E,Sale,-1.00,,\n"
    "01/16/2024,01/17/2024,OK,E,Sale,-1.00,\n",
    "quotes": CHASE + '01/16/2024,01/17/2024,"a ""quoted"" word",E,Sale,-1.00,\n'
    '01/16/2024,01/17/2024,mid"quote,E,Sale,-1.00,\n'
    '01/16/2024,01/17/2024,"closed"then,E,Sale,-1.00,\n',
    "multiline": CHASE + '01/16/2024,01/17/2024,"TWO\nLINES",E,Sale,-1.00,\n'
    "01/17/2024,01/17/2024,AFTER,E,Sale,-2.00,\n",
    "unterminated_last": CHASE + "01/16/2024,01/17/2024,OK,E,Sale,-1.00,\n"
    '01/17/2024,01/17/2024,"OPEN,E,Sale,-2.00,\n',
    "wells_fargo_open_quote": '"06/28/2025","-400.00","*","","AMEX EPAYMENT"\n'
    '"06/20/2025","2150.00","*","","ACME\n',  # the row reader keeps "ACME\n": so must the ids
    "header_only": CHASE,
    "blank_body": CHASE + "\n  \n,,,,,,\n",
    "all_rejected": CHASE + "xx,01/17/2024,A,E,Sale,-1.00,\n01/16/2024,01/17/2024,B,E,Sale,zz,\n",
    "no_final_newline_short": CHASE + "01/16/2024,01/17/2024,A,E,Sale,-1.00,\n01/16/2024,short",
    "lone_cr": CHASE.replace("\n", "\r") + "01/16/2024,01/17/2024,OK,E,Sale,-1.00,\r",
    "crlf": (CHASE + "01/16/2024,01/17/2024,OK,E,Sale,-1.00,\n\n01/17/2024,01/17/2024,OK2,E,Sale,2,\n")
    .replace("\n", "\r\n"),
    "generic_mixed_ids": "account_id,transaction_id,date,description,amount,currency\n"
    "a1,t1,2024-01-05,NETFLIX,-15.49,usd\n"
    "a1,,2024-01-05,NETFLIX,-15.49,\n"
    ",,2024-01-05,NETFLIX,-15.49,EUR\n"
    "a2,'t9',2024-01-06,X,1e3,GBP\n"
    "a2,t3,01/06/2024,US DATE,1,GBP\n",
    "capital_one": "Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n"
    "2024-05-30,2024-05-31,5158,GYM,Health,24.99,\n"
    "2024-05-28,2024-05-28,5158,PAYMENT,Payment,,250.00\n"
    "2024-05-27,2024-05-28,5158,BOTH,Payment,0.1,0.3\n"
    "2024-05-26,2024-05-28,5158,NEITHER,Payment,,\n"
    "2024-05-25,2024-05-28,5158,BAD,Payment,abc,\n",
    "capital_one_cards": "Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n"
    "2024-05-30,2024-05-31,5158,GYM,Health,24.99,\n"
    "2024-05-30,2024-05-31,7710,GYM,Health,24.99,\n"
    "2024-05-29,2024-05-31,,NO CARD,Health,1.00,\n"
    "2024-05-28,2024-05-28,XXXX-7710,BAD,Payment,abc,\n"
    "2024-05-27,2024-05-28,7710,SHORT\n"
    "2024-05-26,2024-05-28,-7710,LATE,Payment,,250.00\n",
    "ing": '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";"Bedrag (EUR)";'
    '"Mutatiesoort";"Mededelingen"\n'
    '"20240109";"Netflix";"NL12";"";"BA";"Af";"13,49";"x";"y"\n'
    '"20240110";"";"NL12";"";"BA";"Bij";"1.013,49";"x";"fallback text"\n'
    '"20240111";"Unknown";"NL12";"";"BA";"Sideways";"1,00";"x";"y"\n'
    '"20240112";"Dots";"NL12";"";"BA";"Af";"1.5";"x";"y"\n',
    "revolut": "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"
    "CARD_PAYMENT,Current,2024-01-03 10:12:33,2024-01-04 09:01:02,Spotify,-10.99,0.00,EUR,COMPLETED,1\n"
    "EXCHANGE,Current,2024-01-06 12:00:00,2024-01-06 12:00:01,Exchanged,-50.00,0.25,eur,completed,1\n"
    "CARD_PAYMENT,Current,2024-01-07 10:00:00,,Some Shop,-20.00,0.00,EUR,DECLINED,1\n"
    "CARD_PAYMENT,Current,2024-01-07 10:00:00,2024-01-08,Fee bad,-20.00,x,EUR,COMPLETED,1\n",
    "bofa": "Description,,Summary Amt.\n"
    "Beginning balance as of 01/01/2025,,\"1,300.00\"\n"
    "\n"
    "Date,Description,Amount,Running Bal.\n"
    "01/01/2025,Beginning balance as of 01/01/2025,,\"1,300.00\"\n"
    "01/06/2025,\"HANMI BANK\",\"1,000.00\",\"2,300.00\"\n"
    "01/31/2025,Ending balance as of 01/31/2025,,\"2,150.00\"\n",
}


@pytest.mark.parametrize("case", sorted(AWKWARD))
def test_awkward_files_read_the_same_both_ways(tmp_path, case):
    assert_same(write(tmp_path, f"{case}.csv", AWKWARD[case]))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_encodings_read_the_same_both_ways(tmp_path, encoding, vectorised):
    text = CHASE + "01/16/2024,01/17/2024,CAF\u00c9 M\u00dcNCHEN \u20ac,E,Sale,-15.49,\n" * 3
    st = assert_same(write(tmp_path, "enc.csv", text, encoding=encoding))
    assert st.transactions["description"].iloc[0] == "CAF\u00c9 M\u00dcNCHEN \u20ac"
    assert vectorised == [True]


def test_a_utf8_file_with_a_stray_byte_reads_the_same_both_ways(tmp_path, vectorised):
    # (sixteenth audit) it is UTF-8 with that byte as cp1252, not cp1252 throughout
    text = CHASE + "01/16/2024,01/17/2024,CAF\u00c9 DE FLORE,E,Sale,-5.50,\n" * 3
    path = tmp_path / "stray.csv"
    path.write_bytes(text.encode() + b"01/17/2024,01/17/2024,SHELL,Gas\x81,Sale,-41.10,\n")
    st = assert_same(path)
    assert vectorised == [True]
    assert st.transactions["description"].tolist() == ["CAF\u00c9 DE FLORE"] * 3 + ["SHELL"]
    assert len(st.notes) == 1 and "line 5: 0x81 in" in st.notes[0]


def test_bad_rows_are_read_per_line_and_keep_their_reasons(tmp_path, vectorised):
    st = assert_same(write(tmp_path, "bad.csv", AWKWARD["bad_rows"]))
    assert vectorised == [True]  # the file is vectorised; only its bad lines go row by row
    reasons = {r["source_line"]: r["reason"] for r in st.rejected}
    assert "not a date" in reasons[3] and "not an amount" in reasons[4] and reasons[5] == "empty amount"
    assert reasons[6] == "expected at least 6 columns, found 2"
    assert reasons[7] == "expected 7 columns, found 9 (a value holding a comma must be quoted)"
    ids = st.transactions[st.transactions["description"] == "NETFLIX.COM"]["transaction_id"]
    assert ids.is_unique and len(ids) == 4  # occurrence index: identical rows keep distinct ids


def test_fields_past_the_header_are_read_per_line_alike(tmp_path, vectorised):
    # (sixteenth audit) empty ones are a trailing delimiter; a filled one is a shifted value
    for case in ("extra_fields", "extra_fields_first"):
        st = assert_same(write(tmp_path, f"{case}.csv", AWKWARD[case]))
        reasons = {r["source_line"]: r["reason"] for r in st.rejected}
        kept = set(st.transactions["description"])
        assert "OK" in kept and "TRAILING" in kept and not kept & {"FILLED", "FILLED FIRST", "SHIFTED"}
        raw = {r["source_line"]: r["raw"] for r in st.rejected}
        for line, reason in reasons.items():  # SHIFTED's value moved into its empty memo: caught by its amount
            assert reason.startswith("expected 7 columns, found 8 (") or raw[line].startswith("01/16/2024,01/17/2024,SHIFTED")
    assert sorted(reasons) == [2]
    assert vectorised == [True, True]


def test_files_that_cannot_be_lined_up_are_read_row_by_row(tmp_path, vectorised):
    for case in ("multiline", "lone_cr"):
        assert_same(write(tmp_path, f"{case}.csv", AWKWARD[case]))
    assert vectorised == [False, False]
    assert_same(write(tmp_path, "u.csv", AWKWARD["unterminated_last"]))  # either way, the same
    st = read_statement(write(tmp_path, "m.csv", AWKWARD["multiline"]))
    assert list(st.transactions["source_line"]) == [2, 4]


def test_columns_mapping_reads_the_same_both_ways(tmp_path, vectorised):
    text = ("Datum;Name, Ort;Betrag;Konto\n"
            "15.01.2024;NETFLIX, Berlin;-12,99;DE1\n"
            "16.01.2024;Gehalt;2.500,00;DE1\n"
            "32.01.2024;Bad;1,00;DE1\n")
    path = write(tmp_path, "de.csv", text)
    st = assert_same(path, columns='date=Datum,description="Name, Ort",amount=Betrag,account_id=Konto,'
                                   'decimal=",",date_format=%d.%m.%Y,delimiter=semicolon,currency=EUR')
    assert st.transactions["amount"].tolist() == [-12.99, 2500.0]
    assert vectorised == [True]


def test_auto_engine_is_the_default_and_vectorises_large_files(tmp_path, vectorised):
    row = "01/16/2024,01/17/2024,NETFLIX.COM,Entertainment,Sale,-15.49,\n"
    big = write(tmp_path, "big.csv", CHASE + row * 2000)
    small = write(tmp_path, "small.csv", CHASE + row * 3)
    assert len(read_statement(big).transactions) == 2000
    assert len(read_statement(small).transactions) == 3
    assert vectorised == [True]  # the small file is not worth pyarrow's set-up


def test_chunks_match_one_read_for_vectorised_blocks(tmp_path):
    rows = "".join(f"01/{d % 28 + 1:02d}/2024,01/17/2024,SHOP {d % 7},E,Sale,-{d % 5}.99,\n" for d in range(700))
    text = CHASE + rows + "bad,row\n" + rows
    path = write(tmp_path, "c.csv", text)
    whole = read_statement(path, engine="rows")
    chunks = list(iter_statement_chunks(path, chunksize=250, engine="columns"))
    assert all(c.rows_read <= 250 for c in chunks)
    got = pd.concat([c.transactions for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(got, whole.transactions, check_exact=True)
    assert [r for c in chunks for r in c.rejected] == whole.rejected
    assert sum(c.rows_read for c in chunks) == whole.rows_read


def test_chunks_fall_back_at_a_block_that_cannot_be_lined_up(tmp_path):
    rows = [f"01/{d % 28 + 1:02d}/2024,01/17/2024,SHOP {d % 7},E,Sale,-{d % 5}.99,\n" for d in range(600)]
    rows[300] = '01/05/2024,01/17/2024,"SPANS\nTWO LINES",E,Sale,-1.00,\n'
    path = write(tmp_path, "c.csv", CHASE + "".join(rows))
    whole = read_statement(path, engine="rows")
    chunks = list(iter_statement_chunks(path, chunksize=100, engine="columns"))
    got = pd.concat([c.transactions for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(got, whole.transactions, check_exact=True)


# -- generated statements ------------------------------------------------------------------------

_cents = st.integers(min_value=-10**9, max_value=10**9)


@st.composite
def amount_text(draw, decimal="."):
    cents = draw(_cents)
    units, frac = divmod(abs(cents), 100)
    style = draw(st.sampled_from(["plain", "thousands", "currency", "parens", "trailing", "short", "bad",
                                  "spaces", "int"]))
    sep = "," if decimal == "." else "."
    whole = f"{units:,}".replace(",", sep) if style == "thousands" else str(units)
    number = f"{whole}{decimal}{frac:02d}"
    neg = cents < 0
    if style == "short":
        number = f"{units}{decimal}{frac % 10}"
    if style == "int":
        number = str(units)
    if style == "bad":
        return draw(st.sampled_from(["", "n/a", "1.2.3", "--5", "12,34,5", "$", "1e5", ".", "1."]))
    if style == "currency":
        number = draw(st.sampled_from(["$", "\u00a3", "\u20ac", "USD ", ""])) + number
    if style == "parens" and neg:
        return f"({number})"
    if style == "trailing" and neg:
        return f"{number}-"
    text = f"-{number}" if neg else number
    return f" {text} " if style == "spaces" else text


_desc = st.text(alphabet=string.ascii_letters + string.digits + " *#.-/'&\u00e9\u00a0", min_size=0, max_size=12)
_days = st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2030-12-31").date())


def _date_text(draw, fmt):
    if draw(st.integers(0, 19)) == 0:
        return draw(st.sampled_from(["", "2024-13-01", "31/31/2024", "yesterday", "1/5/24", "2024-1-5"]))
    return draw(_days).strftime(fmt)


def _csv_cell(text, delimiter=","):
    if any(c in text for c in (delimiter, '"', "\n")) or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def chase_statement(draw, desc=_desc):
    lines = [CHASE.rstrip("\n")]
    pool = []
    for _ in range(draw(st.integers(1, 40))):
        if pool and draw(st.booleans()):
            lines.append(draw(st.sampled_from(pool)))  # identical rows: occurrence index
            continue
        line = ",".join([_date_text(draw, "%m/%d/%Y"), "01/01/2024", _csv_cell(draw(desc)), "Cat", "Sale",
                         _csv_cell(draw(amount_text())), ""])
        if draw(st.integers(0, 30)) == 0:
            line = draw(st.sampled_from(["", ",,,,,,", "short,row", CHASE.rstrip("\n"), line + ",,",
                                         line + ",extra", line + ", ,"]))
        pool.append(line)
        lines.append(line)
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@st.composite
def generic_statement(draw):
    lines = ["account_id,transaction_id,date,description,amount,currency"]
    for _ in range(draw(st.integers(1, 40))):
        lines.append(",".join([
            draw(st.sampled_from(["", "a1", "a2", " a3 "])),
            draw(st.sampled_from(["", "", "t1", "'t2'", "t3"])),
            _date_text(draw, "%Y-%m-%d"),
            _csv_cell(draw(_desc)),
            _csv_cell(draw(amount_text())),
            draw(st.sampled_from(["", "usd", "EUR", " gbp"])),
        ]))
    return "\n".join(lines) + "\n"


@st.composite
def ing_statement(draw):
    lines = ['"Datum";"Naam / Omschrijving";"Rekening";"Af Bij";"Bedrag (EUR)";"Mededelingen"']
    for _ in range(draw(st.integers(1, 40))):
        lines.append(";".join([
            _date_text(draw, "%Y%m%d"),
            _csv_cell(draw(_desc), ";"),
            "NL12INGB0001234567",
            draw(st.sampled_from(["Af", "Bij", "af", "", "Sideways"])),
            _csv_cell(draw(amount_text(",")), ";"),
            _csv_cell(draw(_desc), ";"),
        ]))
    return "\n".join(lines) + "\n"


@st.composite
def capital_one_statement(draw):
    lines = ["Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit"]
    for _ in range(draw(st.integers(1, 40))):
        debit, credit = draw(st.sampled_from([(True, False), (False, True), (True, True), (False, False)]))
        lines.append(",".join([
            _date_text(draw, "%Y-%m-%d"), "2024-01-01", "5158", _csv_cell(draw(_desc)), "Cat",
            _csv_cell(draw(amount_text())) if debit else "",
            _csv_cell(draw(amount_text())) if credit else "",
        ]))
    return "\n".join(lines) + "\n"


@st.composite
def revolut_statement(draw):
    lines = ["Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance"]
    for _ in range(draw(st.integers(1, 40))):
        lines.append(",".join([
            "CARD_PAYMENT", "Current", "2024-01-01 10:00:00", _date_text(draw, "%Y-%m-%d %H:%M:%S"),
            _csv_cell(draw(_desc)), _csv_cell(draw(amount_text())),
            draw(st.sampled_from(["0.00", "0.25", "", "x", "1.10"])),
            draw(st.sampled_from(["EUR", "usd", ""])),
            draw(st.sampled_from(["COMPLETED", "completed", "DECLINED", "PENDING"])), "1",
        ]))
    return "\n".join(lines) + "\n"


GENERATED = {
    "chase_card": chase_statement(),
    "generic": generic_statement(),
    "ing_nl": ing_statement(),
    "capital_one": capital_one_statement(),
    "revolut": revolut_statement(),
}


@pytest.mark.hypothesis  # (its @given is inside: `make stress` selects it by this mark)
@pytest.mark.parametrize("layout", sorted(GENERATED))
def test_generated_statements_read_the_same_both_ways(tmp_path_factory, layout):
    @settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=GENERATED[layout])
    def check(text):
        path = tmp_path_factory.mktemp(layout) / "statement.csv"
        path.write_text(text, encoding="utf-8", newline="")
        assert_same(path, format=layout)

    check()


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(text=chase_statement(desc=st.text(alphabet='ab "\n,', max_size=8)), chunksize=st.integers(1, 12))
def test_generated_chunks_match_the_row_reader(tmp_path_factory, text, chunksize):
    path = tmp_path_factory.mktemp("chunks") / "statement.csv"
    path.write_text(text, encoding="utf-8", newline="")
    def chunks(engine):
        try:
            return list(iter_statement_chunks(path, format="chase_card", chunksize=chunksize, engine=engine))
        except DetectorError as exc:
            return exc

    fast, rows = chunks("columns"), chunks("rows")
    if isinstance(rows, Exception) or isinstance(fast, Exception):
        assert type(fast) is type(rows) and str(fast) == str(rows)
        return
    assert all(c.rows_read <= chunksize for c in fast)
    def rows_of(chunks):  # chunk boundaries may differ; chunks of rejects only have no rows
        frames = [c.transactions for c in chunks if len(c.transactions)]
        return pd.concat(frames, ignore_index=True) if frames else None

    if rows_of(rows) is None:
        assert rows_of(fast) is None
    else:
        pd.testing.assert_frame_equal(rows_of(fast), rows_of(rows), check_exact=True)

    assert [r for c in fast for r in c.rejected] == [r for c in rows for r in c.rejected]
    assert sum(c.rows_read for c in fast) == sum(c.rows_read for c in rows)


@pytest.mark.parametrize(("layout", "ids"), [("generic", False), ("generic", True), ("chase_card", False)])
def test_bench_statements_read_the_same_both_ways(tmp_path, layout, ids):
    from pipelines.bench_import import make_statement, measure_file

    path = make_statement(tmp_path / f"{layout}.csv", 3000, layout, ids=ids)
    st = assert_same(path)
    assert st.rows_read == 3000 and st.format == layout and st.rejected == []
    facts = measure_file(path, repeat=1)
    assert facts["rows"] == 3000 and facts["read_statement_s"] > 0  # numbers for the bench, no timing check


def test_whitespace_only_ascii_file_is_empty(tmp_path):
    from detector.errors import EmptyStatement

    for text in ("\n" * 100 + "\x1c\x1f \t\x0b\n", "   \r\n"):
        with pytest.raises(EmptyStatement, match="empty"):
            read_statement(write(tmp_path, "blank.csv", text))


REVOLUT = "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"


def _revolut_us_excel(months=range(1, 7)):
    """A Revolut statement re-saved by US Excel: "2025-01-04 10:11:12" became "1/4/2025 10:11"."""
    rows = []
    for m in months:
        for day, name, amount in ((4, "Spotify", "-11.99"), (10, "Planet Fitness", "-24.99"),
                                  (15, "Netflix", "-17.99"), (20, "Hulu", "-9.99")):
            rows.append(f"CARD_PAYMENT,Current,{m}/{day}/2025 10:11,{m}/{day}/2025 10:12,{name},{amount},0.00,USD,"
                        "COMPLETED,900.00\n")
    return REVOLUT + "".join(rows)


def test_dates_written_the_other_way_round_are_read_so_for_the_whole_file(tmp_path, vectorised):
    # Read per row, the day<=12 rows were stored with day and month swapped and the rest rejected
    # (thirteenth audit). The file's 1/15/2025 settles it for every row, both ways alike.
    st = assert_same(write(tmp_path, "account-statement_2025-01-01_2025-06-30_en-us.csv", _revolut_us_excel()))
    assert vectorised == [True]
    assert st.rejected == [] and len(st.transactions) == 24
    spotify = st.transactions[st.transactions["description"] == "Spotify"]["date"].tolist()
    assert spotify == [f"2025-0{m}-04" for m in range(1, 7)]
    assert len(st.notes) == 1 and "%m/%d/%Y %H:%M" in st.notes[0] and "1/15/2025" in st.notes[0]
    # a US layout re-saved by UK Excel (day first): the same rule the other way
    uk = CHASE + "".join(f"{d:02d}/0{m}/2024,{d:02d}/0{m}/2024,SHOP {d},E,Sale,-1.00,\n"
                         for m in (1, 2) for d in (3, 16))
    st = assert_same(write(tmp_path, "chase_uk_excel.csv", uk))
    assert st.transactions["date"].tolist() == ["2024-01-03", "2024-01-16", "2024-02-03", "2024-02-16"]


def test_ambiguous_or_mixed_dates_keep_the_layouts_order(tmp_path):
    # every day <= 12: both orders read every date, and the layout's own order stays
    ambiguous = _revolut_us_excel().replace("/15/", "/11/").replace("/20/", "/12/")
    st = assert_same(write(tmp_path, "amb.csv", ambiguous))
    assert st.notes == [] and st.rejected == []
    assert st.transactions["date"].iloc[0] == "2025-04-01"  # 1/4/2025 as the layout writes it: 1 April
    # one date only the layout's order reads (a true 13/01): nothing is swapped; the others are rejected
    mixed = _revolut_us_excel() + "CARD_PAYMENT,Current,13/01/2025 10:00,13/01/2025 10:01,X,-1.00,0.00,USD,COMPLETED,1\n"
    st = assert_same(write(tmp_path, "mixed.csv", mixed))
    assert st.notes == [] and len(st.rejected) == 12
    # ISO dates (nothing to swap) and cells that are no date either way change nothing
    st = assert_same(write(tmp_path, "iso.csv", CASES["revolut"][1] + "X,Current,x,never,Y,-1,0,EUR,COMPLETED,1\n"))
    assert st.notes == [] and len(st.rejected) == 1


@pytest.mark.parametrize("engine", ["columns", "rows"])
def test_streamed_chunks_never_store_a_file_half_swapped(tmp_path, engine):
    # The first months' days are all <= 12; only the last chunk's 1/15 shows the order.
    text = _revolut_us_excel().replace("/15/", "/11/").replace("/20/", "/12/")
    text += "CARD_PAYMENT,Current,7/15/2025 7:00,7/15/2025 7:01,Netflix,-17.99,0.00,USD,COMPLETED,1\n"
    path = write(tmp_path, "rev.csv", text)
    whole = read_statement(path)
    chunks = list(iter_statement_chunks(path, chunksize=5, engine=engine))
    joined = pd.concat([c.transactions for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole.transactions)
    assert whole.transactions["date"].iloc[0] == "2025-01-04" and whole.rejected == []
    assert all(c.notes == whole.notes for c in chunks) and len(whole.notes) == 1


def test_ids_excel_saved_in_scientific_notation_are_no_ids(tmp_path, vectorised):
    # Bank of America's 23-digit Reference Number, re-saved by Excel as 2.44922E+22: rows of one
    # file shared an id and all but a few were dropped as duplicates (thirteenth audit). Such a
    # cell is no id: the row gets the content-derived id, so two identical charges on one day stay two.
    text = ("Posted Date,Reference Number,Payee,Address,Amount\n"
            "6/15/2025,2.44922E+22,NETFLIX.COM 866-579-7172 CA,866-579-7172  CA ,-17.99\n"
            "6/15/2025,2.44922E+22,NETFLIX.COM 866-579-7172 CA,866-579-7172  CA ,-17.99\n"
            "6/12/2025,2.44922E+22,SPOTIFY USA 877-778-1161 NY,877-778-1161  NY ,-11.99\n"
            "6/10/2025,24445726072300602934358,SHELL OIL 57444213 AUSTIN TX,AUSTIN       TX ,-41.07\n"
            "5/28/2025,7.44431E+22,PAYMENT - THANK YOU,,900.00\n")
    st = assert_same(write(tmp_path, "May2025_1234.csv", text))
    assert vectorised == [True]
    ids = st.transactions["transaction_id"].tolist()
    assert len(set(ids)) == 5 and "E+" not in "".join(ids)
    assert ids[3] == "24445726072300602934358"  # a whole reference stays the bank's id
    assert len(st.notes) == 1 and "2.44922E+22" in st.notes[0]
    chunks = list(iter_statement_chunks(write(tmp_path, "c.csv", text), chunksize=2, engine="rows"))
    assert chunks[0].transactions["transaction_id"].str.len().tolist() == [16, 16]
    assert sum(len(c.notes) == 1 for c in chunks) == len(chunks)  # one note per file, carried by each chunk
