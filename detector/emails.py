"""Refund-request emails: a vendor's template (or the generic one) filled in with jinja2.

Everything the detector knows (vendor, amount, charge date, descriptor, reason) is filled in;
what only the user knows is left as an unmistakable marker such as ``[YOUR NAME — fill in]``.
Rendering is strict: a template naming a variable we do not supply fails instead of leaving a
blank, and the result is checked for leftover template syntax.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from .catalog.refund_processes import EmailTemplate
from .errors import CatalogError
from .money import format_money

#: What only the user can fill in, as it appears in a drafted email.
USER_FIELDS = {
    "your_name": "[YOUR NAME — fill in]",
    "your_email": "[YOUR ACCOUNT EMAIL — fill in]",
    "your_phone": "[YOUR PHONE NUMBER — fill in]",
}


def if_true(clause: str) -> str:
    """A statement only the user can make, drafted for them to keep or delete:
    ``[ONLY IF TRUE: and my account was unused — keep or delete]``."""
    return f"[ONLY IF TRUE: {clause} — keep or delete]"


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


@lru_cache(maxsize=64)
def _compiled(source: str) -> jinja2.Template:
    # Compiling is ~100x the cost of rendering; a queue renders the same few templates thousands of times.
    return _ENV.from_string(source)


def sentence(text: str) -> str:
    """Capitalised, ending with a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def render_email(template: EmailTemplate, *, vendor: str, amount: float, currency: str | None,
                 charge_date: str, descriptor: str, transaction_id: str | None, reason: str,
                 user: dict | None = None, charge_amount: float | None = None) -> dict:
    """``{"subject", "body"}`` with every known field filled and user-only fields marked.

    ``amount`` is what is asked back, ``charge_amount`` (default ``amount``) what was charged: they
    differ when the merchant already credited part of the charge. ``transaction_id`` is the bank's
    own reference for the charge, or None when the bank gave none (templates quote it only under
    ``{% if transaction_id %}``, :func:`detector.catalog.refund_processes.load_refund_processes`
    checks that).
    """
    clause = reason.strip().rstrip(".")
    values = {
        "vendor": vendor,
        "amount": format_money(amount, currency),
        "charge_amount": format_money(amount if charge_amount is None else charge_amount, currency),
        "charge_date": charge_date,
        "descriptor": descriptor,
        "transaction_id": transaction_id,
        "reason": clause,
        "reason_sentence": sentence(clause),
        **USER_FIELDS,
        **{k: v for k, v in (user or {}).items() if k in USER_FIELDS and v},
    }
    try:
        subject = _compiled(template.subject).render(values).strip()
        body = _compiled(template.body).render(values)
    except jinja2.TemplateError as exc:
        raise CatalogError(f"email template cannot be rendered: {exc}") from exc
    for text in (subject, body):
        if "{{" in text or "{%" in text:
            raise CatalogError("email template left template syntax in the drafted email")
    return {"subject": subject, "body": body}


def draft_text(email: dict) -> str:
    """The email ready to paste: the Subject line, a blank line, the body."""
    return f"Subject: {email['subject']}\n\n{email['body'].rstrip()}\n"
