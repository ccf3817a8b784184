"""Per-charge codes: the descriptor tokens that change on every charge of one merchant.

Banks and processors append a reference to each charge: ``UBER *TRIP MPWWG2``, ``PURCHASE
AUTHORIZED ON 03/02 STARBUCKS STORE 472 SAUEWPB CARD 4417``, ``GUSTO PAY CJZNDN ACH DEBIT``.
Codes with digits and letters in a tell-tale order are caught by their shape
(:func:`detector.descriptor_prepass.collapse_refs_many`), but ``MPWWG2`` or ``CJZNDN`` could be a word, and
left in place they give every charge of a subscription its own merchant key (no stream can be
found) and print the code in the merchant's name.

What gives such a code away is variety, seen in one account's own history: after the same words,
every charge carries a different token, each seen once. :func:`mask_charge_codes` replaces a
token by the canonical code ``Q0Q`` (which the normaliser drops as a reference) when

- it occurs in one row only of its account (a subscription's own words repeat every cycle; a
  row printing it twice is one row). In a slot's count a ``CODE`` the shape pre-pass left is a
  word seen once for each row it is on: each stood for its own code;
- it could be a code: four or more letters and digits mixed, or five or more letters;
- its *slot* -- the account, the nearest earlier word that is neither a number nor a code, and
  the distance from that word -- holds at least :data:`MIN_VARIANTS` different tokens, at least
  :data:`SINGLETON_SHARE` of them seen once (:data:`MIN_VARIANTS_READABLE` when the token is
  plain letters that read like a word: enough vowels and an opening English words have, since a
  few one-off purchases after one word, ``DOORDASH*CHIPOTLE``, also vary);
- that earlier word is not one of the bank transaction words that open the line (``POS``,
  ``DEBIT``, ``ON``): what follows those is the merchant's name, and a one-off purchase shows its
  name once too (a bank word after the merchant's own, ``TOYOTA PAYMENT``, is part of the name).

Everything is decided from the account's own rows, so running one account (Spark's
``applyInPandas``) gives the same keys as running every account at once. The work is vectorised
over (account, distinct descriptor) pairs; only descriptors that lose a code are rebuilt in Python.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .descriptor_words import PROCESSOR_PREFIXES

#: What a per-charge code is replaced by: a token the normaliser always drops as a reference.
CODE = "Q0Q"
#: A slot needs this many different tokens before its singletons count as codes.
MIN_VARIANTS = 3
#: ... or this many when every one of them is seen once and each looks like a code (letters and
#: digits mixed, or letters that do not read as a word): the two charges of a yearly plan.
MIN_VARIANTS_ALL_SINGLE = 2
#: ... and this share of them seen only once in the account.
SINGLETON_SHARE = 0.8
#: A slot of plain-letter codes that read like words needs more variety before they count.
MIN_VARIANTS_READABLE = 6

#: Words of bank transaction phrases (:mod:`detector.descriptor_words`), processor prefixes
#: (``SQ *``, ``TST*``) and PayPal: after them comes a merchant's name, not a code.
BANK_WORDS = frozenset([
    "PURCHASE", "AUTHORIZED", "ON", "RETURN", "RECURRING", "PAYMENT", "PMT", "PYMT", "CARD", "CHECKCARD",
    "WITH", "PIN", "DEBIT", "DBT", "CRD", "DDA", "POS", "PUR", "DEB", "TRANSACTION", "WITHDRAWAL", "CHECK",
    "VISA", "MASTERCARD", "ACH", "WEB", "DR", "ELECTRONIC", "EXTERNAL", "PREAUTHORIZED", "PREAUTH", "ONLINE",
    "CONTACTLESS", "DIRECT", "DD", "INTL", "INTERNATIONAL", "FOREIGN", "SALE", "DEP", "DEPOSIT", "DIR",
    "CREDIT", "CR", "PAYROLL", "MOBILE", "REMOTE", "ATM", "BRANCH", "SHARED", "FROM", "TO", "ZELLE", "VENMO",
    "CASHOUT", "CASH", "APP", "INSTANT", "TRANSFER", "XFER", "AUTOPAY", "AUTO", "AUTOMATIC", "EPAYMENT",
    "EPAY", "INTERNAL", "ACCOUNT", "ACCT", "CHK", "CHECKING", "SAV", "SAVINGS", "PREVOD", "UEBERWEISUNG",
    "VIREMENT", "OVERBOEKING", "PAYPAL", "PP",
    # continental banks' words (descriptor_words.EU_BANK_PREFIXES): "COMPRA TARJ. 5540XX..1234
    # SPOTIFY", "CARTE X4821 12/03 DEEZER" name the merchant after them (round-35 audit)
    "SEPA", "PRLV", "PRELEVEMENT", "CARTE", "CB", "PAIEMENT", "ACHAT", "FACTURE", "PAR", "DU", "VIR", "COMPRA",
    "TARJ", "TARJETA", "CON", "PAGO", "EN", "RECIBO", "ADEUDO", "DOMICILIACION", "NOMINA", "TRANSFERENCIA",
    "ADDEBITO", "SDD", "DIRETTO", "PAGAMENTO", "PAG", "OPERAZIONE", "CARTA", "BONIFICO", "BEA", "BETAALAUTOMAAT",
    "INCASSO", "LASTSCHRIFT", "FOLGELASTSCHRIFT", "ERSTLASTSCHRIFT", "BASISLASTSCHRIFT", "KARTENZAHLUNG",
    "GUTSCHRIFT", "DAUERAUFTRAG", "ABBUCHUNG",
    *(re.match(r"[A-Z0-9]+", p).group(0) for p in PROCESSOR_PREFIXES),
])

# Openings English words have (the rest of two-consonant openings read as codes: "WC", "XM").
_ONSETS = ("BL|BR|CH|CL|CR|DR|DW|FL|FR|GH|GL|GN|GR|KL|KN|KR|PH|PL|PR|PS|SC|SH|SK|SL|SM|SN|SP|ST|SV|SW|"
           "TH|TR|TS|TW|VL|WH|WR")


def _bools(arr) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)


def _as_objects(text: pa.Array) -> np.ndarray:
    return np.asarray(text.to_pylist(), dtype=object)


#: Bytes of the characters a word is made of (ASCII letters and digits; UTF-8 bytes of other
#: characters are all >= 0x80, so a byte test splits exactly where a character test would).
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[[ord(c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"]] = True


def _split_words(text: pa.Array) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """``(words, parent, between)``: the runs of ASCII letters and digits of each string in order,
    the string each comes from, and for a string of k words the k + 1 pieces of text around them.

    What ``split_pattern_regex`` with ``[^A-Za-z0-9]+`` (empty pieces dropped) and with
    ``[A-Za-z0-9]+`` give, from one pass of numpy over the bytes instead of two regex splits
    (0.38 -> 0.05 s for the 176k forms of the 1.2M-row bench file).
    """
    if not len(text) or text.null_count or text.type != pa.string():
        lists = pc.split_pattern_regex(text, "[^A-Za-z0-9]+")
        flat = pc.list_flatten(lists)
        parent = np.asarray(pc.list_parent_indices(lists))
        nonempty = _bools(pc.greater(pc.utf8_length(flat), 0))
        seps = pc.list_flatten(pc.split_pattern_regex(text, "[A-Za-z0-9]+"))
        return pc.filter(flat, pa.array(nonempty)), parent[nonempty], seps
    n = len(text)
    _, offsets_buf, data_buf = text.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[text.offset:text.offset + n + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    data = data[offsets[0]:offsets[-1]]
    bounds = offsets - offsets[0]
    inside = _WORD_BYTE[data]
    # a word starts where a word byte follows a non-word byte or a string's start, ends likewise
    first_of_string = np.zeros(len(data) + 1, dtype=bool)
    first_of_string[bounds[:-1]] = True
    before = np.zeros(len(data), dtype=bool)
    before[1:] = inside[:-1]
    before &= ~first_of_string[:-1]
    after = np.zeros(len(data), dtype=bool)
    after[:-1] = inside[1:]
    after &= ~first_of_string[1:]
    starts = np.flatnonzero(inside & ~before)
    ends = np.flatnonzero(inside & ~after) + 1
    parent = np.searchsorted(bounds, starts, side="right") - 1
    # The words, in order, are all the word bytes and the pieces between them all the others: each
    # side is one boolean gather of the bytes (an index of every byte to take, built by repeat and
    # arange, cost 0.2-0.6 s in fresh memory for the two).
    words = _string_array(ends - starts, data[inside])
    # k words of string s: its pieces around them are pieces s + (global word number) .. + k
    at = parent + np.arange(len(starts))
    piece_start = np.empty(n + len(starts), dtype=np.int64)
    piece_end = np.empty(n + len(starts), dtype=np.int64)
    first_piece = np.arange(n) + np.searchsorted(parent, np.arange(n))  # s + words before s
    piece_start[first_piece] = bounds[:-1]
    piece_start[at + 1] = ends
    piece_end[at] = starts
    piece_end[np.append(first_piece[1:], n + len(starts)) - 1] = bounds[1:]
    return words, parent, _string_array(piece_end - piece_start, data[~inside])


def _glued_to_other_letters(text: pa.Array, parent: np.ndarray, seps: pa.Array) -> np.ndarray | None:
    """Per word of :func:`_split_words`: it touches a letter outside ASCII, so it is a piece of a
    longer word ("M" and "NCHEN" of "MÜNCHEN"), never a code of its own (round-35 audit: a
    one-off "Stadtwerke München" read "Stadtwerke MüQ0Q"). None when every string is ASCII."""
    if not len(parent) or pc.all(pc.string_is_ascii(text)).as_py() is not False:
        return None

    def letter(piece: pa.Array) -> np.ndarray:
        return _bools(pc.fill_null(pc.and_(pc.invert(pc.string_is_ascii(piece)), pc.utf8_is_alpha(piece)), False))

    before = parent + np.arange(len(parent))  # the piece before each word; the one after it is next
    return (letter(pc.utf8_slice_codeunits(seps, -1))[before]
            | letter(pc.utf8_slice_codeunits(seps, 0, 1))[before + 1])


def _string_array(lengths: np.ndarray, data: np.ndarray) -> pa.Array:
    """A string array of consecutive pieces of ``data`` with these lengths."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(lengths),
                                 [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)])


