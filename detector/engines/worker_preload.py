"""Imported once by the forkserver the detection workers fork from (:mod:`detector.engines.workers`).

What every detection loads on its first call is loaded here instead, so each worker starts with
it: the stream model (importing scikit-learn and unpickling it: about 0.7 CPU-s) and the vendor
matcher fitted on the catalogue (about 0.3 CPU-s). Nothing here runs a prediction or a thread
pool, so forking from this process stays safe.
"""

from __future__ import annotations

from ..match import default_matcher
from ..recurrence import default_scorer

default_scorer()
default_matcher()
