"""The output rows of detection: one row per stream (:func:`_build_rows`), with its next date and
amount (the day rules of :mod:`detector.due_dates`), status, last year's total and evidence
(a card paid, payroll runs, own transfers, instalments in fixed months, pauses), given final ids
and :data:`~detector.schema.STREAM_COLUMNS` by :func:`_finish`.
"""

from __future__ import annotations

import calendar
import re

import numpy as np
import pandas as pd

from .cadence import FREQUENCIES, MONTH_BASED, PERIODS, next_due, scheduled_a_year, yearly_pause
from .catalog import metered_vendors
from .chains import BILLING_DAY_JITTER, _days_apart_in_month
from .confidence import TAX_SCHEDULES, _counted_in_days
from .due_dates import (
    business_day_biller,
    fixed_month_due,
    four_weekly,
    fx_price_levels,
    keeps_last_price,
    last_lapse,
    last_year_total,
    moved_billing_day,
    nth_weekday_due,
    on_business_days,
    scheduled_due,
    self_assessment_due,
    semimonthly_due,
    set_price_abroad,
    usual_business_day,
)
from .ids import stable_id
from .schema import STREAM_COLUMNS
from .spending_rules import SEMIANNUAL
from .working_frame import _Text


def _card_payment_evidence(evidence: pd.Series, text: _Text, rows: np.ndarray, stream_of_row: np.ndarray,
                           last_rows: np.ndarray) -> pd.Series:
    """``evidence`` saying :data:`~detector.descriptor_words.PAYS_A_CARD` for the streams named
    after a card issuer or bank most of whose statement lines pay a card ("CHASE CREDIT CRD
    AUTOPAY" is merchant "Chase", as "BANK OF AMERICA DES:MORTGAGE" is "Bank of America": only the
    lines tell a card paid from a mortgage; round-seven audit), or after a shop lending on its own
    card whose lines say they pay ("KOHLS PAYMENT WEB ID", "MACYS ONLINE PYMT": round-eight audit;
    not its purchases, "KOHLS #1234", "PURCHASE ... TARGET T-1234 CARD 4417"). The report leaves
    those out of the total and the flags leave them alone."""
    from .descriptor_words import (
        CARD_PAYMENT_LINE,
        NOT_CARD_PAYMENT_LINE,
        PAYS_A_CARD,
        STORE_CARD_PAYMENT_LINE,
        STORE_PURCHASE_LINE,
        names_a_store_card,
        names_an_issuer,
    )

    names = pd.Series(text.column("merchant", last_rows), dtype=object)
    distinct = names.unique()
    issuer = names.map({m: names_an_issuer(m) for m in distinct}).to_numpy(dtype=bool)
    # a shop lending on its own card ("KOHLS PAYMENT WEB ID", "MACYS ONLINE PYMT") is paid by
    # transfer only for that card, so its payment words say card too (round-eight audit)
    shop = names.map({m: names_a_store_card(m) for m in distinct}).to_numpy(dtype=bool) & ~issuer
    if not (issuer | shop).any():
        return evidence
    mine = (issuer | shop)[stream_of_row]
    lines = pd.Series(text.column("description", rows[mine])).fillna("").astype(str)
    says = lines.str.contains(CARD_PAYMENT_LINE)
    at_shop = shop[stream_of_row[mine]]
    if at_shop.any():
        says = says | (at_shop & lines.str.contains(STORE_CARD_PAYMENT_LINE).to_numpy(dtype=bool))
        says = says & ~(at_shop & lines.str.contains(STORE_PURCHASE_LINE).to_numpy(dtype=bool))
    says = says & ~lines.str.contains(NOT_CARD_PAYMENT_LINE)
    share = says.groupby(stream_of_row[mine]).mean()
    card = np.zeros(len(evidence), dtype=bool)
    card[share.index[share.to_numpy() >= 0.5].to_numpy(dtype=np.int64)] = True
    return evidence.where(~card, evidence + "; " + PAYS_A_CARD)


