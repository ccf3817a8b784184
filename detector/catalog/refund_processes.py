"""The refund-process knowledge base: vendor and channel refund processes, loaded from data.

The facts live in ``refund_processes.json`` next to this module, not in code. Each fact carries
its source: ``{"seed": FILE, "quote": LINE or [LINES]}`` for what a vendor's own refund guide
says, ``{"page": URL}`` for what a vendor's public help page says, in our own words (the
processes of Google's directly billed products), or the string ``"generic channel process"`` /
``"generic wording"`` for what we wrote ourselves. The loader validates the whole file and raises :class:`CatalogError` naming the entry
and the field, so a typo in the data never turns into a wrong refund request.

>>> processes = load_refund_processes()
>>> processes["pro-back-office"].timeline_for("credit_card").max
7
>>> processes["pro360"].filing_window.days
30
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
import jinja2.meta

from ..errors import CatalogError
from ..schema import FLAG_TYPES, PAYMENT_METHODS, REFUND_STATUSES

DEFAULT_PATH = Path(__file__).with_name("refund_processes.json")

#: Billing channels a refund can go through; every one has a generic process in the data.
CHANNELS = ("direct", "apple", "google_play", "roku", "paypal", "amazon")
CHANNEL_LABELS = {"direct": "direct (vendor-billed)", "apple": "Apple", "google_play": "Google Play",
                  "roku": "Roku", "paypal": "PayPal", "amazon": "Amazon"}
#: Channels that carry a payment to a vendor rather than sell the subscription: PayPal is a
#: payment method in the seeds' timeline tables ("PayPal 3-5 working days"), not a place of
#: purchase (their steps go by "If you purchased through ..."). A vendor paid through one keeps its
#: own steps; the channel's process is only for vendors without one.
PAYMENT_CHANNELS = ("paypal",)
#: Source labels for what is not a vendor's own words.
GENERIC_SOURCES = ("generic channel process", "generic wording")
#: What the detector can fill into a document checklist item by itself.
PREFILLS = (
    "transaction_id", "charge_date", "amount", "descriptor", "statement_line", "reason",
    "subscription", "payment_method", "job_date",
)
#: Variables an email template may use (see ``detector.emails``).
EMAIL_VARIABLES = frozenset({
    "vendor", "amount", "charge_date", "descriptor", "transaction_id", "reason",
    "reason_sentence", "charge_amount", "your_name", "your_email", "your_phone",
})
#: A template's ``{% if transaction_id %} ... {% endif %}``: the only place it may quote the bank's
#: reference, which an email has only when the bank gave one.
_QUOTED_REFERENCE = re.compile(r"\{%-?\s*if\s+transaction_id\s*-?%\}.*?\{%-?\s*endif\s*-?%\}", re.DOTALL)
#: A ``match_any`` phrase: text with ``{a|b}`` groups (either word), none nested or unpaired.
_PHRASE = re.compile(r"[^{}]*(?:\{[^{}]*\}[^{}]*)*")
#: A vendor's public help page a process is summarised from.
_PAGE_URL = re.compile(r"https://[a-z0-9.-]+\.[a-z]{2,}(?:/\S*)?")
#: Pseudo flag type of a request opened by hand.
MANUAL = "manual"


@dataclass(frozen=True)
class Timeline:
    """How long a refund takes, in working days, and where that comes from."""

    min: int
    max: int
    source: object
    estimated: bool = False
    note: str | None = None
    unit: str = "working_days"


@dataclass(frozen=True)
class ReasonWording:
    """How a vendor asks the reason to be worded on one channel, for some flag types."""

    text: str
    flag_types: tuple[str, ...]
    source: object
    #: What the vendor asks to be said that only the user knows (whether the account was used:
    #: a bank statement cannot show it), drafted after ``text`` marked for the user to keep or delete.
    if_true: str | None = None


@dataclass(frozen=True)
class ChannelProcess:
    """The steps to request a refund for a purchase made through one channel."""

    channel: str
    steps: tuple[str, ...]
    source: object
    reason_step: int | None = None
    reason: ReasonWording | None = None
    #: Steps that follow a vendor's own process when this channel only carried the payment
    #: (PayPal: its dispute route, should the vendor not resolve it).
    fallback_steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Situation:
    """A situation the vendor lists as refundable (or as not refundable)."""

    id: str
    title: str
    text: str
    source: object
    flag_types: tuple[str, ...] = ()
    match_any: tuple[str, ...] = ()
    report_path: str | None = None
    overridden_by: tuple[str, ...] = ()
    #: The phrases of ``match_any`` that name this situation firmly enough to override an
    #: ineligible one (empty: all of them). "Billed twice" outweighs "I forgot to cancel";
    #: "charged after the trial" or "before my billing cycle ended" is the forgetting itself.
    overrides_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Caveat:
    text: str
    flag_types: tuple[str, ...]
    source: object


@dataclass(frozen=True)
class FilingWindow:
    """The request must be filed within ``days`` calendar days of the ``anchor`` date."""

    days: int
    anchor: str
    source: object
    unit: str = "calendar_days"


@dataclass(frozen=True)
class DocumentItem:
    name: str
    detail: str
    prefill: str | None
    source: object


@dataclass(frozen=True)
class EmailTemplate:
    subject: str
    body: str
    source: object


@dataclass(frozen=True)
class StatusMeaning:
    meaning: str
    for_you: str
    source: object


@dataclass(frozen=True)
class Generic:
    """What applies wherever a vendor's guide is silent."""

    timeline: Timeline
    reasons: dict[str, tuple[str, object]]
    email: EmailTemplate
    statuses: dict[str, StatusMeaning]


