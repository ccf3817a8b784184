"""Money moved between the holder's own accounts (round-thirty-nine audit): a wallet's own words
(a Wise conversion, a Revolut top-up), money put into a wallet from another bank (a rise is
money the holder sends), and a payment out of one scanned account that arrives in another."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from detector.cli import cli

AS_OF = "2025-06-30"
MONTHS = [(2024 + (6 + k) // 12, (6 + k) % 12 + 1) for k in range(12)]  # 2024-07 .. 2025-06


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


MONZO = ["Transaction ID", "Date", "Time", "Type", "Name", "Emoji", "Category", "Amount", "Currency",
         "Local amount", "Local currency", "Notes and #tags", "Address", "Receipt", "Description",
         "Category split", "Money Out", "Money In"]


def monzo(path, rows):
    """A Monzo export of ``(date, type, name, description, amount)``."""
    out = []
    for k, (d, kind, name, desc, amount) in enumerate(rows):
        out.append([f"tx_0000own{k:05d}", d.strftime("%d/%m/%Y"), "09:00:00", kind, name, "", "general",
                    f"{amount:.2f}", "GBP", f"{amount:.2f}", "GBP", "", "", "", desc, "",
                    f"{-amount:.2f}" if amount < 0 else "", f"{amount:.2f}" if amount > 0 else ""])
    return _write(path, MONZO, out)


REVOLUT = ["Type", "Product", "Started Date", "Completed Date", "Description", "Amount", "Fee", "Currency",
           "State", "Balance"]


def revolut(path, rows):
    """A Revolut export of ``(date, type, description, amount, currency)``."""
    out = [[kind, "Current", f"{d} 08:00:00", f"{d} 09:00:00", desc, f"{amount:.2f}", "0.00", cur, "COMPLETED", ""]
           for d, kind, desc, amount, cur in rows]
    return _write(path, REVOLUT, out)


WISE = ["TransferWise ID", "Date", "Amount", "Currency", "Description", "Payment Reference", "Running Balance",
        "Exchange From", "Exchange To", "Exchange Rate", "Payer Name", "Payee Name", "Payee Account Number",
        "Merchant", "Card Last Four Digits", "Card Holder Full Name", "Attachment", "Note", "Total fees",
        "Exchange To Amount"]


def wise(path, currency, rows):
    """A Wise balance statement of ``(id, date, description, amount, merchant)``."""
    out = [[i, d.strftime("%d-%m-%Y"), f"{amount:.2f}", currency, desc, "", "", "", "", "", "", "", "", merchant,
            "", "", "", "", "0.00", ""] for i, d, desc, amount, merchant in rows]
    return _write(path, WISE, out)


def scan_json(runner, db, *files, as_of=AS_OF):
    res = runner.invoke(cli, ["scan", *map(str, files), "--db", str(db), "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_wise_conversions_and_revolut_top_ups_are_no_plans(runner, tmp_path):
    # Wise balances converting 80.00 GBP to euros and 40.00 GBP to dollars each month (the same
    # money on two balances' statements) were two "subscriptions" of 120.00 GBP a month; a
    # Revolut account's own "Top-Up by *NNNN" is money coming in from the holder's card
    gbp, eur, usd = [], [], []
    for k, (y, m) in enumerate(MONTHS):
        d = dt.date(y, m, 6)
        e, u = 93.10 + k * 0.11, 50.60 - k * 0.07
        gbp += [(f"BALANCE-{k}1", d, f"Converted 80.00 GBP to {e:.2f} EUR", -80.0, ""),
                (f"BALANCE-{k}2", d, f"Converted 40.00 GBP to {u:.2f} USD", -40.0, "")]
        eur += [(f"BALANCE-{k}1", d, f"Converted 80.00 GBP to {e:.2f} EUR", e, ""),
                (f"CARD-{k}3", dt.date(y, m, 12), "Card transaction of 8.99 EUR issued by Deezer Paris", -8.99,
                 "Deezer Paris")]
        usd += [(f"BALANCE-{k}2", d, f"Converted 40.00 GBP to {u:.2f} USD", u, "")]
    files = [wise(tmp_path / f"statement_2718_{c}_2024-07-01_2025-06-30.csv", c, rows)
             for c, rows in (("GBP", gbp), ("EUR", eur), ("USD", usd))]
    rev = revolut(tmp_path / "account-statement_2024-07-01_2025-06-30_en-gb_aa11.csv",
                  [(f"{y}-{m:02d}-09", "TOPUP", "Top-Up by *7302", 120.0, "GBP") for y, m in MONTHS]
                  + [(f"{y}-{m:02d}-15", "CARD_PAYMENT", "Spotify", -11.99, "GBP") for y, m in MONTHS])
    doc = scan_json(runner, tmp_path / "s.db", *files, rev)
    names = sorted(s["merchant"] for s in doc["streams"])
    assert names == ["Deezer", "Spotify"], names
    assert not doc["flags"]


def test_a_raised_wallet_top_up_from_another_bank_is_money_the_holder_sends(runner, tmp_path):
    # a Monzo card topping up a Revolut account and a transfer whose reference says it tops up
    # Wise, raised in March: medium price increases with refund requests ("Hello Revolut
    # support ... the £40.00 difference"). Scanned alone (no statement shows where the money
    # went) they are money the holder sends: low, nothing to ask back, no request
    rows = []
    for y, m in MONTHS:
        raised = (y, m) >= (2025, 3)
        rows += [(dt.date(y, m, 3), "Card payment", "Revolut", "REVOLUT**7302* DUBLIN IRL", -240.0 if raised else -200.0),
                 (dt.date(y, m, 4), "Faster payment", "Sam Taylor", "Wise top-up", -190.0 if raised else -150.0),
                 (dt.date(y, m, 20), "Card payment", "Audible", "AUDIBLE UK ADBL.CO.UK/ACC", -7.99)]
    db = tmp_path / "s.db"
    doc = scan_json(runner, db, monzo(tmp_path / "MonzoDataExport_2024-07-01_2025-06-30.csv", rows))
    rises = [f for f in doc["flags"] if f["type"] == "price_increase"]
    assert len(rises) == 2 and {f["severity"] for f in rises} == {"low"}
    assert all("a payment you send" in f["reason"] for f in rises)
    assert doc["refund_requests"] == []
    listed = runner.invoke(cli, ["refunds", "list", "--db", str(db), "--format", "json"])
    assert json.loads(listed.stdout) == []


# -- pairing a payment out with the money arriving in another account ---------------------------

def frame(rows):
    """Canonical transactions of ``(account, date, description, amount[, currency])``."""
    import pandas as pd

    out = []
    for k, r in enumerate(rows):
        account, date, desc, amount, *cur = r
        out.append({"transaction_id": f"t{k:04d}", "account_id": account, "date": str(date), "amount": amount,
                    "currency": cur[0] if cur else "GBP", "description": desc})
    return pd.DataFrame(out)


def partners(rows, as_of=AS_OF):
    from detector.transfers import paired_rows, transfer_keys

    pairs = paired_rows(transfer_keys(frame(rows), as_of))
    return {t: a for t, a in zip(pairs["transaction_id"], pairs["transfer_account"])}


def test_a_payment_out_pairs_with_the_one_arrival_of_its_amount_in_another_account():
    d = dt.date(2025, 3, 3)
    rows = [("bank", d, "REVOLUT**7302* DUBLIN", -120.0),
            ("wallet", d + dt.timedelta(days=1), "Top-Up by *7302", 120.0),
            ("bank", d, "TESCO STORES", -54.10),
            ("wallet", d, "Refund", 54.10, "EUR")]  # another currency: no arrival of it
    assert partners(rows) == {"t0000": "wallet", "t0001": "bank"}
    # a day before the payment to four days after it; not five days on, nor after the as-of date
    for days, paired in ((-1, True), (4, True), (5, False), (-2, False)):
        moved = [rows[0], ("wallet", d + dt.timedelta(days=days), "Payment from Sam", 120.0)]
        assert bool(partners(moved)) == paired, days
    assert partners(rows[:2], as_of=str(d)) == {}


def test_an_ambiguous_arrival_pairs_nothing():
    d = dt.date(2025, 3, 3)
    out = ("bank", d, "Faster payment Sam Taylor", -75.0)
    # two arrivals of the amount (in two accounts, or one account twice), or the payment's own
    # account getting the amount back: nothing tells which is the transfer
    assert partners([out, ("wallet", d, "Received", 75.0), ("saver", d, "Received", 75.0)]) == {}
    assert partners([out, ("wallet", d, "Received", 75.0), ("wallet", d, "Received", 75.0)]) == {}
    assert partners([out, ("wallet", d, "Received", 75.0), ("bank", d, "Refund", 75.0)]) == {}
    # two payments out of one amount for one arrival
    assert partners([out, ("bank", d, "Faster payment Ann", -75.0), ("wallet", d, "Received", 75.0)]) == {}
    # ids an account gives two rows take no part (nothing to tell the rows apart by)
    rows = frame([out, ("wallet", d, "Received", 75.0)])
    twice = rows.iloc[[0, 0, 1]].reset_index(drop=True)
    from detector.transfers import paired_rows, transfer_keys

    assert paired_rows(transfer_keys(twice, AS_OF)).empty


def test_a_conversion_pairs_by_the_amount_its_line_states():
    # "Converted 100.00 GBP to 116.47 EUR" leaves the pound balance as 100.00 and arrives as
    # 116.47; a card payment abroad stating its euro price pairs with no euro arrival but its own
    d = dt.date(2025, 3, 4)
    rows = [("gbp", d, "Sent 100.00 GBP as 116.47 EUR", -100.0, "GBP"),
            ("eur", d, "Received money", 116.47, "EUR")]
    assert partners(rows) == {"t0000": "eur", "t0001": "gbp"}
    assert partners([rows[0], ("eur", d, "Received money", 116.48, "EUR")]) == {}
    stated_in = [("gbp", d, "Transfer to own EUR account", -100.0, "GBP"),
                 ("eur", d, "Incoming 100.00 GBP converted", 116.47, "EUR")]
    assert partners(stated_in) == {"t0000": "eur", "t0001": "gbp"}


def household(tmp_path, *, raise_from=None, wallet_from=(2024, 7)):
    """A Monzo account topping up its holder's Revolut by card (200.00 on the 3rd) and paying their
    Wise account (150.00 on the 4th, reference "Holiday fund"), with the Revolut and Wise GBP
    statements showing the money arrive from ``wallet_from`` (year, month) on; from ``raise_from``
    both are 40.00 more."""
    mz, rv, wz = [], [], []
    for k, (y, m) in enumerate(MONTHS):
        if (y, m) < wallet_from:
            mz += [(dt.date(y, m, 3), "Card payment", "Revolut", "REVOLUT**7302* DUBLIN IRL", -200.0),
                   (dt.date(y, m, 4), "Faster payment", "Sam Taylor", "Holiday fund", -150.0),
                   (dt.date(y, m, 20), "Card payment", "Audible", "AUDIBLE UK ADBL.CO.UK/ACC", -7.99)]
            continue
        more = 40.0 if raise_from and (y, m) >= raise_from else 0.0
        mz += [(dt.date(y, m, 3), "Card payment", "Revolut", "REVOLUT**7302* DUBLIN IRL", -200.0 - more),
               (dt.date(y, m, 4), "Faster payment", "Sam Taylor", "Holiday fund", -150.0 - more),
               (dt.date(y, m, 20), "Card payment", "Audible", "AUDIBLE UK ADBL.CO.UK/ACC", -7.99),
               (dt.date(y, m, 25), "Faster payment", "Initech Ltd", "SALARY", 2400.0)]
        rv += [(f"{y}-{m:02d}-03", "TOPUP", "Top-Up by *7302", 200.0 + more, "GBP"),
               (f"{y}-{m:02d}-15", "CARD_PAYMENT", "Spotify", -11.99, "GBP")]
        wz += [(f"TRANSFER-{k}", dt.date(y, m, 5), "Received money from Sam Taylor with reference Holiday fund",
                150.0 + more, ""),
               (f"CARD-{k}", dt.date(y, m, 9), "Card transaction of 6.99 GBP issued by Deezer London", -6.99,
                "Deezer London")]
    return [monzo(tmp_path / "MonzoDataExport_2024-07-01_2025-06-30.csv", mz),
            revolut(tmp_path / "account-statement_2024-07-01_2025-06-30_en-gb_aa11.csv", rv),
            wise(tmp_path / "statement_2718_GBP_2024-07-01_2025-06-30.csv", "GBP", wz)]


def test_top_ups_of_ones_own_wallets_in_the_scan_are_no_subscriptions(runner, tmp_path):
    # round-thirty-nine audit: a Monzo card topping up Revolut and a transfer to Wise, both seen
    # arriving on the scanned Revolut and Wise statements, were 550.00 GBP a month of "active
    # subscriptions"; raised, medium price increases with refund requests
    files = household(tmp_path, raise_from=(2025, 3))
    db = tmp_path / "s.db"
    doc = scan_json(runner, db, *files)
    by_name = {s["merchant"]: s for s in doc["streams"]}
    for name in ("Revolut", "Holiday fund"):
        s = by_name[name]
        assert (s["counted"], s["not_counted_reason"], s["monthly_amount"]) == (False, "own_transfer", None)
        assert "a transfer between your own accounts: 12 of its charges arrived in" in s["evidence"]
    received = [s for s in doc["streams"] if s["merchant"].startswith("Received money from Sam Taylor")]
    assert received and received[0]["not_counted_reason"] == "own_transfer"
    counted = sorted(s["merchant"] for s in doc["streams"] if s["counted"])
    assert counted == ["Audible", "Deezer", "Spotify"]
    assert doc["flags"] == [] and doc["refund_requests"] == []
    # the table leaves them out of the total and names them under it
    table = runner.invoke(cli, ["report", "--db", str(db)]).stdout
    assert "Revolut" not in table.split("Total")[0]
    note = " ".join(table.split())
    assert "Not listed or counted: 2 transfer(s) to your own accounts" in note
    assert "Revolut 240.00, Holiday fund 190.00" in note


def test_wallet_statements_shorter_than_the_banks_still_pair_its_stream(runner, tmp_path):
    # the wallets' exports cover the last four months of the bank's twelve: the top-ups before
    # them are the same line, the same stream; one month's overlap is not enough to tell
    doc = scan_json(runner, tmp_path / "s.db", *household(tmp_path, wallet_from=(2025, 3)))
    s = {x["merchant"]: x for x in doc["streams"]}
    assert s["Revolut"]["not_counted_reason"] == "own_transfer" and len(s["Revolut"]["transaction_ids"]) == 12
    assert "4 of its charges arrived in" in s["Revolut"]["evidence"]
    doc = scan_json(runner, tmp_path / "t.db", *household(tmp_path, wallet_from=(2025, 6)))
    assert {x["merchant"]: x["counted"] for x in doc["streams"]}["Revolut"] is True


def test_a_wallet_scanned_later_pairs_with_the_bank_scanned_before(runner, tmp_path):
    # the bank's statement scanned alone: the top-up is a plan; the wallet's statement scanned
    # the next week is paired with the stored bank rows, and the bank's streams are detected again
    bank, wallet, _ = household(tmp_path)
    db = tmp_path / "s.db"
    first = scan_json(runner, db, bank)
    assert [s["counted"] for s in first["streams"] if s["merchant"] == "Revolut"] == [True]
    scan_json(runner, db, wallet)
    doc = json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout)
    revolut_ = [s for s in doc["streams"] if s["merchant"] == "Revolut"]
    assert [s["not_counted_reason"] for s in revolut_] == ["own_transfer"]
    # and `detect` of one account alone keeps reading it so, and shows that account alone
    alone = runner.invoke(cli, ["detect", "--db", str(db), "--as-of", AS_OF, "--account",
                                revolut_[0]["account_id"], "--format", "json"])
    assert alone.exit_code == 0, alone.output
    assert {s["account_id"] for s in json.loads(alone.stdout)["streams"]} == {revolut_[0]["account_id"]}
    doc = json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout)
    assert [s["not_counted_reason"] for s in doc["streams"] if s["merchant"] == "Revolut"] == ["own_transfer"]


def test_accounts_detected_in_separate_batches_are_paired_alike(runner, tmp_path, monkeypatch):
    # detection runs a batch of accounts at a time (docs/scale.md); the pairing looks at all
    from detector import pipeline

    files = household(tmp_path)
    whole = scan_json(runner, tmp_path / "a.db", *files)
    monkeypatch.setattr(pipeline, "DETECT_BATCH_ROWS", 30)
    batched = scan_json(runner, tmp_path / "b.db", *files)
    assert [(s["stream_id"], s["not_counted_reason"], s["evidence"]) for s in batched["streams"]] == \
        [(s["stream_id"], s["not_counted_reason"], s["evidence"]) for s in whole["streams"]]
    assert sum(s["not_counted_reason"] == "own_transfer" for s in whole["streams"]) == 3


def _canonical(tmp_path):
    from detector.store import Store

    db = tmp_path / "c.db"
    from detector.importers import ingest_files

    store = Store(db)
    ingest_files(household(tmp_path), store)
    tx = store.transactions()
    store.close()
    return tx


@pytest.mark.parametrize("engine,options", [("local", {"batch_accounts": 1}), ("chunked", {"chunk_rows": 40}),
                                            ("chunked", {"chunk_rows": 40, "order": "hash", "partitions": 2})])
def test_every_engine_pairs_over_all_its_input(tmp_path, engine, options):
    from detector import engines

    tx = _canonical(tmp_path)
    path = tmp_path / "tx.csv"
    tx.to_csv(path, index=False)
    want_s, want_f = engines.run(tx, AS_OF, engine="local")
    assert want_s["evidence"].str.contains("a transfer between your own accounts").sum() == 3
    got_s, got_f = engines.run(tx if engine == "local" else path, AS_OF, engine=engine, **options)
    assert got_s.equals(want_s) and got_f.equals(want_f)
    # transfers=False pairs nothing (an input of many people's accounts)
    none, _ = engines.run(tx if engine == "local" else path, AS_OF, engine=engine, transfers=False, **options)
    assert not none["evidence"].str.contains("a transfer between your own accounts").any()


def test_strangers_payments_that_meet_by_chance_make_no_transfer_stream():
    # many people's accounts in one input (our generator's): a purchase in one account and a
    # refund of its amount in another's pair now and then, but no stream is read as a transfer
    # (two charges or more paired with one account, and half of them over that stretch)
    from detector.pipeline import detect_account
    from detector.synth import generate
    from detector.transfers import paired_rows, transfer_keys

    tx, _ = generate(60, "2023-06-01", "2024-12-31", seed=7)
    assert len(paired_rows(transfer_keys(tx, "2024-12-31"))) > 0
    streams, _ = detect_account(tx, "2024-12-31")
    assert len(streams) > 100
    assert not streams["evidence"].str.contains("a transfer between your own accounts").any()
