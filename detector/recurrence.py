"""Recurring streams: which charges of an account repeat, how often, and what comes next.

:func:`detect_streams` works on all accounts at once with sorts, diffs and group reductions
(see :mod:`detector.cadence`) and gives the same streams when run one account at a time,
because every grouping key starts with the account.

Method, per account, merchant and direction (the *group*):

1. Candidates: the whole group (a bill whose amount varies, a steady subscription); its amount
   clusters (charges within ~2 % of their neighbour in amount order), which pull apart two
   subscriptions billed under one descriptor, or Amazon Prime among Amazon purchases; a
   cluster's exact-price core; its gap segments (cut at gaps far longer than its rhythm);
   and, in crowded clusters, echo chains of same-price charges a month apart (several
   memberships at one price).
2. Every candidate gets cadence features and a confidence from the scorer (model or rules).
3. A group becomes one stream when the whole group is regular and at most one of its clusters
   is (and that cluster keeps its rhythm no better than the group); otherwise each regular
   cluster is a stream, else a regular core, else regular segments, else regular chains.
4. Regular clusters of one group that follow each other in time at the same cadence are one
   stream whose price changed (a price increase never splits a stream), and a single charge one
   period before a stream at a lower price (trial, intro) or one period after at a higher price
   (the newest charge after a price rise) joins it.

docs/detection.md has the features, the model-vs-rules measurement and the eval numbers.

The stages live in modules of their own: :mod:`detector.working_frame` (the numeric frame;
patterns of lines that are never plans in :mod:`detector.non_plans`), :mod:`detector.chains`
(echo chains, gap segments), :mod:`detector.confidence` and :mod:`detector.spending_rules`
(features, confidence, rules), :mod:`detector.selection` (step 3), :mod:`detector.stream_joins`
and :mod:`detector.stream_edges` (step 4 and the charges at a stream's edges),
:mod:`detector.yearly_switches` (a plan moved to yearly billing) and :mod:`detector.stream_rows`
(the output rows and their evidence). This module holds the entry points: :func:`detect_streams`,
:func:`candidates` and :func:`default_scorer`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .cadence import int_lexsort
from .chains import CLOSE_DAYS, _concurrent_chains, _echo_chains, _gap_segments, _run_spans
from .confidence import _rescore, _score, _stats, as_alone
from .schema import require_columns
from .selection import KINDS, _bills_beside_plans, _regular_wholes, _select
from .stream_edges import _attach_edges, _lone_returns, _prune_strays, _second_plans, _yearly_heads, _yearly_renewals
from .stream_joins import _handovers, _intro_prices_ended, _join_price_changes, _undo_lone_pieces
from .stream_rows import _build_rows, _empty, _finish
from .working_frame import _prepare
from .yearly_switches import _switch_evidence, _yearly_switches

DEFAULT_MIN_CONFIDENCE = 0.5


_NEEDED = ("transaction_id", "account_id", "date", "amount", "merchant_key", "merchant", "vendor", "channel")


@lru_cache(maxsize=1)
def default_scorer():
    """The saved model (or the rule fallback), loaded once per process."""
    from .scoring import load_scorer

    return load_scorer()


def candidates(df: pd.DataFrame, scorer, thr: float | None = None) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """Whole-group, amount-cluster, echo-chain, gap-segment and exact-price-core candidates, scored.

    Returns (stats indexed by candidate id, ids, confidence per candidate). ``ids[kind]`` is the
    per-row id within the kind (-1 = the row is in no candidate of that kind) and
    ``ids["base"][kind]`` where the kind's candidate ids start; ``ids["rows"]`` and
    ``ids["cand"]`` list every (row, candidate id) membership. Chains, segments and cores are
    candidates only where they are a strict part of their cluster. Candidates that are not
    :func:`live` have NaN for the features only the scorer reads (``scored_only``).

    ``thr`` (the selection's confidence threshold): only the candidates :func:`_select` can
    pick at that threshold are returned; without it, every candidate (to train on).
    """
    group = df["group"].to_numpy()
    n_groups = int(group.max()) + 1 if len(group) else 0
    cid = df["cid"].to_numpy()
    n_clusters = int(cid.max()) + 1 if len(cid) else 0
    n = len(df)
    day = df["day"].to_numpy()
    # echo chains, gap segments and each cluster's span all read the rows by cluster and day
    by_day = int_lexsort(cid, day)
    chain = _echo_chains(cid, day, by_day, df["dom"].to_numpy(), df["dim"].to_numpy())
    csize = np.bincount(cid)[cid]
    seg = _gap_segments(cid, day, by_day)
    seg_size = np.bincount(seg, minlength=n)[seg] if n else seg
    # only clusters with more charges than one monthly stream could hold are worth untangling,
    # over the cluster's span or over one of its segments (a long pause after a plan stretches
    # the cluster's span)
    d = day[by_day]
    span, seg_span = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    span[by_day] = _run_spans(cid[by_day], d)
    seg_span[by_day] = _run_spans(seg[by_day], d)
    crowded = (csize > 1.5 * (span / 30.44 + 1)) | (seg_size > 1.5 * (seg_span / 30.44 + 1))
    # ... or a second plan at the price for part of the time: a few charges far closer than a
    # month to the cluster's previous one (a second Spotify on the 5th or the 15th for ten months
    # of two years is fewer than 1.5 charges a month overall, and made no stream at all)
    close = np.zeros(n, dtype=bool)
    close[by_day[1:]] = (cid[by_day][1:] == cid[by_day][:-1]) & (np.diff(d) < CLOSE_DAYS)
    crowded |= np.bincount(cid, weights=close, minlength=n_clusters)[cid] >= 3
    chain_size = np.zeros(len(chain), dtype=np.int64)
    ok = chain >= 0
    if ok.any():
        chain_size[ok] = np.bincount(chain[ok])[chain[ok]]
    chain = np.where(ok & crowded & (chain_size >= 3) & (chain_size < csize), chain, -1)
    cl_group = np.zeros(n_clusters, dtype=np.int64)
    cl_group[cid] = group
    alone, ragged = _concurrent_chains(cid, day, chain, cl_group)
    seg = np.where((seg_size >= 3) & (seg_size < csize), seg, -1)
    # the price points of a cluster (charges within a few cents of each other): a renewal price
    # without the look-alike purchases around it (Prime's 14.99 among Amazon orders of 14.34
    # and 15.20, an annual fee among warehouse runs)
    core = df["point"].to_numpy()
    core_size = np.bincount(core, minlength=n)[core] if n else core
    core = np.where((core_size >= 2) & (core_size < csize), core, -1)
    ids = {"group": group, "cluster": cid, "chain": chain, "segment": seg, "core": core}
    sizes = {"group": n_groups, "cluster": n_clusters, "chain": n, "segment": n, "core": n}
    ids["size"] = sizes
    ids["base"] = dict(zip(KINDS, np.cumsum([0] + [sizes[k] for k in KINDS[:-1]]).tolist()))
    ids["alone"] = alone  # per row: its cluster is shared by a few plans, one chain each
    ids["ragged"] = ragged  # ... which began or stopped months apart
    ids["alone_ids"] = np.unique(ids["base"]["chain"] + chain[alone & (chain >= 0)])
    ids["day"], ids["amt"] = day, df["amt"].to_numpy()
    # a lone charge is never a stream: single-charge groups and clusters (most clusters of
    # everyday spending) are no candidates, which spares their rows every group reduction
    gsize = np.bincount(group)
    single = {"group": gsize[group] < 2, "cluster": csize < 2}
    member = [np.flatnonzero((ids[k] >= 0) & ~single[k]) if k in single else np.flatnonzero(ids[k] >= 0)
              for k in KINDS]
    ids["rows"] = np.concatenate(member)
    ids["cand"] = np.concatenate([ids["base"][k] + ids[k][r] for k, r in zip(KINDS, member)])
    # a cluster that is its whole group holds the group's rows in the group's order, so the
    # group's features and score are its own: computed once (a tenth of the candidate rows)
    whole = (ids["cand"] >= ids["base"]["cluster"]) & (ids["cand"] < ids["base"]["chain"]) \
        & (csize == gsize[group])[ids["rows"]]
    keep = np.flatnonzero(~whole)
    scorer = default_scorer() if scorer is None else scorer
    if thr is None:
        st, p = _with_copies(*_scored(df, ids, keep, gsize, scorer), ids["cand"][whole], group[ids["rows"][whole]])
        return st, ids, p
    # groups and clusters first: the parts of a cluster only matter where neither it nor its
    # whole group is a stream (a fifth of their candidates are not scored at all)
    top = keep[ids["cand"][keep] < ids["base"]["chain"]]
    st, p = _with_copies(*_scored(df, ids, top, gsize, scorer), ids["cand"][whole], group[ids["rows"][whole]])
    use_w, good_cluster = _regular_wholes(st, ids, p, thr)
    # the chains of a cluster shared by a few plans are scored even where the cluster or its
    # group is a stream: that stream holds two plans' charges (see _select)
    free = (~good_cluster[cid] & ~use_w[group]) | alone
    parts = keep[(ids["cand"][keep] >= ids["base"]["chain"]) & free[ids["rows"][keep]]]
    st_parts, p_parts = _scored(df, ids, parts, gsize, scorer)
    return pd.concat([st, st_parts]), ids, np.r_[p, p_parts]


def _scored(df: pd.DataFrame, ids: dict, at: np.ndarray, gsize: np.ndarray, scorer) -> tuple[pd.DataFrame, np.ndarray]:
    """Features and confidence of the candidates of memberships ``at`` (whole candidates)."""
    # in pieces of whole candidates: all 2.5M candidate rows at once held ~1 GB of temporaries,
    # and a fresh process pays for every page of it
    st = pd.concat([_stats(df, ids["cand"][r], rows=ids["rows"][r], group_sizes=gsize, scored_only=True)
                    for r in _pieces(ids["cand"][at], STATS_PIECE, at)])
    st = as_alone(st, ids["alone_ids"])
    return st, _score(st, scorer, df)


#: Candidate rows whose features are computed at once (see :func:`candidates`).
STATS_PIECE = 250_000


def _pieces(cand: np.ndarray, size: int, at: np.ndarray) -> list[np.ndarray]:
    """``at`` split into pieces of about ``size`` rows, each candidate id (``cand``, one per
    row) whole in one piece, pieces in id order."""
    if len(cand) <= size:
        return [at]
    upto = np.cumsum(np.bincount(cand))  # rows with an id up to each id
    last = np.unique(np.searchsorted(upto, np.arange(size, len(cand), size)))  # each piece's last id
    # a stable sort of the few piece numbers (a radix sort, being 16-bit) keeps each piece's
    # rows in their order, as a mask per piece would, in one pass
    piece = np.searchsorted(last, cand).astype(np.int16 if len(last) < 2**15 else np.int64)
    bounds = np.cumsum(np.bincount(piece, minlength=len(last) + 1))[:-1]
    return [r for r in np.split(at[np.argsort(piece, kind="stable")], bounds) if len(r)]


def _with_copies(st: pd.DataFrame, p: np.ndarray, cand: np.ndarray, source: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """``st`` and ``p`` with candidate ``cand[i]`` added as a copy of candidate ``source[i]``
    (one pair per membership row; each candidate once), in candidate order."""
    cand, first = np.unique(cand, return_index=True)
    if len(cand) == 0:
        return st, p
    at = st.index.get_indexer(source[first])
    copies = st.iloc[at].set_axis(pd.Index(cand, name=st.index.name))
    order = np.argsort(np.r_[st.index.to_numpy(), cand], kind="stable")
    return pd.concat([st, copies]).iloc[order], np.r_[p, p[at]][order]


def detect_streams(tx: pd.DataFrame, as_of, *, model=None, min_confidence: float | None = None) -> pd.DataFrame:
    """Recurring streams in enriched transactions (``schema.ENRICHED_COLUMNS`` added).

    ``as_of`` (date or ISO string): later transactions are ignored and status is judged then.
    ``model``: a fitted scorer (``predict_proba``); default the saved model from ``models/``.
    ``min_confidence``: candidates below it are not streams (default 0.5).
    Returns one row per stream with exactly ``schema.STREAM_COLUMNS``; ``transaction_ids`` is a
    list in date order.
    """
    require_columns(tx, _NEEDED, "detect_streams")
    thr = DEFAULT_MIN_CONFIDENCE if min_confidence is None else float(min_confidence)
    scorer = default_scorer() if model is None else model
    df, text = _prepare(tx, as_of)
    if len(df) == 0:
        return _empty()
    st, ids, p = candidates(df, scorer, thr)
    selected = _bills_beside_plans(df, st, ids, _select(df, st, ids, p, thr), scorer, thr)
    pieces, origin = _handovers(df, selected)
    assign = _undo_lone_pieces(_join_price_changes(df, pieces), pieces, origin)
    added = np.zeros(len(assign), dtype=bool)
    passes = []
    for _ in range(2):
        grown = _attach_edges(df, assign, added)
        added, assign = grown != assign, grown
        passes.append(assign)
    assign = _yearly_heads(df, _lone_returns(df, _yearly_renewals(df, _prune_strays(df, assign))))
    if not (assign >= 0).any():
        return _empty()
    final = as_alone(_stats(df, assign), ids["alone_ids"])
    conf = raw = _score(final, scorer, df)
    # (below, each new set of streams is scored again only where a stream changed: _rescore)
    # a join or attached charges the model no longer believes are undone: those streams are
    # the candidates selection picked. One the second pass took further back in time (an old
    # price's earlier charge, among purchases at that price) first loses that charge alone.
    day = df["day"].to_numpy()
    began = pd.Series(day[passes[0] >= 0]).groupby(passes[0][passes[0] >= 0]).min()
    went_back = np.unique(passes[1][added & (day < began.reindex(passes[1]).to_numpy())])
    for fallback in ("first pass", "selection"):
        grown_low = final.index.to_numpy()[conf < thr]
        if fallback == "first pass":
            grown_low = np.intersect1d(grown_low, went_back)
        if not len(grown_low):
            continue
        back = np.isin(assign, grown_low)
        assign = np.where(back, _prune_strays(df, passes[0]) if fallback == "first pass" else selected, assign)
        before, final = final, as_alone(_stats(df, assign), ids["alone_ids"])
        conf = raw = _rescore(final, scorer, df, before, raw)
    # an introductory price and the full price after it are one plan, with the confidence its
    # two pieces had (each a plan at one price): joined once the pieces are settled
    assign, intro = _intro_prices_ended(df, assign)
    if intro:
        was = pd.Series(conf, index=final.index)
        floor = pd.Series({k: was.reindex(v).min() for k, v in intro.items()})
        before, final = final, as_alone(_stats(df, assign), ids["alone_ids"])
        raw = _rescore(final, scorer, df, before, raw)
        conf = np.maximum(raw, floor.reindex(final.index).fillna(0.0).to_numpy())
    # a lone charge is never a stream, whatever selection, joins and pruning left of one (but
    # the first charge of the yearly plan a monthly plan moved to, split off below)
    lone = final.index.to_numpy()[final["n"].to_numpy() < 2]
    if len(lone):
        assign = np.where(np.isin(assign, lone), -1, assign)
        keep = ~final.index.isin(lone)
        final, conf, raw = final[keep], conf[keep], raw[keep]
    # nothing may be left: the streams undone above may go back to no candidate at all (yearly
    # charges chained by _yearly_renewals, then ruled out, on a card holding nothing else crashed
    # the scan: round-twenty-six audit)
    if not (assign >= 0).any():
        return _empty()
    # a second plan at the plan's price billed days after it, cycle after cycle, is a stream of
    # its own (its monthly cost counts): both keep the confidence the merged stream had
    assign, second = _second_plans(df, assign)
    if second:
        was = pd.Series(conf, index=final.index)
        before, final = final, as_alone(_stats(df, assign), ids["alone_ids"])
        parent = pd.Series(final.index, index=final.index).replace(second)
        conf = np.maximum(_rescore(final, scorer, df, before, raw), was.reindex(parent.to_numpy()).to_numpy())
    out = _build_rows(df, text, assign, final, conf, as_of)
    out = _yearly_switches(df, text, assign, final, conf, out, as_of, scorer, ids["alone_ids"], thr)
    out = _finish(_switch_evidence(out))
    if min_confidence is not None:
        out = out[out["confidence"] >= thr]
    return out.reset_index(drop=True)
