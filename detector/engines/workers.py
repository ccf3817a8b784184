"""Batches of whole accounts detected on several cores: the same per-account function, more processes.

Detection is one pure function per account (:func:`detector.pipeline.detect_account`), so batches
of whole accounts can be detected in worker processes and their results put back in order: the
streams and flags are those of a run in this process (tests compare them). This is scale-up on
one machine; scale-out is the Spark engine.

    results = detect_batches(frames, as_of, workers=2, cancellations=..., dismissed=...)

* ``workers=1`` (the default) detects in this process, one batch after the other.
* Workers are forked from a ``forkserver`` that imported the detector and nothing else: a plain
  ``fork`` of a process that has run OpenMP (the stream model) or Arrow's thread pools can hang.
* At most ``workers + 1`` batches are in flight, so memory grows with the batch size and the
  number of workers, not with the input: the next batch is read (from the store, say) while the
  workers detect the others.
* A batch that fails raises here, with the worker's exception; the batches not started yet are
  cancelled and the workers ended. So does anything raised here (``subdetect`` turns SIGTERM into
  an exception): no worker is left detecting for a run that is over.
* Each batch carries this process's ``SUBDETECT_*`` settings (a user's vendor file): the workers
  fork from a server started earlier, with the environment of that moment.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice

import pandas as pd

from .frames import DetectFn, conform_flags, conform_streams, default_detect

#: Modules the forkserver imports once, so each worker starts with them (and the model) loaded.
_PRELOAD = ["detector.pipeline", "detector.flags", "detector.engines.worker_preload"]
_SETTINGS_PREFIX = "SUBDETECT_"


def resolve_workers(workers: int | None) -> int:
    """``None`` or 1 -> 1; 0 -> one per CPU this process may use; N -> N (at least 1)."""
    if workers is None:
        return 1
    if workers == 0:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)
    if workers < 0:
        raise ValueError(f"workers must be 0 (one per CPU) or more, not {workers}")
    return workers


def _settings() -> dict[str, str]:
    """The ``SUBDETECT_*`` environment (a user's vendor file, say) as this process sees it now."""
    return {k: v for k, v in os.environ.items() if k.startswith(_SETTINGS_PREFIX)}


def _detect_one(detect: DetectFn, frame: pd.DataFrame, as_of: str, kwargs: dict,
                settings: dict[str, str] | None = None):
    if settings is not None:
        # a worker has the environment of the forkserver it forked from, which may be older
        for key in [k for k in os.environ if k.startswith(_SETTINGS_PREFIX) and k not in settings]:
            del os.environ[key]
        os.environ.update(settings)
    streams, flags = detect(frame, as_of, **kwargs)
    return conform_streams(streams), conform_flags(flags)


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)  # no effect once the server runs
    return ctx


def start_early(workers: int | None) -> None:
    """Start the workers' forkserver now when ``workers`` > 1, so that it imports the detector
    and loads the model (about 2 s) while the caller still reads its input."""
    if resolve_workers(workers) > 1:
        _context()
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=watch_parent,
                               initargs=(os.getpid(),))


def watch_parent(pid: int) -> None:
    """A worker's initializer: the worker ends when process ``pid`` (the one that started the
    pool) has ended. A SIGKILL (the OOM killer, ``kill -9``) gives the parent no time to end its
    workers, and they went on detecting for a run that was gone, with their forkserver (which
    lives while a worker does), a few hundred MB each (round-twenty-five audit). A daemon thread
    waits on a pidfd (Linux), else looks every second.

    A worker ignores Ctrl-C (SIGINT), which a terminal sends to every process of the command:
    its parent ends it on the way out, and each worker printed a KeyboardInterrupt traceback."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # (not Linux 5.3+, or already gone: the loop sees it)
            fd = None
        if fd is not None:
            import select

            select.select([fd], [], [])
            os._exit(1)
        import time

        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except OSError:  # (another user's process of that id: still there)
                pass
            time.sleep(1)

    threading.Thread(target=watch, name="subdetect-parent-watch", daemon=True).start()


def detect_batches(
    frames: Iterable[pd.DataFrame],
    as_of: str,
    *,
    detect: DetectFn | None = None,
    workers: int | None = 1,
    on_batch: Callable[[int], None] | None = None,
    **kwargs,
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """``(streams, flags)`` of each frame of whole accounts, in the frames' order.

    ``frames`` is consumed lazily (a generator may read each batch when it is wanted);
    ``on_batch`` is called with each frame's row count once it is detected. ``kwargs`` go to
    ``detect`` (default :func:`detector.pipeline.detect_account`), which must be a module-level
    function when ``workers`` > 1 (it is sent to the workers by name).
    """
    detect = detect or default_detect()
    workers = resolve_workers(workers)
    results: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    frames = iter(frames)
    head = list(islice(frames, 2))
    frames = chain(head, frames)
    if workers == 1 or len(head) < 2:  # one batch gains nothing from a pool
        del head
        for frame in frames:
            results.append(_detect_one(detect, frame, as_of, kwargs))
            if on_batch is not None:
                on_batch(len(frame))
            del frame  # not held while the next batch is read
        return results
    del head
    pending: deque[tuple[Future, int]] = deque()

    def collect_first() -> None:
        future, rows = pending.popleft()
        results.append(future.result())
        if on_batch is not None:
            on_batch(rows)

    settings = _settings()
    with _pool(workers) as pool:
        try:
            for frame in frames:
                pending.append((pool.submit(_detect_one, detect, frame, as_of, kwargs, settings), len(frame)))
                del frame
                while len(pending) > workers:
                    collect_first()
            while pending:
                collect_first()
        except BaseException:
            for future, _ in pending:
                future.cancel()
            _stop_workers(pool)
            raise
    return results


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now: leaving the ``with`` block would wait for the batches
    they are detecting. A SIGTERM'd ``scan --workers 2`` (``subdetect`` turns SIGTERM into an
    exception) left its workers and their forkserver detecting for minutes, a few hundred MB each
    (round-twenty-five audit); a failed batch no longer waits for the others either."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # (shutdown forgets them)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):  # (already gone)
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
