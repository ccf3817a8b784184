"""``python -m pipelines.indep_gen --accounts 300 --seed 1 --out DIR``: write one labelled set."""

from __future__ import annotations

import argparse
import time

from . import write_set


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Write an independent labelled transaction set.")
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    t0 = time.process_time()
    folder = write_set(args.out, args.accounts, args.seed, months=args.months)
    print(f"wrote {folder} in {time.process_time() - t0:.1f} CPU-s")


if __name__ == "__main__":
    main()
