"""Charges another statement file already stored: the same account's months, exported twice.

Ids find a re-imported file's rows (the same bank's export hashes to the same ids), but not the
same charges exported again in another form: an OFX download beside the CSV of the same
months, or a re-export whose descriptors changed case or were cut to 32 characters. Stored
twice, every charge in the overlap became a "double charge" with a refund request, and with the
QFX in an account of its own every plan was reported twice.

A new file's rows are compared with the rows other files of the same account stored (their
files' date spans merged into stretches of days the store covers). Where the new file and such a
stretch share days, the two are taken for one account's transactions exported twice when the
rows agree across a real overlap: the shared days are :data:`MIN_OVERLAP_DAYS` or more, and
:data:`MIN_SHARE` of *each* side's rows there have a partner in the other (:data:`MIN_PAIRS` at
least), either in the days both sides cover with :data:`NEAR_DAYS` to spare at each edge (the
*core*: a month shared by a Jan-Mar and a Mar-May export), or in all the shared days when they
hold most of one side (:data:`COVER_SHARE`: the same month twice, a month inside a year).
Consecutive monthly statements share a few days at their edge (a card statement is cut by
posting date, its rows dated by transaction) and hold different charges there: a coffee on the
25th in one and on the 27th in the other are two coffees, so nothing is paired between such
files (eleventh session's audit: the first version, pairing row by row, lost them).

A row has a partner in the other side when both have the same amount to the cent and currency,
the same merchant (plain text equal, one cut short of the other at 16 letters or more, or the
same normalised merchant key), and dates the two exports' dating allows (:func:`_dating`, read
from the charges each side holds once, a plan's): the same day (a day either way) in files dated
alike; when one dates by posting what the other dates by transaction, the posting-dated copy
0 to a few days later, never earlier. Partners are matched as multisets per merchant and amount
(:func:`_match_rows`), one to one, so a charge billed twice and present in both files stays
twice: every row lying deep inside the other side's days (which surely holds its copy) gets a
partner where one is left, the closest in date; a row near an edge of the other side's days (a
QFX row posted on 2 March beside a CSV from 1 March: a charge of 28 February?) only where a
deep row needs it, the likeliest first, or where it is the only candidate on either side. What
stays in doubt is kept, twice if need be, rather than risk losing a charge. Rows of one file are
never paired with each other: identical charges in one statement are two charges. Files of
different accounts are never compared (an OFX names its account; a CSV beside it is tied to it
by the file name the bank gives both, else ``--account`` names it: ``ties.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..money import to_cents
from ..store import Store

#: Two exports of one charge may date it by transaction or by posting: a few days apart at most
#: (a Thursday purchase posted two business days later, after a weekend and a holiday: five).
NEAR_DAYS = 5
#: A descriptor cut short (OFX ``NAME`` holds 32 characters) is still the same merchant when
#: this many letters and digits of it are left.
MIN_PREFIX = 16
#: Files overlapping fewer days than this are consecutive statements, not one export twice.
MIN_OVERLAP_DAYS = 7
#: The share of each side's rows in the shared days that must have a partner for the files to be copies.
MIN_SHARE = 0.8
#: ... and at least this many pairs (a re-export of a card's two plans).
MIN_PAIRS = 2
#: Without a core of shared days (a short overlap), the shared days must hold this share of one
#: side's rows at least: the same month twice, or a month inside a year. Two statements of one
#: card sharing a week hold a sliver of each, and two coffees and two hotel nights at one price a
#: day or two apart there are four charges, not two (round-three and round-four audits).
COVER_SHARE = 0.8
#: Of the chance of each gap between two datings, the share spread evenly over the allowed gaps.
UNIFORM = 0.1
#: Gaps of charges held once by each side (plans) it takes to read the two datings' gaps from.
MIN_GAPS = 3
#: ... and gaps further from theirs than this many spreads (a day at least) are none: about one
#: charge in twenty posts later than that, and is kept twice rather than matched one off.
SPREADS = 2
# What a pair weighs in :func:`_match_rows`, in order: each row deep inside the other side's days
# (it surely has its copy there); each row near an edge, by the chance its copy is outside (a
# cost: such a row is matched for a deep row's sake only); the chance of the gap between them.
_DEEP = 1e9
_EDGE = 1e4
#: Rows of both sides a matching is worked out for at once (their product); above it (a daily
#: fare over years, seen twice), the new rows are matched :data:`BLOCK_ROWS` at a time, in date order.
MAX_DP_CELLS = 4_000_000
BLOCK_ROWS = 500


@dataclass
class Copies:
    """What :func:`drop_copies_from_other_files` recognised: rows another file already stored."""

    rows: int = 0
    #: Stored file (``""`` for rows of no file: Plaid) -> rows of the new file matched with its rows.
    files: dict[str, int] = field(default_factory=dict)
    #: The largest gap in days between a row and its partner (0: every pair dated alike).
    max_days: int = 0
    #: Stored file -> rows of the new file whose ids it had stored (the same lines; not in ``rows``).
    same_lines: dict[str, int] = field(default_factory=dict)
    #: Stored rows given the new file's earlier date (its copy dated by transaction, theirs by posting).
    redated: int = 0
    #: Those rows' ids -> the date they now have in the store (for rows a caller holds in memory).
    new_dates: dict[str, str] = field(default_factory=dict)
    #: ``(this file's account, another account) -> [rows, file]``: rows kept (files of different
    #: accounts are not joined) that are charges the other account holds (:func:`charges_in_other_accounts`).
    other_accounts: dict[tuple[str, str], list] = field(default_factory=dict)

    def add(self, other: Copies) -> None:
        self.rows += other.rows
        self.redated += other.redated
        self.new_dates.update(other.new_dates)
        for pair, (n, path) in other.other_accounts.items():
            self.other_accounts.setdefault(pair, [0, path])[0] += n
        for mine, theirs in ((self.files, other.files), (self.same_lines, other.same_lines)):
            for f, n in theirs.items():
                mine[f] = mine.get(f, 0) + n
        self.max_days = max(self.max_days, other.max_days)


def drop_copies_from_other_files(store: Store, df: pd.DataFrame) -> tuple[pd.DataFrame, Copies]:
    """``df`` (one file's canonical rows) without the charges other files of its account stored
    where they are one export of the same days; and what went (:class:`Copies`)."""
    if df.empty or not store.conn.execute("SELECT 1 FROM transactions LIMIT 1").fetchone():
        return df, Copies()
    path = df["source_file"].iloc[0] if "source_file" in df else None
    dates = pd.to_datetime(df["date"], errors="coerce")
    if dates.isna().all():
        return df, Copies()
    lo = (dates.min() - pd.Timedelta(days=NEAR_DAYS)).strftime("%Y-%m-%d")
    hi = (dates.max() + pd.Timedelta(days=NEAR_DAYS)).strftime("%Y-%m-%d")
    accounts = json.dumps(df["account_id"].dropna().unique().tolist())
    stored = pd.read_sql_query(
        "SELECT t.transaction_id, t.account_id, t.date, t.amount, t.currency, t.description, t.source_file "
        "FROM json_each(?) AS a JOIN transactions AS t ON t.account_id = a.value "
        "WHERE t.date BETWEEN ? AND ? AND t.source_file IS NOT ?",
        store.conn, params=[accounts, lo, hi, path])
    if stored.empty:
        return df, Copies()
    # A row whose id is stored is that row again (the id finds it): neither side of a pair.
    known = {r[0] for r in store.conn.execute(
        "SELECT t.transaction_id FROM json_each(?) AS j JOIN transactions AS t ON t.transaction_id = j.value",
        [json.dumps(df["transaction_id"].dropna().tolist())])}
    new_ids = set(df["transaction_id"].tolist())
    stored = stored[[i not in new_ids for i in stored["transaction_id"].tolist()]]
    stored = stored.assign(ts=pd.to_datetime(stored["date"]), source_file=stored["source_file"].fillna(""))
    new = df.reset_index(drop=True).assign(ts=dates.to_numpy())  # by position: an index need not be unique
    new = new[[i not in known for i in new["transaction_id"].tolist()]]
    pairs = _pairs(new, stored)
    if pairs.empty:
        return df, Copies()
    matched = _copies(store, _same_merchant(pairs), new, stored)
    if matched.empty:
        return df, Copies()
    keep = np.ones(len(df), dtype=bool)
    keep[matched["row"].to_numpy()] = False
    new_dates = _keep_earlier_dates(store, matched, df)
    found = Copies(rows=len(matched), files=matched["s_file"].value_counts(sort=False).to_dict(),
                   max_days=int(matched["days"].max()), redated=len(new_dates), new_dates=new_dates)
    return df[keep], found


def _keep_earlier_dates(store: Store, matched: pd.DataFrame, df: pd.DataFrame) -> dict[str, str]:
    """Give each stored row the date of its copy in the new file where that copy is dated
    earlier: of two exports of one charge, the earlier date is the transaction's (the later one
    the posting's), so what is stored does not depend on which file was read first
    (round-twenty-eight audit: a QFX read before the CSV stored a charge of 20 March as of the
    22nd, the day after the plan's cancellation, and flagged it). Returns the re-dated rows' ids
    and new dates: a caller holding the stored rows in memory (``scan`` detects an account new to
    the store on the rows it read) gives them the same dates (round-52 audit: one scan of the QFX
    and then the CSV detected on the posting dates, and flagged a charge of the cancellation day)."""
    early = matched[matched["delta"] < 0]
    if early.empty:
        return {}
    dates = df["date"].iloc[early["row"].to_numpy()].astype(str).tolist()
    new_dates = dict(zip(early["sid"].astype(str).tolist(), dates, strict=True))
    with store.conn:
        store.conn.executemany("UPDATE transactions SET date = ? WHERE transaction_id = ?",
                               list(zip(dates, new_dates, strict=True)))
    return new_dates


def _intervals(spans: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp, int, set]]:
    """Stored files' date spans of one account merged into the stretches of days they cover:
    ``(first day, last day, rows, files)``. Spans a few days apart at most join (consecutive
    statements: the store holds every day from the first's to the last's)."""
    out: list[list] = []
    for s_file, s_lo, s_hi, s_n in sorted(spans.itertuples(index=False), key=lambda r: (r[1], r[2])):
        if out and s_lo <= out[-1][1] + pd.Timedelta(days=NEAR_DAYS):
            last = out[-1]
            last[1] = max(last[1], s_hi)
            last[2] += s_n
            last[3].add(s_file)
        else:
            out.append([s_lo, s_hi, s_n, {s_file}])
    return [tuple(x) for x in out]


def _copies(store: Store, pairs: pd.DataFrame, new: pd.DataFrame, stored: pd.DataFrame,
            spans_of: str | None = None) -> pd.DataFrame:
    """The pairs (new row, stored row) taken for one charge exported twice: each new row once.
    ``spans_of``: the stored rows are that account's, taken for the new rows' account (its
    files' spans are read)."""
    if pairs.empty:
        return pairs
    spans = pd.read_sql_query(
        "SELECT t.account_id, coalesce(t.source_file, '') AS s_file, min(t.date) AS s_lo, max(t.date) AS s_hi, "
        "count(*) AS s_n FROM json_each(?) AS a JOIN transactions AS t ON t.account_id = a.value "
        "WHERE t.source_file IS NOT ? GROUP BY 1, 2", store.conn,
        params=[json.dumps([spans_of] if spans_of else pairs["account_id"].unique().tolist()),
                new["source_file"].iloc[0] if "source_file" in new and len(new) else None])
    spans = spans.assign(s_lo=pd.to_datetime(spans["s_lo"]), s_hi=pd.to_datetime(spans["s_hi"]))
    found = []
    for account, p in pairs.groupby("account_id", sort=False):
        mine = new[new["account_id"] == account]
        theirs_all = stored[stored["account_id"] == account]
        own = spans[spans["account_id"] == (spans_of or account)][["s_file", "s_lo", "s_hi", "s_n"]]
        for i_lo, i_hi, i_n, files in _intervals(own):
            q = p[p["s_file"].isin(files)]
            if q.empty:
                continue
            theirs = theirs_all[theirs_all["source_file"].isin(files)]
            side = _Sides(mine["ts"], theirs["ts"], i_lo, i_hi, i_n)
            if side.days < MIN_OVERLAP_DAYS:
                continue
            gaps = _dating(q, side)
            q = q[gaps[q["delta"].to_numpy() + NEAR_DAYS] > 0]
            alike = _alike(q, side)
            if not _accepted(q, side, alike):
                continue
            found.append(_match_rows(q, side, alike, gaps))
    if not found:
        return pairs.iloc[:0]
    out = pd.concat(found, ignore_index=True)
    return out.drop_duplicates("row")  # a row paired in two stretches is one copy


class _Sides:
    """The new file's rows and a stored stretch of days: where they share days, and their core."""

    def __init__(self, new_ts: pd.Series, old_ts: pd.Series, i_lo, i_hi, i_n: int):
        near = pd.Timedelta(days=NEAR_DAYS)
        self.new_ts, self.old_ts, self.i_n = new_ts, old_ts, i_n
        self.n_lo, self.n_hi = new_ts.min(), new_ts.max()
        self.i_lo, self.i_hi = i_lo, i_hi
        self.w_lo, self.w_hi = max(self.n_lo, i_lo), min(self.n_hi, i_hi)
        self.days = (self.w_hi - self.w_lo).days + 1
        # the core: days both sides cover with NEAR_DAYS to spare, where each holds every charge
        self.c_lo, self.c_hi = self.w_lo + near, self.w_hi - near
        self.core_days = (self.c_hi - self.c_lo).days + 1

    def in_window(self, ts: pd.Series) -> pd.Series:
        return ts.between(self.w_lo, self.w_hi)

    def in_core(self, ts: pd.Series) -> pd.Series:
        return ts.between(self.c_lo, self.c_hi)

    def outside(self, gaps: np.ndarray, q: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """For each pair's new row, and stored row, the chance that its copy would be dated
        outside the other side's days (so that the other side cannot hold it): a QFX row posted
        on 3 April beside a CSV of January to March is a copy only if it posted three days late
        or more; a row deep inside the other side's days surely has its copy there."""
        below = np.concatenate([[0.0], np.cumsum(gaps)])  # below[k]: chance of a gap < k - NEAR_DAYS

        def under(t: np.ndarray) -> np.ndarray:  # chance of a gap < t
            return below[np.clip(t + NEAR_DAYS, 0, 2 * NEAR_DAYS + 1)]

        def days(a, b) -> np.ndarray:
            return ((a - b) / pd.Timedelta(days=1)).to_numpy().astype(np.int64)

        ts, s_ts = q["ts"], q["s_ts"]
        # a new row dated a has its copy at a - gap: outside when gap > a - first, or < a - last
        new = 1 - under(days(ts, self.i_lo) + 1) + under(days(ts, self.i_hi))
        # a stored row dated b has its copy at b + gap: outside when gap < first - b, or > last - b
        old = under(days(self.n_lo, s_ts)) + 1 - under(days(self.n_hi, s_ts) + 1)
        return np.clip(new, 0, 1), np.clip(old, 0, 1)


def _alone(q: pd.DataFrame) -> pd.Series:
    """Pairs whose two rows have no other candidate."""
    return (q.groupby("row")["sid"].transform("size") == 1) & (q.groupby("sid")["row"].transform("size") == 1)


def _dating(q: pd.DataFrame, side: _Sides) -> np.ndarray:
    """How the new file's copy of a stored row is dated: the chance of each gap in days from
    ``-NEAR_DAYS`` to ``NEAR_DAYS`` (positive: the new file's copy later), read from the charges
    each side holds once in the shared days (a plan's). All on the same day, the two are dated
    alike (a day either way: an evening charge in another time zone); mostly later (or earlier),
    one dates by posting what the other dates by transaction, never the other way; else either
    way. Gaps near those seen are likelier."""
    inside = q[side.in_window(q["ts"]) | side.in_window(q["s_ts"])]
    d = inside.loc[_alone(inside), "delta"]
    off = d[d != 0]
    lo, hi = -NEAR_DAYS, NEAR_DAYS
    if not d.empty and len(off) != 1:
        if off.empty:
            lo, hi = -1, 1
        elif (off > 0).mean() >= MIN_SHARE:
            lo = 0
        elif (off < 0).mean() >= MIN_SHARE:
            hi = 0
    gaps = np.arange(-NEAR_DAYS, NEAR_DAYS + 1)
    seen = d[d.between(lo, hi)].to_numpy(dtype=float)
    if len(seen) >= MIN_GAPS:
        # no further apart than the plans' gaps go (SPREADS spreads): a chain of a coffee's
        # charges matched one off, five days apart, fits as well as the right one
        mean, spread = seen.mean(), max(seen.std(), 1.0)
        lo, hi = max(lo, int(np.floor(mean - SPREADS * spread))), min(hi, int(np.ceil(mean + SPREADS * spread)))
    allowed = ((gaps >= lo) & (gaps <= hi)).astype(float)
    if len(seen) < MIN_GAPS:
        return allowed / allowed.sum()
    # a smooth shape (a few plans' gaps are no histogram: one day seen once, two days five
    # times, is noise), and some chance for every allowed gap
    shape = allowed * np.exp(-((gaps - mean) ** 2) / (2 * spread ** 2))
    chance = (1 - UNIFORM) * shape / shape.sum() + UNIFORM * allowed / allowed.sum()
    return chance / chance.sum()


def _enough(n_new: int, n_old: int, in_new: int, in_old: int) -> bool:
    """Whether pairs cover each side's rows in the shared days as copies of one export do."""
    return min(n_new, n_old) >= MIN_PAIRS and n_new >= MIN_SHARE * in_new and n_old >= MIN_SHARE * in_old


def _share(q: pd.DataFrame, side: _Sides, within) -> bool:
    """:func:`_enough` for the rows of both sides whose dates ``within`` keeps."""
    return _enough(q.loc[within(q["ts"]), "row"].nunique(), q.loc[within(q["s_ts"]), "sid"].nunique(),
                   int(within(side.new_ts).sum()), int(within(side.old_ts).sum()))


def _alike(q: pd.DataFrame, side: _Sides) -> bool:
    """Most rows of both sides in the shared days have a partner on the same day."""
    return _share(q[q["delta"] == 0], side, side.in_window)


def _short_covers(side: _Sides) -> bool:
    """The shared days (NEAR_DAYS more on either side) hold most of one side: the same month
    twice, or a month inside a year."""
    near = pd.Timedelta(days=NEAR_DAYS)
    cover_new = int(side.new_ts.between(side.w_lo - near, side.w_hi + near).sum())
    cover_old = int(side.old_ts.between(side.w_lo - near, side.w_hi + near).sum())
    return cover_new >= COVER_SHARE * len(side.new_ts) or cover_old >= COVER_SHARE * side.i_n


def _accepted(q: pd.DataFrame, side: _Sides, alike: bool) -> bool:
    """Whether the two sides are one export of the shared days (the module's rules): a core of
    shared days where each side holds the other's charges, or shared days holding most of one
    side where they do."""
    core = side.core_days >= MIN_OVERLAP_DAYS
    if core and (alike or _share(q, side, side.in_core)):
        return True
    return _short_covers(side) and (alike or _share(q, side, side.in_window))


def _match_rows(q: pd.DataFrame, side: _Sides, alike: bool, gaps: np.ndarray) -> pd.DataFrame:
    """The pairs taken, one to one: in files dated alike each day's identical rows first; a row
    and its only candidate (no other on either side); then, in each group of rows that could be
    one another's copies, the matching (:func:`_best_matching`) giving a partner to the most rows
    deep inside the other side's days (they surely have their copy there), with the fewest and
    likeliest rows near an edge (:meth:`_Sides.outside`: a QFX row posted in the CSV's first days
    may be a charge made before them), then the likeliest gaps. A daily fare's charges chain
    across the month, a trip's garage and coffees on three days either side of a statement cut
    look alike, and near an edge one side may hold charges the other lacks: what stays in doubt
    is kept, twice if need be, rather than risk losing a charge (audits: pairing them in any
    order, or in groups of up to three, lost charges; matching edge rows for a better fit of the
    gaps lost two fares of 48 in this session's test)."""
    q = q.reset_index(drop=True)
    rows = q["row"].to_numpy()
    sids = q["sid"].to_numpy()
    out_new, out_old = side.outside(gaps, q)

    def worth(out: np.ndarray) -> np.ndarray:
        # deep inside: a match it surely has; near an edge, the chance its copy is inside, never
        # a gain: a row near an edge is matched for a deep row's sake only (else a chain of alike
        # charges matched one off takes a charge only this file holds at one edge, and one only
        # the stored side holds at the other, as one charge)
        return np.where(out < 1e-9, _DEEP, _EDGE * np.log(np.clip(1 - out, 1e-3, 0.99)))

    weight = worth(out_new) + worth(out_old) + np.log(gaps[q["delta"].to_numpy() + NEAR_DAYS])
    taken = np.zeros(len(q), dtype=bool)
    used_row: set = set()
    used_sid: set = set()

    def take(k: int) -> None:
        taken[k] = True
        used_row.add(rows[k])
        used_sid.add(sids[k])

    if alike:
        exact = q.index[q["delta"] == 0].to_numpy()
        for k in exact[np.lexsort((sids[exact], rows[exact]))]:
            if rows[k] not in used_row and sids[k] not in used_sid:
                take(k)
    free = np.flatnonzero([r not in used_row and s not in used_sid for r, s in zip(rows, sids, strict=True)])
    if len(free):
        groups = _groups(rows[free], sids[free])
        # a row and its only candidate (no other on either side): partners wherever they lie
        taken[free[np.concatenate([g for g in groups if len(g) == 1] or [np.array([], dtype=np.int64)])]] = True
        for group in groups:
            if len(group) > 1:
                idx = free[group]
                for k in _best_matching(q.iloc[idx], weight[idx]):
                    take(int(idx[k]))
    return q.loc[taken, ["row", "sid", "s_file", "days", "delta"]]


def _groups(rows: np.ndarray, sids: np.ndarray) -> list[np.ndarray]:
    """The pairs (positions) of each connected group of candidates (rows linked by shared partners)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    r_codes, r_uniq = pd.factorize(rows)
    s_codes, s_uniq = pd.factorize(sids)
    n = len(r_uniq) + len(s_uniq)
    graph = coo_matrix((np.ones(len(rows)), (r_codes, s_codes + len(r_uniq))), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    pair_label = labels[r_codes]
    order = np.argsort(pair_label, kind="stable")
    cuts = np.flatnonzero(np.diff(pair_label[order])) + 1
    return np.split(order, cuts)


def _best_matching(g: pd.DataFrame, weight: np.ndarray) -> list[int]:
    """Positions in ``g`` of a one-to-one matching of its rows with the stored rows of most
    ``weight`` (pairs of negative weight never), both sides in date order: for charges of one
    merchant and amount an order-keeping matching is as good as any (crossed pairs uncross with
    no loss), which makes it a table of rows by stored rows filled a row at a time."""
    a_codes, a_keys = pd.factorize(pd.Series(list(zip(g["ts"], g["row"], strict=True))), sort=True)
    b_codes, b_keys = pd.factorize(pd.Series(list(zip(g["s_ts"], g["sid"], strict=True))), sort=True)
    n_a, n_b = len(a_keys), len(b_keys)
    if n_a * n_b > MAX_DP_CELLS:
        return _in_blocks(g, weight, a_codes)
    w = np.full((n_a, n_b), -np.inf)
    pos = np.full((n_a, n_b), -1, dtype=np.int64)
    w[a_codes, b_codes] = weight
    pos[a_codes, b_codes] = np.arange(len(g))
    f = np.zeros((n_a + 1, n_b + 1))
    for i in range(1, n_a + 1):
        h = np.empty(n_b + 1)
        h[0] = f[i - 1, 0]
        h[1:] = np.maximum(f[i - 1, 1:], f[i - 1, :-1] + w[i - 1])
        f[i] = np.maximum.accumulate(h)
    out = []
    i, j = n_a, n_b
    while i > 0 and j > 0:
        if f[i, j] == f[i, j - 1]:
            j -= 1
        elif f[i, j] == f[i - 1, j]:
            i -= 1
        else:
            out.append(int(pos[i - 1, j - 1]))
            i -= 1
            j -= 1
    return out


def _in_blocks(g: pd.DataFrame, weight: np.ndarray, a_codes: np.ndarray) -> list[int]:
    """:func:`_best_matching` of a group too big for one table: its new rows in date order,
    :data:`BLOCK_ROWS` at a time, each block with the stored rows the blocks before left."""
    out: list[int] = []
    used: set = set()
    sids = g["sid"].to_numpy()
    for start in range(0, int(a_codes.max()) + 1, BLOCK_ROWS):
        part = np.flatnonzero((a_codes >= start) & (a_codes < start + BLOCK_ROWS)
                              & np.fromiter((x not in used for x in sids), dtype=bool, count=len(sids)))
        if len(part):
            taken = part[_best_matching(g.iloc[part], weight[part])]
            out += taken.tolist()
            used.update(sids[taken].tolist())
    return out


def _currency(rows: pd.DataFrame) -> np.ndarray:
    if "currency" not in rows:
        return np.full(len(rows), "", dtype=object)
    return rows["currency"].fillna("").astype(str).str.upper().to_numpy(dtype=object)


def _pairs(new: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """Every (new row, stored row) of one account and amount at most NEAR_DAYS apart; ``delta``
    is how many days the new row is dated after the stored one."""
    a = pd.DataFrame({"row": new.index, "account_id": new["account_id"].to_numpy(),
                      "cents": to_cents(new["amount"], missing=True).to_numpy(), "ts": new["ts"].to_numpy(),
                      "desc": new["description"].fillna("").astype(str).to_numpy(), "cur": _currency(new)})
    b = pd.DataFrame({"sid": stored["transaction_id"].to_numpy(), "account_id": stored["account_id"].to_numpy(),
                      "cents": to_cents(stored["amount"], missing=True).to_numpy(), "s_ts": stored["ts"].to_numpy(),
                      "s_desc": stored["description"].fillna("").astype(str).to_numpy(),
                      "s_file": stored["source_file"].fillna("").to_numpy(), "cur": _currency(stored)})
    a, b = a.dropna(subset=["cents"]), b.dropna(subset=["cents"])
    # one merge per day apart, on the exact date: merging on account and amount alone pairs a
    # daily coffee's every charge with every other (n squared rows for a re-exported year)
    parts = []
    for shift in range(-NEAR_DAYS, NEAR_DAYS + 1):
        j = a.assign(s_ts=a["ts"] - pd.Timedelta(days=shift)).merge(b, on=["account_id", "cents", "cur", "s_ts"])
        parts.append(j.assign(days=abs(shift), delta=shift))
    return pd.concat(parts, ignore_index=True)


def _same_merchant(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs whose descriptors name one merchant: one text the other, or cut short of it, in
    letters and digits of any case; else the same normalised merchant key."""
    if pairs.empty:
        return pairs
    a, b = _plain(pairs["desc"]), _plain(pairs["s_desc"])
    la, lb = a.str.len(), b.str.len()
    shorter = a.where(la <= lb, b)
    longer = b.where(la <= lb, a)
    same = (a == b).to_numpy(dtype=bool, copy=True)
    cut = np.fromiter((long_.startswith(short) for short, long_ in zip(shorter, longer, strict=True)),
                      dtype=bool, count=len(pairs))
    same |= cut & (np.minimum(la, lb).to_numpy() >= MIN_PREFIX)
    rest = pairs[~same]
    if not rest.empty:  # normalising costs: only the texts that differ in more than case and cut
        from ..normalize import normalize_descriptors

        texts = pd.Series(pd.unique(np.concatenate([rest["desc"].to_numpy(), rest["s_desc"].to_numpy()])))
        keys = dict(zip(texts, normalize_descriptors(texts)["merchant_key"], strict=True))
        same[~same] = (rest["desc"].map(keys) == rest["s_desc"].map(keys)).to_numpy(dtype=bool)
    return pairs[same]


def _plain(text: pd.Series) -> pd.Series:
    """Letters and digits only, case folded (``Netflix.com`` -> ``netflixcom``)."""
    return text.astype(str).str.casefold().str.replace(r"[\W_]+", "", regex=True).reset_index(drop=True) \
        .set_axis(text.index)


#: Other accounts whose rows a new file's are matched with at most (those sharing most amounts).
MAX_OTHER_ACCOUNTS = 3


@dataclass
class OtherAccount:
    """An account of another name holding a new file's charges (:func:`charges_in_other_accounts`)."""

    account: str
    #: The new file's account, its rows matched with that account's, and the file holding most.
    mine: str
    rows: int
    path: str


def charges_in_other_accounts(store: Store, df: pd.DataFrame) -> list[OtherAccount]:
    """The stored accounts other than ``df``'s (one file's rows, one account) that hold the same
    charges: the matching of :func:`drop_copies_from_other_files` (the same amounts, merchants
    and dates the two datings allow, across a real overlap, :data:`MIN_SHARE` of each side) run
    against each of them. Nothing is dropped or re-dated: files of different accounts are not
    joined (``--account`` joins them); the caller says so. Round-52 audit: a Chase CSV and the
    same card's QFX saved under another name were two accounts, every charge of the shared
    months stored twice and one double charge flagged (and a refund asked) twice, with no word.

    Only accounts whose rows in the file's days have one of its amounts, :data:`MIN_PAIRS` and
    :data:`MIN_SHARE` of them at least, are compared (one query for all; then one a candidate,
    the :data:`MAX_OTHER_ACCOUNTS` sharing most)."""
    if df.empty or df["account_id"].nunique() != 1:
        return []
    mine = str(df["account_id"].iloc[0])
    dates = pd.to_datetime(df["date"], errors="coerce")
    if dates.isna().all():
        return []
    lo = (dates.min() - pd.Timedelta(days=NEAR_DAYS)).strftime("%Y-%m-%d")
    hi = (dates.max() + pd.Timedelta(days=NEAR_DAYS)).strftime("%Y-%m-%d")
    others = [a for (a,) in store.conn.execute("SELECT account_id FROM accounts WHERE account_id != ?", [mine])]
    if not others:
        return []
    amounts = to_cents(df["amount"], missing=True).dropna().unique().astype("int64").tolist()
    # (an account of which fewer than MIN_SHARE of the rows in the file's days have one of its
    # amounts cannot pass the matching: it is not read)
    candidates = store.conn.execute(
        "SELECT account_id, n FROM (SELECT t.account_id, count(*) AS rows_in, sum(CAST(round(t.amount * 100) "
        "AS INTEGER) IN (SELECT value FROM json_each(?))) AS n FROM json_each(?) AS a JOIN transactions AS t "
        "ON t.account_id = a.value WHERE t.date BETWEEN ? AND ? GROUP BY 1) WHERE n >= ? AND n >= ? * rows_in "
        "ORDER BY n DESC, account_id LIMIT ?",
        [json.dumps(amounts), json.dumps(others), lo, hi, MIN_PAIRS, MIN_SHARE, MAX_OTHER_ACCOUNTS]).fetchall()
    path = df["source_file"].iloc[0] if "source_file" in df else None
    new = df.reset_index(drop=True).assign(ts=dates.to_numpy())
    found = []
    for account, _ in candidates:
        stored = pd.read_sql_query(
            "SELECT transaction_id, account_id, date, amount, currency, description, source_file FROM transactions "
            "WHERE account_id = ? AND date BETWEEN ? AND ? AND source_file IS NOT ?", store.conn,
            params=[account, lo, hi, path])
        if stored.empty:
            continue
        # taken for the file's account: the matching compares one account's rows
        stored = stored.assign(ts=pd.to_datetime(stored["date"]), source_file=stored["source_file"].fillna(""),
                               account_id=mine)
        pairs = _pairs(new, stored)
        if pairs.empty:
            continue
        matched = _copies(store, _same_merchant(pairs), new, stored, spans_of=account)
        if not matched.empty:
            top = matched["s_file"].value_counts().index[0]
            found.append(OtherAccount(account=account, mine=mine, rows=len(matched), path=str(top)))
    return found
