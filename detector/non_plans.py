"""Statement lines that are never a plan, whatever their rhythm: the patterns stream detection
rules them out by.

A bank's charges for events (:data:`EVENT_FEE`), cash drawn (:data:`CASH_DRAWN`), what a card
charges for how it is used (:data:`CARD_USE_CHARGE`), money moved between the holder's own
accounts, pots, wallets and savings (:data:`OWN_ACCOUNT_MOVE`, :data:`SAVINGS_MOVE`, ...),
contributions to one's own investments (:data:`INVESTMENT_MOVE`) and buy-now-pay-later
instalments (:data:`INSTALMENT_CATEGORIES`). :func:`detector.working_frame._prepare` reads them
into per-row marks; :func:`detector.spending_rules.ruled_out` turns the marks into a confidence of 0.
"""

from __future__ import annotations

import re

from .catalog import vendors_in
from .normalize import FOREIGN_FEE_MIDDLE

#: Bank charges triggered by an event (a bounced payment, a wire, a late payment), never by a
#: schedule: two of them a year apart are a coincidence, not an annual plan. Monthly account
#: maintenance fees are not among them.
EVENT_FEE = re.compile(r"\b(?:overdraft|nsf|non ?sufficient funds|insufficient funds?|returned? (?:item|payment|check)"
                       r"|stop payment|late (?:fee|charge|payment fee)"
                       r"|(?:atm(?: withdrawal)?|wire|wire transfer|foreign transaction|cash advance) fee)",
                       re.IGNORECASE)
#: Cash drawn at a machine or a counter: when the holder wants it, at round sums, never a plan
#: (a cash habit of 200 most months, 100 now and then, read as a plan whose price changed). Any
#: line at a machine but a deposit, as banks abbreviate it (Bank of America's "BKOFAMERICA ATM
#: 06/13 #0004321 WITHDRWL RALEIGH NC", "ATM W/D", "ALLPOINT ATM", "MONEYPASS ATM", UK "LINK ATM
#: TESCO", "LNK ... CPT", "CASH NOTEMACHINE": rounds nine and ten), read on the merchant's name
#: and on the bank's own words (the merchant stage keeps "Bkofamerica" of the first).
CASH_DRAWN = re.compile(
    r"\b(?:atm|cash machine)(?: cash)? withdraw(?:al)?s?\b|\bcash (?:withdrawal|wdl)s?\b"
    r"|\bwithdrawal\b.{0,20}\batm\b|\batm\b(?!.{0,40}\bdeposit)|^lnk\b|\bcashpoint\b|\bnotemachine\b|\bcpt$",
    re.IGNORECASE)
#: What a card charges for how it is used, not for a plan: interest on a balance carried
#: ("PURCHASE INTEREST CHARGE", "INTEREST CHARGE ON PURCHASES", UK "INTEREST CHARGED"), a finance
#: charge, and a fee per foreign or cash transaction ("FOREIGN TRANSACTION FEE", which the
#: merchant stage reads as "Fee", "NON-STERLING TRANSACTION FEE"). Each comes with a balance or a
#: purchase abroad, so a monthly run of them is no subscription (round-eight audit: "Interest
#: Charge" and "Fee" were listed and totalled). Read on the descriptor as the bank wrote it. A
#: monthly account or card fee ("MONTHLY MAINTENANCE FEE", "ANNUAL MEMBERSHIP FEE") is charged on
#: a schedule for having the account: a bill, not among them.
CARD_USE_CHARGE = re.compile(
    r"\b(?:interest charged?|purchase interest|cash advance interest|balance transfer interest"
    r"|interest (?:on|for) (?:purchases|cash|balance|card)|finance charges?"
    r"|(?:foreign|frgn|overseas|intl|international|non[- ]?sterling|cross[- ]?border|fx|currency conversion"
    r"|exchange rate)(?: (?:" + FOREIGN_FEE_MIDDLE + r"|cash)){0,4}"
    r" (?:fee|charge)|^int'?l service assessment"
    r"|(?:balance transfer|cash advance|cash) fee)\b",
    re.IGNORECASE)
