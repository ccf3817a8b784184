"""The Spark engine in local mode gives exactly the local engine's streams and flags."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from engine_standin import PENDING_AS_OF, make_transactions, pending_doubles, standin_detect
from pandas.testing import assert_frame_equal

from detector import engines

pytestmark = pytest.mark.spark
pyspark = pytest.importorskip("pyspark")

AS_OF = "2025-01-31"


@pytest.fixture(scope="module")
def spark():
    from pyspark import cloudpickle

    from detector.engines.spark import get_session

    # Python workers cannot import the test helper module by name: ship it by value.
    cloudpickle.register_pickle_by_value(sys.modules[standin_detect.__module__])
    session = get_session("local[2]", shuffle_partitions=4, conf={"spark.ui.enabled": "false"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def tx():
    return make_transactions(30, seed=11)


def test_spark_gives_the_pipelines_streams_and_flags(spark):
    """The real detect_account (enrich, detect, decisions, flags) on synthetic accounts."""
    from detector.pipeline import detect_account
    from detector.synth import generate

    tx, truth = generate(6, "2023-06-01", "2024-12-31", seed=5)
    cancellations = pd.DataFrame(truth["cancellations"])
    as_of = "2024-12-31"
    direct = detect_account(tx, as_of, cancellations=cancellations)
    local = engines.run(tx, as_of, cancellations=cancellations)
    remote = engines.run(tx, as_of, "spark", spark=spark, cancellations=cancellations)
    assert len(local[0]) >= 6 and len(local[1]) >= 1
    assert_frame_equal(remote[0], local[0])
    assert_frame_equal(remote[1], local[1])
    # the engine's wrapper changes shape and order only, not content
    assert_frame_equal(engines.conform_streams(direct[0]), local[0])
    assert_frame_equal(engines.conform_flags(direct[1]), local[1])


def test_spark_gives_the_local_streams_on_real_histories(spark):
    """recur-scan's real Plaid histories, split into two groups of accounts on Spark and detected
    all at once locally. Each account's streams and flags are its own: a same-day tie broken by
    the whole frame once gave three accounts other streams on Spark (ninth session)."""
    from pipelines import eval_streams

    try:
        folder = eval_streams.eval_dir() / "recur_scan"
    except FileNotFoundError:
        pytest.skip("shared/eval not present")
    tx = eval_streams.read_eval_tx(folder)
    as_of = str(tx["date"].max())
    local = engines.run(tx, as_of)
    remote = engines.run(tx, as_of, "spark", spark=spark, account_groups=2)
    assert len(local[0]) >= 50 and len(local[1]) >= 10
    assert_frame_equal(remote[0], local[0])
    assert_frame_equal(remote[1], local[1])


@pytest.mark.parametrize("mode, fmt, groups", [("union", "csv", None), ("two_pass", "parquet", 0)])
def test_job_writes_parquet_and_store(spark, tx, tmp_path, mode, fmt, groups):
    from detector.engines.spark_job import run_job
    from detector.store import Store

    target = engines.run(tx, AS_OF, detect=standin_detect)[0].iloc[3]
    cancel = pd.DataFrame({"account_id": [target["account_id"]], "merchant": [target["merchant"]]})
    path = tmp_path / f"tx.{fmt}"
    tx.to_csv(path, index=False) if fmt == "csv" else tx.to_parquet(path, index=False)
    db = tmp_path / "out.db"
    result = run_job(path, tmp_path / "out", AS_OF, db=str(db), mode=mode, detect=standin_detect,
                     spark=spark, cancellations=cancel, account_groups=groups)
    local = engines.run(tx, AS_OF, detect=standin_detect, cancellations=cancel)
    assert (local[0]["status"] == "cancelled").sum() == 1
    streams = engines.conform_streams(pd.read_parquet(tmp_path / "out" / "streams"))
    flags = engines.conform_flags(pd.read_parquet(tmp_path / "out" / "flags"))
    assert_frame_equal(streams, local[0])
    assert_frame_equal(flags, local[1])
    assert (result.streams, result.flags) == (len(local[0]), len(local[1]))
    store = Store(db)
    assert store.db["streams"].count == len(local[0])
    assert store.db["flags"].count == len(local[1])
    # the refund queue follows the flags, one request per flagged charge, as after a local run
    from detector.refunds import requested_flags

    assert store.db["refund_requests"].count == len(requested_flags(local[1])) == result.stored["refund_requests"]
    store.close()


def test_input_is_read_as_the_local_engines_read_it(spark, tx, tmp_path):
    """CSV directories, Parquet behind a URI with no suffix, pandas-style quoting; clear errors."""
    from detector.engines import canonical_transactions
    from detector.engines.io import read_transactions as read_local
    from detector.engines.spark import read_transactions
    from detector.errors import ImportError_
    from detector.schema import SchemaError

    quoted = tx.copy()
    quoted.loc[quoted.index[:5], "description"] = 'NETFLIX "PREMIUM" PLAN'
    quoted.loc[quoted.index[5:8], "description"] = "HULU\nLIVE, TV"
    csv = tmp_path / "tx.csv"
    quoted.to_csv(csv, index=False)
    parts = tmp_path / "csvdir"
    parts.mkdir()
    quoted.iloc[:200].to_csv(parts / "a.csv", index=False)
    quoted.iloc[200:].to_csv(parts / "b.csv", index=False)
    pq = tmp_path / "pqdir"
    pq.mkdir()
    quoted.to_parquet(pq / "part-0.parquet", index=False)

    def read(path):
        return canonical_transactions(read_transactions(spark, path).toPandas()).reset_index(drop=True)

    want = canonical_transactions(read_local(csv)).reset_index(drop=True)
    assert want["description"].str.contains('"PREMIUM"').sum() == 5
    for path in (csv, parts, f"file://{pq}"):
        assert_frame_equal(read(str(path)), want, check_dtype=False)
    quoted.drop(columns="amount").to_csv(tmp_path / "noamount.csv", index=False)
    with pytest.raises(SchemaError, match="amount"):
        read_transactions(spark, str(tmp_path / "noamount.csv"))
    with pytest.raises(ImportError_, match="no such file"):
        read_transactions(spark, str(tmp_path / "nope.csv"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportError_, match="no .parquet or .csv"):
        read_transactions(spark, str(tmp_path / "empty"))


def test_job_refuses_a_bad_date_before_starting_spark(tmp_path):
    from detector.engines.spark_job import run_job
    from detector.errors import ConfigError

    with pytest.raises(ConfigError, match="2024-13-45"):
        run_job(tmp_path / "tx.csv", tmp_path / "out", "2024-13-45", spark=object())


def test_job_refuses_negative_account_groups_before_starting_spark(tmp_path):
    from detector.engines.spark_job import run_job
    from detector.errors import ConfigError

    with pytest.raises(ConfigError, match="account-groups"):
        run_job(tmp_path / "tx.csv", tmp_path / "out", "2024-12-31", spark=object(), account_groups=-3)


@pytest.mark.parametrize("name", ["nope.csv", "nope.parquet", "nope"])
def test_job_refuses_a_missing_input_before_starting_spark(tmp_path, name):
    # (a name ending in .csv started Spark, which then stopped with ninety lines of Java stack)
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    with pytest.raises(ImportError_, match="no such file"):
        run_job(tmp_path / name, tmp_path / "out", "2024-12-31", spark=object())


def test_job_with_a_store_reads_the_refund_catalogues_before_spark_starts(tx, tmp_path, monkeypatch):
    # Reading them after the streams and flags were stored left a store with no refund requests.
    from detector.catalog import refund_processes
    from detector.engines import spark_job
    from detector.errors import CatalogError

    def unreadable(path=None):
        raise CatalogError("cannot read refund processes")

    monkeypatch.setattr(refund_processes, "load_refund_processes", unreadable)
    tx.to_csv(tmp_path / "tx.csv", index=False)
    db = tmp_path / "sub.db"
    with pytest.raises(CatalogError):
        spark_job.run_job(tmp_path / "tx.csv", tmp_path / "out", "2024-12-31", db=str(db), spark=object())
    assert not (tmp_path / "out").exists() and not db.exists()


def test_job_names_a_value_spark_cannot_read_in_one_line(spark, tmp_path):
    """An amount written "-1,234.50" stopped the job with ninety lines of Java stack; it is now
    one error naming the file and the value."""
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    bad = tmp_path / "tx.csv"
    bad.write_text('transaction_id,account_id,date,amount,description\n'
                   't1,a,2024-01-05,"-1,234.50",NETFLIX\nt2,a,2024-02-05,-15.49,NETFLIX\n')
    with pytest.raises(ImportError_, match=r"-1,234\.50") as err:
        run_job(bad, tmp_path / "out", "2024-04-01", spark=spark)
    assert str(bad) in str(err.value) and len(str(err.value).splitlines()) == 1


def test_job_names_a_date_that_is_no_date_in_one_line(spark, tmp_path):
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    bad = tmp_path / "tx.csv"
    bad.write_text("transaction_id,account_id,date,amount,description\n"
                   "t1,a,2024-01-05,-15.49,NETFLIX\nt2,a,2024-13-45,-15.49,NETFLIX\n")
    with pytest.raises(ImportError_) as err:
        run_job(bad, tmp_path / "out", "2024-04-01", spark=spark)
    # (with its line since the round-twenty-three audit, as the local engine names it)
    assert str(err.value) == f"{bad}:3: date '2024-13-45' is not a date (yyyy-mm-dd)"


def test_job_and_engine_name_the_line_of_a_date_that_is_no_date(spark, tmp_path):
    """Round-twenty-three audit: the job named no line where the local engine said `tx.csv:57`
    (Spark knows no lines: the worker says the account and value, the driver finds its line), in
    a folder's file too and below a quoted line break."""
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    folder = tmp_path / "in"
    folder.mkdir()
    head = "account_id,transaction_id,date,description,amount\n"
    (folder / "a.csv").write_text(head + "".join(f"A,a{m},2024-{m:02d}-05,NETFLIX 1,-15.49\n" for m in range(1, 7)))
    rows = [f"B,b{m},2024-{m:02d}-05,SPOTIFY 1,-9.99\n" for m in range(1, 7)]
    rows[1] = 'B,b2,2024-02-05,"SPOTIFY\nPREMIUM 1",-9.99\n'  # lines 3-4
    rows.insert(3, "\n")
    rows[5] = "B,b5,2024-13-45,SPOTIFY 1,-9.99\n"  # line 8
    (folder / "b.csv").write_text(head + "".join(rows))
    want = f"{folder / 'b.csv'}:8: date '2024-13-45' is not a date (yyyy-mm-dd)"
    assert str(pytest.raises(ImportError_, engines.run, folder / "b.csv", "2024-12-31", "local").value) == want
    for mode in ("union", "two_pass"):
        with pytest.raises(ImportError_) as err:
            run_job(folder, tmp_path / f"out_{mode}", "2024-12-31", spark=spark, mode=mode, detect=standin_detect)
        assert str(err.value) == want
    with pytest.raises(ImportError_) as err:
        engines.run(folder / "b.csv", "2024-12-31", "spark", spark=spark, detect=standin_detect)
    assert str(err.value) == want


