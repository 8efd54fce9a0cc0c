"""A waiting customer is told an honest wait: right formulas, exact ranges, careful words.

Reference values are independent of the engine: plain sums with math.fsum for the means
and variances, and the wait's distribution by uniformisation of its phase-type chain (a
Poisson mixture of "how many of the k+1 stages are done") for the quantiles.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from truedesk.workforce.queueing import QueueingInputError
from truedesk.workforce.queueing.wait_prediction import (
    ANNOUNCE_CAP_MINUTES,
    PREDICTORS,
    QueueSnapshot,
    WaitPrediction,
    WaitStatus,
    abandonment_aware_wait,
    abandonment_aware_wait_seconds,
    conditional_wait_moments,
    describe_wait,
    estimate_abandon_rate,
    head_of_line_wait,
    last_to_enter_service_wait,
    predict_wait,
    queue_length_wait,
    recent_average_wait,
    wait_quantiles,
    weighted_recent_mean,
)


def snapshot(**changes):
    values = {"ahead": 4, "agents": 10, "aht_seconds": 300.0}
    return QueueSnapshot(**{**values, **changes})


def rates(ahead, agents, aht, theta):
    return agents / aht + theta * np.arange(ahead + 1)


def survival(stage_rates, t):
    """P(W > t) for W a sum of exponentials, by uniformisation (positive terms only)."""
    top = stage_rates.max()
    steps = stage_rates / top
    count = int(top * t + 12 * math.sqrt(top * t) + 30)
    weights = stats.poisson.pmf(np.arange(count + 1), top * t)
    undone = np.zeros(stage_rates.size)
    undone[0] = 1.0
    total = 0.0
    for weight in weights:
        total += weight * undone.sum()
        moved = undone * steps
        undone = undone - moved
        undone[1:] += moved[:-1]
    return total


def exact_quantile(stage_rates, p):
    mean = float(np.sum(1.0 / stage_rates))
    return optimize.brentq(lambda t: 1.0 - survival(stage_rates, t) - p, 0.0, 30 * mean)


def test_queue_length_predictor_is_the_next_k_plus_1_departures_of_n_busy_agents():
    # 4 ahead, 10 agents of 300 s: five departures at one every 30 s.
    assert queue_length_wait(snapshot()) == pytest.approx(150.0, rel=1e-15)
    assert queue_length_wait(snapshot(ahead=0)) == pytest.approx(30.0, rel=1e-15)


@pytest.mark.parametrize("patience", [1e-2, 1.0, 60.0, 180.0, 600.0, 3e5, 3e8, 3e13])
@pytest.mark.parametrize("ahead", [0, 1, 7, 60, 2000])
def test_abandonment_aware_mean_and_variance_equal_the_plain_sums(patience, ahead):
    theta, agents, aht = 1.0 / patience, 10, 300.0
    stage = [agents / aht + i * theta for i in range(ahead + 1)]
    mean, variance = conditional_wait_moments(
        ahead=ahead, agents=agents, aht_seconds=aht, abandon_rate_per_second=theta
    )
    assert float(mean) == pytest.approx(math.fsum(1.0 / r for r in stage), rel=1e-11)
    assert float(variance) == pytest.approx(math.fsum(1.0 / r**2 for r in stage), rel=1e-11)


def test_customers_ahead_who_hang_up_shorten_the_wait_and_no_hang_ups_give_back_ql():
    plain = queue_length_wait(snapshot(ahead=20))
    patient = abandonment_aware_wait(snapshot(ahead=20, abandon_rate_per_second=1 / 900))
    impatient = abandonment_aware_wait(snapshot(ahead=20, abandon_rate_per_second=1 / 120))
    assert plain is not None and patient is not None and impatient is not None
    assert impatient < patient < plain
    assert abandonment_aware_wait(snapshot(ahead=20)) == pytest.approx(plain, rel=1e-15)


def test_the_kernels_take_arrays_and_agree_with_the_one_customer_predictors():
    ahead = np.array([0, 3, 12, 40])
    theta = np.array([0.0, 1 / 600, 1 / 180, 1 / 60])
    many = abandonment_aware_wait_seconds(
        ahead=ahead, agents=12, aht_seconds=240.0, abandon_rate_per_second=theta
    )
    one = [
        abandonment_aware_wait(
            QueueSnapshot(ahead=int(k), agents=12, aht_seconds=240.0, abandon_rate_per_second=t)
        )
        for k, t in zip(ahead, theta, strict=True)
    ]
    assert many == pytest.approx(one, rel=1e-14)


@pytest.mark.parametrize(
    ("agents", "patience"),
    [(1, 3000.0), (1, 300.0), (1, 100.0), (1, 30.0), (10, 30.0), (50, 600.0)],
)
@pytest.mark.parametrize("ahead", [0, 2, 9, 40])
def test_the_range_is_the_exact_10th_and_90th_percentile_even_when_hang_ups_dominate(
    agents, patience, ahead
):
    aht, theta = 300.0, 1.0 / patience
    low, high = wait_quantiles(
        ahead=ahead,
        agents=agents,
        aht_seconds=aht,
        abandon_rate_per_second=theta,
        probabilities=(0.1, 0.9),
    )
    stage = rates(ahead, agents, aht, theta)
    assert float(low) == pytest.approx(exact_quantile(stage, 0.1), rel=1e-7)
    assert float(high) == pytest.approx(exact_quantile(stage, 0.9), rel=1e-7)


def test_without_hang_ups_the_range_is_the_erlang_distributions():
    low, high = wait_quantiles(ahead=5, agents=20, aht_seconds=400.0, probabilities=(0.1, 0.9))
    erlang = stats.gamma(a=6, scale=400.0 / 20)
    assert float(low) == pytest.approx(erlang.ppf(0.1), rel=1e-12)
    assert float(high) == pytest.approx(erlang.ppf(0.9), rel=1e-12)


def test_with_no_agent_on_shift_there_is_no_number_at_all():
    prediction = predict_wait(snapshot(agents=0))
    assert prediction.status is WaitStatus.NO_AGENTS
    assert prediction == WaitPrediction.no_agents()
    assert prediction.expected_seconds is None and prediction.high_seconds is None
    assert describe_wait(prediction) is None
    assert queue_length_wait(snapshot(agents=0)) is None
    assert abandonment_aware_wait(snapshot(agents=0)) is None
    with pytest.raises(QueueingInputError, match="at least one agent"):
        conditional_wait_moments(ahead=3, agents=0, aht_seconds=300.0)


def test_a_customer_with_an_idle_agent_is_told_about_a_minute_never_zero():
    prediction = predict_wait(snapshot(ahead=1, agents_busy=7))  # 3 idle agents
    assert prediction.expected_seconds == 0.0
    assert describe_wait(prediction) == (1, 1)


def test_more_busy_agents_than_staffed_is_read_as_all_busy():
    assert predict_wait(snapshot(agents_busy=14)) == predict_wait(snapshot())


@pytest.mark.parametrize("ahead", [0, 1, 2])
def test_short_queues_are_told_a_range(ahead):
    prediction = predict_wait(snapshot(ahead=ahead))
    assert prediction.short_queue
    low, high = describe_wait(prediction)
    assert low < high


def test_from_three_ahead_a_patient_queue_is_told_one_number_rounded_to_the_minute():
    prediction = predict_wait(snapshot(ahead=3, aht_seconds=600.0))  # 4 x 60 s = 240 s
    assert not prediction.short_queue
    assert describe_wait(prediction) == (4, 4)


def test_a_long_but_very_uncertain_wait_is_still_told_a_range():
    # One agent, callers who hang up within a minute on average: most of the queue
    # will leave, and the wait's coefficient of variation stays far above 0.5.
    prediction = predict_wait(
        QueueSnapshot(ahead=8, agents=1, aht_seconds=600.0, abandon_rate_per_second=1 / 60)
    )
    assert prediction.short_queue
    low, high = describe_wait(prediction)
    assert low < high


def test_ranges_round_outwards_to_sensible_steps_and_keep_the_percentiles_inside():
    prediction = WaitPrediction(WaitStatus.PREDICTED, 900.0, 430.0, 1590.0, short_queue=True)
    assert describe_wait(prediction) == (7, 30)  # 7.2 min down to 7; 26.5 min up to 30
    prediction = WaitPrediction(WaitStatus.PREDICTED, 1500.0, 700.0, 1990.0, short_queue=True)
    assert describe_wait(prediction) == (10, 40)  # 11.7 down to 10; 33.2 up to 40
    prediction = WaitPrediction(WaitStatus.PREDICTED, 300.0, 100.0, 560.0, short_queue=True)
    assert describe_wait(prediction) == (1, 10)


def test_points_round_to_the_nearest_step_and_long_waits_stop_at_the_cap():
    def point(seconds):
        return describe_wait(WaitPrediction(WaitStatus.PREDICTED, seconds, 0.0, 0.0, False))

    assert point(10.0) == (1, 1)
    assert point(150.0) == (3, 3)
    assert point(17 * 60.0) == (15, 15)
    assert point(44 * 60.0) == (40, 40)
    assert point(10 * 3600.0) == (ANNOUNCE_CAP_MINUTES, ANNOUNCE_CAP_MINUTES)
    capped = WaitPrediction(WaitStatus.PREDICTED, 9000.0, 6000.0, 12000.0, short_queue=True)
    assert describe_wait(capped) == (100, ANNOUNCE_CAP_MINUTES)


def test_head_of_line_reads_the_elapsed_wait_and_falls_back_to_the_last_served():
    with_head = snapshot(head_of_line_seconds=95.0, last_served_wait_seconds=70.0)
    assert head_of_line_wait(with_head) == 95.0
    nobody_ahead = snapshot(ahead=0, head_of_line_seconds=None, last_served_wait_seconds=70.0)
    assert head_of_line_wait(nobody_ahead) == 70.0
    assert last_to_enter_service_wait(nobody_ahead) == 70.0
    assert head_of_line_wait(snapshot(ahead=0)) is None


def test_the_naive_predictor_is_the_mean_of_the_recent_waits_answered_at_once_included():
    assert recent_average_wait(snapshot(recent_waits_seconds=(0.0, 0.0, 90.0, 30.0))) == 30.0
    assert recent_average_wait(snapshot()) is None


def test_every_comparator_is_registered_by_name():
    assert set(PREDICTORS) == {"QL", "QL-m", "HOL", "LES", "last-N average"}
    assert PREDICTORS["QL-m"](snapshot()) == abandonment_aware_wait(snapshot())


def test_the_patience_estimate_is_hang_ups_over_time_spent_waiting():
    assert estimate_abandon_rate(abandoned=6, waiting_seconds=1200.0) == 0.005
    assert estimate_abandon_rate(abandoned=0, waiting_seconds=0.0) == 0.0


def test_the_patience_estimate_recovers_the_true_rate_from_censored_waits():
    rng = np.random.default_rng(7)
    patience = rng.exponential(240.0, 40_000)
    offered = rng.exponential(90.0, 40_000)  # waits that would have been
    waited = np.minimum(patience, offered)
    theta = estimate_abandon_rate(
        abandoned=int(np.sum(patience < offered)), waiting_seconds=float(waited.sum())
    )
    assert theta == pytest.approx(1 / 240.0, rel=0.03)


def test_the_recent_handling_time_weighs_newer_contacts_more():
    assert weighted_recent_mean([100.0, 300.0], half_life=1.0) == pytest.approx(700 / 3)
    assert weighted_recent_mean([200.0] * 5, half_life=2.0) == pytest.approx(200.0)
    with pytest.raises(QueueingInputError, match="must not be empty"):
        weighted_recent_mean([], half_life=10.0)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"ahead": -1}, "ahead must be from 0"),
        ({"ahead": 2.5}, "ahead must be a whole number"),
        ({"ahead": True}, "ahead must be a whole number"),
        ({"agents": -2}, "agents must be from 0"),
        ({"aht_seconds": 0.0}, "aht_seconds must be more than zero"),
        ({"aht_seconds": float("nan")}, "aht_seconds must be more than zero and finite"),
        ({"aht_seconds": "slow"}, "aht_seconds must be a number"),
        ({"abandon_rate_per_second": -0.1}, "abandon_rate_per_second must be zero or more"),
        ({"agents_busy": -1}, "agents_busy must be from 0"),
        ({"recent_waits_seconds": (10.0, float("inf"))}, "recent_waits_seconds must be zero"),
        ({"head_of_line_seconds": -5.0}, "head_of_line_seconds must be zero or more"),
    ],
)
def test_an_impossible_queue_state_is_refused_with_a_message_naming_the_field(changes, words):
    with pytest.raises(QueueingInputError, match=words) as caught:
        snapshot(**changes)
    assert "%(field)s" in caught.value.template
