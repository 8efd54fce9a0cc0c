"""Clocks follow the case: started on opening, stopped by answers, paused while we wait."""

from __future__ import annotations

from datetime import datetime, timedelta

from truedesk.cases.actions import (
    CaseChanges,
    add_internal_note,
    change_status,
    merge_cases,
    open_case,
    record_interaction,
    reply_to_case,
    update_case,
)
from truedesk.sla.actions import process_sla_clocks, sync_case_clocks
from truedesk.sla.models import CaseSla, SlaClock, SlaCursor
from truedesk.sla.tests.conftest import FRIDAY_3PM, VILNIUS, clocks_of, running


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in February 2026, Vilnius time."""
    return datetime(2026, 2, day, hour, minute, tzinfo=VILNIUS)


def agent_reply(world, case, committed, **extra):
    with committed():
        return reply_to_case(acting_user=world.alice, case=case, body="We are on it.",
                             channel="email", **extra)  # fmt: skip


def customer_reply(world, case, committed):
    with committed():
        return reply_to_case(acting_user=world.dave_user, case=case, body="Still broken.",
                             channel="portal")  # fmt: skip


# --- starting, across a weekend and a public holiday ---------------------------------------


def test_the_first_response_is_due_four_business_hours_later_after_a_weekend_and_a_holiday(
    standard, make_case
):
    case = make_case()

    first = running(case, "first_response")
    # Friday 15-17 is two hours; Saturday, Sunday and Monday 16 February (a
    # Lithuanian public holiday) are closed; two more hours on Tuesday.
    assert first.started_at == FRIDAY_3PM
    assert first.due_at == at(17, 10)
    assert first.policy_name == "Standard"


def test_the_resolution_is_due_after_five_business_days_of_office_hours(standard, make_case):
    case = make_case()

    # 40 business hours: Fri 2 h, Tue-Fri 4 x 9 h, then 2 h on Monday 23 February.
    assert running(case, "resolution").due_at == at(23, 10)
    assert not clocks_of(case, "next_response")


def test_without_a_calendar_a_policy_counts_around_the_clock(make_policy, make_case):
    make_policy(name="24/7", first_response_minutes=60)

    case = make_case()

    assert running(case, "first_response").due_at == FRIDAY_3PM + timedelta(hours=1)


def test_a_case_no_policy_matches_has_no_clocks(make_policy, make_case):
    make_policy(name="Urgent only", priority=4)

    case = make_case()

    assert clocks_of(case) == []


def test_a_case_we_opened_ourselves_waits_for_no_first_response(standard, make_case):
    case = make_case(initiated_by="company")

    assert clocks_of(case, "first_response") == []
    assert running(case, "resolution")


# --- responses ------------------------------------------------------------------------------


def test_an_internal_note_is_not_a_first_response(world, standard, make_case, committed, clock):
    case = make_case()
    clock.move_to(at(13, 16))

    with committed():
        add_internal_note(acting_user=world.alice, case=case, body="Probably the router.")

    assert running(case, "first_response").stopped_at is None


def test_the_first_public_agent_reply_meets_the_first_response(
    world, standard, make_case, committed, clock
):
    case = make_case()
    clock.move_to(at(13, 16))

    agent_reply(world, case, committed)

    (first,) = clocks_of(case, "first_response")
    assert (first.stopped_at, first.met) == (at(13, 16), True)
    assert running(case, "resolution").stopped_at is None


def test_a_first_answer_after_the_deadline_is_recorded_as_missed(
    world, standard, make_case, committed, clock
):
    case = make_case()
    clock.move_to(at(17, 11))

    agent_reply(world, case, committed)

    assert clocks_of(case, "first_response")[0].met is False


def test_a_logged_call_to_the_customer_is_a_response_too(
    world, standard, make_case, committed, clock
):
    case = make_case()
    clock.move_to(at(13, 16))

    with committed():
        record_interaction(acting_user=world.alice, case=case, channel="phone",
                           direction="outbound", body="Called him back.")  # fmt: skip

    assert clocks_of(case, "first_response")[0].met is True


def test_a_customer_reply_after_our_answer_starts_the_next_response_clock(
    world, standard, make_case, committed, clock
):
    case = make_case()
    clock.move_to(at(13, 16))
    agent_reply(world, case, committed)
    clock.move_to(at(18, 12))

    customer_reply(world, case, committed)

    following = running(case, "next_response")
    # Eight business hours from Wednesday 12:00: five on Wednesday, three on Thursday.
    assert (following.started_at, following.due_at) == (at(18, 12), at(19, 11))


def test_the_next_response_counts_from_the_first_unanswered_message(
    world, standard, make_case, committed, clock
):
    case = make_case()
    clock.move_to(at(13, 16))
    agent_reply(world, case, committed)
    clock.move_to(at(18, 12))
    customer_reply(world, case, committed)
    clock.move_to(at(18, 14))

    customer_reply(world, case, committed)

    assert running(case, "next_response").started_at == at(18, 12)
    clock.move_to(at(18, 15))
    agent_reply(world, case, committed)
    (following,) = clocks_of(case, "next_response")
    assert (following.stopped_at, following.met) == (at(18, 15), True)


def test_a_customers_second_message_before_any_answer_does_not_start_another_clock(
    world, standard, make_case, committed, clock
):
    case = make_case()
    clock.move_to(at(13, 16))

    customer_reply(world, case, committed)

    assert clocks_of(case, "next_response") == []
    assert running(case, "first_response").started_at == FRIDAY_3PM


# --- waiting on the customer --------------------------------------------------------------


def test_waiting_on_the_customer_pauses_every_clock_and_his_reply_resumes_them(
    world, standard, make_case, committed, clock
):
    case = make_case()
    clock.move_to(at(13, 16))
    agent_reply(world, case, committed, set_status="waiting_on_customer")

    resolution = running(case, "resolution")
    assert resolution.paused_at == at(13, 16)
    clock.move_to(at(18, 12))
    customer_reply(world, case, committed)

    resolution.refresh_from_db()
    # Paused Friday 16-17, all Tuesday and Wednesday 8-12: 14 business hours,
    # so the 39 hours left when paused run from Wednesday 12:00.
    assert resolution.paused_at is None
    assert resolution.paused_business == timedelta(hours=14)
    assert resolution.due_at == at(24, 15)


def test_a_paused_clock_is_not_resumed_by_waiting_on_a_third_party(
    world, standard, make_case, committed, clock
):
    case = make_case()
    with committed():
        change_status(acting_user=world.alice, case=case, status="waiting_on_third_party")

    assert running(case, "first_response").paused_at is None


def test_an_agent_taking_the_case_off_waiting_resumes_the_clocks(
    world, standard, make_case, committed, clock
):
    case = make_case()
    with committed():
        change_status(acting_user=world.alice, case=case, status="waiting_on_customer")
    clock.move_to(at(17, 8))

    with committed():
        change_status(acting_user=world.alice, case=case, status="open")

    first = running(case, "first_response")
    # Paused Friday 15-17 (2 business hours): four hours from Tuesday 08:00.
    assert (first.paused_at, first.due_at) == (None, at(17, 12))


# --- resolution -------------------------------------------------------------------------------


def test_resolving_meets_the_resolution_and_reopening_starts_a_new_one(
    world, standard, make_case, committed, clock
):
    case = make_case()
    clock.move_to(at(13, 16))
    agent_reply(world, case, committed, set_status="resolved")
    (first,) = clocks_of(case, "resolution")
    assert (first.stopped_at, first.met) == (at(13, 16), True)
    assert clocks_of(case, "first_response")[0].met is True
    clock.move_to(at(18, 9))

    customer_reply(world, case, committed)

    second = running(case, "resolution")
    assert (second.cycle, second.started_at) == (2, at(18, 9))
    assert running(case, "next_response").started_at == at(18, 9)
    assert clocks_of(case, "first_response")[0].stopped_at == at(13, 16)


def test_a_merged_case_stops_its_clocks_without_a_verdict(
    world, standard, make_case, committed, clock
):
    target, source = make_case(), make_case(subject="Same again")

    with committed():
        merge_cases(acting_user=world.alice, source=source, target=target)

    assert {(c.metric, c.met) for c in clocks_of(source)} == {
        ("first_response", None),
        ("resolution", None),
    }
    assert all(c.stopped_at for c in clocks_of(source))
    assert running(target, "first_response")


# --- priority and kind ------------------------------------------------------------------------


def test_raising_the_priority_counts_the_new_target_from_the_original_start(
    world, standard, make_policy, make_case, committed, clock
):
    make_policy(name="Urgent", priority=4, first_response_minutes=60, resolution_minutes=480)
    case = make_case()
    clock.move_to(at(13, 15, 30))

    with committed():
        update_case(acting_user=world.alice, case=case, expected_version=case.version,
                    changes=CaseChanges(priority=4))  # fmt: skip

    first = running(case, "first_response")
    assert (first.policy_name, first.started_at, first.due_at) == (
        "Urgent",
        FRIDAY_3PM,
        FRIDAY_3PM + timedelta(hours=1),
    )
    assert CaseSla.objects.get(case=case).policy.name == "Urgent"


def test_a_priority_that_brings_a_policy_starts_its_clocks_from_the_opening(
    world, make_policy, make_case, committed, clock
):
    make_policy(name="Urgent", priority=4, first_response_minutes=60)
    case = make_case()
    assert clocks_of(case) == []
    clock.move_to(at(13, 15, 30))

    with committed():
        update_case(acting_user=world.alice, case=case, expected_version=case.version,
                    changes=CaseChanges(priority=4))  # fmt: skip

    assert running(case, "first_response").due_at == FRIDAY_3PM + timedelta(hours=1)


def test_a_new_policy_without_a_target_stops_that_clock_without_a_verdict(
    world, standard, make_policy, make_case, committed, clock
):
    make_policy(name="Complaints", case_kind="complaint", resolution_minutes=600)
    case = make_case()

    with committed():
        update_case(acting_user=world.alice, case=case, expected_version=case.version,
                    changes=CaseChanges(kind="complaint"))  # fmt: skip

    (first,) = clocks_of(case, "first_response")
    assert (first.stopped_at, first.met) == (FRIDAY_3PM, None)
    assert running(case, "resolution").policy_name == "Complaints"


# --- surviving restarts -----------------------------------------------------------------------


def test_the_sweep_applies_events_the_listener_missed_and_only_once(world, standard, clock):
    # Opened without running the after-commit listener: as if the process died.
    case = open_case(acting_user=world.alice, customer=world.dave, subject="Lost", body="b",
                     channel="email", department=world.support)  # fmt: skip
    assert clocks_of(case) == []

    first = process_sla_clocks()
    second = process_sla_clocks()

    assert first.caught_up == 1 and second.caught_up == 0
    assert running(case, "first_response").due_at == at(17, 10)
    assert SlaClock.objects.filter(case=case).count() == 2
    assert sync_case_clocks(case_id=case.pk) == 0


def test_the_catch_up_mark_moves_past_events_only_once_they_are_old_enough(world, standard, clock):
    case = open_case(acting_user=world.alice, customer=world.dave, subject="Lost", body="b",
                     channel="email", department=world.support)  # fmt: skip

    process_sla_clocks()
    assert SlaCursor.objects.get().last_event_id < case.events.get().pk
    clock.shift(timedelta(minutes=3))
    process_sla_clocks()

    assert SlaCursor.objects.get().last_event_id == case.events.get().pk


def test_cases_opened_before_sla_tracking_get_no_clocks(world, standard, clock):
    case = open_case(acting_user=world.alice, customer=world.dave, subject="Old", body="b",
                     channel="email", department=world.support)  # fmt: skip
    SlaCursor.objects.update_or_create(
        key=1, defaults={"installed_after_event_id": case.events.get().pk}
    )

    sync_case_clocks(case_id=case.pk)

    assert clocks_of(case) == []
    assert CaseSla.objects.get(case=case).tracked is False
