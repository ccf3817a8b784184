"""Unexpected-renewal flags: the charges a person would want to look at twice.

:func:`flag_charges` turns detected streams plus the enriched transactions into one row per
suspicious charge (``schema.FLAG_COLUMNS``). Five rules, each a few vectorised pandas steps over
all accounts at once (explode ``transaction_ids``, sort, ``groupby().shift()``); nothing loops
over transactions in Python.

Rules and severities (also in ``docs/flags.md``):

``duplicate_charge``
    An outflow of a stream that follows the previous charge of the same stream less than half a
    period later at nearly the same amount (within 1%, at least one cent). A same-merchant, same-amount
    outflow that the stream detector left out of every stream counts too when it falls within a
    few days (a quarter period, at least 5 days, at most half a period) of one of the stream's
    charges. Credits (refunds) are never duplicates, and the later of the two charges is the
    one flagged. Severity **high**: money was taken twice.
``charge_after_cancellation``
    A charge of a cancelled stream dated strictly *after* the cancellation date and within 50%
    of the plan's price (median of the last three charges up to the cancellation), so that other
    plans of the same merchant are left alone; an unstreamed same-merchant charge counts when it
    is at the plan's price (within 1%). A duplicate is flagged as a duplicate only. A charge on the cancellation
    day itself is not flagged: it was most likely authorised before the cancellation took
    effect. Severity **high**.
``annual_renewal``
    Every charge after the first of a stream billed every six months or less often
    (semiannual, annual). Streams of one merchant that follow each other (a price change
    can split a stream) count as one series. Severity **high** from 100.00, else **medium**.
``trial_conversion``
    The first full-price charge of a stream (amount above 1.00 and above 60% of the median of
    the stream's last three charges) when the same account and merchant had, shortly before (1.5 periods, at least 62
    days), a free / up-to-1.00 charge or an introductory price (at most 60% of the full price),
    none at full price, and those cheap charges stop there. Severity **medium**, **high** from
    50.00.
``price_increase``
    The first charge of a new price level at least 5% above the median of the previous level,
    where the previous level had at least two charges within 4% of each other (tax and
    currency jitter stay inside one level). Not flagged when the new level does not hold (the
    next charge falls back) or when the series is a variable bill (40% or more of its
    charge-to-charge changes exceed 4%). A trial conversion is not also a price increase.
    Severity **low** below +15%, **medium** below +50%, **high** from +50%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ids import stable_id
from .schema import FLAG_COLUMNS, PERIOD_DAYS, STREAM_COLUMNS, require_columns

#: Frequencies whose renewals are flagged as ``annual_renewal`` (period of six months or more).
LONG_FREQUENCIES = ("semiannual", "annual")
PRICE_STEP = 0.05          # "at least 5% above"
LEVEL_TOLERANCE = 0.04     # tax/currency jitter stays inside one price level
STEADY_NOISE = 0.020       # median charge-to-charge change of a fixed price (with tax/FX jitter)
VARIABLE_STEP_NOISE = 4.0  # a variable bill's step must exceed this many times its typical change
MAX_BILL_NOISE = 0.10      # above this typical change (utilities) no step is called a price increase
MIN_BILL_HISTORY = 5       # charges of a variable bill needed before its noise is known
DUPLICATE_TOLERANCE = 0.01  # "nearly the same amount": within 1% (at least one cent)
DUPLICATE_ABS = 0.01
MAX_DUPLICATE_SHARE = 0.2   # more repeats than this share of a stream's charges: two plans, not errors
INTRO_RATIO = 0.60
FREE_MAX = 1.00
MAX_INTRO_CHARGES = 6      # an introductory price longer than this is a price level, not an intro
INTRO_HISTORY_DAYS = 400   # merchant history looked at before a first full-price charge
CANCELLED_PRICE_TOLERANCE = 0.50  # a charge after cancellation within this of the plan's price
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

_TX_NEEDED = ("transaction_id", "account_id", "date", "amount", "description")


def empty_flags() -> pd.DataFrame:
    """An empty flags frame with exactly :data:`schema.FLAG_COLUMNS`."""
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "amount" else "object") for c in FLAG_COLUMNS})


def _money(x: float) -> str:
    return f"{x:,.2f}"


def _members(tx: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """One row per (stream, transaction): the stream's charges joined to their transactions."""
    cols = ["stream_id", "account_id", "merchant", "vendor", "channel", "direction", "frequency",
            "last_amount", "transaction_ids"]
    s = streams[[c for c in cols if c in streams.columns]].copy()
    s["transaction_ids"] = s["transaction_ids"].map(_as_list)
    m = s.explode("transaction_ids").dropna(subset=["transaction_ids"])
    m = m.rename(columns={"transaction_ids": "transaction_id", "merchant": "stream_merchant",
                          "vendor": "stream_vendor", "channel": "stream_channel"})
    m["transaction_id"] = m["transaction_id"].astype(str)
    t = tx.drop(columns=["account_id"])
    m = m.merge(t, on="transaction_id", how="inner")
    return m


