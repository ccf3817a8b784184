"""Amounts written without a sign, their way in a column of its own (seventeenth session's audit).

Mint's export writes every amount positive and says debit/credit in "Transaction Type"; so do
Capital One 360 ("Transaction Type": Debit/Credit) and Navy Federal ("Credit Debit Indicator").
The ``--columns`` suggestion for such a file was ``amount=Amount``, and following it stored every
charge as money in, silently. Now ``--columns`` takes ``direction=COLUMN``, the suggestion names it,
a mapping that leaves it out says so, and Mint has a layout of its own. Also Nationwide's layout:
its downloads, all named ``Statement Download <date> <time>.csv``, were one account per download.
"""

from __future__ import annotations

import re

import pytest

from detector.cli import cli
from detector.errors import EmptyStatement, UnrecognisedFormat
from detector.importers import ingest_files, iter_statement_chunks, read_statement

MINT_HEADER = ('"Date","Description","Original Description","Amount","Transaction Type","Category",'
               '"Account Name","Labels","Notes"\n')
MINT = (MINT_HEADER
        + '"6/28/2025","Trader Joe\'S","TRADER JOE\'S #552 QPS BROOKLYN NY","141.50","debit","Groceries",'
          '"Chase Freedom","",""\n'
        + '"6/15/2025","Netflix","NETFLIX.COM NETFLIX.COM CA","15.49","debit","Movies & DVDs","Chase Freedom","",""\n'
        + '"6/02/2025","Credit Card Payment","AUTOPAY PAYMENT - THANK YOU","657.73","credit",'
          '"Credit Card Payment","Chase Freedom","",""\n')
#: The mapping the audit followed, with the direction column it lacked.
MINT_MAP = "date=Date,description=Description,amount=Amount,direction=Transaction Type"

#: Capital One 360 checking (header as in public Capital One 360 importers; two-digit years).
CAPITAL_ONE_360 = ("Account Number,Transaction Date,Transaction Amount,Transaction Type,Transaction Description,"
                   "Balance\n"
                   "9015,06/28/25,2850.00,Credit,ACME CORP PAYROLL,5012.44\n"
                   "9015,06/14/25,12.99,Debit,NETFLIX.COM,2162.44\n"
                   "9015,06/04/25,11.99,Debit,SPOTIFY USA,2175.43\n")
#: Navy Federal (header as in public Navy Federal download scripts).
NAVY_FEDERAL = ("Posting Date,Transaction Date,Amount,Credit Debit Indicator,type,Type Group,Reference,"
                "Instructed Currency,Currency Exchange Rate,Instructed Amount,Description,Category,"
                "Check Serial Number,Card Ending\n"
                "06/29/2025,06/28/2025,2850.00,Credit,Deposit,Deposit,R1,,,,ACME CORP PAYROLL,Income,,\n"
                "06/16/2025,06/14/2025,12.99,Debit,Debit Card,Card,R2,,,,NETFLIX.COM,Entertainment,,4321\n"
                "06/05/2025,06/04/2025,11.99,Debit,Debit Card,Card,R3,,,,SPOTIFY USA,Entertainment,,4321\n")


