"""When a stream is due next, and at what amount: the day rules of :func:`stream_rows._build`.

A month-based plan keeps its day of the month (``cadence.next_due``); on top of that:

* business-day billers (a direct debit, a payroll: no charge ever on a weekend) are due on their
  usual day, or their n-th weekday, rolled off weekends and the public holidays of their
  currency's country (:func:`business_day_biller`, :func:`nth_weekday_due`,
  :func:`on_business_days`);
* a semimonthly stream is due on the month's other billing day (:func:`semimonthly_due`);
* the next amount is the last one when the price is steady or just moved, or a term plan's
  price only stepped up, the mean of the last three for a bill that moves every cycle
  (:func:`keeps_last_price`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import day_of_month, month_index, weekday
from .schema import FREQUENCIES

#: Public holidays of the country of a currency, for billers that keep to business days.
#: (EUR: the euro payment system's closing days, TARGET2's, as the ``holidays`` package gives them
#: under "ECB"; a currency not listed: weekends only.)
HOLIDAY_COUNTRY = {"USD": "US", "GBP": "GB", "CAD": "CA", "AUD": "AU", "NZD": "NZ", "EUR": "ECB"}


def semimonthly_due(day: np.ndarray, stream: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Next due day of semimonthly streams ``which``: the month's other pay day after the last
    charge (the 15th and the month's end, the 1st and the 15th), not the last charge plus 15
    days. The other day is the commonest day of the month of the charges away from the last
    one's; days in a month's last four count as its end."""
    out = np.empty(len(which), dtype=np.int64)
    # (``stream`` is sorted: each stream's rows are one slice)
    lo, hi = np.searchsorted(stream, which, side="left"), np.searchsorted(stream, which, side="right")
    dom_all, dim_all = day_of_month(np.concatenate([day[a:b] for a, b in zip(lo, hi)]))
    at = np.r_[0, np.cumsum(hi - lo)]
    for k, s in enumerate(which):
        d = day[lo[k]:hi[k]]
        dom, dim = dom_all[at[k]:at[k + 1]], dim_all[at[k]:at[k + 1]]
        anchor = np.where(dom >= dim - 3, 31, dom)
        gap = np.abs(anchor - anchor[-1])
        other = anchor[np.minimum(gap, 31 - gap) > 7]
        if not len(other):
            out[k] = d[-1] + 15
            continue
        values, counts = np.unique(other, return_counts=True)
        want = int(values[counts.argmax()])
        month = d[-1:].astype("datetime64[D]").astype("datetime64[M]")
        for step in (0, 1, 2):
            first = (month + step).astype("datetime64[D]")
            days_in = int(((month + step + 1).astype("datetime64[D]") - first).astype(np.int64)[0])
            due = int((first + (min(want, days_in) - 1)).astype(np.int64)[0])
            if due > d[-1] + 5:  # (a charge posted late is not this month's other day)
                out[k] = due
                break
    return out


