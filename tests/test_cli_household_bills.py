"""Household bills through `subdetect scan` and `report` on real SQLite files (round-thirty-six
and round-thirty-five audits): a seasonal bill's monthly cost is its last year's charges over
twelve months, a yearly insurance premium that changed at renewal is still a yearly stream, a
quarterly debit due on a day that often falls on a weekend keeps that day, and a payment on the
second Wednesday of each month is not "about every 28 days"."""

from __future__ import annotations

import json
from datetime import date, timedelta

from detector.cli import cli


def _roll(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _month(first: date, i: int, day: int | None = None) -> date:
    y, m = first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1
    return date(y, m, day or first.day)


def _chase(path, rows) -> str:
    """A Chase checking export (Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #)."""
    lines = ["Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #"]
    for d, description, amount in sorted(rows, key=lambda r: r[0], reverse=True):
        kind = ("DEBIT", "ACH_DEBIT") if amount < 0 else ("CREDIT", "ACH_CREDIT")
        lines.append(f"{kind[0]},{d:%m/%d/%Y},{description},{amount:.2f},{kind[1]},5000.00,")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _generic(path, rows, currency: str) -> str:
    lines = ["date,description,amount,currency"] + [f"{d:%Y-%m-%d},{text},{amount:.2f},{currency}"
                                                     for d, text, amount in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _scan(runner, db, path: str, as_of: str) -> dict:
    result = runner.invoke(cli, ["scan", path, "--db", str(db), "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _stream(doc: dict, word: str) -> dict:
    (hit,) = [s for s in doc["streams"] if word.lower() in (s["merchant"] or "").lower()]
    return hit


def test_a_yearly_insurance_premium_changed_at_renewal_is_still_a_yearly_stream(runner, tmp_path):
    # round-thirty-five audit: a car insurer's 412.37 renewed at 447.80 a year later gave no
    # stream at all (unchanged, it was one). A catalogue insurer, and one the catalogue does not
    # know but named as an insurer, are yearly streams counted a twelfth a month; an unknown
    # payee's two yearly sums a few percent apart (a garage's yearly service) stay none.
    rows = [(date(2025, 1, 2), "HUK-COBURG", -398.64), (date(2026, 1, 2), "HUK-COBURG", -433.10),
            (date(2025, 2, 14), "MUSTERSTADT VERSICHERUNG AG", -241.50),
            (date(2026, 2, 16), "MUSTERSTADT VERSICHERUNG AG", -262.80),
            (date(2025, 3, 20), "AUTOHAUS MEIER SERVICE", -241.50), (date(2026, 3, 20), "AUTOHAUS MEIER SERVICE", -262.80)]
    rows += [(_month(date(2025, 1, 13), i), "NETFLIX.COM", -13.99) for i in range(18)]
    doc = _scan(runner, tmp_path / "s.db", _generic(tmp_path / "konto.csv", sorted(rows), "EUR"), "2026-06-30")
    huk = _stream(doc, "huk")
    assert (huk["vendor"], huk["frequency"], huk["status"], huk["next_date"]) == ("HUK-COBURG", "annual", "active",
                                                                                  "2027-01-02")
    assert huk["monthly_amount"] == round(433.10 / 12, 2)
    other = _stream(doc, "musterstadt")
    assert (other["frequency"], other["status"], other["monthly_amount"]) == ("annual", "active", 21.9)
    assert not [s for s in doc["streams"] if "autohaus" in s["merchant"].lower()]
