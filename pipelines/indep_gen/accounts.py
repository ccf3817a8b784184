"""One account: which plans it pays, its payroll, its ordinary spending, and the rows they make."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np

from . import banks
from .brands import (
    AMAZON_PRIME,
    AMAZON_PURCHASE_NET,
    APPLE_LOC,
    APPLE_NET,
    APPLE_ONEOFF_PRICES,
    APPLE_SERVICES,
    BARBER,
    BILLS,
    CITIES,
    COFFEE,
    DINING,
    EMPLOYERS,
    FEES,
    FUEL,
    GOOGLE_ONEOFF,
    GROCERY,
    PEOPLE,
    SERVICES,
    SHOPPING,
    SUBSCRIPTIONS,
    TRANSPORT,
    Brand,
)
from .schedule import PERIOD_DAYS, SEMIMONTHLY_DAYS, last_day, plan_dates, roll
from .streams import Plan, simulate

FREQ_WEIGHT = {"monthly": 1.0, "annual": 0.35, "semiannual": 0.5, "quarterly": 0.45, "weekly": 1.0,
               "biweekly": 1.0, "semimonthly": 1.0}
FIRST = ["JOHN", "MARY", "CARLOS", "AISHA", "WEI", "PRIYA", "DAVID", "EMILY", "JAMAL", "SOFIA", "KEVIN", "HANNAH"]
LAST = ["DOE", "SMITH", "GARCIA", "KHAN", "CHEN", "PATEL", "JOHNSON", "NGUYEN", "WILLIAMS", "ROSSI", "KIM", "OKAFOR"]


def _pick(rng, brands: list[Brand], k: int, exclude=()) -> list[Brand]:
    pool = [b for b in brands if b.name not in exclude]
    k = min(k, len(pool))
    if k <= 0:
        return []
    w = np.array([b.pop for b in pool], float)
    idx = rng.choice(len(pool), size=k, replace=False, p=w / w.sum())
    return [pool[i] for i in idx]


def _freq(rng, brand: Brand) -> str:
    keys = list(brand.plans)
    w = np.array([FREQ_WEIGHT[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


def new_context(account_id: str, rng: np.random.Generator) -> banks.AccountCtx:
    """A fresh account: checking (ACH bills, payroll) or credit card, and the bank whose export it is."""
    kind = "checking" if rng.random() < 0.6 else "card"
    styles, weights = (banks.CHECKING_STYLES, banks.CHECKING_WEIGHTS) if kind == "checking" else (
        banks.CARD_STYLES, banks.CARD_WEIGHTS)
    style = styles[int(rng.choice(len(styles), p=np.array(weights) / sum(weights)))]
    city, st = CITIES[int(rng.integers(len(CITIES)))]
    ctx = banks.AccountCtx(account_id, style, kind, f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                           banks.code(rng, 4, True), city, st, rng)
    ctx.tax = 0.0 if rng.random() < 0.45 else round(float(rng.uniform(0.04, 0.1)), 4)
    ctx.ach_forward = rng.random() < 0.85
    ctx.card_dates = "transaction" if rng.random() < 0.5 else "posted"
    return ctx


def _plan(ctx, rng, brand: Brand, category: str, start: date, end: date, *, freq=None, price=None,
          channel="direct", p_before=0.75, p_stop=0.15) -> Plan:
    freq = freq or _freq(rng, brand)
    price = float(price if price is not None else rng.choice(brand.plans[freq]))
    rail = "ach" if (brand.ach and ctx.kind == "checking" and rng.random() < brand.p_ach and channel == "direct") else "card"
    period = PERIOD_DAYS[freq]
    span = (end - start).days
    if rng.random() < p_before:
        anchor = start - timedelta(days=int(rng.integers(1, max(period, 400) + 1)))
    elif rng.random() < 0.85 and span > 2 * period:
        anchor = start + timedelta(days=int(rng.integers(0, span - 2 * period)))
    else:
        anchor = start + timedelta(days=int(rng.integers(0, span)))
    if freq in ("weekly", "biweekly") and rail == "ach":
        anchor = roll(anchor)
    p = Plan(brand, freq, price, category, channel=channel, rail=rail, anchor=anchor,
             days=SEMIMONTHLY_DAYS[int(rng.integers(len(SEMIMONTHLY_DAYS)))] if freq == "semimonthly" else None)
    if rng.random() < p_stop:
        lo = max(anchor, start) + timedelta(days=int(2.5 * period))
        if lo < end:
            p.stop = lo + timedelta(days=int(rng.integers(0, (end - lo).days + 1)))
    if anchor >= start and brand.trials and category == "subscription" and rng.random() < 0.35:
        p.trial = str(rng.choice(brand.trials))
    if p.stop and category == "subscription" and rng.random() < 0.6:
        p.cancel = "after" if rng.random() < 0.35 else "clean"
    return p


def compose(ctx: banks.AccountCtx, start: date, end: date, rng: np.random.Generator) -> list[Plan]:
    """The plans one account pays: subscriptions (some through Apple, Google, PayPal, Amazon), bills, services."""
    plans: list[Plan] = []
    n_sub = 2 + int(rng.poisson(3.0)) + (1 if ctx.kind == "card" else 0)
    for b in _pick(rng, SUBSCRIPTIONS, n_sub):
        channel = "paypal" if b.paypal and rng.random() < 0.15 else "direct"
        p = _plan(ctx, rng, b, "subscription", start, end, channel=channel, p_stop=0.2)
        plans.append(p)
        # Switching a monthly plan to the yearly one: the monthly stream ends, a yearly one begins.
        if ("monthly" in b.plans and "annual" in b.plans and p.freq == "monthly" and p.stop is None
                and rng.random() < 0.08):
            switch = start + timedelta(days=int(rng.integers(90, 330)))
            p.stop = switch - timedelta(days=1)
            q = _plan(ctx, rng, b, "subscription", start, end, freq="annual", channel=channel, p_before=0, p_stop=0)
            q.anchor, q.trial, q.rail = switch + timedelta(days=int(rng.integers(0, 4))), None, p.rail
            q.tags.add("switched_to_annual")
            plans.append(q)
        if b.extra.get("annual_fee") and p.freq == "monthly" and rng.random() < 0.6:
            q = _plan(ctx, rng, b, "subscription", start, end, freq="annual", price=b.extra["annual_fee"],
                      channel=channel, p_stop=0)
            q.rail = p.rail
            q.tags.add("second_plan_same_merchant")
            plans.append(q)
    if rng.random() < 0.4:  # Apple's own services behind APPLE.COM/BILL, at different prices
        k = int(rng.choice([1, 2, 2, 3]))
        prices: set = set()
        for b in _pick(rng, APPLE_SERVICES, k):
            f = _freq(rng, b)
            options = [x for x in b.plans[f] if x not in prices]
            if not options:
                continue
            p = _plan(ctx, rng, b, "subscription", start, end, freq=f, price=float(rng.choice(options)),
                      channel="apple", p_stop=0.15)
            prices.add(p.price)
            p.tags.add("aggregator")
            plans.append(p)
    if rng.random() < 0.45:
        ch = "amazon_hidden" if rng.random() < 0.4 else "direct"
        p = _plan(ctx, rng, AMAZON_PRIME, "subscription", start, end, freq="monthly" if rng.random() < 0.55 else "annual",
                  channel=ch, p_stop=0.1)
        p.tags.add("aggregator")
        plans.append(p)
    checking = ctx.kind == "checking"

    def some(cat, p, k=1, pool=BILLS, category="bill", **kw):
        cands = [b for b in pool if b.cat == cat and (checking or b.p_ach < 1.0)]
        if rng.random() < p:
            for b in _pick(rng, cands, k):
                plans.append(_plan(ctx, rng, b, category, start, end, p_before=0.9, p_stop=0.05, **kw))

    some("phone", 0.85 if checking else 0.25)
    some("internet", 0.7 if checking else 0.2)
    some("utility", 0.85 if checking else 0.05, k=int(rng.choice([1, 1, 2])))
    some("insurance", 0.7 if checking else 0.15)
    if checking:
        some("loan", 0.45, k=int(rng.choice([1, 1, 2])))
        r = rng.random()
        some("rent" if r < 0.5 else "mortgage", 0.8)
        some("invest", 0.45, pool=SERVICES, category="service")
        some("childcare", 0.15, pool=SERVICES, category="service")
    some("gym", 0.35 if checking else 0.3, category="subscription")
    some("home", 0.25 if checking else 0.08, pool=SERVICES, category="service")
    some("pets", 0.08, pool=SERVICES, category="service")
    return plans


def payroll(ctx, start: date, end: date, rng) -> list[tuple]:
    """Pay deposits (inflows): biweekly Fridays, semimonthly, weekly or monthly, moved before holidays."""
    rows = []
    n_jobs = 1 + int(rng.random() < 0.15)
    for _ in range(n_jobs):
        co, plaid = EMPLOYERS[int(rng.integers(len(EMPLOYERS)))]
        freq = str(rng.choice(["biweekly", "semimonthly", "weekly", "monthly"], p=[0.55, 0.25, 0.08, 0.12]))
        net = float(rng.uniform(900, 4200)) * {"weekly": 0.5, "biweekly": 1, "semimonthly": 1.08, "monthly": 2.16}[freq]
        if freq in ("weekly", "biweekly"):
            first = start - timedelta(days=int(rng.integers(0, 14)))
            first += timedelta(days=(4 - first.weekday()) % 7)  # a Friday
            dates = plan_dates(freq, first, end)
        elif freq == "semimonthly":
            dates = plan_dates(freq, start, end, days=(15, 31))
        else:
            dates = [date(y, m, last_day(y, m)) for y, m in _months(start, end)]
        for d in dates:
            d = roll(d, forward=False)
            if not (start <= d <= end):
                continue
            amt = net * (1 + rng.normal(0, 0.01)) * (1 + (rng.uniform(0.05, 0.3) if rng.random() < 0.1 else 0))
            desc = banks.ach_line(ctx, co, "PAYROLL", d, plaid=f"{plaid} Payroll", key="pay:" + co, credit=True)
            rows.append((d, desc, round(amt, 2)))
    return rows


def _months(start: date, end: date):
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _days(rng, start: date, end: date, rate_per_month: float) -> list[date]:
    span = (end - start).days + 1
    n = int(rng.poisson(rate_per_month * span / 30.4))
    return sorted(start + timedelta(days=int(x)) for x in rng.integers(0, span, n))


def _post(ctx, d: date, rng) -> date:
    if ctx.kind == "card" and ctx.card_dates == "transaction":
        return d
    return roll(d + timedelta(days=int(rng.choice([0, 1, 1, 2]))))


def spending(ctx, start: date, end: date, rng, *, apple: bool, scale: float) -> list[tuple]:
    """Ordinary purchases, hard negatives included: same-price coffee on irregular days, a haircut
    every few weeks at one price, Amazon and Apple one-offs (some at a subscription's price), fees."""
    rows = []

    def buy(kind, options, rate, mu, sigma, favs=3, online=False, fixed=None):
        fav = [options[i] for i in rng.choice(len(options), size=min(favs, len(options)), replace=False)]
        for d in _days(rng, start, end, rate * scale):
            net, plaid = fav[int(rng.integers(len(fav)))]
            name = banks.fill(net, ctx, d, net)
            amt = fixed if fixed is not None else round(math.exp(rng.normal(math.log(mu), sigma)), 2)
            loc, st = ("", "") if online else (ctx.city, ctx.st)
            rows.append((_post(ctx, d, rng), banks.card_line(ctx, name, loc, st, d, plaid=plaid), -amt, kind))
            if rng.random() < 0.02:
                rows.append((_post(ctx, d + timedelta(days=int(rng.integers(3, 20))), rng),
                             banks.card_line(ctx, name, loc, st, d, plaid=plaid, credit=True), amt, kind + "_refund"))

    buy("grocery", GROCERY, 6, 62, 0.6, favs=2)
    if rng.random() < 0.8:
        buy("fuel", FUEL, 3.5, 44, 0.3, favs=3)
    buy("dining", DINING, 7, 21, 0.6, favs=5)
    buy("shopping", SHOPPING, 3, 42, 0.9, favs=6)
    buy("transport", TRANSPORT, 2 if rng.random() < 0.6 else 6, 17, 0.5, favs=2)
    if rng.random() < 0.75:
        amzn = [(n, "Amazon") for n in AMAZON_PURCHASE_NET]
        buy("amazon_purchase", amzn, 3, 29, 0.9, favs=2, online=True)
    if rng.random() < 0.45:  # the coffee habit: one price, irregular days
        price = float(rng.choice([3.45, 4.25, 5.45, 5.95, 6.75]))
        net, plaid = COFFEE[int(rng.integers(len(COFFEE)))]
        p_weekday, p_weekend = rng.uniform(0.3, 0.7), rng.uniform(0.05, 0.3)
        d = start
        while d <= end:
            if rng.random() < (p_weekday if d.weekday() < 5 else p_weekend):
                amt = price if rng.random() < 0.85 else round(price + float(rng.choice([1.1, 2.35, -0.8])), 2)
                name = banks.fill(net, ctx, d, net)
                rows.append((_post(ctx, d, rng), banks.card_line(ctx, name, ctx.city, ctx.st, d, plaid=plaid), -amt,
                             "coffee_habit"))
            d += timedelta(days=1)
    if rng.random() < 0.3:  # a haircut every three to eight weeks, same price
        price = float(rng.choice([25.0, 35.0, 45.0, 60.0]))
        net, plaid = BARBER[int(rng.integers(len(BARBER)))]
        d = start + timedelta(days=int(rng.integers(0, 30)))
        while d <= end:
            name = banks.fill(net, ctx, d, net)
            rows.append((_post(ctx, d, rng), banks.card_line(ctx, name, ctx.city, ctx.st, d, plaid=plaid), -price,
                         "haircut"))
            d += timedelta(days=int(rng.integers(21, 61)))
    if apple or rng.random() < 0.25:
        net, loc = ctx.pick("apple_net", APPLE_NET), ctx.pick("apple_loc", APPLE_LOC)
        for d in _days(rng, start, end, 0.7 * scale):
            amt = float(rng.choice(APPLE_ONEOFF_PRICES))
            rows.append((_post(ctx, d, rng), banks.card_line(ctx, net, loc, "CA", d, plaid="Apple"), -amt, "apple_oneoff"))
    if rng.random() < 0.12:
        for d in _days(rng, start, end, 0.5):
            net = str(rng.choice(GOOGLE_ONEOFF))
            rows.append((_post(ctx, d, rng), banks.card_line(ctx, net, "g.co/helppay#", "CA", d, plaid="Google Play"),
                         -float(rng.choice([1.99, 4.99, 9.99, 19.99])), "google_oneoff"))
    for d in _days(rng, start, end, 0.25):
        fee = str(rng.choice(FEES))
        amt = {"OVERDRAFT ITEM FEE": 35.0, "RETURNED ITEM FEE": 35.0, "LATE FEE": 29.0, "STOP PAYMENT FEE": 30.0,
               "WIRE TRANSFER FEE": 25.0}.get(fee, round(float(rng.uniform(1, 12)), 2))
        rows.append((d, fee if ctx.style != "plaid" else fee.title(), -amt, "fee"))
    if ctx.kind == "checking":
        for d in _days(rng, start, end, 1.2 * scale):
            rows.append((roll(d), banks.atm_line(ctx, d), -float(rng.choice([40, 60, 80, 100, 200])), "atm"))
        people = list(rng.choice(PEOPLE, size=3, replace=False))
        for d in _days(rng, start, end, 2 * scale):
            out = rng.random() < 0.7
            amt = round(math.exp(rng.normal(math.log(45), 0.8)), 2)
            rows.append((d, banks.transfer_line(ctx, str(rng.choice(people)), d, out=out), -amt if out else amt, "p2p"))
    else:
        for y, m in _months(start, end):
            d = date(y, m, min(int(rng.integers(18, 29)), last_day(y, m)))
            if start <= d <= end:
                rows.append((d, banks.card_payment_line(ctx), round(float(rng.uniform(300, 3000)), 2), "card_payment"))
    return rows


def build(account_id: str, rng: np.random.Generator, start: date, end: date):
    """Everything one account contributes: rows ``(date, desc, amount, stream_no, flags, label)``, plans and
    cancellations. ``label`` is the charge's role in its plan or the kind of ordinary spending."""
    ctx = new_context(account_id, rng)
    span = (end - start).days
    if rng.random() < 0.25 and span > 240:  # accounts opened later: a shorter history (at least ~6 months)
        start = start + timedelta(days=int(rng.integers(30, min(365, span - 180))))
    plans = compose(ctx, start, end, rng)
    rows, cancels = [], []
    for i, p in enumerate(plans):
        charges, cancelled_on = simulate(p, ctx, start, end, rng)
        p.charges = charges
        for c in charges:
            rows.append((c.date, c.desc, c.amount, i, tuple(c.flags), c.role))
        if cancelled_on is not None:
            name = p.merchant if rng.random() < 0.8 else p.merchant.lower()
            cancels.append((account_id, name, cancelled_on))
    if ctx.kind == "checking":
        rows += [(d, desc, amt, -1, (), "payroll") for d, desc, amt in payroll(ctx, start, end, rng)]
    scale = float(rng.uniform(0.5, 1.2))
    apple = any(p.channel == "apple" for p in plans)
    rows += [(d, desc, amt, -1, (), kind) for d, desc, amt, kind in spending(ctx, start, end, rng, apple=apple,
                                                                               scale=scale) if start <= d <= end]
    return ctx, plans, rows, cancels
