"""The batch job behind ``pipelines/spark_job.py``: canonical transactions in, Parquet out.

    input (CSV or Parquet) -> groupBy(account_id).applyInPandas(detect) -> output/streams, output/flags

``mode="union"`` (default) runs detection once: the union records are persisted and split into
the two outputs. ``mode="two_pass"`` runs one applyInPandas per output (detection twice, nothing
persisted). With ``db`` the (small) results are also upserted into the SQLite store, and its
refund queue follows them (candidates queued, those of flags no longer raised withdrawn).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, ImportError_
from .frames import DetectFn, conform_flags, conform_streams, shared_flag_ids


@dataclass
class JobResult:
    """What a job wrote and how long it took."""

    input: str
    output: str
    streams: int
    flags: int
    seconds: float
    mode: str
    stored: dict = field(default_factory=dict)


def _spark_failure(exc: Exception, input_path) -> Exception:
    """A Spark error as one line naming the input (see :func:`.spark.spark_failure`)."""
    from .spark import spark_failure

    return spark_failure(exc, input_path)


def _refuse_shared_flag_ids(flags, input_path, written: str | None = None) -> None:
    """Raise :class:`ImportError_` when two accounts' flags share a flag id (one transaction id
    in both accounts): stored, one would overwrite the other."""
    from pyspark.sql import functions as F

    shared = flags.groupBy("flag_id").agg(F.countDistinct("account_id").alias("n")).filter("n > 1")
    if shared.limit(1).count():
        clash = shared_flag_ids(conform_flags(flags.join(shared.select("flag_id"), "flag_id").toPandas()))
        where = f"the output in {written} holds " if written else ""
        raise ImportError_(where + clash, path=str(input_path))


def _accounts_and_currencies(tx) -> tuple[list, dict[str, str]]:
    """The input's accounts, and each one's currency: the commonest of its rows, as ``scan``
    gives a statement's accounts (``ingest.CurrencyCounts``; of two as common, the one the
    account used first in the input). One aggregation on the cluster, one small row per account
    and currency."""
    from pyspark.sql import functions as F

    from ..importers.ingest import CurrencyCounts

    counts = (tx.groupBy("account_id", "currency")
              .agg(F.count(F.lit(1)).alias("rows"), F.min(F.struct("source_file", "source_line")).alias("first"))
              .select("account_id", "currency", "rows", F.col("first.source_file").alias("source_file"),
                      F.col("first.source_line").alias("source_line"))
              .toPandas())
    counts = counts.sort_values(["source_file", "source_line", "account_id", "currency"], kind="stable",
                                na_position="last")
    found = CurrencyCounts()
    found.add_sizes(counts.set_index(["account_id", "currency"])["rows"])
    return list(dict.fromkeys(counts["account_id"])), found.commonest()


def _payment_methods(tx) -> dict[str, str]:
    """Each account's payment method as ``scan`` stores it with a statement's rows: the one the
    importer named in its rows' ``source`` gives (Monzo's a debit card, Amex's a credit card),
    where all its rows' importers agree on one; accounts of no such importer (a generic CSV, an
    OFX file, whose accounts differ) have none and their refund requests assume one, as ``scan``'s
    do. One aggregation on the cluster, one small row per account and source."""
    from ..importers.reader import all_importers

    layout = {imp.name: imp.payment_method for imp in all_importers()}
    pairs = tx.select("account_id", "source").distinct().toPandas()
    methods = pairs.assign(method=pairs["source"].map(layout)).groupby("account_id")["method"]
    one = methods.agg(lambda m: m.iloc[0] if m.notna().all() and m.nunique() == 1 else None)
    return {a: m for a, m in one.items() if m is not None}


def _with_bank_ids(tx, flags: pd.DataFrame) -> pd.DataFrame:
    """``flags`` with each charge's ``id_from_bank`` from the input: the job stores no transaction
    rows, where ``scan`` reads it, and a refund request quotes the bank's own id only (an empty
    value is the bank's, as :func:`~detector.engines.frames.canonical_transactions` reads it)."""
    from pyspark.sql import functions as F

    if flags.empty:
        return flags.assign(id_from_bank=pd.Series(dtype="int64"))
    ids = flags["transaction_id"].astype(str).unique().tolist()
    got = tx.where(F.col("transaction_id").isin(ids)).select("transaction_id", "id_from_bank").toPandas()
    known = dict(zip(got["transaction_id"].astype(str), got["id_from_bank"]))
    return flags.assign(id_from_bank=[1 if pd.isna(known.get(t)) else int(known[t])
                                      for t in flags["transaction_id"].astype(str)])


