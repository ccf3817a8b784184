"""The independent generator (pipelines.indep_gen): deterministic per seed, the eval file formats,
truth consistent with the transactions, and the flag labeller's rules."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from pipelines.indep_gen import generate, write_set
from pipelines.indep_gen.brands import SUBSCRIPTIONS, Brand
from pipelines.indep_gen.streams import Charge, Plan, _label

FREQS = {"weekly", "biweekly", "semimonthly", "monthly", "quarterly", "semiannual", "annual"}
TYPES = {"annual_renewal", "trial_conversion", "price_increase", "duplicate_charge", "charge_after_cancellation"}
FILES = ("tx.csv", "truth.json", "truth_first_charge_never_renewal.json", "cancellations.csv",
         "truth_meta.json", "tx_labels.csv")


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    return write_set(tmp_path_factory.mktemp("indep") / "a", accounts=12, seed=5, months=14)


def test_same_seed_same_files_other_seed_other_data(small_set, tmp_path):
    again = write_set(tmp_path / "b", accounts=12, seed=5, months=14)
    for name in FILES:
        assert (small_set / name).read_bytes() == (again / name).read_bytes(), name
    other = write_set(tmp_path / "c", accounts=12, seed=6, months=14)
    assert (other / "tx.csv").read_bytes() != (small_set / "tx.csv").read_bytes()


def test_files_have_the_eval_formats(small_set):
    tx = pd.read_csv(small_set / "tx.csv", dtype={"transaction_id": str})
    assert list(tx.columns) == ["account_id", "transaction_id", "date", "description", "amount"]
    assert tx["transaction_id"].is_unique and len(tx) > 1000
    assert pd.to_datetime(tx["date"], format="%Y-%m-%d").notna().all()
    assert (tx["amount"] < 0).mean() > 0.8 and (tx["amount"] > 0).any()  # money out is negative
    cancels = pd.read_csv(small_set / "cancellations.csv")
    assert list(cancels.columns) == ["account_id", "merchant", "cancelled_on"]
    truth = json.loads((small_set / "truth.json").read_text())
    assert set(truth) >= {"streams", "flags"} and truth["streams"]
    for s in truth["streams"]:
        assert set(s) == {"account_id", "transaction_ids", "frequency", "merchant"}
        assert s["frequency"] in FREQS and s["merchant"]
    assert {f["type"] for f in truth["flags"]} <= TYPES


def test_truth_is_consistent_with_the_transactions(small_set):
    tx = pd.read_csv(small_set / "tx.csv", dtype={"transaction_id": str}).set_index("transaction_id")
    truth = json.loads((small_set / "truth.json").read_text())
    for s in truth["streams"]:
        rows = tx.loc[s["transaction_ids"]]
        assert (rows["account_id"] == s["account_id"]).all()
        assert (rows["amount"] < 0).all()
        assert len(rows) >= (2 if s["frequency"] in ("semiannual", "annual") else 3)
        assert list(rows["date"]) == sorted(rows["date"])
    assert all(f["transaction_id"] in tx.index for f in truth["flags"])
    alt = json.loads((small_set / "truth_first_charge_never_renewal.json").read_text())
    firsts = {s["transaction_ids"][0] for s in truth["streams"]}
    dropped = [f for f in truth["flags"] if f not in alt["flags"]]
    assert all(f["type"] == "annual_renewal" for f in dropped)
    assert all(f["transaction_id"] in firsts or f["transaction_id"] in set(truth["minor_ids"]) for f in dropped)
    assert alt["streams"] == truth["streams"]


def test_an_account_depends_only_on_seed_and_index():
    small, big = generate(3, seed=9, months=8), generate(5, seed=9, months=8)
    first3 = big.tx[big.tx["account_id"].isin(small.tx["account_id"].unique())].reset_index(drop=True)
    pd.testing.assert_frame_equal(small.tx, first3)


def test_sequential_ids_follow_statement_order():
    g = generate(2, seed=3, months=6, ids="sequential")
    for _, rows in g.tx.groupby("account_id"):
        assert list(rows["transaction_id"]) == sorted(rows["transaction_id"])


def _plan(freq: str, started_before: bool, brand: Brand | None = None) -> Plan:
    b = brand or next(x for x in SUBSCRIPTIONS if x.name == "Netflix")
    p = Plan(b, freq, 10.0, "subscription")
    p.started_before = started_before
    return p


def _charges(spec):
    return [Charge(date(2024, 1, 1 + i), base, role=role, date=date(2024, 1, 1 + i), amount=-base)
            for i, (base, role) in enumerate(spec)]


def test_label_trial_conversion_price_increase_and_duplicate():
    ch = _charges([(0.0, "trial0"), (10.0, "regular"), (10.0, "regular"), (10.49, "regular"),
                   (10.49, "dup"), (10.99, "regular"), (10.99, "regular")])
    _label(_plan("monthly", False), ch, None)
    assert [c.flags for c in ch] == [[], ["trial_conversion"], [], [], ["duplicate_charge"], [], []]
    # 10.00 -> 10.49 is +4.9%: not an increase; 10.49 -> 10.99 is +4.8%; 10.00 -> 10.50 is +5%: flagged
    ch = _charges([(10.0, "regular"), (10.0, "regular"), (10.5, "regular")])
    _label(_plan("monthly", True), ch, None)
    assert ch[2].flags == ["price_increase"]


def test_label_annual_renewals_and_charges_after_cancellation():
    ch = _charges([(99.0, "regular"), (99.0, "regular")])
    _label(_plan("annual", started_before=True), ch, None)
    assert [c.flags for c in ch] == [["annual_renewal"], ["annual_renewal"]]
    ch = _charges([(99.0, "regular"), (99.0, "regular")])
    _label(_plan("annual", started_before=False), ch, None)
    assert [c.flags for c in ch] == [[], ["annual_renewal"]]
    ch = _charges([(49.0, "intro"), (99.0, "regular")])
    _label(_plan("annual", started_before=False), ch, None)
    assert ch[1].flags == ["trial_conversion", "annual_renewal"]
    ch = _charges([(10.0, "regular"), (10.0, "regular"), (10.0, "regular")])
    _label(_plan("monthly", True), ch, cancelled_on=ch[1].date)  # the cancellation day itself is not after
    assert [c.flags for c in ch] == [[], [], ["charge_after_cancellation"]]
