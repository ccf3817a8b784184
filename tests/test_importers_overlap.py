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


FEB = [("20240203", "-4.50", "BLUE BOTTLE COFFEE"), ("20240205", "-9.99", "SPOTIFY USA 877-778-1161 NEW YORK NY"),
       ("20240209", "-54.20", "KROGER #0456"), ("20240215", "-15.49", "NETFLIX.COM"),
       ("20240221", "-4.50", "BLUE BOTTLE COFFEE"), ("20240226", "-38.10", "SHELL OIL 57442")]


def _us(d):
    return f"{d[4:6]}/{d[6:]}/{d[:4]}"


def test_ofx_and_csv_of_the_same_months_store_each_charge_once(tmp_path, store):
    # the OFX cuts names at 32 characters, gives FITIDs and posting dates; the CSV of the same
    # February hashes its rows, writes names its own way and dates two charges a day earlier
    a = write(tmp_path, "jan_feb.qfx", ofx([("F0", "20240115", "-15.49", "NETFLIX.COM")]
                                          + [(f"F{i + 1}", d, amt, n[:32]) for i, (d, amt, n) in enumerate(FEB)]))
    shifted = {"20240209": "02/08/2024", "20240226": "02/24/2024"}
    b = write(tmp_path, "feb_mar.csv", chase(
        [(shifted.get(d, _us(d)), n.title(), amt) for d, amt, n in FEB] + [("03/15/2024", "Netflix.com", "-15.49")]))
    r1, r2 = ingest_files([a, b], store, account_id=CARD)
    assert (r1.stored, r1.duplicates) == (7, 0)
    assert (r2.rows_read, r2.stored, r2.duplicates) == (7, 1, 6)  # only March is news
    assert len(store.transactions(account_id=CARD)) == 8
    # the same again adds nothing, and the copies stay out
    assert ingest_files([b], store, account_id=CARD)[0].stored == 0


