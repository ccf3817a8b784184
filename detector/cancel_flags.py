"""``charge_after_cancellation``: charges of a plan dated after the user recorded cancelling it.

The rule is described in :mod:`detector.flags`, which calls :func:`flag_after_cancellation` on
the chained, date-ordered stream charges it prepares (duplicates set aside) with the
cancellations :func:`detector.decisions.resolve_cancellations` resolved.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .catalog import metered_vendors, usage_billed_vendors
from .flags import (
    CANCELLED_PRICE_TOLERANCE,
    MIN_LONG_GAP_DAYS,
    SAME_AMOUNT,
    STEADY_NOISE,
    _buys_one_offs,
    _days_after,
    _flag_rows,
    _money,
    _name,
    _unstreamed,
    empty_flags,
)
from .schema import require_columns

#: Billing channels of app stores (as working_frame.STORE_CHANNELS).
STORE_CHANNELS = ("apple", "google_play", "roku")

# -- charge_after_cancellation ----------------------------------------------------------------

#: A plan cancelled before it made a stream is flagged by name only where its charges that set
#: its price (the last three up to the date, or the first three after) agree within this share.
ONE_PRICE = 0.10
#: ... and billed this many days apart or more (median): a monthly plan or a longer one.
MIN_PLAN_GAP_DAYS = 20
#: A cancelled plan silent for more than this many periods and then billing again was taken up
#: again: its first charge back is asked about (medium), the later ones are the new plan's.
RESUME_PERIODS = 3
#: ... and at least this many days: three weeks without a weekly box is a skip, not months.
RESUME_MIN_DAYS = 60


def flag_after_cancellation(s: pd.DataFrame, t: pd.DataFrame, cancellations, comebacks: set | None = None
                            ) -> pd.DataFrame:
    """The flags; ``comebacks`` (a set), when given, gets the ids of the first charges of plans
    taken up again after a cancellation (a new sign-up, at the price of the day: no price rise
    of the plan cancelled)."""
    if cancellations is None or len(cancellations) == 0:
        return empty_flags()
    require_columns(cancellations, ("account_id", "stream_id", "cancelled_on"), "flag_charges cancellations")
    canc = cancellations.assign(cancelled_on=pd.to_datetime(cancellations["cancelled_on"]).dt.strftime("%Y-%m-%d"))
    # Charges outside every stream, read by both the stream and the merchant-key paths.
    loose = _unstreamed(t, s)
    by_key = _after_cancellation_by_key(canc, loose)
    # A stream may have several cancellations (cancelled, taken up again, cancelled again): each
    # is judged on its own (``_ck``), and a charge belongs to the latest one before it.
    if "weak_match" not in canc:
        canc = canc.assign(weak_match=False)
    c = canc.dropna(subset=["stream_id"]).drop_duplicates(["stream_id", "cancelled_on"])[
        ["stream_id", "cancelled_on", "weak_match"]]
    c = c.assign(weak_match=c["weak_match"].fillna(False).astype(bool))
    own = s.merge(c, on="stream_id", how="inner") if not s.empty else s
    if own.empty:
        return by_key
    own["_ck"] = own["stream_id"].astype(str) + "|" + own["cancelled_on"]
    latest = c.groupby("stream_id")["cancelled_on"].max()
    # The plan's price: median of the last three charges up to the cancellation (or the last
    # charge seen; the last charge up to it counts as well, below). Only charges near it are the
    # cancelled plan's; a stream the detector merged with other charges of the merchant (several
    # plans billed as "Apple") must not flag them all.
    before = own[own["date"] <= own["cancelled_on"]]
    ref = before[before.groupby("_ck").cumcount(ascending=False) < 3].groupby("_ck")["charge"].median()
    own["price"] = own["_ck"].map(ref).fillna(own["last_amount"]).astype(float)
    # The price last billed counts too: a plan whose price just rose (9.08 -> 11.96), or whose
    # stream holds an order at its head (a 15.08 order before a yearly 150.99), bills at that.
    last = before.groupby("_ck")["charge"].last()
    own["last_price"] = own["_ck"].map(last).fillna(own["price"]).astype(float)
    streams_c = own.drop_duplicates("_ck")[
        ["stream_id", "account_id", "stream_key", "stream_merchant", "stream_vendor", "stream_channel",
         "price", "last_price", "cancelled_on", "_sk", "period", "_ck", "weak_match"]
    ]
    # Unstreamed charges of the same merchant near the plan's price are the same subscription.
    extra = streams_c.merge(loose.drop(columns=["account_id", "merchant_key"]).rename(columns={"_ak": "_sk"}),
                            on="_sk", how="inner")
    extra = extra.assign(loose=True)
    both = pd.concat([own.assign(loose=False), extra], ignore_index=True) if not extra.empty else own.assign(loose=False)
    # A charge the stream detector left out needs the plan's very price to count as the plan's.
    # So does a stream charge where the account also buys one-offs from the merchant (an app
    # store, a marketplace): the detector may have merged a purchase at a similar price.
    shop = ~both["loose"].astype(bool) & _buys_one_offs(both, loose)
    near_price = pd.Series(False, index=both.index)
    for col in ("price", "last_price"):
        tolerance = np.where(both["loose"].astype(bool), SAME_AMOUNT,
                             np.where(shop, np.maximum(SAME_AMOUNT, STEADY_NOISE * both[col]),
                                      CANCELLED_PRICE_TOLERANCE * both[col]))
        near_price |= (both["charge"] - both[col]).abs() <= tolerance
    # A metered bill (a utility, a phone line, a usage-billed cloud service) has no one price: it
    # moves with use and season.
    # Its charges after the date are the plan's when within the range it billed before (each
    # end widened by the tolerance).
    lo = before.groupby("_ck")["charge"].min().reindex(both["_ck"]).to_numpy()
    hi = before.groupby("_ck")["charge"].max().reindex(both["_ck"]).to_numpy()
    metered = ~both["loose"].astype(bool) & both["stream_vendor"].isin(metered_vendors())
    in_range = ((both["charge"] >= (1 - CANCELLED_PRICE_TOLERANCE) * lo)
                & (both["charge"] <= (1 + CANCELLED_PRICE_TOLERANCE) * hi))
    near_price |= metered & in_range
    hit = both[(both["date"] > both["cancelled_on"]) & near_price]
    # a charge is judged by the latest cancellation of its stream before it
    governing = both[both["date"] > both["cancelled_on"]].groupby("transaction_id")["cancelled_on"].max()
    hit = hit[hit["cancelled_on"] == hit["transaction_id"].map(governing)].drop_duplicates("transaction_id")
    if hit.empty:
        return by_key
    # Billing that stopped and came back months later is the person signing up again: the first
    # charge back is asked about, the rest are the new subscription's (audits: Hulu and Netflix
    # taken up again nine months after cancelling got a high flag and a refund request every month).
    hit = hit.sort_values(["_ck", "date"], kind="stable")
    final = _final_bill(hit)
    bills, hit = hit[final], hit[~final]
    parts = [by_key]
    if not bills.empty:
        parts.append(_flag_rows(bills, "charge_after_cancellation", "low", _final_bill_reason(bills)))
    if not hit.empty:
        after = _resumed(hit)
        if comebacks is not None:
            comebacks.update(hit.loc[after == 1, "transaction_id"])
        # The plan cancelled again later was taken up again: its first charge back is no
        # question (round-twenty-eight audit), only the cancellations' own charges after them.
        again = (hit["cancelled_on"] < hit["stream_id"].map(latest)).to_numpy(dtype=bool)
        after = np.where(again & (after == 1), 2, after)
        # At an app store, which sells items at its plans' prices, a charge outside every stream
        # at the plan's price months after it stopped is as likely an app bought as the plan
        # back (round-43 audit's one-off at an old price; flag seed 903: a 7.99 purchase a year
        # after a 7.99 app plan was cancelled)
        store_back = hit["loose"].astype(bool).to_numpy() & hit["stream_channel"].isin(STORE_CHANNELS).to_numpy()
        after = np.where(store_back & (after == 1), 3, after)
        # Nor is one of a plan matched only by the store's name, a kind of payment or part of its
        # name (``weak_match``), taken for the one cancelled because it stopped at the date: that
        # stop is all that tied the stream to the name, and billing months later under the
        # store's or payee's name is as likely another of its plans or a purchase (twenty-seventh
        # session: on dev seeds 501-505 a 5.99 Apple item 79 days after an app's weekly plan
        # stopped, on independent-generator seeds 21 and 24 a 6.99 and a 9.99 Apple item 135 and
        # 159 days after the date; none the plan back)
        weak = hit["weak_match"].fillna(False).astype(bool).to_numpy()
        after = np.where(weak & (after == 1), 3, after)
        hit = hit.assign(_resumed=after)[after <= 1]
        back = hit["_resumed"] == 1
        reason = _after_cancellation_reason(hit).where(~back, _resumed_reason(hit))
        parts.append(_flag_rows(hit, "charge_after_cancellation", np.where(back, "medium", "high"), reason))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return by_key
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _resumed(hit: pd.DataFrame) -> pd.Series:
    """Per charge after a cancellation (``hit``, by stream and date): 0 while the plan billed on
    after the date (late bills), 1 for the first charge after it had been silent more than
    :data:`RESUME_PERIODS` periods and :data:`RESUME_MIN_DAYS` since the date or its last charge
    after the date, 2 for the charges after that one. The silence counts from the date, not from
    the last charge before it: a plan paused for months and then cancelled, billing two weeks
    later, was not taken up again (round-three audit)."""
    key = hit["_ck"] if "_ck" in hit else hit["stream_id"]  # one cancellation of the stream
    prev = hit.groupby(key)["date"].shift()
    since = prev.fillna(hit["cancelled_on"])
    gap = (pd.to_datetime(hit["date"]) - pd.to_datetime(since)).dt.days
    resumed = gap > np.maximum(RESUME_PERIODS * hit["period"].astype(float).fillna(30.44), RESUME_MIN_DAYS)
    n = resumed.astype(int).groupby(key).cumsum()
    return np.where(n == 0, 0, np.where(resumed & (n == 1), 1, 2))


def resumed_streams(streams: pd.DataFrame, tx: pd.DataFrame, cancelled: pd.DataFrame) -> set:
    """Cancelled streams billing again after a silence since the date (see :func:`_resumed`):
    taken up again, so active, not cancelled."""
    if cancelled.empty or tx is None or "transaction_ids" not in streams:
        return set()
    from .flags import stream_charges
    from .schema import PERIOD_DAYS

    # the latest cancellation of the stream (one taken up again and cancelled again is cancelled)
    c = cancelled.dropna(subset=["stream_id"]).groupby("stream_id", as_index=False)["cancelled_on"].max()
    info = streams.drop_duplicates("stream_id").set_index("stream_id")
    c = c[c["stream_id"].isin(info.index)]
    if c.empty:
        return set()
    m = stream_charges(c, streams, tx).dropna(subset=["date"])
    m = m.assign(date=m["date"].astype(str), period=m["stream_id"].map(info["frequency"]).map(PERIOD_DAYS))
    m = m.sort_values(["stream_id", "date"])
    after = m[m["date"] > m["cancelled_on"]]
    if after.empty:
        return set()
    return set(after.loc[_resumed(after) >= 1, "stream_id"])


#: What the flag of a plan's first charge back after months without one says: the person may
#: have signed up again (:func:`_resumed`), which only they know.
RESUMED_NOTE = "if you did not sign up again"


def _resumed_reason(hit: pd.DataFrame) -> pd.Series:
    days = (pd.to_datetime(hit["date"]) - pd.to_datetime(hit["cancelled_on"])).dt.days
    return (
        _name(hit) + " charged " + _money(hit["charge"], hit["_dp"]) + " on " + hit["date"] + ", "
        + _days_after(days) + " you cancelled it on " + hit["cancelled_on"]
        + ", after months without a charge: " + RESUMED_NOTE + ", it is a charge after cancellation"
    )


#: The cancellation date a ``charge_after_cancellation`` reason names, as
#: :func:`_after_cancellation_reason` words it ("..., 16 days after you cancelled it on 2025-06-15").
_CANCELLED_ON = re.compile(r"(?:the same day as|\b\d+ days? after) you cancelled it on (\d{4}-\d{2}-\d{2})\b")


def cancellation_named(reason: str | None) -> tuple[str, bool] | None:
    """The cancellation date a ``charge_after_cancellation`` flag's reason names, and whether the
    flag is a plan's first charge back after months without one (the person may have signed up
    again: :data:`RESUMED_NOTE`); None when the reason names no date.

    >>> cancellation_named("Hulu charged 17.99 on 2025-04-20, 26 days after you cancelled it on 2025-03-25")
    ('2025-03-25', False)
    """
    m = _CANCELLED_ON.search(reason or "")
    return (m.group(1), RESUMED_NOTE in reason) if m else None


#: A utility's final bill, for the use up to the date, comes within this many periods of it (the
#: reading, up to six weeks to bill it, a direct debit or autopay two or three weeks after that:
#: round-fifteen audit, final bills 51 and 53 days on were flagged at 1.5).
FINAL_BILL_PERIODS = 2.1


#: What a utility's final-bill flag says; the refund queue asks nothing back of one.
FINAL_BILL_NOTE = "most likely the final bill"


def is_final_bill(flag_type: str | None, reason: str | None) -> bool:
    """Whether a flag is a utility's final bill after its cancellation (:func:`_final_bill`)."""
    return flag_type == "charge_after_cancellation" and bool(reason) and FINAL_BILL_NOTE in reason


