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
