"""Transfers between the accounts of one scan: money that leaves one account and arrives in another.

A person who tops up a Revolut account from a Monzo card, or pays their own Wise account from their
bank, sees the payment on one statement and the money arriving on the other, the same day or a few
days later. Read on one statement alone, a monthly top-up is a "subscription" (round-thirty-nine
audit: 550.00 GBP a month of them counted, and raised, flagged with refund requests). Detection is
per account; this module is the one step that looks across accounts. It pairs each payment out of
one account with the same amount coming into another account of the same rows (the same currency,
or the amount its line states: "Converted 100.00 GBP to 116.47 EUR" leaves a pound balance and
arrives as 116.47 in the euro one) within :data:`DAYS_BEFORE` / :data:`DAYS_AFTER` days, where
that pairing is unambiguous: the payment has exactly one such arrival and the arrival exactly one
such payment. Each paired row gets the other account's id in :data:`TRANSFER_COLUMN`; the stream
detector reads it (:func:`detector.recurrence.detect_streams`: a stream most of whose charges are
paired with one account is a transfer between own accounts, :data:`OWN_TRANSFER` in its evidence),
and the flags and the report's totals leave such streams out (:func:`own_transfer_streams`).

Everything is sorts and ``searchsorted`` over all rows at once (docs/scale.md). The work splits in
two so that the engines that hold only some accounts at a time can pair across all of them:
:func:`transfer_keys` reads a few numbers of each row of whole accounts (a compact frame, about 50
bytes a row), :func:`pair_keys` pairs the keys of every account, and :func:`attach_transfers`
puts the result on rows by account and transaction id. The Spark engine runs the same pairing as
joins (:func:`detector.engines.spark.with_transfers`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .money import to_cents

#: Column holding, for each row of a transfer between the accounts, the other account's id.
TRANSFER_COLUMN = "transfer_account"
#: The money may be booked in the other account a day before the payment out (banks' cut-off
#: times) and up to four days after it (a bank transfer across a weekend and a holiday).
DAYS_BEFORE = 1
DAYS_AFTER = 4
#: Columns :func:`transfer_keys` reads.
KEY_INPUT_COLUMNS = ("transaction_id", "account_id", "date", "amount", "currency", "description")
#: Columns of :func:`transfer_keys`.
KEY_COLUMNS = ("account_id", "transaction_id", "day", "inflow", "key", "stated", "wallet")
#: What a stream's evidence says when it moves money between the holder's own accounts.
OWN_TRANSFER = "a transfer between your own accounts"

#: An amount the line states with its currency's code, either way round ("100.00 GBP", "EUR
#: 116.47", "1,250.00 USD"), in units and cents; read where the code is not the row's own currency.
_STATED = re.compile(r"(?<![\w.,])(?P<n1>\d{1,3}(?:,\d{3})+|\d+)\.(?P<d1>\d{2}) ?(?P<c1>[A-Z]{3})\b"
                     r"|\b(?P<c2>[A-Z]{3}) ?(?P<n2>\d{1,3}(?:,\d{3})+|\d+)\.(?P<d2>\d{2})(?![\d.,])")
#: A first look for such an amount over every row (Arrow's RE2) before the few lines it finds
#: are read one by one.
_STATED_HINT = r"\d\.\d\d ?[A-Z]{3}\b|\b[A-Z]{3} ?\d[\d,]*\.\d\d"
_NO_DAY = np.iinfo(np.int64).min
#: A wallet's line for money coming in from the holder's card or bank to pay a merchant (PayPal's
#: "General Card Deposit", as its layout writes it: ``Own transfer: General Card Deposit``), and
#: a card's line for a payment through that wallet ("PAYPAL *NETFLIX.COM 4029357733 CA"). The
#: wallet pays the merchant the same amount from the money that came in: the wallet's own payment
#: out is a candidate for the card's charge too, so these pair on their own (:func:`_wallet_pairs`).
WALLET_FUNDING = r"^own transfer: (?:general card deposit|bank deposit to pp account)\b"
WALLET_CHARGE = r"^\s*pay\s?pal\b"


def _days(dates: pd.Series) -> np.ndarray:
    """Days since the epoch of canonical ``yyyy-mm-dd`` dates (a time after them ignored), each
    distinct date parsed once; :data:`_NO_DAY` where there is none."""
    codes, distinct = pd.factorize(dates)
    parsed = pd.to_datetime(pd.Series(np.asarray(distinct, dtype=object)).astype(str).str.slice(0, 10),
                            errors="coerce", format="%Y-%m-%d")
    days = parsed.to_numpy().astype("datetime64[D]").astype(np.int64)
    return np.r_[days, _NO_DAY][codes]


#: A key is ``currency * 2**40 + cents``: the currency's three letters as a number (1-18278;
#: 0 for none, or for a code that is not three letters), the amount in cents below 2**40.
_CENTS_BITS = 40


def _currency_number(code) -> int:
    code = code.strip().upper() if isinstance(code, str) else ""
    if len(code) != 3 or not all("A" <= c <= "Z" for c in code):
        return 0
    return (ord(code[0]) - 64) * 676 + (ord(code[1]) - 64) * 26 + (ord(code[2]) - 64)


def _currency_numbers(currency) -> np.ndarray:
    """:func:`_currency_number` of each value, each distinct one computed once."""
    codes, distinct = pd.factorize(currency)
    numbers = np.array([_currency_number(c) for c in distinct] + [0], dtype=np.int64)
    return numbers[codes]


def _keys(currency_number, cents):
    return (np.asarray(currency_number, dtype=np.int64) << _CENTS_BITS) + np.minimum(cents, (1 << _CENTS_BITS) - 1)


def _text_array(description: pd.Series):
    """``description`` as an Arrow string array, for pyarrow's regex kernels (a column that is
    not text, as in a frame built by hand, is turned into text first)."""
    import pyarrow as pa

    try:
        return pa.array(description, from_pandas=True, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(description.astype(object).where(description.notna(), None).astype(str).to_numpy(object),
                        type=pa.string())


def _stated_keys(description: pd.Series, own_currency: np.ndarray) -> np.ndarray:
    """Per row, the key of the first amount its line states in a currency other than its own
    (``own_currency``: currency numbers), or -1."""
    import pyarrow.compute as pc

    out = np.full(len(description), -1, dtype=np.int64)
    if not len(description):
        return out
    text = _text_array(description)
    hint = pc.fill_null(pc.match_substring_regex(text, _STATED_HINT), False)
    rows = np.flatnonzero(hint.to_numpy(zero_copy_only=False))
    if not len(rows):
        return out
    codes, lines = pd.factorize(description.iloc[rows])
    # each distinct line's first two stated amounts: (currency number, key), 0 / -1 for none
    found = np.zeros((len(lines), 2, 2), dtype=np.int64)
    found[:, :, 1] = -1
    for k, line in enumerate(lines):
        for j, m in enumerate(_STATED.finditer(str(line))):
            if j == 2:
                break
            number, frac, code = (m["n1"], m["d1"], m["c1"]) if m["c1"] else (m["n2"], m["d2"], m["c2"])
            cur = _currency_number(code)
            found[k, j] = (cur, int(_keys(cur, int(number.replace(",", "")) * 100 + int(frac))))
    own = own_currency[rows]
    first, second = found[codes, 0], found[codes, 1]
    out[rows] = np.where((first[:, 0] > 0) & (first[:, 0] != own), first[:, 1],
                         np.where((second[:, 0] > 0) & (second[:, 0] != own), second[:, 1], -1))
    return out


def transfer_keys(tx: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """The few numbers of each row of canonical transactions that pairing needs: account
    (categorical) and id, day, direction, its amount's key (currency and cents as one number) and
    the key of an amount in another currency its line states (-1 for none). Rows dated after
    ``as_of``, without a date or an amount are left out. About 50 bytes a row (docs/scale.md)."""
    day = _days(tx["date"])
    amount = pd.to_numeric(tx["amount"], errors="coerce").to_numpy(dtype=float)
    ok = (day > _NO_DAY) & np.isfinite(amount) & (amount != 0)
    if as_of is not None:
        ok &= day <= np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64)
    pos = np.flatnonzero(ok)
    amount = amount[pos]
    currency = (_currency_numbers(tx["currency"].iloc[pos]) if "currency" in tx
                else np.zeros(len(pos), dtype=np.int64))
    acc_codes, accounts = pd.factorize(tx["account_id"].iloc[pos].astype(str))
    description = (tx["description"].iloc[pos].reset_index(drop=True) if "description" in tx
                   else pd.Series([None] * len(pos), dtype=object))
    return pd.DataFrame({
        "account_id": pd.Categorical.from_codes(acc_codes, categories=pd.Index(accounts, dtype=object)),
        "transaction_id": tx["transaction_id"].iloc[pos].reset_index(drop=True),
        "day": day[pos],
        "inflow": amount > 0,
        "key": _keys(currency, to_cents(amount, absolute=True)),
        "stated": _stated_keys(description, currency),
        "wallet": _wallet_kinds(description, amount > 0),
    }, columns=list(KEY_COLUMNS))


def _wallet_kinds(description: pd.Series, inflow: np.ndarray) -> np.ndarray:
    """Per row: 1 for a wallet's funding line coming in (:data:`WALLET_FUNDING`), 2 for a card's
    payment through the wallet going out (:data:`WALLET_CHARGE`), else 0."""
    import pyarrow.compute as pc

    out = np.zeros(len(description), dtype=np.int64)
    if not len(description):
        return out
    text = _text_array(description)
    funding = pc.fill_null(pc.match_substring_regex(text, WALLET_FUNDING, ignore_case=True), False)
    charge = pc.fill_null(pc.match_substring_regex(text, WALLET_CHARGE, ignore_case=True), False)
    out[funding.to_numpy(zero_copy_only=False) & inflow] = 1
    out[charge.to_numpy(zero_copy_only=False) & ~inflow] = 2
    return out


#: A key's code times this, plus a day, sorts by key and then day (days fit well inside).
_DAY_SPAN = np.int64(1) << 24


def _sorted_targets(code: np.ndarray, day: np.ndarray, rows: np.ndarray, base: int):
    """Targets with a key (``code`` >= 0), sorted by key and day: ``(key * span + day, rows)``."""
    has = code >= 0
    combined = code[has] * _DAY_SPAN + (day[has] - base)
    order = np.argsort(combined, kind="stable")
    return combined[order], rows[has][order]


def _found(targets, code: np.ndarray, day: np.ndarray, base: int, lo: int, hi: int):
    """For each query (``code`` >= 0, ``day``): how many targets have its key and a day in
    ``[day + lo, day + hi]``, and the first of them (a row, or -1)."""
    combined, rows = targets
    q = np.maximum(code, 0) * _DAY_SPAN - base
    start = np.searchsorted(combined, q + day + lo, side="left")
    stop = np.searchsorted(combined, q + day + hi, side="right")
    count = np.where(code >= 0, stop - start, 0)
    first = np.full(len(code), -1, dtype=np.int64)
    hit = count > 0
    first[hit] = rows[start[hit]]
    return count, first


def _unique_candidate(own_t, stated_t, day_t, rows_t, own_q, stated_q, day_q, lo, hi, base):
    """For each query row, its one candidate among the targets (a row index), or -1 when it has
    none or several: targets whose amount is the query's (own to own), or the one the query
    states, or that state the query's (a candidate found both ways counts once)."""
    by_own = _sorted_targets(own_t, day_t, rows_t, base)
    by_stated = _sorted_targets(stated_t, day_t, rows_t, base)
    n1, f1 = _found(by_own, own_q, day_q, base, lo, hi)
    n2, f2 = _found(by_own, stated_q, day_q, base, lo, hi)
    n3, f3 = _found(by_stated, own_q, day_q, base, lo, hi)
    found = np.where(n1 + n2 + n3 == 1, np.maximum(np.maximum(f1, f2), f3), -1)
    # (a key found both ways: an arrival whose amount the payment states, stating the payment's)
    both = (n1 == 0) & (n2 == 1) & (n3 == 1) & (f2 == f3)
    return np.where(both, f2, found)


