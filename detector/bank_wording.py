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
- **SEPA direct debits' references** (round-35 audit), in any language: the creditor id
  (``Gläubiger-ID DE98ZZZ09999999999``, ``ICS``, ``CRED+``, ``ID. ACREEDOR``, ``Incassant ID``), the
  mandate (``Mandatsreferenz``, ``MREF+``, ``RUM``, ``MANDAT``, ``REF. MANDATO``,
  ``Machtigingskenmerk``) and the payment's own reference (``End-to-End-Ref.``, ``EREF+``,
  ``KREF+``, ``Kundenreferenz``), each label with the value after it. Neither names the merchant,
  and a mandate reference without digits would have stayed in its name.
- **Labelled counterparties**: comdirect's ``Auftraggeber: <name> Buchungstext: <purpose> Ref.
  <id>`` (also ``Empfänger: <name> Kto/IBAN: <iban> BLZ/BIC: <bic> Buchungstext: ...``) is the name; Société Générale's details, ``PRLV SEPA <name> DE:
  <name> ID: <creditor id> MOTIF: <purpose> REF: <id> MANDAT <mandate>`` (``VIR ... DE:``, ``VIR
  PERM POUR: <name>``), the name after ``DE:`` or ``POUR:``. A processor's legal name there keeps
  the purpose, which names the merchant (above).
