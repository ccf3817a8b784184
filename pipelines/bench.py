"""``make bench``: time and peak memory of each stage and of a whole scan on synthetic statements.

    python -m pipelines.bench                          # about 1.2M transactions
    python -m pipelines.bench --rows 100000,1000000,3000000 --markdown docs/bench.md
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile

from detector.bench import machine, markdown_table, run_bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1200000", help="comma-separated sizes (default 1200000)")
    parser.add_argument("--workdir", help="where the CSVs go (default: a temp dir, removed after)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-stages", action="store_true", help="only read_csv and the whole scan")
    parser.add_argument("--no-scan", action="store_true", help="only read_csv and the stages")
    parser.add_argument("--spark", action="store_true",
                        help="also time the Spark job in local mode (union and two-pass) on each file")
    parser.add_argument("--workers", default="",
                        help="comma-separated worker counts to also time the scan with (e.g. 2)")
    parser.add_argument("--markdown", help="also write the markdown table to this file")
    parser.add_argument("--json", help="also write raw results as JSON to this file")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.rows.split(",") if s.strip()]

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="subdetect-bench-") as tmp:
        results = run_bench(sizes, args.workdir or tmp, seed=args.seed, stages=not args.no_stages,
                            scan=not args.no_scan, spark=args.spark, progress=progress,
                            workers=[int(w) for w in args.workers.split(",") if w.strip()])
    info = machine()
    table = markdown_table(results, info)
    print(table)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(table + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"machine": info, "results": [r.__dict__ for r in results]}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
