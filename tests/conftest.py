from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from detector.store import Store
from tests import _stress  # noqa: F401 - registers (and with HYPOTHESIS_PROFILE=stress loads) `make stress`'s profile

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


@pytest.fixture(autouse=True)
def _no_terminal_size(monkeypatch):
    """The tables' width comes from ``COLUMNS`` when set: a shell that exports it does not change
    what the tests read (a test that wants a width sets it)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


@pytest.fixture
def store(tmp_path) -> Store:
    """A real SQLite file in a temporary folder."""
    s = Store(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def world(monkeypatch):
    """A stand-in Plaid server on 127.0.0.1 with the two-item scenario; PLAID_* env point at it."""
    from tests.plaid_scenario import build_world, plaid_env

    with build_world() as server:
        plaid_env(monkeypatch, server)
        yield server
