"""Expected waits for customers already in a queue, from the queue's live state.

A customer with k others waiting ahead of them, n agents all busy, handling times of mean
1/mu and exponential patience of rate theta, waits for k+1 "departures from the front": each
is the next agent to finish (rate n*mu) or someone ahead hanging up (rate i*theta with i
still ahead). So the wait is a sum of independent exponentials of rates n*mu + i*theta,
i = 0..k (hypoexponential; Erlang(k+1, n*mu) when nobody hangs up), with

    mean     = sum 1/(n mu + i theta)     (QL-m, Ibrahim & Whitt 2009; (k+1)/(n mu) = QL)
    variance = sum 1/(n mu + i theta)^2.

For theta > 0 both sums are gaps of digamma/trigamma at x = n mu / theta. The state is
Markov, so an update while the customer waits is simply a new prediction from the new
position. Ranges are the exact 10th and 90th percentiles: Erlang without abandonment,
else theta*W = -log B with B ~ Beta(n mu/theta, k+1) (see wait_quantiles). Head-of-line,
last-to-enter-service and "average of the last N served" are kept as comparators for the
accuracy benchmark.
See docs/decisions/0013-wait-prediction.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from truedesk.workforce.queueing.errors import QueueingInputError, gettext_noop
from truedesk.workforce.queueing.inputs import MAX_AGENTS

FloatArray = NDArray[np.float64]

LOW_QUANTILE = 0.1
HIGH_QUANTILE = 0.9
# Fewer than this many ahead, or a coefficient of variation above SHORT_QUEUE_CV, and a
# point would promise more than we know: announce the 10-90 % range. Without abandonment
# the wait's CV is 1/sqrt(k+1), so the two agree at k = 3 (CV 0.5).
SHORT_QUEUE_AHEAD = 3
SHORT_QUEUE_CV = 0.5
# Announcements stop here: a high end of ANNOUNCE_CAP_MINUTES means "that long or more".
ANNOUNCE_CAP_MINUTES = 120
# Past this x = n mu / theta the digamma gaps come from asymptotic series instead of
# differences of two nearly equal SciPy values (relative error below 1e-11 either side).
_ASYMPTOTIC_FROM = 1e3

_NOT_WHOLE = gettext_noop("The queue state's %(field)s must be a whole number (got %(value)s).")
_COUNT_RANGE = gettext_noop(
    "The queue state's %(field)s must be from 0 to %(high)s (got %(value)s)."
)
_NOT_SECONDS = gettext_noop("The queue state's %(field)s must be a number (got %(value)s).")
_NOT_NON_NEGATIVE = gettext_noop(
    "The queue state's %(field)s must be zero or more and finite (got %(value)s)."
)
_NOT_POSITIVE = gettext_noop(
    "The queue state's %(field)s must be more than zero and finite (got %(value)s)."
)
_EMPTY = gettext_noop("The %(field)s must not be empty.")
_NEEDS_AGENTS = gettext_noop(
    "A wait can only be predicted with at least one agent (got %(value)s agents)."
)


class WaitStatus(StrEnum):
    PREDICTED = "predicted"
    NO_AGENTS = "no_agents"


def _check_count(field: str, value: Any, *, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise QueueingInputError(_NOT_WHOLE, field=field, value=repr(value))
    if not 0 <= value <= high:
        raise QueueingInputError(_COUNT_RANGE, field=field, high=f"{high:,}", value=repr(value))


def _check_seconds(field: str, value: Any, *, positive: bool = False) -> None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise QueueingInputError(_NOT_SECONDS, field=field, value=repr(value)) from None
    if not math.isfinite(number) or number < 0.0 or (positive and number == 0.0):
        template = _NOT_POSITIVE if positive else _NOT_NON_NEGATIVE
        raise QueueingInputError(template, field=field, value=repr(value))


@dataclass(frozen=True)
class QueueSnapshot:
    """What the queue looks like to one waiting customer, filled from live data.

    ahead: customers waiting in front of this one (0 = next to be answered). agents:
    agents staffed on the queue; agents_busy (optional) those handling a contact now; a
    customer with fewer ahead than idle agents is about to be answered. aht_seconds: the
    recent mean handling time. abandon_rate_per_second: theta, see estimate_abandon_rate
    (0 when nobody hangs up). The rest feed only the comparison predictors: waits of the
    last served customers (oldest first), the elapsed wait of the customer at the head of
    the line, and the wait of the last customer to reach an agent.
    """

    ahead: int
    agents: int
    aht_seconds: float
    abandon_rate_per_second: float = 0.0
    agents_busy: int | None = None
    recent_waits_seconds: tuple[float, ...] = ()
    head_of_line_seconds: float | None = None
    last_served_wait_seconds: float | None = None

    def __post_init__(self) -> None:
        _check_count("ahead", self.ahead, high=10 * MAX_AGENTS)
        _check_count("agents", self.agents, high=MAX_AGENTS)
        _check_seconds("aht_seconds", self.aht_seconds, positive=True)
        _check_seconds("abandon_rate_per_second", self.abandon_rate_per_second)
        if self.agents_busy is not None:
            # Live counts race (an agent logs off mid-call): more busy than staffed is
            # read as all busy rather than refused.
            _check_count("agents_busy", self.agents_busy, high=10 * MAX_AGENTS)
        for wait in self.recent_waits_seconds:
            _check_seconds("recent_waits_seconds", wait)
        for name in ("head_of_line_seconds", "last_served_wait_seconds"):
            if getattr(self, name) is not None:
                _check_seconds(name, getattr(self, name))

    @property
    def effective_ahead(self) -> int:
        """Customers ahead who still need an agent to free up: -1 or less if one is idle."""
        if self.agents_busy is None:
            return self.ahead
        idle = max(self.agents - self.agents_busy, 0)
        return self.ahead - idle


@dataclass(frozen=True)
class WaitPrediction:
    """A waiting customer's expected wait and its 10-90 % range, in seconds.

    With no agent on shift there is no honest number: status NO_AGENTS and all times None.
    short_queue: announce the range, not the point.
    """

    status: WaitStatus
    expected_seconds: float | None
    low_seconds: float | None
    high_seconds: float | None
    short_queue: bool

    @classmethod
    def no_agents(cls) -> WaitPrediction:
        return cls(WaitStatus.NO_AGENTS, None, None, None, short_queue=False)


# --- Vectorised kernels -------------------------------------------------------------------


def _reciprocal_power_gap(u: FloatArray, v: FloatArray, power: int) -> FloatArray:
    """(u**p - v**p) / (u - v) = sum_j u^(p-1-j) v^j for 0 <= v < u: no cancellation."""
    total = np.zeros_like(u)
    for j in range(power):
        total += u ** (power - 1 - j) * v**j
    return total


def _digamma_gap(x: FloatArray, m: FloatArray) -> FloatArray:
    """psi(x + m) - psi(x) for x > 0, m >= 0 (= sum_{i<m} 1/(x+i) for whole m)."""
    small = x <= _ASYMPTOTIC_FROM
    xs = np.where(small, x, 1.0)
    direct = special.psi(xs + m) - special.psi(xs)
    xl = np.where(small, 2.0 * _ASYMPTOTIC_FROM, x)
    u, v = 1.0 / xl, 1.0 / (xl + m)
    d = m * u * v  # u - v
    # psi(y) = log y - 1/(2y) - 1/(12y^2) + 1/(120y^4) - ..., differenced term by term.
    series = (
        np.log1p(m * u)
        + d / 2.0
        + d * _reciprocal_power_gap(u, v, 2) / 12.0
        - d * _reciprocal_power_gap(u, v, 4) / 120.0
    )
    return np.where(small, direct, series)


def _trigamma_gap(x: FloatArray, m: FloatArray) -> FloatArray:
    """psi'(x) - psi'(x + m) for x > 0, m >= 0 (= sum_{i<m} 1/(x+i)^2 for whole m)."""
    small = x <= _ASYMPTOTIC_FROM
    xs = np.where(small, x, 1.0)
    direct = special.polygamma(1, xs) - special.polygamma(1, xs + m)
    xl = np.where(small, 2.0 * _ASYMPTOTIC_FROM, x)
    u, v = 1.0 / xl, 1.0 / (xl + m)
    d = m * u * v
    # psi'(y) = 1/y + 1/(2y^2) + 1/(6y^3) - 1/(30y^5) + ...
    series = (
        d
        + d * _reciprocal_power_gap(u, v, 2) / 2.0
        + d * _reciprocal_power_gap(u, v, 3) / 6.0
        - d * _reciprocal_power_gap(u, v, 5) / 30.0
    )
    return np.where(small, direct, series)


def _as_array(value: Any) -> FloatArray:
    return np.asarray(value, dtype=float)


def conditional_wait_moments(
    *, ahead: Any, agents: Any, aht_seconds: Any, abandon_rate_per_second: Any = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Mean and variance (seconds, seconds^2) of the wait with `ahead` needing an agent first.

    ahead < 0 (an idle agent is waiting for this customer) gives 0 and 0. Arrays broadcast;
    agents must be at least 1 (QueueingInputError otherwise).
    """
    k, n, aht, theta = np.broadcast_arrays(
        _as_array(ahead), _as_array(agents), _as_array(aht_seconds),
        _as_array(abandon_rate_per_second),
    )  # fmt: skip
    if np.any(n < 1):
        raise QueueingInputError(_NEEDS_AGENTS, value=repr(float(np.min(n))))
    rate = n / aht
    m = np.maximum(k + 1.0, 0.0)  # terms i = 0..k
    mean, var = np.array(m / rate, dtype=float), np.array(m / rate**2, dtype=float)
    hangs_up = (theta > 0.0) & (m > 0.0)
    if np.any(hangs_up):
        th = theta[hangs_up]
        x, terms = rate[hangs_up] / th, m[hangs_up]
        mean[hangs_up] = _digamma_gap(x, terms) / th
        var[hangs_up] = _trigamma_gap(x, terms) / th**2
    return mean, var


