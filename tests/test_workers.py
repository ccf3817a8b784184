"""Detection on several worker processes: the same streams and flags as in one process."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from engine_standin import make_transactions, standin_detect
from pandas.testing import assert_frame_equal

from detector import engines, pipeline
from detector.engines.local import batch_frames
from detector.engines.workers import detect_batches, resolve_workers
from detector.pipeline import run_detection, scan
from detector.store import Store
from detector.synth import write_eval_set

AS_OF = "2025-01-31"


def failing_detect(tx: pd.DataFrame, as_of: str, **kwargs):
    """``standin_detect``, except on the account named "boom" (workers import this by name)."""
    if (tx["account_id"] == "boom").any():
        raise ValueError("account boom cannot be detected")
    return standin_detect(tx, as_of, **kwargs)


def _without_clock(request: dict) -> dict:
    """A refund request less the wall-clock times it records."""
    history = [{k: v for k, v in h.items() if k != "recorded_at"} for h in request["history"]]
    return {**{k: v for k, v in request.items() if k not in ("created_at", "updated_at")}, "history": history}


def assert_same(a, b):
    assert_frame_equal(a[0].reset_index(drop=True), b[0].reset_index(drop=True))
    assert_frame_equal(a[1].reset_index(drop=True), b[1].reset_index(drop=True))


def test_worker_counts():
    assert resolve_workers(None) == 1 and resolve_workers(1) == 1 and resolve_workers(3) == 3
    assert resolve_workers(0) == len(os.sched_getaffinity(0))
    with pytest.raises(ValueError):
        resolve_workers(-1)


def test_workers_give_the_batches_results_in_order():
    tx = engines.canonical_transactions(make_transactions(40))
    frames = list(batch_frames(tx, batch_accounts=6))
    assert len(frames) == 7
    seen = []
    alone = detect_batches(frames, AS_OF, detect=standin_detect)
    together = detect_batches(iter(frames), AS_OF, detect=standin_detect, workers=2, on_batch=seen.append)
    assert len(together) == len(frames)
    for a, b in zip(alone, together):
        assert_same(a, b)
    assert sorted(seen) == sorted(len(f) for f in frames)  # every batch counted once
    # the local engine puts them together as one run does
    assert_same(engines.run(tx, AS_OF, detect=standin_detect, batch_accounts=6, workers=2),
                engines.run(tx, AS_OF, detect=standin_detect))


def test_one_batch_is_detected_here_without_a_pool(monkeypatch):
    import detector.engines.workers as w

    monkeypatch.setattr(w, "_pool", lambda n: pytest.fail("a pool was started for one batch"))
    tx = engines.canonical_transactions(make_transactions(3))
    (one,) = detect_batches([tx], AS_OF, detect=standin_detect, workers=4)
    assert_same(one, engines.run(tx, AS_OF, detect=standin_detect))


def test_a_failing_batch_fails_the_run_with_the_workers_error():
    tx = make_transactions(12)
    boom = tx[tx["account_id"] == tx["account_id"].iloc[0]].assign(account_id="boom")
    tx = engines.canonical_transactions(pd.concat([tx, boom], ignore_index=True))
    with pytest.raises(ValueError, match="account boom"):
        engines.run(tx, AS_OF, detect=failing_detect, batch_accounts=3, workers=2)


@pytest.fixture(scope="module")
def statement(tmp_path_factory):
    folder = write_eval_set(tmp_path_factory.mktemp("w") / "set", 24, seed=77)
    return folder / "tx.csv", pd.read_csv(folder / "tx.csv", usecols=["date"])["date"].max()


def test_scan_and_detection_over_the_store_are_the_same_on_workers(statement, tmp_path, monkeypatch):
    # small batches, so 24 accounts make several, both from the scan's rows and from the store
    monkeypatch.setattr(pipeline, "DETECT_BATCH_ROWS", 4000)
    path, as_of = statement
    one = scan([str(path)], Store(tmp_path / "one.db"), as_of)
    two = scan([str(path)], Store(tmp_path / "two.db"), as_of, workers=2)
    assert len(one.streams) > 100 and len(one.flags) > 5
    assert_same((one.streams, one.flags), (two.streams, two.flags))
    # listed by when they were queued: a scan that crosses a second boundary reorders them
    assert (sorted((_without_clock(r) for r in one.refund_requests), key=lambda r: r["request_id"])
            == sorted((_without_clock(r) for r in two.refund_requests), key=lambda r: r["request_id"]))
    again = run_detection(Store(tmp_path / "two.db"), as_of, workers=2)
    assert_same((one.streams, one.flags), (again.streams, again.flags))


def test_cli_scan_and_detect_take_workers(runner, tmp_path, monkeypatch):
    from detector.cli import cli

    monkeypatch.setattr(pipeline, "DETECT_BATCH_ROWS", 400)
    samples = os.path.join(os.path.dirname(__file__), "..", "data", "samples")
    statements = [os.path.join(samples, name) for name in ("chase_card.csv", "amex.csv")]  # two batches
    docs = []
    for workers in ("1", "2"):
        res = runner.invoke(cli, ["scan", *statements, "--db", str(tmp_path / f"{workers}.db"), "--as-of",
                                  "2025-06-30", "--format", "json", "--workers", workers])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        docs.append((doc["streams"], doc["flags"]))
    assert docs[0] == docs[1] and len(docs[0][0]) > 3
    res = runner.invoke(cli, ["detect", "--db", str(tmp_path / "2.db"), "--as-of", "2025-06-30", "--format", "json",
                              "--workers", "0"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["streams"] == docs[0][0]
    assert runner.invoke(cli, ["scan", statements[0], "--workers", "-1"]).exit_code == 2


def test_workers_use_the_vendor_file_set_after_they_started(tmp_path, monkeypatch):
    # The workers fork from a server started earlier (another test's run): a user's vendor file
    # named since still names the lawn service, as it does in this process.
    started = batch_frames(engines.canonical_transactions(make_transactions(2)), batch_accounts=1)
    detect_batches(started, AS_OF, detect=standin_detect, workers=2)
    mine = tmp_path / "mine.toml"
    mine.write_text('[[vendor]]\nname = "Joe\'s Lawn Care"\ncategory = "other"\ncadence = ["monthly"]\n'
                    'aliases = ["JOES LAWN CARE"]\n', encoding="utf-8")
    monkeypatch.setenv("SUBDETECT_VENDORS", str(mine))
    rows = [{"transaction_id": f"{a}-{m}", "account_id": a, "date": f"2024-{m:02d}-03",
             "description": "JOES LAWN CARE 5035551234", "amount": -45.0} for a in ("a1", "a2") for m in range(1, 10)]
    tx = engines.canonical_transactions(pd.DataFrame(rows))
    frames = list(batch_frames(tx, batch_accounts=1))
    alone = detect_batches(frames, "2024-09-30")
    together = detect_batches(frames, "2024-09-30", workers=2)
    assert [s["vendor"].tolist() for s, _ in together] == [["Joe's Lawn Care"], ["Joe's Lawn Care"]]
    for a, b in zip(alone, together):
        assert_same(a, b)


def slow_detect(tx: pd.DataFrame, as_of: str, **kwargs):
    """Says it started (a file named by its pid in ``$SLOW_DETECT_DIR``), then detects for minutes."""
    import time

    open(os.path.join(os.environ["SLOW_DETECT_DIR"], str(os.getpid())), "w").close()
    time.sleep(300)
    return standin_detect(tx, as_of, **kwargs)


_SLOW_COMMAND = """
import sys
import pandas as pd
from detector.cli import cli
from detector.engines.workers import detect_batches
from test_workers import slow_detect

