"""Refund requests: queued from flags, opened by hand, moved through their lifecycle.

Each request follows the refund process of its vendor (``detector/catalog/refund_processes.json``)
or, for a vendor without one, the generic process of the channel it was billed through, and says
so. A request carries the vendor's steps, a document checklist pre-filled with what the
detector knows, an email ready to send, its eligibility and deadline, and the date the refund
can be expected by. See ``docs/refunds.md``.

Public entry points: :func:`queue_refunds`, :func:`open_request`, :func:`mark`,
:func:`get_request`, :func:`list_requests`, :func:`withdraw_unflagged`, :func:`follow_filed`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .catalog.refund_processes import MANUAL, RefundProcess, load_refund_processes
from .errors import ConfigError, InvalidTransition, NotFound
from .given_back import REFUND_DAYS, amount_slack, credits_giving_back
from .ids import stable_id
from .lifecycle import check_transition, parse_status
from .money import figure, format_money
from .refund_builder import (  # noqa: F401 - re-exported: the request-building helpers users need
    YOU_PROVIDE,
    ProcessLookup,
    account_payment_method,
    build_request,
    clean,
    gift_errors,
    lookup_from_vendors,
    name_lookup,
    normalise_channel,
    vendor_in_descriptor,
)
from .schema import FLAG_TYPES, PERIOD_DAYS, REFUND_REQUEST_FIELDS, SchemaError, require_columns
from .store import Store, dumps, upsert_rows, utcnow
from .workdays import to_date

Enrich = Callable[[pd.DataFrame], pd.DataFrame]

# -- storage ----------------------------------------------------------------------------------

_JSON_COLUMNS = ("steps", "documents", "email", "history")
_COLUMNS = ("request_id", "transaction_id", "account_id", "flag_id", "vendor", "channel", "payment_method",
            "amount", "refunded_amount", "reason", "eligible", "eligibility_reason", "deadline", "filed_on",
            "expected_by", "status", *_JSON_COLUMNS, "process", "created_at", "updated_at")
_DETAIL_KEYS = ("flag_type", "merchant", "currency", "charge_date", "charged_amount", "credits", "description",
                "job_date", "process_kind", "charge_removed_on", "charge_amount_now", "amount_to_ask_now",
                "credits_seen",
                "after_cancellation_on", "not_refunded", "withdrawn",
                "process_note", "payment_method_source", "country", "timeline", "status_meaning", "sources", "inputs")

#: Every field a listed request (:func:`list_requests`, :func:`public`) can carry, in order: the
#: schema's, the stored columns', then the stored details' (as the JSON report gives them).
REQUEST_EXPORT_FIELDS = tuple(dict.fromkeys((*REFUND_REQUEST_FIELDS, *_COLUMNS,
                                             *sorted(k for k in _DETAIL_KEYS if k not in ("inputs", "withdrawn")))))


@contextmanager
def _immediate(conn):
    """One ``BEGIN IMMEDIATE`` transaction around a read and its writes, committed at the end and
    rolled back on any error; inside a caller's transaction, that transaction is used as it is."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        if own:
            conn.commit()
    except BaseException:
        if own:
            conn.rollback()
        raise


def _to_row(req: dict) -> dict:
    row = {c: req.get(c) for c in _COLUMNS}
    for c in _JSON_COLUMNS:
        row[c] = dumps(req[c])
    row["eligible"] = None if req["eligible"] is None else int(bool(req["eligible"]))  # (None: not known)
    row["details"] = dumps({k: req[k] for k in _DETAIL_KEYS if k in req})  # (a key a request lacks stays out)
    return row


def _from_row(row: dict) -> dict:
    req = dict(row)
    for c in _JSON_COLUMNS:
        req[c] = json.loads(row[c]) if row[c] else ([] if c != "email" else {})
    req["eligible"] = None if row["eligible"] is None else bool(row["eligible"])
    req.update(json.loads(req.pop("details", None) or "{}"))
    return req


def public(req: dict) -> dict:
    """The request as users see it: the schema's fields first, without the stored build inputs."""
    first = {k: req.get(k) for k in REFUND_REQUEST_FIELDS}
    return {**first, **{k: v for k, v in req.items() if k not in first and k != "inputs"}}


def _save(store: Store, requests: list[dict]) -> None:
    if requests:
        with store.conn:
            upsert_rows(store, "refund_requests", [_to_row(r) for r in requests], pk="request_id")


def _rows_where_in(store: Store, table: str, column: str, values: Iterable, columns: str = "*") -> list[dict]:
    values, out = list(dict.fromkeys(v for v in values if v is not None)), []
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        sql = f"SELECT {columns} FROM {table} WHERE {column} IN ({', '.join('?' for _ in chunk)})"
        cur = store.conn.execute(sql, chunk)
        names = [d[0] for d in cur.description]
        out.extend(dict(zip(names, r)) for r in cur.fetchall())
    return out


def _today() -> date:
    # the user's calendar day, as `scan`, `nightly` and `refunds open` date "today" (UTC's day made a
    # charge made today "filed before the charge" east of UTC, and filed it tomorrow west of it)
    return date.today()


def _history(status: str, at: date, note: str | None, *, previous: str | None = None, amount=None) -> dict:
    return {"status": status, "from": previous, "at": at.isoformat(), "recorded_at": utcnow(),
            "note": note, "amount": amount}


def _check_filing_date(filing: date, charge_date, what: str) -> None:
    """A request cannot be filed before the charge it disputes was made (the filing date decides
    eligibility and the expected date, so a typo would make a late request look in time)."""
    charged = to_date(charge_date)
    if filing < charged:
        raise InvalidTransition(f"cannot file {what} on {filing.isoformat()}: the charge was made on "
                                f"{charged.isoformat()}, and a refund request cannot be filed before its charge")


def _check_job_date(job_date, charge_date, what: str) -> None:
    """PRO360 charges its contact fee when the customer replies, that is when the pro gets the lead
    (seed: "you will only be charged a contact fee when the customer replies, indicating that you
    have successfully obtained this lead"): the job date that starts the filing window is on or
    before the charge, never after it (and so never after the filing date). A later one (a typo,
    2026 for 2025) would move the deadline and make a late request look in time."""
    job, charged = to_date(job_date), to_date(charge_date)
    if job > charged:
        raise InvalidTransition(f"cannot take job date {job.isoformat()} for {what}: it is after the charge "
                                f"({charged.isoformat()}), and PRO360 charges its contact fee when the pro gets the "
                                f"lead, so the job date is on or before the charge")


#: Which flag a charge flagged several times is asked back for, most compelling first: a charge
#: after the user cancelled, then a double charge, a trial that turned paid, a renewal, a price rise.
REFUND_FLAG_ORDER = ("charge_after_cancellation", "duplicate_charge", "trial_conversion", "annual_renewal",
                     "price_increase")


def _a(noun: str) -> str:
    """The noun with its indefinite article: "an annual renewal", "a price increase"."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def requested_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags refund requests are queued for: one per charge not already refunded
    (``refunded_on``), the first in :data:`REFUND_FLAG_ORDER`."""
    if flags is None or flags.empty:
        return flags
    if "refunded_on" in flags:  # a charge the merchant already gave back is not asked for again
        flags = flags[flags["refunded_on"].isna()]
    rank = flags["type"].map({t: i for i, t in enumerate(REFUND_FLAG_ORDER)})
    first = rank.groupby(flags["transaction_id"]).transform("min")
    return flags[rank == first].drop_duplicates(["transaction_id"])


#: Flag types whose charge pays for a term of the plan that the user may still object to: a
#: renewal, and the first full-price charge after a trial or introductory price.
TERM_FLAGS = ("annual_renewal", "trial_conversion")


