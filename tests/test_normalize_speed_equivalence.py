"""The reference-token pre-pass of ``normalize_descriptors`` changes speed, never the result.

Each set of descriptors is normalised twice, with the pre-pass (``collapse_refs=True``, the
default) and without it (the plain per-form path kept as the reference); the frames must be equal.
Per-charge code masking (``mask_codes``, tested in test_charge_codes.py) is a step of its own that
does change keys, so both sides run without it here.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.descriptor_prepass import (
    _REF_TOKEN_DIGIT_FIRST,
    _REF_TOKEN_STAR_LAST,
    collapse_ids_many,
    collapse_refs_many,
)
from detector.descriptor_words import US_STATES
from detector.importers import read_statement
from detector.normalize import (
    _ACH_HOLDER_RE,
    _ACH_HOLDER_TAIL_RE,
    _AMAZON_RE,
    _APPLE_BARE_RE,
    _APPLE_RE,
    _AWS_RE,
    _CHANNEL_FIRST,
    _CHANNEL_RES,
    _NOISE_LITERALS,
    _NOISE_NEEDS_DIGIT,
    _NOISE_RES,
    _STORE_CITY_RE,
    _prepare,
    normalize_descriptors,
)
from detector.synth import generate
from tests._stress import examples

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
EVAL = next((p for p in (ROOT.parent / "shared" / "eval", Path("/work/shared/eval")) if p.exists()), ROOT / "missing")


def assert_same(descriptions: pd.Series) -> None:
    fast = normalize_descriptors(descriptions, mask_codes=False)
    reference = normalize_descriptors(descriptions, collapse_refs=False, mask_codes=False)
    assert fast.equals(reference)


@pytest.mark.parametrize("name", ["descriptors.csv", "descriptors_unseen.csv"])
def test_labelled_descriptors(name):
    raw = pd.read_csv(ROOT / "tests" / "data" / name, dtype=str)["raw"]
    assert_same(raw)
    assert_same(pd.concat([raw, raw.str.lower(), raw.str.title()], ignore_index=True))


def test_sample_statements():
    paths = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in {".csv", ".qfx", ".ofx"}
                   and p.name != "cancellations.csv")
    assert paths
    descriptions = pd.concat(
        [read_statement(p).transactions["description"] for p in paths], ignore_index=True)
    assert len(descriptions) > 100
    assert_same(descriptions)


@pytest.mark.parametrize("name", ["berka", "recur_scan"])
def test_eval_descriptions(name):
    path = EVAL / name / "tx.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    tx = pd.read_csv(path, dtype=str)
    column = "description" if "description" in tx.columns else tx.columns[-1]
    assert_same(tx[column])


def test_synthetic_descriptors():
    tx, _ = generate(60, "2023-07-01", "2025-06-30", seed=7)
    descriptions = tx["description"]
    distinct = descriptions.drop_duplicates()
    assert len(distinct) >= 20_000
    # the pre-pass must actually merge forms, or this test proves nothing
    forms = set(collapse_ids_many(distinct.to_numpy(dtype=object)))
    assert len(set(collapse_refs_many(list(forms)))) < len(forms) * 0.6
    assert_same(descriptions)


def test_edge_cases_next_to_reference_tokens():
    cases = [
        "AMZN Mktp US*HCDB8Z", "AMZN Mktp US*AB1C2D", "US*AMZN1A2B", "SQ *AMZN1A2B", "SQ *ROKU1A2",
        "ROKU1A2B", "APPLE R1A2B", "APPLE STORE1A2", "APPLE A1B2C", "AMAZON KIDS1A2", "AMZN VIDEO1A2",
        "PRIME VID1A2", "AMZN MUSIC1A2", "X A1B2VIDEO CHANNELS", "AMZN A1B2MUSIC UNLIMITED",
        "ON 12JAN24 NETFLIX", "NETFLIX ON 0000AB1", "CARD A1B2C NETFLIX", "NO A1B2 HULU", "ID0000AB1 HULU",
        "HULU # A1B2", "HULU **0000A1B2", "HULU ..0000A1", "CHECKCARD 0000 A1B2C", "CHECKCARD 0000A1B2",
        "TRANSFER TO SAV A1B2C3", "XFER FROM AB1234C", "A1B2 C3D4 E5F6", "A1B2", "*A1B2", "PP*A1B2C",
        "PAYPAL *A1B2C SPOTIFY", "GOOGLE *A1B2 YOUTUBE", "MSFT * A1B2C MSBILL.INFO", "LYFT THU 8PM A1B2",
        "12 PM1A2 NETFLIX", "Ebay O*A1B2c", "eBay A1B2C3 Marketplace", "NETFLIX  A1B2   CA",
        "THANK YOU1A2", "PAYMENT THANK YOU A1B2", "ATM WITHDRAWAL A1B2", "VENMO A1B2C", "800ABC1X2Y NETFLIX",
        "1-800ABC1234 NETFLIX", "844ABCWXYZ", "PURCHASE AUTHORIZED ON 01/01 A1B2C HULU", "0000AB1C",
    ]
    assert_same(pd.Series(cases * 2 + [c.lower() for c in cases]))


def test_names_with_digits_next_to_reference_tokens():
    # the pre-passes leave lines that may hold a name with digits alone (1800CONTACTS was zeroed
    # to 0000CONTACTS, JET2HOLIDAYS read as a reference token: nineteenth session)
    cases = [
        "1800CONTACTS", "1800CONTACTS 12345", "POS 1800CONTACTS A1B2C", "SQ *1800CONTACTS 0042", "ACME 1800FLOWERS",
        "1800CONTACTS.COM 800-266-8228 UT", "1-800 CONTACTS 12/01", "1800XQZTKB", "18001234CONTACTS",
        "JET2HOLIDAYS", "JET2HOLIDAYS A1B2C", "PAYPAL *JET2HOLIDAYS", "AMZN JET2HOLIDAYS", "JET2HOLIDAYS12345",
        "JET2XQ7", "ACME JET2HOLIDAYS HCDB8Z", "JET2.COM 1234567", "FOOD4LESS #1234", "LIFE360INC 0000AB1",
        "ZEE5PREMIUM*AB1C2D",
    ]
    assert_same(pd.Series(cases * 2 + [c.lower() for c in cases]))


def test_random_descriptors_mixing_ids_with_bank_words():
    # ids of every shape next to the words noise regexes read together with them
    # (STORE 844RUG88PL EU940 once showed that a phone-shaped id must not be canonicalised)
    words = ["ON", "on", "JAN", "12", "THU", "8PM", "PM", "AMZN", "AMAZON", "Mktp", "PRIME", "VIDEO", "MUSIC",
             "KIDS", "APPLE", "R1", "STORE", "ROKU", "ITUNES", "GOOGLE", "PAYPAL", "PP", "SQ", "CHECKCARD", "CARD",
             "ID", "NO", "#", "-", "CA", "NETFLIX", "PAYMENT", "THANK", "YOU", "ATM", "DES:", "ID:", "XX", "1-",
             "800", "TRANSFER", "TO", "VENMO", "POS", "DEBIT", "PURCHASE", "01/01", "0000", "LLC", "MSBILL.INFO",
             "UNLIMITED", "CHANNELS", "FREETIME", "eBay", "O", "+", "&", "KINDLE", "UNLTD", "AWS", "APL"]
    r = random.Random(5)

    def ref():
        t = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(r.randint(2, 9)))
        if r.random() < 0.3:
            t = r.choice(["0000", "12", "1", "844"]) + t
        if r.random() < 0.2:
            t = r.choice(["JAN", "PM", "AM", "ON", "VID", "AMZN", "R"]) + t
        return t

    rows = []
    for _ in range(8000):
        parts = [ref() if r.random() < 0.4 else r.choice(words) for _ in range(r.randint(1, 6))]
        text = parts[0]
        for p in parts[1:]:
            text += r.choice([" ", " ", " ", "*", " *", "  ", "**", "#"]) + p
        rows.append(text)
    assert_same(pd.Series(rows))


# Two shortcuts inside the per-descriptor normaliser skip a regex when a cheaper check shows it
# cannot match; the texts below must never catch such a check saying "cannot" wrongly.
_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ '.-*#/:+&,$@()_\x01…"


def _labelled_texts() -> list[str]:
    raw = pd.concat([pd.read_csv(ROOT / "tests" / "data" / name, dtype=str)["raw"]
                     for name in ("descriptors.csv", "descriptors_unseen.csv")], ignore_index=True)
    return [" ".join(str(t).upper().split()) for t in raw.dropna()]


@settings(max_examples=examples(400), deadline=None)
@given(st.text(alphabet=_CHARS, max_size=60))
def test_noise_regexes_marked_as_needing_a_digit_find_nothing_without_one(text):
    for rx, needs_digit in zip(_NOISE_RES, _NOISE_NEEDS_DIGIT):
        if needs_digit:
            assert rx.search(text) is None, rx.pattern


def test_noise_regexes_marked_as_needing_a_digit_on_real_descriptors():
    texts = _labelled_texts()
    without_digits = [re.sub(r"\d", "", t) for t in texts]
    marked = [rx for rx, needs in zip(_NOISE_RES, _NOISE_NEEDS_DIGIT) if needs]
    # most marked regexes do fire on the descriptors with their digits, or this proves little
    assert sum(any(rx.search(t) for t in texts) for rx in marked) >= len(marked) * 2 // 3
    assert not [(rx.pattern, t) for rx in marked for t in without_digits if rx.search(t)]


# What the literal gates may see: every text any gate names, digits, letters and separators.
_GATE_PIECES = sorted({lit for lits in _NOISE_LITERALS for lit in lits}
                      | {"WWW", "HTTPS://", "G.CO/", "HELPPAY", "1", "2", "12", "123", "1234", "800", "USD", "EUR",
                         "RATE", "A", "M", "P", "X", "*", ".", " ", "C", "BILL", "JAN", "THU", "ID"})


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(st.sampled_from(_GATE_PIECES), max_size=14).map("".join))
def test_noise_regexes_find_nothing_without_their_literal_text(text):
    for rx, literals in zip(_NOISE_RES, _NOISE_LITERALS):
        if literals and not any(lit in text for lit in literals):
            assert rx.search(text) is None, rx.pattern


def test_noise_regex_literals_on_real_descriptors():
    texts = _labelled_texts()
    gated = [(rx, lits) for rx, lits in zip(_NOISE_RES, _NOISE_LITERALS) if lits]
    # the gated regexes do fire on real descriptors, or this proves little
    assert sum(any(rx.search(t) for t in texts) for rx, _ in gated) >= len(gated) // 2
    for rx, lits in gated:
        stripped = []
        for t in texts:  # the regex's literal texts taken out (until none is left)
            while any(lit in t for lit in lits):
                for lit in lits:
                    t = t.replace(lit, " ")
            stripped.append(t)
        assert not [t for t in stripped if rx.search(t)], rx.pattern


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(["A", "Q", "0", "0000", "12", "AB1", "1A", " ", "  ", "-", "#", "X9Y", "*"]),
                max_size=12).map("".join))
def test_reference_rules_run_only_on_rows_with_a_star_find_nothing_without_one(text):
    # the reference pre-pass gives these two rules only the rows holding a "*"
    for pattern, _ in (_REF_TOKEN_DIGIT_FIRST, _REF_TOKEN_STAR_LAST):
        if "*" not in text:
            assert re.search(pattern, text) is None
    assert any(re.search(p, "AB *12CD3 X") for p, _ in (_REF_TOKEN_DIGIT_FIRST, _REF_TOKEN_STAR_LAST))


_CHANNEL_PATTERNS = [_AWS_RE, _AMAZON_RE, _APPLE_RE, _APPLE_BARE_RE, *(rx for _, rx in _CHANNEL_RES)]


@settings(max_examples=examples(600), deadline=None)
@given(st.sampled_from(sorted(set(_CHARS + "0123456789BCDEFHJLMNOQSTUVWXYZ") - _CHANNEL_FIRST)),
       st.lists(st.sampled_from(["AMAZON", "AMZN", "AWS", "APPLE", "APL*X", "ITUNES", "PRIME VIDEO", "KINDLE UNLTD",
                                 "GOOGLE", "G.CO/HELPPAY", "PAYPAL", "PP*", "ROKU", " ", "*", ".COM/BILL"]),
                max_size=5).map("".join))
def test_channel_patterns_need_one_of_their_first_letters(first, rest):
    # _channel returns "direct" at once for a line starting with any other character
    assert not [rx.pattern for rx in _CHANNEL_PATTERNS if rx.match(first + rest)]
    assert all(rx.pattern.startswith("^") for rx in _CHANNEL_PATTERNS)


_STORE_CITY_PIECES = ["#", "#12", "12", "123456", "OTF", "BOCA", "RATON", "FL", "CA", "ON", "X", " ", "-", "\n", "9"]


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(st.sampled_from(_STORE_CITY_PIECES), max_size=12).map(" ".join))
def test_store_city_pattern_needs_a_state_or_digit_at_the_end(text):
    # _prepare tries the pattern only on lines ending in a state or a digit (or a newline)
    if not (text[-2:] in US_STATES or text[-1:].isdigit() or text.endswith("\n")):
        assert _STORE_CITY_RE.search(text) is None


def test_store_city_gate_lets_the_pattern_through():
    cases = {"OTF #4401 BOCA RATON FL": "OTF #4401 FL", "OTF 12 BOCA FL 123456": "OTF 12 FL 123456",
             "OTF #12 BOCA RATON FL 1234567 7654321": "OTF #12 FL 1234567 7654321"}
    for text, prepared in cases.items():
        assert _prepare(text) == prepared


def test_ach_holder_tail_is_found_wherever_the_full_pattern_matches():
    holders = ["ACME CORP PAYROLL 230421 6UPN9WTTAZ CARLOS SMITH", "GUSTO PAY 0000 A1B2C3 MARY ANN LEE",
               "STATE FARM INS 0000 1234567 J O'NEIL-SMITH"]
    assert all(_ACH_HOLDER_RE.match(t) for t in holders)
    r = random.Random(11)
    words = ["ACME", "PAYROLL", "0000", "230421", "6UPN9WTTAZ", "A1", "CARLOS", "SMITH", "CA", "ON", "O'NEIL",
             "ST.", "-", "12", "NETFLIX.COM", "X"]
    generated = [" ".join(r.choice(words) for _ in range(r.randint(2, 8))) for _ in range(5000)]
    texts = holders + _labelled_texts() + generated
    assert sum(bool(_ACH_HOLDER_RE.match(t)) for t in generated) > 20
    assert not [t for t in texts if _ACH_HOLDER_RE.match(t) and not _ACH_HOLDER_TAIL_RE.search(t)]


def test_groups_as_arrow_strings_or_python_objects_give_the_same_frame():
    tx, _ = generate(8, "2024-01-01", "2025-06-30", seed=3)
    descriptions = tx["description"].reset_index(drop=True)
    accounts = tx["account_id"].astype(object).reset_index(drop=True)
    accounts[::7] = None  # rows without an account form a group of their own
    descriptions[::11] = None
    arrow = pd.Series(accounts, dtype="str")
    assert isinstance(arrow.array, pd.arrays.ArrowStringArray)
    by_arrow = normalize_descriptors(descriptions, groups=arrow)
    assert by_arrow.equals(normalize_descriptors(descriptions, groups=accounts.to_numpy(dtype=object)))
    assert by_arrow.equals(normalize_descriptors(descriptions, groups=list(accounts)))
