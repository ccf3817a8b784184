"""``/transactions/sync`` into the store: one cursor per item, crash-safe, pages applied atomically.

For each item the loop starts at the stored cursor, fetches pages until ``has_more`` is false, and
only then applies every page (``added`` and ``modified`` upserted, ``removed`` deleted, in page
order) *and* the new cursor in one SQLite transaction. A crash before that commit leaves the old
cursor and the old rows, so the next run fetches the same updates again; after it, both moved
together. Nothing is skipped and nothing is doubled.

``TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`` discards the pages fetched so far and restarts from
the cursor the loop began with, as Plaid requires.

Mapping to canonical rows:

* ``transaction_id`` = Plaid's id, ``account_id`` = Plaid's ``account_id``, ``date`` = ``date``.
* ``amount`` = ``-amount``: Plaid counts money out as positive, we count it negative.
* ``description`` = ``original_description`` (requested with ``include_original_description``),
  else ``name``, else ``merchant_name``, on one line (``parsing.one_line``, as a statement's; one
  holding nothing but spaces and line breaks counts as none). The raw bank descriptor is what our normaliser and vendor
  matcher were built for (``APPLE.COM/BILL``, ``PAYPAL *NETFLIX``: the billing channel lives in
  it); Plaid's cleaned ``name`` and ``merchant_name`` drop exactly that.
* ``currency`` = ``iso_currency_code`` (else ``unofficial_currency_code``), ``source`` = ``plaid``.
* A posted transaction whose ``pending_transaction_id`` names a stored pending one replaces it,
  and takes over its refund request, flag dismissals and the charge ids decisions keep
  (:meth:`Store.repoint_transactions`); so does one that names none, of a stored pending
  charge's account, merchant and amount (or, failing that, a sum a tip, a hold or the exchange
  rate explains), dated on its day or a few days later (``_unlinked_twins``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import partial

from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.transactions_sync_request import TransactionsSyncRequest
from plaid.model.transactions_sync_request_options import TransactionsSyncRequestOptions

from ..errors import DetectorError, PlaidError
from ..faults import crashpoint
from ..importers.parsing import one_line
from ..redact import redact
from ..refunds import note_changed_amounts, note_removed_charges
from ..store import Store, utcnow
from ..workdays import country_for_currency
from .client import PlaidConfig, RetryPolicy, call, make_api
from .items import access_token, get_item, list_items
from .secrets import secret_key

log = logging.getLogger("detector.plaid")

MUTATION = "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"
#: Plaid's code for a request field it rejects; from ``/transactions/sync`` with a stored cursor,
#: the cursor (the only field that changes between calls).
INVALID_FIELD = "INVALID_FIELD"
#: Plaid account type -> our payment method (other types, e.g. loan, leave it unset).
PAYMENT_METHOD_BY_TYPE = {"credit": "credit_card", "depository": "debit_card"}
_COLUMNS = ("transaction_id", "account_id", "date", "amount", "currency", "description", "source",
            "source_file", "source_line", "pending")
_UPSERT = (
    f"INSERT INTO transactions ({', '.join(_COLUMNS)}, imported_at) "
    f"VALUES ({', '.join('?' for _ in _COLUMNS)}, ?) "
    "ON CONFLICT(transaction_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
)


@dataclass
class ItemSyncResult:
    """What one item's sync did. ``ok`` False means ``error`` says why; the store is untouched then.

    ``new``, ``changed`` and ``deleted`` are what the sync did to the store: rows it holds now and
    did not, rows it held that now read otherwise, rows it held and no longer does. ``added``,
    ``modified`` and ``removed`` count what Plaid sent (the fetched update lists, each row once
    per page it came in): fetching rows already stored again (a reset cursor, a restart of the
    history) counts them as added though nothing changed (twenty-fifth session)."""

    name: str
    ok: bool = True
    new: int = 0
    changed: int = 0
    deleted: int = 0
    added: int = 0
    modified: int = 0
    removed: int = 0
    pages: int = 0
    restarts: int = 0
    accounts: int = 0
    #: rows of an account this item's account continues (the same ``persistent_account_id``)
    #: replaced by the same charge fetched again under the new account (:func:`_merge_relinked`)
    merged: int = 0
    #: one line per account linked to a stored one by its ``persistent_account_id``
    #: (:func:`_continue_by_persistent_id`)
    linked: list[str] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def canonical_row(tx) -> dict:
    """A Plaid ``Transaction`` (model or dict) -> a canonical transaction row (plus ``pending``)."""
    get = tx.get
    # on one line, as a statement's (``parsing.one_line``): a name holding a line break or a tab
    # was stored as sent, and reports and refund emails printed it on two lines
    description = next((flat for flat in (one_line(v) for v in (get("original_description"), get("name"),
                                                                 get("merchant_name")) if isinstance(v, str))
                        if flat), None)
    if not description:
        raise PlaidError(f"Plaid transaction {get('transaction_id')} has no description, name or merchant_name")
    # The day the charge was made: Plaid's ``authorized_date`` where it gives one (card charges),
    # else ``date``, which for a posted row is the day it posted, one to three days later. A renewal
    # authorised the day before a cancellation and posted the day after was "charged after you
    # cancelled" with a refund request saying so (round-twenty-two audit); a statement's CSV dates
    # the charge by its transaction date too.
    day = get("authorized_date") or get("date")
    return {
        "transaction_id": get("transaction_id"),
        "account_id": get("account_id"),
        "date": day.isoformat() if hasattr(day, "isoformat") else str(day)[:10],
        "amount": round(-float(get("amount")), 2),
        "currency": get("iso_currency_code") or get("unofficial_currency_code"),
        "description": description,
        "source": "plaid",
        "source_file": "",
        "source_line": 0,
        "pending": 1 if get("pending") else 0,
    }


def _record_accounts(store: Store, accounts, item: str) -> tuple[int, list[tuple[str, str]]]:
    """Accounts from ``/accounts/get``: names, currency, the country the currency implies and the
    payment method their type implies.

    Plaid names no account's country, only its currency, so the country whose public holidays the
    refund dates skip is the currency's (GBP -> GB), as for a statement whose layout names none
    (``workdays.CURRENCY_COUNTRY``); a EUR account is the euro area's (``workdays.EURO_AREA``: the
    euro payment system's closing days; it kept the default US before the sixteenth session), and
    a currency that implies no country leaves it as it is (fifteenth session's audit: a GBP card
    linked through Plaid was counted with US holidays).
    Each account records its ``item``, whose staleness the report tells (:mod:`detector.freshness`).
    Written only when something differs, so a sync that learns nothing new changes nothing.
    ``Store.set_account`` keeps a payment method the user chose.

    Returns how many accounts there were, and ``(account_id, persistent_account_id)`` of those
    whose persistent id no sync has recorded yet (a new account, or one stored before the id was
    read): :func:`_continue_by_persistent_id` records it, once the sync's rows are stored, and
    looks for the account each continues.
    """
    first_seen = []
    for acct in accounts:
        acct_type = str(acct.get("type"))
        method = PAYMENT_METHOD_BY_TYPE.get(acct_type)
        balances = acct.get("balances")
        currency = balances.get("iso_currency_code") if balances is not None else None
        current = store.account(acct["account_id"]) or {}
        wanted = {"name": acct.get("name"), "currency": currency, "source": "plaid",
                  "country": country_for_currency(currency), "plaid_item": item}
        persistent = acct.get("persistent_account_id") or None
        if persistent and current.get("persistent_account_id") != persistent:
            first_seen.append((acct["account_id"], str(persistent)))
        stale = any(v is not None and current.get(k) != v for k, v in wanted.items())
        if method and current.get("payment_method_source") != "user":
            stale = stale or current.get("payment_method") != method
        if stale or not current:
            store.set_account(acct["account_id"], payment_method=method, payment_method_source="plaid",
                              **wanted)
    return len(accounts), first_seen


def _date_spans(store: Store, accounts) -> dict[str, tuple[str, str]]:
    """Each account's first and last transaction dates (``("", "")`` for one with none)."""
    rows = store.conn.execute(
        "SELECT account_id, MIN(date), MAX(date) FROM transactions WHERE account_id IN (SELECT value FROM json_each(?)) "
        "GROUP BY account_id", [json.dumps(sorted(accounts))]).fetchall()
    spans = {a: (first, last) for a, first, last in rows}
    return {a: spans.get(a, ("", "")) for a in accounts}