def _store_payment_methods(store, accounts: list, given: str | None, found: dict[str, str]) -> None:
    """``given`` (``--payment-method``) for every account, as the user's, as ``scan`` stores it;
    else each account's importer's (:func:`_payment_methods`), which a method the user set for
    an account keeps its place over (``Store.set_accounts``)."""
    if given is not None:
        store.set_accounts(accounts, payment_method=given, payment_method_source="user")
        return
    by_method: dict[str, list] = {}
    for account, method in found.items():
        by_method.setdefault(method, []).append(account)
    for method, group in by_method.items():
        store.set_accounts(group, payment_method=method, payment_method_source="importer")


def _linked(tx, as_of: str, groups: dict[str, str], kwargs: dict):
    """``tx`` as the local engines detect the accounts the user linked (:mod:`detector.links`):
    transfers paired by each row's own account, then each linked row under its group's name
    with its own account in :data:`~detector.schema.LINKED_COLUMN`, which detection gives its
    streams and flags back. The group map is small (the user's links), sent with the plan."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from ..schema import LINKED_COLUMN
    from .spark import with_transfers

    tx = with_transfers(tx, as_of, kwargs.get("account_groups"), kwargs.get("transfers", True))
    group = F.create_map(*[F.lit(x) for pair in sorted(groups.items()) for x in pair])[F.col("account_id")]
    return (tx.withColumn(LINKED_COLUMN, F.when(group.isNotNull(), F.col("account_id")).cast(T.StringType()))
            .withColumn("account_id", F.coalesce(group, F.col("account_id"))))


def run_job(input_path: str | PathLike, output: str | PathLike, as_of: str, *, db: str | None = None,
            mode: str = "union", detect: DetectFn | None = None, spark=None, master: str | None = None,
            shuffle_partitions: int | None = None, payment_method: str | None = None, **kwargs) -> JobResult:
    """Detect over ``input_path`` with Spark and write Parquet dirs ``streams/`` and ``flags/``
    (with ``db``, each account's ``payment_method`` is ``payment_method`` when given, else its
    importer's, read from the rows' ``source``)."""
    from ..pipeline import as_of_str
    from .spark import (
        detect_two_pass,
        detect_union,
        get_session,
        input_format,
        read_transactions,
        require_pyspark,
        split_union_spark,
    )

    if mode not in ("union", "two_pass"):
        raise ConfigError(f"unknown mode {mode!r}; choose union or two_pass")
    from ..schema import PAYMENT_METHODS

    if payment_method is not None and payment_method not in PAYMENT_METHODS:
        raise ConfigError(f"unknown payment method {payment_method!r}; use one of {', '.join(PAYMENT_METHODS)}")
    groups = kwargs.get("account_groups")
    if groups is not None and int(groups) < 0:  # (checked again where used; here before Spark starts)
        raise ConfigError(f"--account-groups must be 0 (one group per account) or more, not {groups}")
    as_of = as_of_str(as_of)  # a bad date stops the job before Spark starts
    input_format(str(input_path))  # and so does a local input that is missing or holds no data file
    from ..catalog import load_vendors

    load_vendors()  # and a vendor catalogue that cannot be read (SUBDETECT_VENDORS): the workers read it
    require_pyspark()  # and a missing PySpark, before --db's store is created (r55 audit)
    started = time.perf_counter()
    store = None
    linked: dict[str, str] = {}  # accounts the user linked (the store's), each to its group
    if db is not None:
        from ..catalog.refund_processes import load_refund_processes
        from ..pipeline import _user_decisions, refund_process_lookup
        from ..store import Store

        # the catalogues the refund queue reads are read now: one that cannot be read stops the
        # job before Spark starts, not after the streams and flags were stored
        process_for_vendor = refund_process_lookup()
        load_refund_processes()
        # the user's cancellations and dismissals apply on Spark exactly as in a local run, and
        # so do the accounts they linked (a reissued card: detector.links)
        from ..links import account_groups, linked_cancellations

        store = Store(db)
        cancellations, dismissed = _user_decisions(store)
        linked = account_groups(store)
        kwargs.setdefault("cancellations", linked_cancellations(cancellations, linked))
        kwargs.setdefault("dismissed", dismissed)
    try:
        spark = spark or get_session(master, shuffle_partitions=shuffle_partitions)
        tx = read_transactions(spark, input_path)
        detected = _linked(tx, as_of, linked, kwargs) if linked else tx
        out = str(output).rstrip("/")
        union = None
        if mode == "union":
            from pyspark import StorageLevel

            union = detect_union(detected, as_of, detect=detect, **kwargs).persist(StorageLevel.MEMORY_AND_DISK)
            streams, flags = split_union_spark(union)
            # (the union is kept, so this check costs no second detection: a clash stops the job
            # before anything is written)
            _refuse_shared_flag_ids(flags, input_path)
        else:
            streams, flags = detect_two_pass(detected, as_of, detect=detect, **kwargs)
        streams.write.mode("overwrite").parquet(f"{out}/streams")
        flags.write.mode("overwrite").parquet(f"{out}/flags")
        result = JobResult(str(input_path), out, 0, 0, time.perf_counter() - started, mode)
        if union is not None:
            union.unpersist()
        # counts come from the written files, not from another detection pass
        written_s = spark.read.parquet(f"{out}/streams")
        written_f = spark.read.parquet(f"{out}/flags")
        result.streams, result.flags = written_s.count(), written_f.count()
        if union is None:  # (two passes: checked on what was written, not by detecting again)
            _refuse_shared_flag_ids(written_f, input_path, written=out)
        if store is not None:
            from ..pipeline import save_detection
            from ..refunds import follow_filed, queue_refunds, withdraw_unflagged

            streams_pd = conform_streams(written_s.toPandas())
            flags_pd = _with_bank_ids(tx, conform_flags(written_f.toPandas()))
            from ..importers.ingest import set_account_currencies

            accounts, currencies = _accounts_and_currencies(tx)
            # one transaction: a step that fails leaves the store as it was, not streams and flags
            # without their currencies and refund queue (round-forty-two audit)
            with store.one_transaction():
                save_detection(store, streams_pd, flags_pd, as_of, accounts)
                # each account's currency and country, as `scan` stores them with a statement's
                # rows: the refund requests are drafted in them (they were dollars and US working days)
                set_account_currencies(store, currencies)
                # and each account's payment method, the importer's or the one the user gave (a
                # Monzo debit card's refund requests assumed a credit card: round-forty-two audit)
                _store_payment_methods(store, accounts, payment_method, _payment_methods(tx))
                # the refund queue follows the flags, as after a local run
                queued = queue_refunds(store, flags_pd, as_of, process_for_vendor=process_for_vendor)
                withdrawn = withdraw_unflagged(store, flags_pd, accounts)
                follow_filed(store, flags_pd, accounts, as_of)
            result.stored = {"db": str(Path(db)), "streams": len(streams_pd), "flags": len(flags_pd),
                             "refund_requests": len(queued), "refund_candidates_withdrawn": withdrawn}
    except Exception as exc:
        raise _spark_failure(exc, input_path) from exc
    finally:
        if store is not None:
            store.close()
    return result
