"""Round-twenty-four audit: Revolut's download names, CommBank (Australia), RBC (Canada), Santander
UK's .txt statement, and ``--columns`` suggestions that paste as given.

Each file is small and in the bank's real layout (see the layouts' docstrings in
``detector/importers/csv_banks.py`` and ``santander_txt.py``).
"""

from __future__ import annotations

import re
import shlex

import pytest

from detector.errors import UnrecognisedFormat
from detector.importers import ingest_files, iter_statement_chunks, parse_columns, read_statement
from detector.importers.naming import account_from_filename

REVOLUT_HEADER = "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"


def write(tmp_path, name, text, encoding="utf-8", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def suggestion(err: Exception) -> str:
    """The ``--columns`` value of an error's suggestion, as a POSIX shell passes it when pasted."""
    arg = re.search(r"--columns ('[^']*'|\"(?:[^\"\\\\]|\\\\.)*\")", str(err)).group(1)
    (value,) = shlex.split(arg)
    return value


# -- Revolut ----------------------------------------------------------------------------------------


def test_revolut_downloads_named_with_their_random_code_are_one_account(tmp_path, store):
    # Revolut names a download account-statement_<from>_<to>_<language>_<6 random hex>.csv: the code
    # stayed in the account, so each download was an account of its own and a price rise across two
    # downloads was never seen (round-twenty-four audit)
    for name, account in [("account-statement_2024-05-01_2024-12-31_en_4f2a9c.csv", "account-statement_en"),
                          ("account-statement_2025-01-01_2025-06-30_en_b71e03.csv", "account-statement_en"),
                          ("account-statement_2025-01-01_2025-06-30_en-gb_23c711.csv", "account-statement_en-gb"),
                          ("account-statement_2025-01-01_2025-06-30_en_b71e03 (1).csv", "account-statement_en"),
                          ("account-statement_2025-01-01_2025-06-30_en-us.csv", "account-statement_en-us"),
                          # not Revolut's pattern: six characters ending another name may be the account's
                          ("acct_2025-01-05_abc123.csv", "acct_abc123"),
                          ("statement_2025-01-01_2025-06-30_en_b71e03.csv", "statement_en_b71e03"),
                          ("account-statement_2025-01-01_2025-06-30_4f2a9c.csv", "account-statement_4f2a9c"),
                          ("account-statement_en_4f2a9c.csv", "account-statement_en_4f2a9c")]:
        assert account_from_filename(name) == account, name
    first = write(tmp_path, "account-statement_2024-11-01_2024-12-31_en_4f2a9c.csv", REVOLUT_HEADER
                  + "CARD_PAYMENT,Current,2024-11-07 22:33:21,2024-11-08 08:12:10,Netflix International B.V.,"
                    "-13.49,0.00,EUR,COMPLETED,179.74\n"
                  + "CARD_PAYMENT,Current,2024-12-07 22:33:21,2024-12-08 08:12:10,Netflix International B.V.,"
                    "-13.49,0.00,EUR,COMPLETED,166.25\n")
    second = write(tmp_path, "account-statement_2025-01-01_2025-06-30_en_b71e03.csv", REVOLUT_HEADER
                   + "CARD_PAYMENT,Current,2025-01-07 07:22:15,2025-01-08 18:33:27,Netflix International B.V.,"
                     "-15.99,0.00,EUR,COMPLETED,150.26\n"
                   + "CARD_PAYMENT,Current,2025-03-03 10:11:12,,Paramount+,-7.99,0.00,EUR,DECLINED,\n"
                   + "CARD_PAYMENT,Current,2025-04-05 10:11:12,,Bol.com,-23.50,0.00,EUR,REVERTED,\n"
                   + "CARD_PAYMENT,Current,2025-06-29 10:11:12,,Spotify AB,-10.99,0.00,EUR,PENDING,\n")
    results = ingest_files([first, second], store)
    assert {r.account_id for r in results} == {"account-statement_en"}
    assert set(store.transactions()["account_id"]) == {"account-statement_en"}
    # the rows that moved no money are kept out, each named by file and line, saying why
    (_, two) = results
    assert (two.rows_read, two.stored, two.rejected) == (4, 1, 3)
    reasons = {r["source_line"]: r["reason"] for r in two.rejections}
    assert set(reasons) == {3, 4, 5} and {r["source_file"] for r in two.rejections} == {str(second)}
    assert "declined, no money moved" in reasons[3] and "re-import" not in reasons[3]
    assert "reverted, no money moved" in reasons[4]
    assert "re-import once it completes" in reasons[5]  # a pending payment will complete
    for engine in ("rows", "columns"):
        assert [r["reason"] for r in read_statement(second, engine=engine).rejected] == list(reasons.values())


# -- a file no layout reads: the suggestion and the error ------------------------------------------------

COMMBANK = ('28/06/2025,"+6200.00","ACME PTY LTD SALARY","+10200.00"\n'
            '27/06/2025,"-28.29","AMAZON AU MARKETPLACE AUS Card xx4412 Value Date: 25/06/2025","+4000.00"\n'
            '24/06/2025,"-117.71","Direct Debit 511290 AGL SALES","+4028.29"\n'
            '07/06/2025,"-18.99","NETFLIX.COM SYDNEY AUS Card xx4412 Value Date: 05/06/2025","+4146.00"\n'
            '07/05/2025,"-18.99","NETFLIX.COM SYDNEY AUS Card xx4412 Value Date: 05/05/2025","+4164.99"\n')


def test_a_headerless_file_is_suggested_by_its_first_line_and_no_line_is_lost(tmp_path):
    # CommBank's layout with its amounts written without a "+" (so no layout claims it): the error
    # quoted line 2 as "the first line" (its description says "Value Date"), mapped date= to that
    # description, and following the advice by line 2's cells lost line 1 without a word
    text = re.sub(r'"\+', '"', COMMBANK)
    path = write(tmp_path, "CSVData.csv", text)
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(path)
    message = str(err.value)
    assert "its first line is a transaction: '28/06/2025', '6200.00', 'ACME PTY LTD SALARY', '10200.00'" in message
    value = suggestion(err.value)
    assert parse_columns(value) == {"date": "28/06/2025", "description": "ACME PTY LTD SALARY", "amount": "6200.00",
                                    "date_format": "%d/%m/%Y"}
    st = read_statement(path, columns=value)
    assert (st.rows_read, len(st.transactions), st.rejected) == (5, 5, [])
    # mapped by a later line's cells, as the audit did, the lines above it are read too
    by_line_two = ("date=27/06/2025,description=AMAZON AU MARKETPLACE AUS Card xx4412 Value Date: 25/06/2025,"
                   "amount=-28.29,date_format=%d/%m/%Y,currency=AUD")
    for engine in ("rows", "columns"):
        st = read_statement(path, columns=by_line_two, engine=engine)
        assert (st.rows_read, len(st.transactions), st.rejected) == (5, 5, [])
        assert st.transactions[["date", "amount", "source_line"]].values.tolist()[0] == ["2025-06-28", 6200.0, 1]
    chunks = list(iter_statement_chunks(path, columns=by_line_two, chunksize=2))
    assert sum(len(c.transactions) for c in chunks) == 5
    # a line above that is no transaction is rejected with its line, never skipped unseen
    titled = write(tmp_path, "titled.csv", "Transactions for account 1234\n" + text)
    st = read_statement(titled, columns=by_line_two)
    assert len(st.transactions) == 5 and [r["source_line"] for r in st.rejected] == [1]


def test_the_suggestion_quotes_a_column_name_holding_a_comma(tmp_path):
    text = "Datum;\"Name, Ort\";Betrag;Waehrung\n" + "".join(
        f'07.{m:02d}.2024;"NETFLIX.COM, Amsterdam";-13,49;EUR\n03.{m:02d}.2024;"REWE Markt, Berlin";-4{m},00;EUR\n'
        for m in range(1, 7))
    path = write(tmp_path, "de.csv", text)
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(path)
    value = suggestion(err.value)  # pasted into a shell (was: "--columns entry 'Ort' is not key=column")
    assert parse_columns(value)["description"] == "Name, Ort"
    st = read_statement(path, columns=value)
    assert (len(st.transactions), st.rejected) == (12, [])
    assert st.transactions["description"].tolist()[0] == "NETFLIX.COM, Amsterdam"
    # either quote marks a value; an apostrophe inside an unquoted one is text
    assert parse_columns("date=Datum,description='Name, Ort',amount=Betrag") == {
        "date": "Datum", "description": "Name, Ort", "amount": "Betrag"}
    assert parse_columns("date=Date,description=Payee's name,amount=Amount")["description"] == "Payee's name"


def test_a_text_statement_no_importer_reads_gets_a_one_line_error_without_a_mapping(tmp_path):
    # round-twenty-four audit: Santander's .txt got "Columns seen: 'From: ...'" and a --columns
    # mapping no mapping could satisfy
    text = ("Statement of account 1234\n\nPosted: 01/05/2024\nPayee: FOXTONS\nValue: -1450.00\n\n"
            "Posted: 02/05/2024\nPayee: TESCO\nValue: -12.71\n")
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(write(tmp_path, "other.txt", text))
    message = str(err.value)
    assert "\n" not in message and "--columns \"" not in message and "Columns seen" not in message
    assert "text statement of labelled lines (Posted:, Payee:, Value:)" in message and "CSV or OFX/QFX" in message


# -- Commonwealth Bank (Australia) ---------------------------------------------------------------------


def test_a_commbank_download_is_read_by_its_layout(tmp_path, store):
    path = write(tmp_path, "CSVData.csv", COMMBANK, newline="\r\n")
    st = read_statement(path)
    assert (st.format, st.currency, st.country, st.rejected) == ("commbank", "AUD", "AU", [])
    assert st.transactions[["date", "amount"]].values.tolist() == [
        ["2025-06-28", 6200.0], ["2025-06-27", -28.29], ["2025-06-24", -117.71], ["2025-06-07", -18.99],
        ["2025-05-07", -18.99]]
    assert list(st.transactions["source_line"]) == [1, 2, 3, 4, 5]
    (result,) = ingest_files([path], store)
    assert (result.rows_read, result.stored, result.rejected) == (5, 5, 0)


# -- RBC Royal Bank (Canada) -----------------------------------------------------------------------------

RBC_HEADER = ('"Account Type","Account Number","Transaction Date","Cheque Number","Description 1",'
              '"Description 2","CAD$","USD$"\n')
RBC_ROWS = ('Chequing,01234-5012345,11/7/2024,,"VISA DEBIT PURCHASE - 1234","NETFLIX.COM",-16.49,\n'
            'Chequing,01234-5012345,11/1/2024,,"MINTO APARTMENTS",,-2100.00,\n'
            'Chequing,01234-5012345,12/7/2024,,"VISA DEBIT PURCHASE - 1234","NETFLIX.COM",-16.49,\n'
            'Chequing,01234-5012345,1/7/2025,,"VISA DEBIT PURCHASE - 1234","NETFLIX.COM",-18.99,\n')


def test_an_rbc_export_names_the_merchant_each_account_and_currency(tmp_path):
    path = write(tmp_path, "csv92375.csv", RBC_HEADER + RBC_ROWS)
    st = read_statement(path)
    assert (st.format, st.account_id, st.currency, st.country) == ("rbc", "01234-5012345", "CAD", "CA")
    assert st.default_payment_method == "debit_card"
    assert st.transactions["description"].tolist()[:2] == ["VISA DEBIT PURCHASE - 1234 NETFLIX.COM", "MINTO APARTMENTS"]
    # a US-dollar account writes USD$ and leaves CAD$ empty; a Visa card names its merchant in
    # Description 1; one download holds every account
    both = write(tmp_path, "all.csv", RBC_HEADER + RBC_ROWS
                 + 'Visa,4510123412341234,1/9/2025,,"SPOTIFY P1A2B3C4D5 STOCKHOLM",,-11.99,\n'
                 + 'Chequing,09876-5054321,1/9/2025,,"Online Banking payment - 5678","AWS",,-25.00\n')
    for engine in ("rows", "columns"):
        st = read_statement(both, engine=engine)
        assert st.rejected == []
        assert st.transactions[["account_id", "amount", "currency", "description"]].values.tolist()[-2:] == [
            ["4510123412341234", -11.99, "CAD", "SPOTIFY P1A2B3C4D5 STOCKHOLM"],
            ["09876-5054321", -25.0, "USD", "Online Banking payment - 5678 AWS"]]
    assert read_statement(both).default_payment_method is None  # a card and current accounts
    visa = write(tmp_path, "visa.csv", RBC_HEADER + 'Visa,4510123412341234,1/9/2025,,"SPOTIFY",,-11.99,\n')
    assert read_statement(visa).default_payment_method == "credit_card"


def test_columns_may_join_two_columns_and_the_suggestion_and_notes_say_so(tmp_path):
    path = write(tmp_path, "csv92375.csv", RBC_HEADER + RBC_ROWS)
    st = read_statement(path, columns="date=Transaction Date,description=Description 1+Description 2,amount=CAD$")
    assert st.transactions["description"].tolist()[:2] == ["VISA DEBIT PURCHASE - 1234 NETFLIX.COM", "MINTO APARTMENTS"]
    assert st.format == "mapped" and any("the rbc layout" in n for n in st.notes)
    # mapped with Description 1 alone, the file is read as asked, and told what it leaves out
    st = read_statement(path, columns="date=Transaction Date,description=Description 1,amount=CAD$")
    assert st.transactions["description"].tolist()[0] == "VISA DEBIT PURCHASE - 1234"
    assert any("column 'Description 2' beside the description column 'Description 1' is not read" in n
               and "description=Description 1+Description 2" in n for n in st.notes)
    # a column named with a "+" whole is that column
    plus = write(tmp_path, "plus.csv", "Date,Payee+Memo,Amount\n2025-01-07,NETFLIX.COM,-18.99\n")
    assert read_statement(plus, columns="date=Date,description=Payee+Memo,amount=Amount"
                          ).transactions["description"].tolist() == ["NETFLIX.COM"]
    # a file like RBC's that no layout claims (no USD$ column): the suggestion joins the two, and
    # quotes what a shell would expand ("CAD$")
    other = write(tmp_path, "other.csv", RBC_HEADER.replace(',"USD$"', "")
                  + RBC_ROWS.replace(",\n", "\n").replace("-2100.00\n", "-2100.00\n"))
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(other)
    value = suggestion(err.value)
    assert "description=Description 1+Description 2" in value and "amount=CAD$" in value
    st = read_statement(other, columns=value)
    assert st.rejected == [] and st.transactions["description"].tolist()[0] == "VISA DEBIT PURCHASE - 1234 NETFLIX.COM"


# -- Santander UK's text statement ---------------------------------------------------------------------------

NBSP = "\u00a0"


def santander(blocks: list[tuple[str, str, str, str]], account="XXXX XXXX XXXX 1234") -> str:
    """A Santander UK .txt download: a label, a non-breaking space, the value (and one after it)."""
    out = [f"From:{NBSP}01/05/2024 to 30/06/2025", "", f"Account:{NBSP}{account}", ""]
    for date, desc, amount, balance in blocks:
        out += [f"Date:{NBSP}{date}", f"Description:{NBSP}{desc}{NBSP}", f"Amount:{NBSP}{amount}{NBSP}",
                f"Balance:{NBSP}{balance}{NBSP}", ""]
    return "\n".join(out) + "\n"


def test_a_santander_uk_text_statement_is_read(tmp_path, store):
    text = santander([("07/06/2024", "CARD PAYMENT TO NETFLIX.COM,10.99 GBP, RATE 1.00/GBP ON 05-06-2024",
                       "-10.99 GBP", "1,539.01 GBP"),
                      ("01/06/2024", "FOXTONS LETTINGS", "-1,450.00 GBP", "1,550.00 GBP"),
                      ("31/05/2024", "BANK GIRO CREDIT REF ACME LTD SALARY", "3000.00 GBP", "3,000.00 GBP")])
    path = write(tmp_path, "Statements09012345678901.txt", text, encoding="cp1252", newline="\r\n")
    st = read_statement(path)
    assert (st.format, st.account_id, st.currency, st.country, st.rejected) == (
        "santander_txt", "XXXX XXXX XXXX 1234", "GBP", "GB", [])
    assert st.transactions[["date", "amount", "description", "source_line"]].values.tolist() == [
        ["2024-06-07", -10.99, "CARD PAYMENT TO NETFLIX.COM,10.99 GBP, RATE 1.00/GBP ON 05-06-2024", 5],
        ["2024-06-01", -1450.0, "FOXTONS LETTINGS", 10], ["2024-05-31", 3000.0, "BANK GIRO CREDIT REF ACME LTD SALARY", 15]]
    (result,) = ingest_files([path], store)
    assert (result.stored, result.rejected) == (3, 0)
    assert ingest_files([path], store)[0].duplicates == 3  # re-importing adds nothing
    # a download cut inside a block: that block is rejected with its line, saying so
    cut = write(tmp_path, "cut.txt", text[:text.index("Amount:", text.index("FOXTONS"))], encoding="cp1252")
    st = read_statement(cut)
    assert len(st.transactions) == 1 and [r["source_line"] for r in st.rejected] == [10]
    assert "cut short" in st.rejected[0]["reason"]


def test_an_rbc_download_of_a_card_and_chequing_accounts_stores_each_accounts_payment_method(tmp_path, store):
    # one download holds every account: the file's own method is none, each account's its Account
    # Type's (round thirty-nine: per account, as an OFX of a bank and a card statement)
    from detector.importers import ingest_files

    both = write(tmp_path, "all.csv", RBC_HEADER + RBC_ROWS
                 + 'Visa,4510123412341234,1/9/2025,,"SPOTIFY P1A2B3C4D5 STOCKHOLM",,-11.99,\n')
    st = read_statement(both)
    assert st.default_payment_method is None
    assert st.payment_methods == {"01234-5012345": "debit_card", "4510123412341234": "credit_card"}
    ingest_files([both], store)
    assert {a["account_id"]: a["payment_method"] for a in store.accounts()} == {
        "01234-5012345": "debit_card", "4510123412341234": "credit_card"}
