"""One account's charges exported twice in different forms are stored once (importers.overlap)."""

from __future__ import annotations

from detector.importers import ingest_files
from detector.pipeline import scan

CHASE_HEADER = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
CARD = "4111222233334444"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ofx(rows):
    """A card OFX of ``(fitid, yyyymmdd, amount, name)`` rows (FITIDs: ids unlike the CSV's)."""
    body = "".join(f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{d}<TRNAMT>{a}<FITID>{i}<NAME>{n}</STMTTRN>\n"
                   for i, d, a, n in rows)
    return ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1"
            "<STATUS><CODE>0<SEVERITY>INFO</STATUS><CCSTMTRS><CURDEF>USD<CCACCTFROM>"
            f"<ACCTID>{CARD}</CCACCTFROM><BANKTRANLIST>\n{body}"
            "</BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>\n")


def chase(rows):
    """A Chase card CSV of ``(mm/dd/yyyy post date, description, amount)`` rows."""
    return CHASE_HEADER + "".join(f"{d},{d},{desc},Shopping,Sale,{a},\n" for d, desc, a in rows)


def test_ofx_and_csv_of_the_same_months_store_each_charge_once(tmp_path, store):
    # the OFX cuts names at 32 characters and gives FITIDs; the CSV hashes its rows
    a = write(tmp_path, "jan_feb.qfx", ofx([
        ("F1", "20240115", "-15.49", "NETFLIX.COM"),
        ("F2", "20240205", "-9.99", "SPOTIFY USA 877-778-1161 NEW YORK"[:32]),
        ("F3", "20240215", "-15.49", "NETFLIX.COM"),
    ]))
    b = write(tmp_path, "feb_mar.csv", chase([
        ("02/05/2024", "SPOTIFY USA 877-778-1161 NEW YORK NY", "-9.99"),
        ("02/15/2024", "Netflix.com", "-15.49"),
        ("03/15/2024", "Netflix.com", "-15.49"),
    ]))
    r1, r2 = ingest_files([a, b], store, account_id=CARD)
    assert (r1.stored, r1.duplicates) == (3, 0)
    assert (r2.rows_read, r2.stored, r2.duplicates) == (3, 1, 2)  # only March is news
    tx = store.transactions(account_id=CARD)
    assert sorted(tx["date"]) == ["2024-01-15", "2024-02-05", "2024-02-15", "2024-03-15"]
    # the same again adds nothing, and the copies stay out
    assert ingest_files([b], store, account_id=CARD)[0].stored == 0


def test_copies_are_paired_one_to_one(tmp_path, store):
    # a real double charge, in both files: two charges, not four; a third one only the later
    # export shows is news
    row = ("20240310", "-17.99", "HULU 877-8244858 CA")
    a = write(tmp_path, "a.qfx", ofx([("H1", *row), ("H2", *row), ("K1", "20240301", "-3.00", "KIOSK")]))
    b = write(tmp_path, "b.csv", chase([("03/10/2024", "HULU 877-8244858 CA", "-17.99")] * 3
                                       + [("03/31/2024", "KIOSK", "-3.00")]))
    _, r2 = ingest_files([a, b], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (2, 2)
    tx = store.transactions(account_id=CARD)
    assert (tx["description"].str.startswith("HULU")).sum() == 3


def test_what_is_not_a_copy_is_stored(tmp_path, store):
    a = write(tmp_path, "a.qfx", ofx([("N1", "20240310", "-15.49", "NETFLIX.COM"),
                                       ("C1", "20240312", "-4.50", "BLUE BOTTLE COFFEE")]))
    b = write(tmp_path, "b.csv", chase([
        ("03/10/2024", "HULU 877-8244858 CA", "-15.49"),        # another merchant, same day and price
        ("03/10/2024", "NETFLIX.COM", "-15.50"),                # another amount
        ("03/14/2024", "BLUE BOTTLE COFFEE", "-4.50"),          # two days after the OFX's last date
        ("03/11/2024", "BLUE BOTTLE COFFEE", "-4.50"),          # the 03/12 coffee, dated a day apart: a copy
    ]))
    other_account = write(tmp_path, "c.csv", chase([("03/10/2024", "NETFLIX.COM", "-15.49")]))
    _, r2 = ingest_files([a, b], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (3, 1)
    assert ingest_files([other_account], store, account_id="another-card")[0].stored == 1


def test_one_files_identical_rows_are_never_copies_of_each_other(tmp_path, store):
    b = write(tmp_path, "b.csv", chase([("03/10/2024", "HULU", "-17.99")] * 2))
    [r] = ingest_files([b], store, account_id=CARD)
    assert r.stored == 2


def test_overlapping_re_export_raises_no_double_charge_flags(tmp_path, store):
    # a year of plans from the bank, then the last month again from another export whose
    # descriptors are in Title Case: without this, each plan's last charge was a "double charge"
    months = [f"{m:02d}/05/2024" for m in range(1, 13)]
    plans = [("NETFLIX.COM", "-15.49"), ("SPOTIFY USA", "-9.99"), ("PLANET FITNESS CLUB FEES", "-24.99")]
    year = write(tmp_path, "year.csv", chase([(d, n, a) for d in months for n, a in plans]))
    again = write(tmp_path, "dec.csv", chase([(months[-1], n.title(), a) for n, a in plans]))
    result = scan([year, again], store, "2024-12-20", account_id=CARD)
    assert result.ingest[1].stored == 0 and result.ingest[1].duplicates == 3
    assert len(result.streams) == 3
    assert result.flags.empty
    assert result.refund_requests == []
