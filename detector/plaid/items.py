"""Linked Plaid items in the ``plaid_items`` table: add, list, remove.

Rows hold the access token only encrypted (:mod:`detector.plaid.secrets`); listings never include it.
"""

from __future__ import annotations

import re

from ..errors import ConfigError, NotFound
from ..store import Store, utcnow
from .secrets import decrypt_token, encrypt_token, secret_key

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: Columns safe to show; ``access_token_enc`` is deliberately absent.
PUBLIC_COLUMNS = ("name", "item_id", "cursor", "last_synced_at", "last_error", "created_at")


def add_item(store: Store, name: str, access_token: str, *, item_id: str | None = None) -> dict:
    """Store a linked item under ``name`` with its access token encrypted. Re-adding replaces the token
    and restarts its sync from the beginning (a new token may belong to a re-linked item)."""
    if not _NAME.match(name or ""):
        raise ConfigError(f"item name {name!r}: use 1-64 letters, digits, '.', '_' or '-'")
    token = (access_token or "").strip()
    if not token:
        raise ConfigError(f"item {name!r}: empty access token")
    sealed = encrypt_token(token, secret_key())
    existing = get_item(store, name, missing_ok=True)
    row = {
        "name": name,
        "item_id": item_id,
        "access_token_enc": sealed,
        "cursor": None,
        "last_synced_at": None,
        "last_error": None,
        "created_at": existing["created_at"] if existing else utcnow(),
    }
    with store.conn:
        store.conn.execute(
            "INSERT OR REPLACE INTO plaid_items (name, item_id, access_token_enc, cursor, last_synced_at, "
            "last_error, created_at) VALUES (:name, :item_id, :access_token_enc, :cursor, :last_synced_at, "
            ":last_error, :created_at)",
            row,
        )
    return _public(row)


def _public(row: dict) -> dict:
    return {k: row.get(k) for k in PUBLIC_COLUMNS}


def get_item(store: Store, name: str, *, missing_ok: bool = False) -> dict | None:
    """The full row (with the encrypted token) of item ``name``."""
    cur = store.conn.execute("SELECT * FROM plaid_items WHERE name = ?", [name])
    cols = [d[0] for d in cur.description]
    row = cur.fetchone()
    if row is None:
        if missing_ok:
            return None
        raise NotFound(f"no Plaid item named {name!r} (see `subdetect plaid items`)")
    return dict(zip(cols, row))


def list_items(store: Store) -> list[dict]:
    """Every item, without its token, in name order."""
    cur = store.conn.execute(f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM plaid_items ORDER BY name")
    return [dict(zip(PUBLIC_COLUMNS, r)) for r in cur.fetchall()]


def remove_item(store: Store, name: str) -> None:
    """Forget an item and its token. Its transactions stay (they are the user's history)."""
    get_item(store, name)
    with store.conn:
        store.conn.execute("DELETE FROM plaid_items WHERE name = ?", [name])


def reset_cursor(store: Store, name: str) -> dict:
    """Forget item ``name``'s sync cursor: its next sync fetches its whole history again.

    The way out when Plaid rejects the stored cursor (``INVALID_FIELD``: the item failed every
    night, round-fifty audit). Safe to repeat: rows are stored by Plaid's transaction id, so
    those already stored are updated, not doubled. Known limit: a transaction Plaid removed while
    the cursor was rejected is not named as removed by a fresh history, and stays stored."""
    get_item(store, name)
    with store.conn:
        store.conn.execute("UPDATE plaid_items SET cursor = NULL WHERE name = ?", [name])
    return _public(get_item(store, name))


def access_token(item: dict) -> str:
    """Decrypt the token of a row from :func:`get_item`. Keep the result in memory only."""
    return decrypt_token(item["access_token_enc"], secret_key(), item=item["name"])
