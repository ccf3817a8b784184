"""The product measured on the independent generator (:mod:`pipelines.indep_gen`), as a user runs it.

    python -m pipelines.eval_indep [--seeds 11 12 13] [--accounts 300] [--out build/indep] [--analyse]

For each seed: write a labelled set, run ``scan`` exactly as ``subdetect scan tx.csv --cancellations
cancellations.csv --as-of <last date> --format json`` does (ingest into a fresh store, record the
cancellations, detect, flag, queue refunds, render JSON), and score the report with
``shared/eval/score.py`` against both readings of ``annual_renewal``: ``truth.json`` (primary: a
plan begun before the data renews on its first charge seen) and
``truth_first_charge_never_renewal.json``. ``--analyse`` adds where the errors are: recall by
kind of stream, frequency, bank style and irregularity; what false streams are made of; flag
misses and false flags by type with the plan's irregularities; a few examples of each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from detector.pipeline import scan
from detector.report import render_scan
from detector.store import Store

from .eval_streams import eval_dir
from .indep_gen import write_set

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = (11, 12, 13)
FLAG_TYPES = ("annual_renewal", "trial_conversion", "price_increase", "duplicate_charge",
              "charge_after_cancellation")
TRUTHS = {"primary": "truth.json", "first_never_renewal": "truth_first_charge_never_renewal.json"}


def score(truth_path: Path, report_path: Path) -> dict:
    """``score.py``'s metrics, run by this same Python."""
    res = subprocess.run([sys.executable, str(eval_dir() / "score.py"), str(truth_path), str(report_path)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def run_product(folder: Path) -> tuple[Path, dict]:
    """Scan ``folder/tx.csv`` with its cancellations as of its last date; write ``report.json``."""
    tx_path = folder / "tx.csv"
    as_of = pd.read_csv(tx_path, usecols=["date"])["date"].max()
    db = folder / "scan.db"
    for p in folder.glob("scan.db*"):
        p.unlink()
    t0 = time.process_time()
    result = scan([str(tx_path)], Store(db), as_of, cancellations_file=folder / "cancellations.csv")
    cpu = time.process_time() - t0
    report = folder / "report.json"
    report.write_text(render_scan(result.streams, result.flags, result.refund_requests, "json", as_of=as_of) + "\n")
    return report, {"as_of": as_of, "scan_cpu_s": round(cpu, 1), "rows": int(sum(r.stored for r in result.ingest))}


def run_seed(seed: int, out: Path, *, accounts: int = 300, ids: str = "random") -> dict:
    """Generate, scan and score one seed; ``{"primary": metrics, "first_never_renewal": metrics, "run": ...}``."""
    folder = write_set(out / (f"seed{seed}" + ("" if ids == "random" else f"_{ids}")), accounts, seed, ids=ids)
    report, run = run_product(folder)
    res = {name: score(folder / fname, report) for name, fname in TRUTHS.items()}
    res["run"] = run
    return res


def table(results: dict) -> str:
    """One line per seed and truth reading: streams, then flags overall and per type (P/R)."""
    head = (f"{'seed':<5}{'truth':<20}{'str_p':>7}{'str_r':>7}{'str_f1':>7}{'freq':>7}{'merch':>7}"
            f"{'flag_p':>8}{'flag_r':>8}{'flag_f1':>8}  " + "  ".join(f"{t[:12]:>13}" for t in FLAG_TYPES))
    lines = [head]
    for seed, res in results.items():
        for name in TRUTHS:
            m = res[name]
            by = m.get("flags_by_type", {})
            line = (f"{seed:<5}{name:<20}{m['stream_precision']:7.3f}{m['stream_recall']:7.3f}{m['stream_f1']:7.3f}"
                    f"{m['frequency_accuracy']:7.3f}{m.get('merchant_accuracy', 0):7.3f}"
                    f"{m.get('flag_precision', 0):8.3f}{m.get('flag_recall', 0):8.3f}{m.get('flag_f1', 0):8.3f}  ")
            line += "  ".join(f"{by.get(t, {}).get('p', 0):.2f}/{by.get(t, {}).get('r', 0):.2f}".rjust(13)
                              for t in FLAG_TYPES)
            lines.append(line)
        r = res["run"]
        lines.append(f"{'':<5}(rows {r['rows']}, as of {r['as_of']}, scan {r['scan_cpu_s']} CPU-s)")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--out", default=str(ROOT / "build" / "indep"))
    ap.add_argument("--ids", choices=["random", "sequential"], default="random",
                    help="transaction ids: opaque (default) or numbered in statement order")
    ap.add_argument("--analyse", action="store_true", help="print where the errors are (per seed)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    results = {}
    for seed in args.seeds:
        results[seed] = run_seed(seed, out, accounts=args.accounts, ids=args.ids)
        if args.analyse:
            from .indep_analysis import analyse
            print(f"== seed {seed}")
            print(analyse(out / (f"seed{seed}" + ("" if args.ids == "random" else f"_{args.ids}"))))
    print(table(results))


if __name__ == "__main__":
    main()