#: The payroll services whose names a stream funding payroll runs keeps (its lines are read
#: only for these: :data:`~detector.descriptor_words.PAYROLL_RUN` says which lines fund a run).
_PAYROLL_SERVICE = re.compile(r"\b(?:gusto|adp|paychex|rippling|people center|intuit|quickbooks|qb|justworks|onpay"
                              r"|deel|patriot)", re.IGNORECASE)


def _payroll_evidence(evidence: pd.Series, text: _Text, rows: np.ndarray, stream_of_row: np.ndarray,
                      last_rows: np.ndarray, direction: np.ndarray) -> pd.Series:
    """``evidence`` saying :data:`~detector.descriptor_words.PAYROLL_LINES` for the streams of
    money out named after a payroll service most of whose statement lines fund a payroll run
    ("GUSTO PAYROLL DEBIT" is merchant "Gusto", as Gusto's fee may be: only the lines tell). The
    report leaves those out of the total and the flags judge no price of theirs (round-forty-six
    audit)."""
    from .descriptor_words import PAYROLL_LINES, PAYROLL_RUN

    names = pd.Series(text.column("merchant", last_rows), dtype=object).fillna("").astype(str)
    named = names.map({m: _PAYROLL_SERVICE.search(m) is not None for m in names.unique()}).to_numpy(dtype=bool)
    named = named & (direction == "outflow")
    if not named.any() or not text.has("description"):
        return evidence
    mine = named[stream_of_row]
    lines = pd.Series(text.column("description", rows[mine])).fillna("").astype(str)
    share = lines.str.contains(PAYROLL_RUN).groupby(stream_of_row[mine]).mean()
    runs = np.zeros(len(evidence), dtype=bool)
    runs[share.index[share.to_numpy() >= 0.5].to_numpy(dtype=np.int64)] = True
    return evidence.where(~runs, evidence + "; " + PAYROLL_LINES)


def _own_transfer_evidence(evidence: pd.Series, text: _Text, rows: np.ndarray, stream_of_row: np.ndarray,
                           row_day: np.ndarray, direction: np.ndarray) -> pd.Series:
    """``evidence`` saying :data:`~detector.transfers.OWN_TRANSFER` for the streams whose money
    arrives in (or came from) another account of the scan: two or more of its charges paired with
    one account (:mod:`detector.transfers`, the rows' ``transfer_account``), and at least half of
    its charges from the first such charge to the last. Before and after that stretch the other
    account's statement may not reach, so the stream's other charges go with it. The report
    leaves such streams out of the total and the flags leave them alone."""
    from .transfers import OWN_TRANSFER, TRANSFER_COLUMN

    if not text.has(TRANSFER_COLUMN) or not len(rows):
        return evidence
    partner = pd.Series(text.column(TRANSFER_COLUMN, rows), dtype=object)
    paired = partner.notna().to_numpy() & (partner.fillna("").astype(str) != "").to_numpy()
    if paired.sum() < 2:
        return evidence
    hit = pd.DataFrame({"stream": stream_of_row[paired], "partner": partner[paired].astype(str).to_numpy(),
                        "day": row_day[paired]})
    per = hit.groupby(["stream", "partner"], sort=True)["day"].agg(["size", "min", "max"]).reset_index()
    per = per.sort_values(["stream", "size", "partner"], ascending=[True, False, True], kind="stable")
    per = per.drop_duplicates("stream")  # the account most of its paired charges went to
    per = per[per["size"].to_numpy() >= 2]
    if per.empty:
        return evidence
    # the stream's charges from the first paired one to the last (rows run by stream, then day)
    span = np.int64(1) << 32
    at = stream_of_row.astype(np.int64) * span + row_day
    s = per["stream"].to_numpy(dtype=np.int64)
    inside = (np.searchsorted(at, s * span + per["max"].to_numpy(), side="right")
              - np.searchsorted(at, s * span + per["min"].to_numpy(), side="left"))
    per = per[per["size"].to_numpy() * 2 >= inside]
    if per.empty:
        return evidence
    s = per["stream"].to_numpy(dtype=np.int64)
    out = direction[s] == "outflow"
    said = np.where(out, "; " + OWN_TRANSFER + ": " + per["size"].astype(str).to_numpy(dtype=object)
                    + " of its charges arrived in " + per["partner"].to_numpy(dtype=object) + " within days",
                    "; " + OWN_TRANSFER + ": " + per["size"].astype(str).to_numpy(dtype=object)
                    + " of its payments left " + per["partner"].to_numpy(dtype=object) + " within days")
    evidence = evidence.copy()
    evidence.iloc[s] = evidence.iloc[s].to_numpy(dtype=object) + said
    return evidence


