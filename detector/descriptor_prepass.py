"""Pre-passes over the distinct descriptors of a batch, in Arrow's regex engine (RE2).

Descriptors that differ only in what :mod:`detector.normalize` always drops (digit runs, short
dates, reference tokens such as ``HCDB8Z``) are rewritten to one form first, so the normaliser's
Python loop sees each form once: on the bench file 580k distinct descriptors become about 24k
forms. Transfers are left alone (their account number is their merchant). Every rewrite here
must give the same normalised result as the text it replaces; ``tests/test_normalize*.py`` check
that.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_LONG_DIGITS_RE = re.compile(r"\d{4,}")
_SHORT_DATE_RE = re.compile(r"(?<![\w/.-])\d{1,2}/\d{1,2}(?![\w/.-])")
_TRANSFER_WORDS = ("TRANSFER", "XFER", "PREVOD", "UEBERWEISUNG", "VIREMENT", "OVERBOEKING")


def collapse_ids(raw):
    """Zero digit runs of 4+ and short dates: a cheap pre-pass giving the same normalised result.

    Runs of four or more digits and ``mm/dd`` dates are always dropped by
    :func:`detector.normalize.normalize_one`, so descriptors that differ only there normalise
    alike. Transfers are left alone: their account number is kept (masked) in the key; so are
    lines that may hold a name with digits (``1800CONTACTS``, ``JET2HOLIDAYS``).
    """
    if not isinstance(raw, str):
        return raw
    up = raw.upper()
    if any(w in up for w in _TRANSFER_WORDS) or _names_digits(raw):
        return raw
    if "/" in raw:
        raw = _SHORT_DATE_RE.sub("01/01", raw)
    return _LONG_DIGITS_RE.sub("0000", raw)


_TRANSFER_WORDS_RE2 = "|".join(_TRANSFER_WORDS)


def collapse_ids_many(values) -> np.ndarray:
    """:func:`collapse_ids` over many descriptors at once, in Arrow's C++ regex engine."""
    values = np.asarray(values, dtype=object)
    if not len(values):
        return values
    return np.asarray(_collapse_ids_arrow(_arrow_text(values)).to_pylist(), dtype=object)


def _arrow_column(values) -> pa.Array:
    """A column of descriptors as an Arrow string array (missing values null)."""
    if isinstance(values, pd.Series) and isinstance(values.array, pd.arrays.ArrowStringArray):
        arr = pa.array(values.array)
    else:
        values = np.asarray(values, dtype=object)
        missing = pd.isna(values)
        arr = pa.array([None if m else (v if isinstance(v, str) else str(v)) for v, m in zip(values, missing)],
                       type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string())


