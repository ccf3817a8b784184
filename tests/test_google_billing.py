"""Google's own products that Google bills directly (Workspace, Cloud, Ads, Fi, Domains, Voice)
are direct purchases from their own vendors, with their own refund steps, not Google Play
purchases; apps and Play subscriptions stay Google Play (round-twenty-six audit). The statement
forms are Google's own list ("Understand Google charges on your bank statement")."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from _refund_helpers import add_tx, flag, flags_df

from detector.catalog.refund_processes import load_refund_processes
from detector.cli import cli
from detector.match import MerchantMatcher
from detector.normalize import normalize_one
from detector.pipeline import refund_process_lookup
from detector.refund_builder import normalise_channel
from detector.refunds import queue_refunds

DIRECT = [
    ("GOOGLE *GSUITE_northwind.com", "Google Workspace"),
    ("GOOGLE*GSUITE", "Google Workspace"),
    ("GOOGLE *GSUITE_NORTHWIND.CO", "Google Workspace"),
    ("GOOGLE *Google Workspace", "Google Workspace"),
    ("GOOGLE *Workspace_northwind.com", "Google Workspace"),
    ("GOOGLE *SVCSAPPS_northwind.com", "Google Workspace"),
    ("GOOGLE WORKSPACE northwi", "Google Workspace"),
    ("GOOGLE *CLOUD XT5B2Q", "Google Cloud"),
    ("GOOGLE*CLOUD RAWS2M cc@google.com", "Google Cloud"),
    ("GOOGLE *CLOUD_my-project-123", "Google Cloud"),
    ("GOOGLE *ADS1234567890", "Google Ads"),
    ("GOOGLE *ADWS1234567890", "Google Ads"),
    ("GOOGLE *Ads", "Google Ads"),
    ("GOOGLE *ADWS*DL", "Google Ads"),
    ("GOOGLE *Fi 8GHT2K", "Google Fi"),
    ("GOOGLE *PROJECT FI", "Google Fi"),
    ("GOOGLE *Domains", "Google Domains"),
    # round-48 audit: a YouTube Premium membership is billed by Google for YouTube, whose own
    # refund route applies, unless the line names Google Play
    ("GOOGLE *YouTubePremium", "YouTube Premium"),
    ("GOOGLE *YouTubePremium g.co/helppay#CA", "YouTube Premium"),
    ("Google YouTube Premium g.co/helppay# GBR", "YouTube Premium"),
    ("GOOGLE YOUTUBEPREMIUM G.CO/HELPPAY#GB", "YouTube Premium"),
]
PLAY = [
    ("GOOGLE PLAY *YouTubePremium", "YouTube Premium"),
    ("GOOGLE *Google One", "Google One"),
    ("GOOGLE *Google Storage", "Google One"),
    ("GOOGLE *Tinder", "Tinder"),
    ("GOOGLE *Play", None),
    # a developer's name that starts like a product word is still an app
    ("GOOGLE *Cloudflare", "Cloudflare"),  # (its 1.1.1.1 app)
    ("GOOGLE *AdsBlocker Pro", None),
    ("GOOGLE *Ads Remover", None),
    ("GOOGLE *Voice Recorder", None),
    ("GOOGLE *Fitbit", "Fitbit Premium"),
    # Google Play's billing mark without the "*" (UK and Australian banks: round thirty)
    ("Google Duolingo g.co/helppay# GBR", "Duolingo"),
    ("GOOGLE g.co/helppay# GBR", None),
]


@pytest.fixture(scope="module")
def matcher():
    return MerchantMatcher().fit()


@pytest.mark.parametrize("raw, vendor", DIRECT)
def test_googles_own_products_are_direct_purchases_of_their_vendor(matcher, raw, vendor):
    row = matcher.transform([raw]).iloc[0]
    assert (row["vendor"], row["merchant"], row["channel"]) == (vendor, vendor, "direct")
    assert normalize_one(raw)[2] == "direct"


@pytest.mark.parametrize("raw, vendor", PLAY)
def test_apps_and_play_subscriptions_stay_google_play(matcher, raw, vendor):
    row = matcher.transform([raw]).iloc[0]
    assert row["channel"] == "google_play" and (row["vendor"] if isinstance(row["vendor"], str) else None) == vendor


@pytest.mark.parametrize("raw", ["PAYPAL *GOOGLE 35314369001 GBR", "PAYPAL *GOOGLE", "PAYPAL *GOOGLE PLAY"])
def test_google_paid_with_paypal_is_no_google_fi(matcher, raw):
    # round thirty: Google Fi's alias "GOOGLE FI" keyed "google" ("FI" read as Finland's code), so
    # a UK customer's YouTube Premium paid with PayPal was Google Fi, a US phone service, and its
    # price rise drafted "Hello Google Fi support"
    row = matcher.transform([raw]).iloc[0]
    assert row["vendor"] is None and row["channel"] == "paypal"
    assert row["merchant"] in ("Google", "Google Play")
    # Google Fi's own lines, with or without the "*", stay Google Fi
    for fi in ("GOOGLE FI", "GOOGLE *PROJECT FI", "GOOGLE PROJECT FI 8GHT2K"):
        assert matcher.transform([fi]).iloc[0]["vendor"] == "Google Fi", fi


def test_a_raw_descriptor_names_googles_direct_billing_too():
    assert normalise_channel("GOOGLE *GSUITE_northwind.com") == "direct"
    assert normalise_channel("GOOGLE *CLOUD XT5B2Q") == "direct"
    assert normalise_channel("GOOGLE *Tinder") == "google_play"


def _request(store, vendor, description, type="price_increase"):
    store.set_account("acc1", payment_method="credit_card", country="US")
    add_tx(store, "t1", "2025-03-01", 182.0, description)
    rows = flags_df(flag("t1", "2025-03-01", 182.0, type=type, vendor=vendor, channel="direct",
                         description=description))
    return queue_refunds(store, rows, "2025-06-02", process_for_vendor=refund_process_lookup())[0]


@pytest.mark.parametrize("vendor, description, process, where", [
    ("Google Workspace", "GOOGLE *GSUITE_northwind.com", "google-workspace", "Admin console"),
    ("Google Cloud", "GOOGLE *CLOUD XT5B2Q", "google-cloud", "Cloud Billing"),
    ("Google Ads", "GOOGLE *ADS1234567890", "google-ads", "Google Ads"),
    ("YouTube Premium", "GOOGLE *YouTubePremium g.co/helppay#CA", "youtube-premium", "YouTube Help"),
])
def test_googles_direct_products_follow_their_own_refund_steps(store, vendor, description, process, where):
    req = _request(store, vendor, description)
    assert (req["vendor"], req["channel"], req["process"], req["process_kind"]) == (vendor, "direct", process, "vendor")
    text = " ".join(req["steps"]) + " ".join(d["item"] + d["detail"] for d in req["documents"])
    assert where in text
    assert "play.google.com" not in text and "Google Play order" not in text
    assert req["sources"]["steps"]["page"].startswith("https://")
    # the note says where the steps come from: the vendor's help page, in our words
    assert req["sources"]["steps"]["page"] in req["process_note"]


def test_page_sourced_processes_name_googles_own_pages():
    procs = load_refund_processes()
    for pid in ("google-workspace", "google-cloud", "google-ads"):
        p = procs[pid]
        assert p.kind == "vendor" and p.seed is None and p.page
        assert set(p.channels) == {"direct"}
        assert p.page.startswith(("https://support.google.com/", "https://cloud.google.com/"))


def test_scan_of_a_company_card_with_workspace_and_cloud(runner, tmp_path):
    # the audit's card: Workspace at 12.00 a user, then 14.00 from March; Cloud with a double charge.
    # One user: 13 users' 156.00 -> 182.00 is also 6 users -> 7 at 26.00 each, which the per-seat
    # rule tells as users added, with no refund request (docs/flags.md)
    lines = ["date,description,amount"]
    for d in pd.date_range("2024-07-01", "2025-06-01", freq="MS"):
        lines.append(f"{d:%Y-%m-%d},GOOGLE *GSUITE_northwind.com,-{12 if d < pd.Timestamp('2025-03-01') else 14:.2f}")
        lines.append(f"{d + pd.Timedelta(days=1):%Y-%m-%d},GOOGLE *CLOUD XT5B2Q,-{250 + d.month:.2f}")
    lines.append("2025-05-04,GOOGLE *CLOUD XT5B2Q,-255.00")
    statement = tmp_path / "g.csv"
    statement.write_text("\n".join(lines) + "\n")
    db = str(tmp_path / "g.db")
    res = runner.invoke(cli, ["scan", str(statement), "--db", db, "--account", "biz-card", "--as-of", "2025-06-30",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {s["merchant"]: s["channel"] for s in doc["streams"]} == {"Google Workspace": "direct", "Google Cloud": "direct"}
    reqs = {r["vendor"]: r for r in doc["refund_requests"]}
    assert set(reqs) == {"Google Workspace", "Google Cloud"}
    for r in reqs.values():
        shown = runner.invoke(cli, ["refunds", "show", r["request_id"], "--db", db])
        assert shown.exit_code == 0, shown.output
        assert "play.google.com" not in shown.stdout and "Google Play order number" not in shown.stdout
        assert "channel: direct" in shown.stdout


def test_scan_of_youtube_premium_billed_by_google_follows_youtubes_refund_route(runner, tmp_path):
    # round-48 audit: "GOOGLE *YouTubePremium g.co/helppay#CA" was a Google Play charge, so its
    # refund request said to ask Google Play; bought on YouTube, YouTube refunds it
    lines = ["date,description,amount"]
    for d in pd.date_range("2024-09-08", periods=14, freq="MS") + pd.Timedelta(days=7):
        lines.append(f"{d:%Y-%m-%d},GOOGLE *YouTubePremium g.co/helppay#CA,-{13.99 if d < pd.Timestamp('2025-08-01') else 15.99:.2f}")
    statement = tmp_path / "yt.csv"
    statement.write_text("\n".join(lines) + "\n")
    db = str(tmp_path / "yt.db")
    res = runner.invoke(cli, ["scan", str(statement), "--db", db, "--as-of", "2025-11-20", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [(s["merchant"], s["vendor"], s["channel"]) for s in doc["streams"]] == [
        ("YouTube Premium", "YouTube Premium", "direct")]
    (req,) = doc["refund_requests"]
    assert (req["process"], req["channel"]) == ("youtube-premium", "direct")
    shown = runner.invoke(cli, ["refunds", "show", req["request_id"], "--db", db])
    assert shown.exit_code == 0, shown.output
    assert "Request a refund" in shown.stdout and "play.google.com" not in shown.stdout
