"""Long work reports progress: ``scan`` and ``run_detection`` stages, and bars on a terminal only."""

from __future__ import annotations

import io
import sys

import pandas as pd

from detector import pipeline
from detector.cli.progress import RichProgress, terminal_progress
from detector.pipeline import run_detection, scan
from detector.progress import NoProgress
from detector.store import Store
from detector.synth import generate

AS_OF = "2024-12-31"
COLUMNS = ["account_id", "transaction_id", "date", "description", "amount", "currency"]


class Recorder:
    """Keeps every stage and how far each was advanced."""

    def __init__(self):
        self.stages: list[tuple[str, int | None]] = []
        self.done: dict[str, int] = {}

    def stage(self, name, total):
        self.stages.append((name, total))
        self.done.setdefault(name, 0)

    def advance(self, name, step=1):
        assert name in self.done, f"{name} advanced before it started"
        self.done[name] += step


def _files(tmp_path, n_accounts=6, parts=2):
    tx, _ = generate(n_accounts, "2023-06-01", AS_OF, seed=3)
    accounts = sorted(tx["account_id"].unique())
    paths = []
    for i in range(parts):
        part = tx[tx["account_id"].isin(accounts[i::parts])]
        path = tmp_path / f"part{i}.csv"
        part[COLUMNS].to_csv(path, index=False)
        paths.append(str(path))
    return paths, len(tx)


def test_scan_reports_reading_detecting_saving(tmp_path, monkeypatch):
    paths, rows = _files(tmp_path)
    monkeypatch.setattr(pipeline, "DETECT_BATCH_ROWS", 300)  # several detection batches
    seen = Recorder()
    scan(paths, Store(tmp_path / "s.db"), AS_OF, progress=seen)
    assert [name for name, _ in seen.stages] == ["read", "detect", "save"]
    totals = dict(seen.stages)
    assert totals["read"] == 2 and seen.done["read"] == 2
    # every transaction is counted once, batch by batch, and the bar ends full
    assert totals["detect"] == rows and seen.done["detect"] == rows


def test_detection_over_the_store_counts_stored_rows(tmp_path, monkeypatch):
    paths, rows = _files(tmp_path)
    store = Store(tmp_path / "s.db")
    scan(paths, store, AS_OF)
    monkeypatch.setattr(pipeline, "DETECT_BATCH_ROWS", 300)
    seen = Recorder()
    again = run_detection(store, AS_OF, progress=seen)
    stored = store.conn.execute("SELECT COUNT(*) FROM transactions WHERE date <= ?", [AS_OF]).fetchone()[0]
    assert dict(seen.stages)["detect"] == stored == seen.done["detect"] == rows
    # watching changes nothing
    plain = run_detection(store, AS_OF)
    pd.testing.assert_frame_equal(again.streams, plain.streams)


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_bars_only_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with terminal_progress() as progress:
        assert isinstance(progress, NoProgress)
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    paths, _ = _files(tmp_path, n_accounts=2, parts=1)
    with terminal_progress() as progress:
        assert isinstance(progress, RichProgress)
        scan(paths, Store(tmp_path / "t.db"), AS_OF, progress=progress)
    drawn = tty.getvalue()
    assert "read" in drawn and "detect" in drawn and "save" in drawn
