"""A stand-in Plaid server: real HTTP on 127.0.0.1, Plaid's published schema, scriptable per test.

It serves ``/accounts/get`` and ``/transactions/sync`` (and ``/item/get``) with response bodies
shaped like Plaid's OpenAPI spec (``2020-09-14``: ``TransactionsSyncResponse``, ``Transaction``,
``AccountBase``, ``Item``, ``PlaidError``), so the real ``plaid-python`` client deserialises and
type-checks them exactly as it would Plaid's. No client is mocked.

Each item keeps a timeline of changes (add / modify / remove); a cursor is a position on it, so a
client that resumes from an old cursor gets the same updates again, like Plaid. Faults are scripted::

    with PlaidStandIn() as plaid:
        item = plaid.add_item("access-sandbox-1", accounts=[standin_account("acc-1", "credit")])
        item.add(standin_transaction("tx-1", "acc-1", "2025-01-05", 15.49, "NETFLIX.COM"))
        plaid.fail("/transactions/sync", status=429, times=1)      # next sync call is rate limited
        plaid.stall("/accounts/get", seconds=2.0, times=1)         # next call answers 2 s late
        item.mutate_on_page(2)                                     # page 2 answers the mutation error
        item.login_required = True                                 # ITEM_LOGIN_REQUIRED on every call
        os.environ["PLAID_BASE_URL"] = plaid.url
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID = "standin-client-id"
SECRET = "standin-secret"


def standin_account(account_id: str, type: str = "depository", *, subtype: str | None = None,
                    name: str | None = None, currency: str = "USD", mask: str = "0000",
                    persistent_account_id: str | None = None) -> dict:
    """An ``AccountBase`` object; ``persistent_account_id`` only when given (Plaid sets it for
    some institutions only: Chase, PNC, US Bank)."""
    subtype = subtype or {"credit": "credit card", "depository": "checking"}.get(type, "other")
    extra = {"persistent_account_id": persistent_account_id} if persistent_account_id else {}
    return {
        **extra,
        "account_id": account_id,
        "balances": {"available": 1000.0, "current": 1000.0, "limit": None, "iso_currency_code": currency,
                     "unofficial_currency_code": None},
        "mask": mask,
        "name": name or f"{type.title()} {mask}",
        "official_name": None,
        "type": type,
        "subtype": subtype,
    }


def standin_transaction(transaction_id: str, account_id: str, date: str, amount: float, name: str, *,
                        original_description: str | None = None, merchant_name: str | None = None,
                        pending: bool = False, pending_transaction_id: str | None = None,
                        currency: str | None = "USD", authorized_date: str | None = None) -> dict:
    """A ``Transaction`` object. ``amount`` in Plaid's convention: positive = money out.
    ``authorized_date`` defaults to ``date`` (a charge posted the day it was made)."""
    return {
        "account_id": account_id,
        "account_owner": None,
        "amount": amount,
        "iso_currency_code": currency,
        "unofficial_currency_code": None if currency else "XBT",
        "category": None,
        "category_id": None,
        "check_number": None,
        "counterparties": [],
        "date": date,
        "datetime": None,
        "authorized_date": authorized_date or date,
        "authorized_datetime": None,
        "location": {"address": None, "city": None, "region": None, "postal_code": None, "country": None,
                     "lat": None, "lon": None, "store_number": None},
        "logo_url": None,
        "merchant_entity_id": None,
        "merchant_name": merchant_name,
        "name": name,
        "original_description": original_description,
        "payment_channel": "online",
        "payment_meta": {"by_order_of": None, "payee": None, "payer": None, "payment_method": None,
                         "payment_processor": None, "ppd_id": None, "reason": None,
                         "reference_number": None},
        "pending": pending,
        "pending_transaction_id": pending_transaction_id,
        "personal_finance_category": {"primary": "ENTERTAINMENT", "detailed": "ENTERTAINMENT_TV_AND_MOVIES",
                                      "confidence_level": "HIGH"},
        "personal_finance_category_icon_url": "https://plaid-category-icons.plaid.com/PFC_ENTERTAINMENT.png",
        "transaction_code": None,
        "transaction_id": transaction_id,
        "transaction_type": "special",
        "website": None,
    }


@dataclass
class StandInItem:
    """One linked item: accounts, a change timeline, and its scripted trouble."""

    access_token: str
    item_id: str
    accounts: list[dict]
    events: list[tuple[str, dict]] = field(default_factory=list)
    login_required: bool = False
    #: page numbers (1-based, counted per sync loop from a client-supplied cursor) answering the
    #: mutation error once each.
    mutation_pages: list[int] = field(default_factory=list)
    #: called when the mutation error is served, to make the mutation really happen.
    on_mutation: object = None

    def add(self, *txs: dict) -> None:
        self.events.extend(("added", tx) for tx in txs)

    def modify(self, *txs: dict) -> None:
        self.events.extend(("modified", tx) for tx in txs)

    def remove(self, *transaction_ids: str) -> None:
        for tid in transaction_ids:
            acct = next((tx["account_id"] for kind, tx in self.events if tx["transaction_id"] == tid),
                        self.accounts[0]["account_id"])
            self.events.append(("removed", {"transaction_id": tid, "account_id": acct}))

    def mutate_on_page(self, page: int, mutation=None) -> None:
        """The ``page``-th page request of the next sync answers the mutation error (once)."""
        self.mutation_pages.append(page)
        self.on_mutation = mutation


@dataclass
class _Fault:
    path: str
    status: int
    error_type: str
    error_code: str
    times: int
    after: int  # let this many matching calls succeed first
    message: str = "scripted fault"


def _encode_cursor(item_id: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{item_id}:{position}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[str, int]:
    item_id, _, pos = base64.urlsafe_b64decode(cursor.encode()).decode().rpartition(":")
    return item_id, int(pos)


class PlaidStandIn:
    """The server. ``url`` is its base URL once started (``with`` starts and stops it)."""

    def __init__(self, *, client_id: str = CLIENT_ID, secret: str = SECRET, page_size: int = 100):
        self.client_id, self.secret, self.page_size = client_id, secret, page_size
        self.items: dict[str, StandInItem] = {}
        self.faults: list[_Fault] = []
        #: (path, status, error_code or "") of every request served, for assertions.
        self.calls: list[tuple[str, int, str]] = []
        self._pages_in_loop: dict[str, int] = {}
        #: [path, seconds, times] of each scripted stall (:meth:`stall`)
        self.stalls: list[list] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting ---------------------------------------------------------------------------
    def add_item(self, access_token: str, *, accounts: list[dict], item_id: str | None = None) -> StandInItem:
        item = StandInItem(access_token=access_token, item_id=item_id or f"item-{uuid.uuid4().hex[:12]}",
                           accounts=accounts)
        self.items[access_token] = item
        return item

    def fail(self, path: str, *, status: int = 429, times: int = 1, after: int = 0,
             error_type: str | None = None, error_code: str | None = None, message: str | None = None) -> None:
        """The next ``times`` calls to ``path`` (after ``after`` successful ones) answer ``status``.

        ``message`` is the error's ``error_message``; ``{request}`` in it is replaced by the
        request's JSON body (an error that quotes the request, access token and all)."""
        defaults = {429: ("RATE_LIMIT_EXCEEDED", "TRANSACTIONS_SYNC_LIMIT")}
        etype, ecode = defaults.get(status, ("API_ERROR", "INTERNAL_SERVER_ERROR"))
        self.faults.append(_Fault(path, status, error_type or etype, error_code or ecode, times, after,
                                  message or "scripted fault"))

    def stall(self, path: str, *, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls to ``path`` wait ``seconds`` before they answer (a slow Plaid:
        a client whose read timeout is shorter gives up on them). Bounded: each stall ends."""
        self.stalls.append([path, float(seconds), times])

    def _stall_for(self, path: str) -> float:
        with self._lock:
            for stall in self.stalls:
                if stall[0] == path and stall[2] > 0:
                    stall[2] -= 1
                    return stall[1]
        return 0.0

    def count(self, path: str, status: int | None = None) -> int:
        return sum(1 for p, s, _ in self.calls if p == path and (status is None or s == status))

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "stand-in not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> PlaidStandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="plaid-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> PlaidStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- request handling --------------------------------------------------------------------
    def handle(self, path: str, headers, body: dict) -> tuple[int, dict]:
        with self._lock:
            status, payload = self._handle(path, headers, body)
            self.calls.append((path, status, payload.get("error_code", "") if status != 200 else ""))
            return status, payload

    def _error(self, status: int, error_type: str, error_code: str, message: str) -> tuple[int, dict]:
        return status, {
            "error_type": error_type,
            "error_code": error_code,
            "error_message": message,
            "display_message": None,
            "request_id": uuid.uuid4().hex[:15],
            "causes": [],
            "status": status,
            "documentation_url": "https://plaid.com/docs/errors/",
            "suggested_action": None,
        }

    def _handle(self, path: str, headers, body: dict) -> tuple[int, dict]:
        client_id = headers.get("PLAID-CLIENT-ID") or body.get("client_id")
        secret = headers.get("PLAID-SECRET") or body.get("secret")
        if client_id != self.client_id or secret != self.secret:
            return self._error(400, "INVALID_INPUT", "INVALID_API_KEYS",
                               "invalid client_id or secret provided")
        for fault in self.faults:
            if fault.path == path and fault.times > 0:
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.times -= 1
                message = fault.message.replace("{request}", json.dumps(body))
                return self._error(fault.status, fault.error_type, fault.error_code, message)
        if path not in ("/accounts/get", "/transactions/sync", "/item/get"):
            return self._error(404, "INVALID_REQUEST", "UNKNOWN_ENDPOINT", f"unknown endpoint {path}")
        item = self.items.get(body.get("access_token", ""))
        if item is None:
            return self._error(400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN",
                               "provided access token is in an invalid format")
        if item.login_required:
            return self._error(400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED",
                               "the login details of this item have changed (credentials, MFA, or "
                               "required user action) and a user login is required to update this "
                               "information")
        if path == "/transactions/sync":
            return self._sync(item, body)
        return 200, {"accounts": item.accounts, "item": self._item(item), "request_id": uuid.uuid4().hex[:15]}

    def _item(self, item: StandInItem) -> dict:
        return {
            "item_id": item.item_id,
            "institution_id": "ins_109508",
            "institution_name": "First Platypus Bank",
            "webhook": None,
            "error": None,
            "available_products": ["balance"],
            "billed_products": ["transactions"],
            "products": ["transactions"],
            "consented_products": ["transactions"],
            "consent_expiration_time": None,
            "update_type": "background",
        }

    def _sync(self, item: StandInItem, body: dict) -> tuple[int, dict]:
        cursor = body.get("cursor") or ""
        position = 0
        if cursor:
            try:
                item_id, position = _decode_cursor(cursor)
            except ValueError:
                return self._error(400, "INVALID_REQUEST", "INVALID_FIELD", "cursor is invalid")
            if item_id != item.item_id or position > len(item.events):
                return self._error(400, "INVALID_REQUEST", "INVALID_FIELD", "cursor is invalid")
        count = min(int(body.get("count") or 100), self.page_size)
        # Pages since the loop began: a request whose cursor we did not hand out in this loop
        # (the stored cursor, or none) starts a new loop.
        key = item.access_token
        loop = self._pages_in_loop.get(key)
        if loop is None or loop[1] != cursor:
            page_no = 1
        else:
            page_no = loop[0] + 1
        if page_no in item.mutation_pages:
            item.mutation_pages.remove(page_no)
            self._pages_in_loop.pop(key, None)
            if callable(item.on_mutation):
                item.on_mutation(item)
            return self._error(400, "TRANSACTIONS_ERROR", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
                               "Underlying transaction data changed since last page was fetched. Please "
                               "restart pagination from last update.")
        window = item.events[position:position + count]
        end = position + len(window)
        next_cursor = _encode_cursor(item.item_id, end)
        has_more = end < len(item.events)
        if has_more:
            self._pages_in_loop[key] = (page_no, next_cursor)
        else:
            self._pages_in_loop.pop(key, None)
        seen = {tx["account_id"] for _, tx in window}
        return 200, {
            "transactions_update_status": "HISTORICAL_UPDATE_COMPLETE",
            "accounts": [a for a in item.accounts if a["account_id"] in seen],
            "added": [tx for kind, tx in window if kind == "added"],
            "modified": [tx for kind, tx in window if kind == "modified"],
            "removed": [tx for kind, tx in window if kind == "removed"],
            "next_cursor": next_cursor,
            "has_more": has_more,
            "request_id": uuid.uuid4().hex[:15],
        }


class _Handler(BaseHTTPRequestHandler):
    standin: PlaidStandIn
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, keep-alive requests stall ~40 ms each.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        wait = self.standin._stall_for(self.path)
        if wait:
            time.sleep(wait)  # (outside the stand-in's lock: other requests are served meanwhile)
        status, payload = self.standin.handle(self.path, self.headers, body if isinstance(body, dict) else {})
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:
        pass
