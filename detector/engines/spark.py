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

Transfers between the input's accounts (:mod:`detector.transfers`) are the one step that looks
across accounts: :func:`with_transfers` pairs them on the driver before the accounts are grouped.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import sys
import warnings
from os import PathLike
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, DetectorError, EngineUnavailable, ImportError_
from ..schema import (
    FLAG_COLUMNS,
    LINKED_COLUMN,
    PENDING_COLUMN,
    STREAM_COLUMNS,
    TRANSACTION_COLUMNS,
    SchemaError,
    require_columns,
)
from ..transfers import KEY_COLUMNS, TRANSFER_COLUMN, no_pairs, paired_rows, transfer_keys
from .frames import (
    REQUIRED_INPUT_COLUMNS,
    DetectFn,
    column_kind,
    conform_flags,
    conform_streams,
    default_detect,
    detect_frame,
)
from .io import CSV_DTYPES, DEFAULT_CURRENCY, is_parquet, refuse_utf16

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
    # no "[Stage 3:>  (0 + 2) / 8]" bars on stderr: `scan` draws its own on a terminal, and
    # piped or under cron nothing (round-twenty-three audit)
    "spark.ui.showConsoleProgress": "false",
}

#: Spark's log settings for a driver JVM this package starts (``log4j2.properties`` beside this
#: module): warnings and errors, without the start-up banner and the notices every local run
#: gets (a loopback hostname, no native Hadoop library) or a failed task's whole traceback.
LOG_CONFIG = "log4j2.properties"


def _quiet_pyspark_warnings() -> None:
    """pyspark 4.3 warns "PySpark does not yet fully support pandas >= 3.0.0" (a FutureWarning
    with its source line) from each of its modules that converts frames: six warnings on every
    run's stderr (round-twenty-three audit). This repository runs pandas 3 with the equivalence
    tests passing (docs/scale.md), so that one warning, from pyspark's own modules, is ignored;
    every other warning shows as before."""
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning,
                            module=r"pyspark(\.|$)")


def require_pyspark():
    """Import pyspark or raise :class:`EngineUnavailable` with the install command."""
    _quiet_pyspark_warnings()
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
    """Spark schema of canonical transactions, and their ``pending`` as text (each group's
    :func:`~detector.engines.frames.canonical_transactions` reads it, as the local engines do:
    a Parquet boolean arrives as ``true``/``false``, a CSV's word as written)."""
    return _struct([*TRANSACTION_COLUMNS, PENDING_COLUMN])


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
    settings.update(_log_settings(conf or {}))
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    _quiet_query_errors()
    if master is not None and master.startswith("local"):
        _quiet_task_failures(session)
    return session


def _log_settings(conf: dict) -> dict:
    """The driver JVM's log configuration (:data:`LOG_CONFIG`) when this process starts the JVM
    and nobody chose one: not under spark-submit, no ``spark.driver.extraJavaOptions`` given, no
    ``log4j2.properties`` in ``SPARK_CONF_DIR``; a JVM already running keeps its own."""
    from importlib.resources import files

    if "PYSPARK_GATEWAY_PORT" in os.environ or "spark.driver.extraJavaOptions" in conf:
        return {}
    conf_dir = os.environ.get("SPARK_CONF_DIR")
    if conf_dir and any((Path(conf_dir) / name).exists() for name in ("log4j2.properties", "log4j2.xml")):
        return {}
    try:
        config = Path(str(files(__package__) / LOG_CONFIG))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - not an importable package
        return {}
    if not config.is_file():  # (inside a zip: a JVM cannot read it)
        return {}
    return {"spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={config.as_uri()}"}


