"""The account a statement's rows go to when the file does not name one.

A file naming its account keeps it (OFX ``ACCTID``, ING's IBAN, a generic ``account_id`` column),
and ``--account`` names the others. Without either:

* a layout whose rows name their card (Capital One ``Card No.``, Amex ``Account #``) puts the card
  in the account: ``capital_one-4821``. Capital One names every download
  ``YYYY-MM-DD_transaction_download.csv`` and Amex ``activity.csv``, so two cards' files shared one
  account and the second card's charges were dropped as duplicates (thirteenth audit);
* else the file name without its extension and without the date stamps banks put in it:
  ``Chase4444_Activity20250105.CSV`` -> ``Chase4444_Activity``, so six monthly downloads of one
  card are one account, not six one-month accounts in which no plan is ever seen twice;
  ``Statement Download 2025-Jun-30 10-15-02.csv`` (Nationwide's every download) ->
  ``Statement Download``.

>>> account_from_filename("Chase4444_Activity20250105.CSV")
'Chase4444_Activity'
>>> account_from_filename("account-statement_2025-01-01_2025-06-30_en-us.csv")
'account-statement_en-us'
>>> account_from_filename("account-statement_2025-01-01_2025-06-30_en_b71e03.csv")  # Revolut's random code
'account-statement_en'
>>> account_from_filename("Checking_XXX567_Transactions_20251201-091512.csv")  # Schwab's download time
'Checking_XXX567_Transactions'
>>> account_from_filename("2025-06-30.csv")  # nothing but a date: the name as it is
'2025-06-30'
>>> account_from_filename("Monzo Jan-Mar 2025.csv"), account_from_filename("Barclays Jan to Mar 2025.csv")
('Monzo', 'Barclays')
>>> account_from_filename("Halifax Q1 2025.csv"), account_from_filename("Starling Jan-Mar.csv")
('Halifax', 'Starling')
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_Y = r"(?:19|20)\d\d"
_M2 = r"(?:0[1-9]|1[0-2])"
_D2 = r"(?:0[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_D = r"(?:0?[1-9]|[12]\d|3[01])"
_SEP = r"[-_. ]"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = "|".join((
    rf"{_Y}{_M2}{_D2}",  # 20250105
    rf"{_Y}(?P<s1>{_SEP}){_M}(?P=s1){_D}",  # 2025-01-05, 2025_1_5
    rf"{_D}(?P<s2>{_SEP}){_M}(?P=s2){_Y}",  # 05-01-2025 (day first)
    rf"{_M}(?P<s3>{_SEP}){_D}(?P=s3){_Y}",  # 01-05-2025 (month first)
    rf"{_D2}{_M2}{_Y}",  # 05012025
    rf"{_M2}{_D2}{_Y}",  # 01052025
    rf"{_Y}{_SEP}{_M2}",  # 2025-01 (a monthly statement)
    # a month's name with its day: 2025-Jun-30 (Nationwide's "Statement Download 2025-Jun-30
    # 10-15-02.csv" kept "30 10-15-02", and two downloads of one account were two accounts:
    # seventeenth session), 30-Jun-2025, 30Jun2025
    rf"{_Y}(?P<s4>{_SEP}){_MONTH}(?P=s4){_D}",
    rf"(?<![a-z0-9]){_D}(?P<s5>{_SEP}?){_MONTH}(?P=s5){_Y}",
    rf"(?<![a-z]){_MONTH}{_SEP}?{_D},?{_SEP}?{_Y}",  # Mar 31 2025, Mar 31, 2025
    rf"(?<![a-z]){_MONTH}{_SEP}?{_Y}",  # May2025, jan_2025
    rf"{_Y}{_SEP}?{_MONTH}(?![a-z])",  # 2025-Jan
    # a quarter or a half of a year: Q1 2025, 2025-Q1, 2025Q1, H2 2025
    rf"(?<![a-z0-9])[qh][1-4]{_SEP}?{_Y}",
    rf"{_Y}{_SEP}?[qh][1-4](?![a-z0-9])",
))
#: A time after a date: 2025-01-05T10-11-12, or after a space or underscore as Nationwide writes
#: it (2025-Jun-30 10-15-02, 2024-May-29 9-21-29), or six digits of a valid hhmmss after a ``-`` or
#: ``_`` as Schwab writes it (``Checking_XXX567_Transactions_20251201-091512.csv``: the time kept in
#: the name made two downloads of one account two accounts, round-forty audit).
_TIME = (r"(?:T\d\d[-_.]?\d\d(?:[-_.]?\d\d)?|[ _]\d{1,2}[-_.:]\d\d(?:[-_.:]\d\d)?(?![-_.:]?\d)"
         r"|[-_](?:[01]\d|2[0-3])[0-5]\d[0-5]\d(?!\d))?")
_STAMP = re.compile(rf"(?<!\d)(?:{_DATE}){_TIME}(?!\d)", re.IGNORECASE)
#: Two stamps of a range (2025-01-01_2025-06-30, 20250101-to-20250630) become one.
_RANGE = re.compile(rf"\x00(?:{_SEP}*(?:to|until|thru|through|bis|-){_SEP}*\x00|{_SEP}*\x00)+", re.IGNORECASE)
_AROUND = re.compile(rf"({_SEP}*)\x00({_SEP}*)")
#: A period's end the year is given once for: a month's name (``Jan``, ``January``), a day and a
#: month (``1 Jan``, ``Jan 1``) or a quarter (``Q1``), ...
_PART = (rf"(?:(?<![a-z0-9]){_D}{_SEP}?{_MONTH}(?![a-z])|(?<![a-z]){_MONTH}{_SEP}?{_D}(?![a-z0-9])"
         rf"|(?<![a-z]){_MONTH}(?![a-z])|(?<![a-z0-9])[qh][1-4](?![a-z0-9]))")
#: ... joined to the date stamp by a range (``Jan-Mar 2025``, ``Jan to Mar 2025``, ``1 Jan - 31 Mar
#: 2025``, ``2025-01 to March``) or by separators alone (``Jan Mar 2025``) is part of the period:
#: "Monzo Jan-Mar 2025.csv" and "Monzo Feb-Apr 2025.csv" were accounts "Monzo Jan" and "Monzo
#: Feb", one account's overlapping exports stored twice (round-52 audit).
_JOIN = rf"(?:{_SEP}|\u2013|\u2014)*(?:(?:to|until|till|thru|through|bis){_SEP}+)?"
_PART_BEFORE = re.compile(rf"{_PART}{_JOIN}\x00", re.IGNORECASE)
_PART_AFTER = re.compile(rf"\x00{_JOIN}{_PART}", re.IGNORECASE)
#: Two months' names as a range, with no year: ``Jan-Mar``, ``January to March``.
_MONTHS = re.compile(rf"(?<![a-z]){_MONTH}(?:{_SEP}|\u2013|\u2014)+(?:(?:to|until|till|thru|through){_SEP}+)?"
                     rf"{_MONTH}(?![a-z])", re.IGNORECASE)
#: Revolut names each statement download ``account-statement_<from>_<to>_<language>_<code>.csv``,
#: the code six random hex digits (``account-statement_2024-05-01_2024-12-31_en_4f2a9c.csv``): two
#: downloads of one account were two accounts (round-twenty-four audit). Only in that pattern (a
#: language code, ``en`` or ``en-us``, between the date stamps and the code) is the code dropped:
#: six letters or digits ending another bank's file name may be the account's own.
_REVOLUT_CODE = re.compile(
    rf"^(?P<keep>(?:[a-z0-9-]+[-_])?account-statement(?:{_SEP}\x00)+{_SEP}[a-z]{{2}}(?:[-_][a-z]{{2}})?)"
    r"_[0-9a-f]{6}$", re.IGNORECASE)


#: What a browser or a file manager adds to a file saved again: "(1)", " - Copy", " copy 2" (not
#: "(123)" or "(0421)", which may be an account's own number).
_SAVED_AGAIN = re.compile(r"(?:\s*\([1-9]\d?\)|\s+-\s+copy(?:\s*\(\d{1,2}\))?|\s+copy(?:\s+\d{1,2})?)+$",
                          re.IGNORECASE)


def account_from_filename(path: str | os.PathLike) -> str:
    """The file name without extension, without what saving it again added ("(1)", " - Copy"),
    and without date stamps (dates, ranges, months) and their separators.

    A name that is nothing but dates keeps its stem: there is nothing else to tell it by. The
    same statement downloaded twice, ``Chase4444_Activity20250402 (1).CSV``, is the same account
    (round eleven: a second account, every plan reported twice).

    >>> account_from_filename("Chase4444_Activity20250402 (1).CSV")
    'Chase4444_Activity'
    """
    stem = _SAVED_AGAIN.sub("", Path(path).stem) or Path(path).stem
    marked = _MONTHS.sub("\x00", _STAMP.sub("\x00", stem))
    while True:  # a period's other end joins its stamp (each pass one more: 1 Jan - 31 Mar 2025)
        joined = _PART_AFTER.sub("\x00", _PART_BEFORE.sub("\x00", marked))
        if joined == marked:
            break
        marked = joined
    marked = _RANGE.sub("\x00", marked)
    if "\x00" not in marked:
        return stem
    revolut = _REVOLUT_CODE.match(marked)
    if revolut:
        marked = revolut.group("keep")
    # a stamp between two words leaves one separator, at either end none
    left = _AROUND.sub(lambda m: (m.group(1) or m.group(2))[:1], marked).strip("-_. ")
    return left if re.search(r"[A-Za-z0-9]", left) else stem


def card_account(layout: str, card: str | None, digits: int | None = None) -> str | None:
    """``layout-card`` for a card number cell (``4821``, Amex's ``-71003`` or ``XXXX-XXXXXX-71003``).

    ``digits``: how many digits the layout's card cell always has (Capital One's last four). A
    shorter number is padded back with zeros: a download opened and saved again in Excel writes
    card ``0821`` as ``821``, and the two files were two accounts (round-49 audit).

    >>> card_account("capital_one", "821", digits=4), card_account("amex", "-1003", digits=5)
    ('capital_one-0821', 'amex-01003')
    """
    value = re.sub(r"^[-Xx*#\s]+", "", (card or "").strip())
    if digits and value.isdigit() and len(value) < digits:
        value = value.zfill(digits)
    return f"{layout}-{value}" if value else None
