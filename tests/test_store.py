from __future__ import annotations

import json

import pandas as pd
from _old_stores import store_at_version

from detector.store import MIGRATIONS, Store


def _tx(**over):
    row = {"transaction_id": "t1", "account_id": "a1", "date": "2024-01-05", "amount": -9.99, "currency": "USD",
           "description": "NETFLIX.COM", "source": "generic", "source_file": "x.csv", "source_line": 2}
    row.update(over)
    return row


def test_migrations_applied_once(tmp_path):
    path = tmp_path / "s.db"
    s = Store(path)
    assert s.schema_version == len(MIGRATIONS)
    s.close()
    s2 = Store(path)  # re-opening applies nothing twice
    assert s2.schema_version == len(MIGRATIONS)


def _open_store(path: str) -> int:
    return Store(path).schema_version


def test_commands_opening_a_new_store_at_once_migrate_it_once(tmp_path):
    # (without the migration lock, two ingests on a fresh store broke it in 6 of 20 tries:
    # version 1 written back over the columns of migrations 2-5, then "duplicate column name")
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    for attempt in range(3):
        path = str(tmp_path / f"race{attempt}.db")
        with ctx.Pool(6) as pool:
            versions = pool.map(_open_store, [path] * 6)
        assert versions == [len(MIGRATIONS)] * 6
        assert Store(path).schema_version == len(MIGRATIONS)


