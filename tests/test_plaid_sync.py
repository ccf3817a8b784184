"""Plaid sync with the real plaid-python client over HTTP against the stand-in server."""

from __future__ import annotations

import logging

import pytest

from detector.errors import ConfigError, NotFound, PlaidError
from detector.nightly import run_nightly
from detector.plaid import (
    PlaidConfig,
    RetryPolicy,
    add_item,
    list_items,
    make_api,
    remove_item,
    sync_items,
)
from detector.plaid.client import call
from detector.plaid.secrets import SecretKeyMissing, decrypt_token, encrypt_token
from detector.refunds import list_requests
from detector.store import Store
from detector.testing.plaid_standin import (
    CLIENT_ID,
    SECRET,
    PlaidStandIn,
    standin_account,
    standin_transaction,
)
from tests.plaid_scenario import (
    AMEX_TOKEN,
    CHASE_TOKEN,
    chase_history,
    dump,
    later_changes,
    link_item,
    plaid_env,
)


@pytest.fixture
def linked(store, world):
    add_item(store, "chase", CHASE_TOKEN)
    add_item(store, "amex", AMEX_TOKEN)
    return store


def _stored(store) -> dict:
    return {r["transaction_id"]: r for r in store.transactions().to_dict("records")}


def test_every_transaction_stored_once_with_our_sign(linked, world):
    results = {r.name: r for r in sync_items(linked)}
    chase = results["chase"]
    assert chase.ok and chase.restarts == 1 and chase.pages == 5  # 20 updates, 4 per page
    # The 429, the 500 and the mutation error were all served, and survived.
    codes = [c for _, _, c in world.calls]
    assert {"TRANSACTIONS_SYNC_LIMIT", "INTERNAL_SERVER_ERROR",
            "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"} <= set(codes)
    stored = _stored(linked)
    served = chase_history()
    assert len(stored) == len(served) == linked.conn.execute("SELECT COUNT(*) FROM transactions").fetchone()[0]
    for tx in served:
        row = stored[tx["transaction_id"]]
        assert row["amount"] == pytest.approx(-tx["amount"])  # Plaid: + is money out; ours: - is
        assert row["account_id"] == tx["account_id"] and row["date"] == tx["date"]
        assert row["currency"] == "USD" and row["source"] == "plaid"
        # The raw bank descriptor wins over Plaid's cleaned names.
        assert row["description"] == (tx["original_description"] or tx["name"])
    assert stored["tx-pay-0"]["amount"] == 2500.0
    pending = linked.conn.execute("SELECT pending FROM transactions WHERE transaction_id='tx-apple-pend'").fetchone()
    assert pending == (1,)


def test_item_needing_login_is_recorded_and_others_sync(linked, world):
    results = {r.name: r for r in sync_items(linked)}
    assert not results["amex"].ok and results["amex"].error_code == "ITEM_LOGIN_REQUIRED"
    assert results["chase"].ok
    items = {i["name"]: i for i in list_items(linked)}
    assert "ITEM_LOGIN_REQUIRED" in items["amex"]["last_error"]
    assert items["amex"]["cursor"] is None
    assert items["chase"]["last_error"] is None and items["chase"]["item_id"] == "item-chase"
    # Once the user logs in again the error clears and the item's data arrives.
    world.items[AMEX_TOKEN].login_required = False
    results = {r.name: r for r in sync_items(linked, ["amex"])}
    assert results["amex"].ok and results["amex"].added == 1
    assert {i["name"]: i for i in list_items(linked)}["amex"]["last_error"] is None
    assert _stored(linked)["tx-amex-1"]["amount"] == -99.0


def test_modified_removed_and_posted_pending_are_applied(linked, world, tmp_path):
    sync_items(linked, ["chase"])
    later_changes(world)
    (result,) = sync_items(linked, ["chase"])
    assert (result.added, result.modified, result.removed) == (1, 1, 2)
    stored = _stored(linked)
    assert stored["tx-groc-2"]["amount"] == -61.25 and stored["tx-groc-2"]["date"] == "2025-03-16"
    assert "tx-spot-5" not in stored and "tx-apple-pend" not in stored
    assert stored["tx-apple-post"]["amount"] == -2.99
    assert len(stored) == len(chase_history()) - 1  # one removed; the pending became its posted version


