"""Building one refund request: which process, channel, reason, steps, documents, email, dates.

Pure functions of the request's inputs (the flag or the transaction), the knowledge base, the
account and the filing date; :mod:`detector.refunds` stores and moves what this builds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date

import pandas as pd

from .catalog.refund_processes import (
    CHANNEL_LABELS,
    CHANNELS,
    PAYMENT_CHANNELS,
    EmailTemplate,
    RefundProcess,
    channel_process,
    normalise_name,
)
from .catalog.vendors import PREMIUM_CATEGORIES, refund_windows, vendors_in
from .eligibility import WINDOW_FLAGS, Assessment, assess, assess_window, expected_refund_date
from .emails import format_money, if_true, render_email
from .errors import CatalogError, ConfigError
from .normalize import google_product
from .schema import PAYMENT_METHODS
from .sepa_refund import SOURCE as SEPA_SOURCE
from .sepa_refund import bank_refund_step, is_sepa_core_debit
from .workdays import DEFAULT_COUNTRY, to_date

ProcessLookup = Callable[[str | None], str | None]

YOU_PROVIDE = "[YOU PROVIDE — fill in]"

_CHANNEL_PATTERNS = (
    ("apple", re.compile(r"apple|itunes|app store")),
    ("google_play", re.compile(r"google|play store")),
    ("roku", re.compile(r"roku")),
    ("paypal", re.compile(r"paypal|\bpp ?\*")),
    ("amazon", re.compile(r"amazon|amzn|prime video")),
)


def normalise_channel(value) -> str:
    """A billing channel from a channel name or a raw descriptor ('APPLE.COM/BILL' -> 'apple').

    Anything that names no known channel is a direct purchase from the vendor.
    """
    if _missing(value):
        return "direct"
    text = str(value).strip().lower()
    if text in CHANNELS:
        return text
    if re.sub(r"[^a-z]", "", text) == "googleplay":
        return "google_play"
    if text.startswith("google") and google_product(" ".join(text.upper().split())):
        return "direct"  # Google's own products that Google bills itself: GOOGLE *GSUITE_..., *CLOUD_...
    return next((ch for ch, pat in _CHANNEL_PATTERNS if pat.search(text)), "direct")


def name_lookup(processes: dict[str, RefundProcess]) -> ProcessLookup:
    """Default vendor -> process id lookup: the vendor's normalised name against process names/aliases."""
    names = {normalise_name(n): p.id for p in processes.values() if p.kind == "vendor"
             for n in (p.vendor, *p.aliases)}

    def lookup(vendor: str | None) -> str | None:
        return names.get(normalise_name(vendor)) if vendor else None

    return lookup


def lookup_from_vendors(vendors) -> ProcessLookup:
    """A vendor -> process id lookup from vendor-catalogue entries.

    ``vendors`` is an iterable (or a dict's values) of objects or dicts with ``name``, optional
    ``aliases`` and ``refund_process`` (null when the vendor has no process of its own).
    """
    def get(v, key, default=None):
        return v.get(key, default) if isinstance(v, dict) else getattr(v, key, default)

    names: dict[str, str] = {}
    for v in (vendors.values() if isinstance(vendors, dict) else vendors):
        pid = get(v, "refund_process")
        if pid:
            for n in (get(v, "name"), *(get(v, "aliases") or ())):
                if n:
                    names[normalise_name(n)] = pid

    def lookup(vendor: str | None) -> str | None:
        return names.get(normalise_name(vendor)) if vendor else None

    return lookup


def vendor_in_descriptor(processes: dict[str, RefundProcess], descriptor: str | None) -> str | None:
    """A knowledge-base vendor whose name appears in the descriptor ('PROBACKOFFICE*SUB' -> PRO Back Office)."""
    text = normalise_name(descriptor)
    for p in processes.values():
        if p.kind == "vendor" and any(len(k) >= 5 and k in text for k in map(normalise_name, (p.vendor, *p.aliases))):
            return p.vendor
    return None


