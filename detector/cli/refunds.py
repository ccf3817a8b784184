"""``subdetect refunds``: the refund-request queue (list, show, open, draft, mark)."""

from __future__ import annotations

import json

import click

from ..money import figure
from .app import ISO_DATE, cli, db_option, existing_store, format_option, note_unknown_account


def _enrich():
    # The merchant matcher fills in vendor and channel for `open`; without it the descriptor is used.
    try:
        from ..match import enrich
    except ImportError:
        return None
    return enrich if callable(enrich) else None


def _render(req: dict) -> str:
    """One request as readable text: facts, eligibility, steps, checklist, email."""
    charged = req.get("charged_amount") or req["amount"]
    cur = req.get("currency")
    amount = f"{figure(charged, cur, thousands=False)} {cur or ''}".strip()  # (¥1500: no decimals)
    if abs(charged - req["amount"]) > 0.005:  # part of it asked: the rise, or what a credit left
        amount += f" (asked: {figure(req['amount'], cur, thousands=False)})"
    t = req.get("timeline") or {}
    lines = [
        f"Refund request {req['request_id']}  [{req['status']}]",
        f"  Vendor:      {req['vendor']}  (channel: {req['channel']}, process: {req.get('process')})",
        f"  Charge:      {req['transaction_id']} on {req.get('charge_date')}  {amount}  \"{req.get('description')}\"",
        f"  Reason:      {req['reason']}",
        f"  Eligible:    {eligible_text(req['eligible'])} — {req['eligibility_reason']}",
    ]
    if req.get("process_note"):
        lines.append(f"  Note:        {req['process_note']}")
    if req.get("deadline"):
        lines.append(f"  Deadline:    {req['deadline']} (last day to file)")
    if req.get("job_date"):
        lines.append(f"  Job date:    {req['job_date']}")
    timing = f"{t.get('min_working_days')}-{t.get('max_working_days')} working days by {req['payment_method'].replace('_', ' ')}"
    if t.get("estimated"):
        timing += f" (ESTIMATED: {t.get('note')})"
    lines.append(f"  Expected by: {req.get('expected_by') or '—'}  [{timing}]")
    if t.get("payment_method_assumed") and t.get("assumption"):
        lines.append(f"  Assumed:     {t['assumption']}")
    if req.get("filed_on"):
        lines.append(f"  Filed on:    {req['filed_on']}")
    if req.get("charge_removed_on"):
        from ..refunds import REMOVED_NOTE

        lines.append(f"  Removed:     on {req['charge_removed_on']} {REMOVED_NOTE}")
    from ..refunds import bank_change_advice

    advice = bank_change_advice(req)
    if req.get("charge_amount_now") is not None:
        from ..money import format_money

        lines.append(f"  Changed:     the bank now shows this charge as "
                     f"{format_money(req['charge_amount_now'], req.get('currency'))} (see the history)")
    if req.get("refunded_amount") is not None:
        lines.append(f"  Refunded:    {figure(req['refunded_amount'], cur, thousands=False)}")
    from ..refunds import shortfall

    short = shortfall(req)
    if short:
        asked = figure(round(short + req["refunded_amount"], 2), cur, thousands=False)
        lines.append(f"  Shortfall:   {figure(short, cur, thousands=False)} of the {asked} asked "
                     + ("never came back (completed after a partial refund)" if req["status"] == "Completed"
                        else "has not come back"))
    for c in req.get("credits_seen") or []:
        lines.append(f"  Came back:   {figure(c['amount'], cur, thousands=False)} on {c['date']} "
                     "(a credit in the statement, seen by a scan after filing)")
    if req.get("after_cancellation_on"):
        lines.append(f"  Cancelled:   you cancelled on {req['after_cancellation_on']}, before this charge: "
                     "it is also a charge after a cancellation (see the history)")
    meaning = req.get("status_meaning") or {}
    if meaning:
        # (the vendor's "wait for its answer" does not hold once the bank removed or changed the charge)
        lines.append(f"  Status:      {meaning.get('meaning')} " + (f"Now: {advice}." if advice else meaning.get("for_you")))
    lines += ["", "Steps:"] + [f"  {i}. {s}" for i, s in enumerate(req["steps"], 1)]
    lines += ["", "Documents to prepare:"]
    for d in req["documents"]:
        box = "x" if d["provided_by"] == "detector" else " "
        lines.append(f"  [{box}] {d['item']}: {d['value']}")
    lines += ["", "History:"] + [
        f"  {h['at']}  {h['status']}" + (f"  {figure(h['amount'], cur, thousands=False)}" if h.get("amount") is not None else "")
        + (f"  — {h['note']}" if h.get("note") else "") for h in req["history"]]
    return "\n".join(lines)


def _emit(req: dict, fmt: str) -> None:
    click.echo(json.dumps(req, indent=2, ensure_ascii=False) if fmt == "json" else _render(req))


@cli.group("refunds")
def refunds_group() -> None:
    """Refund requests: queued from flags or opened by hand, each following its vendor's refund process."""


