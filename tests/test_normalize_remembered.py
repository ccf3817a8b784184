"""_normalize_once remembers its texts across calls (a scan's batches): what it gives back is
what normalising the text afresh gives, for texts met before and for values that cannot be hashed."""

import math

from detector import normalize

TEXTS = ["NETFLIX.COM 866-579-7172 CA", "SQ *JOES COFFEE #4411", "WAITROSE 123", "MICROSOFT*365",
         "APPLE.COM/BILL 807-349-1679 CA", "ZELLE TO JOHN SMITH REF 88812", "", "  ", None, math.nan,
         "TRADING 212", "PAYPAL *SPOTIFY 402-935-7733"]


def test_remembered_texts_normalise_as_afresh():
    for display in (True, False):
        first = [normalize._normalize_once(t, display=display) for t in TEXTS]
        again = [normalize._normalize_once(t, display=display) for t in TEXTS]
        fresh = [normalize._normalize_text(t, display) for t in TEXTS]
        assert first == again == fresh


def test_unhashable_values_are_normalised_too():
    assert normalize._normalize_once(["NETFLIX.COM"]) == normalize._normalize_text(["NETFLIX.COM"])
