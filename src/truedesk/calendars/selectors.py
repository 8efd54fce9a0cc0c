"""Reads of calendars and of whether departments and channels are open; query-bounded.

Opening hours are not secret (customers see them too), so these reads take no
user. A department or channel without a calendar is always open.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from truedesk.accounts.models import Department
from truedesk.calendars import business_time, errors
from truedesk.calendars.models import (
    BusinessCalendar,
    CalendarException,
    Channel,
    ChannelHours,
    DepartmentHours,
    OpeningInterval,
)

CACHE_SIZE = 256

_cache: OrderedDict[tuple[int, UUID], business_time.BusinessCalendar] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Availability:
    """Open now or not; when closed the next opening, when open the next closing.

    `next_open_at` is None while open, or when closed for the next 366 days;
    `closes_at` is None while closed, or when open for the next 366 days (24/7).
    `calendar_name` is empty for a department or channel without a calendar.
    """

    open: bool
    next_open_at: datetime | None
    closes_at: datetime | None
    calendar_name: str


ALWAYS_OPEN = Availability(open=True, next_open_at=None, closes_at=None, calendar_name="")


def _with_rows(queryset: QuerySet[BusinessCalendar]) -> QuerySet[BusinessCalendar]:
    return queryset.prefetch_related(
        Prefetch("intervals", queryset=OpeningInterval.objects.order_by("weekday", "start")),
        Prefetch("exceptions", queryset=CalendarException.objects.order_by("date")),
    )


def list_calendars() -> QuerySet[BusinessCalendar]:
    """All calendars by name, with their intervals and exceptions (three queries)."""
    return _with_rows(BusinessCalendar.objects.order_by("name"))


def get_calendar(calendar_id: object) -> BusinessCalendar:
    """One calendar with its rows, or CalendarNotFound."""
    try:
        return _with_rows(BusinessCalendar.objects.all()).get(pk=int(str(calendar_id)))
    except (BusinessCalendar.DoesNotExist, TypeError, ValueError):
        raise errors.CalendarNotFound() from None


def business_calendar(calendar: BusinessCalendar) -> business_time.BusinessCalendar:
    """The pure calendar of a stored one; cached per (pk, revision), two queries on a miss.

    Public holidays are added per year on demand by business_time itself.
    Raises a CalendarError if the stored rows no longer make a valid calendar.
    """
    key = (calendar.pk, calendar.revision)
    with _cache_lock:
        value = _cache.get(key)
        if value is not None:
            _cache.move_to_end(key)
            return value
    hours: dict[int, list[business_time.Interval]] = {}
    for interval in calendar.intervals.all():
        hours.setdefault(interval.weekday, []).append((interval.start, interval.end))
    closed, opened = set(), {}
    try:
        for exception in calendar.exceptions.all():
            if exception.kind == CalendarException.Kind.OPEN:
                opened[exception.date] = exception.intervals
            else:
                closed.add(exception.date)
        value = business_time.BusinessCalendar(
            time_zone=calendar.time_zone,
            weekly=business_time.WeeklyHours.from_mapping(hours),
            closed_dates=closed,
            open_dates=opened,
            country=calendar.country,
            subdivision=calendar.subdivision,
            always_open=calendar.always_open,
            name=calendar.name,
        )
    except business_time.BusinessTimeError as error:
        raise errors.from_business_time(error) from None
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def calendar_availability(
    value: business_time.BusinessCalendar | None, at: datetime
) -> Availability:
    """Availability at `at` of a pure calendar; None stands for no calendar (always open)."""
    if value is None:
        return ALWAYS_OPEN
    if business_time.is_open(value, at):
        return Availability(True, None, business_time.next_close(value, at), value.name)
    return Availability(False, business_time.next_open(value, at), None, value.name)


# --- Departments ------------------------------------------------------------------


def _department_hours(department: Department) -> DepartmentHours | None:
    cached = department._state.fields_cache.get("hours", False)
    if cached is not False:
        return cached
    return (
        DepartmentHours.objects.select_related("calendar")
        .filter(department_id=department.pk)
        .first()
    )


def get_department_calendar(department: Department) -> business_time.BusinessCalendar | None:
    """The department's pure calendar, or None when it keeps no hours (always open)."""
    hours = _department_hours(department)
    return business_calendar(hours.calendar) if hours is not None else None


def is_department_open(department: Department, at: datetime | None = None) -> bool:
    """Whether the department is open at `at` (default now); no calendar means open."""
    value = get_department_calendar(department)
    return value is None or business_time.is_open(value, at or timezone.now())


def next_department_opening(department: Department, at: datetime | None = None) -> datetime | None:
    """`at` (default now) if open then, else the next opening (UTC); None if not within 366 days."""
    value = get_department_calendar(department)
    return business_time.next_open(value or business_time.ALWAYS, at or timezone.now())


def department_availability(department: Department, at: datetime | None = None) -> Availability:
    """Open now or not, next opening or closing, and the calendar's name."""
    return calendar_availability(get_department_calendar(department), at or timezone.now())


def list_department_availability(
    at: datetime | None = None,
) -> list[tuple[Department, Availability]]:
    """Every active department with its availability, by name (four queries)."""
    moment = at or timezone.now()
    departments = Department.objects.filter(is_active=True).order_by("name")
    bindings = {
        hours.department_id: hours
        for hours in DepartmentHours.objects.filter(department__in=departments)
        .select_related("calendar")
        .prefetch_related("calendar__intervals", "calendar__exceptions")
    }
    result = []
    for department in departments:
        hours = bindings.get(department.pk)
        value = business_calendar(hours.calendar) if hours is not None else None
        result.append((department, calendar_availability(value, moment)))
    return result


# --- Channels -------------------------------------------------------------------------


def _check_channel(channel: str) -> str:
    if channel not in Channel.values:
        raise errors.InvalidChannel(channel=str(channel)[:32])
    return channel


def get_channel_calendar(channel: str) -> business_time.BusinessCalendar | None:
    """The channel's pure calendar, or None when it keeps no hours (always open)."""
    hours = (
        ChannelHours.objects.select_related("calendar")
        .filter(channel=_check_channel(channel))
        .first()
    )
    return business_calendar(hours.calendar) if hours is not None else None


def is_channel_open(channel: str, at: datetime | None = None) -> bool:
    """Whether the channel (a cases Interaction channel value) is open at `at` (default now)."""
    value = get_channel_calendar(channel)
    return value is None or business_time.is_open(value, at or timezone.now())


def next_channel_opening(channel: str, at: datetime | None = None) -> datetime | None:
    """`at` (default now) if open then, else the next opening (UTC); None if not within 366 days."""
    value = get_channel_calendar(channel)
    return business_time.next_open(value or business_time.ALWAYS, at or timezone.now())


def channel_availability(channel: str, at: datetime | None = None) -> Availability:
    """Open now or not, next opening or closing, and the calendar's name, for one channel."""
    return calendar_availability(get_channel_calendar(channel), at or timezone.now())
