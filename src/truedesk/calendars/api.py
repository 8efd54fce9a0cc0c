"""Calendar endpoints: business calendars and whether a calendar or department is open (staff).

Opening hours are not secret, but the API serves them to staff only for now:
customers see them on the portal. Times a caller sends must carry an offset;
a moment outside the years business time is computed for is a 422.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import AwareDatetime, Field

from truedesk.accounts.models import User
from truedesk.api.auth import api_user
from truedesk.api.errors import READ_ERRORS, ApiError, error_responses
from truedesk.api.lookups import get_department
from truedesk.api.schemas import DepartmentRef, Timestamp, department_ref, path_id
from truedesk.calendars import business_time, selectors
from truedesk.calendars.models import BusinessCalendar, Weekday
from truedesk.calendars.selectors import Availability

router = Router(tags=["calendars"])
departments_router = Router(tags=["calendars"])

CalendarId = Annotated[int, path_id("The calendar id.")]
DepartmentId = Annotated[int, path_id("The department id.")]


class IntervalOut(Schema):
    start: str = Field(description='Local opening time, "HH:MM".')
    end: str = Field(description='Local closing time, "HH:MM"; at or before start: the next day.')


class DayOut(Schema):
    weekday: int = Field(description="0 is Monday, 6 is Sunday.")
    name: str = Field(description="The weekday's name in your language.")
    intervals: list[IntervalOut] = Field(description="Empty on a day the calendar is closed.")


class ExceptionOut(Schema):
    date: date
    kind: str = Field(description="closed: closed all day; open: open with its own hours.")
    intervals: list[IntervalOut] = Field(description="The hours of an open day; empty if closed.")
    note: str


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str = Field(description="IANA zone the hours are in, e.g. Europe/Vilnius.")
    country: str = Field(description="ISO code whose public holidays close it; empty for none.")
    subdivision: str = Field(description="Region for public holidays; empty for the country's.")
    always_open: bool = Field(description="Open 24/7, public holidays included.")
    weekly_hours: list[DayOut] = Field(description="Seven days, Monday first.")
    exceptions: list[ExceptionOut] = Field(description="Dates with other hours, by date.")
    version: int
    updated_at: Timestamp


class AvailabilityQuery(Schema):
    at: AwareDatetime | None = Field(
        default=None, description="ISO 8601 with offset; default: now."
    )


class AvailabilityOut(Schema):
    at: Timestamp = Field(description="The moment asked about.")
    open: bool
    next_open_at: Timestamp | None = Field(
        description="When closed: the next opening; null while open or if not within 366 days."
    )
    closes_at: Timestamp | None = Field(
        description="When open: the next closing; null while closed or if open 366 days on."
    )
    calendar: str = Field(description="The calendar's name; empty when none (always open).")


class DepartmentAvailabilityOut(AvailabilityOut):
    department: DepartmentRef


def _hhmm(moment: time) -> str:
    return f"{moment:%H:%M}"


def _intervals(pairs: business_time.DayHours | list[tuple[time, time]]) -> list[IntervalOut]:
    return [IntervalOut(start=_hhmm(start), end=_hhmm(end)) for start, end in pairs]


def calendar_out(calendar: BusinessCalendar) -> CalendarOut:
    days: dict[int, list[tuple[time, time]]] = {day: [] for day in Weekday.values}
    for interval in calendar.intervals.all():
        days[interval.weekday].append((interval.start, interval.end))
    return CalendarOut(
        id=calendar.pk,
        name=calendar.name,
        time_zone=calendar.time_zone,
        country=calendar.country,
        subdivision=calendar.subdivision,
        always_open=calendar.always_open,
        weekly_hours=[
            DayOut(weekday=day, name=str(Weekday(day).label), intervals=_intervals(pairs))
            for day, pairs in sorted(days.items())
        ],
        exceptions=[
            ExceptionOut(
                date=exception.date,
                kind=exception.kind,
                intervals=_intervals(exception.intervals) if exception.hours.strip() else [],
                note=exception.note,
            )
            for exception in calendar.exceptions.all()
        ],
        version=calendar.version,
        updated_at=calendar.updated_at,
    )


def _staff(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_staff_member:
        raise ApiError(403, "not_allowed", _("Only staff may read calendars through the API."))
    return user


def _availability(at: datetime | None, read: Callable[[datetime], Availability]) -> AvailabilityOut:
    """Ask `read` about `at` (default now); a moment business time cannot answer is a 422."""
    moment = at or timezone.now()
    try:
        answer = read(moment)
        return AvailabilityOut(
            at=moment,
            open=answer.open,
            next_open_at=answer.next_open_at,
            closes_at=answer.closes_at,
            calendar=answer.calendar_name,
        )
    except (business_time.BeyondHorizon, business_time.NaiveDatetime, OverflowError):
        raise ApiError(
            422,
            "invalid_input",
            _("Ask about a moment between the years %(first)d and %(last)d.")
            % {"first": business_time.MIN_YEAR, "last": business_time.MAX_YEAR},
            {"field": "at"},
        ) from None


@router.get("", response={200: list[CalendarOut], **error_responses(401, 403)},
            operation_id="listCalendars")  # fmt: skip
def list_calendars(request: HttpRequest) -> list[CalendarOut]:
    """Every business calendar by name, with weekly hours and exceptions (staff)."""
    _staff(request)
    return [calendar_out(calendar) for calendar in selectors.list_calendars()]


@router.get("/{calendar_id}", response={200: CalendarOut, **READ_ERRORS},
            operation_id="getCalendar")  # fmt: skip
def get_calendar(request: HttpRequest, calendar_id: CalendarId) -> CalendarOut:
    """One calendar: time zone, holiday country, weekly hours and exceptions (staff)."""
    _staff(request)
    return calendar_out(selectors.get_calendar(calendar_id))


@router.get(
    "/{calendar_id}/availability",
    response={200: AvailabilityOut, **READ_ERRORS},
    operation_id="getCalendarAvailability",
)
def get_calendar_availability(
    request: HttpRequest, calendar_id: CalendarId, query: Query[AvailabilityQuery]
) -> AvailabilityOut:
    """Whether the calendar is open at `at` (default now), and its next opening or closing."""
    _staff(request)
    value = selectors.business_calendar(selectors.get_calendar(calendar_id))
    return _availability(query.at, lambda moment: selectors.calendar_availability(value, moment))


@departments_router.get(
    "/{department_id}/availability",
    response={200: DepartmentAvailabilityOut, **READ_ERRORS},
    operation_id="getDepartmentAvailability",
)
def get_department_availability(
    request: HttpRequest, department_id: DepartmentId, query: Query[AvailabilityQuery]
) -> DepartmentAvailabilityOut:
    """Whether the department is open at `at` (default now); one without hours is always open."""
    _staff(request)
    department = get_department(department_id, field="department_id")
    answer = _availability(
        query.at, lambda moment: selectors.department_availability(department, moment)
    )
    ref = department_ref(department)
    assert ref is not None
    return DepartmentAvailabilityOut(**answer.model_dump(), department=ref)
