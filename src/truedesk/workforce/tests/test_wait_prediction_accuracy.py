"""Predicted waits against the waits simulated customers really had.

The literature's bar (issue 5): a queue-length predictor's RRMSE over delayed customers
cannot beat sqrt(1 - rho) for M/M/n (Whitt 1999); knowing about hang-ups helps when
customers hang up (Ibrahim & Whitt 2009); head-of-line and last-to-enter-service delays
do about 1.4 times worse; a wallboard's recent average worse still. Seeds are fixed and
every margin is several standard errors wide (waits within a day are strongly correlated,
so one simulated day alone scatters by 5-20 %).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from truedesk.workforce.queueing.wait_prediction import (
    PREDICTORS,
    conditional_wait_moments,
    predict_wait,
)
from truedesk.workforce.queueing.wait_simulation import (
    accuracy,
    coverage,
    predictions,
    queue_length_floor,
    simulate_waits,
)

AHT = 300.0


def day(agents, rho, patience=None, *, hours=24.0, seed=1, **extra):
    return simulate_waits(
        arrivals_per_hour=rho * agents / AHT * 3600.0,
        aht_seconds=AHT,
        agents=agents,
        patience_seconds=patience,
        hours=hours,
        seed=seed,
        **extra,
    )


def rrmse(trace, *, estimated=True):
    """Every predictor's RRMSE over the trace's delayed customers, by name."""
    found = predictions(trace, estimated=estimated)
    return {
        name: accuracy(guess, found.realised_seconds).rrmse
        for name, guess in found.estimates.items()
    }


def test_the_recorded_queue_state_matches_a_recount_from_the_simulated_events():
    trace = day(4, 0.95, 200.0, hours=6.0, warmup_hours=0.0, seed=3)
    arrive, waited = trace.arrival_seconds, trace.waited_seconds
    leave = arrive + waited
    start = np.where(trace.served, leave, np.inf)
    for j in range(0, arrive.size, 7):
        earlier = np.arange(arrive.size) < j
        waiting = earlier & (leave > arrive[j])
        assert trace.ahead[j] == np.sum(waiting)
        answered = earlier & trace.served & (start < arrive[j])
        assert trace.busy[j] == np.sum(answered & (start + trace.handling_seconds > arrive[j]))
        if np.any(waiting):
            assert trace.head_of_line_seconds[j] == arrive[j] - arrive[waiting].min()
        else:
            assert math.isnan(trace.head_of_line_seconds[j])
        if np.any(answered):
            last = np.flatnonzero(answered)[np.argmax(start[answered])]
            assert trace.last_served_wait_seconds[j] == trace.offered_wait_seconds[last]


def test_busy_agents_never_exceed_the_team_and_every_delayed_customer_found_all_busy():
    trace = day(6, 0.9, 300.0, hours=12.0, seed=4)
    assert trace.busy.max() <= 6
    assert np.all(trace.busy[trace.delayed] == 6)
    assert np.all(trace.ahead[~trace.delayed] == 0)


def test_the_product_predicts_from_a_snapshot_exactly_what_the_benchmark_scores():
    trace = day(8, 0.95, 240.0, hours=3.0, seed=5, keep_recent_waits=True)
    found = predictions(trace, estimated=True)
    delayed = np.flatnonzero(trace.delayed)
    for position in range(0, delayed.size, 11):
        state = trace.snapshot(int(delayed[position]))
        for name, predictor in PREDICTORS.items():
            assert predictor(state) == pytest.approx(found.estimates[name][position], rel=1e-9)
        prediction = predict_wait(state)
        assert prediction.low_seconds == pytest.approx(found.low_seconds[position], rel=1e-9)
        assert prediction.short_queue == found.short_queue[position]


def test_the_floor_is_sqrt_one_minus_rho_and_patience_beyond_reach_changes_nothing():
    kwargs = {"arrivals_per_hour": 540.0, "aht_seconds": AHT, "agents": 50}
    assert queue_length_floor(**kwargs) == pytest.approx(math.sqrt(0.1), rel=1e-15)
    assert queue_length_floor(**kwargs, patience_seconds=1e12) == pytest.approx(
        math.sqrt(0.1), rel=1e-6
    )


def test_queue_length_prediction_reaches_whitts_floor_at_rho_0_9():
    # 30 simulated days, about 390,000 customers, 130,000 of them delayed.
    trace = day(50, 0.9, hours=24.0 * 30, seed=11)
    floor = math.sqrt(1 - 0.9)
    found = predictions(trace, estimated=False)
    _, variance = conditional_wait_moments(ahead=found.ahead, agents=50, aht_seconds=AHT)
    error = accuracy(found.estimates["QL"], found.realised_seconds)
    # Against this sample's own bound sqrt(mean Var(W | k)) / mean W: within 5 %.
    in_sample = math.sqrt(variance.mean()) / error.mean_wait_seconds
    assert found.sample_floor() == pytest.approx(in_sample, rel=1e-12)
    assert error.rrmse == pytest.approx(in_sample, rel=0.05)
    # Against the steady-state floor: within 10 %, with true and with live parameters.
    assert error.rrmse == pytest.approx(floor, rel=0.10)
    assert rrmse(trace)["QL"] == pytest.approx(floor, rel=0.10)


@pytest.mark.parametrize(
    ("agents", "rho", "patience"),
    [(50, 0.9, 900.0), (10, 1.1, 900.0), (50, 1.1, 180.0), (10, 0.9, 180.0)],
)
def test_knowing_that_customers_hang_up_makes_the_prediction_better(agents, rho, patience):
    trace = day(agents, rho, patience, hours=24.0 * (2 if agents == 50 else 8), seed=21)
    found = rrmse(trace)
    assert found["QL-m"] < found["QL"]


def test_with_hang_ups_the_predictor_stays_near_its_own_floor():
    trace = day(50, 1.1, 180.0, hours=24.0 * 5, seed=8)
    floor = queue_length_floor(
        arrivals_per_hour=1.1 * 50 / AHT * 3600, aht_seconds=AHT, agents=50, patience_seconds=180.0
    )
    assert rrmse(trace)["QL-m"] == pytest.approx(floor, rel=0.10)


@pytest.mark.parametrize(
    ("agents", "rho", "patience", "days"),
    [
        (10, 0.8, None, 10),
        (10, 0.95, None, 10),
        (50, 0.8, None, 3),
        (50, 0.98, None, 3),
        (50, 0.9, 300.0, 3),
        (10, 1.1, 180.0, 8),
        (50, 1.1, 900.0, 3),
    ],
)
def test_queue_length_beats_delay_history_and_the_recent_average_everywhere(
    agents, rho, patience, days
):
    trace = day(agents, rho, patience, hours=24.0 * days, seed=31)
    found = rrmse(trace)
    for other in ("HOL", "LES", "last-N average"):
        assert found["QL-m"] * 1.15 < found[other], other


def test_delay_history_predictors_are_about_1_4_times_worse_in_heavy_traffic():
    trace = day(50, 0.95, hours=24.0 * 10, seed=41)
    found = rrmse(trace, estimated=False)
    assert 1.2 < found["HOL"] / found["QL"] < 1.6
    assert 1.2 < found["LES"] / found["QL"] < 1.6


@pytest.mark.parametrize(("agents", "rho", "patience"), [(50, 0.9, None), (10, 1.1, 180.0)])
def test_the_announced_range_holds_about_80_percent_of_realised_waits(agents, rho, patience):
    trace = day(agents, rho, patience, hours=24.0 * (5 if agents == 50 else 20), seed=51)
    found = predictions(trace, estimated=True)
    assert coverage(found.low_seconds, found.high_seconds, found.realised_seconds) == (
        pytest.approx(0.80, abs=0.025)
    )


def test_the_simulation_is_reproducible_by_seed():
    first, again, other = (
        day(10, 0.9, 300.0, seed=2),
        day(10, 0.9, 300.0, seed=2),
        day(10, 0.9, 300.0, seed=3),
    )
    assert np.array_equal(first.offered_wait_seconds, again.offered_wait_seconds)
    assert np.array_equal(first.abandon_rate_estimate, again.abandon_rate_estimate)
    assert not np.array_equal(first.arrival_seconds[:50], other.arrival_seconds[:50])


def test_a_peaked_day_brings_more_customers_at_the_peak_hours():
    profile = (0.2,) * 12 + (1.0,) * 12
    trace = day(20, 1.0, 300.0, hours=24.0, seed=6, load_profile=profile, warmup_hours=0.0)
    hour = trace.arrival_seconds // 3600
    quiet, busy = np.sum(hour < 12), np.sum(hour >= 12)
    assert busy / quiet == pytest.approx(5.0, rel=0.1)
