"""Contact volume forecasts per interval, chosen by rolling-origin back-test: pure arithmetic.

No Django here (NumPy and the `holidays`-backed day types come in as plain values), so
the methods and their back-test can be tested on synthetic series. See
docs/decisions/0028-volume-forecasting.md for the comparison behind the choices.

The data is a grid of local days x intervals of the day (15, 30 or 60 minutes, on the
queue's wall clock, so a daily peak at 10:00 stays at 10:00 across daylight saving).
Every day has a *day type*: its weekday (Monday = 0), except public holidays and other
closed dates, which take type 6: a holiday is forecast like a Sunday and does not pull
down the weekday it falls on in the history.

Candidates (each maps training days to the expected count per interval of future days):
- `seasonal_naive`: the most recent day of the same type (last week, for a normal day);
- `seasonal_average`: the mean of the last four days of the same type;
- `holt_winters`: exponential smoothing with multiplicative seasonality: daily totals,
  divided by day-type factors, follow Holt's damped linear trend; the intraday profile
  of each day type is smoothed exponentially over its days;
- `poisson_regression`: a Poisson log-linear model on calendar features (day type,
  time of day for weekdays / Saturdays / Sundays and holidays, a log-linear trend),
  fitted by maximum likelihood.

`backtest` forecasts each of the last weeks from the history before it (rolling origin)
and scores every candidate by WAPE (absolute errors over the volume: stable for low
counts, where percentage errors divide by zero) and MASE (errors over those of last
week's value, in-sample); `forecast` picks the candidate with the lowest WAPE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import repeat
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from truedesk.calendars.business_time import wall_to_utc

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

INTERVALS = (15, 30, 60)
HOLIDAY = 6  # the day type of public holidays and closed dates: a Sunday
DAYS_PER_WEEK = 7
# Forecasts need one week of history; the back-test needs two to train and one to score.
MIN_HISTORY_DAYS = 7
MIN_TRAINING_DAYS = 14
BACKTEST_WEEKS = 4
AVERAGE_WEEKS = 4
# Day types sharing an intraday shape in the regression: weekdays, Saturday, Sunday/holiday.
_SHAPE_GROUP = np.array([0, 0, 0, 0, 0, 1, 2])
# Holt-Winters smoothing constants (daily level, trend, damping, intraday profile).
_ALPHA, _BETA, _PHI, _GAMMA = 0.3, 0.05, 0.9, 0.2
_TINY = 1e-9
# The regression's trend is held within +-25 % a week: steeper "trends" in a few weeks of
# history are ramp-ups or one-offs, and compounding them over weeks ahead explodes.
_MAX_DAILY_GROWTH = float(np.log(1.25) / 7)


class ForecastInputError(ValueError):
    """A forecast that cannot be made from what was given (too little history, bad grid)."""


def slots_per_day(interval_minutes: int) -> int:
    if interval_minutes not in INTERVALS:
        raise ForecastInputError(f"the interval must be one of {INTERVALS} minutes")
    return 24 * 60 // interval_minutes


def day_types(first_day: date, days: int, holidays: Iterable[date] = ()) -> IntArray:
    """The weekday of each day from `first_day`, with holidays (and closed dates) as 6."""
    closed = set(holidays)
    return np.array(
        [
            HOLIDAY if day in closed else day.weekday()
            for day in (first_day + timedelta(days=i) for i in range(days))
        ],
        dtype=np.int64,
    )


def bin_arrivals(
    arrivals: Iterable[datetime],
    *,
    zone: ZoneInfo,
    first_day: date,
    days: int,
    interval_minutes: int,
    weights: Iterable[float] | None = None,
) -> FloatArray:
    """Counts per local day and interval (days x slots); arrivals outside are ignored.

    `weights` (one per arrival, default 1) count an instant as that many contacts.
    """
    slots = slots_per_day(interval_minutes)
    counts = np.zeros((days, slots))
    many = repeat(1.0) if weights is None else weights
    for moment, weight in zip(arrivals, many, strict=weights is not None):
        if moment.tzinfo is None:
            raise ForecastInputError("arrival times must be time-zone-aware")
        local = moment.astimezone(zone)
        day = (local.date() - first_day).days
        if 0 <= day < days:
            counts[day, (local.hour * 60 + local.minute) // interval_minutes] += weight
    return counts


def interval_starts(
    first_day: date, days: int, interval_minutes: int, zone: ZoneInfo
) -> list[datetime]:
    """UTC start of each interval of the grid, day by day (wall clock in `zone`).

    A wall time skipped by daylight saving maps to the moment the clocks jump; a
    repeated one to its first occurrence (the same rule as business hours).
    """
    slots = slots_per_day(interval_minutes)
    starts = []
    for d in range(days):
        day = first_day + timedelta(days=d)
        for s in range(slots):
            minutes = s * interval_minutes
            starts.append(wall_to_utc(zone, day, time(minutes // 60, minutes % 60)))
    return starts


# --- Candidates -----------------------------------------------------------------------------

Method = Callable[[FloatArray, IntArray, IntArray, int], FloatArray]


def _same_type_days(types: IntArray, kind: int, count: int) -> IntArray:
    """Indices of the last `count` training days of type `kind` (Sunday for a missing type)."""
    found = np.flatnonzero(types == kind)
    if found.size == 0:
        found = np.flatnonzero(types == HOLIDAY)
    if found.size == 0:
        found = np.arange(types.size)
    return found[-count:]


def seasonal_naive(y: FloatArray, types: IntArray, future: IntArray, gap: int = 0) -> FloatArray:
    """Each future day as the most recent training day of its type (last week)."""
    return np.stack([y[_same_type_days(types, int(k), 1)].mean(axis=0) for k in future])


def seasonal_average(y: FloatArray, types: IntArray, future: IntArray, gap: int = 0) -> FloatArray:
    """Each future day as the mean of the last AVERAGE_WEEKS training days of its type."""
    return np.stack([y[_same_type_days(types, int(k), AVERAGE_WEEKS)].mean(axis=0) for k in future])


def _type_factors(totals: FloatArray, types: IntArray) -> FloatArray:
    """Mean daily total per day type over the overall mean (1 where a type is unseen)."""
    overall = max(float(totals.mean()), _TINY)
    factors = np.ones(DAYS_PER_WEEK)
    for k in range(DAYS_PER_WEEK):
        mine = totals[types == k]
        if mine.size:
            factors[k] = max(float(mine.mean()) / overall, _TINY)
    if not np.any(types == HOLIDAY):
        factors[HOLIDAY] = factors[6]
    return factors


def _profiles(y: FloatArray, types: IntArray, smoothing: float) -> FloatArray:
    """Per day type, the intraday shares smoothed exponentially over that type's days."""
    slots = y.shape[1]
    flat = np.full(slots, 1.0 / slots)
    profiles = np.tile(flat, (DAYS_PER_WEEK, 1))
    seen = np.zeros(DAYS_PER_WEEK, dtype=bool)
    totals = y.sum(axis=1)
    for day, kind in enumerate(types):
        if totals[day] <= 0:
            continue
        shares = y[day] / totals[day]
        profiles[kind] = (
            shares if not seen[kind] else (smoothing * shares + (1 - smoothing) * profiles[kind])
        )
        seen[kind] = True
    for kind in range(DAYS_PER_WEEK):
        if not seen[kind]:
            profiles[kind] = (
                profiles[HOLIDAY]
                if seen[HOLIDAY]
                else y.sum(axis=0) / max(float(totals.sum()), _TINY)
            )
    return profiles