def account_payment_method(account: dict | None) -> tuple[str, str]:
    """The account's payment method and where it comes from.

    When the account has none stored, the account type decides, read from its name and source:
    PayPal -> paypal; checking/current/savings/debit/bank -> debit_card; credit/card -> credit_card;
    anything else -> credit_card, because subscriptions are overwhelmingly billed to cards.
    """
    account = account or {}
    stored = account.get("payment_method")
    if stored:
        method = re.sub(r"[\s-]+", "_", str(stored).strip().lower())
        if method not in PAYMENT_METHODS:
            raise ConfigError(f"account {account.get('account_id')!r} has payment method {stored!r}; "
                              f"known methods: {', '.join(PAYMENT_METHODS)}")
        return method, f"account ({account.get('payment_method_source') or 'stored'})"
    text = " ".join(str(account.get(k) or "") for k in ("name", "source", "account_id")).lower()
    if "paypal" in text:
        return "paypal", "default for a PayPal account (none stored)"
    if re.search(r"checking|current|savings|debit|bank", text):
        return "debit_card", "default for a bank (checking) account (none stored)"
    if re.search(r"credit|card|amex|visa|mastercard", text):
        return "credit_card", "default for a card account (none stored)"
    return "credit_card", "assumed credit card: the account stores no payment method or type"


def payment_method_assumption(process: RefundProcess, method: str, method_source: str) -> dict:
    """What a request says when the account stores no payment method: the timeline then assumes
    ``method`` (:func:`account_payment_method`), so the request lists the vendor's time for each
    method it names and how to set the account's own.

    Sixteenth audit: a generic or ``--columns`` CSV sets no payment method, and its requests gave
    the credit-card timeline without a word that a card was only assumed.
    """
    label = method.replace("_", " ")
    why = ("as the account's name suggests" if method_source.startswith("default for")
           else "the likeliest for a subscription")
    by_method = {m: {"min_working_days": t.min, "max_working_days": t.max} for m, t in process.timelines.items()}
    if by_method:
        times = ", ".join(f"{m.replace('_', ' ')} {t.min}-{t.max}" for m, t in process.timelines.items())
        listed = f"{process.name}'s refund time by payment method: {times} working days"
    else:
        listed = f"{process.name} lists no refund time per payment method, so the estimate is the same for any"
    text = (f"Payment method unknown (the account stores none): the expected date assumes {label}, {why}. "
            f"{listed}. Set the account's method with --payment-method (`subdetect scan FILE --payment-method "
            "debit_card`, or `subdetect ingest`); requests not yet filed are recomputed at the next scan or detect.")
    return {"by_payment_method": by_method, "assumption": text}


# -- building one request ---------------------------------------------------------------------


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def clean(value):
    """None for a missing value (None, NaN, NA, NaT), else the value."""
    return None if _missing(value) else value


def _resolve(processes, lookup: ProcessLookup, inputs: dict, channel: str, process_id: str | None) -> RefundProcess:
    if process_id:
        if process_id not in processes:
            raise CatalogError(f"refund process {process_id!r} is no longer in the knowledge base")
        return processes[process_id]
    for name in (inputs.get("vendor"), inputs.get("merchant")):
        pid = lookup(name) if name else None
        if pid:
            if pid not in processes:
                raise CatalogError(f"vendor {name!r} names refund process {pid!r}, which the knowledge base lacks")
            return processes[pid]
    return channel_process(processes, channel)


def _subscription_text(stream: dict | None) -> str | None:
    if not stream or not stream.get("frequency"):
        return None
    text = f"{stream['frequency']} charges"
    if stream.get("first_date"):
        text += f" since {stream['first_date']}"
    if stream.get("last_date"):
        text += f", last on {stream['last_date']}"
    return text


def _documents(doc_process: RefundProcess, inputs: dict, *, money: str, reason: str,
               method: str, method_source: str, job_date: date | None) -> list[dict]:
    # the bank's own reference only: an id subdetect made (a hash of the line) or Plaid's is on
    # no statement, and the vendor cannot find it (round-twenty-four audit)
    ref, day, desc = inputs.get("bank_reference"), inputs["charge_date"], inputs["description"]
    statement = f"{day} · {money} · \"{desc}\"" + (f" · bank transaction {ref}" if ref else "")
    known = {
        "transaction_id": ref and f"{ref} (your bank's transaction id; the vendor's own order id is on its receipt)",
        "charge_date": day,
        "amount": money,
        "descriptor": desc,
        "statement_line": statement,
        "reason": reason,
        "subscription": _subscription_text(inputs.get("stream")),
        "payment_method": method.replace("_", " ") + ("" if method_source.startswith("account") else f" ({method_source})"),
        "job_date": None if job_date is None else job_date.isoformat() + (
            "" if inputs.get("job_date") else " (the charge date; give the job date if it differs)"),
    }
    docs = [{"item": "Charge on your bank statement", "detail": "What the detector found.", "value": statement,
             "provided_by": "detector", "source": "your bank statement"}]
    for d in doc_process.documents:
        value = known.get(d.prefill) if d.prefill else None
        docs.append({"item": d.name, "detail": d.detail, "value": value or YOU_PROVIDE,
                     "provided_by": "detector" if value else "you", "source": d.source})
    return docs


