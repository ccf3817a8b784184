"""The merchant stage for pipelines: ``detector.match.enrich`` once the merchants branch is in."""

from __future__ import annotations

import pandas as pd


def enrich(tx: pd.DataFrame) -> pd.DataFrame:
    """Add ENRICHED_COLUMNS (merchant_key, merchant, vendor, channel, match_score)."""
    try:
        from detector.match import enrich as _enrich
    except ImportError:  # merchants branch not merged yet
        from ._fallback_enrich import fallback_enrich as _enrich
    return _enrich(tx)
