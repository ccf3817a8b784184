"""OFX/QFX statements whose banks bend the spec (round-twenty-seven audit).

- One FITID given to several transactions (Chase gives a purchase's foreign-transaction fee and
  its rewards credit the purchase's FITID): a QFX of 6 transactions stored 3, one of them mixing
  two transactions' date, amount and name, without a word; a later download's rewards credit was
  dropped as a "duplicate" of the purchase (``importers/reused_ids.py``).
- A transaction's own ``<CURRENCY>`` (its amount is in that currency, OFX 2.2 section 5.2) was
  stored in the statement's currency.
- A European IBAN as ACCTID printed ofxtools' OFXTypeWarning, with a site-packages path.
"""

from __future__ import annotations

import warnings

import pytest

from detector.importers import ingest_files, read_statement

HEADER = ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
          "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n")
OPEN = ("<OFX>\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20250630120000[0:GMT]"
        "<LANGUAGE>ENG<FI><ORG>B1<FID>10898</FI><INTU.BID>10898</SONRS></SIGNONMSGSRSV1>\n"
        "<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
        "<CCSTMTRS><CURDEF>USD<CCACCTFROM><ACCTID>{acct}</CCACCTFROM>\n"
        "<BANKTRANLIST><DTSTART>20250101120000[0:GMT]<DTEND>20250331120000[0:GMT]\n")
CLOSE = ("</BANKTRANLIST><LEDGERBAL><BALAMT>-145.32<DTASOF>20250331120000[0:GMT]</LEDGERBAL></CCSTMTRS>"
         "</CCSTMTTRNRS></CREDITCARDMSGSRSV1>\n</OFX>\n")

PURCHASE = ("DEBIT", "20250112", "-14.99", "F100", "SPOTIFY STOCKHOLM")
FEE = ("FEE", "20250112", "-0.45", "F100", "FOREIGN TRANSACTION FEE")
HOTEL = ("DEBIT", "20250220", "-120.00", "F200", "HOTEL LISBOA")
CREDIT = ("CREDIT", "20250305", "5.00", "F200", "REWARDS REDEMPTION CREDIT")


def qfx(tmp_path, name, *transactions, acct="4266841234567890", extra=""):
    body = "".join(f"<STMTTRN><TRNTYPE>{t}<DTPOSTED>{d}120000[0:GMT]<TRNAMT>{a}<FITID>{f}<NAME>{n}{extra}"
                   "</STMTTRN>\n" for t, d, a, f, n in transactions)
    path = tmp_path / name
    path.write_text(HEADER + OPEN.format(acct=acct) + body + CLOSE)
    return path


def stored(store):
    tx = store.transactions().sort_values(["date", "amount"])
    return tx[["date", "amount", "description"]].values.tolist()


ALL_FOUR = [["2025-01-12", -14.99, "SPOTIFY STOCKHOLM"], ["2025-01-12", -0.45, "FOREIGN TRANSACTION FEE"],
            ["2025-02-20", -120.0, "HOTEL LISBOA"], ["2025-03-05", 5.0, "REWARDS REDEMPTION CREDIT"]]


def test_each_transaction_of_a_fitid_given_to_several_is_read_as_written(tmp_path):
    # keyed by the FITID alone, ofxtools' reading of the last one went to them all: the hotel's
    # line was read as "+5.00 REWARDS REDEMPTION CREDIT" on the hotel's date
    st = read_statement(qfx(tmp_path, "Chase7890_Activity_20250331.QFX", PURCHASE, FEE, HOTEL, CREDIT))
    got = st.transactions[["date", "amount", "description", "source_line"]].values.tolist()
    assert got == [[*row, line] for row, line in zip(ALL_FOUR, (16, 17, 18, 19), strict=True)]


def test_a_fitid_given_to_several_transactions_stores_each_of_them(tmp_path, store):
    path = qfx(tmp_path, "Chase7890_Activity_20250331.QFX", PURCHASE, FEE, HOTEL, CREDIT)
    [result] = ingest_files([path], store)
    assert (result.rows_read, result.stored, result.duplicates) == (4, 4, 0)
    assert stored(store) == sorted(ALL_FOUR)
    assert any("name several different transactions" in n and "'F100' on lines 16, 17" in n for n in result.notes)
    tx = store.transactions().set_index("description")
    # the first of each keeps the bank's id (quoted in refund emails); the other's id is ours
    assert tx.loc["SPOTIFY STOCKHOLM", "transaction_id"] == "F100"
    assert tx.loc["FOREIGN TRANSACTION FEE", "transaction_id"].startswith("x_")
    assert tx.loc["FOREIGN TRANSACTION FEE", "id_from_bank"] == 0
    # the same file again adds nothing
    [again] = ingest_files([path], store)
    assert (again.stored, again.duplicates) == (0, 4)


