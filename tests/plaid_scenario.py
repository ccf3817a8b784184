"""A stand-in Plaid world shared by the Plaid and nightly tests: two banks, one needing login."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from detector.testing.plaid_standin import (
    CLIENT_ID,
    SECRET,
    PlaidStandIn,
    standin_account,
    standin_transaction,
)

CHASE_TOKEN = "access-sandbox-7f3c2a1e-chase-0001"
AMEX_TOKEN = "access-sandbox-9d8e7f6a-amex-0002"
SECRET_KEY = "correct horse battery staple"

MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]


def chase_history() -> list[dict]:
    """Twenty transactions over six months (Plaid sign: positive = money out)."""
    txs = []
    for i, month in enumerate(MONTHS):
        txs.append(standin_transaction(f"tx-nflx-{i}", "chase-cc", f"{month}-05", 15.49, "Netflix",
                                       original_description="NETFLIX.COM 866-579-7172 CA",
                                       merchant_name="Netflix"))
        txs.append(standin_transaction(f"tx-spot-{i}", "chase-chk", f"{month}-12", 10.99, "Spotify",
                                       original_description=None, merchant_name="Spotify"))
        txs.append(standin_transaction(f"tx-groc-{i}", "chase-chk", f"{month}-{14 + i:02d}", 40.0 + 7 * i,
                                       "Whole Foods", original_description=f"WHOLEFDS MKT #10{i}"))
    txs.append(standin_transaction("tx-pay-0", "chase-chk", "2025-06-01", -2500.0, "Payroll",
                                   original_description="ACME CORP PAYROLL"))
    txs.append(standin_transaction("tx-apple-pend", "chase-cc", "2025-06-20", 2.99, "Apple",
                                   original_description="APPLE.COM/BILL", pending=True))
    return txs


def build_world(*, page_size: int = 4, faults: bool = True) -> PlaidStandIn:
    """Chase syncs (in several pages, through a 429, a 500 and a mutation error); Amex needs login."""
    server = PlaidStandIn(page_size=page_size)
    chase = server.add_item(CHASE_TOKEN, item_id="item-chase",
                            accounts=[standin_account("chase-cc", "credit", mask="4242"),
                                      standin_account("chase-chk", "depository", mask="1111")])
    chase.add(*chase_history())
    amex = server.add_item(AMEX_TOKEN, item_id="item-amex",
                           accounts=[standin_account("amex-cc", "credit", mask="1005")])
    amex.add(standin_transaction("tx-amex-1", "amex-cc", "2025-06-02", 99.0, "Adobe"))
    amex.login_required = True
    if faults:
        server.fail("/transactions/sync", status=429, times=1, after=1)
        server.fail("/transactions/sync", status=500, times=1, after=3)
        chase.mutate_on_page(3)
    return server


def later_changes(server: PlaidStandIn) -> None:
    """What Plaid reports the next day: a modified amount, a removal, the pending charge posted."""
    chase = server.items[CHASE_TOKEN]
    chase.modify(standin_transaction("tx-groc-2", "chase-chk", "2025-03-16", 61.25, "Whole Foods",
                                     original_description="WHOLEFDS MKT #102"))
    chase.remove("tx-spot-5")
    chase.add(standin_transaction("tx-apple-post", "chase-cc", "2025-06-21", 2.99, "Apple",
                                  original_description="APPLE.COM/BILL", pending_transaction_id="tx-apple-pend"))
    chase.remove("tx-apple-pend")


def plaid_env(monkeypatch, server: PlaidStandIn) -> None:
    monkeypatch.setenv("PLAID_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("PLAID_SECRET", SECRET)
    monkeypatch.setenv("PLAID_BASE_URL", server.url)
    monkeypatch.setenv("SUBDETECT_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("SUBDETECT_PLAID_BACKOFF", "0.001")
    monkeypatch.setenv("SUBDETECT_PLAID_BACKOFF_MAX", "0.01")
    monkeypatch.delenv("PLAID_ENV", raising=False)


#: Columns that record *when*, not *what*: left out when comparing stores (``import_id`` is a
#: hash that includes the import time).
VOLATILE = {"imported_at", "updated_at", "created_at", "last_synced_at", "import_id"}


def link_item(db_path: str | Path, name: str, token: str) -> None:
    """A store at ``db_path`` with one Plaid item linked (what `subdetect plaid add-item` does)."""
    from detector.plaid import add_item
    from detector.store import Store

    store = Store(db_path)
    add_item(store, name, token)
    store.close()


def dump(db_path: str | Path) -> dict[str, list[tuple]]:
    """Every table except the run log, rows sorted, timestamps dropped: equal dumps = same data."""
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'runs'")]
        out = {}
        for table in sorted(tables):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE]
            rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()
