"""An account linked again through Plaid as a new Item (twenty-sixth session): Plaid gives it a
new ``account_id`` and the same ``persistent_account_id`` (Chase, PNC, US Bank). A sync links
the new account to the stored one as `subdetect accounts link` does, keeps each charge once
where the new Item's history repeats the old one's, and says so; `accounts unlink` undoes it
for good. The real plaid-python client talks HTTP to the stand-in server; the CLI runs on a
real SQLite file."""

from __future__ import annotations

import json
import sqlite3

from detector.cli import cli
from detector.testing.plaid_standin import PlaidStandIn, standin_account, standin_transaction
from tests.plaid_scenario import plaid_env

OLD_TOKEN = "access-sandbox-11111111-chase-old"
NEW_TOKEN = "access-sandbox-22222222-chase-new"
AS_OF = "2025-06-30"
PRIME = "AMAZON PRIME*2K0RT4ZY1 AMZN.COM/BILL"


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _charges(prefix: str, card: str, checking: str, first: str, last: str) -> list[dict]:
    """Netflix and Spotify monthly on the card, a gym monthly from the checking account, as the
    Item linked as ``prefix`` sends them (its own transaction ids)."""
    out = []
    for month in _months(first, last):
        out.append(standin_transaction(f"{prefix}-nflx-{month}", card, f"{month}-05", 15.49, "Netflix",
                                       original_description="NETFLIX.COM 866-579-7172 CA"))
        out.append(standin_transaction(f"{prefix}-spot-{month}", card, f"{month}-12", 11.99, "Spotify",
                                       original_description="SPOTIFY USA"))
        out.append(standin_transaction(f"{prefix}-gym-{month}", checking, f"{month}-02", 39.99, "Planet Fitness",
                                       original_description="PLANET FITNESS CLUB FEES"))
    return out


def _world() -> PlaidStandIn:
    """The old Item: its card (persistent id P-CARD) and checking account (no persistent id),
    June 2024 to April 2025, with a yearly Prime charge. The new Item of the same login: new
    account ids, the card's persistent id the same; its history repeats February to April."""
    server = PlaidStandIn(page_size=50)
    old = server.add_item(OLD_TOKEN, item_id="item-old", accounts=[
        standin_account("card-old", "credit", mask="4242", persistent_account_id="P-CARD"),
        standin_account("chk-old", "depository", mask="1111")])
    old.add(*_charges("o", "card-old", "chk-old", "2024-06", "2025-04"),
            standin_transaction("o-prime-2024", "card-old", "2024-06-08", 139.00, "Amazon Prime",
                                original_description=PRIME))
    new = server.add_item(NEW_TOKEN, item_id="item-new", accounts=[
        standin_account("card-new", "credit", mask="4242", persistent_account_id="P-CARD"),
        standin_account("chk-new", "depository", mask="1111")])
    new.add(*_charges("n", "card-new", "chk-new", "2025-02", "2025-06"),
            standin_transaction("n-prime-2025", "card-new", "2025-06-08", 139.00, "Amazon Prime",
                                original_description=PRIME))
    return server


def _run(runner, *args, code: int = 0):
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def _detect(runner, db) -> dict:
    return json.loads(_run(runner, "detect", "--db", db, "--as-of", AS_OF, "--format", "json").stdout)


