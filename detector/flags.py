"""Unexpected-renewal flags: the charges a person would want to look at twice.

:func:`flag_charges` turns detected streams plus the enriched transactions into one row per
suspicious charge (``schema.FLAG_COLUMNS``). Five rules, each a few vectorised pandas steps over
all accounts at once (explode ``transaction_ids``, sort, ``groupby().shift()``); nothing loops
over transactions in Python.

Rules and severities (the same text, with examples, is in ``docs/flags.md``). Only outflows
of outflow streams are flagged, and streams the detector reports below its confidence threshold
(0.5) are shown, not acted on. Streams of one account, merchant key and frequency that follow
each other (a price change can make the detector start a new stream) form one *chain*; a
stream's first or last charge two periods or more from the rest of it is not part of its span.
Absolute amounts below (1.00, 20.00, 50.00, 100.00) are US dollars, scaled to each charge's
currency (:func:`detector.money.scale`: 100 in yen), and reasons write amounts in their
currency's decimals (none in yen).

``duplicate_charge`` (severity **high**: money taken twice)
    A charge of a stream within a quarter period (at least two days, under half a period) after
    the previous one at the same amount (to the cent; for a plan billed in another currency,
    whose amount moves a little every month, within twice that move, at most 2%), where the charges around the pair keep the
    cadence (from the charge before the pair to the one after it is under 2.5 periods: a late
    charge followed by an on-time one is not a duplicate) unless that would need a charge more
    than two weeks late (a monthly plan's pair beside a skipped month is a duplicate). The period is the stream's own median gap when a duplicate skewed the
    detected frequency. An unstreamed same-merchant, same-amount charge within a quarter period
    (at least 5 days) of a stream charge counts too. Credits never count; the later charge is
    flagged. Repeats in three or more cycles are two plans at one price, not duplicates, and a
    stream whose own median gap is under 60% of its period is no steady plan. Where no stream
    holds the plan: a charge to the cent within three days of the first, both in no stream, at a
    fixed-price catalogue vendor the account has no stream of and buys nothing else from near
    it, unless the account has three such pairs or more there (tips and coins are purchases).
``charge_after_cancellation`` (severity **high**)
    A charge of a cancelled stream dated strictly *after* the cancellation date, within 50% of
    the plan's price (median of its last three charges up to the cancellation, or the last of
    them: a price just raised) so that other plans merged into the stream are left alone; an unstreamed same-merchant charge at the plan's
    price (to the cent) counts too. A charge *on* the cancellation day is not flagged: it was most
    likely authorised before the cancellation took effect. A duplicate is flagged as a duplicate.
    A cancellation row with no ``stream_id`` but a ``merchant_key`` (a plan the detector did not
    make a stream) flags that merchant's unstreamed outflows after the date, near the price of
    its last charges up to the date, when those plan-priced charges make a stream's worth (three,
    or two half a year apart): one charge after a cancellation recorded before the history, or a
    plan billed once, is no "charge of a stream".
``annual_renewal`` (severity **high** from 100.00, else **medium**)
    Every charge after the first of a chain billed every six months or less often (semiannual,
    annual), duplicates excepted. A chain whose amount moves more than 10% from charge to charge
    (median, three charges or more) is spending, not a plan, and is not flagged; nor is an
    order far below the price months before the next charge that the detector put in the chain.
    Charges five times a shorter chain's price or more, a year apart, are a yearly plan it switched to.
    ``renewal_before_data=True`` also flags a chain's first charge when the account's history
    does not reach a full period before it, unless it is a trial or introductory charge (about
    half the next charge or less: that is the sign-up).
``trial_conversion`` (severity **medium**, **high** from 50.00)
    The first full-price charge of a stream (above 1.00 and above 55% of the stream's final
    price, the median of its last three charges) when, in the year before it, the account's
    billed charges of the same merchant were all trial charges (free, or up to 1.00 and at most
    55% of the full price; outside a stream only free or exactly 1.00, so a 0.99 app is no trial)
    or one introductory price (at most 55% of the full price, at most three
    charges, billed as a stream; longer when it began the plan's stream at 1/2.5 of the full
    price or less, not at an app store, and lasted a year, or at a catalogue seller of plans
    billed directly: ``price_flags._intro_years``),
    the last of them within 2.5 periods (at least 75 days), none at full price (outside a
    stream: within 10% of it; a purchase at another price is another product), and the cheap
    charges stop there (none of the same stream within 1.5 periods after). One-off cheap
    purchases at the merchant are not intro prices; plans that keep billing (in their chain:
    also under a new price) are other plans. Where the account buys one-offs from the merchant
    (unstreamed charges above 1.00 at two prices or more within a year: an app store) only a
    free line, the plan's own 1.00 first charge, or the plan's own charge a period before the full
    price at 40-55% of it is a trial or intro price, and those purchases block nothing.
    A stream silent for more than three periods starts afresh after the pause (a plan taken up
    again at an intro price; an order merged in months before the plan began): the charges
    before it count as charges outside the stream. Outside any stream: the first paid charge
    within 45 days after a 0.00 line (no paid charge of the merchant in the year before, not at
    a shop); and the first charge 7 to 45 days after a lone free or 1.00 line (in no stream,
    none like it in the year before or the 45 days after: that is a fee) at a price of at least
    1/0.55 the line, billed again to the cent 20 to 45 days later (or, at a catalogue vendor of
    fixed-price plans, within 45 days of the data's end, before a next bill could come), unless that price was paid
    to the merchant in the year before the line or about it (within 1%) since the line.
``price_increase`` (severity **low** below +15%, **medium** below +50%, **high** from +50%)
    The first charge of a new price level at least 5% above the previous level's median, where
    the new level's median is up 5% too and its next charge stays within 4%. The previous level
    needs two charges (one when it is the chain's first). A level is a run of charges changing
    less than 4% from one to the next (tax and currency jitter). Series whose typical change
    (median of charge-to-charge changes) exceeds 2% are variable bills: a step there must clear
    5% and four times that typical change against the median of the four previous bills, stay
    up over the next three, and needs five earlier bills; above 10% typical change (utilities)
    nothing is a price increase. Free charges are never a price level, a jump to about 1.8 times
    the previous level or more is an intro price ending, and a trial conversion is not also a
    price increase. Single charges about 1.8 times the charges on both sides (a purchase or a
    yearly charge merged in) are left out of the series.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .descriptor_words import (
    DONATION_WORDS,
    GOVERNMENT_FEE,
    HOUSING_PAYMENT,
    LOAN_PAYMENT,
    PAYROLL_RUN,
    SENT_BY_HOLDER,
    TAX_PAYMENT,
    UTILITY_NAME,
    card_payment_streams,
    payroll_streams,
)
from .given_back import REFUND_DAYS, credits_giving_back  # noqa: F401 - REFUND_DAYS kept where it was
from .ids import stable_id
from .money import places, scales, written
from .recurrence import DEFAULT_MIN_CONFIDENCE
from .schema import FLAG_COLUMNS, PENDING_COLUMN, PERIOD_DAYS, STREAM_COLUMNS, require_columns
from .transfers import own_transfer_streams

PRICE_STEP = 0.05          # "at least 5% above"
LEVEL_TOLERANCE = 0.04     # tax/currency jitter stays inside one price level
STEADY_NOISE = 0.020       # median charge-to-charge change of a fixed price (with tax/FX jitter)
VARIABLE_STEP_NOISE = 4.0  # a variable bill's step must exceed this many times its typical change
MAX_BILL_NOISE = 0.10      # above this typical change (utilities) no step is called a price increase
MIN_BILL_HISTORY = 5       # charges of a variable bill needed before its noise is known
SAME_AMOUNT = 0.011         # a double charge repeats the amount to the cent
MAX_LATE_DAYS = 14          # a late (or retried) charge posts at most about two weeks after its date
MAX_DUPLICATE_SHARE = 0.2   # more repeats than this share of a stream's charges: two plans, not errors
DOUBLE_CHARGE_DAYS = 3      # a double charge posts within this many days of the first
ONE_OFF_WINDOW_DAYS = 120   # one-off purchases this close to a charge make its merchant a shop too
INTRO_RATIO = 0.55        # an introductory price is about half the full price or less
FREE_MAX = 1.00            # a trial's price: free, or up to one dollar (scaled, below)
MAX_INTRO_CHARGES = 3      # an introductory price longer than this is a price level, not an intro
INTRO_HISTORY_DAYS = 400   # merchant history looked at before a first full-price charge
CANCELLED_PRICE_TOLERANCE = 0.50  # a charge after cancellation within this of the plan's price
MIN_LONG_GAP_DAYS = 150    # two charges this far apart are a six-monthly or yearly stream's worth
DETACHED_PERIODS = 2.0     # a stream's end charge this many periods from the rest is not its span
CHAIN_GAP_PERIODS = 2.5    # a stream follows one that ended at most this many periods before it began
CONTINUE_PERIODS = 1.5     # ... or whose next bill its first charge is (a bill skipped after it)
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
# The rules' absolute amounts (FREE_MAX, duplicate_flags.SMALL_PURCHASE, ...) are US dollars:
# each row carries ``_scale``, how many units of its currency that is (money.scale: 100 in yen),
# and ``_dp``, the decimals its amounts are written with (money.decimals: 0 in yen).

_TX_NEEDED = ("transaction_id", "account_id", "date", "amount", "description")
_TX_KEPT = _TX_NEEDED + ("merchant", "merchant_key", "vendor", "channel", "_order", "charge", "_tid", "_day",
                         "_scale", "_dp", "currency", "original_amount", "original_currency", PENDING_COLUMN)


def empty_flags() -> pd.DataFrame:
    """An empty flags frame with exactly :data:`schema.FLAG_COLUMNS`."""
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "amount" else "object") for c in FLAG_COLUMNS})


def _money(amounts: pd.Series, dp) -> pd.Series:
    """Amounts as reasons write them, ``1,234.50``, with ``dp`` decimals each (the rows' ``_dp``:
    ``1,500`` in yen); a missing amount is ""."""
    dp = np.nan_to_num(np.broadcast_to(np.asarray(dp, dtype=float), len(amounts)), nan=2)
    return pd.Series(["" if pd.isna(x) else written(x, k) for x, k in zip(amounts, dp)],
                     index=amounts.index, dtype=object)


def _trial_price(charge: pd.Series, scale) -> pd.Series:
    """Charges at a trial line's price: free, or exactly one dollar's worth (FREE_MAX of the
    row's currency, ``scale``: ¥100) or one unit of it (a card check of ¥1 or 1.00)."""
    return (charge < 0.005) | ((charge - FREE_MAX * scale).abs() < 0.005) | ((charge - 1.0).abs() < 0.005)


def _member_rows(streams: pd.DataFrame) -> pd.DataFrame:
    """One row per (stream, transaction id it lists), the id as text."""
    cols = ["stream_id", "account_id", "merchant", "vendor", "channel", "direction", "frequency",
            "last_amount", "transaction_ids"]
    s = streams[[c for c in cols if c in streams.columns]].copy()
    s["transaction_ids"] = s["transaction_ids"].map(_as_list)
    m = s.explode("transaction_ids").dropna(subset=["transaction_ids"])
    m = m.rename(columns={"transaction_ids": "transaction_id", "merchant": "stream_merchant",
                          "vendor": "stream_vendor", "channel": "stream_channel"})
    m["transaction_id"] = m["transaction_id"].astype(str)
    return m


def _members(tx: pd.DataFrame, m: pd.DataFrame) -> pd.DataFrame:
    """One row per (stream, transaction): the stream charges ``m`` (:func:`_member_rows` with
    ``_tid``, as :func:`_prepare_tx` codes them) joined to their transactions ``tx``.

    The join is on the integer ids both sides got from one coding of the ids: looking the million
    rows up among the 170k stream charges' ids hashed every row's id a second time (0.25 CPU-s
    at 1.2M rows). It gives the rows, in the order, of the join on the text.
    """
    t = tx.drop(columns=["account_id"])[_same_id(tx, m)]
    joined = m.drop(columns="transaction_id").merge(t, on="_tid", how="inner")
    return joined[[c for c in m.columns if c != "_tid"] + [c for c in t.columns if c != "transaction_id"]]


def _as_list(v) -> list:
    if isinstance(v, (list, tuple, np.ndarray)):
        return list(v)
    if isinstance(v, str):
        try:
            out = json.loads(v)
            return list(out) if isinstance(out, list) else [out]
        except ValueError:
            return [x for x in v.split(";") if x]
    return []


def stream_charges(c: pd.DataFrame, streams: pd.DataFrame, tx: pd.DataFrame) -> pd.DataFrame:
    """``c`` (rows naming a ``stream_id``) exploded to one row per charge of that stream:
    ``tid``, and the charge's ``date`` (as stored) and ``charge`` (positive out) from ``tx``."""
    ids = streams.drop_duplicates("stream_id").set_index("stream_id")["transaction_ids"]
    m = c.assign(tid=c["stream_id"].map(ids).map(_as_list).to_numpy()).explode("tid").dropna(subset=["tid"])
    t = tx.assign(tid=tx["transaction_id"].astype(str)).drop_duplicates("tid").set_index("tid")
    tid = m["tid"].astype(str)
    return m.assign(date=tid.map(t["date"]), charge=-tid.map(t["amount"]).astype(float))


def _prepare_tx(tx: pd.DataFrame, streams: pd.DataFrame | None = None):
    """The rows the rules read, with integer ids ``_tid``. Given ``streams``, returns
    ``(rows, members)``: also their charges (:func:`_member_rows`) with ``_tid`` of the same coding
    (ids no row has get codes of their own), the rows' codes as without ``streams``."""
    require_columns(tx, _TX_NEEDED, "flag_charges")
    t = tx.copy()
    t["transaction_id"] = t["transaction_id"].astype(str)
    # parsed and formatted once per distinct date: a statement has a million rows but a few
    # hundred days (parsing every row cost 0.2 CPU-s at 1.2M rows)
    text_codes, texts = pd.factorize(t["date"])
    day_codes, days = pd.factorize(pd.to_datetime(pd.Series(texts, dtype=t["date"].dtype)))
    codes = np.r_[day_codes, -1][text_codes]
    iso = pd.Series(days).dt.strftime("%Y-%m-%d")
    t["date"] = iso.reindex(codes).set_axis(t.index)
    t["amount"] = pd.to_numeric(t["amount"], errors="coerce").astype(float)
    for col in ("merchant", "vendor", "channel"):
        if col not in t:
            t[col] = None
    if "merchant_key" not in t:
        t["merchant_key"] = t["merchant"].fillna(t["description"]).astype(str).str.lower()
    t["merchant_key"] = t["merchant_key"].fillna(t["description"]).astype(str)
    # Rows of one day in statement order (the engines' TX_ORDER), whatever order they came in:
    # of two identical same-day charges the one listed second is the repeat.
    from .engines.frames import TX_ORDER, read_pending, sort_rows

    # a bank's authorisation not posted yet (false where the rows say nothing): a double charge
    # of such rows is held (duplicate_flags.held)
    t[PENDING_COLUMN] = read_pending(t)

    keys = [k for k in TX_ORDER if k in t]
    rank = sort_rows(t[keys].assign(_row=np.arange(len(t))), keys)["_row"].to_numpy()
    order = np.empty(len(t), dtype=np.int64)
    order[rank] = np.arange(len(t))
    t["_order"] = order
    t["charge"] = -t["amount"]
    currency = t["currency"] if "currency" in t else pd.Series(None, index=t.index, dtype=object)
    t["_scale"] = scales(currency)
    t["_dp"] = places(currency)
    # An integer per distinct transaction id: "is this charge in a stream" is then a lookup,
    # where isin hashed the million ids again at every rule (0.8 CPU-s a time at 1.2M rows).
    # The stream charges' ids are coded in the same pass (after the rows, so the rows' codes
    # are those of coding them alone): joining them to their rows is then a lookup as well.
    m = None if streams is None else _member_rows(streams)
    ids = t["transaction_id"] if m is None else pd.concat([t["transaction_id"], m["transaction_id"]],
                                                          ignore_index=True)
    tid = pd.factorize(ids, use_na_sentinel=False)[0]
    t["_tid"] = tid[:len(t)]
    # The day of each date string, as pd.to_datetime(date) would give it (parsed once per
    # distinct date): rules compare days over a million pairs of charges.
    t["_day"] = np.r_[_days(pd.Series(pd.to_datetime(iso))), np.nan][codes]
    # Only the columns the rules read: every filter and merge below copies each column it
    # carries, and a statement's bookkeeping columns (source file, line, currency) are wide text.
    kept = [c for c in _TX_KEPT if c in t]
    if "original_amount" in t and not t["original_amount"].notna().any():  # (most statements give none)
        kept = [c for c in kept if c not in ("original_amount", "original_currency")]
    t = t[kept]
    return t if m is None else (t, m.assign(_tid=tid[len(t):]))


def _series(tx: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Outflow stream members (``members``: see :func:`_members`) with their chain (consecutive
    streams of one merchant) and position."""
    m = _members(tx, members)
    m = m[(m["direction"].fillna("outflow") == "outflow") & (m["amount"] < 0)].copy()
    if m.empty:
        return m.assign(period=pd.Series(dtype=float), ts=pd.Series(dtype="datetime64[ns]"),
                        stream_key=pd.Series(dtype=object), chain_id=pd.Series(dtype=object))
    m["period"] = m["frequency"].map(PERIOD_DAYS).astype(float).fillna(30.44)
    m["ts"] = pd.to_datetime(m["date"])
    # A stream's merchant key: its most common member key (streams group by key anyway).
    counts = m.groupby(["stream_id", "merchant_key"]).size().reset_index(name="n")
    key = counts.sort_values(["stream_id", "n"], ascending=[True, False]).drop_duplicates("stream_id")
    key = key.set_index("stream_id")["merchant_key"]
    m["stream_key"] = m["stream_id"].map(key)
    m["chain_id"] = m["stream_id"].map(_chains(m))
    return m.sort_values(["chain_id", "ts", "_order"], kind="stable").reset_index(drop=True)


def _pair_codes(t: pd.DataFrame, s: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``t`` with ``_ak``, one integer per (account_id, merchant_key) pair, and ``s`` with
    ``_sk``, the same integer for its (account_id, stream_key) (-1: a pair ``t`` does not have).

    The rules join a stream's charges to the account's other charges of its merchant about ten
    times; on two text columns each join hashed the million rows again (1.8 CPU-s in all on the
    bench file), on one integer it does not. Inner joins on the codes give the rows, in the
    order, of inner joins on the text (equal codes are equal pairs, missing text included).
    """
    acc, accounts = pd.factorize(t["account_id"], use_na_sentinel=False)
    key, keys = pd.factorize(t["merchant_key"], use_na_sentinel=False)
    width = max(len(keys), 1)
    s_acc = pd.Index(accounts).get_indexer(s["account_id"])
    s_key = pd.Index(keys).get_indexer(s["stream_key"])
    return (t.assign(_ak=acc.astype(np.int64) * width + key),
            s.assign(_sk=np.where((s_acc >= 0) & (s_key >= 0), s_acc.astype(np.int64) * width + s_key, -1)))


def _chains(m: pd.DataFrame) -> pd.Series:
    """stream_id -> chain id: streams of one account, merchant and frequency that follow each other.

    A price change may make the stream detector start a new stream (its id hashes the amount
    cluster); the price-increase and renewal rules must see the series as one. A stream follows
    the earlier one that ended last before it began (overlap of a few days at most, a gap under
    two periods), even when another plan of the merchant runs beside both (an Apple Music trial
    beside an Apple TV+ price change); each stream has at most one follower, the earliest.
    """
    group = ["account_id", "key", "frequency"]
    # A charge two periods or more away from the rest of its stream, at either end, is no part of
    # the plan's steady billing (a purchase at the old price months after a price change, one
    # at the new price months before it): the stream's span is where it bills steadily.
    o = m[["stream_id", "ts", "period"]].sort_values(["stream_id", "ts"])  # (not all 30 columns)
    g = o.groupby("stream_id")["ts"]
    n = g.transform("size")
    detached = ((g.diff(-1).dt.days.abs() > DETACHED_PERIODS * o["period"]) & (g.cumcount() == 0)
                | (g.diff().dt.days > DETACHED_PERIODS * o["period"]) & (g.cumcount(ascending=False) == 0))
    core = o[~(detached & (n >= 3))]
    s = (
        m.groupby("stream_id")
        .agg(account_id=("account_id", "first"), key=("stream_key", "first"),
             frequency=("frequency", "first"), period=("period", "first"))
        .join(core.groupby("stream_id")["ts"].agg(first="min", last="max"))
        .join(o.groupby("stream_id")["ts"].agg(first_charge="min"))
        .reset_index()
    )
    pairs = s.merge(s[group + ["stream_id", "first", "last"]], on=group, suffixes=("", "_prev"))
    gap = (pairs["first"] - pairs["last_prev"]).dt.days
    # A bill skipped where the price changed leaves a gap of about two periods (issue #4: Apple
    # 9.99 until June, 12.99 from August, 62 days apart, was two series and no rise): up to
    # CHAIN_GAP_PERIODS. And a first charge left out of the span (two periods or more before the
    # stream's next, a bill skipped just after the step) still starts it when it lands where the
    # earlier stream's next bill was due (within CONTINUE_PERIODS of its last): AdvancePay 8.99
    # until 19 September, 11.99 on 2 October, then none until December.
    due = (pairs["first_charge"] - pairs["last_prev"]).dt.days
    follows = (gap >= -5) & (gap <= CHAIN_GAP_PERIODS * pairs["period"])
    follows |= (due >= -5) & (due <= CONTINUE_PERIODS * pairs["period"])
    pairs = pairs[(pairs["first_prev"] < pairs["first"]) & follows]
    # The predecessor that ended last; then one follower per predecessor, the earliest.
    pairs = pairs.sort_values(["stream_id", "last_prev", "stream_id_prev"]).drop_duplicates("stream_id", keep="last")
    pairs = pairs.sort_values(["stream_id_prev", "first", "stream_id"]).drop_duplicates("stream_id_prev")
    pred = pairs.set_index("stream_id")["stream_id_prev"]
    root = pd.Series(s["stream_id"].to_numpy(), index=s["stream_id"].to_numpy())
    while True:  # pointer jumping: each pass halves the remaining path to a chain's first stream
        up = root.map(pred)
        up = root.where(up.isna(), up)
        if up.equals(root):
            break
        root = up
    return pd.Series(s["account_id"].astype(str).to_numpy() + "\x1f" + s["key"].astype(str).to_numpy() + "\x1f"
                     + s["frequency"].astype(str).to_numpy() + "\x1f" + root.to_numpy(), index=s["stream_id"].to_numpy())


#: A bank's fees for an event (an overdraft, a returned payment, a wire, a foreign ATM). An
#: *annual* or monthly account fee is a plan's charge and does not match.
EVENT_FEE = (r"(?i)\b(?:overdraft|od|nsf|non[- ]?sufficient|insufficient|returned|return item|wire|atm|"
             r"foreign|intl|international|late|stop payment|cash advance|excess|transfer)\b.*\bfees?\b"
             r"|\bfees?\b.*\b(?:overdraft|nsf|returned|wire|atm|late)\b")


def _event_fee(s: pd.DataFrame) -> pd.Series:
    """Stream charges that are event fees, judged by the stream's name or the row's text."""
    if s.empty:
        return pd.Series(False, index=s.index)
    name = s["stream_merchant"].fillna(s["merchant"]).fillna("").astype(str)
    return _contains_event_fee(name) | _contains_event_fee(s["description"].fillna("").astype(str))


def _contains_event_fee(text: pd.Series) -> pd.Series:
    """``text.str.contains(EVENT_FEE)``, matched once per distinct text."""
    return _contains(text, EVENT_FEE)


def _contains(text: pd.Series, pattern) -> pd.Series:
    """``text.str.contains(pattern)``, matched once per distinct text (names and descriptions
    repeat across a stream's charges)."""
    codes, distinct = pd.factorize(text)
    hit = pd.Series(distinct, dtype=text.dtype).str.contains(pattern).to_numpy(dtype=bool)
    return pd.Series(np.r_[hit, False][codes], index=text.index)


def _flag_rows(df: pd.DataFrame, ftype: str, severity, reason) -> pd.DataFrame:
    if df.empty:
        return empty_flags()
    out = pd.DataFrame(
        {
            "type": ftype,
            "transaction_id": df["transaction_id"].astype(str).to_numpy(),
            "account_id": df["account_id"].to_numpy(),
            "merchant": df["stream_merchant"].fillna(df["merchant"]).to_numpy()
            if "stream_merchant" in df else df["merchant"].to_numpy(),
            "stream_id": df["stream_id"].to_numpy(),
            "date": df["date"].to_numpy(),
            "amount": df["charge"].round(2).to_numpy(),
            "severity": np.asarray(severity, dtype=object) if not isinstance(severity, str) else severity,
            "reason": np.asarray(reason, dtype=object),
            "vendor": df["stream_vendor"].combine_first(df["vendor"]).to_numpy()
            if "stream_vendor" in df else df["vendor"].to_numpy(),
            "channel": df["channel"].combine_first(df.get("stream_channel", df["channel"])).to_numpy(),
            "description": df["description"].to_numpy(),
            "refunded_on": None,  # set by _mark_refunded
        }
    )
    out["flag_id"] = [stable_id(ftype, t) for t in out["transaction_id"]]
    return out[list(FLAG_COLUMNS)]


def _days_after(days: pd.Series) -> pd.Series:
    """"the same day as", "1 day after", "12 days after": how far a charge is from another."""
    days = days.astype(int)
    return pd.Series(np.where(days == 0, "the same day as",
                              np.where(days == 1, "1 day after", days.astype(str) + " days after")),
                     index=days.index)


def _name(df: pd.DataFrame) -> pd.Series:
    name = df["stream_merchant"].fillna(df["merchant"]) if "stream_merchant" in df else df["merchant"]
    return name.fillna(df["description"]).astype(str)


def _days(ts: pd.Series) -> np.ndarray:
    """Days since 1970 of midnight timestamps, as floats (NaN for NaT)."""
    v = ts.to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(v), np.nan, v.astype(np.int64).astype(float))


def _unstreamed(t: pd.DataFrame, streamed: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The outflows of ``t`` whose transaction id is none of ``streamed``'s (the stream charges,
    rows of ``t``), only ``columns`` of them when given."""
    rows = _unstreamed_rows(t, streamed)
    return (t[columns] if columns is not None else t).iloc[rows]


def _unstreamed_rows(t: pd.DataFrame, streamed: pd.DataFrame) -> np.ndarray:
    """Positions in ``t`` of :func:`_unstreamed`'s rows."""
    return np.flatnonzero((t["amount"] < 0).to_numpy() & ~_same_id(t, streamed))


def _same_id(rows: pd.DataFrame, of: pd.DataFrame) -> np.ndarray:
    """``rows["transaction_id"].isin(of["transaction_id"])`` for two frames of prepared
    transactions, through their integer ids (``_tid``)."""
    codes, other = rows["_tid"].to_numpy(), of["_tid"].to_numpy()
    seen = np.zeros(max(codes.max(initial=-1), other.max(initial=-1)) + 1, dtype=bool)
    seen[other] = True
    return seen[codes]


def _buys_one_offs(d: pd.DataFrame, loose: pd.DataFrame, paid_only: bool = False, amounts: int = 1,
                   window: int = ONE_OFF_WINDOW_DAYS) -> pd.Series:
    """Whether the account has unstreamed charges of the merchant at other amounts near each row
    (within ``window`` days; counting only charges above a trial's price, FREE_MAX of their
    currency, when ``paid_only``, at ``amounts`` different amounts or more). ``d`` carries its
    (account, merchant) pair as ``_sk``, ``loose`` as ``_ak`` (:func:`_pair_codes`)."""
    above = FREE_MAX * loose["_scale"] + SAME_AMOUNT if paid_only else 0.0
    # only the pairs ``d`` holds can join: the others are dropped before the copy (``loose`` is
    # every unstreamed charge of the batch, 260k rows, where ``d`` is a few hundred)
    mine = np.isin(loose["_ak"].to_numpy(), d["_sk"].to_numpy()) if len(d) else np.zeros(len(loose), dtype=bool)
    loose = loose.loc[(loose["charge"] > above).to_numpy() & mine, ["_ak", "date", "charge"]]
    if d.empty or loose.empty:
        return pd.Series(False, index=d.index)
    j = d[["transaction_id", "_sk", "ts", "charge"]].merge(
        loose.rename(columns={"_ak": "_sk", "charge": "o_charge"}), on="_sk", how="inner")
    near = (pd.to_datetime(j["date"]) - j["ts"]).dt.days.abs() <= window
    other = (j["o_charge"] - j["charge"]).abs() > SAME_AMOUNT
    hit = j[near & other]
    if amounts > 1:
        n = hit.assign(c=hit["o_charge"].round(2)).groupby("transaction_id")["c"].nunique()
        return d["transaction_id"].isin(set(n.index[n >= amounts]))
    return d["transaction_id"].isin(set(hit["transaction_id"]))


# -- entry point ------------------------------------------------------------------------------


def _mark_refunded(out: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    """Flags whose charge the merchant has already given back: ``refunded_on`` is the date of
    the credit, the severity is low and the reason says so.

    A credit gives back one charge (:mod:`detector.given_back`): the account's nearest charge of
    the same merchant before it (on its day or up to :data:`REFUND_DAYS` earlier) of its amount,
    within a cent or 1% for a plan billed in another currency, flagged or not: a credit two days
    after the plan's next charge refunds that charge, not the double charge a month before it.
    The flag stays (a double charge refunded is still a double charge), but asking for the money
    again is not due.
    """
    # (pairs of account and merchant are the integer ``_ak``: a join on the text hashed the
    # million rows; only the merchants that credited anything are looked at)
    is_credit = (t["charge"] < 0).to_numpy()
    if not is_credit.any() or out.empty:
        return out
    credits = t.loc[is_credit, ["_ak", "_day", "charge", "date", "transaction_id"]].rename(
        columns={"_ak": "key", "_day": "credit_day", "date": "credit_date", "transaction_id": "credit_id"})
    near = t["_ak"].isin(credits["key"].unique()).to_numpy() & ~is_credit
    charges = t.loc[near, ["transaction_id", "_ak", "_day", "charge", "_order", "_dp"]].rename(
        columns={"_ak": "key", "_day": "day", "charge": "paid", "_order": "order"})
    pairs = credits_giving_back(charges, credits.assign(back=-credits["charge"]).drop(columns="charge"))
    if pairs.empty:
        return out
    when = out["transaction_id"].map(pairs["credit_date"])
    hit = when.notna()
    if not hit.any():  # (the credits gave back charges no flag is on)
        return out
    paid_back = out.loc[hit, "transaction_id"]
    back = _money(paid_back.map(pairs["back"]), paid_back.map(pairs["_dp"]))
    out.loc[hit, "refunded_on"] = when[hit]
    out.loc[hit, "severity"] = "low"
    out.loc[hit, "reason"] = (out.loc[hit, "reason"] + "; " + out.loc[hit, "merchant"].fillna("the merchant").astype(str)
                              + " gave it back (a credit of " + back + " on "
                              + when[hit] + "), so no refund is asked for")
    return out


def flag_charges(tx: pd.DataFrame, streams: pd.DataFrame, *, cancellations: pd.DataFrame | None = None,
                 as_of=None, renewal_before_data: bool = True) -> pd.DataFrame:
    """Flag unexpected charges of detected streams; one row per (type, transaction).

    ``tx``: canonical transactions with the enriched columns; ``streams``: ``STREAM_COLUMNS``
    (``transaction_ids`` a list); ``cancellations``: ``account_id, stream_id, cancelled_on``
    (and optionally ``merchant_key`` for rows without a stream, as
    :func:`detector.decisions.resolve_cancellations` gives them when passed ``tx``).
    Charges dated after ``as_of`` are ignored. Returns ``FLAG_COLUMNS``, high severity first.

    ``renewal_before_data=True`` also flags the first charge of a six-monthly or yearly stream
    when the account's history does not reach a full period before it (the plan probably began
    before the data); by default the first charge of a stream is never a renewal.
    """
    if tx is None or len(tx) == 0:
        return empty_flags()
    if streams is None:
        streams = pd.DataFrame(columns=list(STREAM_COLUMNS))
    require_columns(streams, ("stream_id", "account_id", "frequency", "transaction_ids"), "flag_charges streams")
    require_columns(tx, _TX_NEEDED, "flag_charges")
    kwargs = {"cancellations": cancellations, "as_of": as_of, "renewal_before_data": renewal_before_data}
    # A payment to one's own card (a stream named after its issuer, no catalogue vendor) is no
    # subscription: the report leaves it out, and its raised or doubled payment is no charge to
    # ask back (round-six audit: two duplicate and two price-increase flags on card autopays,
    # 1,005.00 of refund requests)
    # Nor is money moved to another of the holder's accounts in the scan (the paired transfers of
    # detector.transfers: round-thirty-nine audit, raised top-ups were asked back of "Revolut support")
    if "merchant" in streams and len(streams):
        streams = streams[~(card_payment_streams(streams).to_numpy(dtype=bool)
                            | own_transfer_streams(streams).to_numpy(dtype=bool))]
    if not _ids_shared_across_accounts(tx):
        return _flag_charges(tx, streams, **kwargs)
    # Source ids are unique within an account, not across banks (two accounts' FITID 1001): the
    # rules tell charges apart by id, so they run on ids qualified by account, and a batch of
    # accounts flags each as it would alone (ingest renames such ids; engines' input may not)
    tx = tx.assign(transaction_id=_qualified(tx["account_id"], tx["transaction_id"]))
    streams = streams.assign(transaction_ids=[[f"{a}{_ID_SEP}{i}" for i in _as_list(ids)] for a, ids in
                                              zip(streams["account_id"], streams["transaction_ids"])])
    out = _flag_charges(tx, streams, **kwargs)
    out["transaction_id"] = out["transaction_id"].str.split(_ID_SEP, n=1).str[1]
    out["flag_id"] = [stable_id(t, i) for t, i in zip(out["type"], out["transaction_id"])]
    return out


#: Flags about a plan's price: its renewal, its first full charge, its rise.
PRICE_FLAGS = ("annual_renewal", "trial_conversion", "price_increase")


def no_vendor_price(f: pd.DataFrame) -> np.ndarray:
    """Charges (rows with ``merchant``, ``vendor`` and ``description``, as flags have them) whose
    amount is no vendor's price to object to (:func:`no_vendor_price_kind`)."""
    return no_vendor_price_kind(f) != ""


def no_vendor_price_kind(f: pd.DataFrame) -> np.ndarray:
    """Per row, why its amount is no vendor's price to object to, or "": a tax or a government
    fee set by law, a gift to a charity (a catalogue charity or donation platform, or a merchant
    whose line says donation or charity: round-48 audit, a donor's own rise was a refund email
    saying the price rose "without any notice"), a loan's instalment set by the lender (a
    catalogue lender or a merchant named as one the catalogue does not know), rent or dues set in a lease (a catalogue rent portal, or
    a merchant named as rent the catalogue does not know), a utility's payment (a catalogue
    utility, or a merchant named as one the catalogue does not know) that follows the meter or a
    budget the supplier reviews against it, money the holder sends a person, and a payroll run
    (:data:`~detector.descriptor_words.PAYROLL_RUN`: net pay and payroll taxes a payroll service
    collects, round-forty-six audit). Their renewals,
    first full payments and rises are flagged as the issue defines them, but are nothing to ask
    back (round-thirteen audit: refund requests for a rent rise to the landlord, the DMV's
    registration, a TV licence, a direct debit raised from 85.00 to 121.00 at its review;
    round thirty-six: to a mortgage servicer for an escrow review, to the Department of
    Education for a recalculated student loan, to a rent portal for a lease renewal)."""
    if f.empty:
        return np.zeros(0, dtype=object)
    name = f["merchant"].fillna("").astype(str)
    vendor = f["vendor"]
    unnamed = vendor.isna()
    law = _contains(name, TAX_PAYMENT) | _contains(name, GOVERNMENT_FEE)
    loan = is_loan(name, vendor)
    utility = is_utility(name, vendor)
    lease = (unnamed & _contains(name, HOUSING_PAYMENT)) | vendor.isin(_vendors_in("rent"))
    text = f["description"].fillna("").astype(str) if "description" in f else pd.Series("", index=f.index)
    sent = _contains(text, SENT_BY_HOLDER)
    payroll = _contains(name, PAYROLL_RUN) | _contains(text, PAYROLL_RUN)
    gift = is_donation(name, vendor, text)
    return np.select([law.to_numpy(dtype=bool), gift.to_numpy(dtype=bool), loan.to_numpy(dtype=bool),
                      lease.to_numpy(dtype=bool), utility.to_numpy(dtype=bool), sent.to_numpy(dtype=bool),
                      payroll.to_numpy(dtype=bool)],
                     ["a fee set by law", DONATION_KIND, "a loan's instalment, which the lender sets",
                      "set by a lease or an association", "a utility's payment, which follows the meter",
                      "a payment you send, whose amount you set",
                      "a payroll run, whose amount your staff's pay and its taxes set"],
                     "").astype(object)


def _payroll_rows(rows: pd.DataFrame, st: pd.DataFrame) -> np.ndarray:
    """Stream charges that fund a payroll run: their stream's (:func:`payroll_streams`), or the
    stream's name or their own line says so (:data:`~detector.descriptor_words.PAYROLL_RUN`)."""
    if rows.empty:
        return np.zeros(0, dtype=bool)
    runs = set(st.loc[payroll_streams(st).to_numpy(dtype=bool), "stream_id"])
    name = rows["stream_merchant"].fillna(rows["merchant"]) if "stream_merchant" in rows else rows["merchant"]
    hit = (rows["stream_id"].isin(runs) | _contains(name.fillna("").astype(str), PAYROLL_RUN)
           | _contains(rows["description"].fillna("").astype(str), PAYROLL_RUN))
    return hit.to_numpy(dtype=bool)


def _vendors_in(category: str) -> frozenset:
    from .catalog import vendors_in

    return vendors_in(frozenset({category}))


#: What a gift to a charity is, in a price flag's reason (:func:`no_vendor_price_kind`); a rise
#: is "a change in" it (the donor's own, never a price "raised without notice").
DONATION_KIND = "a gift you give, whose amount you set"


def is_donation(name: pd.Series, vendor: pd.Series, text: pd.Series | None = None) -> pd.Series:
    """A catalogue charity or donation platform (category ``charity``), or a merchant the
    catalogue does not know whose name or line says it is a gift
    (:data:`~detector.descriptor_words.DONATION_WORDS`): its amount is the donor's."""
    words = _contains(name.fillna("").astype(str), DONATION_WORDS)
    if text is not None:
        words = words | _contains(text.fillna("").astype(str), DONATION_WORDS)
    return vendor.isin(_vendors_in("charity")) | (vendor.isna() & words)


def is_utility(name: pd.Series, vendor: pd.Series) -> pd.Series:
    """A catalogue utility, or a merchant the catalogue does not know named as one
    (:data:`~detector.descriptor_words.UTILITY_NAME`): its payment follows the meter."""
    return vendor.isin(_vendors_in("utilities")) | (
        vendor.isna() & _contains(name.fillna("").astype(str), UTILITY_NAME))


def is_loan(name: pd.Series, vendor: pd.Series) -> pd.Series:
    """A catalogue lender (category ``loans``: car finance, student loan and mortgage servicers),
    or a merchant the catalogue does not know named as one
    (:data:`~detector.descriptor_words.LOAN_PAYMENT`): the lender sets its instalment."""
    return vendor.isin(_vendors_in("loans")) | (vendor.isna() & _contains(name.fillna("").astype(str), LOAN_PAYMENT))


def _no_price_to_dispute(out: pd.DataFrame) -> pd.DataFrame:
    """Price flags (:data:`PRICE_FLAGS`) of charges with no vendor's price (:func:`no_vendor_price`)
    are low, and their reason says there is nothing to ask back; the refund queue skips them."""
    kind = no_vendor_price_kind(out)
    hit = out["type"].isin(PRICE_FLAGS).to_numpy() & (kind != "")
    if hit.any():
        out = out.copy()
        out.loc[hit, "severity"] = "low"
        kind = np.where((kind == DONATION_KIND) & (out["type"] == "price_increase").to_numpy(),
                        "a change in " + DONATION_KIND, kind)
        out.loc[hit, "reason"] = out.loc[hit, "reason"] + "; " + kind[hit] + ", not a vendor's price: nothing to ask back"
    return out


#: What a gift taken by mistake is, in its flag's reason (:func:`_gifts_taken_in_error`), by flag type.
GIFT_ERROR_NOTES = {
    "duplicate_charge": "a gift taken twice is a payment error, not a change in a gift you give: charities and "
                        "giving platforms refund it when asked soon",
    "charge_after_cancellation": "a gift taken after you cancelled it is a payment error, not a gift you chose: "
                                 "charities and giving platforms refund it when asked soon",
}


def _gifts_taken_in_error(out: pd.DataFrame) -> pd.DataFrame:
    """A double charge of a gift to a charity (:func:`is_donation`), or one taken after the donor
    cancelled it, keeps its flag and its refund request, and its reason says why, unlike a change
    in the gift (:data:`DONATION_KIND`: nothing to ask back): the donor meant to give once, or no
    more, and charities and giving platforms refund such mistakes when asked soon (twenty-fifth
    session; docs/refunds.md, "A gift taken in error")."""
    hit = out["type"].isin(tuple(GIFT_ERROR_NOTES)).to_numpy()
    if not hit.any():
        return out
    text = out.get("description")
    hit = hit & is_donation(out["merchant"], out["vendor"], text).to_numpy(dtype=bool)
    if hit.any():
        out = out.copy()
        out.loc[hit, "reason"] = out.loc[hit, "reason"] + "; " + out.loc[hit, "type"].map(GIFT_ERROR_NOTES)
    return out


#: What an insurer's renewal is (docs/refunds.md, "Insurance premiums").
PREMIUM_NOTE = ("an insurance premium for cover in force: not refunded as a renewal, but cancelling the policy "
                "returns the unused premium pro rata")


def _premiums(out: pd.DataFrame) -> pd.DataFrame:
    """Renewals and first full charges of a catalogue insurer (category ``insurance``) are low, their
    reason saying what the premium is (:data:`PREMIUM_NOTE`): a premium renews as the policy's
    term ends, routinely (round-45 audit: Progressive's six-monthly car premium was a high
    renewal). The refund queue drafts a cancel-and-prorate request for them. A premium's rise
    keeps its own severity."""
    hit = (out["type"].isin(("annual_renewal", "trial_conversion")).to_numpy()
           & out["vendor"].isin(_vendors_in("insurance")).to_numpy(dtype=bool))
    if hit.any():
        out = out.copy()
        out.loc[hit, "severity"] = "low"
        out.loc[hit, "reason"] = out.loc[hit, "reason"] + "; " + PREMIUM_NOTE
    return out


def _final_loan_payments(st: pd.DataFrame) -> set:
    """The last charge of each loan's stream (:func:`is_loan`) that has ended or was cancelled."""
    done = st[st["status"].isin(("ended", "cancelled")).to_numpy(dtype=bool)] if "status" in st else st.iloc[0:0]
    if done.empty:
        return set()
    loans = done[is_loan(done["merchant"], done["vendor"]).to_numpy(dtype=bool)]
    return {str(ids[-1]) for ids in loans["transaction_ids"].map(_as_list) if ids}


#: Joins an account and a transaction id while flags are raised over clashing ids.
_ID_SEP = "\x1f"


def _qualified(account: pd.Series, tid: pd.Series) -> pd.Series:
    return account.astype(str) + _ID_SEP + tid.astype(str)


def _ids_shared_across_accounts(tx: pd.DataFrame) -> bool:
    """Whether a transaction id appears in more than one account."""
    if tx["transaction_id"].is_unique:  # (the usual case, one hash pass: no id repeats at all)
        return False
    ids = pd.factorize(tx["transaction_id"].astype(str))[0]
    accounts, names = pd.factorize(tx["account_id"])
    pairs = pd.unique(ids.astype(np.int64) * max(len(names), 1) + accounts)
    return len(pairs) > ids.max(initial=-1) + 1


def _flag_charges(tx: pd.DataFrame, streams: pd.DataFrame, *, cancellations, as_of,
                  renewal_before_data: bool) -> pd.DataFrame:
    # A stream the detector reports below its own threshold (two charges a join left doubtful)
    # is shown, not acted on: its charges are judged as charges outside any stream.
    conf = pd.to_numeric(streams["confidence"], errors="coerce") if "confidence" in streams else None
    st = streams[~(conf < DEFAULT_MIN_CONFIDENCE)].copy() if conf is not None else streams.copy()
    for col in STREAM_COLUMNS:
        if col not in st:
            st[col] = None
    t, members = _prepare_tx(tx, st)
    if as_of is not None:
        t = t[t["date"] <= pd.Timestamp(as_of).strftime("%Y-%m-%d")]
    s = _series(t, members)
    # Fees a bank charges for an event (an overdraft, an ATM withdrawal) come when the event
    # does, however regular they look: not a plan that renews, rises or is billed twice.
    s = s[~_event_fee(s)]
    # with no stream at all the rules on loose charges still run (a new card's double charge, a
    # trial that converted, a plan cancelled by name: round-four audit, all went unflagged)
    if t.empty:
        return empty_flags()
    t, s = _pair_codes(t, s)
    # the rule modules build on this module's helpers, so they are imported here, not at the top
    from .cancel_flags import flag_after_cancellation
    from .duplicate_flags import (
        find_duplicates,
        find_loose_duplicates,
        flag_duplicates,
        flag_loose_duplicates,
        hold_pending,
    )
    from .price_flags import (
        after_trials,
        flag_price_increases,
        flag_trials,
        foreign_fees,
        foreign_priced,
        prorated_signups,
    )
    from .renewal_flags import LONG_FREQUENCIES, flag_renewals, long_plans, switched_to_yearly

    # (a plan priced in another currency: its double charge moved with the rate in the days between)
    fx_fees = foreign_fees(t)
    dups = find_duplicates(s, t, foreign=foreign_priced(s, t, fx_fees))
    loose_dups = find_loose_duplicates(t, s)
    dup_ids = set(dups["transaction_id"])
    clean = s[~s["transaction_id"].isin(dup_ids)]
    # A prorated sign-up charge (the days to the plan's billing day) is neither an intro price
    # nor a price the plan was steady at: the price rules start at the plan's first full charge
    # (round-twenty-six audit); it counts as the merchant's charge outside the plan.
    signups = prorated_signups(clean, t)
    plans = clean[~clean["transaction_id"].isin(signups)] if signups else clean

    trials = flag_trials(plans, t, dups)
    conversions = set(trials["transaction_id"])
    long = long_plans(pd.concat([clean, switched_to_yearly(clean)], ignore_index=True), t, conversions=conversions)
    # Six-monthly and yearly "streams" that are spending (fuel, a diner) have no price either.
    priced = plans[~plans["frequency"].isin(LONG_FREQUENCIES) | plans["chain_id"].isin(set(long["chain_id"]))]
    # A tax is set by law, not priced by a vendor: a council's yearly rise is nothing to ask back
    # (round-six audit: council tax +5.1% was a price increase with a refund email to the council)
    name = priced["stream_merchant"].fillna(priced["merchant"]) if "stream_merchant" in priced else priced["merchant"]
    priced = priced[~_contains(name.fillna("").astype(str), TAX_PAYMENT).to_numpy(dtype=bool)]
    # Nor is a payroll run (the staff's net pay, the payroll taxes a payroll service files): its
    # amount follows the headcount and the hours (round-forty-six audit: semi-monthly "GUSTO NET"
    # and "GUSTO TAX" debits were four price increases with refund requests for 12,200.63)
    priced = priced[~_payroll_rows(priced, st)]
    comebacks: set = set()
    after_cancellation = flag_after_cancellation(s, t, cancellations, comebacks)
    rises = flag_price_increases(after_trials(priced, trials), conversions, foreign=foreign_priced(priced, t, fx_fees))
    # A plan signed up to again months after its cancellation is billed the price of the day: its
    # first charge back is no rise of the plan cancelled (round-twenty-eight audit: "up 14% from
    # 13.99", and a refund email claiming a renewal at a higher price once the sign-up was confirmed)
    if comebacks:
        rises = rises[~rises["transaction_id"].isin(comebacks)]
    # A paid-off loan's last payment is often another sum (a balloon, an option-to-purchase fee,
    # the balance left): the loan's end, not a new price (round-thirty-six audit: car finance's
    # final 354.90 after 289.90 a month was "up 22%" with a refund request to the lender)
    if not rises.empty:
        rises = rises[~rises["transaction_id"].isin(_final_loan_payments(st))]
    parts = [
        flag_duplicates(dups),
        flag_loose_duplicates(loose_dups),
        after_cancellation,
        flag_renewals(long, t, renewal_before_data=renewal_before_data, conversions=conversions),
        trials,
        rises,
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_flags()
    out = _mark_refunded(_premiums(_gifts_taken_in_error(_no_price_to_dispute(
        pd.concat(parts, ignore_index=True).drop_duplicates("flag_id")))), t)
    # (last: its words end the reason, after a credit's "gave it back")
    out = hold_pending(out, [dups, loose_dups])
    out["_sev"] = out["severity"].map(SEVERITY_ORDER)
    out = out.sort_values(["_sev", "date", "account_id", "type", "transaction_id"]).drop(columns="_sev")
    return out.reset_index(drop=True)
