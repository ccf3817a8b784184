"""The nightly batch job: sync Plaid, ingest the inbox, detect, flag, queue refunds, report.

:func:`run_nightly` is the whole job; ``subdetect nightly`` and ``pipelines/nightly.py`` only call it.

* One run at a time: an exclusive lock on ``<db>.lock`` (:class:`detector.errors.LockHeld`).
* Every run is logged in the ``runs`` table with counts per stage and one error per failed
  item or file; the result's ``exit_code`` is non-zero when anything failed.
* Crash-safe and idempotent: each Plaid item commits its pages with its cursor, each inbox file
  moves only after its rows are committed, detection replaces what it stored, and reports are
  written atomically. Killed anywhere and run again, the store ends as if never interrupted;
  run twice on the same data, the second run changes nothing.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from .errors import ConfigError, DetectorError, RunNotRecorded, StoreError
from .faults import crashpoint
from .inbox import (
    REJECTED_SUFFIX,
    account_of,
    already_imported,
    file_away,
    left_folders,
    pending_files,
    rejected_text,
)
from .progress import NoProgress, Progress
from .runs import JobLock, fail_run, finish_run, interrupt_run, start_run
from .store import OWED_BECAUSE, OWED_REASONS, Store, locked_reason

log = logging.getLogger("detector.nightly")

KIND = "nightly"
#: Rejected lines named per file in the log, and per run in the summary.
SHOWN = 5
#: Rejected lines (``file:line: reason``) kept per run in the run log and per file in the result.
KEPT = 20


@dataclass
class NightlyResult:
    """What a run did. ``errors`` has one entry per failed item, file or stage."""

    run_id: str
    as_of: str
    status: str = "running"
    items: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    reports: dict = field(default_factory=dict)
    #: accounts whose Plaid item has stopped syncing, as the report names them
    #: (:func:`detector.freshness.sync_problems`)
    sync_problems: list[dict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def as_dict(self) -> dict:
        return {**asdict(self), "exit_code": self.exit_code}

    def summary(self) -> str:
        """A few human lines: what each stage did and what failed."""
        p, i, d = (self.counts.get(k, {}) for k in ("plaid", "inbox", "detect"))
        lines = [
            f"nightly run {self.run_id} as of {self.as_of}: {self.status}",
            (f"  plaid:  {p.get('items', 0)} item(s), {p.get('failed', 0)} failed; "
             f"{p.get('new', 0)} new, {p.get('changed', 0)} changed, {p.get('deleted', 0)} deleted row(s) "
             f"(fetched: {p.get('added', 0)} added, {p.get('modified', 0)} modified, {p.get('removed', 0)} removed)"),
            (f"  inbox:  {i.get('files', 0)} file(s), {i.get('failed', 0)} failed; "
             f"{i.get('stored', 0)} stored, {i.get('duplicates', 0)} duplicates, {i.get('rejected', 0)} rejected"),
            (f"  detect: {d.get('streams', 0)} streams, {d.get('flags', 0)} flags, "
             f"{d.get('refund_requests', 0)} refund requests"),
        ]
        if d.get("owed_accounts"):
            lines.append(_owed_line(d["owed_accounts"], d.get("owed_reasons", {"stored": d["owed_accounts"]})))
        rejections = i.get("rejections", [])
        named = [f"  rejected {r}" for r in rejections[:SHOWN]]
        shown = min(len(rejections), SHOWN)
        if i.get("rejected", 0) > shown:
            lists = [f["rejected_list"] for f in self.files if f.get("rejected_list")]
            named.append(f"  ... and {i['rejected'] - shown} more rejected line(s), each named in "
                         f"{', '.join(lists[:3])}{' ...' if len(lists) > 3 else ''}")
        lines[3:3] = named + [f"  note: {n}" for n in i.get("notes", [])]  # below the inbox line
        # (an account a sync linked to the one it continues, by Plaid's persistent_account_id)
        lines[2:2] = [f"  plaid:  {item['name']}: {line}" for item in self.items for line in item.get("linked", [])]
        if i.get("folders_not_read"):
            why = ("folders inside account folders" if i.get("account_folders")
                   else "subfolders; --account-folders reads INBOX/<account>/")
            lines.append(f"  inbox:  not read: {', '.join(i['folders_not_read'])} ({why})")
        for fmt, path in sorted(self.reports.items()):
            lines.append(f"  report: {path}")
        for err in self.errors:
            where = err.get("item") or err.get("file") or err["stage"]
            lines.append(f"  FAILED {err['stage']} {where}: {err['error']}")
        lines += [f"  STALE {p['message']}" for p in self.sync_problems]
        return "\n".join(lines)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _sync_plaid(store: Store, result: NightlyResult, progress: Progress, *, api=None, policy=None,
                count: int = 500) -> None:
    from .plaid import list_items, sync_items

    names = [row["name"] for row in list_items(store)]
    counts = {"items": len(names), "ok": 0, "failed": 0, "pages": 0, "added": 0, "modified": 0,
              "removed": 0, "restarts": 0, "new": 0, "changed": 0, "deleted": 0}
    result.counts["plaid"] = counts
    if not names:
        log.info("plaid: no linked items")
        return
    progress.stage("plaid", len(names))

    def on_item(r):
        result.items.append(r.as_dict())
        counts["ok" if r.ok else "failed"] += 1
        for k in ("pages", "added", "modified", "removed", "restarts", "new", "changed", "deleted"):
            counts[k] += getattr(r, k)
        if not r.ok:
            result.errors.append({"stage": "plaid", "item": r.name, "error_code": r.error_code,
                                  "error": r.error})
        progress.advance("plaid")

    try:
        sync_items(store, names, api=api, policy=policy, count=count, on_item=on_item, as_of=result.as_of)
    except DetectorError as exc:  # configuration: no item could be tried
        log.error("plaid: %s", exc)
        counts["failed"] = len(names) - counts["ok"]
        result.errors.append({"stage": "plaid", "error_code": type(exc).__name__, "error": str(exc)})


def _stored_rejections(store: Store, path: Path) -> list[tuple[int, str, str]]:
    """The rejected lines stored for ``path`` (a file ingested by a run killed before filing it away)."""
    return [tuple(r) for r in store.conn.execute(
        "SELECT source_line, reason, raw FROM rejected_rows WHERE source_file = ? ORDER BY source_line",
        [str(path)]).fetchall()]


def _tell_rejections(name: str, rejections: list[tuple[int, str, str]], notes: list[str], entry: dict,
                     counts: dict) -> None:
    """Name a file's rejected lines and notes in the log, its entry and the run's counts (the
    sixteenth audit found a run saying only "1 rejected", naming no line)."""
    for line, reason, _ in rejections[:SHOWN]:
        log.warning("inbox: %s:%d: rejected: %s", name, line, reason)
    if len(rejections) > SHOWN:
        log.warning("inbox: %s: %d more rejected line(s), each named in %s", name, len(rejections) - SHOWN,
                    entry.get("rejected_list"))
    for note in notes:
        log.warning("inbox: %s: note: %s", name, note)
    entry["rejections"] = [{"line": line, "reason": reason} for line, reason, _ in rejections[:KEPT]]
    entry["notes"] = list(notes)
    room = max(KEPT - len(counts["rejections"]), 0)
    counts["rejections"] += [f"{name}:{line}: {reason}" for line, reason, _ in rejections[:room]]
    counts["notes"] += [f"{name}: {note}" for note in notes]


def _ingest_inbox(store: Store, inbox: Path | None, result: NightlyResult, progress: Progress,
                  account_folders: bool = False) -> None:
    counts = {"files": 0, "processed": 0, "failed": 0, "stored": 0, "duplicates": 0, "rejected": 0,
              "rejections": [], "notes": []}
    result.counts["inbox"] = counts
    if inbox is None:
        return
    if not inbox.is_dir():  # a typo in the crontab, a share not mounted: not "ok, no new files"
        error = (f"inbox folder {inbox} does not exist" if not inbox.exists() else
                 f"inbox {inbox} is not a folder") + ": check --inbox (nothing was read from it)"
        log.error("inbox: %s", error)
        result.errors.append({"stage": "inbox", "file": str(inbox), "error": error})
        return
    left = left_folders(inbox, account_folders=account_folders)
    counts["folders_not_read"] = [str(p.relative_to(inbox)) for p in left]
    counts["account_folders"] = account_folders
    if left:
        names = ", ".join(counts["folders_not_read"][:10]) + (" ..." if len(left) > 10 else "")
        why = "folders inside account folders" if account_folders else \
            "subfolders (--account-folders reads INBOX/<account>/ as that account's files)"
        log.warning("inbox: not read: %d %s: %s", len(left), why, names)
    files = pending_files(inbox, account_folders=account_folders)
    counts["files"] = len(files)
    if not files:
        log.info("inbox %s: no new files", inbox)
        return

    progress.stage("inbox", len(files))
    for path in files:
        account = account_of(inbox, path) if account_folders else None
        # the imports ledger keys on the path: make it independent of cwd (not resolved: a
        # symlink dropped in the inbox is filed away, not the file it points to)
        path = Path(os.path.abspath(path))
        name = path.name if account is None else f"{account}/{path.name}"
        entry = {"file": name, "ok": False}
        try:
            _ingest_one(store, path, name, account, entry, counts)
        except Exception as exc:  # noqa: BLE001 - one file's trouble is that file's failure
            # round-twenty-five audit: one unreadable file (or a dangling symlink, or a failed/
            # it could not write) ended the whole stage; the files after it waited every night
            _file_failed(path, name, entry, counts, result, exc)
            progress.advance("inbox")
            continue
        if not entry["ok"]:
            result.errors.append({"stage": "inbox", "file": name, "error": entry["error"]})
        result.files.append(entry)
        progress.advance("inbox")


def _ingest_one(store: Store, path: Path, name: str, account: str | None, entry: dict, counts: dict) -> None:
    """Ingest one inbox file and file it away, filling its ``entry`` and the run's ``counts``."""
    from .importers import ingest_files

    if already_imported(store, path):
        log.info("inbox: %s was ingested by an interrupted run; filing it away", name)
        rejections = _stored_rejections(store, path)
        moved = file_away(path, ok=True, rejected=rejected_text(name, rejections) if rejections else None)
        entry.update(ok=True, already_imported=True, moved_to=str(moved))
        if rejections:
            entry["rejected_list"] = str(moved) + REJECTED_SUFFIX
            _tell_rejections(name, rejections, [], entry, counts)
        counts["processed"] += 1
        return
    rejections, notes = [], []
    try:
        (res,) = ingest_files([path], store, account_id=account)
        ok, error = bool(res.ok), (None if res.ok else str(res.error))
        for k in ("stored", "duplicates", "rejected"):
            entry[k] = int(getattr(res, k, 0) or 0)
            counts[k] += entry[k]
        rejections = [(r["source_line"], r["reason"], r["raw"]) for r in res.rejections]
        notes = list(res.notes)
    except DetectorError as exc:
        ok, error = False, str(exc)
    crashpoint("inbox.ingested")
    entry["error"] = error
    # (a file whose every line was rejected fails with them listed beside it, as a partly bad one's)
    moved = file_away(path, ok=ok, reason=error, rejected=rejected_text(name, rejections) if rejections else None)
    crashpoint("inbox.moved")
    entry.update(ok=ok, moved_to=str(moved))
    if rejections:
        entry["rejected_list"] = str(moved) + REJECTED_SUFFIX
    counts["processed" if ok else "failed"] += 1
    if ok:
        log.info("inbox: %s: %d stored, %d duplicates, %d rejected -> %s", name,
                 entry.get("stored", 0), entry.get("duplicates", 0), entry.get("rejected", 0), moved)
        _tell_rejections(name, rejections, notes, entry, counts)
    else:
        log.error("inbox: %s failed: %s -> %s", name, error, moved)


