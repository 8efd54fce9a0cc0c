"""Shifts as UTC stretches of time, and how many agents cover each moment: pure arithmetic.

No Django here (only datetime and the business-time module's zone helpers), so
the published-service-level check can be tested on its own.

Rules, the same as for opening hours (docs/decisions/0014-business-calendars.md):
- A weekly shift runs from a local start time to a local end time on each of
  its weekdays; an end at or before the start ends the next day, so 22:00-06:00
  is a night shift and 08:00-08:00 is 24 hours. A shift belongs to the date it
  starts on: `valid_from` / `valid_until` (inclusive) bound those dates.
- Daylight saving follows business_time.wall_to_utc: a skipped wall time means
  the moment the clocks jump, a repeated one its first occurrence.
- Stretches are half-open [start, end) in UTC; touching stretches merge.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from truedesk.calendars.business_time import InvalidHours, NaiveDatetime, wall_to_utc, zone_for

Span = tuple[datetime, datetime]

WEEKDAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ONE_DAY = timedelta(days=1)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime("shift arithmetic needs time-zone-aware datetimes")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class WeeklyPattern:
    """A recurring weekly shift: weekdays (Monday = 0), local start and end, zone, dates valid."""

    weekdays: frozenset[int]
    start: time
    end: time
    time_zone: str = "Europe/Vilnius"
    valid_from: date | None = None
    valid_until: date | None = None

    def __post_init__(self) -> None:
        days = frozenset(self.weekdays)
        if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise InvalidHours("a weekly shift needs weekdays numbered 0 (Monday) to 6 (Sunday)")
        object.__setattr__(self, "weekdays", days)
        for value in (self.start, self.end):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise InvalidHours("shift times are local wall-clock times without a zone")
        zone_for(self.time_zone)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise InvalidHours("a shift pattern cannot end before it starts")

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def is_valid_on(self, day: date) -> bool:
        """Whether a shift starting on the local date `day` belongs to this pattern."""
        return (
            day.weekday() in self.weekdays
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


def weekly_spans(pattern: WeeklyPattern, start: datetime, end: datetime) -> list[Span]:
    """The pattern's shifts overlapping [start, end), clipped to it, in UTC, by start."""
    lo, hi = _aware(start), _aware(end)
    if lo >= hi:
        return []
    zone = zone_for(pattern.time_zone)
    # A shift that started the local day before may still be running at `start`.
    day = lo.astimezone(zone).date() - _ONE_DAY
    last = hi.astimezone(zone).date()
    spans: list[Span] = []
    while day <= last:
        if pattern.is_valid_on(day):
            shift_start = wall_to_utc(zone, day, pattern.start)
            shift_end = wall_to_utc(zone, day + _ONE_DAY if pattern.overnight else day, pattern.end)
            clipped = (max(shift_start, lo), min(shift_end, hi))
            if clipped[0] < clipped[1]:
                spans.append(clipped)
        day += _ONE_DAY
    return spans


def clip(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    """The parts of `spans` within [start, end), in UTC, unsorted and unmerged."""
    lo, hi = _aware(start), _aware(end)
    result = []
    for a, b in spans:
        a, b = max(_aware(a), lo), min(_aware(b), hi)
        if a < b:
            result.append((a, b))
    return result


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with overlapping and touching stretches joined; empty ones dropped."""
    merged: list[Span] = []
    for a, b in sorted((_aware(a), _aware(b)) for a, b in spans):
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def covered(spans_per_agent: Iterable[Sequence[Span]], minimum: int = 1) -> list[Span]:
    """The stretches when at least `minimum` different agents are on shift (merged).

    Each agent counts once however many of their shifts overlap.
    """
    if minimum < 1:
        raise ValueError("at least one agent is needed to cover a moment")
    changes: list[tuple[datetime, int]] = []
    for spans in spans_per_agent:
        for a, b in merge(spans):
            changes += [(a, 1), (b, -1)]
    # At one instant, ends are counted before starts: intervals are half-open.
    changes.sort()
    result: list[Span] = []
    count, since = 0, None
    for moment, step in changes:
        count += step
        if count >= minimum and since is None:
            since = moment
        elif count < minimum and since is not None:
            result.append((since, moment))
            since = None
    return merge(result)


def subtract(required: Iterable[Span], present: Iterable[Span]) -> list[Span]:
    """The parts of `required` not in `present`, merged and sorted."""
    gaps: list[Span] = []
    cover = merge(present)
    for a, b in merge(required):
        cursor = a
        for c, d in cover:
            if d <= cursor:
                continue
            if c >= b:
                break
            if c > cursor:
                gaps.append((cursor, c))
            cursor = max(cursor, d)
            if cursor >= b:
                break
        if cursor < b:
            gaps.append((cursor, b))
    return merge(gaps)


def agents_per_interval(
    spans_per_agent: Iterable[Sequence[Span]], starts: Sequence[datetime], length: timedelta
) -> list[float]:
    """Average number of agents on shift in each interval [start, start + length).

    An agent on shift for half an interval counts one half; each agent counts once
    however many of their shifts overlap.
    """
    seconds = length.total_seconds()
    if seconds <= 0:
        raise ValueError("intervals must have a length")
    lows = [_aware(start) for start in starts]
    if any(b < a for a, b in pairwise(lows)):
        raise ValueError("interval starts must be in order")
    totals = [0.0] * len(lows)
    for spans in spans_per_agent:
        for a, b in merge(spans):
            # Intervals starting before a - length end before a: skip them.
            i = bisect_right(lows, a - length)
            while i < len(lows) and lows[i] < b:
                overlap = (min(b, lows[i] + length) - max(a, lows[i])).total_seconds()
                if overlap > 0:
                    totals[i] += overlap
                i += 1
    return [total / seconds for total in totals]


def extend_ends(spans: Iterable[Span], by: timedelta) -> list[Span]:
    """Each stretch lengthened by `by` at its end (a response window after the hours), merged."""
    return merge((a, b + by) for a, b in spans)


def format_weekdays(weekdays: Iterable[int], names: Sequence[str] = WEEKDAY_ABBREVIATIONS) -> str:
    """ "Mon-Fri", "Mon, Wed, Sat, Sun": runs of three or more days become ranges."""
    days = sorted(set(weekdays))
    parts: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{names[days[i]]}\u2013{names[days[j]]}")
        else:
            parts.extend(names[d] for d in days[i : j + 1])
        i = j + 1
    return ", ".join(parts)