def pair_keys(keys: pd.DataFrame) -> np.ndarray:
    """Per row of ``keys`` (:func:`transfer_keys` of every account), the account its money went
    to or came from, or None: a payment out and a payment in of another account, at one amount
    (or the amount one of them states) and within :data:`DAYS_BEFORE` / :data:`DAYS_AFTER` days,
    each the other's only such candidate in any account (its own included). A row without an id,
    or whose id its account gives another row too, is no one's pair (its transfer could not be
    told from the other row's)."""
    n = len(keys)
    partner = np.full(n, None, dtype=object)
    if n == 0:
        return partner
    stated = keys["stated"].to_numpy(dtype=np.int64)
    has_stated = stated >= 0
    codes, _ = pd.factorize(np.r_[keys["key"].to_numpy(dtype=np.int64), stated[has_stated]])
    own = codes[:n].astype(np.int64)  # (dense codes: a code times the days' span fits in 64 bits)
    st = np.full(n, -1, dtype=np.int64)
    st[has_stated] = codes[n:]
    day = keys["day"].to_numpy(dtype=np.int64)
    base = int(day.min()) - 64  # (every day - base, less a window's reach, stays positive)
    inflow = keys["inflow"].to_numpy(dtype=bool)
    # only a row whose amount (or the one it states) the other way holds can pair: most payments'
    # amounts never come in, so the searches below see a few rows in ten
    width = int(codes.max(initial=-1)) + 2

    def holds(rows: np.ndarray, stated_too: bool) -> np.ndarray:
        seen = np.zeros(width, dtype=bool)
        seen[own[rows]] = True
        if stated_too:
            seen[st[rows]] = True  # (-1, no amount stated, marks the spare last slot)
        seen[-1] = False
        return seen

    out_rows, in_rows = np.flatnonzero(~inflow), np.flatnonzero(inflow)
    in_any, in_own = holds(in_rows, True), holds(in_rows, False)
    out_any, out_own = holds(out_rows, True), holds(out_rows, False)
    outs = out_rows[in_any[own[out_rows]] | in_own[st[out_rows]]]
    ins = in_rows[out_any[own[in_rows]] | out_own[st[in_rows]]]
    if not len(outs) or not len(ins):
        return _wallet_pairs(keys, own, day, base, partner)
    # each payment out looks for arrivals DAYS_BEFORE before to DAYS_AFTER after it, and each
    # arrival for payments out in the mirrored window
    to_in = _unique_candidate(own[ins], st[ins], day[ins], ins, own[outs], st[outs], day[outs],
                              -DAYS_BEFORE, DAYS_AFTER, base)
    to_out = _unique_candidate(own[outs], st[outs], day[outs], outs, own[ins], st[ins], day[ins],
                               -DAYS_AFTER, DAYS_BEFORE, base)
    partner = _take_mutual(keys, outs, to_in, ins, to_out, partner)
    return _wallet_pairs(keys, own, day, base, partner)


