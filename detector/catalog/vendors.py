"""The vendor catalogue: real subscription vendors, kept as data in ``vendors.toml``.

The loader validates every entry and raises :class:`~detector.errors.CatalogError` naming the
entry and the field, so a bad user catalogue fails loudly instead of silently matching nothing.
A user catalogue (``--catalog FILE`` / env ``SUBDETECT_VENDORS``) has the same layout; its
entries replace packaged vendors of the same name (case-insensitive) or add new ones, and
``disabled = true`` removes a packaged vendor.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
import tomllib

from ..errors import CatalogError
from ..schema import FREQUENCIES

#: Billing channels: who actually takes the money. Aggregators are channels, not vendors.
CHANNELS = ("direct", "apple", "google_play", "amazon", "paypal", "roku")

CATEGORIES = (
    "streaming", "music", "software", "news", "fitness", "food", "cloud_storage", "vpn",
    "dating", "gaming", "telecom", "utilities", "insurance", "membership", "education",
    "health", "finance", "loans", "bnpl", "rent", "shopping", "security", "productivity", "charity", "other",
)

ENV_VAR = "SUBDETECT_VENDORS"
_FIELDS = {
    "name", "aliases", "patterns", "category", "cadence", "channels", "refund_process", "url",
    "disabled", "one_offs", "billing", "seat_prices", "refund_window", "sellers",
}
#: How a vendor's bill is priced (``billing``): ``plan``, a set price per cycle (the default);
#: ``usage``, a bill that moves with what was used (cloud computing, APIs, monitoring billed per host
#: or per message), whose dearer months are use, not a new price; ``per_seat``, a set price per user,
#: so the bill moves with the seat count (Slack, Google Workspace, Microsoft 365 for business).
BILLING = ("plan", "usage", "per_seat")


@dataclass(frozen=True)
class RefundWindow:
    """How long after a charge the vendor's published policy refunds a plan's renewal
    (``refund_window`` in the catalogue; docs/refunds.md, "A vendor's refund window").

    ``days`` counts calendar days from the charge of a renewal (0: renewals are not refunded);
    ``first_days`` the same for the first paid charge after a trial or an introductory price
    (default ``days``); ``says`` is the policy in our words and ``page`` the vendor's page it is from.
    """

    days: int
    page: str
    says: str
    first_days: int | None = None

    def days_for(self, flag_type: str) -> int:
        """The window of this flag type's charge: the first paid charge's, or a renewal's."""
        return self.first_days if flag_type == "trial_conversion" and self.first_days is not None else self.days


@dataclass(frozen=True)
class Vendor:
    """One subscription vendor.

    ``aliases`` are descriptor forms ("NETFLIX.COM", "HLU*HULU"); they are normalised like
    descriptors before matching. An alias written ``=WORD`` only matches a merchant key equal to
    it (for vendors named by a common word, e.g. ``=CALM``), never as the start of a longer one.
    ``patterns`` are regular expressions tried (case-insensitive) against the merchant key.
    """

    name: str
    category: str
    cadence: tuple[str, ...]
    channels: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    refund_process: str | None = None
    url: str | None = None
    #: It also sells one-off items at plan-like prices under the plan's descriptor (Udemy's
    #: courses, Audible's titles, Prime Video's rentals): two charges of one price there are no
    #: sign of a plan, nor of a plan billed twice.
    one_offs: bool = False
    #: A platform whose descriptor names the seller after its own name (``SUBSTACK *PLATFORMER``):
    #: each seller is a merchant of its own, shown "Substack · Platformer", the vendor still the
    #: platform's (round-48 audit: two newsletters were one "Substack").
    sellers: bool = False
    #: How the bill is priced, one of :data:`BILLING`.
    billing: str = "plan"
    #: Prices per user a month, in US dollars, of the plans and add-ons one bill of a per-seat
    #: vendor may combine (GitHub Team 4.00 beside Copilot Business 19.00; Gusto's 12.00 a person
    #: on top of its base fee): a rise by whole users at one of them is users added.
    seat_prices: tuple[float, ...] = ()
    #: The vendor's published refund window, when known (:class:`RefundWindow`).
    refund_window: RefundWindow | None = None

    def to_dict(self) -> dict:
        """The vendor as plain data (lists, ``None`` for missing fields)."""
        return {
            "name": self.name, "category": self.category, "cadence": list(self.cadence),
            "channels": list(self.channels), "aliases": list(self.aliases), "patterns": list(self.patterns),
            "refund_process": self.refund_process, "url": self.url, "one_offs": self.one_offs, "sellers": self.sellers,
            "billing": self.billing,
            "seat_prices": list(self.seat_prices),
            "refund_window": None if self.refund_window is None else {
                k: v for k, v in vars(self.refund_window).items() if v is not None},
            "key": self.key,
        }

    @property
    def key(self) -> str:
        """A stable slug of the name, used as merchant key for every descriptor of the vendor."""
        return vendor_key(self.name)


