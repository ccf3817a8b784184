"""What banks write around a merchant's descriptor that names no merchant, read off before normalising.

Called by :func:`detector.normalize._prepare` on the upper-cased descriptor (one space between
words), before anything else reads it. Each rule is about a bank's or a processor's own wording,
never a vendor's, and the stored description keeps every word (``transactions.description``):

- **A payment processor's legal name, then the payment's reference** (:func:`processor_reference`).
  ING Netherlands and N26 name the counterparty of a PayPal direct debit "PayPal Europe S.a.r.l. et
  Cie S.C.A" and the merchant only in the remittance (``Omschrijving: 1039... PAYPAL Spotify AB``,
  ``1039.../PP.7384.PP/. Netflix International B.V., Ihr Einkauf bei Netflix International B.V.``);
  the importers join the two (``importers.csv_layout.processor_description``). The line becomes
  ``PAYPAL <merchant>`` (the PayPal channel, the merchant behind it), or ``PAYPAL`` when the
  reference names none: PayPal, never a fragment of its legal name ("Europe Sarl et Cie Sca").
  Klarna, Mollie, Adyen and Stripe's legal names followed by a reference become the merchant.
- **CommBank's card tail**: ``<descriptor> AUS Card xx4821 Value Date: 08/03/2025`` (the card and
  the date it was made; a purchase abroad adds its currency and amount) is the bank's.
- **Wise's card wording**: ``Card transaction of 9.99 EUR issued by <merchant>``.
"""

from __future__ import annotations

import re

_PAYPAL_LEGAL = (r"PAY ?PAL\s*\(?EUROPE\)?\s*S\.?\s?A\.?\s?R\.?\s?L\.?,?\s+ET\s+CIE,?\s+S\.?\s?C\.?\s?A\b\.?"
                 r"|PAY ?PAL \(?EUROPE\)?(?: SARL)?(?=\s|$)|PAY ?PAL PTE\.? LTD\b\.?")
_OTHER_LEGAL = (r"KLARNA BANK AB(?: \(PUBL\))?|KLARNA AB\b|STICHTING MOLLIE PAYMENTS|MOLLIE B\.?V\b\.?"
                r"|ADYEN [NB]\.?V\b\.?|STRIPE (?:PAYMENTS (?:EUROPE|UK),? (?:LTD|LIMITED)|TECHNOLOGY EUROPE,? (?:LTD|LIMITED))\b\.?")
_LEGAL_RE = re.compile(rf"^(?:(?P<paypal>{_PAYPAL_LEGAL})|(?:{_OTHER_LEGAL}))(?=[\s,:;/]|$)")

#: The labels of ING's Mededelingen (a SEPA transfer's or direct debit's fields), Dutch and English.
_ING_LABELS = (r"NAAM|NAME|OMSCHRIJVING|DESCRIPTION|IBAN|BIC|KENMERK|REFERENCE|MACHTIGING ID|MANDATE ID"
               r"|INCASSANT ID|CREDITOR ID|VALUTADATUM|VALUE DATE|DATUM/TIJD|DATE/TIME|TRANSACTIE|TRANSACTION")
_OMSCHRIJVING_RE = re.compile(rf"\b(?:OMSCHRIJVING|DESCRIPTION):\s*(?P<text>.*?)(?=\s+(?:(?:{_ING_LABELS}):"
                              r"|DOORLOPENDE INCASSO|EENMALIGE INCASSO|RECURRENT SEPA|ONE-OFF SEPA)|$)")
_NAAM_ONLY_RE = re.compile(rf"^(?:NAAM|NAME):.*?(?=\s+(?:{_ING_LABELS}):|$)")
#: PayPal's own remittance in German accounts: "<id>/PP.7384.PP/. <merchant>, Ihr Einkauf bei <merchant>".
_PURCHASE_AT_RE = re.compile(r"\b(?:IHR EINKAUF BEI|YOUR PURCHASE AT|UW AANKOOP BIJ|VOTRE ACHAT CHEZ"
                             r"|SU COMPRA EN|IL TUO ACQUISTO PRESSO)\s+(?P<name>.+)$")
_PP_REF_RE = re.compile(r"\bPP\.\d+\.PP/?\.?\s*(?P<name>[^,]*)")
#: Ids before the merchant ("1039047300001 PAYPAL Spotify AB") and PayPal's own word.
_LEAD_IDS_RE = re.compile(r"^(?:\S*\d\S*\s+)*(?:(?:PAY ?PAL|PP)\b\s*\*?\s*)?")

_COMMBANK_TAIL_RE = re.compile(r"\s+CARD XX\d{4}(?:\s+[A-Z]{3}\s+[\d,]+\.\d\d)?\s+VALUE DATE:?\s*"
                               r"\d{1,2}/\d{1,2}/\d{2,4}$")
_WISE_CARD_RE = re.compile(r"^CARD TRANSACTION OF (?:[\d.,]+ )?(?:[A-Z]{3} )?ISSUED BY\s+(?=\S)")

#: First letters of the legal names above: most lines start otherwise and are left at once.
_LEGAL_FIRST = frozenset("PKSMA")


def _reference_merchant(rest: str) -> str:
    """The merchant a processor's payment reference names, or ``""``."""
    m = _OMSCHRIJVING_RE.search(rest)
    if m:
        rest = m.group("text")
    else:
        rest = _NAAM_ONLY_RE.sub("", rest).strip()
    m = _PURCHASE_AT_RE.search(rest) or _PP_REF_RE.search(rest)
    if m:
        rest = m.group("name")
    rest = _LEAD_IDS_RE.sub("", rest.strip(" ,.-:;/")).strip(" ,.-:;/")
    return rest if re.search(r"[A-Z]{2}", rest) else ""


def processor_reference(text: str) -> str:
    """``PAYPAL <merchant>`` for a line that starts with PayPal's legal name (``PAYPAL`` when its
    reference names no merchant); the merchant for Klarna's, Mollie's, Adyen's, Stripe's legal
    name and a reference naming one; any other line as it is."""
    if text[:1] not in _LEGAL_FIRST:
        return text
    m = _LEGAL_RE.match(text)
    if not m:
        return text
    merchant = _reference_merchant(text[m.end():])
    if m.group("paypal"):
        return f"PAYPAL {merchant}" if merchant else "PAYPAL"
    return merchant or text


def strip(text: str) -> str:
    """``text`` (upper case, single spaces) without the banks' and processors' wording above."""
    text = processor_reference(text)
    if "VALUE DATE" in text:
        text = _COMMBANK_TAIL_RE.sub("", text)
    if "ISSUED BY" in text:
        text = _WISE_CARD_RE.sub("", text)
    return text