def test_a_fitid_reused_in_a_later_download_is_another_transaction(tmp_path, store):
    # the purchase in one download, its rewards credit (the purchase's FITID) in the next: the
    # credit was a "duplicate" with the note "the same lines: date, amount and description"
    first = qfx(tmp_path, "Chase7890_Activity_20250228.QFX", HOTEL)
    later = qfx(tmp_path, "Chase7890_Activity_20250430.QFX", CREDIT)
    both = qfx(tmp_path, "Chase7890_Activity_20250331.QFX", PURCHASE, FEE, HOTEL, CREDIT)
    a, b = ingest_files([first, later], store)
    assert (a.stored, b.stored, b.duplicates) == (1, 1, 0)
    assert not any("the same lines" in n for n in b.notes)
    assert any("stored before for another transaction" in n and "HOTEL LISBOA" in n for n in b.notes)
    # a download holding both, and each one again, add only what was not stored
    results = ingest_files([both, first, later], store)
    assert [r.stored for r in results] == [2, 0, 0]
    assert stored(store) == sorted(ALL_FOUR)


def test_a_reused_fitid_stores_each_transaction_once_whatever_the_order(tmp_path, store):
    later = qfx(tmp_path, "Chase7890_Activity_20250430.QFX", CREDIT, FEE)
    both = qfx(tmp_path, "Chase7890_Activity_20250331.QFX", PURCHASE, FEE, HOTEL, CREDIT)
    first = qfx(tmp_path, "Chase7890_Activity_20250228.QFX", HOTEL, PURCHASE)
    results = ingest_files([later, both, first, later, both], store)
    assert [r.stored for r in results] == [2, 2, 0, 0, 0]
    assert stored(store) == sorted(ALL_FOUR)


def test_a_line_repeated_whole_in_one_ofx_is_two_transactions(tmp_path, store):
    # the rule for identical lines of a CSV (two charges alike on one day are two), with a note
    path = qfx(tmp_path, "card.qfx", PURCHASE, PURCHASE, HOTEL)
    [result] = ingest_files([path], store)
    assert (result.stored, result.duplicates) == (3, 0)
    assert any("line 17 repeats line 16" in n for n in result.notes)
    assert ingest_files([path], store)[0].duplicates == 3


def test_a_reused_fitid_another_account_holds_too_keeps_each_transaction(tmp_path, store):
    # the account's rows of a FITID another account stored first go under x_ ids (round eleven);
    # its later row of that FITID, another transaction, is looked for there
    other = qfx(tmp_path, "savings.qfx", HOTEL, acct="2222")
    first = qfx(tmp_path, "card_feb.qfx", HOTEL, acct="1111")
    later = qfx(tmp_path, "card_apr.qfx", CREDIT, acct="1111")
    results = ingest_files([other, first, later, first, later], store)
    assert [r.stored for r in results] == [1, 1, 1, 0, 0]
    got = store.transactions().sort_values(["account_id", "date"])
    assert got[["account_id", "amount"]].values.tolist() == [["1111", -120.0], ["1111", 5.0], ["2222", -120.0]]
    assert any("stored before for another transaction" in n for n in results[2].notes)


def test_a_transactions_own_currency_is_stored(tmp_path, store):
    # <CURRENCY>: the amount is in GBP (CURRATE 1.25 makes it 12.50 of the statement's USD);
    # <ORIGCURRENCY>: the amount is in USD already, converted from GBP
    own = "<CURRENCY><CURRATE>1.25<CURSYM>GBP</CURRENCY>"
    orig = "<ORIGCURRENCY><CURRATE>1.25<CURSYM>GBP</ORIGCURRENCY>"
    text = (HEADER + OPEN.format(acct="4111000011112222")
            + f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250110<TRNAMT>-10.00<FITID>A1<NAME>TFL TRAVEL CH{own}</STMTTRN>\n"
            + f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250111<TRNAMT>-12.50<FITID>A2<NAME>TFL TRAVEL CH{orig}</STMTTRN>\n"
            + "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250112<TRNAMT>-5.00<FITID>A3<NAME>STARBUCKS</STMTTRN>\n" + CLOSE)
    path = tmp_path / "cur.qfx"
    path.write_text(text)
    [result] = ingest_files([path], store)
    got = store.transactions().sort_values("transaction_id")
    assert got[["transaction_id", "amount", "currency"]].values.tolist() == [
        ["A1", -10.0, "GBP"], ["A2", -12.5, "USD"], ["A3", -5.0, "USD"]]
    [note] = [n for n in result.notes if "<CURRENCY>" in n]
    assert "line 16: -10.00 GBP, -12.50 USD at its CURRATE 1.25" in note
    assert store.account("4111000011112222")["currency"] == "USD"  # the account's stays the statement's


