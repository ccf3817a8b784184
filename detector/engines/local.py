"""The embedded engine: detection in this process, vectorised over many accounts at once.

``batch_rows`` bounds memory: whole accounts are detected in batches of about that many rows
(detection is per account, so the result is the same; peak memory of detection then grows with
the batch, not with the file). ``batch_accounts`` does the same by account count. ``workers``
detects the batches in that many processes (:mod:`detector.engines.workers`).
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import SchemaError
from ..transfers import TRANSFER_COLUMN, attach_transfers, no_pairs, paired_rows, transfer_keys
from .frames import (
    DetectFn,
    canonical_transactions,
    conform_flags,
    conform_streams,
    default_detect,
    input_error_in_file,
    shared_flag_ids,
)
from .io import read_transactions
from .workers import detect_batches


def _batches(account_ids: pd.Series, batch_rows: int | None, batch_accounts: int | None):
    """``(start, stop)`` row slices of a frame sorted by account, cut only between accounts."""
    n = len(account_ids)
    starts = np.flatnonzero(np.r_[True, _changes(account_ids)]) if n else []
    bounds = []
    begin, accounts_in = 0, 0
    for i, start in enumerate(starts):
        accounts_in += 1
        nxt = starts[i + 1] if i + 1 < len(starts) else n
        full_rows = batch_rows is not None and nxt - begin >= batch_rows
        full_accounts = batch_accounts is not None and accounts_in >= batch_accounts
        if full_rows or full_accounts or nxt == n:
            bounds.append((begin, nxt))
            begin, accounts_in = nxt, 0
    return bounds


def batch_frames(canon: pd.DataFrame, batch_rows: int | None = None, batch_accounts: int | None = None):
    """The batches of whole accounts of a canonical frame (sorted by account), one at a time."""
    for start, stop in _batches(canon["account_id"], batch_rows, batch_accounts):
        yield canon.iloc[start:stop].reset_index(drop=True)


def _changes(values: pd.Series) -> np.ndarray:
    """``values[i + 1] != values[i]`` for each row but the last, as a bool array.

    Compared in Arrow (or on factorized codes): ``to_numpy()`` of an Arrow string column makes a
    Python ``str`` per row, twice, which was the peak of a 3M-row scan (+700 MB).
    """
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        arr = None
    if arr is not None and arr.null_count == 0:
        return pc.not_equal(arr.slice(1), arr.slice(0, len(arr) - 1)).to_numpy(zero_copy_only=False)
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    return codes[1:] != codes[:-1]


def run_local(
    tx_or_path: pd.DataFrame | str | PathLike,
    as_of: str,
    *,
    detect: DetectFn | None = None,
    batch_rows: int | None = None,
    batch_accounts: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    workers: int | None = 1,
    transfers: bool = True,
    **kwargs,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Streams and flags of every account in ``tx_or_path`` (a frame, or a CSV/Parquet path).

    ``on_batch`` is called with the number of rows of each batch once it is detected (progress).
    ``workers`` > 1 (0: one per CPU) detects the batches in worker processes; it needs batches.
    ``transfers=False`` pairs no transfers between the input's accounts (:mod:`detector.transfers`:
    an input of many people's accounts).
    """
    detect = detect or default_detect()
    tx = read_transactions(tx_or_path) if not isinstance(tx_or_path, pd.DataFrame) else tx_or_path
    try:
        canon = canonical_transactions(tx, check_values=True)
    except SchemaError as exc:
        if isinstance(tx_or_path, pd.DataFrame):
            raise
        # a file's row: its line in a CSV, its row number in Parquet
        raise input_error_in_file(exc, tx_or_path, records=0) from None
    del tx
    if canon.empty:
        return conform_streams(None), conform_flags(None)
    if TRANSFER_COLUMN not in canon.columns:
        # transfers between the input's accounts are paired over all of it, before it is split
        # into batches (detector.transfers)
        attach_transfers(canon, paired_rows(transfer_keys(canon, as_of)) if transfers else no_pairs())
    frames = batch_frames(canon, batch_rows, batch_accounts) if batch_rows or batch_accounts else [canon]
    results = detect_batches(frames, as_of, detect=detect, workers=workers, on_batch=on_batch, **kwargs)
    flags = conform_flags(pd.concat([f for _, f in results]))
    clash = shared_flag_ids(flags)
    if clash:
        raise SchemaError(f"engine input: {clash}")
    return conform_streams(pd.concat([s for s, _ in results])), flags