def _unreadable(tokens: pa.Array) -> np.ndarray:
    """Which (upper-case, letters-only) tokens do not read as a word: under 20 % vowels, five
    consonants in a row, or an opening of two consonants no English word starts with."""
    length = pc.utf8_length(tokens)
    vowels = pc.subtract(length, pc.utf8_length(pc.replace_substring_regex(tokens, "[AEIOUY]", "")))
    return _bools(pc.or_(
        pc.or_(pc.less(pc.multiply(vowels, 5), length), pc.match_substring_regex(tokens, "[^AEIOUY]{5,}")),
        pc.and_(pc.match_substring_regex(tokens, "^[^AEIOUY]{2}"),
                pc.invert(pc.match_substring_regex(tokens, f"^(?:{_ONSETS})"))),
    ))


def _codes(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense codes of int64 keys (hash-based, no sort) and how many distinct keys there are."""
    codes, uniques = pd.factorize(keys)
    return codes.astype(np.int64), len(uniques)


def _pack(*cols: tuple[np.ndarray, int]) -> np.ndarray:
    """Several non-negative int columns -> one int64 key (exact), given each column's bound."""
    key = np.zeros(len(cols[0][0]), dtype=np.int64)
    bits = 0
    for values, bound in cols:
        width = max(int(bound), 1).bit_length()
        bits += width
        key = (key << width) | values.astype(np.int64)
    if bits > 62:
        raise OverflowError("too many distinct values to pack into one key")
    return key


def mask_charge_codes(forms, row_form: np.ndarray, row_group: np.ndarray | None = None,
                      keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Replace per-charge codes (see the module docstring) in the descriptors of each row.

    ``forms`` are distinct descriptors (Arrow strings or a sequence), ``row_form[i]`` the form
    of row ``i`` and ``row_group[i]`` its account (an int code; ``None``: all rows are one
    account); ``keep[f]`` says form ``f`` must lose nothing (a transfer, whose account number is
    its merchant). Returns ``(new_forms,
    new_row_form)``: the distinct descriptors after masking and each row's position in them.

    >>> forms = np.array(["UBER *TRIP MPWWG2", "UBER *TRIP HPQKZT", "UBER *TRIP XQWTRB", "NETFLIX.COM"],
    ...                  dtype=object)
    >>> new, rows = mask_charge_codes(forms, np.array([0, 1, 2, 3, 3]))
    >>> list(new[rows])
    ['UBER *TRIP Q0Q', 'UBER *TRIP Q0Q', 'UBER *TRIP Q0Q', 'NETFLIX.COM', 'NETFLIX.COM']
    """
    text = (forms.cast(pa.string()) if isinstance(forms, pa.Array)
            else pa.array(np.asarray(forms, dtype=object), type=pa.string()))
    row_form = np.asarray(row_form, dtype=np.int64)
    n_forms = len(text)
    if not n_forms or not len(row_form):
        return _as_objects(text), row_form
    row_group = np.zeros(len(row_form), np.int64) if row_group is None else np.asarray(row_group, np.int64)
    n_groups = int(row_group.max()) + 1

    # (account, form) pairs and their row counts
    row_pair, n_pairs = _codes(_pack((row_group, n_groups), (row_form, n_forms)))
    first = np.full(n_pairs, len(row_pair), np.int64)
    np.minimum.at(first, row_pair, np.arange(len(row_pair)))
    pair_form, pair_group = row_form[first], row_group[first]
    pair_rows = np.bincount(row_pair, minlength=n_pairs)

    # the words of each distinct form (dictionary-encoded, upper case) and the text between them
    flat, parent, seps = _split_words(text)
    encoded = pc.dictionary_encode(pc.ascii_upper(flat))  # words are ASCII letters and digits only
    tok = np.asarray(encoded.indices, dtype=np.int64)
    words = encoded.dictionary
    n_words = len(words)
    if not n_words:
        return _as_objects(text), row_form
    has_digit = _bools(pc.match_substring_regex(words, "[0-9]"))
    number = _bools(pc.match_substring_regex(words, "^[0-9]+$"))
    length = np.asarray(pc.utf8_length(words), dtype=np.int64)
    mixed = has_digit & ~number & (length >= 4)
    letters = ~has_digit & (length >= 5)
    unreadable = letters & _unreadable(words)
    bank = _bools(pc.is_in(words, value_set=pa.array(sorted(BANK_WORDS), pa.string())))
    form_ntok = np.bincount(parent, minlength=n_forms)
    form_start = np.concatenate([[0], np.cumsum(form_ntok)[:-1]])

    # every word of every pair
    counts = form_ntok[pair_form]
    if not counts.any():
        return _as_objects(text), row_form
    pair_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pt_pair = np.repeat(np.arange(n_pairs), counts)
    pt_first = pair_start[pt_pair]
    pt_pos = np.arange(len(pt_pair)) - pt_first
    pt_tok = tok[form_start[pair_form][pt_pair] + pt_pos]
    pt_group = pair_group[pt_pair]

    # how many rows of its account each word appears in (a row repeating it, ``TOYOTA PAYMENT
    # QGL504 DES:AUTOPAY ID:QGL504``, counts once); a shape-collapsed code (``CODE``) stood for a
    # different code in each row, so in a slot it counts as seen once
    again_in_form = pd.Series(parent * n_words + tok).duplicated().to_numpy()
    gt, n_gt = _codes(_pack((pt_group, n_groups), (pt_tok, n_words)))
    rows_seen = np.where(again_in_form[form_start[pair_form][pt_pair] + pt_pos], 0, pair_rows[pt_pair])
    single = np.bincount(gt, weights=rows_seen, minlength=n_gt)[gt] == 1
    is_code = _bools(pc.equal(words, CODE))
    single |= is_code[pt_tok]
    # ... and it stands for as many different codes as the rows it is on
    code_rows = np.where(is_code[pt_tok], rows_seen, 0)
    candidate = single & (mixed | letters)[pt_tok]
    glued = _glued_to_other_letters(text, parent, seps)
    if glued is not None:
        candidate &= ~glued[form_start[pair_form][pt_pair] + pt_pos]
    if keep is not None:
        candidate &= ~np.asarray(keep, bool)[pair_form][pt_pair]

    # anchor words: not a number, not a possible code. The nearest one before a word and the
    # nearest one after it (``... S2EPTYK CARD 4417``: the code before CARD) in the same pair.
    # The canonical CODE a shape pre-pass left anchors the words before it ("DOORDASH*AEKXST
    # 2446AEKXST": the code repeated), not those after it: "COMPRA TARJ. Q0Q SPOTIFY", a card's
    # number before the merchant, is no word that one-off names vary after (round-35 audit).
    anchorable = ~(candidate | number[pt_tok] | mixed[pt_tok] | unreadable[pt_tok])
    anchors_after = anchorable & ~is_code[pt_tok]
    n_pt = len(pt_tok)
    at = np.arange(n_pt)
    prev = np.concatenate([[-1], np.maximum.accumulate(np.where(anchors_after, at, -1))[:-1]])
    nxt = np.concatenate([np.minimum.accumulate(np.where(anchorable, at, n_pt)[::-1])[::-1][1:], [n_pt]])
    has_prev = prev >= pt_first
    prev_tok = pt_tok[np.where(has_prev, prev, 0)]
    # after the bank's words that open a line comes the merchant's name: only a code with digits
    # in it is taken there. A bank word after the merchant's own (``TOYOTA PAYMENT XCTHJH``,
    # ``EZLEASE *PAYMENT ... SBWIPAT``) is part of its name, and a code may follow it.
    named = np.cumsum(anchors_after & ~bank[pt_tok])  # merchant words so far, over all pairs
    named_before_pair = np.where(pt_first > 0, named[np.maximum(pt_first - 1, 0)], 0)
    opening = bank[prev_tok] & (named[np.where(has_prev, prev, 0)] == named_before_pair)
    eligible = candidate & has_prev & (~opening | mixed[pt_tok])
    if not eligible.any():
        return _as_objects(text), row_form
    # a code of plain letters must not read as a word, or its slot must vary a lot
    codeish = unreadable | mixed | is_code  # CODE: a shape-collapsed code
    needed = np.where(codeish[pt_tok], MIN_VARIANTS, MIN_VARIANTS_READABLE)
    before = _variable(pt_group, prev_tok, pt_pos - (prev - pt_first), pt_tok, single, has_prev, needed,
                       n_groups, n_words, eligible, code_rows)
    has_next = nxt < pt_first + counts[pt_pair]
    after = _variable(pt_group, pt_tok[np.where(has_next, nxt, 0)], nxt - at, pt_tok, single, has_next, needed,
                      n_groups, n_words, eligible & ~before, code_rows)
    mask = eligible & (before | after)
    if not mask.any():
        return _as_objects(text), row_form
    return _rebuild(text, flat, seps, form_start, pair_form, pair_start, counts, pt_pair, mask, row_pair)


def _variable(group, anchor, offset, tok, single, valid, needed, n_groups, n_words, wanted,
              code_rows=None) -> np.ndarray:
    """For each word: does its slot (account, anchor word, distance) hold at least ``needed``
    different words, at least :data:`SINGLETON_SHARE` of them seen once in the account?

    Answered for the ``wanted`` words (the others may be left ``False``). ``code_rows``: for a
    shape-collapsed ``CODE``, the rows it is on (each a different code, seen once)."""
    out = np.zeros(len(tok), bool)
    if not (valid & wanted).any():
        return out
    sel = np.flatnonzero(valid)
    key = _pack((group[sel], n_groups), (anchor[sel], n_words), (np.minimum(offset[sel], 63), 63))
    # Only the slots of wanted words decide anything: all the words of those slots still count,
    # the words of the other slots (four in five on the bench file) need no grouping at all.
    keep = pd.Series(key).isin(key[wanted[sel]]).to_numpy()
    sel = sel[keep]
    slot, n_slots = _codes(key[keep])
    st, n_st = _codes(_pack((slot, n_slots), (tok[sel], n_words)))
    st_first = np.full(n_st, len(st), np.int64)
    np.minimum.at(st_first, st, np.arange(len(st)))
    st_slot = slot[st_first]
    variants = np.bincount(st_slot, minlength=n_slots)
    singles = np.bincount(st_slot, weights=single[sel][st_first], minlength=n_slots)
    # words that look like codes: two of them, each seen once, after the same words are a
    # yearly plan's two renewals (a word that reads as one may be a one-off purchase's name)
    codes = np.bincount(st_slot, weights=needed[sel][st_first] == MIN_VARIANTS, minlength=n_slots)
    if code_rows is not None:  # each further row of a CODE is one more code, seen once
        more = np.maximum(np.bincount(slot, weights=code_rows[sel], minlength=n_slots) - 1, 0).astype(np.int64)
        variants, singles, codes = variants + more, singles + more, codes + more
    ok = singles >= SINGLETON_SHARE * variants
    enough = variants[slot] >= needed[sel]
    pair = ((variants[slot] >= MIN_VARIANTS_ALL_SINGLE) & (singles[slot] == variants[slot])
            & (codes[slot] == variants[slot]))
    out[sel] = ok[slot] & (enough | pair)
    return out


def _rebuild(text, flat, seps, form_start, pair_form, pair_start, counts, pt_pair, mask, row_pair):
    """The forms of the pairs that lose a code, with ``CODE`` for each masked word, built in Arrow:
    words and the text between them interleaved and joined again."""
    hit = np.flatnonzero(np.bincount(pt_pair[mask], minlength=len(pair_form)))
    n_flat, n_seps = len(flat), len(seps)
    values = pa.concat_arrays([flat, seps, pa.array([CODE, ""], pa.string())])
    # A form of k words is k + 1 (text between words, word) slots, the last word empty: the
    # pieces then alternate strictly, and the take index is two strided writes instead of
    # parity tests over every piece (0.48 -> 0.38 s on the 1.2M-row bench file).
    slots = counts[hit] + 1
    start = np.zeros(len(hit) + 1, np.int64)
    np.cumsum(slots, out=start[1:])
    i = np.arange(start[-1]) - np.repeat(start[:-1], slots)   # slot number inside the form
    f = np.repeat(pair_form[hit], slots)
    word = form_start[f] + i                                  # form f's words start at form_start[f]
    take = np.empty(2 * start[-1], np.int64)
    take[0::2] = n_flat + word + f                            # ... and its k + 1 separators at that + f
    token = np.repeat(pair_start[hit], slots) + i
    take[1::2] = np.where(mask[np.minimum(token, len(mask) - 1)], n_flat + n_seps, word)
    take[2 * start[1:] - 1] = n_flat + n_seps + 1             # the empty last word
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array((2 * start).astype(np.int32)),
                                                     values.take(pa.array(take))), "")
    index = pair_form.copy()
    index[hit] = len(text) + np.arange(len(hit))
    pair_text = pa.concat_arrays([text, joined]).take(pa.array(index))
    encoded = pc.dictionary_encode(pair_text)
    pair_code = np.asarray(encoded.indices, dtype=np.int64)
    return np.asarray(encoded.dictionary.to_pylist(), dtype=object), pair_code[row_pair]
