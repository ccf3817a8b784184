"""Reading and writing canonical transaction files (CSV or Parquet) for the engines."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd

from ..errors import ImportError_
from ..schema import TRANSACTION_COLUMNS

#: How canonical CSV columns are parsed: everything text except the two numeric columns, so ids
#: like "00123" and dates keep their exact spelling.
CSV_DTYPES = {name: "str" for name in TRANSACTION_COLUMNS} | {"amount": "float64", "source_line": "Int64"}


def is_parquet(path: str | PathLike) -> bool:
    """A ``.parquet`` file or a directory of Parquet parts."""
    p = Path(path)
    return p.suffix.lower() in (".parquet", ".pq") or p.is_dir()


def read_transactions(path: str | PathLike, **read_csv_kwargs) -> pd.DataFrame:
    """A canonical transaction file as a DataFrame; raises :class:`ImportError_` naming the file."""
    p = Path(path)
    if not p.exists():
        raise ImportError_("no such file", path=str(p))
    try:
        if is_parquet(p):
            return pd.read_parquet(p)
        header = pd.read_csv(p, nrows=0).columns
        dtypes = {c: t for c, t in CSV_DTYPES.items() if c in header}
        return pd.read_csv(p, dtype=dtypes, keep_default_na=False, na_values=[""], **read_csv_kwargs)
    except (ValueError, OSError) as exc:
        raise ImportError_(f"cannot read canonical transactions: {exc}", path=str(p)) from exc
