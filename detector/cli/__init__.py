"""Command-line interface: ``subdetect``. A thin layer over the library."""

from __future__ import annotations

from .app import cli

# Each module registers its commands on ``cli`` when imported (one line each keeps merges clean).
from . import ingest  # noqa: E402,F401
from . import scan  # noqa: E402,F401
from . import transactions  # noqa: E402,F401
from . import refunds  # noqa: E402,F401
from . import decisions  # noqa: E402,F401
from . import vendors  # noqa: E402,F401
from . import plaid  # noqa: E402,F401
from . import nightly  # noqa: E402,F401

main = cli

__all__ = ["cli", "main"]
