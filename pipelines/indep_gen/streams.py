"""One recurring plan through time: its charges, their irregularities, and the true flags.

A plan has a brand, frequency, base price, billing rail (card or ACH) and channel (direct, Apple,
Google, PayPal, Amazon). :func:`simulate` lays out its nominal dates, applies a trial or intro
price, price changes, skipped and late charges, duplicates, refunds, posting delays and weekend
shifts, and (for a cancelled plan the user recorded) charges that kept coming after the
cancellation; then labels each charge with the flags a careful person would raise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from . import banks
from .brands import AMAZON_PURCHASE_NET, APPLE_LOC, APPLE_NET, Brand
from .schedule import PERIOD_DAYS, plan_dates, roll

FX = {"EUR": 1.08, "CHF": 1.12, "GBP": 1.27}
LONG = ("semiannual", "annual")
#: Amount models whose price is steady between deliberate changes (so a rise is a price increase).
STEADY = ("fixed", "steady_bill", "rent", "insurance")


@dataclass
class Charge:
    nominal: date                 # the day the biller meant to charge
    base: float                   # plan price in the plan's currency
    role: str = "regular"         # regular, intro, trial, trial0, dup, refund
    date: date | None = None      # the day the statement shows
    amount: float = 0.0           # signed USD
    desc: str = ""
    flags: list = field(default_factory=list)


@dataclass
class Plan:
    """What to simulate. ``anchor`` is the plan's first bill (before ``start`` for older plans)."""

    brand: Brand
    freq: str
    price: float
    category: str                 # subscription, bill, service
    channel: str = "direct"       # direct, apple, google, paypal, amazon, amazon_hidden
    rail: str = "card"            # card or ach
    anchor: date = date(2000, 1, 1)
    stop: date | None = None      # no nominal bill after this day (plan ended)
    trial: str | None = None      # free, dollar, intro
    cancel: str | None = None     # clean or after (a recorded cancellation)
    days: tuple | None = None     # semimonthly day pair
    merchant: str = ""
    tags: set = field(default_factory=set)
    started_before: bool = False  # set by simulate: the plan's first bill precedes the data

    def __post_init__(self):
        self.merchant = self.merchant or self.brand.name


def _round_price(x: float, like: float) -> float:
    """A new list price in the same style as the old one (x.99, x.49, whole dollars): the nearest such price."""
    cents = round(like * 100) % 100
    if cents == 0:
        return float(round(x))
    if cents in (49, 99, 95):
        f = math.floor(x)
        cands = [f + c for c in (0.49, 0.99)] + [f - 1 + 0.99] if cents != 95 else [f + 0.95, f - 1 + 0.95]
        return round(min(cands, key=lambda c: abs(c - x)), 2)
    return round(x, 2)


def _bump(rng: np.random.Generator, base: float, jitter: bool) -> float:
    """A plan's new price: mostly a rise, some small rises under 5%, some downgrades."""
    for _ in range(20):
        r = rng.random()
        pct = rng.uniform(0.05, 0.32) if r < 0.72 else (rng.uniform(0.0, 0.035) if r < 0.86 else -rng.uniform(0.1, 0.4))
        new = _round_price(base * (1 + pct), base)
        ratio = new / base
        if new <= 0 or abs(ratio - 1) < 0.004:
            continue
        # Where the charged amount jitters, keep clear of the 5% line so the label is not a coin toss.
        if jitter and 1.03 < ratio < 1.08:
            continue
        return new
    return base


def _term_bases(plan: Plan, nominal: list[date], rng) -> list[float]:
    """Base price per nominal bill: one change per term for rent/insurance, one-off changes otherwise."""
    b, m, n = plan.brand, plan.brand.model, len(nominal)
    bases = [plan.price] * n
    jitter = bool(b.cur or b.taxed)
    if m in ("rent", "insurance") or b.cat == "mortgage":
        months = 12 if (m == "rent" or b.cat == "mortgage") else 6
        price = plan.price
        term0 = None
        for i, d in enumerate(nominal):
            term = ((d.year - plan.anchor.year) * 12 + d.month - plan.anchor.month) // months
            if term0 is not None and term != term0:
                if m == "insurance":
                    price *= rng.uniform(1.08, 1.2) if rng.random() < 0.3 else rng.uniform(0.97, 1.035)
                elif b.cat == "mortgage":
                    price *= rng.uniform(0.97, 1.06)
                else:
                    price *= rng.uniform(1.0, 1.08)
                price = round(price, 2)
            term0 = term
            bases[i] = price
        return bases
    if b.cat in ("loan", "invest") or n < 4 or m not in ("fixed", "steady_bill"):
        return bases
    p_change = 0.3 if m == "steady_bill" else 0.22
    if rng.random() < p_change:
        at = int(rng.integers(2, n - 1))
        if m == "steady_bill":
            new = round(plan.price + float(rng.choice([5, 7, 10, 15])), 2)
        else:
            new = _bump(rng, plan.price, jitter)
        bases[at:] = [new] * (n - at)
        if rng.random() < 0.1 and n - at > 4:
            at2 = int(rng.integers(at + 2, n - 1))
            bases[at2:] = [_bump(rng, new, jitter)] * (n - at2)
    return bases


