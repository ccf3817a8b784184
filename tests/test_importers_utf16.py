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
from detector.importers import read_statement
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


# -- OFX / QFX in UTF-16 -----------------------------------------------------------------------

OFX_HEADER = ("OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\n"
              "COMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n")
OFX_XML_HEADER = ('<?xml version="1.0" encoding="UTF-16" standalone="no"?>\r\n<?OFX OFXHEADER="200" VERSION="220" '
                  'SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\r\n')
NAMES = ["CAFÉ CRÈME", "ΝΕΤFLIX ΑΘΗΝΑ", "アマゾン　プライム", "NETFLIX.COM"]


def _ofx(xml: bool, names=NAMES) -> str:
    def el(tag: str, value: str) -> str:
        return f"<{tag}>{value}</{tag}>" if xml else f"<{tag}>{value}"
    body = "".join(
        f"<STMTTRN>{el('TRNTYPE', 'DEBIT')}{el('DTPOSTED', f'202501{10 + i:02d}120000[0:GMT]')}"
        f"{el('TRNAMT', f'-1{i}.99')}{el('FITID', f'F{i}')}{el('NAME', n)}</STMTTRN>\r\n" for i, n in enumerate(names))
    return ((OFX_XML_HEADER if xml else OFX_HEADER)
            + "<OFX>\r\n<SIGNONMSGSRSV1><SONRS><STATUS>" + el("CODE", "0") + el("SEVERITY", "INFO") + "</STATUS>"
            + el("DTSERVER", "20250131120000[0:GMT]") + el("LANGUAGE", "ENG") + "</SONRS></SIGNONMSGSRSV1>\r\n"
            + "<CREDITCARDMSGSRSV1><CCSTMTTRNRS>" + el("TRNUID", "1") + "<STATUS>" + el("CODE", "0")
            + el("SEVERITY", "INFO") + "</STATUS>\r\n<CCSTMTRS>" + el("CURDEF", "EUR") + "<CCACCTFROM>"
            + el("ACCTID", "4266841234567890") + "</CCACCTFROM>\r\n<BANKTRANLIST>"
            + el("DTSTART", "20250101120000[0:GMT]") + el("DTEND", "20250131120000[0:GMT]") + "\r\n" + body
            + "</BANKTRANLIST><LEDGERBAL>" + el("BALAMT", "-100.00") + el("DTASOF", "20250131120000[0:GMT]")
            + "</LEDGERBAL></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>\r\n</OFX>\r\n")


@pytest.mark.parametrize("xml", [False, True], ids=["sgml", "xml"])
def test_an_ofx_in_utf16_is_read_as_its_utf8_twin(tmp_path, runner, xml):
    text = _ofx(xml)
    got = {}
    for codec in ("utf-8", *CODECS):
        path = tmp_path / codec / "Card_20250131.qfx"
        path.parent.mkdir()
        path.write_bytes(text.encode(codec))
        st = read_statement(path)
        assert (st.format, st.rejected) == ("ofx", []), codec
        got[codec] = st.transactions[["transaction_id", "account_id", "date", "amount", "description", "currency"]]
        db = tmp_path / f"{codec}.db"
        res = runner.invoke(cli, ["ingest", str(path), "--db", str(db), "--output", "json"])
        assert res.exit_code == 0 and json.loads(res.output)["files"][0]["stored"] == 4, (codec, res.output)
        assert Store(db).transactions()["description"].tolist() == got[codec]["description"].tolist()
    for codec in CODECS:
        assert got[codec].equals(got["utf-8"]), codec
    assert got["utf-8"]["description"].tolist() == NAMES


def test_an_accented_ofx_name_is_stored_as_written_in_every_encoding(tmp_path):
    # ofxtools decoded the UTF-8 bytes it was given as the header's CHARSET:1252
    text = _ofx(False, names=["CAFÉ CRÈME", "NESTLÉ WATERS", "NETFLIX.COM"])
    for codec in ("cp1252", "utf-8", *CODECS):
        path = tmp_path / f"{codec}.qfx"
        path.write_bytes(text.encode(codec))
        assert read_statement(path).transactions["description"].tolist() == [
            "CAFÉ CRÈME", "NESTLÉ WATERS", "NETFLIX.COM"], codec


def test_an_ofx_in_utf16_cut_short_is_refused_naming_the_file(tmp_path, runner):
    for codec in ("utf-16", "utf-16-le", "utf-16-be"):
        path = tmp_path / f"cut-{codec}.qfx"
        path.write_bytes(_ofx(False).encode(codec)[:-1])
        res = runner.invoke(cli, ["ingest", str(path), "--db", str(tmp_path / f"{codec}.db")])
        assert res.exit_code == 3, (codec, res.output)
        assert f"{path}: this is UTF-16 text that does not decode" in " ".join(res.output.split()), codec
        assert "binary" not in res.output
