"""The Spark engine: the same per-account detection, run with ``groupBy(...).applyInPandas``.

Rows are grouped by account (``account_groups=0``: ``groupBy("account_id")``) or, by default, by a
hash of the account into a few groups per core, so each pandas call detects many whole accounts
at once: per-call fixed costs made one call per account 15x slower.

One pass produces both outputs: each account's group returns a *union* frame whose ``record``
column says ``stream`` or ``flag``, with the columns of both kinds (list columns JSON-encoded,
since one Arrow schema must fit both). The union is then split into ``streams`` and ``flags``.
The alternative, two applyInPandas passes (one per output), runs detection twice; see
docs/scale.md for the measurement.

pandas/Arrow notes (pyspark 4.x declares pandas>=2.2 and warns on pandas 3): strings cross the
Arrow boundary as ``object`` columns of ``str``/``None`` (not pandas 3's ``str`` dtype, whose
missing value is NaN), dates stay ISO strings (no datetime64 unit differences), and list columns
travel as JSON text. :mod:`detector.engines.frames` normalises both sides, so the local and Spark
engines hand :func:`detect_frame` the same frame and return the same frames.
"""

from __future__ import annotations

import json
import os
import sys
from os import PathLike
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, EngineUnavailable, ImportError_
from ..schema import FLAG_COLUMNS, STREAM_COLUMNS, TRANSACTION_COLUMNS, require_columns
from .frames import (
    REQUIRED_INPUT_COLUMNS,
    DetectFn,
    column_kind,
    conform_flags,
    conform_streams,
    default_detect,
    detect_frame,
)
from .io import is_parquet

INSTALL_HINT = "the Spark engine needs PySpark: pip install 'subscription-detector[spark]' (and Java 17+)"

#: Columns of the one-pass union record: the kind, then every stream and flag column once.
UNION_COLUMNS: list[str] = ["record"] + list(dict.fromkeys([*STREAM_COLUMNS, *FLAG_COLUMNS]))

#: Spark settings the engine relies on; callers may override any of them.
DEFAULT_CONF = {
    # Arrow for toPandas/createDataFrame (applyInPandas always uses Arrow).
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    # Whole accounts per group can be large; keep Arrow batches moderate.
    "spark.sql.execution.arrow.maxRecordsPerBatch": "10000",
    "spark.sql.session.timeZone": "UTC",
}


def require_pyspark():
    """Import pyspark or raise :class:`EngineUnavailable` with the install command."""
    try:
        import pyspark
        from pyspark.sql import SparkSession  # noqa: F401
    except ImportError as exc:
        raise EngineUnavailable(INSTALL_HINT) from exc
    import pyspark

    return pyspark


def _spark_type(kind: str, *, json_lists: bool):
    from pyspark.sql import types as T

    if kind == "float":
        return T.DoubleType()
    if kind == "int":
        return T.LongType()
    if kind == "list" and not json_lists:
        return T.ArrayType(T.StringType())
    return T.StringType()


def _struct(columns, *, json_lists: bool = False):
    from pyspark.sql import types as T

    return T.StructType(
        [T.StructField(c, _spark_type(column_kind(c), json_lists=json_lists), True) for c in columns]
    )


def transaction_schema():
    """Spark schema of canonical transactions."""
    return _struct(TRANSACTION_COLUMNS)


def stream_schema(*, json_lists: bool = False):
    """Spark schema of STREAM_COLUMNS (``transaction_ids`` is ``array<string>``)."""
    return _struct(STREAM_COLUMNS, json_lists=json_lists)


def flag_schema():
    """Spark schema of FLAG_COLUMNS."""
    return _struct(FLAG_COLUMNS)


def union_schema():
    """Spark schema of the one-pass union record (lists as JSON strings)."""
    return _struct(UNION_COLUMNS, json_lists=True)


