"""``scan`` detects on the rows it has just ingested instead of reading them back from SQLite.

The contract: what it detects on is exactly what the store holds for the scanned accounts, so its
streams and flags equal a detection over the store (``run_detection``) of the same accounts.
"""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt

from detector.pipeline import _fresh_transactions, run_detection, scan
from detector.store import Store, as_stored
from detector.synth import generate

AS_OF = "2024-12-31"
COLUMNS = ["account_id", "transaction_id", "date", "description", "amount", "currency"]


def _write(df: pd.DataFrame, path) -> str:
    df[COLUMNS].to_csv(path, index=False)
    return str(path)


def _sorted(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return df.sort_values(key).reset_index(drop=True)


def test_scan_equals_detection_over_the_store(tmp_path):
    tx, _ = generate(12, "2023-01-01", AS_OF, seed=7)
    accounts = sorted(tx["account_id"].unique())
    old, new = accounts[:4], accounts[4:]
    # an account already stored with its first year; the scan brings its second year
    first_year = tx["account_id"].isin(old) & (tx["date"] < "2024-01-01")
    store = Store(tmp_path / "a.db")
    scan([_write(tx[first_year], tmp_path / "old.csv")], store, AS_OF)
    # two files for the new accounts, overlapping by a month (duplicates), plus the rest of the old ones
    rest = tx[~first_year]
    part1 = rest[rest["date"] < "2024-02-01"]
    part2 = rest[rest["date"] >= "2024-01-01"]
    files = [_write(part1, tmp_path / "p1.csv"), _write(part2, tmp_path / "p2.csv")]
    result = scan(files, store, AS_OF)

    again = run_detection(store, AS_OF)  # the reference: everything read back from SQLite
    assert set(result.streams["account_id"]) == set(old) | set(new)
    pdt.assert_frame_equal(_sorted(result.streams, "stream_id"), _sorted(again.streams, "stream_id"))
    pdt.assert_frame_equal(_sorted(result.flags, "flag_id"), _sorted(again.flags, "flag_id"))
    assert len(result.flags) > 0 and len(result.streams) > 20


def test_fresh_rows_are_what_the_store_holds(tmp_path):
    tx, _ = generate(5, "2024-01-01", AS_OF, seed=3)
    tx = tx[COLUMNS].assign(source="generic", source_file="f.csv", source_line=range(2, len(tx) + 2))
    store = Store(tmp_path / "b.db")
    # a duplicate id inside the file: the first row wins, as INSERT OR IGNORE keeps it
    dup = tx.iloc[[60]].assign(amount=-1.0, description="SOMETHING ELSE")
    frame = pd.concat([tx, dup], ignore_index=True)
    store.add_transactions(frame)
    got = _fresh_transactions([frame.iloc[:100], frame.iloc[100:]], set(tx["account_id"]))
    got = got.sort_values(["account_id", "date", "transaction_id"]).reset_index(drop=True)
    pdt.assert_frame_equal(got, store.transactions(), check_dtype=False)
    assert got.loc[got["transaction_id"] == tx["transaction_id"].iloc[60], "amount"].item() != -1.0


def test_a_big_file_is_stored_in_chunks_and_detected_from_the_store(tmp_path, monkeypatch):
    from detector.importers import ingest

    tx, _ = generate(6, "2023-06-01", AS_OF, seed=11)
    path = _write(tx, tmp_path / "big.csv")
    whole = scan([path], Store(tmp_path / "whole.db"), AS_OF)
    monkeypatch.setattr(ingest, "STREAM_BYTES", 1000)  # every file is "big"
    monkeypatch.setattr(ingest, "STREAM_CHUNK_ROWS", 97)
    store = Store(tmp_path / "chunks.db")
    chunked = scan([path], store, AS_OF)
    (res,) = chunked.ingest
    assert res.streamed and not whole.ingest[0].streamed
    assert (res.rows_read, res.stored, res.duplicates) == (len(tx), len(tx), 0)
    assert sorted(res.accounts) == sorted(tx["account_id"].unique())
    pdt.assert_frame_equal(_sorted(chunked.streams, "stream_id"), _sorted(whole.streams, "stream_id"))
    pdt.assert_frame_equal(_sorted(chunked.flags, "flag_id"), _sorted(whole.flags, "flag_id"))
    assert store.conn.execute("SELECT rows_read, stored FROM imports").fetchall() == [(len(tx), len(tx))]


def test_detection_in_small_account_batches_equals_one_batch(tmp_path, monkeypatch):
    from detector import pipeline

    tx, _ = generate(8, "2023-06-01", AS_OF, seed=5)
    store = Store(tmp_path / "c.db")
    scan([_write(tx, tmp_path / "t.csv")], store, AS_OF)
    one = run_detection(store, AS_OF)
    monkeypatch.setattr(pipeline, "DETECT_BATCH_ROWS", 50)  # about one account per batch
    assert len(pipeline._stored_batches(store, AS_OF, None)) >= 8
    many = run_detection(store, AS_OF)
    pdt.assert_frame_equal(many.streams, one.streams)
    pdt.assert_frame_equal(many.flags, one.flags)


def test_as_stored_keeps_the_first_row_per_id_and_canonical_columns():
    df = pd.DataFrame({
        "transaction_id": ["b", "a", "b"], "account_id": ["x", "x", "x"],
        "date": ["2024-01-02", "2024-01-02", "2024-05-01"], "amount": [-1.0, -2.0, -3.0],
        "currency": "USD", "description": "D", "source": "generic", "source_file": "f", "source_line": [2, 3, 4],
        "extra": 1,
    })
    out = as_stored(df)
    assert out["transaction_id"].tolist() == ["b", "a"] and out["amount"].tolist() == [-1.0, -2.0]
    assert "extra" not in out


def test_scan_of_one_file_equals_detection_over_the_store_with_and_without_duplicate_ids(tmp_path):
    """The scan skips the duplicate-id search when every row was stored; with a duplicate it must not."""
    tx, _ = generate(6, "2023-06-01", AS_OF, seed=13)
    clean = scan([_write(tx, tmp_path / "clean.csv")], Store(tmp_path / "clean.db"), AS_OF)
    # a subscription's first charge id again, later in the file, dated the day before the scan
    first_id = clean.streams.loc[clean.streams["direction"] == "outflow", "transaction_ids"].iloc[0][0]
    dup = tx[tx["transaction_id"] == first_id].assign(date="2024-12-30")
    store = Store(tmp_path / "dup.db")
    result = scan([_write(pd.concat([tx, dup], ignore_index=True), tmp_path / "dup.csv")], store, AS_OF)
    assert (clean.ingest[0].duplicates, result.ingest[0].duplicates) == (0, 1)
    again = run_detection(store, AS_OF)
    for got in (result, again):  # the stored (first) row wins everywhere
        pdt.assert_frame_equal(got.streams, clean.streams)
        pdt.assert_frame_equal(got.flags, clean.flags)
    assert len(clean.streams) > 5
