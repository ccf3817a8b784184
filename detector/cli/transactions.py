"""``subdetect transactions``: the stored canonical transactions."""

from __future__ import annotations

import click

from .app import cli, db_option, existing_store, format_option, note_unknown_account


@cli.command("transactions")
@db_option
@click.option("--account", "account_id", help="Only this account.")
@format_option("table", "csv", "json")
def transactions_cmd(db_path: str, account_id: str | None, fmt: str) -> None:
    """List stored canonical transactions (JSON: objects with the schema's field names)."""
    from ..report import render_frame

    store = existing_store(db_path, readonly=True)
    note_unknown_account(store, account_id)
    df = store.transactions(account_id=account_id)
    click.echo(render_frame(df, fmt, title="Transactions"))
