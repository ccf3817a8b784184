"""Merchant templates for the synthetic generator (:mod:`detector.synth`).

Plain data: recurring services and bills with their cadence, price points, billing channel and
the descriptor spellings banks use for them, plus the everyday spending that must *not* be
detected (groceries, fuel, coffee, marketplace purchases, irregular fees). ``{ref}`` in a
descriptor is replaced per transaction by a random reference code, ``{store}`` by a store number
that is fixed per account, ``{ph}`` by a phone number fixed per template.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tomllib

from .catalog.vendors import default_catalog_path


@dataclass(frozen=True)
class Recurring:
    """A recurring service or bill a synthetic account may have."""

    name: str  # truth merchant name
    frequency: str
    prices: tuple[float, ...]
    descriptors: tuple[str, ...]
    channel: str = "direct"
    kind: str = "card"  # card: any day, posting delay; ach: rolls to next business day
    amount_sd: float = 0.0  # relative spread per charge (variable bills)
    fx: bool = False  # billed in another currency: cents jitter
    trial: float = 0.0  # probability a new stream starts with a $1/intro charge
    weight: float = 1.0
    direction: str = "outflow"
    negative: bool = False  # periodic but not recurring: random amounts (cash on payday)
    jitter: float = 0.0  # sd in days of a habit's timing (a haircut every 4-6 weeks)
    round_to: float = 0.0  # amounts in whole multiples of this (cash)
    # irregular charges of varying amount under the same descriptor while the stream runs
    # (a cash-advance app's repayments beside its fee): per week, and their mean amount
    companions: float = 0.0
    companion_mean: float = 0.0
    gaps: float = 0.0  # share of cycles with no charge (no advance taken, a missed instalment)
    # a second stream under the same descriptor while this one runs: advance repayments on
    # paydays beside a finance app's fee (probability, and the RECURRING name of its template)
    rider: float = 0.0
    rider_name: str = ""


def _catalog_descriptors(category: str) -> tuple[str, ...]:
    """First alias of every packaged-catalogue vendor in ``category`` (read directly, so
    ``SUBDETECT_VENDORS`` cannot change what ``make train`` learns from)."""
    with default_catalog_path().open("rb") as fh:
        vendors = tomllib.load(fh)["vendor"]
    return tuple(v["aliases"][0].lstrip("=") for v in vendors if v.get("category") == category and v.get("aliases"))


@dataclass(frozen=True)
class Noise:
    """Everyday spending: irregular timing, usually varying amounts."""

    name: str
    per_week: float
    mean: float
    sd: float  # log-normal sigma; 0 = fixed price per account
    descriptors: tuple[str, ...] = field(default_factory=tuple)
    prob: float = 1.0  # share of accounts that have it
    credit: bool = False
    # price points instead of a continuous amount: each account keeps to a few of them (a
    # player buys the same gem pack again and again), so one-off purchases repeat prices
    points: tuple[float, ...] = ()
    # visits on a renewal schedule rather than at random: each one this many days (low, high)
    # after the last, drawn per account (a haircut every 3-8 weeks at the same price)
    every: tuple[float, float] = ()


# Repayment amounts on even steps across their usual range (an advance plus its fee, a loan's
# instalment, a lease's weekly payment): price points spread over the range, none taken from data.
_ADVANCE_REPAYMENTS = tuple(round(45.0 + 14.5 * i + 0.99 * (i % 2), 2) for i in range(12))
_LOAN_MONTHLY = tuple(round(60.0 + 23.17 * i, 2) for i in range(18))
_LOAN_BIWEEKLY = tuple(round(45.0 + 17.3 * i, 2) for i in range(8))
_LEASE_WEEKLY = tuple(round(19.99 + 4.5 * i, 2) for i in range(10))

RECURRING: tuple[Recurring, ...] = (
    Recurring("Netflix", "monthly", (6.99, 15.49, 22.99), ("NETFLIX.COM", "NETFLIX.COM {ph} CA", "Netflix.com Los Gatos CA", "NETFLIX INC"), weight=3, trial=0.0),
    Recurring("Spotify", "monthly", (10.99, 11.99, 16.99), ("SPOTIFY USA", "Spotify P{ref} Stockholm SE", "SPOTIFY.COM NEW YORK NY", "PAYPAL *SPOTIFY {ph}"), weight=3, trial=0.3),
    Recurring("Hulu", "monthly", (7.99, 17.99), ("HULU {ph} CA", "HLU*HULU {ref} HULU.COM/BILLCA", "HULU.COM"), weight=1.5, trial=0.3),
    Recurring("Disney+", "monthly", (7.99, 13.99), ("DISNEY PLUS {ph} CA", "DisneyPLUS BURBANK CA", "DISNEY+ {ref}"), weight=1.5, trial=0.2),
    Recurring("YouTube Premium", "monthly", (13.99, 22.99), ("GOOGLE *YouTube Premium g.co/helppay#", "GOOGLE *YOUTUBEPREMIUM {ph}"), channel="google_play", weight=1.2, trial=0.3),
    Recurring("Google One", "monthly", (1.99, 2.99, 9.99), ("GOOGLE *Google One g.co/helppay#", "GOOGLE*GOOGLE STORAGE {ph}"), channel="google_play", weight=1),
    Recurring("iCloud", "monthly", (0.99, 2.99, 9.99), ("APPLE.COM/BILL {ph} CA", "APPLE.COM/BILL", "APL*ITUNES.COM/BILL {ph} CA"), channel="apple", weight=2.5),
    Recurring("Apple Music", "monthly", (10.99, 16.99), ("APPLE.COM/BILL {ph} CA", "APPLE.COM/BILL", "APL*ITUNES.COM/BILL {ph} CA"), channel="apple", weight=1.5, trial=0.3),
    Recurring("Apple TV+", "monthly", (6.99, 9.99), ("APPLE.COM/BILL {ph} CA", "APPLE.COM/BILL"), channel="apple", weight=0.8),
    Recurring("Amazon Prime", "monthly", (14.99,), ("Amazon Prime*{ref} Amzn.com/bill WA", "AMAZON PRIME*{ref}", "AMZN PRIME MEMBERSHIP", "Amazon.com*{ref}", "AMAZON.COM*{ref} AMZN.COM/BILL WA"), channel="amazon", weight=2, trial=0.3),
    Recurring("Amazon Prime", "annual", (139.0, 119.0), ("Amazon Prime*{ref} Amzn.com/bill WA", "AMAZON PRIME*{ref}", "Amazon.com*{ref}", "AMZN Mktp US*{ref}"), channel="amazon", weight=1),
    Recurring("Audible", "monthly", (14.95,), ("Audible*{ref} Amzn.com/bill NJ", "AUDIBLE US {ph}"), channel="amazon", weight=0.7, trial=0.4),
    Recurring("Microsoft 365", "annual", (69.99, 99.99), ("MICROSOFT*MICROSOFT 365 {ph} WA", "MSFT * {ref} MSBILL.INFO WA"), weight=1),
    Recurring("Xbox Game Pass", "monthly", (10.99, 16.99), ("MICROSOFT*XBOX {ph} WA", "MSFT * XBOX GAME PASS"), weight=0.7, trial=0.4),
    Recurring("Adobe Creative Cloud", "monthly", (20.99, 54.99), ("ADOBE *CREATIVE CLOUD {ph} CA", "ADOBE  *ADOBE {ph}"), weight=0.8, trial=0.3),
    Recurring("Dropbox", "annual", (119.88,), ("DROPBOX*{ref} DROPBOX.COM CA", "DROPBOX INC"), weight=0.5),
    Recurring("NYTimes", "monthly", (4.0, 17.0, 25.0), ("NYTIMES*NYTIMES.COM {ph} NY", "NYT DIGITAL SUBSCRIPTION"), weight=0.7, trial=0.5),
    Recurring("Patreon", "monthly", (5.0, 10.0), ("PATREON* MEMBERSHIP", "PAYPAL *PATREON {ph}"), channel="paypal", weight=0.5),
    Recurring("ChatGPT Plus", "monthly", (20.0,), ("OPENAI *CHATGPT SUBSCR", "OPENAI SAN FRANCISCO CA"), weight=0.8),
    Recurring("Duolingo", "annual", (83.99, 59.99), ("DUOLINGO INC {ph}", "Duolingo Pittsburgh PA"), weight=0.5, trial=0.3),
    Recurring("Norton 360", "annual", (99.99, 49.99), ("NORTON *{ref} {ph} AZ", "NORTONLIFELOCK"), weight=0.5),
    Recurring("Costco Membership", "annual", (65.0, 130.0), ("COSTCO *ANNUAL RENEWAL {ph} WA", "COSTCO MEMBERSHIP", "COSTCO WHSE #{store}"), weight=0.6),
    Recurring("Planet Fitness", "monthly", (10.0, 24.99), ("PLANET FITNESS #{store}", "PF CLUB FEES {ph}"), weight=1, kind="ach"),
    Recurring("Peloton", "monthly", (12.99, 44.0), ("PELOTON* MEMBERSHIP {ph}", "PELOTON INTERACTIVE"), weight=0.4),
    Recurring("HelloFresh", "weekly", (59.94, 71.92), ("HELLOFRESH {ph} NY", "HELLOFRESH.COM"), weight=0.5, amount_sd=0.0),
    Recurring("Rover Dog Walking", "weekly", (45.0, 60.0), ("ROVER.COM {ph} WA",), weight=0.2),
    Recurring("Sparkle Cleaning", "biweekly", (120.0, 150.0), ("SQ *SPARKLE CLEANING", "SPARKLE CLEANING SVC"), weight=0.3),
    Recurring("Verizon Wireless", "monthly", (65.0, 85.0, 140.0), ("VERIZON WIRELESS PAYMENTS", "VZWRLSS*APOCC VISB", "VZ WIRELESS VE {ph}"), kind="ach", amount_sd=0.04, weight=1.2),
    Recurring("T-Mobile", "monthly", (70.0, 120.0), ("T-MOBILE PCS SVC {ph}", "TMOBILE*AUTO PAY {ph} WA"), kind="ach", amount_sd=0.03, weight=1),
    Recurring("Comcast Xfinity", "monthly", (79.99, 109.99), ("COMCAST CABLE COMM {ph}", "XFINITY MOBILE {ph} PA"), kind="ach", amount_sd=0.05, weight=1),
    Recurring("Duke Energy", "monthly", (90.0, 160.0), ("DUKE ENERGY PAYMENT", "DUKE-ENERGY {ph} NC"), kind="ach", amount_sd=0.25, weight=1),
    Recurring("PG&E", "monthly", (80.0, 140.0), ("PGANDE WEB ONLINE", "PG&E/EZ-PAY {ph}"), kind="ach", amount_sd=0.25, weight=0.8),
    Recurring("City Water", "quarterly", (95.0, 160.0), ("CITY OF SPRINGFIELD WATER UTIL", "CITY WATER DEPT PMT"), kind="ach", amount_sd=0.15, weight=0.7),
    Recurring("State Farm Insurance", "monthly", (110.0, 180.0), ("STATE FARM RO 27 SFPP", "STATE FARM INSURANCE {ph}"), kind="ach", amount_sd=0.01, weight=1),
    Recurring("GEICO", "semiannual", (540.0, 780.0), ("GEICO *AUTO {ph} DC", "GEICO INS PREMIUM"), kind="ach", amount_sd=0.03, weight=0.6),
    Recurring("Progressive", "monthly", (98.0, 143.0), ("PROG DIRECT INS PREM", "PROGRESSIVE *INSURANCE {ph}"), kind="ach", amount_sd=0.01, weight=0.6),
    Recurring("Lemonade Renters", "annual", (96.0, 132.0), ("LEMONADE INSURANCE", "LEMONADE I* {ph} NY"), weight=0.3),
    Recurring("Rent", "monthly", (1450.0, 1850.0, 2300.0), ("ZELLE PAYMENT TO OAKWOOD APTS", "OAKWOOD PROPERTY MGMT WEB PMTS"), kind="ach", weight=0.5),
    Recurring("Sallie Mae", "monthly", (212.37, 318.55), ("SALLIE MAE BANK PAYMENT", "NAVIENT SLM PMT {ref}"), kind="ach", weight=0.5),
    Recurring("Toyota Financial", "monthly", (389.21, 455.0), ("TOYOTA PAYMENT {ref}", "TOYOTA MOTOR CREDIT TMCC"), kind="ach", weight=0.5),
    Recurring("Savings transfer", "monthly", (100.0, 250.0, 500.0), ("ONLINE TRANSFER TO SAV XXXXXX{store}", "RECURRING TRANSFER TO SAVINGS {store}"), kind="ach", weight=0.8, negative=True),
    Recurring("Standing transfer", "monthly", (50.0, 75.0, 300.0), ("ONLINE TRANSFER TO SAV XXXXXX{store}", "RECURRING TRANSFER TO SAVINGS {store}"), kind="ach", weight=0.5, negative=True),
    Recurring("Cash on payday", "biweekly", (200.0,), ("ATM WITHDRAWAL {store}", "CASH WITHDRAWAL BRANCH {store}"), kind="ach", amount_sd=0.6, weight=0.6, negative=True, round_to=20.0),
    Recurring("Cash monthly", "monthly", (300.0, 2500.0), ("ATM WITHDRAWAL {store}", "CASH WITHDRAWAL BRANCH {store}"), kind="ach", amount_sd=0.5, weight=0.6, negative=True, round_to=100.0),
    Recurring("Cash habit", "monthly", (200.0, 3000.0), ("ATM WITHDRAWAL {store}", "CASH WITHDRAWAL BRANCH {store}"), kind="card", amount_sd=0.2, weight=0.6, negative=True, jitter=7.0, round_to=100.0),
    Recurring("Warehouse run", "monthly", (140.0,), ("COSTCO WHSE #{store}", "SAMS CLUB #{store}"), amount_sd=0.35, weight=0.6, negative=True, jitter=8.0),
    # memberships billed on a loose schedule (fee taken when the app decides): still recurring
    Recurring("AdvancePay", "monthly", (1.99, 8.99, 9.99), ("ADVANCEPAY MEMBERSHIP", "ADVANCEPAY* SUBSCRIPTION {ph}"), weight=0.5, jitter=5.0),
    Recurring("BoostCash", "monthly", (3.99, 14.99), ("BOOSTCASH APP FEE", "BOOSTCASH *MEMBER"), weight=0.4, jitter=6.0),
    # a finance app's steady membership fee (any catalogue finance vendor) billed under the same
    # name as advance repayments and transfer fees: a regular stream that is a small share of
    # its merchant's charges, at a known vendor
    Recurring("Finance app fee", "monthly", (1.0, 3.99, 8.99, 9.99, 14.99), _catalog_descriptors("finance"),
              weight=1.5, companions=1.0, companion_mean=60.0, rider=0.5, rider_name="Advance repayment"),
    # the advance (plus its fee or tip) taken back on payday, one sum per user, not every payday;
    # never planned on its own (weight 0): it rides on a finance app fee, under its descriptor
    Recurring("Advance repayment", "semimonthly", _ADVANCE_REPAYMENTS, ("",),
              weight=0.0, gaps=0.3),
    Recurring("Advance repayment", "biweekly", _ADVANCE_REPAYMENTS, ("",),
              weight=0.0, gaps=0.3),
    # instalment lenders and rent-to-own: fixed repayments, often missed or late, plus the odd
    # extra or payoff payment of another sum
    Recurring("Instalment loan", "monthly", _LOAN_MONTHLY, ("QUICKLEND INSTALLMENT {ref}", "SUMMIT LOANS PMT", "LENDCO FINANCE WEB PMT"), kind="ach", weight=0.8, gaps=0.15, companions=0.03, companion_mean=250.0),
    Recurring("Instalment loan", "biweekly", _LOAN_BIWEEKLY, ("QUICKLEND INSTALLMENT {ref}", "SPEEDYCASH LOAN PMT"), kind="ach", weight=0.4, gaps=0.15, companions=0.03, companion_mean=150.0),
    Recurring("Rent-to-own", "weekly", _LEASE_WEEKLY, ("RENTWAY LEASE #{store}", "EZLEASE *PAYMENT {ph}"), weight=0.4, gaps=0.08, companions=0.02, companion_mean=80.0),
    # several creators at one price behind one descriptor: interleaved same-amount streams
    # long-cycle bills at merchants no catalogue lists: two charges a year apart at an unknown
    # name can be a renewal too, not only a coincidence of two equal purchases
    Recurring("Domain renewal", "annual", (12.0, 20.0, 25.0, 35.99), ("DOMAINREG*RENEWAL {ref}", "NAMEHOST DOMAINS {ph}"), weight=0.8),
    Recurring("Club dues", "annual", (45.0, 60.0, 99.0, 120.0), ("METRO AUTO CLUB DUES", "RIVERSIDE SWIM CLUB"), kind="ach", weight=0.8),
    Recurring("HVAC plan", "semiannual", (89.0, 129.0), ("COMFORTAIR HVAC PLAN {ph}",), kind="ach", weight=0.4),
    Recurring("Pest control", "quarterly", (95.0, 125.0), ("BUGFREE PEST SVC", "BUGFREE PEST {ph}"), kind="ach", weight=0.5),
    # a membership billed under the same name as the rides or orders it discounts, at merchants
    # the catalogue may not know: a steady price among varying purchases
    Recurring("Ride membership", "monthly", (9.99, 4.99), ("UBER *TRIP {ref}", "LYFT *RIDE {ref}"), weight=0.5, jitter=3.0),
    Recurring("Delivery membership", "monthly", (9.99, 8.99), ("DOORDASH*{ref}",), weight=0.5, jitter=2.0),
    # app subscriptions billed through the app stores, beside one-off in-app purchases
    Recurring("App subscription", "monthly", (2.99, 4.99, 6.99, 7.99, 9.99, 12.99, 14.99), ("APPLE.COM/BILL {ph} CA", "APPLE.COM/BILL"), channel="apple", weight=1.5, trial=0.3),
    Recurring("Play subscription", "monthly", (1.99, 4.99, 9.99), ("GOOGLE *Google Play g.co/helppay#",), channel="google_play", weight=1.0, trial=0.3),
    Recurring("App subscription", "annual", (29.99, 44.99, 64.99, 74.99, 84.99), ("APPLE.COM/BILL {ph} CA", "APPLE.COM/BILL"), channel="apple", weight=0.6),
    Recurring("Ride membership", "annual", (84.0, 94.0), ("UBER *TRIP {ref}", "LYFT *RIDE {ref}"), weight=0.3),
    Recurring("App weekly plan", "weekly", (2.99, 4.99, 6.99), ("APPLE.COM/BILL {ph} CA", "APPLE.COM/BILL"), channel="apple", weight=0.3),
    Recurring("FanClub creator 1", "monthly", (9.99,), ("FANCLUB* MEMBERSHIP", "FANCLUB.COM {ph}"), weight=0.6),
    Recurring("FanClub creator 2", "monthly", (9.99,), ("FANCLUB* MEMBERSHIP", "FANCLUB.COM {ph}"), weight=0.5),
    Recurring("FanClub creator 3", "monthly", (9.99, 4.99), ("FANCLUB* MEMBERSHIP", "FANCLUB.COM {ph}"), weight=0.4),
    Recurring("Payroll", "biweekly", (1850.0, 2400.0, 3125.0), ("ACME CORP PAYROLL PPD ID: {ref}", "DIRECT DEP ACME CORP", "ACME CORP DIR DEP"), kind="payroll", amount_sd=0.02, direction="inflow", weight=2),
    Recurring("Payroll", "semimonthly", (2100.0, 2750.0), ("GLOBEX INC PAYROLL", "GUSTO PAY {ref}", "ADP PAYROLL GLOBEX"), kind="payroll", amount_sd=0.02, direction="inflow", weight=1.5),
    Recurring("Payroll", "weekly", (640.0, 820.0), ("INITECH WKLY PAY DIR DEP",), kind="payroll", amount_sd=0.06, direction="inflow", weight=0.4),
)


#: Bills every two months: many US municipal water/sewer utilities (varying), pest control and
#: lawn care at a fixed price. Not in RECURRING: any template added there changes every draw of
#: the generator, so the shipped model (trained on seed 1000) and the held-out sets would all
#: move. Retraining with them lowered recur_scan (0.618 -> 0.613), and the shipped model finds
#: 27 of seed 777's 28 without them; they measure bimonthly bills (docs/detection.md, "Bimonthly"):
#: ``synth.RECURRING = synth_catalog.RECURRING + synth_catalog.BIMONTHLY_BILLS``. The names are
#: the quarterly ones', so an account has one water bill and one pest control (the first kept).
BIMONTHLY_BILLS = (
    Recurring("City Water", "bimonthly", (80.0, 120.0, 190.0), ("CITY OF RIVERTON UTILITIES WEB PMT", "RIVERTON WATER SEWER UTIL"), kind="ach", amount_sd=0.15, weight=0.6),
    Recurring("Pest control", "bimonthly", (59.0, 89.0), ("ANTSAWAY PEST CTRL {ph}", "ANTSAWAY PEST CONTROL"), kind="ach", weight=0.4),
    Recurring("Lawn care", "bimonthly", (45.0, 65.0, 75.0), ("GREENLEAF LAWN CARE {ph}", "SQ *GREENLEAF LAWN"), weight=0.3),
)

_APP_POINTS = (0.99, 1.99, 2.99, 3.99, 4.99, 5.99, 6.99, 7.99, 9.99, 14.99, 19.99, 29.99, 49.99, 99.99)
_TIP_POINTS = (3.0, 5.0, 5.0, 10.0, 10.0, 15.0, 20.0, 25.0, 50.0, 4.99, 7.99, 9.99, 14.99)

NOISE: tuple[Noise, ...] = (
    Noise("Groceries", 1.4, 62.0, 0.6, ("KROGER #{store}", "WHOLEFDS MKT #{store}", "SAFEWAY #{store}", "TRADER JOE S #{store}", "PUBLIX SUPER MAR {store}", "ALDI {store}")),
    Noise("Fuel", 0.9, 42.0, 0.35, ("SHELL OIL {store}", "CHEVRON {store}", "EXXONMOBIL {store}", "CIRCLE K # {store}", "WAWA {store}")),
    Noise("Coffee", 2.5, 5.25, 0.0, ("STARBUCKS STORE {store}", "SQ *BLUE BOTTLE COFFEE", "DUNKIN #{store}"), prob=0.6),
    Noise("Restaurants", 1.5, 28.0, 0.6, ("CHIPOTLE {store}", "SQ *TACO STAND", "TST* THAI BASIL", "MCDONALD'S F{store}", "DOORDASH*{ref}")),
    Noise("Marketplace", 1.0, 31.0, 0.8, ("AMZN Mktp US*{ref}", "AMAZON.COM*{ref} AMZN.COM/BILL WA", "Amazon.com*{ref}", "EBAY O*{ref}")),
    Noise("App purchases", 0.15, 3.99, 0.7, ("APPLE.COM/BILL {ph} CA", "GOOGLE *Google Play g.co/helppay#"), prob=0.5,
          points=_APP_POINTS),
    Noise("Rideshare", 0.5, 19.0, 0.5, ("UBER *TRIP {ref}", "LYFT *RIDE {ref}"), prob=0.6),
    Noise("Pharmacy", 0.3, 24.0, 0.7, ("CVS/PHARMACY #{store}", "WALGREENS #{store}")),
    Noise("Overdraft fee", 0.05, 35.0, 0.0, ("OVERDRAFT ITEM FEE", "NSF RETURNED ITEM FEE"), prob=0.4),
    Noise("ATM fee", 0.15, 3.0, 0.0, ("ATM WITHDRAWAL FEE", "NON-CHASE ATM FEE-WITH"), prob=0.5),
    Noise("Creator tips", 0.5, 9.0, 0.6, ("FANCLUB* MEMBERSHIP", "FANCLUB.COM 866-712-7753"), prob=0.1,
          points=_TIP_POINTS),
    Noise("Transfer in", 0.2, 150.0, 0.9, ("VENMO CASHOUT {ref}", "ZELLE FROM J SMITH {ref}"), credit=True),
    # heavy platform users: dozens of in-app purchases or tips a month under the descriptor
    # their subscriptions bill under, so a subscription is a small share of its merchant
    Noise("App purchases, heavy", 2.5, 3.99, 0.7, ("APPLE.COM/BILL {ph} CA", "GOOGLE *Google Play g.co/helppay#"),
          prob=0.08, points=_APP_POINTS),
    Noise("Creator tips, heavy", 3.0, 9.0, 0.6, ("FANCLUB* MEMBERSHIP", "FANCLUB.COM 866-712-7753"), prob=0.04,
          points=_TIP_POINTS),
    # services people come back for at one price, every few weeks but on no calendar: each
    # visit 3-8 weeks after the last (hair, grooming, a car wash): a same-price habit whose
    # intervals wander far more than any biller's
    Noise("Personal care visits", 0.0, 0.0, 0.0, ("TOPCUT BARBERS #{store}", "SQ *SHEAR DELIGHT STUDIO", "TIDY PAWS GROOMING",
                                             "SUDSY AUTO SPA {store}", "GLOSS LAB STUDIO"),
          prob=0.3, points=(20.0, 24.0, 28.0, 34.0, 40.0, 46.0, 52.0, 60.0, 70.0), every=(21.0, 60.0)),
)

#: Banks' ways of wrapping a card descriptor, ``{d}`` the merchant part, ``{md}`` mm/dd.
CARD_STYLES = (
    "{d}",
    "CHECKCARD {mmdd} {d} 2446{ref}",
    "PURCHASE AUTHORIZED ON {md} {d} S{ref} CARD 4417",
    "POS DEBIT {d}",
    "DEBIT CARD PURCHASE - {d}",
    "{d}",
)
ACH_STYLES = (
    "{d}",
    "{d} DES:AUTOPAY ID:{ref} PPD",
    "{d} ACH DEBIT",
    "ACH DEBIT {d}",
    "ELECTRONIC WITHDRAWAL {d}",
    "{d}",
)
