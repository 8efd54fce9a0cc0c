"""Opaque cursors for list endpoints: stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.utils.translation import gettext as _

from truedesk.api.errors import ApiError

MAX_LIMIT = 200


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """Decode a cursor from a previous page; a tampered one is a 400, not a 500."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_cursor", _("The cursor is not one this API gave out."))
    return value


def clamp_limit(limit: int) -> int:
    if limit < 1 or limit > MAX_LIMIT:
        raise ApiError(
            400, "invalid_limit", _("limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}
        )
    return limit