def test_job_reads_a_glob_of_files(spark, tx, tmp_path):
    # (the missing-file check refused part-*.csv before Spark could expand it, audit)
    from detector.engines.spark import input_format, read_transactions

    half = len(tx) // 2
    tx.iloc[:half].to_csv(tmp_path / "part-0.csv", index=False)
    tx.iloc[half:].to_csv(tmp_path / "part-1.csv", index=False)
    assert input_format(str(tmp_path / "part-*.csv")) == "csv"
    assert read_transactions(spark, str(tmp_path / "part-*.csv")).count() == len(tx)


def test_job_refuses_an_unreadable_vendor_catalogue_before_starting_spark(tmp_path, monkeypatch):
    # (without --db the workers met it, and the job blamed the input file, audit)
    from detector.engines.spark_job import run_job
    from detector.errors import CatalogError

    bad = tmp_path / "vendors.toml"
    bad.write_text('[[vendor]]\nname = "X"\n')
    monkeypatch.setenv("SUBDETECT_VENDORS", str(bad))
    (tmp_path / "tx.csv").write_text("transaction_id,account_id,date,amount,description\n")
    with pytest.raises(CatalogError, match="vendors.toml"):
        run_job(tmp_path / "tx.csv", tmp_path / "out", "2024-12-31", spark=object())


