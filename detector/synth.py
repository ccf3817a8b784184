"""Labelled synthetic bank transactions for training, tests, evaluation and benchmarks.

:func:`generate` builds accounts with recurring services and bills (:mod:`detector.synth_catalog`),
payroll inflows and everyday spending that must not be detected, and returns canonical
transactions plus a truth dict in the format ``shared/eval/score.py`` reads. Everything is
vectorised with numpy over all accounts at once, so a million rows take seconds.

What makes it realistic: bank-specific descriptor wrappers with reference codes and store ids,
card posting delays, ACH bills and payroll rolled over weekends and US holidays, month-end
clamping (31st -> 30th/28th), skipped and late charges, trials, price increases, duplicates,
refund credits, cancellations (some followed by one more charge), variable bills and
cents jitter on foreign-currency charges.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

from .synth_catalog import ACH_STYLES, CARD_STYLES, NOISE, RECURRING

_STEP_MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "semiannual": 6, "annual": 12}
_STEP_DAYS = {"weekly": 7, "biweekly": 14}
_PERIOD = {"weekly": 7, "biweekly": 14, "semimonthly": 15.2, "monthly": 30.44, "bimonthly": 60.88,
           "quarterly": 91.3, "semiannual": 182.6, "annual": 365.25}
_ALNUM = np.frombuffer((string.ascii_uppercase + string.digits).encode(), dtype=np.uint8)


def _month_index(d: np.ndarray) -> np.ndarray:
    return d.astype("datetime64[M]").astype(np.int64)


def _clamped_date(month_idx: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Day ``day`` of month ``month_idx`` (months since 1970-01), clamped to the month's end."""
    first = month_idx.astype("datetime64[M]").astype("datetime64[D]")
    nxt = (month_idx + 1).astype("datetime64[M]").astype("datetime64[D]")
    dim = (nxt - first).astype(np.int64)
    return first + (np.minimum(day, dim) - 1)


def _refs(rng, n: int, length: int = 6, pool: int = 50_000) -> np.ndarray:
    """Random reference codes, drawn from a pool (building a million strings is the slow part)."""
    codes = _ALNUM[rng.integers(0, len(_ALNUM), size=(min(n, pool), length))]
    table = np.ascontiguousarray(codes).view(f"S{length}").ravel().astype(str).astype(object)
    return table[rng.integers(0, len(table), n)]


def _fmt_dates(dates: np.ndarray, fmt: str) -> np.ndarray:
    """strftime over the distinct dates only."""
    uniq, inv = np.unique(dates, return_inverse=True)
    return pd.Series(uniq).dt.strftime(fmt).to_numpy(dtype=object)[inv]


def _render(fmts: np.ndarray, fields: dict[str, np.ndarray]) -> np.ndarray:
    """Fill ``{field}`` placeholders row by row, vectorised per distinct format string."""
    out = np.empty(len(fmts), dtype=object)
    codes, uniques = pd.factorize(fmts)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    fmt_parser = string.Formatter()
    for i, fmt in enumerate(uniques):
        rows = order[bounds[i]:bounds[i + 1]]
        acc = np.full(len(rows), "", dtype=object)
        for literal, name, _, _ in fmt_parser.parse(fmt):
            if literal:
                acc = acc + literal
            if name is not None:
                acc = acc + fields[name][rows]
        out[rows] = acc
    return out


def _business_roll(dates: np.ndarray, years: range, backward: bool) -> np.ndarray:
    hol = np.array(sorted(holidays.US(years=list(years)).keys()), dtype="datetime64[D]")
    return np.busday_offset(dates, 0, roll="backward" if backward else "forward", holidays=hol)


def _kind_code(kind: np.ndarray) -> np.ndarray:
    """0 card, 1 ach, 2 payroll: the way a charge is timed and wrapped."""
    return np.select([kind == "card", kind == "ach"], [0, 1], 2)


def _account_ids(n: int, seed: int) -> np.ndarray:
    return np.array([f"S{seed}-{i:06d}" for i in range(n)], dtype=object)


