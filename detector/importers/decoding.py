"""A statement's bytes to text: UTF-8 (with or without BOM), UTF-16 (with a BOM or, told by its
NUL bytes, without one: :func:`utf16_without_bom`), else cp1252/latin-1.

A UTF-8 file stays UTF-8 when a few of its bytes are not (a stray ``0x81`` in one cell of a file
edited by hand or joined with another program's text): those bytes are read as their cp1252
character (latin-1 where cp1252 has none) and the lines that hold them are named in a note
(:func:`stray_bytes_note`). Before the sixteenth session's audit one such byte made the whole file
cp1252, so every accented description was silently rewritten (``LE MONDE ÉDITION`` stored as
``LE MONDE Ã\\x89DITION``) and a clean export of the same months stored each of those charges
again, under a second plan. A file is taken for UTF-8 when it holds at least as many characters
that valid multi-byte UTF-8 sequences give as bytes that are not UTF-8, not counting characters
no statement writes, which cp1252 text makes by chance (``_UNLIKELY``: IPA letters, spacing
modifiers). Otherwise it is read as
cp1252 (latin-1 when it holds a byte cp1252 leaves undefined), as before: a cp1252 or latin-1
export holds no valid sequence at all, or a few by chance (``NESTLÉ®`` is ``0xc9 0xae``, which
UTF-8 reads as ``ɮ``), which the note then names. A UTF-8 BOM says the file is UTF-8 outright.

>>> decode_statement("CAFÉ".encode()).text
'CAFÉ'
>>> decode_statement("CAFÉ".encode("cp1252")).encoding
'cp1252'
>>> d = decode_statement("LE MONDE ÉDITION\\nSHELL,Gas".encode() + b"\\x81\\n")
>>> d.encoding, d.text.splitlines()[1], d.stray.lines
('utf-8+cp1252', 'SHELL,Gas\\x81', [2])
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field

#: The encoding of a UTF-8 file some of whose bytes are not UTF-8 (read as cp1252).
MIXED = "utf-8+cp1252"
#: The codec error handler that reads a byte UTF-8 refuses as cp1252 (latin-1 where cp1252 has none).
ERRORS = "subdetect-cp1252"

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Bytes UTF-8 refuses, as ``surrogateescape`` leaves them in the text.
_ESCAPED = re.compile("[\udc80-\udcff]+")
#: Characters that only valid multi-byte UTF-8 sequences give (not ASCII, not an escaped byte).
_MULTIBYTE_RUN = re.compile("[^\x00-\x7f\udc80-\udcff]+")
#: Characters a valid UTF-8 sequence gives that no statement writes, but cp1252 text makes by
#: chance: a capital from 0xc9 to 0xcb (É, Ê, Ë) before punctuation or a symbol ("JOSÉ’S" ->
#: "ɒ"): Latin Extended-B's end, IPA, spacing modifiers. Not combining marks: a macOS export
#: writes "CAFÉ" as "CAFE" and a combining acute.
_UNLIKELY = re.compile("[\u0240-\u02ff]")
#: Bytes cp1252 leaves undefined.
_NOT_CP1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")
_NOT_CP1252_BYTES = re.compile(b"[\x81\x8d\x8f\x90\x9d]")
#: Lines a note shows.
EXAMPLES = 5
#: Lines a note counts; past them it says "or more" (the bytes are counted all the same).
MAX_LINES = 1000


def _as_cp1252(raw: bytes) -> str:
    return "".join(bytes([b]).decode("latin-1" if b in _NOT_CP1252 else "cp1252") for b in raw)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return _as_cp1252(exc.object[exc.start:exc.end]), exc.end


codecs.register_error(ERRORS, _cp1252_fallback)


@dataclass
class Stray:
    """Where a file holds bytes read otherwise than the rest of it: bytes that are not UTF-8 in a
    UTF-8 file, or valid UTF-8 sequences in a cp1252 one."""

    #: Each line holding some (1-based physical lines, as the row reader counts them).
    lines: list[int] = field(default_factory=list)
    #: The bytes (not UTF-8) or the characters (UTF-8 sequences) found.
    count: int = 0
    #: ``(line, bytes, what they would be the other way, the line's text around them as read)``
    #: for the first :data:`EXAMPLES` lines.
    examples: list[tuple[int, bytes, str, str]] = field(default_factory=list)
    #: ``"utf-8"`` (the file is UTF-8, these bytes are not) or ``"cp1252"`` (the other way round).
    read_as: str = "utf-8"
    #: More lines hold some than :data:`MAX_LINES`, the lines listed.
    more_lines: bool = False


@dataclass
class Decoded:
    """A statement's text, the encoding it was read in, and where some bytes read otherwise."""

    text: str
    encoding: str
    stray: Stray | None = None

    @property
    def note(self) -> str | None:
        """What the analyst should hear about the decoding, or ``None``."""
        return stray_bytes_note(self.stray) if self.stray else None


