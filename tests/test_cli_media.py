"""Media plans through `subdetect scan` on real SQLite files (round-48 audit): newsletters sold on
Substack are a merchant each, named by the publication its line carries."""

from __future__ import annotations

from datetime import date

from _statement_files import month_dates, scan_chase_checking

from detector.match import MerchantMatcher


def test_two_substack_newsletters_are_two_merchants_named_by_their_publication(runner, tmp_path):
    rows = [(d, "SUBSTACK *HARBOR NOTES", -8.00 if i < 8 else -9.00) for i, d in enumerate(month_dates(date(2025, 1, 9), 12))]
    rows += [(d, "SUBSTACK *THE LONG VIEW", -6.00) for d in month_dates(date(2025, 1, 17), 12)]
    rows += [(date(2025, 2, 2), "SUBSTACK *FIELD GUIDE", -50.00), (date(2026, 2, 2), "SUBSTACK *FIELD GUIDE", -50.00)]
    doc = scan_chase_checking(runner, tmp_path, rows, "2026-02-10")
    streams = {s["merchant"]: (s["frequency"], s["vendor"]) for s in doc["streams"] if s["direction"] == "outflow"}
    assert streams == {"Substack · Harbor Notes": ("monthly", "Substack"),
                       "Substack · The Long View": ("monthly", "Substack"),
                       "Substack · Field Guide": ("annual", "Substack")}
    # the rise is the one publication's, and its email is addressed to it
    (rise,) = [f for f in doc["flags"] if f["type"] == "price_increase"]
    assert rise["merchant"] == "Substack · Harbor Notes"
    (request,) = [r for r in doc["refund_requests"] if r["merchant"] == "Substack · Harbor Notes"]
    assert request["email"]["body"].startswith("Hello Substack · Harbor Notes support,")


def test_a_substack_line_without_a_publication_is_substack():
    out = MerchantMatcher().fit().transform(["SUBSTACK.COM", "SUBSTACK INC SAN FRANCISCO CA", "SUBSTACK *PLATFORMER"])
    assert out["merchant"].tolist() == ["Substack", "Substack", "Substack · Platformer"]
    assert out["vendor"].tolist() == ["Substack"] * 3
