"""Floors on the shared evaluation sets (measured values minus a margin; never tuned to them)."""

from __future__ import annotations

import pytest

from pipelines import eval_streams


@pytest.fixture(scope="module")
def ev():
    try:
        return eval_streams.eval_dir()
    except FileNotFoundError:
        pytest.skip("shared/eval not present")


def test_berka_standing_orders(ev, tmp_path):
    m = eval_streams.run_set("berka", ev / "berka", tmp_path)
    assert m["stream_f1"] >= 0.95 and m["frequency_accuracy"] >= 0.95, m


def test_recur_scan_transactions(ev, tmp_path):
    m = eval_streams.run_set("recur_scan", ev / "recur_scan", tmp_path)
    assert m["tx_f1"] >= 0.55, m