def _continue_by_persistent_id(store: Store, first_seen: list[tuple[str, str]], item: str) -> list[str]:
    """Link each account of ``first_seen`` to the stored account with the same Plaid
    ``persistent_account_id``, as `subdetect accounts link OLD NEW` does (``linked_by`` 'plaid').

    Plaid gives an account the same persistent id in every Item it is linked through (Chase,
    PNC, US Bank: their Tokenized Account Numbers change each time), while its ``account_id``
    changes: an Item linked again after an ``ITEM_LOGIN_REQUIRED`` or a card reissue made a new
    account, on which every plan started over, a yearly renewal across the two was never flagged
    (twenty-sixth session). The nightly job runs unattended, so it links and says so in a
    WARNING line and the result; `subdetect accounts unlink OLD NEW` undoes it, and a later sync
    does not link them again (it links only accounts whose persistent id it meets for the first
    time; it records the id here, after the sync's rows are stored, so a sync that failed
    before links at the next). ``OLD`` is the account of the chain the id already names that no
    other continues, or the new one if its rows start first (two Items of one account synced for
    the first time in one run). Returns one line a link."""
    from ..links import account_groups, link

    made = []
    for account, persistent in first_seen:
        others = [a for (a,) in store.conn.execute(
            "SELECT account_id FROM accounts WHERE persistent_account_id = ? AND account_id != ? ORDER BY account_id",
            [persistent, account])]
        with store.conn:
            store.conn.execute("UPDATE accounts SET persistent_account_id = ? WHERE account_id = ?",
                               [persistent, account])
        groups = account_groups(store)
        others = [a for a in others if groups.get(a, a) != groups.get(account, account)]
        if not others:
            continue
        continued = {c for (c,) in store.conn.execute("SELECT continues FROM account_links")}
        spans = _date_spans(store, [account, *others])
        tails = [a for a in others if a not in continued] or others
        other = max(tails, key=lambda a: (spans[a][1], a))
        old, new = other, account
        if spans[account][0] and (not spans[other][0] or spans[account][0] < spans[other][0]):
            old, new = account, other
        try:
            done = link(store, old, new, by="plaid")
        except DetectorError as exc:
            log.warning("plaid item %s: account %s has the persistent_account_id of stored account %s, "
                        "but they were not linked: %s", item, account, other, exc)
            made.append(f"{account} has the persistent_account_id of {other}, but they were not linked: {exc}")
            continue
        if done.changed:
            line = (f"{new} continues {old}: the same persistent_account_id (the account linked again as a new "
                    f"Item), so detection reads them as one account's history; `subdetect accounts unlink {old} "
                    f"{new}` undoes it")
            log.warning("plaid item %s: %s", item, line)
            made.append(line)
    return made


