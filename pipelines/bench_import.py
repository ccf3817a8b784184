"""Importer speed: ``read_statement`` against a plain ``pandas.read_csv`` of the same file.

    python -m pipelines.bench_import                  # 1,000,000 rows, generic and Chase layouts
    python -m pipelines.bench_import --rows 200000 --repeat 5 --rows-engine

Each measurement takes the best of ``repeat`` alternating runs (the box is shared: the minimum is
the least disturbed run), so the ratio compares like with like. ``bench_import`` returns the numbers
for ``pipelines/bench.py`` or a notebook; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from detector.importers import read_statement
from detector.store import Store


def make_statement(path: str | Path, rows: int, layout: str = "generic", *, ids: bool = False,
                   seed: int = 0) -> Path:
    """Write a synthetic statement of ``rows`` lines: ``generic`` (optionally with ids) or ``chase_card``.

    Many accounts, a few thousand days, ~20,000 descriptors and cents amounts: the repetition real
    statements have, so per-distinct-value parsing is exercised as it is on real files.
    """
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1000, rows), unit="D")
    descriptors = np.array([f"MERCHANT {i} *{i * 7 % 1000:03d}" for i in range(20_000)], dtype=object)
    description = descriptors[rng.integers(0, len(descriptors), rows)]
    amount = [f"{a:.2f}" for a in np.round(rng.normal(-40, 80, rows), 2)]
    if layout == "generic":
        accounts = np.array([f"acc{i}" for i in range(2000)], dtype=object)
        df = pd.DataFrame({"account_id": accounts[rng.integers(0, len(accounts), rows)]})
        if ids:
            df["transaction_id"] = [f"tx{i:09d}" for i in range(rows)]
        df["date"] = days.strftime("%Y-%m-%d")
        df["description"] = description
        df["amount"] = amount
        df["currency"] = "USD"
    elif layout == "chase_card":
        us = days.strftime("%m/%d/%Y")
        df = pd.DataFrame({"Transaction Date": us, "Post Date": us, "Description": description,
                           "Category": "Shopping", "Type": "Sale", "Amount": amount, "Memo": ""})
    else:
        raise ValueError(f"no synthetic {layout!r} statement; use generic or chase_card")
    path = Path(path)
    df.to_csv(path, index=False)
    return path


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure_file(path: str | Path, *, repeat: int = 3, rows_engine: bool = False) -> dict:
    """Best-of-``repeat`` seconds of ``pd.read_csv`` and ``read_statement`` on one file, and the ratio."""
    p = str(path)
    rows = read_statement(p).rows_read
    out = {"file": Path(p).name, "rows": rows, "bytes": Path(p).stat().st_size}
    read_csv = read_stmt = float("inf")
    for _ in range(repeat):  # alternate, so both see the same background load
        read_csv = min(read_csv, _best(lambda: pd.read_csv(p), 1))
        read_stmt = min(read_stmt, _best(lambda: read_statement(p), 1))
    out.update(read_csv_s=read_csv, read_statement_s=read_stmt, ratio=read_stmt / read_csv,
               rows_per_s=rows / read_stmt, read_csv_rows_per_s=rows / read_csv)
    if rows_engine:
        out["rows_engine_s"] = _best(lambda: read_statement(p, engine="rows"), 1)
    return out


def measure_store(path: str | Path, db: str | Path) -> dict:
    """Seconds and rows/s of ``Store.add_transactions`` for the statement's rows into a new database."""
    df = read_statement(str(path)).transactions
    store = Store(str(db))
    try:
        t0 = time.perf_counter()
        stored, _ = store.add_transactions(df)
        seconds = time.perf_counter() - t0
    finally:
        store.close()
    return {"rows": stored, "store_s": seconds, "store_rows_per_s": stored / seconds}


def bench_import(rows: int = 1_000_000, *, repeat: int = 3, workdir: str | Path | None = None,
                 rows_engine: bool = False, store: bool = True) -> list[dict]:
    """Generate the synthetic statements and measure them; one dict per file (and one for the store)."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        files = [
            make_statement(Path(tmp) / "generic.csv", rows, "generic"),
            make_statement(Path(tmp) / "generic_ids.csv", rows, "generic", ids=True),
            make_statement(Path(tmp) / "chase_card.csv", rows, "chase_card"),
        ]
        results = [measure_file(f, repeat=repeat, rows_engine=rows_engine) for f in files]
        if store:
            results.append({"file": "store.add_transactions (generic.csv)",
                            **measure_store(files[0], Path(tmp) / "bench.db")})
    return results


def markdown(results: list[dict]) -> str:
    """The results as a Markdown table."""
    lines = ["| file | rows | pandas.read_csv s | read_statement s | ratio | rows/s |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        if "store_s" in r:
            lines.append(f"| {r['file']} | {r['rows']:,} | | {r['store_s']:.2f} | | "
                         f"{r['store_rows_per_s']:,.0f} |")
            continue
        extra = f" (row engine {r['rows_engine_s']:.1f} s)" if "rows_engine_s" in r else ""
        lines.append(f"| {r['file']} | {r['rows']:,} | {r['read_csv_s']:.2f} | {r['read_statement_s']:.2f}{extra} | "
                     f"{r['ratio']:.1f}x | {r['rows_per_s']:,.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows-engine", action="store_true", help="also time the row-by-row reader once")
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args(argv)
    results = bench_import(args.rows, repeat=args.repeat, rows_engine=args.rows_engine, store=not args.no_store)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
