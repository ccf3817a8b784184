"""Measure the merchant matcher on the labelled descriptor set, and its speed.

    python -m pipelines.eval_matcher [--split holdout] [--bench 1200000]

``evaluate_matcher`` reports top-1 vendor accuracy, the false-match rate (non-catalogue
merchants given a vendor), per-channel accuracy and how many shown merchant names still carry
phone numbers or long ids. ``benchmark_merchants`` times normalising and matching a synthetic
statement built from the same descriptors with fresh reference numbers on every row.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from detector.match import MerchantMatcher
from detector.normalize import normalize_descriptors

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "descriptors.csv"
#: 94 descriptors written by hand from memory of real statements, after the matcher was built,
#: in forms the generator does not produce (see docs/merchants.md for its first-run numbers).
UNSEEN = DATA.with_name("descriptors_unseen.csv")
_LEAK_RE = re.compile(r"\d{5,}|\d{3}[-. ]\d{3}[-. ]\d{4}|\d{3}-\d{4}")


def load_set(path=DATA, split: str | None = None) -> pd.DataFrame:
    """The labelled set (``raw, vendor, channel, bank, split``), optionally one split only."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if split:
        df = df[df["split"] == split]
    return df.reset_index(drop=True)


def evaluate_matcher(path=DATA, split: str | None = None, matcher: MerchantMatcher | None = None) -> dict:
    """Score the matcher on the labelled set.

    Returns ``n``, ``top1_accuracy`` (vendor, or no vendor, exactly right), ``vendor_recall``
    (catalogue rows matched to their vendor), ``false_match_rate`` (non-catalogue rows given a
    vendor), ``wrong_vendor_rate`` (catalogue rows given another vendor), ``channel_accuracy``,
    ``per_channel`` accuracy (vendor and channel right), ``leaky_names`` (shown names with a
    phone number or long id) and ``errors`` (up to 25 mistakes to read).
    """
    df = load_set(path, split)
    matcher = matcher if matcher is not None else MerchantMatcher().fit()
    res = matcher.transform(df["raw"])
    got = res["vendor"].fillna("").astype(str).to_numpy()
    want = df["vendor"].to_numpy()
    ok_vendor = got == want
    ok_channel = res["channel"].to_numpy() == df["channel"].to_numpy()
    in_cat = want != ""
    leaky = res["merchant"].astype(str).str.contains(_LEAK_RE)
    per_channel = {
        ch: round(float((ok_vendor & ok_channel)[df["channel"].to_numpy() == ch].mean()), 4)
        for ch in sorted(df["channel"].unique())
    }
    wrong = df.assign(got_vendor=got, got_channel=res["channel"].to_numpy(), merchant=res["merchant"].to_numpy())
    wrong = wrong[~(ok_vendor & ok_channel)]
    return {
        "n": len(df),
        "vendors": int(df.loc[in_cat, "vendor"].nunique()),
        "top1_accuracy": round(float(ok_vendor.mean()), 4),
        "vendor_recall": round(float(ok_vendor[in_cat].mean()), 4),
        "false_match_rate": round(float((got[~in_cat] != "").mean()), 4),
        "wrong_vendor_rate": round(float(((got != want) & (got != ""))[in_cat].mean()), 4),
        "channel_accuracy": round(float(ok_channel.mean()), 4),
        "per_channel": per_channel,
        "leaky_names": int(leaky.sum()),
        "errors": wrong[["raw", "vendor", "got_vendor", "channel", "got_channel", "merchant"]].head(25).to_dict("records"),
    }


def _statement(n_rows: int, seed: int = 0, path=DATA) -> pd.Series:
    """``n_rows`` descriptors drawn from the set, each long number re-drawn per row (as refs are)."""
    rng = random.Random(seed)
    base = load_set(path)["raw"].tolist()
    np_rng = np.random.default_rng(seed)
    picks = np_rng.integers(0, len(base), n_rows)
    # a quarter of lines carry a per-transaction reference number, like BoA/Wells card lines,
    # and one in ten is a local merchant of a large pool (a real statement's long tail)
    fresh = np_rng.random(n_rows) < 0.25
    local = np_rng.random(n_rows) < 0.10
    pool = [f"{' '.join(rng.sample(_LOCAL_WORDS, rng.randint(1, 3)))} #{rng.randint(1, 999)}"
            for _ in range(max(1, n_rows // 50))]
    out = []
    for i, p in enumerate(picks):
        d = pool[p % len(pool)] if local[i] else base[p]
        if fresh[i]:
            d = f"{d} {rng.randrange(10**10, 10**11)}"
        out.append(d)
    return pd.Series(out)


_LOCAL_WORDS = ["JOES", "LAWN", "CARE", "SUNRISE", "YOGA", "STUDIO", "BAKERY", "PIZZA", "GOLDEN", "DRAGON", "CITY", "MARKET", "FRESH", "DELI", "AUTO", "REPAIR", "PLUMBING", "DENTAL", "CLINIC", "PET", "SPA", "COFFEE", "HOUSE", "TACOS", "GRILL", "BAR", "PUB", "FARM", "SHOP", "HARDWARE", "BOOKS", "FLOWERS", "NAILS", "SALON", "BARBER", "TIRE", "WASH", "MAPLE", "OAK", "RIVER", "LAKE", "NORTH", "SOUTH", "BLUE", "RED"]


def benchmark_merchants(n_rows: int = 1_200_000, seed: int = 0) -> dict:
    """Time normalising and matching an ``n_rows`` statement.

    Returns rows, distinct descriptors, seconds for normalise and for normalise+match
    (``MerchantMatcher.transform``), and distinct descriptors per second for each.
    """
    s = _statement(n_rows, seed)
    distinct = int(s.nunique())
    matcher = MerchantMatcher().fit()
    t0 = time.perf_counter()
    norm = normalize_descriptors(s)
    t1 = time.perf_counter()
    matcher.transform(s)
    t2 = time.perf_counter()
    keys = int(norm["merchant_key"].nunique())
    t3 = time.perf_counter()
    matcher.match_keys(pd.unique(norm["merchant_key"]))
    t4 = time.perf_counter()
    return {
        "rows": n_rows,
        "distinct_descriptors": distinct,
        "distinct_keys": keys,
        "normalize_seconds": round(t1 - t0, 3),
        "transform_seconds": round(t2 - t1, 3),
        "match_keys_seconds": round(t4 - t3, 4),
        "normalize_descriptors_per_second": round(distinct / (t1 - t0)),
        "match_keys_per_second": round(keys / max(t4 - t3, 1e-9)),
        "transform_rows_per_second": round(n_rows / (t2 - t1)),
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Evaluate the merchant matcher.")
    ap.add_argument("--path", type=Path, default=DATA)
    ap.add_argument("--split", choices=["dev", "holdout"], default=None)
    ap.add_argument("--bench", type=int, default=0, help="also benchmark a statement of this many rows")
    args = ap.parse_args(argv)
    runs = [(args.path, args.split)] if args.split else [(args.path, None), (args.path, "dev"),
                                                         (args.path, "holdout"), (UNSEEN, None)]
    for path, split in runs:
        r = evaluate_matcher(path, split)
        errors = r.pop("errors")
        label = "unseen" if path == UNSEEN else (split or "all")
        print(f"[{label}] " + ", ".join(f"{k}={v}" for k, v in r.items()))
        if split is None:
            for e in errors[:10]:
                print("   miss:", e)
    if args.bench:
        print("bench:", benchmark_merchants(args.bench))


if __name__ == "__main__":
    main()
