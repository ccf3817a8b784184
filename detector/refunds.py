"""Refund requests: queued from flags, opened by hand, moved through their lifecycle.

Each request follows the refund process of its vendor (``detector/catalog/refund_processes.json``)
or, for a vendor without one, the generic process of the channel it was billed through, and says
so. A request carries the vendor's steps, a document checklist pre-filled with what the
detector knows, an email ready to send, its eligibility and deadline, and the date the refund
can be expected by. See ``docs/refunds.md``.

Public entry points: :func:`queue_refunds`, :func:`open_request`, :func:`mark`,
:func:`get_request`, :func:`list_requests`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone

import pandas as pd

from .catalog.refund_processes import (
    CHANNEL_LABELS, CHANNELS, MANUAL, RefundProcess, channel_process, load_refund_processes, normalise_name,
)
from .eligibility import assess, expected_refund_date
from .emails import format_money, render_email
from .errors import CatalogError, ConfigError, InvalidTransition, NotFound
from .ids import stable_id
from .lifecycle import check_transition, parse_status
from .schema import FLAG_TYPES, PAYMENT_METHODS, REFUND_REQUEST_FIELDS, SchemaError, require_columns
from .store import Store, dumps, utcnow
from .workdays import DEFAULT_COUNTRY, to_date

ProcessLookup = Callable[[str | None], str | None]
Enrich = Callable[[pd.DataFrame], pd.DataFrame]

YOU_PROVIDE = "[YOU PROVIDE — fill in]"

_CHANNEL_PATTERNS = (
    ("apple", re.compile(r"apple|itunes|app store")),
    ("google_play", re.compile(r"google|play store")),
    ("roku", re.compile(r"roku")),
    ("paypal", re.compile(r"paypal|\bpp ?\*")),
    ("amazon", re.compile(r"amazon|amzn|prime video")),
)


def normalise_channel(value) -> str:
    """A billing channel from a channel name or a raw descriptor ('APPLE.COM/BILL' -> 'apple').

    Anything that names no known channel is a direct purchase from the vendor.
    """
    if _missing(value):
        return "direct"
    text = str(value).strip().lower()
    if text in CHANNELS:
        return text
    if re.sub(r"[^a-z]", "", text) == "googleplay":
        return "google_play"
    return next((ch for ch, pat in _CHANNEL_PATTERNS if pat.search(text)), "direct")


def name_lookup(processes: dict[str, RefundProcess]) -> ProcessLookup:
    """Default vendor -> process id lookup: the vendor's normalised name against process names/aliases."""
    names = {normalise_name(n): p.id for p in processes.values() if p.kind == "vendor"
             for n in (p.vendor, *p.aliases)}

    def lookup(vendor: str | None) -> str | None:
        return names.get(normalise_name(vendor)) if vendor else None

    return lookup


def vendor_in_descriptor(processes: dict[str, RefundProcess], descriptor: str | None) -> str | None:
    """A knowledge-base vendor whose name appears in the descriptor ('PROBACKOFFICE*SUB' -> PRO Back Office)."""
    text = normalise_name(descriptor)
    for p in processes.values():
        if p.kind == "vendor" and any(len(k) >= 5 and k in text for k in map(normalise_name, (p.vendor, *p.aliases))):
            return p.vendor
    return None


def account_payment_method(account: dict | None) -> tuple[str, str]:
    """The account's payment method and where it comes from.

    When the account has none stored, the account type decides, read from its name and source:
    PayPal -> paypal; checking/current/savings/debit/bank -> debit_card; credit/card -> credit_card;
    anything else -> credit_card, because subscriptions are overwhelmingly billed to cards.
    """
    account = account or {}
    stored = account.get("payment_method")
    if stored:
        method = re.sub(r"[\s-]+", "_", str(stored).strip().lower())
        if method not in PAYMENT_METHODS:
            raise ConfigError(f"account {account.get('account_id')!r} has payment method {stored!r}; "
                              f"known methods: {', '.join(PAYMENT_METHODS)}")
        return method, f"account ({account.get('payment_method_source') or 'stored'})"
    text = " ".join(str(account.get(k) or "") for k in ("name", "source", "account_id")).lower()
    if "paypal" in text:
        return "paypal", "default for a PayPal account (none stored)"
    if re.search(r"checking|current|savings|debit|bank", text):
        return "debit_card", "default for a bank (checking) account (none stored)"
    if re.search(r"credit|card|amex|visa|mastercard", text):
        return "credit_card", "default for a card account (none stored)"
    return "credit_card", "assumed credit card: the account stores no payment method or type"


