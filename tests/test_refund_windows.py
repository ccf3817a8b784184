"""Refund windows of vendors with no refund process of their own, insurers' premiums and the
wording of what goes to a vendor (round-45 and round-46 audits): real rows in a real SQLite store,
and the real CLI."""

from __future__ import annotations

import pytest
from _refund_helpers import add_tx, flag, flags_df
from click.testing import CliRunner

from detector.catalog.vendors import load_vendors, parse_vendor
from detector.cli import cli
from detector.errors import CatalogError
from detector.refunds import get_request, queue_refunds


def _one(store, vendor, date, amount, as_of, *, type="annual_renewal", description="VENDOR*CHARGE",
         channel="direct"):
    store.set_account("acc1", payment_method="credit_card")
    add_tx(store, "t1", date, amount, description)
    out = queue_refunds(store, flags_df(flag("t1", date, amount, vendor=vendor, type=type, description=description,
                                             channel=channel)), as_of)
    assert len(out) == 1
    return out[0]


# -- 1. a vendor's published window, or none known -------------------------------------------------

def test_a_renewal_past_the_vendors_published_window_is_not_eligible_and_names_the_deadline(store):
    # round-45 audit: a GoDaddy domain renewal 10 months old was eligible, with no deadline
    req = _one(store, "GoDaddy", "2024-09-03", 22.17, "2025-07-01", description="DNH*GODADDY.COM 480-5058855 AZ")
    assert (req["eligible"], req["deadline"], req["expected_by"]) == (False, "2024-09-08", None)
    assert "within 5 days" in req["eligibility_reason"] and "godaddy.com/legal" in req["eligibility_reason"]


def test_a_renewal_inside_the_vendors_published_window_is_eligible_until_its_last_day(store):
    req = _one(store, "Adobe Acrobat", "2025-06-20", 239.88, "2025-07-04", description="ADOBE ACROPRO")
    assert (req["eligible"], req["deadline"]) == (True, "2025-07-04")
    assert req["expected_by"] is not None and "File by 2025-07-04" in req["eligibility_reason"]


def test_a_vendor_that_refunds_no_renewal_says_so(store):
    # round-46 audit: Squarespace's 312.00 renewal 8 months on was eligible; it refunds no renewal
    req = _one(store, "Squarespace", "2025-03-10", 312.0, "2025-03-12", description="SQSP* INV12345")
    assert req["eligible"] is False and req["deadline"] is None
    assert "does not refund this renewal" in req["eligibility_reason"]
    first = _one_more(store, "Squarespace", "2025-03-10", "2025-03-12", type="trial_conversion")
    assert (first["eligible"], first["deadline"]) == (True, "2025-03-24")  # the first annual payment: 14 days


def _one_more(store, vendor, date, as_of, *, type):
    add_tx(store, "t2", date, 216.0, "SQSP* INV99999")
    out = queue_refunds(store, flags_df(flag("t2", date, 216.0, vendor=vendor, type=type,
                                             description="SQSP* INV99999")), as_of)
    return next(r for r in out if r["transaction_id"] == "t2")


def test_no_known_window_is_unknown_not_eligible_and_an_old_charge_likely_outside_any(store):
    recent = _one(store, "Norton", "2025-06-01", 99.99, "2025-07-01", description="NORTONLIFELOCK 844-488-4540 AZ")
    assert recent["eligible"] is None and "Refund window unknown" in recent["eligibility_reason"]
    assert recent["expected_by"] is not None  # (should it be refunded)
    old = get_request(store, recent["request_id"])
    assert old["eligible"] is None  # stored as not known, not as yes or no
    again = queue_refunds(store, flags_df(flag("t1", "2025-06-01", 99.99, vendor="Norton",
                                               description="NORTONLIFELOCK 844-488-4540 AZ")), "2025-10-15")
    assert again[0]["eligible"] is False and again[0]["expected_by"] is None
    assert "Likely outside any refund window: the charge is 136 days old" in again[0]["eligibility_reason"]


def test_a_price_rise_at_a_vendor_of_unknown_window_is_judged_by_its_age(store):
    # round-46 audit: rises 17 months old were eligible
    req = _one(store, "Notepad Pro", "2024-06-01", 19.99, "2025-11-30", type="price_increase")
    assert req["eligible"] is False and "Likely outside any refund window" in req["eligibility_reason"]


def test_the_seed_vendors_keep_their_own_rules(store):
    # PRO Back Office publishes no window: the term is the window, as before
    req = _one(store, "PRO Back Office", "2025-01-10", 49.0, "2025-07-01", description="PROBACKOFFICE*SUB")
    assert req["eligible"] is True and req["deadline"] is None and "Accidental Renewal" in req["eligibility_reason"]


def test_a_double_charge_at_a_vendor_of_unknown_window_stays_eligible(store):
    req = _one(store, "Norton", "2024-10-05", 99.99, "2025-07-01", type="duplicate_charge")
    assert req["eligible"] is True


def test_refunds_show_and_list_say_unknown(store, tmp_path):
    _one(store, "Norton", "2025-06-01", 99.99, "2025-07-01", description="NORTONLIFELOCK 844-488-4540 AZ")
    db = str(tmp_path / "test.db")  # (the store fixture's file)
    store.close()
    runner = CliRunner()
    listed = runner.invoke(cli, ["refunds", "list", "--db", db])
    assert listed.exit_code == 0, listed.output
    assert "unknown" in listed.output
    rid = get_request_id(db)
    shown = runner.invoke(cli, ["refunds", "show", rid, "--db", db])
    assert shown.exit_code == 0, shown.output
    assert "Eligible:    unknown — Generic direct (vendor-billed) channel process: Refund window unknown" in shown.output