def nth_weekday_due(day: np.ndarray, stream: np.ndarray, last_day: np.ndarray, fidx: np.ndarray,
                     n: np.ndarray) -> np.ndarray:
    """Next due day of monthly streams paid on the n-th weekday of the month (US Social Security
    on the second, third or fourth Wednesday; a club on the first Monday), -1 for the others:
    four or more charges, every one on one weekday and in one week of its month.

    Or on the month's last such weekday (a UK salary on the last Friday, which is the 4th or the
    5th Friday by turns: round-thirty-one audit, its median day of the month put it on a Monday or
    a Wednesday): four or more charges, at least :data:`LAST_WEEKDAY_SHARE` of them on one weekday,
    and every one on its month's last such weekday or up to three days before it (paid the
    working day before a bank holiday)."""
    out = np.full(len(n), -1, dtype=np.int64)
    monthly = (fidx == FREQUENCIES.index("monthly")) & (n >= 4)
    if not monthly.any():
        return out
    dom, dim = day_of_month(day)
    week = (dom - 1) // 7
    key = weekday(day) * 5 + week
    first = np.r_[0, np.flatnonzero(np.diff(stream)) + 1]
    same = np.ones(len(n), dtype=bool)
    np.logical_and.at(same, stream, key == key[first][stream])
    take = np.flatnonzero(monthly & same)
    month = last_day.astype("datetime64[D]").astype("datetime64[M]") + 1
    start = month.astype("datetime64[D]").astype(np.int64)
    if len(take):
        wd, wk = key[first][take] // 5, key[first][take] % 5
        first_wd = start[take] + (wd - weekday(start[take])) % 7  # the month's first such weekday
        out[take] = first_wd + 7 * wk
    # the last such weekday of the month
    k = len(n)
    rows = np.bincount(stream, minlength=k)
    by_wd = np.bincount(stream * 7 + weekday(day), minlength=7 * k).reshape(k, 7)
    wd = by_wd.argmax(axis=1)
    month_end = day + (dim - dom)
    gap = month_end - (weekday(month_end) - wd[stream]) % 7 - day  # days to its month's last one
    fits = np.bincount(stream, weights=(gap >= 0) & (gap <= 3), minlength=k) == rows
    last = np.flatnonzero(monthly & ~same & fits & (by_wd.max(axis=1) >= LAST_WEEKDAY_SHARE * rows))
    if len(last):
        end = (month[last] + 1).astype("datetime64[D]").astype(np.int64) - 1  # the next month's last day
        out[last] = end - (weekday(end) - wd[last]) % 7
    return out


#: Share of a monthly stream's charges on one weekday for :func:`nth_weekday_due` to read it as
#: paid on the month's last such weekday (the others a holiday's working day before it).
LAST_WEEKDAY_SHARE = 0.75


def business_day_biller(day: np.ndarray, stream: np.ndarray, n: np.ndarray, fidx: np.ndarray,
                         inflow: np.ndarray) -> np.ndarray:
    """Streams of four or more charges none of which fell on a weekend: a direct debit or a
    payroll, which post on business days (a card plan charges any day). A weekly or biweekly
    outflow keeps its weekday anyway, so missing weekends says nothing of it (a card plan billed
    each Wednesday bills on Christmas Day too); a weekly or biweekly payroll does roll."""
    weekend = weekday(day) >= 5  # Saturday, Sunday
    by_weekday = fidx <= FREQUENCIES.index("biweekly")
    return (np.bincount(stream, weights=weekend, minlength=len(n)) == 0) & (n >= 4) & (~by_weekday | inflow)