def _as_list(v) -> list:
    if isinstance(v, (list, tuple, np.ndarray)):
        return list(v)
    if isinstance(v, str):
        import json

        try:
            out = json.loads(v)
            return list(out) if isinstance(out, list) else [out]
        except ValueError:
            return [x for x in v.split(";") if x]
    return []


def _prepare_tx(tx: pd.DataFrame) -> pd.DataFrame:
    require_columns(tx, _TX_NEEDED, "flag_charges")
    t = tx.copy()
    t["transaction_id"] = t["transaction_id"].astype(str)
    t["date"] = pd.to_datetime(t["date"]).dt.strftime("%Y-%m-%d")
    t["amount"] = pd.to_numeric(t["amount"], errors="coerce").astype(float)
    for col in ("merchant", "vendor", "channel"):
        if col not in t:
            t[col] = None
    if "merchant_key" not in t:
        t["merchant_key"] = t["merchant"].fillna(t["description"]).astype(str).str.lower()
    t["merchant_key"] = t["merchant_key"].fillna(t["description"]).astype(str)
    t["_order"] = np.arange(len(t))
    t["charge"] = -t["amount"]
    return t


def _series(tx: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """Outflow stream members with their chain (consecutive streams of one merchant) and position."""
    m = _members(tx, streams)
    m = m[(m["direction"].fillna("outflow") == "outflow") & (m["amount"] < 0)].copy()
    if m.empty:
        return m
    m["period"] = m["frequency"].map(PERIOD_DAYS).astype(float).fillna(30.44)
    m["ts"] = pd.to_datetime(m["date"])
    # A stream's merchant key: its most common member key (streams group by key anyway).
    counts = m.groupby(["stream_id", "merchant_key"]).size().reset_index(name="n")
    key = counts.sort_values(["stream_id", "n"], ascending=[True, False]).drop_duplicates("stream_id")
    key = key.set_index("stream_id")["merchant_key"]
    m["stream_key"] = m["stream_id"].map(key)
    m["chain_id"] = m["stream_id"].map(_chains(m))
    return m.sort_values(["chain_id", "ts", "_order"], kind="stable").reset_index(drop=True)


def _chains(m: pd.DataFrame) -> pd.Series:
    """stream_id -> chain id: streams of one account, merchant and frequency that follow each other.

    A price change may make the stream detector start a new stream (its id hashes the amount
    cluster); the price-increase and renewal rules must see the series as one.
    """
    s = (
        m.groupby("stream_id")
        .agg(account_id=("account_id", "first"), key=("stream_key", "first"),
             frequency=("frequency", "first"), period=("period", "first"),
             first=("ts", "min"), last=("ts", "max"))
        .reset_index()
        .sort_values(["account_id", "key", "frequency", "first", "stream_id"])
    )
    grp = s.groupby(["account_id", "key", "frequency"], sort=False)
    prev_last = grp["last"].shift()
    gap = (s["first"] - prev_last).dt.days
    # Follows the previous stream (no overlap beyond a few days, gap under two periods).
    follows = prev_last.notna() & (gap >= -5) & (gap <= 2 * s["period"])
    new_chain = ~follows
    chain_no = new_chain.astype(int).groupby([s["account_id"], s["key"], s["frequency"]]).cumsum()
    s["chain"] = s["account_id"].astype(str) + "\x1f" + s["key"].astype(str) + "\x1f" + \
        s["frequency"].astype(str) + "\x1f" + chain_no.astype(str)
    return s.set_index("stream_id")["chain"]


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
        }
    )
    out["flag_id"] = [stable_id(ftype, t) for t in out["transaction_id"]]
    return out[list(FLAG_COLUMNS)]


