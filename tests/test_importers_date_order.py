"""Day or month first, for a CSV mapped with ``--columns`` whose every date reads both ways
(``importers/date_order.py``).

Round twenty-seven: a Lloyds (UK) export of 1-12 March got a suggestion without date_format=,
and following it stored 12/03/2025 as 2025-12-03 (every date swapped, spread over eleven
months), without a word. The file's own evidence now decides, and says so; with none, the file
is refused, named, with the two formats to choose from.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from detector.errors import AmbiguousFormat, UnrecognisedFormat
from detector.importers import ingest_files, iter_statement_chunks, read_statement

LLOYDS = ("Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,Debit Amount,"
          "Credit Amount,Balance\n"
          "12/03/2025,DEB,'30-94-57,12345678,SPOTIFY,11.99,,1489.01\n"
          "10/03/2025,BGC,'30-94-57,12345678,ACME LTD SALARY,,2500.00,1501.00\n"
          "06/03/2025,DD,'30-94-57,12345678,COUNCIL TAX,134.56,,-999.00\n"
          "03/03/2025,DEB,'30-94-57,12345678,NETFLIX.COM,10.99,,-864.44\n"
          "01/03/2025,DEB,'30-94-57,12345678,TESCO STORES 2931,45.20,,-853.45\n")
LLOYDS_MAP = ("date=Transaction Date,description=Transaction Description,debit=Debit Amount,"
              "credit=Credit Amount")
MARCH = ["2025-03-01", "2025-03-03", "2025-03-06", "2025-03-10", "2025-03-12"]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def both_engines(path, **kwargs):
    """The row reader's statement, after checking the column reader gives the same."""
    rows = read_statement(path, engine="rows", **kwargs)
    cols = read_statement(path, engine="columns", **kwargs)
    pd.testing.assert_frame_equal(cols.transactions, rows.transactions)
    assert cols.notes == rows.notes
    return rows


def suggestion(err) -> str:
    return re.search(r'--columns "([^"]*)"', str(err)).group(1)


def test_a_uk_export_whose_days_are_all_12_or_less_is_read_day_first(tmp_path):
    path = write(tmp_path, "lloyds_march.csv", LLOYDS)
    # the suggestion names the order ...
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(path)
    # (and, round forty-one, the currency its Sort Code column says)
    assert suggestion(err.value) == LLOYDS_MAP + ",date_format=%d/%m/%Y,currency=GBP"
    # ... and the mapping without it (as suggested before) reads it so too, and says why
    st = both_engines(path, columns=LLOYDS_MAP)
    assert sorted(st.transactions["date"]) == MARCH
    [note] = [n for n in st.notes if "dates read" in n]
    assert "day first (%d/%m/%Y)" in note and "Sort Code" in note and "date_format=%m/%d/%Y" in note
    # a format given is read as given, without a note
    st = read_statement(path, columns=LLOYDS_MAP + ",date_format=%m/%d/%Y")
    assert min(st.transactions["date"]) == "2025-01-03" and not any("dates read" in n for n in st.notes)


@pytest.mark.parametrize(("dates", "first", "want"), [
    # day first: 5 March .. 8 April in order; month first they would be May, Oct, Feb, Aug
    (("05/03/2025", "10/03/2025", "02/04/2025", "08/04/2025"), "day",
     ["2025-03-05", "2025-03-10", "2025-04-02", "2025-04-08"]),
    # month first, newest first: 8 April .. 5 March
    (("04/08/2025", "04/02/2025", "03/10/2025", "03/05/2025"), "month",
     ["2025-04-08", "2025-04-02", "2025-03-10", "2025-03-05"]),
])
def test_the_dates_in_order_one_way_only_tell_the_order(tmp_path, dates, first, want):
    text = "Date,Payee,Amount\n" + "".join(f"{d},SHOP {i},-{i}.00\n" for i, d in enumerate(dates, start=1))
    st = both_engines(write(tmp_path, "plain.csv", text), columns="date=Date,description=Payee,amount=Amount")
    assert st.transactions["date"].tolist() == want
    [note] = [n for n in st.notes if "dates read" in n]
    assert f"read {first} first" in note and "in order" in note
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(write(tmp_path, "unmapped.csv", text))
    assert f"date_format={'%d/%m/%Y' if first == 'day' else '%m/%d/%Y'}" in suggestion(err.value)


