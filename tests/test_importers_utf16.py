"""UTF-16 statements whose text is mostly outside Latin script, and OFX/QFX files in UTF-16
(twenty-fourth session).

- A CSV saved as Excel's "Unicode Text" (UTF-16LE, tab-separated, no byte-order mark) with Greek,
  Cyrillic or Japanese descriptors was refused as "a binary file": UTF-16 without a BOM was told
  by NULs in 60% of one half of the byte pairs and none in the other, which only mostly-Latin
  text gives (U+3000, the ideographic space, is ``00 30``). It is now told by the NUL-byte pattern
  itself (``decoding.utf16_without_bom``); a binary file is still refused, naming it.
- An OFX/QFX in UTF-16 (with or without a BOM) is read as its UTF-8 twin; ofxtools was given the
  decoded text as UTF-8 under the file's ``CHARSET:1252``, so an accented name (``CAFÉ``) was
  stored ``CAFÃ‰`` whatever the file's encoding, cp1252 included.
"""

from __future__ import annotations

import json
import random
import struct
import zlib

import pytest

from detector.cli import cli
from detector.importers.decoding import decode_statement, utf16_without_bom
from detector.importers.parsing import binary_kind
from detector.store import Store

DESCRIPTORS = {
    "greek": "ΣΥΝΔΡΟΜΗ ΨΗΦΙΑΚΗΣ ΤΗΛΕΟΡΑΣΗΣ ΑΘΗΝΑ ΕΛΛΑΔΑ",
    "cyrillic": "ЯНДЕКС ПЛЮС ПОДПИСКА МОСКВА РОССИЯ",
    "japanese": "アマゾンジャパン合同会社　プライム会費　東京",  # (with U+3000, the ideographic space)
}
CODECS = ("utf-16", "utf-16-le", "utf-16-be")  # (utf-16: with a byte-order mark)


def _unicode_text(descriptor: str) -> str:
    """A generic statement as Excel's "Unicode Text" writes it: tab-separated, CRLF."""
    rows = [f"2025-{m:02d}-06\t{descriptor}\t-12.99\tEUR" for m in range(1, 13)]
    rows += [f"2025-{m:02d}-{d:02d}\t{descriptor} {d}\t-{d}.50\tEUR" for m in range(1, 13) for d in (9, 17, 23)]
    return "date\tdescription\tamount\tcurrency\r\n" + "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("script", sorted(DESCRIPTORS))
def test_utf16_text_mostly_outside_latin_script_is_read_as_its_utf8_twin(tmp_path, runner, script):
    text = _unicode_text(DESCRIPTORS[script])
    # (the old rule's premise fails: NULs in under 60% of the high bytes, or some in the low ones)
    le = text.encode("utf-16-le")
    assert le[1::2].count(0) < 0.6 * (len(le) // 2) or le[0::2].count(0) > 0
    got = {}
    for codec in ("utf-8", *CODECS):
        path = tmp_path / codec / "statement.csv"
        path.parent.mkdir()
        path.write_bytes(text.encode(codec))
        db = tmp_path / f"{codec}.db"
        res = runner.invoke(cli, ["scan", str(path), "--db", str(db), "--as-of", "2025-12-31", "--format", "json"])
        assert res.exit_code == 0, (codec, res.output)
        assert "binary" not in res.output, codec
        got[codec] = (Store(db).transactions()[["transaction_id", "date", "amount", "description", "currency"]],
                      [(s["merchant"], len(s["transaction_ids"])) for s in json.loads(res.stdout)["streams"]])
    for codec in CODECS:
        assert got[codec][0].equals(got["utf-8"][0]) and got[codec][1] == got["utf-8"][1], codec
    stored = got["utf-8"][0]
    assert len(stored) == 48 and (stored["description"] == DESCRIPTORS[script]).sum() == 12


@pytest.mark.parametrize("script", sorted(DESCRIPTORS))
def test_the_byte_order_is_told_from_the_nul_pattern_both_ways(script):
    text = _unicode_text(DESCRIPTORS[script])
    for codec in ("utf-16-le", "utf-16-be"):
        data = text.encode(codec)
        assert utf16_without_bom(data) == codec and binary_kind(data) is None
        assert decode_statement(data).text == text and decode_statement(data).encoding == codec
        # a whole block of such text, the first 8 KB cut anywhere
        big = (text * 40).encode(codec)
        assert utf16_without_bom(big) == codec and utf16_without_bom(big[:8191]) == codec


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(range(0, 96, 2)) for _ in range(48))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 48, 48, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


BINARIES = {
    "random.csv": random.Random(24).randbytes(20000),
    "image.csv": _png(),
    "elf.csv": b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + struct.pack("<HHI", 2, 62, 1) + random.Random(7).randbytes(4000),
    # 16-bit numbers (every high byte NUL, like UTF-16's ASCII): their low bytes are control characters
    "samples.csv": struct.pack("<2000H", *[(k * 7) % 256 for k in range(2000)]),
    # UTF-16 text holding NUL characters is no statement either
    "nuls.csv": ("date,description,amount\r\n" + "2025-01-06,\x00\x00\x00,-1.00\r\n" * 50).encode("utf-16-le"),
    # zeros in both halves alike
    "zeros.csv": b"\x00" * 9000,
}


def test_a_binary_file_is_still_refused_naming_it(tmp_path, runner):
    paths = []
    for name, data in BINARIES.items():
        assert binary_kind(data) == "a binary file", name
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    res = runner.invoke(cli, ["ingest", *paths, "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 3, res.output
    for path in paths:
        assert f"{path}: this is a binary file, not a text statement" in " ".join(res.output.split()), path
    assert Store(tmp_path / "s.db").transactions().empty
