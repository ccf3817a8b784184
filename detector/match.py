"""Match normalised merchants to the vendor catalogue.

:class:`MerchantMatcher` is a scikit-learn style estimator: ``fit`` indexes the catalogue's
aliases (normalised exactly like descriptors), ``transform`` maps descriptors to merchant,
merchant key, vendor, channel and score. Matching runs over the distinct merchant keys of a
batch, in this order (first hit wins):

1. exact alias key (score 100), including ``=WORD`` aliases that only match exactly;
2. the key *starts with* an alias, word for word (``netflix com los gatos`` -> Netflix; 100);
3. a catalogue regular expression on the key (100);
4. fused words (``spotifyusai`` starts with ``spotify``; 95) for aliases of 6+ letters, when
   what follows in the word is what billing names fuse on (``twitchell`` is no Twitch);
5. a key cut short by the card network (``planet fitn`` -> Planet Fitness; 92);
6. rapidfuzz ``fuzz.ratio`` of the key's first words against aliases of as many words, with
   ``process.cdist`` and ``score_cutoff`` (typos such as ``netflx``).

Below the cut-off the merchant keeps its own key and readable display name.
"""

from __future__ import annotations

import bisect
import os
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from .catalog.vendors import ENV_VAR, Catalog, load_vendors
from .descriptor_words import BUSINESS_WORDS, CA_PROVINCES, LEGAL_SUFFIXES, US_STATES
from .errors import CatalogError
from .normalize import CHANNEL_NAMES, match_key, normalize_distinct
from .schema import ENRICHED_COLUMNS, require_columns

#: Keys that name a billing channel or a company selling many products, never one vendor: the
#: channels' own ("apple", "google play", ...) and plain "google" ("PAYPAL *GOOGLE ...", a Google
#: Play purchase paid with PayPal, was the vendor Google Fi, whose alias "GOOGLE FI" keyed so
#: until the round-thirty audit; Google bills many products).
_GENERIC_CHANNEL_KEYS = {key for key, _ in CHANNEL_NAMES.values()} | {"google"}
_BUSINESS = {w.lower() for w in BUSINESS_WORDS}
MATCH_COLUMNS = ("merchant", "merchant_key", "vendor", "channel", "match_score", "display_name",
                 "channel_hint")
_MAX_PREFIX_WORDS = 6
#: Top-level domains as match keys write them ("NYTIMES.COM" -> "nytimes com").
_TLD_WORDS = frozenset(["com", "net", "org", "io", "tv", "co", "app", "fm", "info"])
#: What a platform's line says of the payment, not of its seller: "PATREON* MEMBERSHIP",
#: "PATREON*MEMBER <creator>", "GOFUNDME DONATION" name no creator or campaign.
_PLATFORM_WORDS = frozenset(["membership", "memberships", "member", "donation", "donations", "donate",
                             "subscription", "subscriptions", "payment", "recurring", "pledge"])
_FUZZY_CHUNK = 4096
#: An alias's last word this short begins many other words ("gas", "water", "ng").
_SHORT_WORD = 5


def _names_a_business(key: str) -> bool:
    return any(w in _BUSINESS for w in key.split()[1:])


#: First words that say what kind of transaction a line is. The normaliser strips them before a
#: counterparty; a key still starting with one is nothing but bank words ("direct deposit") and
#: may match a vendor only exactly, word for word or by pattern, never by a fuzzy or fused read
#: ("direct" is one letter from "directv").
_TRANSACTION_WORDS = frozenset(
    ["direct", "dir", "deposit", "payroll", "salary", "zelle", "venmo", "transfer", "xfer", "autopay", "epayment", "ach"]
)


#: Endings that make a vendor's name into another English word; fused billing names
#: (``spotifyusai``, ``hulullc``) go on with anything but these.
_WORD_ENDINGS = frozenset(["s", "es", "ing", "ings", "ed", "er", "ers", "land", "lands", "ville", "ian", "ians", "ish", "ie", "ies",
                           "ation", "ations"])