def _final_bill(hit: pd.DataFrame) -> np.ndarray:
    """Per charge after a cancellation (``hit``, by stream and date): the final bill of a utility
    (a catalogue utility, or one by its name: energy, water), paid in arrears: its first charge
    after the date, within :data:`FINAL_BILL_PERIODS` periods of it, pays for the use up to the
    date, and is owed (round-thirteen audit: an energy account closed on moving out, its final
    41.27 a month later, flagged high with a refund request; so was PG&E's). It is still a charge
    dated after the cancellation, as the flag is defined, so it is flagged, low, saying so, with
    no refund request (sixteenth session left it unflagged: the person could not check it). A
    second bill after the date is a charge after cancellation. A phone line bills its month
    ahead: its charges after the date stay flagged. A usage-billed service (the catalogue's
    ``billing = "usage"``: AWS, Azure, Datadog) bills the use after it too: its first bill after
    the date is the use up to it (round-twenty-six audit)."""
    metered = _billed_after_use(hit)
    first = hit.groupby(hit["_ck"] if "_ck" in hit else hit["stream_id"]).cumcount() == 0
    days = (pd.to_datetime(hit["date"]) - pd.to_datetime(hit["cancelled_on"])).dt.days
    soon = days <= FINAL_BILL_PERIODS * hit["period"].astype(float).fillna(30.44)
    return (metered & first & soon).to_numpy(dtype=bool)


