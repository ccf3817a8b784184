"""Ctrl-C (SIGINT) and SIGTERM: one line on stderr, exit 130 or 143, never a traceback.

Round-fifty audit: Ctrl-C on `scan` and `nightly` printed click's "Aborted!" and exited 1 (what a
failed item or file exits), without SIGTERM's line telling to run the command again; in its
first seconds (while Python imports the detector) it printed a KeyboardInterrupt traceback, and
a SIGTERM then ended the command silently with 143. Every signal here is a real one, sent to a
real process (by itself at a named step, :mod:`detector.faults`, or while it imports).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
AS_OF = "2025-06-30"
LINE = ("Error: stopped by Ctrl-C (SIGINT); what was committed stays, nothing half-written: run the command "
        "again to finish (the next nightly marks this one interrupted)")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUBDETECT_CRASH")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


#: ``python -m detector`` with Ctrl-C's default handling (KeyboardInterrupt), as under a terminal:
#: a shell's background job or a CI runner may start us with SIGINT ignored, proving nothing.
_MAIN = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
         "runpy.run_module('detector', run_name='__main__', alter_sys=True)")


def _run(args, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _MAIN, *map(str, args)], env=_env(**extra),
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)


def _stderr_lines(err: str) -> list[str]:
    """stderr less the ingest table and the nightly's log lines."""
    return [line for line in err.splitlines()
            if line.strip() and line[0] not in "┏┃┡│├└" and "Ingest" not in line and " INFO " not in line]


def test_ctrl_c_on_scan_says_what_to_do_and_exits_130(tmp_path):
    db = tmp_path / "s.db"
    stopped = _run(["scan", SAMPLES / "amex.csv", "--db", db, "--as-of", AS_OF],
                   SUBDETECT_CRASH_AT="scan.stored", SUBDETECT_CRASH_SIGNAL="SIGINT")
    assert stopped.returncode == 130, stopped.stderr
    assert _stderr_lines(stopped.stderr) == [LINE]
    assert "Traceback" not in stopped.stderr and "Aborted!" not in stopped.stderr
    again = _run(["scan", SAMPLES / "amex.csv", "--db", db, "--as-of", AS_OF])
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM streams").fetchone()[0] > 0


def test_ctrl_c_on_nightly_marks_the_run_interrupted_and_exits_130(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "amex.csv").write_bytes((SAMPLES / "amex.csv").read_bytes())
    db = tmp_path / "s.db"
    stopped = _run(["nightly", "--db", db, "--inbox", inbox, "--as-of", AS_OF],
                   SUBDETECT_CRASH_AT="inbox.ingested", SUBDETECT_CRASH_SIGNAL="SIGINT")
    assert stopped.returncode == 130, stopped.stderr
    assert stopped.stderr.strip().splitlines()[-1] == LINE
    assert "Traceback" not in stopped.stderr and "Aborted!" not in stopped.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
    again = _run(["nightly", "--db", db, "--inbox", inbox, "--as-of", AS_OF])
    assert again.returncode == 0, again.stderr


#: Runs the ``subdetect`` entry point (``subdetect_cli.main``, what the console script calls)
#: with a signal sent to itself as Python imports pandas, the detector's first heavy import.
_EARLY = """
import os, signal, sys

class SignalOnImport:
    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), getattr(signal, os.environ["EARLY_SIGNAL"]))
        return None

sys.meta_path.insert(0, SignalOnImport())
sys.argv = ["subdetect", *sys.argv[1:]]
import subdetect_cli
subdetect_cli.main()
"""


@pytest.mark.parametrize(("sig", "code", "name"), [("SIGINT", 130, "Ctrl-C (SIGINT)"), ("SIGTERM", 143, "SIGTERM")])
def test_a_signal_while_the_command_starts_says_one_line(tmp_path, sig, code, name):
    db = tmp_path / "s.db"
    proc = subprocess.run([sys.executable, "-c", _EARLY, "scan", str(SAMPLES / "amex.csv"), "--db", str(db)],
                          env=_env(EARLY_SIGNAL=sig), capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          check=False)
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.strip().splitlines() == [LINE.replace("Ctrl-C (SIGINT)", name)]
    assert not db.exists()


def test_the_console_script_runs_the_entry_point():
    # the installed `subdetect` calls subdetect_cli.main (pyproject.toml), whose handlers are set
    # before the detector is imported
    script = Path(sys.executable).parent / "subdetect"
    if not script.exists():
        pytest.skip("subdetect is not installed beside this Python")
    assert "from subdetect_cli import main" in script.read_text()
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_the_entry_points_line_is_the_commands_line():
    import subdetect_cli
    from detector.cli.app import stopped_line

    for signum in (signal.SIGINT, signal.SIGTERM):
        assert subdetect_cli.stopped_line(signum) == stopped_line(signum)
