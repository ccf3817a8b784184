"""subscription-detector: find recurring charges, flag unexpected renewals, prepare refund requests.

The library is the product; ``subdetect`` is a thin CLI over it. Everything the CLI does is a
few imports away::

    from detector import Store
    store = Store("subdetect.db")
    tx = store.transactions()
"""

from __future__ import annotations

from .catalog import load_vendors
from .errors import DetectorError
from .normalize import normalize_descriptors
from .schema import FLAG_TYPES, FREQUENCIES, TRANSACTION_COLUMNS
from .store import Store

__all__ = [
    "DetectorError",
    "FLAG_TYPES",
    "FREQUENCIES",
    "MerchantMatcher",
    "Store",
    "TRANSACTION_COLUMNS",
    "enrich",
    "load_vendors",
    "normalize_descriptors",
]
__version__ = "0.1.0"

_LAZY = {"MerchantMatcher": "match", "enrich": "match"}


def __getattr__(name: str):
    # detector.match pulls in scikit-learn (slow to import); load it on first use only, so
    # `import detector` and CLI commands that never match stay quick.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
