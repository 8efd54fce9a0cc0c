"""Secrets the server must read back (IMAP passwords, webhook signing keys), sealed at rest.

They cannot be hashed like API tokens, because the server uses the secret itself.
Sealing is Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from SECRET_KEY
and a purpose string, so a database dump alone reveals nothing and one purpose's
key never opens another's. Keys from SECRET_KEY_FALLBACKS still open old tokens,
so SECRET_KEY can be rotated the way Django documents; once a fallback is
removed, secrets sealed under it must be entered (or rotated) again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SealedSecretUnreadable(Exception):
    """The token was sealed under a SECRET_KEY that is no longer configured (or is damaged)."""


def _fernet(purpose: str, secret_key: str) -> Fernet:
    digest = hashlib.sha256(f"{purpose}:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys(purpose: str) -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(purpose, key) for key in keys])


def seal(text: str, *, purpose: str) -> str:
    """The text sealed for storage ("" stays "")."""
    return _fernet(purpose, settings.SECRET_KEY).encrypt(text.encode()).decode() if text else ""


def unseal(token: str, *, purpose: str) -> str:
    """The sealed text; raises SealedSecretUnreadable when no configured key opens it."""
    if not token:
        return ""
    try:
        return _keys(purpose).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError, UnicodeError) as exc:
        raise SealedSecretUnreadable(purpose) from exc
