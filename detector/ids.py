"""Stable ids: the same inputs give the same id on every run and machine."""

from __future__ import annotations

import hashlib


def stable_id(*parts, prefix: str = "", length: int = 16) -> str:
    """A short sha256 hex digest of the parts, joined unambiguously.

    >>> stable_id("a", 1) == stable_id("a", 1)
    True
    >>> stable_id("a", 1, prefix="s_").startswith("s_")
    True
    """
    h = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return prefix + h.hexdigest()[:length]
