"""Write engine results (streams and flags frames) into the SQLite store, idempotently."""

from __future__ import annotations

import pandas as pd

from ..store import Store, dumps, utcnow


def _rows(df: pd.DataFrame, table_columns: list[str], extra: dict) -> list[dict]:
    keep = [c for c in df.columns if c in table_columns]
    frame = df[keep].astype(object).where(df[keep].notna(), None)
    stamp = {k: v for k, v in extra.items() if k in table_columns}
    return [dict(zip(keep, row), **stamp) for row in frame.itertuples(index=False, name=None)]


def save_results(store: Store, streams: pd.DataFrame, flags: pd.DataFrame, as_of: str) -> tuple[int, int]:
    """Upsert streams (``transaction_ids`` as JSON) and flags; returns the two row counts.

    Only columns the tables have are written, so a frame with extra fields still stores.
    """
    now = utcnow()
    s = streams.copy()
    if "transaction_ids" in s:
        s["transaction_ids"] = [dumps(list(v)) for v in s["transaction_ids"]]
    stream_cols = list(store.db["streams"].columns_dict)
    flag_cols = list(store.db["flags"].columns_dict)
    with store.conn:
        if len(s):
            store.db["streams"].upsert_all(_rows(s, stream_cols, {"as_of": as_of, "updated_at": now}),
                                           pk="stream_id")
        if len(flags):
            store.db["flags"].upsert_all(_rows(flags, flag_cols, {"created_at": now}), pk="flag_id")
    return len(streams), len(flags)
