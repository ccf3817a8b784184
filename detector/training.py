"""Labelled training rows for the stream scorer, built from the synthetic generator's truth.

A candidate (whole merchant group, amount cluster, echo chain or gap segment, see
:mod:`detector.recurrence`) is a positive when its transactions overlap one true stream with
Jaccard >= 0.5 — the same rule ``shared/eval/score.py`` uses to match streams — and at least
``MIN_PURITY`` of its charges belong to that stream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cadence import feature_matrix
from .confidence import live
from .recurrence import candidates
from .schema import FREQUENCIES
from .spending_rules import ruled_out
from .working_frame import _prepare

#: Share of a positive candidate's charges that must belong to the true stream it matches.
MIN_PURITY = 0.75


def _true_streams(truth: dict) -> list[dict]:
    """Outflow and inflow streams together, in the order :func:`truth_index` numbers them."""
    return list(truth.get("streams", [])) + list(truth.get("inflow_streams", []))


def truth_index(truth: dict) -> pd.Series:
    """transaction_id -> index of its true stream (outflow and inflow streams together)."""
    streams = _true_streams(truth)
    ids = [t for s in streams for t in s["transaction_ids"]]
    idx = np.repeat(np.arange(len(streams)), [len(s["transaction_ids"]) for s in streams])
    return pd.Series(idx, index=pd.Index(ids, dtype=object))


def label_candidates(tx: pd.DataFrame, truth: dict, as_of, scorer) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Features ``X``, labels ``y`` and the candidate stats for enriched synthetic transactions."""
    df, text = _prepare(tx, as_of)
    st, ids, _ = candidates(df, scorer)
    tix = truth_index(truth)
    row_truth = tix.reindex(text["transaction_id"]).fillna(-1).to_numpy().astype(np.int64)
    truth_size = np.bincount(tix.to_numpy()) if len(tix) else np.zeros(0, int)
    cand = ids["cand"]
    rt = row_truth[ids["rows"]]
    pairs = pd.DataFrame({"cand": cand, "t": rt})
    pairs = pairs[pairs["t"] >= 0].groupby(["cand", "t"]).size().rename("overlap").reset_index()
    pairs["n_cand"] = st["n"].reindex(pairs["cand"]).to_numpy()
    pairs["n_truth"] = truth_size[pairs["t"].to_numpy()]
    pairs["jaccard"] = pairs["overlap"] / (pairs["n_cand"] + pairs["n_truth"] - pairs["overlap"])
    # a match must also be mostly that stream: a merchant group holding a fee, its repayments
    # and loose charges overlaps the repayments with Jaccard 0.5 yet is no stream anyone would
    # want reported (all its transactions would count as recurring)
    pairs["match"] = (pairs["jaccard"] >= 0.5) & (pairs["overlap"] >= MIN_PURITY * pairs["n_cand"])
    best = pairs.groupby("cand")["match"].max()
    y = best.reindex(st.index).fillna(False).to_numpy().astype(int)
    # a piece of one true stream at the stream's own cadence (its charges before a price rise,
    # a stretch with a skipped month) is neither a stream of its own nor a non-stream: as a
    # negative it would teach that a steady series sharing its merchant with other charges is
    # not recurring, yet selection joins such pieces anyway. Taught as negatives, short or
    # gappy pieces had the model score a finance app's monthly fee, four charges to the cent,
    # at 0.05 because the app's advance repayments share its name: a clean series making up 40%
    # of its merchant's charges was what pieces look like. A piece at another cadence (every
    # third bill of a monthly phone bill, cut out by amount) is a wrong cut and stays a
    # negative, and so do two-charge pieces (a trial month at another price): two charges are
    # what coincidences look like too.
    purity = (pairs["overlap"] / pairs["n_cand"]).groupby(pairs["cand"]).max()
    true_freq = np.array([FREQUENCIES.index(s["frequency"]) if s.get("frequency") in FREQUENCIES else -1
                          for s in _true_streams(truth)] + [-1], dtype=np.int64)  # -1: in no stream
    main_t = pairs.sort_values("overlap").groupby("cand")["t"].last()
    own_cadence = true_freq[main_t.reindex(st.index).fillna(-1).to_numpy().astype(np.int64)]
    fragment = ((purity.reindex(st.index).fillna(0).to_numpy() >= 1.0) & (y == 0) & (st["n"].to_numpy() >= 3)
                & (own_cadence == st["freq_idx"].to_numpy()))
    # one-charge and cadence-less candidates are never scored, and a bank's event fees and
    # varying round sums are no streams whatever the score (``ruled_out``), so they teach
    # nothing: as negatives, ATM fees charged twice a year apart at one price made the model
    # doubt two-charge yearly plans. Price points are kept: a plan's price among look-alike
    # purchases is what they are for.
    ok = live(st) & ~fragment & ~ruled_out(st, df)
    X, y, st = feature_matrix(st[ok]), y[ok], st[ok]
    # rows in an order set by their content alone, so a retrain gives the same trees however
    # candidates happened to be numbered
    order = np.lexsort(np.c_[X, y].T[::-1])
    return X[order], y[order], st.iloc[order]
