"""Issue 5 item 4: skills, capacity, presence, shifts, closed departments, lapsed certifications."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from truedesk.calendars.actions import assign_department_calendar, create_calendar
from truedesk.cases.actions import take_case
from truedesk.cases.models import CaseEvent
from truedesk.routing import selectors
from truedesk.routing.actions import Outcome, route_case, route_item, set_case_skills
from truedesk.routing.models import RoutingItem, Skill, TrainingModule
from truedesk.routing.tests.conftest import (
    TODAY,
    VILNIUS,
    available,
    capacity,
    new_case,
    train,
)
from truedesk.workforce.actions import add_one_off_shift, add_weekly_shift
from truedesk.workforce.coverage import WeeklyPattern

pytestmark = pytest.mark.usefixtures("clock")


def _events(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind).order_by("id"))


def _item(case):
    return RoutingItem.objects.get(case=case)


def test_a_case_needing_a_product_skill_goes_to_the_agent_trained_in_it(
    world, broadband, broadband_course
):
    from truedesk.routing.models import QueueSkill
    from truedesk.workforce.models import ContactQueue

    queue = ContactQueue.objects.create(
        name="Support chat", slug="support-chat", department=world.support, channel="chat"
    )
    QueueSkill.objects.create(queue=queue, skill=broadband)
    train(world, world.bob, broadband_course, date(2026, 1, 10))
    available(world.alice, world.bob)

    case = new_case(world, channel="chat")
    assert route_case(case=case) == Outcome.ROUTED

    case.refresh_from_db()
    assert case.owner == world.bob
    assert case.status == "open"
    [routed] = _events(case, "case_routed")
    assert routed.actor_label == "routing"
    assert routed.data["agent"]["name"] == "Bob Brown"
    assert [s["name"] for s in routed.data["skills"]] == ["Broadband"]
    [assigned] = _events(case, "case_assigned")
    assert assigned.actor_label == "routing"
    assert _item(case).state == "routed"


def test_nobody_with_the_skill_holds_the_case_and_the_timeline_names_the_skill(
    world, broadband, broadband_course
):
    available(world.alice, world.bob)
    case = new_case(world)
    set_case_skills(acting_user=world.alice, case=case, skills=[broadband])

    assert route_case(case=case) == Outcome.HELD

    case.refresh_from_db()
    assert case.owner is None
    [held] = _events(case, "case_held")
    assert held.data["reason"] == "missing_skill"
    assert [s["name"] for s in held.data["skills"]] == ["Broadband"]
    assert _item(case).reason == "missing_skill"


def test_the_customers_language_is_needed_when_a_language_skill_exists(world):
    russian = Skill.objects.create(kind=Skill.Kind.LANGUAGE, code="ru", name="Russian")
    course = TrainingModule.objects.create(name="Russian for support")
    course.skills.add(russian)
    world.dave.language = "ru"
    world.dave.save()
    train(world, world.alice, course, date(2025, 6, 1))
    available(world.alice, world.bob)
    capacity(world.alice, "chat", 5)
    capacity(world.bob, "chat", 5)

    case = new_case(world)
    route_case(case=case)

    case.refresh_from_db()
    assert case.owner == world.alice


def test_an_agent_at_capacity_on_the_channel_is_passed_over_then_everyone_full_holds(world):
    capacity(world.alice, "phone", 1)
    capacity(world.bob, "phone", 1)
    available(world.alice, world.bob)

    first, second, third = (new_case(world, channel="phone") for _ in range(3))
    route_case(case=first)
    route_case(case=second)
    assert route_case(case=third) == Outcome.HELD

    owners = {first.__class__.objects.get(pk=c.pk).owner for c in (first, second)}
    assert owners == {world.alice, world.bob}
    [held] = _events(third, "case_held")
    assert held.data["reason"] == "at_capacity"


def test_the_least_loaded_agent_wins_and_a_tie_goes_to_the_longest_idle(world, clock):
    capacity(world.alice, "chat", 3)
    capacity(world.bob, "chat", 3)
    available(world.bob)
    clock.shift(timedelta(minutes=5))
    available(world.alice)  # bob has been idle longer

    first = new_case(world)
    route_case(case=first)
    first.refresh_from_db()
    assert first.owner == world.bob

    clock.shift(timedelta(minutes=1))
    second = new_case(world)
    route_case(case=second)
    second.refresh_from_db()
    assert second.owner == world.alice  # bob now has one chat in hand, alice none

    phone = new_case(world, channel="phone")
    route_case(case=phone)
    phone.refresh_from_db()
    # Chats do not count against the phone: both hold no call; bob got his last
    # case a minute before alice got hers, so he has been idle longer.
    assert phone.owner == world.bob
    assert selectors.load_on(world.bob.pk, "phone") == 1


def test_an_available_agent_off_shift_is_never_routed_to(world):
    tomorrow = datetime(2026, 3, 5, 8, tzinfo=VILNIUS)
    add_one_off_shift(
        acting_user=world.carol,
        agent=world.alice,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(hours=8),
    )
    available(world.alice)

    case = new_case(world)
    assert route_case(case=case) == Outcome.HELD
    assert _item(case).reason == "nobody_available"

    available(world.bob)  # keeps no shifts at all: always there (decision 0018)
    assert route_item(item_id=_item(case).pk) == Outcome.ROUTED
    case.refresh_from_db()
    assert case.owner == world.bob


def test_a_shift_for_another_department_does_not_count(world):
    add_weekly_shift(
        acting_user=world.carol,
        agent=world.bob,
        pattern=WeeklyPattern(
            weekdays=frozenset(range(7)), start=time(0), end=time(0), time_zone="Europe/Vilnius"
        ),
        department=world.billing,
    )
    available(world.bob)
    case = new_case(world, department=world.support)
    assert route_case(case=case) == Outcome.HELD
    billing_case = new_case(world, department=world.billing)
    assert route_case(case=billing_case) == Outcome.ROUTED


def test_away_and_busy_agents_receive_nothing(world):
    from truedesk.routing.actions import set_presence

    set_presence(acting_user=world.alice, agent=world.alice, status="busy")
    set_presence(acting_user=world.bob, agent=world.bob, status="away")
    case = new_case(world)
    assert route_case(case=case) == Outcome.HELD


def test_a_closed_department_holds_the_case_until_it_opens(world, clock):
    office = create_calendar(
        acting_user=world.carol,
        name="Billing hours",
        time_zone="Europe/Vilnius",
        country="",
        hours={day: [(time(8), time(17))] for day in range(5)},
    )
    assign_department_calendar(acting_user=world.carol, department=world.billing, calendar=office)
    clock.move_to(datetime(2026, 3, 7, 10, tzinfo=VILNIUS))  # Saturday
    available(world.bob)

    case = new_case(world, department=world.billing)
    assert route_case(case=case) == Outcome.HELD
    [held] = _events(case, "case_held")
    assert held.data["reason"] == "department_closed"
    assert held.data["department"]["name"] == "Billing"
    opens = datetime.fromisoformat(held.data["next_open_at"])
    assert opens == datetime(2026, 3, 9, 8, tzinfo=VILNIUS)

    clock.move_to(datetime(2026, 3, 9, 8, 5, tzinfo=VILNIUS))  # Monday
    assert route_item(item_id=_item(case).pk) == Outcome.ROUTED
    case.refresh_from_db()
    assert case.owner == world.bob


def test_a_lapsed_certification_stops_routing_at_once(world, clock, broadband, broadband_course):
    set_case = broadband
    train(world, world.alice, broadband_course, date(2025, 3, 5), expires_on=date(2026, 3, 5))
    available(world.alice)

    before = new_case(world)
    set_case_skills(acting_user=world.carol, case=before, skills=[set_case])
    assert route_case(case=before) == Outcome.ROUTED  # the last day it counts

    clock.move_to(datetime(2026, 3, 5, 0, 1, tzinfo=VILNIUS))  # expires_on: no longer
    after = new_case(world)
    set_case_skills(acting_user=world.carol, case=after, skills=[set_case])
    assert route_case(case=after) == Outcome.HELD
    assert _item(after).reason == "missing_skill"
    assert selectors.list_agent_skills(world.alice) == []


def test_the_hold_queue_is_ordered_by_priority_then_age(world, clock):
    old_normal = new_case(world, subject="old normal")
    clock.shift(timedelta(minutes=1))
    urgent = new_case(world, priority=4, subject="urgent")
    clock.shift(timedelta(minutes=1))
    new_normal = new_case(world, subject="new normal")
    clock.shift(timedelta(minutes=1))
    low = new_case(world, priority=1, subject="low")
    for case in (new_normal, low, old_normal, urgent):
        assert route_case(case=case) == Outcome.HELD

    queue = [item.case.subject for item in selectors.list_hold_queue()]
    assert queue == ["urgent", "old normal", "new normal", "low"]

    # One free chat slot: the head of the queue gets it.
    from truedesk.routing.actions import route_waiting

    capacity(world.alice, "chat", 1)
    available(world.alice)
    counts = route_waiting()
    assert counts["routed"] == 1
    urgent.refresh_from_db()
    assert urgent.owner == world.alice
    assert [item.case.subject for item in selectors.list_hold_queue()] == [
        "old normal",
        "new normal",
        "low",
    ]


def test_routing_twice_assigns_once_and_a_repeated_hold_reason_is_written_once(world):
    case = new_case(world)
    assert route_case(case=case) == Outcome.HELD
    assert route_case(case=case) == Outcome.HELD
    assert len(_events(case, "case_held")) == 1

    available(world.alice)
    assert route_case(case=case) == Outcome.ROUTED
    assert route_case(case=case) == Outcome.SKIPPED
    assert len(_events(case, "case_routed")) == 1


def test_a_case_someone_took_leaves_the_hold_queue(world):
    case = new_case(world)
    route_case(case=case)
    take_case(acting_user=world.alice, case=case)
    assert list(selectors.list_hold_queue()) == []
    assert route_item(item_id=_item(case).pk) == Outcome.WITHDRAWN
    assert _events(case, "case_routed") == []


def test_training_records_count_from_completion_to_expiry(world, broadband, broadband_course):
    train(world, world.alice, broadband_course, TODAY)
    record = world.alice.training_records.get()
    assert record.expires_on == date(2027, 3, 4)  # the module's 365 days
    assert selectors.agent_has_skill(world.alice, broadband)
    assert not selectors.agent_has_skill(world.bob, broadband)