def test_a_lock_file_that_cannot_be_made_does_not_stop_opening_a_store(tmp_path, monkeypatch):
    # (a directory the user cannot write to: SQLite's own error, not a traceback from the lock)
    import os

    real_open = os.open

    def no_lock(path, *args, **kwargs):
        if str(path).endswith(".migrate.lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_lock)
    assert Store(tmp_path / "s.db").schema_version == len(MIGRATIONS)


def test_a_store_left_half_migrated_is_repaired_when_opened(tmp_path):
    # a store from that race: every column there, the version back at 1
    path = tmp_path / "s.db"
    Store(path).close()
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 1")
    s = Store(path)
    assert s.schema_version == len(MIGRATIONS)
    cols = {r[1] for r in s.conn.execute("PRAGMA table_info(streams)").fetchall()}
    assert "currency" in cols


def test_add_transactions_is_idempotent(store):
    df = pd.DataFrame([_tx(), _tx(transaction_id="t2", amount=-5.0)])
    assert store.add_transactions(df) == (2, 0)
    assert store.add_transactions(df) == (0, 2)
    got = store.transactions()
    assert list(got.transaction_id) == ["t1", "t2"]
    assert got.amount.tolist() == [-9.99, -5.0]


def test_user_payment_method_is_not_overwritten(store):
    store.set_account("a1", payment_method="paypal", payment_method_source="user")
    store.set_account("a1", payment_method="credit_card", payment_method_source="importer")
    assert store.account("a1")["payment_method"] == "paypal"


def test_transactions_table_shows_bracketed_descriptors_verbatim(store):
    """Rich markup in a descriptor is data: `[PAYPAL]` must print as written."""
    from detector.report import render_frame

    store.add_transactions(pd.DataFrame([_tx(description="[PAYPAL] *SPOTIFY [bold]x[/bold]")]))
    out = render_frame(store.transactions(), "table")
    assert "[PAYPAL] *SPOTIFY [bold]x[/bold]" in out


def test_add_transactions_in_slices_counts_and_keeps_every_row(store, monkeypatch):
    import detector.store as store_module

    monkeypatch.setattr(store_module, "INSERT_BATCH_ROWS", 3)
    rows = [_tx(transaction_id=f"t{i}", amount=-float(i + 1)) for i in range(10)]
    rows.append(_tx(transaction_id="t4", amount=-99.0))  # a duplicate in the last slice: first row wins
    assert store.add_transactions(pd.DataFrame(rows)) == (10, 1)
    stored = store.transactions().set_index("transaction_id")["amount"]
    assert len(stored) == 10 and stored["t4"] == -5.0 and stored["t9"] == -10.0


def test_rows_several_to_a_statement_store_what_one_row_at_a_time_stores(tmp_path, monkeypatch):
    """Multi-row ``VALUES`` keep the frame's order: the same rowids, and the first row of an id wins."""
    import detector.store as store_module

    rows = [_tx(transaction_id=f"t{i % 17}", amount=-float(i), source_line=i, description=f"d{i}",
                currency=None if i % 5 == 0 else "USD") for i in range(23)]
    rows[2]["transaction_id"] = rows[1]["transaction_id"]  # a duplicate inside one statement
    monkeypatch.setattr(store_module, "INSERT_BATCH_ROWS", 10)  # slices of 10: two statements of 4, two rows left
    sql = "SELECT rowid, * FROM transactions ORDER BY rowid"
    got = {}
    for per in (1, 4):
        monkeypatch.setattr(store_module, "ROWS_PER_STATEMENT", per)
        store = Store(tmp_path / f"per{per}.db")
        statements = []
        store.conn.set_trace_callback(statements.append)
        assert store.add_transactions(pd.DataFrame(rows)) == (17, 6)
        assert any(s.count("), (") == per - 1 for s in statements if s.startswith("INSERT"))
        cur = store.conn.execute(sql)
        names = [d[0] for d in cur.description]
        got[per] = cur.fetchall()
        store.close()
    assert [r[1] for r in got[4]] == list(dict.fromkeys(r["transaction_id"] for r in rows))
    assert [r[4] for r in got[4]][:3] == [0.0, -1.0, -3.0]
    # every column but the import time: the two stores are written a moment apart, maybe in two seconds
    at = names.index("imported_at")
    assert [r[:at] + r[at + 1:] for r in got[1]] == [r[:at] + r[at + 1:] for r in got[4]]


def test_a_statement_never_binds_more_values_than_sqlite_allows(store, monkeypatch):
    import detector.store as store_module

    monkeypatch.setattr(store_module, "_max_variables", lambda: 13)  # six bound columns: two rows a statement
    statements = []
    store.conn.set_trace_callback(statements.append)
    assert store.add_transactions(pd.DataFrame([_tx(transaction_id=f"t{i}", amount=-float(i), description=f"d{i}",
                                                    date=f"2024-01-{i + 1:02d}", account_id=f"a{i}",
                                                    source_line=i) for i in range(5)])) == (5, 0)
    # (the rows' inserts; their accounts are marked owed a detection in one more statement)
    inserts = [s for s in statements if s.startswith("INSERT OR IGNORE INTO transactions")]
    assert [s.count("), (") for s in inserts] == [1, 1, 0]
    assert store.transactions()["transaction_id"].tolist() == [f"t{i}" for i in range(5)]


def test_transactions_between_dates_inclusive(store):
    store.add_transactions(pd.DataFrame([_tx(transaction_id=f"t{d}", date=f"2024-01-0{d}") for d in range(1, 6)]))
    got = store.transactions(since="2024-01-02", until="2024-01-04")
    assert got["transaction_id"].tolist() == ["t2", "t3", "t4"]


def test_columns_with_one_value_are_stored_exactly_as_bound_values_would_be(store, monkeypatch):
    """Constant columns go into the INSERT as literals: quotes, NULLs and types must survive."""
    import detector.store as store_module

    monkeypatch.setattr(store_module, "INSERT_BATCH_ROWS", 4)  # slices where a column is constant or not
    rows = [_tx(transaction_id=f"t{i}", source_file="O'Brien's \"bank\".csv", currency=None, source_line=7,
                source="generic" if i < 4 else f"s{i}", amount=-1.5, description="x" if i else "y")
            for i in range(10)]
    assert store.add_transactions(pd.DataFrame(rows)) == (10, 0)
    got = store.conn.execute(
        "SELECT transaction_id, source_file, typeof(source_file), currency, typeof(currency), source_line, "
        "typeof(source_line), amount, typeof(amount), pending, typeof(pending), source, description "
        "FROM transactions ORDER BY rowid").fetchall()
    assert got[0] == ("t0", "O'Brien's \"bank\".csv", "text", None, "null", 7, "integer", -1.5, "real", 0,
                      "integer", "generic", "y")
    assert [r[11] for r in got] == ["generic"] * 4 + [f"s{i}" for i in range(4, 10)]
    assert {r[1:11] for r in got} == {got[0][1:11]}
    imported = {r[0] for r in store.conn.execute("SELECT DISTINCT imported_at FROM transactions")}
    assert len(imported) == 1 and None not in imported


def test_rows_of_mixed_type_object_columns_are_still_stored(store):
    df = pd.DataFrame([_tx(), _tx(transaction_id="t2")])
    df["source_line"] = pd.Series([2, "3"], dtype=object)  # Arrow cannot hold this column
    assert store.add_transactions(df) == (2, 0)
    got = store.conn.execute("SELECT source_line, typeof(source_line) FROM transactions ORDER BY rowid").fetchall()
    assert got == [(2, "integer"), (3, "integer")]


def _index_sql(store) -> list:
    return store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                              "AND tbl_name = 'transactions' ORDER BY name").fetchall()


