"""Charges another statement file already stored: the same account's overlap, exported twice.

Ids find a re-imported file's rows (the same bank's export hashes to the same ids), but not the
same charges exported again in another form: an OFX download (FITIDs) beside the CSV of the same
months, or a re-export whose descriptors changed case or were cut to 32 characters. Stored
twice, every charge in the overlap became a "double charge" with a refund request.

A row of a new file is such a copy when a row of another file of the same account has the same
amount to the cent, the same merchant (normalised descriptor, or one cut short of the other) and
the same date, or a date at most :data:`NEAR_DAYS` apart inside both files' date ranges (one
export giving the transaction date, the other the posting date). Rows pair one to one, so a
charge billed twice in one file and stored twice from another stays twice: only the second
file's copies go. Rows of one file are never paired with each other: identical charges in one
statement are two charges.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..store import Store

#: Two exports of one charge may date it by transaction or by posting: a few days apart at most.
NEAR_DAYS = 3
#: A descriptor cut short (OFX ``NAME`` holds 32 characters) is still the same merchant when
#: this much of it is left.
MIN_PREFIX = 8


def drop_copies_from_other_files(store: Store, df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``df`` (one file's canonical rows) without the charges other files already stored; and
    how many rows went."""
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
        "SELECT t.transaction_id, t.account_id, t.date, t.amount, t.description, t.source_file "
        "FROM json_each(?) AS a JOIN transactions AS t ON t.account_id = a.value "
        "WHERE t.date BETWEEN ? AND ? AND t.source_file IS NOT ?",
        store.conn, params=[accounts, lo, hi, path])
    if stored.empty:
        return df, 0
    # A row whose id is stored is the same file again: the id finds it, it is no copy here.
    new_ids = set(df["transaction_id"].tolist())
    stored = stored[[i not in new_ids for i in stored["transaction_id"].tolist()]]
    stored_ids = set(stored["transaction_id"].tolist())
    new = df.reset_index(drop=True)  # rows by position: an importer's index need not be unique
    new = new[[i not in stored_ids for i in new["transaction_id"].tolist()]]
    pairs = _pairs(new, stored)
    if pairs.empty:
        return df, 0
    pairs = _same_merchant(pairs)
    pairs = _within_both_files(store, pairs, new)
    copies = _one_to_one(pairs)
    if not copies:
        return df, 0
    keep = np.ones(len(df), dtype=bool)
    keep[list(copies)] = False
    return df[keep], len(copies)


def _cents(amount: pd.Series) -> pd.Series:
    return (pd.to_numeric(amount, errors="coerce") * 100).round().astype("Int64")


def _pairs(new: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """Every (new row, stored row) of one account and amount at most NEAR_DAYS apart."""
    a = pd.DataFrame({"row": new.index, "account_id": new["account_id"].to_numpy(),
                      "cents": _cents(new["amount"]).to_numpy(), "ts": pd.to_datetime(new["date"]).to_numpy(),
                      "desc": new["description"].fillna("").astype(str).to_numpy()})
    b = pd.DataFrame({"sid": stored["transaction_id"].to_numpy(), "account_id": stored["account_id"].to_numpy(),
                      "cents": _cents(stored["amount"]).to_numpy(), "s_ts": pd.to_datetime(stored["date"]).to_numpy(),
                      "s_desc": stored["description"].fillna("").astype(str).to_numpy(),
                      "s_file": stored["source_file"].to_numpy()})
    a, b = a.dropna(subset=["cents"]), b.dropna(subset=["cents"])
    # one merge per day apart, on the exact date: merging on account and amount alone pairs a
    # daily coffee's every charge with every other (n squared rows for a re-exported year)
    parts = []
    for shift in range(-NEAR_DAYS, NEAR_DAYS + 1):
        j = a.assign(s_ts=a["ts"] - pd.Timedelta(days=shift)).merge(b, on=["account_id", "cents", "s_ts"])
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


def _within_both_files(store: Store, pairs: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Pairs on the same date, or a few days apart with each row inside the other's file.

    A charge after the stored file's last date is news, however close to one it had."""
    if pairs.empty:
        return pairs
    exact = pairs["days"] == 0
    near = pairs[~exact]
    if near.empty:
        return pairs
    accounts = json.dumps(near["account_id"].unique().tolist())
    spans = pd.read_sql_query(
        "SELECT t.account_id, t.source_file AS s_file, min(t.date) AS s_lo, max(t.date) AS s_hi "
        "FROM json_each(?) AS a JOIN transactions AS t ON t.account_id = a.value "
        "GROUP BY t.account_id, t.source_file", store.conn, params=[accounts])
    near = near.merge(spans, on=["account_id", "s_file"], how="left")
    new_ts = pd.to_datetime(new["date"]).groupby(new["account_id"])
    near["lo"], near["hi"] = near["account_id"].map(new_ts.min()), near["account_id"].map(new_ts.max())
    inside = ((near["ts"] >= pd.to_datetime(near["s_lo"])) & (near["ts"] <= pd.to_datetime(near["s_hi"]))
              & (near["s_ts"] >= near["lo"]) & (near["s_ts"] <= near["hi"]))
    return pd.concat([pairs[exact], near[inside.to_numpy()][pairs.columns]], ignore_index=True)


def _one_to_one(pairs: pd.DataFrame) -> set:
    """The new rows paired with a stored row, each row in one pair at most, closest dates first."""
    if pairs.empty:
        return set()
    taken_new: set = set()
    taken_stored: set = set()
    for row, sid in pairs.sort_values(["days", "row"], kind="stable")[["row", "sid"]].itertuples(index=False):
        if row in taken_new or sid in taken_stored:
            continue
        taken_new.add(row)
        taken_stored.add(sid)
    return taken_new
