"""Candidates' cadence features and confidence: :func:`_stats` (``cadence.candidate_stats`` over the
working frame), :func:`live`, and :func:`_score`, the scorer's probability with the rules' floors
for schedules the model never saw (a plan billed twice so far, a bill every eight or nine weeks,
a weekly bill among its merchant's other runs, a tax in fixed months, an insurance premium each term), and 0 for what
:func:`detector.spending_rules.ruled_out` rules out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import BIMONTHLY, FREQUENCIES, candidate_stats, feature_matrix, scorable
from .descriptor_words import ESTIMATED_TAX_PAYEES
from .spending_rules import SEMIANNUAL, _group_has, _repriced, ruled_out


def _stats(df: pd.DataFrame, cand: np.ndarray, rows: np.ndarray | None = None,
           group_sizes: np.ndarray | None = None, scored_only: bool = False, features: bool = True) -> pd.DataFrame:
    """candidate_stats over the numeric columns only (``rows`` picks and repeats rows;
    ``features=False``: cadence columns only, see :data:`detector.cadence.CADENCE_COLUMNS`)."""
    col = {c: df[c].to_numpy() for c in ("day", "amt", "group", "vendor_known", "inflow", "dom", "dim", "cid",
                                         "csize", "named_tax", "tax_schedule")}
    if rows is not None:
        col = {c: v[rows] for c, v in col.items()}
    scale = None
    if "scale" in df:  # (a currency not dollar-sized: what a round sum is, cadence.round_unit)
        scale = df["scale"].to_numpy() if rows is None else df["scale"].to_numpy()[rows]
    return candidate_stats(cand, col["day"], col["amt"], group=col["group"], vendor_known=col["vendor_known"],
                           inflow=col["inflow"], dom=col["dom"], dim=col["dim"], group_sizes=group_sizes,
                           cluster=col["cid"], cluster_size=col["csize"], scored_only=scored_only,
                           features=features, scale=scale, fixed_months=_fixed_month_rows(col),
                           schedule=np.where(_fixed_month_rows(col), col["tax_schedule"], 0), schedules=TAX_SCHEDULES)


#: The months of each schedule of ``descriptor_words.ESTIMATED_TAX_PAYEES``, by its 1-based code.
TAX_SCHEDULES = tuple(months for _, months in ESTIMATED_TAX_PAYEES)


def _fixed_month_rows(col: dict) -> np.ndarray:
    """Rows that may be instalments in fixed months (``cadence.fixed_months_a_year``):
    money out to a tax by its name, whose scheme sets the months. Read for any payee, the
    pattern made five streams of purchases in the held-out synthetic set (a rideshare's, a
    grocer's, a marketplace's, a restaurant's four charges: docs/detection.md)."""
    return col["named_tax"] & ~col["inflow"].astype(bool)


def live(stats: pd.DataFrame) -> np.ndarray:
    """Candidates worth scoring: two or more charges, a cadence, and some interval on it."""
    return scorable(stats["freq_idx"].to_numpy(), stats["n"].to_numpy(), stats["frac_on"].to_numpy())


def _score(stats: pd.DataFrame, scorer, df: pd.DataFrame | None = None) -> np.ndarray:
    """Confidence per candidate; one-charge and cadence-less candidates, and bank charges for
    events (``EVENT_FEE``, by the rows of ``df``), are 0 without asking.

    Candidates :func:`ruled_out` are 0 whatever the scorer says, so they are not put to it: the
    trees are a quarter of detection's CPU, and about 8% of the live candidates are ruled out
    (13k of 163k on the 1.2M-row bench file). Each row's probability does not depend on the
    other rows predicted with it (:meth:`detector.scoring.StreamScorer.predict_proba`)."""
    p = np.zeros(len(stats))
    out = ruled_out(stats, df)
    ok = live(stats) & ~out
    if ok.any():
        p[ok] = scorer.predict_proba(feature_matrix(stats[ok]))[:, 1]
    p = np.where(_early_plan(stats, df), np.maximum(p, EARLY_PLAN_CONFIDENCE), p)
    p = np.where(every_few_weeks(stats), np.maximum(p, EVERY_FEW_WEEKS_CONFIDENCE), p)
    p = np.where(weekly_bill(stats, df), np.maximum(p, WEEKLY_BILL_CONFIDENCE), p)
    # a tax's two to four instalments a year in fixed months (cadence.fixed_months_a_year), a
    # schedule the model never saw: its months, kept year after year, are the evidence
    p = np.where(stats["fixed_months"].to_numpy() > 0, np.maximum(p, FIXED_MONTHS_CONFIDENCE), p)
    p = np.where(_term_premiums(stats, df), np.maximum(p, EARLY_PLAN_CONFIDENCE), p)
    return np.where(out, 0.0, p)


def _rescore(stats: pd.DataFrame, scorer, df: pd.DataFrame | None, before: pd.DataFrame,
             conf_before: np.ndarray) -> np.ndarray:
    """:func:`_score` of ``stats``, reading from ``conf_before`` (the scores of ``before``) each
    candidate whose row of features is the same in both: detection scores its streams again after
    undoing a few joins, and most streams did not change. A candidate's score depends on its own
    row and ``df`` only (the rules read each row, the scorer predicts each row alone), so the
    answer is :func:`_score`'s; only the rows that changed are put to the scorer again."""
    at = before.index.get_indexer(stats.index)
    same = at >= 0
    if same.any() and list(before.columns) == list(stats.columns):
        new = stats.to_numpy(dtype=float)[same]
        old = before.to_numpy(dtype=float)[at[same]]
        same[same] = ((new == old) | (np.isnan(new) & np.isnan(old))).all(axis=1)
    else:
        same[:] = False
    if not same.any():
        return _score(stats, scorer, df)
    out = np.zeros(len(stats))
    out[same] = np.asarray(conf_before, dtype=float)[at[same]]
    if not same.all():
        out[~same] = _score(stats[~same], scorer, df)
    return out


#: Confidence of a weekly bill at one price (:func:`weekly_bill`).
WEEKLY_BILL_CONFIDENCE = 0.6
#: Confidence of a tax's instalments in fixed months (``cadence.fixed_months_a_year``).
FIXED_MONTHS_CONFIDENCE = 0.6


#: A policy's premium from one term to the next moves less than this factor, up or down.
PREMIUM_CHANGE = 1.5


def _term_premiums(stats: pd.DataFrame, df: pd.DataFrame | None) -> np.ndarray:
    """Candidates that are an insurance policy billed every six months or a year (a catalogue
    insurer, or a merchant named as one: :data:`~detector.descriptor_words.INSURER_NAME`): money
    out, every interval on its cadence, the merchant's only charges in the account, the premium
    moving less than :data:`PREMIUM_CHANGE` times from term to term, up or down.

    The scorer, taught that an unknown payee's two yearly sums a few percent apart are as often
    a yearly service or a gift, left out a car insurer's premium of 412.37 renewed at 447.80 a
    year later (round-thirty-five audit), while the same premium renewed unchanged was a stream:
    a new premium each term is what a policy does.

    Beside the insurer's other charges (a second policy under one descriptor), three premiums or
    more, every one on the term's schedule, are a policy too: retrained in the twenty-eighth
    session, the model scored a car policy's 566.80 three times six months apart 0.46 beside a
    home policy's yearly premiums (1,210.00, then 1,288.00 twice: under 0.5 with its first), so
    the car policy was lost and the home one lost its first premium. Two charges beside others
    are left to the scorer: two policies' premiums can fall a term apart by chance."""
    if df is None or not len(stats) or "insurer" not in df:
        return np.zeros(len(stats), dtype=bool)
    group_rows = np.bincount(df["group"].to_numpy())
    n = stats["n"].to_numpy()
    return ((stats["freq_idx"].to_numpy() >= SEMIANNUAL) & (n >= 2)
            & ((group_rows[stats["group"].to_numpy()] == n) | (n >= 3))
            & (stats["frac_on"].to_numpy() >= 1.0) & (stats["inflow"].to_numpy() == 0)
            & (stats["amt_max"].to_numpy() < PREMIUM_CHANGE * stats["amt_min"].to_numpy())
            & _group_has(stats, df, "insurer"))


#: Confidence of a bill at one price every eight or nine weeks to the day (:func:`every_few_weeks`).
EVERY_FEW_WEEKS_CONFIDENCE = 0.6
#: Two calendar months are 59-62 days, 61 most often: a median this far from 61 is a schedule
#: counted in days or weeks, drifting through the months.
_TWO_MONTHS = 61


def every_few_weeks(stats: pd.DataFrame) -> np.ndarray:
    """Candidates that are a bill every eight or nine weeks (pest control, lawn care, a salon's
    standing appointment): read bimonthly, four charges or more at one price (within 2%) or
    repriced a few times one way (:func:`_repriced`: lawn care at 65.00, then 72.00, was cut at
    the rise and shown ended, round fifteen), with no double charges, 80% of their intervals
    within a day of their median, which is two days or more from two calendar months (56, 58,
    63 days).

    The scorer never saw such bills: their day of the month drifts five days a cycle, so it
    scored a pest-control bill of 99.00 every 56 days 0.17 (round-ten audit: not found)."""
    if not len(stats):
        return np.zeros(0, dtype=bool)
    amt_min, amt_max = stats["amt_min"].to_numpy(), stats["amt_max"].to_numpy()
    return (_counted_in_days(stats, 2) & (stats["frac_dup"].to_numpy() == 0)
            & ((amt_max <= 1.02 * amt_min) | _repriced(stats)))


#: A weekly bill at one price holds at least this many charges, every one a week after the last,
#: before :func:`weekly_bill` takes it whatever its merchant's other charges.
WEEKLY_BILL_CHARGES = 6


def weekly_bill(stats: pd.DataFrame, df: pd.DataFrame | None) -> np.ndarray:
    """Candidates that are a bill every week at one price: read weekly, money out,
    :data:`WEEKLY_BILL_CHARGES` charges or more at one sum to the cent, every interval a week (no
    week skipped, no double charge), in cents (under half of them round sums), at no eatery, fuel
    station or grocer (whose visits are habits).

    The scorer reads a candidate's share of its merchant's charges (``group_share``): a weekly
    run that is a tenth of them scored 0.38-0.46, where the same run alone scored 0.99. Yet a
    lease-to-own store bills each agreement weekly at a price of its own, so a customer's
    successive agreements split the merchant's charges into several weekly runs (recur27: a
    first agreement's six weeks at the start of the statements were no stream beside three
    later agreements). Purchases at one price every week without a miss are rare off the
    basket merchants excluded; a weekly habit at a round sum (a 20.00 gift card or top-up)
    stays with the scorer."""
    if df is None or not len(stats):
        return np.zeros(len(stats), dtype=bool)
    basket = _group_has(stats, df, "eatery") | _group_has(stats, df, "fuel") | _group_has(stats, df, "grocer")
    return ((stats["freq_idx"].to_numpy() == 0) & (stats["n"].to_numpy() >= WEEKLY_BILL_CHARGES)
            & (stats["frac_on"].to_numpy() >= 1.0) & (stats["frac_skip"].to_numpy() == 0)
            & (stats["frac_dup"].to_numpy() == 0) & (stats["inflow"].to_numpy() == 0)
            & (stats["amt_max"].to_numpy() <= stats["amt_min"].to_numpy() + 0.005)
            & (stats["round_share"].to_numpy() < 0.5) & ~basket)


def _counted_in_days(stats: pd.DataFrame, off: int) -> np.ndarray:
    """Candidates (or streams) read bimonthly, four charges or more, 80% of their intervals
    within a day of their median, which is ``off`` days or more from two calendar months: a
    schedule counted in days or weeks (every 56, 58, 60, 63 days), drifting through the months."""
    return ((stats["freq_idx"].to_numpy() == BIMONTHLY) & (stats["n"].to_numpy() >= 4)
            & (stats["steady_share"].to_numpy() >= 0.8)
            & (np.abs(stats["median_interval"].to_numpy() - _TWO_MONTHS) >= off))


#: Confidence of a fixed-price plan seen billed twice (``status: early``).
EARLY_PLAN_CONFIDENCE = 0.6


def _early_plan(stats: pd.DataFrame, df: pd.DataFrame | None) -> np.ndarray:
    """Candidates that are a plan billed twice so far: two charges a month apart at one price
    (within 2%), money out, the merchant's only charges in the account, of a catalogue vendor
    selling plans at a fixed price (``PLAN_ONLY_CATEGORIES``: Netflix, Spotify, a gym; not a
    shop, a game store, a utility or a lender).

    The model, taught that two charges say little, left such plans out, so no stream was ever
    ``early`` (fewer than three charges) and a new plan's first months were missing from the
    subscriptions (twelfth session's lifecycle audit: Netflix and Spotify twice each in a
    four-month statement, no stream)."""
    if df is None or not len(stats) or "plan_vendor" not in df:
        return np.zeros(len(stats), dtype=bool)
    monthly = FREQUENCIES.index("monthly")
    # the merchant's only charges in the account: one bought from at other prices too is a shop
    # whose two purchases at one price fell a month apart (round-two audit: Epic Games 29.99
    # twice beside a 7.99 game)
    group_rows = np.bincount(df["group"].to_numpy())
    alone = (group_rows[stats["group"].to_numpy()] == 2) & _group_has(stats, df, "plan_vendor")
    # ... or its plans billed in turn, each price twice or more (_plans_in_turn), at a seller of
    # plans or an app store: iCloud's third 2.99 was a stream while Apple Music's second 10.99,
    # between them, was none (round-44 audit)
    in_turn = _group_has(stats, df, "in_turn_all") & (_group_has(stats, df, "plan_vendor")
                                                      | _group_has(stats, df, "store"))
    return ((stats["n"].to_numpy() == 2) & (alone | in_turn)
            & (stats["freq_idx"].to_numpy() == monthly)
            & (stats["frac_on"].to_numpy() >= 1.0) & (stats["inflow"].to_numpy() == 0)
            & (stats["amt_max"].to_numpy() <= 1.02 * stats["amt_min"].to_numpy()))


def as_alone(st: pd.DataFrame, alone_ids: np.ndarray) -> pd.DataFrame:
    """``st`` with the chains ``alone_ids`` (plans sharing a cluster, :func:`_concurrent_chains`)
    read as plans of their own: their cluster's other charges are the other plans', not
    look-alike purchases (``lookalike_ratio`` 1, as for a whole cluster)."""
    at = st.index.isin(alone_ids)
    if at.any() and "lookalike_ratio" in st:
        # one new column, the others shared: a copy of the whole frame (40 columns of every
        # candidate) to set a few hundred values cost ~0.2 CPU-s a call on the bench file
        st = st.assign(lookalike_ratio=np.where(at, 1.0, st["lookalike_ratio"].to_numpy()))
    return st
