"""Statements of English-speaking banks outside the US (round-forty-one audit: Lloyds, TD Canada
Trust, ANZ, AIB, ASB). The files under tests/data/anglo are the audit's own invented data."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from detector.errors import UnrecognisedFormat
from detector.importers import parse_columns, read_statement

DATA = Path(__file__).parent / "data" / "anglo"


def suggestion(err: Exception) -> str:
    """The ``--columns`` value of an error's suggestion, as a POSIX shell passes it when pasted."""
    arg = re.search(r"--columns ('[^']*'|\"(?:[^\"\\\\]|\\\\.)*\")", str(err)).group(1)
    (value,) = shlex.split(arg)
    return value


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- TD Canada Trust: no header, withdrawal and deposit columns -----------------------------------------


def test_a_td_canada_trust_download_is_read_by_its_layout():
    for engine in ("rows", "columns"):
        st = read_statement(DATA / "td_accountactivity.csv", engine=engine)
        assert (st.format, st.currency, st.country, st.rejected) == ("td", "CAD", "CA", [])
        tx = st.transactions
        assert len(tx) == 537
        first = tx.iloc[0]
        assert (first["date"], first["description"], first["amount"], first["source_line"]) == (
            "2025-03-03", "CRAVE", -22.0, 1)
        pay = tx[tx["description"] == "ACME CORP PAY"]
        assert len(pay) == 31 and (pay["amount"] > 0).all()
        assert (tx["amount"] < 0).sum() == 506


def _deposits_first(text: str) -> str:
    """TD's rows with the withdrawal and deposit fields swapped: another bank's order, same shape."""
    out = []
    for line in text.splitlines():
        f = line.split(",")
        out.append(",".join([f[0], f[1], f[3], f[2], f[4]]))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_td_shaped_file_whose_balance_shows_deposits_first_is_refused_not_read_backwards(tmp_path, engine):
    # twenty-fourth session: the td layout takes withdrawal and deposit by position; a bank writing
    # deposits first had every charge stored as money in, every deposit as money out
    from detector.importers import iter_statement_chunks

    path = write(tmp_path, "activity.csv", _deposits_first((DATA / "td_accountactivity.csv").read_text()))
    for fmt in (None, "td"):
        with pytest.raises(UnrecognisedFormat) as err:
            read_statement(path, format=fmt, engine=engine)
        message = str(err.value)
        assert message.startswith(f"{path}: its running balance (field 5) moves as if field 3 were money in and "
                                  "field 4 money out (39 pair(s) of lines, as line 1 to line 2: 3098.55 -> 3092.41, "
                                  "field 4 of line 2 being 6.14): deposits, then withdrawals"), message
        with pytest.raises(UnrecognisedFormat, match="moves as if field 3 were money in"):
            list(iter_statement_chunks(path, format=fmt, engine=engine, chunksize=100))
    # the mapping it names reads it the right way round
    st = read_statement(path, columns=suggestion(err.value), engine=engine)
    td = read_statement(DATA / "td_accountactivity.csv", engine=engine)
    assert st.transactions["amount"].tolist() == td.transactions["amount"].tolist()
    assert (st.transactions["amount"] < 0).sum() == 506


@pytest.mark.parametrize("engine", ["rows", "columns"])
def test_a_td_download_newest_first_or_without_a_chaining_balance_is_still_read_as_td(tmp_path, engine):
    lines = (DATA / "td_accountactivity.csv").read_text().splitlines()
    newest_first = read_statement(write(tmp_path, "accountactivity.csv", "\n".join(reversed(lines)) + "\n"),
                                  engine=engine)
    assert newest_first.format == "td" and (newest_first.transactions["amount"] < 0).sum() == 506
    # one row, or balances that do not chain (rows re-sorted), decide nothing: TD's order, as before
    one = read_statement(write(tmp_path, "one.csv", lines[0] + "\n"), engine=engine)
    assert one.transactions["amount"].tolist() == [-22.0]
    shuffled = [lines[i] for i in (5, 0, 9, 2, 7, 1, 8, 3, 6, 4)]
    st = read_statement(write(tmp_path, "shuffled.csv", "\n".join(_deposits_first("\n".join(shuffled)).splitlines())
                              + "\n"), engine=engine)
    assert st.format == "td"