#: A merchant name that is still a fee's or a charge's, whose descriptor tells which.
FEE_NAME = re.compile(r"\b(?:fees?|charges?|interest)\b", re.IGNORECASE)
#: Money moved between the holder's own accounts, never a plan: a Monzo pot (the importer writes
#: ``Pot transfer: <pot>``), a wallet's funding, withdrawal or conversion row (``Own transfer:
#: General Card Deposit``, ``csv_layout.OWN_TRANSFER_LABEL``), Revolut's currency exchanges ("Exchanged to USD") and pockets ("To
#: pocket GBP Holiday", "Pocket Withdrawal"). Matched on the start of the merchant key, a
#: pocket only with a currency code after it (PocketSmith, Pocket Gems are shops).
OWN_ACCOUNT_MOVE = re.compile(
    r"^(?:pot transfer\b|own transfer\b|exchanged (?:to|from)\b|pocket (?:withdrawal\b|"
    r"(?:eur|usd|gbp|chf|pln|sek|nok|dkk|czk|huf|ron|bgn|aud|cad|nzd|jpy|sgd|hkd|try|inr|aed|zar|mxn|ils|thb)\b))",
    re.IGNORECASE)
#: ... and, read on the line as the wallet wrote it: a Wise conversion between two of the holder's
#: balances ("Converted 100.00 GBP to 116.47 EUR", on both balances' statements, as Revolut's
#: "Exchanged to EUR"; round-thirty-nine audit: 150.00 GBP a month of them were "subscriptions").
WALLET_CONVERSION = re.compile(r"^\s*converted [\d.,]+ [a-z]{3} (?:to|into) [\d.,]+ [a-z]{3}\b", re.IGNORECASE)
#: ... and money coming into a Revolut account from the holder's own card or wallet ("Top-Up by
#: *4821", "Apple Pay Top-Up by *4821", "Top up by card"): an inflow only, read on its line.
WALLET_TOP_UP = re.compile(r"^\s*(?:(?:apple|google) pay )?top[- ]?up by\b", re.IGNORECASE)
#: The same on a bank's own words, read from a descriptor as the bank wrote it (the merchant key
#: loses them: "ONLINE TRANSFER TO SMITH J WAY2SAVE SAVINGS" keys as "smith j savings"): a
#: transfer to or from a savings account (Chase "Online Transfer to SAV ...4821", Bank of America
#: "Online Banking transfer to SAV 4821", Wells Fargo "RECURRING TRANSFER TO ... WAY2SAVE
#: SAVINGS", "Automatic Transfer to Savings", Capital One "Withdrawal to 360 Performance
#: Savings", US Bank "ELECTRONIC WITHDRAWAL TO SAVINGS", "MARCUS SAVINGS ACH TRANSFER", UK
#: "INSTANT SAVER", "REGULAR ESAVER", "MONTHLY SAVER" accounts, cash and stocks & shares ISAs), Revolut's "To Savings vault", and round-up
#: schemes that sweep change into savings (Wells Fargo "SAVE AS YOU GO", Bank of America "KEEP
#: THE CHANGE", Chime "Save When I Get Paid"), and to or from one's own checking account (Chase
#: "Online Transfer to CHK ...9988", round-eight audit). A transfer to a loan or a card account is a bill
#: and stays one. PNC Virtual Wallet's own savings are its Reserve and Growth accounts ("ONLINE TRANSFER TO
#: GROWTH XXXXXX1234"); a firm called Growth or Reserve (a fund, a bank) is not.
SAVINGS_MOVE = re.compile(
    r"\b(?:transfer|xfer)s?\b.{0,40}?\b(?:to|from|into)\b.{0,40}?\b(?:sav\b(?=\W*(?:[.x*#\d]|$))|savings\b|way2save"
    r"|chk\b(?=\W*(?:[.x*#\d]|$))|checking\b)"
    r"|^(?:to|from) savings\b|\b(?:withdrawal|deposit) (?:to|from)\b.{0,40}?\bsavings\b|\bsavings (?:ach )?transfer\b"
    r"|\b(?:transfer|xfer)s?\b.{0,40}?\b(?:to|from)\b(?: virtual wallet)? (?:growth|reserve)\b(?!\W*(?:fund|bank|loan|inc|llc|corp))"
    r"|\b(?:instant|everyday|easy access|regular|online|bonus|monthly|fixed rate|kids|children'?s|child|junior"
    r"|chase|club|flex|loyalty|reward) e?-?saver\b|\be-?saver\b"
    r"|\b(?:cash|lifetime|junior|stocks (?:and|&) shares|s ?& ?s|help to buy|innovative finance|flexible|212) isa\b"
    r"|\b(?:moneybox|aj bell|hargreaves|hl|nutmeg|plum|chip|vanguard|fidelity|freetrade|skipton|nationwide"
    r"|paragon|shawbrook|zopa)\b.{0,20}\b(?:[lj]?isa)\b"
    r"|\bpremium bonds?\b|\bns ?& ?i\b"
    r"|\b(?:chip|marcus|moneybox|raisin(?: uk)?|plum|kroo|zopa|atom|tandem|monzo|starling|revolut|ally|sofi"
    r"|wealthfront|betterment|acorns|stash|digit|qapital|varo|synchrony|cit)\b.{0,20}\bsavings?\b"
    r"|\bsave as you go\b|\bkeep the change\b|\bsave when i get paid\b",
    re.IGNORECASE)
