"""What people read: time left in business time, badges for lists, attainment rates."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from truedesk.cases.actions import change_status, reply_to_case
from truedesk.cases.errors import InvalidInput, NotAllowed, NotFound
from truedesk.sla.actions import process_sla_clocks
from truedesk.sla.selectors import get_sla_state, sla_attainment, sla_states_for_cases
from truedesk.sla.tests.conftest import VILNIUS


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=VILNIUS)


def _state(user, case, metric="first_response"):
    return {state.metric: state for state in get_sla_state(user, case)}[metric]


def test_time_left_counts_business_hours_only(world, standard, make_case, clock):
    case = make_case()
    clock.move_to(at(13, 15, 50))

    first = _state(world.alice, case)

    # 70 minutes on Friday, then two hours on Tuesday (Monday is a holiday).
    assert first.remaining == timedelta(hours=3, minutes=10)
    assert (first.text, first.tone, first.label) == ("3 h 10 min left", "plain", "First response")


def test_near_the_deadline_the_badge_warns(world, standard, make_case, clock):
    case = make_case()
    clock.move_to(at(17, 9, 30))

    first = _state(world.alice, case)

    assert (first.warning, first.tone, first.text) == (True, "warn", "30 min left")


def test_past_the_deadline_the_badge_says_by_how_much(world, standard, make_case, clock):
    case = make_case()
    clock.move_to(at(17, 10, 35))
    process_sla_clocks()

    first = _state(world.alice, case)

    assert (first.text, first.tone, first.breached, first.overdue) == (
        "overdue by 35 min",
        "bad",
        True,
        True,
    )


def test_a_paused_clock_says_so_and_keeps_its_time(world, standard, make_case, clock, committed):
    case = make_case()
    clock.move_to(at(13, 16))
    with committed():
        change_status(acting_user=world.alice, case=case, status="waiting_on_customer")
    clock.move_to(at(19, 12))

    first = _state(world.alice, case)

    assert (first.paused, first.text) == (True, "paused — waiting on customer")
    assert first.remaining == timedelta(hours=3)


def test_a_stopped_clock_says_met_or_missed(world, standard, make_case, clock, committed):
    case = make_case()
    clock.move_to(at(13, 16))
    with committed():
        reply_to_case(acting_user=world.alice, case=case, body="Hi", channel="email")

    first = _state(world.alice, case)

    assert (first.text, first.tone, first.met) == ("met", "good", True)


def test_the_state_shows_the_newest_clock_of_each_metric(world, standard, make_case):
    case = make_case()

    assert [state.metric for state in get_sla_state(world.alice, case)] == [
        "first_response",
        "resolution",
    ]


def test_a_customer_sees_his_own_cases_state_and_nobody_elses(world, standard, make_case):
    case = make_case()

    assert get_sla_state(world.dave_user, case)
    for outsider in (world.fiona_user, world.erin, None):
        with pytest.raises(NotFound):
            get_sla_state(outsider, case)


def test_the_states_of_a_whole_list_take_one_query(
    world, standard, make_case, django_assert_num_queries
):
    cases = [make_case(subject=f"Case {n}") for n in range(12)]
    sla_states_for_cases(cases)  # the calendar is compiled once per process

    with django_assert_num_queries(1):
        states = sla_states_for_cases(cases)

    assert len(states) == 12
    assert [s.metric for s in states[cases[0].pk]] == ["first_response", "resolution"]


def test_a_list_without_cases_costs_nothing(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert sla_states_for_cases([]) == {}


# --- attainment ------------------------------------------------------------------------------


@pytest.fixture
def decided(world, standard, make_policy, make_case, clock, committed):
    """Three first responses due Tuesday: two answered in time, one breached (billing)."""
    in_time = [make_case(), make_case(department=world.billing)]
    late = make_case(department=world.billing, priority=3)
    clock.move_to(at(13, 16))
    for case in in_time:
        with committed():
            reply_to_case(acting_user=world.carol, case=case, body="Hi", channel="email")
    clock.move_to(at(17, 11))
    process_sla_clocks()
    return in_time, late


def _rows(user, by, **extra):
    result = sla_attainment(user, since=at(17, 0), until=at(18, 0), by=by, **extra)
    return {row.name: (row.met, row.total, row.rate) for row in result}


def test_attainment_by_department(world, decided):
    assert _rows(world.carol, "department", metric="first_response") == {
        "Billing": (1, 2, 0.5),
        "Technical support": (1, 1, 1.0),
    }


def test_attainment_by_priority_and_by_policy(world, decided):
    assert _rows(world.carol, "priority") == {"Normal": (2, 2, 1.0), "High": (0, 1, 0.0)}
    assert _rows(world.carol, "policy") == {"Standard": (2, 3, 2 / 3)}


def test_attainment_counts_only_decided_clocks_due_in_the_period(world, decided):
    later = sla_attainment(world.carol, since=at(18, 0), until=at(28, 0), by="policy")

    # The resolution clocks are due later and still running: not counted yet.
    assert later == []


def test_attainment_is_for_supervisors(world, decided):
    with pytest.raises(NotAllowed):
        _rows(world.alice, "department")
    with pytest.raises(InvalidInput):
        _rows(world.carol, "weather")