# -- building one request ---------------------------------------------------------------------


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _clean(value):
    return None if _missing(value) else value


def _resolve(processes, lookup: ProcessLookup, inputs: dict, channel: str, process_id: str | None) -> RefundProcess:
    if process_id:
        if process_id not in processes:
            raise CatalogError(f"refund process {process_id!r} is no longer in the knowledge base")
        return processes[process_id]
    for name in (inputs.get("vendor"), inputs.get("merchant")):
        pid = lookup(name) if name else None
        if pid:
            if pid not in processes:
                raise CatalogError(f"vendor {name!r} names refund process {pid!r}, which the knowledge base lacks")
            return processes[pid]
    return channel_process(processes, channel)


def _subscription_text(stream: dict | None) -> str | None:
    if not stream or not stream.get("frequency"):
        return None
    text = f"{stream['frequency']} charges"
    if stream.get("first_date"):
        text += f" since {stream['first_date']}"
    if stream.get("last_date"):
        text += f", last on {stream['last_date']}"
    return text


def _documents(process: RefundProcess, doc_process: RefundProcess, inputs: dict, *, money: str, reason: str,
               method: str, method_source: str, job_date: date | None) -> list[dict]:
    tx, day, desc = inputs["transaction_id"], inputs["charge_date"], inputs["description"]
    statement = f"{day} · {money} · \"{desc}\" · bank transaction {tx}"
    known = {
        "transaction_id": f"{tx} (your bank's transaction id; the vendor's own order id is on its receipt)",
        "charge_date": day,
        "amount": money,
        "descriptor": desc,
        "statement_line": statement,
        "reason": reason,
        "subscription": _subscription_text(inputs.get("stream")),
        "payment_method": method.replace("_", " ") + ("" if method_source.startswith("account") else f" ({method_source})"),
        "job_date": None if job_date is None else job_date.isoformat() + (
            "" if inputs.get("job_date") else " (the charge date; give the job date if it differs)"),
    }
    docs = [{"item": "Charge on your bank statement", "detail": "What the detector found.", "value": statement,
             "provided_by": "detector", "source": "your bank statement"}]
    for d in doc_process.documents:
        value = known.get(d.prefill) if d.prefill else None
        docs.append({"item": d.name, "detail": d.detail, "value": value or YOU_PROVIDE,
                     "provided_by": "detector" if value else "you", "source": d.source})
    return docs


