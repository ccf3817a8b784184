"""Test-only stand-in for ``detector.match.enrich`` until the merchants branch is merged.

Strips bank wrappers, reference codes and numbers so one merchant gets one key. Never used by
library code.
"""

from __future__ import annotations

import re

import pandas as pd

_WRAP = re.compile(r"^(CHECKCARD \d{4} |PURCHASE AUTHORIZED ON \d\d/\d\d |POS DEBIT |DEBIT CARD PURCHASE - "
                   r"|ACH DEBIT |ELECTRONIC WITHDRAWAL )")
_TAIL = re.compile(r"( S[A-Z0-9]{6,7} CARD \d{4}| 2446[A-Z0-9]+| DES:.*| ACH DEBIT)$")


def fallback_enrich(tx: pd.DataFrame) -> pd.DataFrame:
    """Add ENRICHED_COLUMNS with a crude descriptor normaliser."""
    d = tx["description"].astype(str).str.upper()
    d = d.str.replace(_WRAP, "", regex=True).str.replace(_TAIL, "", regex=True)
    d = d.str.replace(r"\*.*$", "", regex=True).str.replace(r"[^A-Z ]", " ", regex=True)
    d = d.str.replace(r"\b[A-Z]{1,2}\b", " ", regex=True).str.replace(r"\s+", " ", regex=True).str.strip()
    out = tx.copy()
    out["merchant_key"] = d.where(d != "", tx["description"].astype(str).str.upper())
    out["merchant"] = out["merchant_key"].str.title()
    out["vendor"] = None
    out["channel"] = "direct"
    out["match_score"] = float("nan")
    return out