def queue_length_wait_seconds(*, ahead: Any, agents: Any, aht_seconds: Any) -> FloatArray:
    """QL (Whitt 1999): (k+1) aht / n, the M/M/n mean wait with k ahead; 0 if k < 0."""
    mean, _ = conditional_wait_moments(ahead=ahead, agents=agents, aht_seconds=aht_seconds)
    return mean


def abandonment_aware_wait_seconds(
    *, ahead: Any, agents: Any, aht_seconds: Any, abandon_rate_per_second: Any
) -> FloatArray:
    """QL-m (Ibrahim & Whitt 2009): sum_{i=0..k} 1/(n mu + i theta); 0 if k < 0."""
    mean, _ = conditional_wait_moments(
        ahead=ahead,
        agents=agents,
        aht_seconds=aht_seconds,
        abandon_rate_per_second=abandon_rate_per_second,
    )
    return mean


def wait_quantiles(
    *,
    ahead: Any,
    agents: Any,
    aht_seconds: Any,
    abandon_rate_per_second: Any = 0.0,
    probabilities: Sequence[float],
) -> tuple[FloatArray, ...]:
    """Exact quantiles (seconds) of the wait with `ahead` needing an agent first.

    Without abandonment the wait is Erlang(k+1, n mu). With it, P(W <= t) =
    I_{1-exp(-theta t)}(k+1, n mu / theta), the regularised incomplete beta: the wait is
    distributed as the (k+1)-th of n mu/theta + k exponential(theta) clocks to ring
    (Renyi's representation of order-statistic spacings), so theta W = -log B with
    B ~ Beta(n mu/theta, k+1). ahead < 0 gives zeros.
    """
    k, n, aht, theta = np.broadcast_arrays(
        _as_array(ahead), _as_array(agents), _as_array(aht_seconds),
        _as_array(abandon_rate_per_second),
    )  # fmt: skip
    if np.any(n < 1):
        raise QueueingInputError(_NEEDS_AGENTS, value=repr(float(np.min(n))))
    rate = n / aht
    terms = np.maximum(k + 1.0, 1.0)
    waits = k >= 0.0
    hangs_up = (theta > 0.0) & waits
    x, m, th = rate[hangs_up] / theta[hangs_up], terms[hangs_up], theta[hangs_up]
    results = []
    for p in probabilities:
        quantile = np.where(waits, special.gammaincinv(terms, p) / rate, 0.0)
        if np.any(hangs_up):
            # 1 - B is small when theta is small against n mu: take it directly then, else B.
            one_minus_b = special.betaincinv(m, x, p)
            b = np.maximum(special.betaincinv(x, m, 1.0 - p), np.finfo(float).tiny)
            log_b = np.where(one_minus_b <= 0.5, np.log1p(-np.minimum(one_minus_b, 0.5)), np.log(b))
            quantile[hangs_up] = -log_b / th
        results.append(quantile)
    return tuple(results)


