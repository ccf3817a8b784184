"""``subdetect cancel``, ``subdetect dismiss`` and ``subdetect decisions``: decisions that every
later run respects, listed and withdrawn."""

from __future__ import annotations

import click

from ..store import Store
from .app import (
    ISO_DATE,
    cli,
    db_option,
    existing_store,
    format_option,
    note_unknown_account,
    note_unknown_cancellation_accounts,
)


def _describe(c) -> str:
    if c.stream_ids and getattr(c, "weak", False):
        where = (f"may be {c.matched_merchant} ({', '.join(c.stream_ids)}); each scan keeps it only if that "
                 "plan stopped billing by the date")
    elif c.stream_ids:
        where = f"matched {c.matched_merchant} ({', '.join(c.stream_ids)})"
    else:
        where = "no stored subscription matches yet; it will be matched by name at the next scan, detect or nightly run"
    state = "recorded" if c.changed else "already recorded"
    replaced = getattr(c, "replaced", ())
    if replaced:
        state += " (replacing the cancellation dated " + ", ".join(sorted({on for _, on in replaced})) + ")"
    kept = getattr(c, "kept", ())
    if kept and c.changed:
        back = (f": the plan was taken up again on {c.taken_up_on}" if getattr(c, "taken_up_on", None)
                else ", listed beside it")
        state += (" as another cancellation (the one dated " + ", ".join(sorted({on for _, on in kept}))
                  + f" stays for the charges before it{back})")
    return f"{c.account_id}: {c.merchant} cancelled on {c.cancelled_on} {state}; {where}"


@cli.command("cancel")
@db_option
@click.option("--account", "account_id", help="Account the subscription is billed to.")
@click.option("--merchant", help="Merchant name as you know it (matched fuzzily to detected subscriptions).")
@click.option("--on", "on", type=ISO_DATE, help="Date you cancelled, yyyy-mm-dd.")
@click.option("--cancellations", "path", type=click.Path(), metavar="FILE",
              help="CSV with account_id,merchant,cancelled_on (one cancellation per row). One that cannot be "
                   "read, or has a bad row, records nothing (exit 3).")
@click.option("--stream", "stream_id",
              help="Stream id of the plan you cancelled (with --on), for plans one name cannot tell apart: "
                   "two subscriptions billed as APPLE.COM/BILL. Ids are in `subdetect report --format json`.")
def cancel_cmd(db_path: str, account_id: str | None, merchant: str | None, on: str | None,
               path: str | None, stream_id: str | None) -> None:
    """Record that you cancelled a subscription; later charges of it are flagged.

    Either --account, --merchant and --on, or --stream and --on, or --cancellations FILE.csv.
    """
    from ..decisions import (
        load_cancellations_file,
        record_cancellation,
        record_cancellations,
        record_stream_cancellation,
    )

    single = (account_id, merchant, on)
    if path and (any(single) or stream_id):
        raise click.UsageError("give one of --cancellations, --account/--merchant/--on or --stream/--on")
    if stream_id and (account_id or merchant):
        raise click.UsageError("--stream names the plan: leave --account and --merchant out")
    # a stream id can only name a stream some run stored: no database is no stream
    store = existing_store(db_path) if stream_id else Store(db_path)
    if path:
        cancellations = load_cancellations_file(path)  # one that cannot be read records nothing
        note_unknown_cancellation_accounts(store, cancellations, path, recorded=True)
        results = record_cancellations(store, cancellations)
    elif stream_id:
        if not on:
            raise click.UsageError("--stream needs --on (the date you cancelled)")
        results = [record_stream_cancellation(store, stream_id, on)]
    elif all(single):
        note_unknown_account(store, account_id)
        results = [record_cancellation(store, account_id, merchant, on)]
    else:
        raise click.UsageError("--account, --merchant and --on are all required (or use --cancellations)")
    for c in results:
        click.echo(_describe(c))
        if len(set(c.stream_ids)) > 1 and not stream_id:
            click.echo(f"Note: {c.merchant!r} names {len(set(c.stream_ids))} plans of {c.account_id} "
                       f"({', '.join(c.stream_ids)}); each scan takes the one that stopped billing. If both go "
                       "on billing, name the one you cancelled: `subdetect cancel --stream ID --on DATE`.", err=True)
    if any(c.changed for c in results):
        click.echo("Charges after it are flagged at the next `subdetect scan`, `detect` or `nightly` run.", err=True)


@cli.command("dismiss")
@db_option
@click.argument("target_id")
@click.option("--reason", help="Why: not a subscription, expected charge, ...")
def dismiss_cmd(db_path: str, target_id: str, reason: str | None) -> None:
    """Dismiss a stream or flag id (not a subscription / expected charge) on every later run."""
    from ..decisions import record_dismissal

    # only a stored stream or flag can be dismissed: a mistyped --db made an empty store (round-57 audit)
    d = record_dismissal(existing_store(db_path), target_id, reason)
    state = "dismissed" if d["changed"] else "already dismissed"
    gone = (f"; its unsent refund request{'s' if d['withdrawn'] > 1 else ''} withdrawn (`refunds list` and "
            "`refunds draft` leave it out)" if d["withdrawn"] else "")
    click.echo(f"{d['target']} {target_id} ({d['merchant']}, {d['account_id']}) {state}; "
               f"`subdetect report` leaves it out from now on{gone}")


@cli.group("decisions")
def decisions_group() -> None:
    """Your recorded cancellations and dismissals: list them, withdraw one."""


@decisions_group.command("list")
@db_option
@click.option("--account", "account_id", help="Only this account.")
@format_option("table", "csv", "json")
def decisions_list_cmd(db_path: str, account_id: str | None, fmt: str) -> None:
    """List recorded decisions (id, kind, account, merchant, date, target, reason), oldest first."""
    from ..decisions import load_decisions
    from ..report import render_frame

    store = existing_store(db_path, readonly=True)
    note_unknown_account(store, account_id)
    d = load_decisions(store).drop(columns=["transaction_ids"])
    if account_id:
        d = d[d["account_id"] == account_id]
    d = d.rename(columns={"on_date": "cancelled_on"}).reset_index(drop=True)
    click.echo(render_frame(d, fmt, title=f"Decisions ({len(d)})"))


@decisions_group.command("undo")
@db_option
@click.argument("decision_id")
def decisions_undo_cmd(db_path: str, decision_id: str) -> None:
    """Withdraw a cancellation or dismissal (its id from `subdetect decisions list`); the next
    `subdetect scan` or `subdetect detect` acts as if it was never recorded."""
    from ..decisions import remove_decision

    row = remove_decision(existing_store(db_path), decision_id)
    what = (f"cancellation of {row['merchant']} on {row['on_date']}" if row["kind"] == "cancel"
            else f"dismissal of {row['target_id']} ({row['merchant']})")
    back = (f"; its refund request{'s' if row['restored'] > 1 else ''} restored as a candidate"
            if row.get("restored") else "")
    click.echo(f"{row['account_id']}: {what} withdrawn{back}; the next `subdetect scan`, `detect` or `nightly` "
               "run applies it")
