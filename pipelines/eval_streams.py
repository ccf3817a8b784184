"""Stream detection measured on data no one here wrote, and on a held-out synthetic set.

    python -m pipelines.eval_streams [--out build/eval] [--rules]

For each set (``shared/eval/berka``, ``shared/eval/recur_scan`` and a synthetic set from a seed
the model never saw): read ``tx.csv``, enrich, detect, write ``<out>/<name>.report.json``
(``{"streams", "flags", "refund_requests"}``) and score it with ``shared/eval/score.py`` run by
this same Python. Prints a table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from detector.flags import flag_charges
from detector.match import enrich
from detector.recurrence import detect_streams
from detector.scoring import RuleScorer
from detector.synth import write_eval_set

ROOT = Path(__file__).resolve().parents[1]
HOLDOUT_SEED = 777


def eval_dir() -> Path:
    """``shared/eval`` beside the repository (or beside one of its parent folders)."""
    for parent in [ROOT, *ROOT.parents]:
        cand = parent / "shared" / "eval"
        if (cand / "score.py").exists():
            return cand
    raise FileNotFoundError(f"no shared/eval next to {ROOT} or its parents")


def read_eval_tx(folder: Path) -> pd.DataFrame:
    """An eval ``tx.csv`` as canonical transactions."""
    tx = pd.read_csv(folder / "tx.csv", dtype={"account_id": str, "transaction_id": str, "description": str})
    return tx.assign(currency="USD", source="eval", source_file=str(folder / "tx.csv"),
                     source_line=range(2, len(tx) + 2))


def report(streams: pd.DataFrame, flags: pd.DataFrame | None = None) -> dict:
    """The JSON report shape score.py reads."""
    recs = streams.assign(transaction_ids=streams["transaction_ids"].map(list)).to_dict("records")
    return {"streams": recs, "flags": [] if flags is None else flags.to_dict("records"), "refund_requests": []}


def run_set(name: str, folder: Path, out: Path, *, model=None) -> dict:
    """Detect on one eval folder, write its report and return score.py's metrics plus timing."""
    tx = read_eval_tx(folder)
    t0 = time.perf_counter()
    enriched = enrich(tx)
    t1 = time.perf_counter()
    streams = detect_streams(enriched, tx["date"].max(), model=model)
    t2 = time.perf_counter()
    # The real sets have no flag labels; what is raised on them is still worth watching (a rule
    # that fires on a heavy buyer's purchases shows here long before anyone files a complaint).
    # (Sets with flag labels are scored through the whole pipeline, cancellations included, by
    # pipelines.eval_flags; their flags stay out of this report so score.py does not score them here.)
    labelled = bool(json.loads((folder / "truth.json").read_text()).get("flags"))
    flags = None if labelled else flag_charges(enriched, streams, as_of=tx["date"].max())
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.report.json"
    path.write_text(json.dumps(report(streams, flags), default=str))
    res = subprocess.run([sys.executable, str(eval_dir() / "score.py"), str(folder / "truth.json"), str(path)],
                         capture_output=True, text=True, check=True)
    metrics = json.loads(res.stdout.strip().splitlines()[-1])
    metrics.update({"rows": len(tx), "enrich_s": round(t1 - t0, 2), "detect_s": round(t2 - t1, 2)})
    if flags is not None:
        metrics["flags_raised"] = {t: int(n) for t, n in flags["type"].value_counts().sort_index().items()}
    return metrics


def hard_negatives(streams: list[dict], negatives: dict) -> dict:
    """False positives on the generator's hard negatives (coffee habit, groceries, cash, app
    purchases, charges beside a stream...): per kind, its transactions, how many of them sit in a
    reported stream, and how many reported streams are mostly made of it."""
    kind_of = {t: k for k, ids in negatives.items() for t in ids}
    out = {k: {"transactions": len(ids), "in_streams": 0, "streams": 0} for k, ids in negatives.items()}
    for s in streams:
        kinds = [kind_of[t] for t in map(str, s["transaction_ids"]) if t in kind_of]
        for k in kinds:
            out[k]["in_streams"] += 1
        if kinds and len(kinds) * 2 > len(s["transaction_ids"]):
            out[max(set(kinds), key=kinds.count)]["streams"] += 1
    return out


def evaluate(out: Path | str = ROOT / "build" / "eval", *, model=None, synth_accounts: int = 150) -> dict:
    """All three sets: {name: metrics}; the synthetic set adds ``hard_negatives``."""
    out = Path(out)
    ev = eval_dir()
    results = {name: run_set(name, ev / name, out, model=model) for name in ("berka", "recur_scan")}
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_eval_set(Path(tmp) / "synth", synth_accounts, seed=HOLDOUT_SEED)
        results["synth_holdout"] = run_set("synth_holdout", folder, out, model=model)
        negatives = json.loads((folder / "truth.json").read_text()).get("negatives", {})
    streams = json.loads((out / "synth_holdout.report.json").read_text())["streams"]
    hn = hard_negatives(streams, negatives)
    results["synth_holdout"]["hard_negatives"] = hn
    total = sum(v["transactions"] for v in hn.values())
    results["synth_holdout"]["hard_negative_tx_in_streams"] = round(
        sum(v["in_streams"] for v in hn.values()) / total, 4) if total else 0.0
    return results


COLUMNS = ("stream_precision", "stream_recall", "stream_f1", "frequency_accuracy", "merchant_accuracy",
           "tx_precision", "tx_recall", "tx_f1", "rows", "detect_s")


def table(results: dict) -> str:
    """Fixed-width text table of the metrics (and of the synthetic hard negatives)."""
    lines = ["set".ljust(15) + "".join(c[:12].rjust(13) for c in COLUMNS)]
    for name, m in results.items():
        lines.append(name.ljust(15) + "".join(str(m.get(c, "")).rjust(13) for c in COLUMNS))
    raised = {name: m["flags_raised"] for name, m in results.items() if "flags_raised" in m}
    if raised:
        lines.append("")
        lines.append("flags raised (these sets have no flag labels; the synthetic sets' flags are scored by pipelines.eval_flags)")
        for name, counts in raised.items():
            n_rows = results[name].get("rows") or 0
            per = sum(counts.values()) / n_rows * 1000 if n_rows else 0.0
            lines.append(f"  {name.ljust(15)}{sum(counts.values()):>6} ({per:.1f} per 1,000 rows): "
                         + (", ".join(f"{t} {n}" for t, n in counts.items()) or "none"))
    hn = results.get("synth_holdout", {}).get("hard_negatives")
    if hn:
        lines.append("")
        lines.append("synthetic hard negatives".ljust(28) + "transactions".rjust(13) + "in streams".rjust(13)
                     + "streams".rjust(13))
        for kind, v in sorted(hn.items()):
            lines.append(kind.ljust(28) + "".join(str(v[c]).rjust(13) for c in ("transactions", "in_streams",
                                                                                "streams")))
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "build" / "eval"))
    ap.add_argument("--rules", action="store_true", help="score with the rule scorer instead of the model")
    args = ap.parse_args(argv)
    results = evaluate(args.out, model=RuleScorer().fit() if args.rules else None)
    print(table(results))


if __name__ == "__main__":
    main()
