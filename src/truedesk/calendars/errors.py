"""Domain errors raised by calendars actions and selectors (stable `code` + message)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from truedesk.accounts.errors import DomainError, NotAllowed
from truedesk.calendars import business_time

__all__ = [
    "CalendarError",
    "CalendarInUse",
    "CalendarNameTaken",
    "CalendarNotFound",
    "ExceptionExists",
    "ExceptionNotFound",
    "InvalidChannel",
    "InvalidCountry",
    "InvalidException",
    "InvalidHours",
    "InvalidName",
    "InvalidTimeZone",
    "NotAllowed",
    "StaleVersion",
    "from_business_time",
]


class CalendarError(DomainError):
    """Base of the calendar errors."""

    code = "invalid_calendar"
    default_message = _("That calendar cannot be used.")


class InvalidTimeZone(CalendarError):
    code = "invalid_time_zone"
    default_message = _("That is not a known time zone.")


class InvalidCountry(CalendarError):
    code = "invalid_country"
    default_message = _("Public holidays are not known for that country or region.")


class InvalidHours(CalendarError):
    code = "invalid_hours"
    default_message = _(
        "Opening hours must be times of day on weekdays 0 (Monday) to 6 (Sunday), without overlaps."
    )


class InvalidName(CalendarError):
    code = "invalid_name"
    default_message = _("Give the calendar a name of 1 to 120 characters.")


class CalendarNameTaken(CalendarError):
    code = "calendar_name_taken"
    http_status = 409
    default_message = _("Another calendar already has that name.")


class CalendarNotFound(CalendarError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such calendar.")


class CalendarInUse(CalendarError):
    code = "calendar_in_use"
    http_status = 409
    default_message = _("Departments or channels still keep this calendar's hours.")


class InvalidException(CalendarError):
    code = "invalid_exception"
    default_message = _("An open day needs its hours; a closed day has none.")


class ExceptionExists(CalendarError):
    code = "exception_exists"
    http_status = 409
    default_message = _("That date already has an exception; remove it first.")


class ExceptionNotFound(CalendarError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such calendar exception.")


class InvalidChannel(CalendarError):
    code = "invalid_channel"
    default_message = _("That is not a channel.")


class StaleVersion(CalendarError):
    """Someone else saved first; `details["current_version"]` says which version is current."""

    code = "stale_version"
    http_status = 409
    default_message = _("Someone else changed this calendar first. Reload and try again.")


_BY_CODE: dict[str, type[CalendarError]] = {
    "invalid_time_zone": InvalidTimeZone,
    "invalid_country": InvalidCountry,
    "invalid_hours": InvalidHours,
}


def from_business_time(error: business_time.BusinessTimeError) -> CalendarError:
    """The domain error for a refusal from the pure business_time layer."""
    return _BY_CODE.get(error.code, CalendarError)()
