"""Scoring wait predictors against the waits customers really had, in a seeded simulation.

The M/M/n(+M) queue is run by the same first-come-first-served recursion as
simulation.py (a heap of the agents' next-free times), keeping for every arriving customer
the wait it would have had if it never hung up (its "offered" or potential wait), whether
it was answered, and what a live system would have shown at its arrival: customers
waiting ahead, agents busy, the head of line's elapsed wait, the last answered
customer's wait, the mean wait of the last N answered, and handling-time and patience
estimates from the contacts that had finished by then. These are derived afterwards with
sorted searches over departure times, so the trace costs O(C log C) for C customers.

Accuracy is measured over delayed customers (those who found every agent busy), as in
Whitt (1999) and Ibrahim & Whitt (2009): RRMSE = sqrt(mean (W - W_hat)^2) / mean W.
queue_length_floor gives the RRMSE of the best possible queue-length predictor in steady
state (sqrt(1 - rho) without abandonment) to compare against.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from truedesk.workforce.queueing.errors import QueueingInputError, gettext_noop
from truedesk.workforce.queueing.wait_prediction import (
    HIGH_QUANTILE,
    LOW_QUANTILE,
    QueueSnapshot,
    conditional_wait_moments,
    is_short_queue,
    wait_quantiles,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# Relative errors are taken against the realised wait but at least a minute: we announce
# whole minutes, and a 20-second miss on a 5-second wait is not a 400 % error to anyone.
RELATIVE_ERROR_FLOOR_SECONDS = 60.0
PREDICTOR_NAMES = ("QL", "QL-m", "HOL", "LES", "last-N average")

_UNSTABLE = gettext_noop(
    "Without abandonment the queue has no steady state unless the load (%(load)s Erlangs) "
    "is below the number of agents (%(agents)s)."
)


@dataclass(frozen=True)
class WaitTrace:
    """Per arriving customer (arrival order), after warm-up, what a live system knew and
    what happened. NaN marks "nothing to show yet" in the history columns."""

    agents: int
    aht_seconds: float
    patience_seconds: float | None
    arrival_seconds: FloatArray
    offered_wait_seconds: FloatArray  # the wait if it never hung up
    waited_seconds: FloatArray  # time in the queue: the offered wait, or until hanging up
    handling_seconds: FloatArray  # drawn for everyone, used only if answered
    served: BoolArray
    ahead: IntArray
    busy: IntArray
    head_of_line_seconds: FloatArray
    last_served_wait_seconds: FloatArray
    recent_mean_wait_seconds: FloatArray
    aht_estimate_seconds: FloatArray
    abandon_rate_estimate: FloatArray
    recent_waits: tuple[tuple[float, ...], ...] | None = None

    @property
    def delayed(self) -> BoolArray:
        return self.offered_wait_seconds > 0.0

    def snapshot(self, i: int, *, estimated: bool = True) -> QueueSnapshot:
        """Customer i's queue state as the product would receive it."""

        def seconds(values: FloatArray) -> float | None:
            return None if math.isnan(values[i]) else float(values[i])

        theta = 0.0 if self.patience_seconds is None else 1.0 / self.patience_seconds
        return QueueSnapshot(
            ahead=int(self.ahead[i]),
            agents=self.agents,
            agents_busy=int(self.busy[i]),
            aht_seconds=float(self.aht_estimate_seconds[i]) if estimated else self.aht_seconds,
            abandon_rate_per_second=float(self.abandon_rate_estimate[i]) if estimated else theta,
            recent_waits_seconds=self.recent_waits[i] if self.recent_waits else (),
            head_of_line_seconds=seconds(self.head_of_line_seconds),
            last_served_wait_seconds=seconds(self.last_served_wait_seconds),
        )


def _fcfs(
    arrivals: list[float], handling: list[float], limits: list[float], agents: int
) -> FloatArray:
    """Offered waits by the FCFS recursion: answered iff offered wait <= patience."""
    offered = np.empty(len(arrivals))
    free = [0.0] * agents
    for i, t in enumerate(arrivals):
        start = free[0] if free[0] > t else t
        offered[i] = start - t
        if start - t <= limits[i]:
            heapq.heapreplace(free, start + handling[i])
    return offered


