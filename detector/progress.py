"""What long jobs report while they run: stages with a size, advanced as work is done.

The library only calls :class:`Progress`; the CLI draws bars on a terminal
(:class:`detector.cli.progress.RichProgress`) and cron jobs get nothing or log lines.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """A stage ``name`` of ``total`` units (``None``: size unknown), advanced ``step`` at a time."""

    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, name: str, step: int = 1) -> None: ...


class NoProgress:
    """Reports nothing: the default when no one is watching."""

    def stage(self, name: str, total: int | None) -> None:
        pass

    def advance(self, name: str, step: int = 1) -> None:
        pass
