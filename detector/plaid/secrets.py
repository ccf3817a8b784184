"""Access tokens at rest: Fernet encryption under a key derived from ``SUBDETECT_SECRET_KEY``.

A Plaid access token is a bearer credential for someone's bank data, so it is never stored, logged
or printed in plain text. The key is derived with scrypt (memory-hard, so a stolen database cannot
be brute-forced cheaply) from the ``SUBDETECT_SECRET_KEY`` passphrase and a random salt. The salt
is generated per stored token (a per-store salt would do; per token costs nothing more and means
two stores never share a derived key) and is kept beside the ciphertext::

    scrypt-fernet$v1$<salt, urlsafe base64>$<Fernet token>
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..errors import ConfigError

SECRET_ENV = "SUBDETECT_SECRET_KEY"
_PREFIX = "scrypt-fernet$v1$"
# scrypt cost: n=2**15 takes ~50 ms and 32 MiB, well inside a nightly job's budget.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1


class SecretKeyMissing(ConfigError):
    """``SUBDETECT_SECRET_KEY`` is not set, so tokens can be neither stored nor read."""


def secret_key(env=None) -> str:
    """The passphrase from ``$SUBDETECT_SECRET_KEY``; :class:`SecretKeyMissing` when unset."""
    env = os.environ if env is None else env
    value = env.get(SECRET_ENV, "")
    if not value:
        raise SecretKeyMissing(
            f"{SECRET_ENV} is not set: it is the passphrase that encrypts Plaid access tokens in the "
            "store. Set it (e.g. from your secret manager) and keep it: tokens stored under one key "
            "cannot be read under another."
        )
    return value


@lru_cache(maxsize=64)
def _fernet(passphrase: str, salt: bytes) -> Fernet:
    kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8"))))


def encrypt_token(token: str, passphrase: str | None = None) -> str:
    """Encrypt ``token``; the result is safe to store."""
    passphrase = passphrase if passphrase is not None else secret_key()
    salt = os.urandom(16)
    sealed = _fernet(passphrase, salt).encrypt(token.encode("utf-8")).decode("ascii")
    return _PREFIX + base64.urlsafe_b64encode(salt).decode("ascii") + "$" + sealed


def decrypt_token(stored: str, passphrase: str | None = None, *, item: str = "?") -> str:
    """Decrypt a value made by :func:`encrypt_token`; :class:`ConfigError` when the key is wrong."""
    passphrase = passphrase if passphrase is not None else secret_key()
    if not stored or not stored.startswith(_PREFIX):
        raise ConfigError(f"Plaid item {item!r}: stored access token is not in a known encrypted format")
    try:
        salt_b64, sealed = stored[len(_PREFIX):].split("$", 1)
        salt = base64.urlsafe_b64decode(salt_b64)
        return _fernet(passphrase, salt).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise ConfigError(
            f"Plaid item {item!r}: {SECRET_ENV} does not decrypt its access token "
            "(was it stored under another key?). Re-add the item with `subdetect plaid add-item`."
        ) from exc