#: Money put into one's own investment account: a brokerage, robo-adviser or investing app
#: collecting the contribution by direct debit, standing order or ACH (US Betterment,
#: Wealthfront, Robinhood, Vanguard, Fidelity's "FID BKG SVC LLC MONEYLINE", Schwab's
#: "MONEYLINK", E*Trade, TD Ameritrade, Merrill, M1, Public, Webull, Ally Invest, SoFi Invest,
#: Interactive Brokers; UK Hargreaves Lansdown, AJ Bell, Interactive Investor, Trading 212,
#: Freetrade, Nutmeg, Moneybox, Wealthify, Moneyfarm, InvestEngine, Vanguard, Fidelity,
#: Bestinvest, Wealthsimple, eToro). Names that are
#: also common words or people's names (Marcus, Chip, Plum, Public, Nutmeg, M1, HL, ii, Vanguard)
#: count only alone on the line, or with the platform's own words; Hargreaves (a surname) only as
#: "HARGREAVES LANSDOWN", Vanguard as "VANGUARD ASSET ...", "VANGUARD INVESTOR", "VANGUARD BUY
#: INVESTMENT", "VGI ..." (round-thirty-six audit: rent by standing order to a landlord "P
#: HARGREAVES FLAT 3" was no stream at all). Round-eight audit: 1,550 USD + 1,000 GBP
#: a month of them were "subscriptions", raised contributions had price increases and refund
#: requests. The platforms' own fees stay plans (:data:`NOT_INVESTMENT_MOVE`), and so do the
#: lines the catalogue names as a plan's (Acorns, Stash, Robinhood Gold: ``_prepare``).
INVESTMENT_MOVE = re.compile(
    r"\b(?:betterment|wealthfront|robinhood|webull|e ?\*? ?trade|td ameritrade|ameritrade|schwab|fid bkg"
    r"|fidelity (?:investments?|brokerage|personal investing|moneyline|isa|sipp|fund|inv)\b|merrill (?:edge|lynch)"
    r"|ally invest|sofi (?:invest|securities)|interactive brokers|ibkr|firstrade|tasty ?(?:trade|works)"
    r"|vanguard\W+(?:asset|investor|investments?|group|brokerage|buy|funds?|personal|digital|s ?& ?s|[lj]?isa|sipp"
    r"|pension|edi)|the vanguard group|vgi\W+(?:funds?|brokerage|buy|investments?|inv)"
    r"|hargreaves\W+lans\w*|aj bell|youinvest|interactive investor|trading ?212|freetrade"
    r"|wealthify|moneyfarm|invest ?engine|moneybox|bestinvest|wealthsimple|etoro|m1 finance|public\.com"
    r"|nutmeg (?:saving|savings|invest|investment|investments|isa|pension)|public (?:investing|holdings))\b"
    r"|^\W*(?:marcus(?: by goldman sachs)?|goldman sachs marcus|chip|plum|nutmeg|hl|ii|m1|public|vanguard|vgi)"
    r"(?:\W+(?:uk|ltd|limited|sto|so|ddr|dd|bp|ft|fp|fps|tfr|bgc|transfer|savings?|invest\w*|l?isa|sipp|pension"
    r"|\w*\d\w*))*\W*$",
    re.IGNORECASE)
