"""The payer's own refund right for a SEPA Core direct debit, told as a step after the vendor's.

A euro direct debit collected under the SEPA Core scheme can be taken back through the payer's
own bank, whatever the vendor says: unconditionally (no reason asked, the bank may not refuse)
within 8 weeks of the date the money was debited, and, for a debit that was not authorised (no
valid mandate), up to 13 months from that date. Sources: Regulation (EU) No 260/2012 (the SEPA
Regulation, whose Core direct debits Directive (EU) 2015/2366 names); PSD2 Art. 76(1) fourth
subparagraph (the unconditional right for those debits), Art. 77(1)-(2) (8 weeks from the debit
date; the payer's bank refunds within 10 business days and may not refuse), Art. 71(1) (an
unauthorised transaction notified up to 13 months after the debit date). Business-to-business
debits (SDD B2B, German ``Firmenlastschrift``) have no such right and get no step.

Which charges: in euros, and the statement line reads as a direct debit in a continental bank's
words (``SEPA-Lastschrift``, ``PRLV SEPA``, ``ADEUDO``/``RECIBO``, ``Incasso``, ``ADDEBITO SDD``)
or carries a mandate reference (``Mandatsreferenz``, ``MREF+``, ``RUM:``, ``Machtigingskenmerk``,
``REF. MANDATO``). A line a layout cut down to the counterparty (comdirect's ``Auftraggeber:``)
shows neither and gets no step.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

#: The words of a direct debit, and of its mandate, on continental statements (folded, upper case).
_DIRECT_DEBIT_RE = re.compile(
    r"\b(?:SEPA[- ]?(?:BASIS[- ]?|CORE[- ]?)?LASTSCHRIFT|(?:BASIS|FOLGE|ERST|EINMAL)?LASTSCHRIFT(?:EINZUG)?"
    r"|PRLV|PRELEVEMENT|ADEUDO|RECIBO|INCASSO|ADDEBITO (?:SDD|DIRETTO|SEPA)|SDD(?: CORE)?|SEPA DD"
    r"|SEPA DIRECT DEBIT|MANDATSREF(?:ERENZ)?|MACHTIGINGSKENMERK|REF\. MANDATO|MANDAT)(?![A-Z0-9])"
    r"|\b(?:MREF\+|RUM:)")
_B2B_RE = re.compile(r"\b(?:B2B|FIRMENLASTSCHRIFT|FIRMEN[- ]LASTSCHRIFT|SEPA[- ]FIRMEN)")
#: How long the unconditional right lasts, and the one for an unauthorised debit.
WEEKS = 8
UNAUTHORISED_MONTHS = 13
SOURCE = ("Regulation (EU) No 260/2012 (SEPA Core direct debits); Directive (EU) 2015/2366 (PSD2) "
          "Art. 76(1), 77(1)-(2), 71(1)")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def is_sepa_core_debit(description: str | None, currency: str | None) -> bool:
    """Whether a charge reads as a SEPA Core direct debit: in euros, with a direct debit's or a
    mandate's words, and not a business-to-business one."""
    if (currency or "").upper() != "EUR" or not description:
        return False
    text = _folded(description)
    return bool(_DIRECT_DEBIT_RE.search(text)) and not _B2B_RE.search(text)


def _months_after(day: date, months: int) -> date:
    """The same day ``months`` later, the month's last day where it has fewer (31 Jan + 1 -> 28 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def refund_dates(charge_date: date) -> tuple[date, date]:
    """The last day of the unconditional right (8 weeks after the debit date) and of the right for
    an unauthorised debit (13 months after it)."""
    return charge_date + timedelta(weeks=WEEKS), _months_after(charge_date, UNAUTHORISED_MONTHS)


def bank_refund_step(vendor: str, charge_date: date, as_of: date) -> str:
    """The step after contacting the vendor, its dates computed from the debit date and ``as_of``."""
    last, unauthorised = refund_dates(charge_date)
    head = (f"If {vendor} does not refund it: this charge was a SEPA direct debit, and your own bank must "
            f"refund a SEPA Core direct debit when you ask it to")
    if as_of <= last:
        return (f"{head}, with no reason needed, within 8 weeks of the debit date ({charge_date.isoformat()}): "
                f"ask it by {last.isoformat()} (EU Regulation 260/2012; PSD2 Art. 76-77). What you owe {vendor} "
                f"under your contract stays as it is. After that date, only a debit you never authorised (no "
                f"valid mandate) can be taken back, until {unauthorised.isoformat()} (13 months; PSD2 Art. 71).")
    if as_of <= unauthorised:
        return (f"{head} within 8 weeks of the debit date, but those 8 weeks ended on {last.isoformat()}. "
                f"Only if you never authorised this debit (no valid mandate) can your bank still take it back, "
                f"until {unauthorised.isoformat()} (13 months from the debit date; PSD2 Art. 71).")
    return (f"{head} within 8 weeks of the debit date, and an unauthorised one within 13 months: both have "
            f"passed ({last.isoformat()} and {unauthorised.isoformat()}), so your bank will not take it back.")