#: Amazon's store of each country, where a subscription bought there is managed and refunded
#: (round-nineteen audit: a UK account's steps said amazon.com). Others keep amazon.com.
AMAZON_SITES = {"GB": "amazon.co.uk", "IE": "amazon.co.uk", "DE": "amazon.de", "AT": "amazon.de", "FR": "amazon.fr",
                "BE": "amazon.com.be", "IT": "amazon.it", "ES": "amazon.es", "NL": "amazon.nl", "SE": "amazon.se",
                "PL": "amazon.pl", "CA": "amazon.ca", "MX": "amazon.com.mx", "BR": "amazon.com.br",
                "AU": "amazon.com.au", "JP": "amazon.co.jp", "IN": "amazon.in", "SG": "amazon.sg",
                "AE": "amazon.ae", "SA": "amazon.sa", "TR": "amazon.com.tr"}


def _amazon_site(step: str, country: str) -> str:
    """``step`` naming the account's country's Amazon store instead of amazon.com."""
    site = AMAZON_SITES.get(country)
    return re.sub(r"\bamazon\.com\b(?!\.)", site, step) if site else step


#: What only the person knows of a plan's first charge back months after its cancellation
#: (the flag: "if you did not sign up again, it is a charge after cancellation").
NOT_SIGNED_UP_AGAIN = "and I have not signed up again since"


_WITHOUT_NOTICE_RE = re.compile(r"\bwithout (?:any |prior |advance )?notice\b(?! that I saw)")


def as_observed(reason: str) -> str:
    """``reason`` for an email to the vendor: "without notice" (or "without prior notice", OT
    Track's Roku wording) is what the holder saw, not a fact the statement shows (the vendor may
    have sent a notice that went unread, an announced list-price rise most likely did): "without
    any notice that I saw". Used wherever our text goes to the vendor: the email and the reason
    step's "For this charge, write"."""
    return _WITHOUT_NOTICE_RE.sub("without any notice that I saw", reason)


#: A premium's request (docs/refunds.md, "Insurance premiums"): the policy cancelled, the unused
#: premium refunded pro rata. What only the person knows is marked.
PRORATE_REASON = ("I am cancelling my policy with effect from [CANCELLATION DATE — fill in] and ask for a refund "
                  "of the unused part of the premium of {money} charged on {day}, pro rata to the days "
                  "after the cancellation")
PRORATE_EMAIL = EmailTemplate(
    subject="Policy cancellation and refund of unused premium – {{ vendor }}",
    body=("Hello {{ vendor }},\n\nI am writing to cancel my policy [YOUR POLICY NUMBER — fill in] with effect from "
          "[CANCELLATION DATE — fill in], and to ask for a refund of the unused part of the premium of "
          "{{ charge_amount }} charged on {{ charge_date }}, which appears on my bank statement as "
          "\"{{ descriptor }}\"{% if transaction_id %} (transaction reference {{ transaction_id }}){% endif %}, "
          "pro rata to the days after the cancellation.\n\nCould you please confirm the cancellation, the amount "
          "to be refunded and when it will be paid?\n\nThe account this concerns is {{ your_email }}.\n\n"
          "Thank you,\n{{ your_name }}\n{{ your_phone }}\n"),
    source="generic wording")


def is_premium(inputs: dict, flag_type: str) -> bool:
    """Whether the request is for an insurer's premium of a plan's own term (a renewal, the first
    full premium, a renewal at a new premium) asked by the scan: a catalogue vendor of
    :data:`~detector.catalog.vendors.PREMIUM_CATEGORIES`."""
    return (flag_type in WINDOW_FLAGS and not inputs.get("user_reason")
            and inputs.get("vendor") in vendors_in(PREMIUM_CATEGORIES))


