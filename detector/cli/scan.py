"""``subdetect scan`` and ``subdetect report``: the analyst's everyday commands."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click

from ..schema import PAYMENT_METHODS
from ..store import Store
from .app import (
    ISO_DATE,
    check_statement_options,
    cli,
    db_option,
    existing_store,
    note_unknown_account,
    note_unknown_cancellation_accounts,
    workers_option,
)
from .ingest import render_summary as render_ingest_summary

REPORT_FORMATS = ["table", "json", "csv", "markdown", "html"]


#: Rows per section of the terminal table unless ``--limit`` says otherwise.
TABLE_LIMIT = 100

limit_option = click.option(
    "--limit", type=click.IntRange(min=0), default=TABLE_LIMIT, show_default=True,
    help="Rows per section in the table format (0: all). Other formats always hold everything.")


#: The table's width when it is not drawn on a terminal and ``COLUMNS`` says none.
PIPED_WIDTH = 100


def table_width(output: str | None = None) -> int:
    """The width the table is drawn at: the terminal's (``COLUMNS`` first, as every terminal
    program reads it); piped or written to a file, ``COLUMNS`` when set, else :data:`PIPED_WIDTH`.
    (Round-51 audit: piped output was 100 wide whatever ``COLUMNS`` said.)"""
    import os
    import shutil
    import sys

    if output is None and sys.stdout.isatty():
        return shutil.get_terminal_size((PIPED_WIDTH, 24)).columns
    columns = os.environ.get("COLUMNS", "").strip()
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPED_WIDTH


def _show(result, fmt: str, output: str | None = None, limit: int = TABLE_LIMIT, store=None) -> None:
    """Render a ScanResult and print it (terminal width when interactive) or write it to ``output``.
    With the ``store`` it came from, the human formats say why some flags ask nothing back."""
    from ..refunds import unasked_counts
    from ..report import render_scan

    width = table_width(output)
    unasked = unasked_counts(store, result.flags, result.refund_requests, result.as_of) \
        if store is not None and fmt in ("table", "markdown", "html") else None
    text = render_scan(result.streams, result.flags, result.refund_requests, fmt, as_of=result.as_of,
                       width=width, limit=limit or None, sync_problems=result.sync_problems, unasked=unasked,
                       notes=result.notes, accounts_as_of=result.accounts_as_of)
    if output:
        # a folder named for the report is made; one that cannot be is said in a line, not a
        # traceback (round-twenty-one audit: after a whole scan was saved)
        try:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(
                f"cannot write the report to {output}: {exc.strerror or exc}. What was read and found is "
                "stored in the database: `subdetect report --format " + fmt + " -o PATH` writes it again.") from exc
        click.echo(f"Report written to {output}", err=True)
    else:
        click.echo(text)


#: Statements ending this long before the as-of date leave their plans looking overdue (ended).
STALE_DAYS = 45


def stale_note(ingest, as_of: str) -> str | None:
    """A hint when the statements end well before the as-of date (which defaults to today): their
    plans were billed since, outside the files, so they show as ended."""
    import pandas as pd

    last = max((r.last_date for r in ingest if r.ok and r.last_date), default=None)
    if last is None:
        return None
    gap = (pd.Timestamp(as_of) - pd.Timestamp(last)).days
    if gap <= STALE_DAYS:
        return None
    return (f"note: the newest transaction in these statements is {last}, {gap} days before the as-of date "
            f"{as_of}; plans billed since then are not in them and show as ended. "
            f"Add --as-of {last} to judge them as of their last day.")


#: Accounts a lagging-account note names one by one; the rest are counted.
LAGGING_SHOWN = 5


def lagging_account_notes(store, streams, as_of: str, sync_problems=()) -> list[str]:
    """Notes naming each account whose stored transactions end before plans of it fell due, by
    the as-of date: those plans show as ended or overdue for want of data, not of charges.

    Plans are what :func:`detector.links.plan_streams` says: money out, not a payment to one's
    own card, money in, nor spending that repeats (round-54 audit: "Payment Thank You", fuel
    and coffee were listed as "plans due since"). The newest transaction is that of the
    account's group when the user linked it to others (a reissued card: :mod:`detector.links`).
    An account whose plans another account of its layout takes up (:func:`detector.links.suggest_links`)
    gets that suggestion instead; the others are told that a closed account or a replaced card
    explains it too (the note said only "add its later statements").

    An account is named when one of its plans (not cancelled) was due after its newest stored
    transaction and by the as-of date, and either the newest transaction is more than
    :data:`STALE_DAYS` before the as-of date or such a plan already reads "ended". A date given
    is taken as meant: this is a note, and nothing is judged otherwise. Accounts of a Plaid item
    that stopped syncing are left out (their plans are judged as of the last sync, and the
    report says so). Round-44 audit: a checking account whose data ended a month before the
    as-of date showed its gym and insurance "active" with next dates already past, and its rent
    and broadband "ended", with no word (stale_note speaks only without --as-of, of all files)."""
    import pandas as pd

    from ..links import account_groups, members, plan_streams, suggest_links

    if streams is None or streams.empty:
        return []
    skip = {p["account_id"] for p in sync_problems}
    live = streams[(streams["status"] != "cancelled") & streams["next_date"].notna()
                   & (streams["next_date"].astype(str) <= as_of) & ~streams["account_id"].isin(skip)]
    live = live[plan_streams(live).to_numpy(dtype=bool)] if len(live) else live
    accounts = sorted(set(live["account_id"].astype(str)))
    if not accounts:
        return []
    groups = account_groups(store)
    held = sorted(members(groups, accounts))
    marks = ",".join("?" * len(held))
    newest = dict(store.conn.execute(
        f"SELECT account_id, MAX(date) FROM transactions WHERE account_id IN ({marks}) GROUP BY account_id",
        held).fetchall())
    if groups:  # (a linked account's data go on in its group's: the newest of them all)
        by_group: dict[str, str] = {}
        for a, d in newest.items():
            by_group[groups.get(a, a)] = max(d, by_group.get(groups.get(a, a), d))
        newest = {a: by_group[groups.get(a, a)] for a in newest}
    suggested = {s.old: s for s in suggest_links(store, as_of, accounts)}
    lagging = []
    for account in accounts:
        last = newest.get(account)
        if not last:  # (streams a Spark run stored without their rows: nothing to say of the data)
            continue
        due = live[(live["account_id"] == account) & (live["next_date"].astype(str) > last)]
        gap = (pd.Timestamp(as_of) - pd.Timestamp(last)).days
        if due.empty or not (gap > STALE_DAYS or (due["status"] == "ended").any()):
            continue
        if account in suggested:  # (its plans go on on another card: say that instead)
            lagging.append(suggested.pop(account).text())
            continue
        due = due.sort_values(["next_date", "merchant"])
        shown = ", ".join(f"{m} {d}" for m, d in zip(due["merchant"].head(3), due["next_date"].head(3)))
        more = f" and {len(due) - 3} more" if len(due) > 3 else ""
        lagging.append(f"note: the newest transaction of account {account!r} is {last}, {gap} days before the "
                       f"as-of date {as_of}: {len(due)} plan(s) due since ({shown}{more}) have no charge in the data "
                       f"and show as ended or overdue. If the account was closed, that is so and there is nothing "
                       f"to do; if the card was replaced, `subdetect accounts link {account} NEW_ACCOUNT` reads the "
                       f"new card's account as its continuation (`subdetect accounts list` names them). Else add "
                       f"its later statements, or judge it as of its last day: "
                       f"`subdetect detect --account {account} --as-of {last}`.")
    lagging += [s.text() for s in suggested.values()]  # (of accounts not lagging: all the same)
    if len(lagging) > LAGGING_SHOWN:
        rest = len(lagging) - LAGGING_SHOWN
        more = f"note: and {rest} more account(s) whose data ends before plans of theirs fell due, likewise"
        lagging = [*lagging[:LAGGING_SHOWN], more]
    return lagging


def early_note(ingest, as_of: str) -> str | None:
    """A hint when transactions read are dated after the as-of date: they were not judged (none
    of them, or the newest ones)."""
    first = min((r.first_date for r in ingest if r.ok and r.first_date), default=None)
    last = max((r.last_date for r in ingest if r.ok and r.last_date), default=None)
    return after_as_of_note(first, last, as_of)


def stored_after_as_of_note(store, account_id: str | None, as_of: str) -> str | None:
    """:func:`after_as_of_note` for the stored transactions (of one account, when given)."""
    where, params = ("WHERE account_id = ?", [account_id]) if account_id else ("", [])
    first, last = store.conn.execute(f"SELECT MIN(date), MAX(date) FROM transactions {where}", params).fetchone()
    return after_as_of_note(first, last, as_of, stored=True)


def after_as_of_note(first: str | None, last: str | None, as_of: str, *, stored: bool = False) -> str | None:
    """The hint of :func:`early_note` for transactions dated ``first`` to ``last`` (``stored``:
    the database's, for ``detect``; else the statements just read)."""
    if first is None or last is None or last <= as_of:
        return None
    where = "in the database" if stored else "in these statements"
    if first > as_of:
        return (f"note: every transaction {where} is dated after the as-of date {as_of} "
                f"(the oldest is {first}), so none was looked at. Leave --as-of out to judge them as of today.")
    kept = "were not" if stored else "were stored but not"
    return (f"note: the transactions dated after the as-of date {as_of} (up to {last}) {kept} "
            f"looked at; streams and flags are as of {as_of}.")


@cli.command("scan")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
@click.option("--account", "account_id",
              help="Account id for files that do not name one; also limits the report (files naming their own "
                   "account, an OFX, are detected all the same). Files of one account are that account's "
                   "statements: a line two of them share (date, amount, descriptor) is stored once, and so "
                   "are the same months exported again in another form (an OFX beside the CSV), matched "
                   "row for row. A CSV beside the QFX of one card is tied to its account when the bank named "
                   "both alike (Chase9753_Activity_*.CSV/.QFX); else give the QFX's ACCTID here "
                   "(docs/importers.md).")
@click.option("--layout", "layout", help="Statement layout, overriding detection (see `subdetect ingest --help`).")
@click.option("--columns", metavar="MAP",
              help="Column mapping for an unknown CSV layout: date=...,description=...,amount=... "
                   "(the keys `subdetect ingest --help` lists).")
@click.option("--cancellations", "cancellations_file", type=click.Path(), metavar="FILE",
              help="CSV of account_id,merchant,cancelled_on to record before detecting. One that cannot be "
                   "read, or has a bad row, stops the scan before anything is stored (exit 3).")
@click.option("--payment-method", type=click.Choice(PAYMENT_METHODS), help="Payment method of the account(s).")
@click.option("--as-of", "as_of", type=ISO_DATE, help="Date the scan is as of (YYYY-MM-DD); default today.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="Where detection runs: in this process, or on Apache Spark.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@limit_option
@workers_option
def scan_cmd(files, db_path, account_id, layout, columns, cancellations_file, payment_method, as_of,
             engine, fmt, output, limit, workers):
    """Ingest statements, detect subscriptions, flag surprises, queue refunds, and report.

    Exits with status 3 when any statement file failed (the others are still scanned), as `ingest`.
    """
    from ..pipeline import scan
    from .progress import terminal_progress

    if engine == "spark":
        from ..engines.spark import require_pyspark

        # before the store opens: without PySpark no database is created at --db (r55 audit: an
        # empty one was, and a later `report` on it said "no subscriptions" instead of exit 4)
        require_pyspark()
    check_statement_options(layout, columns)
    store = Store(db_path)
    cancellations = None
    if cancellations_file:
        from ..decisions import load_cancellations_file

        # read before any statement: a file that cannot be read (or a bad row) stops the scan with
        # exit 3, naming it, and nothing is stored (scan() refuses it alike)
        cancellations = load_cancellations_file(cancellations_file)
    with one_writer(store, "scan"), terminal_progress() as progress:
        result = scan(files, store, as_of, account_id=account_id, format=layout, columns=columns,
                      payment_method=payment_method, cancellations_file=cancellations_file, engine=engine,
                      progress=progress, workers=workers)
    click.echo(render_ingest_summary(result.ingest), err=True)
    from .app import note_future_as_of, note_owed_detected

    note_future_as_of(as_of)
    note_owed_detected(result)
    if account_id:
        _note_own_accounts(result.ingest, account_id)
    note = stale_note(result.ingest, result.as_of) if as_of is None else (
        early_note(result.ingest, as_of) or _stored_after_note(store, result.ingest, as_of))
    if note:
        click.echo(note, err=True)
    if as_of is not None or note is None:  # (without --as-of, stale_note said it of every file)
        for line in lagging_account_notes(store, result.streams, result.as_of, result.sync_problems):
            click.echo(line, err=True)
    if cancellations is not None:
        note_unknown_cancellation_accounts(store, cancellations, cancellations_file)
        _note_undecided(cancellations, result.streams)
    _show(result, fmt, output, limit, store)
    if result.failed_files:
        # 3, as `ingest` and the README say (round-thirty-five audit: scan exited 1)
        raise SystemExit(3)


def _stored_after_note(store, ingest: list, as_of: str) -> str | None:
    """:func:`after_as_of_note` for the stored transactions of the accounts this scan read: an
    older statement scanned as of its end re-judges an account whose later rows the database
    holds, and flags of those later months go until a later scan (round-fourteen audit: two
    charges after a cancellation and their refund candidates vanished without a word)."""
    accounts = sorted({a for r in ingest if r.ok for a in (r.accounts or [r.account_id]) if a})
    if not accounts:
        return None
    marks = ",".join("?" * len(accounts))
    first, last = store.conn.execute(
        f"SELECT MIN(date), MAX(date) FROM transactions WHERE account_id IN ({marks})", accounts).fetchone()
    return after_as_of_note(first, last, as_of, stored=True)


def _note_own_accounts(ingest: list, account_id: str) -> None:
    """Say on stderr which files named their own account while ``--account`` limits the report:
    their rows were stored under those accounts and the report shows none of them (an ING export
    naming its IBAN scanned with ``--account ing7`` gave an empty report and no word why: flag
    audit; beside a CSV that names no account, the ING statement was left out silently: round
    two)."""
    own = sorted({a for r in ingest if r.ok for a in (r.accounts or [r.account_id]) if a and a != account_id})
    if not own:
        return
    shown = ", ".join(own[:5]) + (", ..." if len(own) > 5 else "")
    click.echo(f"note: file(s) naming their own account were stored under it ({shown}), not under "
               f"--account {account_id!r}, and the report shows {account_id!r} only: scan without --account, "
               f"or `subdetect report --account ACCOUNT`, to see them", err=True)


def _note_undecided(cancellations, streams) -> None:
    """Say which cancelled names (``account_id, merchant, cancelled_on`` rows) several plans
    answer to, none yet told from the others."""
    from ..decisions import undecided_cancellations

    for u in undecided_cancellations(cancellations, streams):
        click.echo(f"Note: {u['merchant']!r} names {len(u['stream_ids'])} plans of {u['account_id']} "
                   f"({', '.join(u['stream_ids'])}), each billed alike since the date: none is taken as "
                   "cancelled until one stops billing. To say which now: "
                   "`subdetect cancel --stream ID --on DATE`.", err=True)


@contextmanager
def one_writer(store, kind: str):
    """Detection reads the stored rows, then replaces the accounts' streams and flags: two at once
    on one database lose one's update (a `scan` adding 2025 while a `detect` over 2024 saves).
    The job lock (``<db>.lock``, the nightly job's) makes them take turns; a command that finds
    it held says so on stderr and waits."""
    if store.path == ":memory:":
        yield
        return
    from ..runs import JobLock

    def waiting(holder: str) -> None:
        click.echo(f"Waiting for another run on {store.path} to finish ({holder or 'lock held'}).", err=True)

    lock = JobLock(store.path, kind=kind).acquire(wait=True, on_wait=waiting)
    try:
        yield
    finally:
        lock.release()


@cli.command("report")
@db_option
@click.option("--account", "account_id", help="Only this account.")
@click.option("--since", type=ISO_DATE, help="Only flags dated on or after this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@limit_option
def report_cmd(db_path, account_id, since, fmt, output, limit):
    """Report the stored streams, flags and refund requests (no detection), and the notes of
    earlier scans that still apply (a file's charges another account holds; `subdetect notes`)."""
    from ..pipeline import stored_result
    from .app import warn_detection_owed

    store = existing_store(db_path, readonly=True)
    note_unknown_account(store, account_id)
    result = stored_result(store, account_id=account_id, since=since)
    warn_detection_owed(store, account_id, result.as_of)
    note_suggested_links(store, result)
    _note_report_dates(result, since)
    _show(result, fmt, output, limit, store)


def _note_report_dates(result, since: str | None) -> None:
    """Say on stderr, whatever the format, which accounts are as of another day than the report
    (:func:`detector.report.as_of_note`; the table, markdown and html say it under the title, the
    JSON and CSV in each stream's ``as_of``), and which refund requests in progress ``--since``
    left out: a request the user filed does not leave the report without a word (round-56 audit)."""
    from ..report import as_of_note

    streams = result.streams
    note = as_of_note(result.as_of, result.accounts_as_of, [] if streams is None else streams["account_id"])
    if note:
        click.echo(f"note: {note}", err=True)
    open_ = [r for r in result.requests_before_since if r.get("status") in ("Pending", "Processing")]
    if open_:
        oldest = min((str(r.get("charge_date") or "") for r in open_), default="")
        click.echo(f"note: --since {since} leaves out {len(open_)} refund request(s) in progress (Pending or "
                   f"Processing) for charges before it{f' (the oldest {oldest})' if oldest else ''}; "
                   "`subdetect refunds list` shows every request.", err=True)


def note_suggested_links(store, result) -> None:
    """Say on stderr, once a pair, which accounts of the report look like one reissued card
    (:func:`detector.links.suggest_links`): `scan` and `detect` say it in their lagging notes."""
    from ..links import suggest_links

    if result.streams is None or result.streams.empty:
        return
    for suggestion in suggest_links(store, result.as_of, set(result.streams["account_id"].astype(str))):
        click.echo(suggestion.text(), err=True)


@cli.command("detect")
@db_option
@click.option("--account", "account_id", help="Only this account.")
@click.option("--as-of", "as_of", type=ISO_DATE, help="Date the detection is as of (YYYY-MM-DD); default today.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@limit_option
@workers_option
def detect_cmd(db_path, account_id, as_of, fmt, output, limit, workers):
    """Re-run detection over the stored transactions (after `ingest` or `cancel`)."""
    from ..pipeline import run_detection
    from .progress import terminal_progress

    store = existing_store(db_path)
    note_unknown_account(store, account_id)
    with one_writer(store, "detect"), terminal_progress() as progress:
        result = run_detection(store, as_of, account_id=account_id, progress=progress, workers=workers)
    from .app import note_future_as_of, note_owed_detected

    note_future_as_of(as_of)
    note_owed_detected(result)
    note = stored_after_as_of_note(store, account_id, as_of) if as_of else None
    if note:
        click.echo(note, err=True)
    for line in lagging_account_notes(store, result.streams, result.as_of, result.sync_problems):
        click.echo(line, err=True)
    _note_undecided(_name_cancellations(store), result.streams)
    _show(result, fmt, output, limit, store)


def _name_cancellations(store):
    """The stored cancellations made by name (not ``--stream``), as ``account_id, merchant,
    cancelled_on`` rows."""
    from ..decisions import load_decisions

    d = load_decisions(store)
    d = d[(d["kind"] == "cancel") & d["transaction_ids"].isna()]
    return d.rename(columns={"on_date": "cancelled_on"})[["account_id", "merchant", "cancelled_on"]]
