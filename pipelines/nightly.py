"""The nightly batch job, for cron or systemd: `python -m pipelines.nightly --db PATH --inbox DIR`.

Only composes library calls (through the CLI): the same as `subdetect nightly ...`.
See docs/nightly.md for scheduling, what it writes, and how to read the run log.
"""

from __future__ import annotations

import sys

from detector.cli import cli


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return cli.main(["nightly", *args], prog_name="subdetect", standalone_mode=True)


if __name__ == "__main__":
    sys.exit(main())
