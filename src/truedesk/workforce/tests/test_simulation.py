"""The formulas agree with a discrete-event simulation of the same queue.

Ten independent replications of 30,000 to 80,000 contacts each (after 2,000 warm-up);
each formula value must lie within 4.8 standard errors of the simulated mean (the
two-sided 99.9 % Student t interval for 9 degrees of freedom). The seed is fixed, so
the outcome is reproducible; the intervals are also required to be narrow enough that
a formula error of a couple of percentage points would fail.
"""

from __future__ import annotations

import pytest

from truedesk.workforce.queueing import evaluate, simulate_queue

T_999_9DF = 4.78
METRICS = (
    "p_wait",
    "service_level",
    "asa_seconds",
    "average_wait_seconds",
    "p_abandon",
    "occupancy",
)
SCENARIOS = {
    # arrivals/hour, aht, agents, answer time, patience, contacts per replication
    "erlang-c-29-agents": (360, 240, 29, 20, None, 80_000),
    "erlang-a-27-agents": (360, 240, 27, 20, 180, 30_000),
    "erlang-a-below-the-load": (360, 240, 20, 20, 120, 30_000),
    "erlang-a-one-agent": (30, 300, 1, 20, 60, 30_000),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_formulas_fall_inside_the_simulations_confidence_intervals(scenario):
    arrivals, aht, agents, answer, patience, contacts = SCENARIOS[scenario]
    kwargs = {
        "arrivals_per_hour": arrivals,
        "aht_seconds": aht,
        "agents": agents,
        "answer_time_seconds": answer,
        "patience_seconds": patience,
    }
    exact = evaluate(**kwargs)
    simulated = simulate_queue(**kwargs, contacts=contacts, replications=10, seed=2024)
    assert simulated.standard_error["service_level"] < 0.006
    for name in METRICS:
        low, high = simulated.interval(name, T_999_9DF)
        value = getattr(exact, name)
        assert low - 1e-12 <= value <= high + 1e-12, (name, value, low, high)


def test_the_simulation_is_reproducible_by_seed_and_differs_across_seeds():
    kwargs = {
        "arrivals_per_hour": 120,
        "aht_seconds": 200,
        "agents": 8,
        "answer_time_seconds": 20,
        "patience_seconds": 90,
        "contacts": 3_000,
        "replications": 3,
    }
    assert simulate_queue(**kwargs, seed=1) == simulate_queue(**kwargs, seed=1)
    assert simulate_queue(**kwargs, seed=1).mean != simulate_queue(**kwargs, seed=2).mean
