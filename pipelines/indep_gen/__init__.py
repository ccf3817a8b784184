"""An independent labelled generator of bank transactions, for a second opinion on accuracy.

Written from the product requirements, ``shared/eval/README.md`` and ``score.py`` and public
knowledge of real statements only -- without reading ``detector/synth*.py``, ``detector/training.py``
or the model code -- so that a score on its sets does not reward our own generator's quirks.

What it models, per account (one bank export: checking with ACH bills and payroll, or a card):

* plans per merchant at weekly, biweekly, semimonthly, monthly, quarterly, semiannual and annual
  frequencies: subscriptions (real brands), bills (phone, internet, utilities, insurance, loans,
  rent, mortgage), services (saving apps, childcare, cleaning, pest control, dog walking);
* calendars: month-end clamping (31st -> 28th), ACH on business days (US federal holidays),
  card charges posting 0-3 days later, transaction-date card exports, semimonthly day pairs;
* irregularities: a skipped bill, a late (retried) one, duplicates (half refunded), refunds,
  tax jitter (cents), currency jitter (+-2% for plans billed in EUR/CHF/GBP), price changes
  (rises, rises under 5%, downgrades), rent/mortgage/insurance term changes, seasonal utility
  bills and noisy phone bills, trials (a $0.00 line, a $1 charge, or intro prices), plans that
  end, plan switches monthly -> annual, two plans of one merchant (a gym's monthly dues and
  annual fee), cancellations the user recorded, some followed by more charges;
* aggregators: APPLE.COM/BILL for Apple's services at different prices among one-off app
  purchases; Amazon Prime as ``Amazon Prime*`` or hidden among ``AMZN Mktp``/``Amazon.com*``
  purchases; ``GOOGLE *...``; ``PAYPAL *...`` (BoA: ``PAYPAL DES:INST XFER ID:...``);
* payroll inflows; hard negatives: groceries, fuel, dining, shopping, a same-price coffee habit
  on irregular days, a same-price haircut every 3-8 weeks, Amazon/Apple/Google one-offs, fees,
  ATM, Zelle/Venmo, card payments;
* descriptors in the styles of Chase, Bank of America, Wells Fargo, US Bank, credit unions,
  Capital One, Amex, Citi, Discover and Plaid (see :mod:`.banks`).

Truth: a plan is a stream when it has >= 3 charges in the data (>= 2 semiannual/annual); shorter
series go to ``minor_ids``. Flags are labelled per charge (see :func:`.streams._label`).
``annual_renewal`` has two readings, written as two files: ``truth.json`` (primary: a plan that
began before the data renews on its first charge seen) and ``truth_first_charge_never_renewal.json``.

    python -m pipelines.indep_gen --accounts 300 --seed 1 --out build/indep/seed1
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from .accounts import build
from .streams import LONG

__all__ = ["GeneratedSet", "first_charge_never_renewal", "generate", "write_set"]


@dataclass
class GeneratedSet:
    """A labelled set: transactions, both truth readings, cancellations, and per-stream/row notes."""

    tx: pd.DataFrame
    truth: dict
    truth_alt: dict
    cancellations: pd.DataFrame
    meta: list
    labels: pd.DataFrame


def _end_date(seed: int) -> date:
    """Data end per seed, so calendars (weekdays, holidays, February) differ between sets."""
    return date(2024, 3, 31) + timedelta(days=int(np.random.default_rng([seed, 10**6]).integers(0, 600)))


def generate(accounts: int = 300, seed: int = 0, *, months: int = 24, end: date | None = None,
             ids: str = "random") -> GeneratedSet:
    """Generate ``accounts`` accounts over ``months`` months ending ``end``; deterministic per ``seed``.

    Account ``i`` depends only on ``(seed, i)``: a smaller set is a prefix of a larger one.
    ``ids="random"`` gives opaque 12-hex transaction ids (as Plaid's are); ``"sequential"`` numbers
    each account's rows in statement order, so sorting by id keeps same-day rows in file order.
    """
    end = end or _end_date(seed)
    if ids not in ("random", "sequential"):
        raise ValueError(f"ids must be 'random' or 'sequential', not {ids!r}")
    ids_mode_random = ids == "random"
    start = end - timedelta(days=round(months * 30.44) - 1)
    rows, streams, flags, minor, meta, cancels, first_ids = [], [], [], [], [], [], []
    used: set = set()
    for i in range(accounts):
        acct = f"ACC{seed % 1000:03d}{i:05d}"
        rng = np.random.default_rng([seed, i])
        ctx, plans, arows, acancels = build(acct, rng, start, end)
        arows.sort(key=lambda r: r[0])
        ids = []
        for k in range(len(arows)):
            t = f"{int(rng.integers(0, 2**48)):012x}"
            while t in used:
                t = f"{int(rng.integers(0, 2**48)):012x}"
            used.add(t)
            ids.append(t if ids_mode_random else f"{acct}-{k:06d}")
        per_plan: dict = {}
        for t, (d, desc, amt, no, fl, label) in zip(ids, arows):
            rows.append((acct, t, d.isoformat(), desc, amt, no, label))
            if no >= 0 and amt < 0:
                per_plan.setdefault(no, []).append(t)
            flags += [{"type": f, "transaction_id": t, "account_id": acct} for f in fl]
        for no, p in enumerate(plans):
            tids = per_plan.get(no, [])
            if not tids:
                continue
            first_ids.append(tids[0])
            if len(tids) >= (2 if p.freq in LONG else 3):
                streams.append({"account_id": acct, "merchant": p.merchant, "frequency": p.freq, "transaction_ids": tids})
                meta.append({"account_id": acct, "plan": no, "merchant": p.merchant, "frequency": p.freq, "category": p.category,
                             "brand_category": p.brand.cat, "model": p.brand.model, "channel": p.channel,
                             "rail": p.rail, "style": ctx.style, "account_kind": ctx.kind, "trial": p.trial,
                             "cancel": p.cancel, "started_before": p.started_before, "tags": sorted(p.tags),
                             "n": len(tids), "currency": p.brand.cur or "USD"})
            else:
                minor += tids
        cancels += acancels
    tx = pd.DataFrame(rows, columns=["account_id", "transaction_id", "date", "description", "amount", "plan", "label"])
    labels = tx[["account_id", "transaction_id", "plan", "label"]].copy()
    tx = tx.drop(columns=["plan", "label"])
    truth = {"streams": streams, "flags": flags, "minor_ids": minor}
    cancellations = pd.DataFrame(cancels, columns=["account_id", "merchant", "cancelled_on"])
    cancellations["cancelled_on"] = cancellations["cancelled_on"].map(lambda d: d.isoformat())
    return GeneratedSet(tx, truth, first_charge_never_renewal(truth, first_ids), cancellations, meta, labels)


def first_charge_never_renewal(truth: dict, first_ids) -> dict:
    """The second reading: no ``annual_renewal`` on a plan's first charge in the data."""
    firsts = set(first_ids)
    keep = [f for f in truth["flags"] if not (f["type"] == "annual_renewal" and f["transaction_id"] in firsts)]
    return dict(truth, flags=keep)


def write_set(folder: str | Path, accounts: int = 300, seed: int = 0, **kw) -> Path:
    """Write ``tx.csv``, ``truth.json``, ``truth_first_charge_never_renewal.json``, ``cancellations.csv``,
    ``truth_meta.json`` (one entry per true stream, same order) and ``tx_labels.csv`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    g = generate(accounts, seed, **kw)
    g.tx.to_csv(folder / "tx.csv", index=False, float_format="%.2f")
    (folder / "truth.json").write_text(json.dumps(g.truth))
    (folder / "truth_first_charge_never_renewal.json").write_text(json.dumps(g.truth_alt))
    g.cancellations.to_csv(folder / "cancellations.csv", index=False)
    (folder / "truth_meta.json").write_text(json.dumps(g.meta))
    g.labels.to_csv(folder / "tx_labels.csv", index=False)
    return folder