@cli.command("slow-batches")
def slow_batches():
    frames = [pd.DataFrame({"account_id": [str(i)]}) for i in range(4)]
    detect_batches(frames, "2025-01-31", detect=slow_detect, workers=2)

cli.main(["slow-batches"], prog_name="subdetect")
"""


def _alive_in_group(pgid: int) -> list[int]:
    """Processes of process group ``pgid`` still running (zombies left unreaped do not count)."""
    alive = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry))
    return alive


def _wait_for_two_workers(marks, proc, stderr) -> None:
    """Wait (two minutes at most) until two workers have marked ``marks`` as started."""
    import time

    deadline = time.monotonic() + 120
    while len(os.listdir(marks)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(os.listdir(marks)) == 2, stderr.read_text()


@pytest.mark.skipif(not os.path.isdir("/proc") or not hasattr(os, "fork"), reason="needs fork and /proc")
@pytest.mark.parametrize("kill", ["SIGTERM", "SIGKILL"])
def test_a_killed_command_leaves_no_worker_processes(tmp_path, kill):
    # Round-twenty-five audit: `scan --workers 2` killed with SIGTERM (kill, a timeout, a shutdown)
    # left its forkserver and both workers detecting, hundreds of MB, long after it had ended.
    import signal
    import subprocess
    import sys
    import time

    tests = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "SLOW_DETECT_DIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([tests, os.path.dirname(tests), os.environ.get("PYTHONPATH", "")])}
    errors = open(tmp_path / "stderr", "w+")  # noqa: SIM115 - (a file: the workers inherit it, a pipe would stay open)
    marks = tmp_path / "started"
    marks.mkdir()
    env["SLOW_DETECT_DIR"] = str(marks)
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_COMMAND], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=errors)
    try:
        _wait_for_two_workers(marks, proc, tmp_path / "stderr")
        proc.send_signal(getattr(signal, kill))
        if kill == "SIGTERM":  # one line, exit 143, the workers ended on the way out
            assert proc.wait(timeout=30) == 128 + signal.SIGTERM
            err = (tmp_path / "stderr").read_text()
            assert err.strip().splitlines() == [err.strip()] and "stopped by SIGTERM" in err
        else:  # no time to end them: each worker sees its parent gone
            assert proc.wait(timeout=30) == -signal.SIGKILL
        deadline = time.monotonic() + 20
        while _alive_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _alive_in_group(proc.pid) == []
    finally:
        for pid in _alive_in_group(proc.pid):  # (only what this test started)
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        errors.close()


@pytest.mark.skipif(not os.path.isdir("/proc") or not hasattr(os, "fork"), reason="needs fork and /proc")
def test_ctrl_c_at_a_terminal_ends_the_workers_with_one_line(tmp_path):
    # Round-fifty audit: a terminal sends Ctrl-C (SIGINT) to every process of the command, its
    # workers too: each printed a KeyboardInterrupt traceback, and the command said "Aborted!"
    # and exited 1. The workers ignore it (their parent ends them); the command says one line.
    import signal
    import subprocess
    import sys
    import time

    tests = os.path.dirname(os.path.abspath(__file__))
    marks = tmp_path / "started"
    marks.mkdir()
    env = {**os.environ, "SLOW_DETECT_DIR": str(marks),
           "PYTHONPATH": os.pathsep.join([tests, os.path.dirname(tests), os.environ.get("PYTHONPATH", "")])}
    errors = open(tmp_path / "stderr", "w+")  # noqa: SIM115 - (a file: the workers inherit it)
    proc = subprocess.Popen([sys.executable, "-c", _IDLE_WORKER_COMMAND], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=errors)
    try:
        _wait_for_two_workers(marks, proc, tmp_path / "stderr")
        time.sleep(1)  # (the third worker is done with its batch: idle, waiting for another)
        os.killpg(proc.pid, signal.SIGINT)  # (the whole group, as a terminal does)
        assert proc.wait(timeout=30) == 128 + signal.SIGINT
        deadline = time.monotonic() + 20
        while _alive_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _alive_in_group(proc.pid) == []
        err = (tmp_path / "stderr").read_text()
        assert err.strip().splitlines() == [err.strip()] and "stopped by Ctrl-C (SIGINT)" in err, err
    finally:
        for pid in _alive_in_group(proc.pid):  # (only what this test started)
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        errors.close()


def first_fast_then_slow_detect(tx: pd.DataFrame, as_of: str, **kwargs):
    """Account "0" at once (its worker then waits, idle); the others as :func:`slow_detect`."""
    if str(tx["account_id"].iloc[0]) != "0":
        return slow_detect(tx, as_of, **kwargs)
    return engines.conform_streams(None), engines.conform_flags(None)


_IDLE_WORKER_COMMAND = """
import signal
# Ctrl-C's default handling, as under a terminal (a shell's background job or a CI runner may
# start us with SIGINT ignored, and the forkserver's workers with it)
signal.signal(signal.SIGINT, signal.default_int_handler)
import pandas as pd
from detector.cli import cli
from detector.engines.workers import detect_batches
from test_workers import first_fast_then_slow_detect

@cli.command("slow-batches")
def slow_batches():
    frames = [pd.DataFrame({"account_id": [str(i)]}) for i in range(3)]
    detect_batches(frames, "2025-01-31", detect=first_fast_then_slow_detect, workers=3)

cli.main(["slow-batches"], prog_name="subdetect")
"""
