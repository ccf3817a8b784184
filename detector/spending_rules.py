"""Spending that repeats but is no plan: :func:`ruled_out` and the rules it is made of.

Varying round sums (cash, discretionary transfers) unless repriced like a plan, weekly and
weekend shopping habits, meals at one restaurant, fuel, two charges of a fast cadence, a bank's
event fees, buy-now-pay-later instalments and moves of one's own money (the row marks of
:mod:`detector.non_plans`), plans billed in turn. A candidate ruled out has confidence 0 whatever
the scorer says (:func:`detector.confidence._score`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import BIMONTHLY, FREQUENCIES, MONTHLY, is_round_sum, round_unit
from .money import to_cents


def _repriced(stats: pd.DataFrame, held: int | None = None) -> np.ndarray:
    """Candidates whose price changed a few times (:data:`MAX_PRICE_STEPS`), all one way, each
    price held ``held`` charges or more (default :data:`HELD_PRICE`): a plan repriced, not sums
    that vary."""
    held = HELD_PRICE if held is None else held
    if "amount_rises" not in stats:
        return np.zeros(len(stats), dtype=bool)
    rises, falls = stats["amount_rises"].to_numpy(), stats["amount_falls"].to_numpy()
    return ((rises + falls <= MAX_PRICE_STEPS) & (np.minimum(rises, falls) == 0)
            & (stats["amount_held"].to_numpy() >= held))


def _long_plan_repriced(stats: pd.DataFrame) -> np.ndarray:
    """Candidates billed every six months or a year by a seller of plans (a catalogue vendor or
    an app store, ``vendor_known``), repriced (:func:`_repriced`) with each price held one
    charge or more.

    A yearly plan holds a price a year a charge, so twice is two years and more: 1Password's
    900.00, then 1000.00 a year later, was "varying round sums", and the plan vanished (on a
    card holding nothing else, the scan crashed: round-twenty-six audit). One step one way at
    that cadence is a price rise; sums that vary go up and back down. Not at an unknown payee:
    a yearly gift of 200.00, then 250.00, to a friend, a donation or a bonus paid in stays out
    (and so does a tax by its name at round sums: at sums in cents the scorer leaves it out)."""
    return ((stats["freq_idx"].to_numpy() >= SEMIANNUAL) & (stats["inflow"].to_numpy() == 0)
            & (stats["vendor_known"].to_numpy() > 0) & _repriced(stats, held=1))


def _yearly_price_last(stats: pd.DataFrame, df: pd.DataFrame | None) -> np.ndarray:
    """Candidates that are a monthly plan of a seller of yearly plans (``yearly_vendor``, or an
    app store: the sellers :func:`_yearly_switches` splits) whose last charge is a yearly price:
    its price rose a few times at most (:data:`MAX_PRICE_STEPS`), never fell, and its dearest
    charge is :data:`YEARLY_SWITCH` to :data:`YEARLY_SWITCH_MAX` times its median. With prices
    only rising, the dearest charge is the last; :func:`_yearly_switches` decides whether it is a
    switch to yearly billing once the next month shows.

    Dropbox at 30.00 a month for 18 months, then 288.00 for the year: the yearly charge made
    the round sums "vary" (18 of 19 round, amount CV 1.4), the stream with it was ruled out and
    the yearly plan lost, missing from the total (round-twenty-six audit; 29.99 a month, or 8
    months of 30.00 so under 90% round, were split as they should be)."""
    if "amount_rises" not in stats or df is None:
        return np.zeros(len(stats), dtype=bool)
    med = stats["amt_median"].to_numpy()
    amt_max = stats["amt_max"].to_numpy()
    return ((stats["freq_idx"].to_numpy() == MONTHLY) & (stats["inflow"].to_numpy() == 0)
            & (stats["n"].to_numpy() >= 3) & (stats["amount_falls"].to_numpy() == 0)
            & (stats["amount_rises"].to_numpy() >= 1) & (stats["amount_rises"].to_numpy() <= MAX_PRICE_STEPS)
            & (amt_max >= YEARLY_SWITCH * med) & (amt_max <= YEARLY_SWITCH_MAX * med)
            & (_group_has(stats, df, "yearly_vendor") | _group_has(stats, df, "store")))


def _group_scale(stats: pd.DataFrame, df: pd.DataFrame | None) -> np.ndarray:
    """Per candidate: how many units of its charges' currency a dollar is (``df["scale"]``,
    :func:`detector.money.scale`); 1 where ``df`` has no such column (every row dollar-sized)."""
    if df is None or not len(stats) or "scale" not in df:
        return np.ones(len(stats))
    of = np.ones(int(df["group"].max()) + 1)
    of[df["group"].to_numpy()] = df["scale"].to_numpy()
    return of[stats["group"].to_numpy()]


def _group_has(stats: pd.DataFrame, df: pd.DataFrame | None, column: str) -> np.ndarray:
    """Per candidate: whether any row of its group (the account's merchant) is marked ``column``
    in ``df`` (a bill by its name, a fuel station, ...). False without ``df`` or the column."""
    if df is None or not len(stats) or column not in df:
        return np.zeros(len(stats), dtype=bool)
    marked = np.zeros(int(df["group"].max()) + 1, dtype=bool)
    marked[df["group"].to_numpy()[df[column].to_numpy()]] = True
    return marked[stats["group"].to_numpy()]


#: A weekly run of varying amounts whose most common weekday holds less than this share of
#: its charges is a shopping habit, not a bill.
WEEKLY_HABIT_WEEKDAY_SHARE = 0.6
#: ... and one mostly at weekends whose amounts vary more than this (coefficient of variation).
WEEKEND_SHOP_CV = 0.12
SEMIMONTHLY = FREQUENCIES.index("semimonthly")
SEMIANNUAL = FREQUENCIES.index("semiannual")
#: A weekly run of fewer charges than this, mostly at weekends, at an unknown merchant, is a
#: stream only at one price (within 2%): three Saturday shops of 52-70 in a month's statement
#: are shopping, while a weekly cleaner or sitter paid on Saturdays bills one sum.
SHORT_WEEKEND_RUN = 5


#: A fortnightly or monthly run with this share of its charges at weekends, of varying sums at
#: an unknown merchant, is shopping.
WEEKEND_RUN_SHARE = 0.8
#: Share of a run's weeks with a charge below which a weekend run of varying sums is shopping,
#: however often it repeats them.
WEEKLY_BILL_COVERAGE = 0.9
#: A weekly run on one weekday whose sums spread more than this (coefficient of variation) at
#: an unknown merchant, rarely repeating one, is a habit: a Friday dinner at one restaurant.
WEEKLY_HABIT_CV = 0.25
#: A weekly run at an eatery up to this sum (a meal or two) is a habit, even at one price. In
#: dollars: scaled to the charges' currency (money.scale: 3,000 in yen).
MEAL_PRICE = 30.0
#: A merchant whose charges repeat a sum this often (share of charges whose exact amount another
#: charge also has) bills by the unit, not by the basket.
REPEATED_SUMS = 0.5


#: A plan at a round price may change price this many times, all rises or all falls ...
MAX_PRICE_STEPS = 3
#: ... holding each price for this many charges or more (one transfer of 300.00 before
#: thirteen of 600.00 is a transfer of its own).
HELD_PRICE = 2


def _sums_vary(stats: pd.DataFrame, df: pd.DataFrame | None, which: np.ndarray) -> np.ndarray:
    """Per candidate (those ``which`` only; True elsewhere): its merchant's charges in the
    account rarely repeat an exact sum (under :data:`REPEATED_SUMS`). Without ``df``, only
    spreads over a quarter count as varying (the rule before the round-six audit)."""
    out = np.ones(len(stats), dtype=bool)
    if not which.any():
        return out
    if df is None:
        return out & ~which | (stats["amount_cv"].to_numpy() > 0.25)
    groups = np.unique(stats["group"].to_numpy()[which])
    rows = np.flatnonzero(np.isin(df["group"].to_numpy(), groups))
    cents = to_cents(df["amt"].to_numpy()[rows])
    g = df["group"].to_numpy()[rows]
    same_sum = pd.Series(cents).groupby([g, cents]).transform("size").to_numpy()
    share = pd.Series(same_sum >= 2).groupby(g).mean()
    out[which] = share.reindex(stats["group"].to_numpy()[which]).fillna(0.0).to_numpy() < REPEATED_SUMS
    return out


def _spread(stats: pd.DataFrame, df: pd.DataFrame | None) -> np.ndarray:
    """Per candidate: the spread of its sums (coefficient of variation) that the habit rules read.

    A candidate at no one price (fewer than half its sums within 2% of its median) is a piece of
    its merchant's run of sums: an amount cluster cut out of a shop's 60-180 holds only its upper
    half, 122-178, whose spread is under an eighth (round-thirty-one audit: a Sunday shop at
    Ralphs was a weekly plan of 600.92 a month). Such a candidate is judged by the wider of its
    own spread and its merchant group's; a candidate at one price (a plan among purchases at its
    merchant) keeps its own."""
    cv = stats["amount_cv"].to_numpy(dtype=float)
    if df is None or not len(stats) or not len(df):
        return cv
    g, amt = df["group"].to_numpy(), df["amt"].to_numpy(dtype=float)
    size = np.bincount(g)
    mean = np.bincount(g, weights=amt) / np.maximum(size, 1)
    ss = np.bincount(g, weights=(amt - mean[g]) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        group_cv = np.where(size > 1, np.sqrt(ss / np.maximum(size - 1, 1)) / mean, 0.0)
    at = stats["group"].to_numpy()
    loose = stats["frac_near_median"].to_numpy(dtype=float) < 0.5
    return np.where(loose, np.fmax(cv, group_cv[at]), cv)


#: A run at one round sum among its payee's varying round sums is chance under this many charges.
ROUND_RUN = 6


def _round_sums_up_and_down(stats: pd.DataFrame, df: pd.DataFrame | None) -> np.ndarray:
    """Per candidate: its merchant's charges in the account are round sums (90% or more, in the
    currency's own round unit, :func:`detector.cadence.round_unit`) that both rise and fall
    from one charge to the next: cash drawn or sent at whatever sum, not a plan repriced."""
    if df is None or not len(stats) or not len(df):
        return np.zeros(len(stats), dtype=bool)
    g, day, amt = df["group"].to_numpy(), df["day"].to_numpy(), df["amt"].to_numpy(dtype=float)
    unit = round_unit(df["scale"].to_numpy(dtype=float)) if "scale" in df else 10.0
    size = np.bincount(g)
    round_share = np.bincount(g, weights=is_round_sum(amt, unit)) / np.maximum(size, 1)
    order = np.lexsort((day, g))
    gs, step = g[order], np.diff(amt[order])
    same = gs[1:] == gs[:-1]
    rises = np.bincount(gs[1:][same & (step > 0.01)], minlength=len(size))
    falls = np.bincount(gs[1:][same & (step < -0.01)], minlength=len(size))
    return ((round_share >= 0.9) & (rises > 0) & (falls > 0))[stats["group"].to_numpy()]


#: A run whose day of the month strays this many days from its usual day on average is counted
#: in no months (a bill's posting delays and weekend rolls stray 0-2).
DRIFTING_DAY = 4.0


def ruled_out(stats: pd.DataFrame, df: pd.DataFrame | None = None) -> np.ndarray:
    """Candidates that are no stream whatever the scorer says (their confidence is 0): varying
    round sums, a bank's charges for events and buy-now-pay-later instalments."""
    # sums that are round yet vary from cycle to cycle are cash or discretionary transfers:
    # bills come in cents, and a standing order or subscription repeats one sum, which may change
    # once or twice, one way, each price held a while (a piano teacher's 160.00, then 180.00:
    # round-eight audit, the rise at a round price was dropped and the plan shown ended); cash
    # drawn at 200 most months and 300 now and then goes up and back down
    # (a yearly plan's one rise, and a monthly plan's yearly charge at a seller of yearly plans,
    # are no varying sums either: _long_plan_repriced, _yearly_price_last)
    repriced = _repriced(stats) | _long_plan_repriced(stats) | _yearly_price_last(stats, df)
    # (nor a tax's instalments in fixed months: US estimated income tax is paid in round sums,
    # re-estimated from one instalment or year to the next)
    repriced |= stats["fixed_months"].to_numpy() > 0
    out = (stats["round_share"].to_numpy() >= 0.9) & (stats["amount_cv"].to_numpy() > 0.05) & ~repriced
    # a "weekly" run of purchases at a shop: amounts that differ every time, on a day that
    # drifts through the week (fuel every 6-9 days, groceries): on weekends too, or, where a bank
    # gives posting dates, over four weekdays or more. A weekly bill keeps its weekday or its
    # price, or posts on a weekday or two (childcare or a loan debited by transfer, whose day
    # wanders between Friday and Monday); a catalogue vendor is judged by the scorer.
    drifts = (stats["weekend_share"].to_numpy() > 0) | (stats["weekdays_used"].to_numpy() >= 4)
    # The big shop on Saturdays keeps its day but not its sum: mostly at weekends, amounts moving
    # by an eighth or more (a Whole Foods run of 45-160 and a Tesco shop of 55-130 were weekly
    # "subscriptions", audits).
    # A bill priced by the hour or the item repeats its few sums (a sitter's 3-5 hours at 18.50, a
    # lesson of 37.50, 45.00 or 60.00, a milk round's usual order): round-six audit, dropped at an
    # eighth. A shop's sums are all different.
    spread = _spread(stats, df)  # (a piece cut by amount out of a shop's sums: by the shop's spread)
    weekend_shop = (stats["weekend_share"].to_numpy() >= 0.5) & (spread > WEEKEND_SHOP_CV)
    # A bill comes nearly every week; menu prices bought some weekends (a car wash at 11.99-24.99
    # forty weekends a year: round-seven audit) repeat their sums too, and are shopping.
    weekend_shop &= _sums_vary(stats, df, weekend_shop) | (stats["coverage"].to_numpy() < WEEKLY_BILL_COVERAGE)
    # Too few charges to measure that spread (a one-month statement's three Saturday shops, audit):
    # mostly at weekends and not at one price.
    short_weekend_shop = ((stats["n"].to_numpy() < SHORT_WEEKEND_RUN) & (stats["weekend_share"].to_numpy() >= 0.5)
                          & (stats["amt_max"].to_numpy() > 1.02 * stats["amt_min"].to_numpy()))
    out |= ((stats["freq_idx"].to_numpy() == 0) & (stats["inflow"].to_numpy() == 0)
            & (stats["vendor_known"].to_numpy() == 0)
            & (((stats["frac_near_median"].to_numpy() < 0.5)
                & (((stats["weekday_share"].to_numpy() < WEEKLY_HABIT_WEEKDAY_SHARE) & drifts) | weekend_shop))
               | short_weekend_shop))
    # The same shop every other weekend, or one weekend a month (a Costco run of 80-340 every
    # other Saturday, a first-Saturday-of-the-month shop of 150-420: round-thirteen audit, 465.00
    # a month of "subscriptions"): at an unknown merchant, four charges or more, nearly all at
    # weekends, sums varying by an eighth or more and rarely repeated. A bill on a day of the
    # month falls on a weekend two days in seven; one billed every other Saturday by the hour
    # repeats its sums.
    fortnight_or_month = np.isin(stats["freq_idx"].to_numpy(), (FREQUENCIES.index("biweekly"), MONTHLY))
    weekend_run = (fortnight_or_month & (stats["weekend_share"].to_numpy() >= WEEKEND_RUN_SHARE)
                   & (stats["n"].to_numpy() >= 4) & (spread > WEEKEND_SHOP_CV)
                   & (stats["inflow"].to_numpy() == 0) & (stats["vendor_known"].to_numpy() == 0))
    # a utility paid online on the weekend after its bill comes (round fifteen: a water and an
    # electric bill, 13 charges each, were dropped as shopping)
    named_bill = _group_has(stats, df, "named_bill")
    weekend_run &= ~named_bill
    out |= weekend_run & _sums_vary(stats, df, weekend_run)
    unknown_out = (stats["inflow"].to_numpy() == 0) & (stats["vendor_known"].to_numpy() == 0)
    # The same restaurant every Friday, for 29-92 each time (round-eighteen audit: Vapiano and
    # Dishoom were weekly "plans" of 220-260 a month, one with a trial conversion): a weekly run
    # keeping its weekday, its sums spread by a quarter or more and rarely repeated, mostly far
    # from their median. A weekly bill on its weekday bills one sum, or a few (by the hour).
    habit = (unknown_out & (stats["freq_idx"].to_numpy() == 0) & (stats["frac_near_median"].to_numpy() < 0.5)
             & (spread > WEEKLY_HABIT_CV))
    # Fuel follows the tank, whatever the cadence of the visits: a fuel station's run whose sums
    # rarely repeat and are at no one price: they move by an eighth or more, or most are more than
    # 2% from their median (a tank filled for 52-74 each Monday spreads by a tenth: round-thirty-one
    # audit, BP and Shell were weekly plans of 190-250 a month). A station's fixed-price club (a car
    # wash, an EV charging plan) holds its price and repeats it.
    # So does a grocer's basket and a meal's bill (descriptor_words.GROCER, EATERY; round-54 audit:
    # three shops at Trader Joe's a month apart, 52.49-66.38, on a new card's three months were a
    # monthly plan of 56.11). A grocer's delivery pass and a restaurant's own club repeat a price.
    basket = _group_has(stats, df, "fuel") | _group_has(stats, df, "grocer") | _group_has(stats, df, "eatery")
    habit |= unknown_out & basket & (
        (stats["amount_cv"].to_numpy() > WEEKEND_SHOP_CV) | (stats["frac_near_median"].to_numpy() < 0.5))
    habit &= ~named_bill
    out |= habit & _sums_vary(stats, df, habit)
    # The same lunch at one restaurant every Friday, even at one price (round-twenty audit: 11.47
    # at Jersey Mike's was an active weekly subscription of 49.70 a month): a run weekly or twice
    # a month at an unknown eatery (descriptor_words.EATERY), a meal's price or less. Restaurants'
    # own plans bill monthly; meal kits are catalogue vendors or cost more than a meal.
    eatery = _group_has(stats, df, "eatery")
    out |= (unknown_out & eatery & (stats["freq_idx"].to_numpy() >= 0)
            & (stats["freq_idx"].to_numpy() <= SEMIMONTHLY)
            & (stats["amt_median"].to_numpy() <= MEAL_PRICE * _group_scale(stats, df)))
    # Nor does a coffee shop, a diner or a fuel station sell a plan renewed every six months or a
    # year: two like sums there months apart are two visits (a 4.87 coffee a year apart was a
    # yearly plan "renewed", with a flag).
    long_run = stats["freq_idx"].to_numpy() >= FREQUENCIES.index("semiannual")
    out |= unknown_out & long_run & (eatery | _group_has(stats, df, "fuel"))
    # A few charges in a row at one round sum, at an unknown payee whose round sums otherwise
    # go up and down, are cash: money sent at 30,000-100,000 won a month repeats a sum three
    # months running now and then (the model retrained in the twenty-eighth session took three
    # 70,000s for a monthly plan). Sums drawn from a handful repeat by chance; a standing order
    # among such transfers holds its sum longer (:data:`ROUND_RUN` charges).
    n = stats["n"].to_numpy()
    group_rows = np.bincount(df["group"].to_numpy())[stats["group"].to_numpy()] if df is not None and len(df) \
        else n
    out |= (unknown_out & (stats["round_share"].to_numpy() >= 0.9) & (n < ROUND_RUN) & (n < group_rows)
            & _round_sums_up_and_down(stats, df))
    # A bill every two months is counted in months, keeping its day of the month (give or take
    # a weekend or a card's posting delay), or in days or weeks, keeping its interval (pest
    # control every 56 days, confidence.every_few_weeks). Purchases at one price every 50-66 days
    # at an unknown shop do neither: their day drifts by :data:`DRIFTING_DAY` days or more on
    # average and under half their intervals are within a day of the median.
    out |= (unknown_out & (stats["freq_idx"].to_numpy() == BIMONTHLY) & ~named_bill
            & (stats["dom_dev"].to_numpy() >= DRIFTING_DAY) & (stats["steady_share"].to_numpy() < 0.5))
    # two charges of a weekly, fortnightly or twice-monthly run are no evidence of a plan yet (two
    # coffees at one price a week apart; the two like-sized shops of a month's statement, audit)
    out |= (stats["n"].to_numpy() < 3) & (stats["freq_idx"].to_numpy() <= SEMIMONTHLY)
    # nor are two like sums two months apart, a double charge besides: every other bill of a
    # varying monthly bill (158 and 159, its 204s between them) and a shop's purchases look so
    cycles = 1 + (stats["n"].to_numpy() - 1) * (1 - stats["frac_dup"].to_numpy())
    out |= (cycles < 2.5) & (stats["freq_idx"].to_numpy() == BIMONTHLY)
    # a bank's charge for an event (an overdraft, an ATM withdrawal) comes when the event does;
    # a buy-now-pay-later lender's instalments repay one purchase each, in a few parts; money
    # moved to one's own pot or currency account is no plan (OWN_ACCOUNT_MOVE)
    for column in ("event_fee", "instalment", "own_move"):
        out |= _group_has(stats, df, column)
    # An app store bills a plan every week, one, two, three or six months or a year (Apple's
    # auto-renewable periods; Google Play's and Roku's hold no fortnight or half month either):
    # never every two weeks or twice a month. A "fortnightly" run at one there is in-app
    # purchases at one price (a game's 8.49 pack bought now and then), or two plans at one price
    # (which the echo chains read as the monthly plans they are).
    fortnight = np.isin(stats["freq_idx"].to_numpy(), (FREQUENCIES.index("biweekly"), SEMIMONTHLY))
    out |= fortnight & (stats["inflow"].to_numpy() == 0) & _group_has(stats, df, "store")
    # plans billed in turn at prices far apart (_plans_in_turn) are no one plan billed faster
    # than monthly: two monthly plans read together as one "biweekly" one (round-44 audit)
    if df is not None and len(stats) and "in_turn" in df:
        whole = np.bincount(df["group"].to_numpy())[stats["group"].to_numpy()] == stats["n"].to_numpy()
        freq = stats["freq_idx"].to_numpy()
        out |= whole & _group_has(stats, df, "in_turn") & (freq >= 0) & (freq < MONTHLY)
    return out


#: A yearly plan costs this many monthly fees or more (a year is typically 10-12 of them; an
#: introductory price ends at 2-4 times its price): renewal_flags.YEARLY_SWITCH. A plan billed
#: every two or three months moves at the same price a month (a year is 5-14 months' worth).
YEARLY_SWITCH = 5.0
#: ... and at most this many: a year dearer than twelve monthly fees and a rise is no yearly plan,
#: but a purchase or a final payment (a bike bought from the vendor of its membership).
YEARLY_SWITCH_MAX = 14.0