def test_job_stops_when_two_accounts_flags_share_an_id(spark, tmp_path):
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    rows = ["transaction_id,account_id,date,amount,description"]
    for acct in ("CHK-1", "CARD-2"):
        rows += [f"{m},{acct},2024-{m:02d}-10,-15.49,NETFLIX.COM" for m in range(1, 7)]
        rows.append(f"2000,{acct},2024-06-10,-15.49,NETFLIX.COM")
    (tmp_path / "tx.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(ImportError_, match="unique across accounts"):
        run_job(tmp_path / "tx.csv", tmp_path / "out", "2024-12-31", spark=spark, account_groups=0)
    assert not (tmp_path / "out").exists()  # nothing written (the default union mode)
    with pytest.raises(ImportError_, match="output in .* holds .*unique across accounts"):
        run_job(tmp_path / "tx.csv", tmp_path / "out2", "2024-12-31", spark=spark, mode="two_pass")


def test_job_stops_on_a_malformed_csv_naming_the_file_in_one_line(spark, tmp_path, capfd):
    """Spark read a line with a field too many by dropping it (rent of 1,250.00 read as 1.00), one
    with a field too few by leaving it null, and latin-1 text with U+FFFD for the accented
    letters, all silently (fourteenth session's audit): each now stops the job, naming the file
    (and the record); a value Spark cannot cast no longer logs the Java stack first."""
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    head = b"account_id,transaction_id,date,description,amount\nA1,n1,2024-04-10,NETFLIX.COM,-15.49\n"
    cases = {
        # (round forty-two: named by line in the local engines' words, not by the record's text)
        "extra.csv": (b"A1,r13,2024-06-10,RENT,-1,250.00\n", r"extra.csv:3: expected 5 fields, found 6 \(a value"),
        "short.csv": (b"A1,big1,2024-06-10,-1234.50\n", r"short.csv:3: expected 5 fields, found 4$"),
        "latin1.csv": ("A1,x,2024-06-10,CAF\u00c9,-9.00\n".encode("latin-1"), "not UTF-8 text: description"),
        # (the local engines' words since the r55 audit: Spark's CAST_INVALID_INPUT named no column)
        "amount.csv": (b"A1,x,2024-06-10,RENT,abc\n", r"amount.csv:3: amount 'abc' is not a number$"),
    }
    import warnings

    for name, (bad, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(head + bad)
        with pytest.raises(ImportError_, match=message) as err, warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            run_job(path, tmp_path / "out", "2024-12-31", spark=spark, detect=standin_detect)
        assert str(err.value).startswith((f"{path}: ", f"{path}:3: ")) and len(str(err.value).splitlines()) == 1
        # (nor pyspark's warning from the collect of the transfers' keys, the job's first action)
        assert not [w for w in seen if "toPandas attempted Arrow optimization" in str(w.message)]
    # UTF-16, which Spark read as text with NULs in it (round-44 audit): refused as the local engines refuse it
    path = tmp_path / "utf16.csv"
    path.write_bytes((head + b"A1,n2,2024-05-10,NETFLIX.COM,-15.49\n").decode().encode("utf-16-le"))
    with pytest.raises(ImportError_, match="UTF-16 without a byte-order mark: re-save as UTF-8") as err:
        run_job(path, tmp_path / "out", "2024-12-31", spark=spark, detect=standin_detect)
    assert str(err.value).startswith(f"{path}: ")
    assert "org.apache.spark" not in capfd.readouterr().err


def test_job_matches_each_csv_files_columns_by_name(spark, tx, tmp_path, monkeypatch):
    """A folder of CSVs listing the columns in other orders: Spark applied the first file's header
    to every file by position, so b.csv's ids became accounts (fourteenth session's audit)."""
    from detector.engines import spark as spark_engine
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    folder = tmp_path / "in"
    folder.mkdir()
    half = len(tx) // 2
    tx.iloc[:half].to_csv(folder / "a.csv", index=False)
    reordered = ["transaction_id", *[c for c in tx.columns if c != "transaction_id"][::-1]]
    tx.iloc[half:][reordered].to_csv(folder / "b.csv", index=False)
    run_job(folder, tmp_path / "out", AS_OF, spark=spark, detect=standin_detect)
    local = engines.run(tx, AS_OF, detect=standin_detect)
    assert_frame_equal(engines.conform_streams(pd.read_parquet(tmp_path / "out" / "streams")), local[0])
    assert_frame_equal(engines.conform_flags(pd.read_parquet(tmp_path / "out" / "flags")), local[1])
    # where the headers cannot be read beforehand (S3, HDFS), Spark checks each against the first
    monkeypatch.setattr(spark_engine, "_files_by_header", lambda files: None)
    with pytest.raises(ImportError_, match=r"b\.csv: its columns \(transaction_id, source_line"):
        run_job(folder, tmp_path / "out2", AS_OF, spark=spark, detect=standin_detect)


def test_job_detects_a_canonical_csv_as_scan_does(spark, tmp_path):
    """`scan tx.csv` gave every stream USD and ordered two identical same-day charges by line;
    the job gave no currency and ordered them by id, flagging the other charge (fourteenth
    session's audit)."""
    from detector.engines.spark_job import run_job
    from detector.pipeline import scan
    from detector.store import Store

    rows = [f"ACC,n{m:02d},2024-{m:02d}-10,NETFLIX.COM,-15.49" for m in range(1, 13)]
    rows.insert(6, "ACC,a-dup,2024-06-10,NETFLIX.COM,-15.49")  # after n06, but its id sorts first
    path = tmp_path / "tx.csv"
    path.write_text("account_id,transaction_id,date,description,amount\n" + "\n".join(rows) + "\n")
    run_job(path, tmp_path / "out", "2024-12-31", spark=spark)
    streams = engines.conform_streams(pd.read_parquet(tmp_path / "out" / "streams"))
    flags = engines.conform_flags(pd.read_parquet(tmp_path / "out" / "flags"))
    scanned = scan([str(path)], Store(tmp_path / "s.db"), "2024-12-31")
    assert streams["currency"].tolist() == ["USD"] and flags["transaction_id"].tolist() == ["a-dup"]
    assert_frame_equal(streams, engines.conform_streams(scanned.streams))
    assert_frame_equal(flags, engines.conform_flags(scanned.flags))


def test_job_reads_spellings_of_headers_currencies_and_padded_values_as_scan_does(spark, tmp_path):
    """Strict-CSV audit: upper-case or spaced headers were missing columns, "usd" and "$" stayed
    as written, a padded account id (" ACC ") made a second account, and a line of spaces or a
    row without its trailing currency stopped the job."""
    from detector.engines.spark_job import run_job

    rows = [f"ACC,n{m:02d},2024-{m:02d}-10,NETFLIX.COM,-15.49,{'$' if m % 2 else 'usd'}" for m in range(1, 13)]
    rows[3] = " ACC , n04 ,2024-04-10, NETFLIX.COM ,-15.49, USD "
    # ... and a line of spaces and a row leaving out its empty currency, which its strict read
    # refused where the local engines read them
    rows[5] = rows[5].rsplit(",", 1)[0]
    rows.insert(8, "   ")
    path = tmp_path / "tx.csv"
    path.write_text("ACCOUNT_ID, Transaction_Id,DATE,description,amount,Currency\n" + "\n".join(rows) + "\n")
    run_job(path, tmp_path / "out", "2024-12-31", spark=spark)
    streams = engines.conform_streams(pd.read_parquet(tmp_path / "out" / "streams"))
    assert streams[["account_id", "currency"]].values.tolist() == [["ACC", "USD"]]
    assert len(streams.iloc[0]["transaction_ids"]) == 12
    local, _ = engines.run(path, "2024-12-31", "local")
    assert_frame_equal(streams, local)


def test_job_reads_trailing_empty_fields_and_stops_on_filled_ones_as_the_local_engines(spark, tmp_path):
    """Sixteenth audit: a row ending in a comma the header lacks stopped the job (the local engines
    did too, and `scan` reads it); a value past the header after an empty optional column was
    dropped silently (every column was not filled, so the record was not taken for one too long)."""
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    header = "account_id,transaction_id,date,description,amount,currency\n"
    rows = [f"ACC,n{m:02d},2024-{m:02d}-10,NETFLIX.COM,-15.49,USD" for m in range(1, 13)]
    rows = [r + ",," if m == 3 else r + "," if m == 7 else r for m, r in enumerate(rows)]
    rows[9] = '"ACC","n10","2024-10-10","NETFLIX, INC","-15.49","USD",""'
    path = tmp_path / "tx.csv"
    path.write_text(header + "\n".join(rows) + "\n")
    run_job(path, tmp_path / "out", "2024-12-31", spark=spark)
    streams = engines.conform_streams(pd.read_parquet(tmp_path / "out" / "streams"))
    assert len(streams) == 1 and len(streams.iloc[0]["transaction_ids"]) == 12
    local, _ = engines.run(path, "2024-12-31", "local")
    assert_frame_equal(streams, local)
    for name, bad in {"after_empty.csv": "ACC,x1,2024-12-10,RENT,-1250.00,,1", "quoted.csv": '"ACC","x2","2024-12-10","RENT","-1","250.00","USD"'}.items():
        bad_path = tmp_path / name
        bad_path.write_text(header + "\n".join(rows[:3] + [bad]) + "\n")
        # (in the local engines' words with its line since round forty-two)
        with pytest.raises(ImportError_, match=rf"{name}:5: expected 6 fields, found 7 \(a value holding a comma"):
            run_job(bad_path, tmp_path / f"out_{name}", "2024-12-31", spark=spark, detect=standin_detect)


def test_job_with_a_store_queues_the_refund_requests_scan_queues(spark, tmp_path):
    """Round-twenty-three audit: the job's --db into a new store drafted a GBP account's refund
    requests in dollars with US working days (no account row held its currency or country), and
    a charge in another currency than its account's (the job stores no transaction rows) took
    the account's. They are now what `subdetect scan` of the same canonical CSV queues."""
    import sqlite3

    from detector.engines.spark_job import run_job
    from detector.pipeline import scan
    from detector.store import Store

    rows = []
    for i in range(14):
        y, m = 2024 + i // 12, i % 12 + 1
        rows.append(f"uk-1,t{i},{y}-{m:02d}-12,SPOTIFY P2A3B4C5D6 STOCKHOLM SWE,{-10.99 if i < 12 else -12.99},GBP")
        rows.append(f"uk-1,g{i},{y}-{m:02d}-03,PUREGYM LTD LEEDS GBR,-24.99,GBP")
        rows.append(f"eu-1,n{i},{y}-{m:02d}-05,NETFLIX.COM 866-579-7172 CA,-15.49,USD")
        rows += [f"eu-1,r{i}-{k},{y}-{m:02d}-{10 + 7 * k},REWE SAGT DANKE {k},-{20 + 3 * i + k}.35,EUR" for k in (0, 1)]
    rows.append("uk-1,dup,2025-02-03,PUREGYM LTD LEEDS GBR,-24.99,GBP")
    rows.append("eu-1,ndup,2025-02-05,NETFLIX.COM 866-579-7172 CA,-15.49,USD")
    path = tmp_path / "tx.csv"
    path.write_text("account_id,transaction_id,date,description,amount,currency\n" + "\n".join(sorted(rows)) + "\n")
    run_job(path, tmp_path / "out", "2025-02-28", db=str(tmp_path / "job.db"), spark=spark)
    store = Store(tmp_path / "scan.db")
    scan([str(path)], store, "2025-02-28")
    store.close()

    def requests(db):
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        skip = {"created_at", "updated_at", "history"}  # (times of the run)
        got = [{k: v for k, v in dict(r).items() if k not in skip}
               for r in conn.execute("SELECT * FROM refund_requests ORDER BY request_id")]
        accounts = [tuple(r) for r in conn.execute("SELECT account_id, currency, country FROM accounts ORDER BY account_id")]
        conn.close()
        return got, accounts

    job, job_accounts = requests(tmp_path / "job.db")
    scanned, scan_accounts = requests(tmp_path / "scan.db")
    assert job_accounts == scan_accounts == [("eu-1", "EUR", "EU"), ("uk-1", "GBP", "GB")]
    said = {(r["account_id"], json.loads(r["details"])["currency"], json.loads(r["details"])["country"])
            for r in scanned}
    assert said == {("uk-1", "GBP", "GB"), ("eu-1", "USD", "EU")}
    assert len(scanned) == 3 and job == scanned


def test_the_jobs_accounts_keep_a_country_their_statement_named(tmp_path):
    # (a layout names the country of its bank's accounts: ING's EUR account is NL, not the euro
    # area; the job's --db stores the currency's country only where it knows no better)
    from detector.importers.ingest import set_account_currencies
    from detector.store import Store

    store = Store(tmp_path / "s.db")
    store.set_accounts(["ing"], currency="EUR", country="NL")
    store.set_accounts(["moved"], currency="USD", country="US")
    set_account_currencies(store, {"ing": "EUR", "moved": "GBP", "new": "CAD"})
    got = {a["account_id"]: (a["currency"], a["country"]) for a in store.accounts()}
    store.close()
    assert got == {"ing": ("EUR", "NL"), "moved": ("GBP", "GB"), "new": ("CAD", "CA")}


def test_a_local_session_keeps_the_console_to_real_problems(spark):
    """Round-twenty-three audit: `scan --engine spark` piped wrote some 20 lines to stderr that
    the local engine does not (Spark's log4j banner, hostname and native-library WARNs, pyspark's
    pandas-3 FutureWarnings, "[Stage 0:>" progress bars), and a failed job logged the Python
    worker's whole traceback (BlockManager's WARN) before its one-line error."""
    import warnings

    from detector.engines.spark import require_pyspark

    conf = spark.sparkContext.getConf()
    assert conf.get("spark.ui.showConsoleProgress") == "false"
    assert "log4j2.properties" in conf.get("spark.driver.extraJavaOptions", "")
    log4j = spark.sparkContext._jvm.org.apache.logging.log4j.LogManager
    levels = {name: str(log4j.getLogger(name).getLevel().toString()) for name in (
        "org.apache.spark.util.Utils", "org.apache.hadoop.util.NativeCodeLoader",
        "org.apache.spark.util.SparkStringUtils", "org.apache.spark.storage.BlockManager")}
    assert set(levels.values()) == {"ERROR"}, levels
    # other warnings and errors still show
    assert str(log4j.getRootLogger().getLevel().toString()) == "WARN"
    with warnings.catch_warnings(record=True) as seen:
        require_pyspark()
        spark.createDataFrame(pd.DataFrame({"a": [1.5]})).toPandas()
        warnings.warn("a warning of ours", FutureWarning, stacklevel=1)
    assert [str(w.message) for w in seen if issubclass(w.category, FutureWarning)] == ["a warning of ours"]


def test_spark_judges_original_amounts_as_the_local_engine(spark, runner, tmp_path):
    """A plan priced in dollars on a pound card (round-thirty-nine audit): its charges' original
    amounts reach the Spark engine's detection as the local engine's, and give the same flags."""
    from test_original_currency import exported_and_scanned

    path, _ = exported_and_scanned(runner, tmp_path)
    local = engines.run(path, "2025-06-30", "local")
    remote = engines.run(path, "2025-06-30", "spark", spark=spark)
    assert "(both 20.00 USD)" in local[1]["reason"].iloc[0]
    assert_frame_equal(remote[0], local[0])
    assert_frame_equal(remote[1], local[1])


def test_spark_pairs_transfers_between_its_accounts_as_the_local_engine(spark, tmp_path):
    """Transfers between accounts are the one step that looks across accounts: the keys are read
    on the executors, paired on the driver, and put back on the rows before the accounts are
    grouped (docs/scale.md). A Monzo top-up of Revolut and a transfer to Wise, all three accounts
    in the input, whatever group each account falls in."""
    from tests.test_own_transfers import AS_OF as MONTHS_END
    from tests.test_own_transfers import _canonical

    tx = _canonical(tmp_path)
    path = tmp_path / "tx.csv"
    tx.to_csv(path, index=False)
    local = engines.run(tx, MONTHS_END)
    assert local[0]["evidence"].str.contains("a transfer between your own accounts").sum() == 3
    for source, groups in ((tx, 0), (str(path), 2)):
        remote = engines.run(source, MONTHS_END, "spark", spark=spark, account_groups=groups)
        assert_frame_equal(remote[0], local[0])
        assert_frame_equal(remote[1], local[1])
    # an input of many people's accounts: no pairing asked for, none done (the job's --no-transfers)
    alone, _ = engines.run(str(path), MONTHS_END, "spark", spark=spark, transfers=False)
    assert not alone["evidence"].str.contains("a transfer between your own accounts").any()
    from detector.engines.spark_job import run_job

    for transfers, paired in ((True, 3), (False, 0)):
        run_job(path, tmp_path / f"out{paired}", MONTHS_END, spark=spark, transfers=transfers)
        written = pd.read_parquet(tmp_path / f"out{paired}" / "streams")
        assert written["evidence"].str.contains("a transfer between your own accounts").sum() == paired
    # rows a caller paired already (run_detection pairs over the whole database) keep their pairs
    kept, _ = engines.run(tx.assign(transfer_account=None), MONTHS_END, "spark", spark=spark)
    assert not kept["evidence"].str.contains("a transfer between your own accounts").any()


@pytest.mark.parametrize("name", ["comma_in_amount", "empty_amount", "empty_account", "middle_missing",
                                  "extra_in_export", "bad_currency", "empty_date"])
def test_job_stops_on_a_row_it_would_misread_or_drop_as_the_local_engines(spark, tmp_path, name):
    """Round-forty-two audit: an unquoted "-1,250.00" with an empty currency was stored as -1.00 in
    "250.00", an empty amount or date dropped the charge, a middle field missing read the row one
    column off, all with exit 0; an empty account crashed the job after it stored streams and
    flags. The job now stops with the local engine's words and line, and stores nothing."""
    from test_engines import bad_rows_file

    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_
    from detector.store import Store

    path, message = bad_rows_file(tmp_path, name)
    with pytest.raises(ImportError_) as local:
        engines.run(path, "2024-12-31", "local")
    db = tmp_path / "job.db"
    with pytest.raises(ImportError_) as job:
        run_job(path, tmp_path / "out", "2024-12-31", db=str(db), spark=spark)
    assert str(job.value) == str(local.value)
    assert str(job.value).startswith(f"{path}:13: ") and message.split(" (")[0] in str(job.value)
    store = Store(db)
    assert store.db["streams"].count == 0 and store.db["flags"].count == 0


def test_job_leaves_the_store_as_it_was_when_a_step_fails(spark, tmp_path):
    """Round-forty-two audit: a failure after the streams and flags were stored (then: an empty
    account's currency) left them stored without the currencies and refund queue. The store's
    writes are one transaction now: here the refund queue's insert fails (an SQLite trigger)."""
    import sqlite3

    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_
    from detector.store import Store

    rows = [f"A1,n{i},{2024 + i // 12}-{i % 12 + 1:02d}-05,NETFLIX.COM 866-579-7172 CA,-15.49,USD" for i in range(14)]
    rows.append("A1,dup,2025-02-05,NETFLIX.COM 866-579-7172 CA,-15.49,USD")
    path = tmp_path / "tx.csv"
    path.write_text("account_id,transaction_id,date,description,amount,currency\n" + "\n".join(rows) + "\n")
    db = tmp_path / "job.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TRIGGER fail BEFORE INSERT ON refund_requests BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    conn.commit()
    conn.close()
    with pytest.raises((ImportError_, sqlite3.DatabaseError), match="disk full"):
        run_job(path, tmp_path / "out", "2025-02-28", db=str(db), spark=spark)
    store = Store(db)
    assert store.db["streams"].count == 0 and store.db["flags"].count == 0
    store.conn.execute("DROP TRIGGER fail")
    store.close()
    run_job(path, tmp_path / "out", "2025-02-28", db=str(db), spark=spark)
    store = Store(db)
    assert store.db["streams"].count == 1 and store.db["flags"].count >= 1
    assert store.db["refund_requests"].count >= 1


def test_job_names_an_empty_file_and_reads_only_a_folders_csv_files(spark, tmp_path):
    """Round-forty-two audit: a 0-byte CSV crashed the job with IndexError; a notes.txt beside the
    CSV in a folder was read as CSV (an error naming a column made of its text)."""
    from detector.engines.spark_job import run_job
    from detector.errors import ImportError_

    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ImportError_, match=r"empty.csv: the file is empty"):
        run_job(tmp_path / "empty.csv", tmp_path / "out0", "2024-12-31", spark=spark)
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [f"A1,n{m},2024-{m:02d}-10,NETFLIX.COM,-15.49,USD" for m in range(1, 13)]
    (folder / "tx.csv").write_text("account_id,transaction_id,date,description,amount,currency\n"
                                   + "\n".join(rows) + "\n")
    (folder / "notes.txt").write_text("exported from the warehouse on 2025-07-01 by J. Smith\nrows: 12\n")
    result = run_job(folder, tmp_path / "out", "2024-12-31", spark=spark)
    assert result.streams == 1


def test_the_jobs_store_reports_what_scans_store_reports(spark, runner, tmp_path):
    """Round-forty-two audit: the store the job's --db wrote had every flag's descriptor empty
    (the job stores no transaction rows, where the report read it) and drafted a Monzo debit
    card's refund requests for a credit card. `subdetect report --format json` of the job's
    store now gives the flags' descriptors and the requests' payment method of scan's store."""
    from test_original_currency import exported_and_scanned

    from detector.cli import cli
    from detector.engines.spark_job import run_job

    path, _ = exported_and_scanned(runner, tmp_path)
    run_job(path, tmp_path / "out", "2025-06-30", db=str(tmp_path / "job.db"), spark=spark)

    def report(db):
        got = runner.invoke(cli, ["report", "--db", str(db), "--format", "json"])
        assert got.exit_code == 0, got.output
        return json.loads(got.stdout)

    scanned, job = report(tmp_path / "s.db"), report(tmp_path / "job.db")
    assert scanned["flags"] and scanned["refund_requests"]
    assert [f["description"] for f in job["flags"]] == [f["description"] for f in scanned["flags"]]
    assert all(f["description"] for f in job["flags"])

    def methods(doc):
        return [(r["payment_method"], r["payment_method_source"], r["timeline"]) for r in doc["refund_requests"]]

    assert methods(job) == methods(scanned)
    assert {r["payment_method"] for r in job["refund_requests"]} == {"debit_card"}
    # --payment-method, as scan's, is the user's
    run_job(path, tmp_path / "out2", "2025-06-30", db=str(tmp_path / "job2.db"), spark=spark,
            payment_method="credit_card")
    assert {(r["payment_method"], r["payment_method_source"]) for r in report(tmp_path / "job2.db")["refund_requests"]} \
        == {("credit_card", "account (user)")}


def test_spark_holds_a_double_charge_still_pending_as_the_local_engine(spark, tmp_path):
    # twenty-fourth session: a double charge still pending was held (low, nothing asked back) by
    # a step after detection that only `scan` and `nightly` ran, reading the store: the Spark
    # engine and job flagged it high with a refund request. The rule reads the rows' `pending`,
    # which Spark carries as every engine does (a frame, Parquet booleans, a CSV's words).
    from detector.engines.spark_job import run_job
    from detector.store import Store

    tx = pending_doubles()
    local = engines.run(tx, PENDING_AS_OF)
    held = local[1][local[1]["type"] == "duplicate_charge"].set_index("account_id")["severity"].to_dict()
    assert held == {"both": "low", "oneday": "low", "later": "high", "posted": "high"}
    assert_frame_equal(engines.run(tx, PENDING_AS_OF, "spark", spark=spark)[1], local[1])
    parquet, csv = tmp_path / "tx.parquet", tmp_path / "tx.csv"
    tx.to_parquet(parquet, index=False)
    tx.assign(pending=tx["pending"].map({True: "yes", False: "no"})).to_csv(csv, index=False)
    for path in (parquet, csv):
        out, db = tmp_path / f"out_{path.suffix[1:]}", tmp_path / f"{path.suffix[1:]}.db"
        run_job(path, out, PENDING_AS_OF, db=str(db), spark=spark)
        assert_frame_equal(engines.conform_flags(pd.read_parquet(out / "flags")), local[1])
        store = Store(db)
        asked = {r[0] for r in store.conn.execute("SELECT transaction_id FROM refund_requests")}
        store.close()
        assert asked == {"later-b", "posted-b"}  # the held pairs ask nothing back


def _reissued_card_csv(tmp_path):
    """A canonical CSV: a card reissued on 2024-08-22 (``card-old`` -> ``card-new``), its plans
    going on on the new number, Hulu billed once on each card for August; another account."""
    from datetime import date

    rows = []
    for i in range(12):
        for day, text, amount in ((5, "NETFLIX.COM", -15.49), (20, "HULU 877-8244858 CA", -17.99)):
            d = date(2024, i + 1, day)
            rows.append((("card-old" if d < date(2024, 8, 22) else "card-new"), d, text, amount))
        rows.append(("other", date(2024, i + 1, 12), "SPOTIFY USA", -11.99))
    rows.append(("card-new", date(2024, 8, 23), "HULU 877-8244858 CA", -17.99))
    lines = [f"{a},{a}-{d:%Y%m%d}-{n},{d:%Y-%m-%d},{text},{amount:.2f},USD" for n, (a, d, text, amount) in enumerate(rows)]
    path = tmp_path / "tx.csv"
    path.write_text("account_id,transaction_id,date,description,amount,currency\n" + "\n".join(lines) + "\n")
    return path


def test_spark_reads_linked_accounts_as_the_local_engine(spark, tmp_path):
    """A reissued card's two accounts linked (detector.links): the engines read the group as one
    account, Spark's groupBy too, and give each stream and flag its own account back."""
    from detector.engines.frames import canonical_transactions
    from detector.links import as_linked

    tx = as_linked(canonical_transactions(pd.read_csv(_reissued_card_csv(tmp_path), dtype=str)),
                   {"card-old": "card-old", "card-new": "card-old"})
    local = engines.run(tx, "2024-12-31")
    for groups in (0, 2):
        remote = engines.run(tx, "2024-12-31", "spark", spark=spark, account_groups=groups)
        assert_frame_equal(remote[0], local[0])
        assert_frame_equal(remote[1], local[1])
    streams, flags = local
    assert sorted(zip(streams["account_id"], streams["merchant"], streams["status"])) == [
        ("card-new", "Hulu", "active"), ("card-new", "Netflix", "active"), ("other", "Spotify", "active")]
    assert [(f["account_id"], f["type"], f["date"]) for _, f in flags.iterrows()] == \
        [("card-new", "duplicate_charge", "2024-08-23")]


def test_the_job_reads_the_links_of_its_store_as_a_local_run(spark, tmp_path):
    """The job's --db holds the user's links: its streams, flags and refund requests are those
    of a local run over the same rows and links."""
    import sqlite3

    from detector.engines.spark_job import run_job
    from detector.links import link
    from detector.pipeline import run_detection, scan
    from detector.store import Store

    path = _reissued_card_csv(tmp_path)
    for name in ("scan.db", "job.db"):
        store = Store(tmp_path / name)
        scan([str(path)], store, "2024-12-31")
        link(store, "card-old", "card-new")
        if name == "scan.db":
            run_detection(store, "2024-12-31")
        store.close()
    run_job(path, tmp_path / "out", "2024-12-31", db=str(tmp_path / "job.db"), spark=spark)

    def stored(db):
        conn = sqlite3.connect(db)
        got = [conn.execute(f"SELECT {cols} FROM {table} ORDER BY 1").fetchall() for table, cols in (
            ("streams", "stream_id, account_id, merchant, status, next_date, transaction_ids"),
            ("flags", "flag_id, account_id, type, date"), ("refund_requests", "request_id, account_id, status"))]
        conn.close()
        return got

    job, local = stored(tmp_path / "job.db"), stored(tmp_path / "scan.db")
    assert job == local
    assert [(a, t, d) for _, a, t, d in local[1]] == [("card-new", "duplicate_charge", "2024-08-23")]


def test_spark_reads_a_parquet_of_text_columns_and_names_a_bad_cell_as_the_local_engine(spark, tmp_path):
    """Round-55 audit: a Parquet file of text columns (pandas' ``dtype=str``, optional cells
    empty) stopped the job with ``[CAST_INVALID_INPUT] The value '' ...``, naming no column,
    where the local engines read it. Empty and blank cells are missing; a cell that is no number
    is named with its column, file and row, in the local engine's words."""
    from test_engines import text_parquet

    from detector.errors import ImportError_

    path = text_parquet(tmp_path / "tx.parquet")
    local = engines.run(path, AS_OF, detect=standin_detect)
    assert len(local[0]) == 1
    remote = engines.run(path, AS_OF, "spark", spark=spark, detect=standin_detect)
    assert_frame_equal(remote[0], local[0])
    assert_frame_equal(remote[1], local[1])
    bad = text_parquet(tmp_path / "bad.parquet", bad="abc")
    with pytest.raises(ImportError_) as err:
        engines.run(bad, AS_OF, "spark", spark=spark, detect=standin_detect)
    assert str(err.value) == f"{bad}: original_amount 'abc' is not a number (row 3)"