def _file_failed(path: Path, name: str, entry: dict, counts: dict, result: NightlyResult, exc: Exception) -> None:
    """A file that could not be read, ingested or filed away fails alone: it goes to ``failed/``
    with its reason when it can, else it stays in the inbox, named as failed either way."""
    error = entry.get("error") or (f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.strerror
                                   else f"{type(exc).__name__}: {exc}")
    if entry.get("stored") is not None and entry.get("error") is None:
        error = f"its rows were stored, but it could not be filed away: {error}"
    try:
        moved = file_away(path, ok=False, reason=error) if os.path.lexists(path) else None
    except Exception as again:  # noqa: BLE001 - failed/ cannot be written either: it stays put
        moved = None
        error += f" (left in the inbox: cannot move it to failed/: {getattr(again, 'strerror', None) or again})"
    entry.update(ok=False, error=error, moved_to=str(moved) if moved else None)
    counts["failed"] += 1
    log.error("inbox: %s failed: %s%s", name, error, f" -> {moved}" if moved else "")
    result.errors.append({"stage": "inbox", "file": name, "error": error})
    result.files.append(entry)


def _owed_line(count: int, reasons: dict[str, int]) -> str:
    """The summary's line for the accounts detected because a detection was owed them: rows an
    earlier run or `ingest` stored, or a link made or undone with --no-detect (twenty-sixth
    session's leftover: it said "stored" for a link too)."""
    if set(reasons) <= {"stored"}:
        return f"  detect: also {count} account(s) whose rows an earlier run or `ingest` stored without detecting them"
    because = "; ".join(f"{n} {OWED_BECAUSE.get(w, w)}" for w, n in sorted(
        reasons.items(), key=lambda item: OWED_REASONS.index(item[0]) if item[0] in OWED_REASONS else 99))
    return f"  detect: also {count} account(s) owed a detection: {because}"