def is_short_queue(*, ahead: Any, mean: Any, variance: Any) -> Any:
    """Announce a range, not a point: few ahead, or a wait too uncertain for one number."""
    k, mu, var = np.broadcast_arrays(_as_array(ahead), _as_array(mean), _as_array(variance))
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.where(mu > 0.0, np.sqrt(var) / np.where(mu > 0.0, mu, 1.0), 0.0)
    return (k < SHORT_QUEUE_AHEAD) | (cv > SHORT_QUEUE_CV)


# --- Predictors on one snapshot --------------------------------------------------------


def queue_length_wait(snapshot: QueueSnapshot) -> float | None:
    """QL: the M/M/n expected wait, ignoring abandonment; None with no agents."""
    if snapshot.agents == 0:
        return None
    return float(
        queue_length_wait_seconds(
            ahead=snapshot.effective_ahead, agents=snapshot.agents, aht_seconds=snapshot.aht_seconds
        )
    )


def abandonment_aware_wait(snapshot: QueueSnapshot) -> float | None:
    """QL-m: the expected wait when customers ahead may hang up; None with no agents."""
    if snapshot.agents == 0:
        return None
    return float(
        abandonment_aware_wait_seconds(
            ahead=snapshot.effective_ahead,
            agents=snapshot.agents,
            aht_seconds=snapshot.aht_seconds,
            abandon_rate_per_second=snapshot.abandon_rate_per_second,
        )
    )


