"""A payment processor or wallet as the counterparty, the merchant in the payment's reference.

Round-thirty audit: ING Netherlands, N26 and Starling name PayPal as the counterparty of every
PayPal payment and the merchant only in the Mededelingen / Payment Reference / Reference column.
The importers kept the counterparty alone: two vendors' plans at one price became one
"semimonthly" stream of "Europe Sarl et Cie Sca" (a fragment of PayPal's legal name), and no
vendor was matched. Now the reference is joined to such a counterparty (both as written) and the
normaliser reads the merchant from it. A row without the bank's id keeps the id it had before
(hashed from the counterparty alone), so importing the same statements into a database written
before stores nothing twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from test_importers_fast import assert_same

from detector.cli import cli
from detector.ids import stable_id
from detector.importers import ingest_files, iter_statement_chunks
from detector.importers.csv_banks import IngNl, Starling
from detector.normalize import normalize_one

PP = "PayPal Europe S.a.r.l. et Cie S.C.A"
PP_IBAN = "DE88500700100175526303"


def _ing_mededelingen(day: dt.date, ref: str, who: str) -> str:
    return (f"Naam: {PP} Omschrijving: {ref} PAYPAL {who} IBAN: {PP_IBAN} Kenmerk: {ref} "
            f"Machtiging ID: 4ZJ224SA2AB Incassant ID: LU96ZZZ0000000000000000058 Doorlopende incasso "
            f"Valutadatum: {day.strftime('%d-%m-%Y')}")


def _ing_file(rows: list[tuple[dt.date, str, float, str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["Datum", "Naam / Omschrijving", "Rekening", "Tegenrekening", "Code", "Af Bij", "Bedrag (EUR)",
                "Mutatiesoort", "Mededelingen", "Saldo na mutatie", "Tag"])
    for day, name, amount, med in rows:
        w.writerow([day.strftime("%Y%m%d"), name, "NL12INGB0001234567", PP_IBAN, "IC", "Af",
                    f"{amount:.2f}".replace(".", ","), "Incasso", med, "1.000,00", ""])
    return out.getvalue()


N26_HEADER = ('"Booking Date","Value Date","Partner Name","Partner Iban",Type,"Payment Reference","Account Name",'
              '"Amount (EUR)","Original Amount","Original Currency","Exchange Rate"\n')

CASES = {
    "ing_nl": (
        "NL12INGB0001234567_01-01-2024_31-01-2024.csv",
        _ing_file([(dt.date(2024, 1, 4), PP, 10.99, _ing_mededelingen(dt.date(2024, 1, 4), "1039047300001", "Spotify AB")),
                   (dt.date(2024, 1, 9), "Netflix International B.V.", 13.49, "Pasvolgnr: 004")]),
        [("2024-01-04", -10.99, f"{PP} {_ing_mededelingen(dt.date(2024, 1, 4), '1039047300001', 'Spotify AB')}"),
         ("2024-01-09", -13.49, "Netflix International B.V.")],
    ),
    "n26": (
        "n26-csv-transactions.csv",
        N26_HEADER
        + f'2024-03-03,2024-03-03,"{PP}",{PP_IBAN},Direct Debit,"1039427300001/PP.7384.PP/. Netflix International B.V., '
          'Ihr Einkauf bei Netflix International B.V.","Main Account",-13.99,,,\n'
        + '2024-03-25,2024-03-25,"ACME GmbH",DE89370400440532013000,Credit Transfer,"Gehalt","Main Account",2900.00,,,\n',
        [("2024-03-03", -13.99, f"{PP} 1039427300001/PP.7384.PP/. Netflix International B.V., Ihr Einkauf bei "
                                "Netflix International B.V."),
         ("2024-03-25", 2900.0, "ACME GmbH")],
    ),
    "starling": (
        "StarlingStatement_2024-01.csv",
        "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes\n"
        "04/01/2024,PayPal,PAYPAL *DISNEYPLUS 35314369001 GBR,CARD PAYMENT,-7.99,1492.01,ENTERTAINMENT,\n"
        "05/01/2024,Klarna,Zalando SE 4410021,DIRECT DEBIT,-30.00,1462.01,SHOPPING,\n"
        "25/01/2024,Employer Ltd,SALARY JAN,FASTER PAYMENT,2100.00,3562.01,INCOME,\n",
        [("2024-01-04", -7.99, "PAYPAL *DISNEYPLUS 35314369001 GBR"), ("2024-01-05", -30.0, "Klarna Zalando SE 4410021"),
         ("2024-01-25", 2100.0, "Employer Ltd")],
    ),
}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", sorted(CASES))
def test_a_processor_counterparty_keeps_the_reference_naming_the_merchant(tmp_path, layout):
    # the counterparty and the reference as the bank wrote them (the reference alone when it names
    # the processor itself, Starling's card descriptor); any other counterparty is read as before
    name, text, expected = CASES[layout]
    st = assert_same(write(tmp_path, name, text))  # the row and the column readers alike
    assert st.format == layout and st.rejected == []
    assert list(zip(st.transactions["date"], st.transactions["amount"], st.transactions["description"])) == expected


@pytest.mark.parametrize(("text", "merchant", "channel"), [
    (f"{PP} Naam: {PP} Omschrijving: 1039047300001 PAYPAL Spotify AB IBAN: {PP_IBAN} Kenmerk: 1039047300001 "
     "Machtiging ID: 4ZJ224SA2AB Doorlopende incasso Valutadatum: 04-01-2024", "spotify", "paypal"),
    (f"{PP} 1039427300001/PP.7384.PP/. Netflix International B.V., Ihr Einkauf bei Netflix International B.V.",
     "netflix international", "paypal"),
    (f"{PP} 1040001234567/PP.7384.PP/. Zalando SE, Ihr Einkauf bei Zalando SE", "zalando", "paypal"),
    # the legal name alone (no reference, or a database from before): PayPal, not "Europe Sarl et Cie Sca"
    (PP, "paypal", "paypal"),
    ("PayPal (Europe) S.\u00e0 r.l. et Cie, S.C.A.", "paypal", "paypal"),
    (f"{PP} Naam: {PP} Omschrijving: 1039047300001 PAYPAL IBAN: {PP_IBAN}", "paypal", "paypal"),
    ("Klarna Bank AB (publ) Spotify AB 88123", "spotify", "direct"),
])
def test_the_merchant_is_read_from_a_processors_reference(text, merchant, channel):
    key, display, got_channel, _ = normalize_one(text)
    assert (key, got_channel) == (merchant, channel)
    assert "Europe" not in display and "Sarl" not in display


def _scan(runner, tmp_path, files: dict[str, str], as_of: str) -> dict:
    paths = [str(write(tmp_path, name, text)) for name, text in files.items()]
    result = runner.invoke(cli, ["scan", *paths, "--db", str(tmp_path / "t.db"), "--as-of", as_of,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_two_plans_paid_through_paypal_at_one_price_stay_two_named_plans(runner, tmp_path):
    # ING: Spotify on the 4th and Deezer on the 21st, both 10.99 through PayPal, were one
    # "semimonthly" stream of 21.98 a month named "Europe Sarl et Cie Sca"
    rows = []
    for m in range(1, 13):
        for day, who in ((4, "Spotify AB"), (21, "Deezer SA")):
            d = dt.date(2024, m, day)
            rows.append((d, PP, 10.99, _ing_mededelingen(d, f"1039{day:02d}73{m:05d}", who)))
    doc = _scan(runner, tmp_path, {"NL12INGB0001234567_01-01-2024_31-12-2024.csv": _ing_file(rows)}, "2024-12-31")
    got = sorted((s["merchant"], s["vendor"], s["channel"], s["frequency"]) for s in doc["streams"])
    assert got == [("Deezer", "Deezer", "paypal", "monthly"), ("Spotify", "Spotify", "paypal", "monthly")]


def test_starling_card_payments_through_paypal_are_named_by_their_reference(runner, tmp_path):
    # Starling: Counter Party "PayPal", the card descriptor in Reference; Spotify and Deezer at
    # 11.99 were one semimonthly "PayPal" stream
    lines = ["Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes"]
    for m in range(1, 13):
        for day, who in ((11, "SPOTIFY"), (26, "DEEZER")):
            lines.append(f"{day:02d}/{m:02d}/2024,PayPal,PAYPAL *{who} 35314369001 GBR,CARD PAYMENT,-11.99,0.00,"
                         "ENTERTAINMENT,")
    doc = _scan(runner, tmp_path, {"StarlingStatement_2024.csv": "\n".join(lines) + "\n"}, "2024-12-31")
    got = sorted((s["merchant"], s["vendor"], s["channel"], s["frequency"]) for s in doc["streams"])
    assert got == [("Deezer", "Deezer", "paypal", "monthly"), ("Spotify", "Spotify", "paypal", "monthly")]


@pytest.mark.parametrize(("text", "merchant", "channel"), [
    # CommBank's card tail: the card and the date it was made (a purchase abroad adds its currency
    # and amount); "Stan AU Aus Value Date" was the merchant and Stan, Binge were not matched
    ("PAYPAL *STAN 4029357733 AU AUS Card xx4821 Value Date: 08/03/2025", "stan", "paypal"),
    ("BINGE MELBOURNE AU AUS Card xx4821 Value Date: 16/03/2025", "binge", "direct"),
    ("SPOTIFY P1A2B3C STOCKHOLM SWE Card xx4821 USD 11.99 Value Date: 16/03/2025", "spotify", "direct"),
    # Wise's own wording before a card payment's merchant (mapped with description=Description)
    ("Card transaction of 9.99 EUR issued by Deezer Paris", "deezer", "direct"),
    ("Card transaction of 4.99 EUR issued by Paypal *substack 35314369001", "substack", "paypal"),
])
def test_a_banks_own_wording_around_the_descriptor_is_no_part_of_the_merchant(text, merchant, channel):
    key, display, got_channel, _ = normalize_one(text)
    assert (key, got_channel) == (merchant, channel)
    assert not {"Value", "Date", "Card", "Transaction", "Issued"} & set(display.split())


def _old_id(account: str, date: str, amount: float, description: str, occurrence: int = 0) -> str:
    """The id the importers gave a row without the bank's id before the reference was joined:
    account, date, amount (no trailing zeros), the description as read then, the occurrence."""
    return stable_id(account, date, f"{amount:.6f}".rstrip("0").rstrip("."), description, occurrence)


#: Each case's descriptions as the layouts read them before the round-thirty change.
OLD_DESCRIPTIONS = {
    "ing_nl": [PP, "Netflix International B.V."],
    "n26": [PP, "ACME GmbH"],
    "starling": ["PayPal", "Klarna", "Employer Ltd"],
}


@pytest.mark.parametrize("layout", sorted(CASES))
def test_a_joined_rows_id_is_the_one_it_had_before_the_reference_was_joined(tmp_path, layout):
    # the id hashes the counterparty alone, as before; the stored description is the joined text
    name, text, expected = CASES[layout]
    st = assert_same(write(tmp_path, name, text))
    tx = st.transactions
    assert list(tx["description"]) == [e[2] for e in expected]
    old = [_old_id(a, d, x, desc) for a, d, x, desc in zip(tx["account_id"], tx["date"], tx["amount"],
                                                             OLD_DESCRIPTIONS[layout], strict=True)]
    assert list(tx["transaction_id"]) == old


STARLING_HEADER = "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes\n"


def test_two_paypal_charges_of_one_day_and_amount_keep_their_two_old_ids_however_read(tmp_path):
    # Spotify and Deezer paid through PayPal on one day at one price were "PayPal" twice: ids of
    # occurrence 0 and 1. They keep those ids whichever reader, in one read or in chunks, and also
    # where the column reader hands lines to the row reader (a short line, a rejected one).
    path = write(tmp_path, "StarlingStatement_2024-01.csv", STARLING_HEADER
                 + "04/01/2024,PayPal,PAYPAL *SPOTIFY 35314369001 GBR,CARD PAYMENT,-9.99,10.00,ENTERTAINMENT,\n"
                 + "04/01/2024,PayPal,PAYPAL *DEEZER 35314369001 GBR,CARD PAYMENT,-9.99,0.01,ENTERTAINMENT,\n"
                 + "31/02/2024,PayPal,PAYPAL *NOT A DAY,CARD PAYMENT,-9.99,0.01,ENTERTAINMENT,\n"
                 + "04/01/2024,PayPal,PAYPAL *TIDAL 35314369001 GBR,CARD PAYMENT,-9.99\n")
    st = assert_same(path)
    tx = st.transactions
    account = tx["account_id"].iloc[0]
    old = [_old_id(account, "2024-01-04", -9.99, "PayPal", k) for k in range(3)]
    assert list(tx["description"]) == ["PAYPAL *SPOTIFY 35314369001 GBR", "PAYPAL *DEEZER 35314369001 GBR",
                                       "PAYPAL *TIDAL 35314369001 GBR"]
    assert list(tx["transaction_id"]) == old and len(set(old)) == 3
    assert [r["source_line"] for r in st.rejected] == [4]
    for engine in ("columns", "rows"):
        chunks = list(iter_statement_chunks(path, chunksize=1, engine=engine))
        assert [i for c in chunks for i in c.transactions["transaction_id"]] == old, engine


def _starling(months: range) -> str:
    lines = [STARLING_HEADER.rstrip("\n")]
    for m in months:
        for day, who in ((11, "SPOTIFY"), (26, "DEEZER")):
            lines.append(f"{day:02d}/{(m - 1) % 12 + 1:02d}/{2024 + (m - 1) // 12},PayPal,PAYPAL *{who} 35314369001 GBR,"
                         "CARD PAYMENT,-11.99,0.00,ENTERTAINMENT,")
    return "\n".join(lines) + "\n"


def _ing(months: range) -> str:
    rows = []
    for m in months:
        for day, who in ((4, "Spotify AB"), (21, "Deezer SA")):
            d = dt.date(2024 + (m - 1) // 12, (m - 1) % 12 + 1, day)
            rows.append((d, PP, 10.99, _ing_mededelingen(d, f"1039{day:02d}73{m:05d}", who)))
    return _ing_file(rows)


@pytest.mark.parametrize(("layout", "make", "old_description"), [
    (IngNl, _ing, PP), (Starling, _starling, "PayPal"),
])
def test_statements_imported_before_the_reference_was_joined_are_not_stored_again(
        tmp_path, store, monkeypatch, layout, make, old_description):
    # A database written before the change: the layout then read no reference (the counterparty
    # alone, "PayPal"). Importing the same file again after the upgrade, and the next export
    # overlapping it, store only the month that was not stored: no second "PayPal" row beside
    # each "PAYPAL Spotify" (a re-import of one file is told apart by ids alone).
    year = write(tmp_path, "statement_2024.csv", make(range(1, 13)))
    with monkeypatch.context() as before:
        before.setattr(layout, "reference", None)
        first = ingest_files([year], store, account_id="acct")[0]
    assert (first.stored, first.duplicates) == (24, 0)
    assert set(store.transactions()["description"]) == {old_description}

    again = ingest_files([year], store, account_id="acct")[0]
    assert (again.format, again.rows_read, again.stored, again.duplicates, again.rejected) == (
        layout.name, 24, 0, 24, 0)
    later = ingest_files([write(tmp_path, "statement_2024-07_2025-01.csv", make(range(7, 14)))], store,
                         account_id="acct")[0]
    assert (later.rows_read, later.stored, later.duplicates) == (14, 2, 12)
    tx = store.transactions()
    assert len(tx) == 26 and tx["transaction_id"].is_unique
    new = tx[tx["date"].astype(str) >= "2025-01-01"]
    assert len(new) == 2 and not (new["description"] == old_description).any()
