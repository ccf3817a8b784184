"""``subdetect vendors list|show|match`` and ``--catalog`` overrides."""

from __future__ import annotations

import json

from detector.cli import cli

USER = '[[vendor]]\nname = "Joe\'s Lawn Care"\ncategory = "other"\ncadence = ["monthly"]\naliases = ["JOES LAWN CARE"]\n'


def test_list_json_and_filters(runner):
    res = runner.invoke(cli, ["vendors", "list", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert len(rows) >= 300 and {"name", "category", "channels", "refund_process"} <= set(rows[0])
    res = runner.invoke(cli, ["vendors", "list", "--category", "dating", "--format", "csv"])
    assert res.exit_code == 0 and "Tinder" in res.output and "Netflix" not in res.output


def test_show_vendor(runner):
    res = runner.invoke(cli, ["vendors", "show", "netflix", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["name"] == "Netflix" and "NETFLIX.COM" in data["aliases"]
    res = runner.invoke(cli, ["vendors", "show", "OT Track"])
    assert res.exit_code == 0 and "ot-track" in res.output


def test_show_unknown_vendor_exits_not_found(runner):
    res = runner.invoke(cli, ["vendors", "show", "No Such Vendor"])
    assert res.exit_code == 4
    assert "no vendor named" in res.output


def test_user_catalogue_option_and_env(runner, tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(USER, encoding="utf-8")
    res = runner.invoke(cli, ["vendors", "show", "Joe's Lawn Care", "--catalog", str(p)])
    assert res.exit_code == 0 and "JOES LAWN CARE" in res.output
    res = runner.invoke(cli, ["vendors", "match", "JOES LAWN CARE 5035551234", "--format", "json"],
                        env={"SUBDETECT_VENDORS": str(p)})
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)[0]["vendor"] == "Joe's Lawn Care"


def test_bad_user_catalogue_is_a_clear_error(runner, tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(USER.replace('"other"', '"nope"'), encoding="utf-8")
    res = runner.invoke(cli, ["vendors", "list", "--catalog", str(p)])
    assert res.exit_code == 1
    assert "bad.toml: vendor #1" in res.output and "'category'" in res.output


def test_match_shows_channel_and_merchant(runner):
    res = runner.invoke(cli, ["vendors", "match", "PAYPAL *SPOTIFYUSAI 4029357733", "APPLE.COM/BILL", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert (rows[0]["vendor"], rows[0]["channel"]) == ("Spotify", "paypal")
    assert (rows[1]["merchant"], rows[1]["vendor"], rows[1]["channel"]) == ("Apple", None, "apple")
