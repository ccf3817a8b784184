"""Write the bundled sample statements in ``data/samples/`` (deterministic: seeded, no clock).

    python -m pipelines.make_samples [--out data/samples]

Two years (2023-07 .. 2025-06) of one household's accounts in eight bank layouts, with the
subscriptions the detector should find among everyday spending that it should not:

- chase_card.csv: Netflix 15.49 -> 17.99 (price increase), Spotify through ``PAYPAL *SPOTIFY``,
  two different subscriptions behind ``APPLE.COM/BILL`` (2.99 and 10.99), Amazon Prime annual;
  groceries, fuel, restaurants, a coffee shop at one price on irregular days, Amazon marketplace.
- amex.csv (charges positive): Adobe annual, a $1.00 trial that converts to 13.99, Hulu charged
  twice in one cycle (duplicate).
- capital_one.csv (CRLF, Debit/Credit columns): gym monthly plus its annual fee, still charged after
  the cancellation in cancellations.csv; the three seed vendors monthly.
- wells_fargo.csv (no header): payroll, rent, a phone bill of varying amount, card payments.
- monzo.csv, barclays.csv (GBP, day-first), ing_nl.csv (EUR, ``;``, comma decimals, latin-1),
  checking.qfx (OFX SGML): the same kinds of life in other banks' words.

The statements are written here, by this script; no real person's data is in them.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

START = date(2023, 7, 1)
END = date(2025, 6, 30)
SEED = 20250630


@dataclass
class Tx:
    day: date
    description: str
    amount: float  # negative = money out
    category: str = ""
    kind: str = "purchase"  # purchase | payment | refund | income | transfer | direct_debit
    extra: dict = field(default_factory=dict)


def months(start: date = START, end: date = END):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def on_day(y: int, m: int, day: int) -> date:
    return date(y, m, min(day, calendar.monthrange(y, m)[1]))


def monthly(rng, desc, amount, day, *, start=START, end=END, category="", jitter=1, kind="purchase",
            every=1):
    """A charge on about the same day each month; ``amount`` is a number or a function of the date."""
    out = []
    for i, (y, m) in enumerate(months(start, end)):
        if i % every:
            continue
        d = on_day(y, m, day) + timedelta(days=rng.randint(0, jitter))
        if not (start <= d <= end):
            continue
        amt = amount(d) if callable(amount) else amount
        out.append(Tx(d, desc, -round(amt, 2), category, kind))
    return out


def scattered(rng, per_month, descs, low, high, category, *, start=START, end=END, price=None):
    """Irregular everyday spending: ``per_month`` on average, random days and amounts."""
    out = []
    days = (end - start).days + 1
    n = int(per_month * days / 30.44)
    for _ in range(n):
        d = start + timedelta(days=rng.randrange(days))
        desc = rng.choice(descs)
        if callable(desc):
            desc = desc()
        amt = price if price is not None else round(rng.uniform(low, high), 2)
        out.append(Tx(d, desc, -amt, category))
    return out


def amzn_ref(rng) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return "".join(rng.choice(alphabet) for _ in range(9))


def sort_key(t: Tx):
    return (t.day, t.description, t.amount)


# -- the accounts --------------------------------------------------------------------------------

def chase_card(rng) -> list[Tx]:
    tx = []
    tx += monthly(rng, "NETFLIX.COM 866-579-7172 CA", lambda d: 15.49 if d < date(2024, 10, 1) else 17.99,
                  day=7, category="Entertainment", jitter=0)
    tx += monthly(rng, "PAYPAL *SPOTIFY 4029357733 CA", lambda d: 10.99 if d < date(2024, 7, 1) else 11.99,
                  day=22, category="Entertainment", jitter=0)
    tx += monthly(rng, "APPLE.COM/BILL 866-712-7753 CA", 2.99, day=3, category="Shopping", jitter=0)
    tx += monthly(rng, "APPLE.COM/BILL 866-712-7753 CA", 10.99, day=18, category="Shopping", jitter=0,
                  start=date(2023, 9, 1))
    for d in (date(2023, 9, 12), date(2024, 9, 12)):
        tx.append(Tx(d, f"Amazon Prime*{amzn_ref(rng)[:6]} Amzn.com/bill WA", -139.00, "Shopping"))
    tx += scattered(rng, 5, ["KROGER #0456", "TRADER JOE S #552", "WHOLEFDS MKT #10234", "COSTCO WHSE #0117"],
                    18, 160, "Groceries")
    tx += scattered(rng, 3, ["SHELL OIL 57442345", "CHEVRON 0204567", "EXXONMOBIL 4721"], 28, 72, "Gas")
    tx += scattered(rng, 4, ["CHIPOTLE 1234", "OLIVE GARDEN 0221", "TST* JOES PIZZA", "PANERA BREAD #601",
                             "DOORDASH*THAI BASIL"], 11, 85, "Food & Drink")
    tx += scattered(rng, 5, ["BLUE BOTTLE COFFEE"], 0, 0, "Food & Drink", price=5.75)
    tx += scattered(rng, 3, [lambda: f"AMZN Mktp US*{amzn_ref(rng)}"], 9, 120, "Shopping")
    tx.append(Tx(date(2024, 2, 14), "AMZN Mktp US*RT4K92LX1", 34.99, "Shopping", "refund"))
    for y, m in months():
        tx.append(Tx(on_day(y, m, 26), "Payment Thank You-Mobile", 900.00, "", "payment"))
    return tx


def amex(rng) -> list[Tx]:
    tx = []
    for d in (date(2023, 11, 20), date(2024, 11, 20)):
        tx.append(Tx(d, "ADOBE *ADOBE 408-536-6000 CA", -263.88, "Business Services-Software"))
    tx.append(Tx(date(2024, 4, 2), "DISNEY PLUS 888-905-7888 CA", -1.00, "Entertainment"))
    tx += monthly(rng, "DISNEY PLUS 888-905-7888 CA", 13.99, day=2, start=date(2024, 5, 1), jitter=0,
                  category="Entertainment")
    tx += monthly(rng, "HULU 877-8244858 CA", 17.99, day=20, jitter=0, category="Entertainment")
    tx.append(Tx(date(2025, 2, 21), "HULU 877-8244858 CA", -17.99, "Entertainment"))  # charged twice
    tx += scattered(rng, 3, ["UBER   *TRIP HELP.UBER.COM", "LYFT   *RIDE THU 8PM"], 9, 48, "Transportation")
    tx += scattered(rng, 2, ["DELTA AIR LINES ATLANTA", "MARRIOTT NEW YORK NY"], 120, 600, "Travel")
    tx += scattered(rng, 3, ["BLUE BOTTLE COFFEE"], 0, 0, "Restaurant", price=5.75)
    for y, m in months():
        tx.append(Tx(on_day(y, m, 28), "ONLINE PAYMENT - THANK YOU", 400.00, "", "payment"))
    return tx


def capital_one(rng) -> list[Tx]:
    tx = []
    tx += monthly(rng, "PLANET FITNESS 844-880-7180 NH", 24.99, day=17, jitter=0, category="Health Care")
    for d in (date(2024, 2, 25), date(2025, 2, 25)):
        tx.append(Tx(d, "PLANET FITNESS ANNUAL FEE 844-880-7180 NH", -49.00, "Health Care"))
    tx += monthly(rng, "PRO BACK OFFICE", 59.00, day=1, jitter=1, category="Other Services")
    tx += monthly(rng, "OT TRACK SUBSCRIPTION", 29.00, day=9, jitter=1, category="Other Services")
    tx += monthly(rng, "PRO360 CONTACT FEE", 35.00, day=14, jitter=1, category="Other Services")
    tx += scattered(rng, 3, ["SAFEWAY #1734", "ALDI 72034", "TARGET 00012345"], 15, 140, "Merchandise")
    tx += scattered(rng, 2, ["SHELL OIL 57442345", "SPEEDWAY 09876"], 30, 65, "Gas/Automotive")
    tx += scattered(rng, 2, ["STARBUCKS STORE 08321"], 0, 0, "Dining", price=6.45)
    for y, m in months():
        tx.append(Tx(on_day(y, m, 5), "CAPITAL ONE MOBILE PYMT", 250.00, "Payment/Credit", "payment"))
    return tx


def wells_fargo(rng) -> list[Tx]:
    tx = []
    d = date(2023, 7, 7)
    while d <= END:
        tx.append(Tx(d, "ACME CORP PAYROLL PPD ID: 9876543210", 2150.00, kind="income"))
        d += timedelta(days=14)
    tx += monthly(rng, "ZELLE TO MAPLE PROPERTY MGMT", 1850.00, day=1, jitter=0,
                  kind="transfer")
    tx += monthly(rng, "VERIZON WIRELESS PAYMENTS 8007922222", lambda d: round(rng.uniform(78, 96), 2),
                  day=12, jitter=1)
    tx += monthly(rng, "PGANDE WEB ONLINE PPD ID: 9111111111", lambda d: round(rng.uniform(60, 180), 2),
                  day=20, jitter=2)
    tx += monthly(rng, "CHASE CREDIT CRD AUTOPAY PPD ID: 4760039224", 900.00, day=26, jitter=0)
    tx += monthly(rng, "AMEX EPAYMENT ACH PMT", 400.00, day=28, jitter=0)
    tx += monthly(rng, "CAPITAL ONE MOBILE PMT", 250.00, day=5, jitter=0)
    tx += scattered(rng, 1, ["ATM WITHDRAWAL 000123 5TH ST"], 0, 0, "", price=100.00)
    return tx


def monzo(rng) -> list[Tx]:
    tx = []
    tx += monthly(rng, "NETFLIX.COM AMSTERDAM NLD", 10.99, day=11, jitter=0, category="entertainment")
    tx += monthly(rng, "PUREGYM LTD LEEDS GBR", 24.99, day=1, jitter=0, end=date(2025, 2, 28),
                  category="personal_care")
    tx += monthly(rng, "COUNCIL TAX LEEDS CC", 142.00, day=1, jitter=0, kind="direct_debit", category="bills",
                  start=date(2023, 7, 1), end=date(2025, 3, 31))
    tx += scattered(rng, 6, ["TESCO STORES 3176 LEEDS GBR", "SAINSBURYS S/MKT LEEDS GBR", "ALDI 123 LEEDS GBR"],
                    6, 75, "groceries")
    tx += scattered(rng, 6, ["PRET A MANGER LEEDS GBR"], 0, 0, "eating_out", price=3.65)
    tx += scattered(rng, 2, ["SHELL FUEL HEADINGLEY LEEDS GBR"], 30, 70, "transport")
    for y, m in months():
        tx.append(Tx(on_day(y, m, 28), "NORTHERN DIGITAL LTD SALARY", 2480.00, "income", "income"))
    return tx


def barclays(rng) -> list[Tx]:
    tx = []
    tx += monthly(rng, "SKY DIGITAL", lambda d: 38.00 if d < date(2024, 4, 1) else 41.50, day=15, jitter=0,
                  kind="direct_debit")
    tx += monthly(rng, "EE LIMITED", lambda d: round(rng.uniform(18, 34), 2), day=21, jitter=0,
                  kind="direct_debit")
    tx += monthly(rng, "SPOTIFY", 11.99, day=4, jitter=0)
    tx += scattered(rng, 5, ["WAITROSE 512", "CO-OP GROUP 070241", "M&S SIMPLY FOOD"], 8, 90, "")
    tx += scattered(rng, 2, ["BP BESSBOROUGH CONNECT"], 35, 75, "")
    tx += scattered(rng, 4, ["CAFFE NERO 535"], 0, 0, "", price=3.40)
    for y, m in months():
        tx.append(Tx(on_day(y, m, 25), "HARBOUR LTD SALARY", 2210.00, kind="income"))
    return tx


def ing_nl(rng) -> list[Tx]:
    tx = []
    tx += monthly(rng, "Netflix International B.V.", lambda d: 13.49 if d < date(2024, 11, 1) else 15.99,
                  day=9, jitter=0)
    tx += monthly(rng, "Spotify AB", 10.99, day=27, jitter=0)
    d = date(2023, 7, 4)
    while d <= END:  # Basic-Fit collects every four weeks, not monthly
        tx.append(Tx(d, "Basic-Fit Nederland B.V.", -29.99, kind="direct_debit"))
        d += timedelta(days=28)
    tx += scattered(rng, 6, ["Albert Heijn 1083", "Jumbo Amsterdam", "Lidl Amsterdam"], 5, 85, "")
    tx += scattered(rng, 2, ["Shell Amstelveen"], 35, 80, "")
    tx += scattered(rng, 4, ["Café de Jaren"], 0, 0, "", price=3.80)
    for y, m in months():
        tx.append(Tx(on_day(y, m, 24), "Werkgever Dijkstra B.V.", 3150.00, kind="income"))
    return tx


def checking_ofx(rng) -> list[Tx]:
    tx = []
    d = date(2023, 7, 14)
    while d <= END:
        tx.append(Tx(d, "DIRECT DEP GLOBEX PAYROLL", 1890.00, kind="income"))
        d += timedelta(days=14)
    tx += monthly(rng, "ADT SECURITY SERVICES", 45.99, day=3, jitter=0)
    tx += monthly(rng, "COMCAST CABLE COMM", lambda d: 89.99 if d < date(2024, 7, 1) else 99.99, day=16, jitter=0)
    tx += monthly(rng, "GEICO AUTO INSURANCE", 132.40, day=8, jitter=0)
    tx += scattered(rng, 4, ["SAFEWAY STORE 1734", "H-E-B #591"], 12, 140, "")
    tx += scattered(rng, 3, ["DUNKIN #348621"], 0, 0, "", price=4.29)
    return tx


# -- the writers ---------------------------------------------------------------------------------

def _csv_text(rows, header=None, *, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=lineterminator)
    if header:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def money(x: float) -> str:
    return f"{x:.2f}"


def write_chase_card(rng, txs) -> str:
    rows = []
    for t in sorted(txs, key=sort_key, reverse=True):  # Chase lists newest first
        typ = {"payment": "Payment", "refund": "Return"}.get(t.kind, "Sale")
        post = t.day + timedelta(days=rng.choice((0, 1, 1, 2)))
        rows.append([t.day.strftime("%m/%d/%Y"), post.strftime("%m/%d/%Y"), t.description, t.category, typ,
                     money(t.amount), ""])
    return _csv_text(rows, ["Transaction Date", "Post Date", "Description", "Category", "Type", "Amount", "Memo"])


def write_amex(rng, txs) -> str:
    rows = [[t.day.strftime("%m/%d/%Y"), t.description, "ALEX MORGAN", "-71003", money(-t.amount)]
            for t in sorted(txs, key=sort_key, reverse=True)]
    return _csv_text(rows, ["Date", "Description", "Card Member", "Account #", "Amount"])


def write_capital_one(rng, txs) -> str:
    rows = []
    for t in sorted(txs, key=sort_key, reverse=True):
        posted = t.day + timedelta(days=rng.choice((0, 1, 2)))
        debit, credit = (money(-t.amount), "") if t.amount < 0 else ("", money(t.amount))
        rows.append([t.day.isoformat(), posted.isoformat(), "4821", t.description, t.category or "Other",
                     debit, credit])
    return _csv_text(rows, ["Transaction Date", "Posted Date", "Card No.", "Description", "Category", "Debit",
                            "Credit"], lineterminator="\r\n")


def write_wells_fargo(rng, txs) -> str:
    rows = [[t.day.strftime("%m/%d/%Y"), money(t.amount), "*", "", t.description]
            for t in sorted(txs, key=sort_key, reverse=True)]
    return _csv_text(rows, quoting=csv.QUOTE_ALL)


def write_monzo(rng, txs) -> str:
    names = {"NETFLIX.COM": "Netflix", "PUREGYM": "PureGym", "COUNCIL": "Leeds City Council", "TESCO": "Tesco",
             "SAINSBURYS": "Sainsbury's", "ALDI": "Aldi", "PRET": "Pret A Manger", "SHELL": "Shell",
             "NORTHERN": "Northern Digital Ltd"}
    header = ["Transaction ID", "Date", "Time", "Type", "Name", "Emoji", "Category", "Amount", "Currency",
              "Local amount", "Local currency", "Notes and #tags", "Address", "Receipt", "Description",
              "Category split", "Money Out", "Money In"]
    rows = []
    for t in sorted(txs, key=sort_key):
        name = next((v for k, v in names.items() if t.description.startswith(k)), t.description.title())
        typ = {"direct_debit": "Direct Debit", "income": "Faster payment"}.get(t.kind, "Card payment")
        tid = "tx_0000" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
                                  for _ in range(18))
        desc = t.description
        clock = f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        rows.append([tid, t.day.strftime("%d/%m/%Y"), clock, typ, name, "", t.category or "general", money(t.amount), "GBP",
                     money(t.amount), "GBP", "", "", "", desc, "",
                     money(-t.amount) if t.amount < 0 else "", money(t.amount) if t.amount > 0 else ""])
    return _csv_text(rows, header)


def write_barclays(rng, txs) -> str:
    rows = []
    for t in sorted(txs, key=sort_key):
        sub = {"direct_debit": "Direct Debit", "income": "Counter Credit"}.get(t.kind, "Debit")
        memo = t.description
        if sub == "Debit":
            memo = f"{t.description:<24}ON {t.day.day:02d} {t.day.strftime('%b').upper()}          BCC"
        elif sub == "Direct Debit":
            memo = f"{t.description:<24}{rng.randint(10**9, 10**10 - 1)}          DDR"
        rows.append(["", t.day.strftime("%d/%m/%Y"), "20-32-06 13152170", money(t.amount), sub, memo])
    return _csv_text(rows, ["Number", "Date", "Account", "Amount", "Subcategory", "Memo"])


def write_ing_nl(rng, txs) -> str:
    header = ["Datum", "Naam / Omschrijving", "Rekening", "Tegenrekening", "Code", "Af Bij", "Bedrag (EUR)",
              "Mutatiesoort", "Mededelingen", "Saldo na mutatie", "Tag"]
    balance = 2400.00
    rows = []
    for t in sorted(txs, key=sort_key):
        balance += t.amount
        code, kind = {"direct_debit": ("IC", "Incasso"), "income": ("OV", "Overschrijving")}.get(
            t.kind, ("BA", "Betaalautomaat"))
        note = f"Pasvolgnr: 004 {t.day.strftime('%d-%m-%Y')} Valutadatum: {t.day.strftime('%d-%m-%Y')}"
        rows.append([t.day.strftime("%Y%m%d"), t.description, "NL12INGB0001234567",
                     "" if code == "BA" else "NL91ABNA0417164300", code, "Af" if t.amount < 0 else "Bij",
                     f"{abs(t.amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", "."), kind, note,
                     f"{balance:,.2f}".replace(",", "_").replace(".", ",").replace("_", "."), ""])
    return _csv_text(rows, header, delimiter=";", quoting=csv.QUOTE_ALL)


def write_ofx(rng, txs) -> str:
    lines = [
        "OFXHEADER:100", "DATA:OFXSGML", "VERSION:102", "SECURITY:NONE", "ENCODING:USASCII", "CHARSET:1252",
        "COMPRESSION:NONE", "OLDFILEUID:NONE", "NEWFILEUID:NONE", "",
        "<OFX>", "<SIGNONMSGSRSV1>", "<SONRS>", "<STATUS>", "<CODE>0", "<SEVERITY>INFO", "</STATUS>",
        "<DTSERVER>20250630120000.000[-5:EST]", "<LANGUAGE>ENG", "</SONRS>", "</SIGNONMSGSRSV1>",
        "<BANKMSGSRSV1>", "<STMTTRNRS>", "<TRNUID>0", "<STATUS>", "<CODE>0", "<SEVERITY>INFO", "</STATUS>",
        "<STMTRS>", "<CURDEF>USD", "<BANKACCTFROM>", "<BANKID>121000358", "<ACCTID>000987654321",
        "<ACCTTYPE>CHECKING", "</BANKACCTFROM>", "<BANKTRANLIST>",
        "<DTSTART>20230701120000.000[-5:EST]", "<DTEND>20250630120000.000[-5:EST]",
    ]
    for i, t in enumerate(sorted(txs, key=sort_key), start=1):
        lines += ["<STMTTRN>", f"<TRNTYPE>{'CREDIT' if t.amount > 0 else 'DEBIT'}",
                  f"<DTPOSTED>{t.day.strftime('%Y%m%d')}120000.000[-5:EST]", f"<TRNAMT>{money(t.amount)}",
                  f"<FITID>{t.day.strftime('%Y%m%d')}{i:05d}", f"<NAME>{t.description[:32]}", "</STMTTRN>"]
    lines += ["</BANKTRANLIST>", "<LEDGERBAL>", "<BALAMT>4210.55", "<DTASOF>20250630120000.000[-5:EST]",
              "</LEDGERBAL>", "</STMTRS>", "</STMTTRNRS>", "</BANKMSGSRSV1>", "</OFX>"]
    return "\r\n".join(lines) + "\r\n"


#: file name -> (account builder, writer, encoding)
SAMPLES = {
    "chase_card.csv": (chase_card, write_chase_card, "utf-8"),
    "amex.csv": (amex, write_amex, "utf-8"),
    "capital_one.csv": (capital_one, write_capital_one, "utf-8"),
    "wells_fargo.csv": (wells_fargo, write_wells_fargo, "utf-8"),
    "monzo.csv": (monzo, write_monzo, "utf-8-sig"),
    "barclays.csv": (barclays, write_barclays, "utf-8"),
    "ing_nl.csv": (ing_nl, write_ing_nl, "latin-1"),
    "checking.qfx": (checking_ofx, write_ofx, "ascii"),
}

CANCELLATIONS = [
    # The gym was cancelled in January 2025 but kept charging: a charge after cancellation. (The
    # card is stored under its own number, "capital_one-4821": "capital_one" reached no account.)
    ("capital_one-4821", "Planet Fitness", "2025-01-20"),
    # PureGym was cancelled and did stop: nothing to flag.
    ("monzo", "PureGym", "2025-03-05"),
]


def sample_statements(folder: str | Path = "data/samples") -> list[Path]:
    """The sample statement files (not ``cancellations.csv``), in a stable order."""
    return [Path(folder) / name for name in SAMPLES]


def make_samples(out: str | Path = "data/samples", seed: int = SEED) -> list[Path]:
    """Write every sample statement and ``cancellations.csv`` into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (name, (build, write, encoding)) in enumerate(SAMPLES.items()):
        rng = random.Random(seed + i)
        text = write(rng, build(rng))
        path = out / name
        # newline="" so each writer's own line endings (CRLF for Capital One and OFX) are kept.
        with open(path, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        written.append(path)
    path = out / "cancellations.csv"
    path.write_text(_csv_text(CANCELLATIONS, ["account_id", "merchant", "cancelled_on"]), encoding="utf-8")
    written.append(path)
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Write the sample statements (deterministic).")
    parser.add_argument("--out", default="data/samples")
    args = parser.parse_args(argv)
    for path in make_samples(args.out):
        print(path)


if __name__ == "__main__":
    main()