def _quiet_query_errors() -> None:
    """pyspark 4 logs an error raised by a query (a value Spark cannot cast) with its whole Java
    stack, as JSON on stderr, before raising it: the caller says it in one line."""
    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # pragma: no cover - pyspark < 4 does not log them
        return
    for name in ("DataFrameQueryContextLogger", "SQLQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL + 1)


#: Loggers that print a failed task's Java stack on the console of a local run, before the error
#: reaches the caller (who says it in one line: docs/scale.md, fourteenth session's audit).
_TASK_FAILURE_LOGGERS = ("org.apache.spark.executor.Executor", "org.apache.spark.scheduler.TaskSetManager",
                         "org.apache.spark.storage.DiskBlockObjectWriter")


def _quiet_task_failures(session) -> None:
    """In local mode the executor is this process and its console the user's: a failed task is
    raised to the caller anyway, so its stack is not logged as well (a cluster's executors keep
    their own logs)."""
    from py4j.protocol import Py4JError

    try:
        jvm = session.sparkContext._jvm
        level = jvm.org.apache.logging.log4j.Level.OFF
        for name in _TASK_FAILURE_LOGGERS:
            jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(name, level)
        # a block of a persisted result that failed to compute logs the task's Python traceback
        # as a warning (round-twenty-three audit); its errors still show
        jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
            "org.apache.spark.storage.BlockManager", jvm.org.apache.logging.log4j.Level.ERROR)
    except (Py4JError, AttributeError, TypeError):  # pragma: no cover - another logging backend
        return


#: Our own error raised in a Python worker, as it shows in the traceback's text.
_OWN_ERROR = re.compile(r"\b(?:SchemaError|ImportError_|ConfigError|CatalogError|ModelError|DetectorError): "
                        r"(?P<msg>.+)$")
_GROUP_ROW = re.compile(r"^engine input: row \d+: ")
_READING = re.compile(r"Encountered error while reading file (?P<file>\S+?)\.?\s+SQLSTATE")
_MALFORMED = re.compile(r"Malformed CSV record: (?P<record>.*?)(?: SQLSTATE: \w+)?$")
_NOT_UTF8 = re.compile(re.escape("not UTF-8 text (a U+FFFD replacement character)")
                       + r" in (?P<column>\w+) of (?P<file>\S+): (?P<value>.*?)(?: SQLSTATE: \w+)?$")


def _local_name(name: str) -> str:
    """``file:///x/tx.csv`` as ``/x/tx.csv`` (as the local engines name it); others unchanged."""
    from urllib.parse import unquote

    return unquote(name[len("file://"):]) if name.startswith("file://") else name