def _take_mutual(keys: pd.DataFrame, left: np.ndarray, to_right: np.ndarray, right: np.ndarray,
                 to_left: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """``partner`` (changed in place) with each row of ``left`` and its candidate in ``right``
    named as each other's account where the two chose each other (``to_right``: per ``left`` row,
    its only candidate's row or -1; ``to_left`` the same the other way), they are in two accounts,
    and each has an id no other row of its account has."""
    back = np.full(len(keys), -1, dtype=np.int64)
    back[right] = to_left
    account = pd.factorize(keys["account_id"])[0]
    a, b = left[to_right >= 0], to_right[to_right >= 0]
    good = (back[b] == a) & (account[a] != account[b])
    a, b = a[good], b[good]
    if len(a):
        alone = _id_alone(keys, account, np.r_[a, b])
        keep = alone[: len(a)] & alone[len(a):]
        a, b = a[keep], b[keep]
    name = keys["account_id"]
    partner[a] = name.iloc[b].astype(str).to_numpy(dtype=object)
    partner[b] = name.iloc[a].astype(str).to_numpy(dtype=object)
    return partner


def _wallet_pairs(keys: pd.DataFrame, own: np.ndarray, day: np.ndarray, base: int, partner: np.ndarray) -> np.ndarray:
    """``partner`` with a wallet's funding lines paired to a card's charges through the wallet:
    money into the wallet (``wallet`` 1) and a charge out of another account naming the wallet
    (``wallet`` 2), not paired yet, at one amount in one currency and within the transfers' days,
    each the other's only such candidate among those lines. (The wallet's own payment of the
    merchant, the same amount the same day, would make the general pairing ambiguous.)"""
    if "wallet" not in keys:
        return partner
    wallet = keys["wallet"].to_numpy(dtype=np.int64)
    free = pd.isna(partner)
    fund = np.flatnonzero((wallet == 1) & free)
    card = np.flatnonzero((wallet == 2) & free)
    if not len(fund) or not len(card):
        return partner
    none_f, none_c = np.full(len(fund), -1, dtype=np.int64), np.full(len(card), -1, dtype=np.int64)
    to_fund = _unique_candidate(own[fund], none_f, day[fund], fund, own[card], none_c, day[card],
                                -DAYS_BEFORE, DAYS_AFTER, base)
    to_card = _unique_candidate(own[card], none_c, day[card], card, own[fund], none_f, day[fund],
                                -DAYS_AFTER, DAYS_BEFORE, base)
    return _take_mutual(keys, card, to_fund, fund, to_card, partner.copy())


def _id_alone(keys: pd.DataFrame, account: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per row of ``rows``: it has an id, and no other row of its account has it (looked for
    among the rows holding one of those ids only)."""
    ids = keys["transaction_id"]
    mine = ids.iloc[rows]
    named = mine.notna().to_numpy()
    near = _rows_with_ids(ids, mine[named].astype(str).to_numpy(dtype=object))
    seen = pd.Series(account[near]).astype(str).to_numpy(dtype=object) + "\x1f" + \
        ids.iloc[near].astype(str).to_numpy(dtype=object)
    twice = set(pd.Series(seen)[pd.Series(seen).duplicated(keep=False)])
    asked = pd.Series(account[rows]).astype(str).to_numpy(dtype=object) + "\x1f" + mine.astype(str).to_numpy(dtype=object)
    return named & ~pd.Series(asked).isin(twice).to_numpy()


def _rows_with_ids(ids: pd.Series, wanted: np.ndarray) -> np.ndarray:
    """Positions of ``ids`` (a column of any dtype) holding one of the ``wanted`` ids (text),
    looked up by Arrow: a million ids are not made Python strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        column = pa.array(ids, from_pandas=True)
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            column = pc.cast(column, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        column = pa.array(ids.astype(str).to_numpy(dtype=object), pa.string())
    hit = pc.fill_null(pc.is_in(column, value_set=pa.array(list(wanted), pa.string())), False)
    return np.flatnonzero(hit.to_numpy(zero_copy_only=False))


def no_pairs() -> pd.DataFrame:
    """:func:`paired_rows` of rows that hold no transfer."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ("account_id", "transaction_id", TRANSFER_COLUMN)})


def paired_rows(keys: pd.DataFrame) -> pd.DataFrame:
    """``account_id, transaction_id, transfer_account`` of the rows :func:`pair_keys` pairs."""
    partner = pair_keys(keys)
    hit = pd.notna(partner)
    at = np.flatnonzero(hit)
    return pd.DataFrame({"account_id": keys["account_id"].iloc[at].astype(str).to_numpy(dtype=object),
                         "transaction_id": keys["transaction_id"].iloc[at].astype(str).to_numpy(dtype=object),
                         TRANSFER_COLUMN: partner[at]})


def attach_transfers(tx: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """``tx`` with :data:`TRANSFER_COLUMN` from ``pairs`` (:func:`paired_rows`), matched by
    account and transaction id; None elsewhere. The frame is changed in place and returned."""
    column = np.full(len(tx), None, dtype=object)
    if len(pairs) and len(tx):
        ids = tx["transaction_id"]
        maybe = _rows_with_ids(ids, pairs["transaction_id"].to_numpy(dtype=object))
        if len(maybe):
            lookup = dict(zip(zip(pairs["account_id"], pairs["transaction_id"]), pairs[TRANSFER_COLUMN]))
            # (only the few rows whose id was paired are read as Python strings)
            column[maybe] = [lookup.get((str(a), str(t))) for a, t in
                             zip(tx["account_id"].iloc[maybe].tolist(), ids.iloc[maybe].tolist())]
    tx[TRANSFER_COLUMN] = column
    return tx


def with_transfers(tx: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """``tx`` (canonical transactions of every account to pair) with :data:`TRANSFER_COLUMN`,
    as a new frame."""
    return attach_transfers(tx.copy(), paired_rows(transfer_keys(tx, as_of)))


def own_transfer_streams(streams: pd.DataFrame) -> pd.Series:
    """Per stream (a boolean Series): its evidence says it moves money between the holder's own
    accounts (:data:`OWN_TRANSFER`)."""
    if "evidence" not in streams:
        return pd.Series(False, index=streams.index)
    return streams["evidence"].fillna("").astype(str).str.contains(OWN_TRANSFER, regex=False)