#: ... and, at investing apps the catalogue knows for their fee (Acorns, Stash), a line saying
#: money goes in ("ACORNS INVEST TRANSFER", "ACORNS ROUND UPS", "STASH RECURRING DEPOSIT"): those
#: rows are a group of their own, so the app's fee beside them stays a plan (round ten: a weekly
#: 25.00 into Acorns was a 108.33-a-month subscription).
INVESTING_APPS = frozenset({"Acorns", "Stash"})
APP_CONTRIBUTION = re.compile(
    r"\b(?:acorns|stash)\b.{0,30}\b(?:transfer|xfer|round ?-?ups?|recurring|deposit|contribution|auto ?invest\w*)\b",
    re.IGNORECASE)
#: ... but not such a platform's own fee ("MONEYBOX SUBSCRIPTION", "ROBINHOOD GOLD"), nor a loan,
#: mortgage or insurance of a firm of that name ("SCHWAB BANK MORTGAGE", "FIDELITY BANK LOAN"),
#: nor money sent to a person, nor a cleaning firm's franchise (Vanguard Cleaning Systems).
NOT_INVESTMENT_MOVE = re.compile(
    r"\b(?:subscription|subscr|membership|fees?|plan|gold|premium|pro|plus|loan|ln|heloc|mortgage|mtg|insurance"
    r"|ins|life|annuity|zelle|venmo|cleaning|cleaners|janitorial)\b",
    re.IGNORECASE)
#: ... but not a payment to a lender that has "Savings" in its name ("DOLLAR SAVINGS BANK LOAN",
#: "FIRST FEDERAL SAVINGS AND LOAN MTG PMT", "AMERICAN SAVINGS FOR AUTO LN", "FIRST SAVINGS
#: HELOC"), nor money sent to a person through Zelle or Venmo (round-two and round-three audits:
#: all were bills, dropped by the first versions). PayPal and Cash App hold savings of their own.
NOT_SAVINGS_MOVE = re.compile(
    r"\bsavings (?:bank|and loan|& loan|assoc)|\b(?:loan|ln|heloc|mortgage|mtg|pmt|pymt|pmnt|payment)\b"
    r"|\b(?:zelle|venmo)\b"
    # ... nor a savings app's own fee ("CHIP SAVINGS SUBSCRIPTION", "PLUM SAVINGS PRO PLAN")
    r"|\b(?:subscription|membership|fees?|plan)\b",
    re.IGNORECASE)
#: Catalogue categories whose charges are never a stream: buy-now-pay-later lenders (Affirm,
#: Klarna, Afterpay, ...) split one purchase into a few instalments, which end with it.
INSTALMENT_CATEGORIES = frozenset({"bnpl"})


def _instalment_lenders() -> frozenset:
    """Catalogue vendors of :data:`INSTALMENT_CATEGORIES`."""
    return vendors_in(INSTALMENT_CATEGORIES)
