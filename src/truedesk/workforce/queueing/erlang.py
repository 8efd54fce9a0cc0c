"""Erlang B, Erlang C and Erlang A: the steady state of a queue with a given staffing.

Models (Poisson arrivals, exponential handling, first come first served):
- Erlang C, M/M/n: callers never hang up; needs more agents than the offered load.
- Erlang A, M/M/n+M (Palm; Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn):
  callers hang up after an exponential patience with the given mean.
Units: arrivals per hour, times in seconds, probabilities as fractions. The offered load
in Erlangs is arrivals_per_hour / 3600 * aht_seconds. All functions take scalars or
NumPy arrays (broadcast together) and never return NaN: bad inputs raise
QueueingInputError. Derivations: docs/decisions/0010-queueing-engine.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special
from scipy.special import expit

from truedesk.workforce.queueing import inputs
from truedesk.workforce.queueing.errors import QueueingInputError, gettext_noop
from truedesk.workforce.queueing.incomplete_gamma import (
    log_abandonment_ratio,
    log_erlang_b_excess,
)
from truedesk.workforce.queueing.offered_wait import log_answered_wait_integral

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

SECONDS_PER_HOUR = 3600.0
ERLANG_C = "erlang_c"
ERLANG_A = "erlang_a"

UNSTABLE = gettext_noop(
    "Without abandonment %(agents)s agents cannot keep up with an offered load of "
    "%(load).2f Erlangs: the queue would grow without end. Staff more agents than the load, "
    "or give the callers' average patience to use Erlang A."
)
NO_AGENTS = gettext_noop(
    "With %(arrivals)s arrivals per hour at least one agent is needed; 0 agents answer nobody."
)


def _scalar_or_array(value: NDArray[Any], scalar: bool) -> Any:
    return value.item() if scalar else value


def erlang_b(agents: Any, load: Any) -> Any:
    """Blocking probability of n agents and no queue, B(n, a); float for scalars, else array."""
    n = inputs.agent_counts(agents)
    a = inputs.non_negative(inputs.LOAD, load)
    n, a = inputs.broadcast(n, a)
    result = np.ones(n.shape)
    busy = a > 0
    result[busy] = expit(-log_erlang_b_excess(n[busy], a[busy]))
    result[~busy & (n > 0)] = 0.0
    return _scalar_or_array(result, n.ndim == 0)


def erlang_c(agents: Any, load: Any) -> Any:
    """Probability of waiting with n agents and load a < n, C(n, a); float for scalars."""
    n = inputs.agent_counts(agents)
    a = inputs.non_negative(inputs.LOAD, load)
    n, a = inputs.broadcast(n, a)
    _require_stable(n, a)
    result = np.zeros(n.shape)
    busy = a > 0
    result[busy] = _erlang_c_wait(n[busy], a[busy])
    return _scalar_or_array(result, n.ndim == 0)


def _require_stable(n: IntArray, a: FloatArray) -> None:
    unstable = a >= n
    if np.any(unstable):
        i = tuple(np.argwhere(unstable)[0]) if n.ndim else ()
        raise QueueingInputError(UNSTABLE, agents=int(n[i]), load=float(a[i]))


def _erlang_c_wait(n: IntArray, a: FloatArray) -> FloatArray:
    # C = 1 / (1 + (1 - rho)(1/B - 1)), every term positive: no cancellation near rho = 1.
    return expit(-_log_c_odds(n, a))


def _log_c_odds(n: IntArray, a: FloatArray) -> FloatArray:
    """log((1 - C)/C) = log(1 - rho) + log(1/B - 1), so 1 - C = expit(this) exactly."""
    return log_erlang_b_excess(n, a) + np.log1p(-a / n)


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state performance of one queue and staffing; times in seconds.

    p_wait: P(all agents busy on arrival). service_level: contacts answered within the
    answer time / all offered (with patience, abandoned contacts count as failures).
    asa_seconds: mean wait of answered contacts. average_wait_seconds: mean time in queue
    of all contacts, abandoned ones included. occupancy: mean fraction of agents busy.
    p_abandon: fraction who hang up (0 for Erlang C).
    """

    model: str
    agents: int
    arrivals_per_hour: float
    aht_seconds: float
    answer_time_seconds: float
    patience_seconds: float | None
    load_erlangs: float
    p_wait: float
    service_level: float
    asa_seconds: float
    average_wait_seconds: float
    occupancy: float
    p_abandon: float


