"""How each bank writes a line: card purchases, ACH debits, payroll, refunds, transfers.

One style per account (an account is one export from one bank). The layouts follow what those
banks' CSV exports show: Wells Fargo's ``PURCHASE AUTHORIZED ON mm/dd ... S<15 digits> CARD nnnn``,
Bank of America's ``CHECKCARD mmdd ... <23-digit ref>`` and ``DES:/ID:/INDN:/CO ID:`` ACH tails,
Chase checking's ``ORIG CO NAME:`` long form or ``PPD ID:`` short form and trailing ``mm/dd``,
US Bank's ``DEBIT PURCHASE -VISA``, credit unions' ``POS DEBIT`` / ``DBT CRD``, card issuers'
bare merchant names (Amex padded into columns), and Plaid's cleaned names.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date

import numpy as np

CHECKING_STYLES = ("chase_chk", "bofa_chk", "wf_chk", "usbank_chk", "cu_chk", "plaid")
CHECKING_WEIGHTS = (0.22, 0.22, 0.18, 0.10, 0.13, 0.15)
CARD_STYLES = ("chase_card", "capone_card", "amex", "citi_card", "discover", "bofa_card", "plaid")
CARD_WEIGHTS = (0.22, 0.17, 0.14, 0.12, 0.10, 0.10, 0.15)

_ALNUM = np.array(list(string.ascii_uppercase + string.digits))
_DIGITS = np.array(list(string.digits))


def code(rng: np.random.Generator, n: int, digits_only: bool = False) -> str:
    """A random reference like Amazon's ``2K4AB12C3`` (or ``n`` digits)."""
    pool = _DIGITS if digits_only else _ALNUM
    return "".join(rng.choice(pool, n))


@dataclass
class AccountCtx:
    """What stays fixed within one account's export: bank style, holder, card, store numbers."""

    account_id: str
    style: str
    kind: str                          # checking or card
    holder: str
    last4: str
    city: str
    st: str
    rng: np.random.Generator
    tax: float = 0.0                   # sales tax rate on taxed digital goods (0 in many states)
    ach_forward: bool = True           # ACH on a weekend posts the next business day (else the one before)
    card_dates: str = "posted"         # card exports: posted date, or the transaction date
    stores: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    variant: dict = field(default_factory=dict)

    def store(self, key: str) -> str:
        """A store number fixed per merchant and account (people shop at the same branch)."""
        if key not in self.stores:
            self.stores[key] = str(int(self.rng.integers(10, 9999))).zfill(int(self.rng.choice([3, 4, 5])))
        return self.stores[key]

    def ach_ids(self, key: str) -> tuple[str, str]:
        """(individual id, company id) of one biller for this account; stable across charges."""
        if key not in self.ids:
            self.ids[key] = (code(self.rng, int(self.rng.integers(6, 12))), code(self.rng, 10, digits_only=True))
        return self.ids[key]

    def pick(self, key: str, options) -> str:
        """One of ``options`` fixed per account (which descriptor variant this bank shows)."""
        if key not in self.variant:
            self.variant[key] = options[int(self.rng.integers(len(options)))]
        return self.variant[key]


def fill(template: str, ctx: AccountCtx, when: date, key: str) -> str:
    """Fill a network-name template's per-charge and per-account placeholders."""
    if "{" not in template:
        return template
    r = ctx.rng
    return template.format(ref=code(r, 9), ref6=code(r, 6), num=code(r, 10, digits_only=True),
                           mon=when.strftime("%b %Y"), store=ctx.store(key), city=ctx.city)