def usual_business_day(row_dom: np.ndarray, row_day: np.ndarray, stream_of_row: np.ndarray, n: np.ndarray,
                       inflow: np.ndarray, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per stream of a business-day biller: the day of the month it is due on, and whether some
    day clearly is (it explains twice and 30% of its charges or more).

    A debit due on a Saturday or a Sunday posts on Monday, pay due then comes on Friday: a day
    explains a charge posted on it, or on the business day it rolls to (a Monday's charge may be
    due on the Saturday or the Sunday before, a Friday's pay on the weekend after). The day
    explaining the most charges, :data:`ROLLED_DAY_SHARE` of them or more, is the due day, the
    most of them posted on it deciding between equals; else the day posted on most often is.
    Counting the days posted on alone, a quarterly water bill due on the 5th whose 5th
    fell on a weekend three times of six (Monday the 7th three times) was due on the 7th
    (round-thirty-six audit: next 2025-10-07 for a bill due on Sunday the 5th, Monday the 6th).
    ``row_dom``/``row_day``: the streams' charges' day of the month and epoch day, grouped by
    ``stream_of_row``; ``inflow`` per stream; only the streams ``which`` are read (the others:
    day 0, not clear)."""
    k = len(n)
    at = np.flatnonzero(which[stream_of_row])
    dom, day, s = row_dom[at], row_day[at], stream_of_row[at]
    wd = weekday(day)
    exact = np.bincount(s * 32 + dom, minlength=32 * k).reshape(k, 32)
    explained = exact.copy()
    # (the weekend before a Monday's debit, after a Friday's pay: its days of the month)
    back = inflow[s]
    moved = np.flatnonzero(np.where(back, wd == 4, wd == 0))
    for step in (1, 2):
        then = day[moved] + np.where(back[moved], step, -step)
        explained += np.bincount(s[moved] * 32 + day_of_month(then)[0], minlength=32 * k).reshape(k, 32)
    due = (explained * 64 + exact).argmax(axis=1)
    # a debit that keeps to its due day is explained at nearly every charge; one whose posting
    # wanders (a card plan that never happened to bill on a weekend) keeps its commonest day
    rows = np.arange(k)
    kept = explained[rows, due] >= ROLLED_DAY_SHARE * n
    common = exact.argmax(axis=1)
    due = np.where(kept, due, common)
    return due, kept | (exact[rows, common] >= np.maximum(2, 0.3 * n))


#: The share of a business-day biller's charges its due day must explain, as posted on it or
#: rolled off a weekend from it (:func:`usual_business_day`), to be read from the rolls.
ROLLED_DAY_SHARE = 0.8


def on_business_days(nxt: np.ndarray, business: np.ndarray, inflow: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """``nxt`` of the ``business`` streams moved off weekends and public holidays: due on a
    Saturday, a debit comes on Monday and pay on Friday (money in moves back, money out forward).
    Holidays are those of the currency's country (:data:`HOLIDAY_COUNTRY`; US when the
    statement names no currency, weekends only for a currency not listed), from ``holidays``.
    """
    out = nxt.copy()
    days = nxt.astype("datetime64[D]")
    years = list(range(int(str(days.min())[:4]), int(str(days.max())[:4]) + 1))
    codes = np.array([c if isinstance(c, str) else "USD" for c in currency], dtype=object)
    for code in np.unique(codes[business]):
        hol = closed_days(code, years)
        for back in (True, False):
            at = business & (codes == code) & (inflow == back)
            if at.any():
                moved = np.busday_offset(days[at], 0, roll="backward" if back else "forward", holidays=hol)
                out[at] = moved.astype(np.int64)
    return out


def closed_days(code: str, years: list[int]) -> np.ndarray:
    """The public holidays (``datetime64[D]``, sorted) in ``years`` of the country of currency
    ``code`` (:data:`HOLIDAY_COUNTRY`; none for a currency not listed), from ``holidays``."""
    import holidays

    from .workdays import public_holidays

    country = HOLIDAY_COUNTRY.get(code)
    if country == "ECB":
        found = holidays.financial_holidays("ECB", years=years)
    else:
        found = public_holidays(country, years) if country else {}
    return np.array(sorted(found.keys()), dtype="datetime64[D]")


def fixed_month_due(row_day: np.ndarray, stream_of_row: np.ndarray, last_idx: np.ndarray, per_year: np.ndarray,
                    business: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """Next due day of the streams paid ``per_year`` times a year in fixed months
    (:func:`cadence.fixed_months_a_year`: a property tax in December and April, US estimated
    income tax in April, June, September and January), -1 for the others (``per_year`` 0).

    The next instalment is a year after the ``per_year - 1``-th before the last (not a cycle
    after the last), in its month, on the tax's due day: the day of the month that more than
    half of the stream's instalments could have been due on, the earliest of several. A payer
    on business days (``business``) may have paid on the business day after it, as a tax due on
    a weekend or a public holiday is due then (US estimated tax due Saturday 15 June 2024 was
    paid on Monday the 17th, and Sunday 15 September on Monday the 16th: due the 15th, not the
    16th or the 17th a year on). With no such day (a property tax paid a few days before its
    deadline, on a different day each time), the instalment a year before's day. A due day on a
    weekend or a holiday is rolled forward after (:func:`on_business_days`). ``row_day``: the
    streams' charges (epoch days) grouped by ``stream_of_row`` in date order; ``last_idx``: each
    stream's last charge there; ``currency``: per stream (its country's public holidays,
    :data:`HOLIDAY_COUNTRY`)."""
    out = np.full(len(per_year), -1, dtype=np.int64)
    which = np.flatnonzero(per_year > 0)
    if not len(which):
        return out
    dom = day_of_month(row_day)[0]
    month = month_index(row_day)
    first_idx = np.searchsorted(stream_of_row, np.arange(len(per_year)), side="left")
    years = list(range(int(str(row_day.min().astype("datetime64[D]"))[:4]),
                       int(str(row_day.max().astype("datetime64[D]"))[:4]) + 1))
    for s in which:  # (a few streams: taxes in fixed months)
        lo, last = int(first_idx[s]), int(last_idx[s])
        ref = last - (int(per_year[s]) - 1)  # the instalment a year before the next
        closed: set = set()
        if business[s]:
            code = currency[s] if isinstance(currency[s], str) else "USD"
            closed = set(closed_days(code, years).astype(np.int64).tolist())
        votes = np.zeros(32, dtype=np.int64)
        for r in range(lo, last + 1):
            could, before = [int(dom[r])], int(row_day[r]) - 1
            # (back over the weekend or the holidays before it, within its month)
            while business[s] and (weekday(before) >= 5 or before in closed) and before - row_day[r] > -dom[r]:
                could.append(int(dom[r]) - (int(row_day[r]) - before))
                before -= 1
            votes[could] += 1
        best = int(votes.argmax())  # (the earliest of the most explained)
        day = best if 2 * votes[best] > last - lo + 1 else int(dom[ref])
        start = np.array([month[ref] + 12]).astype("datetime64[M]").astype("datetime64[D]")
        days_in = int(((start.astype("datetime64[M]") + 1).astype("datetime64[D]") - start).astype(np.int64)[0])
        out[s] = int(start.astype(np.int64)[0]) + min(day, days_in) - 1
    return out


def scheduled_due(last_day: np.ndarray, months: list, currency: np.ndarray) -> tuple[np.ndarray, list]:
    """Next due day of streams paid on a payee's schedule (:func:`cadence.scheduled_a_year`: US
    estimated income tax due 15 April, 15 June, 15 September and 15 January), and each one's
    months in the order of the last year's instalments, ending with the last charge's.

    Due on the schedule's day after the instalment the last charge paid (the first due day it
    came at most ``cadence.SCHEDULE_LATE_DAYS`` after), not a year after any charge: a first
    year of instalments is due on its next; a due day on a weekend or a public holiday of the
    currency's country (:data:`HOLIDAY_COUNTRY`) is the next business day, as the IRS's is for
    every payer. ``months``: per stream, its schedule's months (empty: -1 and no months)."""
    from .cadence import SCHEDULE_LATE_DAYS, schedule_due_days

    out = np.full(len(last_day), -1, dtype=np.int64)
    order: list = [()] * len(last_day)
    for s, m in enumerate(months):
        if not m:
            continue
        year = int(str(np.asarray(last_day[s]).astype("datetime64[D]"))[:4])
        dues = schedule_due_days(tuple(m), year - 1, year + 2)
        j = int(np.searchsorted(dues, int(last_day[s]) - SCHEDULE_LATE_DAYS, side="left"))
        code = currency[s] if isinstance(currency[s], str) else "USD"
        closed = closed_days(code, [year, year + 1, year + 2])
        out[s] = int(np.busday_offset(np.int64(dues[j + 1]).astype("datetime64[D]"), 0, roll="forward",
                                      holidays=closed).astype(np.int64))
        paid = dues[j - len(m) + 1:j + 1].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
        order[s] = tuple(int(x) for x in paid)
    return out, order


