"""subscription-detector: find recurring charges, flag unexpected renewals, prepare refund requests.

The library is the product; ``subdetect`` is a thin CLI over it. Everything the CLI does is a
few imports away::

    from detector import Store
    store = Store("subdetect.db")
    tx = store.transactions()
"""

from __future__ import annotations

from .catalog import load_vendors
from .decisions import (
    apply_decisions,
    load_cancellations_file,
    load_decisions,
    record_cancellation,
    record_dismissal,
    record_stream_cancellation,
    resolve_cancellations,
)
from .errors import DetectorError
from .flags import flag_charges
from .importers import IngestResult, Statement, ingest_files, read_statement
from .memory import tune_allocation
from .nightly import run_nightly
from .normalize import normalize_descriptors
from .recurrence import detect_streams
from .report import render_scan
from .schema import FLAG_TYPES, FREQUENCIES, TRANSACTION_COLUMNS
from .store import Store

tune_allocation()  # before any large array is made: see detector.memory

__all__ = [
    "FLAG_TYPES",
    "FREQUENCIES",
    "TRANSACTION_COLUMNS",
    "DetectorError",
    "IngestResult",
    "MerchantMatcher",
    "Statement",
    "Store",
    "apply_decisions",
    "detect_streams",
    "enrich",
    "flag_charges",
    "ingest_files",
    "load_cancellations_file",
    "load_decisions",
    "load_vendors",
    "normalize_descriptors",
    "read_statement",
    "record_cancellation",
    "record_dismissal",
    "record_stream_cancellation",
    "render_scan",
    "resolve_cancellations",
    "run_nightly",
]
__version__ = "0.1.0"

_LAZY = {"MerchantMatcher": "match", "enrich": "match", "detect_streams": "recurrence"}


def __getattr__(name: str):
    # detector.match pulls in scikit-learn (slow to import); load it on first use only, so
    # `import detector` and CLI commands that never match stay quick.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