_COUNT_WORDS = {2: "two", 3: "three", 4: "four"}


def _fixed_months_words(row_day: np.ndarray, last_idx: np.ndarray, fixed: np.ndarray,
                        months: list | None = None) -> np.ndarray:
    """Per stream paid ``fixed`` times a year in fixed months (0: not so, ""): its evidence's
    words for them, its last year's instalments' months in order ("two a year, in December and
    April"; "four a year, in April, June, September and January"), or ``months`` (per stream,
    month numbers; empty: read from the charges) for one on a payee's schedule, whose first
    year has not paid them all yet."""
    out = np.full(len(fixed), "", dtype=object)
    for s in np.flatnonzero(fixed > 0):
        k = int(fixed[s])
        if months is not None and months[s]:
            names = [calendar.month_name[m] for m in months[s]]
        else:
            days = row_day[int(last_idx[s]) - k + 1:int(last_idx[s]) + 1]
            names = list(pd.to_datetime(_iso(days)).month_name())
        out[s] = f"{_COUNT_WORDS.get(k, str(k))} a year, in " + ", ".join(names[:-1]) + " and " + names[-1]
    return out


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), unit="D").astype(object)


def _build(df: pd.DataFrame, text: _Text, assign: np.ndarray, st: pd.DataFrame, conf: np.ndarray,
           as_of) -> pd.DataFrame:
    """The output frame of the streams ``assign`` holds (:data:`STREAM_COLUMNS`)."""
    return _finish(_build_rows(df, text, assign, st, conf, as_of))


def _original_amounts(text: _Text, rows: np.ndarray) -> np.ndarray | None:
    """The absolute ``original_amount`` of ``rows`` (NaN where the statement gives none or no
    currency for it), or None when the transactions carry no original amounts."""
    if not (text.has("original_amount") and text.has("original_currency")):
        return None
    amount = pd.to_numeric(pd.Series(text.column("original_amount", rows)), errors="coerce").to_numpy(dtype=float)
    code = pd.Series(text.column("original_currency", rows), dtype=object)
    return np.where(code.notna().to_numpy(), np.abs(amount), np.nan)


