"""Statements bigger than memory: stream a canonical CSV through detection, accounts kept whole.

Two strategies, both giving exactly the in-memory result (detection is per account):

* ``order="sorted"``: a pass over a file sorted (grouped) by ``account_id``. Each chunk's last
  account may continue in the next chunk, so its rows are held back and prepended to the next one.
  An account that shows up again after it was finished means the file is not grouped: raises.
* ``order="hash"``: two passes for unsorted files. Pass one appends every row to one of
  ``partitions`` temporary folders of Parquet files chosen by a hash of ``account_id``; pass two
  detects each partition in memory. Peak memory is one partition, not the file. Each row keeps
  its record in the file, so an input error still names its line.
* ``order="auto"`` (default) tries ``sorted`` and falls back to ``hash`` on the first out-of-order
  account.

Transfers between the file's accounts (:mod:`detector.transfers`) need every account: each
strategy reads its accounts twice, first for the few numbers a row the pairing needs (kept, about
50 bytes a row), then to detect them with the pairs on their rows.
"""

from __future__ import annotations

import math
import tempfile
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, ImportError_
from ..schema import SchemaError, require_columns
from ..transfers import attach_transfers, no_pairs, paired_rows, transfer_keys
from .frames import (
    REQUIRED_INPUT_COLUMNS,
    DetectFn,
    canonical_transactions,
    conform_flags,
    conform_streams,
    default_detect,
    detect_frame,
    input_error_in_file,
    shared_flag_ids,
)
from .io import canonical_names, csv_frames, csv_header, is_parquet, record_line, require_readable

DEFAULT_CHUNK_ROWS = 250_000
#: Target bytes of CSV per hash partition (~1M rows of a typical statement).
PARTITION_BYTES = 128 * 1024 * 1024


class NotGrouped(ImportError_):
    """The file is not grouped by account, so ``order="sorted"`` cannot stream it."""


def _chunks(path: Path, chunk_rows: int):
    if is_parquet(path):
        import pyarrow.dataset as ds

        # a file or a directory of parts, as the other engines read them
        for batch in ds.dataset(path, format="parquet").to_batches(batch_size=chunk_rows):
            if batch.num_rows:
                yield batch.to_pandas()
        return
    # as the local engine reads it: a malformed line is an ImportError_ naming the file and line
    # (pandas' own ParserError, ValueError and UnicodeDecodeError came out unnamed), and a file
    # with only its header gives no chunk (an empty one crashed with IndexError)
    yield from csv_frames(path, chunk_rows)


def _require_columns(path: Path) -> None:
    """The input's columns, checked before any chunk is read: a missing ``account_id`` ended
    in a bare ``KeyError``, with no file named."""
    require_readable(path)
    if is_parquet(path):
        import pyarrow.dataset as ds

        names = ds.dataset(path, format="parquet").schema.names
    else:
        raw = csv_header(path)
        spelled = canonical_names(raw)  # ACCOUNT_ID is account_id, as the chunks are read
        names = [spelled.get(c, c) for c in raw]
    require_columns(pd.DataFrame(columns=names), REQUIRED_INPUT_COLUMNS, f"engine input {path}")


def _detect(frame: pd.DataFrame, path: Path, as_of, detect, kwargs, records=None):
    """:func:`detect_frame` on rows of ``path``; an input error names the file, and the line
    (a Parquet file's row) by ``records``: the file record of the frame's first row, or of
    each row (:func:`input_error_in_file`)."""
    try:
        return detect_frame(frame, as_of, detect, **kwargs)
    except SchemaError as exc:
        raise input_error_in_file(exc, path, records=records) from None


def _where(path: Path, record: int) -> tuple[int | None, str]:
    """``(line, note)`` naming a file's ``record`` (from 0): a CSV's line, a Parquet file's row."""
    if is_parquet(path):
        return None, f" (row {record + 1})"
    return record_line(path, record), ""