def _sync_page(api, request, **kwargs) -> dict:
    """One ``/transactions/sync`` call through the real client, body decoded as plain JSON.

    plaid-python's model layer type-checks every field of every transaction at ~5-15 ms each, so a
    first sync of 10,000 transactions would spend minutes there; the HTTP call, auth headers and
    error handling (non-2xx raises ``ApiException``) are the client's all the same. The stand-in's
    pages are checked against the typed models in the tests.
    """
    raw = api.transactions_sync(request, _preload_content=False, **kwargs)
    try:
        page = json.loads(raw.data)
    except ValueError as exc:
        raise PlaidError(f"/transactions/sync answered with a body that is not JSON: {exc}",
                         error_code="SCHEMA_ERROR") from None
    finally:
        raw.release_conn()
    if not isinstance(page, dict):
        page = {}
    missing = {"added", "modified", "removed", "next_cursor", "has_more"} - set(page)
    if missing:
        raise PlaidError(f"/transactions/sync answered without {', '.join(sorted(missing))}",
                         error_code="SCHEMA_ERROR")
    return page


def _fetch_all(api, token: str, start: str, *, name: str, policy: RetryPolicy, count: int,
               sleep: Callable[[float], None], on_page: Callable | None) -> tuple[list, str]:
    """Every page from ``start`` until ``has_more`` is false. Raises PlaidError (incl. mutation)."""
    pages, cursor = [], start
    options = TransactionsSyncRequestOptions(include_original_description=True)
    while True:
        kwargs = {"count": count, "options": options}
        if cursor:
            kwargs["cursor"] = cursor
        resp = call(partial(_sync_page, api), TransactionsSyncRequest(access_token=token, **kwargs),
                    policy=policy, item=name, what="/transactions/sync", sleep=sleep, api=api)
        pages.append((resp["added"], resp["modified"], resp["removed"]))
        log.info("plaid item %s: page %d: %d added, %d modified, %d removed", name, len(pages),
                 len(resp["added"]), len(resp["modified"]), len(resp["removed"]))
        if on_page is not None:
            on_page(name, len(pages))
        crashpoint("plaid.page")
        cursor = resp["next_cursor"]
        if not resp["has_more"]:
            return pages, cursor


