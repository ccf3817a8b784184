"""The currency of a statement mapped with ``--columns`` that names none (``importers/currency.py``).

Sixteenth audit: a header-less file (HSBC UK's) or a French bank's export mapped with --columns
was stored in USD, silently, unless ``currency=`` was given. The file's own evidence now decides
where it is clear (a currency column, a money column named for its currency, signs on the
amounts); otherwise USD is kept and the ingest output says so and how to name another.
"""

from __future__ import annotations

import json

import pytest

from detector.importers import ingest_files, iter_statement_chunks, read_statement


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


HSBC_POUNDS = "15/01/2025,NETFLIX.COM,-£10.99\n14/01/2025,ACME LTD,\"£2,500.00\"\n15/12/2024,NETFLIX.COM,-£10.99\n"
HSBC_BY_CELLS = "date=15/01/2025,description=NETFLIX.COM,amount=-£10.99,date_format=%d/%m/%Y"

# A French bank's export (BNP-style): ";", day-first dates, comma decimals, a line of account
# details above the header.
BNP_EUROS = ("Compte de chèques ****1234;Solde au 31/01/2025;1 234,56\n"
             "Date operation;Libelle operation;Montant(EUROS)\n"
             "15/01/2025;PRLV SEPA NETFLIX.COM;-13,49\n"
             "28/01/2025;VIR SEPA ACME SALAIRE;2 850,00\n")
BNP_MAP = "date=Date operation,description=Libelle operation,amount=Montant(EUROS),date_format=%d/%m/%Y,decimal=comma"
BNP_PLAIN = BNP_EUROS.replace("Montant(EUROS)", "Montant")
BNP_PLAIN_MAP = BNP_MAP.replace("Montant(EUROS)", "Montant")


def test_signs_on_the_amounts_give_the_currency(tmp_path, store):
    path = write(tmp_path, "TransactionHistory.csv", HSBC_POUNDS)
    st = read_statement(path, columns=HSBC_BY_CELLS)
    assert set(st.transactions["currency"]) == {"GBP"} and st.currency == "GBP"
    assert any("GBP" in n and "£" in n for n in st.notes)
    ingest_files([path], store, columns=HSBC_BY_CELLS)
    (account,) = store.accounts()
    assert (account["currency"], account["country"]) == ("GBP", "GB")  # England's bank holidays for its refunds


def test_a_bare_dollar_sign_is_read_as_usd_but_says_other_dollars_write_it_too(tmp_path):
    # round fifteen: "-$16.49" read as USD with no hint that '$' is also CAD, AUD, ...
    path = write(tmp_path, "export.csv", "Date,Details,Amount\n2025-01-15,NETFLIX,-$16.49\n2025-02-15,NETFLIX,-$16.49\n")
    st = read_statement(path, columns="date=Date,description=Details,amount=Amount")
    assert st.currency == "USD"
    assert any("'$' is also Canadian" in n and "currency=CAD" in n for n in st.notes)
    path = write(tmp_path, "pounds.csv", HSBC_POUNDS)
    assert not any("also Canadian" in n for n in read_statement(path, columns=HSBC_BY_CELLS).notes)


def test_a_money_column_named_for_its_currency_gives_it(tmp_path):
    st = read_statement(write(tmp_path, "releve.csv", BNP_EUROS, encoding="cp1252"), columns=BNP_MAP)
    assert st.transactions["amount"].tolist() == [-13.49, 2850.0]
    assert set(st.transactions["currency"]) == {"EUR"}
    assert any("EUR" in n and "Montant(EUROS)" in n for n in st.notes)


def test_a_currency_column_left_out_of_the_mapping_is_read(tmp_path):
    # Société Générale writes a "Devise" column; each row keeps its own currency
    text = ("Date de l'opération;Libellé;Montant de l'opération;Devise\n"
            "15/01/2025;NETFLIX.COM;-13,49;EUR\n16/01/2025;SPOTIFY UK;-11,99;GBP\n")
    st = read_statement(write(tmp_path, "sg.csv", text), columns="date=Date de l'opération,description=Libellé,"
                        "amount=Montant de l'opération,date_format=%d/%m/%Y,decimal=comma")
    assert st.transactions["currency"].tolist() == ["EUR", "GBP"]
    assert any("'Devise' column" in n for n in st.notes)


# Up Bank (Australia): every amount column in AUD, named so; "Currency" is the currency of the
# foreign-currency "Subtotal (Transaction Currency)" (a USD purchase of 8.99 cost 13.99 AUD)
UP_BANK = ("Time,BSB / Account Number,Transaction Type,Payee,Description,Category,Tags,Subtotal (AUD),Currency,"
           "Subtotal (Transaction Currency),Round Up (AUD),Total (AUD),Payment Method,Settled Date\n"
           "2025-01-03 08:15,633-123 / 123456789,Purchase,Netflix,Netflix.com,TV & Music,,-10.99,AUD,-10.99,,"
           "-10.99,Debit Card,2025-01-04\n"
           "2025-01-20 12:00,633-123 / 123456789,Purchase,Spotify,Spotify P2F3,TV & Music,,-13.99,USD,-8.99,,"
           "-13.99,Debit Card,2025-01-21\n")
