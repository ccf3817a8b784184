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