def test_posted_version_replaces_pending_even_without_removal(store, monkeypatch):
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-p", accounts=[standin_account("a1", "credit")])
        item.add(standin_transaction("p1", "a1", "2025-06-20", 9.99, "HULU", pending=True))
        add_item(store, "bank", "access-sandbox-p")
        sync_items(store)
        item.add(standin_transaction("t1", "a1", "2025-06-22", 9.99, "HULU", pending_transaction_id="p1"))
        sync_items(store)
    assert list(_stored(store)) == ["t1"] and _stored(store)["t1"]["amount"] == -9.99


def test_a_charge_is_dated_when_authorised_not_when_posted(store, monkeypatch):
    # round-twenty-two audit: a renewal pending on 06-30, the day before its cancellation, posted
    # on 07-02 and was flagged as charged after it, with a refund request saying so
    from detector.decisions import record_cancellation
    from detector.pipeline import run_detection

    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-n", accounts=[standin_account("a1", "credit")])
        for k, day in enumerate(("2025-01-30", "2025-02-28", "2025-03-30", "2025-04-30", "2025-05-30")):
            item.add(standin_transaction(f"n{k}", "a1", day, 15.49, "NETFLIX.COM"))
        item.add(standin_transaction("np", "a1", "2025-06-30", 15.49, "NETFLIX.COM", pending=True))
        add_item(store, "bank", "access-sandbox-n")
        sync_items(store)
        run_detection(store, "2025-06-30")
        record_cancellation(store, "a1", "Netflix", "2025-07-01")
        item.add(standin_transaction("nt", "a1", "2025-07-02", 15.49, "NETFLIX.COM", pending_transaction_id="np",
                                     authorized_date="2025-06-30"))
        sync_items(store)
    assert _stored(store)["nt"]["date"] == "2025-06-30" and "np" not in _stored(store)
    flags = run_detection(store, "2025-07-03").flags
    assert flags.empty or "charge_after_cancellation" not in set(flags["type"])
    assert list_requests(store) == []
    # a charge made after the date is still one (the next month's, authorised on 07-30)
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        again = server.add_item("access-sandbox-n", accounts=[standin_account("a1", "credit")])
        again.add(standin_transaction("n8", "a1", "2025-08-01", 15.49, "NETFLIX.COM", authorized_date="2025-07-30"))
        store.conn.execute("UPDATE plaid_items SET cursor = NULL")
        sync_items(store)
    flags = run_detection(store, "2025-08-02").flags
    assert list(flags.loc[flags["type"] == "charge_after_cancellation", "date"]) == ["2025-07-30"]


def test_second_sync_changes_nothing(linked, world, tmp_path):
    sync_items(linked)
    before = dump(linked.path)
    results = sync_items(linked)
    assert [r.added + r.modified + r.removed for r in results if r.ok] == [0]
    assert dump(linked.path) == before


def test_accounts_get_sets_payment_method_but_keeps_users_choice(linked, world):
    linked.set_account("chase-chk", payment_method="paypal", payment_method_source="user")
    sync_items(linked, ["chase"])
    cc, chk = linked.account("chase-cc"), linked.account("chase-chk")
    assert (cc["payment_method"], cc["payment_method_source"]) == ("credit_card", "plaid")
    assert (chk["payment_method"], chk["payment_method_source"]) == ("paypal", "user")
    assert cc["currency"] == "USD" and cc["name"] == "Credit 4242"


def test_depository_account_becomes_debit_card(store, monkeypatch):
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        server.add_item("access-sandbox-d", accounts=[standin_account("d1", "depository")])
        add_item(store, "bank", "access-sandbox-d")
        sync_items(store)
    assert store.account("d1")["payment_method"] == "debit_card"


