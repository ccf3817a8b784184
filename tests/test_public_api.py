"""The package's public API is what ``__all__`` says, and every name in it resolves."""

from __future__ import annotations

import detector


def test_every_public_name_resolves():
    for name in detector.__all__:
        assert getattr(detector, name) is not None, name


def test_all_has_no_repeats():
    # order is ruff's (RUF022: constants, classes, functions), checked by `make lint`
    assert len(detector.__all__) == len(set(detector.__all__))


def test_scan_pipeline_is_importable_as_documented():
    from detector.pipeline import ScanResult, detect_account, run_detection, scan  # noqa: F401