def get_session(master: str | None = "local[2]", *, app_name: str = "subscription-detector",
                shuffle_partitions: int | None = None, conf: dict | None = None):
    """A SparkSession with :data:`DEFAULT_CONF`.

    ``master=None`` keeps the master spark-submit set, or uses ``local[*]`` in plain Python.
    In local mode ``shuffle_partitions`` defaults to 4 per core (Spark's own default, 200, is
    for clusters).

    In local mode the Python workers must run this interpreter and import the same ``detector``
    package as the driver, so its folder goes first on their PYTHONPATH (an editable install
    elsewhere would win otherwise).
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit
        master = "local[*]"
    if master is not None and master.startswith("local"):
        root = str(Path(__file__).resolve().parents[2])
        parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if root not in parts:
            os.environ["PYTHONPATH"] = os.pathsep.join([root, *parts])
        # workers default to `python3` on PATH, which may lack pandas; use this interpreter
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    settings = dict(DEFAULT_CONF)
    if shuffle_partitions is None and master is not None and master.startswith("local"):
        # Spark's 200 shuffle partitions are tasks of a few accounts each on one machine (a
        # 98k-row job took 62 s with them, 24 s with 8): 4 per local core, as account groups are
        cores = master[len("local["):-1].split(",")[0] if master.startswith("local[") else "1"
        shuffle_partitions = 4 * ((os.cpu_count() or 1) if cores in ("*", "") else int(cores))
    if shuffle_partitions is not None:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def input_format(path: str) -> str | None:
    """"parquet" or "csv" from the name or, for a local directory, from the files in it;
    ``None`` when only reading can tell (a directory on S3 or HDFS)."""
    low = path.lower().rstrip("/")
    remote = "://" in path and not path.startswith("file://")
    local = Path(path.removeprefix("file://"))
    pattern = any(c in path for c in "*?[{")  # a Hadoop glob (part-*.csv): Spark expands it
    if not remote and not pattern and not local.exists():  # (a name ending in .csv too)
        raise ImportError_("no such file or directory", path=path)
    if low.endswith((".parquet", ".pq")):
        return "parquet"
    if low.endswith(".csv"):
        return "csv"
    if remote or pattern:
        return None
    if local.is_file():
        return "parquet" if is_parquet(local) else "csv"
    names = [f.name.lower() for f in local.rglob("*") if f.is_file() and not f.name.startswith((".", "_"))]
    if any(n.endswith((".parquet", ".pq")) for n in names):
        return "parquet"
    if any(n.endswith(".csv") for n in names):
        return "csv"
    raise ImportError_("no .parquet or .csv file in this directory", path=path)


def read_transactions(spark, path: str | PathLike):
    """A canonical CSV or Parquet file/directory as a Spark DataFrame with :func:`transaction_schema`.

    The format is read from the name, a local directory's files, or (a directory on S3 or HDFS)
    by trying Parquet first: CSV read as Parquet fails, Parquet read as CSV would not. CSV is read
    as pandas reads it (``""`` inside quotes, quoted line breaks). Columns are matched by name
    (Spark's CSV schema would otherwise apply by position); a missing required column raises
    ``SchemaError`` and a missing path ``ImportError_``, as in the local engines.
    """
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    path = str(path)
    fmt = input_format(path)

    def csv():
        return (spark.read.option("header", True).option("inferSchema", False).option("escape", '"')
                .option("multiLine", True).csv(path))

    try:
        if fmt == "csv":
            df = csv()
        elif fmt == "parquet":
            df = spark.read.parquet(path)
        else:
            try:
                df = spark.read.parquet(path)
            except AnalysisException as exc:
                if "PATH_NOT_FOUND" in str(exc):
                    raise
                df = csv()
    except AnalysisException as exc:
        if "PATH_NOT_FOUND" in str(exc):
            raise ImportError_("no such file or directory", path=path) from exc
        raise ImportError_(f"cannot read transactions: {str(exc).splitlines()[0]}", path=path) from exc
    require_columns(df, REQUIRED_INPUT_COLUMNS, f"engine input {path}")
    present = set(df.columns)
    cols = []
    for field in transaction_schema().fields:
        col = F.col(field.name) if field.name in present else F.lit(None)
        cols.append(col.cast(field.dataType).alias(field.name))
    return df.select(*cols)


def to_spark(spark, tx: pd.DataFrame):
    """A pandas frame of transactions as a Spark DataFrame (object strings keep Arrow happy)."""
    from .frames import _as_text, canonical_transactions

    frame = canonical_transactions(tx)
    for name in frame.columns:
        if column_kind(name) == "str":
            frame[name] = _as_text(frame[name])
    return spark.createDataFrame(frame, schema=transaction_schema())


def to_union(streams: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Both outputs of one account group as one frame of :data:`UNION_COLUMNS`."""
    s = streams.assign(record="stream")
    s["transaction_ids"] = [json.dumps(list(v)) for v in streams["transaction_ids"]]
    f = flags.assign(record="flag")
    out = pd.concat([s, f], ignore_index=True).reindex(columns=UNION_COLUMNS)
    for name in UNION_COLUMNS:
        if column_kind(name) == "float":
            out[name] = out[name].astype("float64")
        else:
            out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def split_union(union: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pandas inverse of :func:`to_union`."""
    streams = union[union["record"] == "stream"]
    flags = union[union["record"] == "flag"]
    return conform_streams(streams), conform_flags(flags)


def _with_model(detect: DetectFn | None, kwargs: dict) -> tuple[DetectFn, dict]:
    """The default detect function, with the driver's scorer shipped to the executors.

    Executors get the driver's model inside the task closure, so they need no model file of
    their own. The driver finds it in ``models/`` of a checkout or inside the installed package
    (the wheel carries it); with neither, this raises ``ModelError`` rather than detect with the
    fallback rules, whose results differ from a local run's.
    """
    if detect is not None:
        return detect, kwargs
    if kwargs.get("model") is None:
        from ..errors import ModelError
        from ..recurrence import default_scorer
        from ..scoring import RuleScorer

        model = default_scorer()
        if isinstance(model, RuleScorer):
            # a cluster job must not quietly detect with the fallback rules: its results would
            # differ from every local run's (pass model=RuleScorer().fit() to mean it)
            raise ModelError("no trained model in the installed package (detector/models/stream_scorer.joblib); "
                             "build the wheel from a checkout that has models/, or run `make train`")
        kwargs = {**kwargs, "model": model}
    return default_detect(), kwargs


#: Column holding the account group a row belongs to (dropped before detection).
GROUP_COLUMN = "_account_group"


def group_accounts(tx_sdf, account_groups: int | None = None):
    """``tx_sdf`` grouped so each applyInPandas call gets whole accounts, many at a time.

    Detection is vectorised and costs ~0.5 s of fixed pandas work per call, so one call per
    account was 15x slower than calls over ~100 accounts (docs/scale.md). Accounts are hashed
    into ``account_groups`` groups (default: 4 per core of the cluster); ``0`` groups by
    ``account_id`` itself. The result does not depend on the grouping: detection is per account.
    """
    if account_groups is not None and int(account_groups) < 0:
        raise ConfigError(f"account_groups must be 0 (one group per account) or more, not {account_groups}")
    if account_groups == 0:
        return tx_sdf.groupBy("account_id")
    from pyspark.sql import functions as F

    if account_groups is None:
        account_groups = 4 * tx_sdf.sparkSession.sparkContext.defaultParallelism
    bucket = F.pmod(F.xxhash64("account_id"), F.lit(int(account_groups)))
    return tx_sdf.withColumn(GROUP_COLUMN, bucket).groupBy(GROUP_COLUMN)


def detect_union(tx_sdf, as_of: str, *, detect: DetectFn | None = None, account_groups: int | None = None,
                 **kwargs):
    """Spark DataFrame of union records: detection runs once per group of whole accounts."""
    detect, kwargs = _with_model(detect, kwargs)

    def per_group(pdf: pd.DataFrame) -> pd.DataFrame:
        streams, flags = detect_frame(pdf, as_of, detect, **kwargs)
        return to_union(streams, flags)

    return group_accounts(tx_sdf, account_groups).applyInPandas(per_group, schema=union_schema())


def split_union_spark(union_sdf):
    """Spark DataFrames ``(streams, flags)`` from union records, lists decoded to ``array<string>``."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    stream_cols = [
        F.from_json("transaction_ids", T.ArrayType(T.StringType())).alias(c) if c == "transaction_ids" else F.col(c)
        for c in STREAM_COLUMNS
    ]
    streams = union_sdf.where(F.col("record") == "stream").select(*stream_cols)
    flags = union_sdf.where(F.col("record") == "flag").select(*FLAG_COLUMNS)
    return streams, flags


def detect_two_pass(tx_sdf, as_of: str, *, detect: DetectFn | None = None, account_groups: int | None = None,
                    **kwargs):
    """``(streams, flags)`` Spark DataFrames from two applyInPandas passes (detection runs twice)."""
    detect, kwargs = _with_model(detect, kwargs)

    def streams_of(pdf: pd.DataFrame) -> pd.DataFrame:
        return detect_frame(pdf, as_of, detect, **kwargs)[0]

    def flags_of(pdf: pd.DataFrame) -> pd.DataFrame:
        return detect_frame(pdf, as_of, detect, **kwargs)[1]

    grouped = group_accounts(tx_sdf, account_groups)
    return (grouped.applyInPandas(streams_of, schema=stream_schema()),
            grouped.applyInPandas(flags_of, schema=flag_schema()))


def run_spark(tx_or_path, as_of: str, *, detect: DetectFn | None = None, spark=None,
              master: str | None = "local[2]", shuffle_partitions: int | None = None,
              **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Streams and flags as pandas frames, computed by Spark; same result as the local engine.

    Collects the union once (one Spark action, so detection runs once) and splits it here.
    """
    spark = spark or get_session(master, shuffle_partitions=shuffle_partitions)
    if isinstance(tx_or_path, pd.DataFrame):
        tx_sdf = to_spark(spark, tx_or_path)
    else:
        tx_sdf = read_transactions(spark, tx_or_path)
    union = detect_union(tx_sdf, as_of, detect=detect, **kwargs).toPandas()
    return split_union(union)
