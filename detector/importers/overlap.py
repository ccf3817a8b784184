"""Charges another statement file already stored: the same account's months, exported twice.

Ids find a re-imported file's rows (the same bank's export hashes to the same ids), but not the
same charges exported again in another form: an OFX download beside the CSV of the same
months, or a re-export whose descriptors changed case or were cut to 32 characters. Stored
twice, every charge in the overlap became a "double charge" with a refund request.

Two files are taken for one export of the same data only when the rows agree across a real
overlap: their dates share :data:`MIN_OVERLAP_DAYS` or more, and in those days at least
:data:`MIN_SHARE` of *each* file's rows pair with a row of the other (:data:`MIN_PAIRS` at
least), and those days hold most of one of the files (:data:`COVER_SHARE`). Consecutive monthly statements share a few days at their edge (a card statement is cut
by posting date, its rows dated by transaction), and hold different charges there: a coffee on
the 25th in one and on the 27th in the other are two coffees, so nothing is paired between
such files (eleventh session's audit: the first version, pairing row by row, lost them).

A row pairs with one of the other file when both have the same amount to the cent and currency,
the same merchant (plain text equal, one cut short of the other at 16 letters or more, or the
same normalised merchant key), and the same date or one at most :data:`NEAR_DAYS` apart (one
export dating by transaction, the other by posting); which rows are copies is decided in
:func:`_paired_rows`. Rows pair one to one, so a charge billed twice and present in both
files stays twice. Rows of one file are never paired with each other: identical charges in one
statement are two charges. Files of different accounts are never compared (an OFX names its
account; a CSV beside it needs ``--account`` set to that number).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..store import Store

#: Two exports of one charge may date it by transaction or by posting: a few days apart at most
#: (a Thursday purchase posted two business days later, after a weekend and a holiday: five).
NEAR_DAYS = 5
#: A descriptor cut short (OFX ``NAME`` holds 32 characters) is still the same merchant when
#: this many letters and digits of it are left.
MIN_PREFIX = 16
#: Files overlapping fewer days than this are consecutive statements, not one export twice.
MIN_OVERLAP_DAYS = 7
#: The share of each file's rows in the shared days that must pair for the files to be copies.
MIN_SHARE = 0.8
#: ... and at least this many pairs (a re-export of a card's two plans).
MIN_PAIRS = 2
#: The shared days hold this share of one file's rows at least (of the account): the same month
#: twice, or a month inside a year. Two statements of one card sharing a week hold a sliver of
#: each, and two coffees and two hotel nights at one price a day or two apart there are four
#: charges, not two (round-three and round-four audits).
COVER_SHARE = 0.8


def drop_copies_from_other_files(store: Store, df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``df`` (one file's canonical rows) without the charges another file stored when both are
    one export of the same months; and how many rows went."""
    if df.empty or not store.conn.execute("SELECT 1 FROM transactions LIMIT 1").fetchone():
        return df, 0
    path = df["source_file"].iloc[0] if "source_file" in df else None
    dates = pd.to_datetime(df["date"], errors="coerce")
    if dates.isna().all():
        return df, 0
    lo = (dates.min() - pd.Timedelta(days=NEAR_DAYS)).strftime("%Y-%m-%d")
    hi = (dates.max() + pd.Timedelta(days=NEAR_DAYS)).strftime("%Y-%m-%d")
    accounts = json.dumps(df["account_id"].dropna().unique().tolist())
    stored = pd.read_sql_query(
        "SELECT t.transaction_id, t.account_id, t.date, t.amount, t.currency, t.description, t.source_file "
        "FROM json_each(?) AS a JOIN transactions AS t ON t.account_id = a.value "
        "WHERE t.date BETWEEN ? AND ? AND t.source_file IS NOT ?",
        store.conn, params=[accounts, lo, hi, path])
    if stored.empty:
        return df, 0
    # A row whose id is stored is that row again (the id finds it): neither side of a pair.
    known = {r[0] for r in store.conn.execute(
        "SELECT t.transaction_id FROM json_each(?) AS j JOIN transactions AS t ON t.transaction_id = j.value",
        [json.dumps(df["transaction_id"].dropna().tolist())])}
    new_ids = set(df["transaction_id"].tolist())
    stored = stored[[i not in new_ids for i in stored["transaction_id"].tolist()]]
    stored = stored.assign(ts=pd.to_datetime(stored["date"]))
    new = df.reset_index(drop=True).assign(ts=dates.to_numpy())  # by position: an index need not be unique
    new = new[[i not in known for i in new["transaction_id"].tolist()]]
    pairs = _pairs(new, stored)
    if pairs.empty:
        return df, 0
    copies = _copies(store, _same_merchant(pairs), new, stored)
    if not copies:
        return df, 0
    keep = np.ones(len(df), dtype=bool)
    keep[list(copies)] = False
    return df[keep], len(copies)