def _after_cancellation_by_key(canc: pd.DataFrame, loose: pd.DataFrame) -> pd.DataFrame:
    """Cancellations resolved to a merchant key, not a stream (the plan billed too few times).

    ``loose``: the outflows in no stream. Every one of that merchant after the date counts, at
    the price of its last charges up to the date (within 50%) when there were any; charges of
    other streams are left to them.
    """
    if "merchant_key" not in canc:
        return empty_flags()
    k = canc[canc["stream_id"].isna() & canc["merchant_key"].notna()]
    if k.empty:
        return empty_flags()
    k = k.groupby(["account_id", "merchant_key"], as_index=False)["cancelled_on"].min()
    m = loose.merge(k, on=["account_id", "merchant_key"], how="inner")
    if m.empty:
        return empty_flags()
    m = m.sort_values(["account_id", "merchant_key", "date", "_order"])
    grp = ["account_id", "merchant_key"]
    # The plan's price: its last three charges up to the date, or, with none then, its first
    # three after. Those must agree (ONE_PRICE): a shop's orders do not, and "Amazon" cancelled
    # for Prime (no stream yet) flagged every Amazon order of 26-62 after the date as a plan's
    # charge, with a refund request each (twelfth session's lifecycle audit).
    after_date = m["date"] > m["cancelled_on"]
    up_to, since = m[~after_date], m[after_date]
    last3 = up_to[up_to.groupby(grp).cumcount(ascending=False) < 3]
    first3 = since[since.groupby(grp).cumcount() < 3]
    basis = pd.concat([last3, first3[~first3.set_index(grp).index.isin(last3.set_index(grp).index)]])
    price = basis.groupby(grp)["charge"].median()
    spread = (basis["charge"] - basis.join(price.rename("p"), on=grp)["p"]).abs().groupby(
        [basis["account_id"], basis["merchant_key"]]).max()
    one_price = (spread <= ONE_PRICE * price).rename("one_price")
    m = m.join(price.rename("price"), on=grp).join(one_price, on=grp)
    near = m["one_price"].fillna(False).astype(bool) & (
        (m["charge"] - m["price"]).abs() <= CANCELLED_PRICE_TOLERANCE * m["price"])
    # "A charge of a stream": the plan-priced charges, the one after the date included, must be
    # a stream's worth (three, or two half a year or more apart). One charge after a
    # cancellation recorded before the history starts, or a plan billed once, is no stream.
    plan = m[near].drop_duplicates("transaction_id")
    keys = [plan["account_id"], plan["merchant_key"]]
    n_plan = plan.groupby(keys)["transaction_id"].transform("size")
    gap = pd.to_datetime(plan["date"]).groupby(keys).diff().dt.days
    stream_like = (n_plan >= 3) | ((n_plan == 2) & (gap.groupby(keys).transform("max") >= MIN_LONG_GAP_DAYS))
    # ... billed about monthly or less often: a coffee at one price most days is a habit (a
    # plan billing weekly or more often has made a stream long before it has three charges)
    stream_like &= gap.groupby(keys).transform("median").fillna(MIN_LONG_GAP_DAYS) >= MIN_PLAN_GAP_DAYS
    hit = plan[(plan["date"] > plan["cancelled_on"]) & stream_like].assign(stream_id=None)
    if hit.empty:
        return empty_flags()
    return _flag_rows(hit, "charge_after_cancellation", "high", _after_cancellation_reason(hit))


