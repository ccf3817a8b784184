"""Flags about a plan's price: ``trial_conversion`` and ``price_increase``.

The rules are described in :mod:`detector.flags`, which calls these on the chained, date-ordered
stream charges it prepares.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .catalog import (
    metered_vendors,
    per_seat_vendors,
    plan_only_vendors,
    seat_prices,
    usage_billed_vendors,
    vendors_in,
)
from .flags import (
    FREE_MAX,
    INTRO_HISTORY_DAYS,
    INTRO_RATIO,
    LEVEL_TOLERANCE,
    MAX_BILL_NOISE,
    MAX_INTRO_CHARGES,
    PRICE_STEP,
    STEADY_NOISE,
    _buys_one_offs,
    _flag_rows,
    _money,
    _name,
    _same_id,
    _trial_price,
    _unstreamed,
    empty_flags,
)
from .money import places, scales, to_cents
from .normalize import FOREIGN_FEE_WORDS, FOREIGN_SERVICE_ASSESSMENT
from .stream_joins import PRICE_STEP as PLAN_PRICE_STEP
from .working_frame import STORE_CHANNELS

#: A charge this many times a monthly intro price, not repeated a month later, is a year's plan.
YEARLY_MULTIPLE = 5.0
#: A free trial lasts a week to a month; its conversion posts within this many days of the 0.00 line.
FREE_TRIAL_DAYS = 45
#: Tax or currency moves of a plan's price from one charge to the next stay within this.
SAME_PRICE_FX = 0.01
#: A stream silent this many periods (two skipped bills and more) paused: it starts afresh after.
PAUSE_PERIODS = 3.0
#: A plan silent for more than this many periods (three skipped bills or more) and then billed
#: again was signed up to again: its price then is no rise (see _resumed_spans). Two skipped
#: monthly bills are a gap of 89 to 92 days, about three periods either side by the calendar.
RESTART_PERIODS = 3.5
#: Unstreamed charges at this many different prices near a plan make its merchant a shop.
SHOP_AMOUNTS = 2
#: At a shop, a plan's own first charge one period before its full price is an intro price when
#: it is about half of it: at least this share (and at most INTRO_RATIO), in list prices: a
#: price ending in .99 is a cent short of its round price, so 1.99 before 4.99 is the 2.00 of a
#: 5.00 plan, 40%, though 39.9% to the cent (LIST_CENT of slack, in the row's currency).
SHOP_INTRO_MIN = 0.4
LIST_CENT = 0.01
#: ... one period before it, give or take a fifth of a period, or up to this share of a period
#: late: a monthly charge declined and retried a week later (app stores retry for days), or
#: posted a few days late, is still the plan's next month; a charge never comes early that way.
HALF_PRICE_LATE = 0.25
#: A paid first month outside any stream comes a month before the full price: this many days.
PAID_INTRO_DAYS = (20, 40)
#: An unstreamed charge within this of a plan's full price is the plan billed before.
LOOSE_SAME_PRICE = 0.10
#: A monthly plan costs at most this: a charge above it after a trial line is a purchase.
MAX_MONTHLY_PLAN_PRICE = 100.0
#: A conversion to a price of this much or more (in dollars, scaled to the currency) is high.
HIGH_TRIAL_PRICE = 50.0
#: An introductory year: an offer longer than MAX_INTRO_CHARGES is one when the plan began at it,
#: at most 1/PLAN_PRICE_STEP of the full price (beyond any one plan's price change), and the full
#: price came this many days or more after its first charge (a year of monthly or four-weekly
#: charges: NYT's 4.00 every four weeks, thirteen times, then 25.00; see _intro_years).
INTRO_YEAR_DAYS = 330
#: A sign-up discount of 35% off or more (up to INTRO_RATIO's half) is an intro price too, at
#: a chain's start (see _discount_intros).
DISCOUNT_INTRO_RATIO = 0.65
#: A price increase back to the price billed before a cheaper spell says so when that spell
#: lasted at most this long (a downgrade for some months), see price_increase's reason.
BACK_WITHIN_DAYS = 400
#: A prorated sign-up charge pays for the days to the plan's billing day: the days its share of
#: the full price stands for are the days to the next charge. Prices are exact: within
#: PRORATION_EXACT days it is the days counted; up to PRORATION_DAYS (a vendor counts the first
#: day or not, a card posts a charge a day late) only where the account's history reaches a
#: period back before it, no charge of the plan there (a sign-up seen): a chain's first charge
#: at the start of the data within a day of that, a few days early before a price rise, is as
#: likely the plan billed at its old price.
PRORATION_EXACT = 0.5
PRORATION_DAYS = 1.5
#: ... and it pays for at most this share of the period: a charge within a few days of a full
#: period and of the full price is the plan billed early at its old price as likely.
PRORATION_MAX_SHARE = 0.9
#: The plan then bills on its billing day: the sign-up's gap is this many days shorter than
#: each of the next gaps of the chain (up to three).
PRORATION_SHORTER = 2
#: Consumer plans bill a period from the day one signs up, never for the days to a billing day
#: they share with other customers (Netflix, Spotify, a dating app, a VPN, iCloud, a newspaper),
#: and so do the app stores: a cheaper first charge there is no proration. Business software,
#: phone lines, utilities, gyms and merchants the catalogue does not know may prorate.
SIGNUP_DAY_CATEGORIES = frozenset({"streaming", "music", "dating", "gaming", "vpn", "cloud_storage", "news"})

# -- prorated sign-ups ------------------------------------------------------------------------


def prorated_signups(s: pd.DataFrame, t: pd.DataFrame) -> set:
    """Chains' first charges that are a prorated sign-up: the plan was taken between two of its
    billing days and charged for the days left to the next one, which then bills the full price
    on the plan's billing day (GitHub signed up on 2024-09-17 charges 14/30 of 16.00, 7.47, then
    16.00 on the 1st of every month; round-twenty-six audit).

    Unlike an introductory price, which is billed a full period before the next charge (1.00,
    then the full price a month later; half price for three months), such a charge comes a part
    of a period before the next, and its share of the next charge is that part: share x the
    period's days (the calendar months before the next charge, for a plan billed monthly or
    less often) is the days between the two charges, to the half day (PRORATION_EXACT), or within
    PRORATION_DAYS where the account's history (``t``) starts more than a period before the
    charge (as for a sign-up discount: a chain's first charge seen at the start of the data may
    be a plan that began before); the share is at most PRORATION_MAX_SHARE. The gap is shorter
    than the chain's next gaps (PRORATION_SHORTER: the plan bills on its day after), the next
    charge is the plan's price (the one after it at it, within LEVEL_TOLERANCE, or none seen
    yet), and the sign-up charge more than a trial's 1.00. A consumer plan
    (SIGNUP_DAY_CATEGORIES) or one billed through an app store bills from the sign-up day: none.
    """
    if s.empty:
        return set()
    x = s[["transaction_id", "account_id", "chain_id", "ts", "charge", "period", "_scale"]]
    vendor = s["stream_vendor"] if "stream_vendor" in s else pd.Series(None, index=s.index, dtype=object)
    channel = s["stream_channel"].fillna("direct") if "stream_channel" in s else pd.Series("direct", index=s.index)
    own_day = vendor.isin(vendors_in(SIGNUP_DAY_CATEGORIES)) | ~channel.isin(("direct", "paypal"))
    g = x.groupby("chain_id", sort=False)
    nxt_ts, nxt, after = g["ts"].shift(-1), g["charge"].shift(-1), g["charge"].shift(-2)
    gaps = g["ts"].diff().dt.days
    # the shortest of the next three gaps of each charge's chain (NaN: none)
    later = pd.concat([gaps.groupby(x["chain_id"], sort=False).shift(-k) for k in (2, 3, 4)], axis=1).min(axis=1)
    at = ((g.cumcount() == 0) & nxt.notna() & (x["charge"] > FREE_MAX * x["_scale"]) & (x["charge"] < nxt)
          & ~own_day)
    if not at.any():
        return set()
    x, nxt_ts, nxt, after, later = x[at], nxt_ts[at], nxt[at], after[at], later[at]
    gap = (nxt_ts - x["ts"]).dt.days
    # the period the sign-up fell in, in days: the calendar months before the next charge
    months = np.rint(x["period"] / 30.44)
    days = x["period"].astype(float).copy()
    for m in np.unique(months[months >= 1]):
        on = months == m
        days[on] = (nxt_ts[on] - (nxt_ts[on] - pd.DateOffset(months=int(m)))).dt.days
    start = pd.to_datetime(x["account_id"].map(_account_dates(t, x["account_id"], "min")))
    share = x["charge"] / nxt
    plan_price = after.isna() | ((after / nxt - 1).abs() <= LEVEL_TOLERANCE)
    on_its_day = later.isna() | (gap <= later - PRORATION_SHORTER)
    off = (share * days - gap).abs()
    seen = (x["ts"] - start).dt.days > x["period"]
    hit = ((gap >= 1) & (share <= PRORATION_MAX_SHARE) & plan_price & on_its_day
           & ((off <= PRORATION_EXACT) | ((off <= PRORATION_DAYS) & seen)))
    return set(x.loc[hit, "transaction_id"])


# -- trial_conversion -------------------------------------------------------------------------


def flag_trials(s: pd.DataFrame, t: pd.DataFrame, dups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Conversions of streams that began at a trial or intro price, and paid charges after a
    free or one-dollar trial line outside any stream. ``dups``: stream charges set aside as
    duplicates (not in ``s``; rows with ``_tid`` like ``t``'s), which are no charges outside a
    stream either."""
    dups = s.iloc[:0] if dups is None else dups
    # (an account with no stream still has trial lines followed by a paid charge)
    parts = [_stream_trials(_spans(s), t), _after_free_line(s, t), _discount_intros(s, t)] if len(s) else []
    parts = [x for x in parts + [_after_trial_line(s, t, parts, dups)] if not x.empty]
    if not parts:
        return empty_flags()
    r = pd.concat(parts, ignore_index=True)
    if "plan_stream" in r:
        r["stream_id"] = r["plan_stream"].where(r["plan_stream"].notna(), r["stream_id"])
    return _format_trials(r)


def _spans(s: pd.DataFrame) -> pd.DataFrame:
    """Each stream cut where it paused over PAUSE_PERIODS periods: the trial rule judges
    every span as a plan of its own (``stream_id``; the stream in ``plan_stream``).

    A subscription taken up again after a pause can start at an introductory price again (a
    win-back offer), and an order at the plan's cadence months before it began, which the
    detector merged into the stream, is not the plan's first charge.
    """
    gap = s.groupby("stream_id", sort=False)["ts"].diff().dt.days
    span = (gap > PAUSE_PERIODS * s["period"]).astype(int).groupby(s["stream_id"], sort=False).cumsum()
    return s.assign(plan_stream=s["stream_id"],
                    stream_id=s["stream_id"].astype(str) + np.where(span > 0, "#" + span.astype(str), ""))