@dataclass(frozen=True)
class QueueMetricsArray:
    """QueueMetrics for many queues, intervals or staffings at once (one shape throughout)."""

    model: str
    agents: IntArray
    arrivals_per_hour: FloatArray
    aht_seconds: FloatArray
    answer_time_seconds: FloatArray
    patience_seconds: FloatArray | None
    load_erlangs: FloatArray
    p_wait: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    average_wait_seconds: FloatArray
    occupancy: FloatArray
    p_abandon: FloatArray

    def at(self, index: int | tuple[int, ...]) -> QueueMetrics:
        """The metrics of one element."""
        patience = None if self.patience_seconds is None else float(self.patience_seconds[index])
        return QueueMetrics(
            model=self.model,
            agents=int(self.agents[index]),
            arrivals_per_hour=float(self.arrivals_per_hour[index]),
            aht_seconds=float(self.aht_seconds[index]),
            answer_time_seconds=float(self.answer_time_seconds[index]),
            patience_seconds=patience,
            load_erlangs=float(self.load_erlangs[index]),
            p_wait=float(self.p_wait[index]),
            service_level=float(self.service_level[index]),
            asa_seconds=float(self.asa_seconds[index]),
            average_wait_seconds=float(self.average_wait_seconds[index]),
            occupancy=float(self.occupancy[index]),
            p_abandon=float(self.p_abandon[index]),
        )


def evaluate(
    *,
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    answer_time_seconds: float,
    patience_seconds: float | None = None,
) -> QueueMetrics:
    """Metrics of one queue with `agents` agents (Erlang A when patience is given, else C)."""
    for value in (arrivals_per_hour, aht_seconds, agents, answer_time_seconds, patience_seconds):
        if value is not None and np.ndim(value) != 0:
            raise QueueingInputError(
                gettext_noop("evaluate() takes single numbers; use evaluate_many() for arrays.")
            )
    return evaluate_many(
        arrivals_per_hour=arrivals_per_hour,
        aht_seconds=aht_seconds,
        agents=agents,
        answer_time_seconds=answer_time_seconds,
        patience_seconds=patience_seconds,
    ).at(())


def evaluate_many(
    *,
    arrivals_per_hour: Any,
    aht_seconds: Any,
    agents: Any,
    answer_time_seconds: Any,
    patience_seconds: Any = None,
) -> QueueMetricsArray:
    """Metrics for arrays of queues/intervals/staffings, broadcast together, in one pass."""
    arrivals = inputs.non_negative(inputs.ARRIVALS, arrivals_per_hour)
    aht = inputs.positive(inputs.AHT, aht_seconds)
    n = inputs.agent_counts(agents)
    answer = inputs.non_negative(inputs.ANSWER_TIME, answer_time_seconds)
    if patience_seconds is None:
        arrivals, aht, n, answer = inputs.broadcast(arrivals, aht, n, answer)
        patience = None
    else:
        patience_in = inputs.positive(inputs.PATIENCE, patience_seconds)
        arrivals, aht, n, answer, patience = inputs.broadcast(arrivals, aht, n, answer, patience_in)
    load = arrivals / SECONDS_PER_HOUR * aht
    _require_agents(n, arrivals)
    if patience is None:
        _require_stable(n[arrivals > 0], load[arrivals > 0])
    values = queue_metrics(arrivals, aht, n, answer, patience, want_asa=True)
    return QueueMetricsArray(
        model=ERLANG_C if patience is None else ERLANG_A,
        agents=n,
        arrivals_per_hour=arrivals,
        aht_seconds=aht,
        answer_time_seconds=answer,
        patience_seconds=patience,
        load_erlangs=load,
        **values,
    )


def _require_agents(n: IntArray, arrivals: FloatArray) -> None:
    missing = (n == 0) & (arrivals > 0)
    if np.any(missing):
        i = tuple(np.argwhere(missing)[0]) if n.ndim else ()
        raise QueueingInputError(NO_AGENTS, arrivals=float(arrivals[i]))


def queue_metrics(
    arrivals: FloatArray,
    aht: FloatArray,
    n: IntArray,
    answer: FloatArray,
    patience: FloatArray | None,
    *,
    want_asa: bool,
) -> dict[str, FloatArray]:
    """Every metric for already-checked, equal-shape inputs (n >= 1 wherever arrivals > 0,
    and n > load for Erlang C). Skips the costlier Erlang A ASA unless `want_asa`."""
    shape = n.shape
    metrics = {
        "p_wait": np.zeros(shape),
        "service_level": np.ones(shape),
        "asa_seconds": np.zeros(shape),
        "average_wait_seconds": np.zeros(shape),
        "occupancy": np.zeros(shape),
        "p_abandon": np.zeros(shape),
    }
    # No arrivals: nobody waits, everything offered (nothing) is on time.
    busy = arrivals > 0
    if not np.any(busy):
        return metrics
    rate = arrivals[busy] / SECONDS_PER_HOUR
    args = (rate, aht[busy], n[busy], answer[busy])
    if patience is None:
        found = _erlang_c_metrics(*args)
    else:
        found = _erlang_a_metrics(*args, patience[busy], want_asa=want_asa)
    for name, value in found.items():
        metrics[name][busy] = value
    # Each of these is a probability or a share, in [0, 1] exactly; sums of correctly
    # rounded terms can land one unit in the last place outside it.
    for name in ("p_wait", "service_level", "occupancy", "p_abandon"):
        np.clip(metrics[name], 0.0, 1.0, out=metrics[name])
    return metrics