def _amount(plan: Plan, ch: Charge, ctx: banks.AccountCtx, rng, season: tuple) -> float:
    """What the statement shows for a charge of ``ch.base``: variable bills vary, FX and tax jitter."""
    b, m = plan.brand, plan.brand.model
    if ch.role == "trial0":
        return 0.0
    x = ch.base
    if ch.role in ("regular", "dup") and m == "phone":
        x = x * (1 + rng.normal(0, 0.025)) + (rng.uniform(4, 45) if rng.random() < 0.22 else 0.0)
    elif ch.role in ("regular", "dup") and m == "utility":
        amp, peak = season
        x = x * (1 + amp * math.cos(2 * math.pi * (ch.nominal.month - peak) / 12)) * math.exp(rng.normal(0, 0.1))
    if b.cur:
        x = x * FX[b.cur] * (1 + rng.uniform(-0.02, 0.02))
    elif b.taxed and ctx.tax:
        x = x * (1 + ctx.tax) + float(rng.choice([-0.02, -0.01, 0, 0, 0, 0.01, 0.02]))
    return -round(max(x, 0.01), 2) if ch.role != "refund" else round(x, 2)


def simulate(plan: Plan, ctx: banks.AccountCtx, start: date, end: date, rng: np.random.Generator):
    """Charges (sorted, with dates, amounts, roles, flags and descriptors) and the recorded cancellation.

    Returns ``(charges, cancelled_on)``; ``cancelled_on`` is None unless the user recorded one.
    """
    freq, b = plan.freq, plan.brand
    period = PERIOD_DAYS[freq]
    plan.started_before = plan.anchor < start
    first_bill = plan.anchor
    lines: list[Charge] = []
    if plan.trial in ("free", "dollar"):
        lines.append(Charge(plan.anchor, 0.0 if plan.trial == "free" else 1.00,
                            role="trial0" if plan.trial == "free" else "trial"))
        first_bill = plan.anchor + timedelta(days=int(rng.choice([7, 14, 30])) if period >= 30 else 7)
    until = min(end, plan.stop) if plan.stop else end
    nominal = plan_dates(freq, first_bill, until, days=plan.days)
    bases = _term_bases(plan, nominal, rng)
    charges = [Charge(d, p) for d, p in zip(nominal, bases)]
    if plan.trial == "intro" and charges:
        n_intro = 1 if freq in LONG else (12 if b.cat == "news" else int(rng.choice([1, 2, 3])))
        n_intro = min(n_intro, max(len(charges) - 1, 0))
        intro = round(plan.price * float(rng.choice([0.5, 0.25])), 2) if b.cat != "news" else 4.00
        for c in charges[:n_intro]:
            c.role, c.base = "intro", intro
        if n_intro:
            plan.tags.add("intro")
    charges = lines + charges
    # Irregular schedule: a skipped bill, a late one (retried after a decline).
    regular = [c for c in charges if c.role == "regular" and c.nominal >= start]
    if freq not in LONG and len(regular) >= 6 and rng.random() < 0.07:
        victim = regular[int(rng.integers(1, len(regular) - 1))]
        charges.remove(victim)
        plan.tags.add("skip")
        regular.remove(victim)
    if len(regular) >= 4 and rng.random() < 0.10:
        c = regular[int(rng.integers(1, len(regular) - 1))]
        c.nominal += timedelta(days=int(rng.integers(3, 11)) if period >= 30 else int(rng.integers(2, 4)))
        plan.tags.add("late")
    # Posting: ACH on the next business day; card charges post a day or two later on business days.
    for c in charges:
        c.date = _post(c.nominal, plan.rail, ctx, rng)
    season = (rng.uniform(0.2, 0.45), int(rng.choice([1, 7])))
    for c in charges:
        c.amount = _amount(plan, c, ctx, rng, season)
    charges = [c for c in charges if c.date >= start and c.date <= end]
    charges.sort(key=lambda c: c.date)
    regular = [c for c in charges if c.role == "regular"]
    # Duplicates: the biller charges the same cycle twice; half are refunded later.
    p_dup = 0.05 if plan.category == "subscription" else 0.02
    if regular and rng.random() < p_dup:
        orig = regular[int(rng.integers(len(regular)))]
        gap = int(rng.choice([0, 0, 1, 2, 3]))
        dup = Charge(orig.nominal + timedelta(days=gap), orig.base, role="dup")
        dup.date = orig.date + timedelta(days=gap)
        dup.amount = orig.amount if not b.cur else _amount(plan, dup, ctx, rng, season)
        if dup.date <= end:
            charges.append(dup)
            plan.tags.add("dup")
            if rng.random() < 0.5:
                _refund(charges, dup, rng, end, full=True)
    if regular and rng.random() < 0.04:
        _refund(charges, regular[int(rng.integers(len(regular)))], rng, end, full=rng.random() < 0.7)
        plan.tags.add("refund")
    charges.sort(key=lambda c: (c.date, c.role == "dup"))
    cancelled_on = _cancellation(plan, charges, rng, period, end)
    _label(plan, charges, cancelled_on)
    for c in charges:
        c.desc = describe(plan, c, ctx)
    return charges, cancelled_on