@pytest.mark.parametrize(("extra", "body", "want"), [
    (",currency=GBP", "-11.99", "2025-03-12"),  # pounds: a bank writing the day first
    (",currency=USD", "-11.99", "2025-12-03"),  # US dollars named: a US bank, month first
    ("", "-£11.99", "2025-03-12"),               # the amounts' own signs
    ("", "-11.99 EUR", "2025-03-12"),
    (",decimal=comma", '"-11,99"', "2025-03-12"),  # comma decimals: no US bank
])
def test_the_files_currency_or_decimals_tell_the_order(tmp_path, extra, body, want):
    text = f"Date,Payee,Amount\n12/03/2025,SPOTIFY,{body}\n12/03/2025,NETFLIX,{body}\n"
    st = both_engines(write(tmp_path, "f.csv", text), columns="date=Date,description=Payee,amount=Amount" + extra)
    assert set(st.transactions["date"]) == {want}
    assert any("dates read" in n and "amounts" in n for n in st.notes)


def test_a_file_whose_order_nothing_tells_is_refused_and_named(tmp_path, store):
    # 1, 5 and 10 March, or 3 January, May and October: both in order; no currency, English names
    text = "Date,Payee,Amount\n03/01/2025,NETFLIX,-15.49\n03/05/2025,SPOTIFY,-11.99\n03/10/2025,HULU,-7.99\n"
    path = write(tmp_path, "mybank.csv", text)
    mapping = "date=Date,description=Payee,amount=Amount"
    with pytest.raises(AmbiguousFormat) as err:
        read_statement(path, columns=mapping)
    message = str(err.value)
    assert message.startswith(str(path)) and "date_format=%d/%m/%Y" in message and "date_format=%m/%d/%Y" in message
    assert "'03/01/2025' is 3 January 2025 or 1 March 2025" in message
    with pytest.raises(AmbiguousFormat):
        list(iter_statement_chunks(path, columns=mapping, chunksize=1))
    # the other files of an ingest are read; the suggestion says the same and names no format
    good = write(tmp_path, "other.csv", "Date,Payee,Amount\n03/15/2025,NETFLIX,-15.49\n")
    bad, ok = ingest_files([path, good], store, columns=mapping)
    assert "date_format=%d/%m/%Y" in bad.error and ok.stored == 1
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(write(tmp_path, "unmapped.csv", text.replace("Payee", "Details")))
    assert "date_format" not in suggestion(err.value) and "nothing in it tells which" in str(err.value)
    # named, it is read as said
    st = read_statement(path, columns=mapping + ",date_format=%m/%d/%Y")
    assert st.transactions["date"].tolist() == ["2025-03-01", "2025-03-05", "2025-03-10"]


def test_streamed_chunks_decide_the_order_as_the_whole_file(tmp_path):
    path = write(tmp_path, "lloyds.csv", LLOYDS)
    whole = read_statement(path, columns=LLOYDS_MAP)
    chunks = list(iter_statement_chunks(path, columns=LLOYDS_MAP, chunksize=2))
    joined = pd.concat([c.transactions for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole.transactions)
    assert all(c.notes == whole.notes for c in chunks)


def test_a_day_over_12_or_iso_dates_need_no_evidence(tmp_path):
    # the file's own dates settle it as before: no note about evidence, nothing refused
    us = write(tmp_path, "us.csv", "Date,Payee,Amount\n03/01/2025,NETFLIX,-15.49\n03/15/2025,HULU,-7.99\n")
    st = read_statement(us, columns="date=Date,description=Payee,amount=Amount")
    assert st.transactions["date"].tolist() == ["2025-03-01", "2025-03-15"]
    assert not any("dates read" in n for n in st.notes)
    iso = write(tmp_path, "iso.csv", "Date,Payee,Amount\n2025-03-01,NETFLIX,-15.49\n2025-03-02,HULU,-7.99\n")
    assert read_statement(iso, columns="date=Date,description=Payee,amount=Amount").rejected == []
