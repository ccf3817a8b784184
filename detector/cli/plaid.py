"""``subdetect plaid``: link items (tokens stored encrypted), list, remove, sync."""

from __future__ import annotations

import os
import sys

import click

from ..errors import ConfigError
from ..store import Store
from .app import cli, db_option, existing_store, format_option

TOKEN_ENV = "PLAID_ACCESS_TOKEN"


@cli.group("plaid")
def plaid_group() -> None:
    """Plaid items: link with an access token, list, remove, and sync transactions.

    Needs PLAID_CLIENT_ID, PLAID_SECRET and PLAID_ENV (sandbox|production) or PLAID_BASE_URL to sync,
    and SUBDETECT_SECRET_KEY to encrypt and read access tokens.
    """


def _read_token(option: str | None) -> str:
    """The token from --access-token, ``-`` (stdin), $PLAID_ACCESS_TOKEN, or a hidden prompt."""
    if option == "-":
        return sys.stdin.readline().strip()
    if option:
        return option
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV]
    if sys.stdin.isatty():
        return click.prompt("Plaid access token", hide_input=True)
    raise ConfigError(f"no access token: pass --access-token -, and pipe it on stdin, or set {TOKEN_ENV}")


@plaid_group.command("add-item")
@db_option
@click.argument("name")
@click.option("--access-token", "token_opt", metavar="TOKEN",
              help=f"The item's access token; '-' reads it from stdin. Omit it to use ${TOKEN_ENV} or a "
                   "hidden prompt, which keep it out of shell history.")
@click.option("--item-id", help="Plaid item_id, if known (learned on first sync otherwise).")
def add_item_cmd(db_path: str, name: str, token_opt: str | None, item_id: str | None) -> None:
    """Link a Plaid item under NAME; its access token is stored encrypted, never shown again."""
    from ..plaid import add_item

    row = add_item(Store(db_path), name, _read_token(token_opt), item_id=item_id)
    click.echo(f"Linked Plaid item {row['name']!r} (token stored encrypted). "
               f"Run `subdetect plaid sync {row['name']}` to fetch its transactions.")


@plaid_group.command("items")
@db_option
@format_option("table", "json", "csv")
def items_cmd(db_path: str, fmt: str) -> None:
    """List linked items with their last sync and last error (never their tokens)."""
    import pandas as pd

    from ..plaid import list_items
    from ..plaid.items import PUBLIC_COLUMNS
    from ..report import render_frame

    rows = list_items(existing_store(db_path, readonly=True))
    click.echo(render_frame(pd.DataFrame(rows, columns=list(PUBLIC_COLUMNS)), fmt, title="Plaid items"))


@plaid_group.command("reset-cursor")
@db_option
@click.argument("name")
def reset_cursor_cmd(db_path: str, name: str) -> None:
    """Forget item NAME's sync cursor: its next sync fetches its whole history again.

    For an item whose every sync fails with INVALID_FIELD (Plaid rejects the stored cursor).
    Rows already stored are updated, not doubled.
    """
    from ..plaid.items import reset_cursor

    reset_cursor(existing_store(db_path), name)
    click.echo(f"Plaid item {name!r}: cursor cleared; the next `subdetect plaid sync {name}` or nightly run "
               "fetches its history again (rows already stored are not doubled).")


@plaid_group.command("remove")
@db_option
@click.argument("name")
def remove_cmd(db_path: str, name: str) -> None:
    """Forget item NAME and its token (its stored transactions stay)."""
    from ..plaid import remove_item

    remove_item(existing_store(db_path), name)  # (a mistyped --db made an empty store: round-57 audit)
    click.echo(f"Removed Plaid item {name!r}.")


@plaid_group.command("sync")
@db_option
@click.argument("names", nargs=-1)
@format_option("table", "json")
def sync_cmd(db_path: str, names: tuple[str, ...], fmt: str) -> None:
    """Fetch new, modified and removed transactions for NAMES (default: every item).

    Says what changed in the database (new, changed and deleted rows) and, labelled "fetched",
    what Plaid sent (added, modified, removed: rows fetched again count again). Exits 1 when any
    item failed (e.g. ITEM_LOGIN_REQUIRED); the other items are still synced.

    A new account with the persistent_account_id of a stored one (the account linked again as a
    new Item) is linked to it as `accounts link` does, with a note; `accounts unlink` undoes it.
    """
    import json

    import pandas as pd

    from ..plaid import sync_items
    from ..report import render_frame

    # a mistyped --db made an empty store and synced nothing, exit 0, without a word (round-57 audit)
    results = sync_items(existing_store(db_path), list(names) or None)
    rows = [r.as_dict() for r in results]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        table = pd.DataFrame({
            "name": [r["name"] for r in rows], "ok": [r["ok"] for r in rows],
            "new rows": [r["new"] for r in rows], "changed rows": [r["changed"] for r in rows],
            "deleted rows": [r["deleted"] for r in rows],
            "fetched": [f"{r['added']} added, {r['modified']} modified, {r['removed']} removed" for r in rows],
            "pages": [r["pages"] for r in rows], "restarts": [r["restarts"] for r in rows],
            "error": [r["error"] for r in rows]})
        click.echo(render_frame(table, "table", title="Plaid sync"))
        for r in results:
            for line in r.linked:
                click.echo(f"note: plaid item {r.name}: {line}", err=True)
    if not results:
        click.echo(f"note: no Plaid item is linked in {db_path}: `subdetect plaid add-item NAME` links one",
                   err=True)
    if any(not r.ok for r in results):
        sys.exit(1)
