"""A small discrete-event simulation of the M/M/n(+M) queue, to check the formulas against.

First come, first served with exponential patience has an exact customer-by-customer
recursion: a contact reaches an agent when the earliest of the n agents' next-free times
passes (max with its arrival); it is answered if that offered wait is within its patience
and then occupies that agent, else it hangs up and occupies nobody. A heap of next-free
times gives O(log n) per contact; arrivals, handling times and patience are drawn
vectorised from a seeded generator. Independent replications give confidence intervals.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_FIELDS = (
    "p_wait",
    "service_level",
    "asa_seconds",
    "average_wait_seconds",
    "p_abandon",
    "occupancy",
)


@dataclass(frozen=True)
class SimulatedMetrics:
    """Means over replications and their standard errors, by metric name."""

    mean: dict[str, float]
    standard_error: dict[str, float]
    replications: int
    contacts_per_replication: int

    def interval(self, name: str, z: float) -> tuple[float, float]:
        """mean -/+ z standard errors."""
        half = z * self.standard_error[name]
        return self.mean[name] - half, self.mean[name] + half


def _replication(
    rng: np.random.Generator,
    rate: float,
    aht: float,
    agents: int,
    answer: float,
    patience: float | None,
    contacts: int,
    warmup: int,
) -> dict[str, float]:
    total = contacts + warmup
    arrivals = np.cumsum(rng.exponential(1.0 / rate, total))
    handling = rng.exponential(aht, total)
    limits = rng.exponential(patience, total) if patience is not None else np.full(total, np.inf)
    offered = np.empty(total)
    free = [0.0] * agents
    for i in range(total):
        t = arrivals[i]
        start = free[0] if free[0] > t else t
        wait = start - t
        offered[i] = wait
        if wait <= limits[i]:
            heapq.heapreplace(free, start + handling[i])
    kept = slice(warmup, total)
    offer, limit, work = offered[kept], limits[kept], handling[kept]
    answered = offer <= limit
    span = arrivals[-1] - arrivals[warmup]
    return {
        "p_wait": float(np.mean(offer > 0.0)),
        "service_level": float(np.mean(answered & (offer <= answer))),
        "asa_seconds": float(np.mean(offer[answered])) if np.any(answered) else 0.0,
        "average_wait_seconds": float(np.mean(np.minimum(offer, limit))),
        "p_abandon": float(np.mean(~answered)),
        # Work brought by answered contacts per agent-second of the observed span.
        "occupancy": float(np.sum(work[answered]) / (agents * span)),
    }


def simulate_queue(
    *,
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    answer_time_seconds: float,
    patience_seconds: float | None = None,
    contacts: int = 20_000,
    warmup: int = 2_000,
    replications: int = 8,
    seed: int = 0,
) -> SimulatedMetrics:
    """Simulated steady-state metrics (same meanings as QueueMetrics), reproducible by seed."""
    rng = np.random.default_rng(seed)
    rate = arrivals_per_hour / 3600.0
    runs = [
        _replication(
            rng, rate, aht_seconds, agents, answer_time_seconds, patience_seconds, contacts, warmup
        )
        for _ in range(replications)
    ]
    values = {name: np.array([run[name] for run in runs]) for name in _FIELDS}
    return SimulatedMetrics(
        mean={name: float(v.mean()) for name, v in values.items()},
        standard_error={
            name: float(v.std(ddof=1) / np.sqrt(replications)) for name, v in values.items()
        },
        replications=replications,
        contacts_per_replication=contacts,
    )