#: UK self-assessment's due days (month, day): the balancing payment and the first payment on
#: account on 31 January, the second payment on account on 31 July.
SELF_ASSESSMENT_DAYS = ((1, 31), (7, 31))
#: How early and how late (days) a payment may come around one of them and be that instalment:
#: paid early, as HMRC lets anyone, from the start of December or of June; a few days late.
SELF_ASSESSMENT_EARLY_DAYS = 62
SELF_ASSESSMENT_LATE_DAYS = 14


def self_assessment_due(row_day: np.ndarray, stream_of_row: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Next due day of the streams ``which`` (HMRC's, every six months) that are UK
    self-assessment, -1 for the others: every charge paid up to
    :data:`SELF_ASSESSMENT_EARLY_DAYS` before a 31 January or a 31 July or
    :data:`SELF_ASSESSMENT_LATE_DAYS` after it. Due on the next of those days after the one its
    last charge paid: the statutory date, which does not move. A 31 January on a Saturday is no
    Monday 2 February (HMRC wants the money by the 31st, the working day before when it cannot
    arrive on a weekend), and a payer who pays on the 27th owes it by the 31st all the same.
    ``row_day``: the streams' charges (epoch days) grouped by ``stream_of_row`` in date order."""
    out = np.full(len(which), -1, dtype=np.int64)
    take = np.flatnonzero(which)
    if not len(take):
        return out
    years = row_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    dues = np.array([np.datetime64(f"{y:04d}-{m:02d}-{d:02d}") for y in range(int(years.min()) - 1, int(years.max()) + 2)
                     for m, d in SELF_ASSESSMENT_DAYS], dtype="datetime64[D]").astype(np.int64)
    j = np.searchsorted(dues, row_day - SELF_ASSESSMENT_LATE_DAYS, side="left")
    near = (j < len(dues)) & (dues[np.minimum(j, len(dues) - 1)] - row_day <= SELF_ASSESSMENT_EARLY_DAYS)
    k = len(which)
    off = np.bincount(stream_of_row, weights=(~near).astype(float), minlength=k) > 0
    last = np.r_[np.flatnonzero(stream_of_row[1:] != stream_of_row[:-1]), len(stream_of_row) - 1]
    ok = take[~off[take]]
    out[ok] = dues[j[last[ok]] + 1]
    return out


def keeps_last_price(sub: pd.DataFrame, amount_cv: np.ndarray, fidx: np.ndarray) -> np.ndarray:
    """Per stream (``sub``: ``cand``, ``amt`` in date order, candidates sorted): whether the next
    charge is predicted at the last one's amount rather than the mean of the last three.

    A steady plan keeps its price; so does one whose price just moved: the last two charges
    agree (within 1%), or the last differs from the one to three before it, which agree (a price
    change, Netflix 15.49 -> 17.99, where the mean would predict 16.32, a price the merchant never
    charged; Costco 60.00 then 65.00). A bill whose amount moves every cycle (power, water) gets
    the mean of its last three.

    A term plan (billed every six months or a year: ``fidx``, the streams' frequency positions)
    whose price only stepped up keeps its last price too: each charge within 1% of the one before
    (the price held) or at least :data:`TERM_PRICE_STEP` above it (a new price, as a price
    increase is one). A premium or a software licence is priced per term and raised at renewals
    (GEICO 612.40 x3, 658.30 x2, 731.10; Norton 49.99, 109.99, 119.99), where the mean of the
    last three is a price never charged. A term bill that moves a few percent each time, or went
    down, keeps its mean.
    """
    tail4 = sub.groupby("cand", sort=True).tail(4)
    pos = tail4.groupby("cand", sort=True).cumcount(ascending=False).to_numpy()  # 0 = last
    cand = tail4["cand"].to_numpy()
    amt = tail4["amt"].to_numpy()
    keys = np.unique(sub["cand"].to_numpy())
    at = np.searchsorted(keys, cand)
    k = len(keys)
    last = np.full(k, np.nan)
    last[at[pos == 0]] = amt[pos == 0]
    prev = np.full(k, np.nan)
    prev[at[pos == 1]] = amt[pos == 1]
    before = pos >= 1
    n_b = np.bincount(at[before], minlength=k)
    s1 = np.bincount(at[before], weights=amt[before], minlength=k)
    s2 = np.bincount(at[before], weights=amt[before] ** 2, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_b = s1 / n_b
        cv_b = np.sqrt(np.maximum(s2 / n_b - mean_b ** 2, 0.0)) / mean_b
        repeated = np.abs(last - prev) <= 0.01 * prev
        stepped = (n_b >= 1) & (cv_b < 0.01)
    keep = (amount_cv < 0.02) | repeated | stepped
    return keep | (_price_ladder(sub, keys) & (np.asarray(fidx) >= TERM_PLAN_FREQ))


#: The shortest term of a plan priced per term (:func:`keeps_last_price`): every six months.
TERM_PLAN_FREQ = FREQUENCIES.index("semiannual")
#: A new price of a term plan: at least 5% above the one before (``flags.PRICE_STEP``, the price
#: increase's step); a move between 1% and this is a bill that varies.
TERM_PRICE_STEP = 0.05


def _price_ladder(sub: pd.DataFrame, keys: np.ndarray) -> np.ndarray:
    """Per stream ``keys`` (``sub``: ``cand``, ``amt`` in date order per candidate): every charge
    within 1% of the one before it or at least :data:`TERM_PRICE_STEP` above it."""
    cand = sub["cand"].to_numpy()
    amt = sub["amt"].to_numpy(dtype=float)
    inside = cand[1:] == cand[:-1]
    ratio = amt[1:] / np.maximum(amt[:-1], 1e-9)
    off = inside & (np.abs(ratio - 1) > 0.01) & (ratio < 1 + TERM_PRICE_STEP)
    out = np.ones(len(keys), dtype=bool)
    out[np.searchsorted(keys, cand[1:][off])] = False
    return out


def set_price_abroad(cand: np.ndarray, original: np.ndarray | None) -> np.ndarray:
    """Per stream (``cand``: the rows' candidate ids in date order per candidate, sorted):
    whether it is a plan at a set price in another currency, whose amount on the card moves only
    with the exchange rate: every charge gives its amount as the merchant billed it
    (``original``: its absolute ``original_amount``, NaN where the statement gives none), and
    each is within 1% of the one before or at least :data:`TERM_PRICE_STEP` above it (a new
    price). ChatGPT Plus at 20.00 USD on a pound card, Medium at 5.00 then 6.00 USD."""
    keys = np.unique(cand)
    out = np.zeros(len(keys), dtype=bool)
    if original is None or not len(cand):
        return out
    at = np.searchsorted(keys, cand)
    missing = np.bincount(at, weights=np.isnan(original).astype(float), minlength=len(keys)) > 0
    ladder = _price_ladder(pd.DataFrame({"cand": cand, "amt": np.nan_to_num(original)}), keys)
    return ladder & ~missing


#: The most a plan priced in another currency moves from one charge to the next with the exchange
#: rate alone (a level of ``price_flags``: a run of charges moving less than 4%).
FX_JITTER = 0.04
#: A price level of such a plan before its last: this many charges or more (a price, not a bill).
FX_LEVEL_CHARGES = 3


def fx_price_levels(cand: np.ndarray, amt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per stream (``cand``: the rows' candidate ids in date order per candidate, sorted; ``amt``
    their amounts): whether its amounts move only as a set price in another currency does on the
    card, with no ``original_amount`` to say so, and the row where its current price began.

    A USD plan on a pound card with a statement that gives no original amount: each charge within
    :data:`FX_JITTER` of the one before (the exchange rate) or at least :data:`TERM_PRICE_STEP`
    from it (a new price), one such step or more, all one way (a plan's price rises, or is cut; a
    bill that goes up in winter comes down in spring), every level before the last of
    :data:`FX_LEVEL_CHARGES` charges or more. Medium at 5.00 USD, 3.82-3.96 a month, then 6.00
    USD, 4.59-4.77. A gas or a usage bill moves more than that from one month to the next."""
    keys = np.unique(cand)
    k = len(keys)
    out, since = np.zeros(k, dtype=bool), np.zeros(k, dtype=np.int64)
    if len(cand) < 2:
        return out, since
    at = np.searchsorted(keys, cand)
    inside = cand[1:] == cand[:-1]
    ratio = amt[1:] / np.maximum(amt[:-1], 1e-9) - 1
    step = inside & (np.abs(ratio) >= TERM_PRICE_STEP)
    between = inside & (np.abs(ratio) >= FX_JITTER) & ~step  # (neither the rate nor a price)
    up = np.bincount(at[1:], weights=step & (ratio > 0), minlength=k)
    down = np.bincount(at[1:], weights=step & (ratio < 0), minlength=k)
    # levels: runs of rows between steps (a stream's first row opens one too)
    opens = np.r_[True, ~inside | step]
    level = np.cumsum(opens) - 1
    size = np.bincount(level)
    last_row = np.r_[np.flatnonzero(~inside), len(cand) - 1]
    last_level = level[last_row]
    short = np.bincount(at, weights=(size[level] < FX_LEVEL_CHARGES) & (level != last_level[at]), minlength=k)
    out = ((up > 0) != (down > 0)) & (np.bincount(at[1:], weights=between, minlength=k) == 0) & (short == 0)
    first_of_level = np.flatnonzero(opens)
    since = first_of_level[last_level]
    return out, since


#: A charge of a stream this close to the one before it (days: at most a quarter of its cycle,
#: or two days) at nearly its amount (:data:`REPEAT_AMOUNT`) is a double charge
#: (``duplicate_charge``'s "inside one billing cycle, close"), left out of its year's total.
REPEAT_AMOUNT = 0.02


def repeated_charges(row_day: np.ndarray, amt: np.ndarray, stream_of_row: np.ndarray,
                     period: np.ndarray) -> np.ndarray:
    """Per row (grouped by ``stream_of_row`` in date order): whether it repeats the charge
    before it, a double charge (within ``max(2, period / 4)`` days and :data:`REPEAT_AMOUNT`)."""
    out = np.zeros(len(row_day), dtype=bool)
    if len(row_day) < 2:
        return out
    s = stream_of_row[1:]
    gap = np.diff(row_day)
    prev = np.maximum(amt[:-1], 1e-9)
    out[1:] = (s == stream_of_row[:-1]) & (gap <= np.maximum(2, 0.25 * period[s])) \
        & (np.abs(amt[1:] - amt[:-1]) <= REPEAT_AMOUNT * prev)
    return out


def last_year_total(row_day: np.ndarray, amt: np.ndarray, stream_of_row: np.ndarray, last_day: np.ndarray,
                    period: np.ndarray, varies: np.ndarray) -> np.ndarray:
    """Per stream: what its charges of the last year came to, for a bill whose amount moves every
    cycle (``varies``: gas and power with the seasons, water, a phone line's extras) billed
    quarterly or more often, with a year of history or more; NaN for the others.

    A year of charges is those after the last one's day a year back (less half a cycle: the
    charge a year before the last is last year's), twelve monthly or four quarterly bills; the
    history must span a year's cycles but one, give or take half a cycle. Its twelfth is the
    bill's monthly cost: the mean of the last three bills, which the next amount is, is a
    season's (round-thirty-six audit: a gas bill counted 107.87 a month in May, three times the
    month's 37.00, from its winter bills). ``row_day``/``amt``: the streams' charges, grouped by
    ``stream_of_row`` in date order; ``last_day``, ``period`` (days) per stream.

    A double charge (:func:`repeated_charges`: a second charge inside one cycle at nearly the
    first's amount, which ``duplicate_charge`` flags and a refund request takes back) is left out:
    it is no month's bill (round-forty-two audit)."""
    k = len(last_day)
    out = np.full(k, np.nan)
    if not len(row_day):
        return out
    first_day = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(first_day, stream_of_row, row_day)
    ok = varies & (period <= YEAR_TOTAL_MAX_PERIOD) & (last_day - first_day >= 365.25 - 1.5 * period)
    s = stream_of_row
    inside = ok[s] & (row_day > last_day[s] - 365.25 + 0.5 * period[s]) \
        & ~repeated_charges(row_day, amt, stream_of_row, period)
    total = np.bincount(s[inside], weights=amt[inside], minlength=k)
    out[ok] = np.round(total[ok], 2)
    return out


#: The longest cycle a year's total is read for: a quarter (a bill every six months or a year
#: has one or two charges a year, its own price).
YEAR_TOTAL_MAX_PERIOD = 92


#: A monthly stream with no charge for this many months or more had lapsed (the gap segments'
#: rule, docs/detection.md: 2.5 usual intervals); charges after it are the plan taken up anew.
LAPSE_MONTHS = 2.5


def last_lapse(row_day: np.ndarray, stream_of_row: np.ndarray, fidx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per monthly stream: its last charge before its latest lapse (no charge for
    :data:`LAPSE_MONTHS` months) and its first charge after it, as row indices into ``row_day``
    (grouped by ``stream_of_row`` in date order); ``-1`` where it has none."""
    k = len(fidx)
    before, after = np.full(k, -1, dtype=np.int64), np.full(k, -1, dtype=np.int64)
    if len(row_day) < 2:
        return before, after
    s = stream_of_row[1:]
    lapse = (s == stream_of_row[:-1]) & (fidx[s] == FREQUENCIES.index("monthly")) \
        & (np.diff(row_day) > LAPSE_MONTHS * 30.44)
    at = np.flatnonzero(lapse) + 1
    np.maximum.at(after, s[at - 1], at)  # the latest lapse of each stream
    before = np.where(after >= 0, after - 1, -1)
    return before, after


def moved_billing_day(row_day: np.ndarray, stream_of_row: np.ndarray, n: np.ndarray, fidx: np.ndarray,
                      dom: np.ndarray) -> np.ndarray:
    """The day of the month each monthly stream bills on now: its median day (``dom``), unless
    its last three charges agree (within a day) on another day, more than three days from it (a
    family upgrade moved Spotify from the 3rd to the 20th; the median of 17 months still said
    the 3rd). Two charges agreeing by chance (posting jitter) moved more due dates the wrong way
    than the right one on the held-out set. Two or more that came after a lapse (:func:`last_lapse`)
    and agree are enough: a plan taken up again bills on the day it was taken up (round-thirty-one
    audit: Spotify on the 9th until February, again from 22 May, was due on the 9th).

    ``row_day`` are the streams' charges (epoch days) grouped by ``stream_of_row`` in date
    order. Days past the 28th are left to the median: months clamp them.
    """
    out = np.asarray(dom, dtype=float).copy()
    if len(row_day) < 2:
        return out
    last = np.r_[np.flatnonzero(stream_of_row[1:] != stream_of_row[:-1]), len(stream_of_row) - 1]
    days_all = day_of_month(row_day)[0]
    monthly = fidx == FREQUENCIES.index("monthly")
    far = np.abs(days_all[last] - out) % 31
    far = np.minimum(far, 31 - far) > 3
    if len(row_day) >= 3:
        at = [np.maximum(last - k, 0) for k in (0, 1, 2)]
        days = [days_all[i] for i in at]
        same_stream = stream_of_row[at[2]] == stream_of_row[last]
        agree = (np.max(days, axis=0) - np.min(days, axis=0) <= 1) & (np.max(days, axis=0) <= 28)
        moved = same_stream & monthly & (n >= 5) & agree & far
        out = np.where(moved, days_all[last].astype(float), out)
    # taken up again after a lapse: every charge since on one day (within a day), two or more
    _, first_after = last_lapse(row_day, stream_of_row, fidx)
    since = np.where(first_after >= 0, last - first_after + 1, 0)
    row_stream_first = np.where(first_after >= 0, first_after, last)[stream_of_row]
    after = np.arange(len(row_day)) >= row_stream_first
    d = np.where(after, days_all, np.nan)
    k = len(n)
    hi = np.full(k, -np.inf)
    lo = np.full(k, np.inf)
    np.fmax.at(hi, stream_of_row, d)
    np.fmin.at(lo, stream_of_row, d)
    anew = monthly & (n >= 4) & (since >= 2) & (hi - lo <= 1) & (hi <= 28) & far
    return np.where(anew, days_all[last].astype(float), out)


def four_weekly(row_day: np.ndarray, stream_of_row: np.ndarray, n: np.ndarray, fidx: np.ndarray) -> np.ndarray:
    """Per stream: a monthly stream billed every 28 days (a newspaper's four weeks), which drifts
    through the month: at least four charges, and 80% of its intervals 27 to 29 days."""
    gaps = np.diff(row_day)
    inside = stream_of_row[1:] == stream_of_row[:-1]
    k = len(n)
    on = np.bincount(stream_of_row[1:][inside], weights=((gaps >= 27) & (gaps <= 29))[inside], minlength=k)
    all_gaps = np.bincount(stream_of_row[1:][inside], minlength=k)
    return (fidx == FREQUENCIES.index("monthly")) & (n >= 4) & (on >= 0.8 * np.maximum(all_gaps, 1))
