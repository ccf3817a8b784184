"""How many examples each Hypothesis test tries: CI's counts, or many more under ``make stress``.

CI runs Hypothesis with a random seed and these counts, so a counter-example found one time in a
few thousand turns a run red now and then (round 25: ``'\\ufeff'`` for the decoding property).
``HYPOTHESIS_PROFILE=stress`` (``make stress``) tries ``STRESS_EXAMPLES`` (default 2000) for every
test, those with their own ``@settings(max_examples=examples(n))`` too, where a profile alone would
not reach (a test's own settings override the profile's).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

STRESS = os.environ.get("HYPOTHESIS_PROFILE") == "stress"
STRESS_EXAMPLES = int(os.environ.get("STRESS_EXAMPLES", "2000"))

settings.register_profile("stress", max_examples=STRESS_EXAMPLES, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
if STRESS:
    settings.load_profile("stress")


def examples(n: int) -> int:
    """``n`` in an ordinary run; under the stress profile at least ``STRESS_EXAMPLES``."""
    return max(n, STRESS_EXAMPLES) if STRESS else n
