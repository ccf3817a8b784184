"""Santander UK's text statement: Online Banking -> Download transactions -> "Text file (TXT)".

Not a CSV: a ``From:``/``Account:`` preamble, then one block of labelled lines per transaction,
newest first, as read by public Santander UK parsers (an awk ledger script, a Python balance
aggregator reading ``date_line[6:]`` after ``Date:`` and one non-breaking space)::

    From: 01/05/2024 to 30/06/2025

    Account: XXXX XXXX XXXX 1234

    Date: 02/05/2024
    Description: CARD PAYMENT TO TESCO STORES 2931 ON 02/05/2024
    Amount: -112.71 GBP
    Balance: 437.29 GBP

Quirks read here: cp1252 with CRLF line ends; a non-breaking space (0xA0) after each label and
after values; dates ``dd/mm/yyyy``; amounts signed, with or without a trailing ``GBP``. Before the
round-twenty-four audit the file was "no importer recognises this file. Columns seen: 'From:
01/05/2024 to 30/06/2025'" with a ``--columns`` mapping no mapping could satisfy.

Each block is one transaction (its line is the ``Date:`` line); a block whose date or amount does
not read, and any other line that is not a label of this layout, is rejected with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import HEAD_LINES, Importer, Reject, Row, read_text
from .parsing import parse_amount, parse_currency, parse_date

#: ``Label: value``; Python's ``\s`` takes the non-breaking spaces Santander writes around values.
_LABEL = re.compile(r"^\s*(from|account|date|description|amount|balance)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_DATE_LINE = re.compile(r"^\s*Date\s*:\s*\d{1,2}/\d{1,2}/\d{4}\s*$", re.IGNORECASE)
#: An amount and, after it, the currency it is in (``-12.99 GBP``).
_CODE = re.compile(r"^(?P<amount>.*?\d)\s*(?P<code>[A-Za-z]{3})?$")


def _clean(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("\u00a0", " ")).strip()


class SantanderTxt(Importer):
    """Santander UK text statement (.txt): ``Date:``/``Description:``/``Amount:``/``Balance:`` blocks."""

    name = "santander_txt"
    title = "Santander UK text statement (.txt)"
    currency = "GBP"
    #: The same download serves current accounts and credit cards: no one payment method.
    payment_method = None
    country = "GB"
    date_formats = ("%d/%m/%Y",)

    def identify(self, path: str, head: str) -> bool:
        lines = head.splitlines()[:HEAD_LINES]
        labels = {m.group(1).lower() for line in lines if (m := _LABEL.match(line))}
        return any(_DATE_LINE.match(line) for line in lines) and {"description", "amount"} <= labels

    def account(self, path: str) -> str | None:
        """The preamble's ``Account: XXXX XXXX XXXX 1234``."""
        for line in read_text(path).splitlines()[:HEAD_LINES]:
            m = _LABEL.match(line)
            if m and m.group(1).lower() == "account":
                return _clean(m.group(2)) or None
            if m and m.group(1).lower() == "date":
                break
        return None

    def extract(self, path: str) -> Iterator[Row | Reject]:
        block: dict[str, str] = {}
        raw: list[str] = []
        start = 0
        last = None  # the label of the block's last line (a description may go on to the next line)
        for number, line in enumerate(read_text(path).splitlines(), start=1):
            m = _LABEL.match(line)
            label = m.group(1).lower() if m else None
            if label == "date" or not line.strip() or (label in ("from", "account") and not block):
                if block:
                    yield self._transaction(start, block, raw)
                block, raw, last = {}, [], None
                if label == "date":
                    block, raw, start, last = {"date": m.group(2)}, [line], number, "date"
                continue
            if not block:
                yield Reject(number, "not part of a Date:/Description:/Amount: block of a Santander text statement",
                             line)
                continue
            raw.append(line)
            if label is None and last == "description":  # a description that goes on
                block["description"] = f"{block['description']} {line}"
            elif label is None or label in ("from", "account"):
                block.setdefault("unread", line)
            else:
                block[label], last = m.group(2), label
        if block:
            yield self._transaction(start, block, raw, last=True)

    def _transaction(self, line: int, block: dict[str, str], raw: list[str], last: bool = False) -> Row | Reject:
        text = "\n".join(raw)
        try:
            if last and "amount" not in block:
                raise ValueError("the file ends inside this block, before its Amount: line: the download looks "
                                 "cut short; download the statement again")
            if "unread" in block:
                raise ValueError(f"a line of this block is not Date:, Description:, Amount: or Balance: "
                                 f"({_clean(block['unread'])!r})")
            date = parse_date(_clean(block.get("date", "")), self.date_formats)
            if "amount" not in block:
                raise ValueError("no Amount: line in this block")
            m = _CODE.match(_clean(block["amount"]))
            amount = parse_amount(m.group("amount") if m else _clean(block["amount"]))
            currency = parse_currency(m.group("code")) if m and m.group("code") else None
        except ValueError as exc:
            return Reject(line, str(exc), text)
        return Row(line=line, date=date, amount=amount + 0.0, description=_clean(block.get("description", "")),
                   currency=currency)