def _erlang_c_metrics(
    rate: FloatArray, aht: FloatArray, n: IntArray, answer: FloatArray
) -> dict[str, FloatArray]:
    load = rate * aht
    log_odds = _log_c_odds(n, load)
    p_wait = expit(-log_odds)
    # Given a wait, it is exponential with rate (n - a)/aht. SL = (1 - C) + C P(W <= T | W > 0),
    # a sum of non-negative terms, so an SL near 0 keeps its digits.
    spare = (n - load) / aht
    asa = p_wait / spare
    return {
        "p_wait": p_wait,
        "service_level": expit(log_odds) - p_wait * np.expm1(-spare * answer),
        "asa_seconds": asa,
        "average_wait_seconds": asa,
        "occupancy": load / n,
    }


def _erlang_a_metrics(
    rate: FloatArray,
    aht: FloatArray,
    n: IntArray,
    answer: FloatArray,
    patience: FloatArray,
    *,
    want_asa: bool,
) -> dict[str, FloatArray]:
    load = rate * aht
    x = n * patience / aht
    y = rate * patience
    log_a, abandon_if_wait = log_abandonment_ratio(x, y)
    # P(W > 0) = A B / (1 + (A - 1) B) = 1 / (1 + (1/B - 1)/A).
    log_odds = log_erlang_b_excess(n, load) - log_a
    p_wait = expit(-log_odds)
    p_abandon = p_wait * abandon_if_wait
    answered = 1.0 - p_abandon
    # SL = P(no wait) + P(wait) P(answered within T | wait): non-negative terms only.
    on_time = _answered_in_time_if_wait(x, y, log_a, answer / patience)
    metrics = {
        "p_wait": p_wait,
        "service_level": expit(log_odds) + p_wait * on_time,
        "average_wait_seconds": p_abandon * patience,
        # Answered work per agent: (load/n)(1 - P(wait)) + P(wait)(1 - 1/A), using
        # (load/n)(x/y) = 1 so that overload tends to 1 without rounding past it.
        "occupancy": load / n * expit(log_odds) - p_wait * np.expm1(-log_a),
        "p_abandon": p_abandon,
    }
    if want_asa:
        log_integral = log_answered_wait_integral(x, y)
        # E[V e^{-V/patience} | wait] = patience * x * I(x, y) / A(x, y).
        answered_wait = p_wait * patience * np.exp(np.log(x) + log_integral - log_a)
        metrics["asa_seconds"] = answered_wait / answered
    return metrics


def _answered_in_time_if_wait(
    x: FloatArray, y: FloatArray, log_a: FloatArray, t: FloatArray
) -> FloatArray:
    """P(answered within t*patience | wait).

    Given a wait, w = wait/patience has density x exp(-x w + y(1 - e^-w)) / A(x, y) and
    is answered with probability e^-w, which integrates to
      (x/y) [P(x+1, y) - P(x+1, y e^-t)] / P(x, y).
    Where y e^-t > x+1 both P are near 1 and the bracket is taken as a difference of the
    small upper functions Q instead. Elsewhere it is S(0) - S(t) in log space, with
      S(t) = (x/(x+1)) e^{-(x+1)t + y(1-e^-t)} A(x+1, y e^-t) / A(x, y),
      S(0) = (x/y)(1 - 1/A(x, y)),
    as S(0) * -expm1(log S(t) - log S(0)), exact for small t.
    """
    shifted = y * np.exp(-t)
    log_start = np.log(x / y) + np.log(-np.expm1(-log_a))
    log_later, _ = log_abandonment_ratio(x + 1.0, shifted)
    log_late = np.log(x / (x + 1.0)) - (x + 1.0) * t - y * np.expm1(-t) + log_later - log_a
    result = np.exp(log_start) * -np.expm1(np.minimum(log_late - log_start, 0.0))
    upper = shifted > x + 1.0
    if np.any(upper):
        xu, yu = x[upper], y[upper]
        gap = special.gammaincc(xu + 1.0, shifted[upper]) - special.gammaincc(xu + 1.0, yu)
        result[upper] = (xu / yu) * np.maximum(gap, 0.0) / special.gammainc(xu, yu)
    return result