def test_a_bulk_load_into_an_empty_table_rebuilds_its_indexes_as_they_were(store, monkeypatch):
    import detector.store as store_module

    monkeypatch.setattr(store_module, "BULK_LOAD_ROWS", 5)
    monkeypatch.setattr(store_module, "INSERT_BATCH_ROWS", 3)
    indexes = _index_sql(store)
    statements = []
    store.conn.set_trace_callback(statements.append)
    rows = [_tx(transaction_id=f"t{i}", account_id=f"a{i % 3}", date=f"2024-01-{i + 1:02d}") for i in range(8)]
    assert store.add_transactions(pd.DataFrame(rows)) == (8, 0)
    assert any(s.startswith("DROP INDEX") for s in statements)
    assert _index_sql(store) == indexes
    plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM transactions WHERE account_id = 'a1'").fetchall()
    assert "ix_transactions_account_date" in str(plan)
    # the table is not empty now: the next load keeps the indexes
    statements.clear()
    more = [_tx(transaction_id=f"u{i}") for i in range(6)]
    assert store.add_transactions(pd.DataFrame(more)) == (6, 0)
    assert not any("INDEX" in s for s in statements)
    assert store.transactions()["transaction_id"].tolist()[:3] == ["t0", "t3", "t6"]


def test_a_bulk_load_that_fails_leaves_the_table_and_its_indexes_untouched(store, monkeypatch):
    import detector.store as store_module

    monkeypatch.setattr(store_module, "BULK_LOAD_ROWS", 5)
    monkeypatch.setattr(store_module, "INSERT_BATCH_ROWS", 3)
    real, calls = store_module._insert_rows, []

    def failing(table, frame):
        calls.append(len(frame))
        if len(calls) == 2:
            raise RuntimeError("disk gone")
        return real(table, frame)

    monkeypatch.setattr(store_module, "_insert_rows", failing)
    indexes = _index_sql(store)
    try:
        store.add_transactions(pd.DataFrame([_tx(transaction_id=f"t{i}") for i in range(8)]))
    except RuntimeError:
        pass
    else:
        raise AssertionError("the load should have failed")
    assert _index_sql(store) == indexes
    assert store.conn.execute("SELECT COUNT(*) FROM transactions").fetchone() == (0,)
    assert not store.conn.in_transaction


def test_upsert_and_replace_rows_write_what_sqlite_utils_writes(tmp_path):
    """The executemany writers keep sqlite-utils' semantics: upsert touches only the given columns."""
    from detector.store import replace_rows, upsert_rows

    rows = [{"request_id": "r1", "transaction_id": "t1", "account_id": "a", "amount": 1.5, "steps": ["x", {"y": 1}]},
            {"request_id": "r2", "transaction_id": "t2", "account_id": "a", "amount": float("nan"), "steps": []}]
    later = [{"request_id": "r1", "transaction_id": "t1", "account_id": "b", "status": "Pending"},
             {"request_id": "r3", "transaction_id": "t3", "account_id": "c", "status": "Candidate"}]
    ours, theirs = Store(tmp_path / "ours.db"), Store(tmp_path / "theirs.db")
    with ours.conn:
        upsert_rows(ours, "refund_requests", rows, pk="request_id")
        upsert_rows(ours, "refund_requests", later, pk="request_id")
        replace_rows(ours, "flags", [{"flag_id": "f1", "type": "x", "transaction_id": "t", "account_id": "a"}],
                     pk="flag_id")
        replace_rows(ours, "flags", [{"flag_id": "f1", "type": "y", "transaction_id": "t", "account_id": "b"}],
                     pk="flag_id")
    theirs.db["refund_requests"].upsert_all(rows, pk="request_id", alter=False)
    theirs.db["refund_requests"].upsert_all(later, pk="request_id", alter=False)
    theirs.db["flags"].insert_all([{"flag_id": "f1", "type": "x", "transaction_id": "t", "account_id": "a"}],
                                  pk="flag_id", replace=True)
    theirs.db["flags"].insert_all([{"flag_id": "f1", "type": "y", "transaction_id": "t", "account_id": "b"}],
                                  pk="flag_id", replace=True)
    for table in ("refund_requests", "flags"):
        sql = f"SELECT * FROM {table} ORDER BY rowid"
        assert ours.conn.execute(sql).fetchall() == theirs.conn.execute(sql).fetchall()
    assert ours.conn.execute("SELECT account_id, amount, steps, status FROM refund_requests WHERE request_id = 'r1'"
                             ).fetchone() == ("b", 1.5, '["x", {"y": 1}]', "Pending")