def _copies(store: Store, pairs: pd.DataFrame, new: pd.DataFrame, stored: pd.DataFrame) -> set:
    """The new rows paired with another file's, for each stored file that is one export of the
    same days as the new one (see the module's rules)."""
    if pairs.empty:
        return set()
    spans = pd.read_sql_query(
        "SELECT t.account_id, t.source_file AS s_file, min(t.date) AS s_lo, max(t.date) AS s_hi, count(*) AS s_n "
        "FROM json_each(?) AS a JOIN transactions AS t ON t.account_id = a.value "
        "GROUP BY t.account_id, t.source_file", store.conn,
        params=[json.dumps(pairs["account_id"].unique().tolist())])
    spans = spans.assign(s_file=spans["s_file"].fillna("")).set_index(["account_id", "s_file"])
    old_file = stored["source_file"].fillna("")
    new_ts, old_ts = new["ts"], stored["ts"]
    copies: set = set()
    for (account, s_file), p in pairs.groupby(["account_id", "s_file"], sort=False):
        mine = new["account_id"] == account
        if (account, s_file) not in spans.index:
            continue
        span = spans.loc[(account, s_file)]
        s_lo, s_hi = pd.Timestamp(span["s_lo"]), pd.Timestamp(span["s_hi"])
        w_lo, w_hi = max(new_ts[mine].min(), s_lo), min(new_ts[mine].max(), s_hi)
        if (w_hi - w_lo).days + 1 < MIN_OVERLAP_DAYS:
            continue
        in_new = int((mine & new_ts.between(w_lo, w_hi)).sum())
        theirs = (stored["account_id"] == account) & (old_file == s_file)
        in_old = int((theirs & old_ts.between(w_lo, w_hi)).sum())
        # the shared days hold most of one file: the same month twice, or a month inside a
        # year; consecutive statements share a sliver of each, however a late-posting hotel
        # stretches one's dates (round-four audit: a trip's parking and coffees lost). Counted
        # with NEAR_DAYS on either side: a copy dated by posting runs past the other's end.
        near = pd.Timedelta(days=NEAR_DAYS)
        cover_new = int((mine & new_ts.between(w_lo - near, w_hi + near)).sum())
        cover_old = int((theirs & old_ts.between(w_lo - near, w_hi + near)).sum())
        if cover_new < COVER_SHARE * int(mine.sum()) and cover_old < COVER_SHARE * int(span["s_n"]):
            continue
        inside = p[p["ts"].between(w_lo, w_hi) | p["s_ts"].between(w_lo, w_hi)]
        copies |= _paired_rows(inside, in_new, in_old)
    return copies


def _currency(rows: pd.DataFrame) -> np.ndarray:
    if "currency" not in rows:
        return np.full(len(rows), "", dtype=object)
    return rows["currency"].fillna("").astype(str).str.upper().to_numpy(dtype=object)


def _cents(amount: pd.Series) -> pd.Series:
    return (pd.to_numeric(amount, errors="coerce") * 100).round().astype("Int64")


def _pairs(new: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """Every (new row, stored row) of one account and amount at most NEAR_DAYS apart."""
    a = pd.DataFrame({"row": new.index, "account_id": new["account_id"].to_numpy(),
                      "cents": _cents(new["amount"]).to_numpy(), "ts": new["ts"].to_numpy(),
                      "desc": new["description"].fillna("").astype(str).to_numpy(), "cur": _currency(new)})
    b = pd.DataFrame({"sid": stored["transaction_id"].to_numpy(), "account_id": stored["account_id"].to_numpy(),
                      "cents": _cents(stored["amount"]).to_numpy(), "s_ts": stored["ts"].to_numpy(),
                      "s_desc": stored["description"].fillna("").astype(str).to_numpy(),
                      "s_file": stored["source_file"].fillna("").to_numpy(), "cur": _currency(stored)})
    a, b = a.dropna(subset=["cents"]), b.dropna(subset=["cents"])
    # one merge per day apart, on the exact date: merging on account and amount alone pairs a
    # daily coffee's every charge with every other (n squared rows for a re-exported year)
    parts = []
    for shift in range(-NEAR_DAYS, NEAR_DAYS + 1):
        j = a.assign(s_ts=a["ts"] - pd.Timedelta(days=shift)).merge(b, on=["account_id", "cents", "cur", "s_ts"])
        parts.append(j.assign(days=abs(shift)))
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


def _enough(n_new: int, n_old: int, in_new: int, in_old: int) -> bool:
    """Whether pairs cover each file's rows in the shared days as copies of one export do."""
    return min(n_new, n_old) >= MIN_PAIRS and n_new >= MIN_SHARE * in_new and n_old >= MIN_SHARE * in_old


def _paired_rows(pairs: pd.DataFrame, in_new: int, in_old: int) -> set:
    """The new rows that are copies, when the two files are one export of the same days.

    Files dated alike (most rows have a same-day partner: a re-export in Title Case) pair by
    day, each day's identical rows one to one. Files dated apart (one by transaction, the other
    by posting, a day or three later) say which charge is which only where a row a few days
    apart from one of the other file has no other candidate on either side: a monthly plan's
    charge and its copy. A daily fare's charges chain across the month, and the two files hold
    different ones at their edges (charges posted after the month, charges made before it):
    pairing those in any order lost charges (audit), and so did groups of two or three alike (a
    trip's garage and coffee on three days either side of a statement cut; round-five audit).
    They are kept, twice if need be."""
    if pairs.empty:
        return set()
    exact = pairs[pairs["days"] == 0]
    if _enough(exact["row"].nunique(), exact["sid"].nunique(), in_new, in_old):
        taken_new: set = set()
        taken_stored: set = set()
        for row, sid in exact.sort_values(["row", "sid"], kind="stable")[["row", "sid"]].itertuples(index=False):
            if row not in taken_new and sid not in taken_stored:
                taken_new.add(row)
                taken_stored.add(sid)
        return taken_new
    if not _enough(pairs["row"].nunique(), pairs["sid"].nunique(), in_new, in_old):
        return set()
    alone = (pairs.groupby("row")["sid"].transform("size") == 1) & (pairs.groupby("sid")["row"].transform("size") == 1)
    return set(pairs.loc[alone, "row"].tolist())
