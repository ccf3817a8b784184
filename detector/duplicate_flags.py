"""``duplicate_charge``: a second charge of a stream inside one billing cycle at (nearly) its amount.

The rule is documented with the others in :mod:`detector.flags`; this module holds its code.
:func:`find_loose_duplicates` covers a plan no stream holds (billed once or twice in the data).
A pair that is money not taken yet (its rows' ``pending``) is held: low, asking nothing back
(:func:`held`, :func:`hold_pending`), in detection itself, so every engine holds it alike.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .catalog import plan_only_vendors
from .flags import (
    DOUBLE_CHARGE_DAYS,
    INTRO_RATIO,
    MAX_DUPLICATE_SHARE,
    MAX_LATE_DAYS,
    ONE_OFF_WINDOW_DAYS,
    SAME_AMOUNT,
    STEADY_NOISE,
    _buys_one_offs,
    _days,
    _days_after,
    _flag_rows,
    _money,
    _name,
    _unstreamed_rows,
    empty_flags,
)
from .given_back import gives_back
from .money import places, to_cents
from .schema import PENDING_COLUMN, PERIOD_DAYS
from .stream_edges import same_offset_repeats  # the stream builder's, which splits such plans off

#: Billing channels that also sell one-off items at their plans' prices.
STORE_CHANNELS = ("apple", "google_play", "amazon", "roku")


#: How far a foreign-priced plan's amount may move between two charges a few days apart with
#: the exchange rate (a day's move of a major currency is a few tenths of a percent; a card
#: scheme's rate of one day and the next differ by about as much): its double charge at the same
#: price in its own currency is within this of the first in the card's.
FX_DAYS_MOVE = 0.01


def find_duplicates(s: pd.DataFrame, t: pd.DataFrame, foreign: set | frozenset = frozenset()) -> pd.DataFrame:
    """Stream charges plus nearby unstreamed same-amount charges; rows that repeat the previous one
    (with ``prev_date``, ``prev_charge``, ``prev_original``, ``prev_pending`` and ``gap`` of the
    charge they repeat). ``foreign``: chains priced in another currency (``price_flags.foreign_priced``)."""
    # the unstreamed charges by their positions: a copy of all their columns (a million rows)
    # cost 0.15 CPU-s, and only a few of them become rows
    loose_rows = _unstreamed_rows(t, s)
    loose = t[["_ak", "date", "charge"]].iloc[loose_rows]
    base_cols = ["stream_id", "chain_id", "account_id", "stream_key", "stream_merchant", "stream_vendor",
                 "stream_channel", "period", "frequency", "last_amount", "_sk"]
    near = _near_repeats(s, t, loose_rows, base_cols, foreign)
    whole = pd.concat([s, near], ignore_index=True) if not near.empty else s
    # the rule reads these columns: those are sorted, and only the repeats' rows taken whole
    originals = list(ORIGINAL_COLUMNS) if _has_originals(whole) else []
    cols = ["stream_id", "ts", "_order", "charge", "date", "period", "transaction_id", "stream_channel",
            "stream_vendor", "chain_id", *originals, *([PENDING_COLUMN] if PENDING_COLUMN in whole else [])]
    ext = whole[cols].reset_index(drop=True)
    order = ext.sort_values(["stream_id", "ts", "_order"], kind="stable").index.to_numpy()
    ext = ext.take(order).reset_index(drop=True)
    g = ext.groupby("stream_id", sort=False)
    prev_ts, prev_charge, prev_date = g["ts"].shift(), g["charge"].shift(), g["date"].shift()
    gap = (ext["ts"] - prev_ts).dt.days
    # The stream's own cadence: a duplicate can make the detector call an annual plan
    # semiannual, so the nominal period is raised to the median gap between distinct charges.
    gaps = (ext["ts"] - prev_ts).dt.days
    own = gaps.where(gaps > 5).groupby(ext["stream_id"]).transform("median")
    period = np.maximum(ext["period"], own.fillna(0))
    # A stream charging far more often than its frequency says is no steady plan (coffee, ATM
    # fees the detector took for one): its repeats say nothing about double billing.
    regular = own.isna() | (own >= 0.6 * ext["period"])
    # An extra charge leaves the cadence intact around the pair: from the charge before the pair
    # to the one after it is two periods, not three (a late charge followed by an on-time one).
    ts_pp, ts_next = g["ts"].shift(2), g["ts"].shift(-1)
    span = np.select(
        [ts_pp.notna() & ts_next.notna(), ts_next.notna(), ts_pp.notna()],
        [(ts_next - ts_pp).dt.days < 2.5 * period, (ts_next - prev_ts).dt.days < 1.5 * period,
         (ext["ts"] - ts_pp).dt.days < 1.5 * period],
        True,
    ).astype(bool)
    # That explanation needs the earlier charge of the pair to be (period - gap) days late: for a
    # weekly plan a few days, for a monthly one three weeks or more, which no late or retried
    # charge is. There a close identical pair is a duplicate even beside a skipped cycle.
    span |= (period - gap) > MAX_LATE_DAYS
    # "Inside one billing cycle", and close: a quarter period (two days for a weekly plan, whose
    # posting jitter alone moves charges by a few days).
    close = (gap < 0.5 * period) & (gap <= np.maximum(2, 0.25 * period))
    # "(Nearly) the same amount": to the cent for a fixed price; a plan billed in another
    # currency moves a little every month, and its double charge may too (up to twice its
    # typical move, at most 2%). A bill that moves more than that is not matched loosely.
    moves = (ext["charge"] / prev_charge - 1).abs().where(gap > 5)
    jitter = moves.groupby(ext["stream_id"]).transform("median").fillna(0.0)
    fx = ext["chain_id"].isin(set(foreign)).to_numpy() if foreign else None
    near_same = (ext["charge"] - prev_charge).abs() <= _amount_tolerance(jitter, prev_charge, fx)
    # Where the statement gives both charges' amounts in the plan's own currency (Monzo's Local
    # amount), those are compared, to the cent: 15.50 and 15.48 on a pound card two days apart
    # are both 20.00 USD (round-thirty-nine audit: a real double charge went unflagged).
    prev_original = g[originals[0]].shift() if originals else None
    if originals:
        same_price = _same_original(ext[originals[0]], ext[originals[1]], prev_original, g[originals[1]].shift())
        if same_price is not None:
            near_same = near_same.where(same_price.isna(), same_price.fillna(False).astype(bool))
    # "Its amount": the pair is at the plan's price. Two cent-sized debits on one day at a cash
    # advance app (an account check) or a trial line the detector took into a plan's stream are
    # no double billing of the plan.
    typical = ext.groupby("stream_id")["charge"].transform("median")
    at_price = ext["charge"] >= INTRO_RATIO * typical
    dup = prev_ts.notna() & close & near_same & span & regular & at_price
    # Repeats in many cycles are two plans at one price (merged by the detector), not mistakes:
    # repeats in cycles next to one another. Doubles months apart are each a mistake (round-six
    # audit: three double charges of Netflix six months apart, none flagged), except at an app
    # store, which also sells items at its plans' prices (in-app purchases bought again): there
    # three repeats anywhere of an item no catalogue vendor names are purchases (independent generator, seed 11: duplicate precision
    # 0.92 -> 0.86 when they were flagged).
    dup_ts = ext["ts"].where(dup)
    before = dup_ts.groupby(ext["stream_id"]).ffill()
    after = dup_ts.groupby(ext["stream_id"]).bfill()
    prev_dup = before.groupby(ext["stream_id"]).shift()
    next_dup = after.groupby(ext["stream_id"]).shift(-1)
    near = ((ext["ts"] - prev_dup).dt.days <= 1.5 * period) | ((next_dup - ext["ts"]).dt.days <= 1.5 * period)
    # (a plan the line names, YouTube Premium billed by Google, is no store item: its doubles count)
    near |= (ext["stream_channel"].isin(STORE_CHANNELS) & ext["stream_vendor"].isna()).to_numpy()
    n_dup = (dup & near).groupby(ext["stream_id"]).transform("sum")
    n_all = ext.groupby("stream_id")["transaction_id"].transform("size")
    dup &= ~((n_dup >= 3) | ((n_dup >= 2) & (n_dup > MAX_DUPLICATE_SHARE * n_all)))
    dup &= ~_second_plan(ext, dup, gap, period)
    # A double charge posts within days of the first (the same bill submitted twice, a retry
    # that went through): a second charge a week into a monthly cycle is the schedule moving.
    dup &= gap <= np.maximum(2, np.minimum(0.25 * period, DOUBLE_CHARGE_DAYS))
    at = np.flatnonzero(dup.to_numpy())
    d = whole.take(order[at]).set_axis(ext.index.take(at))
    d["prev_date"] = prev_date[dup]
    d["prev_charge"] = prev_charge[dup]
    d["prev_original"] = prev_original[dup] if prev_original is not None else np.nan
    d["prev_pending"] = g[PENDING_COLUMN].shift()[dup].eq(True) if PENDING_COLUMN in ext else False
    d["gap"] = gap[dup].astype(int)
    # Where the account also buys one-offs from the merchant (an app store, a shop), a second
    # charge at the plan's price days later is as likely one more purchase (apps cost 0.99,
    # 4.99, 9.99 like plans do): only an identical charge on the same day is a double charge.
    # Not at a catalogue vendor of fixed-price plans billed directly (PRO Back Office, Netflix):
    # it sells no items at its plan's price, and its charges at other amounts are add-ons or
    # another plan (fifteenth session's audit: one 15.00 add-on months before hid a 49.00 plan's
    # double charge).
    identical = (d["gap"] == 0) & ((d["charge"] - d["prev_charge"]).abs() < 0.005)
    plan_seller = (d["stream_vendor"].isin(plan_only_vendors())
                   & ~d["stream_channel"].isin(STORE_CHANNELS))
    d = d[identical | plan_seller | _billed_again(d, s, loose) | ~_buys_one_offs(d, loose)]
    d = d[~_bought_again(d)]
    return d[~_voided_before(d["_sk"], d["prev_date"], d["date"], d["prev_charge"], t)]


#: A double charge off an app store that posts a day or two after the charge it repeats (a
#: payment retried, a second authorisation posted the next day) is still told from a purchase
#: (:func:`_billed_again`) up to this many days after.
RETRY_DAYS = 2

#: Cents that make an amount a shop's set price or a round sum (9.99, 4.95, 2.49, 5.00, 7.50):
#: items, tips and coins come at these, and so do plans, so one of them may match a plan's price.
SET_PRICE_CENTS = (0, 49, 50, 95, 99)


def _billed_again(d: pd.DataFrame, s: pd.DataFrame, loose: pd.DataFrame) -> np.ndarray:
    """Repeats (``d``, :func:`find_duplicates`' rows) that are the plan billed again though the
    account also buys one-offs from the merchant: to the cent, one to :data:`RETRY_DAYS` days
    after the plan's charge, off an app store (:data:`STORE_CHANNELS`), in a stream billed
    monthly or less often whose every charge within ``ONE_OFF_WINDOW_DAYS`` of the repeat is at
    that one price, where at most half the merchant's other charges in that window come at a
    set price (:data:`SET_PRICE_CENTS`).

    A delivery or ride app's orders, a lender's extra payments or an advance app's repayments come
    at amounts of their own (23.63, 278.67): one of them at the plan's price to the cent, a day or
    two after its charge, is far less likely than the plan charged twice (twenty-sixth session:
    our generator's doubles 1-2 days late at such merchants were all lost, the rule having allowed
    only a same-day identical charge there). A shop selling at set prices (an app store, a
    creator's tips of 5.00 and 9.99), a weekly plan whose posting jitter alone brings two charges
    within two days, and a stream whose amounts vary (orders the detector took into it, a metered
    bill) keep to the same-day rule.
    """
    if d.empty:
        return np.zeros(0, dtype=bool)
    cand = ((d["charge"] - d["prev_charge"]).abs() < 0.005) & d["gap"].between(1, RETRY_DAYS)
    cand &= (d["period"].astype(float) >= PERIOD_DAYS["monthly"] - 3) & ~d["stream_channel"].isin(STORE_CHANNELS)
    out = cand.to_numpy(dtype=bool).copy()
    if not out.any():
        return out
    pairs = d.loc[cand, ["transaction_id", "stream_id", "_sk", "ts", "charge"]]
    # the stream's own charges near the repeat: one price
    j = pairs.merge(s[["stream_id", "ts", "charge"]].rename(columns={"ts": "s_ts", "charge": "s_charge"}),
                    on="stream_id", how="inner")
    j = j[(j["s_ts"] - j["ts"]).dt.days.abs() <= ONE_OFF_WINDOW_DAYS]
    varies = set(j.loc[(j["s_charge"] - j["charge"]).abs() > SAME_AMOUNT, "transaction_id"])
    # the merchant's other charges near it: amounts of their own, not a price list
    o = pairs.merge(loose.rename(columns={"_ak": "_sk", "charge": "o_charge"}), on="_sk", how="inner")
    o = o[((pd.to_datetime(o["date"]) - o["ts"]).dt.days.abs() <= ONE_OFF_WINDOW_DAYS)
          & ((o["o_charge"] - o["charge"]).abs() > SAME_AMOUNT)]
    set_price = pd.Series(np.isin(to_cents(o["o_charge"], absolute=True) % 100, SET_PRICE_CENTS), index=o.index)
    share = set_price.groupby(o["transaction_id"]).mean()
    priced = set(share.index[share > 0.5])
    out[out] = ~pairs["transaction_id"].isin(varies | priced).to_numpy()
    return out


#: A charge's amount and currency as the merchant billed it (``schema.TRANSACTION_COLUMNS``).
ORIGINAL_COLUMNS = ("original_amount", "original_currency")


def _has_originals(frame: pd.DataFrame) -> bool:
    """Whether some row of ``frame`` has an amount in the merchant's own currency (most statements
    give none: the rules then skip the comparison)."""
    return all(c in frame for c in ORIGINAL_COLUMNS) and bool(frame["original_amount"].notna().any())


def _same_original(amount: pd.Series, code: pd.Series, prev_amount: pd.Series, prev_code: pd.Series) -> pd.Series | None:
    """Per row, whether its original amount (``original_amount`` in ``original_currency``) is the
    previous one's to the cent, where both are known in one currency; NA where not (``None``
    when no row has both)."""
    code, prev_code = code.astype(object), prev_code.astype(object)
    both = (amount.notna() & prev_amount.notna() & code.notna() & prev_code.notna()
            & (code.where(code.notna(), "") == prev_code.where(prev_code.notna(), ""))).to_numpy()
    if not both.any():
        return None
    same = ((amount.abs() - prev_amount.abs()).abs() <= SAME_AMOUNT).astype(object)
    return same.where(both, None)


def _second_plan(ext: pd.DataFrame, dup: pd.Series, gap: pd.Series, period: pd.Series) -> pd.Series:
    """Repeats (``dup``) of a second plan at the same price (:func:`stream_edges.same_offset_repeats`:
    back in the next cycle on the same offset), not billing errors. Both repeats of such cycles
    are left alone: with the second, the first is known to be the second plan's sign-up
    (round-twenty-nine audit: two high duplicates and two refund emails for a plan the family
    uses). A lone repeat, the last one of the data among them, stays a double charge: nothing
    yet shows it is a plan. (``ext`` is sorted by stream and date.)"""
    at = np.flatnonzero(dup.to_numpy())
    out = np.zeros(len(ext), dtype=bool)
    if len(at) >= 2:
        day = ext["ts"].to_numpy().astype("datetime64[D]").astype(np.int64)
        out[at] = same_offset_repeats(ext["stream_id"].to_numpy()[at], day[at], gap.to_numpy(dtype=float)[at],
                                      period.to_numpy(dtype=float)[at])
    return pd.Series(out, index=ext.index)


#: A same-day repeat of a weekly charge this small at a merchant no catalogue vendor names is one
#: more purchase (a coffee, a lunch), not a plan billed twice. In dollars: 2,000 in yen (flags.py).
SMALL_PURCHASE = 20.0


def _bought_again(d: pd.DataFrame) -> np.ndarray:
    """Same-day repeats of a small charge (:data:`SMALL_PURCHASE` or less, in the charge's
    currency's units: ``_scale``) in a stream charging
    weekly or more often at a merchant no catalogue vendor names: a second purchase at a weekly
    haunt, not a plan billed twice (round-eleven audit: three coffees one Saturday were two double
    charges with refund requests; round fifteen: so were a second coffee at Dunkin, Pret and
    Starbucks). A weekly cleaner's or rent-to-own payment twice on a day stays a double charge
    (letting every weekly repeat through lost those on our generator: duplicate recall 0.915 ->
    0.887 on seed 901), as does a monthly plan's whatever its name says (a "... KITCHEN" meal
    plan, a barre studio: a first version read food words in the name for any frequency) and a
    catalogue vendor's."""
    if d.empty:
        return np.zeros(0, dtype=bool)
    return (d["stream_vendor"].isna().to_numpy() & (d["gap"].to_numpy() == 0)
            & (d["period"].to_numpy(dtype=float) <= 14)
            & (d["charge"].to_numpy(dtype=float) <= SMALL_PURCHASE * d["_scale"].to_numpy(dtype=float)))


