"""Render frames and scan results as table, JSON, CSV, Markdown or HTML.

CSV cells are safe against formula injection; HTML is escaped.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ TAB CR gets a leading '.

    Numbers stay numbers (a negative amount is data, not a formula).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _records(df: pd.DataFrame) -> list[dict]:
    return json.loads(df.to_json(orient="records", date_format="iso"))


def render_frame(df: pd.DataFrame, fmt: str, title: str | None = None) -> str:
    """One DataFrame as ``table`` (rich), ``json``, ``csv``."""
    if fmt == "json":
        return json.dumps(_records(df), indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(df.columns)
        for row in df.itertuples(index=False, name=None):
            writer.writerow([safe_cell(v) for v in row])
        return buf.getvalue().rstrip("\n")
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for col in df.columns:
            table.add_column(str(col))
        for row in df.itertuples(index=False, name=None):
            table.add_row(*("" if pd.isna(v) else str(v) for v in row))
        console = Console(record=True, width=160)
        with console.capture() as cap:
            console.print(table)
        return cap.get().rstrip("\n")
    raise ValueError(f"unknown format {fmt!r}")
