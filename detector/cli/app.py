"""The ``subdetect`` click group and what every command shares.

Commands live in sibling modules (one per area) and register on :data:`cli`; they call one
library function each and never hold business logic. Library errors become clear messages and
a non-zero exit here, in one place.
"""

from __future__ import annotations

import signal
import sqlite3
import sys
import threading

import click

from ..errors import (
    DetectorError,
    EngineUnavailable,
    ImportError_,
    InvalidTransition,
    LockHeld,
    NotFound,
)
from ..store import DEFAULT_DB_TIMEOUT, OWED_BECAUSE, OWED_REASONS, db_timeout, locked_reason


def _timeout_or_default() -> float:
    """The busy timeout the command waited (:func:`detector.store.db_timeout`), or the default
    where ``SUBDETECT_DB_TIMEOUT`` is unreadable (that error is said when a store opens)."""
    try:
        return db_timeout()
    except DetectorError:
        return DEFAULT_DB_TIMEOUT


#: Exit codes: 1 generic failure, 2 usage (click), 3 bad input file, 4 not found,
#: 5 refused status move, 6 another run holds the lock, 7 engine not installed.
EXIT_CODES: list[tuple[type[DetectorError], int]] = [
    (ImportError_, 3),
    (NotFound, 4),
    (InvalidTransition, 5),
    (LockHeld, 6),
    (EngineUnavailable, 7),
]


#: Exit code of a command stopped by SIGTERM (128 + 15, as a shell reports a process it killed).
EXIT_TERMINATED = 128 + signal.SIGTERM
#: Exit code of a command stopped by Ctrl-C (SIGINT: 128 + 2, the shell's convention).
EXIT_INTERRUPTED = 128 + signal.SIGINT


def stopped_line(signum: int) -> str:
    """The one line a command stopped by a signal says (the entry point says the same, subdetect_cli)."""
    name = "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C (SIGINT)"
    return (f"Error: stopped by {name}; what was committed stays, nothing half-written: run the command again "
            "to finish (the next nightly marks this one interrupted)")


