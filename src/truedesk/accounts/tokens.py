"""API token format, hashing and authentication.

A token reads `td_<prefix>_<secret>`: the prefix (8 hex characters) is stored
in clear to find the row and to let people recognise their tokens; the secret
holds 256 random bits. Only the SHA-256 digest of the whole token is stored, so
a copy of the database cannot be used to call the API. A salted slow hash is
not needed: the secret is random, not a password a person chose.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from truedesk.accounts.models import ApiToken, User

TOKEN_PREFIX = "td"
PREFIX_LENGTH = 8
# Far longer than any token we issue; longer input is refused before hashing.
MAX_TOKEN_LENGTH = 128
# last_used_at is informational: writing it on every request would turn each
# API read into a write, so it is refreshed at most once per interval.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A freshly generated token: the plaintext exists only in this object."""

    raw: str
    prefix: str
    digest: str


def token_digest(raw: str) -> str:
    """Hex SHA-256 of the whole token string: the only form that is stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def generate_token() -> NewToken:
    """A new random token; the caller stores prefix and digest and shows raw once."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)  # 256 bits
    raw = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    return NewToken(raw=raw, prefix=prefix, digest=token_digest(raw))


def parse_prefix(raw: str) -> str | None:
    """The lookup prefix of a well-formed token, or None for anything else."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[2]:
        return None
    prefix = parts[1]
    if len(prefix) != PREFIX_LENGTH or any(c not in "0123456789abcdef" for c in prefix):
        return None
    return prefix


def find_usable_api_token(raw: str) -> ApiToken | None:
    """The live token matching raw (user loaded), or None; refreshes last_used_at sparingly."""
    prefix = parse_prefix(raw.strip())
    if prefix is None:
        return None
    digest = token_digest(raw.strip())
    match: ApiToken | None = None
    # Prefixes may collide; every candidate is compared in constant time.
    for candidate in ApiToken.objects.select_related("user").filter(prefix=prefix):
        if hmac.compare_digest(candidate.digest, digest):
            match = candidate
    now = timezone.now()
    if match is None or not match.is_usable(now=now):
        return None
    _touch(match, now)
    return match


def authenticate_api_token(raw: str) -> User | None:
    """The active user a live token belongs to, or None if unknown, expired or revoked."""
    token = find_usable_api_token(raw)
    return token.user if token is not None else None


def _touch(token: ApiToken, now: datetime) -> None:
    stale_before = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > stale_before:
        return
    # Conditional, so parallel requests with one token write at most once.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before)
    ).update(last_used_at=now)
    token.last_used_at = now