def _billed_after_use(hit: pd.DataFrame) -> pd.Series:
    """Whether each charge's plan bills the use after it: a utility (a catalogue one, or one by its
    name) or a usage-billed vendor (:func:`detector.catalog.usage_billed_vendors`)."""
    from .flags import is_utility

    return is_utility(hit["stream_merchant"], hit["stream_vendor"]) | hit["stream_vendor"].isin(usage_billed_vendors())


def _final_bill_reason(bills: pd.DataFrame) -> pd.Series:
    who = np.where(bills["stream_vendor"].isin(usage_billed_vendors()), "a usage-billed service", "a utility")
    return (_after_cancellation_reason(bills) + ": " + FINAL_BILL_NOTE + ", for what you used up to "
            + bills["cancelled_on"] + " (" + who + " bills after the use); check that it covers nothing after "
            + bills["cancelled_on"] + ", and ask the supplier if it does")


def _after_cancellation_reason(hit: pd.DataFrame) -> pd.Series:
    days = (pd.to_datetime(hit["date"]) - pd.to_datetime(hit["cancelled_on"])).dt.days
    return (
        _name(hit) + " charged " + _money(hit["charge"], hit["_dp"]) + " on " + hit["date"] + ", "
        + _days_after(days) + " you cancelled it on " + hit["cancelled_on"]
    )
