"""Generate the labelled descriptor set ``tests/data/descriptors.csv`` (seeded, reproducible).

Each row is a raw descriptor as a bank would print it, the vendor it should match (empty for
merchants that are not in the catalogue) and the billing channel. Merchant-name fields come
from :mod:`pipelines.descriptor_forms`; the bank layouts below wrap them the way Chase, Bank of
America, Wells Fargo, Amex, Capital One, Citi, US Bank, Monzo/Revolut and UK high-street banks
print card, recurring and ACH lines. About a third of the rows are marked ``holdout``: they are
used only for the final numbers, never while changing the normaliser or the catalogue.

    python -m pipelines.make_descriptor_set [--seed 7] [--out tests/data/descriptors.csv]
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from .descriptor_forms import (
    BANK_WORD_NEGATIVES,
    CITY_STATE,
    GOOGLE_NAMES,
    NON_SUBSCRIPTION,
    PAYPAL_NAMES,
    ROKU_NAMES,
    UK_CITIES,
    UK_COUNTRIES,
    VENDOR_FORMS,
)

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "descriptors.csv"
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _phone(rng):
    return rng.choice(["866-579-7172", "877-824-4858", "888-799-9666", "800-" + _digits(rng, 3) + "-" + _digits(rng, 4),
                       _digits(rng, 3) + "-" + _digits(rng, 3) + "-" + _digits(rng, 4), "4029357733"])


def _mmdd(rng):
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"


def _place(rng):
    city, st = rng.choice(CITY_STATE)
    return city, st


def _cut(text: str, n: int) -> str:
    return text[:n].rstrip()


# Bank layouts: name -> function(merchant field, rng) -> descriptor
def chase_credit(m, rng):
    city, st = _place(rng)
    return rng.choice([f"{m} {_phone(rng)} {st}", f"{_cut(m, 25)} {city} {st}", f"{m}"])


def chase_checking(m, rng):
    city, st = _place(rng)
    kind = rng.choice(["CARD PURCHASE", "RECURRING CARD PURCHASE", "CARD PURCHASE WITH PIN"])
    return f"{kind} {_mmdd(rng)} {m} {city} {st} CARD {_digits(rng, 4)}"


def boa_debit(m, rng):
    city, st = _place(rng)
    return rng.choice([
        f"CHECKCARD {_mmdd(rng).replace('/', '')} {m} {st} {_digits(rng, 23)}",
        f"CHECKCARD {_mmdd(rng).replace('/', '')} {m} {_phone(rng)} {st} {_digits(rng, 11)} RECURRING",
        f"PURCHASE {_mmdd(rng).replace('/', '')} {m} {city} {st}",
    ])


def boa_ach(m, rng):
    return (f"{_cut(m, 16)} DES:{rng.choice(['BILL PAY', 'PAYMENT', 'ENTERTAINM', 'SUBSCRIPT'])} "
            f"ID:{_digits(rng, 9)} INDN:JANE DOE CO ID:{_digits(rng, 10)} {rng.choice(['WEB', 'PPD', 'CCD'])}")


def wells(m, rng):
    city, st = _place(rng)
    kind = rng.choice(["PURCHASE AUTHORIZED ON", "RECURRING PAYMENT AUTHORIZED ON"])
    return f"{kind} {_mmdd(rng)} {m} {city} {st} S{_digits(rng, 15)} CARD {_digits(rng, 4)}"


def amex(m, rng):
    city, st = _place(rng)
    return rng.choice([f"{_cut(m, 20):<20}  {city:<13} {st}", f"{m} {_phone(rng)}", f"{m}  {city}"])


def capital_one(m, rng):
    city, st = _place(rng)
    return rng.choice([f"Debit Card Purchase - {m} {city} {st}", f"{m.title()}", f"{m} {city} {st}"])


def citi(m, rng):
    city, st = _place(rng)
    return f"{_cut(m, 23)} {city[:13]} {st}"


def usbank(m, rng):
    city, st = _place(rng)
    return rng.choice([f"POS DEBIT {m} {city} {st}", f"DEBIT CARD PURCHASE {m}", f"ACH DEBIT {m} {_digits(rng, 10)}",
                       f"ELECTRONIC WITHDRAWAL {m}", f"VISA DEBIT {m} {_digits(rng, 6)}"])


def monzo(m, rng):
    return rng.choice([m.title(), m.title().replace(".Com", ".com"), f"To {m.title()}"])


def uk_bank(m, rng):
    d, mon = rng.randint(1, 28), rng.choice(MONTHS)
    amt = f"{rng.randint(3, 60)}.{_digits(rng, 2)}"
    return rng.choice([
        f"{m} ON {d:02d} {mon} CPM",
        f"CARD PAYMENT TO {m},{amt} GBP, RATE 1.00/GBP ON {d:02d}-{MONTHS.index(mon) + 1:02d}-2025",
        f"{m} {rng.choice(UK_CITIES)} {rng.choice(UK_COUNTRIES)}",
        f"DD {m} {_digits(rng, 8)}",
        f"{m} {_digits(rng, 4)} {d:02d}{mon}",
    ])


def square_style(m, rng):
    # processor prefix + card-network cut at 22 characters
    return _cut(f"{rng.choice(['SQ *', 'TST* ', 'SP * ', 'PY *'])}{m}", 22)


BANKS = {
    "chase_credit": chase_credit, "chase_checking": chase_checking, "boa_debit": boa_debit,
    "boa_ach": boa_ach, "wells": wells, "amex": amex, "capital_one": capital_one, "citi": citi,
    "usbank": usbank, "monzo": monzo, "uk_bank": uk_bank,
}
SUBSCRIPTION_BANKS = list(BANKS)


def apple_lines(rng):
    return rng.choice(["APPLE.COM/BILL 866-712-7753 CA", "APPLE.COM/BILL", "APL*ITUNES.COM/BILL 866-712-7753 CA",
                       "Apple.com/bill", "APPLE.COM BILL CUPERTINO CA", "ITUNES.COM/BILL"])


def generate(seed: int = 7) -> list[dict]:
    """All rows (raw, vendor, channel, bank, split), deduplicated on raw."""
    rng = random.Random(seed)
    rows: list[dict] = []

    def add(raw, vendor, channel, bank):
        rows.append({"raw": raw, "vendor": vendor, "channel": channel, "bank": bank})

    for vendor, forms in VENDOR_FORMS.items():
        for form in forms:
            for bank in rng.sample(SUBSCRIPTION_BANKS, 2):
                raw = BANKS[bank](form, rng)
                # Amazon-billed products keep their channel whatever the bank layout
                ch = "amazon" if vendor in {"Amazon Prime", "Amazon Prime Video", "Kindle Unlimited",
                                            "Amazon Music Unlimited"} else "direct"
                add(raw, vendor, ch, bank)
    for vendor, names in GOOGLE_NAMES.items():
        # YouTube Premium on a Google line is billed by Google for YouTube (round-48 audit)
        ch = "direct" if vendor == "YouTube Premium" else "google_play"
        for name in names:
            add(f"GOOGLE *{name}", vendor, ch, "google")
            add(f"GOOGLE *{name} g.co/helppay#", vendor, ch, "google")
    for vendor, names in PAYPAL_NAMES.items():
        for name in names:
            add(f"PAYPAL *{name} {_digits(rng, 10)}", vendor, "paypal", "paypal")
            add(f"PAYPAL DES:INST XFER ID:{name} INDN:JANE DOE CO ID:PAYPALSI77 WEB", vendor, "paypal", "boa_ach")
    for vendor, names in ROKU_NAMES.items():
        for name in names:
            add(f"ROKU FOR {name}", vendor, "roku", "roku")
            add(f"ROKU *{name} {_phone(rng)} CA", vendor, "roku", "roku")
    for _ in range(40):  # Apple never names the app: the channel is the merchant
        add(apple_lines(rng), "", "apple", "apple")
    for i in range(25):
        add(rng.choice(["ROKU INC", "ROKU.COM", "ROKU 408-556-9391 CA"]) + ("" if i % 2 else f" {_digits(rng, 6)}"),
            "", "roku", "roku")
    for raw in NON_SUBSCRIPTION:
        ch = "direct"
        up = raw.upper()
        if up.startswith(("AMZN", "AMAZON")):
            ch = "amazon"
        elif up.startswith("GOOGLE"):
            ch = "google_play"
        elif up.startswith("PAYPAL"):
            ch = "paypal"
        add(raw, "", ch, "plain")
        if ch == "direct" and not raw.startswith(("SQ", "TST", "SP ", "PY ", "EB ")):
            bank = rng.choice(SUBSCRIPTION_BANKS)
            add(BANKS[bank](raw, rng), "", ch, bank)
            if rng.random() < 0.5:
                add(square_style(raw, rng), "", ch, "square")
    # Added later with a generator of their own, so the rows and splits above stay as they were.
    neg_rng = random.Random(seed + 1)
    for raw in BANK_WORD_NEGATIVES:
        add(raw, "", "direct", "plain")
        add(f"{raw} PPD ID: {_digits(neg_rng, 10)}", "", "direct", "checking_ach")
    seen, out = set(), []
    for r in rows:
        if r["raw"] in seen:
            continue
        seen.add(r["raw"])
        r["split"] = "holdout" if rng.random() < 0.3 else "dev"
        out.append(r)
    return out


def write(rows: list[dict], path: Path = OUT) -> Path:
    """Write the set as CSV with columns ``raw, vendor, channel, bank, split``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["raw", "vendor", "channel", "bank", "split"])
        w.writeheader()
        w.writerows(rows)
    return path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = generate(args.seed)
    path = write(rows, args.out)
    vendors = {r["vendor"] for r in rows if r["vendor"]}
    print(f"{len(rows)} descriptors, {len(vendors)} vendors, "
          f"{sum(not r['vendor'] for r in rows)} non-catalogue -> {path}")


if __name__ == "__main__":
    main()
