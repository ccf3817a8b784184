from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from detector.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


@pytest.fixture
def store(tmp_path) -> Store:
    """A real SQLite file in a temporary folder."""
    s = Store(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