def last_to_enter_service_wait(snapshot: QueueSnapshot) -> float | None:
    """LES: the wait of the last customer to reach an agent; None before anyone has."""
    return snapshot.last_served_wait_seconds


def head_of_line_wait(snapshot: QueueSnapshot) -> float | None:
    """HOL: how long the customer at the head of the line has waited so far.

    With nobody ahead there is no head of line to read, so it falls back to LES.
    """
    if snapshot.ahead > 0 and snapshot.head_of_line_seconds is not None:
        return snapshot.head_of_line_seconds
    return snapshot.last_served_wait_seconds


def recent_average_wait(snapshot: QueueSnapshot) -> float | None:
    """The naive announcement: mean wait of the last N served (answered at once included)."""
    if not snapshot.recent_waits_seconds:
        return None
    return math.fsum(snapshot.recent_waits_seconds) / len(snapshot.recent_waits_seconds)


PREDICTORS: dict[str, Callable[[QueueSnapshot], float | None]] = {
    "QL": queue_length_wait,
    "QL-m": abandonment_aware_wait,
    "HOL": head_of_line_wait,
    "LES": last_to_enter_service_wait,
    "last-N average": recent_average_wait,
}


def predict_wait(snapshot: QueueSnapshot) -> WaitPrediction:
    """The product's prediction: QL-m mean, 10-90 % range, range-only for short queues."""
    if snapshot.agents == 0:
        return WaitPrediction.no_agents()
    mean, var = conditional_wait_moments(
        ahead=snapshot.effective_ahead,
        agents=snapshot.agents,
        aht_seconds=snapshot.aht_seconds,
        abandon_rate_per_second=snapshot.abandon_rate_per_second,
    )
    low, high = wait_quantiles(
        ahead=snapshot.effective_ahead,
        agents=snapshot.agents,
        aht_seconds=snapshot.aht_seconds,
        abandon_rate_per_second=snapshot.abandon_rate_per_second,
        probabilities=(LOW_QUANTILE, HIGH_QUANTILE),
    )
    short = is_short_queue(ahead=snapshot.effective_ahead, mean=mean, variance=var)
    return WaitPrediction(
        WaitStatus.PREDICTED,
        expected_seconds=float(mean),
        low_seconds=float(low),
        high_seconds=float(high),
        short_queue=bool(short),
    )


