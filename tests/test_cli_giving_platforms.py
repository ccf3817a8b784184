"""Gifts to two campaigns on one giving platform, and memberships of two creators on Patreon
(`subdetect scan` on a Chase checking export; the round-48 audit's known limit). GoFundMe's line
names the campaign after the platform ("GOFUNDME *HELP JANE SMITH"), Patreon's the creator
("PATREON*<creator>", or "PATREON* MEMBERSHIP" naming none); both keyed as the platform alone, so
two monthly gifts of 25.00 on the 5th and 10.00 on the 20th were one GoFundMe stream twice a
month at two amounts, and two creators' 5.00 memberships a day apart were one plan with a double
charge every month. The catalogue marks them `sellers`, as Substack: each campaign or creator is a
merchant of its own ("GoFundMe · Save The Park"), the vendor still the platform."""

from __future__ import annotations

from datetime import date

from _statement_files import month_dates, scan_chase_checking


def test_monthly_gifts_to_two_campaigns_are_two_gifts(runner, tmp_path):
    rows = [(d, "GOFUNDME *HELP JANE SMITH", -25.00) for d in month_dates(date(2025, 1, 5), 12)]
    rows += [(d, "GOFUNDME *SAVE THE PARK", -10.00) for d in month_dates(date(2025, 1, 20), 12)]
    rows.append((date(2025, 7, 22), "GOFUNDME *SAVE THE PARK", -10.00))  # a gift taken twice
    doc = scan_chase_checking(runner, tmp_path, rows, "2025-12-28")
    gifts = sorted((s["merchant"], s["vendor"], s["frequency"], s["last_amount"], len(s["transaction_ids"]))
                   for s in doc["streams"])
    assert gifts == [("GoFundMe · Help Jane Smith", "GoFundMe", "monthly", 25.0, 12),
                     ("GoFundMe · Save the Park", "GoFundMe", "monthly", 10.0, 13)]
    # one double charge, on the campaign it was taken for; asked of GoFundMe, which refunds it
    assert [(f["type"], f["merchant"], f["date"]) for f in doc["flags"]] == [
        ("duplicate_charge", "GoFundMe · Save the Park", "2025-07-22")]
    [req] = doc["refund_requests"]
    assert req["email"]["body"].startswith("Hello GoFundMe donor support,")
    assert "GOFUNDME *SAVE THE PARK" in req["email"]["body"]


def test_two_creators_on_patreon_are_two_memberships(runner, tmp_path):
    rows = [(d, "PATREON* KURZGESAGT", -5.00) for d in month_dates(date(2025, 1, 1), 12)]
    rows += [(d, "PATREON* CHAPOTRAPHOUSE", -5.00) for d in month_dates(date(2025, 1, 2), 12)]
    rows += [(d, "PATREON* MEMBERSHIP", -3.00) for d in month_dates(date(2025, 1, 15), 12)]
    doc = scan_chase_checking(runner, tmp_path, rows, "2025-12-28")
    assert sorted((s["merchant"], s["vendor"], s["frequency"], len(s["transaction_ids"])) for s in doc["streams"]) == [
        ("Patreon", "Patreon", "monthly", 12),
        ("Patreon · Chapotraphouse", "Patreon", "monthly", 12),
        ("Patreon · Kurzgesagt", "Patreon", "monthly", 12)]
    assert doc["flags"] == []


def test_a_patreon_membership_charged_twice_is_asked_back_of_its_creator_within_patreons_14_days(runner, tmp_path):
    # Patreon passes a membership's payment to its creator, so the refund is the creator's to give
    # (asked through Patreon's messages, Patreon's support after 72 hours without an answer), and
    # Patreon's policy gives a fan 14 days from the purchase to ask: not a generic "find the
    # vendor's billing support" addressed to "Patreon · Kurzgesagt support"
    rows = [(d, "PATREON* KURZGESAGT", -5.00) for d in month_dates(date(2025, 1, 5), 11)]
    rows.append((date(2025, 11, 6), "PATREON* KURZGESAGT", -5.00))
    doc = scan_chase_checking(runner, tmp_path, rows, "2025-11-12")
    [req] = doc["refund_requests"]
    assert (req["flag_type"], req["merchant"], req["charge_date"], req["process"]) == (
        "duplicate_charge", "Patreon · Kurzgesagt", "2025-11-06", "patreon")
    assert "message the creator" in req["steps"][0] and "charged twice" in req["steps"][0]
    assert any("72 hours" in step and "Product Support" in step for step in req["steps"])
    assert req["email"]["subject"] == "Refund request – Patreon · Kurzgesagt charge of $5.00 on 2025-11-06"
    assert req["email"]["body"].startswith("Hello,\n\nI am writing to request a refund of $5.00 for a Patreon membership")
    assert (req["eligible"], req["deadline"]) == (True, "2025-11-20")
    assert "within 14 days" in req["eligibility_reason"]

    (tmp_path / "late").mkdir()
    late = scan_chase_checking(runner, tmp_path / "late", rows, "2025-12-20")
    [req] = late["refund_requests"]
    assert (req["eligible"], req["deadline"], req["expected_by"]) == (False, "2025-11-20", None)
    assert req["eligibility_reason"].startswith("Too late by Patreon's published policy")