UP_MAP = "date=Time,description=Payee,amount=Total (AUD),date_format=%Y-%m-%d %H:%M"


@pytest.mark.parametrize("extra", ["", ",currency=Currency"])
def test_a_money_column_named_for_its_currency_wins_over_another_amounts_currency_column(tmp_path, extra):
    # round twenty-seven: each row's currency came from "Currency", and the 13.99 AUD charge of a
    # USD purchase was stored as -13.99 USD (with currency=Currency, as the suggestion offered, too)
    st = read_statement(write(tmp_path, "up.csv", UP_BANK), columns=UP_MAP + extra)
    assert st.transactions[["amount", "currency"]].values.tolist() == [[-10.99, "AUD"], [-13.99, "AUD"]]
    (note,) = [n for n in st.notes if "AUD" in n]
    assert "'Total (AUD)'" in note and "'Currency'" in note and "USD" in note


def test_the_suggestion_offers_no_currency_column_of_another_amount(tmp_path):
    import re

    from detector.errors import UnrecognisedFormat

    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(write(tmp_path, "up.csv", UP_BANK))
    assert "currency=" not in re.search(r'--columns "([^"]*)"', str(err.value)).group(1)


def test_a_dollar_sign_in_the_amount_column_name_leaves_the_currency_column_to_say_which(tmp_path):
    # "$" is Canadian, Australian, ... dollars too: the currency column says which
    text = "Date,Details,Amount ($),Currency\n2025-01-15,NETFLIX,-16.49,CAD\n"
    st = read_statement(write(tmp_path, "ca.csv", text), columns="date=Date,description=Details,amount=Amount ($)")
    assert st.transactions["currency"].tolist() == ["CAD"]


def test_without_evidence_usd_is_assumed_and_said_with_how_to_change_it(tmp_path):
    st = read_statement(write(tmp_path, "releve.csv", BNP_PLAIN), columns=BNP_PLAIN_MAP)
    assert set(st.transactions["currency"]) == {"USD"}
    (note,) = [n for n in st.notes if "USD" in n]
    # what was assumed, why it is doubtful here, and how to name another
    assert "assumed" in note and "day-first dates" in note and "comma decimals" in note
    assert "currency=EUR" in note and "--columns" in note


def test_a_us_looking_file_without_a_currency_is_usd_and_says_so(tmp_path):
    path = write(tmp_path, "mybank.csv", "Posted,Payee,Amt\n01/15/2025,NETFLIX.COM,-15.49\n")
    st = read_statement(path, columns="date=Posted,description=Payee,amount=Amt")
    assert set(st.transactions["currency"]) == {"USD"}
    (note,) = st.notes
    assert "USD" in note and "assumed" in note and "day-first" not in note and "currency=" in note


def test_amounts_in_several_currencies_signs_are_not_guessed_from(tmp_path):
    text = "Date,Details,Amount\n2025-01-15,NETFLIX,-€13.49\n2025-01-16,HULU,-$7.99\n"
    st = read_statement(write(tmp_path, "mixed.csv", text), columns="date=Date,description=Details,amount=Amount")
    assert set(st.transactions["currency"]) == {"USD"}
    (note,) = st.notes
    assert "assumed" in note and "several" in note


@pytest.mark.parametrize("currency, want", [("currency=GBP", {"GBP"}), ("currency=EUR", {"EUR"})])
def test_a_currency_given_is_taken_as_it_is_and_no_note(tmp_path, currency, want):
    # (the amounts' £ signs do not overrule the user)
    st = read_statement(write(tmp_path, "h.csv", HSBC_POUNDS), columns=f"{HSBC_BY_CELLS},{currency}")
    assert set(st.transactions["currency"]) == want and st.notes == []


def test_streamed_reads_settle_the_currency_alike(tmp_path):
    path = write(tmp_path, "releve.csv", BNP_EUROS)
    chunks = list(iter_statement_chunks(path, chunksize=1, columns=BNP_MAP))
    assert {c for ch in chunks for c in ch.transactions["currency"]} == {"EUR"}
    assert all(ch.notes == read_statement(path, columns=BNP_MAP).notes for ch in chunks)


def test_the_ingest_output_says_which_currency_was_assumed(tmp_path, runner):
    from detector.cli import cli

    path = write(tmp_path, "releve.csv", BNP_PLAIN)
    db = str(tmp_path / "s.db")
    out = runner.invoke(cli, ["ingest", str(path), "--columns", BNP_PLAIN_MAP, "--db", db])
    assert out.exit_code == 0, out.output
    assert "note: " in out.output and "USD" in out.output and "currency=EUR" in out.output
    out = runner.invoke(cli, ["ingest", str(path), "--columns", BNP_PLAIN_MAP, "--db", db, "--output", "json"])
    (note,) = json.loads(out.output)["files"][0]["notes"]
    assert "USD" in note
