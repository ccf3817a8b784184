"""Whose data is stale: the accounts of a Plaid item that has stopped syncing.

An item that fails night after night (``ITEM_LOGIN_REQUIRED``: the bank wants the user to log in
again) sends nothing, so its plans look as though their charges stopped. Judged as of the run's
date they read "ended" and drop out of the active plans and the monthly total, and the report
said nothing of the item (round-thirty-eight audit: Amex failing since July made its Hulu and New
York Times plans "ended" by late September).

:func:`sync_problems` names such accounts; :func:`detector.pipeline.run_detection` judges their
plans as of the day their item last synced (``judged_as_of``) instead of the run's date, and the
report lists them at its top in every format. Only ``plaid_items`` and ``accounts`` are read:
what an item last told us is all we know of its bank.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .redact import REDACTED, TOKEN_PATTERN
from .store import Store

#: Days an item's last successful sync may lag the as-of date before its data counts as stale: a
#: nightly run syncs each item on its own date, and one missed night is no news.
STALE_AFTER_DAYS = 2
#: The error code in a stored error without one of its own (``... HTTP 400 ITEM_ERROR/ITEM_LOGIN_REQUIRED: ...``).
_CODE = re.compile(r"\b[A-Z][A-Z_]+/([A-Z][A-Z0-9_]+):")
#: What to do about an item's error, by Plaid's error code.
ADVICE = {
    "ITEM_LOGIN_REQUIRED": "log in to the bank again through Plaid Link's update mode, and the next run "
                           "catches up",
    "INVALID_ACCESS_TOKEN": "the access token no longer works: link the item again (subdetect plaid add-item)",
    "ITEM_NOT_FOUND": "Plaid no longer knows the item: link it again (subdetect plaid add-item)",
    "INVALID_API_KEYS": "check PLAID_CLIENT_ID, PLAID_SECRET and PLAID_ENV",
    # (/transactions/sync's only changing field is the cursor: round-fifty audit, failed every night)
    "INVALID_FIELD": "Plaid rejected its stored cursor: `subdetect plaid reset-cursor {item}`, and the next run "
                     "fetches its history again (rows already stored are not doubled)",
}
DEFAULT_ADVICE = "see `subdetect plaid items` and the run log, `subdetect runs`"


def _code(row: dict) -> str | None:
    if row.get("last_error_code"):
        return row["last_error_code"]
    m = _CODE.search(row.get("last_error") or "")
    return m.group(1) if m else None


def _last_rows(store: Store, accounts: list[str], as_of: str) -> dict[str, str]:
    """Each account's latest stored transaction date on or before ``as_of``."""
    if not accounts:
        return {}
    return dict(store.conn.execute(
        "SELECT account_id, MAX(date) FROM transactions WHERE date <= ? AND account_id IN "
        "(SELECT value FROM json_each(?)) GROUP BY account_id", [as_of, _json(accounts)]).fetchall())


def _json(values) -> str:
    import json

    return json.dumps(list(values))


def sync_problems(store: Store, as_of: str) -> list[dict]:
    """The Plaid items whose data is stale as of ``as_of``, one entry per account of each (an
    item whose accounts are not known yet, never synced, gets one entry with ``account_id`` None).

    An item is stale when its last sync failed (``last_error``), when it has never synced, or
    when its last successful sync (``synced_through``, the as-of date of the run that made it)
    is more than :data:`STALE_AFTER_DAYS` before ``as_of``. Each entry has ``account_id``,
    ``account_name``, ``item``, ``last_successful_sync`` (a date, or None), ``error_code``,
    ``error`` (tokens hidden), ``judged_as_of`` (the day its plans are judged as of: the last
    successful sync, or the account's latest stored charge when later; never after ``as_of``)
    and ``message`` (one line for a reader). Never a token. An account another account continues
    (``account_links``) is left out: its plans go on in that one.
    """
    cols = {row[1] for row in store.conn.execute("PRAGMA table_info(plaid_items)")}
    if "synced_through" not in cols:  # (a store this program has not migrated: never, but said)
        return []
    items = [dict(zip(("name", "synced_through", "last_error", "last_error_code", "last_synced_at"), r))
             for r in store.conn.execute("SELECT name, synced_through, last_error, last_error_code, "
                                         "last_synced_at FROM plaid_items ORDER BY name")]
    limit = (date.fromisoformat(as_of) - timedelta(days=STALE_AFTER_DAYS)).isoformat()
    stale = [i for i in items if i["last_error"] or not i["synced_through"] or i["synced_through"] < limit]
    if not stale:
        return []
    accounts = {}
    # (an account another continues, linked by hand or by its Plaid persistent_account_id, has its
    # history go on in that one: its old item stopping is no news of its plans, which the group
    # of the two is judged by; twenty-sixth session: a re-linked Item's old one failing with
    # ITEM_LOGIN_REQUIRED held the new account's plans as of the day the old one stopped)
    for account_id, name, item, continued in store.conn.execute(
            "SELECT account_id, name, plaid_item, account_id IN (SELECT continues FROM account_links) FROM accounts "
            "WHERE plaid_item IN (SELECT value FROM json_each(?)) ORDER BY account_id",
            [_json(i["name"] for i in stale)]):
        accounts.setdefault(item, [])
        if not continued:
            accounts[item].append((account_id, name))
    last_rows = _last_rows(store, [a for acc in accounts.values() for a, _ in acc], as_of)
    out = []
    for item in stale:
        synced = item["synced_through"]
        code = _code(item)
        error = TOKEN_PATTERN.sub(REDACTED, item["last_error"]) if item["last_error"] else None
        known = accounts.get(item["name"])
        for account_id, account_name in [(None, None)] if known is None else known:
            judged = max(filter(None, [synced, last_rows.get(account_id)]), default=None)
            judged = min(judged, as_of) if judged else as_of
            out.append({
                "account_id": account_id, "account_name": account_name, "item": item["name"],
                "last_successful_sync": synced, "error_code": code, "error": error,
                "judged_as_of": judged,
                "message": _message(item["name"], account_id, account_name, synced, code, judged, as_of),
            })
    return out


def _message(item: str, account_id, account_name, synced, code, judged: str, as_of: str) -> str:
    who = (f"{account_id}{f' ({account_name})' if account_name else ''}, Plaid item {item}" if account_id
           else f"Plaid item {item} (its accounts are not known yet)")
    when = f"not synced since {synced}" if synced else "never synced"
    if synced and synced >= as_of:
        when = "its last sync failed"
    advice = ADVICE.get(code or "", DEFAULT_ADVICE).format(item=item)
    plans = (f" Its plans are shown as of {judged}; their status since is unknown." if account_id and judged < as_of
             else "")
    return f"{who}: {when} ({f'{code}: ' if code else ''}{advice}).{plans}"


def stale_note(problem: dict) -> str:
    """What a stale account's stream evidence adds: the day its status is judged as of, and why."""
    why = f" ({problem['error_code']})" if problem.get("error_code") else ""
    return (f"status as of {problem['judged_as_of']}, when Plaid item {problem['item']} last synced{why}: "
            "charges since then are not known")
