"""Hide secrets in text bound for a log, the run log or the store.

Error text from outside (Plaid's messages) is passed on to the log, ``runs.errors`` and
``plaid_items.last_error``; one that quotes a request would carry an access token there.
"""

from __future__ import annotations

import json
import os
import re

#: Plaid's token formats (``access-sandbox-<uuid>``, ``public-production-...``, ...): hidden even
#: where the token is not one this process holds.
TOKEN_PATTERN = re.compile(r"\b(access|public|link)-(sandbox|development|production)-[A-Za-z0-9][A-Za-z0-9-]*")
#: The environment variables whose values are secrets (their values are hidden in error text).
SECRET_ENV = ("PLAID_SECRET", "PLAID_CLIENT_ID", "PLAID_ACCESS_TOKEN", "SUBDETECT_SECRET_KEY")
#: What a hidden value reads as.
REDACTED = "[REDACTED]"
#: Shorter values are not hidden: replacing every "a" would make the text unreadable, and no real
#: key or token is that short.
_MIN_SECRET = 6


def redact(text: str, secrets=(), env=None) -> str:
    """``text`` with every secret it may quote hidden: the values in ``secrets`` (an access
    token, the Plaid secret), those of the :data:`SECRET_ENV` variables, and anything shaped
    like a Plaid token (:data:`TOKEN_PATTERN`).

    Plaid's error messages are passed on to the log, the run log and ``plaid_items.last_error``;
    one that quotes the request would carry the token there (round-thirty-eight audit: an
    ``INVALID_FIELD`` message echoing the request body put ``access-production-...`` in stdout,
    the ERROR line, ``runs`` and the database).

    >>> redact('bad request {"access_token": "access-sandbox-1b2c3d", "secret": "s3cr3t-value"}', ["s3cr3t-value"], env={})
    'bad request {"access_token": "[REDACTED]", "secret": "[REDACTED]"}'
    """
    env = os.environ if env is None else env
    values = {str(v) for v in secrets if v} | {env.get(k) or "" for k in SECRET_ENV}
    for value in sorted((v for v in values if len(v) >= _MIN_SECRET), key=len, reverse=True):
        text = text.replace(value, REDACTED)
        quoted = json.dumps(value)[1:-1]  # as a JSON body quotes it
        if quoted != value:
            text = text.replace(quoted, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)
