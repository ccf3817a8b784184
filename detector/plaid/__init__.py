"""Plaid ingestion: linked items (encrypted tokens), the real client, and cursor-based sync."""

from .client import PlaidConfig, RetryPolicy, make_api
from .items import add_item, get_item, list_items, remove_item
from .sync import ItemSyncResult, canonical_row, sync_item, sync_items

__all__ = [
    "ItemSyncResult",
    "PlaidConfig",
    "RetryPolicy",
    "add_item",
    "canonical_row",
    "get_item",
    "list_items",
    "make_api",
    "remove_item",
    "sync_item",
    "sync_items",
]