def _line_breaks(text: str) -> int:
    """Physical line ends in ``text``: ``\\n``, ``\\r\\n`` and a lone ``\\r``."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _as_read(escaped: str, cp1252: bool) -> str:
    """``surrogateescape``-decoded text as the file is read: stray bytes as cp1252, or all of it."""
    if cp1252:
        return _as_cp1252(escaped.encode("utf-8", "surrogateescape"))
    return _ESCAPED.sub(lambda m: _as_cp1252(m.group().encode("utf-8", "surrogateescape")), escaped)


@dataclass
class _Tally:
    """Both ways of reading a file's bytes, counted over its text (a block at a time)."""

    not_utf8: Stray = field(default_factory=Stray)
    utf8: Stray = field(default_factory=lambda: Stray(read_as="cp1252"))
    not_cp1252: bool = False
    #: Of ``utf8``'s characters, those no statement writes (:data:`_UNLIKELY`).
    unlikely: int = 0

    def add(self, escaped: str, first_line: int) -> None:
        """Count ``escaped`` (``surrogateescape``-decoded text starting at physical ``first_line``).

        Counting is done in C; the lines are looked for only up to :data:`MAX_LINES` per kind (a
        cp1252 export has a byte that is not UTF-8 on most lines; only a few will be named).
        """
        ascii_chars = len(escaped.encode("ascii", "ignore"))
        kept = len(escaped.encode("utf-8", "ignore").decode("utf-8"))  # all but the escaped bytes
        self.not_utf8.count += len(escaped) - kept
        self.utf8.count += kept - ascii_chars
        if kept > ascii_chars:
            self.unlikely += len(_UNLIKELY.findall(escaped))
        for stray, pattern, found in ((self.not_utf8, _ESCAPED, len(escaped) - kept),
                                      (self.utf8, _MULTIBYTE_RUN, kept - ascii_chars)):
            if found:
                self._lines(stray, pattern, escaped, first_line)
        if not self.not_cp1252:  # (any byte of the file: all of it is read as cp1252 or none)
            self.not_cp1252 = _NOT_CP1252_BYTES.search(escaped.encode("utf-8", "surrogateescape")) is not None

    @staticmethod
    def _lines(stray: Stray, pattern: re.Pattern, escaped: str, first_line: int) -> None:
        line, at = first_line, 0
        for m in pattern.finditer(escaped):
            line += _line_breaks(escaped[at:m.start()])
            at = m.start()
            if stray.lines and stray.lines[-1] == line:
                continue
            if len(stray.lines) >= MAX_LINES:
                stray.more_lines = True
                return
            stray.lines.append(line)
            if len(stray.examples) >= EXAMPLES:
                continue
            raw = m.group().encode("utf-8", "surrogateescape")
            start = max(escaped.rfind("\n", 0, m.start()), escaped.rfind("\r", 0, m.start()), m.start() - 30) + 1
            end = min(i for i in (escaped.find("\n", m.end()), escaped.find("\r", m.end()), m.end() + 30,
                                  len(escaped)) if i >= 0)
            if pattern is _ESCAPED:  # read as cp1252 in a UTF-8 file
                stray.examples.append((line, raw, _as_cp1252(raw), _as_read(escaped[start:end], False)))
            else:  # a UTF-8 sequence in a file read as cp1252
                stray.examples.append((line, raw, m.group(), _as_read(escaped[start:end], True)))

    def decision(self) -> tuple[str, Stray | None]:
        """``(how to read the file, what to say)``: ``utf-8`` (nothing to say), ``mixed`` (UTF-8
        and its stray bytes as cp1252), ``cp1252`` or ``latin-1`` (with the UTF-8 sequences it
        holds, if any, to say)."""
        if not self.not_utf8.count:
            return "utf-8", None
        # as many characters UTF-8 reads as bytes it does not, or more: a UTF-8 file with stray
        # bytes. Characters no statement writes do not count: cp1252 text makes them by chance
        # ("JOSÉ’S" is 0xc9 0x92, UTF-8's IPA "ɒ"; beside one "CAFÉ" that is not UTF-8, the file
        # was read as UTF-8: round sixteen)
        if self.utf8.count - self.unlikely >= self.not_utf8.count:
            return "mixed", self.not_utf8
        return ("latin-1" if self.not_cp1252 else "cp1252"), (self.utf8 if self.utf8.count else None)


