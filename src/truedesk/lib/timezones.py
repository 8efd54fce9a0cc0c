"""Time-zone names, validated against the system's IANA database."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@cache
def _known_zones() -> frozenset[str]:
    # Walking the zone files takes tens of milliseconds: do it once per process.
    return frozenset(zoneinfo.available_timezones())


@cache
def available_time_zones() -> list[str]:
    """All IANA zone names, sorted, without the legacy aliases."""
    return sorted(z for z in _known_zones() if "/" in z or z == "UTC")


def validate_time_zone(value: str) -> None:
    """Raise ValidationError unless value names a known IANA time zone."""
    if value not in _known_zones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})
