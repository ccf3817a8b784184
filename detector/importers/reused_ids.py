"""One FITID given to several transactions: each of them is stored, under an id of its own.

An OFX/QFX ``FITID`` is meant to name one transaction, and it is
the stored primary key. Banks break that: Chase gives a foreign-transaction fee, and a rewards
credit, the FITID of the purchase they belong to (round-twenty-seven audit: a QFX of 6
transactions stored 3 of them, one stored row mixing two, without a word; the next download's
rewards credit was dropped as a "duplicate" of the purchase stored before it).

Rows of one account sharing a bank id are told apart by their date and amount (to the cent):

- the row whose date and amount are those of the row stored under that id before keeps the id
  (none stored: the first row of the file holding it);
- every other one gets ``x_`` + ``stable_id(account, id, date, cents, k)``, ``k`` counting the
  rows of the file before it with the same id, date and amount. The same file imported again,
  or a later download holding the same rows, gives the same ids: they are found stored.

Within one file every line is a transaction: two lines alike in everything, the id too, are two
charges, kept both, as two identical lines of a CSV are (``occurrence``, docs/importers.md).
Across files the description is not compared: a row with a stored row's id, date and amount is
that row, whatever name the later download writes. ``id_from_bank`` is 0 for an id of ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..ids import stable_id
from ..money import to_cents

#: The sources whose ids are looked at: OFX/QFX FITIDs. A CSV's id column keeps the rule the
#: scan relies on, the first row stored under an id wins (``store.as_stored``, tests/test_scan_input).
SOURCES = ("ofx",)
#: The columns :func:`separate_reused_ids` needs of the rows stored before under the file's ids
#: (``ingest._stored_under``): the id as the file gives it, the account, date and amount, the id
#: the row is stored under, and whether that is the ``x_`` id of an id another account holds.
STORED_COLUMNS = ("transaction_id", "account_id", "date", "amount", "stored_id", "namespaced")


def _day(value) -> str:
    return str(value)[:10]


def _shown(date: str, cents: int, description: str) -> str:
    return f"{date} {cents / 100:+.2f} {description}"


@dataclass
class ReusedIds:
    """What :func:`separate_reused_ids` found in one file (or the chunks of one file)."""

    #: ``(bank id, lines)`` of ids naming transactions that differ, within the file.
    within: list[tuple[str, list[int]]] = field(default_factory=list)
    #: ``(line, earlier line)`` of lines repeating an earlier one in everything, the id too.
    repeats: list[tuple[int, int]] = field(default_factory=list)
    #: ``(line, bank id, this row, the stored row, its file)`` of rows whose id was stored before
    #: for a transaction of another date or amount.
    stored: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    #: ``(account, other account) -> rows`` of rows whose bank id another account holds: stored
    #: under an ``x_`` id for their own account (``ingest._separate_clashing_ids``).
    elsewhere: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, other: ReusedIds) -> None:
        self.within += other.within
        self.repeats += other.repeats
        self.stored += other.stored
        self.add_elsewhere(other.elsewhere)

    def add_elsewhere(self, counts: dict[tuple[str, str], int]) -> None:
        for pair, n in counts.items():
            self.elsewhere[pair] = self.elsewhere.get(pair, 0) + n

    def notes(self) -> list[str]:
        out = []
        if self.within:
            shown = _first_three([f"{i!r} on lines {', '.join(map(str, lines))}" for i, lines in self.within], "; ")
            out.append(
                f"{len(self.within)} FITID(s) name several different transactions in this "
                f"file ({shown}): each transaction is stored, one under the bank's id and the others under an "
                "id of ours made from it, their date and amount (a card issuer gives a foreign-transaction fee or "
                "a rewards credit the id of its purchase; docs/importers.md, \"One FITID, several transactions\")")
        if self.repeats:
            shown = _first_three([f"line {a} repeats line {b}" for a, b in self.repeats], ", ")
            out.append(
                f"{len(self.repeats)} transaction(s) repeat an earlier one of this file in everything, its "
                f"FITID too ({shown}): each is kept as a transaction of its own, as two identical "
                "lines of a CSV are (two charges alike on one day), under an id of ours")
        if self.stored:
            line, tx_id, here, there, path = self.stored[0]
            more = f"; and {len(self.stored) - 1} more" if len(self.stored) > 1 else ""
            out.append(
                f"{len(self.stored)} row(s) carry a FITID stored before for another "
                f"transaction (line {line}: {tx_id!r} is {here} here, and {there} from {path or 'another file'}"
                f"{more}): the bank gave one id to two transactions, and each is stored, this one under an id of "
                "ours made from the bank's, its date and amount (docs/importers.md, \"One FITID, several "
                "transactions\")")
        for (mine, theirs), n in sorted(self.elsewhere.items()):
            out.append(
                f"{n} row(s) carry bank transaction ids already stored under account {theirs!r}: they are "
                f"stored again, for account {mine!r}, under ids of ours made from the bank's, and count in both "
                f"accounts. If the two are one account's exports (a bank's own id names one transaction: Monzo's, "
                f"Bank of America's and Amex's are unique to the bank), scan this file with --account {theirs!r}; "
                "two accounts may share ids only where the bank numbers each account's apart (an OFX FITID; "
                "docs/importers.md, \"A bank's id already stored under another account\")")
        return out


def _first_three(items: list[str], sep: str) -> str:
    """The first three of ``items`` joined by ``sep``, and how many more there are."""
    more = f" and {len(items) - 3} more" if len(items) > 3 else ""
    return sep.join(items[:3]) + more


def separate_reused_ids(df: pd.DataFrame, stored: pd.DataFrame,
                        details: Callable[[list[str]], dict[str, tuple[str, str]]] | None = None,
                        ) -> tuple[pd.DataFrame, ReusedIds]:
    """``df`` with an id of ours for each row whose bank id names another transaction too (in
    the file, or stored before), and what was found.

    ``stored``: the rows stored under the file's ids (:data:`STORED_COLUMNS`: the bank's id, the
    account, the date and amount, and the id it is stored under); ``details`` gives the
    description and file of stored ids, for the note. Only ids the bank gave (``id_from_bank ==
    1``) are looked at; a frame without that column is returned as it is.
    """
    found = ReusedIds()
    if df.empty or "id_from_bank" not in df:
        return df, found
    bank = (df["id_from_bank"].fillna(0).astype("int64") == 1).to_numpy()
    if "source" in df:
        bank = bank & df["source"].isin(SOURCES).to_numpy()
    if not bank.any():
        return df, found
    rows = df.loc[bank, ["account_id", "transaction_id", "date", "amount", "description", "source_line"]]
    ids = rows["transaction_id"].to_numpy(dtype=object)
    account = rows["account_id"].to_numpy(dtype=object)
    date = rows["date"].to_numpy(dtype=object)
    cents = to_cents(rows["amount"])
    repeated = (np.zeros(len(rows), dtype=bool) if pd.Index(ids).is_unique
                else rows.duplicated(["account_id", "transaction_id"], keep=False).to_numpy().copy())
    # the position in ``stored`` of the row stored under each row's id for its account, or -1
    at = np.full(len(rows), -1, dtype=np.int64)
    if not stored.empty:
        stored = stored.reset_index(drop=True)
        namespaced = stored["namespaced"].astype(bool).to_numpy()
        direct = np.flatnonzero(~namespaced)
        # stored ids are unique: one stored as the bank gave it is looked up by itself
        pos = pd.Index(stored["transaction_id"].to_numpy()[direct]).get_indexer(ids)
        found_at = np.where(pos >= 0, direct[np.maximum(pos, 0)], -1)
        theirs = stored["account_id"].to_numpy(dtype=object)
        mine = found_at >= 0
        mine[mine] = theirs[found_at[mine]] == account[mine]
        at[mine] = found_at[mine]
        if namespaced.any():  # an id another account holds: this account's row is under an x_ id
            by_pair = {(a, i): k for k, (a, i) in enumerate(zip(theirs, stored["transaction_id"])) if namespaced[k]}
            for r in np.flatnonzero(~mine):
                at[r] = by_pair.get((account[r], ids[r]), -1)
        hit = at >= 0
        if hit.any():
            their_date = stored["date"].to_numpy(dtype=object)
            their_cents = to_cents(stored["amount"])
            differs = np.zeros(len(rows), dtype=bool)
            differs[hit] = (their_date[at[hit]] != date[hit]) | (their_cents[at[hit]] != cents[hit])
            for r in np.flatnonzero(differs):  # the same day written otherwise ("2025-01-05 00:00:00")
                differs[r] = _day(their_date[at[r]]) != _day(date[r]) or their_cents[at[r]] != cents[r]
            repeated |= differs
    if not repeated.any():
        return df, found
    # every row of a group one of whose rows needs looking at, in the file's order
    pairs = pd.MultiIndex.from_arrays([account, ids])
    look = np.flatnonzero(pairs.isin(pairs[repeated]))
    picked = pd.DataFrame({"account": account[look], "tx_id": ids[look], "date": [_day(d) for d in date[look]],
                           "cents": cents[look], "description": rows["description"].to_numpy(dtype=object)[look],
                           "line": rows["source_line"].to_numpy()[look], "at": at[look]}, index=rows.index[look])
    known = picked.loc[picked["at"] >= 0, "at"].unique()
    shown = details(stored.loc[known, "stored_id"].tolist()) if details is not None and len(known) else {}
    new_ids: dict = {}
    for _, g in picked.groupby(["account", "tx_id"], sort=False):
        kept = None  # the stored row's date and amount, which keep the bank's id
        if g["at"].iloc[0] >= 0:
            b = stored.loc[g["at"].iloc[0]]
            kept = (_day(b["date"]), int(to_cents(b["amount"])))
            description, path = shown.get(b["stored_id"], ("", ""))
            stored_row = _shown(*kept, description).strip()
        owner = kept
        # (a file holding the stored row too says it all in the note of ids repeated within it)
        elsewhere = kept is not None and kept not in set(zip(g["date"], g["cents"].astype(int)))
        seen: dict[tuple, int] = {}
        exact: dict[tuple, int] = {}
        for pos, r in zip(g.index, g.itertuples(index=False), strict=True):
            here = (r.date, int(r.cents))
            owner = here if owner is None else owner
            n = seen.get(here, 0)
            seen[here] = n + 1
            whole = (*here, r.description)
            if whole in exact:
                found.repeats.append((int(r.line), exact[whole]))
            else:
                exact[whole] = int(r.line)
            if elsewhere:
                found.stored.append((int(r.line), r.tx_id, _shown(*here, r.description), stored_row, path))
            if here != owner or n > 0:
                new_ids[pos] = stable_id(r.account, r.tx_id, r.date, int(r.cents), n, prefix="x_")
        if len(exact) > 1:
            found.within.append((g["tx_id"].iloc[0], [int(x) for x in g["line"]]))
    if not new_ids:
        return df, found
    out = df.copy()
    where = list(new_ids)
    out.loc[where, "transaction_id"] = list(new_ids.values())
    out.loc[where, "id_from_bank"] = 0
    return out, found
