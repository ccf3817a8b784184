"""Detection on generated accounts: per-account runs equal one run over all, quality floor."""

from __future__ import annotations

import pandas as pd
import pytest

from detector.match import enrich
from detector.recurrence import detect_streams
from detector.synth import generate


@pytest.fixture(scope="module")
def synth():
    tx, truth = generate(25, "2023-01-01", "2024-12-31", seed=31)
    return enrich(tx), truth


def _canon(df: pd.DataFrame) -> pd.DataFrame:
    out = df.assign(transaction_ids=df["transaction_ids"].map(tuple))
    return out.sort_values("stream_id").reset_index(drop=True)


def _one_charge_streams_are_yearly_switches(s: pd.DataFrame) -> None:
    """Every stream has two charges or more, but the yearly plan a monthly plan moved to
    (docs/detection.md, "A switch to yearly billing"), which says so."""
    lone = s[s["transaction_ids"].map(len) < 2]
    assert (lone["frequency"] == "annual").all(), lone
    assert lone["evidence"].str.startswith("switched to yearly billing").all(), lone


def test_per_account_equals_all_at_once(synth):
    tx, _ = synth
    whole = detect_streams(tx, "2024-12-31")
    parts = pd.concat([detect_streams(g, "2024-12-31") for _, g in tx.groupby("account_id")], ignore_index=True)
    pd.testing.assert_frame_equal(_canon(whole), _canon(parts))
    assert whole["stream_id"].is_unique
    # no stream of one charge, whose evidence read "about every -9223372036854775808 days"
    _one_charge_streams_are_yearly_switches(whole)
    assert not whole["evidence"].str.contains("every -").any()


def test_streams_match_generator_truth(synth):
    tx, truth = synth
    s = detect_streams(tx, "2024-12-31")
    pred = [set(x) for x in s.loc[s["direction"] == "outflow", "transaction_ids"]]
    found = 0
    for t in truth["streams"]:
        ids = set(t["transaction_ids"])
        found += any(len(ids & p) / len(ids | p) >= 0.5 for p in pred)
    recall = found / len(truth["streams"])
    precision = found / max(len(pred), 1)
    assert recall >= 0.85 and precision >= 0.85, (recall, precision)
    assert set(s["status"]) <= {"early", "active", "ended"}
    _one_charge_streams_are_yearly_switches(s)
    assert (s["average_amount"] > 0).all() and (s["next_date"] > s["last_date"]).all()


def test_staged_scoring_picks_what_scoring_every_candidate_picks(synth):
    """With the threshold given, the parts of clusters that a whole group or cluster already
    covers are not scored; the candidates that are scored have the same features and
    confidences, and the selection is the same as with every candidate scored."""
    import numpy as np

    from detector.recurrence import DEFAULT_MIN_CONFIDENCE, candidates, default_scorer
    from detector.selection import _select
    from detector.working_frame import _prepare

    tx, _ = synth
    df, _ = _prepare(tx, "2024-12-31")
    st_all, ids, p_all = candidates(df, default_scorer())
    st, _, p = candidates(df, default_scorer(), DEFAULT_MIN_CONFIDENCE)
    assert len(st) < len(st_all) and st.index.is_monotonic_increasing
    at = st_all.index.get_indexer(st.index)
    assert (at >= 0).all()
    pd.testing.assert_frame_equal(st, st_all.iloc[at])
    assert np.array_equal(p, p_all[at])
    assert np.array_equal(_select(df, st, ids, p, DEFAULT_MIN_CONFIDENCE),
                          _select(df, st_all, ids, p_all, DEFAULT_MIN_CONFIDENCE))


def test_rescoring_only_changed_streams_gives_every_streams_score(synth):
    # detect_streams scores its streams again after undoing a few joins; _rescore puts only the
    # streams whose features changed to the scorer and must answer what _score of all answers
    import numpy as np

    from detector.confidence import _rescore, _score, _stats, as_alone
    from detector.recurrence import default_scorer
    from detector.working_frame import _prepare

    tx, _ = synth
    df, _ = _prepare(tx, "2024-12-31")
    scorer = default_scorer()
    alone = np.zeros(0, dtype=np.int64)
    assign = df["group"].to_numpy().astype(np.int64)
    before = as_alone(_stats(df, assign), alone)
    conf = _score(before, scorer, df)
    # a few streams lose a charge, one is undone, one new stream takes rows of no stream before
    changed = assign.copy()
    groups = np.unique(assign)
    for g in groups[:3]:
        changed[np.flatnonzero(assign == g)[-1]] = -1
    changed[assign == groups[3]] = -1
    changed[np.flatnonzero(assign == groups[4])[:2]] = assign.max() + 1
    after = as_alone(_stats(df, changed), alone)

    class Counting:
        rows = 0

        def predict_proba(self, x):
            Counting.rows += len(x)
            return scorer.predict_proba(x)

    got = _rescore(after, Counting(), df, before, conf)
    np.testing.assert_array_equal(got, _score(after, scorer, df))
    assert Counting.rows < len(after) // 2  # (the unchanged streams were not predicted again)
    # nothing in common, or nothing changed: the same answers
    np.testing.assert_array_equal(_rescore(after, scorer, df, before.iloc[:0], conf[:0]), _score(after, scorer, df))
    np.testing.assert_array_equal(_rescore(before, scorer, df, before, conf), conf)
