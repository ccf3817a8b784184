"""``subdetect accounts``: the stored accounts, and links between them (a reissued card)."""

from __future__ import annotations

import click

from .app import cli, db_option, existing_store, format_option


@cli.group("accounts")
def accounts_group() -> None:
    """Stored accounts: list them; link a reissued card's new account to its old one."""


@accounts_group.command("list")
@db_option
@format_option("table", "csv", "json")
def accounts_list_cmd(db_path: str, fmt: str) -> None:
    """List stored accounts: layout, currency, rows, first and last dates, the account each
    continues (`accounts link`) and the account it is detected as."""
    from ..links import account_table
    from ..report import render_frame

    table = account_table(existing_store(db_path, readonly=True))
    click.echo(render_frame(table, fmt, title=f"Accounts ({len(table)})"))


@accounts_group.command("link")
@db_option
@click.argument("old")
@click.argument("new")
@click.option("--no-detect", is_flag=True,
              help="Only record the link; the next scan, detect or nightly run reads the two as one.")
def accounts_link_cmd(db_path: str, old: str, new: str, no_detect: bool) -> None:
    """Read NEW as the continuation of OLD: a card lost, stolen or reissued under a new number
    (a new Card No., Account # or file name) is one account's history.

    Every later scan, detect, report and nightly run detects the two as one account: plans go
    on across the new number (a yearly renewal, a charge billed on both cards); each charge keeps
    its own account. The two are detected again at once, as of their last run (not with
    --no-detect). `subdetect accounts unlink OLD NEW` undoes it.
    """
    from ..links import link

    store = existing_store(db_path)
    done = link(store, old, new)
    state = "linked" if done.changed else "already linked"
    click.echo(f"{new} continues {old}: {state}; detection reads them as one account's history")
    if not no_detect:
        _detect_again(store, [old, new])


@accounts_group.command("unlink")
@db_option
@click.argument("old")
@click.argument("new")
@click.option("--no-detect", is_flag=True, help="Only remove the link; the next run detects the two apart.")
def accounts_unlink_cmd(db_path: str, old: str, new: str, no_detect: bool) -> None:
    """Undo `accounts link OLD NEW`: the two accounts are detected apart again."""
    from ..links import unlink

    store = existing_store(db_path)
    done = unlink(store, old, new)
    if not done.changed:
        click.echo(f"{new} was not linked to {old}: nothing to undo")
        return
    click.echo(f"{new} no longer continues {old}; detection reads them apart")
    if not no_detect:
        _detect_again(store, [old, new])


def _detect_again(store, accounts: list[str]) -> None:
    """Detect ``accounts`` (and those linked to them) again as of their last run, when one
    stored their streams; else say which run will."""
    from ..links import detected_as_of
    from ..pipeline import run_detection
    from .scan import one_writer

    as_of = detected_as_of(store, accounts)
    if as_of is None:
        click.echo("No run has detected them yet: the next `subdetect scan`, `detect` or `nightly` run reads them "
                   "as linked.", err=True)
        return
    with one_writer(store, "detect"):
        result = run_detection(store, as_of, accounts=accounts)
    live = result.streams[result.streams["status"].isin(["active", "early"])] if len(result.streams) else result.streams
    click.echo(f"Detected again as of {as_of}: {len(live)} active stream(s), {len(result.flags)} flag(s); "
               "`subdetect report` shows them", err=True)