#: What a billing name fuses onto a vendor's (``netflixcom``, ``spotifyusa``, ``netflixcomca``,
#: ``pelotonmembership``): a legal form, a web domain, a market, a billing or product word. A
#: one-word fused read needs its continuation to be made of these (:func:`_fused_tail`).
_FUSED_TAILS = tuple(sorted(
    {w.lower() for w in LEGAL_SUFFIXES}
    | {"com", "net", "org", "io", "tv", "app", "apps", "fm", "info", "biz", "www",
       "us", "usa", "uk", "gb", "ca", "au", "nz", "de", "fr", "nl", "eu", "intl", "international", "global",
       "europe", "emea",
       "bill", "billing", "pay", "payment", "payments", "pmt", "pymt", "membership", "member", "members", "mbr",
       "subscription", "subscr", "sub", "subs", "digital", "premium", "plus", "online", "help", "store", "service",
       "services", "svc", "svcs", "recurring", "renewal", "annual", "monthly", "family", "music", "video"},
    key=lambda w: (-len(w), w)))
assert not set(_FUSED_TAILS) & _WORD_ENDINGS  # an English ending makes another word, never a fused name
_STATES = frozenset(s.lower() for s in US_STATES | CA_PROVINCES)


@lru_cache(maxsize=1 << 12)
def _fused_tail(rest: str, after: bool = False) -> bool:
    """``rest``, what follows a vendor's alias inside one word, is a billing name's fused tail
    (:data:`_FUSED_TAILS` one after another, ``comau``, ``usainc``; the last one may be cut short
    by the card network, ``usai``, ``memb``; a state may end them, ``comca``) or starts with a
    number (a store number, ``peloton123``). Anything else makes the word another one: ``twitchell``
    is no Twitch, ``pelotonia`` (a charity ride) no Peloton (eighteenth session's known fault).
    ``after``: a tail came before ``rest``."""
    if not rest:
        return after
    if rest[0].isdigit():
        return True
    if any(rest.startswith(t) and _fused_tail(rest[len(t):], True) for t in _FUSED_TAILS):
        return True
    if (len(rest) >= 2 or after) and any(t.startswith(rest) for t in _FUSED_TAILS):
        return True
    return after and rest in _STATES


#: Legal forms a billing name fuses onto a one-word name (``HULULLC``, ``PLEXINC``) that end no
#: English word (not ``co``, ``ag``, ``sa``: ``disco``, ``visa``; ``company``: ``accompany``).
_FUSED_LEGAL_FORMS = ("incorporated", "corporation", "limited", "gmbh", "corp", "llc", "llp", "inc", "ltd", "plc")
assert all(f.upper() in LEGAL_SUFFIXES for f in _FUSED_LEGAL_FORMS)
#: A name left before a fused legal form has at least this many letters ("zinc" is no "z" Inc.).
_FUSED_LEGAL_STEM = 3


def _fused_legal_stem(key: str) -> str | None:
    """The name before a legal form fused onto a one-word key (``hulullc`` -> ``hulu``), or None."""
    if " " in key:
        return None
    for form in _FUSED_LEGAL_FORMS:
        if key.endswith(form) and len(key) - len(form) >= _FUSED_LEGAL_STEM:
            return key[:-len(form)]
    return None


def _starts_with_bank_word(key: str) -> bool:
    return key.split(" ", 1)[0] in _TRANSACTION_WORDS


def _extends(word: str, alias: str) -> bool:
    """One word is the other plus letters at the end ("discover"/"discovery", "direct"/"directv"):
    a different word, not a typo, so no fuzzy match."""
    return word != alias and (word.startswith(alias) or alias.startswith(word))


def _grown_into_another_word(word: str, alias_word: str) -> bool:
    """``word`` goes on from the last word of a several-word alias, a short one
    (:data:`_SHORT_WORD` letters or fewer), by three letters or more: another word ("washington
    gastroenterology" is no "washington gas", "anglian watersports" no "anglian water": round
    seventeen), not the alias fused with a code or a state ("msft msbill infowa" is Microsoft's
    "msbill info" in Washington). A long word grown is a fused one ("crunch fitnessmembership"
    is Crunch Fitness)."""
    return len(alias_word) <= _SHORT_WORD and word.startswith(alias_word) and len(word) - len(alias_word) >= 3


_VOWELS = frozenset("aeiouy")


def _drops_a_consonant(word: str, alias: str) -> bool:
    """``word`` is ``alias`` with letters left out, a consonant among them, and not at its end:
    another word ("energy" is no "entergy": round-seventeen known fault, "ENERGY FITNESS CLUB" was
    the utility). Billing names shorten a vendor's by its vowels ("netflx", "sptfy") or cut its
    end, which the prefix read takes."""
    if len(word) >= len(alias) or alias.startswith(word):
        return False
    it, dropped = iter(alias), []
    for ch in word:
        for a in it:
            if a == ch:
                break
            dropped.append(a)
        else:
            return False  # not a subsequence: letters changed, not left out
    return any(c.isalpha() and c not in _VOWELS for c in dropped)