def renewal_terms_over(records: list[dict], streams: dict[str, dict], as_of: date,
                       billed_again: dict[str, date] | None = None) -> set[str]:
    """Transaction ids of term charges (:data:`TERM_FLAGS`) whose term is over as of ``as_of``.

    A renewal, or the first paid charge after a trial, is asked back only while the term it paid
    for runs: until the plan bills again and at most one period of its stream (a year for a yearly
    plan, a month for a monthly one; a year when no stream holds the charge) after the charge. A
    charge followed by a later charge of its stream was kept and used, and a term that has run out
    has no "leftover term" (PRO Back Office) to refund; the vendors' refundable renewal is one
    contacted about at once ("They quickly contacted OT Track's customer support"), and their
    refundable trial is one the user decided "not to continue with the service before the trial
    ends". The flag stays; only the request goes. A later charge is the stream's ``last_date``
    (streams as detected up to ``as_of``), a later flagged term charge of the stream, or, for a
    charge no stream holds yet, ``billed_again``: the date the merchant next charged the same
    amount, or another price a period on (:func:`billed_again`).
    """
    latest: dict[str, date] = {}
    for r in records:
        if r["type"] in TERM_FLAGS and r.get("stream_id"):
            day = to_date(r["date"])
            latest[r["stream_id"]] = max(day, latest.get(r["stream_id"], day))
    over = set()
    for r in records:
        if r["type"] not in TERM_FLAGS:
            continue
        day = to_date(r["date"])
        stream = streams.get(r.get("stream_id")) or {}
        later = [to_date(d) for d in (stream.get("last_date"), latest.get(r.get("stream_id")),
                                      (billed_again or {}).get(r["transaction_id"])) if d]
        period = PERIOD_DAYS.get(stream.get("frequency") or "annual", PERIOD_DAYS["annual"])
        if any(d > day for d in later) or as_of >= day + timedelta(days=round(period)):
            over.add(r["transaction_id"])
    return over


#: A plan's second charge at another price (a rise, a tax change, another tier) is its next
#: term when the new price is within this share of the old one...
NEW_PRICE_SHARE = (2 / 3, 1.5)
#: ...and it falls about one period after the charge: a month (months run 28 to 31 days, and a
#: bank may date a charge a few days late) or, for a yearly plan, a year.
NEXT_TERM_DAYS = ((26, 35), (358, 372))


def billed_again(store: Store, records: list[dict], streams: dict[str, dict], as_of: date,
                 not_renewals: set[str] = frozenset()) -> dict[str, date]:
    """For term charges (:data:`TERM_FLAGS`) that no detected stream holds, the date the plan
    billed again: the account's next charge of the same merchant (normalised descriptor) and
    amount (within a cent, or 1%), after the charge's day and up to ``as_of``; or one at another
    price (within :data:`NEW_PRICE_SHARE` of it) about a period after it (:data:`NEXT_TERM_DAYS`:
    a month, or a year), the plan billed at a new price. Charges in ``not_renewals`` (flagged as
    double charges) do not count: a charge repeated is no new term. Where the merchant is a
    store that sells one-offs too (Apple, Google Play, Amazon, Roku:
    ``duplicate_flags.STORE_CHANNELS``), only the same amount counts.

    A trial turned paid is a stream only from its third or so charge, so "until the plan bills
    again" was not seen at the second and the year-long fallback kept the first paid month
    asked back (round-thirty-seven audit: a converted trial billed again a month later stayed an
    eligible candidate until the plan became a stream; twenty-second session: so did one whose
    second charge came at a new price). Another charge of the merchant at another price days
    later is a purchase, not the next term."""
    from .duplicate_flags import STORE_CHANNELS
    from .normalize import normalize_one

    low, high = NEW_PRICE_SHARE
    out: dict[str, date] = {}
    for r in records:
        if r["type"] not in TERM_FLAGS or streams.get(r.get("stream_id")):
            continue
        day, paid = to_date(r["date"]), abs(float(r["amount"]))
        if day >= as_of:
            continue
        slack = amount_slack(paid)
        store_bought = str(r.get("channel") or "").lower() in STORE_CHANNELS
        lo, hi = (paid - slack, paid + slack) if store_bought else (min(low * paid, paid - slack),
                                                                     max(high * paid, paid + slack))
        rows = store.conn.execute(
            "SELECT transaction_id, date, description, amount FROM transactions WHERE account_id = ? AND date > ?"
            " AND date <= ? AND amount < 0 AND -amount BETWEEN ? AND ? ORDER BY date",
            [r["account_id"], day.isoformat() + "\uffff", as_of.isoformat() + "\uffff", lo, hi]
        ).fetchall()
        if not rows:
            continue
        key = normalize_one(r.get("description") or "")[0]
        for tid, when, description, amount in rows:
            later = to_date(when)
            if tid == r["transaction_id"] or tid in not_renewals or later <= day \
                    or normalize_one(description or "")[0] != key:
                continue
            gap = (later - day).days
            if abs(-amount - paid) <= slack or any(a <= gap <= b for a, b in NEXT_TERM_DAYS):
                out[r["transaction_id"]] = later
                break
    return out


def _no_vendor_price_ids(records: list[dict], txs: dict[str, dict]) -> set[str]:
    """Transaction ids of price flags (a renewal, a first full charge, a rise) on charges whose
    amount no vendor prices: rent, dues, a tax or government fee, a utility's payment, money the
    holder sends (:func:`detector.flags.no_vendor_price`). The flag says so; nothing is asked."""
    from .flags import PRICE_FLAGS, no_vendor_price

    priced = [r for r in records if r["type"] in PRICE_FLAGS]
    if not priced:
        return set()
    frame = pd.DataFrame({
        "merchant": [r.get("merchant") for r in priced], "vendor": [r.get("vendor") for r in priced],
        "description": [r.get("description") or txs.get(r["transaction_id"], {}).get("description")
                        for r in priced]})
    return {r["transaction_id"] for r, hit in zip(priced, no_vendor_price(frame)) if hit}


#: A credit this many days after a charge or sooner can give it back (as ``given_back.REFUND_DAYS``).
CREDIT_DAYS = 90


def partial_credits(store: Store, records: list[dict], as_of: date) -> dict[str, list[dict]]:
    """Credits that gave back part of each charge: ``{transaction_id: [{date, amount, transaction_id}]}``.

    A credit of the charge's merchant (the same account and normalised descriptor) smaller than
    the charge, on its day or after it, before that merchant's next charge (and within
    :data:`CREDIT_DAYS`, up to ``as_of``) gave part of it back. A credit of the whole amount is
    the flags' ``refunded_on`` (no request at all); each credit counts once, for the nearest
    charge before it.

    Only descriptors that can matter are normalised (one at a time, :func:`normalize_one`): a
    credit of the charge's account within its window and smaller than it, and the account's
    charges within the window of a charge such a credit may concern. Normalising every credit and
    charge of the flagged accounts cost 4-5 CPU-s of a 1.2M-row scan (paychecks are credits too).
    """
    from .normalize import normalize_one

    if not records:
        return {}

    def read(sign: str, accounts, since: str, until: str) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT transaction_id, account_id, date, amount, description FROM transactions"
            f" WHERE amount {sign} 0 AND account_id IN (SELECT value FROM json_each(?)) AND date BETWEEN ? AND ?",
            store.conn, params=[json.dumps(sorted(accounts)), since, until])

    key_of: dict = {}

    def keys(descriptions) -> pd.Series:
        for d in set(descriptions) - key_of.keys():
            key_of[d] = normalize_one(d)[0]
        return descriptions.map(key_of)

    days = [to_date(r["date"]) for r in records]
    charge = pd.DataFrame({"r": range(len(records)), "account_id": [r["account_id"] for r in records],
                           "first": [d.toordinal() for d in days],
                           "paid": [abs(float(r["amount"])) for r in records],
                           "description": [r.get("description") or "" for r in records]})
    # credits are few: read them first, then the charges only of accounts a credit may concern
    credits_all = read(">", set(charge["account_id"]), min(days).isoformat(), as_of.isoformat())
    if credits_all.empty:
        return {}
    credits_all["day"] = _days(credits_all["date"])
    # each charge with the credits that could give part of it back, by account, window and amount
    pairs = _pair_by_account(charge, credits_all)
    pairs = pairs[(pairs["day"] >= pairs["first"]) & (pairs["day"] < pairs["first"] + CREDIT_DAYS)
                  & (pairs["amount"] < pairs["paid"] - 0.01)]
    pairs = pairs[keys(pairs["description_r"]).to_numpy() == keys(pairs["description_c"]).to_numpy()]
    if pairs.empty:
        return {}
    kept = np.unique(pairs["r"].to_numpy())
    records, charge = [records[i] for i in kept], charge.iloc[kept].reset_index(drop=True)
    credits = credits_all.iloc[np.unique(pairs["c"].to_numpy())]
    charges = read("<", set(charge["account_id"]), min(to_date(r["date"]) for r in records).isoformat(),
                   as_of.isoformat())
    charges["day"] = _days(charges["date"])
    # a charge of the account after one of these, within its window, may end that window
    near = _pair_by_account(charge, charges)
    near = near[(near["day"] > near["first"]) & (near["day"] < near["first"] + CREDIT_DAYS)]
    charges = charges.iloc[np.unique(near["c"].to_numpy())]
    rows = pd.concat([credits, charges], ignore_index=True)
    rows = rows.assign(key=keys(rows["description"]), day=rows["day"].map(date.fromordinal))
    keys(charge["description"])
    out: dict[str, list[dict]] = {}
    taken: set[str] = set()
    for r in sorted(records, key=lambda r: str(r["date"]), reverse=True):  # a later charge takes its credits first
        day, paid = to_date(r["date"]), abs(float(r["amount"]))
        same = rows[(rows["account_id"] == r["account_id"]) & (rows["key"] == key_of[r.get("description") or ""])]
        later = same[(same["amount"] < 0) & (same["day"] > day)]
        until = min([day + timedelta(days=CREDIT_DAYS), *later["day"]])
        credits = same[(same["amount"] > 0) & (same["day"] >= day) & (same["day"] < until)
                       & (same["amount"] < paid - 0.01) & ~same["transaction_id"].isin(taken)]
        if not credits.empty:
            taken.update(credits["transaction_id"])
            out[r["transaction_id"]] = [{"date": d.isoformat(), "amount": round(float(a), 2), "transaction_id": t}
                                        for d, a, t in zip(credits["day"], credits["amount"], credits["transaction_id"])]
    return out