def _build(inputs: dict, processes: dict[str, RefundProcess], lookup: ProcessLookup, account: dict | None,
           filing_date: date, status: str, process_id: str | None = None) -> dict:
    """Every computed field of a request from its inputs, as of ``filing_date``."""
    channel = normalise_channel(inputs.get("channel") or inputs.get("description"))
    process = _resolve(processes, lookup, inputs, channel, process_id)
    flag_type = inputs["flag_type"]
    cp, steps_process, process_note = process.channels.get(channel), process, None
    if process.kind == "channel":
        who = inputs.get("vendor") or inputs.get("merchant") or "This vendor"
        process_note = (f"{who} has no refund process in the knowledge base: this is the generic "
                        f"{CHANNEL_LABELS[channel]} channel process, not the vendor's own.")
    elif cp is None:
        steps_process = channel_process(processes, channel)
        cp = steps_process.channels[channel]
        process_note = (f"{process.name}'s refund guide gives no steps for purchases through "
                        f"{CHANNEL_LABELS[channel]}; the steps are the generic {CHANNEL_LABELS[channel]} "
                        f"channel process.")

    if inputs.get("user_reason"):
        reason, reason_source = inputs["user_reason"].strip(), "your own words (opened by hand)"
    elif steps_process is process and cp.reason is not None and flag_type in cp.reason.flag_types:
        reason, reason_source = cp.reason.text, cp.reason.source
    else:
        reason, reason_source = process.generic.reasons[flag_type]

    charge_date = to_date(inputs["charge_date"])
    window = process.filing_window
    job_date = None
    if window is not None and window.anchor == "job_date":
        job_date = to_date(inputs["job_date"]) if inputs.get("job_date") else charge_date
    verdict = assess(process, flag_type=flag_type, filing_date=filing_date, charge_date=charge_date,
                     job_date=job_date, user_reason=inputs.get("user_reason"))

    method, method_source = account_payment_method(account)
    timeline = process.timeline_for(method)
    country = ((account or {}).get("country") or DEFAULT_COUNTRY).upper()
    expected = expected_refund_date(filing_date, timeline, country) if verdict.eligible else None

    steps = list(cp.steps)
    if cp.reason_step:
        i = cp.reason_step - 1
        if verdict.situation is not None and verdict.situation.report_path:
            steps[i] = verdict.situation.report_path
        if cp.reason is None or reason != cp.reason.text:
            steps[i] = f"{steps[i]} For this charge, write: “{reason}”."

    money = format_money(inputs["amount"], inputs.get("currency"))
    vendor_name = process.vendor if process.kind == "vendor" else (
        inputs.get("vendor") or inputs.get("merchant") or inputs.get("description"))
    template = process.email_template()
    email = render_email(template, vendor=vendor_name, amount=inputs["amount"], currency=inputs.get("currency"),
                         charge_date=charge_date.isoformat(), descriptor=inputs["description"],
                         transaction_id=inputs["transaction_id"], reason=reason)
    meaning = process.status_meaning(status)
    return {
        "transaction_id": inputs["transaction_id"],
        "account_id": inputs["account_id"],
        "vendor": vendor_name,
        "channel": channel,
        "payment_method": method,
        "amount": round(float(inputs["amount"]), 2),
        "reason": reason,
        "eligible": verdict.eligible,
        "eligibility_reason": verdict.reason,
        "deadline": verdict.deadline.isoformat() if verdict.deadline else None,
        "steps": steps,
        "documents": _documents(process, process if process.documents else steps_process, inputs, money=money,
                                reason=reason, method=method, method_source=method_source, job_date=job_date),
        "email": email,
        "expected_by": expected.isoformat() if expected else None,
        "status": status,
        "flag_id": inputs.get("flag_id"),
        "flag_type": flag_type,
        "merchant": inputs.get("merchant"),
        "currency": inputs.get("currency"),
        "charge_date": charge_date.isoformat(),
        "description": inputs["description"],
        "job_date": job_date.isoformat() if job_date else None,
        "filed_on": filing_date.isoformat() if status != "Candidate" else None,
        "process": process.id,
        "process_kind": process.kind,
        "process_note": process_note,
        "payment_method_source": method_source,
        "country": country,
        "timeline": {
            "payment_method": method,
            "min_working_days": timeline.min,
            "max_working_days": timeline.max,
            "estimated": timeline.estimated,
            "note": timeline.note,
            "counted_from": filing_date.isoformat(),
        },
        "status_meaning": {"meaning": meaning.meaning, "for_you": meaning.for_you},
        "sources": {
            "steps": cp.source,
            "reason": reason_source,
            "eligibility": verdict.sources,
            "timeline": timeline.source,
            "working_days": process.timeline_note[1] if process.timeline_note else "generic channel process",
            "email": template.source,
            "status_meaning": meaning.source,
        },
    }


# -- storage ----------------------------------------------------------------------------------

_JSON_COLUMNS = ("steps", "documents", "email", "history")
_COLUMNS = ("request_id", "transaction_id", "account_id", "flag_id", "vendor", "channel", "payment_method",
            "amount", "refunded_amount", "reason", "eligible", "eligibility_reason", "deadline", "filed_on",
            "expected_by", "status", *_JSON_COLUMNS, "process", "created_at", "updated_at")
_DETAIL_KEYS = ("flag_type", "merchant", "currency", "charge_date", "description", "job_date", "process_kind",
                "process_note", "payment_method_source", "country", "timeline", "status_meaning", "sources", "inputs")


def _to_row(req: dict) -> dict:
    row = {c: req.get(c) for c in _COLUMNS}
    for c in _JSON_COLUMNS:
        row[c] = dumps(req[c])
    row["eligible"] = int(bool(req["eligible"]))
    row["details"] = dumps({k: req.get(k) for k in _DETAIL_KEYS})
    return row


def _from_row(row: dict) -> dict:
    req = dict(row)
    for c in _JSON_COLUMNS:
        req[c] = json.loads(row[c]) if row[c] else ([] if c != "email" else {})
    req["eligible"] = bool(row["eligible"])
    req.update(json.loads(req.pop("details", None) or "{}"))
    return req


