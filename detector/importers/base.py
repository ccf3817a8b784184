"""The importer interface and the dispatch that picks one importer per file.

Beangulp-style: an importer recognises a file from its own contents (``identify``), may name the
account the file belongs to (``account``), and turns the file into rows (``extract``). Exactly one
registered importer must claim a file: none is :class:`UnrecognisedFormat` (listing the columns it
saw and how to map them with ``--columns``), two is :class:`AmbiguousFormat`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import AmbiguousFormat, EmptyStatement, ImportError_, UnrecognisedFormat
from .parsing import binary_kind, decode_bytes

#: How much of a file ``identify`` sees: enough for a bank's summary block above its table.
HEAD_LINES = 40


@dataclass
class Row:
    """One transaction as an importer read it, before ids and accounts are settled."""

    line: int
    date: str
    amount: float
    description: str
    account_id: str | None = None
    transaction_id: str | None = None
    currency: str | None = None
    #: The card the row names (Capital One "Card No."), for the account when the file names none.
    card: str | None = None


@dataclass
class Reject:
    """One line an importer could not read, with the reason and the raw text."""

    line: int
    reason: str
    raw: str


class Importer:
    """Base class of every statement importer.

    Subclasses set ``name`` (the ``--format`` value), ``title``, ``currency`` (default when the
    file does not say) and ``payment_method`` (``credit_card`` for card statements, ``debit_card``
    for current accounts, ``None`` when the layout cannot tell).
    """

    name: str = ""
    title: str = ""
    currency: str | None = "USD"
    payment_method: str | None = None
    country: str | None = None
    #: Set when the user named this format: layouts then accept headers they would not claim.
    forced: bool = False

    def identify(self, path: str, head: str) -> bool:
        """Whether this importer reads ``path``, judged from its first lines ``head``."""
        raise NotImplementedError

    def account(self, path: str) -> str | None:
        """The account the whole file belongs to, when the file says so."""
        return None

    def extract(self, path: str) -> Iterator[Row | Reject]:
        """Every transaction line of the file, as a :class:`Row` or a :class:`Reject`."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def read_text(path: str | os.PathLike) -> str:
    """A statement's text, decoded (UTF-8 with or without BOM, UTF-16, else cp1252/latin-1).

    Raises :class:`UnrecognisedFormat` for binary files and :class:`EmptyStatement` for empty ones,
    both naming the file.
    """
    return load_statement(path).text


class Loaded:
    """A statement file's bytes, its encoding and (decoded when first asked for) its text."""

    def __init__(self, data: bytes, text: str | None, encoding: str):
        self.data = data
        self._text = text
        self.encoding = encoding

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = decode_bytes(self.data)[0]
        return self._text

    def head(self, lines: int = HEAD_LINES) -> str:
        """The first ``lines`` physical lines, without decoding all of a large ASCII file."""
        if self._text is None and len(self.data) > 65536:
            out = io.StringIO(self.data[:65536].decode("ascii"), newline="").readlines()
            if len(out) > lines:
                return "".join(out[:lines])
        return head_of(self.text, lines)


_NOT_SPACE = re.compile(rb"[^\t\n\x0b\x0c\r\x1c-\x1f ]")  # what str.isspace() is not, in ASCII


def load_statement(path: str | os.PathLike) -> Loaded:
    """Read and decode a statement file once (see :func:`read_text` for the rules and errors)."""
    p = str(path)
    try:
        data = Path(p).read_bytes()
    except FileNotFoundError as exc:
        raise ImportError_("file not found", path=p) from exc
    except IsADirectoryError as exc:
        raise ImportError_("is a directory, not a statement file", path=p) from exc
    except OSError as exc:
        raise ImportError_(f"cannot read: {exc.strerror}", path=p) from exc
    kind = binary_kind(data)
    if kind:
        raise UnrecognisedFormat(
            f"this is {kind}, not a text statement; export the statement as CSV or OFX/QFX", path=p
        )
    if data.isascii():  # the common case: its text is its bytes, decoded only if needed
        if not _NOT_SPACE.search(data):
            raise EmptyStatement("the file is empty", path=p)
        return Loaded(data, None, "utf-8")
    text, encoding = decode_bytes(data)
    if not text or text.isspace():  # not text.strip(), which would copy a large file
        raise EmptyStatement("the file is empty", path=p)
    return Loaded(data, text, encoding)