- **German card tails**: Sparkasse's and DKB's ``Debitk.1 2028-12`` and ``Debitk.12 VISA Debit``
  (the debit card's number and its expiry; the day before it is a date), comdirect's ``Karte Nr.
  4871 78XX XXXX 3312 Kartenzahlung 25.06.2026``, and a French card's ``CB*1234`` at the end.
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

#: SEPA reference labels and the value after each (see the module docstring). The short French
#: ones (RUM, ICS) and a bare "ID" only with a colon: "BACARDI RUM 70CL" is rum.
_SEPA_REF_RE = re.compile(
    r"(?:^|(?<=\s))(?:"
    r"(?:GLAEUBIGER|GLAUBIGER)[- ]?ID(?:ENTIFIKATIONSNUMMER)?|GL\.? ?-?ID|CRED(?:ITOR)?[- ]ID(?:ENTIFIER)?"
    r"|MANDATS? ?-?REF(?:ERENZ)?\.?|MANDAT(?:E)? ?(?:REF(?:ERENCE)?|ID)\.?|MANDAT|MANDATO|REF\.? MANDATO"
    r"|ID\.? (?:ACREEDOR|MANDATO)|MACHTIGINGSKENMERK|MACHTIGING(?: ?ID)?|INCASSANT(?: ?ID)?"
    r"|END-?TO-?END(?:[- ]?REF(?:ERENZ)?\.?)?|E2E[- ]?REF\.?|KUNDENREFERENZ"
    r"|(?:EREF|MREF|KREF|CRED|DEBT|IBAN|BIC|COAM|OAMT|BREF)(?=\+)|(?:RUM|ICS|CI)(?=\s*:)"
    r")\s*[:+#]?\s*\S+"
    # the tags before the purpose and a payer's name on its behalf, whose text is kept
    r"|(?:^|(?<=\s))(?:SVWZ|ABWA|ABWE|ANAM)\+")
_SEPA_REF_WORDS = ("GLAEUBIGER", "GLAUBIGER", "GL.", "GL-", "GL ", "CRED", "MANDAT", "MACHTIGING", "INCASSANT",
                   "END-TO", "ENDTO", "END TO", "E2E", "KUNDENREF", "EREF+", "MREF+", "KREF+", "RUM", "ICS", "CI",
                   "ACREEDOR", "SVWZ+", "ABWA+", "ABWE+", "ANAM+", "DEBT+", "IBAN+", "BIC+", "COAM+", "OAMT+", "BREF+")
#: comdirect's labelled purpose: the counterparty, then the purpose, then its reference.
_COMDIRECT_RE = re.compile(r"^(?:AUFTRAGGEBER|EMPFANGER|EMPFAENGER|ZAHLUNGSPFLICHTIGER|ZAHLUNGSEMPFANGER):\s*"
                           r"(?P<name>.*?)\s+(?:KTO/IBAN:.*?\s+)?BUCHUNGSTEXT:\s*(?P<text>.*?)(?:\s+REF\.\s*\S+)?$")
#: Société Générale's details: the counterparty after DE: or POUR:, up to the next label.
_SG_RE = re.compile(r"^(?P<head>(?:PRLV|VIR|PRELEVEMENT|VIREMENT)\b.*?)\s(?:DE|POUR):\s*(?P<name>.+?)"
                    r"(?=\s+(?:ID|MOTIF|REF|MANDAT|RUM|ICS|LIB|DATE|CPT|NNE|BQE|IBAN|BIC)\b:?|$)")
#: The bank's words a Société Générale line starts with: what else comes before "DE:" is the name.
_SG_HEAD_WORDS_RE = re.compile(r"^(?:(?:PRLV|PRELEVEMENT|VIR|VIREMENT|SEPA|EUROPEEN|RECU|EMIS|PERM|PERMANENT"
                               r"|INST|INSTANTANE|\d+)(?:\s+|$))*")
_DEBITK_RE = re.compile(r"\bDEBITK\.? ?\d{1,2}\b(?:\s+VISA DEBIT\b)?")
_KARTE_NR_RE = re.compile(r"\s+KARTE NR\.?\s*[\dX ]{4,}?\s*KARTENZAHLUNG(?:\s+\d{1,2}\.\d{1,2}\.\d{2,4})?$")
_CB_TAIL_RE = re.compile(r"\s+CB\s*\*\s*\d{4}$")

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


def labelled_counterparty(text: str) -> str:
    """The counterparty of a comdirect or Société Générale line that labels it (the module
    docstring), the purpose after it when the name is a payment processor's; any other line as it is."""
    m = None
    if "BUCHUNGSTEXT:" in text:
        m = _COMDIRECT_RE.match(text)
    elif ("DE:" in text or "POUR:" in text) and text[:1] in "PV":
        m = _SG_RE.match(text)
    if m is None:
        return text
    name = m.group("name").strip(" ,.-:;/")
    if m.re is _SG_RE and re.search(r"[A-Z]{2}", _SG_HEAD_WORDS_RE.sub("", m.group("head"))):
        # a direct debit's details start with the line as the short label writes it: the name
        # there ("PRLV SEPA ORANGE SA"), not the creditor's registered name ("ORANGE SA-ORANGE")
        return m.group("head")
    if not name:
        return text
    if _LEGAL_RE.match(name) and m.re is _COMDIRECT_RE:
        return f"{name} {m.group('text')}"
    return name


def strip(text: str) -> str:
    """``text`` (upper case, single spaces) without the banks' and processors' wording above."""
    if ":" in text:
        text = labelled_counterparty(text)
    if any(w in text for w in _SEPA_REF_WORDS):
        text = " ".join(_SEPA_REF_RE.sub(" ", text).split()) or text
    if "DEBITK" in text:
        m = _DEBITK_RE.search(text)
        if m and re.search(r"[A-Z]{2}", text[:m.start()]):  # after a name; alone it is the line's only word
            text = " ".join(_DEBITK_RE.sub(" ", text).split())
    if "KARTENZAHLUNG" in text:
        text = _KARTE_NR_RE.sub("", text)
    if "CB" in text:
        cut = _CB_TAIL_RE.sub("", text)
        if cut != text and cut.startswith("CB ") and len(cut) > 3:
            cut = cut[3:]  # "CB NETFLIX CB*1234": the card payment's word at both ends
        text = cut
    text = processor_reference(text)
    if "VALUE DATE" in text:
        text = _COMMBANK_TAIL_RE.sub("", text)
    if "ISSUED BY" in text:
        text = _WISE_CARD_RE.sub("", text)
    return text