def spark_failure(exc: Exception, input_path) -> Exception:
    """A Spark error as one :class:`ImportError_` line naming the input (a bad amount in a CSV
    surfaced as ninety lines of Java stack); our own errors and anything not from Spark pass
    through unchanged.

    A malformed CSV line names its file and record, a header unlike the first file's names its
    file, a value holding U+FFFD (the file was not UTF-8) its file, column and value. Spark
    cannot tell the line of a record (a file is read as a stream of records)."""
    try:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors.exceptions.captured import CapturedException
    except ImportError:  # pragma: no cover - pyspark is present whenever Spark ran
        return exc
    if isinstance(exc, DetectorError) or not isinstance(exc, (CapturedException, Py4JJavaError)):
        return exc
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reading = next((m for m in map(_READING.search, lines) if m), None)
    where = _local_name(reading.group("file")) if reading else str(input_path)
    for line in lines:
        m = _NOT_UTF8.search(line)
        if m:
            return ImportError_(f"not UTF-8 text: {m.group('column')} {m.group('value')[:120]!r} holds U+FFFD "
                                "where bytes could not be read; save the file as UTF-8",
                                path=_local_name(m.group("file")))
        m = _NOT_A_NUMBER.search(line)
        if m:
            return _not_a_number(m, input_path)
        m = _MALFORMED.search(line)
        if m:
            path, at = _line_of_record(where, m.group("record"))
            if at is not None:  # the local engines' words (round-forty-two audit)
                from .io import canonical_names, csv_header, field_count_error, record_at

                raw = csv_header(Path(path))
                fields = record_at(Path(path), at)
                if fields is not None:
                    header = [canonical_names(raw).get(c, c) for c in raw]
                    return ImportError_(field_count_error(header, len(fields)), path=path, line=at)
            return ImportError_("a line with a field too many or too few (a value holding a comma must be "
                                f"quoted): {m.group('record')[:200]}", path=path, line=at)
        if line.startswith("Caused by:") and "CSV header does not conform to the schema" in line:
            at = lines.index(line)
            header = next((x for x in lines[at:at + 6] if x.startswith("Header:")), "Header: ?")
            first = next((x for x in lines[at:at + 6] if x.startswith("Schema:")), "Schema: ?")
            return ImportError_(f"its columns ({header[len('Header:'):].strip()}) are not those of the input's "
                                f"first file ({first[len('Schema:'):].strip()}); give every file one header",
                                path=where)
    # our own error raised in a Python worker (a date that is no date) is in the traceback's text;
    # its row counts within the worker's group of accounts, not the file, so it is left out, and
    # the line is found in the file by the account and value the worker added (round-twenty-three
    # audit: the local and chunked engines named `tx.csv:57`, the job no line)
    ours = [m for m in (_OWN_ERROR.search(line) for line in lines) if m]
    if ours:
        msg = _GROUP_ROW.sub("", ours[-1].group("msg"))
        at = _AT_RE.search(msg)
        path, line = str(input_path), None
        if at:
            msg = msg[:at.start()]
            try:
                path, line = _where_in_input(json.loads(at.group("where")), input_path)
            except ValueError:  # pragma: no cover - the worker wrote it
                pass
        return ImportError_(msg[:300], path=path, line=line)
    if isinstance(exc, Py4JJavaError):  # ("An error occurred while calling o49.collectToPython.")
        causes = [x.split(": ", 1)[-1] for x in lines if x.startswith("Caused by:")]
        first = causes[-1] if causes else next((x.lstrip(": ") for x in lines if x.startswith(":")), lines[0])
    else:
        first = lines[0] if lines else type(exc).__name__
    return ImportError_(f"Spark stopped on this input: {first[:300]}", path=where)