def _compact(key: str) -> str:
    return key.replace(" ", "")


class MerchantMatcher(TransformerMixin, BaseEstimator):
    """Map raw bank descriptors to catalogue vendors.

    Parameters
    ----------
    score_cutoff : float
        Lowest rapidfuzz ``ratio`` (0-100) accepted for a fuzzy match.
    catalog : Catalog, path or None
        The vendor catalogue; ``None`` loads the packaged one (plus ``SUBDETECT_VENDORS``).
    user_catalog : path or None
        A user catalogue that overrides or adds vendors.

    >>> m = MerchantMatcher().fit()
    >>> m.transform(["PAYPAL *SPOTIFYUSAI 4029357733"])[["vendor", "channel"]].iloc[0].tolist()
    ['Spotify', 'paypal']
    """

    def __init__(self, score_cutoff: float = 92.0, catalog=None, user_catalog=None):
        self.score_cutoff = score_cutoff
        self.catalog = catalog
        self.user_catalog = user_catalog

    def fit(self, X=None, y=None):
        """Load the catalogue and index its aliases. ``X`` and ``y`` are ignored."""
        cat = self.catalog
        if not isinstance(cat, Catalog):
            cat = load_vendors(cat, user_path=self.user_catalog)
        self.catalog_ = cat
        self.vendors_ = list(cat.vendors)
        exact: dict[str, int] = {}
        prefix: dict[str, int] = {}
        owner: dict[str, str] = {}
        patterns = []
        for i, v in enumerate(self.vendors_):
            forms = [(v.name, True)] + [(a[1:], True) if a.startswith("=") else (a, False) for a in v.aliases]
            for text, exact_only in forms:
                key = match_key(text)
                if not key or key in _GENERIC_CHANNEL_KEYS or key.startswith("ref "):
                    continue
                if key in owner and owner[key] != v.name:
                    raise CatalogError(
                        f"vendor {v.name!r}: alias {text!r} normalises to {key!r}, already an alias of {owner[key]!r}"
                    )
                owner[key] = v.name
                exact[key] = i
                # "LEMONADE INC" -> "lemonade": a common word left over from a longer alias
                # must not claim every merchant starting with it. A name that keeps its hyphens
                # in the key ("1-800-contacts") is whole, not shrunk.
                shrunk = " " not in key and re.sub(r"[^a-z0-9]", "", text.lower()) != key.replace("-", "")
                if not exact_only and not shrunk:
                    prefix[key] = i
            for p in v.patterns:
                patterns.append((re.compile(p, re.IGNORECASE), i))
        self.exact_ = exact
        self.prefix_ = prefix
        # a platform's own keys, longest first, to find where its seller's name begins
        self.seller_keys_ = {i: sorted((k for k, j in prefix.items() if j == i), key=len, reverse=True)
                             for i, v in enumerate(self.vendors_) if v.sellers}
        self.patterns_ = patterns
        compact = {}
        for key, i in prefix.items():
            c = _compact(key)
            if len(c) >= 6:
                compact.setdefault(c, i)
        # PayPal and some networks fuse the legal name into one word (MEDIUMCORP, HULULLC): the
        # alias letters as written, suffix and all, when long enough to be specific.
        raw_words: dict[str, str] = {}
        for i, v in enumerate(self.vendors_):
            for a in v.aliases:
                if not a.startswith("="):
                    low = a.lower().replace("+", " plus")
                    c = re.sub(r"[^a-z0-9]", "", low)
                    if len(c) >= 8 and not c.isdigit():
                        compact.setdefault(c, i)
                        raw_words.setdefault(c, " ".join(re.findall(r"[a-z0-9]+", low)))
        self.compact_ = compact
        self.alias_words_ = {c: [w] for c, w in raw_words.items()}
        for key in prefix:
            self.alias_words_.setdefault(_compact(key), []).append(key)
        self.compact_lengths_ = sorted({len(c) for c in compact}, reverse=True)
        self.sorted_compact_ = sorted(compact)
        by_words: dict[int, tuple[list[str], list[int]]] = {}
        for key, i in prefix.items():
            if len(_compact(key)) >= 5:
                n = min(len(key.split()), _MAX_PREFIX_WORDS)
                by_words.setdefault(n, ([], []))
                by_words[n][0].append(key)
                by_words[n][1].append(i)
        self.fuzzy_ = by_words
        return self

    def _check_fitted(self):
        if not hasattr(self, "exact_"):
            raise NotFittedError("MerchantMatcher is not fitted yet; call fit() first")

    def match_keys(self, keys) -> pd.DataFrame:
        """Match distinct merchant keys: DataFrame indexed by key with ``vendor_index`` and ``score``."""
        self._check_fitted()
        keys = list(dict.fromkeys(keys))
        vidx = np.full(len(keys), -1, dtype=np.int64)
        score = np.full(len(keys), np.nan)
        pending = []
        for j, key in enumerate(keys):
            if key in _GENERIC_CHANNEL_KEYS or key.startswith("ref "):
                continue
            hit = self._match_exactish(key)
            if hit is not None:
                vidx[j], score[j] = hit
            elif not _names_a_business(key) and not _starts_with_bank_word(key):
                pending.append(j)
        if pending:
            self._match_fuzzy(keys, pending, vidx, score)
        return pd.DataFrame({"vendor_index": vidx, "score": score}, index=pd.Index(keys, name="merchant_key"))

    def _match_exactish(self, key: str):
        if key in self.exact_:
            return self.exact_[key], 100.0
        words = key.split()
        if _names_a_business(key):
            # "netflix burger bar": another business that shares the vendor's word. Only an
            # exact alias or a catalogue pattern may match it.
            return self._match_pattern(key)
        for n in range(min(len(words) - 1, _MAX_PREFIX_WORDS), 0, -1):
            head = " ".join(words[:n])
            if head in self.prefix_:
                return self.prefix_[head], 100.0
        hit = self._match_pattern(key)
        if hit is not None or _starts_with_bank_word(key):
            return hit
        if len(words) > 1 and len(words[0]) <= 3:
            # "SXM*SIRIUSXM.COM", "DNH*GODADDY.COM": a billing code before the name
            rest = " ".join(words[1:])
            hit = self.prefix_.get(rest)
            if hit is None:
                for n in range(min(len(words) - 2, _MAX_PREFIX_WORDS), 0, -1):
                    hit = self.prefix_.get(" ".join(words[1:1 + n]))
                    if hit is not None:
                        break
            owner = self.exact_.get(words[0])
            if hit is not None and (owner is None or owner == hit):
                # (unless the "code" is another vendor's own name: "EE & T-MOBILE" is EE, the UK
                # carrier, under its old collecting name, not T-Mobile US: round-thirty audit)
                return hit, 90.0
        for i in range(1, len(words)):
            # "NYT*NEWS 800-698-4637 NYTIMES.COM": the biller's own domain, an alias, after a code
            if words[i] in _TLD_WORDS and len(words[i - 1]) >= 4:
                hit = self.prefix_.get(f"{words[i - 1]} {words[i]}")
                if hit is not None:
                    return hit, 95.0
        stem = _fused_legal_stem(key)
        if stem is not None and stem in self.exact_:
            # "HULULLC": an alias with its legal form fused on is the alias, as "HULU LLC" (whose
            # key drops the form) is; the fused read below needs six letters ("hulu" has four)
            return self.exact_[stem], 95.0
        c = _compact(key)
        for L in self.compact_lengths_:
            if L <= len(c) and c[:L] in self.compact_:
                if len(words[0]) > L and (words[0][L:] in _WORD_ENDINGS or not _fused_tail(words[0][L:])):
                    # "notions", "peacocks", "disneyland": the alias grown into another word; so
                    # is one going on with anything but a billing name's tail ("twitchell")
                    continue
                if self._grows_last_word(words, c[:L]):
                    continue
                return self.compact_[c[:L]], 95.0
        if len(c) >= 8:  # a key cut short mid-word by the card network: the start of one alias
            lo = bisect.bisect_left(self.sorted_compact_, c)
            cands = [a for a in self.sorted_compact_[lo:lo + 5] if a.startswith(c)]
            hits = {self.compact_[a] for a in cands}
            enough = bool(cands) and (len(c) >= 10 or len(c) >= 0.6 * min(len(a) for a in cands))
            if len(hits) == 1 and enough and self._cut_mid_word(key, cands):
                return hits.pop(), 92.0
        return None

    def _grows_last_word(self, words: list[str], compact: str) -> bool:
        """The key's words are those of a several-word alias but for its last, which the key's
        word grows into another (:func:`_grown_into_another_word`)."""
        for alias in self.alias_words_.get(compact, []):
            aw = alias.split()
            if (1 < len(aw) <= len(words) and words[:len(aw) - 1] == aw[:-1]
                    and _grown_into_another_word(words[len(aw) - 1], aw[-1])):
                return True
        return False

    def _match_pattern(self, key: str):
        for rx, i in self.patterns_:
            if rx.search(key):
                return i, 100.0
        return None

    def _cut_mid_word(self, key: str, cands: list[str]) -> bool:
        # "planet fitn" is cut; "uber eats" (a whole word of "uber eats pass") is another product.
        last = key.split()[-1]
        words = self.alias_words_.get(cands[0], [cands[0]])
        if len(_compact(key)) < 10 and any(_extends(last, w) and len(w) - len(last) == 1
                                           for a in words for w in a.split()):
            # one letter short of an alias word is another word ("discover" / "discovery plus");
            # card networks and PayPal cut at 10+ characters (HUMBLEBUNDL)
            return False
        return all(last not in a.split() for a in words)

    def _match_fuzzy(self, keys, pending, vidx, score):
        words = {j: keys[j].split() for j in pending}
        for n, (aliases, owners) in self.fuzzy_.items():
            rows = [j for j in pending if len(words[j]) >= n]
            if not rows:
                continue
            first_alias = np.array([a[0] for a in aliases])
            for start in range(0, len(rows), _FUZZY_CHUNK):
                self._fuzzy_chunk(rows[start:start + _FUZZY_CHUNK], words, n, aliases, owners, first_alias, vidx, score)

    def _fuzzy_chunk(self, rows, words, n, aliases, owners, first_alias, vidx, score):
        heads = [" ".join(words[j][:n]) for j in rows]
        sims = process.cdist(heads, aliases, scorer=fuzz.ratio, score_cutoff=self.score_cutoff,
                             dtype=np.uint8, workers=-1)
        # Typos rarely hit the first letter; "mobile" is not "tmobile", "cloud" not "icloud".
        sims *= np.array([h[0] for h in heads])[:, None] == first_alias[None, :]
        best = sims.argmax(axis=1)
        best_score = sims[np.arange(len(rows)), best].astype(float)
        for r, j in enumerate(rows):
            s = best_score[r]
            last, head_last = aliases[best[r]].rsplit(" ", 1)[-1], heads[r].rsplit(" ", 1)[-1]
            if _extends(head_last, last) if n == 1 else _grown_into_another_word(head_last, last):
                continue
            if n == 1 and _drops_a_consonant(heads[r], aliases[best[r]]):
                continue
            if s >= self.score_cutoff and s > 0 and not (s <= (score[j] if not np.isnan(score[j]) else -1)):
                vidx[j] = owners[best[r]]
                score[j] = s

    def transform(self, X, groups=None, dates=None) -> pd.DataFrame:
        """Map descriptors to ``merchant, merchant_key, vendor, channel, match_score, display_name,
        channel_hint`` (a DataFrame indexed like ``X`` when ``X`` is a Series).

        ``groups`` (one value per descriptor, e.g. the account) scopes the search for per-charge
        codes; without it all descriptors count as one account's. ``dates`` (each descriptor's
        posting date) let a bill's month that changes with them go (``MIETE NOV``, ``MIETE DEZ``:
        :mod:`detector.period_months`)."""
        self._check_fitted()
        if isinstance(X, pd.DataFrame):
            X = X.iloc[:, 0]
        series = X if isinstance(X, pd.Series) else pd.Series(list(X), dtype=object)
        return self.transform_normalised(normalize_distinct(series, groups=groups, dates=dates), series.index)

    def transform_normalised(self, normalised: tuple, index=None) -> pd.DataFrame:
        """:meth:`transform` of descriptors already normalised: ``normalised`` is what
        :func:`~detector.normalize.normalize_distinct` returned for them (row codes, table)."""
        self._check_fitted()
        codes, table = normalised
        table = self._match_table(table)
        index = pd.RangeIndex(len(codes)) if index is None else index
        return pd.DataFrame(
            {c: pd.Series(table[c].to_numpy()[codes], index=index, dtype=table[c].dtype)
             for c in MATCH_COLUMNS}
        )

    def _match_table(self, table: pd.DataFrame) -> pd.DataFrame:
        """Add the match columns to a table of distinct normalised descriptors."""
        keys = table["merchant_key"].to_numpy(dtype=object)
        # match on the key that still has a trailing short number ("microsoft 365")
        mkeys = table["match_key"].to_numpy(dtype=object)
        m = self.match_keys(pd.unique(mkeys))
        pos = m.index.get_indexer(mkeys)
        vi = m["vendor_index"].to_numpy()[pos]
        matched = vi >= 0
        names = np.array([v.name for v in self.vendors_] + [None], dtype=object)
        vkeys = np.array([v.key for v in self.vendors_] + [None], dtype=object)
        safe = np.where(matched, vi, -1)
        display = table["display_name"].to_numpy(dtype=object)
        merchant = np.where(matched, names[safe], display)
        merchant_key = np.where(matched, vkeys[safe], keys)
        for j in np.flatnonzero(np.isin(vi, list(self.seller_keys_))):
            seller = self._seller(int(vi[j]), keys[j], display[j])
            if seller is not None:  # "Substack · Platformer": the platform's seller is the merchant
                merchant_key[j] = f"{vkeys[vi[j]]} {seller[0]}"
                merchant[j] = f"{names[vi[j]]} · {seller[1]}"
        cols = {
            "merchant": merchant,
            "merchant_key": merchant_key,
            "vendor": np.where(matched, names[safe], None),
            "channel": table["channel"].to_numpy(dtype=object),
            "match_score": m["score"].to_numpy()[pos],
            "display_name": display,
            "channel_hint": table["channel_hint"].to_numpy(dtype=object),
        }
        # explicit object columns: pandas would otherwise infer "str" and turn None into NaN
        return pd.DataFrame({c: pd.Series(v, dtype=float if c == "match_score" else object) for c, v in cols.items()})


    def _seller(self, i: int, key, display) -> tuple[str, str] | None:
        """``(key, name)`` of the seller a platform's descriptor names after the platform's own
        (``substack the free press`` -> ``the free press``, "The Free Press"), or None."""
        if not isinstance(key, str):
            return None
        for alias in self.seller_keys_[i]:
            if key.startswith(alias + " "):
                words = key[len(alias) + 1:].split()
                while words and (words[0] in _TLD_WORDS or words[0] in _PLATFORM_WORDS):  # "substack com platformer"
                    words = words[1:]
                if not words:
                    return None
                shown = str(display or "").split()[-len(words):]
                if [re.sub(r"[^a-z0-9]", "", w.lower()) for w in shown] != [re.sub(r"[^a-z0-9]", "", w) for w in words]:
                    shown = [w.capitalize() for w in words]
                name = " ".join(shown)
                return " ".join(words), name[:1].upper() + name[1:]
        return None