def _name(df: pd.DataFrame) -> pd.Series:
    return df["stream_merchant"].fillna(df["merchant"]).fillna(df["description"]).astype(str)


# -- duplicate_charge -------------------------------------------------------------------------


def _duplicates(s: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    """Stream charges plus nearby unstreamed same-amount charges; rows that repeat the previous one."""
    in_stream = set(s["transaction_id"])
    loose = t[(t["amount"] < 0) & ~t["transaction_id"].isin(in_stream)]
    base_cols = ["stream_id", "chain_id", "account_id", "stream_key", "stream_merchant", "stream_vendor",
                 "stream_channel", "period", "frequency", "last_amount"]
    anchors = s[base_cols + ["ts", "charge"]].rename(columns={"ts": "a_ts", "charge": "a_charge"})
    near = anchors.merge(
        loose.rename(columns={"merchant_key": "stream_key"}), on=["account_id", "stream_key"], how="inner"
    )
    if not near.empty:
        near["ts"] = pd.to_datetime(near["date"])
        window = np.minimum(0.5 * near["period"], np.maximum(5, 0.25 * near["period"]))
        close = (near["ts"] - near["a_ts"]).dt.days.abs() < window
        same = _same_amount(near["charge"], near["a_charge"])
        near = near[close & same].drop(columns=["a_ts", "a_charge"])
        near = near.drop_duplicates("transaction_id")
    ext = pd.concat([s, near], ignore_index=True) if not near.empty else s.copy()
    ext = ext.sort_values(["stream_id", "ts", "_order"], kind="stable").reset_index(drop=True)
    g = ext.groupby("stream_id", sort=False)
    prev_ts, prev_charge, prev_date = g["ts"].shift(), g["charge"].shift(), g["date"].shift()
    gap = (ext["ts"] - prev_ts).dt.days
    # The stream's own cadence: a duplicate can make the detector call an annual plan
    # semiannual, so the nominal period is raised to the median gap between distinct charges.
    gaps = (ext["ts"] - prev_ts).dt.days
    own = gaps.where(gaps > 5).groupby(ext["stream_id"]).transform("median")
    period = np.maximum(ext["period"], own.fillna(0))
    # An extra charge leaves the cadence intact around the pair: from the charge before the pair
    # to the one after it is two periods, not three (a late charge followed by an on-time one).
    ts_pp, ts_next = g["ts"].shift(2), g["ts"].shift(-1)
    span = np.select(
        [ts_pp.notna() & ts_next.notna(), ts_next.notna(), ts_pp.notna()],
        [(ts_next - ts_pp).dt.days < 2.5 * period, (ts_next - prev_ts).dt.days < 1.5 * period,
         (ext["ts"] - ts_pp).dt.days < 1.5 * period],
        True,
    ).astype(bool)
    dup = prev_ts.notna() & (gap < 0.5 * period) & _same_amount(ext["charge"], prev_charge) & span
    # Repeats in many cycles are two plans at one price (merged by the detector), not mistakes.
    n_dup = dup.groupby(ext["stream_id"]).transform("sum")
    n_all = ext.groupby("stream_id")["transaction_id"].transform("size")
    dup &= ~((n_dup >= 3) | ((n_dup >= 2) & (n_dup > MAX_DUPLICATE_SHARE * n_all)))
    d = ext[dup].copy()
    d["prev_date"] = prev_date[dup]
    d["gap"] = gap[dup].astype(int)
    return d


def _same_amount(a: pd.Series, b: pd.Series) -> pd.Series:
    diff = (a - b).abs()
    return (diff <= DUPLICATE_ABS) | (diff <= DUPLICATE_TOLERANCE * b.abs())


def _flag_duplicates(d: pd.DataFrame) -> pd.DataFrame:
    if d.empty:
        return empty_flags()
    reason = (
        _name(d) + " charged " + d["charge"].map(_money) + " on " + d["date"] + ", "
        + d["gap"].astype(str) + " day(s) after an identical charge on " + d["prev_date"].astype(str)
        + ", inside one " + d["frequency"].astype(str) + " billing cycle"
    )
    return _flag_rows(d, "duplicate_charge", "high", reason)


# -- charge_after_cancellation ----------------------------------------------------------------


def _flag_after_cancellation(s: pd.DataFrame, t: pd.DataFrame, cancellations, dup_ids: set) -> pd.DataFrame:
    if cancellations is None or len(cancellations) == 0 or s.empty:
        return empty_flags()
    require_columns(cancellations, ("account_id", "stream_id", "cancelled_on"), "flag_charges cancellations")
    c = cancellations[["stream_id", "cancelled_on"]].copy()
    c["cancelled_on"] = pd.to_datetime(c["cancelled_on"]).dt.strftime("%Y-%m-%d")
    # The earliest recorded cancellation of a stream is the one that counts.
    c = c.groupby("stream_id", as_index=False)["cancelled_on"].min()
    own = s.merge(c, on="stream_id", how="inner")
    if own.empty:
        return empty_flags()
    # The plan's price: median of the last three charges up to the cancellation (or the last
    # charge seen). Only charges near it are the cancelled plan's; a stream the detector merged
    # with other charges of the merchant (several plans billed as "Apple") must not flag them all.
    before = own[own["date"] <= own["cancelled_on"]]
    ref = before[before.groupby("stream_id").cumcount(ascending=False) < 3].groupby("stream_id")["charge"].median()
    own["price"] = own["stream_id"].map(ref).fillna(own["last_amount"]).astype(float)
    streams_c = own.drop_duplicates("stream_id")[
        ["stream_id", "account_id", "stream_key", "stream_merchant", "stream_vendor", "stream_channel",
         "price", "cancelled_on"]
    ]
    # Unstreamed charges of the same merchant near the plan's price are the same subscription.
    loose = t[(t["amount"] < 0) & ~t["transaction_id"].isin(set(s["transaction_id"]) | dup_ids)]
    extra = streams_c.merge(loose.rename(columns={"merchant_key": "stream_key"}),
                            on=["account_id", "stream_key"], how="inner")
    extra = extra.assign(loose=True)
    both = pd.concat([own.assign(loose=False), extra], ignore_index=True) if not extra.empty else own.assign(loose=False)
    # A charge the stream detector left out needs the plan's very price to count as the plan's.
    tol = np.where(both["loose"].astype(bool), DUPLICATE_TOLERANCE, CANCELLED_PRICE_TOLERANCE)
    near_price = (both["charge"] - both["price"]).abs() <= tol * both["price"]
    hit = both[(both["date"] > both["cancelled_on"]) & near_price].drop_duplicates("transaction_id")
    if hit.empty:
        return empty_flags()
    days = (pd.to_datetime(hit["date"]) - pd.to_datetime(hit["cancelled_on"])).dt.days
    reason = (
        _name(hit) + " charged " + hit["charge"].map(_money) + " on " + hit["date"] + ", "
        + days.astype(str) + " day(s) after you cancelled it on " + hit["cancelled_on"]
    )
    return _flag_rows(hit, "charge_after_cancellation", "high", reason)


# -- annual_renewal ---------------------------------------------------------------------------


def _flag_annual(s: pd.DataFrame, history_start: pd.Series | None) -> pd.DataFrame:
    long = s[s["frequency"].isin(LONG_FREQUENCIES)].copy()
    if long.empty:
        return empty_flags()
    g = long.groupby("chain_id", sort=False)
    long["pos"] = g.cumcount()
    long["first_date"] = g["date"].transform("first")
    long["prev_date"] = g["date"].shift()
    long["prev_charge"] = g["charge"].shift()
    # The data may start after the subscription did: when the account's history does not reach
    # back a full period before a stream's first charge, that charge renews an older plan.
    unseen_start = pd.Series(False, index=long.index)
    if history_start is not None:
        seen = (long["ts"] - long["account_id"].map(history_start)).dt.days
        unseen_start = (long["pos"] == 0) & (seen < long["period"] - 5) & (long["charge"] > FREE_MAX)
    r = long[(long["pos"] >= 1) | unseen_start].copy()
    if r.empty:
        return empty_flags()
    word = r["frequency"].map({"annual": "yearly", "semiannual": "every six months"})
    later = " (previous charge " + r["prev_charge"].map(_money, na_action="ignore").fillna("") + " on " \
        + r["prev_date"].fillna("") + ", subscribed since " + r["first_date"] + ")"
    if history_start is not None:
        first = " (first charge seen; the account's history starts " \
            + r["account_id"].map(history_start).dt.strftime("%Y-%m-%d") + ", less than a period earlier)"
        later = later.where(r["pos"] >= 1, first)
    since = later
    reason = _name(r) + " renewed " + word + " for " + r["charge"].map(_money) + " on " + r["date"] + since
    severity = np.where(r["charge"] >= 100, "high", "medium")
    return _flag_rows(r, "annual_renewal", severity, reason)


# -- trial_conversion -------------------------------------------------------------------------


def _flag_trials(s: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    paid = s[s["charge"] > FREE_MAX]
    # The stream's full price is where it ended up: the median of its last three paid charges.
    # (the last three charges, or the later half of a short stream)
    n_paid = paid.groupby("stream_id")["charge"].transform("size")
    last3 = paid[paid.groupby("stream_id").cumcount(ascending=False) < np.minimum(3, np.ceil(n_paid / 2))]
    ref = last3.groupby("stream_id")["charge"].median()
    cand = paid[paid["charge"] > INTRO_RATIO * paid["stream_id"].map(ref)]
    first = cand.drop_duplicates("stream_id", keep="first")  # s is date-ordered within chains
    if first.empty:
        return empty_flags()
    # Streams that still bill after a candidate's date cannot be its trial (a separate plan).
    stream_last = s.groupby("stream_id")["ts"].max()
    member_stream = s.drop_duplicates("transaction_id").set_index("transaction_id")["stream_id"]
    hist = t[(t["amount"] <= 0)][["transaction_id", "account_id", "merchant_key", "date", "charge", "_order"]]
    hist = hist.assign(h_stream=hist["transaction_id"].map(member_stream))
    f = first[["stream_id", "transaction_id", "account_id", "stream_key", "ts", "charge", "period", "_order"]]
    j = f.merge(hist.rename(columns={"merchant_key": "stream_key", "transaction_id": "h_id", "charge": "h_charge",
                                     "date": "h_date", "_order": "h_order"}),
                on=["account_id", "stream_key"], how="inner")
    j["h_ts"] = pd.to_datetime(j["h_date"])
    before = (j["h_ts"] < j["ts"]) | ((j["h_ts"] == j["ts"]) & (j["h_order"] < j["_order"]))
    j = j[before & ((j["ts"] - j["h_ts"]).dt.days <= INTRO_HISTORY_DAYS)]
    other_last = j["h_stream"].map(stream_last)
    continues = j["h_stream"].notna() & (j["h_stream"] != j["stream_id"]) & (other_last > j["ts"])
    j = j[~continues].copy()
    if j.empty:
        return empty_flags()
    loose = j["h_stream"].isna()
    j["free"] = j["h_charge"] <= FREE_MAX
    # A cheap one-off purchase at the merchant (an app, a rental) is no intro price: intro
    # prices count only when they were billed as a stream; free / 1.00 trials count anyway.
    j["intro"] = j["free"] | (~loose & (j["h_charge"] <= INTRO_RATIO * j["charge"]))
    j["block"] = ~j["intro"] & (~loose | (j["h_charge"] >= 0.95 * j["charge"]))
    j["intro_ts"] = j["h_ts"].where(j["intro"])
    j["intro_date"] = j["h_date"].where(j["intro"])
    j["intro_charge"] = j["h_charge"].where(j["intro"])
    agg = j.sort_values("h_ts").groupby("transaction_id").agg(
        n_block=("block", "sum"), n_intro=("intro", "sum"), n_free=("free", "sum"),
        last_intro=("intro_ts", "max"), intro_date=("intro_date", "first"), intro_charge=("intro_charge", "first"),
        ts=("ts", "first"), period=("period", "first"),
    )
    # Every earlier billed charge of the merchant in the last year was a trial or intro price,
    # the last of them shortly before the full price, and an intro price lasted at most
    # MAX_INTRO_CHARGES.
    recent = (agg["ts"] - agg["last_intro"]).dt.days <= np.maximum(75, 2.5 * agg["period"])
    short = (agg["n_intro"] - agg["n_free"]) <= MAX_INTRO_CHARGES
    ok = agg[(agg["n_intro"] > 0) & (agg["n_block"] == 0) & recent & short]
    ok = ok[ok.index.isin(_converted(first, s))]
    r = first[first["transaction_id"].isin(ok.index)].copy()
    if r.empty:
        return empty_flags()
    r = r.join(ok[["intro_date", "intro_charge"]], on="transaction_id")
    kind = np.where(r["intro_charge"] <= 0.005, "a free trial",
                    np.where(r["intro_charge"] <= FREE_MAX, "a " + r["intro_charge"].map(_money) + " trial",
                             "an introductory price of " + r["intro_charge"].map(_money)))
    reason = (
        _name(r) + " charged the full price " + r["charge"].map(_money) + " on " + r["date"]
        + " after " + pd.Series(kind, index=r.index) + " starting " + r["intro_date"]
    )
    severity = np.where(r["charge"] >= 50, "high", "medium")
    return _flag_rows(r, "trial_conversion", severity, reason)


def _converted(first: pd.DataFrame, s: pd.DataFrame) -> set:
    """Candidates after which the cheap charges stop and the full price holds.

    Cheap stream charges of the merchant still coming after the full-price charge are another
    plan (an iCloud 0.99 beside Apple Music), and a bill whose next charge moves again is a
    variable bill, not a plan that left its trial.
    """
    f = first[["transaction_id", "stream_id", "account_id", "stream_key", "ts", "charge", "period"]]
    later = s[["account_id", "stream_key", "stream_id", "ts", "charge"]].rename(
        columns={"stream_id": "l_stream", "ts": "l_ts", "charge": "l_charge"})
    j = f.merge(later, on=["account_id", "stream_key"], how="inner")
    j = j[(j["l_ts"] > j["ts"]) & ((j["l_ts"] - j["ts"]).dt.days <= 1.5 * j["period"])]
    j = j[j["l_stream"] == j["stream_id"]]  # other plans still billing were set aside before
    cheap = (j["l_charge"] <= FREE_MAX) | (j["l_charge"] <= INTRO_RATIO * j["charge"])
    nxt = j.sort_values("l_ts").drop_duplicates("transaction_id")
    rel = s.groupby("stream_id")["charge"].pct_change().abs()
    variable = rel.groupby(s["stream_id"]).median() > STEADY_NOISE
    moved = nxt[((nxt["l_charge"] / nxt["charge"] - 1).abs() > LEVEL_TOLERANCE)
                & nxt["stream_id"].map(variable).fillna(False).astype(bool)]
    return set(f["transaction_id"]) - set(j.loc[cheap, "transaction_id"]) - set(moved["transaction_id"])


# -- price_increase ---------------------------------------------------------------------------


def _flag_price_increases(s: pd.DataFrame, skip_ids: set) -> pd.DataFrame:
    x = s.reset_index(drop=True)
    # Charges far below the chain's usual price are other purchases the detector merged in.
    typical = x.groupby("chain_id")["charge"].transform("median")
    x = x[x["charge"] >= INTRO_RATIO * typical].reset_index(drop=True)
    if x.empty:
        return empty_flags()
    chain = x["chain_id"]
    g = x.groupby(chain, sort=False)["charge"]
    prev, nxt = g.shift(), g.shift(-1)
    rel = (x["charge"] - prev) / prev
    # Typical charge-to-charge change: ~0 for a fixed price, ~1% for currency jitter, several
    # percent for phone bills, tens of percent for utilities.
    absrel = rel.abs()
    noise = chain.map(absrel.groupby(chain).quantile(0.5, interpolation="lower")).fillna(0.0)
    # Too few changes to tell a step from noise: treat the price as fixed.
    noise = noise.where(absrel.notna().groupby(chain).transform("sum") >= 3, 0.0)
    steady = noise <= STEADY_NOISE

    # Fixed-price series: levels separated by steps over LEVEL_TOLERANCE.
    step = rel.abs() > LEVEL_TOLERANCE
    level = step.astype(int).groupby(chain).cumsum()
    lg = x["charge"].groupby([chain, level])
    base = lg.transform("median")
    size = lg.transform("size")
    since = x["date"].groupby([chain, level]).transform("first")
    # On the first charge of a level, the previous row belongs to the level before it.
    prev_base = base.groupby(chain).shift()
    prev_n = size.groupby(chain).shift()
    prev_since = since.groupby(chain).shift()
    pos = x.groupby(chain).cumcount()
    # One earlier charge is enough only when it is the first one seen (annual plans, short data).
    enough = (prev_n >= 2) | ((prev_n == 1) & (pos == 1))
    inc = (x["charge"] / prev_base - 1).round(4)
    # The new level as a whole (its median) must be up too, not just its first charge.
    level_inc = (base / prev_base - 1).round(4)
    # A new price is a new fixed level: the next charge stays at it.
    holds = nxt.isna() | ((nxt / x["charge"] - 1).abs() <= LEVEL_TOLERANCE)
    fixed_hit = steady & step & enough & (inc >= PRICE_STEP) & (level_inc >= PRICE_STEP) & holds

    # Variable bills: a step has to clear the bill's own noise and stay up.
    roll = _rolling_median(prev, chain, 4, 2)
    vthr = np.maximum(PRICE_STEP, VARIABLE_STEP_NOISE * noise)
    vinc = (x["charge"] / roll - 1).round(4)
    prev_vinc = vinc.groupby(chain).shift()
    # The bill stays up (median of the next three) and enough history exists to know its noise;
    # at the end of the data, with nothing after it, the step must be twice as clear.
    rev = x["charge"].iloc[::-1]
    after = _rolling_median(rev.groupby(chain.iloc[::-1], sort=False).shift(), chain.iloc[::-1], 3, 1)
    vholds = (after / roll - 1 >= 0.75 * vthr) | (nxt.isna() & (vinc >= 2 * vthr))
    var_hit = (~steady & (noise <= MAX_BILL_NOISE) & (pos >= MIN_BILL_HISTORY) & (vinc >= vthr) & vholds
               & ~(prev_vinc >= 0.75 * vthr))

    hit = (fixed_hit | var_hit) & ~x["transaction_id"].isin(skip_ids)
    r = x[hit].copy()
    if r.empty:
        return empty_flags()
    r_inc = inc.where(fixed_hit, vinc)[hit]
    r_base = prev_base.where(fixed_hit, roll)[hit]
    pct = (r_inc * 100).round().astype(int)
    evidence = np.where(fixed_hit[hit], " (steady since " + prev_since[hit].fillna("") + ")",
                        " (median of the previous bills, which vary about " + (noise[hit] * 100).round()
                        .astype(int).astype(str) + "% from one to the next)")
    reason = (
        _name(r) + " charged " + r["charge"].map(_money) + " on " + r["date"] + ", up " + pct.astype(str)
        + "% from " + r_base.map(_money) + evidence
    )
    severity = np.select([r_inc >= 0.5, r_inc >= 0.15], ["high", "medium"], "low")
    return _flag_rows(r, "price_increase", severity, reason)


def _rolling_median(values: pd.Series, groups: pd.Series, window: int, min_periods: int) -> pd.Series:
    """Rolling median within groups, in ``values``' own order, aligned back to its index."""
    out = values.groupby(groups, sort=False).rolling(window, min_periods=min_periods).median()
    return out.reset_index(level=0, drop=True).reindex(values.index).sort_index()


def _after_trials(s: pd.DataFrame, trials: pd.DataFrame) -> pd.DataFrame:
    """Drop trial and intro charges: the price series starts at the conversion."""
    s = s[s["charge"] > FREE_MAX]  # a free or 1.00 charge is a trial, never a price level
    if trials.empty:
        return s
    conv = s[s["transaction_id"].isin(set(trials["transaction_id"]))].groupby("chain_id")["ts"].min()
    start = s["chain_id"].map(conv)
    return s[start.isna() | (s["ts"] >= start)]


# -- entry point ------------------------------------------------------------------------------


def flag_charges(tx: pd.DataFrame, streams: pd.DataFrame, *, cancellations: pd.DataFrame | None = None,
                 as_of=None, renewal_before_data: bool = False) -> pd.DataFrame:
    """Flag unexpected charges of detected streams; one row per (type, transaction).

    ``tx``: canonical transactions with the enriched columns; ``streams``: ``STREAM_COLUMNS``
    (``transaction_ids`` a list); ``cancellations``: ``account_id, stream_id, cancelled_on``.
    Charges dated after ``as_of`` are ignored. Returns ``FLAG_COLUMNS``, high severity first.

    ``renewal_before_data=True`` also flags the first charge of a six-monthly or yearly stream
    when the account's history does not reach a full period before it (the plan probably began
    before the data); by default the first charge of a stream is never a renewal.
    """
    if streams is None or len(streams) == 0 or tx is None or len(tx) == 0:
        return empty_flags()
    require_columns(streams, ("stream_id", "account_id", "frequency", "transaction_ids"), "flag_charges streams")
    t = _prepare_tx(tx)
    if as_of is not None:
        t = t[t["date"] <= pd.Timestamp(as_of).strftime("%Y-%m-%d")]
    st = streams.copy()
    for col in STREAM_COLUMNS:
        if col not in st:
            st[col] = None
    s = _series(t, st)
    if s.empty:
        return empty_flags()
    dups = _duplicates(s, t)
    dup_ids = set(dups["transaction_id"])
    clean = s[~s["transaction_id"].isin(dup_ids)]
    trials = _flag_trials(clean, t)
    parts = [
        _flag_duplicates(dups),
        _flag_after_cancellation(clean, t, cancellations, dup_ids),
        _flag_annual(clean, pd.to_datetime(t.groupby("account_id")["date"].min()) if renewal_before_data else None),
        trials,
        _flag_price_increases(_after_trials(clean, trials), set(trials["transaction_id"])),
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_flags()
    out = pd.concat(parts, ignore_index=True).drop_duplicates("flag_id")
    out["_sev"] = out["severity"].map(SEVERITY_ORDER)
    out = out.sort_values(["_sev", "date", "account_id", "type", "transaction_id"]).drop(columns="_sev")
    return out.reset_index(drop=True)