def _rows_of(conn, ids) -> dict[str, tuple]:
    """The stored rows (:data:`_COLUMNS`) of ``ids``, by id."""
    if not ids:
        return {}
    return {r[0]: tuple(r[1:]) for r in conn.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM transactions WHERE transaction_id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(ids))])}


@dataclass
class _Applied:
    """What :func:`_apply` fetched (``added``/``modified``/``removed``) and did to the store."""

    added: int = 0
    modified: int = 0
    removed: int = 0
    new: int = 0
    changed: int = 0
    deleted: int = 0


def _apply(store: Store, name: str, start: str | None, cursor: str, pages: list, item_id,
           day: str) -> _Applied:
    """Apply every page and move the cursor in one transaction (compare-and-set on the cursor).

    ``day`` is the run's as-of date: what the sync notes on refund requests is dated by it, and
    the item's data is complete through it (``synced_through``). The store's rows of every id the
    sync names are compared before and after, so the result says what changed in the store, not
    only what Plaid sent."""
    now = utcnow()
    added = modified = removed = 0
    conn = store.conn
    posted, removed_ids, changed_ids = [], [], []
    unlinked, fresh_pending = [], set()
    named = {tx.get("transaction_id") for page in pages for txs in page for tx in txs}
    named |= {tx.get("pending_transaction_id") for page_added, page_modified, _ in pages
              for tx in (*page_added, *page_modified)}
    named.discard(None)
    with conn:
        before = _rows_of(conn, named)
        # the accounts whose rows change: their detection is owed until a run detects them
        gone_ids = [r.get("transaction_id") for _, _, page_removed in pages for r in page_removed]
        touched = {a for (a,) in conn.execute(
            "SELECT DISTINCT account_id FROM transactions WHERE transaction_id IN (SELECT value FROM json_each(?))",
            [json.dumps([g for g in gone_ids if g])])} if gone_ids else set()
        for page_added, page_modified, page_removed in pages:
            for kind, txs in (("added", page_added), ("modified", page_modified)):
                rows = []
                for tx in txs:
                    row = canonical_row(tx)
                    rows.append(tuple(row[c] for c in _COLUMNS) + (now,))
                    touched.add(row["account_id"])
                    pending_id = tx.get("pending_transaction_id")
                    if pending_id and not row["pending"]:
                        # The posted version replaces its pending authorisation: the same
                        # charge, whose filed request and dismissed flag stay its own.
                        conn.execute("DELETE FROM transactions WHERE transaction_id = ? AND source = 'plaid'",
                                     [pending_id])
                        posted.append((pending_id, row["transaction_id"]))
                    elif row["pending"]:
                        fresh_pending.add(row["transaction_id"])
                    elif kind == "added":
                        unlinked.append(row)
                conn.executemany(_UPSERT, rows)
                if kind == "modified":
                    changed_ids += [tx.get("transaction_id") for tx in txs]
                if kind == "added":
                    added += len(rows)
                else:
                    modified += len(rows)
            gone = [(r.get("transaction_id"),) for r in page_removed]
            conn.executemany("DELETE FROM transactions WHERE transaction_id = ? AND source = 'plaid'", gone)
            removed_ids += [g[0] for g in gone if g[0]]
            removed += len(gone)
        twins = _unlinked_twins(conn, unlinked, fresh_pending)
        # (a pending row a twin replaces was stored by an earlier sync and not named in this one's
        # pages: as it is now, it was before)
        before |= _rows_of(conn, {p for p, _ in twins} - named)
        named |= {p for p, _ in twins}
        for pending_id, posted_id in twins:
            log.info("plaid item %s: posted charge %s is pending charge %s (the bank links no pending "
                     "transaction to it)", name, posted_id, pending_id)
        conn.executemany("DELETE FROM transactions WHERE transaction_id = ? AND source = 'plaid' AND pending = 1",
                         [(p,) for p, _ in twins])
        posted += twins
        store.repoint_transactions(posted)
        # a request for a charge removed without a posted version says so (or, not yet filed,
        # goes): nothing was taken (one whose charge posted was just moved to the posted id)
        # (dated by the run's as-of date, as the rest of the run; it was the clock's, round-thirty-
        # eight audit)
        note_removed_charges(store, removed_ids, day)
        # a filed request whose charge now reads another sum (modified, or posted at another
        # sum than its pending authorisation) says so
        note_changed_amounts(store, changed_ids + [new for _, new in posted], day)
        store.mark_detection_owed(sorted(a for a in touched if a))
        after = _rows_of(conn, named)
        applied = _Applied(added, modified, removed, new=len(after.keys() - before.keys()),
                           changed=sum(1 for i in after.keys() & before.keys() if after[i] != before[i]),
                           deleted=len(before.keys() - after.keys()))
        moved = conn.execute(
            "UPDATE plaid_items SET cursor = ?, item_id = COALESCE(?, item_id), last_synced_at = ?, "
            "synced_through = MAX(COALESCE(synced_through, ''), ?), last_error = NULL, "
            "last_error_code = NULL WHERE name = ? AND cursor IS ?",
            [cursor, item_id, now, day, name, start],
        ).rowcount
        if moved != 1:
            # Another sync of this item committed meanwhile; roll back rather than apply twice.
            raise PlaidError(f"Plaid item {name!r}: cursor changed during sync (concurrent sync?)",
                             error_code="CONCURRENT_SYNC", item=name)
    return applied