CIBC_LIKE = "".join(
    f"2025-{m:02d}-03,NETFLIX.COM,16.49,,4500********1234\n"
    f"2025-{m:02d}-15,PAYROLL DEPOSIT ACME,,2150.00,4500********1234\n"
    f"2025-{m:02d}-20,LOBLAWS 1042,84.12,,4500********1234\n" for m in range(1, 7))


def test_a_headerless_file_with_withdrawal_and_deposit_columns_is_suggested_debit_and_credit(tmp_path):
    # round-forty-one audit: the suggestion mapped amount= the (unsigned) withdrawal, and pasted,
    # every charge was money in and every deposit rejected "empty amount"
    path = write(tmp_path, "cibc.csv", CIBC_LIKE)
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(path)
    value = suggestion(err.value)
    assert parse_columns(value) == {"date": "2025-01-03", "description": "NETFLIX.COM", "debit": "#3",
                                    "credit": "#4"}
    st = read_statement(path, columns=value)
    assert (len(st.transactions), st.rejected) == (18, [])
    assert sorted(set(st.transactions["amount"])) == [-84.12, -16.49, 2150.0]


def test_the_running_balance_tells_which_of_two_money_columns_is_money_out(tmp_path):
    # deposit first, withdrawal second: the balance goes down by the second
    lines, balance = [], 3000.0
    for m in range(1, 7):
        balance -= 16.49
        lines.append(f"2025-{m:02d}-03,NETFLIX.COM,,16.49,{balance:.2f}")
        balance += 2150.0
        lines.append(f"2025-{m:02d}-15,PAYROLL,2150.00,,{balance:.2f}")
    path = write(tmp_path, "swapped.csv", "\n".join(lines) + "\n")
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(path)
    value = suggestion(err.value)
    assert (parse_columns(value)["debit"], parse_columns(value)["credit"]) == ("#4", "#3")
    st = read_statement(path, columns=value)
    assert st.transactions["amount"].tolist()[:2] == [-16.49, 2150.0]


def test_columns_name_a_field_by_its_position(tmp_path):
    # a one-sided row (a withdrawal's empty deposit cell) is named by position, documented
    path = write(tmp_path, "td.csv", (DATA / "td_accountactivity.csv").read_text())
    st = read_statement(path, columns="date=03/03/2025,description=CRAVE,debit=#3,credit=#4,currency=CAD")
    assert (st.format, len(st.transactions), st.rejected) == ("mapped", 537, [])
    assert (st.transactions["amount"] > 0).sum() == 31
    with_header = write(tmp_path, "h.csv", "When,What,Out,In\n2025-01-03,NETFLIX.COM,16.49,\n"
                                          "2025-01-15,PAYROLL,,2150.00\n")
    st = read_statement(with_header, columns="date=When,description=What,debit=#3,credit=#4")
    assert st.transactions["amount"].tolist() == [-16.49, 2150.0]


def test_a_mapping_that_stores_only_money_in_from_hundreds_of_rows_warns(tmp_path):
    path = write(tmp_path, "td.csv", (DATA / "td_accountactivity.csv").read_text())
    st = read_statement(path, columns="date=03/03/2025,description=CRAVE,amount=22.00,currency=CAD")
    assert (st.transactions["amount"] > 0).all()
    assert st.notes[0].startswith("WARNING: all 506 rows stored are money in, not one charge, and 31 row(s) "
                                  "were rejected for an empty amount")
    assert "debit=#3,credit=#4" in st.notes[0]
    # a short file of refunds only, or one with a charge, is no such case
    ok = read_statement(path, columns="date=03/03/2025,description=CRAVE,debit=#3,credit=#4,currency=CAD")
    assert not any(n.startswith("WARNING") for n in ok.notes)


# -- the suggestion: currency from the file's country, the date column by its cells ---------------------


def test_the_suggestion_names_the_currency_a_uk_or_australian_file_says_and_why():
    # round-forty-one audit: Lloyds' Sort Code chose day-first dates but no currency=GBP; ANZ's card
    # lines all end "AUS"; pasted, every amount was USD, emails said "$" and Good Friday was a working day
    for name, code, why in (("lloyds_30917402344812_20260327.csv", "GBP", "its 'Sort Code' column is a UK bank's"),
                            ("anz.csv", "AUD", "descriptions end with 'AUS'")):
        with pytest.raises(UnrecognisedFormat) as err:
            read_statement(DATA / name)
        value = suggestion(err.value)
        assert parse_columns(value)["currency"] == code
        assert f"currency={code} because" in str(err.value) and why in str(err.value)
        st = read_statement(DATA / name, columns=value)
        assert st.currency == code and st.rejected == []
        assert not any("assumed" in n for n in st.notes)


