"""Train the stream scorer on the labelled synthetic generator and save it in models/ (`make train`).

    python -m pipelines.train [--accounts 900] [--seed 1000]

Prints training metrics (held-out candidates of a different seed) next to the rule scorer's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score

from detector.match import enrich
from detector.recurrence import default_scorer
from detector.scoring import MODEL_DIR, RuleScorer, StreamScorer, save_scorer
from detector.synth import generate
from detector.training import label_candidates

START, END = "2023-01-01", "2024-12-31"
#: The small synthetic set whose training rows :func:`fingerprint` hashes: a few seconds to build,
#: and ~3,700 candidates touch nearly every generator case, candidate kind and rule.
FINGERPRINT_ACCOUNTS, FINGERPRINT_SEED = 40, 7


def candidate_set(n_accounts: int, seed: int):
    """Features and labels of every candidate in a synthetic set."""
    tx, truth = generate(n_accounts, START, END, seed)
    X, y, _ = label_candidates(enrich(tx), truth, END, RuleScorer().fit())
    return X, y


def fingerprint(n_accounts: int = FINGERPRINT_ACCOUNTS, seed: int = FINGERPRINT_SEED) -> dict:
    """What the code that builds training rows (generator, candidates, features, labels,
    ``ruled_out``) makes of a small synthetic set: candidate count, positives and a hash of the
    feature matrix and labels. Saved with the model; ``tests/test_scoring.py`` rebuilds it, so a
    change to that code without `make train` fails a test instead of shipping a stale model.

    Features are rounded to 6 decimals before hashing, so the last bits of a float sum (BLAS,
    CPU) do not count; a change in what is computed does."""
    X, y = candidate_set(n_accounts, seed)
    digest = hashlib.sha256((np.round(np.asarray(X, dtype=float), 6) + 0.0).tobytes())  # (+ 0.0: no -0.0)
    digest.update(np.asarray(y, dtype=np.int8).tobytes())
    return {"n_accounts": n_accounts, "seed": seed, "candidates": len(y), "positives": int(y.sum()),
            "sha256": digest.hexdigest()}


def _metrics(y, p) -> dict:
    return {"precision": round(precision_score(y, p), 4), "recall": round(recall_score(y, p), 4),
            "f1": round(f1_score(y, p), 4)}


def train(n_accounts: int = 900, seed: int = 1000, folder=MODEL_DIR) -> dict:
    """Fit on one synthetic set, measure on another seed, save model + metadata; returns metadata."""
    X, y = candidate_set(n_accounts, seed)
    Xh, yh = candidate_set(max(n_accounts // 4, 50), seed + 1)
    model = StreamScorer().fit(X, y)
    meta = {
        "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "training_data": {"generator": "detector.synth.generate", "n_accounts": n_accounts, "seed": seed,
                          "start": START, "end": END, "candidates": len(y), "positives": int(y.sum()),
                          "fingerprint": fingerprint()},
        "metrics": {"holdout_seed": seed + 1, "model": _metrics(yh, model.predict(Xh)),
                    "rules": _metrics(yh, RuleScorer().fit().predict(Xh)),
                    "train": _metrics(y, model.predict(X))},
    }
    save_scorer(model, meta, folder)
    default_scorer.cache_clear()
    return meta


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=900)
    ap.add_argument("--seed", type=int, default=1000)
    args = ap.parse_args(argv)
    meta = train(args.accounts, args.seed)
    print(json.dumps(meta["metrics"], indent=2))


if __name__ == "__main__":
    main()
