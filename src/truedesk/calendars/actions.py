"""Writes to business calendars and opening-hours bindings; supervisors only, each audited.

Every change to a calendar or its rows bumps its version and renews its
revision, so compiled copies cached by selectors.business_calendar are
replaced on the next read in every process.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from truedesk.accounts.actions import Actor, record_audit_event, require_supervisor
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
from truedesk.lib.timezones import validate_time_zone

NAME_MAX = 120
NOTE_MAX = 200
CALENDAR_FIELDS = frozenset({"name", "time_zone", "country", "subdivision", "always_open"})
Hours = Mapping[int, Iterable[tuple[time, time]]]


# --- Validation -------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = str(name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise errors.InvalidName()
    return name


def _clean_time_zone(time_zone: str) -> str:
    try:
        validate_time_zone(str(time_zone))
    except ValidationError:
        raise errors.InvalidTimeZone() from None
    return str(time_zone)


def _clean_region(country: str, subdivision: str) -> tuple[str, str]:
    country, subdivision = str(country or "").strip(), str(subdivision or "").strip()
    if not country and not subdivision:
        return "", ""
    try:
        return business_time.check_region(country, subdivision)
    except business_time.UnknownCountry:
        raise errors.InvalidCountry(country=country[:8], subdivision=subdivision[:16]) from None


def _clean_hours(hours: Hours) -> business_time.WeeklyHours:
    try:
        return business_time.WeeklyHours.from_mapping(hours)
    except (business_time.InvalidHours, TypeError, AttributeError) as error:
        raise errors.InvalidHours(detail=str(error)[:200]) from None


def _audit_hours(weekly: business_time.WeeklyHours) -> dict[str, str]:
    return {
        str(day): business_time.format_intervals(intervals)
        for day, intervals in weekly.as_mapping().items()
    }


def _bump(calendar: BusinessCalendar, expected_version: int | None) -> None:
    """Lock the calendar, refuse a stale version, then bump version and revision."""
    current = BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    if current is None:
        raise errors.CalendarNotFound()
    if expected_version is not None and current.version != expected_version:
        raise errors.StaleVersion(current_version=current.version)
    BusinessCalendar.objects.filter(pk=calendar.pk).update(
        version=F("version") + 1, revision=uuid.uuid4(), updated_at=timezone.now()
    )


def _replace_intervals(calendar: BusinessCalendar, weekly: business_time.WeeklyHours) -> None:
    calendar.intervals.all().delete()
    OpeningInterval.objects.bulk_create(
        OpeningInterval(calendar=calendar, weekday=day, start=start, end=end)
        for day, intervals in enumerate(weekly.days)
        for start, end in intervals
    )


# --- Calendars ----------------------------------------------------------------------


@transaction.atomic
def create_calendar(
    *,
    acting_user: Actor,
    name: str,
    time_zone: str = "Europe/Vilnius",
    country: str = "",
    subdivision: str = "",
    always_open: bool = False,
    hours: Hours | None = None,
) -> BusinessCalendar:
    """Create a calendar (supervisor), optionally with weekly hours; the name is unique."""
    require_supervisor(acting_user)
    name = _clean_name(name)
    time_zone = _clean_time_zone(time_zone)
    country, subdivision = _clean_region(country, subdivision)
    weekly = _clean_hours(hours or {})
    try:
        with transaction.atomic():
            calendar = BusinessCalendar.objects.create(
                name=name,
                time_zone=time_zone,
                country=country,
                subdivision=subdivision,
                always_open=bool(always_open),
            )
    except IntegrityError:
        raise errors.CalendarNameTaken() from None
    _replace_intervals(calendar, weekly)
    record_audit_event(
        actor=acting_user,
        action="calendar.created",
        target=calendar,
        data={
            "name": name,
            "time_zone": time_zone,
            "country": country,
            "subdivision": subdivision,
            "always_open": calendar.always_open,
            "hours": _audit_hours(weekly),
        },
    )
    return calendar


@transaction.atomic
def update_calendar(
    *,
    acting_user: Actor,
    calendar: BusinessCalendar,
    expected_version: int | None = None,
    **fields: Any,
) -> BusinessCalendar:
    """Change name, time zone, holiday country/subdivision or 24/7 (supervisor); bumps version."""
    require_supervisor(acting_user)
    unknown = sorted(set(fields) - CALENDAR_FIELDS)
    if unknown:
        raise errors.CalendarError(field=unknown[0])
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = _clean_name(fields["name"])
    if "time_zone" in fields:
        changes["time_zone"] = _clean_time_zone(fields["time_zone"])
    if "country" in fields or "subdivision" in fields:
        country = fields.get("country", calendar.country)
        subdivision = fields.get("subdivision", "" if "country" in fields else calendar.subdivision)
        changes["country"], changes["subdivision"] = _clean_region(country, subdivision)
    if "always_open" in fields:
        changes["always_open"] = bool(fields["always_open"])
    _bump(calendar, expected_version)
    try:
        with transaction.atomic():
            BusinessCalendar.objects.filter(pk=calendar.pk).update(**changes)
    except IntegrityError:
        raise errors.CalendarNameTaken() from None
    before = {field: getattr(calendar, field) for field in changes}
    calendar.refresh_from_db()
    record_audit_event(
        actor=acting_user,
        action="calendar.updated",
        target=calendar,
        data={
            "changes": {f: [before[f], getattr(calendar, f)] for f in changes},
            "version": calendar.version,
        },
    )
    return calendar


@transaction.atomic
def set_weekly_hours(
    *,
    acting_user: Actor,
    calendar: BusinessCalendar,
    hours: Hours,
    expected_version: int | None = None,
) -> BusinessCalendar:
    """Replace the weekly hours ({weekday 0-6: [(start, end), …]}; end ≤ start = overnight)."""
    require_supervisor(acting_user)
    weekly = _clean_hours(hours)
    _bump(calendar, expected_version)
    _replace_intervals(calendar, weekly)
    calendar.refresh_from_db()
    record_audit_event(
        actor=acting_user,
        action="calendar.hours_set",
        target=calendar,
        data={"hours": _audit_hours(weekly), "version": calendar.version},
    )
    return calendar


@transaction.atomic
def add_calendar_exception(
    *,
    acting_user: Actor,
    calendar: BusinessCalendar,
    day: date,
    kind: str,
    hours: Iterable[tuple[time, time]] = (),
    note: str = "",
) -> CalendarException:
    """Close a date, or open it with its own hours (overriding a holiday); one per date."""
    require_supervisor(acting_user)
    if not isinstance(day, date) or isinstance(day, datetime):
        raise errors.InvalidException(field="day")
    if kind not in CalendarException.Kind.values or len(str(note)) > NOTE_MAX:
        raise errors.InvalidException(field="kind" if len(str(note)) <= NOTE_MAX else "note")
    try:
        intervals = business_time.clean_day(hours)
    except business_time.InvalidHours as error:
        raise errors.InvalidHours(detail=str(error)[:200]) from None
    if bool(intervals) != (kind == CalendarException.Kind.OPEN):
        raise errors.InvalidException(field="hours")
    _bump(calendar, None)
    try:
        with transaction.atomic():
            exception = CalendarException.objects.create(
                calendar=calendar,
                date=day,
                kind=kind,
                hours=business_time.format_intervals(intervals),
                note=str(note).strip(),
            )
    except IntegrityError:
        raise errors.ExceptionExists(date=day.isoformat()) from None
    calendar.refresh_from_db()
    record_audit_event(
        actor=acting_user,
        action="calendar.exception_added",
        target=calendar,
        data={
            "date": day.isoformat(),
            "kind": kind,
            "hours": exception.hours,
            "note": exception.note,
            "version": calendar.version,
        },
    )
    return exception


@transaction.atomic
def remove_calendar_exception(
    *, acting_user: Actor, exception: CalendarException
) -> BusinessCalendar:
    """Delete one exception (supervisor); the date follows the weekly hours and holidays again."""
    require_supervisor(acting_user)
    calendar = exception.calendar
    _bump(calendar, None)
    deleted, _ = CalendarException.objects.filter(pk=exception.pk).delete()
    if not deleted:
        raise errors.ExceptionNotFound()
    calendar.refresh_from_db()
    record_audit_event(
        actor=acting_user,
        action="calendar.exception_removed",
        target=calendar,
        data={
            "date": exception.date.isoformat(),
            "kind": exception.kind,
            "hours": exception.hours,
            "version": calendar.version,
        },
    )
    return calendar


# --- Bindings ----------------------------------------------------------------------------


@transaction.atomic
def assign_department_calendar(
    *, acting_user: Actor, department: Department, calendar: BusinessCalendar | None
) -> DepartmentHours | None:
    """Make the department keep `calendar`'s hours; None removes them (always open)."""
    require_supervisor(acting_user)
    before = (
        DepartmentHours.objects.filter(department=department)
        .values_list("calendar_id", flat=True)
        .first()
    )
    binding: DepartmentHours | None = None
    if calendar is None:
        DepartmentHours.objects.filter(department=department).delete()
    else:
        binding, _ = DepartmentHours.objects.update_or_create(
            department=department, defaults={"calendar": calendar}
        )
    # The department may have cached its old binding (selectors read it).
    department._state.fields_cache.pop("hours", None)
    record_audit_event(
        actor=acting_user,
        action="department.calendar_assigned",
        target=department,
        data={"before": before, "after": calendar.pk if calendar else None},
    )
    return binding


@transaction.atomic
def assign_channel_calendar(
    *, acting_user: Actor, channel: str, calendar: BusinessCalendar | None
) -> ChannelHours | None:
    """Make a channel (phone, chat…) keep `calendar`'s hours; None removes them (always open)."""
    require_supervisor(acting_user)
    if channel not in Channel.values:
        raise errors.InvalidChannel(channel=str(channel)[:32])
    before = (
        ChannelHours.objects.filter(channel=channel).values_list("calendar_id", flat=True).first()
    )
    binding: ChannelHours | None = None
    if calendar is None:
        ChannelHours.objects.filter(channel=channel).delete()
    else:
        binding, _ = ChannelHours.objects.update_or_create(
            channel=channel, defaults={"calendar": calendar}
        )
    record_audit_event(
        actor=acting_user,
        action="channel.calendar_assigned",
        data={"channel": channel, "before": before, "after": calendar.pk if calendar else None},
    )
    return binding