def _detect_and_report(store: Store, db_path: Path, result: NightlyResult, progress: Progress,
                       workers: int | None = 1, owed_before: frozenset = frozenset()) -> None:
    from .pipeline import run_detection, stored_notes
    from .refunds import unasked_counts
    from .report import render_scan

    progress.stage("detect", 2)
    scan = run_detection(store, result.as_of, workers=workers)
    crashpoint("detect.done")
    result.counts["detect"] = {"streams": len(scan.streams), "flags": len(scan.flags),
                               "refund_requests": len(scan.refund_requests)}
    # accounts an earlier run (a scan killed before detecting) or `ingest` left undetected
    owed = [a for a in scan.owed_detected if a in owed_before]
    if owed:
        result.counts["detect"]["owed_accounts"] = len(owed)
        why: dict[str, int] = {}  # how many of them each reason (a link made with --no-detect...) owed
        for account in owed:
            for reason in scan.owed_reasons.get(account, ["stored"]):
                why[reason] = why.get(reason, 0) + 1
        result.counts["detect"]["owed_reasons"] = why
        log.info("detect: also %d account(s) owed a detection (%s): %s", len(owed),
                 ", ".join(owed[:5]) + (" ..." if len(owed) > 5 else ""),
                 ", ".join(f"{w} {n}" for w, n in why.items()))
    result.sync_problems = scan.sync_problems
    for problem in scan.sync_problems:
        log.warning("stale: %s", problem["message"])
    progress.advance("detect")
    folder = db_path.parent / "reports"
    folder.mkdir(exist_ok=True)
    notes = stored_notes(store)  # (what this or an earlier scan of a file found, as `report` shows it)
    for fmt in ("json", "html"):
        target = folder / f"{result.as_of}.{fmt}"
        unasked = unasked_counts(store, scan.flags, scan.refund_requests, result.as_of) if fmt == "html" else None
        text = render_scan(scan.streams, scan.flags, scan.refund_requests, fmt, as_of=result.as_of,
                           sync_problems=scan.sync_problems, unasked=unasked, notes=notes)
        _write_atomic(target, text if text.endswith("\n") else text + "\n")
        result.reports[fmt] = str(target)
    crashpoint("report.written")
    log.info("detect: %d streams, %d flags, %d refund requests; reports in %s",
             len(scan.streams), len(scan.flags), len(scan.refund_requests), folder)
    progress.advance("detect")