@refunds_group.command("list")
@db_option
@click.option("--account", "account_id", help="Only this account.")
@click.option("--status", help="Only this status (Candidate, Pending, Processing, ...).")
@format_option("table", "json")
def list_cmd(db_path: str, account_id: str | None, status: str | None, fmt: str) -> None:
    """List refund requests (JSON: the full request objects)."""
    from ..refunds import list_requests

    store = existing_store(db_path, readonly=True)
    note_unknown_account(store, account_id)
    requests = list_requests(store, account_id=account_id, status=status)
    if fmt == "json":
        click.echo(json.dumps(requests, indent=2, ensure_ascii=False))
        return
    import pandas as pd

    from ..report import refund_status_text, render_frame

    cols = ["request_id", "account_id", "vendor", "channel", "amount", "status", "eligible", "deadline", "expected_by"]
    # the amount asked in its currency's decimals, the currency named (a queue may hold USD and EUR
    # requests: round-thirty-nine audit, "139.0" and "2.5" with no currency)
    shown = [{**r, "amount": _amount_with_currency(r), "eligible": _eligible_cell(r["eligible"]),
              "status": refund_status_text(r)} for r in requests]
    click.echo(render_frame(pd.DataFrame(shown, columns=cols), "table", title="Refund requests"))


def _eligible_cell(value) -> str:
    """A request's eligibility in the table in the report's words: ``yes``, ``no``, or ``unknown``
    where no refund window is known (round-51 audit: the list said True/False)."""
    return "unknown" if value is None else ("yes" if value else "no")


def eligible_text(value) -> str:
    """``yes``, ``NO``, or ``unknown`` (no refund window is known for the vendor)."""
    return "unknown" if value is None else ("yes" if value else "NO")


def _amount_with_currency(req: dict) -> str:
    """A request's amount asked as the report writes it, ``139.00 USD`` (``1500 JPY``)."""
    cur = req.get("currency")
    if req.get("amount") is None:
        return ""
    return f"{figure(req['amount'], cur)} {cur or ''}".strip()


@refunds_group.command("show")
@db_option
@click.argument("request_id")
@format_option("table", "json")
def show_cmd(db_path: str, request_id: str, fmt: str) -> None:
    """Show one refund request: eligibility, deadline, steps, documents, email, history."""
    from ..refunds import get_request

    _emit(get_request(existing_store(db_path, readonly=True), request_id), fmt)


def _channel(ctx, param, value: str | None) -> str | None:
    """``--channel`` as a billing channel (forgiving: ``Google Play``, ``APPLE.COM``), refused when it
    names none: a typo was read as a direct purchase and the request followed the vendor's own
    process, not the store's (round-57 audit: ``--channel bogus`` opened a "direct" request, exit 0)."""
    if value is None:
        return None
    from ..refund_builder import normalise_channel

    channel = normalise_channel(value)
    if channel == "direct" and value.strip().lower() != "direct":
        raise click.BadParameter(f"{value!r} names no billing channel: use direct, apple, google_play, roku, "
                                 "paypal or amazon", ctx, param)
    return channel


@refunds_group.command("open")
@db_option
@click.argument("transaction_id")
@click.option("--reason", required=True, help="Why you want this charge refunded, in your words.")
@click.option("--as-of", "as_of", type=ISO_DATE, default=None, help="Filing date (yyyy-mm-dd); default today.")
@click.option("--vendor", default=None, help="Vendor name, when the descriptor does not say.")
@click.option("--channel", default=None, callback=_channel,
              help="Billing channel: direct, apple, google_play, roku, paypal, amazon.")
@click.option("--job-date", "job_date", type=ISO_DATE, default=None, help="PRO360's job date, the day you got the lead (yyyy-mm-dd), on or before the charge; default the charge date.")
@format_option("table", "json")
def open_cmd(db_path: str, transaction_id: str, reason: str, as_of: str | None, vendor: str | None,
             channel: str | None, job_date: str | None, fmt: str) -> None:
    """Open a refund request for any stored charge and file it at once (status Pending)."""
    from datetime import date

    from ..refunds import open_request

    req = open_request(existing_store(db_path), transaction_id, reason, as_of or date.today().isoformat(),
                       vendor=vendor, channel=channel, job_date=job_date, enrich=_enrich())
    _emit(req, fmt)


@refunds_group.command("draft")
@db_option
@click.argument("request_id")
@format_option("table", "json")
def draft_cmd(db_path: str, request_id: str, fmt: str) -> None:
    """Print the request's email ready to paste: Subject line, blank line, body."""
    from ..emails import draft_text
    from ..refunds import get_request

    email = get_request(existing_store(db_path, readonly=True), request_id)["email"]
    click.echo(json.dumps(email, indent=2, ensure_ascii=False) if fmt == "json" else draft_text(email), nl=fmt == "json")


@refunds_group.command("mark")
@db_option
@click.argument("request_id")
@click.argument("status")
@click.option("--amount", type=float, default=None, help="Refunded amount (required for 'Partially Refunded').")
@click.option("--on", "on", type=ISO_DATE, default=None, help="Date of the change (yyyy-mm-dd); default today.")
@click.option("--note", default=None, help="A note kept in the request's history.")
@click.option("--job-date", "job_date", type=ISO_DATE, default=None, help="When filing (Pending): PRO360's job date, the day you got the lead (yyyy-mm-dd), on or before the charge.")
@format_option("table", "json")
def mark_cmd(db_path: str, request_id: str, status: str, amount: float | None, on: str | None,
             note: str | None, job_date: str | None, fmt: str) -> None:
    """Move a request to STATUS (Pending files a candidate; refused moves exit 5 and list the allowed ones)."""
    from ..refunds import mark

    _emit(mark(existing_store(db_path), request_id, status, amount=amount, on=on, note=note, job_date=job_date), fmt)
