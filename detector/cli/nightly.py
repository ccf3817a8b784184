"""``subdetect nightly`` (the batch job) and ``subdetect runs`` (its run log)."""

from __future__ import annotations

import logging
import sys

import click

from ..runs import RUN_KINDS
from .app import ISO_DATE, cli, db_option, existing_store, format_option, workers_option
from .progress import terminal_progress


def _setup_logging(interactive: bool) -> None:
    root = logging.getLogger("detector")
    root.handlers.clear()
    root.propagate = False
    if interactive:
        from rich.logging import RichHandler

        handler = RichHandler(show_path=False)
        root.setLevel(logging.WARNING)  # the bars show progress; only trouble is logged
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.setLevel(logging.INFO)
    root.addHandler(handler)


@cli.command("nightly")
@db_option
@click.option("--inbox", type=click.Path(file_okay=False), help="Folder where statement files are dropped.")
@click.option("--account-folders", is_flag=True,
              help="Read INBOX/<account>/ as that account's statements (files that do not name their account).")
@click.option("--as-of", "as_of", type=ISO_DATE, help="Date the run is as of (YYYY-MM-DD); default today.")
@format_option("text", "json", default="text")
@workers_option
def nightly_cmd(db_path: str, inbox: str | None, account_folders: bool, as_of: str | None, fmt: str,
                workers: int) -> None:
    """Sync every Plaid item, ingest new inbox files, detect, flag, queue refunds, write the day's report.

    One run at a time (exit 6 if another holds the lock). Exits 1 when any item or file failed,
    0 otherwise. Progress bars on a terminal, plain log lines under cron.
    """
    from ..errors import ConfigError
    from ..nightly import refuse_future_as_of, result_json, run_nightly

    try:
        refuse_future_as_of(as_of)
    except ConfigError as exc:  # (before anything is opened or logged: a usage error)
        raise click.BadParameter(str(exc), param_hint="'--as-of'") from None
    _setup_logging(sys.stderr.isatty())
    with terminal_progress() as progress:  # bars on a terminal, nothing under cron
        result = run_nightly(db_path, inbox=inbox, as_of=as_of, progress=progress, workers=workers,
                             account_folders=account_folders)
    click.echo(result_json(result) if fmt == "json" else result.summary())
    sys.exit(result.exit_code)


#: Inbox counts shown in a column of their own (the rejected lines and notes a run named).
_LISTED = ("rejections", "notes")


def _stage_counts(stage: str, counts: dict) -> str:
    """``stage: k=v, ...`` of the counts that are not zero, or ``stage: nothing`` when none is
    (round-57 audit: a night with no Plaid item read ``plaid:`` and then nothing, as if cut off)."""
    shown = ", ".join(f"{k}={v}" for k, v in counts.items() if v and k not in _LISTED)
    return f"{stage}: {shown or 'nothing'}"


def _rejected_and_notes(inbox: dict, shown: int = 3) -> str:
    """A run's first rejected lines (``file:line: reason``), how many more, and its notes."""
    named = inbox.get("rejections", [])
    parts = list(named[:shown])
    more = inbox.get("rejected", 0) - len(parts)
    if more > 0:
        parts.append(f"{more} more (--format json; INBOX/processed/*.rejected.txt)")
    return "; ".join(parts + [f"note {n}" for n in inbox.get("notes", [])])


@cli.command("runs")
@db_option
@click.option("--kind", type=click.Choice(RUN_KINDS), default=None, help="Only runs of this kind.")
@click.option("--limit", default=20, show_default=True, help="How many of the latest runs.")
@format_option("table", "json")
def runs_cmd(db_path: str, kind: str | None, limit: int, fmt: str) -> None:
    """The run log: latest runs with the date each is as of, status, counts per stage and errors per item and file.

    Only `nightly` logs its runs; `scan` and `detect` store what they find (`report` shows it) but no run.
    """
    import json

    import pandas as pd

    from ..report import render_frame
    from ..runs import list_runs

    rows = list_runs(existing_store(db_path, readonly=True), kind=kind, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    table = pd.DataFrame(
        [{"run_id": r["run_id"], "kind": r["kind"], "as_of": r["as_of"] or "-", "started_at": r["started_at"],
          "ended_at": r["ended_at"],
          "status": r["status"],
          "counts": "; ".join(_stage_counts(stage, c) for stage, c in r["counts"].items()),
          "errors": "; ".join(f"{e.get('item') or e.get('file') or e['stage']}: {e['error']}"
                              for e in r["errors"]),
          "rejected and notes": _rejected_and_notes(r["counts"].get("inbox", {}))} for r in rows],
        columns=["run_id", "kind", "as_of", "started_at", "ended_at", "status", "counts", "errors",
                 "rejected and notes"],
    )
    click.echo(render_frame(table, "table", title="Runs"))
    if not rows:  # (round-51 audit: an empty table after a scan, and no word why)
        what = f"no {kind} run" if kind else "no run"
        click.echo(f"note: {what} is logged in {db_path}: only `subdetect nightly` logs its runs; `scan` and "
                   "`detect` store what they find without one (`subdetect report` shows it).", err=True)
