"""A queue's staffing plan for a week: forecast volume, agents required, agents scheduled.

Reads (history, calendars, shifts) and the arithmetic of forecasting.py and the
queueing engine; no writes. See docs/decisions/0028-volume-forecasting.md and
docs/decisions/0029-staffing-plans-and-coverage.md.

History comes from `HISTORY_SOURCES`: each is a function (queue, start, end) -> the
arrival instants of contacts offered to the queue in [start, end). Today it is the
inbound interactions of the queue's department on its channel; contact-centre offered
events can be added as a second source. Interval volumes imported from a telephony or
mail system's reports (QueueVolume) replace the sources' events where they exist.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from truedesk.calendars import business_time
from truedesk.calendars import selectors as calendar_selectors
from truedesk.cases.models import Interaction
from truedesk.workforce import forecasting, selectors
from truedesk.workforce.errors import InvalidPlan
from truedesk.workforce.models import ContactQueue, QueueVolume, Shift
from truedesk.workforce.queueing import QueueingInputError, required_agents

HISTORY_WEEKS = 12
DEFAULT_INTERVAL = 30
WEEK_DAYS = 7
# A trend extrapolated further than this is a guess, not a forecast.
MAX_LEAD_DAYS = 8 * WEEK_DAYS

ArrivalSource = Callable[[ContactQueue, datetime, datetime], list[datetime]]


def interaction_arrivals(queue: ContactQueue, start: datetime, end: datetime) -> list[datetime]:
    """When customers contacted the queue's department on its channel (inbound interactions)."""
    return list(
        Interaction.objects.filter(
            case__department_id=queue.department_id,
            channel=queue.channel,
            direction=Interaction.Direction.INBOUND,
            started_at__gte=start,
            started_at__lt=end,
        ).values_list("started_at", flat=True)
    )


# Add contact-centre offered events here when they exist (one function per source).
HISTORY_SOURCES: tuple[ArrivalSource, ...] = (interaction_arrivals,)


def _reported(
    queue: ContactQueue, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, int]]:
    """Imported interval volumes (start, end, offered) starting in [start, end), by start."""
    rows = QueueVolume.objects.filter(queue=queue, starts_at__gte=start, starts_at__lt=end)
    return [
        (starts_at, starts_at + timedelta(minutes=minutes), offered)
        for starts_at, minutes, offered in rows.order_by("starts_at").values_list(
            "starts_at", "minutes", "offered"
        )
    ]


# An instant and how many contacts arrived then (1 for an event; part of a reported total).
Arrival = tuple[datetime, float]
_PIECE = timedelta(minutes=15)


def list_arrivals(queue: ContactQueue, start: datetime, end: datetime) -> list[Arrival]:
    """The queue's arrivals in [start, end): imported volumes, then every source's events.

    An imported interval's total is spread evenly over its quarter-hours (one weighted
    instant each, not one per contact), and it replaces the events of the sources
    within it (the report already counts them).
    """
    reported = _reported(queue, start, end)
    arrivals: list[Arrival] = []
    for a, b, offered in reported:
        pieces = max(1, math.ceil((b - a) / _PIECE))
        arrivals += [(a + (b - a) * (k + 0.5) / pieces, offered / pieces) for k in range(pieces)]
    starts = [a for a, _b, _n in reported]
    for source in HISTORY_SOURCES:
        for moment in source(queue, start, end):
            i = bisect_right(starts, moment) - 1
            if i < 0 or moment >= reported[i][1]:
                arrivals.append((moment, 1.0))
    return arrivals


@dataclass(frozen=True)
class QueueCalendar:
    """The queue's wall clock (daily seasonality) and its public holidays and closed dates."""

    zone: ZoneInfo
    country: str
    subdivision: str
    closed: frozenset[date]
    hours: business_time.BusinessCalendar | None = None

    def open_flags(self, grid: Sequence[tuple[datetime, datetime]]) -> list[bool]:
        """Whether the queue is open at some moment of each interval (no hours: always)."""
        if self.hours is None or not grid:
            return [True] * len(grid)
        spans = list(business_time.open_intervals(self.hours, grid[0][0], grid[-1][1]))
        return [any(a < close and opens < b for opens, close in spans) for a, b in grid]

    def holidays(self, first: date, last: date) -> set[date]:
        found = {day for day in self.closed if first <= day <= last}
        if self.country:
            years = range(first.year, last.year + 1)
            found |= {
                day
                for day in business_time.holiday_dates(self.country, self.subdivision, years)
                if first <= day <= last
            }
        return found


