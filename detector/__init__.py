"""subscription-detector: find recurring charges, flag unexpected renewals, prepare refund requests.

The library is the product; ``subdetect`` is a thin CLI over it. Everything the CLI does is a
few imports away::

    from detector import Store
    store = Store("subdetect.db")
    tx = store.transactions()
"""

from __future__ import annotations

from .errors import DetectorError
from .recurrence import detect_streams
from .schema import FLAG_TYPES, FREQUENCIES, TRANSACTION_COLUMNS
from .store import Store

__all__ = [
    "DetectorError",
    "FLAG_TYPES",
    "FREQUENCIES",
    "Store",
    "TRANSACTION_COLUMNS",
    "detect_streams",
]
__version__ = "0.1.0"