def test_a_relinked_item_continues_the_stored_account_and_flags_the_renewal_across(runner, tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    with _world() as server:
        plaid_env(monkeypatch, server)
        _run(runner, "plaid", "add-item", "chase", "--db", db, "--access-token", OLD_TOKEN)
        first = json.loads(_run(runner, "plaid", "sync", "--db", db, "--format", "json").stdout)
        assert first[0]["ok"] and first[0]["linked"] == []
        before = _detect(runner, db)
        ids = {(s["account_id"], s["merchant"]): s["stream_id"] for s in before["streams"]}
        assert {("card-old", "Netflix"), ("card-old", "Spotify")} <= set(ids)
        # the bank wants a new login; the user links the card again: a new Item
        server.items[OLD_TOKEN].login_required = True
        _run(runner, "plaid", "add-item", "chase-again", "--db", db, "--access-token", NEW_TOKEN)
        sync = _run(runner, "plaid", "sync", "--db", db, code=1)  # (the old Item fails: login required)
        line = ("card-new continues card-old: the same persistent_account_id (the account linked again as a new "
                "Item), so detection reads them as one account's history; `subdetect accounts unlink card-old "
                "card-new` undoes it")
        assert f"note: plaid item chase-again: {line}" in " ".join(sync.stderr.split())
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT continues, account_id, linked_by FROM account_links").fetchall() == \
        [("card-old", "card-new", "plaid")]
    assert dict(conn.execute("SELECT account_id, persistent_account_id FROM accounts")) == \
        {"card-old": "P-CARD", "card-new": "P-CARD", "chk-old": None, "chk-new": None}
    # the new Item's history repeats February to April: each charge is kept once, the new Item's
    per_card = dict(conn.execute("SELECT account_id, COUNT(*) FROM transactions WHERE account_id LIKE 'card-%' "
                                 "GROUP BY 1"))
    assert per_card == {"card-old": 2 * 8 + 1, "card-new": 2 * 5 + 1}  # Jun-Jan + Prime; Feb-Jun + Prime
    doc = _detect(runner, db)
    live = {(s["account_id"], s["merchant"]): s for s in doc["streams"] if s["status"] == "active"}
    # the card's plans go on under the ids they had, billed to the new account
    assert live[("card-new", "Netflix")]["stream_id"] == ids[("card-old", "Netflix")]
    assert live[("card-new", "Spotify")]["stream_id"] == ids[("card-old", "Spotify")]
    assert not [s for s in doc["streams"] if s["account_id"] == "card-old" and s["merchant"] in ("Netflix", "Spotify")]
    # Prime's yearly renewal across the two Items is flagged, on the new account
    renewal = [f for f in doc["flags"] if f["type"] == "annual_renewal" and f["date"] == "2025-06-08"]
    assert [f["account_id"] for f in renewal] == ["card-new"]
    assert "previous charge 139.00 on 2024-06-08" in renewal[0]["reason"]  # (the old Item's)
    assert [r["account_id"] for r in doc["refund_requests"] if r["transaction_id"] == "n-prime-2025"] == ["card-new"]
    assert not [f for f in doc["flags"] if f["type"] == "duplicate_charge"]  # (the repeated months: once)
    # the checking account has no persistent id: two accounts, as before
    gym = {s["account_id"]: s["status"] for s in doc["streams"] if s["merchant"] == "Planet Fitness"}
    assert gym == {"chk-old": "ended", "chk-new": "active"}
    listed = json.loads(_run(runner, "accounts", "list", "--db", db, "--format", "json").stdout)
    assert {a["account_id"]: (a["continues"], a["linked_by"]) for a in listed if a["continues"]} == \
        {"card-new": ("card-old", "plaid")}


def test_unlink_undoes_a_plaid_link_and_later_syncs_do_not_link_again(runner, tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    with _world() as server:
        plaid_env(monkeypatch, server)
        _run(runner, "plaid", "add-item", "chase", "--db", db, "--access-token", OLD_TOKEN)
        _run(runner, "plaid", "sync", "--db", db)
        server.items[OLD_TOKEN].login_required = True
        _run(runner, "plaid", "add-item", "chase-again", "--db", db, "--access-token", NEW_TOKEN)
        _run(runner, "plaid", "sync", "chase-again", "--db", db)
        _detect(runner, db)
        out = _run(runner, "accounts", "unlink", "card-old", "card-new", "--db", db).stdout
        assert "card-new no longer continues card-old" in out
        server.items[NEW_TOKEN].add(standin_transaction("n-nflx-2025-07", "card-new", "2025-07-05", 15.49, "Netflix",
                                                        original_description="NETFLIX.COM 866-579-7172 CA"))
        again = json.loads(_run(runner, "plaid", "sync", "chase-again", "--db", db, "--format", "json").stdout)
    assert again[0]["ok"] and again[0]["linked"] == [] and again[0]["new"] == 1
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM account_links").fetchone() == (0,)
    netflix = {s["account_id"]: s["status"] for s in _detect(runner, db)["streams"] if s["merchant"] == "Netflix"}
    assert netflix == {"card-old": "ended", "card-new": "active"}


def test_a_store_before_persistent_ids_is_upgraded_and_links_at_its_next_sync(runner, tmp_path, monkeypatch):
    """Migration 15 adds ``accounts.persistent_account_id`` and ``account_links.linked_by`` to a
    store of version 14, its rows and links kept (a link of before is the user's)."""
    from _old_stores import store_at_version

    from detector.store import Store

    db = tmp_path / "old.db"
    old = store_at_version(db, 14)
    old.execute("INSERT INTO accounts (account_id, source) VALUES ('a', 'chase_card'), ('b', 'chase_card')")
    old.execute("INSERT INTO account_links (account_id, continues, linked_at) VALUES ('b', 'a', '2025-01-01')")
    old.conn.commit()
    old.close()
    store = Store(db)
    assert store.schema_version >= 15
    assert store.conn.execute("SELECT account_id, continues, linked_by FROM account_links").fetchall() == \
        [("b", "a", "user")]
    assert store.conn.execute("SELECT persistent_account_id FROM accounts").fetchall() == [(None,), (None,)]
    store.close()
    with _world() as server:
        plaid_env(monkeypatch, server)
        _run(runner, "plaid", "add-item", "chase", "--db", db, "--access-token", OLD_TOKEN)
        _run(runner, "plaid", "add-item", "chase-again", "--db", db, "--access-token", NEW_TOKEN)
        # both Items sync in one run: the account whose rows start first is the one continued
        rows = json.loads(_run(runner, "plaid", "sync", "chase-again", "chase", "--db", db, "--format", "json").stdout)
    assert [r["linked"] != [] for r in rows] == [False, True]
    assert sqlite3.connect(db).execute("SELECT continues, account_id, linked_by FROM account_links "
                                       "WHERE account_id LIKE 'card-%'").fetchall() == [("card-old", "card-new", "plaid")]


def test_the_nightly_job_links_unattended_and_its_summary_says_so(tmp_path, monkeypatch):
    from detector.nightly import run_nightly
    from detector.plaid import add_item
    from detector.store import Store

    db = tmp_path / "n.db"
    with _world() as server:
        plaid_env(monkeypatch, server)
        store = Store(db)
        add_item(store, "chase", OLD_TOKEN)
        store.close()
        assert run_nightly(db, as_of="2025-04-30").exit_code == 0
        server.items[OLD_TOKEN].login_required = True
        store = Store(db)
        add_item(store, "chase-again", NEW_TOKEN)
        store.close()
        result = run_nightly(db, as_of=AS_OF)
    summary = " ".join(result.summary().split())
    assert ("plaid: chase-again: card-new continues card-old: the same persistent_account_id" in summary
            and "`subdetect accounts unlink card-old card-new` undoes it" in summary)
    # the old Item fails (login required): its checking account is stale, the card goes on in card-new
    assert [p["account_id"] for p in result.sync_problems] == ["chk-old"]
    (item,) = [i for i in result.items if i["name"] == "chase-again"]
    assert item["merged"] == 2 * 3  # Netflix and Spotify, February to April: kept once
    doc = json.loads((tmp_path / "reports" / f"{AS_OF}.json").read_text())
    renewal = [f for f in doc["flags"] if f["type"] == "annual_renewal" and f["date"] == "2025-06-08"]
    assert [f["account_id"] for f in renewal] == ["card-new"]
