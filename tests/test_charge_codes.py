"""Per-charge codes: tokens that change on every charge of one merchant in one account are dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.charge_codes import mask_charge_codes
from detector.match import enrich
from detector.normalize import normalize_descriptors
from detector.synth import generate
from tests._stress import examples


def keys(descriptions, groups=None) -> list[str]:
    return normalize_descriptors(pd.Series(descriptions), groups=groups)["merchant_key"].tolist()


def names(descriptions, groups=None) -> list[str]:
    return normalize_descriptors(pd.Series(descriptions), groups=groups)["display_name"].tolist()


def test_letter_codes_after_a_merchant_are_dropped():
    rides = ["UBER *TRIP MPWWG2", "UBER *TRIP HPQKZT", "UBER *TRIP XQWTRB", "UBER *TRIP BCDFGJ"]
    assert set(keys(rides)) == {"uber trip"}
    assert set(names(rides)) == {"Uber Trip"}


def test_wells_fargo_style_code_before_card_is_dropped_through_the_word_after_it():
    # two visits of each merchant only, but every line ends "<code> CARD 4417"
    visits = [("CHIPOTLE 1234", "SAUEWPB"), ("CHIPOTLE 1234", "SRHQNLR"), ("SHELL OIL 464", "SXZYYFW"),
              ("SHELL OIL 464", "SKIVEAJ"), ("WAWA 5652", "SOYKMHR"), ("WAWA 5652", "SETOZGK"),
              ("SUNRISE YOGA", "SLZATK6")]
    rows = [f"PURCHASE AUTHORIZED ON 0{i}/1{i} {m} {code} CARD 4417" for i, (m, code) in enumerate(visits, start=1)]
    got = keys(rows)
    assert got[0] == got[1] == "chipotle"
    assert got[2] == got[3] == "shell oil"
    assert got[4] == got[5] == "wawa"
    assert got[6] == "sunrise yoga"
    # with fewer lines a code that reads like a word (SAUEWPB) is left alone
    assert keys(rows[:3])[0] != keys(rows[:3])[1]


def test_a_yearly_plans_two_codes_are_dropped_when_both_look_like_codes():
    # two renewals a year apart: two codes only, each seen once, neither reads as a word
    assert set(keys(["DOMAINREG*RENEWAL 6FQRCV", "DOMAINREG*RENEWAL 08DFG8"])) == {"domainreg renewal"}
    assert set(keys(["ACME HOSTING*PLAN JFGYW6", "ACME HOSTING*PLAN XQWTRB"])) == {"acme hosting plan"}
    # a word that reads as one stays: two different one-off purchases look just like this
    assert keys(["DOMAINREG*RENEWAL 6FQRCV", "DOMAINREG*RENEWAL HAHOVO"]) == [
        "domainreg renewal 6fqrcv", "domainreg renewal hahovo"]
    assert len(set(keys(["DOORDASH*CHIPOTLE", "DOORDASH*SUBWAY"]))) == 2
    # and a word the other charge repeats is the plan's own, not a code
    assert len(set(keys(["ACME*PLAN JFGYW6", "ACME*PLAN GOLD", "ACME*PLAN GOLD"]))) == 2


def test_a_yearly_plans_letter_code_beside_a_code_collapsed_by_its_shape_is_dropped():
    # Wells Fargo lines: the renewal's code also sits in "S<code>", which the shape pre-pass
    # turns into Q0Q on every line of the account (rides too): Q0Q is a code seen once a line,
    # so the slot after RENEWAL holds two one-off codes (NCQJYJ and a collapsed one)
    rides = [f"PURCHASE AUTHORIZED ON 0{i}/11 UBER *TRIP {c} S{c} CARD 4417"
             for i, c in enumerate(["TGAWZS", "V38NOU", "6AAFPM", "7B1769", "HMQKLN"], start=1)]
    plan = ["PURCHASE AUTHORIZED ON 11/22 DOMAINREG*RENEWAL NCQJYJ SNCQJYJ CARD 4417",
            "PURCHASE AUTHORIZED ON 11/23 DOMAINREG*RENEWAL 9V5MGK S9V5MGK CARD 4417"]
    got = keys(rides + plan)
    assert got[-1] == got[-2] == "domainreg renewal"
    # and a yearly Uber membership: one letter code, one collapsed by its shape
    pair = keys(["POS DEBIT UBER *TRIP KSXRSO", "POS DEBIT UBER *TRIP EY45I3", "POS DEBIT AMAZON.COM*8YM131",
                 "POS DEBIT AMAZON.COM*M2BVQC", "POS DEBIT AMAZON.COM*JBDQJR"])
    assert pair[0] == pair[1] == "uber trip"


def test_a_code_a_line_repeats_is_still_seen_on_one_line_only():
    # ACH lines that print the code twice ("... QGL504 DES:AUTOPAY ID:QGL504"): one line each
    rows = [f"TOYOTA PAYMENT {c} DES:AUTOPAY ID:{c} PPD" for c in ["QGL504", "SYT9IB", "O85DJL", "9L81X6", "TNLP2F"]]
    assert set(keys(rows)) == {"toyota"}


def test_codes_collapsed_by_their_shape_count_as_that_many_different_words_in_their_slot():
    # five of seven loan payments' codes go by their shape (Q0Q); each was its own code, so the
    # slot holds seven different one-off words and the readable HAEXBL is a code too
    rows = [f"QUICKLEND INSTALLMENT {c}" for c in ["G1SVIF", "LZYTGK", "HAEXBL", "2SA8HH", "MH8K32", "IO0G44",
                                                    "0RRFSC"]]
    assert set(keys(rows)) == {"quicklend installment"}


def test_readable_one_offs_after_one_word_are_kept_unless_the_slot_varies_a_lot():
    orders = ["DOORDASH*CHIPOTLE", "DOORDASH*SUBWAY", "DOORDASH*PANERA"]
    assert len(set(keys(orders))) == 3
    # unreadable one-offs in the same slot are codes
    assert set(keys(["DOORDASH*XQWTRB", "DOORDASH*BCDFGJ", "DOORDASH*KLMNPQ"])) == {"doordash"}


def test_merchant_names_after_bank_words_are_never_taken_for_codes():
    # one-off purchases: each name seen once, right after the bank's words
    rows = ["POS DEBIT XFINITY", "POS DEBIT MCDONALDS", "POS DEBIT NGUYEN NAILS", "POS DEBIT BWW",
            "POS DEBIT SPROUTS", "POS DEBIT SCHWANS", "POS DEBIT KRYSTAL"]
    got = keys(rows)
    assert len(set(got)) == len(rows)
    assert "xfinity" in got and "mcdonalds" in got


def test_a_bank_word_inside_the_merchants_name_may_be_followed_by_a_code():
    # PAYMENT and PMT after the lender's name are the name's, not the bank's opening words
    loans = [f"{head}NAVIENT SLM PMT {c}" for head, c in zip(["", "ACH DEBIT ", "", "ELECTRONIC WITHDRAWAL ", "", ""],
                                                           ["WXQEWL", "JKLHEC", "CUYWSQ", "TAHHXW", "PBZZDN", "UANGWI"])]
    assert set(keys(loans)) == {"navient slm"}
    assert set(keys([f"TOYOTA PAYMENT {c}" for c in ["XCTHJH", "BFJKLK", "WOMJBD", "JJKLZQ"]])) == {"toyota"}
    # where the bank's words open the line, what follows is still the merchant's name
    rows = ["ACH PAYMENT XFINITY", "ACH PAYMENT SPROUTS", "ACH PAYMENT SCHWANS", "ACH PAYMENT KRYSTAL"]
    assert len(set(keys(rows))) == len(rows)


def test_words_that_repeat_are_not_codes():
    # a monthly subscription's own words recur; only the per-charge code varies
    rows = [f"SQ *SUNRISE YOGA STUDIO {c}" for c in ["XQWTRB", "BCDFGJ", "KLMNPQ", "ZXCVBN"]]
    assert set(keys(rows)) == {"sunrise yoga studio"}


def test_transfer_accounts_are_kept():
    rows = ["ONLINE TRANSFER TO SAV ...1234", "ONLINE TRANSFER TO SAV ...5678",
            "ONLINE TRANSFER TO SAV ...9012", "ONLINE TRANSFER TO SAV ...3456"]
    assert len(set(keys(rows))) == 4
    lettered = ["XFER TO SAV AB1234", "XFER TO SAV CD5678", "XFER TO SAV EF9012", "XFER TO SAV GH3456"]
    assert len(set(keys(lettered))) == 4


def test_codes_are_found_within_each_account_only():
    a = ["UBER *TRIP MPWWG2", "UBER *TRIP HAPOTE"]
    b = ["UBER *TRIP XQWTRB", "UBER *TRIP BCDFGJ", "UBER *TRIP KLMNPQ", "UBER *TRIP ZXCVBN"]
    # account a has two rides, one code reading like a word: not enough to tell a code;
    # account b has four
    got = keys(a + b, groups=["a", "a", "b", "b", "b", "b"])
    assert got[0] != got[1]
    assert set(got[2:]) == {"uber trip"}
    # without accounts, the batch is one account
    assert set(keys(a + b)) == {"uber trip"}


def test_enrich_gives_each_account_the_same_merchants_alone_or_with_others():
    tx, _ = generate(12, "2023-07-01", "2024-12-31", seed=11)
    together = enrich(tx)
    for acct, part in tx.groupby("account_id"):
        alone = enrich(part)
        pd.testing.assert_series_equal(alone["merchant_key"], together.loc[part.index, "merchant_key"])
        pd.testing.assert_series_equal(alone["merchant"], together.loc[part.index, "merchant"])


def test_synthetic_per_charge_codes_no_longer_make_merchants_per_charge():
    tx, _ = generate(30, "2023-07-01", "2024-12-31", seed=5)
    masked = enrich(tx)
    plain = normalize_descriptors(tx["description"], mask_codes=False)
    # the generator appends letter codes to card lines: without masking most lines are their own merchant
    assert masked["merchant_key"].nunique() < 0.5 * plain["merchant_key"].nunique()
    # and no shown name of a merchant with 3+ charges in an account carries a code it had on one charge only
    counts = masked.groupby(["account_id", "merchant"]).size()
    for _, merchant in counts[counts >= 3].index:
        words = merchant.upper().split()
        assert all(not (len(w) >= 5 and w.isalpha() and not any(v in w for v in "AEIOUY")) for w in words), merchant


def test_mask_returns_rows_positions_into_distinct_forms():
    forms = np.array(["A B XQWTRB", "A B BCDFGJ", "A B KLMNPQ", "NETFLIX"], dtype=object)
    new, rows = mask_charge_codes(forms, np.array([3, 0, 1, 2, 3]))
    assert list(new[rows]) == ["NETFLIX", "A B Q0Q", "A B Q0Q", "A B Q0Q", "NETFLIX"]
    assert len(new) == 2


def _regex_split(text):
    import pyarrow.compute as pc

    lists = pc.split_pattern_regex(text, "[^A-Za-z0-9]+")
    words = [w for ws in lists.to_pylist() for w in ws if w]
    parent = [i for i, ws in enumerate(lists.to_pylist()) for w in ws if w]
    between = [p for ps in pc.split_pattern_regex(text, "[A-Za-z0-9]+").to_pylist() for p in ps]
    return words, parent, between


@given(st.lists(st.text(alphabet=st.sampled_from("aZ09 *#-./éß€\u00a0\t"), max_size=12), max_size=12),
       st.integers(0, 3))
@settings(max_examples=examples(300), deadline=None)
def test_byte_word_split_is_the_regex_split(texts, cut):
    """_split_words cuts words where the regexes do, for any mix of separators, UTF-8 and empty strings."""
    import pyarrow as pa

    from detector.charge_codes import _split_words

    text = pa.array(["pad"] * cut + texts, pa.string()).slice(cut)  # an array that starts at an offset
    words, parent, between = _split_words(text)
    assert (words.to_pylist(), parent.tolist(), between.to_pylist()) == _regex_split(text)


@given(st.integers(0, 2**32 - 1), st.integers(1, 400))
@settings(max_examples=examples(100), deadline=None)
def test_slot_variety_of_a_word_does_not_depend_on_which_other_words_are_asked(seed, n):
    """_variable groups only the slots of the wanted words; their answers are those of asking all."""
    from detector.charge_codes import MIN_VARIANTS, MIN_VARIANTS_READABLE, _variable

    rng = np.random.default_rng(seed)
    group, anchor, tok = rng.integers(0, 3, n), rng.integers(0, 4, n), rng.integers(0, 12, n)
    offset, single, valid = rng.integers(1, 4, n), rng.random(n) < 0.7, rng.random(n) < 0.8
    needed = np.where(rng.random(n) < 0.5, MIN_VARIANTS, MIN_VARIANTS_READABLE)
    wanted = rng.random(n) < 0.3
    every = _variable(group, anchor, offset, tok, single, valid, needed, 3, 12, np.ones(n, bool))
    some = _variable(group, anchor, offset, tok, single, valid, needed, 3, 12, wanted)
    assert (some[wanted] == every[wanted]).all()
