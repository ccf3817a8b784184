"""Command-line interface: ``subdetect``. A thin layer over the library."""

from __future__ import annotations

# Each module registers its commands on ``cli`` when imported (one line each keeps merges clean).
from . import (
    accounts,  # noqa: F401
    decisions,  # noqa: F401
    ingest,  # noqa: F401
    nightly,  # noqa: F401
    notes,  # noqa: F401
    plaid,  # noqa: F401
    refunds,  # noqa: F401
    scan,  # noqa: F401
    transactions,  # noqa: F401
    vendors,  # noqa: F401
)
from .app import cli

main = cli

__all__ = ["cli", "main"]
