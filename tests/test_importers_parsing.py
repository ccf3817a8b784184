"""Amount and date parsing: the pure functions every layout relies on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from detector.importers.parsing import (
    binary_kind,
    decode_bytes,
    parse_amount,
    parse_currency,
    parse_date,
)

cents = st.integers(min_value=-10**11, max_value=10**11)


def us(c: int, *, thousands: bool, symbol: str = "") -> str:
    body = f"{abs(c) / 100:,.2f}" if thousands else f"{abs(c) / 100:.2f}"
    return ("-" if c < 0 else "") + symbol + body


def eu(c: int) -> str:
    body = f"{abs(c) / 100:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return ("-" if c < 0 else "") + body


@given(cents, st.booleans(), st.sampled_from(["", "$", "£", "€"]))
def test_amount_round_trips_us_style(c, thousands, symbol):
    assert parse_amount(us(c, thousands=thousands, symbol=symbol)) == pytest.approx(c / 100, abs=1e-9)


@given(cents)
def test_amount_round_trips_european_style(c):
    assert parse_amount(eu(c), decimal=",") == pytest.approx(c / 100, abs=1e-9)


@pytest.mark.parametrize("text", ["-16.41", "2380.43", "1.5", "1.2345,00", "12.34.567,00"])
def test_a_point_that_is_no_thousands_separator_is_no_comma_decimal_amount(text):
    # a BBVA export saved by Excel with decimal points, read with comma decimals: "-16.41" was
    # -1641.00 (round thirty-five); a point groups thousands there, three digits at a time
    with pytest.raises(ValueError, match="not an amount with a decimal comma"):
        parse_amount(text, decimal=",")
    assert parse_amount("-1.234.567,89", decimal=",") == -1234567.89 and parse_amount("3.250", decimal=",") == 3250


@given(cents.filter(lambda c: c > 0))
def test_parentheses_and_trailing_minus_mean_negative(c):
    text = f"{c / 100:,.2f}"
    assert parse_amount(f"({text})") == pytest.approx(-c / 100)
    assert parse_amount(f"{text}-") == pytest.approx(-c / 100)
    assert parse_amount(f"(${text})") == pytest.approx(-c / 100)


@given(st.text(alphabet="abcxyz!?#%&", min_size=1, max_size=8))
def test_words_are_not_amounts(text):
    with pytest.raises(ValueError, match="amount"):
        parse_amount(text)


@pytest.mark.parametrize("text,expected", [
    ("1,234.56", 1234.56), ('"1,234.56"'.strip('"'), 1234.56), ("USD 12.00", 12.0), ("12.00 USD", 12.0),
    ("+5", 5.0), ("\u22123.50", -3.5), ("0.00", 0.0), ("-0.00", 0.0), ("$ 1 234.00", 1234.0), (" 7.5 ", 7.5),
])
def test_amount_examples(text, expected):
    assert parse_amount(text) == expected


def test_zero_is_never_negative_zero():
    assert str(parse_amount("-0.00")) == "0.0"


@pytest.mark.parametrize("text", ["", "   ", "12,34", "1,2345.00", "12.3.4", "--5", "(5"])
def test_ambiguous_or_broken_amounts_fail(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["%m/%d/%Y", "%d/%m/%Y", "%Y%m%d", "%Y-%m-%d", "%d.%m.%Y"]))
def test_date_round_trips_in_each_format(d, fmt):
    assert parse_date(d.strftime(fmt), (fmt,)) == d.isoformat()


def test_date_tries_formats_in_order_and_names_them_on_failure():
    assert parse_date("2024-02-29 13:01:02", ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S")) == "2024-02-29"
    with pytest.raises(ValueError, match=r"%m/%d/%Y.*'13/45/2024'"):
        parse_date("13/45/2024", ("%m/%d/%Y",))
    with pytest.raises(ValueError, match="empty date"):
        parse_date(" ", ("%m/%d/%Y",))


def test_day_first_and_month_first_differ():
    assert parse_date("03/04/2024", ("%d/%m/%Y",)) == "2024-04-03"
    assert parse_date("03/04/2024", ("%m/%d/%Y",)) == "2024-03-04"


@given(st.text(max_size=50))
@example("\ufeff")
@example("\ufeffa")
@example("\x00")
@example("\x000")
def test_decoding_utf8_with_and_without_bom(text):
    data = text.encode("utf-8")
    # UTF-8's byte-order mark is believed, whatever follows (NUL characters too)
    assert decode_bytes(b"\xef\xbb\xbf" + data)[0] == text
    # without the mark, NUL bytes where UTF-16 puts them are UTF-16 (test_importers_utf16), so
    # only a text without NUL characters is sure to read back as itself; and a text starting with
    # U+FEFF is, in UTF-8, the very bytes of the mark: the file's first EF BB BF are the mark, by
    # design (Excel writes it before a CSV), so that U+FEFF is not read back
    # (test_a_leading_zero_width_no_break_space_is_the_utf8_byte_order_mark; Hypothesis found '\ufeff')
    if "\x00" not in text and not text.startswith("\ufeff"):
        assert decode_bytes(data)[0] == text


def test_a_utf8_byte_order_mark_is_never_taken_for_utf16():
    # found by Hypothesis in a CI run: a UTF-8 BOM then "\x00" read as UTF-16-BE "믯¿"; a BOM
    # then "\x000" (5 bytes) read as UTF-16 and then failed to decode
    assert decode_bytes(b"\xef\xbb\xbf\x00") == ("\x00", "utf-8-sig")
    assert decode_bytes(b"\xef\xbb\xbf\x000") == ("\x000", "utf-8-sig")
    assert decode_bytes(b"\xef\xbb\xbf\x00a\x00b\x00\n") == ("\x00a\x00b\x00\n", "utf-8-sig")
    assert decode_bytes(b"\x00a\x00b\x00\n") == ("ab\n", "utf-16-be")  # without it, UTF-16


def test_a_leading_zero_width_no_break_space_is_the_utf8_byte_order_mark():
    # U+FEFF first in UTF-8 text is the bytes EF BB BF: read as the mark (one of them, once), as
    # Python's utf-8-sig and spreadsheets do; after the mark or further in, it is a character
    assert decode_bytes("\ufeff".encode()) == ("", "utf-8-sig")
    assert decode_bytes("\ufeffDate,Amount\n".encode()) == ("Date,Amount\n", "utf-8-sig")
    assert decode_bytes("\ufeff\ufeffa".encode()) == ("\ufeffa", "utf-8-sig")
    assert decode_bytes("a\ufeff".encode()) == ("a\ufeff", "utf-8")


def test_latin1_and_cp1252_fall_back():
    assert decode_bytes("Café 12,50".encode("latin-1")) == ("Café 12,50", "cp1252")
    assert decode_bytes("€5".encode("cp1252"))[0] == "€5"
    assert decode_bytes("Date,Amount\n".encode("utf-16"))[0] == "Date,Amount\n"


def test_a_utf8_file_with_a_stray_byte_stays_utf8_and_says_where():
    # (sixteenth audit) one stray 0x81 made the whole file cp1252: "ÉDITION" became "Ã\x89DITION"
    from detector.importers.decoding import MIXED, decode_statement

    data = "LE MONDE ÉDITION\r\nCAFÉ\rSHELL,Gas".encode() + b"\x81,x\n" + "ok\nLAST\xe9".encode("cp1252")
    got = decode_statement(data)
    assert got.encoding == MIXED
    assert got.text == "LE MONDE ÉDITION\r\nCAFÉ\rSHELL,Gas\x81,x\nok\nLAST\u00e9"
    assert (got.stray.lines, got.stray.count) == ([3, 5], 2)
    assert [line for line, *_ in got.stray.examples] == [3, 5]
    assert got.stray.examples[0][1:] == (b"\x81", "\x81", "SHELL,Gas\x81,x")
    assert "2 byte(s) on 2 line(s) are not UTF-8" in got.note and "line 3: 0x81 in 'SHELL,Gas\\x81,x'" in got.note
    assert decode_bytes(data) == (got.text, MIXED)
    # with a BOM the file says it is UTF-8: the same, its stray bytes no longer U+FFFD
    bom = decode_statement(b"\xef\xbb\xbf" + data)
    assert (bom.text, bom.encoding, bom.stray.lines) == (got.text, "utf-8-sig", [3, 5])
    # a cp1252 export holds no valid multi-byte sequence: cp1252 as before, nothing to say
    plain = decode_statement("CAFÉ M\u00dcNCHEN \u20ac\n\u2019s".encode("cp1252"))
    assert (plain.text, plain.encoding, plain.note) == ("CAFÉ M\u00dcNCHEN \u20ac\n\u2019s", "cp1252", None)
    # ... or a few by chance (É then ® is a valid sequence): still cp1252, and the note says where
    chance = decode_statement("CAFÉ CRÈME\nNESTLÉ®\nSTRAßE\n".encode("cp1252"))
    assert (chance.text, chance.encoding) == ("CAFÉ CRÈME\nNESTLÉ®\nSTRAßE\n", "cp1252")
    assert chance.stray.lines == [2] and "line 2: 'NESTLÉ®', as UTF-8 '\u026e'" in chance.note
    # past a thousand lines the note counts no more lines (the bytes all the same)
    many = decode_statement(("ÉDITION ÉTÉ\n".encode() + b"Gas\x81\n") * 1100)
    assert many.encoding == MIXED and many.stray.count == 1100 and len(many.stray.lines) == 1000
    assert "1100 byte(s) on 1000 or more line(s)" in many.note and "; and more lines)" in many.note
    # a byte cp1252 leaves undefined anywhere (here inside a chance UTF-8 sequence) makes it latin-1
    assert decode_statement("CAFÉ CRÈME\n".encode("cp1252") + b"\xc5\x81").encoding == "latin-1"


def test_a_streamed_file_decodes_as_the_whole_file_does(tmp_path):
    from detector.importers.decoding import decode_statement, stray_bytes_note, stream_decoding

    line = "NETFLIX ÉDITION,-1.00\r\n".encode()
    cases = {"clean": line * 50, "stray": line * 20 + b"Gas\x81\n" + line * 20 + b"\xe9\r\xe9",
             "cp1252": "CAFÉ\n".encode("cp1252") * 40, "latin1": "CAFÉ\n".encode("cp1252") * 40 + b"\x81",
             "chance": ("CAFÉ CRÈME\n" * 9 + "NESTLÉ®\r\n").encode("cp1252") * 5,
             "many": ("ÉDITION ÉTÉ\n".encode() + b"Gas\x81\n") * 1100,
             "bom": b"\xef\xbb\xbf" + line * 30 + b"\xff\n",
             "utf16le": ("NETFLIX ÉDITION,-1.00\r\n" * 30).encode("utf-16-le"),
             "utf16be": ("NETFLIX ÉDITION,-1.00\r\n" * 30).encode("utf-16-be")}
    for name, data in cases.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(data)
        whole = decode_statement(data)
        for block in (7, 64, 1 << 20):  # blocks cut lines, sequences and \r\n pairs
            encoding, errors, stray = stream_decoding(path, block=block)
            with open(path, encoding=encoding, errors=errors, newline="") as fh:
                assert fh.read() == whole.text, (name, block)
            assert (stray_bytes_note(stray) if stray else None) == whole.note, (name, block)


def test_binary_detection():
    assert binary_kind(b"%PDF-1.7\n...") == "a PDF document"
    assert "Excel" in binary_kind(b"PK\x03\x04rest")
    assert binary_kind(bytes(range(256)) * 4) == "a binary file"
    assert binary_kind(b"Date,Description,Amount\r\n01/02/2024,X,1.00\r\n") is None
    assert binary_kind("Date,Amount\n".encode("utf-16")) is None
    # UTF-16 without a byte-order mark is text too (round-44 audit: "a binary file")
    text = "Transaction Date,Description,Amount\r\n01/02/2024,CAFÉ,-1.00\r\n"
    assert binary_kind(text.encode("utf-16-le")) is None and binary_kind(text.encode("utf-16-be")) is None
    # but not bytes with a NUL here and there, nor 16-bit numbers whose every high byte is 0
    assert binary_kind(b"this is not a bank statement\n\x00\x01\x02") == "a binary file"
    assert binary_kind(bytes(b for k in range(1, 30) for b in (k, 0)) * 4) == "a binary file"
    assert binary_kind(b"\x00" * 64) == "a binary file"


def test_utf16_without_a_byte_order_mark_decodes():
    from detector.importers.decoding import decode_statement, utf16_without_bom

    text = "Date,Description,Amount\n2024-01-02,CAFÉ MÜNCHEN €,-1.00\n"
    for codec in ("utf-16-le", "utf-16-be"):
        assert utf16_without_bom(text.encode(codec)) == codec
        assert (decode_statement(text.encode(codec)).text, decode_statement(text.encode(codec)).encoding) == (
            text, codec)
        assert decode_bytes(text.encode(codec))[0] == text
    for other in ("utf-8", "utf-16", "cp1252"):  # (utf-16: with its byte-order mark)
        assert utf16_without_bom(text.encode(other)) is None


def test_decimal_amounts_are_exact_to_the_cent():
    # Sums of many parsed cents stay exact once rounded: parse_amount goes through Decimal.
    total = sum(parse_amount(f"{c}.{c % 100:02d}") for c in range(1000))
    assert round(total, 2) == float(sum(Decimal(f"{c}.{c % 100:02d}") for c in range(1000)))


def test_two_digit_years_are_not_read_as_year_24():
    assert parse_date("01/05/24", ("%m/%d/%Y", "%m/%d/%y")) == "2024-01-05"
    with pytest.raises(ValueError):
        parse_date("01/05/24", ("%m/%d/%Y",))


@pytest.mark.parametrize("text, code", [("GBP", "GBP"), (" gbp ", "GBP"), ("£", "GBP"), ("€", "EUR"), ("$", "USD"),
                                        ("", None), (None, None), ("SEK", "SEK")])
def test_currency_cells_become_iso_codes(text, code):
    assert parse_currency(text) == code


def test_a_currency_sign_in_a_statement_is_stored_as_its_code(tmp_path):
    # "£" in a generic CSV's currency column was stored as its own currency, and the report
    # then totalled "7.99 £" apart from "22.98 GBP"
    from detector.importers import read_statement

    path = tmp_path / "gbp.csv"
    path.write_text("date,description,amount,currency\n2025-01-05,NETFLIX.COM,-7.99,£\n"
                    "2025-02-05,NETFLIX.COM,-7.99,gbp\n")
    assert read_statement(path).transactions["currency"].tolist() == ["GBP", "GBP"]


def test_a_cp1252_file_whose_accent_and_quote_make_utf8_by_chance_stays_cp1252():
    # round sixteen: "JOSÉ’S" in cp1252 is 0xc9 0x92, UTF-8's IPA letter; beside one "CAFÉ" that
    # is not UTF-8, the file was read as UTF-8 and stored "JOSɒS TACOS"
    from detector.importers.decoding import decode_statement

    data = "2025-03-06,JOSÉ’S TACOS,-14.50\n2025-03-07,CAFÉ LUNA,-4.25\n".encode("cp1252")
    got = decode_statement(data)
    assert got.encoding == "cp1252" and "JOSÉ’S TACOS" in got.text and "CAFÉ LUNA" in got.text
    # a macOS export's combining accents are UTF-8's own: beside a stray byte, still UTF-8
    nfd = "CAFE\u0301 LUNA\nRE\u0301SUME\u0301\n".encode() + b"SHELL\x81\n"
    assert decode_statement(nfd).encoding == "utf-8+cp1252"