def test_each_statement_of_an_ofx_keeps_its_own_currency(tmp_path):
    # a EUR current account and a GBP savings account in one file: the savings rows were EUR
    stmt = ("<STMTTRNRS><TRNUID>{n}<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>{cur}<BANKACCTFROM>"
            "<BANKID>1<ACCTID>{acct}<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20250101<DTEND>20250131\n"
            "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250115<TRNAMT>-9.99<FITID>1<NAME>NETFLIX</STMTTRN>\n"
            "</BANKTRANLIST><LEDGERBAL><BALAMT>0<DTASOF>20250131</LEDGERBAL></STMTRS></STMTTRNRS>\n")
    path = tmp_path / "two.ofx"
    path.write_text(HEADER + "<OFX><BANKMSGSRSV1>\n" + stmt.format(n=1, cur="EUR", acct="111")
                    + stmt.format(n=2, cur="GBP", acct="222") + "</BANKMSGSRSV1></OFX>\n")
    got = read_statement(path).transactions
    assert got[["account_id", "currency"]].values.tolist() == [["111", "EUR"], ["222", "GBP"]]


def test_an_iban_account_id_prints_no_library_warning(tmp_path):
    # ofxtools warns that an ACCTID over 22 characters breaks the spec; European banks write the
    # IBAN there (27 for a French one), and the warning reached stderr with a site-packages path
    iban = "FR7630004008210001234567890"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        st = read_statement(qfx(tmp_path, "releve.ofx", PURCHASE, acct=iban))
    assert [str(w.message) for w in caught if "ofxtools" in (w.filename or "") or iban in str(w.message)] == []
    assert st.transactions["account_id"].tolist() == [iban]


def _two_statements(card_first: bool) -> str:
    """One OFX holding a US checking account (``STMTRS``) and a GBP credit card (``CCSTMTRS``)."""
    bank = ("<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>400515"
            "<ACCTID>40051561234567<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20250101<DTEND>20250131\n"
            "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250106<TRNAMT>-5.00<FITID>1<NAME>PATREON* MEMBERSHIP</STMTTRN>\n"
            "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1>\n")
    card = ("<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>2<CCSTMTRS><CURDEF>GBP<CCACCTFROM><ACCTID>5434001234569012"
            "</CCACCTFROM><BANKTRANLIST><DTSTART>20250101<DTEND>20250131\n"
            "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250112<TRNAMT>-10.99<FITID>1<NAME>NETFLIX.COM</STMTTRN>\n"
            "</BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>\n")
    body = card + bank if card_first else bank + card
    return "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n" + body + "</OFX>\n"


@pytest.mark.parametrize("card_first", [False, True])
def test_a_bank_and_a_card_statement_in_one_ofx_keep_their_own_payment_methods(tmp_path, runner, card_first):
    # round-thirty-nine audit: both accounts were stored as credit_card, in either order (the file
    # was a card statement as soon as it held one), and the checking account's refund steps were a card's
    import sqlite3

    from detector.cli import cli

    path = tmp_path / "hsbc_expat.ofx"
    path.write_text(_two_statements(card_first))
    st = read_statement(path)
    assert st.payment_methods == {"40051561234567": "debit_card", "5434001234569012": "credit_card"}
    db = tmp_path / "s.db"
    assert runner.invoke(cli, ["ingest", str(path), "--db", str(db)]).exit_code == 0
    con = sqlite3.connect(db)
    got = con.execute("SELECT account_id, payment_method, currency FROM accounts ORDER BY account_id").fetchall()
    assert got == [("40051561234567", "debit_card", "USD"), ("5434001234569012", "credit_card", "GBP")]
    # --payment-method still names every account's
    other = tmp_path / "o.db"
    runner.invoke(cli, ["ingest", str(path), "--db", str(other), "--payment-method", "bank_transfer"])
    assert {m for (m,) in sqlite3.connect(other).execute("SELECT payment_method FROM accounts")} == {"bank_transfer"}
