"""Clock arithmetic in business time: start, pause, resume, retarget, stop, time left.

Functions here change SlaClock instances in memory and never touch the
database; the caller saves. Rules (docs/decisions/0017-sla-clocks.md):
- due = add_business_time(calendar, started_at, target + paused_business);
  waiting on the customer adds the business time it lasted to `paused_business`.
- A clock's verdict is decided when it stops: met when it stopped (or paused)
  no later than its deadline.
- A calendar that cannot answer (never open, broken rows) counts 24/7 instead,
  so a clock always has a deadline and a broken calendar never hides a breach.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from truedesk.calendars import business_time
from truedesk.calendars import errors as calendar_errors
from truedesk.calendars.models import BusinessCalendar as StoredCalendar
from truedesk.calendars.selectors import business_calendar
from truedesk.sla.models import SlaClock, SlaPolicy

logger = logging.getLogger(__name__)

Calendar = business_time.BusinessCalendar
ALWAYS = business_time.ALWAYS


def calendar_value(stored: StoredCalendar | None) -> Calendar:
    """The pure calendar of a stored one (cached), ALWAYS for none or for a broken one."""
    if stored is None:
        return ALWAYS
    try:
        return business_calendar(stored)
    except calendar_errors.CalendarError:
        logger.warning("calendar %s is invalid; SLA clocks on it count 24/7", stored.pk)
        return ALWAYS


def _add(calendar: Calendar, start: datetime, business: timedelta) -> datetime:
    try:
        return business_time.add_business_time(calendar, start, max(business, timedelta(0)))
    except business_time.BusinessTimeError:
        return business_time.add_business_time(ALWAYS, start, max(business, timedelta(0)))


def between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Signed business time from start to end, counted 24/7 if the calendar cannot say."""
    try:
        return business_time.business_time_between(calendar, start, end)
    except business_time.BusinessTimeError:
        return end - start


def schedule(clock: SlaClock, calendar: Calendar) -> None:
    """Set due_at and warn_at from the start, the target and the time spent paused."""
    clock.due_at = _add(calendar, clock.started_at, clock.target + clock.paused_business)
    clock.warn_at = (
        None
        if clock.warn_after is None
        else _add(calendar, clock.started_at, clock.warn_after + clock.paused_business)
    )


def apply_policy(clock: SlaClock, policy: SlaPolicy, target: timedelta) -> None:
    """Copy the policy's snapshot (name, version, calendar, target, warning point) to the clock."""
    clock.policy = policy
    clock.policy_name = policy.name
    clock.policy_version = policy.version
    clock.calendar_id = policy.calendar_id
    clock.target = target
    clock.warn_after = policy.warning_after(target)


def new_clock(
    *,
    case_id: int,
    metric: str,
    cycle: int,
    policy: SlaPolicy,
    target: timedelta,
    started_at: datetime,
    calendar: Calendar,
) -> SlaClock:
    """An unsaved running clock with its deadline and warning point."""
    clock = SlaClock(case_id=case_id, metric=metric, cycle=cycle, started_at=started_at)
    apply_policy(clock, policy, target)
    schedule(clock, calendar)
    return clock


def pause(clock: SlaClock, at: datetime) -> None:
    """Stop the clock from running (waiting on the customer); nothing changes if paused."""
    if clock.paused_at is None:
        clock.paused_at = at


def resume(clock: SlaClock, calendar: Calendar, at: datetime) -> None:
    """Run again: the paused business time moves the deadline and the warning point on."""
    if clock.paused_at is None:
        return
    if at > clock.paused_at:
        clock.paused_business += between(calendar, clock.paused_at, at)
    clock.paused_at = None
    schedule(clock, calendar)


def retarget(clock: SlaClock, policy: SlaPolicy, target: timedelta, calendar: Calendar) -> None:
    """Apply a new policy's target, counted from the clock's original start."""
    apply_policy(clock, policy, target)
    schedule(clock, calendar)


def stop(clock: SlaClock, at: datetime, *, verdict: bool) -> None:
    """Stop the clock at `at`; with a verdict, met means no later than the deadline."""
    if clock.stopped_at is not None:
        return
    clock.stopped_at = at
    effective = clock.paused_at or at
    clock.met = (effective <= clock.due_at) if verdict else None


def remaining(clock: SlaClock, calendar: Calendar, now: datetime) -> timedelta:
    """Business time left until the deadline (negative when overdue); frozen while paused
    and once stopped."""
    moment = clock.paused_at or clock.stopped_at or now
    if clock.stopped_at is not None and clock.paused_at is not None:
        moment = min(clock.paused_at, clock.stopped_at)
    return between(calendar, moment, clock.due_at)
