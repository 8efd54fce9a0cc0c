"""The staffing search returns the true minimum, including below the offered load."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truedesk.workforce.queueing import (
    MAX_AGENTS,
    QueueingInputError,
    evaluate,
    evaluate_many,
    meets_targets,
    required_agents,
)


def _scan(*, arrivals, aht, answer, patience=None, sl=None, asa=None, abandon=None):
    """The smallest n from 1 up that meets every target, by evaluating all of them."""
    load = arrivals / 3600 * aht
    first = 1 if patience is not None else int(np.floor(load)) + 1
    agents = np.arange(first, first + int(4 * load) + 60)
    m = evaluate_many(
        arrivals_per_hour=arrivals,
        aht_seconds=aht,
        agents=agents,
        answer_time_seconds=answer,
        patience_seconds=patience,
    )
    ok = np.ones(agents.shape, dtype=bool)
    if sl is not None:
        ok &= m.service_level >= sl
    if asa is not None:
        ok &= m.asa_seconds <= asa
    if abandon is not None:
        ok &= m.p_abandon <= abandon
    return int(agents[np.argmax(ok)])


def test_the_planners_question_gets_29_agents_without_and_27_with_patience():
    """360 calls/hour, 4-minute handling, 80 % within 20 s (the issue's example)."""
    common = {"arrivals_per_hour": 360, "aht_seconds": 240, "answer_time_seconds": 20}
    assert required_agents(**common, target_sl=0.8) == 29
    assert (
        evaluate(**common, agents=28).service_level
        < 0.8
        <= evaluate(**common, agents=29).service_level
    )
    assert required_agents(**common, target_sl=0.8, patience_seconds=180) == 27


def test_with_impatient_callers_fewer_agents_than_the_load_can_meet_an_abandonment_target():
    """24 Erlangs offered, callers hang up after 30 s on average, at most 30 % may: 18
    agents do it and 17 do not. A search starting at the load would answer 25."""
    common = {"arrivals_per_hour": 360, "aht_seconds": 240, "answer_time_seconds": 20}
    needed = required_agents(**common, patience_seconds=30, max_abandon=0.3)
    assert needed == 18
    assert evaluate(**common, agents=18, patience_seconds=30).p_abandon <= 0.3
    assert evaluate(**common, agents=17, patience_seconds=30).p_abandon > 0.3


CASES = [
    # arrivals/hour, aht, answer time, patience, target sl, max asa, max abandon
    (360, 240, 20, None, 0.8, None, None),
    (360, 240, 20, None, 0.95, 10.0, None),
    (12, 600, 30, None, 0.5, None, None),
    (3000, 300, 15, None, None, 5.0, None),
    (360, 240, 20, 180, 0.8, None, None),
    (360, 240, 20, 30, None, None, 0.1),
    (360, 240, 20, 30, 0.3, None, None),
    (2000, 420, 60, 45, 0.4, None, 0.25),
    (90, 900, 20, 600, None, 30.0, None),
    (5, 300, 20, 60, 0.99, None, None),
    (1000, 200, 0, 20, 0.6, None, None),
]


@pytest.mark.parametrize(("arrivals", "aht", "answer", "patience", "sl", "asa", "abandon"), CASES)
def test_required_agents_equals_a_scan_of_every_staffing_from_one_agent(
    arrivals, aht, answer, patience, sl, asa, abandon
):
    found = required_agents(
        arrivals_per_hour=arrivals,
        aht_seconds=aht,
        target_sl=sl,
        answer_time_seconds=answer,
        patience_seconds=patience,
        max_asa_seconds=asa,
        max_abandon=abandon,
    )
    assert found == _scan(
        arrivals=arrivals,
        aht=aht,
        answer=answer,
        patience=patience,
        sl=sl,
        asa=asa,
        abandon=abandon,
    )


def test_a_week_of_intervals_for_twenty_queues_is_one_call_matching_each_interval_alone():
    rng = np.random.default_rng(7)
    arrivals = rng.uniform(0.0, 900.0, size=(20, 672))
    arrivals[:, :24] = 0.0  # closed at night: nobody needed
    aht = rng.uniform(120.0, 600.0, size=(20, 1))
    both = required_agents(
        arrivals_per_hour=arrivals,
        aht_seconds=aht,
        target_sl=0.8,
        answer_time_seconds=20,
        patience_seconds=240,
    )
    assert both.shape == (20, 672)
    assert both.dtype == np.int64
    assert np.all(both[:, :24] == 0)
    for q, t in zip(rng.integers(0, 20, 25), rng.integers(24, 672, 25), strict=True):
        alone = required_agents(
            arrivals_per_hour=float(arrivals[q, t]),
            aht_seconds=float(aht[q, 0]),
            target_sl=0.8,
            answer_time_seconds=20,
            patience_seconds=240,
        )
        assert both[q, t] == alone


def test_every_target_must_hold_so_the_answer_is_the_largest_single_answer():
    common = {"arrivals_per_hour": 800, "aht_seconds": 300, "answer_time_seconds": 20}
    common["patience_seconds"] = 90
    by_sl = required_agents(**common, target_sl=0.85)
    by_asa = required_agents(**common, max_asa_seconds=4.0)
    by_abandon = required_agents(**common, max_abandon=0.02)
    together = required_agents(**common, target_sl=0.85, max_asa_seconds=4.0, max_abandon=0.02)
    assert together == max(by_sl, by_asa, by_abandon)


def test_meets_targets_agrees_with_the_search_on_either_side_of_the_answer():
    common = {"arrivals_per_hour": 360, "aht_seconds": 240, "answer_time_seconds": 20}
    n = required_agents(**common, target_sl=0.8, patience_seconds=180)
    at = evaluate(**common, agents=n, patience_seconds=180)
    below = evaluate(**common, agents=n - 1, patience_seconds=180)
    assert meets_targets(at, target_sl=0.8)
    assert not meets_targets(below, target_sl=0.8)


def test_no_arrivals_need_no_agents():
    assert (
        required_agents(arrivals_per_hour=0, aht_seconds=300, target_sl=0.8, answer_time_seconds=20)
        == 0
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({}, "at least one target"),
        ({"target_sl": 0.8}, "answer time"),
        ({"max_abandon": 0.05, "answer_time_seconds": 20}, "patience"),
        ({"target_sl": 1.0, "answer_time_seconds": 20}, "strictly between 0 and 1"),
        ({"target_sl": 0.0, "answer_time_seconds": 20}, "strictly between 0 and 1"),
        ({"max_asa_seconds": 0.0}, "maximum average speed of answer"),
        ({"max_asa_seconds": -3.0}, "maximum average speed of answer"),
    ],
)
def test_impossible_targets_are_refused_with_a_message_saying_what_to_fix(kwargs, words):
    with pytest.raises(QueueingInputError, match=words):
        required_agents(arrivals_per_hour=360, aht_seconds=240, **kwargs)


def test_a_load_beyond_a_million_agents_is_refused_rather_than_searched_forever():
    with pytest.raises(QueueingInputError, match="1,000,000"):
        required_agents(
            arrivals_per_hour=3.6e9, aht_seconds=3600, target_sl=0.8, answer_time_seconds=20
        )
    assert MAX_AGENTS == 1_000_000


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=1.0, max_value=3000.0),
    st.floats(min_value=30.0, max_value=900.0),
    st.floats(min_value=0.0, max_value=120.0),
    st.one_of(st.none(), st.floats(min_value=5.0, max_value=2000.0)),
    st.floats(min_value=0.05, max_value=0.99),
)
def test_any_service_level_target_gets_the_scanned_minimum(rate, handling, t, patience, sl):
    found = required_agents(
        arrivals_per_hour=rate,
        aht_seconds=handling,
        target_sl=sl,
        answer_time_seconds=t,
        patience_seconds=patience,
    )
    assert found == _scan(arrivals=rate, aht=handling, answer=t, patience=patience, sl=sl)
