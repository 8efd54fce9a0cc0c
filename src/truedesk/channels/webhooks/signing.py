"""Signing deliveries the Standard Webhooks way (https://www.standardwebhooks.com/).

Headers: `webhook-id` (the same on every retry), `webhook-timestamp` (Unix
seconds of this attempt) and `webhook-signature`: `v1,` followed by the
base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the secret's key. The
secret is `whsec_` + base64 of 32 random bytes; the key is those bytes.
Receivers verify with the standardwebhooks libraries or the few lines in
docs/webhooks.md, and refuse timestamps more than five minutes away.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one attempt."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(*, secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }


def verify(
    *, secret: str, message_id: str, timestamp: str, signature: str, body: bytes, now: int
) -> bool:
    """What a receiver does: a fresh timestamp and one matching `v1,` signature."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret=secret, message_id=message_id, timestamp=sent_at, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signature.split())