def run_nightly(db_path: str | os.PathLike, *, inbox: str | os.PathLike | None = None,
                as_of: str | date | None = None, progress: Progress | None = None, api=None,
                policy=None, sync_count: int = 500, workers: int | None = 1,
                account_folders: bool = False) -> NightlyResult:
    """Run the nightly job against the store at ``db_path``. Raises :class:`LockHeld` if another
    run holds the lock; everything else that fails is recorded in the result and the run log.

    ``api`` and ``policy`` override the Plaid client and retry policy (default: from the
    environment); ``sync_count`` is the page size asked of ``/transactions/sync``; ``workers``
    processes detect batches of accounts at once (:func:`detector.pipeline.run_detection`);
    ``account_folders`` reads ``INBOX/<account>/`` as that account's files (:mod:`detector.inbox`).
    """
    from .engines.workers import start_early
    from .pipeline import as_of_str

    progress = progress or NoProgress()
    db_path = Path(db_path)
    refuse_future_as_of(as_of)
    with JobLock(db_path, KIND):
        start_early(workers)  # the workers load while Plaid is synced
        store = Store(db_path)
        result = None
        try:
            day = as_of_str(as_of)
            try:
                run_id = start_run(store, KIND, day)
            except sqlite3.OperationalError as exc:  # e.g. locked: no run row to record anything in
                raise StoreError(f"the nightly run could not start: {locked_reason(exc, store.timeout)}; "
                                 "it did nothing and recorded nothing") from exc
            result = NightlyResult(run_id=run_id, as_of=day)
            owed_before = frozenset(store.detection_owed())
            log.info("nightly run %s started (as of %s, store %s)", result.run_id, result.as_of, db_path)
            stages = (
                ("plaid", lambda: _sync_plaid(store, result, progress, api=api, policy=policy,
                                              count=sync_count)),
                ("inbox", lambda: _ingest_inbox(store, Path(inbox) if inbox else None, result, progress,
                                                account_folders)),
                ("detect", lambda: _detect_and_report(store, db_path, result, progress, workers, owed_before)),
            )
            for stage, run in stages:
                try:
                    run()
                except Exception as exc:
                    log.exception("nightly stage %s failed", stage)
                    result.errors.append({"stage": stage, "error_code": type(exc).__name__, "error": str(exc)})
            result.status = finish_run(store, result.run_id, result.counts, result.errors)
            log.info("nightly run %s ended: %s", result.run_id, result.status)
            return result
        except BaseException as exc:
            if not isinstance(exc, Exception):  # Ctrl-C, SIGTERM (cli.app.Terminated), exit
                _stopped(store, result, exc)
            elif result is not None:  # its end could not be written: the database stayed locked
                _failed(store, result, exc)
                return result
            raise
        finally:
            store.close()