@dataclass(frozen=True)
class RefundProcess:
    """One vendor's refund process (``kind="vendor"``) or a channel's generic one (``"channel"``)."""

    id: str
    kind: str
    generic: Generic = field(repr=False)
    vendor: str | None = None
    channel: str | None = None
    title: str | None = None
    aliases: tuple[str, ...] = ()
    #: Where a vendor process comes from: the vendor's refund guide among the seeds, or (for a
    #: vendor with no seed) its public help page, the steps summarised in our own words.
    seed: str | None = None
    page: str | None = None
    channels: dict[str, ChannelProcess] = field(default_factory=dict)
    timelines: dict[str, Timeline] = field(default_factory=dict)
    timeline_note: tuple[str, object] | None = None
    timeline_fallback: Timeline | None = None
    filing_window: FilingWindow | None = None
    eligible_situations: tuple[Situation, ...] = ()
    ineligible_situations: tuple[Situation, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    documents: tuple[DocumentItem, ...] = ()
    email: EmailTemplate | None = None
    statuses: dict[str, StatusMeaning] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Vendor name, or the channel process title."""
        return self.vendor or self.title or self.id

    def timeline_for(self, payment_method: str) -> Timeline:
        """The vendor's own timeline for the method; else its general range; else the generic estimate.

        Only the first is a vendor fact for that method; the others come back ``estimated=True``
        with a note saying why, so a request never presents a guess as the vendor's word.
        """
        if payment_method in self.timelines:
            return self.timelines[payment_method]
        label = payment_method.replace("_", " ")
        if self.timeline_fallback is not None:
            fb = self.timeline_fallback
            return Timeline(fb.min, fb.max, fb.source, estimated=True, note=(
                f"{self.name} lists no timeline for {label}; estimated from its general refund time"))
        g = self.generic.timeline
        who = f"{self.name} publishes" if self.kind == "vendor" else "this channel process has"
        return Timeline(g.min, g.max, g.source, estimated=True,
                        note=f"{who} no refund timeline for {label}; timeline unknown, {g.min}-{g.max} working days is an estimate")

    def status_meaning(self, status: str) -> StatusMeaning:
        return self.statuses.get(status) or self.generic.statuses[status]

    def email_template(self) -> EmailTemplate:
        return self.email or self.generic.email


# -- validation ------------------------------------------------------------------------------


class _Checker:
    """Raises CatalogError naming the file, the entry and the field."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, entry: str, fld: str, msg: str):
        raise CatalogError(f"{self.path.name}: refund process '{entry}': field '{fld}' {msg}")

    def text(self, obj: dict, key: str, entry: str, fld: str | None = None, optional=False) -> str | None:
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(entry, fld or key, "must be a non-empty string")
        return value

    def strings(self, obj: dict, key: str, entry: str, fld: str, allowed=None) -> tuple[str, ...]:
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(entry, fld, "must be a list of non-empty strings")
        if allowed is not None:
            bad = [v for v in value if v not in allowed]
            if bad:
                self.fail(entry, fld, f"has unknown value(s) {bad}; allowed: {', '.join(allowed)}")
        return tuple(value)

    def source(self, obj: dict, entry: str, fld: str):
        src = obj.get("source") if isinstance(obj, dict) else None
        if isinstance(src, str):
            if src not in GENERIC_SOURCES:
                self.fail(entry, f"{fld}.source", f"must be a seed quote, a vendor page or one of {GENERIC_SOURCES}, "
                          f"got {src!r}")
            return src
        if not isinstance(src, dict):
            self.fail(entry, f"{fld}.source", "is missing (every fact needs its source)")
        if "page" in src:
            return {"page": self.page(src.get("page"), entry, f"{fld}.source.page")}
        seed, quote = src.get("seed"), src.get("quote")
        if not isinstance(seed, str) or not seed.strip():
            self.fail(entry, f"{fld}.source.seed", "must name the seed file")
        quotes = quote if isinstance(quote, list) else [quote]
        if not quotes or not all(isinstance(q, str) and q.strip() for q in quotes):
            self.fail(entry, f"{fld}.source.quote", "must be the quoted line(s) of the seed")
        return {"seed": seed, "quote": quote}

    def page(self, url, entry: str, fld: str) -> str:
        if not isinstance(url, str) or not _PAGE_URL.fullmatch(url):
            self.fail(entry, fld, f"must be the https address of the vendor's help page, got {url!r}")
        return url

    def timeline(self, obj, entry: str, fld: str) -> Timeline:
        if not isinstance(obj, dict):
            self.fail(entry, fld, "must be an object {min, max, unit, source}")
        lo, hi = obj.get("min"), obj.get("max")
        if not isinstance(lo, int) or isinstance(lo, bool) or lo < 0:
            self.fail(entry, f"{fld}.min", "must be a whole number of working days >= 0")
        if not isinstance(hi, int) or isinstance(hi, bool) or hi < lo:
            self.fail(entry, f"{fld}.max", f"must be a whole number of working days >= min ({lo})")
        if obj.get("unit", "working_days") != "working_days":
            self.fail(entry, f"{fld}.unit", "must be 'working_days'")
        return Timeline(lo, hi, self.source(obj, entry, fld), note=obj.get("note"))

    def email(self, obj, entry: str, fld: str) -> EmailTemplate:
        if not isinstance(obj, dict):
            self.fail(entry, fld, "must be an object {subject, body, source}")
        env = jinja2.Environment()
        for part in ("subject", "body"):
            text = self.text(obj, part, entry, f"{fld}.{part}")
            try:
                used = jinja2.meta.find_undeclared_variables(env.parse(text))
            except jinja2.TemplateSyntaxError as exc:
                self.fail(entry, f"{fld}.{part}", f"is not a valid template: {exc}")
            unknown = sorted(used - EMAIL_VARIABLES)
            if unknown:
                self.fail(entry, f"{fld}.{part}", f"uses unknown variable(s) {unknown}; "
                          f"known: {', '.join(sorted(EMAIL_VARIABLES))}")
            if "transaction_id" in used and "transaction_id" in _QUOTED_REFERENCE.sub("", text):
                self.fail(entry, f"{fld}.{part}", "uses transaction_id outside {% if transaction_id %} ... "
                          "{% endif %}: many banks give no reference for a charge, and subdetect's own id "
                          "is none the vendor can find")
        return EmailTemplate(obj["subject"], obj["body"], self.source(obj, entry, fld))

    def statuses(self, obj, entry: str, fld: str) -> dict[str, StatusMeaning]:
        if not isinstance(obj, dict):
            self.fail(entry, fld, "must be an object keyed by status")
        out = {}
        for status, meaning in obj.items():
            if status not in REFUND_STATUSES:
                self.fail(entry, f"{fld}.{status}", f"is not a status; statuses: {', '.join(REFUND_STATUSES)}")
            out[status] = StatusMeaning(self.text(meaning, "meaning", entry, f"{fld}.{status}.meaning"),
                                        self.text(meaning, "for_you", entry, f"{fld}.{status}.for_you"),
                                        self.source(meaning, entry, f"{fld}.{status}"))
        return out

    def situations(self, items, entry: str, fld: str) -> tuple[Situation, ...]:
        if not isinstance(items, list):
            self.fail(entry, fld, "must be a list")
        out, seen = [], set()
        for i, s in enumerate(items):
            where = f"{fld}[{i}]"
            sid = self.text(s, "id", entry, f"{where}.id")
            if sid in seen:
                self.fail(entry, f"{where}.id", f"duplicates situation '{sid}'")
            seen.add(sid)
            out.append(Situation(
                id=sid,
                title=self.text(s, "title", entry, f"{where}.title"),
                text=self.text(s, "text", entry, f"{where}.text"),
                source=self.source(s, entry, where),
                flag_types=self.strings(s, "flag_types", entry, f"{where}.flag_types", FLAG_TYPES),
                match_any=tuple(m.lower() for m in self.strings(s, "match_any", entry, f"{where}.match_any")),
                report_path=self.text(s, "report_path", entry, f"{where}.report_path", optional=True),
                overridden_by=self.strings(s, "overridden_by", entry, f"{where}.overridden_by"),
                overrides_with=tuple(m.lower() for m in self.strings(s, "overrides_with", entry,
                                                                      f"{where}.overrides_with")),
            ))
            bad = [m for m in out[-1].match_any if not _PHRASE.fullmatch(m)]
            if bad:
                self.fail(entry, f"{where}.match_any", f"has phrase(s) with unpaired or nested braces {bad}; "
                          "'{a|b}' stands for either word")
            extra = sorted(set(out[-1].overrides_with) - set(out[-1].match_any))
            if extra:
                self.fail(entry, f"{where}.overrides_with", f"names phrase(s) not in match_any: {extra}")
        return tuple(out)


def _parse_generic(c: _Checker, g) -> Generic:
    if not isinstance(g, dict):
        c.fail("generic", "generic", "must be an object")
    reasons_raw = g.get("reasons")
    if not isinstance(reasons_raw, dict):
        c.fail("generic", "reasons", "must be an object keyed by flag type")
    reasons = {}
    for ft in (*FLAG_TYPES, MANUAL):
        r = reasons_raw.get(ft)
        reasons[ft] = (c.text(r or {}, "text", "generic", f"reasons.{ft}.text"), c.source(r, "generic", f"reasons.{ft}"))
    statuses = c.statuses(g.get("statuses"), "generic", "statuses")
    missing = [s for s in REFUND_STATUSES if s not in statuses]
    if missing:
        c.fail("generic", "statuses", f"lacks {missing}")
    return Generic(timeline=c.timeline(g.get("timeline"), "generic", "timeline"), reasons=reasons,
                   email=c.email(g.get("email"), "generic", "email"), statuses=statuses)


def _parse_process(c: _Checker, p, index: int, generic: Generic) -> RefundProcess:
    if not isinstance(p, dict):
        c.fail(f"#{index}", "processes", "entries must be objects")
    pid = p.get("id")
    if not isinstance(pid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", pid):
        c.fail(f"#{index}", "id", "must be a lower-case id like 'pro-back-office'")
    kind = p.get("kind")
    if kind not in ("vendor", "channel"):
        c.fail(pid, "kind", "must be 'vendor' or 'channel'")

    channels_raw = p.get("channels")
    if not isinstance(channels_raw, dict) or not channels_raw:
        c.fail(pid, "channels", "must map at least one purchase channel to its steps")
    channels = {}
    for ch, cp in channels_raw.items():
        where = f"channels.{ch}"
        if ch not in CHANNELS:
            c.fail(pid, where, f"is not a channel; channels: {', '.join(CHANNELS)}")
        if not isinstance(cp, dict):
            c.fail(pid, where, "must be an object {steps, source}")
        steps = c.strings(cp, "steps", pid, f"{where}.steps")
        if not steps:
            c.fail(pid, f"{where}.steps", "must list at least one step")
        reason_step = cp.get("reason_step")
        if reason_step is not None and (not isinstance(reason_step, int) or not 1 <= reason_step <= len(steps)):
            c.fail(pid, f"{where}.reason_step", f"must be a step number 1..{len(steps)} or null")
        reason = None
        if cp.get("reason") is not None:
            r = cp["reason"]
            reason = ReasonWording(c.text(r, "text", pid, f"{where}.reason.text"),
                                   c.strings(r, "flag_types", pid, f"{where}.reason.flag_types", FLAG_TYPES),
                                   c.source(r, pid, f"{where}.reason"),
                                   c.text(r, "if_true", pid, f"{where}.reason.if_true", optional=True))
        fallback = c.strings(cp, "fallback_steps", pid, f"{where}.fallback_steps")
        if fallback and (kind != "channel" or ch not in PAYMENT_CHANNELS):
            c.fail(pid, f"{where}.fallback_steps", "only a generic process of a channel that pays a vendor "
                   f"({', '.join(PAYMENT_CHANNELS)}) has fallback steps")
        channels[ch] = ChannelProcess(ch, steps, c.source(cp, pid, where), reason_step, reason, fallback)

    timelines_raw = p.get("timelines", {})
    if not isinstance(timelines_raw, dict):
        c.fail(pid, "timelines", "must be an object keyed by payment method")
    timelines = {}
    for method, t in timelines_raw.items():
        if method not in PAYMENT_METHODS:
            c.fail(pid, f"timelines.{method}", f"is not a payment method; methods: {', '.join(PAYMENT_METHODS)}")
        timelines[method] = c.timeline(t, pid, f"timelines.{method}")
    fallback = p.get("timeline_fallback")
    note = p.get("timeline_note")

    window = p.get("filing_window")
    if window is not None:
        days = window.get("days") if isinstance(window, dict) else None
        if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
            c.fail(pid, "filing_window.days", "must be a whole number of days > 0")
        if window.get("unit", "calendar_days") != "calendar_days":
            c.fail(pid, "filing_window.unit", "must be 'calendar_days'")
        if window.get("anchor") not in ("job_date", "charge_date"):
            c.fail(pid, "filing_window.anchor", "must be 'job_date' or 'charge_date'")
        window = FilingWindow(days, window["anchor"], c.source(window, pid, "filing_window"))

    documents = []
    for i, d in enumerate(p.get("documents", [])):
        where = f"documents[{i}]"
        prefill = d.get("prefill") if isinstance(d, dict) else None
        if prefill is not None and prefill not in PREFILLS:
            c.fail(pid, f"{where}.prefill", f"must be null or one of {', '.join(PREFILLS)}")
        documents.append(DocumentItem(c.text(d, "name", pid, f"{where}.name"),
                                      c.text(d, "detail", pid, f"{where}.detail"), prefill,
                                      c.source(d, pid, where)))

    caveats = []
    for i, cv in enumerate(p.get("caveats", [])):
        where = f"caveats[{i}]"
        caveats.append(Caveat(c.text(cv, "text", pid, f"{where}.text"),
                              c.strings(cv, "flag_types", pid, f"{where}.flag_types", FLAG_TYPES),
                              c.source(cv, pid, where)))

    eligible = c.situations(p.get("eligible_situations", []), pid, "eligible_situations")
    ineligible = c.situations(p.get("ineligible_situations", []), pid, "ineligible_situations")
    for i, s in enumerate(ineligible):
        unknown = sorted(set(s.overridden_by) - {e.id for e in eligible})
        if unknown:
            c.fail(pid, f"ineligible_situations[{i}].overridden_by", f"names unknown situation(s) {unknown}")
    common = {
        "id": pid, "kind": kind, "generic": generic, "channels": channels, "timelines": timelines,
        "timeline_fallback": c.timeline(fallback, pid, "timeline_fallback") if fallback is not None else None,
        "timeline_note": (c.text(note, "text", pid, "timeline_note.text"), c.source(note, pid, "timeline_note"))
        if note is not None else None,
        "filing_window": window,
        "eligible_situations": eligible,
        "ineligible_situations": ineligible,
        "caveats": tuple(caveats), "documents": tuple(documents),
        "email": c.email(p["email"], pid, "email") if p.get("email") is not None else None,
        "statuses": c.statuses(p.get("statuses", {}), pid, "statuses"),
    }
    if kind == "vendor":
        if p.get("seed") is None and p.get("page") is not None:
            page = c.page(p["page"], pid, "page")
            bad = [where for where, src in _sources(p) if isinstance(src, dict) and "seed" in src]
            if bad:
                c.fail(pid, f"{bad[0]}.source", "quotes a seed, but the process has none (it names a page)")
            return RefundProcess(**common, vendor=c.text(p, "vendor", pid),
                                 aliases=c.strings(p, "aliases", pid, "aliases"), page=page)
        return RefundProcess(**common, vendor=c.text(p, "vendor", pid),
                             aliases=c.strings(p, "aliases", pid, "aliases"), seed=c.text(p, "seed", pid))
    channel = p.get("channel")
    if channel not in CHANNELS:
        c.fail(pid, "channel", f"must be one of {', '.join(CHANNELS)}")
    if channel not in channels:
        c.fail(pid, f"channels.{channel}", "a channel process must give the steps of its own channel")
    return RefundProcess(**common, channel=channel, title=c.text(p, "title", pid))


def _sources(obj, path: str = ""):
    """(where, source) of every fact in a raw process entry."""
    if isinstance(obj, dict):
        if "source" in obj:
            yield path or "(entry)", obj["source"]
        for k, v in obj.items():
            yield from _sources(v, f"{path}.{k}" if path else k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _sources(v, f"{path}[{i}]")


def parse_refund_processes(data, path: str | os.PathLike = DEFAULT_PATH) -> dict[str, RefundProcess]:
    """Validate already-decoded knowledge-base data; ``path`` only names it in errors."""
    c = _Checker(Path(path))
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        c.fail("(file)", "schema_version", "must be 1")
    generic = _parse_generic(c, data.get("generic"))
    raw = data.get("processes")
    if not isinstance(raw, list) or not raw:
        c.fail("(file)", "processes", "must be a non-empty list")
    out: dict[str, RefundProcess] = {}
    names: dict[str, str] = {}
    for i, p in enumerate(raw):
        proc = _parse_process(c, p, i, generic)
        if proc.id in out:
            c.fail(proc.id, "id", "is used by two entries")
        for n in (proc.vendor, *proc.aliases) if proc.kind == "vendor" else ():
            key = normalise_name(n)
            if key in names and names[key] != proc.id:
                c.fail(proc.id, "vendor", f"name {n!r} is also claimed by '{names[key]}'")
            names[key] = proc.id
        out[proc.id] = proc
    covered = {p.channel for p in out.values() if p.kind == "channel"}
    missing = [ch for ch in CHANNELS if ch not in covered]
    if missing:
        c.fail("(file)", "processes", f"lacks a generic process for channel(s) {', '.join(missing)}")
    return out


def normalise_name(name: str | None) -> str:
    """Case-, space- and punctuation-insensitive key: 'PRO Back Office' -> 'probackoffice'."""
    return re.sub(r"[^0-9a-z]+", "", (name or "").casefold())


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float | None) -> dict[str, RefundProcess]:
    try:
        if mtime is None:  # the packaged file, read as a package resource (also inside a wheel)
            data = json.loads(resources.files("detector.catalog").joinpath(DEFAULT_PATH.name).read_text("utf-8"))
        else:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
    except OSError as exc:
        raise CatalogError(f"cannot read refund processes {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{Path(path).name}: line {exc.lineno}: invalid JSON: {exc.msg}") from exc
    return parse_refund_processes(data, path)


def load_refund_processes(path: str | os.PathLike | None = None) -> dict[str, RefundProcess]:
    """Every refund process by id, validated. ``path`` defaults to the packaged knowledge base."""
    p = Path(path) if path is not None else DEFAULT_PATH
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        if path is None:  # inside a zip or wheel (Spark's --py-files): it does not change
            return dict(_load_cached(str(p), None))
        raise CatalogError(f"cannot read refund processes {p}: {exc}") from exc
    return dict(_load_cached(str(p), mtime))


def channel_process(processes: dict[str, RefundProcess], channel: str) -> RefundProcess:
    """The generic process of a billing channel."""
    for proc in processes.values():
        if proc.kind == "channel" and proc.channel == channel:
            return proc
    raise CatalogError(f"no generic refund process for channel {channel!r}")