def _premium_assessment(vendor: str) -> Assessment:
    return Assessment(True, (
        f"An insurance premium pays for cover in force: {vendor} is unlikely to refund a renewal's premium as such, "
        "but a policy cancelled before its term ends gets the unused premium back, pro rata to the days not "
        "covered (some states and policies let the insurer keep a fee, such as a tenth of the unused premium). "
        "Send this only if you are cancelling the policy; the refund will be the unused part of the premium, "
        "not all of it. Arrange new cover first if you need to stay insured."))


#: A gift to a charity taken by mistake (docs/refunds.md, "A gift taken in error"): what the
#: request says, by flag type. The donor chose to give; the mistake is the payment's.
GIFT_REASONS = {
    "duplicate_charge": "my donation was taken twice, and I meant to give it once",
    "charge_after_cancellation": "my recurring donation was taken after I had cancelled it",
}
GIFT_EMAIL = EmailTemplate(
    subject="Refund of a donation taken in error – {{ vendor }}, {{ charge_amount }} on {{ charge_date }}",
    body=("Hello {{ vendor }} donor support,\n\nA donation of {{ charge_amount }} was taken from my account on "
          "{{ charge_date }} in error; it appears on my bank statement as \"{{ descriptor }}\""
          "{% if transaction_id %} (transaction reference {{ transaction_id }}){% endif %}.\n\n"
          "Reason: {{ reason_sentence }}\n\nCould you please refund {{ amount }} to the account it was taken from, "
          "and send me a corrected receipt for my records? I understand a refunded gift is no longer one I can "
          "claim for tax or Gift Aid. I gave under the email address {{ your_email }}.\n\n"
          "Thank you,\n{{ your_name }}\n{{ your_phone }}\n"),
    source="generic wording")
#: Where charities' and giving platforms' refund rules for gifts taken in error are published.
GIFT_SOURCES = ("https://support.gofundme.com/hc/en-us/articles/204150420-Refund-Requesting-a-Refund",
                "https://help.justgiving.com/hc/en-us/articles/200670381-How-can-I-get-a-refund-for-a-donation-I-ve-made")


def is_gift_error(inputs: dict, flag_type: str) -> bool:
    """Whether the request is for a gift to a charity (:func:`detector.flags.is_donation`) taken
    twice or after its cancellation, asked by the scan (:data:`GIFT_REASONS`): :func:`gift_errors`
    of this one request."""
    return gift_errors([{**inputs, "flag_type": flag_type}])[0]


def gift_errors(requests: list[dict]) -> list[bool]:
    """Whether each request (its inputs, with its own ``flag_type``) is for a gift to a charity
    (:func:`detector.flags.is_donation`) taken twice or after its cancellation, asked by the scan
    (:data:`GIFT_REASONS`), the charity test run once over all of them: a call per request costs
    ~2 ms of pandas overhead, and a scan queues thousands of requests (1.2M-row bench file: 358
    calls, 0.7 CPU-s)."""
    from .flags import is_donation

    asked = [i for i, x in enumerate(requests) if x["flag_type"] in GIFT_REASONS and not x.get("user_reason")]
    out = [False] * len(requests)
    if asked:
        def column(key: str) -> pd.Series:
            return pd.Series([requests[i].get(key) for i in asked], dtype=object)

        hits = is_donation(column("merchant"), column("vendor"), column("description")).to_numpy(dtype=bool)
        for i, hit in zip(asked, hits):
            out[i] = bool(hit)
    return out


def _gift_assessment(vendor: str) -> Assessment:
    return Assessment(True, (
        f"A gift is not refunded for a change of mind, but one taken in error (twice, or after a recurring gift was "
        f"cancelled) is a payment mistake that charities and giving platforms refund when asked soon: GoFundMe a gift "
        f"to a charity's fundraiser until the 20th of its month (of the next, for a gift after the 15th; later only "
        f"the charity can), JustGiving with the charity's "
        f"consent and within six months, most charities within 30 days. Ask {vendor} now; a refunded gift is no "
        f"longer tax-deductible nor eligible for Gift Aid, so keep the corrected receipt."), sources=list(GIFT_SOURCES))