def vendor_key(name: str) -> str:
    """``"Disney+"`` -> ``"disney-plus"``: lower-case words joined by hyphens."""
    s = name.lower().replace("+", " plus").replace("&", " and ")
    s = re.sub(r"['’.]", "", s)
    return "-".join(re.findall(r"[a-z0-9]+", s))


@dataclass
class Catalog:
    """The loaded catalogue: vendors by name, and where they came from."""

    vendors: list[Vendor] = field(default_factory=list)
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.vendors)

    def __iter__(self):
        return iter(self.vendors)

    def get(self, name: str) -> Vendor:
        """The vendor called ``name`` (case-insensitive); :class:`NotFound` otherwise."""
        from ..errors import NotFound

        want = name.strip().lower()
        for v in self.vendors:
            if v.name.lower() == want or v.key == vendor_key(name):
                return v
        raise NotFound(f"no vendor named {name!r} in the catalogue")

    def names(self) -> list[str]:
        """Vendor names in catalogue order."""
        return [v.name for v in self.vendors]

    def to_frame(self, category: str | None = None, channel: str | None = None) -> pd.DataFrame:
        """One row per vendor (lists joined with ``, ``), optionally one category or channel only."""
        rows = [
            {
                "name": v.name, "category": v.category, "cadence": ", ".join(v.cadence),
                "channels": ", ".join(v.channels), "aliases": len(v.aliases),
                "refund_process": v.refund_process, "url": v.url,
            }
            for v in self.vendors
            if (category is None or v.category == category) and (channel is None or channel in v.channels)
        ]
        cols = ["name", "category", "cadence", "channels", "aliases", "refund_process", "url"]
        return pd.DataFrame(rows, columns=cols)


def _where(source: str, index: int, entry: dict) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"{source}: vendor #{index + 1}" + (f" ({name!r})" if name else "")