def holt_winters(y: FloatArray, types: IntArray, future: IntArray, gap: int = 0) -> FloatArray:
    """Holt's damped trend on de-seasonalised daily totals x day-type factor x profile."""
    totals = y.sum(axis=1)
    factors = _type_factors(totals, types)
    z = totals / factors[types]
    level, trend = float(z[:DAYS_PER_WEEK].mean()), 0.0
    if z.size >= 2 * DAYS_PER_WEEK:
        trend = float(z[DAYS_PER_WEEK : 2 * DAYS_PER_WEEK].mean() - level) / DAYS_PER_WEEK
    for value in z:
        previous = level
        level = _ALPHA * value + (1 - _ALPHA) * (previous + _PHI * trend)
        trend = _BETA * (level - previous) + (1 - _BETA) * _PHI * trend
    profiles = _profiles(y, types, _GAMMA)
    rows = []
    for h, kind in enumerate(future, start=gap + 1):
        damped = sum(_PHI**i for i in range(1, h + 1))
        daily = max(level + damped * trend, 0.0) * factors[kind]
        rows.append(daily * profiles[kind])
    return np.stack(rows)


def poisson_regression(
    y: FloatArray, types: IntArray, future: IntArray, gap: int = 0, iterations: int = 30
) -> FloatArray:
    """Poisson maximum likelihood for mu[d, s] = exp(c * d) * day[type d] * shape[group d, s].

    Fitted by alternating exact updates of the two factors (iterative proportional
    fitting) and a Newton step for the trend rate c, all vectorised.
    """
    days, slots = y.shape
    t = np.arange(days, dtype=float)
    t -= t.mean()
    groups = _SHAPE_GROUP[types]
    day_of = np.ones(DAYS_PER_WEEK)
    shape = np.full((3, slots), max(float(y.mean()), _TINY))
    rate = 0.0
    totals = y.sum(axis=1)
    group_masks = [(g, groups == g) for g in range(3) if np.any(groups == g)]
    group_sums = {g: y[mask].sum(axis=0) for g, mask in group_masks}
    type_masks = [(k, types == k) for k in range(DAYS_PER_WEEK) if np.any(types == k)]
    type_totals = {k: float(totals[mask].sum()) for k, mask in type_masks}
    for _ in range(iterations):
        growth = np.exp(rate * t)
        weight = growth * day_of[types]
        for g, mask in group_masks:
            shape[g] = group_sums[g] / max(float(weight[mask].sum()), _TINY)
        per_day = shape[groups].sum(axis=1)
        scaled = growth * per_day
        for k, mask in type_masks:
            day_of[k] = type_totals[k] / max(float(scaled[mask].sum()), _TINY)
        mu = np.exp(rate * t) * day_of[types] * per_day
        gradient = float((t * (totals - mu)).sum())
        curvature = float((t * t * mu).sum())
        if curvature > _TINY:
            rate += float(np.clip(gradient / curvature, -0.05, 0.05))
            rate = float(np.clip(rate, -_MAX_DAILY_GROWTH, _MAX_DAILY_GROWTH))
    # Unseen types borrow Sunday's (or any seen) level and shape.
    seen = np.bincount(types, minlength=DAYS_PER_WEEK) > 0
    for k in range(DAYS_PER_WEEK):
        if not seen[k]:
            day_of[k] = day_of[HOLIDAY] if seen[HOLIDAY] else day_of[seen].mean()
    seen_groups = np.bincount(groups, minlength=3) > 0
    for g in range(3):
        if not seen_groups[g]:
            shape[g] = shape[seen_groups].mean(axis=0)
    ahead = t[-1] + np.arange(gap + 1, gap + 1 + future.size)
    growth = np.exp(rate * ahead)
    return (growth * day_of[future])[:, None] * shape[_SHAPE_GROUP[future]]


