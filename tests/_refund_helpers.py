"""Shared builders for the refund tests: real rows in a real SQLite store."""

from __future__ import annotations

import pandas as pd

from detector.schema import FLAG_COLUMNS


def add_tx(store, transaction_id, date, amount, description, *, account="acc1", currency="USD", from_bank=True):
    """A charge; its id is the bank's own reference unless ``from_bank=False`` (a hash subdetect made)."""
    store.add_transactions(pd.DataFrame([{
        "transaction_id": transaction_id, "account_id": account, "date": date, "amount": -abs(amount),
        "currency": currency, "description": description, "source": "test", "source_file": "t.csv",
        "source_line": 1, "id_from_bank": int(from_bank),
    }]))


def flag(transaction_id, date, amount, *, type="annual_renewal", vendor=None, channel="direct",
         description="VENDOR*CHARGE", account="acc1", merchant=None, stream_id=None):
    row = {c: None for c in FLAG_COLUMNS}
    row.update(flag_id=f"f-{type}-{transaction_id}", type=type, transaction_id=transaction_id, account_id=account,
               merchant=merchant or vendor, stream_id=stream_id, date=date, amount=amount, severity="high",
               reason="evidence sentence", vendor=vendor, channel=channel, description=description)
    return row


def flags_df(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(FLAG_COLUMNS))