# --- Estimating the inputs from live data ------------------------------------------------


def estimate_abandon_rate(*, abandoned: int, waiting_seconds: float) -> float:
    """theta-hat = hang-ups / total time spent waiting by the same customers (the MLE).

    Count everyone who left the queue in the window, answered or not, and add up how long
    each waited; no waiting time yet gives 0 (no evidence of impatience).
    """
    _check_count("abandoned", abandoned, high=2**62)
    _check_seconds("waiting_seconds", waiting_seconds)
    return abandoned / waiting_seconds if waiting_seconds > 0.0 else 0.0


def weighted_recent_mean(values_oldest_first: Sequence[float], *, half_life: float) -> float:
    """Exponentially weighted mean; a value half_life places back weighs half the newest.

    For recent handling times; an empty sequence is an error (use the planned AHT).
    """
    if not values_oldest_first:
        raise QueueingInputError(_EMPTY, field="values_oldest_first")
    _check_seconds("half_life", half_life, positive=True)
    values = np.asarray(values_oldest_first, dtype=float)
    age = np.arange(values.size - 1, -1, -1, dtype=float)
    weights = np.exp2(-age / half_life)
    return float(np.sum(weights * values) / np.sum(weights))


# --- Announcing -------------------------------------------------------------------------


def _step_minutes(minutes: FloatArray) -> FloatArray:
    """Announcement resolution: minutes below 10, then 5s to half an hour, then 10s."""
    return np.where(minutes < 10.0, 1.0, np.where(minutes < 30.0, 5.0, 10.0))


def _to_step(minutes: FloatArray, rounding: Callable[[FloatArray], FloatArray]) -> FloatArray:
    step = _step_minutes(minutes)
    return np.clip(rounding(minutes / step) * step, 1.0, ANNOUNCE_CAP_MINUTES)


def announced_minutes(
    *, expected_seconds: Any, low_seconds: Any, high_seconds: Any, short_queue: Any
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """describe_wait over arrays: (low, high) whole minutes per customer."""
    expected, low, high, short = np.broadcast_arrays(
        _as_array(expected_seconds) / 60.0, _as_array(low_seconds) / 60.0,
        _as_array(high_seconds) / 60.0, np.asarray(short_queue, dtype=bool),
    )  # fmt: skip
    point = _to_step(expected, lambda v: np.floor(v + 0.5))
    bottom = _to_step(low, np.floor)
    top = np.maximum(_to_step(high, np.ceil), bottom)
    first = np.where(short, bottom, point).astype(np.int64)
    second = np.where(short, top, point).astype(np.int64)
    return first, second


def describe_wait(prediction: WaitPrediction) -> tuple[int, int] | None:
    """(low, high) whole minutes to announce; low == high is a point ("about 12 minutes").

    Never 0 while someone waits (a wait under a minute reads 1); ranges round outwards to
    1, 5 or 10-minute steps, points to the nearest step; both ends stop at
    ANNOUNCE_CAP_MINUTES, which then reads "that long or more". None when no agent is on
    shift.
    """
    if prediction.status is WaitStatus.NO_AGENTS:
        return None
    low, high = announced_minutes(
        expected_seconds=prediction.expected_seconds,
        low_seconds=prediction.low_seconds,
        high_seconds=prediction.high_seconds,
        short_queue=prediction.short_queue,
    )
    return int(low), int(high)