def test_set_accounts_keeps_a_payment_method_the_user_chose(store):
    store.set_account("a1", payment_method="paypal", payment_method_source="user")
    store.set_accounts(["a1", "a2", "a1"], payment_method="credit_card", currency="EUR", country=None)
    got = {a["account_id"]: (a["payment_method"], a["payment_method_source"], a["currency"], a["country"])
           for a in store.accounts()}
    assert got == {"a1": ("paypal", "user", "EUR", "US"), "a2": ("credit_card", "importer", "EUR", "US")}
    store.set_accounts(["a1"], payment_method="debit_card", payment_method_source="user")
    assert store.account("a1")["payment_method"] == "debit_card"


def test_a_store_from_before_bank_ids_keeps_working_and_knows_which_ids_were_the_banks(tmp_path):
    # (round-twenty-four audit) migration 6 records whether an id is the bank's; rows stored
    # before are judged by the id: subdetect's hashes (16 hex digits, 64 in early versions, "x_"
    # and one) and Plaid's are not the bank's, FITIDs and export references are.
    import sqlite3

    path = tmp_path / "old.db"
    db = store_at_version(path, 5)
    rows = [("8b3449e61beb3422", "chase_card"), ("ab" * 32, "chase_card"), ("x_0123456789abcdef", "ofx"),
            ("FIT-20250221-7", "ofx"), ("tx_00009abc", "monzo"), ("1001", "ofx"), ("lPNjeW1nR6CDn5okmGQ6hEpMo4lLNoSrzqDje", "plaid")]
    db["transactions"].insert_all([{**_tx(transaction_id=t, source=s)} for t, s in rows])
    db.conn.commit()
    db.close()
    s = Store(path)
    assert s.schema_version == len(MIGRATIONS)
    got = dict(s.conn.execute("SELECT transaction_id, id_from_bank FROM transactions").fetchall())
    assert [got[t] for t, _ in rows] == [0, 0, 0, 1, 1, 1, 0]
    # and new rows: what the importer said, 0 when a frame does not say
    s.add_transactions(pd.DataFrame([_tx(transaction_id="n1", id_from_bank=1), _tx(transaction_id="n2")]))
    assert dict(s.conn.execute("SELECT transaction_id, id_from_bank FROM transactions WHERE transaction_id "
                               "IN ('n1', 'n2')").fetchall()) == {"n1": 1, "n2": 0}
    s.close()
    with sqlite3.connect(path) as conn:  # the column is an integer every row has
        assert conn.execute("SELECT COUNT(*) FROM transactions WHERE id_from_bank IS NULL").fetchone() == (0,)


def test_a_store_from_before_sync_health_dates_its_items_and_hides_tokens_its_errors_quoted(tmp_path):
    # (round-thirty-eight audit) migration 8 keeps the day an item's data is complete through,
    # from its last sync, and hides the access tokens that error text stored before quoted
    path = tmp_path / "old.db"
    db = store_at_version(path, 6)
    leak = 'Plaid item \'chase\': /transactions/sync failed: HTTP 400 INVALID_REQUEST/INVALID_FIELD: {"access_token": "access-production-3f6b2c1e-8d4a"}'
    db["plaid_items"].insert_all([
        {"name": "chase", "last_synced_at": "2025-07-01T02:30:04+00:00", "last_error": leak},
        {"name": "amex", "last_synced_at": None, "last_error": None}])
    db["runs"].insert({"run_id": "r1", "errors": json.dumps([{"stage": "plaid", "error": leak}])})
    db.conn.commit()
    db.close()
    s = Store(path)
    items = {r[0]: r[1:] for r in s.conn.execute("SELECT name, synced_through, last_error FROM plaid_items")}
    (errors,) = s.conn.execute("SELECT errors FROM runs").fetchone()
    s.close()
    assert items["amex"] == (None, None) and items["chase"][0] == "2025-07-01"
    for text in (items["chase"][1], errors):
        assert "access-production" not in text and "[REDACTED]" in text and "INVALID_FIELD" in text
