"""Whether the receiver of a case is there now: department opening hours and agents' shifts.

Staff may not hand a case to a department that is closed or to a person who is
off shift (seed 003: a customer transferred to a billing department closed for
the weekend). A customer's new case is not refused: it waits in the queue.

Shifts live in the workforce app, which sits above cases, so it registers its
question with `set_shift_check` when it starts. Without one, and for a person
who keeps no shifts, a person is always available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from truedesk.accounts.models import Department, User
from truedesk.calendars.selectors import ALWAYS_OPEN, Availability, department_availability
from truedesk.cases.errors import AgentOffShift, DepartmentClosed, ReceiverUnavailable

ShiftCheck = Callable[[User, datetime], Availability | None]

_shift_check: ShiftCheck | None = None


def set_shift_check(check: ShiftCheck | None) -> None:
    """Install the question "is this person on shift at this instant?" (None: no shifts kept).

    The check returns None for a person who keeps no shifts, else the person's
    Availability (open = on shift, next_open_at = the next shift's start).
    """
    global _shift_check
    _shift_check = check


def agent_availability(user: User, at: datetime) -> Availability:
    """On shift or not at `at`; always open for a person without shifts."""
    if _shift_check is None:
        return ALWAYS_OPEN
    return _shift_check(user, at) or ALWAYS_OPEN


@dataclass(frozen=True)
class Unavailable:
    """Who is not there (a department or a person), by name, and when they next are."""

    is_department: bool
    receiver: str
    next_open_at: datetime | None

    def as_error(self) -> ReceiverUnavailable:
        """The domain error that refuses a transfer to this receiver, with its message."""
        kind = DepartmentClosed if self.is_department else AgentOffShift
        return kind(refusal_message(self), receiver=self.receiver, next_open_at=self.next_open_at)


def find_unavailable_receiver(
    *, to_user: User | None, to_department: Department | None, at: datetime
) -> Unavailable | None:
    """The department (first) or person of a transfer who is not there at `at`, else None."""
    if to_department is not None:
        state = department_availability(to_department, at)
        if not state.open:
            return Unavailable(True, to_department.name, state.next_open_at)
    if to_user is not None:
        state = agent_availability(to_user, at)
        if not state.open:
            return Unavailable(False, to_user.display_name, state.next_open_at)
    return None


def check_receiver_available(
    *, to_user: User | None, to_department: Department | None, at: datetime
) -> None:
    """Raise DepartmentClosed or AgentOffShift when the receiver is not there at `at`."""
    missing = find_unavailable_receiver(to_user=to_user, to_department=to_department, at=at)
    if missing is not None:
        raise missing.as_error()


def format_opening(moment: datetime, *, now: datetime | None = None) -> str:
    """ "Monday 08:00" within the coming week, else "Monday 5 January 08:00", in the active zone."""
    local = timezone.localtime(moment)
    today = timezone.localtime(now or timezone.now()).date()
    if local.date() - today < timedelta(days=6):
        return date_format(local, "l H:i")
    return date_format(local, "l j F H:i")


def refusal_message(missing: Unavailable) -> str:
    """ "Billing is closed now. It opens Monday 08:00." and its variants for people."""
    values = {"receiver": missing.receiver}
    if missing.next_open_at is None:
        if missing.is_department:
            return _("%(receiver)s is closed now and does not open within a year.") % values
        return _("%(receiver)s is off shift and has no shift within the coming weeks.") % values
    values["when"] = format_opening(missing.next_open_at)
    if missing.is_department:
        return _("%(receiver)s is closed now. It opens %(when)s.") % values
    return _("%(receiver)s is off shift now. The next shift starts %(when)s.") % values
