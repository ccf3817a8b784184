"""Run subscription detection on Apache Spark.

    spark-submit --py-files dist/subscription_detector-0.1.0-py3-none-any.whl \\
        pipelines/spark_job.py --input s3://bucket/tx/ --output s3://bucket/out/ --as-of 2025-06-30

Input: canonical transactions (CSV with a header, or Parquet). Output: Parquet directories
``OUTPUT/streams`` and ``OUTPUT/flags``; ``--db`` also upserts them into a SQLite store.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    from detector.schema import PAYMENT_METHODS

    parser = argparse.ArgumentParser(prog="spark_job", description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="canonical transactions: CSV or Parquet path/dir")
    parser.add_argument("--output", required=True, help="output dir; gets streams/ and flags/ (Parquet)")
    parser.add_argument("--as-of", required=True, help="ISO date detection is relative to")
    parser.add_argument("--db", help="also store results in this SQLite file (small outputs only)")
    parser.add_argument("--mode", choices=["union", "two_pass"], default="union",
                        help="one applyInPandas with a union record (default) or one pass per output")
    parser.add_argument("--account-groups", type=int,
                        help="accounts are hashed into this many applyInPandas groups "
                             "(default 4 per core; 0 = one group per account_id)")
    parser.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    parser.add_argument("--shuffle-partitions", type=int, help="spark.sql.shuffle.partitions")
    parser.add_argument("--payment-method", choices=PAYMENT_METHODS,
                        help="with --db: the payment method of the input's accounts (refund timelines), as "
                             "`subdetect scan --payment-method`; default: each account's importer's, from the "
                             "rows' source column")
    parser.add_argument("--no-transfers", action="store_true",
                        help="pair no transfers between the input's accounts (an input of many people's "
                             "accounts: their payments to each other are not moves of their own money)")
    args = parser.parse_args(argv)

    from detector.engines.spark_job import run_job
    from detector.errors import DetectorError, EngineUnavailable

    try:
        result = run_job(args.input, args.output, args.as_of, db=args.db, mode=args.mode,
                         master=args.master, shuffle_partitions=args.shuffle_partitions,
                         account_groups=args.account_groups, transfers=not args.no_transfers,
                         payment_method=args.payment_method)
    except EngineUnavailable as exc:  # no PySpark: `subdetect`'s exit code for it (docs/cli.md)
        print(f"Error: {exc}", file=sys.stderr)
        return 7
    except DetectorError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result.__dict__, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
