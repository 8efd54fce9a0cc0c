"""Reads of shifts and published service levels: who is on shift, what is staffed, the gaps.

Schedules and published promises are not secret among staff, so these reads
take no user; the pages that show them are for staff only. Every read is a
bounded number of queries whatever the number of shifts or levels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from truedesk.accounts.models import Department, User
from truedesk.calendars import business_time
from truedesk.calendars import selectors as calendar_selectors
from truedesk.calendars.selectors import Availability
from truedesk.workforce import coverage
from truedesk.workforce.coverage import Span
from truedesk.workforce.models import PublishedServiceLevel, Shift

# How far ahead the next shift of an agent is looked for.
NEXT_SHIFT_HORIZON = timedelta(days=35)
WEEK = timedelta(days=7)
_MIDNIGHT = time(0)
# Weekly shifts are stored with local dates; a UTC date two days off covers every zone.
_DATE_SLACK = timedelta(days=2)


# --- Shifts -------------------------------------------------------------------------------


def _shifts_between(start: datetime, end: datetime) -> QuerySet[Shift]:
    """Shifts of active staff that may run during [start, end)."""
    weekly = (
        Q(kind=Shift.Kind.WEEKLY)
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=(start - _DATE_SLACK).date()))
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=(end + _DATE_SLACK).date()))
    )
    once = Q(kind=Shift.Kind.ONCE, starts_at__lt=end, ends_at__gt=start)
    return Shift.objects.filter(weekly | once, agent__is_active=True, agent__kind="staff")


def shift_spans(shift: Shift, start: datetime, end: datetime) -> list[Span]:
    """The stretches of one shift within [start, end), in UTC."""
    pattern = shift.pattern
    if pattern is not None:
        return coverage.weekly_spans(pattern, start, end)
    if shift.starts_at is None or shift.ends_at is None:
        return []
    return coverage.clip([(shift.starts_at, shift.ends_at)], start, end)


def _covers(shift: Shift, department_id: int | None, channel: str) -> bool:
    """Whether the shift counts for a department (None: any) and channel ("": any)."""
    if department_id is not None and shift.department_id != department_id:
        return False
    return not channel or shift.channel in ("", channel)


def _spans_per_agent(shifts: Iterable[Shift], start: datetime, end: datetime) -> list[list[Span]]:
    per_agent: dict[int, list[Span]] = defaultdict(list)
    for shift in shifts:
        per_agent[shift.agent_id] += shift_spans(shift, start, end)
    return list(per_agent.values())


def staffed_intervals(
    *,
    start: datetime,
    end: datetime,
    department: Department | None = None,
    channel: str = "",
    minimum: int = 1,
) -> list[Span]:
    """Merged UTC stretches within [start, end) when at least `minimum` agents are on shift.

    Only shifts for `department` (None: any department) and for `channel` or
    for every channel count; one query.
    """
    department_id = department.pk if department is not None else None
    shifts = [s for s in _shifts_between(start, end) if _covers(s, department_id, channel)]
    return coverage.covered(_spans_per_agent(shifts, start, end), minimum)


def shifts_between(start: datetime, end: datetime) -> list[Shift]:
    """Shifts of active staff that may run during [start, end); one query."""
    return list(_shifts_between(start, end))


def scheduled_agents_per_interval(
    *,
    starts: Sequence[datetime],
    length: timedelta,
    department: Department | None,
    channel: str,
    shifts: Iterable[Shift] | None = None,
) -> list[float]:
    """Average agents on shift for `department` and `channel` in each interval.

    `starts` are the intervals' UTC starts, in order; `shifts` the candidates (default:
    one query for those that may run then). Shifts for every department (none named) or
    every channel count too: such an agent counts in each queue they may answer.
    """
    if not starts:
        return []
    end = starts[-1] + length
    candidates = _shifts_between(starts[0], end) if shifts is None else shifts
    department_id = department.pk if department is not None else None
    mine = [
        s
        for s in candidates
        if s.department_id in (None, department_id) and s.channel in ("", channel)
    ]
    return coverage.agents_per_interval(_spans_per_agent(mine, starts[0], end), starts, length)


def agents_on_shift_by_department(at: datetime | None = None) -> dict[int | None, list[User]]:
    """Agents on shift at `at` (default now) per department id (None: no department); one query."""
    moment = at or timezone.now()
    until = moment + timedelta(microseconds=1)
    found: dict[int | None, dict[int, User]] = defaultdict(dict)
    for shift in _shifts_between(moment, until).select_related("agent"):
        if shift_spans(shift, moment, until):
            found[shift.department_id][shift.agent_id] = shift.agent
    return {
        key: sorted(agents.values(), key=lambda user: user.display_name.lower())
        for key, agents in found.items()
    }


def agents_on_shift(department: Department | None, at: datetime | None = None) -> list[User]:
    """The agents on shift for `department` (None: for any) at `at` (default now), by name."""
    by_department = agents_on_shift_by_department(at)
    if department is not None:
        return by_department.get(department.pk, [])
    everyone = {user.pk: user for users in by_department.values() for user in users}
    return sorted(everyone.values(), key=lambda user: user.display_name.lower())


def agent_shift_availability(user: User, at: datetime) -> Availability | None:
    """None when the person keeps no current or future shifts; else on shift at `at` or not.

    Off shift, `next_open_at` is the next shift's start (None if not within
    NEXT_SHIFT_HORIZON); on shift, `closes_at` is when the shift ends.
    """
    weekly = Q(kind=Shift.Kind.WEEKLY) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=(at - _DATE_SLACK).date())
    )
    shifts = list(
        Shift.objects.filter(weekly | Q(kind=Shift.Kind.ONCE, ends_at__gt=at), agent=user)
    )
    if not shifts:
        return None
    spans = coverage.merge(
        span for shift in shifts for span in shift_spans(shift, at, at + NEXT_SHIFT_HORIZON)
    )
    for begins, ends in spans:
        if begins <= at < ends:
            return Availability(True, None, ends, "")
        if begins > at:
            return Availability(False, begins, None, "")
    return Availability(False, None, None, "")


def list_shifts(*, agent: User | None = None) -> QuerySet[Shift]:
    """Shifts with their agent and department, optionally of one agent (one query)."""
    rows = Shift.objects.select_related("agent", "department")
    return rows.filter(agent=agent) if agent is not None else rows


# --- Published service levels -------------------------------------------------------------


def list_published_service_levels(*, active_only: bool = True) -> QuerySet[PublishedServiceLevel]:
    """Published service levels with department and promised hours (three queries)."""
    rows = PublishedServiceLevel.objects.select_related("department", "hours").prefetch_related(
        "hours__intervals", "hours__exceptions"
    )
    return rows.filter(is_active=True) if active_only else rows


@dataclass(frozen=True)
class Gap:
    """A stretch of a representative week with fewer agents on shift than a level promises.

    `start`/`end` are UTC; a gap running over the end of the week checked goes
    on at its start (the week repeats), so it can end after the week does.
    `what` says it without the level ("nobody scheduled Sat 20:00 - Mon 08:00
    (36 h/week)"); `description` starts with the published text.
    """

    level: PublishedServiceLevel
    start: datetime
    end: datetime
    hours_per_week: float
    what: str
    description: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the local times in the level's zone."""
        zone = business_time.zone_for(self.level.time_zone)
        return {
            "level": {"id": self.level.pk, "text": self.level.text},
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "local_start": self.start.astimezone(zone).isoformat(),
            "local_end": self.end.astimezone(zone).isoformat(),
            "hours_per_week": round(self.hours_per_week, 4),
            "what": self.what,
            "description": self.description,
        }


@dataclass(frozen=True)
class LevelReport:
    """One published service level and its gaps in the week checked."""

    level: PublishedServiceLevel
    gaps: list[Gap]

    @property
    def gap_hours(self) -> float:
        return sum(gap.hours_per_week for gap in self.gaps)


def week_of(level: PublishedServiceLevel, week_start: date | None = None) -> Span:
    """Seven local days from midnight of `week_start` (default today) in the level's zone, UTC."""
    zone = business_time.zone_for(level.time_zone)
    day = week_start or timezone.now().astimezone(zone).date()
    return (
        business_time.wall_to_utc(zone, day, _MIDNIGHT),
        business_time.wall_to_utc(zone, day + WEEK, _MIDNIGHT),
    )


def _promised(level: PublishedServiceLevel, start: datetime, end: datetime) -> list[Span]:
    """The stretches of [start, end) the level promises staff for, response window included."""
    if level.hours is None:
        return [(start, end)]
    value = calendar_selectors.business_calendar(level.hours)
    window = level.response_within or timedelta(0)
    spans = list(business_time.open_intervals(value, start - window, end))
    return coverage.clip(coverage.extend_ends(spans, window), start, end)


def _repeat_weekly(missing: list[Span], week: Span, zone: Any) -> list[tuple[datetime, datetime]]:
    """Join the gap running into the end of the week with the one at its start."""
    start, end = week
    if len(missing) < 2 or missing[0][0] != start or missing[-1][1] != end:
        return list(missing)
    head, tail = missing[0], missing[-1]
    local_end = head[1].astimezone(zone)
    # The same wall time a week later, so the joined gap keeps its local end.
    joined_end = business_time.wall_to_utc(zone, local_end.date() + WEEK, local_end.time())
    return [*missing[1:-1], (tail[0], joined_end)]


def format_hours(hours: float) -> str:
    """ "36" for whole hours, else up to two decimals in the active language ("1.5")."""
    if abs(hours - round(hours)) < 1e-9:
        return str(round(hours))
    return str(number_format(round(hours, 2)))


def _describe(level: PublishedServiceLevel, gap: Span, hours: float, week: Span) -> str:
    """ "nobody scheduled Sat 20:00 - Mon 08:00 (36 h/week)" in the level's zone."""
    zone = business_time.zone_for(level.time_zone)
    if level.minimum_agents == 1:
        who = _("nobody scheduled")
    else:
        who = _("fewer than %(count)d agents scheduled") % {"count": level.minimum_agents}
    values = {"who": who, "hours": format_hours(hours)}
    if gap == week:
        return _("%(who)s all week (%(hours)s h/week)") % values
    values["start"] = date_format(gap[0].astimezone(zone), "D H:i")
    values["end"] = date_format(gap[1].astimezone(zone), "D H:i")
    return _("%(who)s %(start)s – %(end)s (%(hours)s h/week)") % values  # noqa: RUF001


def _level_gaps(level: PublishedServiceLevel, shifts: Sequence[Shift], week: Span) -> list[Gap]:
    start, end = week
    zone = business_time.zone_for(level.time_zone)
    mine = [s for s in shifts if _covers(s, level.department_id, level.channel)]
    staffed = coverage.covered(_spans_per_agent(mine, start, end), level.minimum_agents)
    missing = coverage.subtract(_promised(level, start, end), staffed)
    lengths = {a: b - a for a, b in missing}
    gaps = []
    for a, b in _repeat_weekly(missing, week, zone):
        # A joined gap is as long as its two parts, not as its wall-clock span.
        length = lengths[a] + (lengths[start] if b > end else timedelta(0))
        hours = length.total_seconds() / 3600
        what = _describe(level, (a, b), hours, week)
        description = _("%(text)s: %(what)s") % {"text": level.text, "what": what}
        gaps.append(Gap(level, a, b, hours, what, description))
    return sorted(gaps, key=lambda gap: _week_position(gap.start, zone))


def _week_position(moment: datetime, zone: Any) -> tuple[int, time]:
    local = moment.astimezone(zone)
    return local.weekday(), local.time()


def report_published_service_levels(
    *,
    week_start: date | None = None,
    levels: Iterable[PublishedServiceLevel] | None = None,
) -> list[LevelReport]:
    """Each active level (or the given ones) with its gaps in a representative week.

    The week is seven local days from `week_start` (default: today) in each
    level's zone. One query for the shifts whatever the number of levels.
    """
    chosen = list(list_published_service_levels() if levels is None else levels)
    if not chosen:
        return []
    weeks = {level.pk: week_of(level, week_start) for level in chosen}
    earliest = min(start for start, _end in weeks.values())
    latest = max(end for _start, end in weeks.values())
    shifts = list(_shifts_between(earliest, latest))
    return [LevelReport(level, _level_gaps(level, shifts, weeks[level.pk])) for level in chosen]


def check_published_service_levels(
    *,
    week_start: date | None = None,
    levels: Iterable[PublishedServiceLevel] | None = None,
) -> list[Gap]:
    """Every gap between the active published service levels and the shifts, level by level."""
    reports = report_published_service_levels(week_start=week_start, levels=levels)
    return [gap for report in reports for gap in report.gaps]
