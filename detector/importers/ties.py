"""One account's CSV and OFX/QFX statements under one account id.

An OFX/QFX names its account (``ACCTID``); a CSV of the same card mostly does not, and its rows
go to its file name's account (``naming.py``). Chase names every download of card ...9753
``Chase9753_Activity_YYYYMMDD`` with ``.CSV`` or ``.QFX``, and the QFX's ``ACCTID`` is an
internal number ending in the card's four digits (``520844521-9753``): the CSV's rows went to
``Chase9753_Activity``, the QFX's to ``520844521-9753``, and every plan of the card was reported
twice, once per account (the overlap of the two files was never compared either:
``overlap.py`` compares files of one account only).

Here the two are tied when the bank named both files alike: a one-account OFX whose file name
gives the same account a CSV's file name gives (dates taken out), that name holding one group of
four digits, and the ``ACCTID`` ending in those digits. Which id the rows go to:

* nothing of either stored yet: the ``ACCTID`` (the CSV's rows are stored under it, whichever
  file comes first, in one run or in runs apart: an OFX stored before is found in ``imports``);
* an account of that file name already stored (CSVs imported before, under the name) and the
  ``ACCTID`` not: the OFX's rows go to the stored name, so the account stays one;
* both already stored (a database from before this): each keeps its own (nothing is moved).

A CSV given ``--account`` (or an account folder) keeps that account, and a file naming its own
account (an account column, a card column) keeps it. Files named otherwise are not tied:
``--account`` with the OFX's ``ACCTID`` (the ingest table's Account column) puts a CSV's rows
under it. Each tie is said in the file's notes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..store import Store
from .naming import account_from_filename

_FOUR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def last_four(name: str) -> str | None:
    """The one group of exactly four digits in a file-name account (``Chase9753_Activity`` ->
    ``9753``), else ``None`` (none, or several: which would be the card's?)."""
    groups = _FOUR.findall(name)
    return groups[0] if len(groups) == 1 else None


def named_alike(acctid: str, name: str) -> bool:
    """Whether an OFX ``ACCTID`` ends in the four digits its file's name holds."""
    four = last_four(name)
    digits = re.sub(r"\D", "", acctid or "")
    return four is not None and len(digits) >= 4 and digits.endswith(four)


_ACCTID = re.compile(r"<ACCTID>\s*([^<\r\n]+)", re.IGNORECASE)
_TRANSACTION = re.compile(r"<STMTTRN>.*?</STMTTRN>", re.IGNORECASE | re.DOTALL)


def ofx_account(path: str) -> str | None:
    """The one account an OFX/QFX file names (``None``: not an OFX, several accounts, none).
    Accounts a transaction names (a transfer's ``BANKACCTTO``) are not the file's."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).upper()
    except OSError:
        return None
    if b"OFXHEADER" not in head and b"<OFX>" not in head:
        return None
    from .base import read_text

    try:
        text = read_text(path)
    except Exception:  # noqa: BLE001 - an unreadable file is reported when it is imported
        return None
    accounts = {a.strip() for a in _ACCTID.findall(_TRANSACTION.sub("", text))}
    return next(iter(accounts)) if len(accounts) == 1 else None


class AccountTies:
    """The ties of one batch of files (:func:`~detector.importers.ingest_files`)."""

    def __init__(self, store: Store, paths: list[str], account_id: str | None):
        self.store = store
        self.user_account = account_id
        #: file-name account -> (ACCTID, path) of this batch's OFX files named alike
        self.batch: dict[str, tuple[str, str]] = {}
        self._ofx: dict[str, str | None] = {}
        for p in paths:
            acctid = self.ofx(p)
            name = account_from_filename(p)
            if acctid and named_alike(acctid, name):
                self.batch.setdefault(name, (acctid, p))

    def ofx(self, path: str) -> str | None:
        if path not in self._ofx:
            self._ofx[path] = ofx_account(path)
        return self._ofx[path]

    def _stored(self, account: str) -> bool:
        return self.store.conn.execute("SELECT 1 FROM transactions WHERE account_id = ? LIMIT 1",
                                       [account]).fetchone() is not None

    def _stored_ofx(self, name: str) -> tuple[str, str] | None:
        """An OFX imported before whose file name gives ``name`` and whose account is stored."""
        for path, account in self.store.conn.execute(
                "SELECT path, account_id FROM imports WHERE format = 'ofx' AND account_id IS NOT NULL "
                "ORDER BY imported_at"):
            if (account and "," not in account and account_from_filename(path) == name
                    and named_alike(account, name) and self._stored(account)):
                return account, path
        return None

    def accounts_as(self, path: str) -> tuple[dict[str, str], str | None]:
        """``read_statement``'s ``accounts_as`` for ``path``, and the note saying so (or ``{}``)."""
        name = account_from_filename(path)
        acctid = self.ofx(path)
        if acctid is not None:
            if not named_alike(acctid, name) or self._stored(acctid) or not self._stored(name):
                return {}, None
            return {acctid: name}, (
                f"its account {acctid} (the file's ACCTID) is stored as {name!r}, the account the statements "
                f"named like this file (the same card's four digits, {last_four(name)}) were stored under "
                "before: one account, not two (docs/importers.md, \"Account\")")
        if self.user_account or last_four(name) is None or self._stored(name):
            return {}, None
        hit = self.batch.get(name) or self._stored_ofx(name)
        if hit is None:
            return {}, None
        acctid, ofx_path = hit
        return {name: acctid}, (
            f"its rows are stored under account {acctid}, the ACCTID of {os.fspath(Path(ofx_path).name)}, which "
            f"the bank named like this file (the card's four digits, {last_four(name)}): one account, not two "
            "(--account names another; docs/importers.md, \"Account\")")
