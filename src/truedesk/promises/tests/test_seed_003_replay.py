"""Seed 003 replayed end to end: the fibre upgrade that took 22 calls, three missed deadlines,
an "escalation manager" without the notes, a transfer into a billing department closed for the
weekend and a "24/7 live technical support" nobody staffed (issue 3).

Everything goes through the real actions, the promise sweep, the runaround guard's post-commit
listener (queued tasks run at once) and the service-level check; email is the EmailDelivery
queue and Django's in-memory outbox, never the network. The clock is frozen and moved by hand;
November, so Vilnius is UTC+2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from truedesk.calendars.actions import assign_department_calendar, create_calendar
from truedesk.cases.actions import add_internal_note, open_case, record_interaction, transfer_case
from truedesk.cases.errors import DepartmentClosed
from truedesk.cases.models import Case, Transfer
from truedesk.cases.selectors import get_case_timeline
from truedesk.notifications.actions import deliver_due_emails
from truedesk.notifications.models import EmailDelivery, Notification
from truedesk.promises.actions import SweepResult, process_due_promises, record_promise
from truedesk.promises.models import Promise
from truedesk.runaround.models import Rescue
from truedesk.runaround.selectors import find_open_rescue
from truedesk.testing.personas import World, make_staff
from truedesk.workforce.actions import ServiceLevelTerms, add_weekly_shift, publish_service_level
from truedesk.workforce.coverage import WeeklyPattern
from truedesk.workforce.selectors import check_published_service_levels

VILNIUS = ZoneInfo("Europe/Vilnius")
FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
MONDAY_08_UTC = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
DAVE = "dave@example.com"
PROMISE_24_7 = "Technical support by phone 24/7"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Vilnius wall-clock moment."""
    return datetime.combine(day, time(hour, minute), tzinfo=VILNIUS)