def _voided_before(key: pd.Series, prev_date: pd.Series, date: pd.Series, prev_charge: pd.Series,
                   t: pd.DataFrame) -> np.ndarray:
    """Pairs whose first charge the merchant gave back before the second came: a credit of its
    amount (within a cent or 1%) from the same merchant (``key``: the account and merchant code
    ``_ak``) dated from the first charge's day to the day before the second's. A charge voided and
    billed again (a payment retried, a card declined and re-run) is paid once; the second charge
    is the plan's. A credit on the second charge's day may as well refund that one: the pair stays
    a double charge, which the credit marks refunded (``flags._mark_refunded``).
    """
    credit = (t["charge"] < 0).to_numpy()
    if not credit.any() or key.empty:
        return np.zeros(len(key), dtype=bool)
    credits = pd.DataFrame({"_k": t["_ak"].to_numpy()[credit], "c_date": t["date"].to_numpy()[credit],
                            "back": -t["charge"].to_numpy()[credit]})
    pairs = pd.DataFrame({"_k": key.to_numpy(), "p_date": prev_date.astype(str).to_numpy(),
                          "date": date.astype(str).to_numpy(), "paid": prev_charge.to_numpy(dtype=float),
                          "_i": np.arange(len(key))}).merge(credits, on="_k", how="inner")
    hit = ((pairs["c_date"] >= pairs["p_date"]) & (pairs["c_date"] < pairs["date"])
           & gives_back(pairs["back"], pairs["paid"]))
    out = np.zeros(len(key), dtype=bool)
    out[pairs.loc[hit, "_i"].to_numpy()] = True
    return out