def _encode(arr: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """``(codes, uniques)`` like ``pd.factorize`` (nulls -> -1), in Arrow."""
    enc = pc.dictionary_encode(arr)
    codes = np.asarray(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, enc.dictionary


def _arrow_text(values) -> pa.Array:
    return pa.array([v if isinstance(v, str) else str(v) for v in values], type=pa.string())


def _transfers(arr: pa.Array) -> pa.Array:
    """Which descriptors name a transfer (their account number is their merchant).

    The same answer for a descriptor and for what either pre-pass makes of it: a transfer is
    left alone by both, and in the rest they rewrite only digit runs and reference tokens, whose
    letters they keep whole or replace by a lone ``Q``, so no transfer word can appear. The
    answer for the descriptors is therefore reused for their forms (each search over the
    half-million distinct descriptors of the bench file costs 0.03-0.06 s)."""
    return pc.match_substring_regex(arr, _TRANSFER_WORDS_RE2, ignore_case=True)


def _names_digits(raw: str) -> bool:
    """Whether a descriptor may hold a name with digits that the normaliser keeps
    (:func:`detector.normalize.digit_names_pattern`: ``1800CONTACTS``, ``JET2HOLIDAYS``)."""
    from .normalize import digit_names_pattern  # normalize imports this module

    return re.search(digit_names_pattern(), raw, re.IGNORECASE) is not None


def _named_with_digits_rows(arr: pa.Array, pattern: str) -> pa.Array:
    """Which descriptors may hold a name with digits (``pattern``, read ignoring case): both
    pre-passes leave them alone, as they do transfers. Zeroing the ``1800`` of ``1800CONTACTS``
    or reading ``JET2HOLIDAYS`` as a reference token would lose a name the normaliser keeps. The
    pre-passes write only ``0`` digits and keep letter runs whole, so no form of another
    descriptor gains such a word (the answer for a descriptor is reused for its forms)."""
    return pc.match_substring_regex(arr, pattern, ignore_case=True)


def _left_alone(arr: pa.Array) -> pa.Array:
    """Transfers and descriptors that may hold a name with digits: both pre-passes keep them as they are."""
    from .normalize import digit_names_pattern  # normalize imports this module

    return pc.or_(_transfers(arr), _named_with_digits_rows(arr, digit_names_pattern()))


def _collapse_ids_arrow(arr: pa.Array, transfer: pa.Array | None = None) -> pa.Array:
    """:func:`collapse_ids` in Arrow; ``transfer``: the rows left as they are (:func:`_left_alone`)."""
    out = pc.replace_substring_regex(arr, r"(^|\s)\d{1,2}/\d{1,2}(\s|$)", r"\101/01\2")
    # Google Ads glues its customer id to the product word (GOOGLE *ADS1234567890): apart, the
    # id is one and the word stays a word, not a per-charge code (normalize.google_product)
    out = pc.replace_substring_regex(out, r"(\* ?AD(?:S|WS|WORDS))([0-9])", r"\1 \2")
    out = pc.replace_substring_regex(out, r"\d{4,}", "0000")
    return pc.if_else(_left_alone(arr) if transfer is None else transfer, arr, out)


# Alphanumeric reference tokens (``HCDB8Z``, ``0000ZUWKA4``) that the normaliser always drops,
# rewritten to one canonical token of the same class. Only whole upper-case tokens between a
# space (or a single ``*``) and a space or the end qualify, with at least two letter/digit
# switches (so ``_is_reference`` holds for original and canonical alike) and letter runs of at
# most five (no month, product or channel word can hide inside). The letters a regex could read
# together with a neighbouring word are kept: the leading run after a space (``APPLE R1..``,
# ``AMAZON KIDS1..``) and the trailing run (``..A1VIDEO CHANNELS``); a leading ``0000`` is kept
# as is (``CHECKCARD 0000``). Every noise regex of the normaliser that can enter such a token
# starts at a word boundary or a non-alphanumeric, so it either consumes the whole token (as
# ``_is_reference`` would drop it) or nothing of it.
_L = "[A-Z]{1,5}"
_REF_TOKEN_RULES = [
    # leading letters after a space: keep them and the trailing letters
    (rf"(^| )({_L})(?:[0-9]+{_L})*[0-9]+({_L})( |$)", r"\1\g<2>0Q0\3\4"),
    (rf"(^| )({_L})(?:[0-9]+{_L})+[0-9]+( |$)", r"\1\g<2>0Q0\3"),
    # after a single "*": the leading letters cannot join a word before them
    (rf"([^*]\*){_L}(?:[0-9]+{_L})*[0-9]+({_L})( |$)", r"\1Q0\2\3"),
    (rf"([^*]\*){_L}(?:[0-9]+{_L})+[0-9]+( |$)", r"\1Q0Q0\2"),
    # 0000 (a collapsed digit run) then letters and digits
    (rf"(^| |[^*]\*)0000(?:{_L}[0-9]+)+({_L})( |$)", r"\g<1>0000Q0\2\3"),
    (rf"(^| |[^*]\*)0000(?:{_L}[0-9]+)+( |$)", r"\g<1>0000Q0\2"),
]
# A token first in the text once bank prefixes are stripped is read by the channel regexes
# (``AMZN1..`` is Amazon, ``ROKU1..`` Roku): leave such rows alone.
_REF_TOKEN_UNSAFE = r"\*(?:AMZN|ROKU)"
# Only the aggregator regexes read letters inside a token without a word boundary (``AMZN
# VIDEO1..``, ``ITUNES1..``, ``APPLE R1..``). In rows naming none of them, every reference
# token that starts with a letter or with 0000 becomes one canonical token, whatever its letters.
_AGGREGATOR_WORDS = r"APPLE|APL|ITUNES|AMZ|AMAZON|PRIME|KINDLE|ROKU|GOOGLE|PAYPAL|VIDEO|MUSIC"
_REF_TOKEN_ANY = (r"(^| |[^*]\*)(?:(?:[A-Z][A-Z0-9]*)?(?:[A-Z][0-9]+[A-Z]|[A-Z]0000)[A-Z0-9]*|0000[A-Z][A-Z0-9]*)( |$)",
                  r"\1Q0Q\2")

# Tokens starting with 1-3 digits only after a single "*": an earlier noise regex may read such a
# token whole (800ABC1X2Y a phone number, 12JAN24 a date), and then the id regex takes the word
# after it for the "STORE" or "ON" before it; no regex reads across a "*".
_REF_TOKEN_DIGIT_FIRST = (r"([^*]\*)[0-9]{1,3}[A-Z]+[0-9][A-Z0-9]*( |$)", r"\1Q0Q\2")
# In any row, the last token after a single "*" with letter runs of at most five: no word after
# it to join, and no aggregator word fits inside it.
_REF_TOKEN_STAR_LAST = ((r"([^*]\*)(?:[A-Z]{1,5}(?:[0-9]+[A-Z]{1,5})+[0-9]*|[A-Z]{1,5}0000|"
                         r"[0-9]+(?:[A-Z]{1,5}[0-9]+)+(?:[A-Z]{1,5})?|0000[A-Z]{1,5})$"), r"\1Q0Q")


def _re2_sub(template: str) -> str:
    # Python's \g<n> group syntax -> RE2's \n (RE2 reads a single digit after the backslash)
    return re.sub(r"\\g<(\d)>", r"\\\1", template)


def collapse_refs_many(forms: np.ndarray) -> np.ndarray:
    """Canonicalise the reference tokens of pre-pass forms (see ``_REF_TOKEN_RULES``): forms
    that differ only in such tokens normalise alike, so they are normalised once."""
    forms = np.asarray(forms, dtype=object)
    if not len(forms):
        return forms
    return np.asarray(_collapse_refs_arrow(_arrow_text(forms)).to_pylist(), dtype=object)


def _collapse_refs_arrow(arr: pa.Array, transfer: pa.Array | None = None) -> pa.Array:
    def flags(matches) -> np.ndarray:
        return np.asarray(matches.to_numpy(zero_copy_only=False), dtype=bool)

    agg = flags(pc.match_substring_regex(arr, _AGGREGATOR_WORDS, ignore_case=True))
    unsafe = flags(pc.or_(pc.match_substring_regex(arr, _REF_TOKEN_UNSAFE),
                          _left_alone(arr) if transfer is None else transfer))
    star = flags(pc.match_substring(arr, "*"))
    # Each row takes one chain of rules, so the rows are parted by chain and each part runs only
    # its own: rows naming an aggregator and the rest take different rules, unsafe rows none,
    # and the rules that start at a "*" (their patterns hold one) only rows with a "*" (half of
    # them on the bench file). Parting: 0.92 -> 0.84 s for its 568k distinct descriptors.
    parts = [(unsafe, None), (~unsafe & agg & ~star, False), (~unsafe & agg & star, True),
             (~unsafe & ~agg & ~star, False), (~unsafe & ~agg & star, True)]
    pieces, where, done = [], np.empty(len(arr), np.int64), 0
    for (rows, has_star), aggregator in zip(parts, (None, True, True, False, False)):
        where[rows] = done + np.arange(int(rows.sum()))
        done += int(rows.sum())
        piece = arr.filter(pa.array(rows))
        if has_star is not None:
            piece = _collapse_ref_rules(piece, aggregator, has_star)
        pieces.append(piece)
    return pa.concat_arrays(pieces).take(pa.array(where))


def _collapse_ref_rules(arr: pa.Array, aggregator: bool, star: bool) -> pa.Array:
    # A match consumes the space after its token and RE2 has no lookahead: double every space
    # so that the next token still has one before it, then halve them again.
    out = pc.replace_substring(arr, " ", "  ")
    if aggregator:
        for pattern, template in _REF_TOKEN_RULES:
            out = pc.replace_substring_regex(out, pattern, _re2_sub(template))
        out = pc.replace_substring(out, "  ", " ")
    else:
        out = pc.replace_substring(pc.replace_substring_regex(out, *_REF_TOKEN_ANY), "  ", " ")
        if star:
            for _ in range(2):  # these keep the space before their token: a second pass for neighbours
                out = pc.replace_substring_regex(out, *_REF_TOKEN_DIGIT_FIRST)
    if star:
        out = pc.replace_substring_regex(out, *_REF_TOKEN_STAR_LAST)
    return out
