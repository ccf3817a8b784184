"""Eligibility, filing deadline and expected refund date of a refund request.

Rules, in order (``docs/refunds.md`` explains each):

1. A filing window (PRO360: "within 30 days of the job date") gives a ``deadline`` = anchor date
   + N calendar days. Filing on the deadline is in time; the day after is not, and the request is
   kept as ineligible with that reason.
2. A situation the vendor says is *not* refunded (PRO360: customer unreachable, request already
   resolved), recognised in the user's own reason text, makes it ineligible, unless a refundable
   situation that overrides it is recognised too (wrong contact details explain an unreachable
   customer; a billing error or an outage is refunded however the plan came to renew, so either
   overrides forgetting to cancel). The overridden exclusion is still quoted.
3. Otherwise it is eligible; the reason names the vendor's refundable situation that matches the
   user's text or the flag type, or says that none of the listed situations was recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from .catalog.refund_processes import CHANNEL_LABELS, RefundProcess, Situation, Timeline
from .workdays import add_working_days

_ANCHOR_LABEL = {"job_date": "job date", "charge_date": "charge date"}


@dataclass
class Assessment:
    eligible: bool | None  # None: not known (no refund window is known for the vendor)
    reason: str
    deadline: date | None = None
    situation: Situation | None = None
    sources: list = field(default_factory=list)


def _normalise_text(text: str | None) -> str:
    return (text or "").replace("’", "'").replace("‘", "'").lower()


_ALTERNATIVES = re.compile(r"\{([^{}]*)\}")


def _part(part: str) -> str:
    # "{meant|intended} to cancel": one of the words between braces ("{i |}" makes "i " optional)
    pieces = _ALTERNATIVES.split(part)
    return "".join(re.escape(p) if i % 2 == 0 else "(?:" + "|".join(map(re.escape, p.split("|"))) + ")"
                   for i, p in enumerate(pieces))


def _pattern(phrase: str) -> str:
    # A phrase matches at a word start; " * " stands for a few words within the same sentence,
    # so "phone * wrong" recognises "the customer's phone number was wrong", and "{a|b}" for
    # either word. Each gap is a (the only capturing) group, so a negation inside it can be seen.
    return r"(?<![a-z0-9])" + r"([^.;!?]{1,40}?)".join(_part(part) for part in phrase.split(" * "))


#: Words that deny what follows them: "the number was NOT wrong", "NOTHING wrong with the phone",
#: "the request has NOT been resolved" (thirteenth session's audit: these read as their opposite).
NEGATION = re.compile(r"\b(?:not|never|no|nothing|none|nobody|neither|nor|without|cannot|[a-z]+n't)\b")
#: How many words before a phrase a negation still governs it, within the same clause.
NEGATION_REACH = 3
_CLAUSE_END = re.compile(r"[.,;:!?]|\b(?:but|although|though|however|so)\b")


def negated(text: str, start: int, gaps: tuple[str, ...] = ()) -> bool:
    """Whether the phrase found at ``start`` of ``text`` (normalised) is denied: a negation among
    the words of a ``" * "`` gap, or among the :data:`NEGATION_REACH` words before it in its clause.

    A phrase's own words never count ("could not reach" is the phrase, not its denial).

    >>> negated("the phone number was not wrong", 4, (" number was not ",))
    True
    >>> negated("nothing wrong with the phone number", 8)
    True
    >>> negated("the number is correct, but i could not reach them", 33)
    False
    """
    if any(NEGATION.search(g) for g in gaps):
        return True
    before = text[:start]
    ends = list(_CLAUSE_END.finditer(before))
    clause = before[ends[-1].end():] if ends else before
    return any(NEGATION.fullmatch(w) for w in re.findall(r"[a-z']+", clause)[-NEGATION_REACH:])


def matches(situation: Situation, text: str | None, phrases: tuple[str, ...] | None = None) -> bool:
    """Whether the user's text names the situation: one of its ``match_any`` phrases (or of
    ``phrases``), not denied (:func:`negated`)."""
    t = _normalise_text(text)
    return bool(t) and any(not negated(t, m.start(), m.groups())
                           for p in (situation.match_any if phrases is None else phrases)
                           for m in re.finditer(_pattern(p), t))


def overrides(situation: Situation, text: str | None) -> bool:
    """Whether the user's text names the situation firmly enough to override an ineligible one:
    one of its ``overrides_with`` phrases (all its phrases when it lists none)."""
    return matches(situation, text, situation.overrides_with or None)


def deadline_for(process: RefundProcess, charge_date: date, job_date: date | None = None) -> date | None:
    """Last day to file, or None when the vendor sets no window."""
    w = process.filing_window
    if w is None:
        return None
    anchor = (job_date or charge_date) if w.anchor == "job_date" else charge_date
    return anchor + timedelta(days=w.days)


def assess(process: RefundProcess, *, flag_type: str, filing_date: date, charge_date: date,
           job_date: date | None = None, user_reason: str | None = None) -> Assessment:
    """Whether the request is eligible under the process's rules, and why."""
    name = process.name
    deadline = deadline_for(process, charge_date, job_date)
    window_note, sources = "", []
    if deadline is not None:
        w = process.filing_window
        anchor = (job_date or charge_date) if w.anchor == "job_date" else charge_date
        label = _ANCHOR_LABEL[w.anchor]
        sources.append(w.source)
        if filing_date > deadline:
            late = (filing_date - deadline).days
            return Assessment(False, (
                f"Too late: {name} accepts requests within {w.days} days of the {label} ({anchor.isoformat()}); "
                f"the last day to file was {deadline.isoformat()} and this request is filed on "
                f"{filing_date.isoformat()} ({late} day{'s' if late != 1 else ''} late). "
                f"{name}: \"Requests submitted after {w.days} days will not be accepted.\""
            ), deadline, None, sources)
        window_note = (f" File by {deadline.isoformat()}: {name} accepts requests within {w.days} days "
                       f"of the {label} ({anchor.isoformat()}).")

    named = [s for s in process.eligible_situations if matches(s, user_reason)]
    matched = named[0] if named else None
    overridden: list[Situation] = []
    for excl in process.ineligible_situations:
        if not matches(excl, user_reason):
            continue
        # any situation named may override, not only the first: "I forgot to turn off auto-renew
        # and was billed twice" names a renewal first, and the double billing still wins
        # ... when it names it firmly: "charged after the trial" is the forgetting itself
        overriding = next((s for s in named if s.id in excl.overridden_by and overrides(s, user_reason)), None)
        if overriding is None:
            return Assessment(False, f"{name} gives no refund in this situation: {excl.text}",
                              deadline, excl, sources + [excl.source])
        matched = overriding
        overridden.append(excl)

    situation = matched or next((s for s in process.eligible_situations if flag_type in s.flag_types), None)
    # what the user also said and the vendor does not refund on its own is shown, not dropped:
    # "I forgot to cancel; the service was down" is refunded for the outage, not the forgetting
    said = "".join(f" Your reason also says what {name} does not refund on its own ({e.title}): \"{e.text}\""
                   for e in overridden)
    sources += [e.source for e in overridden]
    caveats = [c for c in process.caveats if flag_type in c.flag_types
               and c.text not in {e.text for e in overridden}]
    caveat_note = said + "".join(f" Note from {name}: \"{c.text}\"" for c in caveats)
    sources += [c.source for c in caveats]
    if situation is not None:
        return Assessment(True, (f"{name} lists this situation as refundable — {situation.title}: "
                                 f"\"{situation.text}\"{window_note}{caveat_note}"),
                          deadline, situation, [situation.source] + sources)
    if process.kind == "vendor":
        listed = "; ".join(s.title for s in process.eligible_situations)
        # (a guide naming no situation it refunds, Google Workspace's: round-forty-six audit, the
        # reason read "none of the situations it refunds was recognised (); say which one applies")
        found = (f"but none of the situations it refunds was recognised ({listed}); say which one applies."
                 if listed else "and it names no situation it refunds; say why this charge should be refunded.")
        return Assessment(True, (f"No rule in {name}'s refund guide excludes this charge, {found}"
                                 f"{window_note}{caveat_note}"), deadline, None, sources)
    return Assessment(True, (f"Generic {CHANNEL_LABELS[process.channel]} channel process: no vendor-specific refund "
                             f"rules are known, so nothing rules this charge out; the request is reviewed case by case."),
                      deadline, None, sources)


