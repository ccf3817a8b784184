"""Descriptor normalisation: every kind of noise, variants of one merchant, distinct merchants."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from detector.descriptor_prepass import collapse_ids
from detector.normalize import normalize_descriptors, normalize_one
from tests._stress import examples


def key(d):
    return normalize_one(d)[0]


@pytest.mark.parametrize(
    "raw",
    [
        "NETFLIX.COM 866-579-7172 CA",
        "POS DEBIT NETFLIX COM",
        "CHECKCARD 0315 NETFLIX.COM 24492153075",
        "PURCHASE AUTHORIZED ON 01/08 NETFLIX.COM NETFLIX.COM CA S385008123456789 CARD 1234",
        "DEBIT CARD PURCHASE - NETFLIX.COM",
        "RECURRING PAYMENT AUTHORIZED ON 02/11 NETFLIX.COM CA",
        "ACH DEBIT NETFLIX.COM",
        "NETFLIX.COM ON 12 MAR CPM",
        "CARD PAYMENT TO NETFLIX.COM,12.99 GBP, RATE 1.00/GBP ON 12-03-2025",
        "WWW.NETFLIX.COM/BILL",
        "Apple Pay NETFLIX.COM",
        "NETFLIX.COM LOS GATOS CA",
        "NETFLIX.COM 2024-03-01 REF# 88812345",
    ],
)
def test_noise_is_stripped_to_one_key(raw):
    assert key(raw) == "netflix com"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("SQ *SUNRISE YOGA STUD", "sunrise yoga stud"),
        ("TST* JOES DINER #123 PORTLAND OR", "joes diner"),
        ("SP * ALLBIRDS", "allbirds"),
        ("PY *CITY OF AUSTIN UTIL", "city of austin util"),
        ("Google Pay BLUE BOTTLE COFFEE", "blue bottle coffee"),
        ("WALGREENS #1234", "walgreens"),
        ("SHELL OIL 57444 12:31 PM", "shell oil"),
        ("MCDONALD'S F12345", "mcdonalds"),
        ("NETFLIX DES:ENTERTAINM ID:XXXXX12 INDN:JOHN DOE CO ID:XXXX WEB", "netflix"),
    ],
)
def test_processor_and_store_noise(raw, expected):
    assert key(raw) == expected


def test_joes_lawn_care_variants_share_key_and_readable_name():
    s = pd.Series(["JOES LAWN CARE LLC", "JOE'S LAWN CARE", "JOES LAWN CARE 5035551234"])
    df = normalize_descriptors(s)
    assert df["merchant_key"].nunique() == 1
    assert set(df["display_name"]) == {"Joe's Lawn Care"}


def test_merchants_sharing_a_word_stay_apart():
    assert key("JOES LAWN CARE") != key("JOES PIZZA")
    assert key("SUNRISE YOGA STUDIO") != key("SUNRISE BAKERY")


@pytest.mark.parametrize(
    "raw, channel, hint",
    [
        ("APPLE.COM/BILL 866-712-7753 CA", "apple", ""),
        ("APPLE STORE R123", "direct", ""),
        ("GOOGLE PLAY *YouTubePremium g.co/helppay#CA", "google_play", "YOUTUBEPREMIUM"),
        ("GOOGLE *YouTubePremium g.co/helppay#CA", "direct", ""),  # billed for YouTube (round-48 audit)
        ("GOOGLE *Play", "google_play", ""),
        ("PAYPAL *SPOTIFYUSAI 4029357733", "paypal", "SPOTIFYUSAI"),
        ("Amazon Prime*1A2B3C4D5 Amzn.com/bill WA", "amazon", "AMAZON PRIME"),
        ("AMZN Mktp US*2K4AB1C2", "amazon", ""),
        ("ROKU FOR SLING TV", "roku", "SLING TV"),
        ("NETFLIX.COM", "direct", ""),
        # paying the store card an aggregator lends on is no purchase through it (round-eight
        # audit: "PAYPAL CREDIT PAYMENT" was merchant "Credit", billed through PayPal)
        ("PAYPAL CREDIT PAYMENT", "direct", ""),
        ("AMAZON CORP SYF PAYMNT", "direct", ""),
        ("PAYPAL *CREDITKARMA", "paypal", "CREDITKARMA"),
    ],
)
def test_channels(raw, channel, hint):
    _, _, ch, h = normalize_one(raw)
    assert (ch, h) == (channel, hint)


def test_bare_channel_keeps_channel_as_merchant():
    assert normalize_one("APPLE.COM/BILL 866-712-7753 CA")[:2] == ("apple", "Apple")
    assert normalize_one("AMZN Mktp US*2K4AB1C2")[:2] == ("amazon", "Amazon")


def test_clean_names_keep_distinct_and_identical():
    names = pd.Series(["Apple", "Stine", "Apple", "Stine Lumber", "McDonald's", "eBay"])
    df = normalize_descriptors(names)
    assert df["merchant_key"].iloc[0] == df["merchant_key"].iloc[2]
    assert df["merchant_key"].nunique() == 5
    assert list(df["display_name"].iloc[[1, 4, 5]]) == ["Stine", "McDonald's", "eBay"]


def test_transfers_keep_their_counterparty_account_masked():
    a = normalize_one("PREVOD NA UCET YZ30300313 SIPO")
    b = normalize_one("PREVOD NA UCET AB10394711 SIPO")
    assert a[0] != b[0]
    assert "30300313" not in a[1] and "0313" in a[1]


def test_transfers_to_x_masked_accounts_keep_the_last_digits():
    # Wells Fargo and others print the account as XXXXXX1234: the X's are the bank's mask
    a = normalize_one("ONLINE TRANSFER TO SAV XXXXXX1234")
    b = normalize_one("ONLINE TRANSFER TO SAV XXXXXX5678")
    assert a[0] != b[0]
    assert a[1] == "Online Transfer to Sav …1234"
    assert normalize_one("TRANSFER TO SAV XXXXXX1234")[1] == "Transfer to Sav …1234"


def test_index_and_missing_values_preserved():
    s = pd.Series(["NETFLIX.COM", None, "NETFLIX.COM"], index=[10, 20, 30])
    df = normalize_descriptors(s)
    assert list(df.index) == [10, 20, 30]
    assert df.loc[20, "merchant_key"] == "unknown"
    assert df.loc[10, "merchant_key"] == df.loc[30, "merchant_key"]


_descriptor = st.text(
    alphabet=st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghij0123456789*#.-/'&")), max_size=40
)


@settings(max_examples=examples(300), deadline=None)
@given(_descriptor)
def test_key_is_idempotent_and_free_of_long_digit_runs(raw):
    k, display, channel, _ = normalize_one(raw)
    assert k and k == k.strip()
    assert not re.search(r"\d{5,}", k)
    assert not re.search(r"\d{5,}", display)
    again, _, channel_again, _ = normalize_one(k)
    # normalising a key again gives the same key: a key whose words are all noise once they stand
    # alone ("NO*6" -> "no 6") is already the ref key. A key may also read as an aggregator's
    # name ("apple com"), which then folds into the channel: those are not merchant keys to keep.
    if channel == channel_again == "direct" and not k.startswith("ref "):
        assert again == k


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(_descriptor, min_size=1, max_size=20))
@example(["000A/A", "A/00AA/A"])
def test_batch_equals_one_by_one(raws):
    df = normalize_descriptors(pd.Series(raws), mask_codes=False)
    for got, r in zip(df["merchant_key"], raws):
        # the id-collapsing pre-pass changes nothing but which ids an all-id line hashes
        # ... and a key cut mid-word may join the one longer key of the batch it starts
        assert got == key(r) or (got.startswith("ref ") and key(r).startswith("ref ")) or got.startswith(key(r))
    # With per-charge codes masked (the default), a batch may also drop a token that changes
    # from charge to charge of one merchant, which one line alone cannot see: hypothesis found
    # ['000A/A', 'A/00AA/A'], keys 'a' and 'a' where the lines alone give 'a' and 'a 00aa a'.
    masked = normalize_descriptors(pd.Series(raws))
    for got, alone, r in zip(masked["merchant_key"], df["merchant_key"], raws):
        assert got == alone or set(got.split()) <= set(alone.split()) or got.startswith("ref ")


def test_collapse_ids_keeps_transfers_and_short_numbers():
    assert collapse_ids("CHECKCARD 0315 NETFLIX.COM 24492153075") == "CHECKCARD 0000 NETFLIX.COM 0000"
    assert collapse_ids("PREVOD NA UCET YZ30300313 SIPO") == "PREVOD NA UCET YZ30300313 SIPO"
    assert collapse_ids("365 RETAIL MARKETS") == "365 RETAIL MARKETS"


def test_card_network_cut_joins_the_full_name_in_the_batch():
    df = normalize_descriptors(pd.Series(["SQ *SUNRISE YOGA STUD", "SUNRISE YOGA STUDIO PORTLAND OR",
                                          "SQ *SUNRISE BAKERY AND", "SUNRISE BAKERY ANDERSON", "SUNRISE BAKERY ANDOVER"]))
    assert df["merchant_key"].iloc[0] == df["merchant_key"].iloc[1] == "sunrise yoga studio"
    assert df["display_name"].iloc[0] == "Sunrise Yoga Studio"
    # "AND" could be either longer name: left alone
    assert df["merchant_key"].iloc[2] == "sunrise bakery and"


@pytest.mark.parametrize("raw", ["I-D0", "NO*6", "0/FEB", "APPLE'PAY.1234'CARD-ONB-DEBIT'", "2.PM.*-",
                                 "CARD*03.", "REF'00", "DEBIT-MAR/5-", "X.X*"])
def test_keys_hiding_noise_behind_punctuation_are_fixed_points(raw):
    # found by the idempotence property: punctuation hid an id, date, time or wallet that shows
    # only once the key's words stand alone; such a descriptor is the ref key straight away
    k, display, _, _ = normalize_one(raw)
    assert normalize_one(k)[0] == k
    assert k.startswith("ref ") and display == "Unrecognised payment"
    df = normalize_descriptors(pd.Series([raw, "NETFLIX.COM"]))
    assert df["merchant_key"].iloc[0].startswith("ref ") and df["display_name"].iloc[0] == display


@pytest.mark.parametrize("raw, key, name", [
    # Chase's long ACH form: the originator is the merchant
    ("ORIG CO NAME:COMCAST ORIG ID:9278377044 DESC DATE:220411 CO ENTRY DESCR:CABLE PMT SEC:PPD TRACE#:1021000",
     "comcast", "Comcast"),
    # Wells Fargo ACH: entry date, trace id and the account holder's name after the payee
    ("VERIZON WIRELESS PAYMENTREC 250314 1234567 JOHN DOE", "verizon wireless", "Verizon Wireless"),
    ("ROBINHOOD FUNDS 230419 AUEKP3 EMILY OKAFOR", "robinhood funds", "Robinhood Funds"),
    # ... but a card line with a city and state is not a holder's name
    ("PURCHASE 0621 LIFE360 BURBANK CA", "life360", "Life360"),
    # a city after "OF" is part of the name
    ("ACH CREDIT CITY OF DENVER PAYROLL", "city of denver", "City of Denver"),
    ("CITY OF AUSTIN DES:UTIL PMT ID:123456", "city of austin", "City of Austin"),
    # US Bank writes the state onto the city; credit unions end with the card number
    ("DEBIT PURCHASE -VISA STARBUCKS STORE 06233 CHICAGOIL", "starbucks", "Starbucks"),
    ("DBT CRD 1211 09/01/23 STARBUCKS STORE 5165 CHICAGO IL C#5474", "starbucks", "Starbucks"),
    ("DBT CRD 4815 04/27/23 APPLE.COM/BILL CUPERTINO CA C#2556", "apple", "Apple"),
    # a city the gazetteer does not know, between the store number and the state
    ("CHECKCARD 0523 MERRY MAIDS #2060 MEMPHIS TN 93637489968193976282928", "merry maids", "Merry Maids"),
    ("OTF #4401 BOCA RATON FL", "otf", "Otf"),
    ("CHECKCARD 0523 WAWA BOSTON MA", "wawa", "Wawa"),
    # Barclays' payment type codes after the payee: standing order, bill payment (as DDR, FPO)
    ("MARCUS                            STO", "marcus", "Marcus"),
    ("BRITISH GAS              BBP", "british gas", "British Gas"),
    ("HARGREAVES LANSDOWN               DDR", "hargreaves lansdown", "Hargreaves Lansdown"),
])
def test_bank_layouts_name_the_merchant(raw, key, name):
    assert normalize_one(raw)[:2] == (key, name)


@pytest.mark.parametrize("returned, paid", [
    ("ACH RETURN PLANET FITNESS DES:CLUB FEES", "PLANET FITNESS DES:CLUB FEES ID:XXXX INDN:ALEX MORGAN CO ID:XXXX PPD"),
    ("REVERSAL NETFLIX.COM", "NETFLIX.COM"),
    ("RETURNED PAYMENT SPOTIFY USA", "SPOTIFY USA"),
])
def test_a_returned_or_reversed_payment_is_the_payees(returned, paid):
    # round-seven audit: "ACH RETURN PLANET FITNESS" was merchant "Return Planet Fitness", so the
    # debit retried after the return read as a double charge with a refund request
    assert normalize_one(returned)[0] == normalize_one(paid)[0]
    assert normalize_one("RETURNED ITEM FEE")[0] == "returned item fee"  # the bank's fee stays its own


@pytest.mark.parametrize("raw", ["FOREIGN TRANSACTION FEE SPOTIFY P1A2B3C", "INTL TRANSACTION FEE NETFLIX.COM",
                                 "Non-Sterling Transaction Fee AMAZON", "INTERNATIONAL PURCHASE FEE ADOBE",
                                 "FOREIGN TRANSACTION FEE",
                                 # round fifteen: other banks' spellings, and the fee after the name
                                 "NON STERLING TRANSACTION FEE NETFLIX.COM", "FOREIGN CURRENCY TRANSACTION FEE HULU",
                                 "INTERNATIONAL PURCHASE TRANSACTION FEE DISNEY PLUS",
                                 "PATREON* MEMBERSHIP FOREIGN TRANSACTION FEE",
                                 # round sixteen
                                 "FOREIGN EXCH FEE HULU", "OVERSEAS TRANSACTION FEE SPOTIFY",
                                 "FRGN TRANS FEE DISNEY PLUS", "INTL SERVICE ASSESSMENT PATREON"])
def test_a_banks_foreign_fee_is_the_banks_not_the_merchants(raw):
    # the fee a bank charges on a purchase abroad, named after the purchase, is no charge of the
    # merchant's: keyed as Spotify it made a 0.36 "Spotify" plan (fifteenth session's known gap)
    assert normalize_one(raw)[:2] == ("fee", "Fee")
    # a line that only passes through the words is still the merchant's
    assert normalize_one("FOREIGN TRANSACTION SPOTIFY P1A2B3C")[0] == "spotify"


@pytest.mark.parametrize("raw, key", [
    ("DVLA-AB12CDE", "dvla"), ("BRITISH GAS-8501234567", "british gas"), ("T-MOBILE-AB12CD3", "tmobile"),
    ("AT&T-12345678", "at&t"), ("O2-7712345678", "o2"),
    # hyphens inside a name stay
    ("7-ELEVEN 12345", "7eleven"), ("COCA-COLA", "cocacola"), ("A-1 PLUMBING", "a1 plumbing"),
    ("IN-N-OUT BURGER", "innout burger"),
])
def test_a_reference_joined_by_a_hyphen_leaves_the_name(raw, key):
    # round-thirteen audit: "DVLA-AB12CDE" was an unrecognised payment, "BRITISH GAS-8501234567"
    # "British" (no vendor), "T-MOBILE-AB12CD3" unrecognised
    assert normalize_one(raw)[0] == key


@pytest.mark.parametrize("raw", [
    "TRADING 212", "Trading 212 UK Ltd", "CARD PAYMENT TO TRADING 212,50.00 GBP, RATE 1.00/GBP ON 03-02-2025",
    "TRADING 212 LONDON GB", "DD TRADING 212",
])
def test_a_number_that_is_part_of_a_known_brand_name_is_kept(raw):
    # sixteenth audit: Trading 212 (a UK investing app) was "Trading", its 212 taken for a store number
    assert normalize_one(raw)[:2] == ("trading 212", "Trading 212")


@pytest.mark.parametrize("raw, want", [
    ("TARGET CIRCLE 360", "target circle 360"),  # the catalogue's numbered names count too
    ("NORTON 360", "norton 360"),
    # real store numbers still go, and a brand's number only when the brand is the whole name
    ("WALGREENS #1234", "walgreens"), ("SHELL OIL 57442", "shell oil"), ("WAITROSE 123", "waitrose"),
    ("ACME TRADING 212", "acme trading"), ("TRADING POST 212", "trading post"),
])
def test_store_numbers_still_go_and_catalogue_brands_keep_theirs(raw, want):
    assert key(raw) == want
    assert key(key(raw)) == key(raw)  # a key is a fixed point


def test_chases_quickpay_with_zelle_names_the_payee():
    assert normalize_one("QuickPay with Zelle payment to ROSA HERNANDEZ JPM99a1b2c3")[:2] == (
        "rosa hernandez", "Rosa Hernandez")


@pytest.mark.parametrize("raw", ["WW INTERNATIONAL SERVICE FEE", "HERBALIFE INTERNATIONAL SERVICE FEE",
                                 "KIWANIS INTERNATIONAL ASSESSMENT"])
def test_a_firms_international_service_fee_is_its_own(raw):
    # round seventeen: a name ending in INTERNATIONAL before "SERVICE FEE" was the bank's fee
    assert normalize_one(raw)[0] != "fee"



@pytest.mark.parametrize("raw, want_key, want_name", [
    # names whose own words mix digits and hyphens: without the hyphens each reads as an id (four
    # digits, or digits and letters switching twice), and they were "Unrecognised payment" or the
    # word left beside them (eighteenth session's known fault)
    ("1-800-CONTACTS", "1-800-contacts", "1-800-Contacts"),
    ("1-800-CONTACTS 800-266-8228 UT", "1-800-contacts", "1-800-Contacts"),
    ("FITNESS-2GO", "fitness-2go", "Fitness-2GO"),
    ("JET2-HOLIDAYS", "jet2-holidays", "Jet2-Holidays"),
    ("B2B-SUPPLY CO", "b2b-supply", "B2B-Supply"),
    ("1-800-GOT-JUNK", "1-800-got-junk", "1-800-Got-Junk"),
    # a toll-free number spelt in letters is the name when nothing named comes before it
    ("1-800-FLOWERS", "1-800-flowers", "1-800-Flowers"),
    ("1-800-FLOWERS.COM 800-468-1141 NY", "1-800-flowers com", None),
    # names the old rule kept stay as they were
    ("JET2.COM", "jet2 com", "Jet2.com"), ("7-ELEVEN 34567", "7eleven", "7-Eleven"),
    ("24-HOUR FITNESS", "24hour fitness", "24-Hour Fitness"),
])
def test_a_name_whose_words_mix_digits_and_hyphens_is_kept(raw, want_key, want_name):
    k, name, _, _ = normalize_one(raw)
    assert k == want_key
    if want_name:
        assert name == want_name
    assert normalize_one(k)[0] == k  # a fixed point: the hyphens that make it a name stay in the key
    df = normalize_descriptors(pd.Series([raw, "NETFLIX.COM"]))  # the batch path (pre-passes) agrees
    assert df["merchant_key"].iloc[0] == k


@pytest.mark.parametrize("raw", [
    "ACME REF 1234-5678", "ACME ID: 88-1234-5", "ACME #12-3456", "ACME 800-555-1212", "ACME 1-800-555-1212",
    "ACME 12-05", "ACME STORE 123", "ACME 1-800-ABC-DEFG", "ACME 800-FLOWERS",
    # ids with a letter prefix, digit runs over three, more than four digits, an id as a part
    "ACME ID-88-12", "ACME AB-1234-CD", "ACME XYZ-123-456-AB", "ACME 99-AB12CDE", "ACME 1234-ABCD",
])
def test_references_with_hyphens_still_go(raw):
    assert key(raw) == "acme"


def test_a_reference_hyphened_onto_a_hyphenated_name_still_goes():
    assert key("JET2-HOLIDAYS-AB12CD3") == "jet2-holidays"
    assert key("1-800-CONTACTS REF 1234-5678") == "1-800-contacts"


@pytest.mark.parametrize("raw, want_key, want_name", [
    # the same names written without hyphens read as ids (four digits; digits and letters
    # switching twice), in one line and, zeroed or canonicalised by the pre-passes, in a batch
    # (eighteenth session's known fault: "Unrecognised payment", or the city after them)
    ("1800CONTACTS", "1-800-contacts", "1-800-Contacts"),
    ("POS 1800CONTACTS 800-266-8228 FL", "1-800-contacts", "1-800-Contacts"),
    ("1800CONTACTS 0042", "1-800-contacts", "1-800-Contacts"),
    ("PAYPAL *1800CONTACTS", "1-800-contacts", "1-800-Contacts"),
    ("1800CONTACTS.COM", "1-800-contacts com", None),
    ("1-800 CONTACTS", "1-800-contacts", "1-800-Contacts"),
    ("1800FLOWERS.COM 800-468-1141 NY", "1-800-flowers com", None),
    ("JET2HOLIDAYS", "jet2 holidays", "Jet2 Holidays"),
    ("JET2HOLIDAYS LEEDS", "jet2 holidays", "Jet2 Holidays"),
    ("JET2HOLIDAYS 12345", "jet2 holidays", "Jet2 Holidays"),
    ("JET2HOLIDAYS.COM", "jet2 holidays com", "Jet2 Holidays.com"),
    ("JET2.COM 0000123456 LEEDS", "jet2 com", "Jet2.com"),
    ("FOOD4LESS #123", "food4less", "Food4less"),
    ("LIFE360INC", "life360", "Life360"),
    ("H3G UK LTD", "h3g", "H3G"),  # Three UK's direct debit (its catalogue alias; read as an id before)
    ("DD H3G UK 123456", "h3g", "H3G"),
])
def test_a_name_with_digits_written_as_one_word_is_kept(raw, want_key, want_name):
    k, name, _, _ = normalize_one(raw)
    assert k == want_key
    if want_name:
        assert name == want_name
    assert normalize_one(k)[0] == k
    # the batch path, next to lines its pre-passes rewrite, agrees
    df = normalize_descriptors(pd.Series([raw, "NETFLIX.COM 12345", "SQ *CAFE 0042 A1B2C", "AB12CDE"]))
    assert df["merchant_key"].iloc[0] == k


def test_unhyphened_and_spaced_forms_share_the_hyphened_forms_key():
    df = normalize_descriptors(pd.Series(["1800CONTACTS", "1-800-CONTACTS", "1-800 CONTACTS",
                                          "JET2HOLIDAYS", "JET2 HOLIDAYS"]))
    assert df["merchant_key"].tolist() == ["1-800-contacts"] * 3 + ["jet2 holidays"] * 2


@pytest.mark.parametrize("raw, want_key", [
    # store numbers, phone numbers and reference ids still go
    ("NETFLIX 12345", "netflix"), ("SQ *CAFE 0042", "cafe"), ("AMZN MKTP US*2K4XY1", "amazon"),
    ("ACME 1800FLOWERS", "acme"),  # after a name: the name's phone number in letters
    ("ACME 1-800 FLOWERS", "acme flowers"),  # as before: only where the line starts
    ("ACME AB12CDE", "acme"), ("ACME HRSJV2HCQ", "acme"), ("ACME JET2XQ7", "acme"),
    ("JET2 AB12CDE", "jet2"), ("1800 BROADWAY PARKING", "broadway parking"),  # an address
])
def test_ids_next_to_names_with_digits_still_go(raw, want_key):
    assert normalize_one(raw)[0] == want_key
    assert normalize_descriptors(pd.Series([raw, "NETFLIX.COM 12345"]))["merchant_key"].iloc[0] == want_key


@pytest.mark.parametrize("raw", ["1800XQZTKB", "1800BCDFG", "AB12CDE", "JET2HOLIDAYS12345"])
def test_ids_shaped_like_names_with_digits_stay_ids(raw):
    # letters no word starts with or with too few vowels; a fused name with an id fused on
    assert normalize_one(raw)[1] == "Unrecognised payment"


@pytest.mark.parametrize("raw", ["APPLE STORE R245", "APPLE STORE #R123 LONDON", "APPLE STORE R245 LONDON GBR"])
def test_an_apple_store_purchase_is_not_apples_billing(raw):
    # round thirty: the shop's number went with "STORE" and left the key "apple", Apple billing's,
    # so a 2.99 purchase at an Apple Store joined the APPLE.COM/BILL 2.99 stream
    key, name, channel, _ = normalize_one(raw)
    assert (key, name, channel) == ("apple store", "Apple Store", "direct")
    assert normalize_one("APPLE.COM/BILL 866-712-7753 CA")[0] != key
    out = normalize_descriptors(pd.Series([raw, "APPLE.COM/BILL HOLLYHILL IRL"]))
    assert out["merchant_key"].nunique() == 2