def _line_of_record(where: str, record: str) -> tuple[str, int | None]:
    """``(file, line)`` of a malformed record Spark reported by its text: the first physical line
    of a local CSV file (or of a local folder's CSV files) that reads as the record's first line;
    ``(where, None)`` when none does or the input is not local."""
    local = Path(_local_name(where))
    first = record.split("\n", 1)[0].rstrip("\r")
    if not first:
        return where, None
    files = [local] if local.is_file() else sorted(local.rglob("*.csv")) if local.is_dir() else []
    for file in files:
        try:
            opener = gzip.open if file.name.lower().endswith(".gz") else open
            with opener(file, "rt", encoding="utf-8", errors="replace", newline="") as f:
                for n, text in enumerate(f, start=1):
                    if text.rstrip("\r\n") == first:
                        return str(file), n
        except OSError:  # pragma: no cover - it was just read
            continue
    return where, None


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
    as pandas reads it (``""`` inside quotes, quoted line breaks) and as strictly (see
    :func:`_read_csv`). Columns are matched by name (Spark's CSV schema would otherwise apply by
    position); a missing required column raises ``SchemaError`` and a missing path
    ``ImportError_``, as in the local engines.
    """
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    path = str(path)
    fmt = input_format(path)
    is_csv = fmt == "csv"
    try:
        if fmt == "csv":
            df = _read_csv(spark, path)
        elif fmt == "parquet":
            df = spark.read.parquet(path)
        else:
            try:
                df = spark.read.parquet(path)
            except AnalysisException as exc:
                if "PATH_NOT_FOUND" in str(exc):
                    raise
                df, is_csv = _read_csv(spark, path), True
    except AnalysisException as exc:
        if "PATH_NOT_FOUND" in str(exc):
            raise ImportError_("no such file or directory", path=path) from exc
        raise ImportError_(f"cannot read transactions: {str(exc).splitlines()[0]}", path=path) from exc
    require_columns(df, REQUIRED_INPUT_COLUMNS, f"engine input {path}")
    present = set(df.columns)
    text = {name for name, kind in df.dtypes if kind == "string"}
    cols = []
    for field in transaction_schema().fields:
        col = F.col(field.name) if field.name in present else F.lit(None)
        if field.name in text and column_kind(field.name) in ("float", "int"):
            col = _number_of_text(col, field)
        else:
            col = col.cast(field.dataType)
        if is_csv and field.name == "currency":  # as `subdetect scan` reads a generic CSV: "usd", "$" are USD
            col = F.coalesce(_currency_code(col), F.lit(DEFAULT_CURRENCY))
        cols.append(col.alias(field.name))
    return df.select(*cols)


#: Start of the error a text value Spark cannot read as a number raises (:func:`_number_of_text`).
NOT_A_NUMBER = "not a number for the engine's schema"
_NOT_A_NUMBER = re.compile(re.escape(NOT_A_NUMBER) + r" in (?P<column>\w+) of (?P<file>\S*): (?P<value>.*?)"
                           r"(?: SQLSTATE: \w+)?$")


def _number_of_text(col, field):
    """A text column cast to ``field``'s number type as the local engines read it
    (``frames._numbers``): an empty or blank value is null (a CSV's empty cell already is; a
    Parquet file written from text holds ``""``: r55 audit, Spark's ANSI cast stopped with
    ``CAST_INVALID_INPUT`` naming neither column nor file), and a value that is no number stops
    the job naming its column, file and value (:func:`spark_failure` finds its line or row)."""
    from pyspark.sql import functions as F

    value = F.when(col.rlike(r"^\s*$"), F.lit(None)).otherwise(col)
    number = value.try_cast(field.dataType)
    stop = F.raise_error(F.concat(F.lit(f"{NOT_A_NUMBER} in {field.name} of "), F.input_file_name(),
                                  F.lit(": "), value))
    return F.when(value.isNotNull() & number.isNull(), stop).otherwise(number)


def _not_a_number(m: re.Match, input_path) -> ImportError_:
    """The local engines' error for a value that is no number (``tx.csv:7: amount 'abc' is not a
    number``; a Parquet file's row as ``(row 3)``), from the job's :data:`NOT_A_NUMBER` error."""
    from .io import line_of_values

    column, value = m.group("column"), m.group("value").strip()
    given = Path(_local_name(str(input_path)))
    local = Path(_local_name(m.group("file"))) if m.group("file") else given
    what = f"{column} {value[:120]!r} is not a number"
    if not local.is_file():
        return ImportError_(what, path=str(input_path))
    name = str(given) if given.is_file() and given.resolve() == local.resolve() else str(local)
    line = None
    try:
        if is_parquet(local):
            row = _row_of_value(local, column, value)
            what += f" (row {row})" if row else ""
        else:
            line = line_of_values(local, {column: value})
    except (OSError, ValueError, DetectorError):  # pragma: no cover - it was just read
        pass
    return ImportError_(what, path=name, line=line)


def _row_of_value(path: Path, column: str, value: str) -> int | None:
    """The row (from 1) of a Parquet file's first ``column`` value reading as ``value`` without
    the spaces around it, or None."""
    import pyarrow.parquet as pq

    done = 0
    for batch in pq.ParquetFile(path).iter_batches(columns=[column]):
        for i, v in enumerate(batch.column(0).to_pylist()):
            if v is not None and str(v).strip() == value:
                return done + i + 1
        done += batch.num_rows
    return None


#: Text columns of a CSV checked for U+FFFD, the character Spark puts for bytes that are not UTF-8.
_TEXT_CHECKED = ("transaction_id", "account_id", "date", "description", "currency")


def _csv_reader(spark):
    # FAILFAST: a line with a field too few or too many stops the read (Spark's default dropped
    # the extra field or left the missing one null, silently; fourteenth session's audit);
    # enforceSchema off: a file whose header differs from the first file's stops the read
    # naming it, where Spark applied the first header to every file by position
    # values are read without the spaces around them, as `scan` and the local engines read them
    return (spark.read.option("header", True).option("inferSchema", False).option("escape", '"')
            .option("multiLine", True).option("mode", "FAILFAST").option("enforceSchema", False)
            .option("ignoreLeadingWhiteSpace", True).option("ignoreTrailingWhiteSpace", True))


def _read_csv(spark, path: str):
    """A CSV file, directory or glob, each file's columns matched by name.

    Files whose headers differ (local files, whose headers are read here) are read in groups of
    one header and put together by name (``unionByName``); where the headers cannot be read here
    (S3, HDFS) Spark checks each file's header against the first and stops naming a file whose
    header differs. Each group gets ``source_file`` (the file) and ``source_line`` (a number
    increasing through each file: Spark reads a multi-line CSV file in one task) when the file has
    none, so same-day rows keep their file order as in the local engines and ``scan``; and a text
    value holding U+FFFD (bytes that are not UTF-8, which Spark replaces silently) stops the job
    naming the file."""
    df = _csv_reader(spark).csv(_csv_files(path))
    groups = _files_by_header(df.inputFiles())
    if groups is None:
        return _csv_provenance(df)
    parts = []
    for header, files in groups.items():
        if not any(cell.strip() for cell in header):  # (Spark's read gave an IndexError: r42 audit)
            raise ImportError_("the file is empty: no header, no rows", path=_local_name(files[0]))
        part = _read_records(spark, list(header), files)
        require_columns(part, REQUIRED_INPUT_COLUMNS, f"engine input {files[0]}")
        parts.append(_csv_provenance(part))
    if len(parts) == 1:
        return parts[0]
    out = parts[0]
    for part in parts[1:]:
        out = out.unionByName(part, allowMissingColumns=True)
    return out


def _csv_files(path: str) -> str | list[str]:
    """What Spark reads for a CSV input: a local folder's ``.csv`` / ``.csv.gz`` files only (a
    ``notes.txt`` beside them was read as CSV and failed naming a column made of its text: round
    forty-two audit); a file, a glob or a remote folder as given."""
    local = Path(_local_name(path))
    if "://" in path and not path.startswith("file://") or not local.is_dir():
        return path
    files = sorted(str(f) for f in local.rglob("*") if f.is_file() and f.name.lower().endswith((".csv", ".csv.gz"))
                   and not any(part.startswith((".", "_")) for part in f.relative_to(local).parts))
    if not files:
        raise ImportError_("no .csv file in this directory", path=path)
    return files


def _currency_code(col):
    """A currency column as ISO codes, as ``importers.parsing.parse_currency`` reads a cell."""
    from pyspark.sql import functions as F

    from ..importers.parsing import CURRENCY_SIGNS

    code = F.upper(F.trim(col))
    for sign, iso in CURRENCY_SIGNS.items():
        code = F.when(F.trim(col) == sign, F.lit(iso)).otherwise(code)
    return F.when(code == "", F.lit(None)).otherwise(code)


_CORRUPT = "_corrupt_record"


def _read_records(spark, header: list[str], files: list[str]):
    """Local CSV files of one header, each record checked as ``scan`` and the local engines
    check it (strict-CSV audit: Spark's FAILFAST read refused a line of spaces and a row leaving
    out an empty optional column at its end, which they read).

    Read with the header as the schema (text), PERMISSIVE, the raw text of a record that does
    not fit kept aside: a record missing a required column, or with a value past the header's
    columns, stops the job naming its file and record; one leaving out optional columns at its
    end, or ending in empty fields the header lacks, is read with them empty. A line of spaces
    is no record."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    from .io import canonical_names

    names = [name or f"_c{i}" for i, name in enumerate(header)]
    schema = StructType([StructField(n, StringType()) for n in names] + [StructField(_CORRUPT, StringType())])
    df = (_csv_reader(spark).option("mode", "PERMISSIVE").option("enforceSchema", True)
          .option("columnNameOfCorruptRecord", _CORRUPT).schema(schema).csv(files))
    spelled = canonical_names(names)
    required = [n for n in names if spelled.get(n, n) in REQUIRED_INPUT_COLUMNS]
    missing = F.lit(False)
    for n in required:
        missing = missing | F.col(n).isNull()
    # a field too many: the raw record, quoted values taken out, still has more fields than the
    # header once its trailing empty ones go (a trailing comma is none: sixteenth audit, as `scan`
    # and the local engines read it)
    unquoted = F.regexp_replace(F.regexp_replace(F.col(_CORRUPT), r'"(?:[^"]|"")+"', "q"), '""', "")
    filled = F.size(F.split(F.regexp_replace(unquoted, r"[\s,]+$", ""), ",")) > len(names)
    # ... unless its values, read without the empty ones, do not fit their columns (an unquoted
    # "-1,250.00" whose currency was empty puts "250.00" under currency: round forty-two audit),
    # as io.refuse_filled_extra_fields judges it
    longer = F.size(F.split(unquoted, ",")) > len(names)
    unfit = F.lit(False)
    for n in names:
        kind = CSV_DTYPES.get(spelled.get(n, n), "str")
        if kind != "str":
            unfit = unfit | (F.col(n).isNotNull() & F.col(n).try_cast("double").isNull())
        elif spelled.get(n, n) == "currency":
            unfit = unfit | (F.col(n).isNotNull() & ~F.coalesce(_currency_code(F.col(n)), F.lit("USD"))
                             .rlike(r"^[A-Z]{3}$"))
    # a record leaving out columns at its end but writing an empty last field misses one in its
    # middle: every value after it is one column off (round forty-two audit), as io.short_record
    shorter = (F.size(F.split(unquoted, ",")) < len(names)) & F.col(_CORRUPT).rlike(r",[ \t]*\r?$")
    bad = F.col(_CORRUPT).isNotNull() & (missing | filled | (longer & unfit) | shorter)
    checked = F.when(bad, F.raise_error(F.concat(F.lit("Malformed CSV record: "), F.col(_CORRUPT))))
    first = names[0]
    df = df.withColumn(first, F.coalesce(checked, F.col(first))).drop(_CORRUPT)
    return df.toDF(*[spelled.get(n, n) for n in names])