METHODS: dict[str, Method] = {
    "seasonal_naive": seasonal_naive,
    "seasonal_average": seasonal_average,
    "holt_winters": holt_winters,
    "poisson_regression": poisson_regression,
}
# When the back-test cannot decide (too little history or no volume to score).
DEFAULT_METHOD = "seasonal_average"


# --- Back-test --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A method's back-test error over all origins (None: nothing to score)."""

    method: str
    wape: float | None
    mase: float | None
    origins: int

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "wape": None if self.wape is None else round(self.wape, 4),
            "mase": None if self.mase is None else round(self.mase, 4),
            "origins": self.origins,
        }


def _naive_scale(y: FloatArray) -> float | None:
    """In-sample mean absolute error of last week's value (MASE's denominator)."""
    if y.shape[0] <= DAYS_PER_WEEK:
        return None
    scale = float(np.abs(y[DAYS_PER_WEEK:] - y[:-DAYS_PER_WEEK]).mean())
    return scale if scale > 0 else None


def backtest(
    y: FloatArray,
    types: IntArray,
    *,
    weeks: int = BACKTEST_WEEKS,
    methods: Sequence[str] = tuple(METHODS),
) -> list[Score]:
    """Rolling origin: forecast each of the last `weeks` weeks from the days before it.

    Origins need MIN_TRAINING_DAYS of training; with fewer days every score is None.
    WAPE pools all origins (sum of absolute errors over the sum of actuals); MASE is the
    mean over origins of each week's mean absolute error over its training data's
    seasonal naive error.
    """
    days = y.shape[0]
    origins = [
        days - DAYS_PER_WEEK * w
        for w in range(weeks, 0, -1)
        if days - DAYS_PER_WEEK * w >= MIN_TRAINING_DAYS
    ]
    scores = []
    for name in methods:
        method = METHODS[name]
        errors, actual, scaled = 0.0, 0.0, []
        for origin in origins:
            test = slice(origin, origin + DAYS_PER_WEEK)
            predicted = method(y[:origin], types[:origin], types[test], 0)
            error = np.abs(predicted - y[test])
            errors += float(error.sum())
            actual += float(y[test].sum())
            scale = _naive_scale(y[:origin])
            if scale is not None:
                scaled.append(float(error.mean()) / scale)
        scores.append(
            Score(
                method=name,
                wape=errors / actual if origins and actual > 0 else None,
                mase=float(np.mean(scaled)) if scaled else None,
                origins=len(origins),
            )
        )
    return scores


