"""Mailbox passwords at rest, sealed with truedesk.lib.secrets_box.

IMAP needs the password itself, so it cannot be hashed; a database dump alone
does not reveal it. Rotating SECRET_KEY (keeping the old one in
SECRET_KEY_FALLBACKS until the passwords are entered again) keeps them readable.
"""

from __future__ import annotations

from truedesk.lib.secrets_box import SealedSecretUnreadable, seal, unseal

PURPOSE = "truedesk-mailbox-password"


def encrypt_password(password: str) -> str:
    return seal(password, purpose=PURPOSE)


def decrypt_password(token: str) -> str:
    """The password, or "" when none is stored or no configured SECRET_KEY opens it."""
    try:
        return unseal(token, purpose=PURPOSE)
    except SealedSecretUnreadable:
        return ""
