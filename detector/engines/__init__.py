"""Engines that run the same per-account detection over many accounts.

    run(tx_or_path, as_of, engine="local" | "spark" | "chunked", ...) -> (streams, flags)

Every engine returns STREAM_COLUMNS and FLAG_COLUMNS frames with the same dtypes and row order
(:mod:`detector.engines.frames`), so their results compare equal. ``local`` runs in this process;
``chunked`` streams a canonical file bigger than memory through ``local`` with accounts kept
whole; ``spark`` runs ``groupBy("account_id").applyInPandas`` (PySpark is an optional extra).
"""

from __future__ import annotations

from os import PathLike

import pandas as pd

from ..errors import ConfigError
from .frames import (
    DetectFn,
    canonical_transactions,
    conform_flags,
    conform_streams,
    detect_frame,
)
from .local import run_local

ENGINES = ("local", "chunked", "spark")


def run(
    tx_or_path: pd.DataFrame | str | PathLike,
    as_of: str,
    engine: str = "local",
    *,
    cancellations=None,
    dismissed=None,
    model=None,
    detect: DetectFn | None = None,
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Detect streams and flags over canonical transactions (a frame or a CSV/Parquet path).

    ``detect`` defaults to :func:`detector.pipeline.detect_account`; ``cancellations``,
    ``dismissed`` and ``model`` are passed to it unchanged. ``options`` go to the engine
    (``batch_rows``/``batch_accounts`` for local; ``chunk_rows``/``order`` for chunked; ``spark``, ``master``,
    ``shuffle_partitions`` for spark; ``transfers=False`` for any: no transfers between the input's
    accounts are paired, :mod:`detector.transfers`). Raises :class:`~detector.errors.EngineUnavailable` when
    ``engine="spark"`` and PySpark is not installed.
    """
    kwargs = {k: v for k, v in (("cancellations", cancellations), ("dismissed", dismissed), ("model", model))
              if v is not None}
    if engine == "local":
        return run_local(tx_or_path, as_of, detect=detect, **kwargs, **options)
    if engine == "chunked":
        from .chunked import run_chunked

        return run_chunked(tx_or_path, as_of, detect=detect, **kwargs, **options)
    if engine == "spark":
        from .spark import require_pyspark, run_spark

        require_pyspark()
        return run_spark(tx_or_path, as_of, detect=detect, **kwargs, **options)
    raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


__all__ = [
    "ENGINES",
    "DetectFn",
    "canonical_transactions",
    "conform_flags",
    "conform_streams",
    "detect_frame",
    "run",
    "run_local",
]