#: Days after a pending charge its posted twin may be dated: the day itself where the bank gives
#: the authorisation date, else the posting date, up to three working days and a weekend later.
TWIN_DAYS = 5
#: How far a posting may differ from its authorisation, as a share of it, when it names none and no
#: pending charge of its exact sum pairs with it: a restaurant's tip (up to ~30%), a hotel's or a
#: car hire's final bill, the exchange rate of the posting day for a foreign-priced charge.
ADJUSTED_SHARE = (0.8, 1.3)


def _is_hold(pending: float, posted: float) -> bool:
    """A pre-authorisation for the most a charge may cost (a fuel pump's 100.00 or 175.00, a
    hotel's deposit): a round sum, which the posting does not exceed."""
    return pending >= 10 and round(pending, 2) == round(pending) and 0 < posted <= pending


def _adjusted(pending: float, posted: float) -> bool:
    """``posted`` (money out, as a positive sum) may be the posting of a ``pending`` charge at
    another sum: within :data:`ADJUSTED_SHARE` of it, or within a round hold (:func:`_is_hold`)."""
    low, high = ADJUSTED_SHARE
    return pending > 0 and (low * pending <= posted <= high * pending or _is_hold(pending, posted))


def _unlinked_twins(conn, unlinked: list[dict], fresh_pending: set[str]) -> list[tuple[str, str]]:
    """``(pending id, posted id)`` pairs of charges that posted without naming their pending
    version (``pending_transaction_id`` null: Capital One, USAA, or a pending charge Plaid could
    not match; Plaid's docs): a stored pending charge of the posted one's account, merchant
    and amount, dated on its day or up to :data:`TWIN_DAYS` before it, is that charge. The
    pending row's removal may come a night later; until then the two read as a double charge,
    flagged high with a refund request (round-thirty-eight audit).

    A posting at another sum than its authorisation (a tip, a hotel's or a pump's hold, the
    day's exchange rate) pairs in a second pass, once no pending charge of its exact sum is left
    for it: a pending charge of the same account and merchant in the same days whose sum it is
    within :func:`_adjusted` of, the nearest in sum (then the latest). So a posting at the
    exact sum always takes its own pending charge first, and a sum far from every pending one's
    is another charge.

    Only a pending charge stored by an earlier sync is paired (``fresh_pending``: this sync's),
    since the posting of a pending authorisation comes after it: a posted charge and a second,
    pending one of the same day that arrive together are a double charge still. Each pending
    charge and each posted one pairs once, each posted charge with the latest pending one before it.
    Money in pairs only at its exact sum.
    """
    from ..normalize import normalize_one

    if not unlinked:
        return []
    accounts = sorted({r["account_id"] for r in unlinked})
    stored = conn.execute(
        "SELECT transaction_id, account_id, date, amount, description FROM transactions WHERE pending = 1 "
        "AND source = 'plaid' AND account_id IN (SELECT value FROM json_each(?))", [json.dumps(accounts)]).fetchall()
    candidates = [r for r in stored if r[0] not in fresh_pending]
    if not candidates:
        return []
    exists = {r[0] for r in conn.execute(
        "SELECT transaction_id FROM transactions WHERE transaction_id IN (SELECT value FROM json_each(?))",
        [json.dumps([r["transaction_id"] for r in unlinked])])}

    def key(description: str) -> str:
        return normalize_one(description)[0]

    def near(c, row) -> bool:
        return (c[0] not in taken and c[1] == row["account_id"]
                and 0 <= (date.fromisoformat(row["date"]) - date.fromisoformat(c[2])).days <= TWIN_DAYS
                and (c[4] == row["description"] or key(c[4]) == key(row["description"])))

    pairs, taken, paired = [], set(), set()
    rows = [r for r in sorted(unlinked, key=lambda r: (r["date"], r["transaction_id"]))
            if r["transaction_id"] in exists]  # (not removed again later in this sync)
    for row in rows:
        fits = [c for c in candidates if round(c[3], 2) == row["amount"] and near(c, row)]
        if fits:
            twin = max(fits, key=lambda c: (c[2], c[0]))
            taken.add(twin[0])
            paired.add(row["transaction_id"])
            pairs.append((twin[0], row["transaction_id"]))
    for row in rows:
        if row["transaction_id"] in paired or row["amount"] >= 0:
            continue
        fits = [c for c in candidates if c[3] < 0 and _adjusted(-c[3], -row["amount"]) and near(c, row)]
        if fits:
            twin = min(fits, key=lambda c: (abs(row["amount"] - c[3]), _neg_day(c[2]), c[0]))
            taken.add(twin[0])
            pairs.append((twin[0], row["transaction_id"]))
    return pairs


