"""``annual_renewal``: the charges of a six-monthly or yearly plan that renew it.

The rule is described in :mod:`detector.flags`, which calls :func:`flag_renewals` on the chained,
date-ordered stream charges it prepares. Everything here is vectorised over all accounts.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .cadence import fixed_months_a_year
from .catalog import metered_vendors, yearly_plan_vendors
from .flags import FREE_MAX, INTRO_RATIO, MAX_BILL_NOISE, _flag_rows, _money, _name, _unstreamed, empty_flags
from .yearly_switches import SWITCH_GAP_DAYS

#: Frequencies whose renewals are flagged as ``annual_renewal`` (period of six months or more).
LONG_FREQUENCIES = ("semiannual", "annual")
#: A plan's intro or trial bills about a month before its full price; a cheap charge this many
#: days or more before the next is an order, not the plan's.
STRAY_ORDER_DAYS = 60
#: A yearly charge is five months' price or more (a year costs 5-12 monthly fees).
YEARLY_SWITCH = 5.0
#: A yearly plan renews a year after its last charge, give or take a couple of weeks.
YEAR_DAYS = (350, 380)
#: A renewal of this much or more (in dollars, scaled to the currency: flags.py) is high.
HIGH_RENEWAL_PRICE = 100.0
#: A plan renews a period after its last charge: a charge within this share of the period after
#: the chain's previous one (a double charge the duplicate rule did not take) renews nothing.
REPEAT_SHARE = 0.25
#: A monthly plan replaced by a yearly one bills no more: none of its charges this many days on.
MONTH_ON_DAYS = 45
#: A plan of a dollar or less a yearly one replaced: its charges at that price are looked at
#: over this many days before the yearly charge (the last of them within SWITCH_GAP_DAYS).
YEAR_BEFORE_DAYS = 400

@lru_cache(maxsize=1)
def _plan_vendors() -> frozenset:
    """Catalogue vendors that bill a plan at a set price (not a metered bill:
    :func:`detector.catalog.metered_vendors`)."""
    from .catalog import load_vendors

    return frozenset(v.name for v in load_vendors()) - metered_vendors()


def switched_to_yearly(s: pd.DataFrame) -> pd.DataFrame:
    """Yearly charges inside a shorter plan's chain: the plan switched to yearly billing and the
    detector kept one stream. Charges YEARLY_SWITCH times the chain's median or more, two or
    more of them a year apart (YEAR_DAYS), returned as an annual chain of their own."""
    short = s[~s["frequency"].isin(LONG_FREQUENCIES)]
    big = short[short["charge"] >= YEARLY_SWITCH * short.groupby("chain_id")["charge"].transform("median")]
    if big.empty:
        return big.copy()
    g = big.groupby("chain_id", sort=False)["ts"]
    gap_prev, gap_next = g.diff().dt.days, -g.diff(-1).dt.days
    yearly = gap_prev.between(*YEAR_DAYS) | gap_next.between(*YEAR_DAYS)
    r = big[yearly]
    r = r[r.groupby("chain_id")["ts"].transform("size") >= 2]
    return r.assign(chain_id=r["chain_id"] + "\x1fyearly", frequency="annual", period=365.0)


def long_plans(s: pd.DataFrame, t: pd.DataFrame, conversions: frozenset | set = frozenset()) -> pd.DataFrame:
    """The charges of six-monthly and yearly chains that are plans, not spending.

    A plan renews at a price; a "stream" whose amount jumps around every time (fuel bought now
    and then) is spending, whatever its cadence. One price step is not a jump (the lower median
    of the changes), and a catalogue vendor selling plans at a set price is a plan whose price
    changed (an insurance premium moves at every term). A merchant the account also buys from
    at other amounts is a shop (:func:`_shop`). ``conversions``: the ids of trial conversions,
    whose intro charge before them is the plan's own first charge, however long before.
    """
    long = s[s["frequency"].isin(LONG_FREQUENCIES)]
    if long.empty:
        return long.copy()
    # An order far below the plan's price, months before its next charge, that the detector put
    # in the chain (a 62.13 purchase before two 139.00 renewals) is not the plan's: not its
    # sign-up (an intro or trial bills a month or so before the full price), not a renewal.
    g = long.groupby("chain_id", sort=False)
    to_next = (g["ts"].shift(-1) - long["ts"]).dt.days
    stray = (long["charge"] < INTRO_RATIO * g["charge"].transform("median")) & (to_next > STRAY_ORDER_DAYS)
    # ... but an introductory year (Norton's 49.99, then 109.99 a year on, a trial conversion)
    # is the plan's sign-up: the chain, its renewals and "subscribed since" start there
    # (round-twenty-nine audit: "subscribed since 2023-11-12" for a plan taken on 2022-11-12, and
    # the conversion, the chain's second charge, was no renewal).
    stray &= ~g["transaction_id"].shift(-1).isin(set(conversions))
    long = long[~stray]
    change = long.groupby("chain_id", sort=False)["charge"].pct_change().abs()
    noise = long["chain_id"].map(change.groupby(long["chain_id"]).quantile(0.5, interpolation="lower"))
    n_changes = change.notna().groupby(long["chain_id"]).transform("sum")
    plan_vendor = long["stream_vendor"].isin(_plan_vendors())
    erratic = (n_changes >= 2) & (noise > MAX_BILL_NOISE) & ~plan_vendor
    return long[~erratic & ~_shop(long, t)].copy()


def flag_renewals(long: pd.DataFrame, t: pd.DataFrame, *, renewal_before_data: bool = True,
                  conversions: frozenset | set = frozenset()) -> pd.DataFrame:
    """``annual_renewal`` flags of :func:`long_plans` charges (duplicates already removed).

    ``t`` is every prepared transaction: the account's history start and its other charges of
    the merchant are evidence about a chain's first charge, and so are ``conversions``, the
    ids of trial conversions (the first paid charge after a trial is the sign-up).
    """
    if long.empty:
        return empty_flags()
    g = long.groupby("chain_id", sort=False)
    long["pos"] = g.cumcount()
    long["first_date"] = g["date"].transform("first")
    long["prev_date"] = g["date"].shift()
    long["prev_charge"] = g["charge"].shift()
    # A yearly plan charged again a day or two after its renewal (an app store's double charge
    # the duplicate rule leaves alone, as the store also sells items at the plan's price) has
    # not renewed twice: "renewed yearly ... (previous charge 84.99 on 2024-12-19)" on the 20th
    repeat = (long["ts"] - g["ts"].shift()).dt.days < REPEAT_SHARE * long["period"]
    history_start = pd.to_datetime(t.groupby("account_id")["date"].min())
    long["history_start"] = long["account_id"].map(history_start)
    unseen_start = pd.Series(False, index=long.index)
    if renewal_before_data:
        unseen_start = ((long["pos"] == 0) & _renews_an_older_plan(long, g, t)
                        & ~long["transaction_id"].isin(conversions))
    # A chain whose first charge was taken for a renewal began before the data: its later
    # renewals say so too, not "subscribed since" that first charge (sixteenth audit: one plan's
    # two flags contradicted each other)
    long["began_before"] = unseen_start.groupby(long["chain_id"].to_numpy(), sort=False).transform("any")
    r = long[((long["pos"] >= 1) & ~repeat) | unseen_start].copy()
    if r.empty:
        return empty_flags()
    word = r["frequency"].map({"annual": "yearly", "semiannual": "every six months"})
    # a tax paid in two fixed months unevenly apart (December and April) is renewed in them
    word = _in_fixed_months(long).reindex(r.index).fillna(word)
    start = r["history_start"].dt.strftime("%Y-%m-%d")
    subscribed = ("subscribed since " + r["first_date"]).where(
        ~r["began_before"], "subscribed since before " + start + ", when your history begins")
    later = " (previous charge " + _money(r["prev_charge"], r["_dp"]) + " on " \
        + r["prev_date"].fillna("") + ", " + subscribed + ")"
    first = ("; the plan seems to have started before your history begins ("
             + start.where(start != r["date"], "with this charge") + ")")
    since = later.where(r["pos"] >= 1, first)
    reason = _name(r) + " renewed " + word + " for " + _money(r["charge"], r["_dp"]) + " on " + r["date"] + since
    severity = np.where(r["charge"] >= HIGH_RENEWAL_PRICE * r["_scale"], "high", "medium")
    return _flag_rows(r, "annual_renewal", severity, reason)


def _in_fixed_months(long: pd.DataFrame) -> pd.Series:
    """Per charge of a six-monthly chain paid twice a year in two fixed months unevenly apart
    (:func:`detector.cadence.fixed_months_a_year`: a property tax in December and April, which
    the detector reads six-monthly, the issue's nearest frequency): "twice a year, in December
    and April", the months of the chain's last two charges (round forty: its flags said "renewed
    every six months"). Charges of other chains are left out."""
    semi = long[long["frequency"].to_numpy() == "semiannual"].sort_values(["chain_id", "ts"], kind="stable")
    if semi.empty:
        return pd.Series(dtype=object)
    chain = pd.factorize(semi["chain_id"])[0]
    interval = semi.groupby("chain_id", sort=False)["ts"].diff().dt.days.to_numpy(dtype=float)
    n = np.bincount(chain)
    twice = fixed_months_a_year(interval, chain, n, np.ones(len(semi), dtype=bool)) == 2
    month = semi["ts"].dt.month_name()
    g = month.groupby(semi["chain_id"].to_numpy(), sort=False)
    words = "twice a year, in " + g.transform(lambda m: m.iloc[-2]) + " and " + g.transform("last") + ","
    return words[twice[chain]]


def _renews_an_older_plan(long: pd.DataFrame, g, t: pd.DataFrame) -> pd.Series:
    """Whether each chain's first charge renews a plan that began before the data.

    The data may start after the subscription did: when the account's history does not reach
    back a full period before a chain's first charge, that charge is taken for a renewal,
    unless something shows it is the sign-up: a trial or introductory price (about half the
    next charge or less), or the merchant billing another plan shortly before (a switch from
    monthly to yearly billing starts a new plan).
    """
    seen = (long["ts"] - long["history_start"]).dt.days
    intro = long["charge"] <= INTRO_RATIO * g["charge"].shift(-1)
    unseen = (seen < long["period"] - 5) & (long["charge"] > FREE_MAX * long["_scale"]) & ~intro
    cand = long[unseen & (long["pos"] == 0)]
    if cand.empty:
        return unseen
    # The merchant's other charges in the months before: a plan paid monthly (two charges or
    # more at one price, not this plan's) until the yearly one began is a switch.
    before = t.loc[t["amount"] < 0, ["_ak", "date", "charge", "transaction_id"]]
    j = cand[["transaction_id", "account_id", "stream_key", "ts", "charge", "chain_id", "_sk", "_scale"]].merge(
        before.rename(columns={"_ak": "_sk", "date": "b_date", "charge": "b_charge", "transaction_id": "b_id"}),
        on="_sk", how="inner")
    j["b_ts"] = pd.to_datetime(j["b_date"])
    days = (j["ts"] - j["b_ts"]).dt.days
    # a plan of a dollar or less still billing a month after the yearly charge was not replaced by
    # it (iCloud's 0.99 a month beside a yearly app plan, both billed by Apple)
    later = j[(days < 0) & (days >= -MONTH_ON_DAYS)]
    going_on = set(zip(later["transaction_id"], later["b_charge"].round(2)))
    # (a price last charged within SWITCH_GAP_DAYS; its charges looked at over the year before:
    # a monthly plan's last charge before the switch may come a skipped month before it)
    j = j[(days > 0) & (days <= YEAR_BEFORE_DAYS) & (j["b_charge"] < 0.5 * j["charge"])]
    j = j.assign(paid=j["b_charge"] > FREE_MAX * j["_scale"], b_days=days[j.index])
    j = j.assign(near=j["b_days"] <= SWITCH_GAP_DAYS)
    j = j.sort_values("b_days", kind="stable")
    price = [j["transaction_id"], j["b_charge"].round(2)]
    # (the days of a price's charge before its last: the second of its group, NaN where there is one)
    j = j.assign(b_days_2=j["b_days"].where(j.groupby(price).cumcount() == 1))
    counts = j.groupby(price).agg(
        n=("near", "sum"), paid=("paid", "first"), near=("near", "any"), last=("b_days", "first"),
        before_last=("b_days_2", "first"))
    # one charge at a price is enough; at a trial's price (a dollar or less) a plan is billed
    # twice or more, and stops: 0.99 a month (iCloud's 50 GB) until the 10.99 yearly plan began,
    # both within SWITCH_GAP_DAYS, or its last two a month apart (MONTH_ON_DAYS), the last within
    # them: two 0.99 apps three months apart are no plan
    counts = counts[counts["near"]]
    monthly = (counts["n"] >= 2) | (counts["before_last"] - counts["last"] <= MONTH_ON_DAYS)
    cheap_plan = monthly & ~pd.Series([k in going_on for k in counts.index], index=counts.index, dtype=bool)
    switched = set(counts[counts["paid"] | cheap_plan].index.get_level_values(0))
    return unseen & ~long["transaction_id"].isin(switched | _after_a_plan_ended(cand, before))


def _after_a_plan_ended(cand: pd.DataFrame, before: pd.DataFrame) -> set:
    """The first charges in ``cand`` at a catalogue vendor selling nothing but plans, some yearly,
    that follow a cheaper plan of theirs, ended: two charges or more at one price under half this
    one, none at that price since, however long before (Prime cancelled in March and taken up for
    a year in August: the history starting in January, August's 139.00 had read as a renewal of a
    yearly plan older than the data). Not at an app store, which sells other apps' plans: there a
    plan that stopped says nothing of a yearly app's charge (only the monthly charges just before
    it do, :data:`~detector.yearly_switches.SWITCH_GAP_DAYS`)."""
    cand = cand[cand["stream_vendor"].isin(yearly_plan_vendors()).to_numpy()]
    j = cand[["transaction_id", "ts", "charge", "_sk", "_scale"]].merge(
        before.rename(columns={"_ak": "_sk", "date": "b_date", "charge": "b_charge", "transaction_id": "b_id"}),
        on="_sk", how="inner")
    j = j[(j["b_charge"] > FREE_MAX * j["_scale"]) & (j["b_charge"] < 0.5 * j["charge"])]
    if j.empty:
        return set()
    since = pd.to_datetime(j["b_date"]) >= j["ts"]
    plans = pd.DataFrame({"n": ~since, "again": since}).groupby(
        [j["transaction_id"].to_numpy(), j["b_charge"].round(2).to_numpy()]).agg(n=("n", "sum"), again=("again", "any"))
    ended = plans[(plans["n"] >= 2) & ~plans["again"]]
    return set(ended.index.get_level_values(0))


def _shop(long: pd.DataFrame, t: pd.DataFrame) -> pd.Series:
    """Chains of a merchant the account also buys from at other amounts: a shop, not a plan.

    A yearly plan's merchant does not charge other, random amounts between renewals. App stores
    and marketplaces do (an app, an order beside Prime), so this applies only to merchants the
    catalogue does not know as vendors of plans (a taco stand, a gas station), and not to a
    chain billed the same price to the cent every time: that is a plan the shop sells.
    """
    unknown = ~long["stream_vendor"].isin(_plan_vendors())
    cand = long[unknown]
    if cand.empty:
        return pd.Series(False, index=long.index)
    span = cand.groupby("chain_id").agg(account_id=("account_id", "first"), stream_key=("stream_key", "first"),
                                        lo=("ts", "min"), hi=("ts", "max"), price=("charge", "median"),
                                        period=("period", "first"), n=("charge", "size"),
                                        lo_price=("charge", "min"), hi_price=("charge", "max"),
                                        _sk=("_sk", "first"))
    other = _unstreamed(t, long, ["_ak", "date", "charge"])
    j = span.reset_index().merge(other.rename(columns={"_ak": "_sk"}), on="_sk", how="inner")
    ts = pd.to_datetime(j["date"])
    half = pd.to_timedelta(j["period"] / 2, unit="D")
    near = (ts >= j["lo"] - half) & (ts <= j["hi"] + half)
    off_price = (j["charge"] - j["price"]).abs() > 0.1 * j["price"]
    shops = set(j.loc[near & off_price, "chain_id"])
    # Purchases do not repeat to the cent a period apart: a chain billed the same price every
    # time (twice or more) is a plan sold by the shop (Prime billed by the marketplace).
    same = (span["n"] >= 2) & (span["hi_price"] - span["lo_price"] <= 0.011)
    shops -= set(span.index[same])
    return long["chain_id"].isin(shops)
