"""Stable ids: the same inputs give the same id on every run and machine."""

from __future__ import annotations

import hashlib
import os


def stable_id(*parts, prefix: str = "", length: int = 16) -> str:
    """A short sha256 hex digest of the parts, joined unambiguously.

    >>> stable_id("a", 1) == stable_id("a", 1)
    True
    >>> stable_id("a", 1, prefix="s_").startswith("s_")
    True
    """
    h = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return prefix + h.hexdigest()[:length]


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 hex digest of a file's bytes, read in 1 MiB blocks (recognises a file seen before)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