@lru_cache(maxsize=4)
def _cached_default(env_value: str | None) -> MerchantMatcher:
    return MerchantMatcher().fit()


def default_matcher() -> MerchantMatcher:
    """A fitted matcher over the packaged catalogue (+ ``SUBDETECT_VENDORS``), built once."""
    return _cached_default(os.environ.get(ENV_VAR) or None)


def enrich(tx: pd.DataFrame, matcher: MerchantMatcher | None = None, *, normalised: tuple | None = None
           ) -> pd.DataFrame:
    """Add ``merchant, merchant_key, vendor, channel, match_score`` to canonical transactions.

    Work is done once per distinct ``description``; the input is not modified. Per-charge codes
    are looked for within each ``account_id`` (when the column is there), so an account gets the
    same merchants whichever other accounts it is enriched with. ``normalised``: what
    ``normalize_distinct(tx["description"], groups=tx["account_id"], dates=tx["date"])`` gave, when the caller
    has it (the benchmark times the two steps apart).
    """
    require_columns(tx, ["description"], "enrich")
    matcher = matcher if matcher is not None else default_matcher()
    groups = tx["account_id"] if "account_id" in tx.columns else None
    if normalised is not None:
        res = matcher.transform_normalised(normalised, tx.index)
    else:
        res = matcher.transform(tx["description"], groups=groups,
                                dates=tx["date"] if "date" in tx.columns else None)
    out = tx.copy()
    for col in ENRICHED_COLUMNS:
        # vendor stays an object column so "no vendor" is None (SQL NULL), not NaN
        out[col] = pd.Series(res[col].to_numpy(), index=out.index, dtype=object if col == "vendor" else None)
    return out
