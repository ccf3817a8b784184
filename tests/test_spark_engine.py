"""The Spark engine in local mode gives exactly the local engine's streams and flags."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from engine_standin import make_transactions, standin_detect
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
    return make_transactions(50, seed=11)


def test_spark_matches_local_engine(spark, tx):
    local = engines.run(tx, AS_OF, detect=standin_detect)
    remote = engines.run(tx, AS_OF, "spark", detect=standin_detect, spark=spark)
    assert len(local[0]) > 10 and len(local[1]) > 3
    assert_frame_equal(remote[0], local[0])
    assert_frame_equal(remote[1], local[1])


def test_spark_passes_options_and_reads_files(spark, tx, tmp_path):
    target = engines.run(tx, AS_OF, detect=standin_detect)[0].iloc[3]
    cancel = pd.DataFrame({"account_id": [target["account_id"]], "merchant": [target["merchant"]]})
    tx.to_csv(tmp_path / "tx.csv", index=False)
    local = engines.run(tx, AS_OF, detect=standin_detect, cancellations=cancel)
    remote = engines.run(tmp_path / "tx.csv", AS_OF, "spark", detect=standin_detect, spark=spark,
                         cancellations=cancel)
    assert (remote[0]["status"] == "cancelled").sum() == 1
    assert_frame_equal(remote[0], local[0])
    assert_frame_equal(remote[1], local[1])


@pytest.mark.parametrize("mode", ["union", "two_pass"])
def test_job_writes_parquet_and_store(spark, tx, tmp_path, mode):
    from detector.engines import conform_flags, conform_streams
    from detector.engines.spark_job import run_job
    from detector.store import Store

    tx.to_parquet(tmp_path / "tx.parquet", index=False)
    db = tmp_path / "out.db"
    result = run_job(tmp_path / "tx.parquet", tmp_path / "out", AS_OF, db=str(db), mode=mode,
                     detect=standin_detect, spark=spark)
    local = engines.run(tx, AS_OF, detect=standin_detect)
    streams = conform_streams(pd.read_parquet(tmp_path / "out" / "streams"))
    flags = conform_flags(pd.read_parquet(tmp_path / "out" / "flags"))
    assert_frame_equal(streams, local[0])
    assert_frame_equal(flags, local[1])
    assert (result.streams, result.flags) == (len(local[0]), len(local[1]))
    store = Store(db)
    assert store.db["streams"].count == len(local[0])
    assert store.db["flags"].count == len(local[1])
    store.close()