def _with_evidence(reason: str, inputs: dict) -> str:
    """``reason`` with the fact the claim rests on, as the flag's reason names it: when the person
    cancelled (a charge after cancellation), or the earlier charge a double charge repeats, in the
    account's currency ("...; I had already been charged £9.99 on 2025-08-12"). A plan's first
    charge back after months without one may be a new sign-up: that it was not is the person's
    to say, drafted marked (:func:`detector.emails.if_true`). Round-thirty-three audit."""
    if inputs.get("cancelled_on"):
        reason = f"{reason.rstrip('.')}; I cancelled it on {inputs['cancelled_on']}"
        if inputs.get("signed_up_again_unknown"):
            reason = f"{reason} {if_true(NOT_SIGNED_UP_AGAIN)}"
    elif inputs.get("repeats_date") and inputs.get("repeats_amount") is not None:
        cur = inputs.get("currency")
        reason = (f"{reason.rstrip('.')}; I had already been charged {format_money(inputs['repeats_amount'], cur)} "
                  f"on {inputs['repeats_date']}")
    return reason


def build_request(inputs: dict, processes: dict[str, RefundProcess], lookup: ProcessLookup,
                  account: dict | None, filing_date: date, status: str, process_id: str | None = None,
                  *, gift_error: bool | None = None) -> dict:
    """Every computed field of a request from its inputs, as of ``filing_date``.

    ``inputs`` is what the request was made from (flag type, transaction id, account, charge date,
    amount, currency, descriptor, merchant, vendor, channel, stream, job date, the user's reason);
    ``process_id`` pins the process once chosen, so filing later never switches vendor process.
    ``gift_error``: :func:`is_gift_error` of ``inputs`` when the caller already knows it
    (:func:`gift_errors` of many requests at once); None works it out.
    """
    channel = normalise_channel(inputs.get("channel") or inputs.get("description"))
    process = _resolve(processes, lookup, inputs, channel, process_id)
    flag_type = inputs["flag_type"]
    cp, steps_process, process_note = process.channels.get(channel), process, None
    fallback: tuple[str, ...] = ()
    if process.kind == "channel":
        who = inputs.get("vendor") or inputs.get("merchant") or "This vendor"
        process_note = (f"{who} has no refund process in the knowledge base: this is the generic "
                        f"{CHANNEL_LABELS[channel]} channel process, not the vendor's own.")
    elif cp is None and channel in PAYMENT_CHANNELS and "direct" in process.channels:
        # PayPal paid the vendor; the subscription was bought from the vendor: its own steps stay,
        # and PayPal's dispute route follows should the vendor not resolve it (round-nineteen audit)
        cp = process.channels["direct"]
        fallback = channel_process(processes, channel).channels[channel].fallback_steps
        label = CHANNEL_LABELS[channel]
        process_note = (f"Paid through {label}: {label} is how {process.name} was paid, not where the purchase "
                        f"was made, so these are {process.name}'s own steps, with its refund time for {label}"
                        + (f"; {label}'s dispute route follows, should {process.name} not resolve it." if fallback
                           else "."))
    elif cp is None:
        steps_process = channel_process(processes, channel)
        cp = steps_process.channels[channel]
        process_note = (f"{process.name}'s refund guide gives no steps for purchases through "
                        f"{CHANNEL_LABELS[channel]}; the steps are the generic {CHANNEL_LABELS[channel]} "
                        f"channel process.")
    elif process.page:
        # (no refund guide among the seeds: the steps say in our words what the vendor's page does)
        process_note = f"{process.name}'s steps, in our words, from its help page {process.page}."

    premium = process.kind == "channel" and is_premium(inputs, flag_type)
    gift = process.kind == "channel" and (is_gift_error(inputs, flag_type) if gift_error is None else gift_error)
    if inputs.get("user_reason"):
        reason, reason_source = inputs["user_reason"].strip(), "your own words (opened by hand)"
    elif gift:  # the donor meant to give once, or no more: the payment's mistake
        reason, reason_source = GIFT_REASONS[flag_type], "generic wording"
    elif premium:  # cover in force: cancel, and the unused premium comes back pro rata
        reason = PRORATE_REASON.format(money=format_money(float(inputs.get("charged_amount") or inputs["amount"]),
                                                          inputs.get("currency")), day=inputs["charge_date"])
        reason_source = "generic wording"
    elif steps_process is process and cp.reason is not None and flag_type in cp.reason.flag_types:
        reason, reason_source = cp.reason.text, cp.reason.source
        if cp.reason.if_true:  # "my account was unused": a statement cannot show it, so the user says so
            reason = f"{reason} {if_true(cp.reason.if_true)}"
    else:
        reason, reason_source = process.generic.reasons[flag_type]
    vendor_name = process.vendor if process.kind == "vendor" else (
        inputs.get("vendor") or inputs.get("merchant") or inputs.get("description"))
    # a platform's seller ("Substack · Platformer", catalogue ``sellers``): the email names the seller
    seller_sold = bool(inputs.get("vendor")) and str(inputs.get("merchant") or "").startswith(f"{inputs['vendor']} · ")
    # (a giving platform refunds its campaigns' gifts itself: GoFundMe, not the campaign)
    addressee = inputs["merchant"] if seller_sold and not gift else vendor_name
    charged = float(inputs.get("charged_amount") or inputs["amount"])
    asked = charged if premium else inputs["amount"]  # (a premium: its unused part, which the insurer works out)
    if inputs.get("price_before") and not inputs.get("user_reason") and not premium:  # a rise: its difference is asked
        cur = inputs.get("currency")
        rise = round(charged - float(inputs["price_before"]), 2)
        if inputs.get("own_currency"):  # priced in another currency than the card's
            code = inputs["own_currency"]
            reason = (f"{reason.rstrip('.')}; the price went from {format_money(inputs['own_price_before'], code)} "
                      f"to {format_money(inputs['own_price'], code)}, and of the {format_money(charged, cur)} "
                      f"charged I am asking for the {format_money(rise, cur)} the rise added")
        else:
            reason = (f"{reason.rstrip('.')}; the price went from {format_money(inputs['price_before'], cur)} to "
                      f"{format_money(charged, cur)}, so I am asking for the {format_money(rise, cur)} difference")
    if not inputs.get("user_reason") and not premium:
        reason = _with_evidence(reason, inputs)
    credits = inputs.get("credits") or []
    if credits:  # the merchant gave part of it back already: ask for the rest, and say so
        cur = inputs.get("currency")
        back = " and ".join(f"{format_money(c['amount'], cur)} (credited on {c['date']})" for c in credits)
        reason = (f"{reason.rstrip('.')}; {vendor_name} has already given back {back} of the "
                  f"{format_money(charged, cur)} charged, so I am asking for the remaining "
                  f"{format_money(inputs['amount'], cur)}")

    charge_date = to_date(inputs["charge_date"])
    window = process.filing_window
    job_date = None
    if window is not None and window.anchor == "job_date":
        job_date = to_date(inputs["job_date"]) if inputs.get("job_date") else charge_date
    verdict = assess(process, flag_type=flag_type, filing_date=filing_date, charge_date=charge_date,
                     job_date=job_date, user_reason=inputs.get("user_reason"))
    if premium:
        verdict = _premium_assessment(vendor_name)
    elif gift:
        verdict = _gift_assessment(vendor_name)
    elif process.kind == "channel" and flag_type in WINDOW_FLAGS and not inputs.get("user_reason"):
        # a plan's own charge at a vendor with no process of its own: its published refund window
        # (where it sells directly), else the charge's age (round-45/46 audits: yearly renewals
        # 8-10 months old were "eligible" with no deadline)
        window = refund_windows().get(inputs.get("vendor")) if channel in ("direct", *PAYMENT_CHANNELS) else None
        verdict = assess_window(vendor_name, window, flag_type=flag_type, filing_date=filing_date,
                                charge_date=charge_date)
        verdict.reason = f"Generic {CHANNEL_LABELS[process.channel]} channel process: {verdict.reason}"
    elif (process.kind == "vendor" and steps_process is process and window is None and not process.eligible_situations
          and not inputs.get("user_reason") and refund_windows().get(process.vendor) is not None):
        # a vendor's steps in our words from its help page, whose refund window the catalogue
        # knows (Patreon's 14 days for any purchase): that window, not "no rule excludes this charge"
        verdict = assess_window(vendor_name, refund_windows()[process.vendor], flag_type=flag_type,
                                filing_date=filing_date, charge_date=charge_date)

    method, method_source = account_payment_method(account)
    method_known = bool((account or {}).get("payment_method"))
    if channel in PAYMENT_CHANNELS and method != channel:
        # a "PAYPAL *VENDOR" line: the vendor was paid by PayPal (funded from this account), and
        # refunds to PayPal, whatever the account is
        method, method_source, method_known = channel, "the statement line shows a payment through PayPal", True
    timeline = process.timeline_for(method)
    country = ((account or {}).get("country") or DEFAULT_COUNTRY).upper()
    expected = expected_refund_date(filing_date, timeline, country) if verdict.eligible is not False else None

    steps = list(cp.steps)
    if cp.reason_step:
        i = cp.reason_step - 1
        if verdict.situation is not None and verdict.situation.report_path:
            steps[i] = verdict.situation.report_path
        if cp.reason is None or reason != cp.reason.text:
            # our own wording as the email words it; a reason built on the vendor's own text keeps
            # the seed's words, as its step does
            written = as_observed(reason) if reason_source == "generic wording" else reason
            steps[i] = f"{steps[i]} For this charge, write: “{written}”."
    steps += fallback
    if channel == "amazon":
        steps = [_amazon_site(step, country) for step in steps]
    sepa_debit = is_sepa_core_debit(inputs.get("description"), inputs.get("currency"))
    if sepa_debit:  # the payer's own bank's refund right, after the vendor's steps (sepa_refund.py)
        steps.append(bank_refund_step(vendor_name, charge_date, filing_date))

    money = format_money(charged, inputs.get("currency"))
    template = PRORATE_EMAIL if premium else GIFT_EMAIL if gift else process.email_template()
    email = render_email(template, vendor=addressee, amount=asked, charge_amount=charged,
                         currency=inputs.get("currency"),
                         charge_date=charge_date.isoformat(), descriptor=inputs["description"],
                         transaction_id=inputs.get("bank_reference"),
                         reason=reason if inputs.get("user_reason") else as_observed(reason))
    meaning = process.status_meaning(status)
    return {
        "transaction_id": inputs["transaction_id"],
        "account_id": inputs["account_id"],
        "vendor": vendor_name,
        "channel": channel,
        "payment_method": method,
        "amount": round(float(asked), 2),
        "reason": reason,
        "eligible": verdict.eligible,
        "eligibility_reason": verdict.reason,
        "deadline": verdict.deadline.isoformat() if verdict.deadline else None,
        "steps": steps,
        "documents": _documents(process if process.documents else steps_process, inputs, money=money,
                                reason=reason, method=method, method_source=method_source, job_date=job_date),
        "email": email,
        "expected_by": expected.isoformat() if expected else None,
        "status": status,
        "flag_id": inputs.get("flag_id"),
        "flag_type": flag_type,
        "charged_amount": round(charged, 2),
        "credits": credits,
        "merchant": inputs.get("merchant"),
        "currency": inputs.get("currency"),
        "charge_date": charge_date.isoformat(),
        "description": inputs["description"],
        "job_date": job_date.isoformat() if job_date else None,
        "filed_on": filing_date.isoformat() if status != "Candidate" else None,
        "process": process.id,
        "process_kind": process.kind,
        "process_note": process_note,
        "payment_method_source": method_source,
        "country": country,
        "timeline": {
            "payment_method": method,
            "min_working_days": timeline.min,
            "max_working_days": timeline.max,
            "estimated": timeline.estimated,
            "note": timeline.note,
            "counted_from": filing_date.isoformat(),
            "payment_method_assumed": not method_known,
            **({} if method_known else payment_method_assumption(process, method, method_source)),
        },
        "status_meaning": {"meaning": meaning.meaning, "for_you": meaning.for_you},
        "sources": {
            "steps": cp.source,
            **({"fallback_steps": "generic channel process"} if fallback else {}),
            **({"bank_refund_step": SEPA_SOURCE} if sepa_debit else {}),
            "reason": reason_source,
            "eligibility": verdict.sources,
            "timeline": timeline.source,
            "working_days": process.timeline_note[1] if process.timeline_note else "generic channel process",
            "email": template.source,
            "status_meaning": meaning.source,
        },
    }