def _build_rows(df: pd.DataFrame, text: _Text, assign: np.ndarray, st: pd.DataFrame, conf: np.ndarray,
                as_of) -> pd.DataFrame:
    """One row per stream, in candidate order, with its candidate id as ``_cand`` (for
    :func:`_yearly_switches`); :func:`_finish` gives the streams their final ids and order."""
    rows = np.flatnonzero(assign >= 0)
    tid = text.column("transaction_id", rows)
    order = np.lexsort((tid.astype(str), df["day"].to_numpy()[rows], assign[rows]))
    rows, tid = rows[order], tid[order]
    a = assign[rows]
    bounds = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
    first_rows, last_rows = rows[bounds], rows[np.r_[bounds[1:] - 1, len(rows) - 1]]
    ids = np.split(tid, bounds[1:])
    st = st.loc[a[bounds]]  # same order as bounds (both sorted by candidate id)
    vendor = pd.Series(text.column("vendor", rows), dtype=object).groupby(a, sort=True).last()  # last known
    sub = pd.DataFrame({"cand": a, "amt": df["amt"].to_numpy()[rows]})
    tail3 = sub.groupby("cand", sort=True).tail(3).groupby("cand", sort=True)["amt"].mean()
    n = st["n"].to_numpy()
    fidx = st["freq_idx"].to_numpy()
    freq = np.asarray(FREQUENCIES, dtype=object)[np.maximum(fidx, 0)]
    P = PERIODS[np.maximum(fidx, 0)]
    last_amt = df["amt"].to_numpy()[last_rows]
    keep = keeps_last_price(sub, st["amount_cv"].to_numpy(), fidx)
    next_amt = np.round(np.where(keep, last_amt, tail3.to_numpy()), 2)
    stream_of_row = np.repeat(np.arange(len(bounds)), np.diff(np.r_[bounds, len(rows)]))
    row_day = df["day"].to_numpy()[rows]
    # a bill that moves every cycle costs its last year's charges a year (its seasons), once seen
    # (not a plan at a set price billed in another currency, whose amount moves with the exchange
    # rate: it costs its current price, the next amount, as any set-price plan; round-forty-two
    # audit: Medium at 6.00 USD counted a year mostly at 5.00 USD)
    abroad = set_price_abroad(a, _original_amounts(text, rows))
    # ... nor one whose statement gives no original amount, read from its amounts: the exchange
    # rate's jitter around a step to a new price (a USD plan on a pound card cost a blend of its
    # old and new prices). It costs its current price, the mean of its last charges (three at
    # most) since the step. Never a utility, a usage bill or a bill by its name (rent, a tax),
    # whose year is what it costs
    fx_plan, fx_since = fx_price_levels(a, sub["amt"].to_numpy())
    metered = vendor.isin(metered_vendors()).to_numpy() | df["named_bill"].to_numpy()[last_rows]
    fx_plan &= ~keep & ~metered & (fidx >= 0)
    if fx_plan.any():
        end = np.r_[bounds[1:], len(rows)]  # (one past each stream's last charge)
        start = np.maximum(fx_since, end - 3)
        total = np.r_[0.0, np.cumsum(sub["amt"].to_numpy())]
        current = (total[end] - total[start]) / np.maximum(end - start, 1)
        next_amt = np.where(fx_plan, np.round(current, 2), next_amt)
    abroad |= fx_plan
    year_total = last_year_total(row_day, sub["amt"].to_numpy(), stream_of_row, st["last_day"].to_numpy(), P,
                                 ~keep & ~abroad & (fidx >= 0))
    # A biller that keeps to business days is due on its usual day, the one explaining most of its
    # charges as posted on it or rolled off a weekend from it, rolled to a business day: the median
    # of its rolled days sits after it (a debit due on the 1st posts on the 1st, 2nd or 3rd).
    business = business_day_biller(row_day, stream_of_row, n, fidx, df["inflow"].to_numpy()[first_rows])
    dom = st["dom_median"].to_numpy()
    if business.any():
        # a day it keeps to, not a tie of days seen once (the second Wednesday of each month)
        usual, clear = usual_business_day(df["dom"].to_numpy()[rows], row_day, stream_of_row, n,
                                          df["inflow"].to_numpy()[first_rows], business)
        dom = np.where(business & clear & (dom <= 28), usual, dom)
    dom = moved_billing_day(row_day, stream_of_row, n, fidx, dom)
    # The cycle's own charge, not an extra one after it, sets the next due day: a purchase at a
    # plan's price 17 days after its charge on the 12th, kept in the stream, made the plan due a
    # month late (round-eight audit: next 2025-02-12 for a plan billed on 2024-12-12).
    last_idx = np.r_[bounds[1:] - 1, len(rows) - 1]
    prev_row = rows[np.maximum(last_idx - 1, 0)]
    before = df["day"].to_numpy()[prev_row]

    def off_day(r):  # days from the plan's day of the month
        return _days_apart_in_month(df["dom"].to_numpy()[r], dom)

    # (at the plan's price: an upgrade mid-cycle bills the new price and moves the billing day to
    # its own, round nine: Spotify 10.99 on the 25th, 16.99 from 10 June, is due on 10 July)
    amt = df["amt"].to_numpy()
    off = ((n >= 3) & (last_idx > bounds) & MONTH_BASED[np.maximum(fidx, 0)]
           & (off_day(last_rows) > BILLING_DAY_JITTER) & (off_day(prev_row) <= BILLING_DAY_JITTER))
    same_price = np.abs(amt[last_rows] - amt[prev_row]) <= 0.02 * amt[prev_row] + 0.01
    early = st["last_day"].to_numpy() - before < 0.6 * P  # in the cycle the charge before opened
    extra = off & same_price & early
    # ... and where the plan's own day has passed since with no charge, the last charge was the
    # plan's, billed on a new day (an earlier billing day at the same price)
    as_of_day = np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64)
    extra &= next_due(before, fidx, dom) > as_of_day
    # early in the cycle, a new price off the plan's day is a plan changed mid-cycle, billed on
    # its new day from now; so is its price where the plan's day passed since without a charge
    # (a late charge, a cycle or more on, keeps the plan's day)
    dom = np.where(off & early & ~extra, df["dom"].to_numpy()[last_rows], dom)
    nxt = next_due(np.where(extra, before, st["last_day"].to_numpy()), fidx, dom)
    # a plan billed every four weeks (a newspaper's 28 days) drifts through the month: it is due
    # 28 days on, not on its median day of the month (which put it 38 days after the last)
    nxt = np.where(four_weekly(row_day, stream_of_row, n, fidx), st["last_day"].to_numpy() + 28, nxt)
    # so does a bill every eight or nine weeks, or every 60 days: due its own number of days on
    # (round-ten audit: 11 and 14 days early or late by its median day of the month)
    med = np.rint(np.nan_to_num(st["median_interval"].to_numpy())).astype(np.int64)
    nxt = np.where(_counted_in_days(st, 1), st["last_day"].to_numpy() + med, nxt)
    semi = np.flatnonzero((fidx == FREQUENCIES.index("semimonthly")) & (n >= 4))
    if len(semi):
        nxt[semi] = semimonthly_due(row_day, stream_of_row, semi)
    nth = nth_weekday_due(row_day, stream_of_row, st["last_day"].to_numpy(), fidx, n)
    nxt = np.where(nth >= 0, nth, nxt)
    # a bill that pauses every year (council tax: ten instalments, none in February and March)
    # is due again when last year's pause ended, not overdue since the first missed month
    taxed = df["named_tax"].to_numpy()[last_rows]  # (its scheme pauses: one pause seen is the pattern)
    year_pause = yearly_pause(row_day, stream_of_row, st["last_day"].to_numpy(), fidx, dom, taxed)
    resume, p_start, p_end = year_pause.resume, year_pause.start, year_pause.end
    paused = resume >= 0
    nxt = np.where(paused, resume, nxt)
    # instalments in fixed months (a property tax in December and April, US estimated income
    # tax in April, June, September and January) come back a year after the instalment of the
    # next one's month, on that month's due day: not a cycle after the last
    fixed = st["fixed_months"].to_numpy().astype(np.int64)
    currency = text.column("currency", last_rows) if text.has("currency") else np.full(len(n), None, object)
    paid_months: list = [()] * len(n)
    if (fixed > 0).any():
        nxt = np.where(fixed > 0, fixed_month_due(row_day, stream_of_row, last_idx, fixed, business, currency), nxt)
        # a payee whose instalments fall due on set days (US estimated income tax), where the
        # stream keeps to them: due on the next, from the first year on
        code = np.where(df["inflow"].to_numpy()[rows], 0, df["tax_schedule"].to_numpy()[rows])
        kept = (fixed > 0) & (scheduled_a_year(row_day, stream_of_row, n, code, TAX_SCHEDULES) > 0)
        if kept.any():
            months = [TAX_SCHEDULES[c - 1] if k else () for c, k in zip(code[last_idx], kept)]
            due, paid_months = scheduled_due(st["last_day"].to_numpy(), months, currency)
            nxt = np.where(kept, due, nxt)
    if business.any():
        nxt = on_business_days(nxt, business, df["inflow"].to_numpy()[first_rows], currency)
    # UK self-assessment is due on 31 January and 31 July, whatever day it was paid on and
    # whatever day of the week that is: not a business day rolled forward (late), nor an early
    # payer's own day
    sa = (fidx == SEMIANNUAL) & df["hmrc"].to_numpy()[last_rows] & ~df["inflow"].to_numpy()[first_rows]
    if sa.any():
        due = self_assessment_due(row_day, stream_of_row, sa)
        nxt = np.where(due >= 0, due, nxt)
    # A tax paid two to four times a year (in fixed months, or every six months: UK
    # self-assessment's balancing payment and first payment on account in January, the second in
    # July) costs what its last year of instalments came to, and an instalment unlike the one
    # before is expected at the same instalment's sum a year before, not the mean of the last
    # three (round forty: 5,200 in January and 2,600 in July cost 7,800 a year, and January's is
    # no July's)
    k_year = np.where((fixed == 0) & taxed & (fidx == SEMIANNUAL) & ~df["inflow"].to_numpy()[first_rows], 2, fixed)
    k_year = np.where(n >= k_year, k_year, 0)
    if (k_year > 0).any():
        year_ago = np.maximum(last_idx - np.maximum(k_year - 1, 0), bounds)
        next_amt = np.where((k_year > 0) & ~keep, np.round(sub["amt"].to_numpy()[year_ago], 2), next_amt)
        to_end = (last_idx[stream_of_row] - np.arange(len(rows)))  # 0 at each stream's last charge
        in_year = to_end < k_year[stream_of_row]
        total = np.bincount(stream_of_row[in_year], weights=sub["amt"].to_numpy()[in_year], minlength=len(n))
        year_total = np.where(k_year > 0, np.round(total, 2), year_total)
    # a first year's instalments, none a year before the next: at the last (a new estimate)
    next_amt = np.where((fixed > 0) & (n < fixed), np.round(last_amt, 2), next_amt)
    long_cycle = P > 150
    status = np.where(as_of_day - nxt > np.maximum(0.5 * P, 7), "ended",
                      np.where(n < np.where(long_cycle, 2, 3), "early", "active"))
    account = text.column("account_id", first_rows)
    key = text.column("merchant_key", first_rows)
    direction = np.where(df["inflow"].to_numpy()[first_rows], "inflow", "outflow")
    anchor = df["amt"].to_numpy()[first_rows]
    sid = [stable_id(acc, k, d, f"{x:.2f}", prefix="st_") for acc, k, d, x in zip(account, key, direction, anchor)]
    # money in comes as payments (payroll), money out as charges
    what = pd.Series(np.where(direction == "inflow", " payments about every ", " charges about every "))
    # a payment on the n-th weekday of the month comes 28 or 35 days after the one before, 28 more
    # often: its gap is the mean (a monthly Social Security payment on the second Wednesday was
    # "about every 28 days", round-thirty-six audit)
    every = np.where(nth >= 0, (st["last_day"].to_numpy() - row_day[bounds]) / np.maximum(n - 1, 1),
                     np.nan_to_num(st["median_interval"].to_numpy()))
    evidence = (pd.Series(n).astype(str) + what
                + pd.Series(np.rint(every).astype(np.int64)).astype(str) + " days, amount "
                + pd.Series(np.char.mod("%.2f", st["amt_min"].to_numpy())) + "-"
                + pd.Series(np.char.mod("%.2f", st["amt_max"].to_numpy())))
    evidence = _card_payment_evidence(evidence, text, rows, stream_of_row, last_rows)
    evidence = _own_transfer_evidence(evidence, text, rows, stream_of_row, row_day, direction)
    evidence = _payroll_evidence(evidence, text, rows, stream_of_row, last_rows, direction)
    if paused.any():
        evidence = evidence.where(~paused, evidence + "; none between " + pd.Series(_iso(p_start))
                                  + " and " + pd.Series(_iso(p_end)) + " a year ago either")
    if (fixed > 0).any():
        evidence = evidence.where(fixed == 0, evidence + "; "
                                  + _fixed_months_words(row_day, last_idx, fixed, paid_months))
    # a bill that pauses at the same time each year has that many charges a year, which its
    # monthly cost counts (ten instalments of 166.00 cost 138.33 a month, not 166.00)
    per_year, s_before = year_pause.per_year, year_pause.before
    seasonal = s_before >= 0
    per_year = np.where(fixed > 0, fixed.astype(float), per_year)  # (as many as its fixed months)
    # a monthly plan that lapsed for months and was taken up again says so: "34 charges about
    # every 31 days" hid three months without Spotify (round-thirty-one audit)
    l_before, l_after = last_lapse(row_day, stream_of_row, fidx)
    lapsed = (l_after >= 0) & ~paused & ~seasonal
    if lapsed.any():
        evidence = evidence.where(~lapsed, evidence + "; none between "
                                  + pd.Series(_iso(row_day[np.maximum(l_before, 0)]))
                                  + " and " + pd.Series(_iso(row_day[np.maximum(l_after, 0)])))
    if seasonal.any():
        # (a weekly cadence's year is no whole number of weeks: "about 49")
        count = np.nan_to_num(per_year)
        whole = np.abs(count - np.rint(count)) < 0.01
        yearly = (pd.Series(np.where(whole, "", "about ")) + pd.Series(np.rint(count).astype(np.int64)).astype(str)
                  + pd.Series(np.where(direction == "inflow", " payments a year", " charges a year")))
        pause = ("; none between " + pd.Series(_iso(row_day[np.where(seasonal, s_before, 0)])) + " and "
                 + pd.Series(_iso(row_day[np.where(seasonal, s_before + 1, 0)])) + ", a pause each year: ")
        evidence = evidence.where(~seasonal, evidence + np.where(paused, "; ", pause) + yearly)
    out = pd.DataFrame({
        "stream_id": sid, "account_id": account,
        "merchant": text.column("merchant", last_rows),
        "vendor": vendor.to_numpy(dtype=object),
        "channel": text.column("channel", last_rows),
        "direction": direction, "frequency": freq,
        "average_amount": np.round(st["amt_mean"].to_numpy(), 2), "last_amount": last_amt,
        "first_date": _iso(st["first_day"].to_numpy()), "last_date": _iso(st["last_day"].to_numpy()),
        "next_date": _iso(nxt), "next_amount": next_amt, "status": status,
        "confidence": np.round(conf, 4), "transaction_ids": [list(x) for x in ids],
        "evidence": evidence.to_numpy(dtype=object),
        "currency": text.column("currency", last_rows) if text.has("currency") else None,
        "charges_per_year": per_year,
        "_cand": a[bounds], "_group": st["group"].to_numpy(), "_first_amt": anchor, "_from": -1,
    })
    out["last_year_total"] = year_total
    return out


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    """:func:`_build_rows`' streams with distinct ids, sorted, in :data:`STREAM_COLUMNS`."""
    out = out.reset_index(drop=True)
    dup = out["stream_id"].duplicated(keep=False)
    if dup.any():  # two streams of one group starting at one amount: tell them apart by date
        out.loc[dup, "stream_id"] = [stable_id(s, d, prefix="st_") for s, d in
                                     zip(out.loc[dup, "stream_id"], out.loc[dup, "first_date"])]
        # two plans at one price that began on one day (same-day twins): by their first charge
        # (round-four audit: both had one id, so the store kept one and `cancel --stream` took both)
        dup = out["stream_id"].duplicated(keep=False)
        out.loc[dup, "stream_id"] = [stable_id(s, ids[0], prefix="st_") for s, ids in
                                     zip(out.loc[dup, "stream_id"], out.loc[dup, "transaction_ids"])]
    out = out.sort_values(["account_id", "merchant", "first_date", "stream_id"], kind="stable")
    # one dtype whatever the input: text as object, a missing vendor as None (SQL NULL)
    for col in ("stream_id", "account_id", "merchant", "channel", "direction", "frequency", "first_date",
                "last_date", "next_date", "status", "evidence"):
        out[col] = out[col].astype(object)
    out["currency"] = pd.Series([c if isinstance(c, str) and c else None for c in out["currency"]],
                                index=out.index, dtype=object)
    out["vendor"] = pd.Series([v if isinstance(v, str) else None for v in out["vendor"]], index=out.index,
                              dtype=object)
    return out[list(STREAM_COLUMNS)]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in STREAM_COLUMNS})