def test_account_country_is_its_currencys(store, monkeypatch):
    """Plaid gives an account's currency, not its country: the country whose holidays its refund
    dates skip is the currency's, as for a CSV whose layout names none (docs/refunds.md)."""
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        server.add_item("access-sandbox-w", accounts=[standin_account("uk", "credit", currency="GBP"),
                                                      standin_account("us", "credit"),
                                                      standin_account("eu", "depository", currency="EUR")])
        add_item(store, "world", "access-sandbox-w")
        store.set_account("uk", currency="GBP", country="US")  # stored before this rule
        sync_items(store)
    assert {a: store.account(a)["country"] for a in ("uk", "us", "eu")} == {"uk": "GB", "us": "US", "eu": "EU"}


def test_gbp_account_refund_date_skips_english_bank_holidays(tmp_path, monkeypatch):
    """A GBP card's double charge filed on Fri 2025-08-22, OT Track by credit card (3-5 working
    days): the Summer bank holiday (Mon 25 Aug) is no working day, so the refund is due 1 Sep."""
    db = tmp_path / "sd.db"
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-uk", accounts=[standin_account("uk-cc", "credit", currency="GBP")])
        item.add(*[standin_transaction(f"ot-{m}", "uk-cc", f"2025-{m:02d}-18", 12.0, "OTTRACK*SUB", currency="GBP")
                   for m in range(1, 9)])
        item.add(standin_transaction("ot-dup", "uk-cc", "2025-08-19", 12.0, "OTTRACK*SUB", currency="GBP"))
        link_item(db, "uk", "access-sandbox-uk")
        run_nightly(db, as_of="2025-08-22")
    s = Store(db)
    (req,) = list_requests(s)
    s.close()
    assert (req["vendor"], req["transaction_id"], req["country"]) == ("OT Track", "ot-dup", "GB")
    assert req["expected_by"] == "2025-09-01"


def test_retries_are_bounded_and_then_recorded(linked, world):
    world.fail("/accounts/get", status=503, times=10)
    (result,) = sync_items(linked, ["chase"], policy=RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002))
    assert not result.ok and "503" in result.error
    assert world.count("/accounts/get", 503) == 3
    assert world.count("/transactions/sync") == 0
    assert "503" in {i["name"]: i for i in list_items(linked)}["chase"]["last_error"]


def test_mutation_error_forever_gives_up(linked, world):
    for page in range(1, 10):
        world.items[CHASE_TOKEN].mutate_on_page(2)
    world.faults.clear()
    (result,) = sync_items(linked, ["chase"])
    assert not result.ok and result.error_code == "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"
    assert result.restarts == 5
    assert linked.transactions().empty  # nothing half-applied


def test_backoff_delays_grow_and_are_capped():
    policy = RetryPolicy(attempts=6, base_delay=1.0, max_delay=5.0)
    import random

    rng = random.Random(7)
    for attempt in range(1, 8):
        cap = min(5.0, 2 ** (attempt - 1))
        assert all(0 <= policy.delay(attempt, rng) <= cap for _ in range(50))


def test_call_sleeps_between_attempts(world):
    waits = []
    world.fail("/accounts/get", status=429, times=2)
    api = make_api(PlaidConfig(CLIENT_ID, SECRET, world.url))
    from plaid.model.accounts_get_request import AccountsGetRequest

    resp = call(api.accounts_get, AccountsGetRequest(access_token=CHASE_TOKEN),
                policy=RetryPolicy(attempts=3, base_delay=0.5, max_delay=1.0), item="chase", what="get",
                sleep=waits.append)
    assert len(resp.accounts) == 2 and len(waits) == 2 and all(0 <= w <= 1.0 for w in waits)


def test_wrong_api_keys_are_an_item_error(linked, world, monkeypatch):
    monkeypatch.setenv("PLAID_SECRET", "nope")
    results = sync_items(linked)
    assert all(not r.ok and r.error_code == "INVALID_API_KEYS" for r in results)