def test_consecutive_statements_keep_the_charges_of_their_shared_days(tmp_path, store):
    # A card statement is cut by posting date and dated by transaction date: January's ends
    # with coffees of the 25th and 29th, February's begins with those of the 27th and 30th and a
    # hotel stay of the 10th that posted late. Four coffees, not two (audit: the first version
    # paired them a few days apart and lost two).
    jan = write(tmp_path, "jan.csv", chase([("01/03/2024", "BLUE BOTTLE COFFEE", "-4.50"),
                                            ("01/15/2024", "NETFLIX.COM", "-15.49"),
                                            ("01/25/2024", "BLUE BOTTLE COFFEE", "-4.50"),
                                            ("01/26/2024", "APPLE.COM/BILL", "-0.99"),
                                            ("01/29/2024", "BLUE BOTTLE COFFEE", "-4.50")]))
    feb = write(tmp_path, "feb.csv", chase([("01/10/2024", "MARRIOTT HOTEL", "-412.00"),
                                            ("01/27/2024", "Blue Bottle Coffee", "-4.50"),
                                            ("01/28/2024", "Apple.com/Bill", "-0.99"),
                                            ("01/30/2024", "Blue Bottle Coffee", "-4.50"),
                                            ("02/15/2024", "Netflix.com", "-15.49")]))
    _, r2 = ingest_files([jan, feb], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (5, 0)


def test_copies_are_paired_one_to_one(tmp_path, store):
    # a real double charge, in both exports of February: two charges, not four; a third one
    # only the later export shows is news
    hulu = ("20240210", "-17.99", "HULU 877-8244858 CA")
    a = write(tmp_path, "a.qfx", ofx([(f"F{i}", *row) for i, row in enumerate(FEB + [hulu, hulu])]))
    b = write(tmp_path, "b.csv", chase([(_us(d), n, amt) for d, amt, n in FEB + [hulu] * 3]))
    _, r2 = ingest_files([a, b], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (1, 8)
    tx = store.transactions(account_id=CARD)
    assert (tx["description"].str.startswith("HULU")).sum() == 3


def test_what_is_not_a_copy_is_stored(tmp_path, store):
    feb = FEB + [(f"202402{10 + i}", f"-{20 + i}.00", f"SHOP {i}") for i in range(4)]
    a = write(tmp_path, "a.qfx", ofx([(f"F{i}", *row) for i, row in enumerate(feb)]))
    b = write(tmp_path, "b.csv", chase([(_us(d), n, amt) for d, amt, n in feb] + [
        ("02/15/2024", "HULU 877-8244858 CA", "-15.49"),        # another merchant, same day and price
        ("02/15/2024", "NETFLIX.COM", "-15.50"),                # another amount
        ("02/28/2024", "BLUE BOTTLE COFFEE", "-4.50"),          # two days after the OFX's last date
    ]))
    other_account = write(tmp_path, "c.csv", chase([(_us(d), n, amt) for d, amt, n in FEB]))
    _, r2 = ingest_files([a, b], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (3, 10)
    assert ingest_files([other_account], store, account_id="another-card")[0].stored == 6


def test_a_few_agreeing_rows_do_not_make_two_files_copies(tmp_path, store):
    # a fortnight shared, but most of each file's rows there are its own: two statements of one
    # card that both hold the same three plans (the same charges) are still not copies
    a = write(tmp_path, "a.qfx", ofx([(f"F{i}", *row) for i, row in enumerate(FEB)]
                                     + [(f"G{i}", f"202402{10 + i}", f"-{20 + i}.00", f"SHOP {i}") for i in range(8)]))
    b = write(tmp_path, "b.csv", chase([(_us(d), n, amt) for d, amt, n in FEB]
                                       + [(f"02/{10 + i}/2024", f"OTHER {i}", f"-{30 + i}.00") for i in range(8)]))
    _, r2 = ingest_files([a, b], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (14, 0)


def test_one_files_identical_rows_are_never_copies_of_each_other(tmp_path, store):
    b = write(tmp_path, "b.csv", chase([("03/10/2024", "HULU", "-17.99")] * 2))
    [r] = ingest_files([b], store, account_id=CARD)
    assert r.stored == 2


def test_overlapping_re_export_raises_no_double_charge_flags(tmp_path, store):
    # a year of plans from the bank, then December again from another export whose descriptors
    # are in Title Case: without this, each plan's last charge was a "double charge"
    months = [f"{m:02d}/05/2024" for m in range(1, 13)]
    plans = [("NETFLIX.COM", "-15.49", 5), ("SPOTIFY USA", "-9.99", 12), ("PLANET FITNESS CLUB FEES", "-24.99", 19)]
    year = write(tmp_path, "year.csv", chase([(d[:3] + f"{day:02d}" + d[5:], n, a)
                                              for d in months for n, a, day in plans]))
    again = write(tmp_path, "dec.csv", chase([(f"12/{day:02d}/2024", n.title(), a) for n, a, day in plans]))
    result = scan([year, again], store, "2024-12-20", account_id=CARD)
    assert result.ingest[1].stored == 0 and result.ingest[1].duplicates == 3
    assert len(result.streams) == 3
    assert result.flags.empty
    assert result.refund_requests == []


def test_posting_dated_export_beside_transaction_dated_one_loses_no_charge(tmp_path, store):
    # One month of a card as CSV (transaction dates) and QFX (posting dates, 1-2 days later,
    # never on a weekend). Plans pair; coffees whose copies come within days of each other and
    # two fares every weekday chain across the month, and the files hold different ones at
    # their edges: they may be stored twice, but no real charge may go (audits: pairing them in
    # any order, or in groups of up to three, lost charges).
    import datetime as dt

    charges = []
    day = dt.date(2023, 12, 22)
    while day <= dt.date(2024, 2, 6):
        lag = 1 + (day.toordinal() % 2)
        post = day + dt.timedelta(days=lag)
        while post.weekday() >= 5:
            post += dt.timedelta(days=1)
        if day.weekday() < 5:
            charges += [(day, post, "MTA*NYCT PAYGO", "-2.90", f"m{day}a"), (day, post, "MTA*NYCT PAYGO", "-2.90", f"m{day}b")]
        if day.day in (4, 11, 26):
            charges.append((day, post, "STARBUCKS STORE 08321", "-6.45", f"s{day}"))
        if day.day == 15:
            charges += [(day, post, "NETFLIX.COM", "-15.49", f"n{day}"), (day, post, "SPOTIFY USA", "-11.99", f"p{day}")]
        day += dt.timedelta(days=1)
    jan = (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    in_csv = [c for c in charges if jan[0] <= c[0] <= jan[1]]
    in_qfx = [c for c in charges if jan[0] <= c[1] <= jan[1]]
    a = write(tmp_path, "jan.csv", chase([(f"{t:%m/%d/%Y}", d, amt) for t, _, d, amt, _ in in_csv]))
    b = write(tmp_path, "jan.qfx", ofx([(f"F{i}", f"{p:%Y%m%d}", amt, d) for i, (_, p, d, amt, _) in enumerate(in_qfx)]))
    ingest_files([a, b], store, account_id=CARD)
    tx = store.transactions(account_id=CARD)
    real = {c[4] for c in in_csv} | {c[4] for c in in_qfx}
    for merchant, n_real in [("NETFLIX", 1), ("SPOTIFY", 1)]:
        assert tx["description"].str.startswith(merchant).sum() == n_real  # one each, no copy
    assert tx["description"].str.startswith("STARBUCKS").sum() >= 3  # none lost
    fares = sum(1 for c in real if c[0] == "m")
    assert tx["description"].str.startswith("MTA").sum() >= fares  # none lost


def test_a_re_export_of_two_plans_is_caught(tmp_path, store):
    # a card with just two plans: December again in Title Case is two rows, both copies
    # (round-two audit: three pairs were needed, and both became "double charges")
    months = [f"{m:02d}" for m in range(1, 13)]
    year = write(tmp_path, "year.csv", chase([(f"{m}/{d}/2024", n, a) for m in months
                                              for d, n, a in (("05", "NETFLIX.COM", "-15.49"), ("12", "SPOTIFY USA", "-9.99"))]))
    dec = write(tmp_path, "dec.csv", chase([("12/05/2024", "Netflix.com", "-15.49"), ("12/12/2024", "Spotify Usa", "-9.99")]))
    _, r2 = ingest_files([year, dec], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (0, 2)


def test_statements_sharing_a_week_keep_their_few_charges_a_day_or_two_apart(tmp_path, store):
    # June ends with a hotel night and a coffee; July (a late-posting second night) begins with
    # another night and another coffee a day or two before: four charges (round-three audit:
    # two pairs a few days apart were taken for copies)
    june = write(tmp_path, "june.csv", chase([("06/03/2025", "NETFLIX.COM", "-15.49"), ("06/10/2025", "Spotify USA", "-11.99"),
                                              ("06/19/2025", "MARRIOTT BOSTON", "-189.00"),
                                              ("06/24/2025", "BLUE BOTTLE COFFEE", "-5.45")]))
    july = write(tmp_path, "july.csv", chase([("06/17/2025", "MARRIOTT BOSTON", "-189.00"),
                                              ("06/23/2025", "BLUE BOTTLE COFFEE", "-5.45"),
                                              ("06/28/2025", "SHELL OIL 5744", "-41.20"),
                                              ("07/03/2025", "NETFLIX.COM", "-15.49"), ("07/10/2025", "Spotify USA", "-11.99")]))
    _, r2 = ingest_files([june, july], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (5, 0)


def test_a_small_cards_month_as_ofx_beside_its_half_year_csv_is_stored_once(tmp_path, store):
    # four plans, January-June as CSV, June again as OFX dated a day or two later (posting):
    # the four June copies go (round-four audit: five pairs were needed, and each plan got a
    # "double charge" with a refund request)
    plans = [("03", "NETFLIX.COM", "-15.49"), ("10", "SPOTIFY USA", "-11.99"), ("15", "HULU 877-8244858", "-17.99"),
             ("20", "DROPBOX", "-11.99")]
    half = write(tmp_path, "h1.csv", chase([(f"{m:02d}/{d}/2025", n, a) for m in range(1, 7) for d, n, a in plans]))
    june = write(tmp_path, "june.qfx", ofx([(f"F{i}", f"202506{int(d) + 1 + i % 2:02d}", a, n)
                                            for i, (d, n, a) in enumerate(plans)]))
    _, r2 = ingest_files([half, june], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (0, 4)


def test_a_trip_across_the_statement_cut_keeps_every_charge(tmp_path, store):
    # parking and coffee on 19-21 May in May's statement, on 22-24 May in June's (posted after
    # the cut), and a hotel of the 16th that posted late stretching June's dates back: nine
    # charges of the trip, not six (round-four audit)
    may = write(tmp_path, "may.csv", chase(
        [("05/03/2025", "NETFLIX.COM", "-15.49"), ("05/10/2025", "Spotify USA", "-11.99"),
         ("04/28/2025", "KROGER #0456", "-63.12"), ("05/06/2025", "KROGER #0456", "-48.90"),
         ("05/12/2025", "SHELL OIL 5744", "-38.40"), ("05/14/2025", "TARGET 00012", "-27.15"),
         ("05/23/2025", "AMAZON MKTP US", "-19.99")]
        + [(f"05/{d}/2025", n, a) for d in (19, 20, 21) for n, a in (("SP+ PARKING BOSTON", "-24.00"),
                                                                      ("BLUE BOTTLE COFFEE", "-5.45"))]))
    june = write(tmp_path, "june.csv", chase(
        [("06/03/2025", "NETFLIX.COM", "-15.49"), ("06/10/2025", "Spotify USA", "-11.99"),
         ("06/05/2025", "KROGER #0456", "-71.30"), ("06/12/2025", "SHELL OIL 5744", "-40.05"),
         ("05/16/2025", "MARRIOTT BOSTON", "-1134.00")]
        + [(f"05/{d}/2025", n, a) for d in (22, 23, 24) for n, a in (("SP+ PARKING BOSTON", "-24.00"),
                                                                      ("BLUE BOTTLE COFFEE", "-5.45"))]))
    _, r2 = ingest_files([may, june], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (11, 0)


def test_a_small_travel_cards_trip_split_by_the_cut_keeps_every_charge(tmp_path, store):
    # a travel card: May's statement is an order and three days of garage and coffee; June's
    # holds the hotel (dated at check-in, the 18th, posted late) and the next three days: the
    # small May file passed the "most of one file" test and groups of three a few days apart
    # were taken for copies (round-five audit: six charges lost)
    trip = (("SP+ PARKING DENVER", "-28.00"), ("BLUE BOTTLE COFFEE", "-5.45"))
    may = write(tmp_path, "may.csv", chase([("05/02/2025", "AMAZON MKTP US", "-31.20")]
                                           + [(f"05/{d}/2025", n, a) for d in (22, 23, 24) for n, a in trip]))
    june = write(tmp_path, "june.csv", chase([("05/18/2025", "HYATT REGENCY DENVER", "-1310.00"),
                                              ("06/06/2025", "AMAZON MKTP US", "-18.40"),
                                              ("06/14/2025", "SHELL OIL 5744", "-41.10")]
                                             + [(f"05/{d}/2025", n, a) for d in (25, 26, 27) for n, a in trip]))
    _, r2 = ingest_files([may, june], store, account_id=CARD)
    assert (r2.stored, r2.duplicates) == (9, 0)