def _merge_relinked(store: Store, accounts: list[str], item: str) -> int:
    """Rows of an account that another continues by Plaid's ``persistent_account_id``
    (:func:`_continue_by_persistent_id`), fetched again under the new account: the new Item's
    first sync sends its history, charges the old Item had sent under other transaction ids.
    Each such old row (the same day, sum to the cent and description, one for one) goes, and what
    referred to it (a filed refund request, a dismissed flag, a decision's charges) names the new
    row (:meth:`Store.repoint_transactions`): read as one account, the two copies were a double
    charge of every plan. For the links the sync's ``accounts`` are in, every sync (an old Item
    still syncing sends more), in one transaction; returns how many rows went."""
    conn = store.conn
    pairs = conn.execute(
        "SELECT continues, account_id FROM account_links WHERE linked_by = 'plaid' AND (account_id IN "
        "(SELECT value FROM json_each(?1)) OR continues IN (SELECT value FROM json_each(?1)))",
        [json.dumps(sorted(accounts))]).fetchall()
    ranked = ("SELECT transaction_id, date, CAST(round(amount * 100) AS INTEGER) AS cents, description, "
              "ROW_NUMBER() OVER (PARTITION BY date, CAST(round(amount * 100) AS INTEGER), description "
              "ORDER BY transaction_id) AS k FROM transactions WHERE account_id = ?")
    merged = 0
    with conn:
        for old, new in pairs:
            twins = conn.execute(
                f"SELECT o.transaction_id, n.transaction_id FROM ({ranked}) AS o JOIN ({ranked}) AS n "
                "ON n.date = o.date AND n.cents = o.cents AND n.description = o.description AND n.k = o.k",
                [old, new]).fetchall()
            if not twins:
                continue
            conn.executemany("DELETE FROM transactions WHERE transaction_id = ?", [(o,) for o, _ in twins])
            store.repoint_transactions(twins)
            conn.execute("UPDATE refund_requests SET account_id = ? WHERE account_id = ? AND transaction_id IN "
                         "(SELECT value FROM json_each(?))", [new, old, json.dumps([n for _, n in twins])])
            store.mark_detection_owed([old, new])
            log.info("plaid item %s: %d row(s) of %s are charges sent again under %s, which continues it (the "
                     "same persistent_account_id): kept once, under %s", item, len(twins), old, new, new)
            merged += len(twins)
    return merged


def _neg_day(day: str) -> int:
    return -date.fromisoformat(day).toordinal()