def write(tmp_path, name, text, encoding="utf-8", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def rows(st):
    return list(zip(st.transactions["description"], st.transactions["amount"], strict=True))


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_mapped_direction_column_gives_each_amount_its_sign(tmp_path, engine):
    # the audit: amount=Amount alone stored 287 of 287 rows as money in
    path = write(tmp_path, "export.csv", MINT.replace('"Labels","Notes"', '"Labels","Notes","Extra"'))
    st = read_statement(path, columns=MINT_MAP, engine=engine)
    assert st.format == "mapped" and st.rejected == []
    assert [a for _, a in rows(st)] == [-141.5, -15.49, 657.73]
    chunks = list(iter_statement_chunks(path, columns=MINT_MAP, chunksize=2))
    assert [a for c in chunks for a in c.transactions["amount"]] == [-141.5, -15.49, 657.73]


@pytest.mark.parametrize(("out", "into"), [
    ("debit", "credit"),  # Mint
    ("Debit", "Credit"),  # Capital One 360, Navy Federal
    ("DR", "CR"), ("D", "C"), ("Withdrawal", "Deposit"), (" DEBIT ", "CREDIT"),
])
def test_the_markers_real_exports_write_are_read(tmp_path, out, into):
    text = ("Date,Payee,Amount,Dr/Cr\n"
            f"2025-06-14,NETFLIX.COM,12.99,{out}\n"
            f"2025-06-28,ACME PAYROLL,2850.00,{into}\n")
    for engine in ("rows", "columns"):
        st = read_statement(write(tmp_path, "x.csv", text), engine=engine,
                            columns="date=Date,description=Payee,amount=Amount,direction=Dr/Cr")
        assert rows(st) == [("NETFLIX.COM", -12.99), ("ACME PAYROLL", 2850.0)]


def test_a_direction_it_cannot_read_is_a_rejected_line_naming_file_line_and_column(tmp_path, store, runner):
    text = MINT.replace('"15.49","debit"', '"15.49","pending"')
    path = write(tmp_path, "export.csv", text)
    for engine in ("rows", "columns"):
        st = read_statement(path, columns=MINT_MAP, engine=engine)
        assert [r["source_line"] for r in st.rejected] == [3]
        reason = st.rejected[0]["reason"]
        assert "'pending'" in reason and "'Transaction Type'" in reason and "debit" in reason and "credit" in reason
        assert [a for _, a in rows(st)] == [-141.5, 657.73]
    db = tmp_path / "cli.db"
    out = runner.invoke(cli, ["ingest", str(path), "--db", str(db), "--columns", MINT_MAP])
    assert out.exit_code == 0, out.output
    assert f"{path}:3:" in out.output.replace("\n", "") and "pending" in out.output
    # a column that holds no direction at all (the category mapped by mistake): nothing is stored,
    # and the error names the file and the lines
    with pytest.raises(EmptyStatement) as err:
        read_statement(path, columns=MINT_MAP.replace("Transaction Type", "Category"))
    assert str(path) in str(err.value) and "line 2" in str(err.value) and "'groceries'" in str(err.value)


@pytest.mark.parametrize(("name", "text", "want", "amounts"), [
    ("360Checking.csv", CAPITAL_ONE_360,
     "date=Transaction Date,description=Transaction Description,amount=Transaction Amount,"
     "direction=Transaction Type,date_format=%m/%d/%y", [2850.0, -12.99, -11.99]),
    ("transactions.csv", NAVY_FEDERAL,
     "date=Posting Date,description=Description,amount=Amount,direction=Credit Debit Indicator",
     [2850.0, -12.99, -11.99]),
    # Mint's header with a column of its own dropped (so no layout claims it): the suggestion the
    # audit followed was "date=Date,description=Description,amount=Amount"; the description is
    # the bank's Original Description, as Mint's layout reads it, since the twenty-third session
    ("transactions.csv", MINT.replace(',"Category"', "").replace(',"Groceries"', "").replace(',"Movies & DVDs"', "")
     .replace(',"Credit Card Payment","Chase', ',"Chase'),
     "date=Date,description=Original Description,amount=Amount,direction=Transaction Type",
     [-141.5, -15.49, 657.73]),
])
def test_the_suggestion_maps_the_direction_of_amounts_written_without_a_sign(tmp_path, name, text, want, amounts):
    path = write(tmp_path, name, text)
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(path)
    suggestion = re.search(r'--columns "([^"]*)"', str(err.value)).group(1)
    assert suggestion == want
    st = read_statement(path, columns=suggestion)  # the suggestion as given reads the file right
    assert st.rejected == [] and st.transactions["amount"].tolist() == amounts
    assert not any("direction=" in n for n in st.notes)


@pytest.mark.parametrize("text", [
    # signed amounts: the sign is the amount's own, whatever a type column says
    "Date,Payee,Amount,Dr/Cr\n2025-06-14,NETFLIX.COM,-12.99,DR\n2025-06-28,ACME PAYROLL,2850.00,CR\n",
    # a type column of other words (Nationwide's "Transaction type": Visa purchase, ...)
    "Date,Payee,Amount,Type\n2025-06-14,NETFLIX.COM,12.99,Visa purchase\n2025-06-28,ACME,2850.00,Bank credit\n",
    # one-letter values in a column whose name says nothing of a direction (a cleared status)
    "Date,Payee,Amount,Status\n2025-06-14,NETFLIX.COM,12.99,C\n2025-06-28,ACME PAYROLL,2850.00,C\n",
])
def test_no_direction_is_suggested_where_none_is_shown(tmp_path, text):
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(write(tmp_path, "x.csv", text))
    assert "direction=" not in re.search(r'--columns "([^"]*)"', str(err.value)).group(1)
    st = read_statement(write(tmp_path, "x.csv", text), columns="date=Date,description=Payee,amount=Amount")
    assert not any("direction=" in n for n in st.notes)


def test_a_mapping_that_leaves_the_direction_out_says_every_row_is_read_as_money_in(tmp_path, store):
    path = write(tmp_path, "export.csv", CAPITAL_ONE_360)
    cols = "date=Transaction Date,description=Transaction Description,amount=Transaction Amount,date_format=%m/%d/%y"
    st = read_statement(path, columns=cols)
    note = next(n for n in st.notes if "direction=" in n)
    assert "'Transaction Type'" in note and "money in" in note and "direction=Transaction Type" in note
    (res,) = ingest_files([path], store, columns=cols)
    assert any("direction=" in n for n in res.notes)
    chunks = list(iter_statement_chunks(path, columns=cols))
    assert any("direction=" in n for n in chunks[0].notes)


def test_a_mint_export_is_read_by_its_layout(tmp_path, store):
    path = write(tmp_path, "transactions.csv", MINT)
    st = read_statement(path)
    assert (st.format, st.currency, st.accounts) == ("mint", "USD", ["Chase Freedom"])
    assert rows(st) == [("TRADER JOE'S #552 QPS BROOKLYN NY", -141.5), ("NETFLIX.COM NETFLIX.COM CA", -15.49),
                        ("AUTOPAY PAYMENT - THANK YOU", 657.73)]
    # an empty Original Description: Mint's own name for the row
    st = read_statement(write(tmp_path, "t2.csv", MINT.replace('"NETFLIX.COM NETFLIX.COM CA"', '""')))
    assert rows(st)[1] == ("Netflix", -15.49)
    # a Transaction Type that is neither debit nor credit is rejected with its line
    bad = read_statement(write(tmp_path, "t3.csv", MINT.replace('"15.49","debit"', '"15.49",""')))
    assert [r["source_line"] for r in bad.rejected] == [3] and "Transaction Type" in bad.rejected[0]["reason"]


def _nationwide(rows_text: str) -> str:
    return ('"Account Name:","FlexAccount ****01234"\n"Account Balance:","\u00a324,438.86"\n'
            '"Available Balance: ","\u00a324,438.86"\n\n'
            '"Date","Transaction type","Description","Paid out","Paid in","Balance"\n' + rows_text)


def test_two_nationwide_downloads_of_one_account_are_one_account(tmp_path, store):
    # the audit's case: "Statement Download 2025-Jan-02 18-41-07.csv" and "... 2025-Jun-30
    # 10-15-02.csv" were the accounts "Statement Download 02 18-41-07" and "... 30 10-15-02"
    h2 = _nationwide('"03 Dec 2024","Visa purchase","NETFLIX.COM","\u00a310.99","","\u00a31,000.00"\n')
    h1 = _nationwide('"03 Jan 2025","Visa purchase","NETFLIX.COM","\u00a310.99","","\u00a3989.01"\n'
                     '"31 Jan 2025","Bank credit ACME LTD","ACME LTD SALARY","","\u00a32,650.00","\u00a33,639.01"\n')
    a = write(tmp_path, "Statement Download 2025-Jan-02 18-41-07.csv", h2, encoding="cp1252", newline="\r\n")
    b = write(tmp_path, "Statement Download 2025-Jun-30 10-15-02.csv", h1, encoding="cp1252", newline="\r\n")
    results = ingest_files([a, b], store)
    assert [(r.format, r.account_id, r.stored, r.rejected) for r in results] == [
        ("nationwide", "FlexAccount ****01234", 1, 0), ("nationwide", "FlexAccount ****01234", 2, 0)]
    tx = store.transactions()
    assert set(tx["account_id"]) == {"FlexAccount ****01234"} and set(tx["currency"]) == {"GBP"}
    assert sorted(tx["amount"]) == [-10.99, -10.99, 2650.0]
    # mapped with the suggestion instead (no layout), the file name without its stamp is one account too
    cols = "date=Date,description=Description,debit=Paid out,credit=Paid in,date_format=%d %b %Y,currency=GBP"
    assert {read_statement(p, columns=cols).account_id for p in (a, b)} == {"Statement Download"}


def test_a_nationwide_file_without_its_account_line_is_named_by_its_file(tmp_path):
    text = _nationwide('"03 Jan 2025","Visa purchase","NETFLIX.COM","\u00a310.99","","\u00a3989.01"\n')
    text = text.split("\n", 1)[1]  # no "Account Name:" line
    st = read_statement(write(tmp_path, "Statement Download 2025-Jun-30 10-15-02.csv", text, encoding="cp1252"))
    assert (st.format, st.account_id) == ("nationwide", "Statement Download")
    st = read_statement(write(tmp_path, "nw.csv", text.split("\n\n", 1)[1]))  # no preamble at all
    assert (st.format, st.account_id, rows(st)) == ("nationwide", "nw", [("NETFLIX.COM", -10.99)])
