"""How the process gets memory for its large temporary arrays: fresh small pages, reused.

A scan makes thousands of short-lived arrays of a million rows (numpy's and Arrow's). Two
allocator defaults made the kernel's work of handing out that memory cost as much CPU as a
stage's own arithmetic (measured on the 1.2M-row bench file, 2-CPU VM, CPU-s of one stage):

- numpy asks for transparent huge pages (``madvise(MADV_HUGEPAGE)``) for every array of 4 MB or
  more. Each such array, freed and allocated again, faults in and zeroes whole 2 MB pages:
  detection spent 2-3 of its 8-10 CPU-s in the kernel, 0.4-0.5 without huge pages.
- Arrow's default pool (mimalloc) hands freed pages back to the system and faults them in again:
  the flag stage spent 1.2-1.7 CPU-s in the kernel, 0.2 with the system allocator.

Neither changes a single value computed, only where the bytes live. An explicit choice in the
environment (``NUMPY_MADVISE_HUGEPAGE``, ``ARROW_DEFAULT_MEMORY_POOL``) is left alone.
"""

from __future__ import annotations

import os


def tune_allocation() -> None:
    """Small pages for numpy's large arrays and the system allocator for Arrow's, unless the
    environment chose otherwise (see the module docstring)."""
    if "NUMPY_MADVISE_HUGEPAGE" not in os.environ:
        _numpy_small_pages()
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        _arrow_system_pool()


def _numpy_small_pages() -> None:
    """What ``NUMPY_MADVISE_HUGEPAGE=0`` does when set before numpy is imported."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # numpy < 2 kept it under numpy.core
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return
    _set_madvise_hugepage(False)


def _arrow_system_pool() -> None:
    """What ``ARROW_DEFAULT_MEMORY_POOL=system`` does when set before pyarrow is imported."""
    try:
        import pyarrow as pa
    except ImportError:
        return
    pa.set_memory_pool(pa.system_memory_pool())