#: Bytes looked at to tell UTF-16 without a byte-order mark.
UTF16_SAMPLE = 8192
#: Of the byte pairs looked at, the share at least whose high byte (by the NUL-byte pattern) is NUL.
UTF16_MIN_NULS = 0.1
#: Characters no UTF-16 text of a statement holds: controls but tab, line ends and form feed, and
#: the noncharacters U+FFFE and U+FFFF (a byte-order mark read the wrong way round).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` (a file's first bytes) reads as UTF-16 text
    written without a byte-order mark, else ``None``.

    Decided from the NUL bytes UTF-16 writes, not from how Latin the text is: every character
    below U+0100 (the digits of dates and amounts, the delimiters, the line ends: every statement
    has them, in any script) is written as its byte and a NUL, so one half of the byte pairs holds
    NULs (the high bytes: odd bytes in UTF-16LE, even in BE) in at least :data:`UTF16_MIN_NULS` of
    the pairs, and more than the other half holds (its NULs are the low bytes of a few characters:
    U+3000, the ideographic space, 一 U+4E00, Cyrillic's U+0400). Read so, the bytes decode as
    UTF-16 (surrogates paired) to text holding a line end (in its first 8 KB: a shorter file may
    be one line) and no control character but tab, line ends and form feed, nor U+FFFE/U+FFFF; a file
    starting with UTF-8's byte-order mark is UTF-8 (a CI run's Hypothesis found one read so). A binary
    file fails one of these: NULs in both halves alike, few, or control characters where they
    fall (16-bit numbers). Excel's "Unicode Text" and some bank exports write UTF-16 so; it was
    refused as "a binary file" (round-44 audit), and until the twenty-fourth session so was such
    text mostly outside Latin script (Greek, Cyrillic, Japanese descriptors: fewer NULs, and
    U+3000 puts some in the other half).

    >>> utf16_without_bom("Date,Amount\\n".encode("utf-16-le")), utf16_without_bom(b"Date,Amount\\n")
    ('utf-16-le', None)
    >>> utf16_without_bom("日付\\t摘要\\t金額\\n2025/01/06\\tアマゾン　プライム\\t-600\\n".encode("utf-16-be"))
    'utf-16-be'
    """
    sample = data[:UTF16_SAMPLE]
    n = len(sample) - len(sample) % 2
    if n < 4 or sample.startswith(_UTF16_BOMS + (_UTF8_BOM,)):
        return None  # (a byte-order mark says what the file is)
    at_even, at_odd = sample[0:n:2].count(0), sample[1:n:2].count(0)
    if at_odd == at_even:
        return None
    codec, high = ("utf-16-le", at_odd) if at_odd > at_even else ("utf-16-be", at_even)
    if high < UTF16_MIN_NULS * (n // 2):
        return None
    try:  # (a pair cut at the sample's end waits)
        chars = codecs.getincrementaldecoder(codec)(errors="strict").decode(sample[:n], final=False)
    except UnicodeDecodeError:
        return None
    if _NOT_TEXT.search(chars):
        return None
    if "\n" not in chars and "\r" not in chars and len(sample) == UTF16_SAMPLE:
        return None  # (a statement's first 8 KB hold a line end; a shorter file may be one line)
    return codec


def decode_statement(data: bytes) -> Decoded:
    """Decode a statement's bytes (see the module's doc); never fails but on UTF-16 text that does
    not decode (``UnicodeDecodeError``: a file cut in the middle of a character)."""
    if data.startswith(_UTF16_BOMS):
        return Decoded(data.decode("utf-16"), "utf-16")
    bare = utf16_without_bom(data)
    if bare:
        return Decoded(data.decode(bare), bare)
    bom = data.startswith(_UTF8_BOM)
    body = data[3:] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        pass
    escaped = body.decode("utf-8", "surrogateescape")
    tally = _Tally()
    tally.add(escaped, 1)
    how, stray = tally.decision()
    if bom or how == "mixed":  # (a BOM says the file is UTF-8, whatever its stray bytes)
        return Decoded(_as_read(escaped, False), "utf-8-sig" if bom else MIXED, tally.not_utf8)
    return Decoded(body.decode(how), how, stray)


def stream_decoding(path: str | os.PathLike, block: int = 1 << 20) -> tuple[str, str, Stray | None]:
    """``(encoding, errors, stray)`` to open ``path`` with so that its lines are the text
    :func:`decode_statement` gives for the whole file, read a block at a time (one pass over the
    bytes; a file bigger than memory is never held)."""
    with open(path, "rb") as fb:
        start = fb.read(block)
        if start.startswith(_UTF16_BOMS):
            return "utf-16", "strict", None
        bare = utf16_without_bom(start)
        if bare:
            return bare, "strict", None
        bom = start.startswith(_UTF8_BOM)
        tally, line = _Tally(), 1
        carry, chunk = b"", start[3:] if bom else start
        while chunk or carry:
            data = carry + chunk
            chunk = fb.read(block)
            cut = data.rfind(b"\n") + 1 if chunk else len(data)  # a sequence never spans a line end
            if cut == 0:
                carry = data
                continue
            piece, carry = data[:cut], data[cut:]
            if not piece.isascii():
                tally.add(piece.decode("utf-8", "surrogateescape"), line)
            line += piece.count(b"\n") + piece.count(b"\r") - piece.count(b"\r\n")
    how, stray = tally.decision()
    if how == "utf-8":
        return ("utf-8-sig" if bom else "utf-8"), "strict", None
    if bom or how == "mixed":
        return ("utf-8-sig" if bom else "utf-8"), ERRORS, tally.not_utf8
    return how, "strict", stray


def stray_bytes_note(stray: Stray) -> str:
    """The note naming the lines whose bytes are read otherwise than the file's encoding says."""
    more = len(stray.lines) - len(stray.examples)
    more = "; and more lines" if stray.more_lines else f"; and {more} more line(s)" if more > 0 else ""
    lines = f"{len(stray.lines)} or more" if stray.more_lines else f"{len(stray.lines)}"
    if stray.read_as == "utf-8":
        shown = "; ".join(f"line {line}: {' '.join(f'0x{b:02x}' for b in raw)} in {text!r}"
                          for line, raw, _, text in stray.examples)
        return (f"{stray.count} byte(s) on {lines} line(s) are not UTF-8, though the rest of the file "
                f"is: the file is read as UTF-8 and those bytes as cp1252 characters ({shown}{more}); check "
                "those lines' text (was the file edited, or joined with another program's text?)")
    shown = "; ".join(f"line {line}: {text!r}, as UTF-8 {other!r}" for line, _, other, text in stray.examples)
    return (f"the file is read as cp1252, as most of its accented bytes are not UTF-8, but {stray.count} "
            f"character(s) on {lines} line(s) read as UTF-8 too ({shown}{more}); check those lines' "
            "text (a file joined from two programs' exports?)")


__all__ = ["ERRORS", "MIXED", "Decoded", "Stray", "decode_statement", "stray_bytes_note", "stream_decoding",
           "utf16_without_bom"]
