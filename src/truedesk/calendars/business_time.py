"""Business time: opening hours in a time zone, public holidays and exceptions, as pure arithmetic.

No Django here (only zoneinfo, datetime and the `holidays` package), so SLA
clocks, benchmarks and property tests can use it directly.

Rules (docs/decisions/0014-business-calendars.md):
- Opening intervals are local wall-clock times per weekday, half-open
  [start, end). An end at or before the start ends on the next day, so
  22:00-06:00 is an overnight shift and 00:00-00:00 (or 08:00-08:00) is 24 hours.
- An interval belongs to the day it starts on: a holiday closes the intervals
  that start on it; an overnight shift that began the evening before runs on.
- Exceptions: an extra open date replaces that date's weekly hours (and wins
  over a public holiday or an extra closed date); a closed date (public holiday or
  extra closed day) has no intervals of its own.
- Daylight saving: a wall time skipped by a spring-forward gap means the moment
  the clocks jump (in Vilnius 03:30 on 2026-03-29 is 04:00 EEST, 01:00 UTC); a
  wall time that occurs twice at fall-back means its first occurrence (fold=0).
  Both keep local-to-UTC conversion monotonic, so an interval never turns inside out.
- `always_open` means 24/7, holidays included.
- Inputs are aware datetimes in any zone; every result is an aware UTC datetime.
- Searches are bounded: `next_open`/`next_close` look 366 days ahead and return
  None past that; sums and spans are limited to about ten years (BeyondHorizon).

Speed: each calendar lazily compiles its open time, per local year, into merged
UTC blocks (microseconds since the epoch) with running totals of open time, so
every query is a bisection plus a subtraction.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

Interval = tuple[time, time]
DayHours = tuple[Interval, ...]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
DAY_US = 86_400_000_000
NEXT_HORIZON = timedelta(days=366)
SPAN_HORIZON = timedelta(days=3660)
MIN_YEAR, MAX_YEAR = 1901, 2199
_NEXT_US = NEXT_HORIZON // ONE_US
_SPAN_US = SPAN_HORIZON // ONE_US
_MIDNIGHT = time(0)


# --- Errors (the Django layer maps them to CalendarError codes) -----------------


class BusinessTimeError(ValueError):
    """A calendar or a question about it that cannot be answered; `code` is stable."""

    code = "invalid_calendar"


class UnknownTimeZone(BusinessTimeError):
    code = "invalid_time_zone"


class UnknownCountry(BusinessTimeError):
    code = "invalid_country"


class InvalidHours(BusinessTimeError):
    code = "invalid_hours"


class NaiveDatetime(BusinessTimeError):
    code = "naive_datetime"


class BeyondHorizon(BusinessTimeError):
    code = "beyond_horizon"


# --- Opening hours ----------------------------------------------------------------


def _interval_seconds(interval: Interval) -> tuple[float, float]:
    start, end = interval
    s = start.hour * 3600 + start.minute * 60 + start.second + start.microsecond / 1e6
    e = end.hour * 3600 + end.minute * 60 + end.second + end.microsecond / 1e6
    return s, (e if e > s else e + 86_400)


def clean_day(intervals: Iterable[Interval]) -> DayHours:
    """One day's intervals sorted by start; InvalidHours for non-times, zones or overlaps."""
    cleaned: list[Interval] = []
    for pair in intervals:
        try:
            start, end = pair
        except (TypeError, ValueError):
            raise InvalidHours(f"an interval is a (start, end) pair, not {pair!r}") from None
        if not (isinstance(start, time) and isinstance(end, time)):
            raise InvalidHours(f"interval times must be datetime.time values: {pair!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise InvalidHours("interval times are local wall-clock times without a zone")
        cleaned.append((start.replace(fold=0), end.replace(fold=0)))
    cleaned.sort()
    previous_end = -1.0
    for interval in cleaned:
        start_s, end_s = _interval_seconds(interval)
        if start_s < previous_end:
            raise InvalidHours(f"intervals overlap: {format_intervals(cleaned)}")
        previous_end = end_s
    return tuple(cleaned)


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Opening intervals per weekday, Monday = 0 … Sunday = 6 (see the module rules)."""

    days: tuple[DayHours, ...] = ((),) * 7

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise InvalidHours("weekly hours need exactly seven days, Monday first")
        object.__setattr__(self, "days", tuple(clean_day(day) for day in self.days))

    @classmethod
    def from_mapping(cls, hours: Mapping[int, Iterable[Interval]]) -> WeeklyHours:
        """From {weekday: [(start, end), …]}; missing weekdays are closed."""
        if any(not isinstance(day, int) or not 0 <= day <= 6 for day in hours):
            raise InvalidHours("weekdays are numbered 0 (Monday) to 6 (Sunday)")
        return cls(tuple(tuple(hours.get(day, ())) for day in range(7)))

    @classmethod
    def on_days(cls, weekdays: Iterable[int], start: time, end: time) -> WeeklyHours:
        """The same single interval on each of the given weekdays."""
        return cls.from_mapping({day: [(start, end)] for day in weekdays})

    @property
    def is_empty(self) -> bool:
        return not any(self.days)

    def as_mapping(self) -> dict[int, list[Interval]]:
        return {day: list(intervals) for day, intervals in enumerate(self.days) if intervals}


_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-\u2013\u2014]\s*(\d{1,2}):(\d{2})\s*$")


def parse_intervals(text: str) -> DayHours:
    """Intervals from text such as "09:00-13:00, 14:00-18:00"; InvalidHours if malformed."""
    if not text.strip():
        return ()
    intervals: list[Interval] = []
    for part in re.split(r"[,;]", text):
        match = _RANGE.match(part)
        if not match:
            raise InvalidHours(f"not a time range like 09:00-17:00: {part.strip()!r}")
        h1, m1, h2, m2 = (int(group) for group in match.groups())
        if h2 == 24 and m2 == 0:
            h2 = 0
        if max(h1, h2) > 23 or max(m1, m2) > 59:
            raise InvalidHours(f"not a time of day: {part.strip()!r}")
        intervals.append((time(h1, m1), time(h2, m2)))
    return clean_day(intervals)


def format_intervals(intervals: Iterable[Interval]) -> str:
    """The inverse of parse_intervals: "09:00-13:00, 14:00-18:00"."""
    return ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in intervals)


# --- Public holidays ----------------------------------------------------------------


@cache
def _supported() -> dict[str, list[str]]:
    return dict(holidays.list_supported_countries())


def check_region(country: str, subdivision: str | None = None) -> tuple[str, str]:
    """The codes as `holidays` spells them ("us", "ca" -> "US", "CA"), or UnknownCountry."""
    supported = _supported()
    country = (country or "").strip().upper()
    subdivision = (subdivision or "").strip()
    if country not in supported:
        raise UnknownCountry(f"no public holidays are known for country {country!r}")
    if subdivision and subdivision not in supported[country]:
        if subdivision.upper() not in supported[country]:
            raise UnknownCountry(f"{country} has no subdivision {subdivision!r}")
        subdivision = subdivision.upper()
    return country, subdivision


@lru_cache(maxsize=4096)
def _holidays_in(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def holiday_dates(country: str, subdivision: str | None, years: Iterable[int]) -> set[date]:
    """Public holiday dates (observed days included) for a country code such as "LT" or "US"."""
    country, subdivision = check_region(country, subdivision)
    found: set[date] = set()
    for year in years:
        found |= _holidays_in(country, subdivision or None, int(year))
    return found


# --- The calendar value ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Timeline:
    """Merged open blocks for local years first..last; valid for instants in [lo, hi)."""

    first: int
    last: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    before: list[int]  # open microseconds before each block
    through: list[int]  # open microseconds up to each block's end


class BusinessCalendar:
    """Opening hours in an IANA zone with holidays and exceptions; immutable and hashable."""

    __slots__ = (
        "_hash",
        "_identity",
        "_timeline",
        "always_open",
        "closed_dates",
        "country",
        "name",
        "never_open",
        "open_dates",
        "subdivision",
        "time_zone",
        "weekly",
        "zone",
    )

    _hash: int
    _identity: tuple[object, ...]
    _timeline: _Timeline | None
    time_zone: str
    zone: ZoneInfo
    weekly: WeeklyHours
    closed_dates: frozenset[date]
    open_dates: Mapping[date, DayHours]
    country: str
    subdivision: str
    always_open: bool
    never_open: bool
    name: str

    def __init__(
        self,
        *,
        time_zone: str,
        weekly: WeeklyHours | None = None,
        closed_dates: Iterable[date] = (),
        open_dates: Mapping[date, Iterable[Interval]] | None = None,
        country: str = "",
        subdivision: str = "",
        always_open: bool = False,
        name: str = "",
    ) -> None:
        weekly = weekly or WeeklyHours()
        if country:
            country, subdivision = check_region(country, subdivision)
        elif subdivision:
            raise UnknownCountry("a subdivision needs a country")
        opens = {day: clean_day(hours) for day, hours in (open_dates or {}).items()}
        values: dict[str, Any] = {
            "time_zone": time_zone,
            "zone": zone_for(time_zone),
            "weekly": weekly,
            "closed_dates": frozenset(closed_dates),
            "open_dates": MappingProxyType(opens),
            "country": country,
            "subdivision": subdivision or "",
            "always_open": bool(always_open),
            "never_open": not always_open and weekly.is_empty and not any(opens.values()),
            "name": name,
            "_timeline": None,
        }
        for attribute, value in values.items():
            object.__setattr__(self, attribute, value)
        identity = (
            time_zone,
            weekly,
            values["closed_dates"],
            tuple(sorted(opens.items())),
            country,
            values["subdivision"],
            values["always_open"],
            name,
        )
        object.__setattr__(self, "_identity", identity)
        object.__setattr__(self, "_hash", hash(identity))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BusinessCalendar is immutable")

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._hash == other._hash and self._identity == other._identity

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.name or '(unnamed)'} {self.time_zone}>"

    def hours_on(self, day: date, closed: frozenset[date] | set[date] | None = None) -> DayHours:
        """The local intervals that start on `day`, after holidays and exceptions."""
        if self.always_open:
            return ((_MIDNIGHT, _MIDNIGHT),)
        if day in self.open_dates:
            return self.open_dates[day]
        if closed is None:
            closed = self._closed_in(day.year)
        if day in closed:
            return ()
        return self.weekly.days[day.weekday()]

    def _closed_in(self, year: int) -> frozenset[date] | set[date]:
        if not self.country:
            return self.closed_dates
        return self.closed_dates | _holidays_in(self.country, self.subdivision or None, year)


@cache
def zone_for(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or UnknownTimeZone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise UnknownTimeZone(f"{name!r} is not a known time zone") from None


# Stands in for a department or channel that keeps no hours: always open.
ALWAYS = BusinessCalendar(time_zone="UTC", always_open=True, name="24/7")


# --- Local wall time to UTC ----------------------------------------------------------


def _to_us(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime("business-time arithmetic needs time-zone-aware datetimes")
    return (moment - EPOCH) // ONE_US


def _from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def _offset_at(zone: ZoneInfo, us: int) -> timedelta | None:
    return _from_us(us).astimezone(zone).utcoffset()


def wall_to_utc(zone: ZoneInfo, day: date, at: time) -> datetime:
    """A local wall time as UTC under the module's DST rule (gaps jump, repeats take the first)."""
    return _from_us(_wall_us(zone, day, at))


def _wall_us(zone: ZoneInfo, day: date, at: time) -> int:
    naive = datetime.combine(day, at)
    us = (naive.replace(tzinfo=zone) - EPOCH) // ONE_US
    if _from_us(us).astimezone(zone).replace(tzinfo=None) == naive:
        return us
    # Skipped by a spring-forward gap: fold=1 reads it with the later offset,
    # which lands before the jump, fold=0 after it; find the jump between them.
    lo = (naive.replace(tzinfo=zone, fold=1) - EPOCH) // ONE_US
    hi = us
    before = _offset_at(zone, lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


# --- Compilation into UTC blocks ------------------------------------------------------


@lru_cache(maxsize=2048)
def _year_spans(calendar: BusinessCalendar, year: int) -> tuple[tuple[int, int], ...]:
    """Every interval starting on a local date in `year`, as UTC microseconds, by start."""
    zone, spans = calendar.zone, []
    closed = calendar._closed_in(year)
    day, one = date(year, 1, 1), timedelta(days=1)
    while day.year == year:
        for start, end in calendar.hours_on(day, closed):
            end_day = day + one if end <= start else day
            spans.append((_wall_us(zone, day, start), _wall_us(zone, end_day, end)))
        day += one
    spans.sort()
    return tuple(spans)


def _compile(calendar: BusinessCalendar, first: int, last: int) -> _Timeline:
    starts: list[int] = []
    ends: list[int] = []
    for year in range(first, last + 1):
        for start, end in _year_spans(calendar, year):
            if starts and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
    before, through, total = [], [], 0
    for start, end in zip(starts, ends, strict=True):
        before.append(total)
        total += end - start
        through.append(total)
    zone = calendar.zone
    # Intervals of the day before `first` are not compiled and may spill past
    # its midnight; instants from the next midnight on are fully known.
    lo = _wall_us(zone, date(first, 1, 2), _MIDNIGHT)
    hi = _wall_us(zone, date(last + 1, 1, 1), _MIDNIGHT)
    return _Timeline(first, last, lo, hi, starts, ends, before, through)


def _local_year(calendar: BusinessCalendar, us: int) -> int:
    try:
        year = _from_us(us).astimezone(calendar.zone).year
    except OverflowError:
        year = MIN_YEAR - 1 if us < 0 else MAX_YEAR + 1
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BeyondHorizon(f"business time is computed for years {MIN_YEAR}-{MAX_YEAR} only")
    return year


def _covering(calendar: BusinessCalendar, lo: int, hi: int) -> _Timeline:
    """A timeline valid for every instant in [lo, hi], compiling more years if needed."""
    timeline: _Timeline | None = calendar._timeline
    if timeline is not None and timeline.lo <= lo and hi < timeline.hi:
        return timeline
    first = _local_year(calendar, lo) - 1
    last = _local_year(calendar, hi) + 1
    if timeline is not None:
        first, last = min(first, timeline.first), max(last, timeline.last)
    timeline = _compile(calendar, max(first, MIN_YEAR - 1), last)
    object.__setattr__(calendar, "_timeline", timeline)
    return timeline


def _open_before(timeline: _Timeline, us: int) -> int:
    """Open microseconds in the timeline before instant `us` (a running total)."""
    i = bisect_right(timeline.starts, us) - 1
    if i < 0:
        return 0
    end = timeline.ends[i]
    return timeline.before[i] + (us if us < end else end) - timeline.starts[i]


# --- Questions -------------------------------------------------------------------------


def is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether the calendar is open at the instant `at`."""
    us = _to_us(at)
    if calendar.always_open or calendar.never_open:
        return calendar.always_open
    timeline = _covering(calendar, us, us)
    i = bisect_right(timeline.starts, us) - 1
    return i >= 0 and us < timeline.ends[i]


def next_open(calendar: BusinessCalendar, at: datetime) -> datetime | None:
    """The first instant at or after `at` when open (`at` if open); None past 366 days."""
    us = _to_us(at)
    if calendar.always_open or calendar.never_open:
        return _from_us(us) if calendar.always_open else None
    timeline = _covering(calendar, us, us + _NEXT_US)
    i = bisect_right(timeline.starts, us) - 1
    if i >= 0 and us < timeline.ends[i]:
        return _from_us(us)
    if i + 1 < len(timeline.starts) and timeline.starts[i + 1] - us <= _NEXT_US:
        return _from_us(timeline.starts[i + 1])
    return None


def next_close(calendar: BusinessCalendar, at: datetime) -> datetime | None:
    """The first instant at or after `at` when closed (`at` if closed); None past 366 days."""
    us = _to_us(at)
    if calendar.always_open or calendar.never_open:
        return None if calendar.always_open else _from_us(us)
    timeline = _covering(calendar, us, us + _NEXT_US)
    i = bisect_right(timeline.starts, us) - 1
    if i < 0 or us >= timeline.ends[i]:
        return _from_us(us)
    end = timeline.ends[i]
    # A block reaching the compiled edge may go on; the edge is past the horizon.
    if end >= timeline.hi or end - us > _NEXT_US:
        return None
    return _from_us(end)


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The earliest instant by which `duration` of open time has passed since `start` (UTC).

    Raises BeyondHorizon when that takes more than about ten years of calendar time.
    """
    us = _to_us(start)
    needed = duration // ONE_US
    if needed < 0:
        raise ValueError("the duration must not be negative")
    if needed == 0 or calendar.always_open:
        return _from_us(us + needed)
    if calendar.never_open:
        raise BeyondHorizon("the calendar is never open")
    reach = us + min(needed * 3, _SPAN_US)
    while True:
        timeline = _covering(calendar, us, reach)
        target = _open_before(timeline, us) + needed
        i = bisect_left(timeline.through, target)
        if i < len(timeline.through):
            return _from_us(timeline.starts[i] + target - timeline.before[i])
        if reach >= us + _SPAN_US:
            raise BeyondHorizon("the deadline is more than ten years away")
        reach = min(timeline.hi + 366 * DAY_US, us + _SPAN_US)


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Open time from `start` to `end`; negative when `end` is earlier (a clock past due)."""
    a, b = _to_us(start), _to_us(end)
    if a > b:
        return -business_time_between(calendar, end, start)
    if calendar.always_open or calendar.never_open:
        return timedelta(microseconds=b - a if calendar.always_open else 0)
    if b - a > _SPAN_US:
        raise BeyondHorizon("business time is measured over at most ten years")
    timeline = _covering(calendar, a, b)
    return timedelta(microseconds=_open_before(timeline, b) - _open_before(timeline, a))


def open_intervals(
    calendar: BusinessCalendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The open stretches within [start, end), clipped to it, merged, in UTC."""
    a, b = _to_us(start), _to_us(end)
    if a >= b or calendar.never_open:
        return
    if calendar.always_open:
        yield _from_us(a), _from_us(b)
        return
    if b - a > _SPAN_US:
        raise BeyondHorizon("open intervals are listed for at most ten years")
    timeline = _covering(calendar, a, b)
    i = max(bisect_right(timeline.starts, a) - 1, 0)
    while i < len(timeline.starts) and timeline.starts[i] < b:
        lo, hi = max(timeline.starts[i], a), min(timeline.ends[i], b)
        if lo < hi:
            yield _from_us(lo), _from_us(hi)
        i += 1
