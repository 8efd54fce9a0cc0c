"""Request signatures for contact-centre events: HMAC-SHA256 over timestamp and body.

The sender puts three headers on every request:

    X-Truedesk-Integration: <integration key>
    X-Truedesk-Timestamp:   <Unix seconds when it signed>
    X-Truedesk-Signature:   v1=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

A request older or newer than REPLAY_WINDOW_SECONDS is refused, so a captured
request cannot be replayed later; inside the window a replay carries the same event
ids and changes nothing (events are idempotent). Comparison is constant-time.

Every authentication failure (no key, unknown or inactive key, bad timestamp, wrong
signature) gets the same answer, and an unknown key is checked against a dummy
secret so the time taken does not tell which keys exist (DUMMY_SALT). Only a
request whose signature verified can learn that its timestamp is stale.

The secret is derived, not stored: HMAC(SECRET_KEY, "truedesk.contactcentre." + salt)
(decision 0025). The salt alone is useless; SECRET_KEY_FALLBACKS keep secrets
working through a SECRET_KEY rotation until the fallback is dropped.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

INTEGRATION_HEADER = "X-Truedesk-Integration"
TIMESTAMP_HEADER = "X-Truedesk-Timestamp"
SIGNATURE_HEADER = "X-Truedesk-Signature"
SCHEME = "v1"
REPLAY_WINDOW_SECONDS = 300
_DERIVATION = b"truedesk.contactcentre."
# Stands in for an unknown integration's salt: the same HMAC work, never a match
# (the request is refused whatever it signed).
DUMMY_SALT = "no-such-integration"


class SignatureError(Exception):
    """A request whose signature cannot be accepted; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def derive_secret(salt: str, *, server_key: str | None = None) -> str:
    """The signing secret an integration's sender uses (hex, 64 characters)."""
    key = server_key if server_key is not None else settings.SECRET_KEY
    return hmac.new(key.encode(), _DERIVATION + salt.encode(), hashlib.sha256).hexdigest()


def _candidate_secrets(salt: str) -> Iterable[str]:
    yield derive_secret(salt)
    for fallback in getattr(settings, "SECRET_KEY_FALLBACKS", []):
        yield derive_secret(salt, server_key=fallback)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for a body sent at `timestamp` (what senders compute)."""
    message = str(timestamp).encode() + b"." + body
    return f"{SCHEME}=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def read_timestamp(raw: str) -> int | None:
    """The timestamp header as an int, or None when it is not one (format only, no clock)."""
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 12:
        return None
    return int(raw)


def check_window(timestamp: int, *, now: float) -> None:
    """SignatureError("stale_signature") when `timestamp` is outside the replay window.

    Call it only after the signature was verified: a verified request proves the
    sender holds the secret, so telling it "your clock is off" leaks nothing.
    """
    if abs(now - timestamp) > REPLAY_WINDOW_SECONDS:
        raise SignatureError("stale_signature")


def signature_matches(*, salt: str, timestamp: int, body: bytes, signature_header: str) -> bool:
    """True if one of the header's v1 signatures matches a secret derived from `salt`.

    Several comma-separated signatures are allowed so a sender can sign with a new
    secret and the old one while an integration is being switched over. Every
    candidate secret is computed and compared in constant time, whatever matches
    first, so the time taken says nothing about which secret (if any) was right.
    """
    offered = [
        part.strip().encode()
        for part in signature_header.split(",")
        if part.strip().startswith(f"{SCHEME}=")
    ]
    matched = False
    for secret in _candidate_secrets(salt):
        expected = sign(secret, timestamp, body).encode()
        for given in offered:
            matched |= hmac.compare_digest(expected, given)
    return matched


def verify(*, salt: str, timestamp: int, body: bytes, signature_header: str) -> None:
    """Accept the request if one of the header's v1 signatures matches, else SignatureError."""
    if not signature_matches(
        salt=salt, timestamp=timestamp, body=body, signature_header=signature_header
    ):
        raise SignatureError("bad_signature")