def test_config_errors_are_clear(monkeypatch):
    env = {"PLAID_CLIENT_ID": "id"}
    with pytest.raises(ConfigError, match="PLAID_SECRET"):
        PlaidConfig.from_env(env)
    with pytest.raises(ConfigError, match="PLAID_ENV"):
        PlaidConfig.from_env({**env, "PLAID_SECRET": "s", "PLAID_ENV": "staging"})
    cfg = PlaidConfig.from_env({**env, "PLAID_SECRET": "s3cr3t", "PLAID_ENV": "production"})
    assert cfg.host == "https://production.plaid.com" and "s3cr3t" not in repr(cfg)
    assert PlaidConfig.from_env({**env, "PLAID_SECRET": "s"}).host == "https://sandbox.plaid.com"
    assert PlaidConfig.from_env({**env, "PLAID_SECRET": "s", "PLAID_BASE_URL": "http://x:1/"}).host == "http://x:1"


def test_missing_plaid_config_fails_before_any_item(linked, monkeypatch):
    monkeypatch.delenv("PLAID_CLIENT_ID")
    with pytest.raises(ConfigError, match="PLAID_CLIENT_ID"):
        sync_items(linked)


def test_tokens_are_encrypted_and_need_the_key(store, monkeypatch):
    monkeypatch.setenv("SUBDETECT_SECRET_KEY", "k1")
    add_item(store, "bank", "access-sandbox-plain-token-xyz")
    sealed = store.conn.execute("SELECT access_token_enc FROM plaid_items").fetchone()[0]
    assert "access-sandbox-plain-token-xyz" not in sealed
    assert decrypt_token(sealed, "k1") == "access-sandbox-plain-token-xyz"
    with pytest.raises(ConfigError, match="does not decrypt"):
        decrypt_token(sealed, "k2")
    assert encrypt_token("t", "k1") != encrypt_token("t", "k1")  # fresh salt every time
    monkeypatch.delenv("SUBDETECT_SECRET_KEY")
    with pytest.raises(SecretKeyMissing, match="SUBDETECT_SECRET_KEY"):
        add_item(store, "other", "tok")


def test_item_bookkeeping(store, monkeypatch):
    monkeypatch.setenv("SUBDETECT_SECRET_KEY", "k")
    add_item(store, "b", "tok-b")
    add_item(store, "a", "tok-a")
    assert [i["name"] for i in list_items(store)] == ["a", "b"]
    assert all("access_token_enc" not in i for i in list_items(store))
    with pytest.raises(ConfigError):
        add_item(store, "bad name!", "tok")
    with pytest.raises(ConfigError):
        add_item(store, "c", "  ")
    remove_item(store, "a")
    assert [i["name"] for i in list_items(store)] == ["b"]
    with pytest.raises(NotFound):
        remove_item(store, "a")
    with pytest.raises(NotFound):
        sync_items(store, ["a"])


def test_token_never_in_logs_or_store_bytes(linked, world, caplog):
    caplog.set_level(logging.DEBUG)
    world.fail("/accounts/get", status=400, error_type="INVALID_INPUT", error_code="INVALID_ACCESS_TOKEN", times=1)
    sync_items(linked)
    sync_items(linked)
    text = caplog.text + repr([r.__dict__ for r in caplog.records])
    linked.conn.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in __import__("pathlib").Path(linked.path).parent.glob("test.db*"))
    for token in (CHASE_TOKEN, AMEX_TOKEN):
        assert token not in text
        assert token.encode() not in raw
    assert "ITEM_LOGIN_REQUIRED" in caplog.text  # the logs do say what went wrong


def test_plaid_error_carries_code():
    err = PlaidError("x", error_code="ITEM_LOGIN_REQUIRED", item="amex")
    assert err.error_code == "ITEM_LOGIN_REQUIRED" and err.item == "amex"


