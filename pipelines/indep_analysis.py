"""Where the product's errors are on an independent set (``python -m pipelines.eval_indep --analyse``).

Reads a set folder written by :func:`pipelines.indep_gen.write_set` plus the ``report.json`` the
product wrote for it, matches streams the way ``score.py`` does (same account, Jaccard >= 0.5,
truth order, greedy), and summarises: recall by kind of stream, frequency, bank style, channel and
irregularity; what unmatched predicted streams are made of; frequency and merchant mistakes; flag
misses and false flags by type next to the plan's irregularities; examples of each.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pandas as pd


def _scorer():
    """``shared/eval/score.py`` as a module (its lenient merchant comparison)."""
    import importlib.util

    from .eval_streams import eval_dir
    spec = importlib.util.spec_from_file_location("shared_score", eval_dir() / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load(folder: Path):
    """tx (with generator labels), truth, meta and the product's report of one set folder."""
    folder = Path(folder)
    tx = pd.read_csv(folder / "tx.csv", dtype={"transaction_id": str, "account_id": str})
    lab = pd.read_csv(folder / "tx_labels.csv", dtype={"transaction_id": str, "account_id": str})
    tx = tx.merge(lab, on=["account_id", "transaction_id"])
    truth = json.loads((folder / "truth.json").read_text())
    meta = json.loads((folder / "truth_meta.json").read_text())
    report = json.loads((folder / "report.json").read_text())
    return tx, truth, meta, report


def match(truth: dict, report: dict):
    """``score.py``'s matching: list of (truth index, pred index or None, jaccard) and the preds used."""
    preds = [s for s in report["streams"] if s.get("direction", "outflow") == "outflow"]
    by_acct = collections.defaultdict(list)
    for i, s in enumerate(preds):
        by_acct[s["account_id"]].append((i, set(map(str, s["transaction_ids"]))))
    used, pairs = set(), []
    for ti, t in enumerate(truth["streams"]):
        ids = set(t["transaction_ids"])
        best, best_j = None, 0.0
        for i, p in by_acct.get(t["account_id"], []):
            if i in used:
                continue
            j = len(ids & p) / len(ids | p)
            if j > best_j:
                best, best_j = i, j
        if best is not None and best_j >= 0.5:
            used.add(best)
            pairs.append((ti, best, best_j))
        else:
            pairs.append((ti, None, best_j))
    return preds, pairs, used


