"""Shared writers of bank statement files for the CLI tests (real layouts, written to disk)."""

from __future__ import annotations

from datetime import date, timedelta


def next_weekday(d: date) -> date:
    """``d``, or the Monday after it when it falls on a weekend (a bank posts on business days)."""
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def month_dates(first: date, n: int) -> list[date]:
    """``n`` dates a month apart from ``first``, on its day of the month (which must exist in each)."""
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, first.day) for i in range(n)]


def chase_checking(path, rows) -> str:
    """A Chase checking export (Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #)
    of ``(date, description, amount)`` rows, newest first as Chase writes it; ``path`` as text."""
    lines = ["Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #"]
    for d, description, amount in sorted(rows, key=lambda r: r[0], reverse=True):
        kind = ("DEBIT", "ACH_DEBIT") if amount < 0 else ("CREDIT", "ACH_CREDIT")
        lines.append(f"{kind[0]},{d:%m/%d/%Y},{description},{amount:.2f},{kind[1]},5000.00,")
    path.write_text("\n".join(lines) + "\n")
    return str(path)
