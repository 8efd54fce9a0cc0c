"""How SLA times read: "2 h 10 min left", "overdue by 35 min", "We aim to answer by Tue 10:00"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

WEEK = timedelta(days=6)


def business_duration(amount: timedelta) -> str:
    """A non-negative business duration in hours and minutes: "2 h 10 min", "35 min", "0 min"."""
    minutes = max(int(amount.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": minutes}
    if not minutes:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}


def zone_named(name: str) -> ZoneInfo:
    """The zone for an IANA name, or the site's zone when the name is not known."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def local_moment(moment: datetime, *, zone: str, now: datetime | None = None) -> str:
    """A moment in the reader's zone: "Tuesday 10:00" within the week, else the full date."""
    local = timezone.localtime(moment, zone_named(zone))
    reference = timezone.localtime(now or timezone.now(), zone_named(zone))
    if reference - timedelta(days=1) <= local <= reference + WEEK:
        return formats.date_format(local, "l H:i")
    return formats.date_format(local, "DATE_FORMAT") + " " + formats.date_format(local, "H:i")