def _rate(counter_hit, counter_all, top=None):
    rows = sorted(counter_all.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{k} {counter_hit.get(k, 0)}/{n} ({counter_hit.get(k, 0) / n:.2f})" for k, n in rows)


def _lines(tx: pd.DataFrame, ids, n=8) -> str:
    sub = tx[tx["transaction_id"].isin(set(ids))].sort_values("date").head(n)
    return "\n".join(f"      {r.date} {r.amount:>9.2f}  {r.description[:90]}  [{r.label}]" for r in sub.itertuples())


def streams_section(tx, truth, meta, preds, pairs, used, examples: int) -> list[str]:
    out = []
    hit = collections.Counter()
    allc = collections.Counter()
    for (ti, pi, _), m in zip(pairs, meta):
        keys = [f"cat={m['category']}", f"kind={m['brand_category']}", f"freq={m['frequency']}",
                f"style={m['style']}", f"channel={m['channel']}", f"rail={m['rail']}"]
        keys += [f"tag={t}" for t in m["tags"]] + ([f"trial={m['trial']}"] if m["trial"] else [])
        keys += [f"cur={m['currency']}"] if m["currency"] != "USD" else []
        for k in keys:
            allc[k] += 1
            hit[k] += pi is not None
    for prefix in ("cat=", "freq=", "kind=", "style=", "channel=", "rail=", "tag=", "trial=", "cur="):
        a = collections.Counter({k: v for k, v in allc.items() if k.startswith(prefix)})
        out.append(f"  recall by {prefix[:-1]}: {_rate(hit, a)}")
    # Missed streams: why (nothing predicted, split, merged, partial)
    id_pred = {}
    for i, s in enumerate(preds):
        for t in s["transaction_ids"]:
            id_pred[str(t)] = i
    missed = [(ti, j) for ti, pi, j in pairs if pi is None]
    reasons = collections.Counter()
    ex = collections.defaultdict(list)
    for ti, j in missed:
        t, m = truth["streams"][ti], meta[ti]
        covering = collections.Counter(id_pred.get(x) for x in t["transaction_ids"])
        n_pred = len([k for k in covering if k is not None])
        if n_pred == 0:
            why = "not detected"
        elif n_pred > 1:
            why = "split over several streams"
        else:
            k = next(k for k in covering if k is not None)
            p = set(map(str, preds[k]["transaction_ids"]))
            why = "merged with other charges" if len(p - set(t["transaction_ids"])) > len(t["transaction_ids"]) * 0.5 else (
                "partly detected" if k not in used else "its charges went to another true stream")
        key = f"{why} ({m['category']}/{m['frequency']})"
        reasons[key] += 1
        ex[why].append(ti)
    out.append(f"  missed true streams: {sum(reasons.values())}")
    for k, n in reasons.most_common(15):
        out.append(f"    {n:4d}  {k}")
    for why, tis in ex.items():
        for ti in tis[:examples]:
            t, m = truth["streams"][ti], meta[ti]
            out.append(f"    e.g. [{why}] {m['account_id']} {m['merchant']} {m['frequency']} {m['style']} tags={m['tags']}")
            out.append(_lines(tx, t["transaction_ids"]))
            cover = {id_pred.get(x) for x in t["transaction_ids"]} - {None}
            for k in list(cover)[:2]:
                p = preds[k]
                out.append(f"      -> predicted {p['merchant']!r} {p['frequency']} n={len(p['transaction_ids'])}")
    # False streams: what they are made of
    fp = [i for i in range(len(preds)) if i not in used]
    minor = set(truth.get("minor_ids", []))
    lab = dict(zip(tx["transaction_id"], tx["label"]))
    plan = dict(zip(tx["transaction_id"], tx["plan"]))
    truth_of = {x: ti for ti, t in enumerate(truth["streams"]) for x in t["transaction_ids"]}
    kinds = collections.Counter()
    fex = collections.defaultdict(list)
    for i in fp:
        ids = [str(x) for x in preds[i]["transaction_ids"]]
        if set(ids) <= minor:
            continue
        labels = collections.Counter(lab.get(x, "?") for x in ids)
        in_truth = [x for x in ids if x in truth_of]
        if len(in_truth) == len(ids):
            kind = "fragment of true stream(s)" if len({truth_of[x] for x in in_truth}) == 1 else "mix of true streams"
        elif in_truth:
            kind = "true charges + others: " + "/".join(sorted(k for k in labels if k != "regular"))
        elif all(plan.get(x, -1) >= 0 for x in ids):
            kind = "short plan series (minor) + plan lines"
        else:
            kind = "noise: " + "/".join(sorted(labels))
        kinds[kind] += 1
        fex[kind].append(i)
    out.append(f"  unmatched predicted streams (not all minor): {sum(kinds.values())}")
    for k, n in kinds.most_common(15):
        out.append(f"    {n:4d}  {k}")
    for k, _ in kinds.most_common(8):
        for i in fex[k][:examples]:
            p = preds[i]
            out.append(f"    e.g. [{k}] {p['account_id']} {p['merchant']!r} {p['frequency']} conf={p.get('confidence')}")
            out.append(_lines(tx, map(str, p["transaction_ids"])))
    # Frequency and merchant mistakes on matched streams
    fq = collections.Counter()
    names = collections.Counter()
    same_merchant = _scorer().same_merchant
    for (ti, pi, _), m in zip(pairs, meta):
        if pi is None:
            continue
        pf = str(preds[pi].get("frequency", "")).lower()
        if pf != m["frequency"]:
            fq[(m["frequency"], pf)] += 1
        if not same_merchant(preds[pi].get("merchant", ""), m["merchant"]):
            names[(m["merchant"], preds[pi].get("merchant", ""), m["style"], m["channel"])] += 1
    out.append("  frequency confusions (truth -> predicted): " + ", ".join(f"{a}->{b} {n}" for (a, b), n in fq.most_common(10)))
    out.append(f"  merchant mismatches: {sum(names.values())}; most common (truth, predicted, style, channel):")
    for k, n in names.most_common(25):
        out.append(f"    {n:3d}  {k}")
    return out


def flags_section(tx, truth, meta, report, examples: int) -> list[str]:
    out = []
    tf = {(f["type"], f["transaction_id"]) for f in truth["flags"]}
    pf = {(f["type"], str(f["transaction_id"])) for f in report.get("flags", [])}
    row = tx.set_index("transaction_id")
    meta_of = {(m["account_id"], m["plan"]): m for m in meta}
    truth_by_tx = collections.defaultdict(set)
    for typ, t in tf:
        truth_by_tx[t].add(typ)
    pred_by_tx = collections.defaultdict(set)
    for typ, t in pf:
        pred_by_tx[t].add(typ)

    def ctx(t):
        r = row.loc[t]
        m = meta_of.get((r["account_id"], r["plan"]))
        desc = "noise:" + r["label"] if r["plan"] < 0 else (
            f"{m['merchant']}/{m['frequency']}/{m['model']} tags={m['tags']}" if m else "short plan (not a true stream)")
        return r, desc

    for typ in ("annual_renewal", "trial_conversion", "price_increase", "duplicate_charge", "charge_after_cancellation"):
        fn = sorted(t for (ty, t) in tf - pf if ty == typ)
        fpl = sorted(t for (ty, t) in pf - tf if ty == typ)
        out.append(f"  {typ}: truth {sum(1 for x in tf if x[0] == typ)}, predicted {sum(1 for x in pf if x[0] == typ)}, "
                   f"missed {len(fn)}, false {len(fpl)}")
        c = collections.Counter()
        for t in fn:
            _, d = ctx(t)
            c["missed: " + d.split(" tags=")[0].split("/", 1)[-1] + (" tags=" + d.split(" tags=")[1] if " tags=" in d else "")] += 1
        for t in fpl:
            r, d = ctx(t)
            other = ",".join(sorted(truth_by_tx.get(t, set()))) or "no true flag"
            c[f"false: {other}; " + (d.split('/', 1)[-1] if not d.startswith('noise') else d)] += 1
        for k, n in c.most_common(10):
            out.append(f"    {n:4d}  {k}")
        for label, ids in (("missed", fn), ("false", fpl)):
            for t in ids[:examples]:
                r, d = ctx(t)
                reason = next((f.get("reason", "") for f in report["flags"]
                               if str(f["transaction_id"]) == t and f["type"] == typ), "")
                out.append(f"    e.g. {label} {r['account_id']} {r['date']} {r['amount']:.2f} {r['description'][:70]} | {d}")
                if reason:
                    out.append(f"         product: {reason[:160]}")
                acct_plan = tx[(tx["account_id"] == r["account_id"]) & (tx["plan"] == r["plan"])] if r["plan"] >= 0 else None
                if acct_plan is not None:
                    seq = acct_plan.sort_values("date")
                    around = seq[(seq["date"] >= str(pd.Timestamp(r["date"]) - pd.Timedelta(days=100))[:10])
                                 & (seq["date"] <= str(pd.Timestamp(r["date"]) + pd.Timedelta(days=40))[:10])]
                    out.append("         plan: " + "; ".join(f"{x.date} {x.amount:.2f} {x.label}" for x in around.itertuples()))
    return out


def analyse(folder: str | Path, examples: int = 2) -> str:
    """A text report of the error classes of one scored set folder."""
    tx, truth, meta, report = load(Path(folder))
    preds, pairs, used = match(truth, report)
    lines = ["streams:"] + streams_section(tx, truth, meta, preds, pairs, used, examples)
    lines += ["flags:"] + flags_section(tx, truth, meta, report, examples)
    return "\n".join(lines)


if __name__ == "__main__":
    import sys
    print(analyse(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2))
