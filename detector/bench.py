"""Benchmark the pipeline on synthetic statements: time and peak memory per stage and for a scan.

Each measurement runs in a fresh process (``spawn``), so one stage's garbage or caches never
count against another and peak memory is that process's own. Per-stage peaks come from Linux's
``VmHWM`` reset through ``/proc/self/clear_refs`` (tracemalloc is far too slow at a million
rows); elsewhere they fall back to ``ru_maxrss`` (the peak so far). Nothing here is asserted:
speed is reported, never tested.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import platform
import resource
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Columns of the benchmark CSV: the importers' generic layout (canonical names).
CSV_COLUMNS = ["account_id", "transaction_id", "date", "description", "amount", "currency"]
STAGES = ("parse", "normalise", "match", "detect", "flag", "store", "report")
AS_OF = "2024-12-31"


# -- memory ------------------------------------------------------------------------------------

def _status_kb(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset this process's peak RSS (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    """Peak RSS since the last :func:`reset_peak` (or process start), in MiB."""
    kb = _status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if platform.system() == "Darwin":
            kb //= 1024
    return kb / 1024


class TreeUsage:
    """Memory and CPU time of this process and all its descendants, sampled in a thread.

    Worker processes (``scan(workers=N)``) are not this process's ``VmHWM``; their memory adds
    up while they run side by side. Every ``interval`` seconds the proportional set sizes
    (``Pss``: pages shared by forked processes counted once in all) of the whole process tree
    are summed (``peak_mb`` is the largest sum) and each process's CPU time is noted
    (``cpu_seconds`` sums each process's last sample, so a worker's last ``interval`` may be
    missed). Linux only (``/proc``); elsewhere both stay 0.
    """

    def __init__(self, interval: float = 0.1):
        import threading

        self.interval, self.peak_mb, self._cpu = interval, 0.0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    @staticmethod
    def _children(pid: int) -> list[int]:
        kids = []
        try:
            for task in os.scandir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task.name}/children") as fh:
                    kids += [int(k) for k in fh.read().split()]
        except OSError:
            pass
        return kids

    def _sample(self) -> None:
        tree, frontier = [], [os.getpid()]
        while frontier:
            pid = frontier.pop()
            tree.append(pid)
            frontier += self._children(pid)
        total_kb = 0
        for pid in tree:
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/smaps_rollup") as fh:
                    pss = next((int(line.split()[1]) for line in fh if line.startswith("Pss:")), 0)
            except (OSError, StopIteration):
                continue  # the process ended between the two reads
            # after the command: state ppid ... utime (12th) stime (13th), counted from 0
            self._cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
            total_kb += pss
        self.peak_mb = max(self.peak_mb, total_kb / 1024)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self):
        if os.path.exists(f"/proc/{os.getpid()}/smaps_rollup"):
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
            self._sample()
        return False


class Meter:
    """Times named steps and records each step's own peak RSS."""

    def __init__(self):
        self.steps: dict[str, dict] = {}

    def __call__(self, name: str):
        return _Step(self, name)


class _Step:
    def __init__(self, meter: Meter, name: str):
        self.meter, self.name = meter, name

    def __enter__(self):
        reset_peak()
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        # CPU seconds too: on a shared machine wall time also counts other people's work
        self.meter.steps[self.name] = {"seconds": time.perf_counter() - self.t0,
                                       "cpu_seconds": time.process_time() - self.c0, "peak_mb": peak_mb()}
        return False


# -- data --------------------------------------------------------------------------------------