def _csv_provenance(df):
    from pyspark.sql import functions as F

    from .io import canonical_names

    spelled = canonical_names(df.columns)  # ACCOUNT_ID is account_id, as `scan` reads headers
    if spelled:
        df = df.toDF(*[spelled.get(c, c) for c in df.columns])
    present = set(df.columns)
    if "source_line" not in present:
        df = df.withColumn("source_line", F.monotonically_increasing_id().cast("string"))
        if "source_file" not in present:
            df = df.withColumn("source_file", F.input_file_name())
    for name in _TEXT_CHECKED:
        if name in present:
            bad = F.col(name).contains("\ufffd")
            df = df.withColumn(name, F.when(bad, F.raise_error(F.concat(
                F.lit(f"{NOT_UTF8} in {name} of "), F.input_file_name(), F.lit(": "), F.col(name)))
            ).otherwise(F.col(name)))
    return df


#: Start of the error a CSV value holding U+FFFD raises (the file was not UTF-8).
NOT_UTF8 = "not UTF-8 text (a U+FFFD replacement character)"


def _files_by_header(files: list[str]) -> dict[tuple, list[str]] | None:
    """Local CSV files grouped by their header row, in the order given; None when a file is not
    local (Spark then checks the headers itself)."""
    import csv
    from urllib.parse import unquote, urlparse

    groups: dict[tuple, list[str]] = {}
    for name in files:
        url = urlparse(name)
        if url.scheme not in ("", "file"):
            return None
        local = Path(unquote(url.path))
        refuse_utf16(local)  # (Spark would read its NULs as text)
        try:
            opener = gzip.open if local.name.lower().endswith(".gz") else open
            with opener(local, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
                header = tuple(next(csv.reader(f), []))
        except OSError:
            return None
        groups.setdefault(header, []).append(name)
    return groups


def to_spark(spark, tx: pd.DataFrame):
    """A pandas frame of transactions as a Spark DataFrame (object strings keep Arrow happy). The
    transfers a caller paired already (:data:`~detector.transfers.TRANSFER_COLUMN`, as
    ``run_detection`` pairs over the whole database) go with the rows."""
    from pyspark.sql import types as T

    from .frames import _as_text, canonical_transactions

    frame = canonical_transactions(tx)
    for name in frame.columns:
        if name == PENDING_COLUMN:
            frame[name] = frame[name].map({True: "true", False: "false"}).astype(object)
        elif column_kind(name) == "str":
            frame[name] = _as_text(frame[name])
    schema = transaction_schema()
    for derived in (TRANSFER_COLUMN, LINKED_COLUMN):  # (in that order: canonical_transactions')
        if derived in frame.columns:
            schema = T.StructType([*schema.fields, T.StructField(derived, T.StringType(), True)])
    return spark.createDataFrame(frame, schema=schema)


def _key_schema():
    from pyspark.sql import types as T

    kinds = {"account_id": T.StringType(), "transaction_id": T.StringType(), "day": T.LongType(),
             "inflow": T.BooleanType(), "key": T.LongType(), "stated": T.LongType(), "wallet": T.LongType()}
    return T.StructType([T.StructField(c, kinds[c], True) for c in KEY_COLUMNS])


def with_transfers(tx_sdf, as_of: str, account_groups: int | None = None, transfers: bool = True):
    """``tx_sdf`` with :data:`~detector.transfers.TRANSFER_COLUMN`: the transfers between its
    accounts (:mod:`detector.transfers`).

    The keys of each row are read on the executors by the function the other engines use, on
    whole accounts (:func:`detector.transfers.transfer_keys`, one applyInPandas over the account
    groups); the driver collects them (about 50 bytes a row: 10 million rows are about 500 MB)
    and pairs them as the local engine does (:func:`detector.transfers.paired_rows`), so both find
    the same pairs; the pairs go back to the rows by a broadcast join on account and transaction
    id. Pairing is meant for one person's or one household's accounts: for an input of many
    people's, whose payments to each other are no transfers of their own money, pass
    ``transfers=False`` (``--no-transfers``; docs/scale.md). A frame that has the column already
    (``run_detection`` pairs over the whole database) is left as it is.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    if TRANSFER_COLUMN in tx_sdf.columns:
        return tx_sdf
    if not transfers:
        return tx_sdf.withColumn(TRANSFER_COLUMN, F.lit(None).cast(T.StringType()))

    def keys_of(pdf: pd.DataFrame) -> pd.DataFrame:
        keys = transfer_keys(_canonical_group(pdf), as_of)
        tid = keys["transaction_id"]
        return keys.assign(account_id=keys["account_id"].astype(str),
                           transaction_id=tid.astype(object).where(tid.notna(), None))[list(KEY_COLUMNS)]

    with warnings.catch_warnings():
        # (input Spark cannot read stops here, the first action: its error says so in one line,
        # without pyspark's warning that the Arrow transfer could not go on)
        warnings.filterwarnings("ignore", message="toPandas attempted Arrow optimization", category=UserWarning)
        keys = group_accounts(tx_sdf, account_groups).applyInPandas(keys_of, schema=_key_schema()).toPandas()
    pairs = paired_rows(keys) if len(keys) else no_pairs()
    del keys
    if pairs.empty:
        return tx_sdf.withColumn(TRANSFER_COLUMN, F.lit(None).cast(T.StringType()))
    schema = T.StructType([T.StructField(c, T.StringType(), True) for c in pairs.columns])
    rows = tx_sdf.sparkSession.createDataFrame(pairs.astype(object), schema=schema)
    return tx_sdf.join(F.broadcast(rows), ["account_id", "transaction_id"], "left")


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


#: Where a group's bad value is in the input, appended to the worker's error (JSON: its account,
#: ``source_file`` and value): the driver finds its line there (:func:`spark_failure`).
_AT = " @input "
_AT_RE = re.compile(re.escape(_AT) + r"(?P<where>\{.*\})")


def _detect_group(pdf: pd.DataFrame, as_of: str, detect: DetectFn, kwargs: dict):
    """:func:`detect_frame` on one group; a bad value's error carries its row's account, file
    and value, since its row counts within the group and Spark knows no line."""
    try:
        return detect_frame(pdf, as_of, detect, **kwargs)
    except SchemaError as exc:
        raise _located(exc, pdf) from None


def _canonical_group(pdf: pd.DataFrame) -> pd.DataFrame:
    """:func:`canonical_transactions` of one group, its errors located as :func:`_detect_group`'s."""
    from .frames import canonical_transactions

    try:
        return canonical_transactions(pdf, sort=False, check_values=True)
    except SchemaError as exc:
        raise _located(exc, pdf) from None


def _located(exc: SchemaError, pdf: pd.DataFrame) -> SchemaError:
    """``exc`` with its row's account, file and value (:data:`_AT`), where it names a row."""
    row = getattr(exc, "row", None)
    if row is None or not 0 < row <= len(pdf):
        return exc
    at = pdf.iloc[row - 1]
    file = at["source_file"] if "source_file" in pdf.columns else None
    where = {"account": None if pd.isna(at["account_id"]) else str(at["account_id"]),
             "file": file if isinstance(file, str) else None, "value": getattr(exc, "value", None),
             "column": getattr(exc, "column", "date")}
    return SchemaError(f"{exc}{_AT}{json.dumps(where)}")


def _where_in_input(where: dict, input_path) -> tuple[str, int | None]:
    """``(file, line)`` of a bad value a worker reported (:func:`_detect_group`): a local CSV
    file Spark read (``source_file`` is then its ``file:`` URI) is looked through for the first
    record of the account holding the value; elsewhere only the input is named."""
    from .io import line_of_values

    file, value = where.get("file"), where.get("value")
    given = Path(_local_name(str(input_path)))
    if file and file.startswith("file:"):
        local = Path(_local_name(file))
    elif given.is_file():  # (a file whose rows carry their statement's name in source_file)
        local = given
    else:
        return str(input_path), None
    if value is None or not local.is_file() or is_parquet(local):
        return str(input_path), None
    name = str(given) if given.is_file() and given.resolve() == local.resolve() else str(local)
    try:
        line = line_of_values(local, {"account_id": where.get("account"), where.get("column") or "date": value})
    except (OSError, UnicodeDecodeError, DetectorError):  # pragma: no cover - it was just read
        line = None
    return name, line


def detect_union(tx_sdf, as_of: str, *, detect: DetectFn | None = None, account_groups: int | None = None,
                 transfers: bool = True, **kwargs):
    """Spark DataFrame of union records: detection runs once per group of whole accounts, after
    the transfers between the accounts are paired over all of them (:func:`with_transfers`)."""
    detect, kwargs = _with_model(detect, kwargs)
    tx_sdf = with_transfers(tx_sdf, as_of, account_groups, transfers)

    def per_group(pdf: pd.DataFrame) -> pd.DataFrame:
        streams, flags = _detect_group(pdf, as_of, detect, kwargs)
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
                    transfers: bool = True, **kwargs):
    """``(streams, flags)`` Spark DataFrames from two applyInPandas passes (detection runs twice)."""
    detect, kwargs = _with_model(detect, kwargs)
    tx_sdf = with_transfers(tx_sdf, as_of, account_groups, transfers)

    def streams_of(pdf: pd.DataFrame) -> pd.DataFrame:
        return _detect_group(pdf, as_of, detect, kwargs)[0]

    def flags_of(pdf: pd.DataFrame) -> pd.DataFrame:
        return _detect_group(pdf, as_of, detect, kwargs)[1]

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
        union = detect_union(tx_sdf, as_of, detect=detect, **kwargs).toPandas()
        return split_union(union)
    try:
        tx_sdf = read_transactions(spark, tx_or_path)
        union = detect_union(tx_sdf, as_of, detect=detect, **kwargs).toPandas()
    except Exception as exc:
        raise spark_failure(exc, tx_or_path) from exc
    return split_union(union)
