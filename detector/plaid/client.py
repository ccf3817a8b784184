"""The real ``plaid-python`` client, configured from the environment, with bounded retries.

Configuration (environment only, never files or arguments, so keys stay out of shell history and git):

``PLAID_CLIENT_ID``, ``PLAID_SECRET``
    API keys. Required.
``PLAID_ENV``
    ``sandbox`` or ``production`` (default ``sandbox``).
``PLAID_BASE_URL``
    Another host (a proxy, or the stand-in server in tests); wins over ``PLAID_ENV``.
``SUBDETECT_PLAID_RETRIES``, ``SUBDETECT_PLAID_BACKOFF``, ``SUBDETECT_PLAID_BACKOFF_MAX``
    Attempts per call (default 5), first delay and cap in seconds (default 1.0 and 30.0).
``SUBDETECT_PLAID_TIMEOUT``
    Seconds one request may take, connecting and answering (default 60; a positive number). A
    request that takes longer fails as a transport error, retried as such.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import plaid
import urllib3
from plaid.api import plaid_api

from ..errors import ConfigError, PlaidError
from ..redact import redact

log = logging.getLogger("detector.plaid")

ENVIRONMENTS = {"sandbox": plaid.Environment.Sandbox, "production": plaid.Environment.Production}
#: HTTP statuses worth another attempt: rate limits and Plaid-side failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Seconds one request may take (connecting and answering) unless SUBDETECT_PLAID_TIMEOUT says.
DEFAULT_TIMEOUT = 60.0
TIMEOUT_ENV = "SUBDETECT_PLAID_TIMEOUT"


def timeout_from_env(env=None) -> float:
    """``SUBDETECT_PLAID_TIMEOUT`` in seconds (:data:`DEFAULT_TIMEOUT` when unset or empty);
    :class:`ConfigError` naming the variable for anything but a positive, finite number."""
    env = os.environ if env is None else env
    raw = env.get(TIMEOUT_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds above 0: it is how long one request "
                          f"to Plaid may take (default {DEFAULT_TIMEOUT:g}; e.g. {TIMEOUT_ENV}=120)")
    return value


@dataclass(frozen=True)
class PlaidConfig:
    """Where and as whom to call Plaid, and how long a request may take (``timeout``, seconds).
    ``repr`` hides the secret."""

    client_id: str
    secret: str
    host: str
    timeout: float = DEFAULT_TIMEOUT

    def __repr__(self) -> str:
        return (f"PlaidConfig(client_id={self.client_id!r}, secret='***', host={self.host!r}, "
                f"timeout={self.timeout!r})")

    @classmethod
    def from_env(cls, env=None) -> PlaidConfig:
        """Read ``PLAID_*`` variables; :class:`ConfigError` names whatever is missing or wrong."""
        env = os.environ if env is None else env
        missing = [k for k in ("PLAID_CLIENT_ID", "PLAID_SECRET") if not env.get(k)]
        if missing:
            raise ConfigError(
                f"Plaid is not configured: set {' and '.join(missing)} in the environment "
                "(and PLAID_ENV=sandbox|production, or PLAID_BASE_URL for another host)"
            )
        host = env.get("PLAID_BASE_URL")
        if not host:
            name = (env.get("PLAID_ENV") or "sandbox").strip().lower()
            if name not in ENVIRONMENTS:
                raise ConfigError(
                    f"PLAID_ENV={name!r} is not one of {', '.join(ENVIRONMENTS)} (or set PLAID_BASE_URL)"
                )
            host = ENVIRONMENTS[name]
        return cls(client_id=env["PLAID_CLIENT_ID"], secret=env["PLAID_SECRET"], host=host.rstrip("/"),
                   timeout=timeout_from_env(env))


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded attempts.

    The delay before attempt ``k`` (1-based, k >= 2) is uniform in ``[0, min(cap, base * 2**(k-2))]``,
    so many jobs retrying together spread out instead of hammering Plaid in step.
    """

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0

    @classmethod
    def from_env(cls, env=None) -> RetryPolicy:
        env = os.environ if env is None else env
        try:
            return cls(
                attempts=max(1, int(env.get("SUBDETECT_PLAID_RETRIES", cls.attempts))),
                base_delay=float(env.get("SUBDETECT_PLAID_BACKOFF", cls.base_delay)),
                max_delay=float(env.get("SUBDETECT_PLAID_BACKOFF_MAX", cls.max_delay)),
            )
        except ValueError as exc:
            raise ConfigError(f"bad Plaid retry setting: {exc}") from exc

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        cap = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return (rng or random).uniform(0, cap)