def record_error(store: Store, name: str, message: str, code: str | None = None) -> None:
    with store.conn:
        store.conn.execute("UPDATE plaid_items SET last_error = ?, last_error_code = ? WHERE name = ?",
                           [message, code, name])


def sync_item(store: Store, api, name: str, *, policy: RetryPolicy | None = None, count: int = 500,
              max_restarts: int = 5, sleep: Callable[[float], None] = time.sleep,
              on_page: Callable | None = None, as_of: str | None = None) -> ItemSyncResult:
    """Sync one item. Plaid and token errors are recorded in ``plaid_items.last_error`` and returned
    in the result (``ok`` False), so one broken item never stops the others.

    ``as_of`` (default today) dates the sync: the notes it adds to refund requests, and the day
    the item's data is complete through (``plaid_items.synced_through``)."""
    policy = policy or RetryPolicy.from_env()
    day = as_of or date.today().isoformat()
    result = ItemSyncResult(name=name)
    token = None
    try:
        item = get_item(store, name)
        token = access_token(item)
        accounts = call(api.accounts_get, AccountsGetRequest(access_token=token), policy=policy, item=name,
                        what="/accounts/get", sleep=sleep, api=api)
        result.accounts, first_seen = _record_accounts(store, accounts.accounts, name)
        item_id = accounts.item.get("item_id")
        start = item["cursor"]
        for attempt in range(max_restarts + 1):
            try:
                pages, cursor = _fetch_all(api, token, start or "", name=name, policy=policy, count=count,
                                           sleep=sleep, on_page=on_page)
                break
            except PlaidError as exc:
                if exc.error_code == INVALID_FIELD and start:
                    raise PlaidError(f"{exc} (Plaid rejected the item's stored cursor: "
                                     f"`subdetect plaid reset-cursor {name}` makes the next sync fetch the "
                                     "item's history again; rows already stored are not doubled)",
                                     error_code=exc.error_code, item=name) from None
                if exc.error_code != MUTATION or attempt == max_restarts:
                    raise
                result.restarts += 1
                log.warning("plaid item %s: data changed during pagination, restarting from the "
                            "cursor the sync began with", name)
        result.pages = len(pages)
        applied = _apply(store, name, start, cursor, pages, item_id, day)
        for k in ("added", "modified", "removed", "new", "changed", "deleted"):
            setattr(result, k, getattr(applied, k))
        result.linked = _continue_by_persistent_id(store, first_seen, name)
        result.merged = _merge_relinked(store, [a["account_id"] for a in accounts.accounts], name)
        crashpoint("plaid.committed")
        log.info("plaid item %s: synced %d pages: %d new, %d changed, %d deleted rows in the store "
                 "(fetched: %d added, %d modified, %d removed)", name, result.pages, result.new,
                 result.changed, result.deleted, result.added, result.modified, result.removed)
    except DetectorError as exc:
        result.ok = False
        # (call() hides what it sent; this covers every other message on its way to the log,
        # the run log and last_error)
        result.error = redact(str(exc), [token] if token else [])
        result.error_code = getattr(exc, "error_code", None) or type(exc).__name__
        log.error("plaid item %s: %s", name, result.error)
        if get_item(store, name, missing_ok=True) is not None:
            record_error(store, name, result.error, result.error_code)
    return result


def sync_items(store: Store, names: list[str] | None = None, *, api=None, config: PlaidConfig | None = None,
               policy: RetryPolicy | None = None, count: int = 500, sleep: Callable[[float], None] = time.sleep,
               on_item: Callable | None = None, on_page: Callable | None = None,
               as_of: str | None = None) -> list[ItemSyncResult]:
    """Sync the named items (default: all). Missing configuration raises before any item is tried.
    ``as_of``: the run's as-of date (default today; :func:`sync_item`)."""
    wanted = list(names) if names else [row["name"] for row in list_items(store)]
    for name in wanted:
        get_item(store, name)  # NotFound before any network call
    if not wanted:
        return []
    secret_key()  # SecretKeyMissing is about every item: fail once, clearly
    if api is None:
        api = make_api(config or PlaidConfig.from_env())
    policy = policy or RetryPolicy.from_env()
    results = []
    for name in wanted:
        result = sync_item(store, api, name, policy=policy, count=count, sleep=sleep, on_page=on_page,
                           as_of=as_of)
        results.append(result)
        if on_item is not None:
            on_item(result)
    return results