class Terminated(BaseException):
    """SIGTERM arrived: raised in the main thread so every ``with`` and ``finally`` runs (worker
    processes ended, locks and the store closed). A BaseException: no stage's ``except Exception``
    records it and carries on."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


class DetectorGroup(click.Group):
    """Turns :class:`DetectorError` into a one-line message and an exit code, SIGTERM into exit
    143 and Ctrl-C (SIGINT) into exit 130, each with one line."""

    def invoke(self, ctx: click.Context):
        # round-twenty-five audit: a SIGTERM'd `scan --workers 2` died at once and left its
        # workers and their forkserver running; raised as an exception, it ends them on the way out.
        # Round-fifty audit: Ctrl-C said only click's "Aborted!" and exited 1, as a failed file
        # does; it is KeyboardInterrupt here (whatever handler the entry point set), said in a line.
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
        previous_int = signal.signal(signal.SIGINT, signal.default_int_handler) if main else None
        try:
            return self._invoke(ctx)
        except Terminated:
            click.echo(stopped_line(signal.SIGTERM), err=True)
            sys.exit(EXIT_TERMINATED)
        except KeyboardInterrupt:
            click.echo(stopped_line(signal.SIGINT), err=True)
            sys.exit(EXIT_INTERRUPTED)
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
                signal.signal(signal.SIGINT, previous_int if previous_int is not None else signal.default_int_handler)

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DetectorError as exc:
            code = next((c for t, c in EXIT_CODES if isinstance(exc, t)), 1)
            click.echo(f"Error: {exc}", err=True)
            sys.exit(code)
        except sqlite3.OperationalError as exc:
            # a database the command may read but not write (a read-only file, a full disk):
            # round-twenty-one audit, scan, detect and cancel ended in a traceback
            text = str(exc)
            if "full" in text.lower():
                # round-fifty audit: "Check that the --db file ... is writable" pointed the wrong way
                text = (f"cannot write the database: {text}: the disk (or quota) holding the --db file is full. "
                        "What was committed stays, nothing half-written: free some space there, or give a --db "
                        "on another disk, and run the command again to finish.")
            elif any(w in text.lower() for w in ("readonly", "read-only", "disk", "unable to open")):
                text = (f"cannot write the database: {text}. Check that the --db file (default ./subdetect.db, "
                        "or SUBDETECT_DB) and its folder are writable, or give another --db.")
            elif "locked" in text.lower() or "busy" in text.lower():
                # another command or tool held the write lock past the busy timeout: say how long
                # was waited and what to do (the nineteenth session's note: only the nightly said so)
                text = (f"the database failed: {locked_reason(exc, _timeout_or_default())}. Run the command again "
                        "when the other one has finished, or wait longer with SUBDETECT_DB_TIMEOUT (seconds)")
            else:
                text = f"the database failed: {text}"
            click.echo(f"Error: {text}", err=True)
            sys.exit(1)


@click.group(cls=DetectorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="subscription-detector", prog_name="subdetect")
def cli() -> None:
    """Find recurring charges in bank transactions, flag the renewals you did not expect,
    and prepare refund requests that follow each vendor's own refund process.

    Start with `subdetect scan STATEMENT.csv`, or `make run` for the bundled samples.
    """


def db_option(f):
    """``--db PATH`` (env ``SUBDETECT_DB``, default ``./subdetect.db``)."""
    return click.option(
        "--db",
        "db_path",
        envvar="SUBDETECT_DB",
        default="subdetect.db",
        show_default=True,
        type=click.Path(dir_okay=False),
        help="SQLite database file (env SUBDETECT_DB).",
    )(f)


def existing_store(db_path: str, *, readonly: bool = False):
    """The store at ``db_path`` for a command that reads what earlier runs stored.

    A mistyped ``--db`` would otherwise create an empty database and report "nothing found". An
    empty file (zero bytes, no ``-wal`` beside it) is no store either: SQLite would make it one
    (round-fifty audit: `report` wrote the whole schema into it). ``readonly``: a command that
    only reads opens it read-only (:class:`detector.store.Store`), so it writes nothing to it,
    and reads a store in a folder it cannot write.
    """
    from pathlib import Path

    from ..store import Store

    if db_path != ":memory:":
        path = Path(db_path)
        if not path.exists():
            raise NotFound(f"no database at {db_path}: run `subdetect scan` or `subdetect ingest` first, "
                           f"or point --db (or SUBDETECT_DB) at yours")
        wal = Path(f"{db_path}-wal")
        if path.is_file() and path.stat().st_size == 0 and not (wal.is_file() and wal.stat().st_size):
            raise NotFound(f"no database at {db_path}: it is an empty file (0 bytes), not a subdetect store; run "
                           "`subdetect scan` or `subdetect ingest` first, or point --db (or SUBDETECT_DB) at yours")
    return Store(db_path, readonly=readonly)


def check_statement_options(layout: str | None, columns: str | None) -> None:
    """``--layout`` and ``--columns`` of ``scan`` and ``ingest`` checked before the store opens: a
    layout no importer has, or a mapping with an unknown key, is a usage error (exit 2), and no
    database is made at ``--db`` (round-57 audit: both exited 1, the failure code, after making one)."""
    from ..errors import ConfigError
    from ..importers.ingest import checked_format, checked_mapping

    try:
        checked_format(layout)
    except ConfigError as exc:
        raise click.BadParameter(f"{exc} (`subdetect formats`)", param_hint="--layout") from exc
    try:
        checked_mapping(columns)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--columns") from exc


def note_owed_detected(result) -> None:
    """Say on stderr which accounts a run also detected because an earlier one stored their rows
    and stopped before detecting them (:meth:`detector.store.Store.detection_owed`)."""
    owed = getattr(result, "owed_detected", None) or []
    if owed:
        reasons = getattr(result, "owed_reasons", None) or {}
        by_why: dict[tuple, list[str]] = {}
        for account in owed:  # (each reason said of its accounts: r55 audit, a link made with
            by_why.setdefault(tuple(reasons.get(account, ["stored"])), []).append(account)  # --no-detect)
        parts = []
        for why, accounts in by_why.items():
            shown = ", ".join(accounts[:5]) + (f" and {len(accounts) - 5} more" if len(accounts) > 5 else "")
            parts.append(f"{shown}: " + " and ".join(OWED_BECAUSE.get(w, w) for w in why))
        click.echo(f"note: also detected {len(owed)} account(s) whose stored transactions no detection had looked "
                   f"at ({'; '.join(parts)}); `subdetect report` shows them", err=True)


def warn_detection_owed(store, account_id: str | None, as_of: str) -> None:
    """Warn on stderr when stored transactions wait for a detection (a scan killed between
    storing and detecting, `ingest` or `plaid sync` without a run since): the report lacks their
    subscriptions and flags. Names how many accounts and the command that finishes the job."""
    entries = store.detection_owed_entries()  # (one read: the accounts and their reasons alike)
    owed = sorted(entries)
    if account_id is not None:
        owed = [a for a in owed if a == account_id]
    if not owed:
        return
    shown = ", ".join(owed[:5]) + (f" and {len(owed) - 5} more" if len(owed) > 5 else "")
    command = f"subdetect detect --account {owed[0]} --as-of {as_of}" if account_id else \
        f"subdetect detect --as-of {as_of}"
    why = [w for w in OWED_REASONS if any(w in entries[a][1] for a in owed)]
    if why == ["stored"]:
        click.echo(f"warning: {len(owed)} account(s) hold transactions no detection has looked at yet ({shown}): "
                   "stored by `ingest`, `plaid sync` or a scan or nightly that stopped before detecting, their "
                   f"subscriptions and flags are missing here. Run `{command}` (or the next scan or nightly) "
                   "to finish the job.", err=True)
        return
    # a link made or undone without detecting: the report still shows the accounts as detected
    # before it (r55 audit's leftover: this said "stored by `ingest`, ..." for a link too)
    because = " and ".join(OWED_BECAUSE[w] for w in why)
    click.echo(f"warning: {len(owed)} account(s) are owed a detection ({shown}): {because}; their subscriptions "
               f"and flags here do not show it yet. Run `{command}` (or the next scan or nightly) to finish the "
               "job.", err=True)


def note_future_as_of(as_of: str | None) -> None:
    """Say on stderr when ``--as-of`` is after today: plans whose charges have not happened yet
    read ended or overdue (round-fifty audit: 2031-01-01 was taken without a word)."""
    from datetime import date

    if as_of and as_of > date.today().isoformat():
        click.echo(f"warning: --as-of {as_of} is after today ({date.today().isoformat()}): charges due by then "
                   "cannot be in the data yet, so plans show as ended or overdue. Leave --as-of out to judge "
                   "as of today.", err=True)


def note_unknown_account(store, account_id: str | None) -> None:
    """Say on stderr when ``--account`` names an account nothing is stored for: a typo would
    otherwise read as "no subscriptions" (or a cancellation that never matches)."""
    if account_id is None:
        return
    for table in ("transactions", "streams"):  # (a Spark run stores streams, not transactions)
        if store.conn.execute(f"SELECT 1 FROM {table} WHERE account_id = ? LIMIT 1", [account_id]).fetchone():
            return
    known = [r[0] for r in store.conn.execute(
        "SELECT account_id FROM (SELECT DISTINCT account_id FROM transactions UNION SELECT DISTINCT account_id "
        "FROM streams) ORDER BY account_id LIMIT 11")]
    listed = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
    click.echo(f"note: nothing is stored for account {account_id!r}"
               + (f"; stored accounts: {listed}" if known else "; the database holds no account yet"), err=True)


def note_unknown_cancellation_accounts(store, cancellations, path, *, recorded: bool = False) -> None:
    """Say on stderr which rows of a cancellations file name an account nothing is stored for:
    their cancellation reaches no plan (round-fourteen audit: the sample file's ``capital_one``,
    stored as ``capital_one-4821``, left six charges after a cancellation unflagged, silently;
    round-44 audit: ``cancel --cancellations`` said nothing of such a row). ``cancellations`` is a
    :func:`detector.decisions.load_cancellations_file` frame; ``recorded``: the rows were recorded
    for later runs (``cancel``), not only applied to this one."""
    if cancellations is None or cancellations.empty:
        return
    known = {r[0] for r in store.conn.execute(
        "SELECT DISTINCT account_id FROM transactions UNION SELECT DISTINCT account_id FROM streams")}
    listed = ", ".join(sorted(known)[:10]) + (", ..." if len(known) > 10 else "")
    for rec in cancellations.itertuples(index=False):
        if str(rec.account_id) not in known:
            click.echo(f"note: {path} line {rec.source_line} names account {rec.account_id!r}, which nothing is "
                       f"stored for (stored accounts: {listed or 'none'}): its cancellation of {rec.merchant!r} "
                       + (f"is recorded but reaches no plan until statements of {rec.account_id!r} are stored"
                          if recorded else "reaches no plan"), err=True)


class IsoDate(click.ParamType):
    """A calendar date written ``YYYY-MM-DD``; the value stays that string.

    Checked before any work starts: a scan must not ingest its files and then stop at a date
    it cannot read, and ``report --since 2025-2-1`` must not compare text and match nothing.
    """

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        from datetime import date

        if value is None or isinstance(value, date):
            return None if value is None else value.isoformat()
        text = str(value).strip()
        try:
            if len(text) != 10:
                raise ValueError
            return date.fromisoformat(text).isoformat()
        except ValueError:
            self.fail(f"{value!r} is not a calendar date written YYYY-MM-DD (e.g. 2025-06-30)", param, ctx)


ISO_DATE = IsoDate()


workers_option = click.option(
    "--workers", type=click.IntRange(min=0), default=1, show_default=True,
    help="Processes that detect batches of accounts at once (0: one per CPU). Same result; more "
         "memory: each worker holds a batch of about 250k transactions.")


def format_option(*choices: str, default: str = "table"):
    def deco(f):
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=default,
            show_default=True,
            help="Output format.",
        )(f)

    return deco
