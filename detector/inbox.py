"""The statement inbox: files dropped in a folder, filed away once ingested.

After a file's rows are committed it moves to ``processed/`` (beside a ``NAME.rejected.txt``
naming each line that was rejected, when one was); a file that cannot be imported moves to
``failed/`` beside a ``NAME.reason.txt`` that says why. Moves happen only after the
commit and ingest is idempotent (transaction ids), so a crash between the two just re-ingests the
file (all duplicates) on the next run and then moves it: nothing lost, nothing doubled.

Files still being written are skipped: names starting with ``.`` or ending ``.part``, ``.tmp``,
``.crdownload`` or ``~``. Drop files by writing elsewhere and renaming into the inbox.

A statement that does not name its account (most bank CSVs) belongs to the account its file name
says, without its date stamps (``card_2025-07.csv`` -> ``card``, see ``importers/naming.py``); a
file named by its date alone (``2025-07.csv``) would be an account of its own, and no plan would
span two months. With ``account_folders`` (``nightly --account-folders``) such files go
into a folder named after their account, ``INBOX/<account>/``: every file there is that account's
(unless the file names its own, as an OFX ``ACCTID`` does), and is filed into that folder's own
``processed/`` and ``failed/``. It is asked for, not assumed: an inbox's existing subfolders
(``archive/``) would otherwise become accounts and their files be stored again. Without it,
subfolders are not read, and the run says which it left.
"""

from __future__ import annotations

import os
from pathlib import Path

from .ids import file_sha256
from .store import Store

PROCESSED, FAILED = "processed", "failed"
REASON_SUFFIX = ".reason.txt"
#: Beside a processed file whose lines were rejected: every one, ``NAME:LINE: reason`` and its text.
REJECTED_SUFFIX = ".rejected.txt"
_PARTIAL = (".part", ".tmp", ".crdownload", "~", ".swp")


def _waiting(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir()
        # a dangling symlink is listed (and fails, to failed/), not skipped in silence
        if (p.is_file() or (p.is_symlink() and not p.exists())) and not p.name.startswith(".") and not p.name.endswith(_PARTIAL)
        and not p.name.endswith((REASON_SUFFIX, REJECTED_SUFFIX)) and p.name.lower() not in (PROCESSED, FAILED)
    )


def subfolders(inbox: str | os.PathLike) -> list[Path]:
    """``inbox``'s subfolders but ``processed`` and ``failed`` (any case) and hidden ones."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir()
                  if p.is_dir() and p.name.lower() not in (PROCESSED, FAILED) and not p.name.startswith("."))


def pending_files(inbox: str | os.PathLike, *, account_folders: bool = False) -> list[Path]:
    """Files waiting in ``inbox``, then (``account_folders``) in its account folders, in name order."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        return []
    files = _waiting(inbox)
    if account_folders:
        files += [p for folder in subfolders(inbox) for p in _waiting(folder)]
    return files


def left_folders(inbox: str | os.PathLike, *, account_folders: bool = False) -> list[Path]:
    """Folders the run does not read: every subfolder without ``account_folders``, else the
    folders inside account folders (but their ``processed`` and ``failed``)."""
    folders = subfolders(inbox)
    if not account_folders:
        return folders
    return [p for f in folders for p in subfolders(f)]


def account_of(inbox: str | os.PathLike, path: str | os.PathLike) -> str | None:
    """The account a waiting file was dropped for: its account folder's name (``None`` at the
    top). The path as listed, not resolved: a symlink's target folder is no account."""
    parent = Path(os.path.abspath(path)).parent
    return parent.name if parent != Path(os.path.abspath(inbox)) else None


def already_imported(store: Store, path: str | os.PathLike) -> bool:
    """Whether this very file (same path, same bytes) was ingested before.

    True only after a crash between an ingest's commit and the file's move: the rerun then just
    moves it, instead of ingesting it again (which would store nothing new but log a second import).
    """
    path = Path(path)
    row = store.conn.execute(
        "SELECT 1 FROM imports WHERE path = ? AND sha256 = ? LIMIT 1", [str(path), file_sha256(path)]
    ).fetchone()
    return row is not None



def _target(folder: Path, path: Path) -> Path:
    """``folder/name``; if a different file already has that name, a name carrying a content hash."""
    target = folder / path.name
    if target.exists() and file_sha256(target) != file_sha256(path):
        target = folder / f"{path.stem}.{file_sha256(path)[:12]}{path.suffix}"
    return target


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def rejected_text(name: str, rejections: list[tuple[int, str, str]]) -> str:
    """The lines of a ``NAME.rejected.txt``: ``name:line: reason`` and below it the line as written."""
    out = []
    for line, reason, raw in rejections:
        out.append(f"{name}:{line}: {reason}")
        out += [f"    {text}" for text in (raw or "").splitlines()]
    return "\n".join(out) + "\n"


def file_away(path: str | os.PathLike, *, ok: bool, reason: str | None = None,
              rejected: str | None = None) -> Path:
    """Move ``path`` into ``processed/`` or ``failed/`` next to it; a failure gets its reason file,
    a file whose lines were rejected its ``rejected`` text (:func:`rejected_text`): a processed
    one's, or a failed one's whose every line was (round-49 audit).

    Those are written (atomically) before the move, so a filed file is never found without them.
    """
    path = Path(path)
    folder = path.parent / (PROCESSED if ok else FAILED)
    folder.mkdir(exist_ok=True)
    target = _target(folder, path)
    if not ok:
        _write_atomic(target.with_name(target.name + REASON_SUFFIX), (reason or "unknown error").rstrip("\n") + "\n")
    if rejected:
        _write_atomic(target.with_name(target.name + REJECTED_SUFFIX), rejected)
    os.replace(path, target)
    _fsync_dir(folder)
    _fsync_dir(path.parent)
    return target
