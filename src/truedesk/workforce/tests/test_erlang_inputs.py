"""Impossible requests fail loudly with a message a planner can act on, never as NaN."""

from __future__ import annotations

import numpy as np
import pytest

from truedesk.workforce.queueing import (
    QueueingInputError,
    erlang_b,
    erlang_c,
    evaluate,
    evaluate_many,
)

GOOD = {
    "arrivals_per_hour": 360.0,
    "aht_seconds": 240.0,
    "agents": 30,
    "answer_time_seconds": 20.0,
}


def test_the_error_is_a_value_error_carrying_an_untranslated_template_and_its_values():
    with pytest.raises(ValueError) as caught:
        evaluate(**{**GOOD, "aht_seconds": -1.0})
    error = caught.value
    assert isinstance(error, QueueingInputError)
    assert "%(value)s" in error.template
    assert error.params == {"value": "-1.0"}
    assert str(error) == error.template % error.params


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"aht_seconds": 0.0}, "average handling time must be more than zero"),
        ({"aht_seconds": -240.0}, "average handling time must be more than zero"),
        ({"arrivals_per_hour": -1.0}, "arrivals per hour must be zero or more"),
        ({"arrivals_per_hour": float("nan")}, "arrivals per hour must be zero or more and finite"),
        ({"arrivals_per_hour": float("inf")}, "finite"),
        ({"answer_time_seconds": -5.0}, "answer time must be zero or more"),
        ({"patience_seconds": 0.0}, "average patience must be more than zero"),
        ({"patience_seconds": float("inf")}, "leave it out"),
        ({"agents": 2.5}, "whole number"),
        ({"agents": -1}, "whole number"),
        ({"agents": 0}, "at least one agent is needed"),
        ({"agents": "many"}, "number of agents must be a whole number"),
        ({"aht_seconds": "4 minutes"}, "average handling time must be a number"),
    ],
)
def test_bad_single_inputs_are_refused_by_name(change, words):
    with pytest.raises(QueueingInputError, match=words):
        evaluate(**{**GOOD, **change})


@pytest.mark.parametrize("agents", [24, 20, 1])
def test_erlang_c_refuses_a_load_it_cannot_keep_up_with_and_suggests_patience(agents):
    with pytest.raises(QueueingInputError) as caught:
        evaluate(**{**GOOD, "agents": agents})
    message = str(caught.value)
    assert f"{agents} agents cannot keep up with an offered load of 24.00 Erlangs" in message
    assert "patience" in message
    with pytest.raises(QueueingInputError):
        erlang_c(agents, 24.0)


def test_the_same_understaffing_is_fine_once_callers_can_hang_up():
    m = evaluate(**{**GOOD, "agents": 20, "patience_seconds": 120.0})
    assert 0 < m.p_abandon < 1
    assert m.occupancy < 1


def test_array_errors_point_at_the_offending_element():
    with pytest.raises(QueueingInputError, match=r"-3\.0 at index 2"):
        evaluate_many(**{**GOOD, "aht_seconds": np.array([240.0, 200.0, -3.0])})
    with pytest.raises(QueueingInputError, match=r"at index \(1, 0\)"):
        evaluate_many(**{**GOOD, "arrivals_per_hour": np.array([[1.0, 2.0], [np.nan, 4.0]])})


def test_arrays_whose_shapes_do_not_fit_are_refused():
    with pytest.raises(QueueingInputError, match="shapes do not fit"):
        evaluate_many(**{**GOOD, "arrivals_per_hour": np.ones(3), "aht_seconds": np.full(4, 240.0)})


def test_evaluate_takes_one_queue_and_points_to_evaluate_many_for_arrays():
    with pytest.raises(QueueingInputError, match="evaluate_many"):
        evaluate(**{**GOOD, "agents": np.array([30, 31])})


def test_erlang_b_accepts_edge_loads_and_refuses_nonsense():
    assert erlang_b(0, 5.0) == 1.0
    assert erlang_b(3, 0.0) == 0.0
    with pytest.raises(QueueingInputError, match="offered load"):
        erlang_b(3, -1.0)
    with pytest.raises(QueueingInputError, match="whole number"):
        erlang_b(3.5, 1.0)


def test_no_arrivals_mean_nobody_waits_and_nothing_is_late():
    m = evaluate(**{**GOOD, "arrivals_per_hour": 0.0, "patience_seconds": 60.0})
    assert (m.p_wait, m.service_level, m.asa_seconds, m.p_abandon, m.occupancy) == (0, 1, 0, 0, 0)
    idle = evaluate(**{**GOOD, "arrivals_per_hour": 0.0, "agents": 0})
    assert idle.service_level == 1.0