def _str_list(value, where: str, fld: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogError(f"{where}: field {fld!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_vendor(entry, source: str, index: int) -> Vendor | None:
    """Validate one raw catalogue entry; ``None`` when it is a ``disabled`` override."""
    where = _where(source, index, entry)
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: entry must be a table")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogError(f"{where}: field 'name' is required and must be a non-empty string")
    if entry.get("disabled") is True:
        return None
    category = entry.get("category")
    if category not in CATEGORIES:
        raise CatalogError(f"{where}: field 'category' is {category!r}, expected one of {', '.join(CATEGORIES)}")
    cadence = _str_list(entry.get("cadence"), where, "cadence")
    if not cadence or any(c not in FREQUENCIES for c in cadence):
        raise CatalogError(f"{where}: field 'cadence' must list one or more of {', '.join(FREQUENCIES)}")
    channels = _str_list(entry.get("channels", ["direct"]), where, "channels")
    if not channels or any(c not in CHANNELS for c in channels):
        raise CatalogError(f"{where}: field 'channels' must list one or more of {', '.join(CHANNELS)}")
    aliases = _str_list(entry.get("aliases"), where, "aliases")
    patterns = _str_list(entry.get("patterns"), where, "patterns")
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise CatalogError(f"{where}: field 'patterns': bad regular expression {p!r}: {exc}") from None
    refund = entry.get("refund_process")
    if refund is not None and (not isinstance(refund, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", refund)):
        raise CatalogError(f"{where}: field 'refund_process' must be a process id like 'pro360'")
    url = entry.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("https://", "http://"))):
        raise CatalogError(f"{where}: field 'url' must be an http(s) URL")
    one_offs = entry.get("one_offs", False)
    if not isinstance(one_offs, bool):
        raise CatalogError(f"{where}: field 'one_offs' must be true or false")
    sellers = entry.get("sellers", False)
    if not isinstance(sellers, bool):
        raise CatalogError(f"{where}: field 'sellers' must be true or false")
    billing = entry.get("billing", "plan")
    if billing not in BILLING:
        raise CatalogError(f"{where}: field 'billing' is {billing!r}, expected one of {', '.join(BILLING)}")
    seat_prices = entry.get("seat_prices", [])
    if (not isinstance(seat_prices, list)
            or not all(isinstance(p, (int, float)) and not isinstance(p, bool) and p > 0 for p in seat_prices)):
        raise CatalogError(f"{where}: field 'seat_prices' must be a list of positive prices (4.00, 19.00)")
    if seat_prices and billing != "per_seat":
        raise CatalogError(f"{where}: field 'seat_prices' needs billing = \"per_seat\"")
    return Vendor(
        name=name.strip(), category=category, cadence=cadence, channels=channels,
        aliases=aliases, patterns=patterns, refund_process=refund, url=url, one_offs=one_offs,
        sellers=sellers, billing=billing, seat_prices=tuple(round(float(p), 2) for p in seat_prices),
        refund_window=_refund_window(entry.get("refund_window"), where),
    )


def _refund_window(value, where: str) -> RefundWindow | None:
    if value is None:
        return None
    fld = "field 'refund_window'"
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: {fld} must be a table: {{ days = 14, page = \"https://...\", says = \"...\" }}")
    unknown = set(value) - {"days", "first_days", "page", "says"}
    if unknown:
        raise CatalogError(f"{where}: {fld} has unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("days", "first_days"):
        n = value.get(key)
        if (n is not None or key == "days") and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise CatalogError(f"{where}: {fld}: '{key}' must be a whole number of calendar days >= 0")
    page, says = value.get("page"), value.get("says")
    if not isinstance(page, str) or not page.startswith("https://"):
        raise CatalogError(f"{where}: {fld}: 'page' must be the https address of the vendor's refund policy")
    if not isinstance(says, str) or not says.strip():
        raise CatalogError(f"{where}: {fld}: 'says' must tell the policy in a sentence")
    return RefundWindow(days=value["days"], page=page, says=says.strip(), first_days=value.get("first_days"))


def _read_bytes(path) -> bytes:
    try:
        if isinstance(path, (Path, str)):
            return Path(path).read_bytes()
        return path.read_bytes()  # importlib.resources Traversable
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read vendor catalogue: {exc}") from None


def _read_toml(path, data: bytes | None = None) -> tuple[list, str]:
    source = str(path)
    try:
        text = (data if data is not None else _read_bytes(path)).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{source}: not UTF-8 text: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{source}: not valid TOML: {exc}") from None
    entries = data.get("vendor", [])
    if not isinstance(entries, list):
        raise CatalogError(f"{source}: 'vendor' must be an array of tables ([[vendor]])")
    return entries, source


def _parse_file(path) -> tuple[list[Vendor], set[str], str]:
    """The file's vendors, disabled keys and name. Parsed once per process while its content is
    the same (read and hashed each time, which costs a millisecond: an edit that keeps the size
    and the modification time is seen too): a scan asks for the catalogue from several stages,
    and each parse of the packaged 500 vendors cost about 0.03 s."""
    data = _read_bytes(path)
    key = (str(path), hashlib.sha1(data).hexdigest())
    if key not in _PARSED:
        vendors, disabled, source = _parse_uncached(path, data)
        _PARSED[key] = (tuple(vendors), frozenset(disabled), source)
    vendors, disabled, source = _PARSED[key]
    return list(vendors), set(disabled), source


#: Parsed catalogue files by (name, SHA-1 of the content).
_PARSED: dict = {}


def _parse_uncached(path, data: bytes | None = None) -> tuple[list[Vendor], set[str], str]:
    entries, source = _read_toml(path, data)
    vendors: list[Vendor] = []
    disabled: set[str] = set()
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        v = parse_vendor(entry, source, i)
        if v is None:
            disabled.add(vendor_key(entry["name"]))
            continue
        if v.key in seen:
            raise CatalogError(f"{_where(source, i, entry)}: field 'name' duplicates vendor #{seen[v.key] + 1}")
        seen[v.key] = i
        vendors.append(v)
    return vendors, disabled, source


def default_catalog_path():
    """The packaged ``vendors.toml``."""
    return resources.files("detector.catalog").joinpath("vendors.toml")


def load_vendors(path=None, user_path=None) -> Catalog:
    """Load and validate the vendor catalogue.

    ``path`` replaces the packaged catalogue; ``user_path`` (default: env ``SUBDETECT_VENDORS``)
    overrides or adds entries on top of it.

    >>> cat = load_vendors()
    >>> cat.get("Netflix").category
    'streaming'
    """
    base, _, src = _parse_file(path if path is not None else default_catalog_path())
    sources = [src]
    if user_path is None:
        user_path = os.environ.get(ENV_VAR) or None
    if user_path is not None:
        extra, disabled, usrc = _parse_file(Path(user_path))
        sources.append(usrc)
        replace = {v.key: v for v in extra}
        merged = [replace.pop(v.key, v) for v in base if v.key not in disabled]
        merged.extend(v for v in extra if v.key in replace)
        base = merged
    return Catalog(vendors=base, sources=tuple(sources))


#: Catalogue categories of plans billed one fixed price per cycle. Not loans, utilities or telecom
#: (two payments of one amount can both be due), food (a second meal-kit box), shopping,
#: finance (cash-advance fees and repayments) or health (sessions).
FIXED_PLAN_CATEGORIES = frozenset({"software", "streaming", "fitness", "membership", "news", "security",
                                   "education", "dating", "gaming", "music", "vpn", "cloud_storage",
                                   "productivity"})
#: ... less the categories whose vendors sell one-off items at plan-like prices under the plan's
#: descriptor (a game store: Steam, PlayStation Network, Nintendo eShop), where two charges or one
#: are no sign of a plan (round-three audit: two 69.99 games were an "early" PlayStation Plus).
PLAN_ONLY_CATEGORIES = FIXED_PLAN_CATEGORIES - {"gaming"}


@lru_cache(maxsize=1)
def plan_only_vendors() -> frozenset:
    """Vendors of :data:`PLAN_ONLY_CATEGORIES` that sell nothing but their plans under the
    plan's descriptor (not the ``one_offs`` ones: Udemy's courses at one price were double
    charges of a plan)."""
    return frozenset(v.name for v in load_vendors() if v.category in PLAN_ONLY_CATEGORIES and not v.one_offs)


@lru_cache(maxsize=1)
def yearly_plan_vendors() -> frozenset:
    """Vendors selling nothing but plans under the plan's descriptor (:func:`plan_only_vendors`)
    that bill some of them yearly."""
    plans = plan_only_vendors()
    return frozenset(v.name for v in load_vendors() if v.name in plans and "annual" in v.cadence)


#: Catalogue categories whose bills vary with use (a meter, a phone line's extras): metered, whatever
#: their entries' ``billing`` says.
METERED_CATEGORIES = frozenset({"utilities", "telecom"})


@lru_cache(maxsize=1)
def usage_billed_vendors() -> frozenset:
    """Vendors whose bill moves with use (``billing = "usage"``: AWS, Azure, Datadog, Twilio, the
    OpenAI API): a dearer month is more use, not a new price."""
    return frozenset(v.name for v in load_vendors() if v.billing == "usage")


@lru_cache(maxsize=1)
def metered_vendors() -> frozenset:
    """Vendors with no one price to hold a bill to: the usage-billed ones
    (:func:`usage_billed_vendors`) and those of :data:`METERED_CATEGORIES` (utilities, telecom)."""
    return frozenset(v.name for v in load_vendors() if v.billing == "usage" or v.category in METERED_CATEGORIES)


@lru_cache(maxsize=1)
def per_seat_vendors() -> frozenset:
    """Vendors billing a set price per user (``billing = "per_seat"``): their bill moves with the
    seat count."""
    return frozenset(v.name for v in load_vendors() if v.billing == "per_seat")


@lru_cache(maxsize=1)
def seat_prices() -> dict:
    """Per-seat vendors' prices per user a month (``seat_prices``, US dollars) by vendor name."""
    return {v.name: v.seat_prices for v in load_vendors() if v.billing == "per_seat" and v.seat_prices}


@lru_cache(maxsize=1)
def refund_windows() -> dict:
    """``{vendor name: RefundWindow}`` of the vendors whose refund window is known."""
    return {v.name: v.refund_window for v in load_vendors() if v.refund_window is not None}


#: Catalogue categories whose charges are premiums for cover in force: a renewal is not refunded
#: as such; cancelling returns the unused premium pro rata (docs/refunds.md, "Insurance premiums").
PREMIUM_CATEGORIES = frozenset({"insurance"})


@lru_cache(maxsize=8)
def vendors_in(categories: frozenset) -> frozenset:
    """Names of the catalogue's vendors in these categories (the catalogue as loaded by default,
    user entries included).

    >>> "Klarna" in vendors_in(frozenset({"bnpl"}))
    True
    """
    return frozenset(v.name for v in load_vendors() if v.category in categories)
