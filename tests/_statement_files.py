"""Shared writers of bank statement files for the CLI tests (real layouts, written to disk)."""

from __future__ import annotations

import json
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


CHASE_CARD_HEADER = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"


def chase_card(path, charges: list[tuple[date, str, str, float]]) -> str:
    """A Chase card export (newest first, posted a day later) of ``(date, descriptor, category,
    amount)`` charges, amounts as money out; ``path`` as text."""
    lines = [f"{d:%m/%d/%Y},{d + timedelta(days=1):%m/%d/%Y},{desc},{cat},Sale,{-amt:.2f},\n"
             for d, desc, cat, amt in sorted(charges, key=lambda c: c[0], reverse=True)]
    path.write_text(CHASE_CARD_HEADER + "".join(lines))
    return str(path)


def everyday_spending(start: date, weeks: int) -> list[tuple[date, str, str, float]]:
    """Groceries and coffee on no schedule for ``weeks`` weeks from ``start`` (as
    :func:`chase_card` charges), so the plans a test is about sit among other spending."""
    out = []
    for w in range(weeks):
        out.append((start + timedelta(days=7 * w + 2), "WHOLEFDS MKT 10234", "Groceries", 40.0 + (w * 37) % 55 + 0.13))
        out.append((start + timedelta(days=7 * w + 4 + w % 3), "STARBUCKS STORE 05231", "Food & Drink",
                    4.0 + (w * 13) % 5 + 0.45))
    return out


def scan_chase_checking(runner, tmp_path, rows, as_of) -> dict:
    """``subdetect scan`` of a Chase checking export of ``rows`` (:func:`chase_checking`) into a new
    store in ``tmp_path`` as of ``as_of``; the JSON report, the command having succeeded."""
    from detector.cli import cli

    res = runner.invoke(cli, ["scan", chase_checking(tmp_path / "Chase1234_Activity.CSV", rows),
                              "--db", str(tmp_path / "s.db"), "--as-of", as_of, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)