def card_line(ctx: AccountCtx, name: str, loc: str, st: str, when: date, *, plaid: str,
              recurring: bool = False, credit: bool = False) -> str:
    """A card purchase (or its refund when ``credit``) as this account's bank writes it."""
    r, s = ctx.rng, ctx.style
    md, mmdd = when.strftime("%m/%d"), when.strftime("%m%d")
    where = f"{name} {loc} {st}".strip() if loc else f"{name} {st}".strip()
    if s == "plaid":
        return plaid
    if s in ("chase_card", "capone_card"):
        return name if ctx.pick("cardloc", (True, True, False)) else where
    if s == "amex":
        return f"{name:<24} {(loc or ''):<18} {st}"
    if s in ("citi_card", "bofa_card", "discover"):
        return where + (" US" if s == "discover" and ctx.pick("dus", (True, False)) else "")
    if s == "chase_chk":
        return f"{where} {md}" if not credit else f"{where} {md} REFUND"
    if s == "bofa_chk":
        ref = code(r, 23, digits_only=True)
        if credit:
            return f"{where} {mmdd} REFUND"
        return f"CHECKCARD {mmdd} {where} {ref}" + (" RECURRING" if recurring and ctx.pick("rec", (True, False)) else "")
    if s == "wf_chk":
        ref = "S" + code(r, 15, digits_only=True)
        head = "PURCHASE RETURN AUTHORIZED ON" if credit else (
            "RECURRING PAYMENT AUTHORIZED ON" if recurring else "PURCHASE AUTHORIZED ON")
        return f"{head} {md} {where} {ref} CARD {ctx.last4}"
    if s == "usbank_chk":
        return (f"DEBIT PURCHASE -VISA {name} {loc}{st}" if not credit else f"VISA CREDIT {name} {loc}{st}").strip()
    if s == "cu_chk":
        if credit:
            return f"POS CREDIT {where}"
        if ctx.pick("cu", ("pos", "dbt")) == "pos":
            return f"POS DEBIT {where}"
        return f"DBT CRD {code(r, 4, digits_only=True)} {when.strftime('%m/%d/%y')} {where} C#{ctx.last4}"
    raise ValueError(s)


def ach_line(ctx: AccountCtx, co: str, entry: str, when: date, *, plaid: str, key: str, credit: bool = False) -> str:
    """An ACH debit (or credit: payroll, deposits) in this bank's words."""
    s = ctx.style
    ind, coid = ctx.ach_ids(key)
    sec = "PPD" if credit else ctx.pick("sec:" + key, ("PPD", "WEB", "PPD"))
    yymmdd = when.strftime("%y%m%d")
    if s == "plaid":
        return plaid
    if s == "chase_chk":
        if ctx.pick("chase_ach", ("short", "long")) == "short":
            return f"{co} {entry} {sec} ID: {coid}"
        trace = code(ctx.rng, 15, digits_only=True)
        return (f"ORIG CO NAME:{co} ORIG ID:{coid} DESC DATE:{yymmdd} CO ENTRY DESCR:{entry} SEC:{sec} "
                f"TRACE#:{trace} EED:{yymmdd} IND ID:{ind} IND NAME:{ctx.holder} TRN: {code(ctx.rng, 10, True)}TC")
    if s == "bofa_chk":
        return f"{co} DES:{entry} ID:{ind} INDN:{ctx.holder.replace(' ', ',', 1)} CO ID:{coid} {sec}"
    if s == "wf_chk":
        return f"{co} {entry} {yymmdd} {ind} {ctx.holder}"
    if s == "usbank_chk":
        return f"ELECTRONIC DEPOSIT {co}" if credit else f"ELECTRONIC WITHDRAWAL {co}"
    if s == "cu_chk":
        return f"ACH CREDIT {co} {entry}" if credit else f"ACH DEBIT {co} {entry} {ind}"
    # Card accounts get no ACH; callers bill those brands by card instead.
    raise ValueError(s)


def transfer_line(ctx: AccountCtx, person: str, when: date, *, out: bool) -> str:
    """A person-to-person payment (Zelle, Venmo)."""
    r, s = ctx.rng, ctx.style
    if s == "plaid":
        return "Zelle" if out else "Venmo"
    if s == "bofa_chk":
        return f"Zelle Transfer Conf# {code(r, 9).lower()}; {person.title()}"
    if s == "wf_chk":
        return f"ZELLE TO {person} ON {when.strftime('%m/%d')} REF # {code(r, 10)}"
    if s == "chase_chk":
        return f"Zelle payment to {person.title()} JPM{code(r, 9)}"
    return f"VENMO PAYMENT {code(r, 10, True)}"


def atm_line(ctx: AccountCtx, when: date) -> str:
    """A cash withdrawal."""
    if ctx.style == "plaid":
        return "ATM Withdrawal"
    return f"ATM WITHDRAWAL {code(ctx.rng, 6, True)} {when.strftime('%m%d')} {ctx.city} {ctx.st}"


def card_payment_line(ctx: AccountCtx) -> str:
    """A payment received on a card account."""
    if ctx.style == "plaid":
        return "Payment Thank You"
    return ctx.pick("paythx", ("PAYMENT THANK YOU", "AUTOPAY PAYMENT - THANK YOU", "ONLINE PAYMENT, THANK YOU",
                               "MOBILE PAYMENT - THANK YOU"))