def _post(nominal: date, rail: str, ctx: banks.AccountCtx, rng) -> date:
    if rail == "ach":
        return roll(nominal, forward=ctx.ach_forward)
    if ctx.kind == "card" and ctx.card_dates == "transaction":
        return nominal
    delay = int(rng.choice([0, 1, 2, 3], p=[0.35, 0.45, 0.15, 0.05]))
    return roll(nominal + timedelta(days=delay))


def _refund(charges: list, of: Charge, rng, end: date, full: bool) -> None:
    amt = -of.amount if full else round(-of.amount * float(rng.uniform(0.2, 0.8)), 2)
    d = of.date + timedelta(days=int(rng.integers(2, 16)))
    if d <= end and amt > 0:
        r = Charge(of.nominal, of.base, role="refund")
        r.date, r.amount = d, amt
        charges.append(r)


def _cancellation(plan: Plan, charges: list, rng, period: int, end: date) -> date | None:
    """The day the user recorded cancelling; for 'after', the last 1-2 (rarely 3) bills come later."""
    if not plan.cancel or not plan.stop:
        return None
    bills = [c for c in charges if c.role in ("regular", "intro", "trial") and c.amount < 0]
    if not bills:
        return None
    if plan.cancel == "after":
        m = int(rng.choice([1, 1, 1, 2, 2, 3]))
        if len(bills) > m:
            before, first_after = bills[-m - 1].date, bills[-m].date
            lo, hi = before + timedelta(days=1), first_after - timedelta(days=1)
            if lo <= hi:
                plan.tags.add("charged_after_cancel")
                return lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))
        plan.cancel = "clean"
    last = bills[-1].date
    if rng.random() < 0.1:
        plan.tags.add("cancel_on_charge_day")
        return last
    return min(last + timedelta(days=int(rng.integers(1, max(2, min(period, 28))))), end)


def _label(plan: Plan, charges: list, cancelled_on: date | None) -> None:
    """The true flags (primary reading: a plan begun before the data renews on its first charge seen)."""
    long_ = plan.freq in LONG
    steady = plan.brand.model in STEADY and plan.brand.cat not in ("invest",)
    prev_role, prev_base = None, None
    signup_done = plan.started_before
    for c in charges:
        if c.role in ("refund", "trial0"):
            if c.role == "trial0":
                prev_role = "trial0"
            continue
        if cancelled_on is not None and c.date > cancelled_on:
            c.flags.append("charge_after_cancellation")
        if c.role == "dup":
            c.flags.append("duplicate_charge")
            continue
        if c.role in ("trial", "intro"):
            prev_role = c.role
            signup_done = True  # the trial or intro charge is the sign-up
            continue
        # regular charge
        if prev_role in ("trial", "trial0", "intro"):
            c.flags.append("trial_conversion")
            if long_ and prev_role == "intro":
                c.flags.append("annual_renewal")  # an intro year renews at full price
        elif steady and prev_base is not None and c.base >= prev_base * 1.05 - 1e-9:
            c.flags.append("price_increase")
        if long_ and prev_role not in ("trial", "trial0", "intro") and signup_done:
            c.flags.append("annual_renewal")
        signup_done = True
        prev_role, prev_base = "regular", c.base


def describe(plan: Plan, c: Charge, ctx: banks.AccountCtx) -> str:
    """The statement line for one charge of ``plan``."""
    b = plan.brand
    when = c.nominal
    credit = c.role == "refund"
    plaid = b.plaid or b.name
    if plan.channel == "apple":
        name, loc, st, plaid = ctx.pick("apple_net", APPLE_NET), ctx.pick("apple_loc", APPLE_LOC), "CA", "Apple"
    elif plan.channel == "paypal":
        if ctx.style == "bofa_chk":
            return (f"PAYPAL DES:INST XFER ID:{b.paypal} INDN:{ctx.holder.replace(' ', ',', 1)} "
                    f"CO ID:PAYPALSI{ctx.store('paypal')[:2]} WEB")
        name, loc, st = f"PAYPAL *{b.paypal}", "4029357733", "CA"
    elif plan.channel == "amazon_hidden":
        name = banks.fill(ctx.pick("amzn_net", AMAZON_PURCHASE_NET), ctx, when, "amazon")
        loc, st, plaid = "Amzn.com/bill", "WA", "Amazon"
    elif plan.rail == "ach":
        co, entry = b.ach
        return banks.ach_line(ctx, co, entry, c.date, plaid=plaid, key=b.name, credit=credit)
    else:
        name = banks.fill(ctx.pick("net:" + b.name, b.net), ctx, when, b.name)
        loc, st = (ctx.pick("loc:" + b.name, b.loc) if b.loc else ""), b.st
    return banks.card_line(ctx, name, loc, st, when, plaid=plaid, recurring=True, credit=credit)