def make_api(config: PlaidConfig, *, timeout: float | None = None) -> plaid_api.PlaidApi:
    """A ``PlaidApi`` talking to ``config.host``; each request may take ``timeout`` seconds
    (default ``config.timeout``: ``SUBDETECT_PLAID_TIMEOUT``, else 60)."""
    timeout = config.timeout if timeout is None else timeout
    configuration = plaid.Configuration(
        host=config.host,
        api_key={"clientId": config.client_id, "secret": config.secret, "plaidVersion": "2020-09-14"},
    )
    # Our own RetryPolicy decides about retries; urllib3's silent ones would double them.
    configuration.retries = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0)
    client = plaid.ApiClient(configuration)
    api = plaid_api.PlaidApi(client)
    api._subdetect_timeout = timeout  # read by call(); the generated client takes it per request
    return api


@dataclass(frozen=True)
class ErrorInfo:
    """The fields of Plaid's ``PlaidError`` body we act on (never the request, which holds the token)."""

    status: int | None
    error_type: str
    error_code: str
    error_message: str
    request_id: str = ""

    def __str__(self) -> str:
        status = f"HTTP {self.status} " if self.status else ""
        return f"{status}{self.error_type}/{self.error_code}: {self.error_message}".strip()


def _secrets_of(request, api) -> list[str]:
    """The secrets a call carries: the request's access token and the client's keys."""
    out = []
    try:
        out.append(request.get("access_token"))
    except (AttributeError, TypeError, KeyError):
        pass
    keys = getattr(getattr(getattr(api, "api_client", None), "configuration", None), "api_key", None) or {}
    out += [keys.get("secret"), keys.get("clientId")]
    return [v for v in out if isinstance(v, str) and v]


def error_info(exc: BaseException) -> ErrorInfo:
    """Parse a Plaid error response (or a transport failure) into :class:`ErrorInfo`."""
    if isinstance(exc, plaid.ApiException):
        body = exc.body
        try:
            data = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body or "{}")
        except (ValueError, UnicodeDecodeError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        return ErrorInfo(
            status=exc.status,
            error_type=str(data.get("error_type") or "API_ERROR"),
            error_code=str(data.get("error_code") or f"HTTP_{exc.status}"),
            error_message=str(data.get("error_message") or exc.reason or "no message"),
            request_id=str(data.get("request_id") or ""),
        )
    if isinstance(exc, plaid.OpenApiException):
        # The response did not match Plaid's schema (the client type-checks every field).
        return ErrorInfo(status=None, error_type="SCHEMA_ERROR", error_code=type(exc).__name__,
                         error_message=str(exc).splitlines()[0][:300])
    return ErrorInfo(status=None, error_type="TRANSPORT_ERROR", error_code=type(exc).__name__,
                     error_message=str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__)


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, plaid.ApiException):
        return exc.status in RETRY_STATUSES
    return isinstance(exc, (urllib3.exceptions.HTTPError, OSError))


def call(fn: Callable, request, *, policy: RetryPolicy, item: str, what: str,
         sleep: Callable[[float], None] = time.sleep, api=None):
    """Call ``fn(request)``, retrying 429/5xx and transport errors; :class:`PlaidError` otherwise.

    Only Plaid's error code and message are logged or raised, with every secret the call
    carries hidden (:func:`redact`): the request carries the access token and must never reach
    a log line or an exception message, even where Plaid's message quotes it.
    """
    timeout = getattr(api, "_subdetect_timeout", None) if api is not None else None
    kwargs = {"_request_timeout": timeout} if timeout else {}
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn(request, **kwargs)
        except (plaid.OpenApiException, urllib3.exceptions.HTTPError, OSError) as exc:
            info = error_info(exc)
            said = redact(str(info), _secrets_of(request, api))
            if timeout and isinstance(exc, urllib3.exceptions.TimeoutError):
                said += f" (no answer within {timeout:g} s: {TIMEOUT_ENV} sets how long to wait)"
            if retryable(exc) and attempt < policy.attempts:
                wait = policy.delay(attempt)
                log.warning("plaid item %s: %s failed (%s), attempt %d/%d, retrying in %.2fs",
                            item, what, said, attempt, policy.attempts, wait)
                sleep(wait)
                continue
            raise PlaidError(f"Plaid item {item!r}: {what} failed: {said}",
                             error_code=info.error_code, item=item) from None
    raise AssertionError("unreachable")  # pragma: no cover
