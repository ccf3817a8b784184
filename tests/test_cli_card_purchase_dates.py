"""A card purchase's date written into its descriptor (Barclays' ``<shop>  ON 18 SEP  BCC``)
through `subdetect scan` on real SQLite files (round-48 audit): one shop is one merchant
whatever day it was bought on, and buying there on the same day in several months is spending,
not a plan."""

from __future__ import annotations

import json
from datetime import date, timedelta

from conftest import SAMPLES

from detector.cli import cli

ACCOUNT = "20-77-31 55012468"


def _barclays(path, rows) -> str:
    """A Barclays UK export (Number,Date,Account,Amount,Subcategory,Memo; day first), its card
    lines written as Barclays writes them: the shop, ``ON dd MON``, ``BCC``."""
    lines = ["Number,Date,Account,Amount,Subcategory,Memo"]
    lines += [f",{d:%d/%m/%Y},{ACCOUNT},{-amount:.2f},Debit,{shop:<24}ON {d:%d %b}".upper() + "          BCC"
              for d, shop, amount in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _scan(runner, tmp_path, path, as_of):
    result = runner.invoke(cli, ["scan", path, "--db", str(tmp_path / "s.db"), "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_shop_bought_at_on_the_same_day_of_several_months_is_one_merchant_and_no_plan(runner, tmp_path):
    rows, day = [], date(2025, 1, 2)
    for i in range(300):  # a coffee on irregular days, two prices, the 14th among them every month
        d = day + timedelta(days=i)
        if d.day == 14 or (i * i * 7) % 13 < 3:
            rows.append((d, "COFFEE HOUSE 204", 3.20 if i % 2 else 4.35))
    rows += [(date(2025, 1 + m, 9), "NETFLIX.COM", 10.99) for m in range(10)]
    doc = _scan(runner, tmp_path, _barclays(tmp_path / "barclays.csv", rows), "2025-10-31")
    streams = {s["merchant"]: s["frequency"] for s in doc["streams"] if s["direction"] == "outflow"}
    assert streams == {"Netflix": "monthly"}
    assert doc["flags"] == [] and doc["refund_requests"] == []


def test_the_bundled_barclays_sample_has_no_merchant_per_day_of_the_month(runner, tmp_path):
    # data/samples/barclays.csv showed "Caffe Nero 535 ON 30" as a quarterly plan
    doc = _scan(runner, tmp_path, str(SAMPLES / "barclays.csv"), "2025-06-28")
    names = [s["merchant"] for s in doc["streams"]]
    assert not [n for n in names if " ON " in f" {n.upper()} " or "NERO" in n.upper()], names