def test_standin_pages_match_plaids_typed_models(world):
    """Sync reads pages as plain JSON for speed; the typed client must accept the same pages."""
    from plaid.model.transactions_sync_request import TransactionsSyncRequest
    from plaid.model.transactions_sync_response import TransactionsSyncResponse

    world.faults.clear()
    world.items[CHASE_TOKEN].mutation_pages.clear()
    later_changes(world)  # pages with modified and removed entries too
    api = make_api(PlaidConfig(CLIENT_ID, SECRET, world.url))
    cursor, seen = None, {"added": 0, "modified": 0, "removed": 0}
    while True:
        kwargs = {"cursor": cursor} if cursor else {}
        page = api.transactions_sync(TransactionsSyncRequest(access_token=CHASE_TOKEN, count=4, **kwargs))
        assert isinstance(page, TransactionsSyncResponse)
        for kind in seen:
            seen[kind] += len(page[kind])
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert seen == {"added": 21, "modified": 1, "removed": 2}


def test_a_plaid_description_spanning_lines_or_holding_tabs_is_stored_on_one_line(store, monkeypatch):
    # twenty-fifth session: a statement's description spanning lines was stored on one line
    # (round-49 audit), Plaid's as sent: reports and refund emails printed it on two lines
    with PlaidStandIn() as server:
        plaid_env(monkeypatch, server)
        item = server.add_item("access-sandbox-l", accounts=[standin_account("a1", "credit")])
        item.add(standin_transaction("d1", "a1", "2025-06-02", 15.49, "Netflix",
                                     original_description="NETFLIX.COM\r\n  866-579-7172\tCA"),
                 standin_transaction("d2", "a1", "2025-06-03", 10.99, "Spotify\nUSA", merchant_name="Spotify"),
                 standin_transaction("d3", "a1", "2025-06-04", 9.99, "", merchant_name="\tHulu\u2028LLC\n"),
                 standin_transaction("d4", "a1", "2025-06-05", 4.99, "Apple\tiCloud",
                                     original_description=" \r\n "))  # nothing but a break: the name
        add_item(store, "bank", "access-sandbox-l")
        (result,) = sync_items(store)
    assert result.ok, result.error
    assert {k: v["description"] for k, v in _stored(store).items()} == {
        "d1": "NETFLIX.COM 866-579-7172 CA", "d2": "Spotify USA", "d3": "Hulu LLC", "d4": "Apple iCloud"}


def test_the_read_timeout_is_set_by_subdetect_plaid_timeout(linked, world, monkeypatch):
    # twenty-fifth session: it was 60 s, fixed; a slow Plaid (or proxy) could not be waited for
    # longer, nor a nightly job bounded tighter
    assert PlaidConfig.from_env({"PLAID_CLIENT_ID": "i", "PLAID_SECRET": "s"}).timeout == 60.0
    world.faults.clear()  # (no scripted 429 or 500: one attempt each)
    monkeypatch.setenv("SUBDETECT_PLAID_TIMEOUT", "0.3")
    world.stall("/accounts/get", seconds=1.5, times=1)
    (result,) = sync_items(linked, ["chase"], policy=RetryPolicy(attempts=1))
    assert not result.ok and "timed out" in result.error.lower(), result.error
    assert "no answer within 0.3 s: SUBDETECT_PLAID_TIMEOUT sets how long to wait" in result.error
    # a longer one waits for the same slow answer
    monkeypatch.setenv("SUBDETECT_PLAID_TIMEOUT", "5")
    world.stall("/accounts/get", seconds=0.5, times=1)
    (result,) = sync_items(linked, ["chase"], policy=RetryPolicy(attempts=1))
    assert result.ok, result.error


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "inf", "12s"])
def test_a_bad_plaid_timeout_is_a_clear_error_before_any_item(linked, world, monkeypatch, runner, value):
    from detector.cli import cli

    monkeypatch.setenv("SUBDETECT_PLAID_TIMEOUT", value)
    with pytest.raises(ConfigError, match="SUBDETECT_PLAID_TIMEOUT"):
        sync_items(linked)
    res = runner.invoke(cli, ["plaid", "sync", "--db", linked.path])
    assert res.exit_code == 1 and f"SUBDETECT_PLAID_TIMEOUT={value!r}" in res.stderr, res.output
    assert "seconds" in res.stderr and "Traceback" not in res.output
    assert world.calls == []  # refused before Plaid was called
