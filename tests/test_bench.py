"""Smoke test of the benchmark: tiny N, output shape only (speed is never asserted)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from detector.bench import CSV_COLUMNS, Meter, TreeUsage, make_csv, markdown_table, run_bench

pytestmark = pytest.mark.slow


def test_meter_records_time_and_peak_memory():
    meter = Meter()
    with meter("alloc"):
        block = bytearray(64 * 1024 * 1024)
    del block
    step = meter.steps["alloc"]
    assert step["seconds"] >= 0 and step["cpu_seconds"] >= 0
    assert step["peak_mb"] >= 64


def test_tree_usage_counts_the_memory_and_cpu_of_child_processes():
    # a worker's memory is not this process's peak: the tree's is
    # 200 MB written (not just reserved), then a second of CPU (not of wall time, on a busy box)
    code = "b = b'x' * (200 * 2**20); import time; t = time.process_time()\nwhile time.process_time() - t < 1: pass"
    with TreeUsage(interval=0.05) as tree:
        subprocess.run([sys.executable, "-c", code], check=True)
    assert tree.peak_mb >= 200
    assert tree.cpu_seconds >= 0.5


def test_make_csv_writes_the_generic_layout(tmp_path):
    facts = make_csv(3000, tmp_path / "b.csv", seed=2)
    header = (tmp_path / "b.csv").read_text().splitlines()[0].split(",")
    assert header == CSV_COLUMNS
    assert 1500 <= facts["rows"] <= 6000 and facts["descriptors"] > 10


def test_bench_runs_every_stage_and_the_scan(tmp_path):
    results = run_bench([2500], tmp_path, seed=1)
    (row,) = results
    assert set(row.stages["steps"]) == {"parse", "normalise", "match", "detect", "flag", "store", "report"}
    assert row.stages["rows"] == row.rows and row.stages["streams"] > 0
    assert row.scan["streams"] == row.stages["streams"]
    assert row.ratio > 0
    assert row.cpu_ratio == pytest.approx(row.scan["cpu_seconds"] / row.read_csv["cpu_seconds"])
    table = markdown_table(results)
    # read_csv, 7 stages, scan; the generator makes "about" 2,500 rows from a handful of accounts
    assert table.count(f"\n| {row.rows:,} |") == 9
    assert "**scan**" in table and "CPUs" in table


def test_bench_times_the_scan_on_workers(tmp_path):
    (row,) = run_bench([2500], tmp_path, seed=1, stages=False, workers=[2])
    (job,) = row.extra["scan_workers"]
    assert job["workers"] == 2 and job["streams"] == row.scan["streams"] and job["flags"] == row.scan["flags"]
    assert "scan, 2 workers" in markdown_table([row])