def test_the_suggestion_maps_the_column_whose_cells_are_dates(tmp_path):
    # round-forty-one audit: AIB's "Posted Account" ("posted" a date hint, and leftmost) was
    # suggested date=; pasted, all 494 rows were rejected
    path = DATA / "aib_Transaction_Export_09-03-2026.csv"
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(path)
    value = suggestion(err.value)
    mapping = parse_columns(value)
    assert (mapping["date"], mapping["date_format"]) == ("Posted Transactions Date", "%d/%m/%Y")
    st = read_statement(path, columns=value)
    assert (st.currency, st.rejected, len(st.transactions)) == ("EUR", [], 494)
    # an IBAN on every row names the currency of a file that names none
    text = "Account,Date,Details,Amount\n" + "".join(
        f"IE29AIBK93115212345678,{d:02d}/0{m}/2025,NETFLIX.COM,-12.99\n" for m in range(1, 7) for d in (3, 17))
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(write(tmp_path, "ie.csv", text))
    assert parse_columns(suggestion(err.value))["currency"] == "EUR"
    assert "every row's 'Account' is an IBAN of IE" in str(err.value)


def test_aib_card_and_direct_debit_prefixes_are_not_the_merchant():
    # round-forty-one audit: "Vdp-netflix.com", "VDP-Spotify", "D Flyefit" matched no vendor
    from detector.normalize import normalize_one

    for raw, name in (("VDP-NETFLIX.COM", "Netflix.com"), ("VDP-Spotify P2B7C", "Spotify"),
                      ("VDP-DISNEY PLUS", "Disney Plus"), ("VDC-TESCO STORES", "Tesco Stores"),
                      ("D/D FLYEFIT", "Flyefit"), ("D/D EIR", "Eir"), ("OP/ ESB SUPPLY", "Esb Supply")):
        assert normalize_one(raw)[1] == name, raw
    assert normalize_one("VDPX LTD")[1] == "VDPX"  # a name that merely starts so keeps it


def test_the_suggestion_names_nzd_for_asb_exports_by_their_header(tmp_path):
    # round-forty-one audit: ASB's suggestion named no currency; pasted, every amount was USD and
    # the account's holidays the US's (ANZAC Day's observance counted as a working day)
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(DATA / "asb_Export20260420091244.csv")
    value = suggestion(err.value)
    assert parse_columns(value)["currency"] == "NZD"
    assert "currency=NZD because its Unique Id, Tran Type, Cheque Number, Payee and Memo columns are ASB's" in str(
        err.value)
    st = read_statement(DATA / "asb_Export20260420091244.csv", columns=value)
    assert (st.currency, st.rejected, len(st.transactions)) == ("NZD", [], 543)
    assert not any("assumed" in n for n in st.notes)
    # ASB's card export (its header as public parsers of FastNet's exports read it)
    card = write(tmp_path, "Export20250412110926.csv",
                 "Created date / time : 12 April 2025 / 11:09:26\nCard Number XXXX-XXXX-XXXX-5023 (Visa Light)\n"
                 "From date 20250101\nTo date 20250412\n"
                 "Date Processed,Date of Transaction,Unique Id,Tran Type,Reference,Description,Amount\n\n"
                 + "".join(f'2025/{m:02d}/10,2025/{m:02d}/07,2025{m:02d}1001,DEBIT,5023,"NETFLIX.COM",-18.49\n'
                           f'2025/{m:02d}/12,2025/{m:02d}/11,2025{m:02d}1201,DEBIT,5023,"COUNTDOWN PONSONBY",-84.20\n'
                           for m in range(1, 5)))
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(card)
    assert parse_columns(suggestion(err.value))["currency"] == "NZD"
    # a header sharing a few of those names is no ASB export
    other = write(tmp_path, "other.csv", "Date,Payee,Memo,Amount\n" + "".join(
        f"2025-{m:02d}-10,NETFLIX.COM,card 1234,-18.49\n" for m in range(1, 5)))
    with pytest.raises(UnrecognisedFormat) as err:
        read_statement(other)
    assert "currency" not in parse_columns(suggestion(err.value))
