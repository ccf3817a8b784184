"""The ``subdetect`` command's entry point: Ctrl-C and SIGTERM say one line from the start.

Importing the detector takes seconds on a busy machine (pandas, Arrow, scikit-learn). A Ctrl-C
then ended the command with a KeyboardInterrupt traceback, and a SIGTERM silently with 143
(round-fifty audit). This module sets its handlers before it imports anything of the detector;
while a command runs, :class:`detector.cli.app.DetectorGroup` takes over and says the same line.
It lives outside the ``detector`` package because importing any ``detector.*`` module runs the
package's ``__init__`` first, with its imports.
"""

from __future__ import annotations

import signal
import sys


class _Stopped(BaseException):
    """A signal arrived before or after the command ran (not an ``Exception``: nothing catches it)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop(signum, frame) -> None:
    raise _Stopped(signum)


def stopped_line(signum: int) -> str:
    """What :func:`detector.cli.app.stopped_line` says (that module cannot be imported yet)."""
    name = "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C (SIGINT)"
    return (f"Error: stopped by {name}; what was committed stays, nothing half-written: run the command again "
            "to finish (the next nightly marks this one interrupted)")


def main() -> None:
    """Run ``subdetect``: exit 130 on Ctrl-C and 143 on SIGTERM, with one line on stderr."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    try:
        from detector.cli import main as cli_main

        cli_main()
    except (_Stopped, KeyboardInterrupt) as exc:
        for signum in (signal.SIGINT, signal.SIGTERM):  # (a second Ctrl-C while saying so)
            signal.signal(signum, signal.SIG_IGN)
        signum = exc.signum if isinstance(exc, _Stopped) else signal.SIGINT
        print(stopped_line(signum), file=sys.stderr)
        sys.exit(128 + signum)


if __name__ == "__main__":
    main()
