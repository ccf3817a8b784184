"""Crash points: a test seam that kills the process at a named step, to prove crash safety.

Set ``SUBDETECT_CRASH_AT=NAME`` (first time the step is reached) or ``NAME#K`` (the K-th time) and
the process sends itself SIGKILL there: no cleanup, no ``finally``, exactly like a power cut or
``kill -9``. Unset (always, in production) a crash point is a dictionary lookup and nothing else.

Named steps: ``plaid.page`` (a sync page fetched, not yet committed), ``plaid.committed`` (an item's
pages and cursor committed), ``inbox.ingested`` (a file's rows committed, file not yet moved),
``inbox.moved``, ``detect.done`` (detection stored, report not yet written), ``report.written``,
``scan.stored`` (a scan's rows committed, not yet detected).

``SUBDETECT_CRASH_SIGNAL=SIGINT`` (or ``SIGTERM``) sends that signal instead, as a Ctrl-C or a
``kill`` would at that step.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "SUBDETECT_CRASH_AT"
SIGNAL_ENV = "SUBDETECT_CRASH_SIGNAL"
_seen: Counter = Counter()


def crashpoint(name: str) -> None:
    """SIGKILL this process if ``$SUBDETECT_CRASH_AT`` names this step (and occurrence)."""
    target = os.environ.get(ENV)
    if not target:
        return
    _seen[name] += 1
    step, _, nth = target.partition("#")
    if step == name and _seen[name] == (int(nth) if nth else 1):
        os.kill(os.getpid(), getattr(signal, os.environ.get(SIGNAL_ENV) or "SIGKILL"))
