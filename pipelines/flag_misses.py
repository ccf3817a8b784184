"""Missed flags whose plan no detected stream holds, grouped by why the stream detector missed the plan.

    python -m pipelines.flag_misses [--seeds 501 502 503 504 505] [--accounts 300] [--examples 3]

Error analysis on our generator's dev seeds (never the held-out ones, 901-904): for each seed,
generate the labelled set, detect and flag it as :mod:`pipelines.eval_flags` does, match streams
as ``score.py`` does (:func:`pipelines.indep_analysis.match`), and take the true flags not raised
whose plan (truth stream) no predicted stream matches. Each such plan is read against the
candidates :func:`detector.recurrence.candidates` builds for its account (every candidate
scored) and put in the first group of :data:`GROUPS` it fits.
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from detector.confidence import live
from detector.recurrence import candidates, default_scorer
from detector.spending_rules import ruled_out
from detector.synth import write_eval_set
from detector.working_frame import _prepare

from .eval_flags import detect_and_flag
from .indep_analysis import match

#: Seeds for error analysis (rules are never fitted to the held-out seeds).
DEV_SEEDS = (501, 502, 503, 504, 505)
#: Why a plan is no stream, in the order they are tested.
GROUPS = (
    "too few charges",  # three charges or fewer (two for six-monthly and yearly plans)
    "found, then lost",  # a candidate that is mostly the plan scores; selection or joins lose it
    "ruled out",  # the candidate that is mostly the plan and holds most of it is ruled out (spending_rules)
    "no cadence",  # ... has intervals that fit no frequency, or none on it (confidence.live)
    "scorer below threshold",  # ... scores below the threshold
    "mixed with other charges",  # no candidate is mostly the plan: another plan or purchases share it
)
#: A candidate is "mostly the plan" when this share of its charges are the plan's ...
PURE = 0.8
#: ... and such candidates together hold at least this share of the plan's charges.
COVERED = 0.5


def why_missed(df: pd.DataFrame, tids: np.ndarray, plan: set, frequency: str, thr: float = 0.5,
               scored: tuple | None = None) -> str:
    """The group of :data:`GROUPS` a plan no stream matched falls in.

    ``df``, ``tids``: the account's working frame (``working_frame._prepare``) and its rows'
    transaction ids; ``plan``: the plan's transaction ids; ``scored``: ``candidates(df, scorer)``
    when already computed for the account."""
    need = 2 if frequency in ("semiannual", "annual") else 3
    if len(plan) <= need:
        return "too few charges"
    st, ids, p = scored if scored is not None else candidates(df, default_scorer())
    out = ruled_out(st, df)
    mine = np.isin(tids, list(plan))
    rows, cand = ids["rows"], ids["cand"]
    held = np.bincount(cand, weights=mine[rows], minlength=int(cand.max()) + 1 if len(cand) else 0)
    size = np.bincount(cand, minlength=len(held))
    at = st.index.get_indexer(np.flatnonzero((held >= PURE * np.maximum(size, 1)) & (size >= 2)))
    at = at[at >= 0]
    pure_ids = st.index.to_numpy()[at]
    covered = np.isin(cand, pure_ids) & mine[rows]
    if not len(at) or len(np.unique(rows[covered])) < COVERED * mine.sum():
        return "mixed with other charges"
    if (p[at] >= thr).any():
        return "found, then lost"
    # judged by the candidate holding most of the plan (the whole plan, not an amount cluster of it)
    biggest = at[np.argmax(held[pure_ids])]
    if out[biggest]:
        return "ruled out"
    return "scorer below threshold" if live(st.iloc[[biggest]])[0] else "no cadence"


def missed_plans(tx: pd.DataFrame, truth: dict, streams: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """One row per true flag not raised whose plan no predicted stream matches: the flag, its plan
    (index into ``truth["streams"]``, merchant, frequency, charges, channel) and :func:`why_missed`."""
    report = {"streams": [dict(s, transaction_ids=list(s["transaction_ids"]))
                          for s in streams.to_dict("records")]}
    _, pairs, _ = match(truth, report)
    unmatched = {ti for ti, pi, _ in pairs if pi is None}
    plan_of = {str(t): k for k, s in enumerate(truth["streams"]) for t in s["transaction_ids"]}
    raised = set(zip(flags["type"], flags["transaction_id"].astype(str))) if len(flags) else set()
    rows = [{"type": f["type"], "transaction_id": str(f["transaction_id"]), "plan": plan_of[str(f["transaction_id"])]}
            for f in truth["flags"]
            if (f["type"], str(f["transaction_id"])) not in raised and plan_of.get(str(f["transaction_id"])) in unmatched]
    out = pd.DataFrame(rows, columns=["type", "transaction_id", "plan"])
    if out.empty:
        return out.assign(account_id=[], merchant=[], frequency=[], charges=[], channel=[], why=[])
    channel = tx.set_index(tx["transaction_id"].astype(str))["channel"]
    why = {}
    for account, plans in out.groupby(truth_accounts(truth, out["plan"]))["plan"]:
        sub = tx[tx["account_id"] == account].reset_index(drop=True)
        df, text = _prepare(sub, tx["date"].max())
        tids = np.asarray(text.column("transaction_id"), dtype=str)
        scored = candidates(df, default_scorer())
        for k in plans.unique():
            s = truth["streams"][k]
            why[k] = why_missed(df, tids, {str(t) for t in s["transaction_ids"]}, s["frequency"], scored=scored)
    info = pd.DataFrame([{"plan": k, "account_id": s["account_id"], "merchant": s["merchant"],
                          "frequency": s["frequency"], "charges": len(s["transaction_ids"]),
                          "channel": channel.get(str(s["transaction_ids"][0]), ""), "why": why[k]}
                         for k, s in enumerate(truth["streams"]) if k in why])
    return out.merge(info, on="plan")


def truth_accounts(truth: dict, plans: pd.Series) -> np.ndarray:
    """The account of each plan (index into ``truth["streams"]``) in ``plans``."""
    return np.array([truth["streams"][k]["account_id"] for k in plans], dtype=object)


def table(misses: pd.DataFrame, examples: int = 3) -> str:
    """Counts of missed flags by group and flag type, by group and channel, and a few plans per group."""
    if misses.empty:
        return "no missed flag on a plan that no stream matches"
    lines = [pd.crosstab(misses["why"], misses["type"], margins=True).to_string(), "",
             pd.crosstab(misses["why"], misses["channel"], margins=True).to_string(), ""]
    for why, rows in misses.groupby("why"):
        plans = rows.drop_duplicates(["seed", "plan"]).head(examples)
        lines.append(f"{why}: " + "; ".join(f"seed {r.seed} {r.account_id} {r.merchant} ({r.channel}, {r.frequency}, "
                                            f"{r.charges} charges)" for r in plans.itertuples()))
    return "\n".join(lines)


def analyse(seeds=DEV_SEEDS, accounts: int = 300) -> pd.DataFrame:
    """:func:`missed_plans` of every seed, with a ``seed`` column."""
    parts = []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_eval_set(Path(tmp) / f"synth{seed}", accounts, seed=seed)
            parts.append(missed_plans(*detect_and_flag(folder)).assign(seed=seed))
    return pd.concat(parts, ignore_index=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(DEV_SEEDS))
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args(argv)
    held_out = set(args.seeds) & {901, 902, 903, 904, 11, 12, 13}
    if held_out:
        ap.error(f"seeds {sorted(held_out)} are held out: error analysis uses the dev seeds")
    misses = analyse(args.seeds, args.accounts)
    print(table(misses, args.examples))
    print(f"\n{len(misses)} missed flags on {misses.drop_duplicates(['seed', 'plan']).shape[0]} plans; "
          + ", ".join(f"{k} {v}" for k, v in collections.Counter(misses["type"]).most_common()))


if __name__ == "__main__":
    main()
