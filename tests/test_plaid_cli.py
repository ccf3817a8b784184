"""``subdetect plaid ...``: tokens in from stdin/env, never out."""

from __future__ import annotations

import json

from detector.cli import cli
from tests.plaid_scenario import AMEX_TOKEN, CHASE_TOKEN, build_world, plaid_env


def test_plaid_commands(tmp_path, runner, monkeypatch):
    db = str(tmp_path / "s.db")
    with build_world() as world:
        plaid_env(monkeypatch, world)
        r = runner.invoke(cli, ["plaid", "add-item", "chase", "--db", db, "--access-token", "-"],
                          input=CHASE_TOKEN + "\n")
        assert r.exit_code == 0, r.output
        monkeypatch.setenv("PLAID_ACCESS_TOKEN", AMEX_TOKEN)
        r = runner.invoke(cli, ["plaid", "add-item", "amex", "--db", db])
        assert r.exit_code == 0, r.output
        monkeypatch.delenv("PLAID_ACCESS_TOKEN")
        items = runner.invoke(cli, ["plaid", "items", "--db", db, "--format", "json"])
        assert [i["name"] for i in json.loads(items.output)] == ["amex", "chase"]

        sync = runner.invoke(cli, ["plaid", "sync", "--db", db, "--format", "json"])
        assert sync.exit_code == 1  # amex needs login
        rows = {r["name"]: r for r in json.loads(sync.stdout)}
        assert rows["chase"]["ok"] and rows["chase"]["added"] == 20
        assert rows["amex"]["error_code"] == "ITEM_LOGIN_REQUIRED"

        only = runner.invoke(cli, ["plaid", "sync", "chase", "--db", db])
        assert only.exit_code == 0 and "chase" in only.output

        listing = runner.invoke(cli, ["plaid", "items", "--db", db])
        assert "ITEM_LOGIN_REQUIRED" in listing.output

        assert runner.invoke(cli, ["plaid", "remove", "amex", "--db", db]).exit_code == 0
        gone = runner.invoke(cli, ["plaid", "remove", "amex", "--db", db])
        assert gone.exit_code == 4 and "no Plaid item named 'amex'" in gone.output
        for out in (r.output, items.output, sync.output, only.output, listing.output):
            assert CHASE_TOKEN not in out and AMEX_TOKEN not in out


def test_add_item_refuses_without_secret_key(tmp_path, runner, monkeypatch):
    monkeypatch.delenv("SUBDETECT_SECRET_KEY", raising=False)
    r = runner.invoke(cli, ["plaid", "add-item", "x", "--db", str(tmp_path / "s.db"), "--access-token", "-"],
                      input="access-sandbox-x\n")
    assert r.exit_code == 1 and "SUBDETECT_SECRET_KEY is not set" in r.output


def test_add_item_without_any_token_source(tmp_path, runner, monkeypatch):
    monkeypatch.setenv("SUBDETECT_SECRET_KEY", "k")
    monkeypatch.delenv("PLAID_ACCESS_TOKEN", raising=False)
    r = runner.invoke(cli, ["plaid", "add-item", "x", "--db", str(tmp_path / "s.db")])
    assert r.exit_code == 1 and "no access token" in r.output


def test_plaid_sync_reports_what_changed_in_the_store_beside_what_it_fetched(tmp_path, runner, monkeypatch):
    # twenty-fifth session: `plaid sync` reported Plaid's update lists as if they were the store's
    # changes: after `reset-cursor` the whole history came again, "20 added", and nothing changed
    from detector.testing.plaid_standin import standin_transaction
    from tests.plaid_scenario import later_changes

    db = str(tmp_path / "s.db")

    def sync(*extra) -> dict:
        r = runner.invoke(cli, ["plaid", "sync", "chase", "--db", db, "--format", "json", *extra])
        assert r.exit_code == 0, r.output
        (row,) = json.loads(r.stdout)
        return {k: row[k] for k in ("new", "changed", "deleted", "added", "modified", "removed")}

    with build_world(faults=False) as world:
        plaid_env(monkeypatch, world)
        runner.invoke(cli, ["plaid", "add-item", "chase", "--db", db, "--access-token", "-"], input=CHASE_TOKEN + "\n")
        assert sync() == {"new": 20, "changed": 0, "deleted": 0, "added": 20, "modified": 0, "removed": 0}
        assert runner.invoke(cli, ["plaid", "reset-cursor", "chase", "--db", db]).exit_code == 0
        assert sync() == {"new": 0, "changed": 0, "deleted": 0, "added": 20, "modified": 0, "removed": 0}
        later_changes(world)  # an amount modified, a removal, a pending charge posted (and removed)
        assert sync() == {"new": 1, "changed": 1, "deleted": 2, "added": 1, "modified": 1, "removed": 2}
        chase = world.items[CHASE_TOKEN]
        # a modification that changes nothing stored, and a charge added then removed in one sync
        chase.modify(standin_transaction("tx-nflx-0", "chase-cc", "2025-01-05", 15.49, "Netflix",
                                         original_description="NETFLIX.COM 866-579-7172 CA", merchant_name="Netflix"))
        chase.add(standin_transaction("tx-gone", "chase-cc", "2025-06-25", 5.0, "Oops"))
        chase.remove("tx-gone")
        assert sync() == {"new": 0, "changed": 0, "deleted": 0, "added": 1, "modified": 1, "removed": 1}
        chase.modify(standin_transaction("tx-nflx-0", "chase-cc", "2025-01-05", 17.99, "Netflix",
                                         original_description="NETFLIX.COM 866-579-7172 CA"))
        table = runner.invoke(cli, ["plaid", "sync", "chase", "--db", db])
        assert table.exit_code == 0, table.output
        for label in ("new rows", "changed rows", "deleted rows", "fetched"):
            assert label in table.output, table.output
        assert "1 modified" in table.output
