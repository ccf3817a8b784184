"""Unexpected-renewal flags: the charges a person would want to look at twice.

:func:`flag_charges` turns detected streams plus the enriched transactions into one row per
suspicious charge (``schema.FLAG_COLUMNS``). Five rules, each a few vectorised pandas steps over
all accounts at once (explode ``transaction_ids``, sort, ``groupby().shift()``); nothing loops
over transactions in Python.

Rules and severities (also in ``docs/flags.md``):

``duplicate_charge``
    An outflow of a stream that follows the previous charge of the same stream less than half a
    period later at nearly the same amount (within 2% or 0.50). A same-merchant, same-amount
    outflow that the stream detector left out of every stream counts too when it falls within a
    few days (a quarter period, at least 5 days, at most half a period) of one of the stream's
    charges. Credits (refunds) are never duplicates, and the later of the two charges is the
    one flagged. Severity **high**: money was taken twice.
``charge_after_cancellation``
    A charge of a cancelled stream (or an unstreamed same-merchant charge within 25% of the
    stream's price) dated strictly *after* the cancellation date. A charge on the cancellation
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
VARIABLE_SHARE = 0.40      # share of >4% changes that makes a series a variable bill
DUPLICATE_TOLERANCE = 0.02
DUPLICATE_ABS = 0.50
INTRO_RATIO = 0.60
FREE_MAX = 1.00
MAX_INTRO_CHARGES = 6      # an introductory price longer than this is a price level, not an intro
INTRO_HISTORY_DAYS = 400   # merchant history looked at before a first full-price charge
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
    window = 0.5 * ext["period"]
    dup = prev_ts.notna() & (gap < window) & _same_amount(ext["charge"], prev_charge)
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


def _flag_after_cancellation(s: pd.DataFrame, t: pd.DataFrame, cancellations) -> pd.DataFrame:
    if cancellations is None or len(cancellations) == 0 or s.empty:
        return empty_flags()
    require_columns(cancellations, ("account_id", "stream_id", "cancelled_on"), "flag_charges cancellations")
    c = cancellations[["stream_id", "cancelled_on"]].copy()
    c["cancelled_on"] = pd.to_datetime(c["cancelled_on"]).dt.strftime("%Y-%m-%d")
    # The earliest recorded cancellation of a stream is the one that counts.
    c = c.groupby("stream_id", as_index=False)["cancelled_on"].min()
    own = s.merge(c, on="stream_id", how="inner")
    # Unstreamed charges of the same merchant near the stream's price are the same subscription.
    streams_c = own.drop_duplicates("stream_id")[
        ["stream_id", "account_id", "stream_key", "stream_merchant", "stream_vendor", "stream_channel",
         "last_amount", "cancelled_on"]
    ]
    loose = t[(t["amount"] < 0) & ~t["transaction_id"].isin(set(s["transaction_id"]))]
    extra = streams_c.merge(loose.rename(columns={"merchant_key": "stream_key"}),
                            on=["account_id", "stream_key"], how="inner")
    if not extra.empty:
        price = extra["last_amount"].astype(float)
        extra = extra[(extra["charge"] - price).abs() <= 0.25 * price]
    both = pd.concat([own, extra], ignore_index=True) if not extra.empty else own
    hit = both[both["date"] > both["cancelled_on"]].drop_duplicates("transaction_id")
    if hit.empty:
        return empty_flags()
    days = (pd.to_datetime(hit["date"]) - pd.to_datetime(hit["cancelled_on"])).dt.days
    reason = (
        _name(hit) + " charged " + hit["charge"].map(_money) + " on " + hit["date"] + ", "
        + days.astype(str) + " day(s) after you cancelled it on " + hit["cancelled_on"]
    )
    return _flag_rows(hit, "charge_after_cancellation", "high", reason)


# -- annual_renewal ---------------------------------------------------------------------------


def _flag_annual(s: pd.DataFrame) -> pd.DataFrame:
    long = s[s["frequency"].isin(LONG_FREQUENCIES)].copy()
    if long.empty:
        return empty_flags()
    long["pos"] = long.groupby("chain_id").cumcount()
    first_date = long.groupby("chain_id")["date"].transform("first")
    prev_date = long.groupby("chain_id")["date"].shift()
    prev_charge = long.groupby("chain_id")["charge"].shift()
    r = long[long["pos"] >= 1].copy()
    if r.empty:
        return empty_flags()
    r["first_date"], r["prev_date"], r["prev_charge"] = first_date[r.index], prev_date[r.index], prev_charge[r.index]
    reason = (
        _name(r) + " renewed " + r["frequency"].map({"annual": "yearly", "semiannual": "every six months"})
        + " for " + r["charge"].map(_money) + " on " + r["date"] + " (previous charge "
        + r["prev_charge"].map(_money) + " on " + r["prev_date"] + ", subscribed since " + r["first_date"] + ")"
    )
    severity = np.where(r["charge"] >= 100, "high", "medium")
    return _flag_rows(r, "annual_renewal", severity, reason)


# -- trial_conversion -------------------------------------------------------------------------


def _flag_trials(s: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    paid = s[s["charge"] > FREE_MAX]
    # The stream's full price is where it ended up: the median of its last three paid charges.
    last3 = paid[paid.groupby("stream_id").cumcount(ascending=False) < 3]
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
    j["free"] = j["h_charge"] <= FREE_MAX
    j["intro"] = j["free"] | (j["h_charge"] <= INTRO_RATIO * j["charge"])
    j["intro_ts"] = j["h_ts"].where(j["intro"])
    agg = j.sort_values("h_ts").groupby("transaction_id").agg(
        n=("intro", "size"), n_intro=("intro", "sum"), n_free=("free", "sum"),
        last_intro=("intro_ts", "max"), intro_date=("h_date", "first"), intro_charge=("h_charge", "first"),
        ts=("ts", "first"), period=("period", "first"),
    )
    # Every earlier charge of the merchant in the last year was a trial or intro price, the last
    # of them shortly before the full price, and an intro price lasted at most MAX_INTRO_CHARGES.
    recent = (agg["ts"] - agg["last_intro"]).dt.days <= np.maximum(62, 1.5 * agg["period"])
    short = (agg["n_intro"] - agg["n_free"]) <= MAX_INTRO_CHARGES
    ok = agg[(agg["n_intro"] > 0) & (agg["n_intro"] == agg["n"]) & recent & short]
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


# -- price_increase ---------------------------------------------------------------------------


def _flag_price_increases(s: pd.DataFrame, skip_ids: set) -> pd.DataFrame:
    x = s.copy()
    if x.empty:
        return empty_flags()
    chain = x["chain_id"]
    prev = x.groupby(chain, sort=False)["charge"].shift()
    rel = (x["charge"] - prev) / prev
    step = rel.abs() > LEVEL_TOLERANCE
    # Variable bills (utilities, phone) change level all the time: not price increases.
    n_changes = prev.notna().groupby(chain).transform("sum")
    share = step.groupby(chain).transform("sum") / n_changes.where(n_changes > 0)
    variable = (n_changes >= 3) & (share >= VARIABLE_SHARE)
    level = step.astype(int).groupby(chain).cumsum()
    lg = x["charge"].groupby([chain, level])
    base = lg.transform("median")
    size = lg.transform("size")
    since = x["date"].groupby([chain, level]).transform("first")
    # On the first charge of a level, the previous row belongs to the level before it.
    prev_base = base.groupby(chain).shift()
    prev_n = size.groupby(chain).shift()
    prev_since = since.groupby(chain).shift()
    nxt = x.groupby(chain, sort=False)["charge"].shift(-1)
    inc = (x["charge"] / prev_base - 1).round(4)
    holds = nxt.isna() | (nxt >= (1 + PRICE_STEP / 2) * prev_base)
    hit = (step & (prev_n >= 2) & (inc >= PRICE_STEP) & holds & ~variable
           & ~x["transaction_id"].isin(skip_ids))
    r = x[hit].copy()
    if r.empty:
        return empty_flags()
    pct = (inc[hit] * 100).round().astype(int)
    reason = (
        _name(r) + " charged " + r["charge"].map(_money) + " on " + r["date"] + ", up " + pct.astype(str)
        + "% from " + prev_base[hit].map(_money) + " (steady since " + prev_since[hit] + ")"
    )
    severity = np.select([inc[hit] >= 0.5, inc[hit] >= 0.15], ["high", "medium"], "low")
    return _flag_rows(r, "price_increase", severity, reason)


# -- entry point ------------------------------------------------------------------------------


def flag_charges(tx: pd.DataFrame, streams: pd.DataFrame, *, cancellations: pd.DataFrame | None = None,
                 as_of=None) -> pd.DataFrame:
    """Flag unexpected charges of detected streams; one row per (type, transaction).

    ``tx``: canonical transactions with the enriched columns; ``streams``: ``STREAM_COLUMNS``
    (``transaction_ids`` a list); ``cancellations``: ``account_id, stream_id, cancelled_on``.
    Charges dated after ``as_of`` are ignored. Returns ``FLAG_COLUMNS``, high severity first.
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
        _flag_after_cancellation(s, t, cancellations),
        _flag_annual(clean),
        trials,
        _flag_price_increases(clean, set(trials["transaction_id"])),
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_flags()
    out = pd.concat(parts, ignore_index=True).drop_duplicates("flag_id")
    out["_sev"] = out["severity"].map(SEVERITY_ORDER)
    out = out.sort_values(["_sev", "date", "account_id", "type", "transaction_id"]).drop(columns="_sev")
    return out.reset_index(drop=True)