def refuse_future_as_of(as_of: str | date | None) -> None:
    """Raise :class:`ConfigError` for an as-of date after today: a run as of a day to come would
    record every Plaid item as synced through it (``plaid_items.synced_through``), so an item
    that stops syncing would not read stale until that day, and every plan would be judged
    against charges that cannot have happened yet (round-fifty audit: 2031-01-01 was taken)."""
    from .pipeline import as_of_str

    if as_of is None:
        return
    day, today = as_of_str(as_of), date.today().isoformat()
    if day > today:
        raise ConfigError(f"as-of date {day} is after today ({today}): a nightly run records its Plaid items as "
                          "synced through its date, so it runs as of today (leave --as-of out) or an earlier day")


def _stopped(store, result: NightlyResult | None, exc: BaseException) -> None:
    """A run stopped by a signal is marked ``interrupted`` as it stops (:func:`runs.interrupt_run`)."""
    if result is None:
        return
    why = "stopped by SIGTERM" if type(exc).__name__ == "Terminated" else f"stopped ({type(exc).__name__})"
    log.warning("nightly run %s %s", result.run_id, why)
    if not interrupt_run(store, result.run_id, result.counts, result.errors, why):
        log.error("nightly run %s could not be marked interrupted (the database stayed locked or cannot be "
                  "written); `subdetect runs` shows it running until the next run marks it", result.run_id)


def _failed(store: Store, result: NightlyResult, exc: Exception) -> None:
    """A run whose own bookkeeping failed (its end could not be written: the database stayed
    locked past its timeout) records itself ``failed`` as it stops, with the reason in one line
    (:func:`runs.fail_run`), where it stayed ``running`` until the next run. When that cannot be
    written either, :class:`RunNotRecorded` says so (the CLI: one line on stderr, exit 1)."""
    why = locked_reason(exc, store.timeout) if isinstance(exc, sqlite3.Error) else f"{type(exc).__name__}: {exc}"
    log.error("nightly run %s failed: %s", result.run_id, why, exc_info=not isinstance(exc, sqlite3.Error))
    result.errors.append({"stage": "run", "error_code": type(exc).__name__, "error": why})
    result.status = "failed"
    try:
        fail_run(store, result.run_id, result.counts, result.errors)
    except sqlite3.Error as again:
        raise RunNotRecorded(
            f"nightly run {result.run_id} failed ({why}) and could not record that in the run log: "
            f"{locked_reason(again, store.timeout)}. `subdetect runs` shows it running until the next run "
            "marks it interrupted") from exc
    log.info("nightly run %s ended: failed", result.run_id)


def result_json(result: NightlyResult) -> str:
    return json.dumps(result.as_dict(), indent=2, sort_keys=True, default=str)