#: A vendor no stream holds, repeating a charge this many times or more in an account: a habit
#: (tips, coins), not a plan billed twice.
MAX_LOOSE_REPEATS = 3


def find_loose_duplicates(t: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
    """Repeats where no stream holds the plan (flagged by :func:`flag_loose_duplicates`), with
    ``prev_date``, ``prev_charge``, ``prev_pending`` and ``gap`` of the charge they repeat: a
    second charge to the cent within ``DOUBLE_CHARGE_DAYS`` of the first, both in no stream, at a
    catalogue vendor of a fixed-price category (:data:`PLAN_ONLY_CATEGORIES`: not a game store,
    which sells one-off games at one price under its plan's descriptor) that has no stream in the
    account.

    A yearly plan billed once in the data, or a plan cancelled after two months, is no stream, so
    :func:`find_duplicates` never sees its double charge. Such a vendor sells nothing else at that
    price a day or two later; where the account has a stream of the vendor, other charges of it
    are something else (another plan, an add-on) and are left alone. So are the vendor's charges
    where the account buys from it at other amounts near the pair (a creator's tips, an app's
    coins: :func:`_buys_one_offs`), or repeats itself three times or more (one plan billed twice
    by mistake is one repeat, perhaps two; a habit is more).
    """
    # judged on the vendor column first: the unstreamed rows are most of a million, these few
    plan_vendor = t["vendor"].isin(plan_only_vendors()).to_numpy()
    rows = _unstreamed_rows(t, s)
    rows = rows[plan_vendor[rows]]
    if not len(rows):
        return t.iloc[:0]
    loose = t.iloc[rows]
    has_stream = pd.MultiIndex.from_frame(s[["account_id", "stream_vendor"]].dropna().drop_duplicates())
    loose = loose[~pd.MultiIndex.from_frame(loose[["account_id", "vendor"]]).isin(has_stream)]
    # a charge the statement gives in the plan's own currency is compared at that price (15.50 and
    # 15.48 on a pound card, both 20.00 USD), the others in the card's
    cents = to_cents(loose["charge"])
    price_in = pd.Series("", index=loose.index, dtype=object)
    if _has_originals(loose):
        theirs = (loose["original_amount"].notna() & loose["original_currency"].notna()).to_numpy()
        cents[theirs] = to_cents(loose["original_amount"].to_numpy()[theirs], absolute=True)
        price_in = price_in.where(~theirs, loose["original_currency"].astype(object))
    loose = loose.assign(cents=cents, _price_in=price_in)
    key = ["account_id", "vendor", "_price_in", "cents"]
    loose = loose.sort_values([*key, "date", "_order"], kind="stable")
    same = (loose[key] == loose[key].shift()).all(axis=1)
    gap = loose["_day"] - loose["_day"].shift()
    dup = same & (gap <= DOUBLE_CHARGE_DAYS)
    prev_pending = loose[PENDING_COLUMN].shift()[dup].eq(True) if PENDING_COLUMN in loose else False
    d = loose[dup].assign(prev_date=loose["date"].shift()[dup], gap=gap[dup].astype(int), stream_id=None,
                          prev_charge=loose["charge"].shift()[dup], prev_pending=prev_pending)
    d = d[d.groupby(["account_id", "vendor"])["transaction_id"].transform("size") < MAX_LOOSE_REPEATS]
    if d.empty:
        return d
    d = d[~_buys_one_offs(d.assign(_sk=d["_ak"], ts=pd.to_datetime(d["date"])), loose)]
    return d[~_voided_before(d["_ak"], d["prev_date"], d["date"], d["charge"], t)]


def flag_loose_duplicates(d: pd.DataFrame) -> pd.DataFrame:
    """``duplicate_charge`` flags of the repeats :func:`find_loose_duplicates` found."""
    if d.empty:
        return empty_flags()
    moved = ((d["charge"] - d["prev_charge"]).abs() >= 0.005).to_numpy()
    code = d["_price_in"].astype(str)
    earlier = np.where(moved, "a charge of " + _money(d["prev_charge"], d["_dp"]), "an identical charge")
    both = np.where(moved, " (both " + _money(d["cents"] / 100, places(code.where(code != "", None))) + " " + code
                    + ")", "")
    reason = (_name(d) + " charged " + _money(d["charge"], d["_dp"]) + " on " + d["date"] + ", "
              + _days_after(d["gap"]) + " " + earlier + " on " + d["prev_date"].astype(str) + both
              + "; a plan bills once a cycle")
    return _flag_rows(d, "duplicate_charge", "high", reason)


def _near_repeats(s: pd.DataFrame, t: pd.DataFrame, loose: np.ndarray, base_cols: list[str],
                  foreign: set | frozenset = frozenset()) -> pd.DataFrame:
    """Unstreamed charges (rows ``loose`` of ``t``) of a stream's merchant close to one of its
    charges (within a quarter period, at least 5 days, under half a period) at its amount, with
    the stream's columns.

    Every stream charge meets every unstreamed charge of its merchant (a million pairs on the
    bench file), so the pairs are judged on their row numbers, days and amounts, and only
    the few that qualify are built as rows.
    """
    pairs = s[["_sk"]].assign(_a=np.arange(len(s))).merge(
        pd.DataFrame({"_sk": t["_ak"].to_numpy()[loose], "_l": np.arange(len(loose))}), on="_sk", how="inner")
    a, lo = pairs["_a"].to_numpy(), loose[pairs["_l"].to_numpy()]  # lo: rows of t
    period = s["period"].to_numpy(dtype=float)[a]
    window = np.minimum(0.5 * period, np.maximum(5, 0.25 * period))
    close = np.abs(t["_day"].to_numpy()[lo] - _days(s["ts"])[a]) < window
    # A plan billed in another currency moves a little every month; so may its double charge.
    sg = s.groupby("stream_id", sort=False)
    moves = (s["charge"] / sg["charge"].shift() - 1).abs().where((s["ts"] - sg["ts"].shift()).dt.days > 5)
    jitter = s["stream_id"].map(moves.groupby(s["stream_id"]).median()).fillna(0.0).to_numpy()[a]
    a_charge = s["charge"].to_numpy()[a]
    fx = s["chain_id"].isin(set(foreign)).to_numpy()[a] if foreign else None
    same = np.abs(t["charge"].to_numpy()[lo] - a_charge) <= _amount_tolerance(jitter, a_charge, fx)
    if _has_originals(s) and _has_originals(t):  # both in the plan's own currency: those, where close
        at = np.flatnonzero(close)
        price = _same_original(t["original_amount"].iloc[lo[at]].reset_index(drop=True),
                               t["original_currency"].iloc[lo[at]].reset_index(drop=True),
                               s["original_amount"].iloc[a[at]].reset_index(drop=True),
                               s["original_currency"].iloc[a[at]].reset_index(drop=True))
        if price is not None:
            same = same.copy()
            same[at] = np.where(price.isna().to_numpy(), same[at], price.fillna(False).to_numpy(dtype=bool))
    keep = close & same
    right = [c for c in t.columns if c not in ("account_id", "merchant_key", "_ak")]
    near = pd.concat([s[base_cols].iloc[a[keep]].reset_index(drop=True),
                      t[right].iloc[lo[keep]].reset_index(drop=True)], axis=1)
    near["ts"] = pd.to_datetime(near["date"])
    return near.drop_duplicates("transaction_id")


def _amount_tolerance(jitter: pd.Series, price: pd.Series, foreign: np.ndarray | None = None) -> pd.Series:
    """How far a repeat of ``price`` may be: to the cent for a fixed price; for a plan whose
    amount moves a little every month (typical move ``jitter``, another currency), twice that
    move, at most 2%. A bill moving more than that is not matched loosely, but for a plan priced
    in another currency (``foreign``, per row): its amount moves with the rate, a month's move of
    2% or more (the pound against the dollar in 2024-25), and a repeat days later may differ by
    what the rate moved in those days, :data:`FX_DAYS_MOVE` (round-thirty-nine audit: 15.50 and
    15.48, both 20.00 USD two days apart, went unflagged)."""
    fx = (jitter > 0.002) & (jitter <= STEADY_NOISE)
    share = np.where(fx, np.minimum(0.02, 2 * jitter), 0.0)
    if foreign is not None:
        share = np.maximum(share, np.where(foreign, FX_DAYS_MOVE, 0.0))
    return np.maximum(SAME_AMOUNT, share * price)


def flag_duplicates(d: pd.DataFrame) -> pd.DataFrame:
    """``duplicate_charge`` flags of the repeats :func:`find_duplicates` found."""
    if d.empty:
        return empty_flags()
    same = (d["charge"] - d["prev_charge"]).abs() < 0.005
    earlier = pd.Series(np.where(same, "an identical charge", "a charge of " + _money(d["prev_charge"], d["_dp"])),
                        index=d.index)
    # two amounts of one price in the plan's own currency, moved apart by the exchange rate
    both = pd.Series("", index=d.index, dtype=object)
    if "prev_original" in d and "original_amount" in d:
        code = d["original_currency"].astype(object)
        known = (~same & d["prev_original"].notna() & d["original_amount"].notna() & code.notna()).to_numpy()
        if known.any():
            price = _money(d["original_amount"].abs(), places(code.where(code.notna(), None)))
            both = both.where(~known, " (both " + price + " " + code.fillna("").astype(str) + ")")
    reason = (
        _name(d) + " charged " + _money(d["charge"], d["_dp"]) + " on " + d["date"] + ", "
        + _days_after(d["gap"]) + " " + earlier + " on " + d["prev_date"].astype(str) + both
        + ", inside one " + d["frequency"].astype(str) + " billing cycle"
    )
    return _flag_rows(d, "duplicate_charge", "high", reason)


#: The earlier charge a ``duplicate_charge`` reason says the charge repeats, as
#: :func:`flag_duplicates` and :func:`flag_loose_duplicates` word it ("1 day after an identical
#: charge on 2025-08-12", "3 days after a charge of 4.99 on 2025-08-12"; no decimals in a
#: currency without minor units: "a charge of 1,500").
_REPEATS = re.compile(r"(?:the same day as|\b\d+ days? after) (?:an identical charge|a charge of "
                      r"(\d{1,3}(?:,\d{3})*(?:\.\d+)?)) on (\d{4}-\d{2}-\d{2})\b")


def charge_repeated(reason: str | None) -> tuple[str, float | None] | None:
    """The date and amount of the earlier charge a ``duplicate_charge`` flag's reason names
    (amount None: an identical charge, the flagged charge's own amount), or None.

    >>> charge_repeated("OT Track charged 9.99 on 2025-08-13, 1 day after an identical charge on 2025-08-12, "
    ...                 "inside one monthly billing cycle")
    ('2025-08-12', None)
    >>> charge_repeated("Hulu charged 5.29 on 2025-08-15, 3 days after a charge of 4.99 on 2025-08-12, inside ...")
    ('2025-08-12', 4.99)
    """
    m = _REPEATS.search(reason or "")
    if not m:
        return None
    return m.group(2), (float(m.group(1).replace(",", "")) if m.group(1) else None)


#: What a ``duplicate_charge`` reason adds when the pair is not taken yet (:func:`hold_pending`):
#: the flag is low and no refund request is queued for it (:func:`held_pending`).
PENDING_NOTE = "still pending, not taken yet: nothing to ask back unless both post"


def held_pending(flag_type: str | None, reason: str | None) -> bool:
    """Whether a flag is a double charge held while pending (:func:`hold_pending`)."""
    return flag_type == "duplicate_charge" and bool(reason) and PENDING_NOTE in reason


def held(pending, prev_pending, gap) -> np.ndarray:
    """Per repeat, why its pair is money not taken yet, or "": ``"both are"`` when both charges
    are still pending (a bank's authorisations, Plaid's ``pending``), ``"one of them, made the
    same day, is"`` when they were made the same day (``gap`` 0) and one of them is. ``pending``
    is the repeat's own, ``prev_pending`` that of the charge it repeats.

    One purchase authorised twice usually loses one authorisation within days, and a posted
    charge's own pending version may come with it. A pending charge a day or more after a posted
    one of its amount is not held: the vendor charging again (docs/plaid.md, a known limit)."""
    pending = np.asarray(pending, dtype=bool)
    prev_pending = np.asarray(prev_pending, dtype=bool)
    same_day = np.asarray(gap) == 0
    return np.where(pending & prev_pending, "both are",
                    np.where(same_day & (pending | prev_pending), "one of them, made the same day, is", ""))


def hold_pending(flags: pd.DataFrame, repeats: list[pd.DataFrame]) -> pd.DataFrame:
    """``flags`` with each ``duplicate_charge`` whose pair is money not taken yet (:func:`held`)
    made low, its reason saying so (:data:`PENDING_NOTE`): no refund request is queued for it.

    ``repeats``: the repeats the flags were made of (:func:`find_duplicates`,
    :func:`find_loose_duplicates`, in that order: of two for one charge the first made its
    flag), each with its own ``pending`` and the ``prev_pending`` and ``gap`` of the charge it
    repeats. The pair is read from those rows, not from the reason's words. Round-forty-seven
    audit: Spotify authorised twice on one day, both pending, raised a high duplicate_charge and a
    refund request with a drafted email; the next night one dropped and the other posted. A
    charge that posts twice is a double charge again, flagged high, the night it does.
    """
    parts = [r for r in repeats if not r.empty and PENDING_COLUMN in r]
    if flags.empty or not parts:
        return flags
    pairs = pd.concat([r[["transaction_id", PENDING_COLUMN, "prev_pending", "gap"]] for r in parts],
                      ignore_index=True).drop_duplicates("transaction_id")
    why = pd.Series(held(pairs[PENDING_COLUMN], pairs["prev_pending"], pairs["gap"]),
                    index=pairs["transaction_id"].astype(str).to_numpy())
    why = why[why != ""]
    if why.empty:
        return flags
    at = flags["type"].eq("duplicate_charge") & flags["transaction_id"].isin(why.index)
    if not at.any():
        return flags
    out = flags.copy()
    out.loc[at, "severity"] = "low"
    out.loc[at, "reason"] = (out.loc[at, "reason"].astype(str) + "; "
                             + out.loc[at, "transaction_id"].map(why) + " " + PENDING_NOTE)
    return out