def _finish(streams: list, flags: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = pd.concat(streams, ignore_index=True) if streams else None
    f = conform_flags(pd.concat(flags, ignore_index=True) if flags else None)
    clash = shared_flag_ids(f)
    if clash:  # (as the local engine and the Spark job stop)
        raise SchemaError(f"engine input: {clash}")
    return conform_streams(s), f


def _sorted_frames(path: Path, chunk_rows: int):
    """The rows of a file grouped by account, whole accounts at a time: ``(frame, first record)``.
    Raises :class:`NotGrouped` where an account comes back."""
    done = set()
    carry = None
    rows_seen = 0
    for chunk in _chunks(path, chunk_rows):
        if chunk.empty:
            continue
        # the file record (from 0) of the chunk's first row, carried rows included
        first = rows_seen - (0 if carry is None else len(carry))
        rows_seen += len(chunk)
        if carry is not None:
            chunk = pd.concat([carry, chunk], ignore_index=True)
        ids = chunk["account_id"].reset_index(drop=True)
        # every account must be one contiguous run, never seen in an earlier chunk: the error
        # names the line where an account comes back
        starts = ids[ids.ne(ids.shift())]
        back = starts.duplicated() | starts.isin(done)
        if back.any():
            line, note = _where(path, first + int(starts.index[back.to_numpy()][0]))
            raise NotGrouped(f"rows are not grouped by account_id (account {starts[back].iloc[0]!r} comes back)"
                             + note, path=str(path), line=line)
        held = ids.eq(ids.iloc[-1]).to_numpy()
        ready, carry = chunk[~held], chunk[held]
        if len(ready):
            done.update(pd.unique(ready["account_id"]))
            yield ready, first
    if carry is not None and len(carry):
        yield carry, rows_seen - len(carry)


def _transfer_pairs(frames, path: Path, as_of) -> pd.DataFrame:
    """The transfers between the file's accounts (:func:`detector.transfers.paired_rows`), read
    from ``frames`` of whole accounts ``(frame, records)``: the keys of every row (about 50 bytes
    a row) are held, not the rows. A bad value stops it as detection would, naming its line."""
    parts = []
    for frame, records in frames:
        try:
            canon = canonical_transactions(frame, sort=False, check_values=True)
        except SchemaError as exc:
            raise input_error_in_file(exc, path, records=records) from None
        parts.append(transfer_keys(canon, as_of))
    if len(parts) == 0:
        return no_pairs()
    return paired_rows(pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0])


def _run_sorted(path: Path, as_of, detect, chunk_rows, kwargs, transfers: bool = True):
    # two passes: the transfers between accounts first, then detection, a few accounts at a time
    pairs = _transfer_pairs(_sorted_frames(path, chunk_rows), path, as_of) if transfers else no_pairs()
    streams, flags = [], []
    for frame, first in _sorted_frames(path, chunk_rows):
        s, f = _detect(attach_transfers(frame, pairs), path, as_of, detect, kwargs, first)
        streams.append(s)
        flags.append(f)
    return _finish(streams, flags)


#: Column the hash pass gives each row: its record in the file (from 0), so an input error
#: found in a partition names the row's line as the other engines do (round-twenty-three audit:
#: an unsorted file with a bad date was named without one).
RECORD_COLUMN = "_record"


def _run_hash(path: Path, as_of, detect, chunk_rows, partitions, kwargs, transfers: bool = True):
    if partitions is None:
        partitions = max(1, math.ceil(path.stat().st_size / PARTITION_BYTES))
    streams, flags = [], []
    rows_seen = 0
    with tempfile.TemporaryDirectory(prefix="subdetect-parts-") as tmp:
        # Parquet parts, one file per chunk and partition: the rows come back with the types they
        # were read with (a CSV round trip turned "" into a missing description and dropped a
        # date's time zone, so the fallback's results differed from the other engines')
        parts = [Path(tmp) / f"part-{i:04d}" for i in range(partitions)]
        for n, chunk in enumerate(_chunks(path, chunk_rows)):
            chunk[RECORD_COLUMN] = np.arange(rows_seen, rows_seen + len(chunk), dtype="int64")
            rows_seen += len(chunk)
            bucket = pd.util.hash_array(chunk["account_id"].astype(str).to_numpy(dtype=object)) % partitions
            for i, rows in chunk.groupby(bucket, sort=False):
                parts[i].mkdir(exist_ok=True)
                rows.to_parquet(parts[i] / f"{n:06d}.parquet", index=False)
        def partitions():  # (each partition holds whole accounts)
            for part in parts:
                if not part.exists():
                    continue
                tx = pd.concat([pd.read_parquet(f) for f in sorted(part.glob("*.parquet"))], ignore_index=True)
                yield tx, tx.pop(RECORD_COLUMN).to_numpy()

        pairs = _transfer_pairs(partitions(), path, as_of) if transfers else no_pairs()
        for tx, records in partitions():
            s, f = _detect(attach_transfers(tx, pairs), path, as_of, detect, kwargs, records)
            streams.append(s)
            flags.append(f)
    return _finish(streams, flags)


def run_chunked(
    path: str | PathLike,
    as_of: str,
    *,
    detect: DetectFn | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    order: str = "auto",
    partitions: int | None = None,
    transfers: bool = True,
    **kwargs,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Streams and flags of a canonical CSV/Parquet file read ``chunk_rows`` rows at a time.
    ``transfers=False`` pairs no transfers between its accounts (as :func:`.local.run_local`)."""
    if isinstance(path, pd.DataFrame):
        raise ConfigError("the chunked engine reads a file; pass a path (use engine='local' for frames)")
    p = Path(path)
    if not p.exists():
        raise ImportError_("no such file", path=str(p))
    _require_columns(p)
    detect = detect or default_detect()
    if order not in ("auto", "sorted", "hash"):
        raise ConfigError(f"unknown order {order!r}; choose auto, sorted or hash")
    if order == "hash":
        return _run_hash(p, as_of, detect, chunk_rows, partitions, kwargs, transfers)
    try:
        return _run_sorted(p, as_of, detect, chunk_rows, kwargs, transfers)
    except NotGrouped:
        if order == "sorted":
            raise
        return _run_hash(p, as_of, detect, chunk_rows, partitions, kwargs, transfers)
