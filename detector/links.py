"""Accounts the user linked as one account's history: a card reissued under a new number.

A lost, stolen or expired card comes back with a new number, and the new number makes a new
account (Capital One's ``Card No.``, Amex's ``Account #``, a Chase file named by the card:
docs/importers.md step 5). Detection is per account, so every plan ended on the old card and
started over on the new one: the total lost plans, a yearly renewal that crossed the reissue
was never flagged, nor a charge billed once on each card (round-54 audit). Plaid gives some
banks' accounts a ``persistent_account_id``, and a sync links a new account to the stored one
with the same id itself (``linked_by`` 'plaid': :mod:`detector.plaid.sync`); a statement file
gives nothing, so the user says it once:

    subdetect accounts link capital_one-4821 capital_one-6630

Each link is a row of ``account_links`` (store migration 14): ``account_id`` continues
``continues``. A chain of them (a card reissued twice) is one *group*, named by its first
account. Detection reads the group's rows as one account (:func:`as_linked` before any engine,
so the local engine's batches, its workers and Spark's ``groupBy`` all get the group whole) and
gives each stream and flag back its own account (:func:`own_accounts`, in
:func:`detector.pipeline.detect_account`): a flag the account of its charge, a stream that of its
latest charge. Stream ids hash the group's name, so a plan keeps the id it had on the first card.
The stored rows keep their own account.

:func:`suggest_links` finds, from the data alone, an account whose plans stop and another of the
same layout whose charges take them up at the same amounts on their due dates: it suggests the
link, and links nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from .errors import ConfigError, NotFound
from .money import to_cents
from .schema import LINKED_COLUMN
from .store import Store, utcnow


@dataclass(frozen=True)
class Link:
    """One recorded link: ``account_id`` continues ``continues``; ``changed`` is False when it
    was recorded (or removed) already."""

    continues: str
    account_id: str
    changed: bool
    linked_at: str | None = None


def links(store: Store) -> list[Link]:
    """Every recorded link, oldest account first."""
    rows = store.conn.execute("SELECT continues, account_id, linked_at FROM account_links "
                              "ORDER BY continues, account_id").fetchall()
    return [Link(c, a, False, t) for c, a, t in rows]


def account_groups(store: Store) -> dict[str, str]:
    """Each linked account -> its group's name (the first account of its chain). Accounts
    linked to none are not in it; an empty dict when nothing is linked (one small query)."""
    pairs = store.conn.execute("SELECT account_id, continues FROM account_links").fetchall()
    return groups_of(pairs)


def groups_of(pairs) -> dict[str, str]:
    """``(account, continues)`` pairs -> each account of them to the first account of its chain."""
    before = {str(a): str(c) for a, c in pairs}
    out = {}
    for account in {*before, *before.values()}:
        root, seen = account, {account}
        while root in before and before[root] not in seen:  # (a cycle cannot be recorded; stop anyway)
            root = before[root]
            seen.add(root)
        out[account] = root
    return out


def members(groups: dict[str, str], accounts) -> set[str]:
    """``accounts`` with every account linked to any of them."""
    accounts = {str(a) for a in accounts}
    roots = {groups[a] for a in accounts if a in groups}
    return accounts | {a for a, r in groups.items() if r in roots}


def _known(store: Store, account: str) -> bool:
    for table in ("transactions", "streams", "accounts"):
        if store.conn.execute(f"SELECT 1 FROM {table} WHERE account_id = ? LIMIT 1", [account]).fetchone():
            return True
    return False


def _stored_accounts(store: Store, limit: int = 10) -> str:
    known = [r[0] for r in store.conn.execute(
        "SELECT account_id FROM (SELECT DISTINCT account_id FROM transactions UNION SELECT account_id FROM accounts) "
        f"ORDER BY account_id LIMIT {limit + 1}")]
    return ", ".join(known[:limit]) + (", ..." if len(known) > limit else "") if known else "none"


def link(store: Store, old: str, new: str, *, by: str = "user") -> Link:
    """Record that ``new`` continues ``old`` (a card reissued: its new number). Idempotent.
    ``by`` says who linked them (``account_links.linked_by``): the user, or ``plaid`` for a
    sync that met a new account with a stored account's ``persistent_account_id``.

    Refused (:class:`~detector.errors.NotFound`) when either account holds nothing, and
    (:class:`~detector.errors.ConfigError`) when ``new`` already continues another account,
    ``old`` is already continued by another, the link would close a circle, or the two
    accounts are in different currencies (no card changes currency when it is reissued)."""
    old, new = str(old).strip(), str(new).strip()
    if not old or not new or old == new:
        raise ConfigError(f"link two different accounts, not {old!r} and {new!r}")
    for account in (old, new):
        if not _known(store, account):
            raise NotFound(f"nothing is stored for account {account!r}; stored accounts: {_stored_accounts(store)}")
    row = store.conn.execute("SELECT continues, linked_at FROM account_links WHERE account_id = ?", [new]).fetchone()
    if row and row[0] == old:
        return Link(old, new, False, row[1])
    if row:
        raise ConfigError(f"{new} already continues {row[0]}: `subdetect accounts unlink {row[0]} {new}` first")
    after = store.conn.execute("SELECT account_id FROM account_links WHERE continues = ?", [old]).fetchone()
    if after:
        raise ConfigError(f"{old} is already continued by {after[0]}: `subdetect accounts unlink {old} {after[0]}` "
                          f"first (a card replaced twice is linked in turn: OLD SECOND, then SECOND THIRD)")
    groups = account_groups(store)
    if groups.get(old, old) == groups.get(new, new):
        raise ConfigError(f"{old} and {new} are linked already, the other way round")
    currencies = dict(store.conn.execute(
        "SELECT account_id, currency FROM accounts WHERE account_id IN (?, ?) AND currency IS NOT NULL", [old, new]))
    if len(set(currencies.values())) > 1:
        raise ConfigError(f"{old} is in {currencies[old]} and {new} in {currencies[new]}: a reissued card keeps "
                          "its currency, so these are two accounts")
    now = utcnow()
    with store.conn:
        store.conn.execute("INSERT INTO account_links (account_id, continues, linked_at, linked_by) "
                           "VALUES (?, ?, ?, ?)", [new, old, now, by])
        store.mark_detection_owed([old, new], "linked")  # (detected apart until the next run)
    return Link(old, new, True, now)


def unlink(store: Store, old: str, new: str) -> Link:
    """Remove the link of ``new`` to ``old``; the two are detected apart again. Idempotent."""
    old, new = str(old).strip(), str(new).strip()
    with store.conn:
        gone = store.conn.execute("DELETE FROM account_links WHERE account_id = ? AND continues = ?",
                                  [new, old]).rowcount
        if gone:
            store.mark_detection_owed([old, new], "unlinked")
    if not gone:
        other = store.conn.execute("SELECT continues FROM account_links WHERE account_id = ?", [new]).fetchone()
        if other is None and store.conn.execute("SELECT 1 FROM account_links WHERE account_id = ? AND continues = ?",
                                                [old, new]).fetchone():
            raise ConfigError(f"the link is {new} -> {old}: `subdetect accounts unlink {new} {old}`")
    return Link(old, new, bool(gone))


# -- detection over linked accounts ---------------------------------------------------------------

def as_linked(tx: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """``tx`` with the rows of linked accounts under their group's name, each keeping its own
    account in :data:`LINKED_COLUMN` (``tx`` itself when none of its rows is linked).

    Run after transfers are attached (they are paired by each row's own account) and before any
    engine splits the rows into groups of accounts."""
    if not groups or tx is None or tx.empty or LINKED_COLUMN in tx.columns:
        return tx
    own = tx["account_id"].astype(str)
    group = own.map(groups)
    if not group.notna().any():
        return tx
    out = tx.copy(deep=False)
    out[LINKED_COLUMN] = own.where(group.notna(), None).astype(object)
    out["account_id"] = group.fillna(own).to_numpy(dtype=object)
    return out


def linked_cancellations(cancellations: pd.DataFrame | None, groups: dict[str, str]):
    """The user's cancellations (or any frame with ``account_id``) with the accounts of a group
    named as the group: a plan cancelled on the old card is the same plan on the new one."""
    if not groups or cancellations is None or cancellations.empty or "account_id" not in cancellations:
        return cancellations
    return cancellations.assign(account_id=[groups.get(a, a) if isinstance(a, str) else a
                                            for a in cancellations["account_id"]])


def own_accounts(streams: pd.DataFrame, flags: pd.DataFrame, tx: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Streams and flags detected over :func:`as_linked` rows with their own accounts back: a
    flag its charge's, a stream its latest charge's (the card it bills now, or billed last).
    Streams and flags of accounts linked to none are left as they are."""
    if LINKED_COLUMN not in tx.columns:
        return streams, flags
    linked = tx[LINKED_COLUMN].notna()
    if not linked.any():
        return streams, flags
    rows = tx.loc[linked, ["transaction_id", "date", LINKED_COLUMN]]
    owner = dict(zip(rows["transaction_id"].astype(str), rows[LINKED_COLUMN].astype(str)))
    day = dict(zip(rows["transaction_id"].astype(str), rows["date"].astype(str)))
    if flags is not None and len(flags):
        flags = flags.assign(account_id=flags["transaction_id"].astype(str).map(owner).fillna(flags["account_id"]))
    if streams is not None and len(streams):
        def latest(ids, account):
            held = [(day[t], owner[t]) for t in map(str, ids if ids is not None else []) if t in owner]
            return max(held)[1] if held else account

        streams = streams.assign(account_id=[latest(ids, a) for ids, a in
                                             zip(streams["transaction_ids"], streams["account_id"])])
    return streams, flags


# -- suggestions ----------------------------------------------------------------------------------

#: How far (days) a charge on the new account may fall from the date the old one's plan was due.
DUE_SLACK = 7
#: How far (days) the new account's first row may come before the old one's last (a merchant
#: still billing the old number while the new card is in use) or after it (the card in the post).
START_BEFORE = 31
START_AFTER = 62
#: Pairs of accounts looked at, at most, by one :func:`suggest_links` (a store of many accounts
#: of one layout: a note is not worth an unbounded look).
MAX_PAIRS = 200


@dataclass(frozen=True)
class Suggestion:
    """Account ``old``'s plans continue on ``new`` from ``since``: ``plans`` of them, by name."""

    old: str
    new: str
    since: str
    plans: tuple[str, ...]

    def text(self) -> str:
        shown = ", ".join(self.plans[:4]) + (f" and {len(self.plans) - 4} more" if len(self.plans) > 4 else "")
        return (f"note: {self.old}'s plans continue on {self.new} from {self.since} ({shown}: the same merchants "
                f"at the same amounts, due the same days): a reissued card? `subdetect accounts link {self.old} "
                f"{self.new}` reads the two as one account's history")


def plan_streams(streams: pd.DataFrame) -> pd.Series:
    """Per stream: a plan or a bill, money out at a set price or by a biller's name; not a
    payment to one's own card, money moved, payroll, money in, nor spending that repeats (fuel,
    coffee and meals by the name of the place, sums that vary at a merchant no catalogue
    holds)."""
    from .descriptor_words import (
        EATERY,
        FUEL_STATION,
        HOUSING_PAYMENT,
        INSURER_NAME,
        LOAN_PAYMENT,
        TAX_PAYMENT,
        UTILITY_NAME,
        card_payment_streams,
        payroll_streams,
    )
    from .transfers import own_transfer_streams

    if streams is None or streams.empty:
        return pd.Series(dtype=bool)
    name = streams["merchant"].fillna("").astype(str)
    unknown = streams["vendor"].isna() if "vendor" in streams else pd.Series(True, index=streams.index)

    def says(*patterns):
        return name.map({m: any(p.search(m) for p in patterns) for m in name.unique()}).astype(bool)

    billed = says(UTILITY_NAME, TAX_PAYMENT, HOUSING_PAYMENT, INSURER_NAME, LOAN_PAYMENT)
    average = pd.to_numeric(streams["average_amount"], errors="coerce")
    last = pd.to_numeric(streams["last_amount"], errors="coerce")
    spread = streams["evidence"].fillna("").astype(str).str.extract(r"amount ([\d,]+\.\d+)-([\d,]+\.\d+)")
    low = pd.to_numeric(spread[0].str.replace(",", ""), errors="coerce")
    high = pd.to_numeric(spread[1].str.replace(",", ""), errors="coerce")
    varies = ((last - average).abs() > 0.15 * average) | (high > 1.25 * low)
    habit = unknown & ~billed & (says(FUEL_STATION, EATERY) | varies.fillna(False))
    out = (streams["direction"].fillna("outflow") == "outflow") & ~habit
    out &= ~card_payment_streams(streams).astype(bool) & ~payroll_streams(streams).astype(bool)
    out &= ~own_transfer_streams(streams).astype(bool)
    return out.astype(bool)


def suggest_links(store: Store, as_of: str, accounts=None) -> list[Suggestion]:
    """Accounts whose plans stop and continue on another account of the same layout: for an
    account ``old`` whose stored data end before plans of it fell due (by ``as_of``), and an
    account ``new`` of the same importer (``accounts.source``) whose rows start around the day
    ``old``'s end, each plan of ``old`` due after its last row that ``new`` bills by the same
    merchant (its normalised key) at the same amount within :data:`DUE_SLACK` days of the due
    date. Suggested when two plans or more continue, or every such plan of ``old`` does.
    ``accounts`` limits ``old`` or ``new`` to those. Nothing is linked.
    """
    from .normalize import normalize_descriptors

    groups = account_groups(store)
    spans = pd.read_sql_query(
        "SELECT t.account_id, a.source, MIN(t.date) AS first, MAX(t.date) AS last FROM transactions t "
        "JOIN accounts a ON a.account_id = t.account_id WHERE a.source IS NOT NULL AND t.date <= ? "
        "GROUP BY t.account_id", store.conn, params=[as_of])
    if len(spans) < 2:
        return []
    spans = spans.set_index("account_id")
    streams = pd.read_sql_query(
        "SELECT account_id, merchant, vendor, direction, status, average_amount, last_amount, last_date, next_date, "
        "evidence, transaction_ids FROM streams WHERE next_date IS NOT NULL AND next_date <= ? AND status != 'cancelled'",
        store.conn, params=[as_of])
    if streams.empty:
        return []
    streams = streams[streams["account_id"].isin(spans.index)]
    streams = streams[streams["next_date"] > streams["account_id"].map(spans["last"])]
    streams = streams[plan_streams(streams).to_numpy(dtype=bool)] if len(streams) else streams
    wanted = None if accounts is None else {str(a) for a in accounts}
    out, pairs = [], 0
    for old, stopped in streams.groupby("account_id", sort=True):
        span = spans.loc[old]
        start = pd.Timestamp(span["last"])
        later = spans[(spans["source"] == span["source"]) & (spans.index != old)
                      & (spans["first"] > span["first"]) & (spans["last"] > span["last"])
                      & (spans["first"] >= (start - timedelta(days=START_BEFORE)).date().isoformat())
                      & (spans["first"] <= (start + timedelta(days=START_AFTER)).date().isoformat())]
        later = [n for n in later.index if groups.get(n, n) != groups.get(old, old)
                 and (wanted is None or old in wanted or n in wanted)]
        for new in later:
            pairs += 1
            if pairs > MAX_PAIRS:
                break
            found = _continued(store, old, new, stopped, normalize_descriptors)
            if found and (len(found) >= 2 or len(found) == len(stopped)):
                out.append(Suggestion(old, new, str(spans.loc[new, "first"]), tuple(found)))
    # one suggestion an old account: the new account that takes up most of its plans
    best: dict[str, Suggestion] = {}
    for s in out:
        if s.old not in best or len(s.plans) > len(best[s.old].plans):
            best[s.old] = s
    return sorted(best.values(), key=lambda s: (s.old, s.new))


def _continued(store: Store, old: str, new: str, stopped: pd.DataFrame, normalize) -> list[str]:
    """The names of ``old``'s ``stopped`` plans that ``new`` bills by the same merchant at the
    same amount within :data:`DUE_SLACK` days of each one's due date."""
    import json

    last_ids = [json.loads(ids)[-1] for ids in stopped["transaction_ids"]]
    mine = pd.read_sql_query(
        "SELECT transaction_id, description FROM transactions WHERE transaction_id IN "
        "(SELECT value FROM json_each(?))", store.conn, params=[json.dumps(last_ids)])
    due = pd.to_datetime(stopped["next_date"])
    theirs = pd.read_sql_query(
        "SELECT date, amount, description FROM transactions WHERE account_id = ? AND amount < 0 AND date >= ? "
        "AND date <= ?", store.conn,
        params=[new, (due.min() - timedelta(days=DUE_SLACK)).date().isoformat(),
                (due.max() + timedelta(days=DUE_SLACK)).date().isoformat()])
    if mine.empty or theirs.empty:
        return []
    keys = normalize(pd.concat([mine["description"], theirs["description"]], ignore_index=True),
                     groups=pd.Series([old] * len(mine) + [new] * len(theirs)))["merchant_key"].to_numpy()
    key_of = dict(zip(mine["transaction_id"].astype(str), keys[:len(mine)]))
    theirs = theirs.assign(key=keys[len(mine):], day=pd.to_datetime(theirs["date"]),
                           cents=to_cents(-theirs["amount"]))
    found = []
    for plan, last_id, when, amount in zip(stopped["merchant"], last_ids, due, stopped["last_amount"]):
        key = key_of.get(str(last_id))
        hit = theirs[(theirs["key"] == key) & (theirs["cents"] == to_cents(float(amount)))
                     & ((theirs["day"] - when).abs() <= pd.Timedelta(days=DUE_SLACK))]
        if key is not None and len(hit):
            found.append(str(plan))
    return sorted(set(found))


def account_table(store: Store) -> pd.DataFrame:
    """Every stored account: its layout (``source``), currency, rows, first and last dates,
    the account it continues, who linked them (``user``, or ``plaid`` for a sync that met the
    same ``persistent_account_id``) and the group it is detected in (itself when linked to none)."""
    out = pd.read_sql_query(
        "SELECT t.account_id, a.source AS layout, a.currency, COUNT(*) AS rows, MIN(t.date) AS first_date, "
        "MAX(t.date) AS last_date, l.continues, l.linked_by FROM transactions t LEFT JOIN accounts a ON a.account_id = t.account_id "
        "LEFT JOIN account_links l ON l.account_id = t.account_id GROUP BY t.account_id ORDER BY t.account_id",
        store.conn)
    groups = account_groups(store)
    return out.assign(detected_as=out["account_id"].map(groups).fillna(out["account_id"]))


def detected_as_of(store: Store, accounts) -> str | None:
    """The as-of date of the latest detection of ``accounts`` (None: none ran), of
    :func:`detector.pipeline.detected_dates`: also where nothing was found (twenty-seventh
    session: two cards whose scan found no plan yet were "not detected yet" to `accounts link`)."""
    from .pipeline import detected_dates

    return max(detected_dates(store, accounts).values(), default=None)