@pytest.fixture
def story_clock() -> Iterator[Any]:
    """Friday 09:00 in Vilnius, standing still until the story moves it."""
    with time_machine.travel(at(FRIDAY, 9), tick=False) as traveller:
        yield traveller


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any, settings: Any) -> Callable[..., Any]:
    """Run an action and what it schedules after its commit (guard listener, queued tasks)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def run(action: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


@pytest.fixture
def phone_company(world: World, story_clock: Any) -> World:
    """Billing keeps Mon-Fri 08:00-17:00; phone support is staffed Mon-Fri 08:00-20:00 only,
    while the brochure promises it 24/7."""
    billing_hours = create_calendar(
        acting_user=world.carol,
        name="Billing office",
        time_zone="Europe/Vilnius",
        country="LT",
        hours={day: [(time(8), time(17))] for day in range(5)},
    )
    assign_department_calendar(
        acting_user=world.carol, department=world.billing, calendar=billing_hours
    )
    weekdays = WeeklyPattern(frozenset(range(5)), time(8), time(20), "Europe/Vilnius")
    for agent in (world.alice, world.bob):
        add_weekly_shift(
            acting_user=world.carol,
            agent=agent,
            pattern=weekdays,
            department=world.support,
            channel="phone",
        )
    publish_service_level(
        acting_user=world.carol,
        terms=ServiceLevelTerms(text=PROMISE_24_7, channel="phone", department=world.support),
    )
    return world


def _emails_to_dave(subject_part: str) -> list[EmailDelivery]:
    return list(
        EmailDelivery.objects.filter(to_address=DAVE, subject__contains=subject_part).order_by("pk")
    )


def _call(committed: Callable[..., Any], case: Case, agent: Any, minutes: int, what: str) -> None:
    committed(
        record_interaction,
        acting_user=agent,
        case=case,
        channel="phone",
        direction="inbound",
        body=what,
        handled_by=agent,
        customer_seconds=minutes * 60,
    )


def test_the_seed_003_upgrade_runaround_is_caught_at_every_turn(
    phone_company: World, story_clock: Any, committed: Callable[..., Any]
) -> None:
    world = phone_company
    frank = make_staff("frank", "agent", "Frank Ford")
    world.support.members.add(frank)

    # --- Friday 09:00: dave calls; alice opens the case and promises a technician by 17:00.
    case = committed(
        open_case,
        acting_user=world.alice,
        customer=world.dave,
        subject="No dial tone since the fibre upgrade",
        body="Dial tone gone 18 hours before the switch-over; nobody warned me.",
        channel="phone",
        department=world.support,
        owner=world.alice,
    )
    committed(
        add_internal_note,
        acting_user=world.alice,
        case=case,
        body="Copper port cut early by provisioning; fibre ONT not activated yet.",
    )
    first = committed(
        record_promise,
        acting_user=world.alice,
        case=case,
        kind=Promise.Kind.CALL_BACK,
        description="A technician will call you by 17:00 today.",
        due_at=at(FRIDAY, 17),
    )
    assert len(_emails_to_dave("")) == 1  # the confirmation of what was promised

    # --- 17:05: nobody called. The sweep notices, flags the case, puts a follow-up in its
    # place with an owner and tells dave unasked — once, however often it runs.
    story_clock.move_to(at(FRIDAY, 17, 5))
    assert committed(process_due_promises) == SweepResult(missed=1, followed_up=1)
    first.refresh_from_db()
    case.refresh_from_db()
    assert first.status == Promise.Status.MISSED
    assert case.flagged_at is not None
    assert case.flag_reason.startswith("Promise missed: Call-back due 2026-11-20 17:00")
    follow_up = first.replaced_by
    assert follow_up is not None and follow_up.status == Promise.Status.OPEN
    assert follow_up.owner == world.alice
    assert follow_up.due_at == at(FRIDAY, 19, 5)
    missed_subject = f"We missed our promise on case #{case.number}"
    assert len(_emails_to_dave(missed_subject)) == 1
    story_clock.move_to(at(FRIDAY, 17, 6))
    assert committed(process_due_promises) == SweepResult()
    assert len(_emails_to_dave(missed_subject)) == 1

    # --- 17:30: dave calls again and gets bob (20 minutes); bob leaves a note.
    story_clock.move_to(at(FRIDAY, 17, 30))
    _call(committed, case, world.bob, 20, "Customer still without dial tone; escalated to field.")
    committed(
        add_internal_note,
        acting_user=world.bob,
        case=case,
        body="Field team says the ONT serial was never registered. Ticket FLD-8812.",
    )
    assert not Rescue.objects.exists()

    # --- 19:10: the follow-up is missed too: noticed and told again, a third deadline set.
    story_clock.move_to(at(FRIDAY, 19, 10))
    assert committed(process_due_promises) == SweepResult(missed=1, followed_up=1)
    follow_up.refresh_from_db()
    assert follow_up.status == Promise.Status.MISSED
    third = follow_up.replaced_by
    assert third is not None and third.status == Promise.Status.OPEN
    assert len(_emails_to_dave(missed_subject)) == 2

    # --- Saturday morning: a third call, to alice again: three contacts, two people,
    # 45 minutes — at the limits, not over them.
    story_clock.move_to(at(SATURDAY, 8, 30))
    _call(committed, case, world.alice, 25, "Calling again: still no dial tone, missed call-back.")
    case.refresh_from_db()
    assert (case.contact_count, case.staff_touched_count, case.customer_seconds) == (
        3,
        2,
        45 * 60,
    )
    assert not Rescue.objects.exists()

    # --- 09:00: the fourth call, to a third person, crosses the thresholds: the guard
    # rescues the case at once and gives it to a named senior, and dave is told who.
    story_clock.move_to(at(SATURDAY, 9))
    _call(committed, case, frank, 20, "Fourth call. Customer asks for someone to own this.")
    rescue = find_open_rescue(case)
    assert rescue is not None
    assert rescue.new_owner == world.carol
    assert rescue.previous_owner == world.alice
    assert rescue.breaches == [
        {"metric": "contacts", "value": 4, "limit": 3},
        {"metric": "customer_minutes", "value": 65, "limit": 60},
    ]
    case.refresh_from_db()
    assert case.owner == world.carol
    owner_subject = f"Case #{case.number}: Carol Clark is now personally responsible for it"
    (told,) = _emails_to_dave(owner_subject)
    assert "carol@truedesk.test" in told.body
    assert Notification.objects.filter(recipient=world.carol, kind="case_rescued").exists()

    # More calls change nothing: one rescue, one email.
    story_clock.move_to(at(SATURDAY, 9, 20))
    _call(committed, case, world.bob, 10, "Customer confirms Carol is his contact now.")
    assert Rescue.objects.filter(case=case).count() == 1
    assert len(_emails_to_dave(owner_subject)) == 1

    # The third deadline passes too; now its follow-up belongs to the senior owner.
    story_clock.move_to(at(SATURDAY, 9, 30))
    assert committed(process_due_promises) == SweepResult(missed=1, followed_up=1)
    third.refresh_from_db()
    assert third.status == Promise.Status.MISSED
    assert third.replaced_by is not None and third.replaced_by.owner == world.carol
    assert len(_emails_to_dave(missed_subject)) == 3

    # --- The escalation manager sees every earlier note and call; dave sees no internal note.
    staff_view = " ".join(
        item.interaction.body
        for item in get_case_timeline(world.carol, case)
        if item.interaction is not None
    )
    for text in (
        "Copper port cut early by provisioning",
        "ONT serial was never registered. Ticket FLD-8812.",
        "Customer still without dial tone; escalated to field.",
        "Calling again: still no dial tone, missed call-back.",
        "Fourth call. Customer asks for someone to own this.",
        "Dial tone gone 18 hours before the switch-over",
    ):
        assert text in staff_view
    customer_view = " ".join(
        item.interaction.body
        for item in get_case_timeline(world.dave_user, case)
        if item.interaction is not None
    )
    assert "FLD-8812" not in customer_view
    assert "Copper port" not in customer_view

    # --- Saturday 10:00: a hand-off to Billing, closed for the weekend, is refused with
    # Monday 08:00; the senior keeps the case and promises the call-back for then.
    story_clock.move_to(at(SATURDAY, 10))
    with pytest.raises(DepartmentClosed) as refused:
        committed(
            transfer_case,
            acting_user=world.carol,
            case=case,
            to_department=world.billing,
            reason="Says it is a billing problem",
            handoff_note="Customer billed for fibre while the line is dead.",
        )
    assert refused.value.next_open_at == MONDAY_08_UTC
    assert refused.value.message == "Billing is closed now. It opens Monday 08:00."
    assert not Transfer.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert (case.owner, case.department) == (world.carol, world.support)
    call_back = committed(
        record_promise,
        acting_user=world.carol,
        case=case,
        kind=Promise.Kind.CALL_BACK,
        description="Billing will call you when it opens on Monday.",
        due_at=refused.value.next_open_at,
    )
    assert (call_back.owner, call_back.due_at, call_back.status) == (
        world.carol,
        MONDAY_08_UTC,
        Promise.Status.OPEN,
    )
    assert EmailDelivery.objects.filter(
        to_address=DAVE, dedupe_key=f"promise:{call_back.pk}:made"
    ).exists()

    # --- Everything dave was told reaches his inbox exactly once.
    deliver_due_emails(now=at(SATURDAY, 10, 5))
    to_dave = [message.subject for message in mail.outbox if message.to == [DAVE]]
    assert to_dave.count(missed_subject) == 3
    assert to_dave.count(owner_subject) == 1
    assert EmailDelivery.objects.filter(to_address=DAVE).exclude(status="sent").count() == 0

    # --- The "24/7" is exposed: Friday 20:00 to Monday 08:00 nobody is on the phone.
    gaps = check_published_service_levels(week_start=date(2026, 11, 23))
    weekend = gaps[-1]
    assert weekend.description == (
        f"{PROMISE_24_7}: nobody scheduled Fri 20:00 \u2013 Mon 08:00 (60 h/week)"
    )
    assert weekend.start <= at(date(2026, 11, 29), 9) < weekend.end  # Sunday morning
    assert sum(gap.hours_per_week for gap in gaps) == 60 + 4 * 12
    out = StringIO()
    call_command("check_promises", "--week-start=2026-11-23", stdout=out)
    assert weekend.description in out.getvalue().splitlines()
