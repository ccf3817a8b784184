"""`make run`: scan the bundled sample statements into an embedded SQLite file and print the report.

Only composes library calls; the same as
`subdetect scan data/samples/* --cancellations data/samples/cancellations.csv --as-of DATE`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from detector.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="subdetect.db")
    parser.add_argument("--as-of", default="2025-06-30")
    parser.add_argument("--format", default="table")
    args = parser.parse_args(argv)
    statements = sorted(
        str(p) for p in SAMPLES.iterdir()
        if p.is_file() and p.name != "cancellations.csv" and p.suffix.lower() in {".csv", ".ofx", ".qfx", ".txt"}
    )
    cmd = ["scan", *statements, "--db", args.db, "--as-of", args.as_of, "--format", args.format]
    cancellations = SAMPLES / "cancellations.csv"
    if cancellations.exists():
        cmd += ["--cancellations", str(cancellations)]
    return cli.main(cmd, prog_name="subdetect", standalone_mode=True)


if __name__ == "__main__":
    sys.exit(main())