def expected_refund_date(filing_date: date, timeline: Timeline, country: str | None) -> date:
    """Filing date plus the upper end of the timeline, in working days of ``country``."""
    return add_working_days(filing_date, timeline.max, country)


#: Flag types whose charge is a plan's own term (a renewal, the first paid charge, a renewal at a
#: new price): refunded, if at all, within the vendor's refund window. A double charge or one after
#: a cancellation is the vendor's billing error, owed whenever it is noticed.
WINDOW_FLAGS = ("annual_renewal", "trial_conversion", "price_increase")
#: Past this many days after the charge, a renewal at a vendor whose refund window is not known is
#: most likely outside any: card networks allow about 120 days to dispute a charge, and vendors
#: that refund a renewal at all mostly do so within days or weeks of it.
UNKNOWN_WINDOW_DAYS = 120


def assess_window(vendor: str, window, *, flag_type: str, filing_date: date, charge_date: date) -> Assessment:
    """Eligibility of a plan's own charge (:data:`WINDOW_FLAGS`) at a vendor with no refund process
    of its own, by the vendor's published refund window (``window``, a catalogue
    :class:`~detector.catalog.vendors.RefundWindow`), or, when none is known, by the charge's age:
    unknown (``eligible`` None) up to :data:`UNKNOWN_WINDOW_DAYS`, likely outside any window after."""
    age = (filing_date - charge_date).days
    what = ("first paid charge" if flag_type == "trial_conversion" else "renewal" if flag_type in WINDOW_FLAGS
            else "charge")
    if window is None:
        if age <= UNKNOWN_WINDOW_DAYS:
            return Assessment(None, (
                f"Refund window unknown: {vendor}'s refund policy is not in the knowledge base, so whether this "
                f"{what} can still be refunded is not known (the charge is {age} day{'s' if age != 1 else ''} old). "
                f"Many vendors refund a renewal only within days or weeks of the charge, if at all: ask soon."))
        return Assessment(False, (
            f"Likely outside any refund window: the charge is {age} days old, past the {UNKNOWN_WINDOW_DAYS} days "
            f"card networks allow to dispute a charge, and {vendor}'s own refund policy is not known; vendors that "
            f"refund a renewal at all mostly do so within days or weeks of it. The request is kept: you may still "
            f"send it."))
    days = window.days_for(flag_type)
    source = {"page": window.page}
    if days == 0:
        return Assessment(False, (f"{vendor} does not refund this {what}, by its published policy: {window.says} "
                                  f"({window.page}). The request is kept: you may still send it."),
                          None, None, [source])
    deadline = charge_date + timedelta(days=days)
    if filing_date > deadline:
        late = (filing_date - deadline).days
        return Assessment(False, (
            f"Too late by {vendor}'s published policy: a {what} is refunded within {days} days of the charge "
            f"({charge_date.isoformat()}); the last day was {deadline.isoformat()}, {late} day{'s' if late != 1 else ''} "
            f"before this request. {vendor}: {window.says} ({window.page}). The request is kept: you may still send it."),
            deadline, None, [source])
    return Assessment(True, (
        f"{vendor} refunds a {what} within {days} days of the charge, by its published policy: {window.says} "
        f"({window.page}). File by {deadline.isoformat()}."), deadline, None, [source])