def _stream_trials(s: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    # (on the two columns read: every filter of s copied its thirty columns; the rows of
    # ``first`` alone are taken whole)
    at = np.flatnonzero((s["charge"] > FREE_MAX * s["_scale"]).to_numpy())
    paid = s[["stream_id", "charge"]].iloc[at]
    # The stream's full price is where it ended up: the median of its last three paid charges.
    # (the last three charges, or the later half of a short stream)
    n_paid = paid.groupby("stream_id")["charge"].transform("size")
    last3 = paid[paid.groupby("stream_id").cumcount(ascending=False) < np.minimum(3, np.ceil(n_paid / 2))]
    ref = last3.groupby("stream_id")["charge"].median()
    # (a charge far above that price, 1/INTRO_RATIO times it or more, is an order the detector
    # put in the stream, an 84.99 app before a 4.99 -> 10.99 plan, not the plan's first full price)
    price = paid["stream_id"].map(ref)
    at = at[((paid["charge"] > INTRO_RATIO * price) & (paid["charge"] * INTRO_RATIO < price)).to_numpy()]
    # the first candidate of each stream: s is date-ordered within chains
    first = s.iloc[at[~s["stream_id"].iloc[at].duplicated().to_numpy()]]
    if first.empty:
        return pd.DataFrame()
    # Plans that still bill after a candidate's date cannot be its trial (a separate plan); a
    # plan still billing under a new price (the next stream of its chain) still bills.
    chain_last = s.groupby("chain_id")["ts"].max()
    per_stream = s[[c for c in ("stream_id", "chain_id", "period", "plan_stream") if c in s]]
    per_stream = per_stream.drop_duplicates("stream_id").set_index("stream_id")
    stream_chain, stream_period = per_stream["chain_id"], per_stream["period"]
    f = first[["stream_id", "transaction_id", "account_id", "stream_key", "ts", "charge", "period", "_order", "_sk",
               "_scale"]]
    # the history joined: charges of the merchants (account, key) that have a candidate
    at = (t["amount"] <= 0).to_numpy() & np.isin(t["_ak"].to_numpy(), f["_sk"].to_numpy())
    hist = t.loc[at, ["transaction_id", "_ak", "date", "charge", "_order"]]
    hist = hist.assign(h_stream=_member_stream(s, t.loc[at, "_tid"].to_numpy()))
    if "plan_stream" in s:  # charges of the stream before its pause are judged like unstreamed ones
        plan_of = per_stream["plan_stream"]
        f = f.assign(plan_stream=f["stream_id"].map(plan_of))
    j = f.merge(hist.rename(columns={"_ak": "_sk", "transaction_id": "h_id", "charge": "h_charge",
                                     "date": "h_date", "_order": "h_order"}), on="_sk", how="inner")
    j["h_ts"] = pd.to_datetime(j["h_date"])
    if "plan_stream" in s:
        paused = (j["h_stream"].map(plan_of) == j["plan_stream"]) & (j["h_stream"] != j["stream_id"])
        j["h_stream"] = j["h_stream"].where(~paused)
    before = (j["h_ts"] < j["ts"]) | ((j["h_ts"] == j["ts"]) & (j["h_order"] < j["_order"]))
    j = j[before & ((j["ts"] - j["h_ts"]).dt.days <= INTRO_HISTORY_DAYS)]
    h_chain = j["h_stream"].map(stream_chain)
    other = j["h_stream"].notna() & (h_chain != j["stream_id"].map(stream_chain))
    continues = other & (h_chain.map(chain_last) > j["ts"])
    j = j[~continues].copy()
    if j.empty:
        return pd.DataFrame()
    loose = j["h_stream"].isna()
    cheap = j["h_charge"] <= INTRO_RATIO * j["charge"]  # a 0.99 plan going to 1.29 is no trial
    # A charge outside any stream is a trial only at a trial's price, free or one dollar: a
    # 0.63 app bought before a plan began is a purchase, not its trial.
    trial_price = (j["h_charge"] < 0.01) | _trial_price(j["h_charge"], j["_scale"])
    # A trial is one charge or a few: a chain billing one price of a dollar or less more than
    # MAX_INTRO_CHARGES times is a plan at that price (0.99 a month for a year, then a yearly
    # plan, is a switch of billing period, not a trial ending).
    plan_price = pd.Series(list(zip(j["h_stream"].map(stream_chain), to_cents(j["h_charge"]))), index=j.index)
    j["free"] = ((j["h_charge"] <= FREE_MAX * j["_scale"]) & cheap & (~loose | trial_price)
                 & ~plan_price.isin(_dollar_plans(s)))
    # A cheap one-off purchase at the merchant (an app, a rental) is no intro price: intro
    # prices count only when they were billed as a stream; free / 1.00 trials count anyway.
    # A plan billed more often (monthly, then a yearly plan at ten or twelve times the price)
    # is a switch of billing period, not an introductory price ending.
    switch = j["h_stream"].map(stream_period) < j["period"] - 5
    j["intro"] = j["free"] | (~loose & cheap & ~switch)
    # Where the account buys one-offs from the merchant (an app store), a 0.99 or a cheaper
    # plan before is as likely an app or another plan: only a free trial line is a trial.
    # (One-offs above a trial's price: the trial charge itself is no sign of a shop. Purchases
    # are at SHOP_AMOUNTS different prices or more: one repeated price is a plan the detector
    # missed, which says nothing about apps.)
    loose_all = _unstreamed(t, s, ["_ak", "date", "charge", "_scale"])
    shop = j["transaction_id"].isin(set(f.loc[_buys_one_offs(f, loose_all, paid_only=True,
                                                             amounts=SHOP_AMOUNTS, window=INTRO_HISTORY_DAYS),
                                              "transaction_id"]))
    # A cheap price billed as the plan's own charges, the full price following a period on, is
    # an introductory price there too: an app bought at the shop does not recur at the plan's
    # cadence and become its first charge (Amazon Prime 6.99 -> 14.99, Apple 1.00 -> 7.99).
    own = j["h_stream"] == j["stream_id"]
    # So is a half-price first month billed as the plan's own charge one period before the full
    # price (Apple Music 4.99 -> 10.99): a discount on the plan, where the shop's purchases come
    # at any price and any day.
    half = own & (j["h_charge"] >= SHOP_INTRO_MIN * j["charge"] - LIST_CENT * j["_scale"]) & (
        ((j["ts"] - j["h_ts"]).dt.days - j["period"]).between(-0.2 * j["period"], HALF_PRICE_LATE * j["period"]))
    j["intro"] &= ~shop | (j["h_charge"] < 0.01) | (own & _trial_price(j["h_charge"], j["_scale"])) | half
    j["free"] &= j["intro"]
    # At a shop, orders outside the streams are orders, whatever they cost: they block nothing.
    # Elsewhere an earlier charge outside the streams at the plan's price (within tax and
    # currency moves) is the plan paid before; one at another price is another product.
    paid_before = (j["h_charge"] - j["charge"]).abs() <= LOOSE_SAME_PRICE * j["charge"]
    # (and the stream's own charge far above the plan's price is such an order: no plan billed before)
    order = own & (j["h_charge"] * INTRO_RATIO >= j["charge"])
    j["block"] = ~j["intro"] & (~loose | paid_before) & ~(shop & loose) & ~order
    j["intro_ts"] = j["h_ts"].where(j["intro"])
    j["intro_date"] = j["h_date"].where(j["intro"])
    j["intro_charge"] = j["h_charge"].where(j["intro"])
    j["paid_intro"] = j["h_charge"].where(j["intro"] & ~j["free"])
    # an intro price's length counts from the latest trial line: cheap charges before a 1.00
    # trial are another plan's or apps', not the offer that converted
    last_free = j["h_ts"].where(j["free"]).groupby(j["transaction_id"]).transform("max")
    j["paid_since_trial"] = j["intro"] & ~j["free"] & ~(j["h_ts"] <= last_free)
    j["own_paid"] = j["paid_since_trial"] & own
    agg = j.sort_values(["h_ts", "h_charge"], kind="stable").groupby("transaction_id").agg(
        n_block=("block", "sum"), n_intro=("intro", "sum"), n_free=("free", "sum"),
        n_paid_since_trial=("paid_since_trial", "sum"), n_own_paid=("own_paid", "sum"),
        first_intro=("intro_ts", "min"),
        last_intro=("intro_ts", "max"), intro_date=("intro_date", "first"), intro_charge=("intro_charge", "first"),
        intro_until=("intro_date", "last"),
        ts=("ts", "first"), period=("period", "first"),
        paid_lo=("paid_intro", "min"), paid_hi=("paid_intro", "max"),
    )
    # Every earlier billed charge of the merchant in the last year was a trial or intro price,
    # the last of them shortly before the full price, and an intro price lasted at most
    # MAX_INTRO_CHARGES, or a year (_intro_years).
    recent = (agg["ts"] - agg["last_intro"]).dt.days <= np.maximum(75, 2.5 * agg["period"])
    short = (agg["n_paid_since_trial"] <= MAX_INTRO_CHARGES) | _intro_years(agg, first, s)
    # An intro price is one price; cheap charges of different amounts are purchases.
    one_price = agg["paid_lo"].isna() | (agg["paid_hi"] <= 1.02 * agg["paid_lo"])
    ok = agg[(agg["n_intro"] > 0) & (agg["n_block"] == 0) & recent & short & one_price]
    ok = ok[ok.index.isin(_converted(first, s))]
    # Five months' price or more at once after a monthly price, not billed again a month later:
    # a switch to yearly billing (a year costs 5-12 monthly fees; intro prices end at 2-4x).
    c = first.set_index("transaction_id").reindex(ok.index)
    yearly = (c["period"] <= 35) & (c["charge"] >= YEARLY_MULTIPLE * ok["paid_hi"])
    ok = ok[~(yearly & ~ok.index.isin(_billed_again(first, s)))]
    r = first[first["transaction_id"].isin(ok.index)].copy()
    r = r.join(ok[["intro_date", "intro_charge", "intro_until"]], on="transaction_id")
    # (how long an offer longer than a few charges lasted, for the reason)
    n = ok["n_paid_since_trial"].reindex(r["transaction_id"]).to_numpy()
    return r.assign(intro_n=np.where(n > MAX_INTRO_CHARGES, n, np.nan))


def _dollar_plans(s: pd.DataFrame) -> set:
    """``(chain_id, cents)`` of chains of ``s`` that billed one price of a trial's (above nil, up
    to FREE_MAX) more than MAX_INTRO_CHARGES times: a plan at a dollar or less (iCloud's 0.99 a
    month), whose charges are no trial. (One price: a 1.00 trial the detector put in a chain
    after three months of another plan's 0.99 is still a trial.)"""
    low = ((s["charge"] > 0.005) & (s["charge"] <= FREE_MAX * s["_scale"])).to_numpy()
    n = pd.Series(1, index=pd.MultiIndex.from_arrays([s["chain_id"].to_numpy()[low], to_cents(s["charge"][low])]))
    n = n.groupby(level=[0, 1]).sum()
    return set(n.index[n > MAX_INTRO_CHARGES])


def _intro_years(agg: pd.DataFrame, first: pd.DataFrame, s: pd.DataFrame) -> pd.Series:
    """Per candidate of ``agg`` (indexed by the first full-price charge's id): its intro price is
    an introductory year, however many charges it held, or, at a catalogue vendor of fixed-price
    plans billed directly (``plan_only_vendors``), a shorter introductory spell (four to eleven
    months: 4.99 for six months, then 15.99; twenty-fifth session), on the same guards. The plan began at it (its stream's, or
    span's, first charge is the offer's first, within INTRO_HISTORY_DAYS of the full price: a
    cheap price billed longer is a plan of its own), every charge of it the stream's own (the
    detector read offer and full price as one plan: ``stream_joins._intro_prices_ended``), at
    most 1/PLAN_PRICE_STEP of the full price, the full price coming INTRO_YEAR_DAYS or more after
    the offer's first charge; not at an app store, whose cheap plan is as likely another app's.
    The New York Times at 4.00 every four weeks for a year, then 25.00 (round-48 audit; its
    history began nine days before the first 4.00, so whether the offer began before the data
    is not asked: a cheaper plan older than the data, moved up 2.5 times or more a year into it,
    reads so too). Months at a lower price not that far below (Netflix with ads 6.99, then 15.49;
    a student plan's half price) stay a change of plan (docs/flags.md). Less than a year at a
    price 2.5 times below counts only at a catalogue seller of plans: a merchant the catalogue
    does not know may as well have sold a small plan, then a bigger one."""
    f = first.drop_duplicates("transaction_id").set_index("transaction_id").reindex(agg.index)
    channel = f["stream_channel"] if "stream_channel" in f else pd.Series(None, index=f.index, dtype=object)
    vendor = f["stream_vendor"] if "stream_vendor" in f else pd.Series(None, index=f.index, dtype=object)
    began = s.groupby("stream_id")["ts"].min().reindex(f["stream_id"]).to_numpy()
    year = (agg["ts"] - agg["first_intro"]).dt.days >= INTRO_YEAR_DAYS
    plan_seller = vendor.isin(plan_only_vendors()) & (channel.fillna("direct") == "direct")
    ok = ((agg["n_paid_since_trial"] > MAX_INTRO_CHARGES) & (agg["n_own_paid"] == agg["n_paid_since_trial"])
          & (agg["paid_hi"] * PLAN_PRICE_STEP < f["charge"]) & (year | plan_seller)
          & (agg["first_intro"].to_numpy() == began) & ~channel.isin(STORE_CHANNELS))
    return ok


def _discount_intros(s: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    """Conversions after a sign-up discount of a third to 45% off (5.99 for three months, then
    9.99), which the half-price rule (INTRO_RATIO) leaves to price_increase as a rise of two
    thirds (twelfth session's flag audit). A chain that began inside the data (more than a
    period after the account's history starts: an older plan's first months seen are no offer)
    billed its first price at most MAX_INTRO_CHARGES times, and then a price of 1/0.65 to
    1/0.55 times it, kept by the next charge (a last charge at it waits for the next); the
    offer billed twice or more, the chain a fixed price otherwise. Price rises that large in a
    plan's first months are rare (Disney+ 7.99 -> 10.99 is 1.38 times)."""
    x = s[s["charge"] > FREE_MAX * s["_scale"]]
    if x.empty:
        return pd.DataFrame()
    chain = x["chain_id"]
    g = x.groupby(chain, sort=False)["charge"]
    prev, nxt = g.shift(), g.shift(-1)
    change = ((x["charge"] - prev) / prev).abs()
    level = (change > LEVEL_TOLERANCE).astype(int).groupby(chain).cumsum()
    first = level == 0
    n0 = first.groupby(chain).transform("sum")
    p0 = x["charge"].where(first).groupby(chain).transform("median")
    since = x["date"].where(first).groupby(chain).transform("first")
    # the new price held: billed again (one charge at it is as likely a plan changed for a month,
    # and no ground for a refund request claiming an offer ran out)
    holds = nxt.notna() & ((nxt / x["charge"] - 1).abs() <= LEVEL_TOLERANCE)
    # billed twice or more at the offer (one cheaper first charge at a store is as likely an app
    # bought before the plan), and a fixed price otherwise: the typical change from charge to
    # charge is nil (a cash-advance app's repayments move every time)
    noise = change.groupby(chain).transform("median")
    # (monthly or longer: a weekly class moving to a dearer one is no sign-up offer, round three)
    hit = ((level == 1) & (level.groupby(chain).diff() == 1) & (n0 >= 2) & (n0 <= MAX_INTRO_CHARGES)
           & (x["period"] >= 28)
           & (noise <= STEADY_NOISE) & holds
           & (p0 > INTRO_RATIO * x["charge"]) & (p0 <= DISCOUNT_INTRO_RATIO * x["charge"]))
    if not hit.any():
        return pd.DataFrame()
    # (the account's history start, read for the few accounts with a candidate)
    start = pd.to_datetime(x["account_id"].map(_account_dates(t, x.loc[hit, "account_id"], "min")))
    hit &= (pd.to_datetime(since) - start).dt.days > x["period"]
    r = x[hit].copy()
    if r.empty:
        return pd.DataFrame()
    return r.assign(intro_date=since[hit], intro_charge=p0[hit])


def _account_dates(t: pd.DataFrame, accounts: pd.Series, how: str) -> pd.Series:
    """The first (``how="min"``) or last (``"max"``) transaction date of each of ``accounts``,
    reading only their rows of ``t``."""
    mine = t.loc[t["account_id"].isin(set(accounts)).to_numpy(), ["account_id", "date"]]
    return mine.groupby("account_id")["date"].agg(how)


def _member_stream(s: pd.DataFrame, tid: np.ndarray) -> np.ndarray:
    """The stream (first in ``s``) holding each transaction id code ``tid``, NaN for none: a
    lookup by the integer ids, where mapping the strings hashed a million of them."""
    first = s[["_tid", "stream_id"]].drop_duplicates("_tid")
    of = np.full(max(int(tid.max(initial=-1)), int(first["_tid"].max())) + 1, np.nan, dtype=object)
    of[first["_tid"].to_numpy()] = first["stream_id"].to_numpy(dtype=object)
    return of[tid]


def _format_trials(r: pd.DataFrame) -> pd.DataFrame:
    intro = _money(r["intro_charge"], r["_dp"])
    kind = np.where(r["intro_charge"] <= 0.005, "a free trial",
                    np.where(r["intro_charge"] <= FREE_MAX * r["_scale"], "a " + intro + " trial",
                             "an introductory price of " + intro))
    when = " starting " + r["intro_date"]
    if "intro_n" in r:
        # an introductory year says how long it lasted: "for 13 charges, from ... to ..."
        n = r["intro_n"]
        long_ = n.notna()
        if long_.any():
            when = when.where(~long_, " for " + n.fillna(0).astype(int).astype(str) + " charges, from "
                              + r["intro_date"] + " to " + r["intro_until"].fillna(""))
    reason = (
        _name(r) + " charged the full price " + _money(r["charge"], r["_dp"]) + " on " + r["date"]
        + " after " + pd.Series(kind, index=r.index) + when
    )
    severity = np.where(r["charge"] >= HIGH_TRIAL_PRICE * r["_scale"], "high", "medium")
    return _flag_rows(r, "trial_conversion", severity, reason)


def _after_free_line(s: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    """Paid charges outside any stream that follow a free trial line of their merchant.

    A 0.00 charge is a merchant starting a free trial; the first paid charge of that merchant
    within FREE_TRIAL_DAYS after it is the conversion, even when the plan was then cancelled or
    is yearly and never became a stream. Not at a merchant the account buys one-offs from (an app
    store, a marketplace: which purchase followed the trial is anyone's guess), nor after earlier
    paid charges of the merchant (a 0.00 line inside a running plan is an adjustment).
    """
    free = t.loc[t["amount"].abs() < 0.005, ["account_id", "merchant_key", "date", "transaction_id", "_ak"]]
    if free.empty:
        return pd.DataFrame()
    paid = t.loc[t["charge"] > FREE_MAX * t["_scale"]].drop(columns=["account_id", "merchant_key"])
    j = free.rename(columns={"date": "f_date", "transaction_id": "f_id"}).merge(paid, on="_ak", how="inner")
    days = (pd.to_datetime(j["date"]) - pd.to_datetime(j["f_date"])).dt.days
    earlier = (days < 0) & (days >= -INTRO_HISTORY_DAYS)
    seen_paid = set(j.loc[earlier, "f_id"])
    j = j[(days > 0) & (days <= FREE_TRIAL_DAYS) & ~j["f_id"].isin(seen_paid)]
    j = j.sort_values(["f_id", "date", "_order"]).drop_duplicates("f_id")
    j = j[~_same_id(j, s)].drop_duplicates("transaction_id")
    if j.empty:
        return pd.DataFrame()
    j = j.assign(stream_key=j["merchant_key"], ts=pd.to_datetime(j["date"]), stream_id=None, _sk=j["_ak"])
    loose_all = _unstreamed(t, s, ["_ak", "date", "charge", "_scale"])
    j = j[~_buys_one_offs(j, loose_all, paid_only=True)]
    return j.assign(intro_date=j["f_date"], intro_charge=0.0)


def _after_trial_line(s: pd.DataFrame, t: pd.DataFrame, found: list[pd.DataFrame], dups: pd.DataFrame) -> pd.DataFrame:
    """A plan outside any stream that began with a free or one-dollar trial line.

    The first charge of the merchant at one price 7 to FREE_TRIAL_DAYS days after the line,
    billed again at that very price (to the cent) a period later (20 to 45 days), is the
    conversion: the trial became a monthly plan the stream detector did not make a stream (two
    or three charges before the data ends, or among a store's purchases). Repeating to the cent
    a month apart is what a plan does and a store's orders do not, so this holds at a shop too.
    A price the account paid the merchant in the year before the line is a plan already running
    (the line is another plan's); one paid since the line (within tax or currency moves) was
    the conversion. ``found``: the conversions the other rules found, not flagged twice;
    ``dups``: stream charges set aside as duplicates, no charges outside a stream either.

    At a catalogue vendor that sells nothing but its plans, billed directly (``plan_only_vendors``:
    Spotify, not an app store), the line may also be a paid first month at about half the price
    (SHOP_INTRO_MIN to INTRO_RATIO of it), a period before it (PAID_INTRO_DAYS): there is no app
    or order it could be. Such a plan always needs its next bill (no conversion at the data's end).
    """
    in_stream = _same_id(t, s) | _same_id(t, dups)
    trial_price = _trial_price(t["charge"], t["_scale"])
    is_line = (t["amount"] <= 0).to_numpy() & trial_price.to_numpy()
    plan_seller = (t["vendor"].isin(plan_only_vendors()) & t["channel"].isin(("direct", "paypal"))).to_numpy() \
        if "vendor" in t and "channel" in t else np.zeros(len(t), dtype=bool)
    paid_line = (t["amount"] < 0).to_numpy() & ~trial_price.to_numpy() & plan_seller
    is_line = is_line | paid_line
    line = t.loc[is_line, ["account_id", "merchant_key", "date", "charge", "_ak"]]
    line = line.assign(streamed=in_stream[is_line])
    # A line billed again and again is a one-dollar plan or fee (a finance app's membership),
    # not a trial; one in a stream is the plan's own first charge, judged with the stream.
    g = line.assign(ts=pd.to_datetime(line["date"]), c=line["charge"].round(2)).sort_values("ts", kind="stable")
    gap_prev = g.groupby(["account_id", "merchant_key", "c"])["ts"].diff().dt.days
    gap_next = -g.groupby(["account_id", "merchant_key", "c"])["ts"].diff(-1).dt.days
    lone = ~(gap_prev <= INTRO_HISTORY_DAYS) & ~(gap_next <= FREE_TRIAL_DAYS)
    line = line[lone.reindex(line.index).to_numpy() & ~line["streamed"].to_numpy()]
    # A 1.00 card check credited back within a week is a hold released, not a trial (round-three
    # audit: a gym's reversed 1.00 made its 25.00 day pass a "conversion").
    back = t.loc[(t["amount"] > 0).to_numpy() & np.isin(t["_ak"].to_numpy(), line["_ak"].to_numpy()),
                 ["_ak", "date", "amount"]]
    if not back.empty and not line.empty:
        k = line.reset_index().merge(back.rename(columns={"date": "b_date"}), on="_ak")
        lag = (pd.to_datetime(k["b_date"]) - pd.to_datetime(k["date"])).dt.days
        released = k.loc[(lag >= 0) & (lag <= 7) & ((k["amount"] - k["charge"]).abs() < 0.005) & (k["charge"] > 0),
                         "index"]
        line = line[~line.index.isin(set(released))]
    if line.empty:
        return pd.DataFrame()
    # only charges of the lines' merchants can join them (a few thousand of a million rows)
    of_lines = np.isin(t["_ak"].to_numpy(), line["_ak"].to_numpy())
    paid_price = (t["charge"] > FREE_MAX * t["_scale"]).to_numpy()
    paid = t.loc[paid_price & ~in_stream & of_lines]
    paid = paid.drop(columns=["account_id", "merchant_key"])
    j = line.drop(columns="streamed").rename(columns={"date": "l_date", "charge": "l_charge"}).merge(paid, on="_ak")
    days = (pd.to_datetime(j["date"]) - pd.to_datetime(j["l_date"])).dt.days
    # whether the line is at a trial's price (in the paid charge's currency): worked out once, a
    # column so that it follows j through the filters below
    j["l_trial"] = _trial_price(j["l_charge"], j["_scale"]).to_numpy()
    # A trial lasts a week or more, and costs about half the full price or less; a paid first
    # month (above a trial's price) lasts a month and costs about half.
    paid_intro = ~j["l_trial"]
    half = (j["l_charge"] >= SHOP_INTRO_MIN * j["charge"] - LIST_CENT * j["_scale"]) & (days >= PAID_INTRO_DAYS[0]) \
        & (days <= PAID_INTRO_DAYS[1])
    j = j[(days >= 7) & (days <= FREE_TRIAL_DAYS) & (j["l_charge"] <= INTRO_RATIO * j["charge"]) & (~paid_intro | half)]
    if j.empty:
        return pd.DataFrame()
    # ... and only where the account buys nothing else there: unstreamed charges at a third price
    # around it are purchases (a creator's tips and messages, a video app's coins), of which the
    # cheap one is as likely one (recur-scan: OnlyFans, TikTok)
    paid_intro = ~j["l_trial"]
    if paid_intro.any():
        loose_all = _unstreamed(t, s, ["_ak", "date", "charge", "_scale"])
        buys = _buys_one_offs(j.assign(_sk=j["_ak"], ts=pd.to_datetime(j["date"])), loose_all, paid_only=True,
                              amounts=SHOP_AMOUNTS, window=INTRO_HISTORY_DAYS)
        j = j[~(paid_intro & buys)]
    # The same price a period later (any charge of the merchant: the detector may have made the
    # plan's later charges a stream), and not in the year before the line.
    out = t.loc[paid_price & of_lines, ["_ak", "date", "charge"]]
    k = j[["transaction_id", "_ak", "date", "l_date", "charge"]].merge(
        out.rename(columns={"date": "o_date", "charge": "o_charge"}), on="_ak")
    diff = (k["o_charge"] - k["charge"]).abs()
    exact = diff < 0.005
    gap = (pd.to_datetime(k["o_date"]) - pd.to_datetime(k["date"])).dt.days
    since_line = (pd.to_datetime(k["o_date"]) - pd.to_datetime(k["l_date"])).dt.days
    again = set(k.loc[exact & (gap >= 20) & (gap <= 45), "transaction_id"])
    # The price paid in the year before the line is a plan already running; a charge at about
    # the price since the line (tax or currency moves of a cent or so) was the conversion.
    before = (exact & (since_line < 0) & (since_line >= -INTRO_HISTORY_DAYS)
              | (diff <= SAME_PRICE_FX * k["charge"]) & (since_line >= 0) & (gap < 0))
    before = set(k.loc[before, "transaction_id"])
    # At the end of the data there is no next bill to see yet: a catalogue vendor of fixed-price
    # plans charging its price after a trial line is the conversion without it (flag audit:
    # Peloton 1.00 then 12.99 ten days before the statement ends was flagged a month late, once
    # the next bill came, a month of the refund window lost).
    # (a plan's price: a bike bought after a 1.00 card check is no conversion; and not at a game
    # store, whose games sell at plan-like prices: round-three audit)
    end = j["account_id"].map(_account_dates(t, j["account_id"], "max"))
    unseen = (pd.to_datetime(end) - pd.to_datetime(j["date"])).dt.days < 45
    plan_vendor = j["vendor"].isin(plan_only_vendors()) if "vendor" in j else False
    again |= set(j.loc[unseen & plan_vendor & j["l_trial"] & (j["charge"] <= MAX_MONTHLY_PLAN_PRICE * j["_scale"]),
                       "transaction_id"])
    j = j[j["transaction_id"].isin(again - before)]
    j = j.sort_values(["account_id", "merchant_key", "l_date", "date", "_order"])
    j = j.drop_duplicates(["account_id", "merchant_key", "l_date"]).drop_duplicates("transaction_id")
    done = set().union(*(set(x["transaction_id"]) for x in found if not x.empty))
    j = j[~j["transaction_id"].isin(done)]
    if j.empty:
        return pd.DataFrame()
    j = j.assign(stream_key=j["merchant_key"], ts=pd.to_datetime(j["date"]), stream_id=None)
    return j.assign(intro_date=j["l_date"], intro_charge=j["l_charge"])


def _billed_again(first: pd.DataFrame, s: pd.DataFrame) -> set:
    """Candidates whose stream charges about their price again within 1.5 periods."""
    f = first[["transaction_id", "stream_id", "ts", "charge", "period"]]
    later = s[["stream_id", "ts", "charge"]].rename(columns={"ts": "l_ts", "charge": "l_charge"})
    j = f.merge(later, on="stream_id", how="inner")
    days = (j["l_ts"] - j["ts"]).dt.days
    again = (days > 0) & (days <= 1.5 * j["period"]) & (j["l_charge"] > INTRO_RATIO * j["charge"])
    return set(j.loc[again, "transaction_id"])


def _converted(first: pd.DataFrame, s: pd.DataFrame) -> set:
    """Candidates after which the cheap charges stop and the full price holds.

    Cheap stream charges of the merchant still coming after the full-price charge are another
    plan (an iCloud 0.99 beside Apple Music), and a bill whose next charge moves again is a
    variable bill, not a plan that left its trial.
    """
    f = first[["transaction_id", "stream_id", "account_id", "stream_key", "ts", "charge", "period", "_scale"]]
    later = s[["account_id", "stream_key", "stream_id", "ts", "charge"]].rename(
        columns={"stream_id": "l_stream", "ts": "l_ts", "charge": "l_charge"})
    j = f.merge(later, on=["account_id", "stream_key"], how="inner")
    j = j[(j["l_ts"] > j["ts"]) & ((j["l_ts"] - j["ts"]).dt.days <= 1.5 * j["period"])]
    j = j[j["l_stream"] == j["stream_id"]]  # other plans still billing were set aside before
    cheap = (j["l_charge"] <= FREE_MAX * j["_scale"]) | (j["l_charge"] <= INTRO_RATIO * j["charge"])
    nxt = j.sort_values(["l_ts", "l_charge"], kind="stable").drop_duplicates("transaction_id")
    # Variable bill: judged on the stream's full-price charges, with at least three changes.
    sc = s[["stream_id", "charge"]]
    full = sc[sc["charge"] > INTRO_RATIO * sc.groupby("stream_id")["charge"].transform("median")]
    rel = full.groupby("stream_id")["charge"].pct_change().abs()
    by_stream = rel.groupby(full["stream_id"])
    variable = (by_stream.median() > STEADY_NOISE) & (by_stream.count() >= 3)
    moved = nxt[((nxt["l_charge"] / nxt["charge"] - 1).abs() > LEVEL_TOLERANCE)
                & nxt["stream_id"].map(variable).fillna(False).astype(bool)]
    # Amounts all over the place (cash advances, utilities): no plan price to convert to.
    typical = by_stream.quantile(0.5, interpolation="lower")  # one price step is not erratic
    erratic = f["stream_id"].map((typical > MAX_BILL_NOISE) & (by_stream.count() >= 2))
    erratic_ids = set(f.loc[erratic.fillna(False).astype(bool), "transaction_id"])
    return (set(f["transaction_id"]) - set(j.loc[cheap, "transaction_id"]) - set(moved["transaction_id"])
            - erratic_ids)


# -- price_increase ---------------------------------------------------------------------------


#: A bank's fee on a purchase in another currency or abroad, posted beside it ("FOREIGN
#: TRANSACTION FEE", "NON-STERLING TRANSACTION FEE", "INTL SERVICE ASSESSMENT"), read on the
#: descriptor as the bank wrote it: the normaliser's words (``normalize.FOREIGN_FEE_WORDS``), or an
#: exchange rate, anywhere before a fee or charge (the normaliser relabels the whole line only
#: when its words name the fee itself).
FOREIGN_FEE = re.compile(
    r"\b(?:" + FOREIGN_FEE_WORDS + r"|EXCHANGE RATE)\b.*\b(?:FEE|CHARGE)S?\b|^" + FOREIGN_SERVICE_ASSESSMENT,
    re.IGNORECASE)
#: ... at a share of the purchase (1-3% at most banks; 0.2%-5% taken), on its day or the next.
FOREIGN_FEE_SHARE = (0.002, 0.05)
#: The currency of the country a card descriptor ends with (ISO 3166 alpha-3, as card networks
#: write it: "THE SPECTATOR LONDON GBR"), or a currency code written there ("... GBP"). Two-letter
#: codes are left out: "CA", "IN", "DE" end US descriptors as states.
COUNTRY_CURRENCY = {
    "USA": "USD", "GBR": "GBP", "IRL": "EUR", "NLD": "EUR", "LUX": "EUR", "DEU": "EUR", "FRA": "EUR", "ESP": "EUR",
    "ITA": "EUR", "BEL": "EUR", "FIN": "EUR", "AUT": "EUR", "PRT": "EUR", "EST": "EUR", "LTU": "EUR", "LVA": "EUR",
    "CAN": "CAD", "AUS": "AUD", "NZL": "NZD", "SWE": "SEK", "NOR": "NOK", "DNK": "DKK", "CZE": "CZK", "POL": "PLN",
    "CHE": "CHF", "SGP": "SGD", "IND": "INR", "MEX": "MXN", "JPN": "JPY", "HKG": "HKD", "ISR": "ILS", "BRA": "BRL",
    **{c: c for c in ("GBP", "EUR", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "CZK", "PLN", "CHF", "SGD", "INR",
                      "MXN", "JPY", "HKD", "ILS", "BRL")},
}
#: A plan priced in another currency: between two charges more than FX_UNSEEN_DAYS apart (a
#: yearly plan) its amount may have moved with the exchange rate by up to this much a year (the
#: pound: -16% in 2016, +8% from October 2022 to 2023), scaled by the square root of the time.
FX_YEAR_MOVE = 0.10
FX_UNSEEN_DAYS = 60
#: ... and between monthly charges, a currency that fell and came back moves within the range its
#: charges of this many days before show: a rise must clear that range.
FX_RANGE_DAYS = 365


#: US states and territories as card descriptors end with them ("MEDIUM.COM SAN FRANCISCO CA").
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "US"})
#: ... that are also countries' ISO 3166 codes, and those countries' currencies: on an account in
#: that currency the ending more likely names the country ("... BERLIN DE" on a euro card).
STATE_OR_COUNTRY = {"AL": "ALL", "AR": "ARS", "CA": "CAD", "CO": "COP", "DE": "EUR", "GA": "XAF", "ID": "IDR",
                    "IL": "ILS", "IN": "INR", "KY": "KYD", "LA": "LAK", "MA": "MAD", "MD": "MDL", "ME": "EUR",
                    "MN": "MNT", "MO": "MOP", "MS": "XCD", "MT": "EUR", "NC": "XPF", "NE": "XOF", "PA": "PAB",
                    "SC": "SCR", "SD": "SDG", "TN": "TND", "VA": "EUR", "PR": "USD"}


def us_billed(text: pd.Series, own: pd.Series) -> pd.Series:
    """Descriptors (upper case, stripped) ending as US merchants' do, a city and a state ("MEDIUM.COM
    SAN FRANCISCO CA"), on accounts (``own``: their currency codes) not in dollars: a sign the
    plan is billed in dollars, as an ending "USA" is (round-thirty-nine audit: a USD plan on a
    pound card was flagged as rising with the rate). Not where the two letters are also a
    country of the account's own currency (``STATE_OR_COUNTRY``: "DE" on a euro card is Germany)."""
    out = pd.Series(False, index=text.index)
    other = (own != "USD").to_numpy()
    if not other.any():  # (a dollar account's descriptors are not read at all)
        return out
    text, own = text[other], own[other]
    # (a city's words, or a phone number, before the state: "HULU 877-8244858 CA")
    state = text.str.extract(r"\S\s+(?:[A-Z][A-Z.'-]*(?:\s+[A-Z][A-Z.'-]*)*|\d{3}-?\d{3}-?\d{4})[\s,]+([A-Z]{2})$")[0]
    out[other] = (state.isin(US_STATES) & (state.map(STATE_OR_COUNTRY).fillna("") != own)).to_numpy()
    return out


def foreign_fees(t: pd.DataFrame) -> pd.DataFrame:
    """The bank's fees on purchases abroad among the rows ``t`` (:data:`FOREIGN_FEE`), as
    :func:`foreign_priced` reads them (account, date, charge)."""
    hit = (t["amount"] < 0).to_numpy() & t["description"].fillna("").astype(str).str.contains(FOREIGN_FEE).to_numpy()
    return t.loc[hit, ["account_id", "date", "charge"]]


def foreign_priced(s: pd.DataFrame, t: pd.DataFrame, fees: pd.DataFrame | None = None) -> set:
    """Chains of a plan priced in another currency than the card's: the bank's fee on a purchase
    abroad posted beside one of its charges (:data:`FOREIGN_FEE`, its day or the next, at
    :data:`FOREIGN_FEE_SHARE` of it), its descriptor ending with another country's or currency's
    code (:data:`COUNTRY_CURRENCY`; "GUARDIAN NEWS & MEDIA LONDON GBR" on a dollar card) or, on
    an account not in dollars, with a US state (:func:`us_billed`), or the statement giving its
    amount in another currency (``original_currency``). Not a chain whose amount repeats to the
    cent from charge to charge (most of its consecutive charges): a plan priced in the card's
    currency, billed from abroad. ``fees``: :func:`foreign_fees` of ``t``, when known."""
    if s.empty:
        return set()
    x = s[["chain_id", "account_id", "date", "charge", "description"]]
    own = (s["currency"] if "currency" in s else pd.Series(None, index=s.index, dtype=object)).fillna("USD")
    # judged once per distinct descriptor and currency (a plan's charges repeat them)
    # (each column coded on its own and the pair of codes coded: joining the texts and splitting
    # the distinct pairs again cost ~0.2 CPU-s a 250k-row batch)
    d_code, d_text = pd.factorize(x["description"].fillna("").astype(str))
    o_code, o_text = pd.factorize(own.astype(str))
    k = max(len(o_text), 1)
    pair, at = pd.factorize(d_code.astype(np.int64) * k + o_code)
    text = pd.Series(d_text.take(at // k)).str.upper().str.strip()
    theirs_own = pd.Series(o_text.take(at % k)).str.upper()
    tail = text.str.extract(r"([A-Z]{3})$")[0]
    by_pair = (tail.map(COUNTRY_CURRENCY).notna() & (tail.map(COUNTRY_CURRENCY) != theirs_own)) | us_billed(
        text, theirs_own)
    marked = pd.Series(by_pair.to_numpy()[pair], index=x.index)
    if "original_currency" in s:  # the statement says so itself (Monzo's Local currency)
        theirs = s["original_currency"].astype(object)
        marked |= theirs.notna() & (theirs.where(theirs.notna(), "").astype(str).str.upper()
                                    != own.astype(str).str.upper())
    if fees is None:
        fees = foreign_fees(t)
    fee_hit = pd.Series(False, index=x.index)
    if len(fees):
        fees = fees.rename(columns={"charge": "fee"})
        day = pd.to_datetime(fees["date"])
        fees = pd.concat([fees, fees.assign(date=(day - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d"))])
        j = x.reset_index().merge(fees, on=["account_id", "date"], how="inner")
        share = j["fee"] / j["charge"]
        fee_hit.loc[j.loc[share.between(*FOREIGN_FEE_SHARE), "index"].unique()] = True
    chains = set(x.loc[(marked | fee_hit).to_numpy(), "chain_id"])
    if not chains:
        return set()
    y = x[x["chain_id"].isin(chains).to_numpy()]
    same = (y["charge"] - y.groupby("chain_id")["charge"].shift()).abs() < 0.005
    pairs = y.groupby("chain_id")["charge"].size() - 1
    fixed = same.groupby(y["chain_id"]).sum() > pairs / 2
    return chains - set(fixed[fixed].index)


def flag_price_increases(s: pd.DataFrame, skip_ids: set, foreign: set | frozenset = frozenset()) -> pd.DataFrame:
    """``price_increase`` flags of the chained, date-ordered stream charges ``s``; ``skip_ids``:
    trial conversions; ``foreign``: chains priced in another currency (:func:`foreign_priced`),
    whose amount moves with the exchange rate: a rise must clear what the rate can explain.
    A chain whose every charge the statement gives in one other currency (``original_amount``:
    Monzo's Local amount) is judged at that price instead (:func:`at_own_price`)."""
    s, own_price = at_own_price(s)
    if own_price:
        foreign = set(foreign) - own_price
    # A usage-billed vendor's bill (cloud computing, an API, monitoring per host: the catalogue's
    # ``billing = "usage"``) follows what was used: a dearer month, or a higher level held for
    # months as the workload grew, is more use, not a new price, and there is nothing to ask back
    # (round-twenty-six audit: AWS, Datadog and Azure stepping up with a company's servers were
    # medium price increases with refund emails saying the price rose "without notice").
    if "stream_vendor" in s:
        s = s[~s["stream_vendor"].isin(usage_billed_vendors()).to_numpy()]
    # (the two filters below read two columns: they are judged on those, and the rows kept
    # taken whole once, where each filter copied every column)
    x = s[["chain_id", "charge"]].reset_index(drop=True)
    # Charges far below the chain's usual price are other purchases the detector merged in.
    typical = x.groupby("chain_id")["charge"].transform("median")
    at = np.flatnonzero((x["charge"] >= INTRO_RATIO * typical).to_numpy())
    x = x.iloc[at].reset_index(drop=True)
    # So are single charges far above the charges on both sides (the only one at either end): a
    # plan does not bill almost twice its price once and go back (a purchase merged in, or the
    # yearly charge after a switch to yearly billing). They would break the level after a step.
    g = x.groupby("chain_id", sort=False)["charge"]
    before, after = g.shift(), g.shift(-1)
    spike = ((before.isna() | (x["charge"] >= before / INTRO_RATIO))
             & (after.isna() | (x["charge"] >= after / INTRO_RATIO)) & (before.notna() | after.notna()))
    x = s.iloc[at[~spike.to_numpy()]].reset_index(drop=True)
    if x.empty:
        return empty_flags()
    # A plan silent for several periods and then billed again was most likely signed up to again
    # (no cancellation recorded: cancel_flags' comeback rule needs one), at the price of the day:
    # the charges after the break are judged as a plan of their own, as the trial rule's spans do
    # (round-54 audit: Hulu 7.99 until April 2024, 9.99 from September 2025 was "up 25% from
    # 7.99" with a refund email claiming a renewal at a higher price). A rise at a short pause
    # (a month or two skipped) is still measured across it.
    chain = _resumed_spans(x)
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
    # Each level (a row per chain and level) with the level two before it: its price, charges,
    # first and last dates.
    last = x["date"].groupby([chain, level]).transform("last")
    # The price a level ended at, as charged (its last charge), and when that very amount began:
    # tax or an exchange rate moves a plan's amount inside a level (11.79, then 11.84 after a
    # sales-tax change; a pound-priced plan on a dollar card), and a rise is measured from the
    # price charged just before it, never from a median the card was not charged (round-twenty-
    # nine audit: "up 10% from 11.79 (steady since 2022-07-04)" after eight months at 11.84).
    cents = (x["charge"] * 10.0 ** x["_dp"]).round()
    run = ((cents != cents.groupby(chain).shift()) | (level != level.groupby(chain).shift())).cumsum()
    last_charge = x["charge"].groupby([chain, level]).transform("last")
    run_since = x["date"].groupby(run).transform("first").groupby([chain, level]).transform("last")
    run_n = run.groupby(run).transform("size").groupby([chain, level]).transform("last")
    lo = x["charge"].groupby([chain, level]).transform("min")
    hi = x["charge"].groupby([chain, level]).transform("max")
    lv = pd.DataFrame({"chain": chain, "level": level, "base": base, "size": size, "since": since,
                       "last": last, "last_charge": last_charge, "run_since": run_since, "run_n": run_n,
                       "lo": lo, "hi": hi}).drop_duplicates(["chain", "level"])
    lv[["base2", "size2", "since2", "until", "last_charge2"]] = lv.groupby("chain")[
        ["base", "size", "since", "last", "last_charge"]].shift(2)
    lv["nth"] = lv.groupby("chain").cumcount()
    lv = lv.set_index(["chain", "level"])
    # A price billed once between two levels is a step on the way (15.49, then 16.29 for a month,
    # then 17.99): the rise is from the level before it (round nine: no flag at all).
    at_row = pd.MultiIndex.from_arrays([chain, level])
    base2, size2, since2 = (lv[c].reindex(at_row).to_numpy() for c in ("base2", "size2", "since2"))
    # (at a catalogue vendor of fixed-price plans billed directly: at an app store or a shop the
    # charge between is an item bought, and so is the "new price": synth 902, 3 false rises)
    fixed = x["stream_vendor"].isin(plan_only_vendors()) if "stream_vendor" in x else pd.Series(False, index=x.index)
    if "stream_channel" in x:
        fixed = fixed & (x["stream_channel"].fillna("direct") == "direct")
    fixed = fixed.to_numpy()
    # (anywhere, a charge between that moved less than a price step from the level before it is
    # that level's price moved by tax or jitter past the level's tolerance: Progressive 140.00,
    # 145.92, then 191.14 was no rise, its 191.14 "after one charge at 145.92": issue #4)
    jitter_between = (np.abs(prev_base.to_numpy(dtype=float) / base2 - 1) < PRICE_STEP)
    via = (prev_n == 1).to_numpy() & (pos >= 2).to_numpy() & (size2 >= 2) & step.to_numpy() & (fixed | jitter_between)
    via = pd.Series(via, index=x.index)
    prev_base = prev_base.where(~via, pd.Series(base2, index=x.index))
    prev_since = prev_since.where(~via, pd.Series(since2, index=x.index))
    # One earlier charge is enough only when it is the first one seen (annual plans, short data).
    enough = (prev_n >= 2) | ((prev_n == 1) & (pos == 1)) | via
    inc = (x["charge"] / prev_base - 1).round(4)
    # The new level as a whole (its median) must be up too, not just its first charge.
    level_inc = (base / prev_base - 1).round(4)
    # A new price is a new fixed level: the next charge stays at it.
    holds = nxt.isna() | ((nxt / x["charge"] - 1).abs() <= LEVEL_TOLERANCE)
    # ... and a price rises at one charge: a plan billed in another currency drifts up a few
    # percent a month with the exchange rate, and its level's median falls behind (a 10.00 USD
    # plan on a GBP card: 7.38, 7.39, 7.56, 7.65, then 8.00, "up 7% from 7.47", round eight)
    jumps = ((x["charge"] / prev - 1).round(4) >= PRICE_STEP)
    fixed_hit = steady & step & enough & (inc >= PRICE_STEP) & (level_inc >= PRICE_STEP) & holds & jumps

    # Six-monthly and yearly terms: each term has its own price (an insurance premium), so a
    # term is the previous level even alone and the next may move again.
    term = (x["period"] >= 150) & (pos >= 1)
    term_inc = (x["charge"] / prev - 1).round(4)
    falls = ((x["charge"] / prev - 1) < -LEVEL_TOLERANCE).groupby(chain).transform("any")
    term_hit = term & ~fixed_hit & (term_inc >= PRICE_STEP) & ~falls
    fixed_hit |= term_hit
    prev_base = prev_base.where(~term_hit, prev)
    inc = inc.where(~term_hit, term_inc)
    prev_since = prev_since.where(~term_hit, x["date"].groupby(chain).shift())

    # A plan priced in another currency moves with the exchange rate (the issue: "not tax or
    # currency jitter"): its amount back up after the currency fell, within the range the charges
    # of the year before show, is no new price (round-twenty-nine audit: a pound-priced plan on a
    # dollar card, 14.44, 14.17, 13.54, 13.56, then 14.26 as the pound recovered, was "up 5% ...,
    # back to the 14.30 it charged until"), and between charges months apart (a yearly plan, whose
    # rate no charge between shows) the rate may have moved FX_YEAR_MOVE a year (The Spectator's
    # GBP 149.00 a year, 168.37, 181.18, 194.30, was "up 8%", "up 7%").
    if foreign:
        fx_chain = x["chain_id"].isin(set(foreign)).to_numpy()
        if fx_chain.any():
            # only those chains' spans are read: the year's range of every stream charge (a
            # rolling window per span) cost ~0.3 CPU-s a 250k-row batch for the few fx rows kept
            fx = chain.isin(set(chain[fx_chain])).to_numpy()
            y, y_chain = x[fx], chain[fx]
            seen = (y[["ts", "charge"]].assign(_c=y_chain.to_numpy()).set_index("ts").groupby("_c", sort=False)["charge"]
                    .rolling(f"{FX_RANGE_DAYS}D", closed="left").max())
            seen = pd.Series(seen.to_numpy(), index=y.index)  # (x is date-ordered within chains)
            gap = y["ts"].groupby(y_chain).diff().dt.days.fillna(0).to_numpy(dtype=float)
            unseen = np.where(gap > FX_UNSEEN_DAYS, FX_YEAR_MOVE * np.sqrt(np.minimum(gap, 365) / 365), 0.0)
            clears = ((y["charge"] / seen.fillna(0) - 1).round(4).to_numpy() >= PRICE_STEP) & (
                (y["charge"] / prev[fx]).to_numpy() >= (1 + PRICE_STEP) * (1 + unseen))
            fx_clears = np.ones(len(x), dtype=bool)
            fx_clears[fx] = clears
            fixed_hit &= ~fx_chain | fx_clears

    # A jump to almost double or more is a trial or intro price ending, not a price increase.
    intro_jump = x["charge"] >= prev_base / INTRO_RATIO
    hit = fixed_hit & ~intro_jump & ~x["transaction_id"].isin(skip_ids) & ~_extras_spell(x, lv, at_row, size, prev_base)
    r = x[hit].copy()
    if r.empty:
        return empty_flags()
    # The level the rise is measured from (the one before, or two before past a step on the way)
    from_level = level[hit] - np.where(via[hit], 2, 1)
    at_from = pd.MultiIndex.from_arrays([chain[hit], from_level])
    frm = lv.reindex(at_from).set_axis(r.index)
    # measured from the price charged just before (the last charge of that level; a term's
    # previous premium is already that)
    r_base = prev_base[hit].where(term_hit[hit], frm["last_charge"])
    r_inc = (r["charge"] / r_base - 1).round(4)
    pct = (r_inc * 100).round().astype(int)
    steady_since, passed = _steady_since(lv, chain[hit], from_level, prev_base[hit], prev_since[hit], r["_dp"])
    # "steady since" that very amount began: the whole level when it never moved (past one-off
    # bills between stretches at it), else the run of charges at it to the cent; a level whose
    # amount moved at every charge (an exchange rate) names its range instead.
    whole = (frm["run_n"] == frm["size"]).to_numpy()
    steady_since = steady_since.where(whole, frm["run_since"].astype(str))
    passed = passed.where(whole, "")
    drift = ~whole & (frm["run_n"] == 1).to_numpy()
    steady = " (steady since " + steady_since + passed + ")"
    unit = r["_unit"] if "_unit" in r else pd.Series("", index=r.index)  # " USD" at a plan's own price
    moved = (" (charged on " + frm["last"].astype(str) + "; the amount had moved between "
             + _money(frm["lo"], r["_dp"]) + " and " + _money(frm["hi"], r["_dp"]) + unit + " since "
             + frm["since"].astype(str) + ")")
    evidence = np.where(term_hit[hit], " (the previous term's price, from " + prev_since[hit].fillna("") + ")",
                        np.where(drift, moved, steady))
    # Back to the price of the level before the cheaper one (a downgrade for a few months, then
    # the old plan again): the reason says so, and it is the person's own doing more often than
    # the merchant's, so it is of low severity.
    # A price is one the plan "charged until" when it billed it twice or more, or began with it
    # (a level may be one charge at the head of a chain; two levels on, the chain's first is the
    # third): a phone bill's one month with extras is no price it went back to (persona audit),
    # a plan's first price is (round-three audit).
    # (the price as charged, the level's last charge: a median of 14.44 and 14.17 is no price the
    # card was charged, round-twenty-nine audit)
    went_back_to = lv["last_charge2"].where((lv["size2"] >= 2) | (lv["nth"] == 2))
    at_level = pd.MultiIndex.from_arrays([chain[hit], level[hit]])
    base2 = pd.Series(went_back_to.reindex(at_level).to_numpy(), index=r.index)
    until = pd.Series(lv["until"].reindex(at_level).to_numpy(), index=r.index)
    # (the earlier price to the cent, give or take tax or currency moves: 23.89 after 22.99 is
    # no return to it, though within a level's tolerance)
    # ... after a downgrade of a year at most: a price held for years is the plan's price, and
    # going up from it is an increase, whatever it billed long before (round-four audit:
    # "back to the 17.99 it charged until 2021-12-15" after three years at 15.49)
    recent = ((pd.to_datetime(r["date"]) - pd.to_datetime(until)).dt.days <= BACK_WITHIN_DAYS).to_numpy()
    back = ~term_hit[hit].to_numpy() & ((r["charge"] / base2 - 1).abs() <= 0.005).fillna(False).to_numpy() & recent
    evidence = np.where(back, evidence + BACK_NOTE + _money(base2, r["_dp"]) + unit
                        + " it charged until " + until.fillna("").astype(str), evidence)
    # A plan's price a half or more dearer in one step, short of an intro price ending, is more
    # often the person's move to a bigger plan (Spotify Individual 11.99 to Family 19.99, +67%;
    # Netflix Standard to Premium, +46%) than the vendor's new price, which rises by a tenth or a
    # fifth: medium, and the reason asks (round-thirteen audit: a high "up 67%" with an email
    # saying the price rose without notice). A term's premium is priced anew each term.
    # (graded by the rise the reason shows, as the severity: "up 15%", a 14.7% rise, was low in
    # the round-twenty-four audit)
    shown = pct.to_numpy() / 100
    # A plan priced per user whose new bill is whole users more at the old price per user (Slack
    # at 8.75 a user: 87.50 for 10, then 105.00 for 12) may be users added, not a new price: the
    # reason says so and names the ratio, low, and no refund request claims a price rise
    # (round-twenty-six audit). A rise at a yearly renewal too: seats are added at renewal.
    seats = _seat_notes(r, r_base, back)
    evidence = np.where(seats != "", evidence + seats, evidence)
    tier = ((shown >= TIER_STEP) & ~back & ~term_hit[hit].to_numpy() & (seats == "")
            & (r["period"].to_numpy(dtype=float) < 150))  # (a yearly renewal's hike is the vendor's: round sixteen)
    evidence = np.where(tier, evidence + TIER_NOTE, evidence)
    charged = _money(r["charge"], r["_dp"]) + " on " + r["date"]
    if "_charged" in r:  # judged at the plan's own price: the card's charge, then that price
        theirs = (unit != "").to_numpy()
        charged = charged.where(~theirs, _money(r["_charged"], r["_dp_charged"]) + " on " + r["date"] + " ("
                                + _money(r["charge"], r["_dp"]) + unit + ")")
        r = r.assign(charge=r["_charged"])  # the flag's amount: what the card was charged
    reason = (
        _name(r) + " charged " + charged + ", up " + pct.astype(str) + "% from " + _money(r_base, r["_dp"]) + unit
        + evidence
    )
    severity = np.where(back | (seats != ""), "low",
                        np.select([(shown >= 0.5) & ~tier, shown >= 0.15], ["high", "medium"], "low"))
    return _flag_rows(r, "price_increase", severity, reason)


def _resumed_spans(x: pd.DataFrame) -> pd.Series:
    """The chain of each of ``x``'s date-ordered charges, cut where it was silent more than
    RESTART_PERIODS periods (three skipped bills or more) and RESUME_MIN_DAYS days (the days
    :mod:`detector.cancel_flags` asks of a plan taken up again): "<chain>#1" after the first such
    break, and so on. A rise at a shorter pause (a bill or two skipped, a card declined) is still
    the plan's new price."""
    from .cancel_flags import RESUME_MIN_DAYS

    gap = x["ts"].groupby(x["chain_id"], sort=False).diff().dt.days
    period = x["period"].astype(float).fillna(30.44)
    cut = (gap > np.maximum(RESTART_PERIODS * period, RESUME_MIN_DAYS)).astype(int)
    span = cut.groupby(x["chain_id"], sort=False).cumsum()
    return (x["chain_id"].astype(str) + np.where(span > 0, "#" + span.astype(str), "")).rename("chain_id")


def at_own_price(s: pd.DataFrame) -> tuple[pd.DataFrame, set]:
    """``s`` (chained stream charges) with the chains whose every charge the statement gives in
    one currency other than the card's (``original_amount`` / ``original_currency``: Monzo's Local
    amount, Wise's Exchange To Amount, Amex's Foreign Spend Amount) priced in it: ``charge`` is
    that amount, ``_dp`` / ``_scale`` its currency's, ``_unit`` " USD" (the card's charge kept in
    ``_charged`` / ``_dp_charged``); and those chains. A plan priced in dollars on a pound card
    whose dollar price never moved is no price rise however the pound moved (round-thirty-nine
    audit: "up 5% from 8.23" and a refund request for 0.43 for a steady 10.00 USD); a rise from
    10.00 to 12.00 USD is one. A chain with charges the statement gives no such amount for (an
    older export, or one stored before these amounts were kept) is judged as before."""
    if "original_currency" not in s or not s["original_currency"].notna().any():
        return s, set()
    code = s["original_currency"].astype(object).where(s["original_currency"].notna(), None)
    chain = s["chain_id"]
    n = chain.groupby(chain).transform("size")
    known = code.notna().groupby(chain).transform("sum")
    kinds = code.groupby(chain).transform("nunique")
    own = code.fillna("").astype(str) != (s["currency"].fillna("").astype(str) if "currency" in s else "")
    theirs = ((known == n) & (kinds == 1) & own.groupby(chain).transform("all")).to_numpy()
    if not theirs.any():
        return s, set()
    out = s.assign(_charged=s["charge"], _dp_charged=s["_dp"], _unit="")
    at = np.flatnonzero(theirs)
    cols = [out.columns.get_loc(c) for c in ("charge", "_dp", "_scale", "_unit")]
    picked = code.iloc[at]
    out.iloc[at, cols[0]] = s["original_amount"].abs().to_numpy(dtype=float)[at]
    out.iloc[at, cols[1]] = places(picked)
    out.iloc[at, cols[2]] = scales(picked)
    out.iloc[at, cols[3]] = (" " + picked.astype(str)).to_numpy()
    return out, set(chain.iloc[at])


#: A price per user is at least this much (in dollars, scaled to the currency): GitHub's Team plan
#: is 4.00 a user, Slack's 8.75, Google Workspace's 7.00-22.00. Two bills that are whole multiples
#: of a smaller sum only (15.49 and 17.99 are of 0.01) are no seat counts.
MIN_SEAT_PRICE = 4.0
#: What a per-seat rise's reason says after the ratio; :func:`own_change` reads it.
SEATS_NOTE = "at an unchanged price per user"


#: At most this many users on the smaller of two bills read as whole users within the rounding
#: of a tax on the total (:func:`_taxed_counts`): many more would fit almost any two sums.
MAX_TAXED_SEATS = 20


def _seat_notes(r: pd.DataFrame, before: pd.Series, back: np.ndarray) -> np.ndarray:
    """Per rise (``r`` the flagged rows, ``before`` the price the rise is from), at a vendor that
    bills per user (:func:`detector.catalog.per_seat_vendors`), what its reason adds when the rise
    reads as users added (``""`` otherwise; :data:`SEATS_NOTE` in each):

    - the two bills are ``n`` and ``m`` users at one price per user of :data:`MIN_SEAT_PRICE` or
      more, to the cent (105.00 and 87.50 are 6 and 5 of 17.50, so 12 and 10 of 8.75 too), or
      within the rounding of a tax on the total (:func:`_taxed_counts`: 88.19 and 102.89, 6 and 7
      users at 13.50 with 8.875% tax); the smallest counts are named, the real ones a multiple;
    - or, read first, the rise is whole users at one of the vendor's prices per user (the
      catalogue's ``seat_prices``, dollar accounts: GitHub 58.00 -> 62.00 is one more user of Team
      at 4.00 on a bill with Copilot seats at 19.00).

    A chain whose earlier rise read as users added has a known price per user: a later rise is
    users added only when both bills are whole users at it (or at a whole fraction of it), or
    whole users at a catalogue price per user; else it is a new price for the same users, flagged
    as any rise (Google Workspace 7 users at 14.40 then 16.80 a user is 7/6 of the bill, which
    alone reads as 6 users to 7), and the new price per user is known from then on."""
    out = np.full(len(r), "", dtype=object)
    if "stream_vendor" not in r or r.empty:
        return out
    vendor = r["stream_vendor"]
    seat = vendor.isin(per_seat_vendors()).to_numpy()
    if not seat.any():
        return out
    unit = 10.0 ** r["_dp"].to_numpy(dtype=float)
    old = np.rint(before.to_numpy(dtype=float) * unit)
    new = np.rint(r["charge"].to_numpy(dtype=float) * unit)
    least = MIN_SEAT_PRICE * r["_scale"].to_numpy(dtype=float) * unit
    code = r["currency"].fillna("USD").astype(str).str.upper() if "currency" in r else pd.Series("USD", index=r.index)
    dollars = (code == "USD").to_numpy() & (r["_dp"].to_numpy() == 2)
    yearly = r["period"].to_numpy(dtype=float) >= 300 if "period" in r else np.zeros(len(r), dtype=bool)
    listed = seat_prices()
    names = _name(r).to_numpy(dtype=object)
    chain = pd.factorize(r["chain_id"])[0]
    known: dict = {}  # chain -> (price per user, its uncertainty), in the currency's smallest units
    for i in np.lexsort((r["date"].astype(str).to_numpy(), chain)):
        o, n = old[i], new[i]
        if not seat[i] or back[i] or not (0 < o < n):
            continue
        prices = [int(c) * (12 if yearly[i] else 1) for c in to_cents(listed.get(vendor.iloc[i], ()))] if dollars[i] else []
        k = known.pop(chain[i], None)
        if k is not None and _whole(o, *k):
            split = _split_price(o, n, *k, least[i])
            if split is not None:
                known[chain[i]] = split
                out[i] = _ratio_note(names[i], o, n, *split)
            elif (added := _added_at(o, n, prices)) is not None:
                out[i] = _added_note(names[i], n - o, *added, unit[i])
            else:  # a new price for the same users
                users = round(o / k[0])
                known[chain[i]] = (n / users, k[1] * n / o + 0.5 / users)
            continue
        # (a catalogue price per user first: Gusto's 152.00 -> 164.00 is one more person at 12.00,
        # not "38 users to 41" at 4.00)
        if (added := _added_at(o, n, prices)) is not None:
            out[i] = _added_note(names[i], n - o, *added, unit[i])
            continue
        per_user = float(np.gcd(int(o), int(n)))
        counts = _taxed_counts(o, n, least[i]) if per_user < least[i] else None
        if per_user >= least[i]:
            known[chain[i]] = (per_user, 0.0)
            out[i] = _ratio_note(names[i], o, n, per_user, 0.0)
        elif counts is not None:
            known[chain[i]] = (o / counts[0], 0.5 / counts[0])
            out[i] = _ratio_note(names[i], o, n, *known[chain[i]])
    return out


def _whole(x: float, price: float, err: float) -> bool:
    """Whether ``x`` is a whole number (one or more) of ``price`` (give or take ``err`` each),
    within half a unit of rounding."""
    users = round(x / price)
    return users >= 1 and abs(x - users * price) <= 0.5 + users * err + 1e-9


def _split_price(old: float, new: float, price: float, err: float, least: float) -> tuple[float, float] | None:
    """``(price per user, uncertainty)`` at which ``old`` and ``new`` are both whole users: the
    known ``price`` or a whole fraction of it of ``least`` or more (to the cent when the price
    is); None if there is none."""
    for j in range(1, int(price // max(least, 1.0)) + 1):
        part, e = price / j, err / j
        if e == 0 and abs(part - round(part)) > 1e-6:
            continue
        if _whole(old, part, e) and _whole(new, part, e):
            return part, e
    return None


def _taxed_counts(old: float, new: float, least: float) -> tuple[int, int] | None:
    """The smallest whole users ``(n, m)`` (``n`` at most :data:`MAX_TAXED_SEATS`, a price per
    user of ``least`` or more) of which ``old`` and ``new`` are one price per user, each rounded
    to the unit: a tax on the whole bill (6 users at 13.50 with New York City's 8.875% are 88.19,
    7 users 102.89, which share no price to the cent)."""
    for n in range(1, min(MAX_TAXED_SEATS, int(old // least)) + 1):
        m = round(new * n / old)
        if m <= n:
            continue
        if max((old - 0.5) / n, (new - 0.5) / m) <= min((old + 0.5) / n, (new + 0.5) / m):
            return n, m
    return None


def _added_at(old: float, new: float, prices: list) -> tuple[int, int] | None:
    """``(users, price)``: the rise is whole users at one of the vendor's prices per user
    (dearest first), in the currency's smallest units; None if not."""
    rise = int(new - old)
    for price in sorted(prices, reverse=True):
        if price > 0 and rise % price == 0:
            return rise // price, price
    return None


def _ratio_note(name: str, old: float, new: float, price: float, err: float) -> str:
    """``; Slack bills per user, and the new bill is 6/5 of the old: 5 users to 6 (or 10 to 12, 15
    to 18) at an unchanged price per user; if you did not add users, ask Slack why``."""
    n, m = round(old / price), round(new / price)
    d = int(np.gcd(n, m))
    n, m = n // d, m // d
    more = ", ".join(f"{k * n} to {k * m}" for k in (2, 3))
    rounded = err > 0 or abs(old - n * d * price) > 1e-6 or abs(new - m * d * price) > 1e-6
    tax = ", give or take the rounding of a tax on the total" if rounded else ""
    return (f"; {name} bills per user, and the new bill is {m}/{n} of the old{tax}: {n} users to {m} (or {more}) "
            f"{SEATS_NOTE}; if you did not add users, ask {name} why")


def _added_note(name: str, rise: float, users: int, price: int, unit: float) -> str:
    """``; GitHub bills per user, and the new bill is 38.00 more than the old: 2 more users at
    19.00, one of GitHub's prices per user, at an unchanged price per user; ...``."""
    who = "1 more user" if users == 1 else f"{users} more users"
    return (f"; {name} bills per user, and the new bill is {rise / unit:,.2f} more than the old: {who} at "
            f"{price / 100:,.2f}, one of {name}'s prices per user, {SEATS_NOTE}; if you did not add users, "
            f"ask {name} why")


#: A metered bill (phone, utility) dearer for this many bills or fewer, then back at its price,
#: was billed for use (roaming, overage), not at a new price.
EXTRAS_BILLS = 3


def _extras_spell(x: pd.DataFrame, lv: pd.DataFrame, at_row, size: pd.Series, prev_base: pd.Series) -> pd.Series:
    """Rows opening a metered bill's short dearer spell (:data:`EXTRAS_BILLS` or fewer) followed
    by a level back at the price before it, within :data:`LEVEL_TOLERANCE` (round-twenty-four
    audit: a Rogers bill of 75.00, 79.10 in April and May, 75.00 again in June, was a price
    increase with a refund request). A fixed-price plan's spell is still flagged: a vendor that
    overcharged for two months and went back owes them."""
    from .flags import is_utility

    vendor = x["stream_vendor"] if "stream_vendor" in x else pd.Series(None, index=x.index, dtype=object)
    name = x["stream_merchant"].fillna(x["merchant"]) if "stream_merchant" in x else x["merchant"]
    metered = (vendor.isin(metered_vendors()) | is_utility(name, vendor)).to_numpy(dtype=bool)
    if not metered.any():
        return pd.Series(False, index=x.index)
    after = lv["base"].groupby(level=0).shift(-1).reindex(at_row).to_numpy(dtype=float)
    back = np.abs(after / prev_base.to_numpy(dtype=float) - 1) <= LEVEL_TOLERANCE
    return pd.Series(metered & (size.to_numpy() <= EXTRAS_BILLS) & back, index=x.index)


#: A one-step rise of this share or more (short of an intro price ending) is more often a move to
#: a bigger plan than a new price.
TIER_STEP = 0.4
#: What the reason of such a rise adds.
TIER_NOTE = ("; a rise this large is more often a change to a bigger plan than a new price: if you did not "
             "change plans, ask the vendor why")
#: What the reason of a rise back to an earlier price adds (then the price and until when).
BACK_NOTE = ", back to the "


def own_change(reason: str | None) -> bool:
    """Whether a ``price_increase`` reason reads the rise as more likely the person's own change of
    plan (back to an earlier price, a rise of :data:`TIER_STEP` or more, or users added to a plan
    priced per user, :data:`SEATS_NOTE`): no refund request is
    drafted for it, whose email would say the vendor raised the price without notice
    (round-fifteen audit); the flag asks the person, who can open one by hand."""
    return bool(reason) and (TIER_NOTE in reason or BACK_NOTE in reason or SEATS_NOTE in reason)

#: The price a ``price_increase`` reason measures the rise from ("..., up 16% from 15.49 ..."), as
#: :func:`flag_price_increases` words it (no decimals in a currency without minor units: "from 1,500").
_RISE_FROM = re.compile(r", up \d+% from (\d{1,3}(?:,\d{3})*(?:\.\d{2})?)\b(?! [A-Z]{3}\b)")
#: ... and a rise judged at the plan's own price in another currency than the card's ("Medium
#: charged 9.80 on 2022-09-03 (12.00 USD), up 20% from 10.00 USD").
_RISE_IN = re.compile(r" \((\d{1,3}(?:,\d{3})*(?:\.\d+)?) ([A-Z]{3})\), up \d+% from "
                      r"(\d{1,3}(?:,\d{3})*(?:\.\d+)?) \2\b")


def price_before(reason: str | None) -> float | None:
    """The price before the rise a ``price_increase`` flag's reason names, in the charge's
    currency, or None (a rise named in the plan's own currency: :func:`rise_in_own_price`).

    >>> price_before("Netflix charged 17.99 on 2025-01-15, up 16% from 15.49 (steady since 2024-03-15)")
    15.49
    """
    m = _RISE_FROM.search(reason or "")
    return float(m.group(1).replace(",", "")) if m else None


def rise_in_own_price(reason: str | None) -> tuple[float, float, str] | None:
    """The plan's price after and before the rise and its currency, for a ``price_increase``
    judged at the plan's own price in another currency than the card's (:func:`at_own_price`),
    or None.

    >>> rise_in_own_price("Medium charged 9.80 on 2022-09-03 (12.00 USD), up 20% from 10.00 USD (steady since ...)")
    (12.0, 10.0, 'USD')
    """
    m = _RISE_IN.search(reason or "")
    if not m:
        return None
    return float(m.group(1).replace(",", "")), float(m.group(3).replace(",", "")), m.group(2)


def _steady_since(lv: pd.DataFrame, chain: pd.Series, from_level: pd.Series, base: pd.Series,
                  since: pd.Series, dp: pd.Series) -> tuple[pd.Series, pd.Series]:
    """When the price a rise is measured from began, passing over one-off bills, and what they were.

    A single bill at another price between two stretches at the price (a month of roaming on a
    phone plan, a month with extras) ends no steady price: the price has held since the first
    stretch, and the reason names the bills passed over (sixteenth audit: "steady since
    2024-09-18" for a plan at 22.00 since 2023-07-18 but for one 38.50 month in between).
    ``lv`` is the levels table of :func:`flag_price_increases` (price ``base``, charges ``size``,
    first date ``since``, indexed by chain and level; ``dp``: the decimals amounts are written
    with); returns the start dates and the texts.
    """
    start = from_level.to_numpy().copy()
    chain = chain.to_numpy()
    base = base.to_numpy(dtype=float)
    count = np.zeros(len(start), dtype=int)
    last_charge = np.full(len(start), np.nan)
    last_date = np.full(len(start), "", dtype=object)
    while True:
        one = pd.MultiIndex.from_arrays([chain, start - 1])
        before = pd.MultiIndex.from_arrays([chain, start - 2])
        alone = lv["size"].reindex(one).to_numpy() == 1
        same = np.abs(lv["base"].reindex(before).to_numpy(dtype=float) / base - 1) <= LEVEL_TOLERANCE
        ok = alone & same
        if not ok.any():
            break
        first = ok & (count == 0)  # the latest one-off, met first going back
        last_charge[first] = lv["base"].reindex(one).to_numpy(dtype=float)[first]
        last_date[first] = lv["since"].reindex(one).to_numpy()[first]
        count += ok
        start = np.where(ok, start - 2, start)
    at = pd.MultiIndex.from_arrays([chain, start])
    moved = count > 0
    dates = np.where(moved, lv["since"].reindex(at).to_numpy(), since.fillna("").to_numpy())
    money = _money(pd.Series(last_charge), dp.to_numpy()).to_numpy(dtype=object)  # ("" where none moved)
    text = np.select([count == 1, count > 1],
                     [", apart from one " + money + " bill on " + last_date,
                      ", apart from " + count.astype(str) + " one-off bills, the last " + money + " on " + last_date],
                     "")
    return (pd.Series(dates, index=since.index).fillna("").astype(str),
            pd.Series(text, index=since.index, dtype=object))


def after_trials(s: pd.DataFrame, trials: pd.DataFrame) -> pd.DataFrame:
    """Drop trial and intro charges: the price series starts at the conversion."""
    at = np.flatnonzero((s["charge"] > 0.005).to_numpy())  # a free charge is never a price level
    if trials.empty:
        return s.iloc[at]
    # (judged on three columns, the rows kept taken whole once)
    k = s[["transaction_id", "chain_id", "ts"]].iloc[at]
    conv = k[k["transaction_id"].isin(set(trials["transaction_id"]))].groupby("chain_id")["ts"].min()
    if conv.empty:  # conversions outside any stream (after a free line) start no series
        return s.iloc[at]
    start = k["chain_id"].map(conv)
    return s.iloc[at[(start.isna() | (k["ts"] >= start)).to_numpy()]]