def make_csv(rows: int, path: str | Path, *, seed: int = 0, start: str = "2023-01-01",
             end: str = AS_OF) -> dict:
    """Write a synthetic statement CSV of about ``rows`` transactions; returns its facts.

    The generator works in accounts, so the account count is scaled from a small pilot run.
    """
    from .synth import generate

    pilot, _ = generate(40, start, end, seed=seed + 1)
    per_account = max(1.0, len(pilot) / 40)
    n_accounts = max(1, round(rows / per_account))
    tx, _ = generate(n_accounts, start, end, seed=seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tx[CSV_COLUMNS].to_csv(path, index=False)
    return {"rows": len(tx), "accounts": n_accounts, "descriptors": int(tx["description"].nunique()),
            "path": str(path), "bytes": path.stat().st_size}


# -- measurements (each runs in its own process) ----------------------------------------------

def measure_read_csv(path: str) -> dict:
    """Plain ``pandas.read_csv`` of the file: the baseline a scan is compared with."""
    meter = Meter()
    with meter("read_csv"):
        df = pd.read_csv(path)
    return {"rows": len(df), **meter.steps["read_csv"]}


def measure_stages(path: str, as_of: str = AS_OF, db: str | None = None) -> dict:
    """Each pipeline stage on its own: parse, normalise, match, detect, flag, store, report."""
    from .flags import flag_charges
    from .importers import read_statement
    from .match import default_matcher, enrich
    from .normalize import normalize_distinct
    from .pipeline import save_detection
    from .recurrence import detect_streams
    from .report import render_scan
    from .store import Store

    meter = Meter()
    with meter("parse"):
        tx = read_statement(path).transactions
    descriptors = tx["description"].drop_duplicates()
    default_matcher()  # the catalogue is read once per process, before either step
    with meter("normalise"):
        # as enrich does it: per-charge codes and a bill's months are looked for within each account
        normalised = normalize_distinct(tx["description"], groups=tx["account_id"], dates=tx["date"])
    with meter("match"):
        enriched = enrich(tx, normalised=normalised)
    with meter("detect"):
        streams = detect_streams(enriched, as_of)
    with meter("flag"):
        flags = flag_charges(enriched, streams, as_of=as_of)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(db or os.path.join(tmp, "bench.db"))
        with meter("store"):
            store.add_transactions(tx)
            save_detection(store, streams, flags, as_of, tx["account_id"].unique())
        store.close()
    with meter("report"):
        render_scan(streams, flags, [], "json", as_of=as_of)
    steps = meter.steps
    return {"rows": len(tx), "descriptors": len(descriptors), "streams": len(streams), "flags": len(flags),
            "steps": steps}


def measure_scan(path: str, as_of: str = AS_OF, fmt: str = "json", workers: int = 1) -> dict:
    """The whole analyst scan (ingest, detect, store, refunds) plus rendering its report.

    With ``workers`` > 1 the CPU seconds and peak memory are those of the whole process tree
    (:class:`TreeUsage`): the workers' memory counts too.
    """
    from .pipeline import scan
    from .report import render_scan
    from .store import Store

    meter = Meter()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(os.path.join(tmp, "scan.db"))
        # the sampling thread only where there are other processes to see
        tree = TreeUsage() if workers != 1 else contextlib.nullcontext()
        with tree, meter("scan"):
            result = scan([path], store, as_of, workers=workers)
            render_scan(result.streams, result.flags, result.refund_requests, fmt, as_of=result.as_of)
        store.close()
    step = meter.steps["scan"]
    if workers != 1:
        step = {**step, "cpu_seconds": tree.cpu_seconds, "peak_mb": tree.peak_mb, "workers": workers}
    return {"streams": len(result.streams), "flags": len(result.flags), **step}


def measure_spark(path: str, as_of: str = AS_OF, *, mode: str = "union", master: str = "local[2]",
                  shuffle_partitions: int = 8) -> dict:
    """The Spark job in local mode on the same CSV: Parquet out, seconds after session start."""
    import tempfile as _tempfile

    from .engines.spark import get_session
    from .engines.spark_job import run_job

    spark = get_session(master, shuffle_partitions=shuffle_partitions, conf={"spark.ui.enabled": "false"})
    try:
        with _tempfile.TemporaryDirectory() as tmp:
            result = run_job(path, os.path.join(tmp, "out"), as_of, mode=mode, spark=spark)
    finally:
        spark.stop()
    return {"mode": mode, "master": master, "seconds": result.seconds, "streams": result.streams,
            "flags": result.flags}


def in_fresh_process(fn, *args, **kwargs):
    """Run ``fn`` in a new interpreter and return its result (peak memory is its own)."""
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(fn, *args, **kwargs).result()


# -- driver -------------------------------------------------------------------------------------

@dataclass
class BenchRow:
    """One input size: the baseline, the stages and the whole scan."""

    rows: int
    accounts: int
    descriptors: int
    read_csv: dict
    stages: dict | None
    scan: dict | None
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if not self.scan:
            return None
        return self.scan["seconds"] / self.read_csv["seconds"]

    @property
    def cpu_ratio(self) -> float | None:
        """Scan CPU seconds over read_csv's: steadier than :attr:`ratio` on a shared machine."""
        if not self.scan or not self.read_csv["cpu_seconds"]:
            return None
        return self.scan["cpu_seconds"] / self.read_csv["cpu_seconds"]


def machine() -> dict:
    """CPU count, model and RAM of this machine, for the table's caption."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gb": ram_gb, "python": platform.python_version(),
            "pandas": pd.__version__}


def run_bench(rows_list, workdir: str | Path, *, seed: int = 0, stages: bool = True, scan: bool = True,
              spark: bool = False, as_of: str = AS_OF, progress=None, workers=()) -> list[BenchRow]:
    """Generate a CSV per size and measure read_csv, the stages and the scan, each in a fresh process.

    ``workers``: also the scan with each of these numbers of worker processes.
    """
    out = []
    for rows in rows_list:
        facts = make_csv(rows, Path(workdir) / f"bench_{rows}.csv", seed=seed)
        if progress:
            progress(f"{facts['rows']} rows in {facts['accounts']} accounts: {facts['path']}")
        baseline = in_fresh_process(measure_read_csv, facts["path"])
        st = in_fresh_process(measure_stages, facts["path"], as_of) if stages else None
        sc = in_fresh_process(measure_scan, facts["path"], as_of) if scan else None
        row = BenchRow(facts["rows"], facts["accounts"], facts["descriptors"], baseline, st, sc,
                       {"bytes": facts["bytes"]})
        if workers:
            row.extra["scan_workers"] = [in_fresh_process(measure_scan, facts["path"], as_of, workers=w)
                                         for w in workers]
        if spark:
            row.extra["spark"] = [in_fresh_process(measure_spark, facts["path"], as_of, mode=m)
                                  for m in ("union", "two_pass")]
        if progress:
            progress(summary_line(row))
        out.append(row)
    return out


def summary_line(row: BenchRow) -> str:
    parts = [f"{row.rows:,} rows: read_csv {row.read_csv['seconds']:.2f}s"]
    if row.stages:
        parts.append(" ".join(f"{k} {v['seconds']:.2f}s" for k, v in row.stages["steps"].items()))
    if row.scan:
        cpu = f", {row.cpu_ratio:.0f}x in CPU" if row.cpu_ratio else ""
        parts.append(f"scan {row.scan['seconds']:.2f}s ({row.ratio:.1f}x read_csv{cpu}), "
                     f"peak {row.scan['peak_mb']:.0f} MB")
    return "; ".join(parts)


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def markdown_table(results: list[BenchRow], info: dict | None = None) -> str:
    """The README table: seconds, rows/s and peak MiB per stage and size, and scan / parse."""
    info = info or machine()
    lines = [
        (f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gb']:.0f} GB RAM, "
         f"Python {info['python']}, pandas {info['pandas']}."),
        "",
        "| rows | step | seconds | CPU s | rows/s | peak MB |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.rows:,} | pandas.read_csv | {r.read_csv['seconds']:.2f} | "
                     f"{r.read_csv['cpu_seconds']:.2f} | {_rate(r.rows, r.read_csv['seconds'])} | "
                     f"{r.read_csv['peak_mb']:.0f} |")
        if r.stages:
            for name, step in r.stages["steps"].items():
                n = r.stages["descriptors"] if name == "normalise" else r.rows
                unit = " (unique descriptors/s)" if name == "normalise" else ""
                lines.append(f"| {r.rows:,} | {name} | {step['seconds']:.2f} | {step['cpu_seconds']:.2f} | "
                             f"{_rate(n, step['seconds'])}{unit} | {step['peak_mb']:.0f} |")
        for job in r.extra.get("spark", []):
            lines.append(f"| {r.rows:,} | Spark job, {job['master']}, {job['mode']} | {job['seconds']:.2f} | - | "
                         f"{_rate(r.rows, job['seconds'])} | - |")
        if r.scan:
            cpu = f", x{r.cpu_ratio:.0f} in CPU" if r.cpu_ratio else ""
            lines.append(f"| {r.rows:,} | **scan** (x{r.ratio:.1f} read_csv{cpu}) | {r.scan['seconds']:.2f} | "
                         f"{r.scan['cpu_seconds']:.2f} | {_rate(r.rows, r.scan['seconds'])} | "
                         f"{r.scan['peak_mb']:.0f} |")
        for job in r.extra.get("scan_workers", []):
            ratio = job["seconds"] / r.read_csv["seconds"] if r.read_csv["seconds"] else 0
            lines.append(f"| {r.rows:,} | scan, {job['workers']} workers (x{ratio:.1f} read_csv; CPU and peak "
                         f"of all processes) | {job['seconds']:.2f} | {job['cpu_seconds']:.2f} | "
                         f"{_rate(r.rows, job['seconds'])} | {job['peak_mb']:.0f} |")
    return "\n".join(lines)
