"""The embedded engine: detection in this process, all accounts in one vectorised call.

``batch_accounts`` bounds memory for very many accounts by running whole accounts in batches;
results are identical because detection is per account.
"""

from __future__ import annotations

from os import PathLike

import pandas as pd

from .frames import DetectFn, conform_flags, conform_streams, default_detect, detect_frame
from .io import read_transactions


def run_local(
    tx_or_path: pd.DataFrame | str | PathLike,
    as_of: str,
    *,
    detect: DetectFn | None = None,
    batch_accounts: int | None = None,
    **kwargs,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Streams and flags of every account in ``tx_or_path`` (a frame, or a CSV/Parquet path)."""
    detect = detect or default_detect()
    tx = read_transactions(tx_or_path) if not isinstance(tx_or_path, pd.DataFrame) else tx_or_path
    if not batch_accounts:
        return detect_frame(tx, as_of, detect, **kwargs)
    accounts = pd.unique(tx["account_id"])
    streams, flags = [], []
    for start in range(0, len(accounts), batch_accounts):
        batch = tx[tx["account_id"].isin(accounts[start : start + batch_accounts])]
        s, f = detect_frame(batch, as_of, detect, **kwargs)
        streams.append(s)
        flags.append(f)
    if not streams:
        return conform_streams(None), conform_flags(None)
    return conform_streams(pd.concat(streams)), conform_flags(pd.concat(flags))


__all__ = ["run_local"]
