"""Hand-built transactions and streams for the flag and report tests."""

from __future__ import annotations

import pandas as pd

from detector.ids import stable_id
from detector.schema import STREAM_COLUMNS


class Book:
    """Collects transactions and streams for one test, in the shapes the pipeline hands over."""

    def __init__(self, account: str = "acct1", currency: str = "USD"):
        self.account = account
        self.currency = currency
        self.rows: list[dict] = []
        self.streams: list[dict] = []

    def charge(self, date: str, amount: float, merchant: str = "Netflix", key: str | None = None,
               description: str | None = None, account: str | None = None) -> str:
        """Add one transaction (positive ``amount`` = money out) and return its id."""
        tid = f"t{len(self.rows) + 1:04d}"
        self.rows.append({
            "transaction_id": tid, "account_id": account or self.account, "date": date,
            "amount": -round(amount, 2), "currency": self.currency,
            "description": description or f"{merchant.upper()} 866-555-0100",
            "source": "test", "source_file": "", "source_line": 0,
            "merchant": merchant, "merchant_key": key or merchant.lower().replace(" ", ""),
            "vendor": merchant, "channel": "direct", "match_score": 100.0,
        })
        return tid

    def stream(self, ids: list[str], frequency: str = "monthly", merchant: str | None = None,
               direction: str = "outflow", status: str = "active") -> str:
        rows = [r for r in self.rows if r["transaction_id"] in ids]
        rows.sort(key=lambda r: r["date"])
        merchant = merchant or rows[0]["merchant"]
        amounts = [abs(r["amount"]) for r in rows]
        sid = stable_id(rows[0]["account_id"], merchant, direction, len(self.streams), prefix="s_")
        self.streams.append({
            "stream_id": sid, "account_id": rows[0]["account_id"], "merchant": merchant, "vendor": merchant,
            "channel": "direct", "direction": direction, "frequency": frequency,
            "average_amount": round(sum(amounts) / len(amounts), 2), "last_amount": amounts[-1],
            "first_date": rows[0]["date"], "last_date": rows[-1]["date"], "next_date": None,
            "next_amount": amounts[-1], "status": status, "confidence": 0.9,
            "transaction_ids": [r["transaction_id"] for r in rows], "evidence": "test",
        })
        return sid

    def series(self, start: str, n: int, amount, merchant: str = "Netflix", months: int = 1,
               days: int | None = None) -> list[str]:
        """``n`` charges every ``months`` months (or ``days`` days); ``amount`` a number or a list."""
        amounts = amount if isinstance(amount, (list, tuple)) else [amount] * n
        start_ts = pd.Timestamp(start)
        ids = []
        for i in range(n):
            ts = start_ts + (pd.Timedelta(days=days * i) if days else pd.DateOffset(months=months * i))
            ids.append(self.charge(ts.strftime("%Y-%m-%d"), amounts[i], merchant))
        return ids

    @property
    def tx(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)

    @property
    def stream_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.streams, columns=list(STREAM_COLUMNS))
