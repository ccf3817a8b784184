"""Every error the library raises, rooted at :class:`DetectorError`.

The CLI maps these to clear messages and exit codes; the library never prints or exits.

    DetectorError
    ├── ConfigError              bad or missing configuration (env vars, options)
    ├── ImportError_             a statement file could not be read
    │   ├── UnrecognisedFormat   no importer claims the file (lists the columns seen)
    │   ├── AmbiguousFormat      two importers claim the same file
    │   ├── MalformedRow         one row is bad (file, line, reason)
    │   └── EmptyStatement       a file with no usable rows
    ├── CatalogError             a vendor or refund-process data file fails its schema
    ├── StoreError               the SQLite store cannot be opened or migrated
    ├── NotFound                 an id (transaction, stream, request, item) does not exist
    ├── InvalidTransition        a refund status move that the lifecycle forbids
    ├── PlaidError               Plaid answered with an error for an item
    ├── LockHeld                 another run holds the job lock
    ├── EngineUnavailable        an optional engine (Spark) is not installed
    └── ModelError               a saved scoring model is missing, unreadable or stale
"""

from __future__ import annotations


class DetectorError(Exception):
    """Root of every error raised by subscription-detector."""


class ConfigError(DetectorError):
    """Configuration is missing or invalid."""


class ImportError_(DetectorError):
    """A statement file could not be imported."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f":{line}"
            where += ": "
        super().__init__(where + message)
        self.reason = message


StatementError = ImportError_


class UnrecognisedFormat(ImportError_):
    """No importer recognises the file."""


class AmbiguousFormat(ImportError_):
    """More than one importer claims the file."""


class MalformedRow(ImportError_):
    """A row of a statement cannot be parsed."""


class EmptyStatement(ImportError_):
    """A statement file holds no usable rows.

    When it had rows and every one was rejected, ``rejected`` holds them (file, line, reason and
    raw text, as ``Statement.rejected``), ``rows_read`` their count and ``format`` the layout that
    read them: the file is refused, and its lines are kept as a partly bad file's are."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 rejected: list[dict] | None = None, rows_read: int = 0, format: str | None = None):
        super().__init__(message, path=path, line=line)
        self.rejected = list(rejected or [])
        self.rows_read = rows_read
        self.format = format


class CatalogError(DetectorError):
    """A catalogue data file does not match its schema."""


class StoreError(DetectorError):
    """The SQLite store cannot be opened, migrated or written."""


class RunNotRecorded(StoreError):
    """A run failed and could not record so in the run log (the database stayed locked)."""


class NotFound(DetectorError):
    """The requested record does not exist."""


class InvalidTransition(DetectorError):
    """A refund request status change that the lifecycle does not allow."""


class PlaidError(DetectorError):
    """Plaid returned an error for an item."""

    def __init__(self, message: str, *, error_code: str | None = None, item: str | None = None):
        self.error_code = error_code
        self.item = item
        super().__init__(message)


class LockHeld(DetectorError):
    """Another run holds the job lock."""


class EngineUnavailable(DetectorError):
    """An optional execution engine is not installed."""


class ModelError(DetectorError):
    """A saved scoring model is missing, unreadable or does not fit this code."""
