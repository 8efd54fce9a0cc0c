"""Writes to staffing schedules and published service levels; supervisors only, each audited.

Every action is keyword-only, takes the acting user (or a system actor), runs
in one transaction, validates with the models' rules (raising
`truedesk.workforce.errors`) and writes one audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from truedesk.accounts.actions import Actor, record_audit_event, require_supervisor
from truedesk.accounts.models import Department, User
from truedesk.calendars.models import BusinessCalendar
from truedesk.workforce import errors
from truedesk.workforce.coverage import WeeklyPattern
from truedesk.workforce.models import PublishedServiceLevel, Shift


def _save_valid(row: models.Model) -> None:
    try:
        row.full_clean()
    except ValidationError as error:
        raise errors.InvalidSchedule.from_validation(error) from None
    row.save()


def _require_agent(agent: User) -> None:
    if not (agent.is_active and agent.is_staff_member):
        raise errors.InvalidSchedule(field="agent")


def _shift_data(shift: Shift) -> dict[str, object]:
    return {
        "agent": shift.agent_id,
        "department": shift.department_id,
        "channel": shift.channel,
        "shift": shift.describe(),
        "valid_from": shift.valid_from.isoformat() if shift.valid_from else None,
        "valid_until": shift.valid_until.isoformat() if shift.valid_until else None,
    }


@transaction.atomic
def add_weekly_shift(
    *,
    acting_user: Actor,
    agent: User,
    pattern: WeeklyPattern,
    department: Department | None = None,
    channel: str = "",
) -> Shift:
    """Schedule `agent` every week by `pattern` (supervisor); audited."""
    require_supervisor(acting_user)
    _require_agent(agent)
    shift = Shift(
        agent=agent,
        department=department,
        channel=channel,
        kind=Shift.Kind.WEEKLY,
        weekdays="".join(str(day) for day in sorted(pattern.weekdays)),
        start_time=pattern.start,
        end_time=pattern.end,
        time_zone=pattern.time_zone,
        valid_from=pattern.valid_from,
        valid_until=pattern.valid_until,
    )
    _save_valid(shift)
    record_audit_event(
        actor=acting_user, action="shift.added", target=shift, data=_shift_data(shift)
    )
    return shift


@transaction.atomic
def add_one_off_shift(
    *,
    acting_user: Actor,
    agent: User,
    starts_at: datetime,
    ends_at: datetime,
    department: Department | None = None,
    channel: str = "",
) -> Shift:
    """Schedule `agent` once, from `starts_at` to `ends_at` (aware; supervisor); audited."""
    require_supervisor(acting_user)
    _require_agent(agent)
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(moment, datetime) or timezone.is_naive(moment):
            raise errors.InvalidSchedule(field=field)
    shift = Shift(
        agent=agent,
        department=department,
        channel=channel,
        kind=Shift.Kind.ONCE,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    _save_valid(shift)
    record_audit_event(
        actor=acting_user, action="shift.added", target=shift, data=_shift_data(shift)
    )
    return shift


@transaction.atomic
def remove_shift(*, acting_user: Actor, shift: Shift) -> None:
    """Delete a shift from the schedule (supervisor); the audit row keeps what it was."""
    require_supervisor(acting_user)
    data = _shift_data(shift)
    record_audit_event(actor=acting_user, action="shift.removed", target=shift, data=data)
    shift.delete()


@dataclass(frozen=True)
class ServiceLevelTerms:
    """A service level as published: its text and the staffing it takes to keep it."""

    text: str
    hours: BusinessCalendar | None = None
    channel: str = ""
    department: Department | None = None
    time_zone: str = "Europe/Vilnius"
    minimum_agents: int = 1
    response_within: timedelta | None = None


@transaction.atomic
def publish_service_level(*, acting_user: Actor, terms: ServiceLevelTerms) -> PublishedServiceLevel:
    """Record a service level the company publishes (supervisor); audited.

    `hours` None means 24/7. From now on the check compares it with the shifts.
    """
    require_supervisor(acting_user)
    level = PublishedServiceLevel(
        text=str(terms.text or "").strip(),
        hours=terms.hours,
        channel=terms.channel,
        department=terms.department,
        time_zone=terms.time_zone,
        minimum_agents=terms.minimum_agents,
        response_within=terms.response_within,
    )
    _save_valid(level)
    record_audit_event(
        actor=acting_user,
        action="service_level.published",
        target=level,
        data={"text": level.text, "hours": level.hours_id, "minimum_agents": level.minimum_agents},
    )
    return level


@transaction.atomic
def withdraw_service_level(*, acting_user: Actor, level: PublishedServiceLevel) -> None:
    """Stop checking a service level the company no longer publishes (supervisor); audited."""
    require_supervisor(acting_user)
    PublishedServiceLevel.objects.filter(pk=level.pk).update(
        is_active=False, updated_at=timezone.now()
    )
    level.refresh_from_db()
    record_audit_event(
        actor=acting_user, action="service_level.withdrawn", target=level, data={"text": level.text}
    )