def queue_calendar(queue: ContactQueue) -> QueueCalendar:
    """The department's calendar, else the channel's, else the site's zone without holidays."""
    value = calendar_selectors.get_department_calendar(queue.department)
    if value is None:
        value = calendar_selectors.get_channel_calendar(queue.channel)
    if value is None:
        return QueueCalendar(business_time.zone_for(settings.TIME_ZONE), "", "", frozenset())
    return QueueCalendar(
        business_time.zone_for(value.time_zone),
        value.country,
        value.subdivision,
        frozenset(value.closed_dates),
        value,
    )


def next_week_start(zone: ZoneInfo, now: datetime | None = None) -> date:
    """The coming Monday in `zone` (a week from today when today is Monday)."""
    today = (now or timezone.now()).astimezone(zone).date()
    return today + timedelta(days=WEEK_DAYS - today.weekday())


@dataclass(frozen=True)
class IntervalPlan:
    """One interval: expected contacts, agents needed on the phones and on the schedule."""

    start: datetime
    end: datetime
    forecast: float
    required: int
    required_scheduled: int
    scheduled: float

    @property
    def shortfall(self) -> float:
        """Agents missing from the schedule (0 when covered)."""
        return max(0.0, self.required_scheduled - self.scheduled)

    @property
    def over(self) -> float:
        """Scheduled minus needed: negative is under-coverage."""
        return self.scheduled - self.required_scheduled


