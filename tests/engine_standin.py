"""A tiny stand-in for ``detector.pipeline.detect_account`` used by the engine tests.

It honours the contract (whole accounts in, STREAM_COLUMNS and FLAG_COLUMNS out, vectorised over
many accounts) and is order-sensitive on purpose (float means, "last" amounts), so an engine
that feeds rows in a different order or splits an account would produce different results.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from detector.ids import stable_id


def standin_detect(tx: pd.DataFrame, as_of: str, *, cancellations=None, **_):
    out = tx[(tx["amount"] < 0) & (tx["date"] <= as_of)]
    agg = (
        out.groupby(["account_id", "description"], sort=False)
        .agg(
            n=("transaction_id", "size"),
            first_date=("date", "min"),
            last_date=("date", "max"),
            average_amount=("amount", "mean"),
            last_amount=("amount", "last"),
            transaction_ids=("transaction_id", list),
        )
        .reset_index()
    )
    agg = agg[agg["n"] >= 3]
    cancelled = set()
    if cancellations is not None and len(cancellations):
        cancelled = set(zip(cancellations["account_id"], cancellations["merchant"]))
    streams = pd.DataFrame(
        {
            "stream_id": [stable_id(a, d, prefix="s_") for a, d in zip(agg["account_id"], agg["description"])],
            "account_id": agg["account_id"],
            "merchant": agg["description"],
            "vendor": [None if int(d.split()[-1]) % 2 else "Vendor" for d in agg["description"]],
            "channel": "direct",
            "direction": "outflow",
            "frequency": "monthly",
            "average_amount": -agg["average_amount"],
            "last_amount": -agg["last_amount"],
            "first_date": agg["first_date"],
            "last_date": agg["last_date"],
            "next_date": agg["last_date"],
            "next_amount": -agg["last_amount"],
            "status": [
                "cancelled" if (a, d) in cancelled else "active"
                for a, d in zip(agg["account_id"], agg["description"])
            ],
            "confidence": np.minimum(1.0, agg["n"] / 12.0),
            "transaction_ids": agg["transaction_ids"],
            "evidence": [f"{n} charges" for n in agg["n"]],
        }
    )
    charges = out.merge(
        streams[["account_id", "merchant", "stream_id", "average_amount", "vendor"]],
        left_on=["account_id", "description"],
        right_on=["account_id", "merchant"],
    )
    hit = charges[-charges["amount"] > charges["average_amount"] * 1.05]
    flags = pd.DataFrame(
        {
            "flag_id": [stable_id("price_increase", t, prefix="f_") for t in hit["transaction_id"]],
            "type": "price_increase",
            "transaction_id": hit["transaction_id"],
            "account_id": hit["account_id"],
            "merchant": hit["merchant"],
            "stream_id": hit["stream_id"],
            "date": hit["date"],
            "amount": -hit["amount"],
            "severity": "medium",
            "reason": [f"{-a:.2f} above average {m:.4f}" for a, m in zip(hit["amount"], hit["average_amount"])],
            "vendor": hit["vendor"],
            "channel": "direct",
            "description": hit["description"],
        }
    )
    return streams, flags


def make_transactions(n_accounts: int = 40, seed: int = 7) -> pd.DataFrame:
    """Random canonical transactions: monthly subscriptions with price changes, plus noise."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-05")
    for a in range(n_accounts):
        account = f"acct-{a:03d}"
        for m in range(rng.integers(1, 5)):
            price = float(rng.choice([4.99, 9.99, 15.49, 119.0]))
            name = f"SUB {m} {rng.integers(100)}"
            for k in range(int(rng.integers(2, 15))):
                if k == 8:
                    price = round(price * 1.2, 2)
                date = start + pd.Timedelta(days=int(30 * k + rng.integers(-2, 3) + m))
                rows.append((account, date, -price, name))
        for _ in range(int(rng.integers(5, 40))):
            date = start + pd.Timedelta(days=int(rng.integers(0, 420)))
            rows.append((account, date, -float(rng.integers(100, 9000)) / 100, f"SHOP {rng.integers(20)}"))
    df = pd.DataFrame(rows, columns=["account_id", "date", "amount", "description"])
    df = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # unsorted, like real input
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    df["transaction_id"] = [stable_id(*r, i) for i, r in enumerate(df.itertuples(index=False))]
    df["currency"] = "USD"
    df["source"] = "test"
    df["source_file"] = "mem"
    df["source_line"] = np.arange(2, len(df) + 2)
    return df


#: The day :func:`pending_doubles` is detected as of.
PENDING_AS_OF = "2026-07-14"


def pending_doubles() -> pd.DataFrame:
    """Canonical transactions with a ``pending`` column: four cards billed Spotify 11.99 on the
    12th, January to June 2026, then charged it twice in July. ``both``: two authorisations on
    07-12, both pending (held); ``oneday``: a posted charge and a pending one on 07-12 (held);
    ``later``: posted on 07-12, pending on 07-13 (a double charge); ``posted``: both posted on
    07-12 (a double charge). Each account's repeat is its row ``<account>-b``."""
    july = {"both": (("2026-07-12", True), ("2026-07-12", True)),
            "oneday": (("2026-07-12", False), ("2026-07-12", True)),
            "later": (("2026-07-12", False), ("2026-07-13", True)),
            "posted": (("2026-07-12", False), ("2026-07-12", False))}
    rows = []
    for account, pair in july.items():
        rows += [(f"{account}-{m}", account, f"2026-{m:02d}-12", False) for m in range(1, 7)]
        rows += [(f"{account}-{k}", account, day, pending) for k, (day, pending) in zip("ab", pair)]
    df = pd.DataFrame(rows, columns=["transaction_id", "account_id", "date", "pending"])
    return df.assign(amount=-11.99, description="Spotify USA 877-778-1161 NY", currency="USD")[
        ["transaction_id", "account_id", "date", "amount", "description", "currency", "pending"]]
