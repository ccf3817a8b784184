"""The error analysis of missed flags whose plan no stream holds (pipelines.flag_misses, apps28)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from detector.match import enrich
from detector.working_frame import _prepare
from pipelines.eval_flags import detect_and_flag
from pipelines.flag_misses import GROUPS, main, missed_plans, why_missed
from pipelines.indep_analysis import match


def _account(rows: list[tuple[dt.date, str, float]]) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Invented charges of one account, enriched by the real merchant stage: (frame, ids, tx)."""
    tx = pd.DataFrame(rows, columns=["date", "description", "amount"])
    tx["date"] = [d.isoformat() for d in tx["date"]]
    tx["amount"] = -tx["amount"]
    tx = tx.assign(account_id="A1", transaction_id=[f"t{i:03d}" for i in range(len(tx))], currency="USD",
                   source="test", source_file="", source_line=0)
    tx = enrich(tx)
    df, text = _prepare(tx, tx["date"].max())
    return df, np.asarray(text.column("transaction_id"), dtype=str), tx


def _ids(tx: pd.DataFrame, text: str) -> set:
    return set(tx.loc[tx["description"] == text, "transaction_id"])


START = dt.date(2024, 1, 5)


def test_a_plan_of_three_charges_has_too_few():
    df, tids, tx = _account([(START + dt.timedelta(days=30 * k), "NETFLIX.COM", 15.49) for k in range(3)])
    assert why_missed(df, tids, _ids(tx, "NETFLIX.COM"), "monthly") == "too few charges"


def test_a_plan_the_candidates_find_is_found_then_lost():
    # a steady plan: its candidate scores, so a plan no stream matched was lost after scoring
    df, tids, tx = _account([(START + dt.timedelta(days=30 * k), "NETFLIX.COM", 15.49) for k in range(10)])
    assert why_missed(df, tids, _ids(tx, "NETFLIX.COM"), "monthly") == "found, then lost"


def test_a_plan_sharing_every_candidate_with_other_charges_is_mixed():
    # "the plan" is every third charge of one weekly run: no candidate (the run, its four-weekly
    # echo chains) is mostly its charges
    df, tids, tx = _account([(START + dt.timedelta(days=7 * k), "HELLOFRESH", 69.99) for k in range(24)])
    every_third = set(tx.sort_values("date")["transaction_id"].iloc[::3])
    assert why_missed(df, tids, every_third, "weekly") == "mixed with other charges"


def test_varying_round_sums_are_ruled_out():
    # cash sent each month in round sums that vary: ruled out whatever the scorer says
    sums = [200.0, 300.0, 250.0, 400.0, 200.0, 350.0, 300.0, 250.0]
    df, tids, tx = _account([(START + dt.timedelta(days=30 * k), "ZELLE TO J SMITH", a) for k, a in enumerate(sums)])
    assert why_missed(df, tids, _ids(tx, "ZELLE TO J SMITH"), "monthly") == "ruled out"


def test_missed_plans_lists_unraised_true_flags_of_unmatched_plans_only(tmp_path):
    from detector.synth import write_eval_set

    folder = write_eval_set(tmp_path / "s", 40, seed=502)  # a dev seed
    tx, truth, streams, flags = detect_and_flag(folder)
    misses = missed_plans(tx, truth, streams, flags)
    report = {"streams": [dict(s, transaction_ids=list(s["transaction_ids"])) for s in streams.to_dict("records")]}
    unmatched = {ti for ti, pi, _ in match(truth, report)[1] if pi is None}
    raised = set(zip(flags["type"], flags["transaction_id"].astype(str)))
    true = {(f["type"], str(f["transaction_id"])) for f in truth["flags"]}
    for r in misses.itertuples():
        assert (r.type, r.transaction_id) in true and (r.type, r.transaction_id) not in raised
        assert r.plan in unmatched and r.transaction_id in map(str, truth["streams"][r.plan]["transaction_ids"])
        assert r.why in GROUPS
    # and every such flag is listed
    plan_of = {str(t): k for k, s in enumerate(truth["streams"]) for t in s["transaction_ids"]}
    expected = {x for x in true - raised if plan_of.get(x[1]) in unmatched}
    assert set(zip(misses["type"], misses["transaction_id"])) == expected


def test_held_out_seeds_are_refused():
    with pytest.raises(SystemExit):
        main(["--seeds", "901"])


def test_a_plan_whose_intervals_fit_no_frequency_has_no_cadence():
    # five charges 37, 24, 41 and 21 days apart (a biller late, then retrying): no cadence is read
    days = [0, 37, 61, 102, 123]
    df, tids, tx = _account([(START + dt.timedelta(days=d), "STATE FARM RO 27", 145.77) for d in days])
    assert why_missed(df, tids, _ids(tx, "STATE FARM RO 27"), "monthly") == "no cadence"
