"""rescue_case: the senior owner takes the case, the trail, the desk and the customer are told."""

from __future__ import annotations

import pytest

from truedesk.accounts.models import User
from truedesk.cases.actions import change_status, transfer_case
from truedesk.cases.models import Case, CaseEvent, EventKind, Transfer
from truedesk.customers.models import ContactPoint
from truedesk.notifications.models import EmailDelivery, Notification
from truedesk.runaround.actions import rescue_case
from truedesk.runaround.errors import (
    AlreadyRescued,
    InvalidOwner,
    NoSeniorAvailable,
    NotAllowed,
    NotRescuable,
)
from truedesk.runaround.guard import Reading
from truedesk.runaround.models import Rescue, SeniorOwnerRule
from truedesk.runaround.tests.conftest import SAM_PHONE
from truedesk.testing.personas import make_staff

OVER = [Reading(metric="contacts", value=4, limit=3)]


def test_the_guard_gives_the_case_to_the_senior_named_by_rule(world, case, sam):
    rescue = rescue_case(case=case, breaches=OVER)
    case.refresh_from_db()
    assert case.owner == sam
    assert rescue.previous_owner == world.alice
    assert rescue.chosen_by == Rescue.ChosenBy.RULE
    assert rescue.decided_by is None
    assert rescue.breaches == [{"metric": "contacts", "value": 4, "limit": 3}]
    assert (rescue.contact_email, rescue.contact_phone) == ("sam@truedesk.test", SAM_PHONE)
    assert rescue.department == world.support


def test_the_trail_says_the_guard_assigned_and_rescued_the_case(case, sam):
    rescue_case(case=case, breaches=OVER)
    events = {event.kind: event for event in CaseEvent.objects.filter(case=case)}
    assigned, rescued = events[EventKind.ASSIGNED], events[EventKind.RESCUED]
    assert (assigned.actor, assigned.actor_label) == (None, "runaround guard")
    assert rescued.data["breaches"] == [{"metric": "contacts", "value": 4, "limit": 3}]
    assert rescued.data["owner"]["after"] == {"id": sam.pk, "name": "Sam Senior"}
    assert rescued.is_internal


def test_the_new_owner_and_the_departments_supervisor_are_notified(world, case, sam):
    rescue_case(case=case, breaches=OVER)
    notes = {note.recipient: note for note in Notification.objects.all()}
    assert set(notes) == {sam, world.carol}
    assert notes[sam].title == f"Case #{case.number} is now yours: rescued from a runaround"
    assert notes[sam].body == "Contacts 4 (limit 3)"
    assert notes[sam].link == f"/desk/cases/{case.number}/"
    assert "Sam Senior took it over" in notes[world.carol].title


def test_the_customer_is_emailed_in_his_language_who_owns_the_case_and_how_to_reach_him(
    world, case, sam
):
    world.dave.language = "ru"
    world.dave.save()
    rescue = rescue_case(case=case, breaches=OVER)
    email = EmailDelivery.objects.get()
    assert rescue.customer_email == email
    assert rescue.customer_told_at is not None
    assert email.to_address == "dave@example.com"
    assert email.language == "ru"
    assert "Sam Senior" in email.body
    assert "sam@truedesk.test" in email.body
    assert SAM_PHONE in email.body
    assert f"/portal/cases/{case.number}/" in email.body


def test_a_pending_transfer_is_cancelled_so_ownership_is_clear(world, case, sam):
    transfer_case(acting_user=world.alice, case=case, to_user=world.bob, reason="Billing",
                  handoff_note="He was double charged.")  # fmt: skip
    rescue_case(case=case, breaches=OVER)
    assert Transfer.objects.get().status == Transfer.Status.CANCELLED


def test_a_case_is_rescued_only_once_at_a_time(case, sam):
    rescue_case(case=case, breaches=OVER)
    with pytest.raises(AlreadyRescued) as refused:
        rescue_case(case=case, breaches=OVER)
    assert refused.value.owner_name == "Sam Senior"
    assert Rescue.objects.count() == 1
    assert EmailDelivery.objects.count() == 1


def test_a_resolved_case_is_not_rescued(world, case, sam):
    change_status(acting_user=world.alice, case=case, status=Case.Status.RESOLVED)
    with pytest.raises(NotRescuable):
        rescue_case(case=case, breaches=OVER)
    assert not Rescue.objects.exists()


def test_without_a_rule_the_departments_least_busy_supervisor_takes_it(world, case):
    rescue = rescue_case(case=case, breaches=OVER)
    assert rescue.new_owner == world.carol
    assert rescue.chosen_by == Rescue.ChosenBy.FALLBACK
    assert rescue.contact_phone == ""


def test_among_several_seniors_the_one_with_fewest_active_cases_takes_it(
    world, case, sam, make_case
):
    tess = make_staff("tess", "agent", "Tess Tall")
    SeniorOwnerRule.objects.create(department=world.support, senior=tess)
    make_case(owner=sam, acting_user=world.carol)
    assert rescue_case(case=case, breaches=OVER).new_owner == tess


def test_nobody_to_take_it_is_a_clear_error(world, case):
    User.objects.filter(role__in=["supervisor", "admin"]).update(is_active=False)
    with pytest.raises(NoSeniorAvailable):
        rescue_case(case=case, breaches=OVER)
    case.refresh_from_db()
    assert case.owner == world.alice


def test_a_supervisor_may_choose_the_senior_owner_and_say_why(world, case, sam):
    rescue = rescue_case(case=case, breaches=[], new_owner=world.bob, acting_user=world.carol,
                         note="Dave called the director.")  # fmt: skip
    case.refresh_from_db()
    assert case.owner == world.bob
    assert (rescue.chosen_by, rescue.decided_by) == (Rescue.ChosenBy.SUPERVISOR, world.carol)
    assert rescue.note == "Dave called the director."
    assert CaseEvent.objects.get(case=case, kind=EventKind.ASSIGNED).actor == world.carol
    # The supervisor acted, so only the new owner needs telling.
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"bob"}


def test_agents_cannot_rescue_and_the_guard_cannot_pick_a_person(world, case, sam):
    with pytest.raises(NotAllowed):
        rescue_case(case=case, breaches=OVER, acting_user=world.alice)
    with pytest.raises(NotAllowed):
        rescue_case(case=case, breaches=OVER, new_owner=world.bob)
    with pytest.raises(InvalidOwner):
        rescue_case(case=case, breaches=OVER, new_owner=world.dave_user, acting_user=world.carol)
    assert not Rescue.objects.exists()


def test_a_customer_without_an_email_address_is_not_counted_as_told(world, case, sam):
    ContactPoint.objects.filter(customer=world.dave).delete()
    world.dave_user.email = ""
    world.dave_user.save()
    rescue = rescue_case(case=case, breaches=OVER)
    assert rescue.customer_told_at is None
    assert not EmailDelivery.objects.exists()


def test_only_the_guards_own_event_kinds_can_be_recorded_from_above_cases(case):
    from truedesk.cases.actions import record_case_event
    from truedesk.cases.errors import InvalidInput
    from truedesk.runaround.actions import GUARD

    with pytest.raises(InvalidInput):
        record_case_event(acting_user=GUARD, case=case, kind=EventKind.OPENED, data={})