@dataclass(frozen=True)
class QueuePlan:
    """A queue's week: the forecast, how it was chosen, and coverage per interval."""

    queue: ContactQueue
    week_start: date
    interval_minutes: int
    zone: ZoneInfo
    history_days: int
    forecast: forecasting.Forecast | None
    intervals: list[IntervalPlan]
    problem: str = ""

    @property
    def interval_hours(self) -> float:
        return self.interval_minutes / 60

    @property
    def total_forecast(self) -> float:
        return sum(i.forecast for i in self.intervals)

    @property
    def under_hours(self) -> float:
        """Hours of the week with fewer agents scheduled than needed."""
        return sum(self.interval_hours for i in self.intervals if i.shortfall > 1e-9)

    @property
    def short_agent_hours(self) -> float:
        """Agent-hours missing from the schedule over the week."""
        return sum(i.shortfall * self.interval_hours for i in self.intervals)

    @property
    def worst(self) -> IntervalPlan | None:
        short = [i for i in self.intervals if i.shortfall > 1e-9]
        return max(short, key=lambda i: (i.shortfall, i.forecast)) if short else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (UTC instants; the API and `truedesk forecast --json` print this)."""
        chosen = self.forecast.chosen.as_dict() if self.forecast else None
        return {
            "queue": {"id": self.queue.pk, "slug": self.queue.slug, "name": self.queue.name},
            "week_start": self.week_start.isoformat(),
            "time_zone": self.zone.key,
            "interval_minutes": self.interval_minutes,
            "history_days": self.history_days,
            "method": self.forecast.method if self.forecast else None,
            "backtest": chosen,
            "candidates": [s.as_dict() for s in self.forecast.scores] if self.forecast else [],
            "problem": self.problem,
            "total_forecast": round(self.total_forecast, 2),
            "under_covered_hours": round(self.under_hours, 4),
            "short_agent_hours": round(self.short_agent_hours, 4),
            "intervals": [
                {
                    "start": i.start.isoformat(),
                    "end": i.end.isoformat(),
                    "forecast": round(i.forecast, 3),
                    "required_agents": i.required,
                    "required_scheduled": i.required_scheduled,
                    "scheduled_agents": round(i.scheduled, 3),
                }
                for i in self.intervals
            ],
        }


def _grid(first: date, days: int, interval: int, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    starts = forecasting.interval_starts(first, days, interval, zone)
    after = forecasting.interval_starts(first + timedelta(days=days), 1, interval, zone)[0]
    return list(zip(starts, [*starts[1:], after], strict=True))


def _required(queue: ContactQueue, expected: np.ndarray, interval: int) -> np.ndarray:
    """Agents needed on the phones per interval for the queue's targets (the engine's search)."""
    return np.asarray(
        required_agents(
            arrivals_per_hour=expected * (60 / interval),
            aht_seconds=queue.handle_time_seconds,
            target_sl=queue.target_service_level,
            answer_time_seconds=queue.answer_time_seconds,
            patience_seconds=queue.patience_seconds,
            max_asa_seconds=queue.max_asa_seconds,
            max_abandon=queue.max_abandon,
        ),
        dtype=np.int64,
    )


def plan_queue(
    queue: ContactQueue,
    *,
    week_start: date | None = None,
    interval_minutes: int = DEFAULT_INTERVAL,
    now: datetime | None = None,
    shifts: Sequence[Shift] | None = None,
) -> QueuePlan:
    """Forecast the week from `week_start` (default the coming Monday) and staff it.

    History is at most HISTORY_WEEKS of whole local days before the week (or before
    today, if the week lies ahead). With less than a week of history the plan has no
    forecast and says why in `problem`. Raises ForecastInputError for a bad interval
    and InvalidPlan for a week more than MAX_LEAD_DAYS ahead.
    """
    forecasting.slots_per_day(interval_minutes)
    calendar = queue_calendar(queue)
    zone = calendar.zone
    now = now or timezone.now()
    week = week_start or next_week_start(zone, now)
    if (week - now.astimezone(zone).date()).days > MAX_LEAD_DAYS:
        raise InvalidPlan(
            _("Plans reach at most %(weeks)d weeks ahead: choose an earlier week.")
            % {"weeks": MAX_LEAD_DAYS // WEEK_DAYS}
        )
    history_end = min(week, now.astimezone(zone).date())
    window_start = history_end - timedelta(weeks=HISTORY_WEEKS)
    arrivals = list_arrivals(
        queue,
        business_time.wall_to_utc(zone, window_start, time(0)),
        business_time.wall_to_utc(zone, history_end, time(0)),
    )
    first = min((m.astimezone(zone).date() for m, _n in arrivals), default=history_end)
    days = (history_end - first).days
    grid = _grid(week, WEEK_DAYS, interval_minutes, zone)
    if days < forecasting.MIN_HISTORY_DAYS:
        problem = _(
            "Not enough history to forecast: %(days)d days of contacts, at least %(need)d needed."
        ) % {"days": days, "need": forecasting.MIN_HISTORY_DAYS}
        return QueuePlan(queue, week, interval_minutes, zone, days, None, [], problem)
    counts = forecasting.bin_arrivals(
        (m for m, _n in arrivals),
        zone=zone,
        first_day=first,
        days=days,
        interval_minutes=interval_minutes,
        weights=[n for _m, n in arrivals],
    )
    holidays = calendar.holidays(first, week + timedelta(days=WEEK_DAYS))
    types = forecasting.day_types(first, days, holidays)
    future = forecasting.day_types(week, WEEK_DAYS, holidays)
    made = forecasting.forecast(counts, types, future, gap=(week - history_end).days)
    expected = made.values.ravel()
    length = timedelta(minutes=interval_minutes)
    scheduled = selectors.scheduled_agents_per_interval(
        starts=[a for a, _b in grid],
        length=length,
        department=queue.department,
        channel=queue.channel,
        shifts=shifts,
    )
    problem = ""
    # Contacts arriving while the queue is closed wait for the opening: nobody is needed then.
    staffed = np.where(calendar.open_flags(grid), expected, 0.0)
    try:
        needed = _required(queue, staffed, interval_minutes)
    except QueueingInputError as error:
        problem = _(error.template) % error.params
        needed = np.zeros(expected.size, dtype=np.int64)
    on_rota = [math.ceil(n / (1 - queue.shrinkage) - 1e-9) for n in needed.tolist()]
    intervals = [
        IntervalPlan(a, b, float(f), int(n), r, s)
        for (a, b), f, n, r, s in zip(grid, expected, needed, on_rota, scheduled, strict=True)
    ]
    return QueuePlan(queue, week, interval_minutes, zone, days, made, intervals, problem)


def list_plan_queues() -> list[ContactQueue]:
    """Active queues with their department, by name (one query)."""
    return list(ContactQueue.objects.filter(is_active=True).select_related("department"))


def plan_queues(
    queues: Iterable[ContactQueue],
    *,
    week_start: date | None = None,
    interval_minutes: int = DEFAULT_INTERVAL,
    now: datetime | None = None,
    progress: Callable[[Iterable[ContactQueue]], Iterable[ContactQueue]] | None = None,
) -> list[QueuePlan]:
    """Plans for many queues, the shifts read once (`progress` wraps the loop, e.g. tqdm)."""
    chosen = list(queues)
    if not chosen:
        return []
    moment = now or timezone.now()
    # Weeks in any zone fall within two days of the UTC dates around them.
    first = week_start or (moment + timedelta(days=1)).date()
    shifts = selectors.shifts_between(
        datetime.combine(first - timedelta(days=2), time(0), tzinfo=UTC),
        datetime.combine(first + timedelta(days=WEEK_DAYS + 9), time(0), tzinfo=UTC),
    )
    loop = progress(chosen) if progress else chosen
    return [
        plan_queue(
            queue,
            week_start=week_start,
            interval_minutes=interval_minutes,
            now=moment,
            shifts=shifts,
        )
        for queue in loop
    ]


@dataclass(frozen=True)
class Shortfall:
    """A queue whose schedule falls short of the agents its forecast needs."""

    plan: QueuePlan

    @property
    def description(self) -> str:
        plan = self.plan
        worst = plan.worst
        assert worst is not None
        local = worst.start.astimezone(plan.zone)
        return ngettext(
            "%(queue)s: fewer agents scheduled than needed for %(hours)s h of the week "
            "(%(agent_hours)s agent-hours short; worst %(when)s, %(short)s agent short)",
            "%(queue)s: fewer agents scheduled than needed for %(hours)s h of the week "
            "(%(agent_hours)s agent-hours short; worst %(when)s, %(short)s agents short)",
            1 if worst.shortfall == 1 else 2,
        ) % {
            "queue": plan.queue.name,
            "hours": selectors.format_hours(plan.under_hours),
            "agent_hours": selectors.format_hours(plan.short_agent_hours),
            "when": date_format(local, "D H:i"),
            "short": selectors.format_hours(worst.shortfall),
        }

    def as_dict(self) -> dict[str, Any]:
        plan = self.plan
        worst = plan.worst
        return {
            "queue": {"id": plan.queue.pk, "slug": plan.queue.slug, "name": plan.queue.name},
            "week_start": plan.week_start.isoformat(),
            "under_covered_hours": round(plan.under_hours, 4),
            "short_agent_hours": round(plan.short_agent_hours, 4),
            "worst_start": worst.start.isoformat() if worst else None,
            "description": self.description,
        }


def report_staffing_shortfalls(
    *, week_start: date | None = None, now: datetime | None = None
) -> list[Shortfall]:
    """Active queues under-covered in the week from `week_start` (default: the coming 7 days).

    Queues without enough history to forecast are not reported (they have no need to
    compare with), nor is a week more than MAX_LEAD_DAYS ahead (nothing to forecast).
    """
    moment = now or timezone.now()
    queues = list_plan_queues()
    plans = []
    for queue in queues:
        start = week_start or moment.astimezone(queue_calendar(queue).zone).date()
        try:
            plans += plan_queues([queue], week_start=start, now=moment)
        except InvalidPlan:
            continue
    return [Shortfall(plan) for plan in plans if plan.worst is not None]
