"""Which of an account's streams a cancellation names: people type brands, not descriptors.

"netflix", "Norton 360", "WeightWatchers" or "iCloud" are matched with rapidfuzz to the
account's stream names and vendors, through the vendor catalogue's other names, through the app
store that bills a vendor, or by the kind of payment named ("rent", "gym"). Used by
:mod:`detector.decisions`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils

#: rapidfuzz WRatio score (0-100) a stream's merchant or vendor must reach to match a cancellation.
MATCH_CUTOFF = 85.0


def _norm(name) -> str:
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    return " ".join(str(name).lower().replace(".com", " ").split())


def match_streams(merchant: str, streams: pd.DataFrame, *, cutoff: float = MATCH_CUTOFF) -> pd.DataFrame:
    """The rows of ``streams`` whose merchant or vendor best matches ``merchant`` (ties kept).

    Every stream of the best-matching name is returned: one subscription can span several
    streams when its price changed.
    """
    if streams is None or streams.empty:
        return streams.iloc[0:0] if streams is not None else pd.DataFrame()
    names = streams["merchant"].map(_norm)
    vendors = streams["vendor"].map(_norm) if "vendor" in streams else names
    query = _norm(merchant)
    by_name = _name_scores(query, names.tolist())
    by_vendor = _name_scores(query, vendors.tolist())
    score = pd.Series(by_name, index=streams.index).combine(pd.Series(by_vendor, index=streams.index), max)
    if score.empty or score.max() < cutoff:
        found = _store_billed(query, streams, cutoff)
        return found if len(found) else _by_brand_or_kind(query, streams)
    best = streams[score >= score.max() - 1e-9]
    # A name that matches only in part ("Apple TV+" ~ "Apple", "FanClub creator 2" ~ "FanClub")
    # may be another plan billed under the same name: weak evidence (see _stopped). So is a name
    # that differs in a number ("FanClub creator 1" is not "FanClub creator 2").
    full = process.cdist([query], best["merchant"].map(_norm).tolist(), scorer=fuzz.ratio,
                         processor=utils.default_process)[0]
    full = np.where(_numbers_differ(query, best["merchant"]), 0.0, full)
    if "vendor" in best:
        by_v = process.cdist([query], best["vendor"].map(_norm).tolist(), scorer=fuzz.ratio,
                             processor=utils.default_process)[0]
        full = np.maximum(full, np.where(_numbers_differ(query, best["vendor"]), 0.0, by_v))
    if (full < cutoff).all():
        # A name that is part of several plans' names ("YouTube": YouTube Premium and YouTube
        # TV) names none of them over the others, whatever the catalogue makes of it alone:
        # taking the best-scoring one cancelled the TV plan the person kept (round-four audit).
        brand = _holds_words(query, streams)
        if streams.loc[brand, "merchant"].map(_norm).nunique() > 1:
            return streams[brand].assign(via_store=True)
        # Unless the catalogue knows the name typed as this very vendor: "Adobe" is Adobe
        # Creative Cloud, "Norton 360" is Norton, "proton" is ProtonVPN. Then it is the plan.
        vendor = catalog_vendor(query, cutoff)
        named = pd.Series(False, index=best.index)
        if vendor is not None:
            own = _norm(vendor.name)
            named = best["merchant"].map(_norm).eq(own)
            if "vendor" in best:
                named |= best["vendor"].map(_norm).eq(own)
        best = best.assign(via_store=~named)
    return best


def _holds_words(query: str, streams: pd.DataFrame) -> pd.Series:
    """Streams whose merchant or vendor name has every distinctive word of ``query``."""
    words = {w for w in _norm(query).split() if w not in GENERIC_WORDS}
    if not words:
        return pd.Series(False, index=streams.index)
    held = streams["merchant"].map(lambda n: words <= set(_norm(n).split()))
    if "vendor" in streams:
        held |= streams["vendor"].map(lambda n: isinstance(n, str) and words <= set(_norm(n).split()))
    return held


def _name_scores(query: str, names: list[str]) -> np.ndarray:
    """How well ``query`` matches each name: WRatio, or the plain ratio of the two without
    punctuation when that is higher ("Disny" is one letter from "Disney+", not two). Only the
    whole-string ratio is taken without punctuation: WRatio's token matching would then pair
    "rent to own" with "online transfer to sav" on the word "to"."""
    return np.maximum(process.cdist([query], names, scorer=fuzz.WRatio)[0],
                      process.cdist([query], names, scorer=fuzz.ratio, processor=utils.default_process)[0])


#: Words that say what kind of thing a payment is, in any vendor's name ("Disney Plus
#: Subscription", "Prime Membership", "Calm App"): no evidence of which vendor is meant.
GENERIC_WORDS = frozenset({
    "subscription", "subscriptions", "membership", "member", "plan", "app", "apps", "fee", "fees",
    "monthly", "annual", "yearly", "service", "services", "account", "bill", "billing", "payment",
    "renewal", "auto", "my", "the",
})


def catalog_vendor(query: str, cutoff: float = MATCH_CUTOFF):
    """The catalogue vendor one of whose names best matches ``query`` (WRatio), or ``None``.

    Only the query's distinctive words count: "App subscription" names no vendor (it would match
    "Disney Plus Subscription"), "Ride membership" is not "Prime Membership".
    """
    query = _norm(query)
    names, vendors = _catalog_names()
    best = process.extractOne(query, names, scorer=fuzz.WRatio, score_cutoff=cutoff)
    if best is None:
        return None
    words = [w for w in query.split() if re.sub(r"[^a-z0-9+]", "", w) not in GENERIC_WORDS]
    # With generic words in the query, the name matched must match on the distinctive ones too.
    generic = len(words) < len(query.split())
    if generic and (not words or fuzz.WRatio(" ".join(words), best[0]) < cutoff):
        return None
    return vendors[best[2]]



def _numbers(name) -> frozenset:
    return frozenset(re.findall(r"\d+", _norm(name)))


def _numbers_differ(query: str, names: pd.Series) -> np.ndarray:
    """Both names carry numbers and they differ: plan 1 is not plan 2, account ...1531 not ...6523."""
    q = _numbers(query)
    if not q:
        return np.zeros(len(names), dtype=bool)
    return np.array([bool(n) and n != q for n in names.map(_numbers)], dtype=bool)


#: Words people use for a kind of payment rather than a payee ("rent", "savings transfer",
#: "finance app fee"): the catalogue categories they mean, and words that payees of that kind
#: carry in their names. Knowledge of how such payments are named, not of any one payee.
#: A loan's repayments are billed under the lender's name, which often says what it is: also
#: "finance" or "financial", the consumer instalment lenders' usual name (Mariner Finance,
#: Regional Finance, World Finance, OneMain Financial, Lendmark Financial).
LOAN_WORDS = ("loan", "loans", "lending", "lender", "installment", "instalment", "finance", "financial")
PAYMENT_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rent": ((), ("rent", "rental", "apts", "apt", "apartment", "apartments", "property", "properties",
                  "realty", "leasing", "landlord", "residential", "housing", "mgmt", "management")),
    "transfer": ((), ("transfer", "xfer", "savings", "sav")),
    "savings": ((), ("transfer", "xfer", "savings", "sav")),
    "finance": (("finance",), ()),
    "gym": (("fitness",), ("gym", "fitness")),
    "fitness": (("fitness",), ("gym", "fitness")),
    "insurance": (("insurance",), ("insurance", "ins", "insur")),
    "phone": (("telecom",), ("wireless", "mobile")),
    "vpn": (("vpn",), ("vpn",)),
    "dating": (("dating",), ()),
    "news": (("news",), ("news", "times", "journal", "post")),
    "loan": (("loans",), LOAN_WORDS),
    "loans": (("loans",), LOAN_WORDS),
    "instalment": (("loans",), LOAN_WORDS),
    "installment": (("loans",), LOAN_WORDS),
    # Rent-to-own stores bill as a lease ("... LEASE", "...LEASE *PAYMENT").
    "rent-to-own": ((), ("lease", "leasing", "rental")),
    "lease": ((), ("lease", "leasing")),
    "pest": ((), ("pest", "exterminator", "exterminating", "termite")),
    "domain": ((), ("domain", "domains", "registrar")),
    "domains": ((), ("domain", "domains", "registrar")),
    # A delivery membership is billed by the delivery company under its own name.
    "delivery": ((), ("delivery", "doordash", "dashpass", "grubhub", "instacart", "postmates", "ubereats",
                      "gopuff")),
    # A ride membership (Uber One, Lyft Pink) is billed by the ride company under its own name.
    "ride": ((), ("uber", "lyft")),
    "rides": ((), ("uber", "lyft")),
    "rideshare": ((), ("uber", "lyft")),
}
#: Kind words this long also match inside a payee's one-word name ("EZLEASE", "DOORDASH*...").
KIND_IN_WORD = 5


#: "App subscription", "in-app purchase": a plan bought in an app is billed by the app store.
APP_WORDS = frozenset({"app", "apps", "in-app", "itunes"})
APP_STORE_CHANNELS = ("apple", "google_play")


def _by_brand_or_kind(query: str, streams: pd.DataFrame) -> pd.DataFrame:
    """Weak matches when no name matches (see _stopped: the plan must have stopped).

    The first word of a brand ("Microsoft 365" ~ "Microsoft Store", "FanClub creator 1" ~
    "Fanclub Membership") names the company, not the plan. A kind of payment ("Rent",
    "Savings transfer", "Finance app fee") names no payee: it matches streams of vendors in
    the catalogue category it means, or payees whose names carry that kind's words.
    """
    words = query.split()
    if not words:
        return streams.iloc[0:0]
    names = streams["merchant"].map(_norm)
    vendors = streams["vendor"].map(_norm) if "vendor" in streams else names
    tokens = [set(re.findall(r"[a-z0-9]+", f"{n} {v}")) for n, v in zip(names, vendors)]
    first = re.sub(r"[^a-z0-9]", "", words[0])
    hit = np.zeros(len(streams), dtype=bool)
    if len(first) >= 4:
        hit = np.array([bool(re.match(re.escape(first) + r"\b", n) or re.match(re.escape(first) + r"\b", v))
                        for n, v in zip(names, vendors)], dtype=bool)
    if not hit.any():
        cats, kind_words = set(), set()
        for w in words + [x for x in re.split(r"[^a-z0-9]+", query) if x]:
            c, k = PAYMENT_KINDS.get(w, ((), ()))
            cats.update(c)
            kind_words.update(k)
        if cats or kind_words:
            category = vendors.map(_vendor_category_map())
            long_words = [k for k in kind_words if len(k) >= KIND_IN_WORD]
            hit = np.array([bool(t & kind_words) or any(k in tok for tok in t for k in long_words)
                            for t in tokens], dtype=bool) | category.isin(cats).to_numpy()
        elif APP_WORDS & set(words) and "channel" in streams:
            # "App subscription": a plan bought in an app, billed by the app store under its
            # own name (a stream the catalogue names, Google One or Apple Music, is not "an app").
            unnamed = streams["vendor"].isna() if "vendor" in streams else pd.Series(True, index=streams.index)
            hit = (streams["channel"].isin(APP_STORE_CHANNELS) & unnamed).to_numpy()
    return streams[hit].assign(via_store=True)


@lru_cache(maxsize=1)
def _vendor_category_map() -> dict[str, str]:
    from .catalog import load_vendors

    return {_norm(v.name): v.category for v in load_vendors()}


@lru_cache(maxsize=1)
def _catalog_names() -> tuple[list[str], list]:
    from .catalog import load_vendors

    names, vendors = [], []
    for v in load_vendors():
        for n in (v.name, *v.aliases):
            names.append(_norm(n))
            vendors.append(v)
    return names, vendors


def _store_billed(query: str, streams: pd.DataFrame, cutoff: float) -> pd.DataFrame:
    """Streams of a catalogue vendor the user named by another of its names, or billed for it
    by an app store ("iCloud" -> "Apple").

    App-store charges often carry only the store's name, so a vendor sold only through stores
    matches the account's unidentified streams of those channels (weak evidence: ``via_store``).
    """
    if "channel" not in streams:
        return streams.iloc[0:0]
    vendor = catalog_vendor(query, cutoff)
    if vendor is None:
        return streams.iloc[0:0]
    # "NYTimes" is the catalogue's "The New York Times": match the streams named after it, or
    # after another of its names ("WeightWatchers" billed as "WW").
    own = {_norm(vendor.name)} | {_norm(a.lstrip("=")) for a in vendor.aliases}
    named = streams["vendor"].map(_norm).isin(own) | streams["merchant"].map(_norm).isin(own)
    if named.any():
        return streams[named]
    if not vendor.channels or "direct" in vendor.channels:
        return streams.iloc[0:0]
    unknown = streams["vendor"].isna() | (streams["vendor"].map(_norm) == _norm(vendor.name))
    return streams[streams["channel"].isin(vendor.channels) & unknown].assign(via_store=True)