def public(req: dict) -> dict:
    """The request as users see it: the schema's fields first, without the stored build inputs."""
    first = {k: req.get(k) for k in REFUND_REQUEST_FIELDS}
    return {**first, **{k: v for k, v in req.items() if k not in first and k != "inputs"}}


def _save(store: Store, requests: list[dict]) -> None:
    if requests:
        with store.conn:
            store.db["refund_requests"].upsert_all([_to_row(r) for r in requests], pk="request_id", alter=False)


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
    return datetime.now(timezone.utc).date()


def _history(status: str, at: date, note: str | None, *, previous: str | None = None, amount=None) -> dict:
    return {"status": status, "from": previous, "at": at.isoformat(), "recorded_at": utcnow(),
            "note": note, "amount": amount}


# -- public API -------------------------------------------------------------------------------


def queue_refunds(store: Store, flags: pd.DataFrame, as_of, *, process_for_vendor: ProcessLookup | None = None,
                  processes: dict[str, RefundProcess] | None = None) -> list[dict]:
    """A refund request (status ``Candidate``) for every flag; returns them, one per distinct flag.

    Idempotent: ``request_id = stable_id(transaction_id, flag type)``. A request already moved on
    by the user (any status but ``Candidate``) is returned as stored, untouched. A ``Candidate`` is
    recomputed as of ``as_of`` (its expected date moves with the filing date, and a filing window
    may have closed); its history is kept.
    """
    processes = processes if processes is not None else load_refund_processes()
    lookup = process_for_vendor or name_lookup(processes)
    if flags is None or flags.empty:
        return []
    require_columns(flags, ("type", "transaction_id", "account_id", "date", "amount"), "queue_refunds")
    as_of = to_date(as_of)
    records = [{k: _clean(v) for k, v in r.items()} for r in flags.to_dict("records")]
    for r in records:
        if r["type"] not in FLAG_TYPES:
            raise SchemaError(f"queue_refunds: unknown flag type {r['type']!r} for transaction {r['transaction_id']}")
        r["request_id"] = stable_id(r["transaction_id"], r["type"])
    records = list({r["request_id"]: r for r in reversed(records)}.values())[::-1]

    existing = {r["request_id"]: _from_row(r) for r in
                _rows_where_in(store, "refund_requests", "request_id", (r["request_id"] for r in records))}
    txs = {t["transaction_id"]: t for t in _rows_where_in(
        store, "transactions", "transaction_id", (r["transaction_id"] for r in records),
        "transaction_id, currency, description")}
    streams = {s["stream_id"]: s for s in _rows_where_in(
        store, "streams", "stream_id", (r.get("stream_id") for r in records),
        "stream_id, frequency, first_date, last_date")}
    accounts = {a: store.account(a) for a in {r["account_id"] for r in records}}

    out, to_save = [], []
    for r in records:
        old = existing.get(r["request_id"])
        if old is not None and old["status"] != "Candidate":
            out.append(public(old))
            continue
        tx = txs.get(r["transaction_id"], {})
        account = accounts.get(r["account_id"])
        inputs = {
            "flag_type": r["type"], "flag_id": r.get("flag_id"), "flag_reason": r.get("reason"),
            "transaction_id": str(r["transaction_id"]), "account_id": str(r["account_id"]),
            "charge_date": to_date(r["date"]).isoformat(), "amount": abs(float(r["amount"])),
            "currency": tx.get("currency") or (account or {}).get("currency") or "USD",
            "description": r.get("description") or tx.get("description") or r.get("merchant") or "",
            "merchant": r.get("merchant"), "vendor": r.get("vendor"), "channel": r.get("channel"),
            "stream": streams.get(r.get("stream_id")), "job_date": None, "user_reason": None,
        }
        req = _build(inputs, processes, lookup, account, as_of, "Candidate")
        req.update(request_id=r["request_id"], inputs=inputs, refunded_amount=None)
        if old is None:
            req.update(history=[_history("Candidate", as_of, f"queued from a {r['type'].replace('_', ' ')} flag")],
                       created_at=utcnow(), updated_at=utcnow())
            to_save.append(req)
        else:
            req.update(history=old["history"], created_at=old["created_at"], updated_at=old["updated_at"])
            if _to_row(req) != _to_row(old):
                req["updated_at"] = utcnow()
                to_save.append(req)
        out.append(public(req))
    _save(store, to_save)
    return out


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
    request_id = stable_id(transaction_id, MANUAL)
    if store.db["refund_requests"].count_where("request_id = ?", [request_id]):
        current = get_request(store, request_id)
        raise InvalidTransition(f"a refund request for {transaction_id} is already open as {request_id} "
                                f"({current['status']}); move it with `subdetect refunds mark`")
    merchant = None
    if (vendor is None or channel is None) and enrich is not None:
        frame = pd.DataFrame([{k: tx[k] for k in ("transaction_id", "account_id", "date", "amount", "currency",
                                                  "description", "source", "source_file", "source_line")}])
        row = {k: _clean(v) for k, v in enrich(frame).iloc[0].to_dict().items()}
        vendor = vendor if vendor is not None else row.get("vendor")
        channel = channel if channel is not None else row.get("channel")
        merchant = row.get("merchant")
    if vendor is None and enrich is None:
        vendor = vendor_in_descriptor(processes, tx["description"])
    as_of = to_date(as_of)
    account = store.account(tx["account_id"])
    inputs = {
        "flag_type": MANUAL, "flag_id": None, "flag_reason": None,
        "transaction_id": transaction_id, "account_id": tx["account_id"],
        "charge_date": to_date(tx["date"]).isoformat(), "amount": abs(float(tx["amount"])),
        "currency": tx.get("currency") or (account or {}).get("currency") or "USD",
        "description": tx["description"], "merchant": merchant, "vendor": vendor,
        "channel": channel or tx["description"], "stream": None,
        "job_date": to_date(job_date).isoformat() if job_date else None, "user_reason": str(reason).strip(),
    }
    req = _build(inputs, processes, lookup, account, as_of, "Pending")
    req.update(request_id=request_id, inputs=inputs, refunded_amount=None, created_at=utcnow(), updated_at=utcnow(),
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
         note: str | None = None, processes: dict[str, RefundProcess] | None = None) -> dict:
    """Move a request to ``status``; raises :class:`InvalidTransition` for a move the lifecycle forbids.

    Filing a candidate (``Pending``) records the filing date ``on`` (default today) and recomputes
    eligibility and ``expected_by`` from it. ``Partially Refunded`` needs ``amount``.
    """
    req = get_request(store, request_id, internal=True)
    new = parse_status(status)
    amount = None if amount is None else round(float(amount), 2)
    check_transition(req["status"], new, amount=amount, original=req["amount"])
    when = to_date(on) if on is not None else _today()
    entry = _history(new, when, note, previous=req["status"], amount=amount)
    if new == "Pending":
        processes = processes if processes is not None else load_refund_processes()
        rebuilt = _build(req["inputs"], processes, name_lookup(processes), store.account(req["account_id"]),
                         when, "Pending", process_id=req["process"])
        if not rebuilt["eligible"]:
            entry["note"] = "; ".join(filter(None, [note, "filed although ineligible: " + rebuilt["eligibility_reason"]]))
        req.update(rebuilt)
    else:
        req["status"] = new
        if new == "Refunded":
            req["refunded_amount"] = req["amount"]
        elif new == "Partially Refunded":
            req["refunded_amount"] = amount
        procs = processes if processes is not None else load_refund_processes()
        proc = procs.get(req["process"])
        if proc is not None:
            m = proc.status_meaning(new)
            req["status_meaning"] = {"meaning": m.meaning, "for_you": m.for_you}
            req["sources"] = {**req.get("sources", {}), "status_meaning": m.source}
    req["history"] = [*req["history"], entry]
    req["updated_at"] = utcnow()
    _save(store, [req])
    return public(req)


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
    return req if internal else public(req)


def list_requests(store: Store, account_id: str | None = None, status: str | None = None) -> list[dict]:
    """Stored requests, oldest first, optionally for one account and/or one status."""
    where, params = [], []
    if account_id is not None:
        where.append("account_id = ?")
        params.append(account_id)
    if status is not None:
        where.append("status = ?")
        params.append(parse_status(status))
    rows = store.db["refund_requests"].rows_where(" AND ".join(where) or None, params,
                                                   order_by="created_at, request_id")
    return [public(_from_row(r)) for r in rows]
