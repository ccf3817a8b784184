"""Progress bars on an interactive terminal for the library's :class:`~detector.progress.Progress`."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from ..progress import NoProgress


class RichProgress:
    """Draws each stage as a rich progress bar (a spinner when its size is unknown)."""

    def __init__(self, progress):
        self._progress = progress
        self._tasks: dict[str, int] = {}

    def stage(self, name, total):
        self._tasks[name] = self._progress.add_task(name, total=total)

    def advance(self, name, step=1):
        if name in self._tasks:
            self._progress.advance(self._tasks[name], step)


@contextmanager
def terminal_progress():
    """Bars on stderr when it is a terminal (cleared when done); otherwise nothing is drawn."""
    if not sys.stderr.isatty():
        yield NoProgress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bars:
        yield RichProgress(bars)
