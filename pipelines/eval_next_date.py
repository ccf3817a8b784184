"""How well ``next_date`` predicts the next charge, on a held-out synthetic set.

    python -m pipelines.eval_next_date [--seed 777] [--accounts 150] [--cuts 45 100 160 220]

The set's history is cut at several as-of dates before its end (``--cuts``: days before the
last transaction); streams are detected on what came before each cut, and every active or early
stream whose last charge belongs to a true stream is compared with that true stream's first
charge after the cut. Prints the share predicted within 1, 3 and 7 days, overall and per
frequency, and the share whose ``next_amount`` is within 1% of that charge's amount. A stream
whose next true charge was skipped counts as a miss: the prediction cannot know.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import pandas as pd

from detector.match import enrich
from detector.recurrence import detect_streams
from detector.synth import write_eval_set

from .eval_streams import HOLDOUT_SEED, read_eval_tx

DEFAULT_CUTS = (45, 100, 160, 220)


def next_date_errors(tx: pd.DataFrame, truth: dict, cuts=DEFAULT_CUTS) -> pd.DataFrame:
    """One row per (cut, predicted stream): its ``frequency``, ``error_days`` and ``amount_error``
    (relative) against the true stream's next charge after the cut. ``tx`` is enriched; ``truth``
    has ``streams``."""
    dates = pd.to_datetime(tx["date"])
    date_of = dict(zip(tx["transaction_id"].astype(str), dates))
    amount_of = dict(zip(tx["transaction_id"].astype(str), tx["amount"].abs()))
    stream_of = {str(i): s for s in truth["streams"] for i in s["transaction_ids"]}
    rows = []
    for cut in cuts:
        as_of = dates.max() - pd.Timedelta(days=int(cut))
        streams = detect_streams(tx[dates <= as_of], as_of)
        streams = streams[streams["status"].isin(["active", "early"])]
        for ids, freq, nxt, amt in zip(streams["transaction_ids"], streams["frequency"], streams["next_date"],
                                       streams["next_amount"]):
            true = stream_of.get(str(ids[-1]))
            if true is None:
                continue
            after = sorted((date_of[str(i)], amount_of[str(i)]) for i in true["transaction_ids"]
                           if date_of[str(i)] > as_of)
            if after:
                day, paid = after[0]
                rows.append({"cut": cut, "frequency": freq, "error_days": abs((pd.Timestamp(nxt) - day).days),
                             "amount_error": abs(float(amt) - paid) / paid if paid else float("nan")})
    return pd.DataFrame(rows, columns=["cut", "frequency", "error_days", "amount_error"])


def summarise(errors: pd.DataFrame) -> dict:
    """Share within 1, 3 and 7 days (and next_amount within 1%), overall and per frequency."""
    def shares(g: pd.DataFrame) -> dict:
        e = g["error_days"]
        a = g["amount_error"] if "amount_error" in g else pd.Series(dtype=float)
        return {"n": len(e), "within_1d": round(float((e <= 1).mean()), 4) if len(e) else None,
                "within_3d": round(float((e <= 3).mean()), 4) if len(e) else None,
                "within_7d": round(float((e <= 7).mean()), 4) if len(e) else None,
                "amount_within_1pct": round(float((a <= 0.01).mean()), 4) if len(a) else None}

    out = shares(errors)
    out["by_frequency"] = {f: shares(g) for f, g in errors.groupby("frequency")}
    return out


def evaluate(seed: int = HOLDOUT_SEED, accounts: int = 150, cuts=DEFAULT_CUTS) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_eval_set(Path(tmp) / "synth", accounts, seed=seed)
        truth = json.loads((folder / "truth.json").read_text())
        tx = enrich(read_eval_tx(folder))
    return summarise(next_date_errors(tx, truth, cuts))


def table(result: dict) -> str:
    lines = [(f"all: n={result['n']}, within 1 day {result['within_1d']}, within 3 days {result['within_3d']}, "
              f"within 7 days {result['within_7d']}, "
              f"next_amount within 1% {result['amount_within_1pct']}")]
    for f, m in result["by_frequency"].items():
        lines.append(f"  {f:<12} n={m['n']:<5} within 3 days {m['within_3d']}, within 7 days {m['within_7d']}, "
                     f"amount within 1% {m['amount_within_1pct']}")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=HOLDOUT_SEED)
    ap.add_argument("--accounts", type=int, default=150)
    ap.add_argument("--cuts", type=int, nargs="+", default=list(DEFAULT_CUTS))
    args = ap.parse_args(argv)
    print(table(evaluate(args.seed, args.accounts, args.cuts)))


if __name__ == "__main__":
    main()