def _window_means(
    event_times: FloatArray, values: FloatArray, at: FloatArray, window: int
) -> tuple[FloatArray, IntArray]:
    """Mean of `values` of the last `window` events strictly before each time in `at`
    (events sorted by time), and how many events that mean covers (0: NaN)."""
    cumulative = np.concatenate(([0.0], np.cumsum(values)))
    upto = np.searchsorted(event_times, at, side="left")
    since = np.maximum(upto - window, 0)
    count = upto - since
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (cumulative[upto] - cumulative[since]) / count
    return np.where(count > 0, mean, np.nan), count


def _head_of_line(arrivals: FloatArray, leave_queue: FloatArray) -> FloatArray:
    """Elapsed wait of the earliest arrival still waiting at each arrival (NaN if none).

    The first customer i with leave_queue[i] > t is the first where the running maximum
    of leave_queue exceeds t; it is ahead of customer j when i < j.
    """
    running = np.maximum.accumulate(leave_queue)
    first = np.searchsorted(running, arrivals, side="right")
    index = np.arange(arrivals.size)
    ahead = first < index
    safe = np.minimum(first, arrivals.size - 1)
    return np.where(ahead, arrivals - arrivals[safe], np.nan)


def _abandon_rate(
    leave_queue: FloatArray,
    waited: FloatArray,
    abandoned: BoolArray,
    at: FloatArray,
    window: int,
) -> FloatArray:
    """theta-hat over the last `window` customers who waited and had left the queue."""
    waited_any = waited > 0.0
    order = np.argsort(leave_queue[waited_any], kind="stable")
    times = leave_queue[waited_any][order]
    hangups = abandoned[waited_any][order].astype(float)
    mean_hangups, count = _window_means(times, hangups, at, window)
    mean_waited, _ = _window_means(times, waited[waited_any][order], at, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = mean_hangups / mean_waited
    return np.where((count > 0) & (mean_waited > 0.0), rate, 0.0)


def _arrival_times(
    rng: np.random.Generator,
    rate: float,
    span: float,
    warmup: float,
    profile: tuple[float, ...] | None,
) -> FloatArray:
    """Poisson arrivals on [0, span): constant rate, or rate x profile[hour of day] by
    thinning, hour 0 of the profile starting when the warm-up ends."""
    peak = rate * (max(profile) if profile else 1.0)
    expected = peak * span
    draws = int(expected + 10 * math.sqrt(expected) + 10)
    times = np.cumsum(rng.exponential(1.0 / peak, draws))
    times = times[times < span]
    if not profile:
        return times
    shape = np.asarray(profile, dtype=float) / max(profile)
    hour = np.floor((times - warmup) / 3600.0).astype(np.int64) % len(profile)
    return times[rng.random(times.size) < shape[hour]]


def simulate_waits(
    *,
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None = None,
    hours: float = 24.0,
    warmup_hours: float = 2.0,
    seed: int = 0,
    recent_served: int = 20,
    aht_window: int = 500,
    abandon_window: int = 500,
    keep_recent_waits: bool = False,
    load_profile: tuple[float, ...] | None = None,
) -> WaitTrace:
    """A seeded day (after warm-up) of M/M/n(+M) traffic, customer by customer.

    Handling-time estimates are the mean of the last aht_window finished contacts,
    patience estimates the MLE over the last abandon_window customers who waited;
    keep_recent_waits stores each customer's last-N waits for snapshot() (slow; tests).
    load_profile: hourly multipliers of arrivals_per_hour over a day (None: constant).
    """
    rng = np.random.default_rng(seed)
    rate = arrivals_per_hour / 3600.0
    span = (hours + warmup_hours) * 3600.0
    arrivals = _arrival_times(rng, rate, span, warmup_hours * 3600.0, load_profile)
    total = arrivals.size
    handling = rng.exponential(aht_seconds, total)
    limits = (
        rng.exponential(patience_seconds, total)
        if patience_seconds is not None
        else np.full(total, np.inf)
    )
    offered = _fcfs(arrivals.tolist(), handling.tolist(), limits.tolist(), agents)
    served = offered <= limits
    waited = np.minimum(offered, limits)
    leave_queue = arrivals + waited

    starts = leave_queue[served]  # nondecreasing: FCFS answers in arrival order
    served_waits = offered[served]
    finish = starts + handling[served]
    by_finish = np.argsort(finish, kind="stable")
    ends = finish[by_finish]
    # Just before each arrival: answered and not yet finished.
    busy = np.searchsorted(starts, arrivals, side="left") - np.searchsorted(
        ends, arrivals, side="right"
    )
    # Customers before j still waiting when j arrives. `left` counts those gone from the
    # queue by then, which includes j itself exactly when j waited 0.
    left = np.searchsorted(np.sort(leave_queue), arrivals, side="right")
    ahead = np.arange(total) - (left - (waited == 0.0))

    before = np.searchsorted(starts, arrivals, side="left")
    last_served = np.where(before > 0, served_waits[np.maximum(before - 1, 0)], np.nan)
    recent_mean, _ = _window_means(starts, served_waits, arrivals, recent_served)
    aht_estimate, aht_count = _window_means(ends, handling[served][by_finish], arrivals, aht_window)
    aht_estimate = np.where(aht_count > 0, aht_estimate, aht_seconds)
    theta = _abandon_rate(leave_queue, waited, ~served, arrivals, abandon_window)

    kept = arrivals >= warmup_hours * 3600.0
    recent: tuple[tuple[float, ...], ...] | None = None
    if keep_recent_waits:
        recent = tuple(
            tuple(served_waits[max(0, b - recent_served) : b].tolist()) for b in before[kept]
        )
    return WaitTrace(
        agents=agents,
        aht_seconds=aht_seconds,
        patience_seconds=patience_seconds,
        arrival_seconds=arrivals[kept],
        offered_wait_seconds=offered[kept],
        waited_seconds=waited[kept],
        handling_seconds=handling[kept],
        served=served[kept],
        ahead=ahead[kept].astype(np.int64),
        busy=busy[kept].astype(np.int64),
        head_of_line_seconds=_head_of_line(arrivals, leave_queue)[kept],
        last_served_wait_seconds=last_served[kept],
        recent_mean_wait_seconds=recent_mean[kept],
        aht_estimate_seconds=aht_estimate[kept],
        abandon_rate_estimate=theta[kept],
        recent_waits=recent,
    )


@dataclass(frozen=True)
class Predictions:
    """Every predictor's estimate for the trace's delayed customers, plus the product's
    10-90 % range and whether it would announce a range (short queue).

    best_variance is Var(W | queue state) under the true parameters: the mean squared
    error of the best predictor that knows the queue length, customer by customer.
    """

    realised_seconds: FloatArray
    served: BoolArray
    ahead: IntArray
    estimates: dict[str, FloatArray]
    low_seconds: FloatArray
    high_seconds: FloatArray
    short_queue: BoolArray
    best_variance: FloatArray

    def sample_floor(self) -> float:
        """The best queue-length RRMSE on these very customers: sqrt(mean Var) / mean W."""
        return float(np.sqrt(np.mean(self.best_variance)) / np.mean(self.realised_seconds))


def predictions(trace: WaitTrace, *, estimated: bool = True) -> Predictions:
    """Run all predictors on the delayed customers, with parameters estimated from the
    recent past as the product would (estimated=True), or the true ones."""
    d = trace.delayed
    ahead = trace.ahead[d] - np.maximum(trace.agents - trace.busy[d], 0)
    theta_true = 0.0 if trace.patience_seconds is None else 1.0 / trace.patience_seconds
    aht = trace.aht_estimate_seconds[d] if estimated else trace.aht_seconds
    theta = trace.abandon_rate_estimate[d] if estimated else theta_true
    ql, _ = conditional_wait_moments(ahead=ahead, agents=trace.agents, aht_seconds=aht)
    mean, var = conditional_wait_moments(
        ahead=ahead, agents=trace.agents, aht_seconds=aht, abandon_rate_per_second=theta
    )
    low, high = wait_quantiles(
        ahead=ahead,
        agents=trace.agents,
        aht_seconds=aht,
        abandon_rate_per_second=theta,
        probabilities=(LOW_QUANTILE, HIGH_QUANTILE),
    )
    _, best_variance = conditional_wait_moments(
        ahead=ahead,
        agents=trace.agents,
        aht_seconds=trace.aht_seconds,
        abandon_rate_per_second=theta_true,
    )
    les = np.nan_to_num(trace.last_served_wait_seconds[d], nan=0.0)
    hol = np.where(trace.ahead[d] > 0, trace.head_of_line_seconds[d], np.nan)
    return Predictions(
        realised_seconds=trace.offered_wait_seconds[d],
        served=trace.served[d],
        ahead=ahead,
        estimates={
            "QL": ql,
            "QL-m": mean,
            "HOL": np.where(np.isnan(hol), les, hol),
            "LES": les,
            "last-N average": np.nan_to_num(trace.recent_mean_wait_seconds[d], nan=0.0),
        },
        low_seconds=low,
        high_seconds=high,
        short_queue=is_short_queue(ahead=ahead, mean=mean, variance=var),
        best_variance=best_variance,
    )


@dataclass(frozen=True)
class Accuracy:
    """How close one predictor came, over `customers` delayed customers."""

    customers: int
    mean_wait_seconds: float
    rrmse: float
    mae_seconds: float
    mean_relative_error: float
    bias_seconds: float


def accuracy(predicted: FloatArray, realised: FloatArray) -> Accuracy:
    """RRMSE (root mean squared error / mean wait), MAE, mean relative error, bias."""
    error = predicted - realised
    mean_wait = float(np.mean(realised))
    return Accuracy(
        customers=int(realised.size),
        mean_wait_seconds=mean_wait,
        rrmse=float(np.sqrt(np.mean(error**2)) / mean_wait),
        mae_seconds=float(np.mean(np.abs(error))),
        mean_relative_error=float(
            np.mean(np.abs(error) / np.maximum(realised, RELATIVE_ERROR_FLOOR_SECONDS))
        ),
        bias_seconds=float(np.mean(error)),
    )


def coverage(low: FloatArray, high: FloatArray, realised: FloatArray) -> float:
    """Share of realised waits inside [low, high]."""
    return float(np.mean((realised >= low) & (realised <= high)))


def queue_length_floor(
    *,
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None = None,
) -> float:
    """Steady-state RRMSE over delayed customers' potential waits of the best predictor
    that knows the queue length and the true parameters (QL, or QL-m with abandonment).

    An arrival finding every agent busy sees k waiting with probability proportional to
    prod_{i=1..k} lambda / (n mu + i theta) (PASTA), and then waits a sum of exponentials
    of rates n mu + i theta, i = 0..k; the floor is sqrt(E Var(W|k)) / E W. Without
    abandonment k is geometric and this is exactly sqrt(1 - rho) (Whitt 1999).
    """
    lam, mu = arrivals_per_hour / 3600.0, 1.0 / aht_seconds
    if patience_seconds is None:
        rho = lam / (agents * mu)
        if rho >= 1.0:
            raise QueueingInputError(_UNSTABLE, load=f"{lam / mu:g}", agents=agents)
        return math.sqrt(1.0 - rho)
    theta = 1.0 / patience_seconds
    size = 1024
    while True:
        rates = agents * mu + theta * np.arange(size, dtype=float)
        log_p = np.concatenate(([0.0], np.cumsum(np.log(lam / rates[1:]))))
        if log_p[-1] < log_p.max() - 60.0 and lam < rates[-1]:
            break
        size *= 2
    p = np.exp(log_p - log_p.max())
    mean_k = np.cumsum(1.0 / rates)
    var_k = np.cumsum(1.0 / rates**2)
    p /= p.sum()
    return float(math.sqrt(np.sum(p * var_k)) / np.sum(p * mean_k))
