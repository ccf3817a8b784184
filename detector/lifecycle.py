"""The refund-request status lifecycle.

::

    Candidate ──file──> Pending ──> Processing ──> Refunded ───────────┐
        │                  │            │      └──> Partially Refunded ─┴──> Completed
        └──────────────────┴────────────┴──> Canceled

``Candidate`` is ours (queued by the detector, not sent yet); the others are the vendors' own
statuses. Any move not drawn above raises :class:`InvalidTransition` listing the allowed moves.
"""

from __future__ import annotations

import re

from .errors import InvalidTransition
from .schema import REFUND_STATUSES

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "Candidate": ("Pending", "Canceled"),
    "Pending": ("Processing", "Canceled"),
    "Processing": ("Refunded", "Partially Refunded", "Canceled"),
    "Refunded": ("Completed",),
    "Partially Refunded": ("Completed",),
    "Completed": (),
    "Canceled": (),
}

_KEYS = {re.sub(r"[^a-z]", "", s.lower()): s for s in REFUND_STATUSES}
_KEYS["cancelled"] = "Canceled"


def parse_status(text: str) -> str:
    """'partially-refunded', 'PARTIALLY_REFUNDED', 'Partially Refunded' -> 'Partially Refunded'."""
    key = re.sub(r"[^a-z]", "", str(text).lower())
    if key not in _KEYS:
        raise InvalidTransition(f"unknown status {text!r}; statuses are: {', '.join(REFUND_STATUSES)}")
    return _KEYS[key]


def allowed_moves(status: str) -> tuple[str, ...]:
    return TRANSITIONS[status]


def check_transition(current: str, new: str, *, amount: float | None = None,
                     original: float | None = None) -> None:
    """Raise :class:`InvalidTransition` unless ``current -> new`` is allowed with this amount.

    ``Partially Refunded`` needs the refunded amount, strictly between 0 and the original;
    ``Refunded`` takes no amount other than the original (the whole charge came back).
    """
    allowed = TRANSITIONS[current]
    if new not in allowed:
        moves = ", ".join(allowed) if allowed else "none (it is final)"
        raise InvalidTransition(f"cannot move a refund request from {current} to {new}; "
                                f"allowed from {current}: {moves}")
    if new == "Partially Refunded":
        if amount is None:
            raise InvalidTransition("Partially Refunded needs the refunded amount (--amount)")
        if original is not None and not 0 < amount < original:
            raise InvalidTransition(f"a partial refund must be more than 0 and less than the original "
                                    f"{original:.2f}; got {amount:.2f}")
    elif amount is not None:
        if new == "Refunded" and original is not None and abs(amount - original) < 0.005:
            return
        raise InvalidTransition(f"an amount is only recorded with Partially Refunded "
                                f"(Refunded means the whole {original:.2f} came back); got {amount:.2f} for {new}"
                                if original is not None else
                                f"an amount is only recorded with Partially Refunded; got one for {new}")
