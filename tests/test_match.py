"""MerchantMatcher and enrich: accuracy on the labelled set, hard negatives, estimator API."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from detector.catalog import load_vendors
from detector.errors import CatalogError
from detector.match import MerchantMatcher, default_matcher, enrich
from detector.schema import ENRICHED_COLUMNS, SchemaError
from pipelines.eval_matcher import UNSEEN, evaluate_matcher


@pytest.fixture(scope="module")
def matcher():
    return MerchantMatcher().fit()


def one(matcher, raw):
    return matcher.transform([raw]).iloc[0]


@pytest.mark.parametrize("split", ["dev", "holdout"])
def test_accuracy_on_labelled_set(split):
    # Measured: dev 0.998 top-1, recall 1.0, 0.6 % false matches; holdout 0.998 / 1.0 / 0.7 %.
    r = evaluate_matcher(split=split)
    assert r["n"] >= 500
    assert r["top1_accuracy"] >= 0.98
    assert r["vendor_recall"] >= 0.98
    assert r["false_match_rate"] <= 0.02
    assert r["wrong_vendor_rate"] <= 0.005
    assert r["channel_accuracy"] >= 0.99
    assert r["leaky_names"] == 0


def test_accuracy_on_hand_written_unseen_set():
    # Written after the matcher, in other forms; first run 0.957 top-1 / 0.971 recall, now 1.0 / 1.0.
    r = evaluate_matcher(path=UNSEEN)
    assert r["n"] >= 90
    assert r["top1_accuracy"] >= 0.97 and r["vendor_recall"] >= 0.97
    assert r["false_match_rate"] <= 0.05 and r["wrong_vendor_rate"] == 0


def test_labelled_set_is_broad():
    df = pd.read_csv("tests/data/descriptors.csv", dtype=str, keep_default_na=False)
    assert len(df) >= 1000
    assert df.loc[df["vendor"] != "", "vendor"].nunique() >= 150
    assert (df["vendor"] == "").sum() >= 200
    names = set(load_vendors().names())
    assert set(df.loc[df["vendor"] != "", "vendor"]) <= names


@pytest.mark.parametrize(
    "raw, vendor, channel",
    [
        ("APPLE.COM/BILL 866-712-7753 CA", None, "apple"),
        ("APPLE STORE R123", None, "direct"),
        ("Amazon Prime*1A2B3C4D5 Amzn.com/bill WA", "Amazon Prime", "amazon"),
        ("AMZN Mktp US*2K4AB1C2", None, "amazon"),
        ("GOOGLE *YouTubePremium", "YouTube Premium", "direct"),  # billed for YouTube (round-48 audit)
        ("GOOGLE PLAY *YouTubePremium", "YouTube Premium", "google_play"),
        ("GOOGLE *Play", None, "google_play"),
        ("PAYPAL *SPOTIFYUSAI 4029357733", "Spotify", "paypal"),
        ("ROKU FOR SLING TV", "Sling TV", "roku"),
        ("COSTCO WHSE #0123", None, "direct"),
        ("COSTCO ANNUAL MEMBERSHIP", "Costco Membership", "direct"),
        ("UBER *TRIP", None, "direct"),
        ("DISNEY STORE 1234", None, "direct"),
        ("PLANET SMOOTHIE", None, "direct"),
        ("SPOTIFY CAFE 1234 AUSTIN TX", None, "direct"),
        ("NETFLIX BURGER BAR", None, "direct"),
        ("HINGE HARDWARE CO", None, "direct"),
        ("NETFLX", "Netflix", "direct"),
        ("SQ *PLANET FITNES", "Planet Fitness", "direct"),
        ("QUADPAY*TARGET", "Zip", "direct"),
        ("PAYPAL *PAYIN4 4029357733", "PayPal Pay in 4", "paypal"),
        ("ZIPCAR 123", None, "direct"),
        ("AFFIRMATIONS COUNSELING LLC", None, "direct"),
        # round seventeen: a several-word alias whose last word the key's goes on from is
        # another business; bare brand words are no utility
        ("WASHINGTON GASTROENTEROLOGY", None, "direct"),
        ("COLUMBIA GASTROPUB", None, "direct"),
        ("ANGLIAN WATERSPORTS CLUB", None, "direct"),
        ("WASHINGTON GAS LIGHT CO", "Washington Gas", "direct"),
        ("OVO CLUB MEMBERSHIP", None, "direct"),
        ("NICOR HOME SOLUTIONS", None, "direct"),
        ("SPIRE LEEDS", None, "direct"),
        ("POLAND SPRING WATER", "Poland Spring", "direct"),
        # round thirty: EE's old collecting name is EE, not T-Mobile US; a venue or a shop that
        # starts with a vendor's word is another business
        ("EE & T-MOBILE          DDR", "EE", "direct"),
        ("EE & T-MOBILE", "EE", "direct"),
        ("AUDIBLE SOUNDS HIFI", None, "direct"),
        ("OPTUS STADIUM PERTH", None, "direct"),
        ("ARENA SPORTS", None, "direct"),
        ("AUDIBLE UK", "Audible", "direct"),
        ("OPTUS BILLING", "Optus", "direct"),
    ],
)
def test_hard_cases(matcher, raw, vendor, channel):
    row = one(matcher, raw)
    assert (row["vendor"], row["channel"]) == (vendor, channel)


def test_unmatched_merchant_keeps_readable_name(matcher):
    out = matcher.transform(pd.Series(["JOES LAWN CARE LLC 5035551234", "JOE'S LAWN CARE"]))
    assert list(out["merchant"]) == ["Joe's Lawn Care", "Joe's Lawn Care"]
    assert out["vendor"].isna().all() and out["match_score"].isna().all()
    assert out["merchant_key"].nunique() == 1


def test_all_variants_of_a_vendor_share_one_key(matcher):
    out = matcher.transform(["NETFLIX.COM 866-579-7172 CA", "POS DEBIT NETFLIX COM",
                             "CHECKCARD 0315 NETFLIX.COM 24492153075", "PAYPAL *NETFLIX"])
    assert set(out["merchant_key"]) == {"netflix"} and set(out["merchant"]) == {"Netflix"}


def test_score_cutoff_controls_fuzzy_matches():
    assert one(MerchantMatcher(score_cutoff=90).fit(), "NETFLX")["vendor"] == "Netflix"
    assert one(MerchantMatcher(score_cutoff=99).fit(), "NETFLX")["vendor"] is None


def test_estimator_conventions():
    m = MerchantMatcher(score_cutoff=95)
    assert m.get_params()["score_cutoff"] == 95
    assert not [a for a in vars(m) if a.endswith("_")]
    with pytest.raises(NotFittedError):
        m.transform(["NETFLIX"])
    assert m.fit() is m
    assert {"exact_", "prefix_", "vendors_", "catalog_"} <= set(vars(m))
    c = clone(m)
    assert c.get_params() == m.get_params() and not hasattr(c, "exact_")
    df = pd.DataFrame({"description": ["HULU 877-8244858 CA"]})
    assert m.fit_transform(df["description"])["vendor"].iloc[0] == "Hulu"


def test_user_catalogue_vendor_is_matched(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text('[[vendor]]\nname = "Joe\'s Lawn Care"\ncategory = "other"\ncadence = ["monthly"]\n'
                 'aliases = ["JOES LAWN CARE"]\n', encoding="utf-8")
    m = MerchantMatcher(user_catalog=p).fit()
    assert one(m, "JOES LAWN CARE LLC PORTLAND OR")["vendor"] == "Joe's Lawn Care"


def test_conflicting_aliases_are_a_catalogue_error(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text('[[vendor]]\nname = "Not Netflix"\ncategory = "other"\ncadence = ["monthly"]\n'
                 'aliases = ["NETFLIX.COM"]\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="already an alias of 'Netflix'"):
        MerchantMatcher(user_catalog=p).fit()


def test_enrich_adds_exactly_the_enriched_columns():
    tx = pd.DataFrame({"transaction_id": ["a", "b", "c"], "amount": [-15.49, -9.99, -4.0],
                       "description": ["NETFLIX.COM", "APPLE.COM/BILL", None]}, index=[7, 8, 9])
    out = enrich(tx)
    assert list(out.columns) == list(tx.columns) + list(ENRICHED_COLUMNS)
    assert list(out.index) == [7, 8, 9]
    assert out.loc[7, "vendor"] == "Netflix" and out.loc[8, "vendor"] is None
    assert out.loc[8, "merchant"] == "Apple" and out.loc[8, "channel"] == "apple"
    assert "merchant" not in tx.columns  # input untouched
    with pytest.raises(SchemaError):
        enrich(tx.drop(columns=["description"]))


def test_default_matcher_is_cached():
    assert default_matcher() is default_matcher()


def test_clean_plaid_names_identical_stay_identical_distinct_stay_distinct():
    names = ["Apple", "Stine", "Apple", "Safe Harbor Animal Hospital", "Walmart", "Walmart",
             "Tiktok", "Tiktok Inc.", "McDonald's", "Circle K"]
    out = enrich(pd.DataFrame({"description": names}))
    keys = out["merchant_key"].tolist()
    assert keys[0] == keys[2] and keys[4] == keys[5] and keys[6] == keys[7]
    assert len({keys[i] for i in (0, 1, 3, 4, 6, 8, 9)}) == 7


def test_shown_names_carry_no_phone_or_ids(matcher):
    df = pd.read_csv("tests/data/descriptors.csv", dtype=str, keep_default_na=False)
    shown = matcher.transform(df["raw"])["merchant"]
    leaks = shown[shown.str.contains(r"\d{5,}|\d{3}[-. ]\d{3}[-. ]\d{4}", regex=True)]
    assert leaks.empty, leaks.head().tolist()
    unmatched = matcher.transform(df["raw"]).query("vendor.isna()")["merchant"]
    # a transfer's counterparty account is shown masked to its last four digits ("…4455")
    store_numbers = unmatched[unmatched.str.contains(r"(?<![…\d])\d{3,}|#", regex=True)]
    assert store_numbers.empty, store_numbers.head().tolist()


def test_trailing_store_number_dropped_but_product_number_matched(matcher):
    out = matcher.transform(["WAITROSE 123", "MICROSOFT*365", "Forever 21"])
    assert list(out["merchant"]) == ["Waitrose", "Microsoft 365", "Forever 21"]
    assert out["vendor"].iloc[1] == "Microsoft 365"


def test_transform_accepts_lists_arrays_and_frames(matcher):
    for X in (["NETFLIX"], np.array(["NETFLIX"], dtype=object), pd.DataFrame({"d": ["NETFLIX"]})):
        assert matcher.transform(X)["vendor"].iloc[0] == "Netflix"


def test_benchmark_runs_on_a_small_statement():
    from pipelines.eval_matcher import benchmark_merchants

    r = benchmark_merchants(3000)
    assert r["rows"] == 3000 and r["distinct_keys"] <= r["distinct_descriptors"] <= 3000
    assert r["normalize_descriptors_per_second"] > 0 and r["match_keys_per_second"] > 0


def test_catalogue_patterns_match_the_key(matcher, tmp_path):
    assert one(matcher, "VZWRLSS*APOCC VISE")["vendor"] == "Verizon"
    assert one(matcher, "MICROSOFT*ULTIMATE XBOX")["vendor"] == "Xbox Game Pass"
    p = tmp_path / "mine.toml"
    p.write_text('[[vendor]]\nname = "Green Thumb"\ncategory = "other"\ncadence = ["monthly"]\n'
                 'aliases = ["GREEN THUMB LAWN"]\npatterns = ["^gt ?lawn ?svc"]\n', encoding="utf-8")
    assert one(MerchantMatcher(user_catalog=p).fit(), "GT LAWNSVC 5035551234 OR")["vendor"] == "Green Thumb"


@pytest.mark.parametrize("raw, vendor, channel", [
    # Wells Fargo writes the state onto the last word, a domain included: Apple's own domain
    # then says nothing about the vendor behind the channel.
    ("DEBIT PURCHASE -VISA APL*APPLE.COM/BILL ITUNES.COMCA", None, "apple"),
    # Apple bills Europe from Hollyhill, Cork (round-eighteen audit: Monzo's line was "Hollyhill")
    ("APPLE.COM/BILL  HOLLYHILL  IRL", None, "apple"),
    ("DEBIT PURCHASE -VISA NETFLIX.COMCA", "Netflix", "direct"),
    # a billing code before the name, the biller's own domain after it
    ("POS DEBIT NYT*NEWS 800-698-4637 NYTIMES.COM NY", "The New York Times", "direct"),
    # Microsoft's billing domain is a .info one; the code before it reads like a word
    ("MSFT * OSEANB MSBILL.INFO WA", "Microsoft", "direct"),
    # lenders' ACH originator names
    ("ACH DEBIT TOYOTA MOTOR CREDIT TMCC PAYMT Q1U8Z2PT5U2", "Toyota Financial Services", "direct"),
    ("ELECTRONIC WITHDRAWAL AMERICAN HONDA FIN", "Honda Financial Services", "direct"),
    ("WW INTERNATIONAL 800-651-6000 NY", "WeightWatchers", "direct"),
    # Canada's and Australia's carriers (round twenty-four: a Rogers bill was an unknown merchant)
    ("ROGERS WIRELESS", "Rogers", "direct"),
    ("PRE-AUTHORIZED DEBIT BELL CANADA (OB)", "Bell Canada", "direct"),
    ("TELUS MOBILITY PREAUTHORIZED", "Telus", "direct"),
    ("Direct Debit 420057 TELSTRA", "Telstra", "direct"),
    # a name of digits and hyphens is a name (round eighteen's `names` fix), and a vendor's
    ("1-800-CONTACTS 800-266-8228 FL", "1-800 Contacts", "direct"),
    ("1-800 CONTACTS", "1-800 Contacts", "direct"),
])
def test_domains_glued_states_and_lenders(matcher, raw, vendor, channel):
    r = one(matcher, raw)
    if channel == "apple":
        assert r["merchant"] == "Apple"
    assert (r["vendor"] if isinstance(r["vendor"], str) else None) == vendor
    assert r["channel"] == channel
    assert "comca" not in r["merchant_key"]


@pytest.mark.parametrize("raw", ["JOES PIZZA NETFLIX.COM", "UPSTART CROW BOOKS", "ALLY BANK TRANSFER",
                                 # "energy" is Entergy less a consonant: another word, not a typo
                                 "ENERGY FITNESS CLUB", "ENERGY OUTLET 4411",
                                 # a carrier's name is also a surname, a town and a taco chain's
                                 "TACO BELL #2231", "KENNY ROGERS ROASTERS", "ROGERS AR SHELL"])
def test_a_vendor_word_inside_another_business_is_no_match(matcher, raw):
    assert one(matcher, raw)["vendor"] is None or pd.isna(one(matcher, raw)["vendor"])


def test_enrich_from_descriptors_already_normalised_is_enrich():
    from detector.match import enrich
    from detector.normalize import normalize_distinct
    from detector.synth import generate

    tx, _ = generate(3, "2024-01-01", "2024-06-30", seed=2)
    tx = tx.set_index(pd.RangeIndex(100, 100 + len(tx)))
    done = normalize_distinct(tx["description"], groups=tx["account_id"])
    pd.testing.assert_frame_equal(enrich(tx, normalised=done), enrich(tx))


@pytest.mark.parametrize("raw", [
    # an alias followed by more letters in the same word is another word (eighteenth session's
    # known fault: a farm shop was Twitch, a charity ride Peloton)
    "TWITCHELL FARMS", "TWITCHELL FARMS PPD ID: 2235362227", "PELOTONIA", "PELOTONIA 2025 RIDE",
    "SPOTIFYING STUDIO", "NETFLIXATION",
])
def test_an_alias_grown_into_another_word_is_no_match(matcher, raw):
    assert pd.isna(one(matcher, raw)["vendor"])


@pytest.mark.parametrize("raw, vendor", [
    # what billing names fuse onto a vendor's still matches: domain, market, legal form, billing
    # words (one after another, the last maybe cut short), a store number
    ("NETFLIXCOM", "Netflix"), ("NETFLIXCOMCA", "Netflix"), ("SPOTIFYUSA", "Spotify"),
    ("PAYPAL *SPOTIFYUSAI", "Spotify"), ("SPOTIFYUSAINC", "Spotify"), ("PELOTON123", "Peloton"),
    ("PELOTONMEMBERSHIP", "Peloton"), ("PELOTONMEMB", "Peloton"), ("TWITCHTV", "Twitch"),
    ("CRUNCH FITNESSMEMBERSHIP", "Crunch Fitness"), ("HULU*HULU.COM", "Hulu"), ("TWITCH INTERACTIVE", "Twitch"),
])
def test_a_vendors_fused_billing_name_still_matches(matcher, raw, vendor):
    assert one(matcher, raw)["vendor"] == vendor


def test_an_aggregators_fused_name_is_still_its_channel(matcher):
    r = one(matcher, "APPLECOMBILL")
    assert r["channel"] == "apple" and r["merchant"] == "Apple"


@pytest.mark.parametrize("raw, vendor", [
    # a legal form fused onto a one-word name is the name's, as the form after a space is
    # ("HULU LLC" is Hulu); Hulu's four letters were too few for the fused read (eighteenth
    # session's known fault: HULULLC, as real statements print it, was no vendor)
    ("HULULLC", "Hulu"), ("PAYPAL *HULULLC", "Hulu"), ("HULULLC 877-8244858 CA", "Hulu"), ("PLEXINC", "Plex"),
    ("NETFLIXINC", "Netflix"), ("BLINKISTGMBH", "Blinkist"),
    # names with digits written without hyphens or spaces (1800CONTACTS was an id)
    ("1800CONTACTS", "1-800 Contacts"), ("1800CONTACTS.COM", "1-800 Contacts"),
    ("POS 1800CONTACTS 800-266-8228 FL", "1-800 Contacts"), ("1-800 CONTACTS", "1-800 Contacts"),
    ("1-800-CONTACTS.COM", "1-800 Contacts"), ("LIFE360INC", "Life360"), ("ZEE5PREMIUM", "Zee5"),
    # Three UK's direct debits name Hutchison 3G, its catalogue alias H3G (an id by shape)
    ("H3G UK LTD", "Three UK"), ("DD H3G UK 123456", "Three UK"),
])
def test_fused_legal_forms_and_names_with_digits_match(matcher, raw, vendor):
    assert one(matcher, raw)["vendor"] == vendor


@pytest.mark.parametrize("raw", [
    # a fused legal form needs the whole rest of the word to be an alias, and three letters of it
    "ZINC", "HULUSLLC", "NETFLIXYINC", "UNLIMITED", "ACCOMPANY",
    # the word CONTACTS alone is no longer an alias of 1-800 Contacts ("1-800 CONTACTS" keyed "contacts")
    "CONTACTS",
])
def test_a_fused_legal_form_or_a_bare_word_is_no_stretch(matcher, raw):
    assert pd.isna(one(matcher, raw)["vendor"])


def test_a_vendors_own_name_before_another_vendor_is_no_billing_code(tmp_path):
    # round thirty: "EE & T-MOBILE" was read as a short billing code ("ee") before T-Mobile's
    # alias; a first word that is another vendor's name is a name, so no vendor rather than a
    # wrong one (a user catalogue without EE's collecting name shows the rule alone)
    p = tmp_path / "mine.toml"
    p.write_text('[[vendor]]\nname = "EE"\ncategory = "telecom"\ncadence = ["monthly"]\n'
                 'aliases = ["EE LIMITED", "=EE"]\n', encoding="utf-8")
    m = MerchantMatcher(user_catalog=p).fit()
    assert one(m, "EE & T-MOBILE DDR")["vendor"] is None
    assert one(m, "BH BETTERHELP")["vendor"] == "BetterHelp"  # a code that names no vendor still goes


def test_the_les_mills_gym_is_not_the_les_mills_plus_app(matcher):
    # round-forty-one audit: an NZ gym membership, "LES MILLS NZ", was named "Les Mills+" (the
    # on-demand app) and its double-debit email went to the app's support
    for raw in ("LES MILLS NZ", "LES MILLS AUCKLAND CITY"):
        assert one(matcher, raw)["vendor"] == "Les Mills", raw
    for raw in ("LES MILLS+", "LES MILLS ON DEMAND", "LESMILLS 841-900-1428"):
        assert one(matcher, raw)["vendor"] == "Les Mills+", raw


@pytest.mark.parametrize("raw, vendor", [
    # round-forty-one audit (ANZ, ASB, TD files): Kayo, Foxtel and AGL were merchants of their own
    # ("Kayo Sports Melbourne VI", "Foxtel Management Pty Direct", "Agl Sales Pty LTD Direct")
    ("KAYO SPORTS              MELBOURNE    VI AUS", "Kayo Sports"),
    ("FOXTEL MANAGEMENT PTY    DIRECT DEBIT", "Foxtel"), ("FOXTEL NOW", "Foxtel"),
    ("AGL SALES PTY LTD        DIRECT DEBIT", "AGL"), ("ORIGIN ENERGY", "Origin Energy"),
    ("ENERGYAUSTRALIA PTY LTD", "EnergyAustralia"), ("ONE NZ", "One NZ"), ("D/D ONE NZ", "One NZ"),
    ("VODAFONE NZ", "One NZ"), ("MERCURY NZ LTD", "Mercury NZ"), ("CONTACT ENERGY LTD", "Contact Energy"),
    ("HYDRO ONE NETWORKS", "Hydro One"), ("ENBRIDGE GAS DISTRIBUTION", "Enbridge Gas"),
    ("VODAFONE UK", "Vodafone"), ("EA *ORIGIN", "EA Play"),
])
def test_australian_nz_and_ontario_vendors(matcher, raw, vendor):
    assert one(matcher, raw)["vendor"] == vendor


@pytest.mark.parametrize("raw", ["KAYO'S CAFE", "KAYO CAFE SYDNEY", "ORIGIN COFFEE", "ORIGIN COFFEE ROASTERS",
                                 "MERCURY INSURANCE", "MERCURY", "ONE", "ONE STOP SHOP NZ", "HYDRO FLASK",
                                 "CONTACT LENS SHOP", "ENBRIDGE PIPELINES", "AGLOW SPA"])
def test_near_misses_of_those_vendors_are_no_match(matcher, raw):
    assert pd.isna(one(matcher, raw)["vendor"])


def test_the_new_energy_retailers_are_utilities():
    # a utility's final bill after moving house gets the utility treatment (flags.is_utility)
    from detector.flags import is_utility
    names = ["AGL", "Origin Energy", "EnergyAustralia", "Mercury NZ", "Contact Energy", "Hydro One", "Enbridge Gas"]
    assert is_utility(pd.Series(names), pd.Series(names)).all()