def _plan_streams(rng, n_accounts: int, start, end) -> pd.DataFrame:
    """One row per (account, recurring template) the account has."""
    weights = np.array([t.weight for t in RECURRING])
    is_pay = np.array([t.direction == "inflow" for t in RECURRING])
    p = np.where(is_pay, 0.0, np.minimum(0.85, 0.16 * weights))
    has = rng.random((n_accounts, len(RECURRING))) < p
    # at most one employer per account; most accounts have one
    pay_idx = np.flatnonzero(is_pay)
    pay_choice = rng.choice(pay_idx, size=n_accounts, p=weights[pay_idx] / weights[pay_idx].sum())
    has[np.arange(n_accounts), pay_choice] = rng.random(n_accounts) < 0.85
    acc, tpl = np.nonzero(has)
    names = np.array([t.name for t in RECURRING], dtype=object)
    freqs = np.array([t.frequency for t in RECURRING], dtype=object)
    # Amazon Prime monthly and annual are alternatives, not both
    key = pd.Series(names[tpl]).astype(str) + "|" + pd.Series(acc).astype(str)
    keep = ~key.duplicated().to_numpy()
    acc, tpl = acc[keep], tpl[keep]
    n = len(acc)
    days = int((end - start).astype(int))
    price = np.empty(n)
    desc = np.empty(n, dtype=object)
    for j, t in enumerate(RECURRING):
        m = tpl == j
        k = int(m.sum())
        if k:
            price[m] = np.asarray(t.prices)[rng.integers(0, len(t.prices), k)]
            desc[m] = np.asarray(t.descriptors, dtype=object)[rng.integers(0, len(t.descriptors), k)]
            desc[m] = np.array([d.replace("{ph}", f"{800 + j % 90}-{300 + 7 * j:03d}-{1000 + 97 * j:04d}")
                                for d in desc[m]], dtype=object)
    freq = freqs[tpl]
    period = np.array([_PERIOD[f] for f in freq])
    origin = start + rng.integers(-420, days - 20, n)
    cancelled = rng.random(n) < 0.2
    cancel_at = origin + (rng.random(n) * 500 + 60).astype(int)
    cancel_at = np.where(cancelled, cancel_at, end + 10_000)
    amount_sd = np.array([RECURRING[j].amount_sd for j in tpl])
    negative = np.array([RECURRING[j].negative for j in tpl], dtype=bool)
    cancelled &= ~negative
    anchor = (origin - origin.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    anchor = np.where(rng.random(n) < 0.12, rng.integers(29, 32, n), anchor)
    return pd.DataFrame({
        "acc": acc, "tpl": tpl, "name": names[tpl], "freq": freq, "period": period, "price": price,
        "desc": desc, "origin": origin, "cancelled": cancelled, "cancel_at": cancel_at,
        "after_cancel": cancelled & (rng.random(n) < 0.35),
        "kind": np.array([RECURRING[j].kind for j in tpl], dtype=object),
        "direction": np.array([RECURRING[j].direction for j in tpl], dtype=object),
        "amount_sd": amount_sd,
        "fx": (rng.random(n) < 0.1) & (amount_sd == 0),
        "trial": (rng.random(n) < np.array([RECURRING[j].trial for j in tpl])) & (origin >= start),
        # a raise is a flag only where the price is steady: on a bill that varies a few
        # percent each month a 6 % raise is not a clear "dearer than before"
        "price_up": (rng.random(n) < 0.2) & (amount_sd <= 0.01),
        "price_up_by": rng.uniform(0.06, 0.35, n),
        "dup": (rng.random(n) < 0.04) & ~negative,
        "negative": negative,
        "refund": rng.random(n) < 0.05,
        "anchor": anchor,
        "semi_b": np.where(rng.random(n) < 0.5, 15, 31),
    })


def _slack(rng, st: pd.DataFrame, si: np.ndarray) -> np.ndarray:
    """Days each charge lands off its schedule beyond posting delays: real billers are looser
    than a calendar. Per monthly stream a timing spread (none for almost half, up to ~5 days
    sd) and a retry rate (a failed payment taken again 3-10 days later, often on low-balance
    accounts). Monthly intervals of people-labelled
    recurring series are off by more than 5 days 14 % of the time; without this, 4 %."""
    n = len(st)
    spread = np.select([rng.random(n) < 0.45, rng.random(n) < 0.55], [0.0, rng.uniform(0.5, 2.0, n)],
                       rng.uniform(2.0, 5.0, n))
    # weekly and biweekly billers (meal kits, rent-to-own, cleaners) keep their weekday, and
    # quarterly to annual renewals their anniversary: a pair of equal fees a year apart give
    # or take ten days is a coincidence, not a renewal
    period = st["period"].to_numpy()
    monthly = (period >= 28) & (period < 60)
    spread = np.where((st["kind"].to_numpy() == "payroll") | ~monthly, 0.0, spread)
    retry_rate = np.where((rng.random(n) < 0.2) & monthly, 0.15, 0.0)
    off = np.rint(rng.normal(0, 1, len(si)) * spread[si]).astype(np.int64)
    retry = rng.random(len(si)) < retry_rate[si]
    return off + np.where(retry, rng.integers(3, 11, len(si)), 0)


def _add_riders(rng, st: pd.DataFrame) -> pd.DataFrame:
    """Streams that ride on another under its descriptor (``Recurring.rider``): advance
    repayments on paydays beside a finance app's fee, starting within two months of it and
    ending when the app is dropped."""
    rate = np.array([t.rider for t in RECURRING])[st["tpl"].to_numpy()]
    host = st[rng.random(len(st)) < rate]
    if host.empty:
        return st
    names = np.array([t.name for t in RECURRING], dtype=object)
    options = [np.flatnonzero(names == RECURRING[j].rider_name) for j in host["tpl"].to_numpy()]
    tpl = np.array([o[rng.integers(0, len(o))] for o in options])
    price = np.array([RECURRING[j].prices[rng.integers(0, len(RECURRING[j].prices))] for j in tpl])
    freq = np.array([RECURRING[j].frequency for j in tpl], dtype=object)
    ride = host.assign(
        tpl=tpl, name=names[tpl], freq=freq, period=[_PERIOD[f] for f in freq], price=price,
        origin=host["origin"].to_numpy() + rng.integers(0, 60, len(host)).astype("timedelta64[D]"),
        kind=[RECURRING[j].kind for j in tpl], amount_sd=0.0, fx=False, trial=False, price_up=False,
        dup=False, refund=False, after_cancel=False, semi_b=np.where(rng.random(len(host)) < 0.5, 15, 31))
    return pd.concat([st, ride], ignore_index=True)


def _add_switches(rng, st: pd.DataFrame, end) -> pd.DataFrame:
    """Monthly plans that move to yearly billing: the monthly charges stop and, one cycle
    later, the plan renews once a year at ten to twelve months' price under the same
    descriptor. Two streams in the truth: the annual one is not a price change of the
    monthly one (its cadence changed), and its renewals are what annual-renewal flags are for."""
    tpl = st["tpl"].to_numpy()
    eligible = ((st["freq"].to_numpy() == "monthly") & (st["direction"].to_numpy() == "outflow")
                & ~st["negative"].to_numpy() & (st["amount_sd"].to_numpy() == 0)
                & np.array([RECURRING[j].kind == "card" and RECURRING[j].companions == 0 for j in tpl]))
    origin = st["origin"].to_numpy().astype("datetime64[D]")
    # the switch comes some months into the plan, while it still runs
    switch = origin + rng.integers(60, 420, len(st))
    eligible &= (switch < st["cancel_at"].to_numpy().astype("datetime64[D]")) & (switch < end)
    pick = eligible & (rng.random(len(st)) < 0.12)
    if not pick.any():
        return st
    monthly = st.copy()
    monthly.loc[pick, "cancel_at"] = switch[pick] - 1
    monthly.loc[pick, ["cancelled", "after_cancel"]] = False
    yearly = st[pick].copy()
    months = rng.uniform(10, 12, len(yearly))
    yearly["price"] = np.maximum(np.round(yearly["price"].to_numpy() * months, 0) - 0.01, 9.99)
    yearly["freq"], yearly["period"] = "annual", _PERIOD["annual"]
    yearly["origin"] = switch[pick] + 30
    first = yearly["origin"].to_numpy().astype("datetime64[D]")
    yearly["anchor"] = (first - first.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    yearly[["trial", "price_up", "refund"]] = False
    return pd.concat([monthly, yearly], ignore_index=True)


def _schedule(rng, st: pd.DataFrame, start, end, rng_slack=None) -> pd.DataFrame:
    """Expand streams into their scheduled charges with every real-world perturbation."""
    days_total = int((end - start).astype(int))
    period = st["period"].to_numpy()
    origin = st["origin"].to_numpy().astype("datetime64[D]")
    k0 = np.maximum(0, np.floor((start - origin).astype(int) / period) - 1).astype(int)
    k1 = np.ceil(((end - origin).astype(int) + 10) / period).astype(int) + 1
    counts = np.maximum(k1 - k0, 0)
    si = np.repeat(np.arange(len(st)), counts)
    k = np.arange(len(si)) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(k0, counts)
    freq = st["freq"].to_numpy()[si]
    o = origin[si]
    date = np.empty(len(si), dtype="datetime64[D]")
    for f, step in _STEP_DAYS.items():
        m = freq == f
        date[m] = o[m] + k[m] * step
    for f, step in _STEP_MONTHS.items():
        m = freq == f
        date[m] = _clamped_date(_month_index(o[m]) + k[m] * step, st["anchor"].to_numpy()[si][m])
    m = freq == "semimonthly"
    day = np.where(k[m] % 2 == 0, np.where(st["semi_b"].to_numpy()[si][m] == 15, 1, 15),
                   st["semi_b"].to_numpy()[si][m])
    date[m] = _clamped_date(_month_index(o[m]) + k[m] // 2, day)
    kind = st["kind"].to_numpy()[si]
    years = range(int(str(start)[:4]) - 2, int(str(end)[:4]) + 2)
    card = kind == "card"
    delay = rng.choice([0, 1, 2, 3], size=len(si), p=[0.6, 0.28, 0.08, 0.04])
    date = np.where(card, date + delay, date)
    date = np.where(kind == "ach", _business_roll(date, years, backward=False), date)
    date = np.where(kind == "payroll", _business_roll(date, years, backward=True), date)
    jitter = np.array([t.jitter for t in RECURRING])[st["tpl"].to_numpy()][si]
    date = date + np.rint(rng.normal(0, 1, len(si)) * jitter).astype(np.int64)
    late = rng.random(len(si)) < 0.03
    date = np.where(late, date + rng.integers(3, 10, len(si)), date)
    if rng_slack is not None:
        date = date + _slack(rng_slack, st, si)
    price = st["price"].to_numpy()[si]
    amount = price.copy()
    first_of_stream = (k == 0)
    # trial / intro charge at the start of a new stream
    trial = st["trial"].to_numpy()[si] & first_of_stream
    intro = np.where(rng.random(len(si)) < 0.5, 1.0, np.round(price * 0.5, 0) - 0.01)
    amount = np.where(trial, np.maximum(intro, 0.99), amount)
    # price increase from a random cycle on
    up = st["price_up"].to_numpy()[si]
    n_cyc = np.maximum(counts, 4)
    k_up = np.repeat(k0 + 2 + (rng.random(len(st)) * (n_cyc - 3)).astype(int), counts)
    raised = up & (k >= k_up)
    raw = price * (1 + st["price_up_by"].to_numpy()[si])
    new_price = np.round(raw, 0) - 0.01  # prices end in .99
    new_price = np.where(new_price >= price * 1.05, new_price, np.round(raw, 2))
    amount = np.where(raised & ~trial, new_price, amount)
    sd = st["amount_sd"].to_numpy()[si]
    month = (date.astype("datetime64[M]").astype(int) % 12)
    season = np.where(sd >= 0.2, 1 + 0.25 * np.cos(2 * np.pi * month / 12), 1.0)
    amount = amount * season * np.exp(rng.normal(0, 1, len(si)) * sd)
    fx = st["fx"].to_numpy()[si]
    amount = np.where(fx, amount * (1 + rng.normal(0, 0.012, len(si))), amount)
    round_to = np.array([t.round_to for t in RECURRING])[st["tpl"].to_numpy()][si]
    amount = np.where(round_to > 0, np.maximum(np.rint(amount / np.maximum(round_to, 1)), 1) * round_to, amount)
    amount = np.round(amount, 2)
    cancel_at = st["cancel_at"].to_numpy().astype("datetime64[D]")[si]
    after = date > cancel_at
    # the first charge after cancellation survives when the vendor failed to stop billing
    first_after = after & ~np.r_[False, (si[1:] == si[:-1]) & after[:-1]]
    after_ok = first_after & st["after_cancel"].to_numpy()[si]
    keep = (date >= start) & (date <= end) & (~after | after_ok)
    gaps = np.maximum(0.03, np.array([t.gaps for t in RECURRING])[st["tpl"].to_numpy()][si])
    keep &= ~((rng.random(len(si)) < gaps) & ~first_of_stream & ~after_ok)  # skipped charge
    ch = pd.DataFrame({"si": si, "k": k, "date": date, "amount": amount, "trial": trial,
                       "raised": raised, "after_cancel": after_ok})[keep]
    del days_total
    return ch.reset_index(drop=True)


def _extras(rng, ch: pd.DataFrame, st: pd.DataFrame) -> pd.DataFrame:
    """Duplicate charges (part of the stream) and refund credits (not)."""
    si = ch["si"].to_numpy()
    first = np.r_[True, si[1:] != si[:-1]]
    order = np.lexsort((rng.random(len(ch)), si))  # one random non-first charge per stream
    cand = order[~first[order]]
    cs = si[cand]
    pick = ch.iloc[cand[np.r_[True, cs[1:] != cs[:-1]]] if len(cand) else cand]
    dups = pick[st["dup"].to_numpy()[pick["si"].to_numpy()]].copy()
    # ``ch["date"]`` is datetime64[s] (pandas keeps seconds): shifts need explicit day units
    dups["date"] = dups["date"].to_numpy() + rng.integers(0, 3, len(dups)).astype("timedelta64[D]")
    dups["is_dup"] = True
    refunds = pick[st["refund"].to_numpy()[pick["si"].to_numpy()]].copy()
    refunds["date"] = refunds["date"].to_numpy() + rng.integers(2, 12, len(refunds)).astype("timedelta64[D]")
    refunds["amount"] = -refunds["amount"]
    refunds["is_refund"] = True
    out = pd.concat([ch, dups, refunds], ignore_index=True)
    for c in ("trial", "raised", "after_cancel", "is_dup", "is_refund"):
        out[c] = out[c].fillna(False).astype(bool)
    return out


def _companions(rng, st: pd.DataFrame, start, end) -> pd.DataFrame:
    """Irregular charges of varying amount under a stream's descriptor while it runs (not part
    of the stream): ``src`` is the stream's row in ``st``."""
    rate = np.array([RECURRING[j].companions for j in st["tpl"].to_numpy()])
    mean = np.array([RECURRING[j].companion_mean for j in st["tpl"].to_numpy()])
    lo = np.maximum(st["origin"].to_numpy().astype("datetime64[D]"), start)
    hi = np.minimum(st["cancel_at"].to_numpy().astype("datetime64[D]"), end)
    span = np.maximum((hi - lo).astype(int), 0)
    # some users lean on the app every week, others now and then
    cnt = rng.poisson(rate * rng.gamma(2.0, 0.5, len(st)) * span / 7.0)
    src = np.repeat(np.arange(len(st)), cnt)
    n = len(src)
    amount = np.maximum(np.round(mean[src] * np.exp(rng.normal(-0.245, 0.7, n)), 2), 0.5)
    date = lo[src] + (rng.random(n) * (span[src] + 1)).astype(np.int64)
    return pd.DataFrame({"src": src, "date": date, "amount": -amount})


def _visits(rng, n_accounts: int, start, end) -> pd.DataFrame:
    """Same-price visits on a renewal schedule (``Noise.every``): each one a random 3-8 weeks
    or so after the last, so the intervals wander around a month with no calendar behind them."""
    days = int((end - start).astype(int)) + 1
    parts = []
    for j, nz in enumerate(NOISE):
        if not nz.every:
            continue
        acc = np.flatnonzero(rng.random(n_accounts) < nz.prob)
        lo = rng.uniform(nz.every[0], nz.every[0] + 7, len(acc))
        hi = rng.uniform(nz.every[1] - 12, nz.every[1], len(acc))
        k = int(days / nz.every[0]) + 2
        steps = lo[:, None] + rng.random((len(acc), k)) * (hi - lo)[:, None]
        when = np.cumsum(steps, axis=1) - rng.random(len(acc))[:, None] * hi[:, None]
        a, i = np.nonzero((when >= 0) & (when < days))
        n = len(a)
        price = np.asarray(nz.points)[rng.integers(0, len(nz.points), len(acc))]
        # now and then an extra service or a tip on top
        amount = np.where(rng.random(n) < 0.15, price[a] + rng.choice([5.0, 10.0, 15.0], n), price[a])
        pref = rng.integers(0, len(nz.descriptors), len(acc))
        parts.append(pd.DataFrame({
            "acc": acc[a], "date": start + when[a, i].astype(np.int64), "amount": -amount,
            "desc": pref[a] + sum(len(x.descriptors) for x in NOISE[:j]), "kind": 0, "negative_of": nz.name}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["acc", "date", "amount", "desc", "kind", "negative_of"])


def _noise(rng, n_accounts: int, start, end, rng_points=None) -> pd.DataFrame:
    days = int((end - start).astype(int)) + 1
    parts = []
    for j, nz in enumerate(NOISE):
        if nz.every:
            continue
        active = rng.random(n_accounts) < nz.prob
        rate = rng.gamma(2.0, nz.per_week / 2.0, n_accounts) * active
        cnt = rng.poisson(rate * days / 7.0)
        acc = np.repeat(np.arange(n_accounts), cnt)
        n = len(acc)
        if nz.points and rng_points is not None:
            pts = np.asarray(nz.points)
            liked = rng_points.integers(0, len(pts), (n_accounts, 3))
            pick = np.where(rng_points.random(n) < 0.75, liked[acc, rng_points.integers(0, 3, n)],
                            rng_points.integers(0, len(pts), n))
            amount = pts[pick]
        elif nz.sd == 0:
            base = np.round(nz.mean * rng.uniform(0.85, 1.15, n_accounts), 2)[acc]
            amount = base
        else:
            amount = np.round(nz.mean * np.exp(rng.normal(-nz.sd ** 2 / 2, nz.sd, n)), 2)
        amount = np.maximum(amount, 0.5)
        pref = rng.integers(0, len(nz.descriptors), n_accounts)
        d = np.where(rng.random(n) < 0.7, pref[acc], rng.integers(0, len(nz.descriptors), n))
        parts.append(pd.DataFrame({
            "acc": acc, "date": start + rng.integers(0, days, n),
            "amount": np.where(nz.credit, amount, -amount),
            "desc": d + sum(len(x.descriptors) for x in NOISE[:j]), "kind": 0, "negative_of": nz.name,
        }))
    return pd.concat(parts, ignore_index=True)


def generate(n_accounts: int = 200, start: str = "2023-01-01", end: str = "2024-12-31",
             seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Synthetic accounts between ``start`` and ``end``: canonical transactions and their truth.

    Truth: ``streams`` (outflow recurring series with enough charges to be seen: 3, or 2 for
    semiannual/annual; ``account_id, merchant, frequency, transaction_ids``), ``inflow_streams``
    (payroll, same shape), ``flags`` (``type, transaction_id``), ``cancellations``
    (``account_id, merchant, cancelled_on``) and ``negatives`` (hard-negative transaction ids
    by kind: groceries, coffee, cash, app purchases, charges beside a stream, ...).
    """
    rng = np.random.default_rng(seed)
    d0, d1 = np.datetime64(start, "D"), np.datetime64(end, "D")
    accounts = _account_ids(n_accounts, seed)
    # a second generator for the later realism cases, so the draws before them stay as they were
    rng2 = np.random.default_rng([seed, 2])
    # and a third for the cases after those (plan switches, renewal-schedule habits)
    rng3 = np.random.default_rng([seed, 3])
    st = _add_switches(rng3, _add_riders(rng2, _plan_streams(rng, n_accounts, d0, d1)), d1)
    ch = _extras(rng, _schedule(rng, st, d0, d1, rng2), st)
    sidx = ch["si"].to_numpy()
    desc_codes, desc_table = pd.factorize(np.r_[st["desc"].to_numpy(dtype=object),
                                                np.asarray([d for nz in NOISE for d in nz.descriptors], dtype=object)])
    ch["acc"] = st["acc"].to_numpy()[sidx]
    ch["desc"] = desc_codes[:len(st)][sidx]
    ch["kind"] = _kind_code(st["kind"].to_numpy(dtype=object))[sidx]
    outflow = st["direction"].to_numpy()[ch["si"].to_numpy()] == "outflow"
    ch["amount"] = np.where(outflow, -ch["amount"], ch["amount"])
    nz = pd.concat([_noise(rng, n_accounts, d0, d1, rng2), _visits(rng3, n_accounts, d0, d1)], ignore_index=True)
    nz["desc"] = desc_codes[len(st):][nz["desc"].to_numpy()]
    nz["si"] = -1
    cp = _companions(rng, st, d0, d1)
    src = cp.pop("src").to_numpy()
    cp = cp.assign(acc=st["acc"].to_numpy()[src], desc=desc_codes[:len(st)][src],
                   kind=_kind_code(st["kind"].to_numpy(dtype=object))[src], si=-1,
                   negative_of="Charges beside a stream")
    # periodic-but-random templates (cash on payday) are hard negatives too
    ch["negative_of"] = np.where(st["negative"].to_numpy()[ch["si"].to_numpy()],
                                 st["name"].to_numpy(dtype=object)[ch["si"].to_numpy()], None)
    rows = pd.concat([ch, nz, cp], ignore_index=True)
    for c in ("trial", "raised", "after_cancel", "is_dup", "is_refund"):
        rows[c] = rows[c].fillna(False).astype(bool)
    rows = rows[(rows["date"] >= d0) & (rows["date"] <= d1)]
    rows = rows.sort_values(["acc", "date", "si"], kind="stable").reset_index(drop=True)
    n = len(rows)
    acc = rows["acc"].to_numpy()
    date = rows["date"].to_numpy().astype("datetime64[D]")
    is_card = rows["kind"].to_numpy() == 0
    auth = date - is_card * rng.integers(0, 2, n)
    md = _fmt_dates(auth, "%m/%d")
    style = rng.integers(0, len(CARD_STYLES), n_accounts)[acc]
    wraps = list(CARD_STYLES) + list(ACH_STYLES)
    combo = (style + np.where(is_card, 0, len(CARD_STYLES))) * len(desc_table) + rows["desc"].to_numpy()
    uniq, inv = np.unique(combo, return_inverse=True)
    fmts = np.array([wraps[c // len(desc_table)].replace("{d}", desc_table[c % len(desc_table)]) for c in uniq],
                    dtype=object)[inv]
    store_codes = rng.integers(100, 9999, (n_accounts, 3))
    which = rng.integers(0, 3, n) * (rng.random(n) < 0.3)
    # a card is used at a few stores, but a standing transfer always goes to the same account
    transfer = np.char.find(np.char.upper(np.asarray(desc_table, dtype=str)), "TRANSFER") >= 0
    si = rows["si"].to_numpy()
    which = np.where(transfer[rows["desc"].to_numpy()] & (si >= 0), si % 3, which)
    store = store_codes[acc, which].astype(str).astype(object)
    fields = {"ref": _refs(rng, n), "store": store, "md": md, "ph": np.full(n, "866-712-7753", dtype=object),
              "mmdd": np.char.replace(md.astype(str), "/", "").astype(object)}
    tid = np.char.add(f"s{seed}t", np.arange(n).astype(str)).astype(object)
    tx = pd.DataFrame({
        "transaction_id": tid, "account_id": accounts[acc],
        "date": _fmt_dates(date, "%Y-%m-%d"),
        "amount": rows["amount"].to_numpy(), "currency": "USD",
        "description": _render(fmts, fields), "source": "synth", "source_file": "", "source_line": 0,
        "id_from_bank": 0,  # the generator's own ids
        # every plan is priced in the account's dollars: no amount in another currency
        "original_amount": np.nan, "original_currency": None,
    })
    return tx, _truth(rows, st, tx, accounts)


def _truth(rows: pd.DataFrame, st: pd.DataFrame, tx: pd.DataFrame, accounts) -> dict:
    rows = rows.assign(tid=tx["transaction_id"].to_numpy())
    member = rows[(rows["si"] >= 0) & ~rows["is_refund"]]
    member = member[~st["negative"].to_numpy()[member["si"].to_numpy()]]
    per = member.groupby("si", sort=True)["tid"].agg(list)
    sub = st.loc[per.index]
    need = np.where(np.isin(sub["freq"].to_numpy(), ["semiannual", "annual"]), 2, 3)
    lens = per.str.len().to_numpy()
    streams, inflows = [], []
    for a, nm, fr, dr, ids, ok in zip(sub["acc"].to_numpy(), sub["name"].to_numpy(dtype=object),
                                      sub["freq"].to_numpy(dtype=object), sub["direction"].to_numpy(dtype=object),
                                      per.to_numpy(), lens >= need):
        if ok:
            rec = {"account_id": accounts[a], "merchant": nm, "frequency": fr, "transaction_ids": ids}
            (streams if dr == "outflow" else inflows).append(rec)
    # flags only on streams the truth lists (a two-charge monthly series is not one)
    flags = _truth_flags(member[member["si"].isin(per.index[lens >= need])], st)
    canc = st[st["cancelled"] & (st["cancel_at"].to_numpy().astype("datetime64[D]") <= rows["date"].max())
              & (st["direction"] == "outflow")]
    canc = canc[canc.index.isin(per.index)]
    cancellations = [{"account_id": accounts[a], "merchant": nm,
                      "cancelled_on": str(np.datetime64(c, "D"))}
                     for a, nm, c in zip(canc["acc"], canc["name"], canc["cancel_at"])]
    neg = rows[rows["negative_of"].notna()]
    negatives = {str(k): list(v) for k, v in neg.groupby("negative_of", sort=True)["tid"]}
    # Plans with too few charges to be a stream yet (a monthly plan billed twice) are neither
    # required nor counted against (score.py's ``minor_ids``, as in the Berka set and the
    # independent generator): a detector may report one as ``early``.
    minor = [t for ids in per.to_numpy()[lens < need] for t in ids]
    return {"streams": streams, "inflow_streams": inflows, "flags": flags, "cancellations": cancellations,
            "negatives": negatives, "minor_ids": minor}


def _truth_flags(member: pd.DataFrame, st: pd.DataFrame) -> list[dict]:
    m = member[st["direction"].to_numpy()[member["si"].to_numpy()] == "outflow"]
    m = m.sort_values(["si", "date", "is_dup"], kind="stable")
    same = m["si"].to_numpy()[1:] == m["si"].to_numpy()[:-1]
    prev_same = np.r_[False, same]
    freq = st["freq"].to_numpy()[m["si"].to_numpy()]
    started_inside = (m["k"].to_numpy() == 0)
    first_row = ~prev_same
    out = []
    # annual_renewal: every charge of a >= 6-month stream except the very first purchase
    ren = np.isin(freq, ["semiannual", "annual"]) & ~(first_row & started_inside) & ~m["is_dup"].to_numpy()
    out += [{"type": "annual_renewal", "transaction_id": t} for t in m["tid"].to_numpy()[ren]]
    # trial_conversion: first non-trial charge right after a kept trial charge
    prev_trial = np.r_[False, m["trial"].to_numpy()[:-1]] & prev_same
    conv = prev_trial & ~m["trial"].to_numpy()
    out += [{"type": "trial_conversion", "transaction_id": t} for t in m["tid"].to_numpy()[conv]]
    # price_increase: first charge at the raised price after a steady (non-trial) charge
    raised = m["raised"].to_numpy()
    prev_steady = np.r_[False, (~m["raised"].to_numpy() & ~m["trial"].to_numpy())[:-1]] & prev_same
    pi = raised & prev_steady & ~m["trial"].to_numpy()
    out += [{"type": "price_increase", "transaction_id": t} for t in m["tid"].to_numpy()[pi]]
    out += [{"type": "duplicate_charge", "transaction_id": t} for t in m["tid"].to_numpy()[m["is_dup"].to_numpy()]]
    out += [{"type": "charge_after_cancellation", "transaction_id": t}
            for t in m["tid"].to_numpy()[m["after_cancel"].to_numpy() & ~m["is_dup"].to_numpy()]]
    return out


def write_eval_set(folder, n_accounts: int = 200, start: str = "2023-01-01", end: str = "2024-12-31",
                   seed: int = 1) -> Path:
    """Write ``tx.csv`` (account_id,transaction_id,date,description,amount) and ``truth.json``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tx, truth = generate(n_accounts, start, end, seed)
    tx[["account_id", "transaction_id", "date", "description", "amount"]].to_csv(folder / "tx.csv", index=False)
    (folder / "truth.json").write_text(json.dumps(truth))
    return folder