def choose(scores: Sequence[Score]) -> Score:
    """The score with the lowest WAPE (then MASE); the default method when none is scored."""
    scored = [s for s in scores if s.wape is not None]
    if not scored:
        return next(s for s in scores if s.method == DEFAULT_METHOD)
    return min(scored, key=lambda s: (s.wape, s.mase if s.mase is not None else np.inf))


@dataclass(frozen=True)
class Forecast:
    """Expected contacts per interval of the forecast days (days x slots) and how it was made."""

    method: str
    values: FloatArray
    scores: list[Score] = field(default_factory=list)

    @property
    def chosen(self) -> Score:
        return next(s for s in self.scores if s.method == self.method)


def forecast(
    y: FloatArray,
    types: IntArray,
    future: IntArray,
    *,
    gap: int = 0,
    method: str | None = None,
) -> Forecast:
    """Forecast the future days (their day types given) `gap` days after the history ends.

    Without `method`, the back-test picks it. Raises ForecastInputError with less than
    MIN_HISTORY_DAYS of history.
    """
    if y.ndim != 2 or y.shape[0] != types.size:
        raise ForecastInputError("the history needs one row of counts per day type")
    if y.shape[0] < MIN_HISTORY_DAYS:
        raise ForecastInputError(f"a forecast needs at least {MIN_HISTORY_DAYS} days of history")
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise ForecastInputError("counts must be finite and not negative")
    if method is not None and method not in METHODS:
        raise ForecastInputError(f"unknown method {method!r}")
    scores = backtest(y, types)
    chosen = method or choose(scores).method
    values = np.maximum(METHODS[chosen](y, types, future, gap), 0.0)
    return Forecast(method=chosen, values=values, scores=scores)