def _days(dates: pd.Series) -> pd.Series:
    """ISO dates as day ordinals (each distinct text read once, as :func:`to_date` reads it)."""
    return dates.map({d: to_date(d).toordinal() for d in dates.unique()}).astype("int64")


def _pair_by_account(charge: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Every (charge, row) of one account: ``r`` the charge's position, ``c`` the row's."""
    rows = pd.DataFrame({"c": np.arange(len(rows)), "account_id": rows["account_id"].astype(object).to_numpy(),
                         "day": rows["day"].to_numpy(), "amount": rows["amount"].to_numpy(),
                         "description": rows["description"].astype(object).to_numpy()})
    charge = charge.assign(account_id=charge["account_id"].astype(object))
    return charge.merge(rows, on="account_id", suffixes=("_r", "_c"))


def _with_credits(inputs: dict, credits: list[dict] | None) -> float | None:
    """Record ``credits`` in ``inputs`` (the amount asked becomes what is left); returns the amount
    credited (0.0 for none), or None when the credits gave it all back."""
    if not credits:
        return 0.0
    back = round(sum(c["amount"] for c in credits), 2)
    rest = round(inputs["amount"] - back, 2)
    if rest <= 0.01:
        return None
    inputs.update(charged_amount=inputs.get("charged_amount") or inputs["amount"], amount=rest, credits=credits)
    return back


def _ask_the_rise(inputs: dict) -> None:
    """A price rise asks back the rise, not the month of service the charge paid for: the
    amount asked is the charge less the price before it (from the flag's reason), which the
    request records as ``price_before`` (round-thirteen audit: Netflix 15.49 -> 17.99 asked for
    the whole 17.99)."""
    from .price_flags import price_before, rise_in_own_price

    charged = float(inputs["amount"])
    own = rise_in_own_price(inputs.get("flag_reason"))
    if own is not None:
        # a plan priced in another currency than the card's (10.00 USD, then 12.00 USD, on a pound
        # card): the rise's share of the charge, in the card's currency
        after, was, code = own
        if 0 < was < after:
            before = round(charged * was / after, 2)
            inputs.update(charged_amount=charged, amount=round(charged - before, 2), price_before=before,
                          own_price=after, own_price_before=was, own_currency=code)
        return
    before = price_before(inputs.get("flag_reason"))
    if before is not None and 0 < before < charged:
        inputs.update(charged_amount=charged, amount=round(charged - before, 2), price_before=before)


def _cite_the_evidence(inputs: dict) -> None:
    """The fact a charge after a cancellation or a double charge rests on, from the flag's reason,
    for the request to state: the cancellation date (``cancelled_on``; ``signed_up_again_unknown``
    for a plan's first charge back after months without one, where only the person knows whether
    they signed up again), or the earlier charge repeated (``repeats_date``, ``repeats_amount``).
    Round-thirty-three audit: the emails said only "I was charged after I had cancelled the
    subscription" and "I was charged twice for the same subscription period", not when nor what
    the vendor should look for."""
    reason = inputs.get("flag_reason")
    if inputs["flag_type"] == "charge_after_cancellation":
        from .cancel_flags import cancellation_named

        named = cancellation_named(reason)
        if named is not None:
            inputs.update(cancelled_on=named[0], signed_up_again_unknown=named[1])
    elif inputs["flag_type"] == "duplicate_charge":
        from .duplicate_flags import charge_repeated

        named = charge_repeated(reason)
        if named is not None:
            day, amount = named
            inputs.update(repeats_date=day, repeats_amount=float(inputs["amount"]) if amount is None else amount)


# -- public API -------------------------------------------------------------------------------


def queue_refunds(store: Store, flags: pd.DataFrame, as_of, *, process_for_vendor: ProcessLookup | None = None,
                  processes: dict[str, RefundProcess] | None = None) -> list[dict]:
    """A refund request (status ``Candidate``) for every flagged charge; returns them, one per charge.

    A charge flagged twice (a yearly renewal billed after a cancellation) gets one request, for
    the flag first in :data:`REFUND_FLAG_ORDER` (:func:`requested_flags`): two requests would ask
    the vendor twice for one charge. Idempotent: ``request_id = stable_id(transaction_id, flag
    type)``. A request already moved on by the user (any status but ``Candidate``) is returned as
    stored, untouched, and no other request is queued for its charge. A ``Candidate`` is
    recomputed as of ``as_of`` (its expected date moves with the filing date, and a filing window
    may have closed); its history is kept.
    """
    processes = processes if processes is not None else load_refund_processes()
    lookup = process_for_vendor or name_lookup(processes)
    if flags is None or flags.empty:
        return []
    require_columns(flags, ("type", "transaction_id", "account_id", "date", "amount"), "queue_refunds")
    as_of = to_date(as_of)
    records = [{k: clean(v) for k, v in r.items()} for r in flags.to_dict("records")]
    for r in records:
        if r["type"] not in FLAG_TYPES:
            raise SchemaError(f"queue_refunds: unknown flag type {r['type']!r} for transaction {r['transaction_id']}")
        r["request_id"] = stable_id(r["transaction_id"], r["type"])
    records = list({r["request_id"]: r for r in reversed(records)}.values())[::-1]
    doubled = {r["transaction_id"] for r in records if r["type"] == "duplicate_charge"}
    chosen = requested_flags(pd.DataFrame({"transaction_id": [r["transaction_id"] for r in records],
                                           "type": [r["type"] for r in records],
                                           "refunded_on": [r.get("refunded_on") for r in records]}))
    records = [records[i] for i in chosen.index]
    # a charge whose request the user filed (under any of its flags) gets no second one
    filed = {row["transaction_id"]: row["request_id"] for row in _rows_where_in(
        store, "refund_requests", "transaction_id", (r["transaction_id"] for r in records),
        "transaction_id, request_id, status") if row["status"] != "Candidate"}
    if filed:
        records = [r if r["transaction_id"] not in filed else {**r, "request_id": filed[r["transaction_id"]]}
                   for r in records]

    existing = {r["request_id"]: _from_row(r) for r in
                _rows_where_in(store, "refund_requests", "request_id", (r["request_id"] for r in records))}
    txs, streams, descriptions = _flagged_rows(store, records)
    # a charge whose row is not stored (the Spark job stores streams and flags only) is in its
    # stream's currency, which may not be its account's (round-twenty-three audit)
    stream_currency = {sid: s.pop("currency") for sid, s in streams.items()}
    accounts = {a: store.account(a) for a in {r["account_id"] for r in records}}
    over = _not_asked(store, records, txs, streams, descriptions, as_of, doubled)
    credited = partial_credits(store, [{**r, "description": r.get("description") or
                                        txs.get(r["transaction_id"], {}).get("description")} for r in records], as_of)

    out, to_save, withdrawn, todo = [], [], [], []
    for r in records:
        old = existing.get(r["request_id"])
        if old is not None and old["status"] != "Candidate":
            out.append(public(old))
            continue
        if r["transaction_id"] in over:  # kept and used: nothing to ask back (a stale candidate goes)
            if old is not None:
                withdrawn.append(r["request_id"])
            continue
        tx = txs.get(r["transaction_id"], {})
        account = accounts.get(r["account_id"])
        inputs = {
            "flag_type": r["type"], "flag_id": r.get("flag_id"), "flag_reason": r.get("reason"),
            "transaction_id": str(r["transaction_id"]), "account_id": str(r["account_id"]),
            # (a charge whose row is not stored, the Spark job's, carries its input's id_from_bank)
            "bank_reference": bank_reference(r["transaction_id"], tx or {"id_from_bank": r.get("id_from_bank")}),
            "charge_date": to_date(r["date"]).isoformat(), "amount": abs(float(r["amount"])),
            "currency": (tx.get("currency") or stream_currency.get(r.get("stream_id"))
                         or (account or {}).get("currency") or "USD"),
            "description": r.get("description") or tx.get("description") or r.get("merchant") or "",
            "merchant": r.get("merchant"), "vendor": r.get("vendor"), "channel": r.get("channel"),
            "stream": streams.get(r.get("stream_id")), "job_date": None, "user_reason": None,
        }
        if r["type"] == "price_increase":
            _ask_the_rise(inputs)
        _cite_the_evidence(inputs)
        back = _with_credits(inputs, credited.get(r["transaction_id"]))
        if back is None:  # several credits gave all of it back
            if old is not None:
                withdrawn.append(r["request_id"])
            continue
        todo.append((len(out), r, old, inputs, account, back))
        out.append(None)  # (its request, built below)
    # the gifts taken in error among them, told in one pass (gift_errors), then each request
    for (at, r, old, inputs, account, back), gift in zip(todo, gift_errors([t[3] for t in todo])):
        req = build_request(inputs, processes, lookup, account, as_of, "Candidate", gift_error=gift)
        req.update(request_id=r["request_id"], inputs=inputs, refunded_amount=back or None)
        if old is None:
            note = f"queued from {_a(r['type'].replace('_', ' '))} flag"
            if back:
                note += (f"; partially refunded already ({figure(back, inputs.get('currency'), thousands=False)} credited back), "
                         "the rest is asked for")
            req.update(history=[_history("Candidate", as_of, note)], created_at=utcnow(), updated_at=utcnow())
            to_save.append(req)
        else:
            req.update(history=old["history"], created_at=old["created_at"], updated_at=old["updated_at"])
            if req != old:  # only a changed candidate is written (JSON round trip keeps dicts equal)
                req["updated_at"] = utcnow()
                to_save.append(req)
        out[at] = public(req)
    kept = _save_candidates(store, to_save)
    if kept:  # moved on by the user while this ran: as stored
        out = [public(kept[r["request_id"]]) if r["request_id"] in kept else r for r in out]
    if withdrawn:
        with store.conn:
            store.conn.execute("DELETE FROM refund_requests WHERE status = 'Candidate' AND request_id IN "
                               "(SELECT value FROM json_each(?))", [json.dumps(withdrawn)])
    return out


#: Why a flagged charge asks nothing back (:func:`queue_refunds`), as the report's line under the
#: suspicious charges counts them (:func:`unasked_counts`), each a phrase after a count.
NOT_ASKED = {
    "another_flag": "flagged twice, asked back once",
    "term_over": "term over (the plan billed again, or a period passed)",
    "no_vendor_price": "no vendor's price (rent, a tax, a utility's payment, a gift's amount, money you send)",
    "own_change": "likely your own change of plan",
    "final_bill": "final bill after a closing",
    "pending": "still pending (nothing taken yet)",
    "given_back": "already given back",
    "other": "other",
}


def _not_asked(store: Store, records: list[dict], txs: dict, streams: dict, descriptions: dict, as_of: date,
               doubled: set) -> dict[str, str]:
    """The charges of flags (``records``: one per charge) that ask nothing back, by transaction
    id, each with its reason (a key of :data:`NOT_ASKED`): a term that has run out, no vendor's
    price, the person's own change of plan, a utility's final bill, a double charge still pending."""
    from .cancel_flags import is_final_bill
    from .duplicate_flags import held_pending
    from .price_flags import own_change

    again = billed_again(store, [{**r, "description": descriptions[r["transaction_id"]]} for r in records],
                         streams, as_of, doubled)
    why = dict.fromkeys(renewal_terms_over(records, streams, as_of, again), "term_over")
    # rent, a tax, a utility's payment: its renewal or rise is no vendor's price to ask back
    why.update(dict.fromkeys(_no_vendor_price_ids(records, txs), "no_vendor_price"))
    for r in records:
        if r["type"] == "price_increase" and own_change(r.get("reason")):
            why[r["transaction_id"]] = "own_change"  # the flag asks the person first
        elif is_final_bill(r["type"], r.get("reason")):
            why[r["transaction_id"]] = "final_bill"  # it pays for the use up to the closing
        elif held_pending(r["type"], r.get("reason")):
            why[r["transaction_id"]] = "pending"  # pending authorisations: nothing is taken yet
    return why


def unasked_counts(store: Store, flags: pd.DataFrame, requests: list[dict], as_of) -> dict[str, int]:
    """How many of ``flags`` ask nothing back, by reason (keys of :data:`NOT_ASKED`, in its
    order): the flags whose charge none of ``requests`` asks back (a charge flagged twice is
    asked back once, ``another_flag``), judged as :func:`queue_refunds` judged them as of
    ``as_of``. Round-51 audit: 15 suspicious charges and 8 requests, and no word why."""
    if flags is None or flags.empty:
        return {}
    asked = {(r.get("transaction_id"), r.get("flag_type")) for r in requests}
    asked_charges = {t for t, _ in asked}
    records = [{k: clean(v) for k, v in r.items()} for r in flags.to_dict("records")]
    counts: dict[str, int] = {}
    left = []
    for r in records:
        if r["transaction_id"] in asked_charges:
            if (r["transaction_id"], r["type"]) not in asked:
                counts["another_flag"] = counts.get("another_flag", 0) + 1
        elif r.get("refunded_on"):
            counts["given_back"] = counts.get("given_back", 0) + 1
        else:
            left.append(r)
    if left:
        as_of = to_date(as_of)
        txs, streams, descriptions = _flagged_rows(store, left)
        doubled = {r["transaction_id"] for r in records if r["type"] == "duplicate_charge"}
        why = _not_asked(store, left, txs, streams, descriptions, as_of, doubled)
        rest = [r for r in left if r["transaction_id"] not in why]
        credited = partial_credits(store, [{**r, "description": descriptions[r["transaction_id"]]} for r in rest],
                                   as_of) if rest else {}
        for r in left:
            reason = why.get(r["transaction_id"]) or ("given_back" if credited.get(r["transaction_id"]) else "other")
            counts[reason] = counts.get(reason, 0) + 1
    return {k: counts[k] for k in NOT_ASKED if counts.get(k)}


def _flagged_rows(store: Store, records: list[dict]) -> tuple[dict, dict, dict]:
    """The stored rows flagged ``records`` point at: ``(transactions, streams, descriptions)``,
    the first two by id (a stream's row with its ``currency``), descriptions by transaction id
    (the flag's own, else its stored row's)."""
    txs = {t["transaction_id"]: t for t in _rows_where_in(
        store, "transactions", "transaction_id", (r["transaction_id"] for r in records),
        "transaction_id, currency, description, id_from_bank")}
    streams = {s["stream_id"]: s for s in _rows_where_in(
        store, "streams", "stream_id", (r.get("stream_id") for r in records),
        "stream_id, frequency, first_date, last_date, currency")}
    descriptions = {r["transaction_id"]: r.get("description") or txs.get(r["transaction_id"], {}).get("description")
                    for r in records}
    return txs, streams, descriptions


def _save_candidates(store: Store, requests: list[dict]) -> dict[str, dict]:
    """Write queued candidates, compare-and-set: one whose charge has a request the user moved on
    (any status but ``Candidate``) since :func:`queue_refunds` read the store is not written.

    The queueing reads the requests, builds, then writes whole rows; a ``subdetect refunds mark``
    needs no run lock, and one committed in between was overwritten (round-twenty-five audit: the
    mark printed [Pending], the nightly put the request back to Candidate and dropped its history
    entry). The check and the writes are one ``BEGIN IMMEDIATE`` transaction, so no mark commits
    between them. Returns the requests left as stored, by id (the user's, in full)."""
    if not requests:
        return {}
    conn = store.conn
    with _immediate(conn):
        moved = [r for r in _rows_where_in(store, "refund_requests", "transaction_id",
                                           (r["transaction_id"] for r in requests),
                                           "request_id, transaction_id, status")
                 if r["status"] != "Candidate"]
        taken = {r["transaction_id"] for r in moved}
        upsert_rows(store, "refund_requests", [_to_row(r) for r in requests if r["transaction_id"] not in taken],
                    pk="request_id")
        kept = {}
        if taken:
            stored = {r["request_id"]: _from_row(r) for r in
                      _rows_where_in(store, "refund_requests", "request_id", (r["request_id"] for r in moved))}
            for r in requests:
                if r["transaction_id"] in taken:
                    mine = stored.get(r["request_id"]) or next(
                        stored[m["request_id"]] for m in moved if m["transaction_id"] == r["transaction_id"])
                    kept[r["request_id"]] = mine
    return kept


def bank_reference(transaction_id, tx: dict) -> str | None:
    """The charge's id when it is the bank's own reference for it (``id_from_bank``), else None:
    a hash subdetect made, or Plaid's id, is on no statement and the vendor cannot find it
    (round-twenty-four audit: a Chase charge's emails quoted "transaction reference 8b3449e61beb3422")."""
    return str(transaction_id) if (tx or {}).get("id_from_bank") else None


def open_request(store: Store, transaction_id: str, reason: str, as_of, *, vendor: str | None = None,
                 channel: str | None = None, job_date=None, enrich: Enrich | None = None,
                 process_for_vendor: ProcessLookup | None = None,
                 processes: dict[str, RefundProcess] | None = None) -> dict:
    """Open a refund request for any stored charge, by hand, and file it at once (status ``Pending``).

    Vendor and channel come from the arguments, else from ``enrich`` (the merchant matcher) over
    the transaction, else from the descriptor (channel keywords, knowledge-base vendor names).
    ``job_date`` is PRO360's "job date"; it defaults to the charge date. A detector ``Candidate``
    for the same charge is canceled as superseded, so the charge is never filed twice.
    """
    if not reason or not str(reason).strip():
        raise ConfigError("a refund request opened by hand needs a reason")
    processes = processes if processes is not None else load_refund_processes()
    lookup = process_for_vendor or name_lookup(processes)
    rows = list(store.db["transactions"].rows_where("transaction_id = ?", [transaction_id]))
    if not rows:
        raise NotFound(f"no stored transaction {transaction_id!r}")
    tx = rows[0]
    if float(tx["amount"]) >= 0:  # a credit is money the merchant paid back: nothing to ask for
        raise InvalidTransition(f"transaction {transaction_id} is a credit (money in, {float(tx['amount']):+.2f}), "
                                f"not a charge: a refund request is for money a vendor took")
    request_id = stable_id(transaction_id, MANUAL)
    # A charge is filed once: by hand, or as the scan's request the user already filed (a Candidate
    # is superseded below instead). Canceled requests are over and do not count.
    for row in store.db["refund_requests"].rows_where("transaction_id = ?", [transaction_id],
                                                      select="request_id, status"):
        if row["request_id"] == request_id or row["status"] not in ("Candidate", "Canceled"):
            raise InvalidTransition(f"a refund request for {transaction_id} is already open as {row['request_id']} "
                                    f"({row['status']}); move it with `subdetect refunds mark`")
    merchant = None
    if (vendor is None or channel is None) and enrich is not None:
        frame = pd.DataFrame([{k: tx[k] for k in ("transaction_id", "account_id", "date", "amount", "currency",
                                                  "description", "source", "source_file", "source_line")}])
        row = {k: clean(v) for k, v in enrich(frame).iloc[0].to_dict().items()}
        vendor = vendor if vendor is not None else row.get("vendor")
        channel = channel if channel is not None else row.get("channel")
        merchant = row.get("merchant")
    if vendor is None:
        vendor = vendor_in_descriptor(processes, tx["description"])
    as_of = to_date(as_of)
    _check_filing_date(as_of, tx["date"], f"transaction {transaction_id}")
    if job_date:
        _check_job_date(job_date, tx["date"], f"transaction {transaction_id}")
    account = store.account(tx["account_id"])
    inputs = {
        "flag_type": MANUAL, "flag_id": None, "flag_reason": None,
        "transaction_id": transaction_id, "account_id": tx["account_id"],
        "bank_reference": bank_reference(transaction_id, tx),
        "charge_date": to_date(tx["date"]).isoformat(), "amount": abs(float(tx["amount"])),
        "currency": tx.get("currency") or (account or {}).get("currency") or "USD",
        "description": tx["description"], "merchant": merchant, "vendor": vendor,
        "channel": channel or tx["description"], "stream": None,
        "job_date": to_date(job_date).isoformat() if job_date else None, "user_reason": str(reason).strip(),
    }
    back = _with_credits(inputs, partial_credits(store, [{**inputs, "date": inputs["charge_date"]}], as_of)
                         .get(transaction_id))
    if back is None:
        raise InvalidTransition(f"{transaction_id} was already given back in full by later credits of its merchant")
    req = build_request(inputs, processes, lookup, account, as_of, "Pending")
    req.update(request_id=request_id, inputs=inputs, refunded_amount=back or None, created_at=utcnow(), updated_at=utcnow(),
               history=[_history("Pending", as_of, f"opened by hand and filed: {inputs['user_reason']}")])
    superseded = []
    for other in list_requests(store, account_id=tx["account_id"], status="Candidate"):
        if other["transaction_id"] == transaction_id:
            other = get_request(store, other["request_id"], internal=True)
            other["history"].append(_history("Canceled", as_of, f"superseded by {request_id}, opened by hand",
                                             previous="Candidate"))
            other.update(status="Canceled", updated_at=utcnow())
            superseded.append(other)
    _save(store, superseded + [req])
    return public(req)


def mark(store: Store, request_id: str, status: str, *, amount: float | None = None, on=None,
         note: str | None = None, job_date=None, processes: dict[str, RefundProcess] | None = None) -> dict:
    """Move a request to ``status``; raises :class:`InvalidTransition` for a move the lifecycle forbids.

    Filing a candidate (``Pending``) records the filing date ``on`` (default today) and recomputes
    eligibility and ``expected_by`` from it; ``job_date`` (PRO360) may be given then, replacing the
    charge date as the start of the filing window. ``Partially Refunded`` needs ``amount``.
    """
    req = get_request(store, request_id, internal=True)
    new = parse_status(status)
    amount = None if amount is None else round(float(amount), 2)
    check_transition(req["status"], new, amount=amount, original=req["amount"])
    when = to_date(on) if on is not None else _today()
    if new == "Pending":
        _check_filing_date(when, req["charge_date"], f"request {req['request_id']}")
    last = max((to_date(h["at"]) for h in req["history"] if h.get("status") != "Candidate"), default=None)
    if last is not None and when < last:
        raise InvalidTransition(f"cannot mark request {req['request_id']} {new} on {when.isoformat()}: its last "
                                f"status change ({req['status']}) is dated {last.isoformat()}, and a status "
                                f"cannot be dated before the one it follows")
    entry = _history(new, when, note, previous=req["status"], amount=amount)
    if job_date is not None and new != "Pending":
        raise InvalidTransition("a job date can only be given when filing a candidate (Pending)")
    if job_date is not None:
        _check_job_date(job_date, req["charge_date"], f"request {req['request_id']}")
    if new == "Pending":
        if job_date is not None:
            req["inputs"] = {**req["inputs"], "job_date": to_date(job_date).isoformat()}
        processes = processes if processes is not None else load_refund_processes()
        rebuilt = build_request(req["inputs"], processes, name_lookup(processes), store.account(req["account_id"]),
                         when, "Pending", process_id=req["process"])
        if rebuilt["eligible"] is False:
            entry["note"] = "; ".join(filter(None, [note, "filed although ineligible: " + rebuilt["eligibility_reason"]]))
        req.update(rebuilt)
    else:
        req["status"] = new
        if new == "Canceled":  # nothing is coming any more (round-nineteen audit: it still showed a date)
            req["expected_by"] = None
        credited = sum(c["amount"] for c in req.get("credits") or [])  # given back before the request
        if new == "Refunded":
            req["refunded_amount"] = round(credited + req["amount"], 2)
        elif new == "Partially Refunded":
            req["refunded_amount"] = round(credited + amount, 2)
        _set_status_meaning(req, processes)
        if new == "Completed":  # after a partial refund: what never came back (`refunds show` says it)
            short = shortfall(req)
            if short:
                req["not_refunded"] = short
    req["history"] = [*req["history"], entry]
    req["updated_at"] = utcnow()
    _save(store, [req])
    return public(req)


def _owed(req: dict) -> float:
    """What the request asks back in all: what was credited before it was queued, and the rest asked."""
    return round(sum(c["amount"] for c in req.get("credits") or []) + float(req["amount"]), 2)


def shortfall(req: dict) -> float | None:
    """Of what a ``Partially Refunded`` or ``Completed`` request asked back, what has not come back
    (``refunded_amount`` short of it), else None. The seeds' "Completed" means "fully processed";
    a request completed after a partial refund said nothing of the rest (round-thirty-seven audit:
    500 of 1,490)."""
    got = req.get("refunded_amount")
    if req.get("status") not in ("Partially Refunded", "Completed") or got is None:
        return None
    rest = round(_owed(req) - float(got), 2)
    return rest if rest > 0.005 else None


#: What a request whose charge the bank removed says, in its history and ``refunds show``.
REMOVED_NOTE = ("the bank removed this charge (a pending charge that never posted, or one reversed): "
                "nothing was taken for it")


def note_removed_charges(store: Store, transaction_ids: Iterable[str], on) -> int:
    """Requests for charges the bank removed (Plaid's ``removed``: a pending charge that never
    posted): a ``Candidate`` is withdrawn, a request moved on keeps its status and records
    ``charge_removed_on`` and a history note, so nobody chases a refund of money never taken
    (round-fourteen audit: a filed request stayed Pending beside no charge). Writes inside the
    caller's transaction (the sync's, which commits it with the rows' removal and the cursor);
    returns the number of requests touched."""
    rows = _rows_where_in(store, "refund_requests", "transaction_id", transaction_ids)
    if not rows:
        return 0
    day = to_date(on)
    keep, drop = [], []
    for row in rows:
        req = _from_row(row)
        if req["status"] == "Candidate":
            drop.append(req["request_id"])
        elif not req.get("charge_removed_on"):
            req["charge_removed_on"] = day.isoformat()
            req["history"] = [*req["history"], _history(req["status"], day, REMOVED_NOTE, previous=req["status"])]
            req["updated_at"] = utcnow()
            keep.append(req)
    if keep:
        upsert_rows(store, "refund_requests", [_to_row(r) for r in keep], pk="request_id")
    if drop:
        store.conn.execute("DELETE FROM refund_requests WHERE request_id IN (SELECT value FROM json_each(?))",
                           [json.dumps(drop)])
    return len(keep) + len(drop)


#: Statuses of a request the vendor is still handling: a change to its charge matters to it.
_WITH_VENDOR = ("Pending", "Processing")


def note_changed_amounts(store: Store, transaction_ids: Iterable[str], on) -> int:
    """Requests filed with the vendor whose charge the bank later changed (Plaid's ``modified``,
    or a pending charge posted at another sum: a tip, a conversion at the day's rate): the
    request keeps what it asked for (it was sent), and records ``charge_amount_now`` and a
    history note saying what the charge reads now, once per change (seventeenth-session note: a
    request filed for 15.49 said nothing when the charge became 15.99). A ``Candidate`` is
    recomputed from the charge by the next queueing. Writes inside the caller's transaction;
    returns the number of requests noted."""
    rows = [r for r in _rows_where_in(store, "refund_requests", "transaction_id", transaction_ids)
            if r["status"] in _WITH_VENDOR]
    if not rows:
        return 0
    amounts = {t["transaction_id"]: abs(float(t["amount"])) for t in _rows_where_in(
        store, "transactions", "transaction_id", (r["transaction_id"] for r in rows), "transaction_id, amount")}
    day, noted = to_date(on), []
    for row in rows:
        req = _from_row(row)
        now = amounts.get(req["transaction_id"])
        inputs = req.get("inputs") or {}
        was = req.get("charge_amount_now") or inputs.get("charged_amount") or inputs.get("amount")
        if now is None or was is None or abs(now - float(was)) < 0.005:
            continue
        code = req.get("currency") or inputs.get("currency")
        note = (f"the bank changed this charge from {format_money(float(was), code)} to {format_money(now, code)} "
                f"after the request was filed, which asked for {format_money(float(req['amount']), code)}: "
                "tell the vendor if the sum to refund changes")
        req["charge_amount_now"] = now
        req["history"] = [*req["history"], _history(req["status"], day, note, previous=req["status"])]
        req["updated_at"] = utcnow()
        noted.append(req)
    if noted:
        upsert_rows(store, "refund_requests", [_to_row(r) for r in noted], pk="request_id")
    return len(noted)


def ask_after_change(req: dict, standing: dict | None) -> float | None:
    """What a filed request whose charge the bank changed (``charge_amount_now``) should ask
    now: 0.0 when no flag of its type stands on the charge any more (nothing is left to ask: a
    price rise the bank corrected away), else what the flag now asks of the charge's new sum (a
    price rise, the charge less the price before it, from ``standing``'s reason; any other flag,
    the whole charge), less what was credited before the request was queued. None for a request
    opened by hand (no flag judges its sum) or whose charge did not change. Round-forty-seven
    audit: a filed 5.00 price-rise request whose charge the bank corrected from 23.99 to 18.99
    read "Pending" in the list and the report, as if there were still a rise to ask back."""
    now = req.get("charge_amount_now")
    if now is None or req.get("flag_type") not in FLAG_TYPES:
        return None
    if standing is None:
        return 0.0
    inputs = {"amount": abs(float(now)), "flag_reason": standing.get("reason")}
    if req["flag_type"] == "price_increase":
        _ask_the_rise(inputs)
    back = sum(float(c["amount"]) for c in (req.get("inputs") or {}).get("credits") or [])
    return max(0.0, round(float(inputs["amount"]) - back, 2))


def bank_change_advice(req: dict) -> str | None:
    """What the bank's removal or change of a filed request's charge asks of the user, in the
    words the status of ``refunds list`` and the report carry after the status ("Pending (...)"),
    or None (nothing changed, or the request is no longer with the vendor)."""
    if req.get("charge_removed_on"):
        return f"charge removed by the bank on {req['charge_removed_on']}: withdraw it"
    now = req.get("charge_amount_now")
    if now is None or req.get("status") not in _WITH_VENDOR:
        return None
    code = req.get("currency")
    charge = format_money(float(now), code)
    left, asked = req.get("amount_to_ask_now"), float(req["amount"])
    if left is None:
        return f"the bank changed the charge to {charge}: check the {format_money(asked, code)} asked"
    if left < 0.005:
        return f"the bank corrected the charge to {charge}: nothing is left to ask, withdraw it"
    if abs(float(left) - asked) >= 0.005:
        return f"the bank changed the charge to {charge}: revise the amount asked to {format_money(left, code)}"
    return None


def _ask_now_note(req: dict, left: float) -> str:
    """The history note of :func:`follow_filed` when a changed charge changes what to ask."""
    code = req.get("currency")
    charge = format_money(float(req["charge_amount_now"]), code)
    what = (req.get("flag_type") or "").replace("_", " ")
    if left < 0.005:
        return (f"at {charge} no {what} flag stands on this charge any more: nothing is left to ask; "
                "withdraw the request with the vendor")
    return (f"at {charge} the {what} flag asks {format_money(left, code)}, not the "
            f"{format_money(float(req['amount']), code)} the request asked: tell the vendor the sum to refund")


def _credit_seen_note(credits: list[dict], code: str | None) -> str:
    return "; ".join(f"a credit of {format_money(c['amount'], code)} on {c['date']} seen in the statement"
                     for c in credits)


def _whole_credits(store: Store, requests: list[dict], refunded_on: dict[str, str]) -> dict[str, dict]:
    """The credit behind each flag's ``refunded_on`` (the flags' own pairing of a credit with the
    charge it gave back, :func:`detector.flags._mark_refunded`): ``{transaction_id: {date,
    amount, transaction_id}}``, the account's credit of that day nearest the charge's amount,
    one of the charge's merchant first."""
    from .normalize import normalize_one

    out = {}
    for req in requests:
        day = refunded_on.get(req["transaction_id"])
        if not day:
            continue
        day = to_date(day).isoformat()
        paid = float(req.get("charged_amount") or req["amount"])
        slack = amount_slack(paid)
        rows = store.conn.execute(
            "SELECT transaction_id, amount, description FROM transactions WHERE account_id = ? AND date >= ?"
            " AND date < ? AND amount BETWEEN ? AND ?",
            [req["account_id"], day, day + "\uffff", paid - slack, paid + slack]).fetchall()
        key = normalize_one(req.get("description") or "")[0]
        rows.sort(key=lambda t: (normalize_one(t[2] or "")[0] != key, abs(float(t[1]) - paid), t[0]))
        tid, amount = (rows[0][0], round(float(rows[0][1]), 2)) if rows else (None, round(paid, 2))
        out[req["transaction_id"]] = {"date": day, "amount": amount, "transaction_id": tid}
    return out


def _unflagged_whole_credits(store: Store, requests: list[dict], as_of: date) -> dict[str, dict]:
    """The credit that gave back the whole charge of each request no flag holds (one opened by
    hand for a charge the detector did not flag), by the flags' own rule
    (:func:`detector.given_back.credits_giving_back`): a credit of the charge's account and
    merchant (normalised descriptor) of its amount (within a cent, or 1%), on its day or up to
    ``REFUND_DAYS`` later and up to ``as_of``, gives back the nearest charge of that merchant
    before it of its amount (within a cent or 1% of the charge, as for the flags: the rule's
    :func:`~detector.given_back.gives_back`; the later of two on one day, in the order they were
    stored); of two such credits, the nearer one (of two on one day, the one stored first).
    ``{transaction_id: {date, amount, transaction_id}}``."""
    from .normalize import normalize_one

    out: dict[str, dict] = {}
    key_of: dict[str, str] = {}

    def key(description) -> str:
        d = description or ""
        if d not in key_of:
            key_of[d] = normalize_one(d)[0]
        return key_of[d]

    for req in requests:
        day = to_date(req["charge_date"])
        paid = float(req.get("charged_amount") or req["amount"])
        slack = amount_slack(paid)
        until = min(as_of, day + timedelta(days=REFUND_DAYS)).isoformat() + "\uffff"
        mine = key(req.get("description"))
        credits = [c for c in store.conn.execute(
            "SELECT rowid, transaction_id, date, amount, description FROM transactions WHERE account_id = ?"
            " AND date >= ? AND date <= ? AND amount BETWEEN ? AND ?",
            [req["account_id"], day.isoformat(), until, paid - slack, paid + slack]) if key(c[4]) == mine]
        if not credits:
            continue
        # the merchant's charges these credits may give back: a little more than the rule
        # reaches (a day window, amounts 2% and two cents wider); the rule picks among them
        backs = [float(c[3]) for c in credits]
        since = (min(to_date(c[2]) for c in credits) - timedelta(days=REFUND_DAYS)).isoformat()
        charges = [t for t in store.conn.execute(
            "SELECT rowid, transaction_id, date, -amount, description FROM transactions WHERE account_id = ?"
            " AND date >= ? AND date <= ? AND amount < 0 AND -amount BETWEEN ? AND ?",
            [req["account_id"], since, max(c[2] for c in credits) + "\uffff",
             0.98 * min(backs) - 0.02, 1.02 * max(backs) + 0.02]) if key(t[4]) == mine]
        given = credits_giving_back(
            pd.DataFrame({"transaction_id": [t[1] for t in charges], "key": mine,
                          "day": [to_date(t[2]).toordinal() for t in charges],
                          "paid": [float(t[3]) for t in charges], "order": [t[0] for t in charges]}),
            pd.DataFrame({"credit_id": [c[0] for c in credits], "key": mine,
                          "credit_day": [to_date(c[2]).toordinal() for c in credits], "back": backs,
                          "credit_tid": [c[1] for c in credits], "credit_date": [c[2] for c in credits]}))
        if req["transaction_id"] in given.index:
            c = given.loc[req["transaction_id"]]
            out[req["transaction_id"]] = {"date": to_date(c["credit_date"]).isoformat(),
                                          "amount": round(float(c["back"]), 2), "transaction_id": c["credit_tid"]}
    return out


def follow_filed(store: Store, flags: pd.DataFrame, account_ids: Iterable[str], as_of, *,
                 processes: dict[str, RefundProcess] | None = None) -> int:
    """What a run learns about requests already filed (any status but ``Candidate``) of
    ``account_ids``, recorded in their history; returns how many requests changed.

    **The money came back.** A credit that gives the charge back (the flag's ``refunded_on``, as
    the flags pair credits with charges) or part of it (:func:`partial_credits`), not known when
    the request was queued, is recorded once in ``credits_seen`` with a history note, "a credit
    of $199.00 on 2025-12-09 seen in the statement". A request still with the vendor
    (``Pending``, ``Processing``) moves with it: to ``Refunded`` when the credits cover what it
    asked, else to ``Partially Refunded`` with their sum, dated the credit's day (or the last
    status's, if later). A request in any other status keeps it (never a user's final word; a
    further credit to one marked Partially Refunded may be the very credit the user recorded).
    Round-thirty-seven audit: a Processing request stayed Processing, past its expected date,
    while the flag beside it said the vendor "gave it back". A request for a charge no flag holds
    (opened by hand) finds its whole credit by the flags' rule (:func:`_unflagged_whole_credits`;
    it learned of partial credits only until the twenty-second session).

    **A cancellation recorded after filing.** A request still with the vendor whose charge is now
    flagged as a charge after a cancellation, filed under another flag (a renewal), records
    ``after_cancellation_on`` with a note: the email sent did not say so.

    **The bank changed the charge.** A request still with the vendor whose charge now reads
    another sum (``charge_amount_now``, :func:`note_changed_amounts`) records what it should ask
    now, ``amount_to_ask_now`` (:func:`ask_after_change`: 0.0 when its flag no longer stands),
    with a history note when that is not what it asked.
    """
    from .cancel_flags import cancellation_named

    account_ids = list(dict.fromkeys(account_ids))
    if not account_ids:
        return 0
    as_of = to_date(as_of)
    records = [] if flags is None or flags.empty else [
        {k: clean(v) for k, v in r.items()} for r in flags.to_dict("records")]
    refunded_on = {r["transaction_id"]: r["refunded_on"] for r in records if r.get("refunded_on")}
    cancelled = {}
    for r in records:
        if r["type"] == "charge_after_cancellation":
            named = cancellation_named(r.get("reason"))
            if named is not None:
                cancelled[r["transaction_id"]] = named[0]
    conn = store.conn
    with _immediate(conn):  # read and write in one transaction: a `refunds mark` meanwhile is not overwritten
        rows = conn.execute(
            "SELECT * FROM refund_requests WHERE status != 'Candidate'"
            " AND account_id IN (SELECT value FROM json_each(?))", [json.dumps(account_ids)])
        names = [d[0] for d in rows.description]
        requests = [_from_row(dict(zip(names, row))) for row in rows.fetchall()]
        whole = _whole_credits(store, requests, refunded_on)
        # a request opened by hand for a charge no flag holds: no refunded_on tells of its credit
        flagged = {r["transaction_id"] for r in records}
        whole.update(_unflagged_whole_credits(store, [
            q for q in requests if q["transaction_id"] not in flagged and q.get("charge_date")], as_of))
        partial = partial_credits(store, [
            {"transaction_id": q["transaction_id"], "account_id": q["account_id"], "date": q["charge_date"],
             "amount": float(q.get("charged_amount") or q["amount"]), "description": q.get("description")}
            for q in requests if q["transaction_id"] not in whole and q.get("charge_date")], as_of)
        standing = {(r["transaction_id"], r["type"]): r for r in records}
        changed = []
        for q in requests:
            credited = _follow_one(q, whole, partial, cancelled, processes)
            if _follow_change(q, standing, as_of) or credited:
                changed.append(q)
        if changed:
            upsert_rows(store, "refund_requests", [_to_row(q) for q in changed], pk="request_id")
    return len(changed)


def _follow_one(req: dict, whole: dict, partial: dict, cancelled: dict, processes) -> bool:
    """Record on ``req`` the credits and the cancellation found (:func:`follow_filed`)."""
    code = req.get("currency")
    seen = {c.get("transaction_id") or f"{c['date']}:{c['amount']}" for c in req.get("credits_seen") or []}
    known = {c.get("transaction_id") for c in req.get("credits") or []}
    found = [whole[req["transaction_id"]]] if req["transaction_id"] in whole else partial.get(req["transaction_id"], [])
    new = [c for c in found if (c.get("transaction_id") or f"{c['date']}:{c['amount']}") not in seen
           and (c.get("transaction_id") is None or c["transaction_id"] not in known)]
    last = max((to_date(h["at"]) for h in req["history"] if h.get("status") != "Candidate"), default=None)
    changed = False
    if new:
        changed = True
        req["credits_seen"] = [*(req.get("credits_seen") or []), *new]
        back = round(sum(c["amount"] for c in new), 2)
        day = max(to_date(c["date"]) for c in new)
        day = max(day, last) if last else day
        note = _credit_seen_note(new, code)
        status = req["status"]
        if status in _WITH_VENDOR:
            before = round(sum(c["amount"] for c in req.get("credits") or []), 2)
            status = "Refunded" if back >= float(req["amount"]) - 0.01 else "Partially Refunded"
            req["refunded_amount"] = round(before + back, 2)
            note += "; recorded by the scan" + ("" if status == "Refunded" else
                                                f": {format_money(float(req['amount']) - back, code)} of what was "
                                                "asked has not come back")
            req["history"] = [*req["history"], _history(status, day, note, previous=req["status"],
                                                        amount=back if status == "Partially Refunded" else None)]
            req["status"] = status
            _set_status_meaning(req, processes)
        else:
            req["history"] = [*req["history"], _history(status, day, note + f" (the request stays {status})",
                                                        previous=status)]
    on = cancelled.get(req["transaction_id"])
    if (on and req["status"] in _WITH_VENDOR and req.get("flag_type") != "charge_after_cancellation"
            and req.get("after_cancellation_on") != on):
        changed = True
        req["after_cancellation_on"] = on
        what = (req.get("flag_type") or "").replace("_", " ") or "request"
        req["history"] = [*req["history"], _history(
            req["status"], last or to_date(req["charge_date"]),
            f"this charge now also falls after your cancellation of {on}, recorded after the request was filed: "
            f"it is a charge after a cancellation, which the {what} request sent does not say; "
            "tell the vendor you had cancelled",
            previous=req["status"])]
    if changed:
        req["updated_at"] = utcnow()
    return changed


def _follow_change(req: dict, standing: dict, as_of: date) -> bool:
    """Record on a request still with the vendor whose charge the bank changed what it should
    ask now (``amount_to_ask_now``, :func:`ask_after_change`), with a history note when that
    differs from what it asked, once per change (:func:`follow_filed`)."""
    if req.get("charge_amount_now") is None or req["status"] not in _WITH_VENDOR or req.get("charge_removed_on"):
        return False
    left = ask_after_change(req, standing.get((req["transaction_id"], req.get("flag_type"))))
    if left == req.get("amount_to_ask_now"):
        return False
    req["amount_to_ask_now"] = left
    if left is not None and abs(left - float(req["amount"])) >= 0.005:
        last = max((to_date(h["at"]) for h in req["history"]), default=as_of)
        req["history"] = [*req["history"], _history(req["status"], max(as_of, last), _ask_now_note(req, left),
                                                    previous=req["status"])]
    req["updated_at"] = utcnow()
    return True


def _set_status_meaning(req: dict, processes: dict[str, RefundProcess] | None) -> None:
    """The vendor's own meaning of the request's status, where its process gives one."""
    procs = processes if processes is not None else load_refund_processes()
    proc = procs.get(req["process"])
    if proc is not None:
        m = proc.status_meaning(req["status"])
        req["status_meaning"] = {"meaning": m.meaning, "for_you": m.for_you}
        req["sources"] = {**req.get("sources", {}), "status_meaning": m.source}


def get_request(store: Store, request_id: str, *, internal: bool = False) -> dict:
    """One request by id (or a unique prefix of at least 6 characters); :class:`NotFound` otherwise."""
    rows = list(store.db["refund_requests"].rows_where("request_id = ?", [request_id]))
    if not rows and len(request_id) >= 6:
        rows = list(store.db["refund_requests"].rows_where("request_id LIKE ?", [request_id + "%"], limit=2))
        if len(rows) > 1:
            raise NotFound(f"refund request id prefix {request_id!r} is ambiguous")
    if not rows:
        raise NotFound(f"no refund request {request_id!r}")
    req = _from_row(rows[0])
    if req.get("withdrawn"):
        raise NotFound(f"refund request {req['request_id']} {WITHDRAWN_NOTE}")
    return req if internal else public(req)


#: Why a withdrawn candidate is not found (:func:`set_withdrawn`).
WITHDRAWN_NOTE = ("was withdrawn: its flag was dismissed (`subdetect decisions undo` restores it; "
                  "the next scan deletes it)")


def set_withdrawn(store: Store, account_id: str, gone_flags: set[str]) -> tuple[int, int]:
    """Withdraw at once the ``Candidate`` requests of ``account_id`` whose flag is in
    ``gone_flags`` (dismissed since the last run), and restore those withdrawn whose flag is
    not (the dismissal undone). A withdrawn candidate keeps its row, marked ``withdrawn``:
    :func:`list_requests` leaves it out and :func:`get_request` does not find it, as after a run
    that deleted it, and restoring it clears the mark. Returns ``(withdrawn, restored)``."""
    conn = store.conn
    with _immediate(conn):
        cur = conn.execute("SELECT * FROM refund_requests WHERE status = 'Candidate' AND account_id = ?", [account_id])
        names = [d[0] for d in cur.description]
        changed, counts = [], [0, 0]
        for row in cur.fetchall():
            req = _from_row(dict(zip(names, row)))
            gone = req.get("flag_id") in gone_flags
            if gone != bool(req.get("withdrawn")):
                if gone:
                    req["withdrawn"] = True
                else:
                    req.pop("withdrawn", None)
                counts[0 if gone else 1] += 1
                changed.append(req)
        if changed:
            upsert_rows(store, "refund_requests", [_to_row(r) for r in changed], pk="request_id")
    return counts[0], counts[1]


def withdraw_unflagged(store: Store, flags: pd.DataFrame, account_ids: Iterable[str]) -> int:
    """Delete the ``Candidate`` requests of ``account_ids`` whose flag is no longer raised (or is
    no longer the one its charge is asked back for, :func:`requested_flags`).

    A run replaces those accounts' flags; a candidate whose charge is not flagged any more (the
    user dismissed the flag or its stream, or a later run no longer sees it) was never sent and
    would otherwise stay queued in every report. Requests the user moved on are kept whatever
    happens to their flag. Should the flag come back, :func:`queue_refunds` queues it afresh.
    Returns how many were withdrawn.
    """
    account_ids = list(dict.fromkeys(account_ids))
    if not account_ids:
        return 0
    flags = requested_flags(flags)
    keep = [] if flags is None or flags.empty else [
        stable_id(t, k) for t, k in zip(flags["transaction_id"], flags["type"])]
    with store.conn:
        cur = store.conn.execute(
            "DELETE FROM refund_requests WHERE status = 'Candidate'"
            " AND account_id IN (SELECT value FROM json_each(?))"
            " AND request_id NOT IN (SELECT value FROM json_each(?))",
            [json.dumps(account_ids), json.dumps(keep)])
    return cur.rowcount


def list_requests(store: Store, account_id: str | None = None, status: str | None = None) -> list[dict]:
    """Stored requests, oldest first (those queued together in the order of their charges),
    optionally for one account and/or one status."""
    where, params = [], []
    if account_id is not None:
        where.append("account_id = ?")
        params.append(account_id)
    if status is not None:
        where.append("status = ?")
        params.append(parse_status(status))
    rows = store.db["refund_requests"].rows_where(" AND ".join(where) or None, params,
                                                   order_by="created_at, request_id")
    # requests queued by one run share their time: those in the order of their charges
    out = [public(req) for req in map(_from_row, rows) if not req.get("withdrawn")]
    return sorted(out, key=lambda r: (r.get("created_at") or "", r.get("charge_date") or "", r["request_id"]))