def get_request_id(db):
    from detector.refunds import list_requests
    from detector.store import Store

    s = Store(db)
    try:
        return list_requests(s)[0]["request_id"]
    finally:
        s.close()


def test_a_bad_refund_window_is_refused_naming_the_entry():
    entry = {"name": "X", "category": "software", "cadence": ["annual"], "refund_window": {"days": -1,
             "page": "https://x.example", "says": "x"}}
    with pytest.raises(CatalogError, match=r"vendor #1 \('X'\): field 'refund_window': 'days'"):
        parse_vendor(entry, "vendors.toml", 0)
    entry["refund_window"] = {"days": 5, "page": "http://x.example", "says": "x"}
    with pytest.raises(CatalogError, match="'page' must be the https address"):
        parse_vendor(entry, "vendors.toml", 0)


def test_every_catalogue_window_cites_an_https_page():
    windows = [v for v in load_vendors() if v.refund_window is not None]
    assert {"GoDaddy", "Namecheap", "Squarespace", "1Password", "Adobe Acrobat", "Microsoft 365"} <= {
        v.name for v in windows}
    assert all(v.refund_window.page.startswith("https://") for v in windows)


# -- 2. an insurer's premium: cancel, and the unused part back ---------------------------------------

def test_an_insurance_renewal_asks_to_cancel_and_prorate_not_a_renewal_refund(store):
    # round-45 audit: Progressive's six-monthly 658.10 was a refund of a subscription "renewed without notice"
    req = _one(store, "Progressive", "2025-01-12", 658.10, "2025-07-01",
               description="PROGRESSIVE *INSURANCE 800-776-4737 OH")
    body = req["email"]["body"]
    assert "renewed" not in body and "notice" not in body and "subscription" not in body
    assert "cancel my policy" in body and "unused part of the premium of $658.10" in body
    assert "pro rata" in req["reason"] and "[CANCELLATION DATE — fill in]" in req["reason"]
    assert req["email"]["subject"].startswith("Policy cancellation and refund of unused premium")
    assert req["eligible"] is True and "only if you are cancelling" in req["eligibility_reason"]


def test_an_insurance_premium_rise_is_a_cancel_and_prorate_request_too(store):
    store.set_account("acc1", payment_method="credit_card")
    add_tx(store, "p1", "2025-01-12", 658.10, "PROGRESSIVE *INSURANCE")
    f = flag("p1", "2025-01-12", 658.10, vendor="Progressive", type="price_increase", description="PROGRESSIVE *INSURANCE")
    f["reason"] = "Progressive charged 658.10 on 2025-01-12, up 7% from 612.40 (steady since 2024-01-12)"
    req = queue_refunds(store, flags_df(f), "2025-02-01")[0]
    assert req["amount"] == 658.10 and "higher price" not in req["email"]["body"]
    assert "cancel my policy" in req["email"]["body"]


# -- 3. nothing sent to a vendor asserts that no notice was given ------------------------------------

def test_a_price_rise_at_a_seed_vendor_writes_the_reason_step_as_observed(store):
    # the reason step's "For this charge, write" is sent to the vendor as the email is
    req = _one(store, "PRO Back Office", "2025-06-20", 54.0, "2025-07-01", type="price_increase",
               description="PROBACKOFFICE*SUB")
    written = [s for s in req["steps"] if "For this charge, write" in s]
    assert written and all("without any notice that I saw" in s for s in written)
    assert not any("without notice”" in s or "without notice;" in s for s in written)
    assert "without notice" not in req["email"]["body"]


def test_ot_tracks_roku_wording_is_written_as_observed_in_the_email(store):
    req = _one(store, "OT Track", "2025-06-20", 30.0, "2025-07-01", channel="roku", description="ROKU*OTTRACK")
    assert req["reason"] == "the subscription was renewed without prior notice"  # (the seed's own words)
    assert "without prior notice" not in req["email"]["body"]
    assert "renewed without any notice that I saw" in req["email"]["body"]


def _capital_one_card(path, rows):
    lines = ["Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit"]
    lines += [f"{d},{d},7788,{desc},Other,{amt:.2f}," for d, desc, amt in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_scanned_insurers_six_monthly_premium_is_a_low_renewal_with_a_cancel_and_prorate_request(tmp_path):
    rows = [(f"{y}-{m:02d}-03", "STATE FARM INSURANCE 800-732-5246 IL", p)
            for y, m, p in ((2023, 3, 540.20), (2023, 9, 540.20), (2024, 3, 571.80), (2024, 9, 571.80),
                            (2025, 3, 571.80))]
    rows += [(f"{y}-{m:02d}-14", "SPOTIFY USA", 11.99) for y in (2023, 2024) for m in range(1, 13)]
    rows += [(f"2025-{m:02d}-14", "SPOTIFY USA", 11.99) for m in range(1, 6)]
    statement = _capital_one_card(tmp_path / "2025-06-01_transaction_download.csv", sorted(rows))
    db = str(tmp_path / "s.db")
    res = CliRunner().invoke(cli, ["scan", str(statement), "--db", db, "--as-of", "2025-05-20", "--format", "json",
                                   "--limit", "0"])
    assert res.exit_code == 0, res.output
    import json

    doc = json.loads(res.output[res.output.index("{"):])
    renewals = [f for f in doc["flags"] if f["type"] == "annual_renewal" and f["vendor"] == "State Farm"]
    assert renewals and all(f["severity"] == "low" and "cancelling the policy" in f["reason"] for f in renewals)
    reqs = [r for r in doc["refund_requests"] if r["vendor"] == "State Farm"]
    assert len(reqs) == 1 and reqs[0]["charge_date"] == "2025-03-03"
    assert "cancel my policy" in reqs[0]["email"]["body"] and "renewed" not in reqs[0]["email"]["body"]