def head_of(text: str, lines: int = HEAD_LINES) -> str:
    """The first ``lines`` physical lines of ``text``."""
    # Split only a prefix: a million-line statement need not be split to see its header. With more
    # than ``lines`` lines in the prefix, the first ``lines`` are complete (a \r\n is not cut).
    out = io.StringIO(text[:65536], newline="").readlines()
    if len(out) <= lines and len(text) > 65536:
        out = io.StringIO(text, newline="").readlines()
    return "".join(out[:lines])


def sniff_delimiter(line: str) -> str:
    """The most likely field separator of a header line: ``;``, tab or ``,``."""
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def columns_seen(head: str) -> list[str]:
    """The cells of the first non-empty line, for error messages."""
    for line in io.StringIO(head, newline="").readlines():
        if line.strip():
            cells = next(csv.reader([line.rstrip("\r\n")], delimiter=sniff_delimiter(line)), [])
            return [c.strip().replace("\ufeff", "") for c in cells]
    return []


def _suggest_mapping(cols: list[str]) -> str:
    """A ``--columns`` value guessed from the column names, placeholders where no guess fits."""
    hints = {
        "date": ("date", "posted", "booked", "datum", "time"),
        "description": ("desc", "payee", "merchant", "name", "memo", "narrative", "details", "reference"),
        "amount": ("amount", "amt", "value", "sum", "bedrag", "betrag"),
    }
    chosen: dict[str, str] = {}
    for field, keys in hints.items():
        for col in cols:
            low = col.lower()
            if col not in chosen.values() and any(k in low for k in keys):
                chosen[field] = col
                break
    fields = ["date", "description", "amount"]
    if "amount" not in chosen:
        # money out and money in in two columns (Capital One's Debit/Credit, Paid out/Paid in)
        split = {"debit": ("debit", "withdrawal", "paid out", "money out"),
                 "credit": ("credit", "deposit", "paid in", "money in")}
        found = {f: next((c for c in cols if c not in chosen.values() and any(k in c.lower() for k in keys)), None)
                 for f, keys in split.items()}
        if all(found.values()):
            chosen.update(found)
            fields = ["date", "description", "debit", "credit"]
    return ",".join(f"{field}={chosen.get(field, f'<{field} column>')}" for field in fields)


def unrecognised(path: str, head: str, names: list[str]) -> UnrecognisedFormat:
    """The error for a file no importer claims: what was seen and how to proceed."""
    cols = columns_seen(head)
    shown = ", ".join(repr(c) for c in cols[:15]) or "(no columns)"
    message = (
        f"no importer recognises this file. Columns seen: {shown}. "
        f"Name the layout with --layout NAME (one of: {', '.join(names)}) "
        f'or map the columns, e.g. --columns "{_suggest_mapping(cols)}" '
        "(optional: account_id=, transaction_id=, currency=, debit=, credit=, date_format=%d/%m/%Y)"
    )
    return UnrecognisedFormat(message, path=path)


def choose_importer(path: str, head: str, importers: list[Importer]) -> Importer:
    """The one importer that claims ``path``; raise when none or several do."""
    claims = [imp for imp in importers if imp.identify(path, head)]
    if len(claims) == 1:
        return claims[0]
    if not claims:
        raise unrecognised(path, head, [imp.name for imp in importers])
    names = ", ".join(imp.name for imp in claims)
    raise AmbiguousFormat(
        f"several layouts fit this file ({names}); choose one with --layout NAME", path=path
    )
