"""Mailbox passwords at rest: encrypted (Fernet) with a key derived from SECRET_KEY.

IMAP needs the password itself, so it cannot be hashed; a database dump alone
does not reveal it. Rotating SECRET_KEY means entering the passwords again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"truedesk-mailbox-password:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_password(password: str) -> str:
    return _fernet().encrypt(password.encode("utf-8")).decode("ascii") if password else ""


def decrypt_password(token: str) -> str:
    """The password, or "" when none is stored or SECRET_KEY has changed since."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return ""
