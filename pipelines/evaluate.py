"""`make eval`: every accuracy measurement in one run.

1. Merchant matching on the labelled descriptor sets (tests/data/descriptors.csv, generated, dev and
   held-out splits; tests/data/descriptors_unseen.csv, hand-written): top-1 accuracy and false-match
   rate (pipelines.eval_matcher).
2. Stream detection on the real public sets in ../shared/eval (Berka standing orders, recur-scan
   human labels) and a held-out synthetic set, scored by ../shared/eval/score.py
   (pipelines.eval_streams).
3. Flags: per-flag precision/recall on held-out synthetic sets through the whole pipeline
   (pipelines.eval_flags).
4. Next dates: how often ``next_date`` falls within 3 / 7 days of the next true charge, history
   cut at several dates of the held-out synthetic set (pipelines.eval_next_date).

Only composes those pipelines; reports land in build/eval/.
"""

from __future__ import annotations

import argparse
import json
import sys

from pipelines import eval_flags, eval_matcher, eval_next_date, eval_streams


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    args = parser.parse_args(argv)

    matcher = {split: eval_matcher.evaluate_matcher(split=split) for split in ("dev", "holdout")}
    matcher["unseen"] = eval_matcher.evaluate_matcher(path=eval_matcher.DATA.with_name("descriptors_unseen.csv"))
    results = {"matcher": matcher}
    results["streams"] = eval_streams.evaluate()
    results["flags"] = eval_flags.evaluate()
    results["next_date"] = eval_next_date.evaluate()
    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return 0
    print("== Merchant matching (tests/data/descriptors.csv)")
    for split, m in results["matcher"].items():
        shown = {k: v for k, v in m.items() if not isinstance(v, (dict, list))}
        print(f"  {split}: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
    print("\n== Streams (../shared/eval via score.py; synth_holdout from our generator, unseen seed)")
    print(eval_streams.table(results["streams"]))
    print("\n== Flags (held-out synthetic sets, whole pipeline)")
    print(eval_flags.table(results["flags"]))
    print("\n== Next date (held-out synthetic set, history cut 45-220 days before its end)")
    print(eval_next_date.table(results["next_date"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
