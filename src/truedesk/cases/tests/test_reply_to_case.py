from datetime import timedelta

import pytest
from django.utils import timezone

from truedesk.cases.actions import (
    add_internal_note,
    change_status,
    merge_cases,
    reply_to_case,
    take_case,
)
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.errors import InvalidInput, InvalidTransition, NotAllowed
from truedesk.cases.models import CaseEvent, CaseStaffContact


def test_staff_reply_goes_out_and_touches_the_case_but_is_not_a_customer_contact(world, case):
    take_case(acting_user=world.alice, case=case)
    reply = reply_to_case(
        acting_user=world.alice, case=case, body="Please restart it.", channel="email"
    )
    assert reply.direction == "outbound" and not reply.is_internal
    assert reply.author_user == world.alice and reply.handled_by == world.alice
    case.refresh_from_db()
    # Only the customer's own contact (the opening message) counts: our reply
    # is not a time the customer had to reach out.
    assert case.contact_count == 1
    assert case.staff_touched_count == 1
    assert case.status == "open"
    event = CaseEvent.objects.get(case=case, kind="reply_added")
    assert event.data["interaction_id"] == reply.pk
    assert event.data["direction"] == "outbound"


def test_each_distinct_staff_member_is_counted_once(world, case):
    for user in (world.alice, world.bob, world.alice, world.carol):
        reply_to_case(acting_user=user, case=case, body="Hi", channel="email")
    case.refresh_from_db()
    assert case.staff_touched_count == 3
    assert CaseStaffContact.objects.filter(case=case).count() == 3
    assert case.contact_count == 1


def test_staff_reply_can_set_waiting_on_customer(world, case):
    reply_to_case(
        acting_user=world.alice,
        case=case,
        body="Which model?",
        channel="email",
        set_status="waiting_on_customer",
    )
    assert case.status == "waiting_on_customer"
    event = CaseEvent.objects.get(case=case, kind="reply_added")
    assert event.data["status"] == {"before": "new", "after": "waiting_on_customer"}


def test_staff_reply_leaves_status_alone_unless_asked(world, case):
    reply_to_case(acting_user=world.alice, case=case, body="Looking", channel="email")
    assert case.status == "new"


def test_customer_reply_is_inbound_and_reopens_a_waiting_case(world, case):
    change_status(acting_user=world.alice, case=case, status="waiting_on_customer")
    reply = reply_to_case(
        acting_user=world.dave_user, case=case, body="It is model X", channel="portal"
    )
    assert reply.direction == "inbound"
    assert reply.author_customer == world.dave and reply.handled_by is None
    assert case.status == "open"
    assert case.last_customer_activity_at == reply.created_at


def test_customer_reply_reopens_a_resolved_case(world, case):
    change_status(acting_user=world.alice, case=case, status="resolved")
    reply_to_case(acting_user=world.dave_user, case=case, body="Still broken", channel="email")
    assert case.status == "open"
    assert case.resolved_at is None


def test_customer_reply_to_a_closed_case_is_refused(world, case):
    change_status(acting_user=world.alice, case=case, status="resolved")
    change_status(acting_user=world.alice, case=case, status="closed")
    with pytest.raises(InvalidTransition):
        reply_to_case(acting_user=world.dave_user, case=case, body="Hello?", channel="email")


def test_customer_cannot_reply_to_someone_elses_case_or_set_status(world, case):
    with pytest.raises(NotAllowed):
        reply_to_case(acting_user=world.fiona_user, case=case, body="Hi", channel="portal")
    with pytest.raises(NotAllowed):
        reply_to_case(
            acting_user=world.dave_user,
            case=case,
            body="Hi",
            channel="portal",
            set_status="resolved",
        )


def test_partner_and_agents_outside_the_department_cannot_reply(world, make_case):
    case = make_case(department=world.billing)
    for user in (world.erin, world.alice):
        with pytest.raises(NotAllowed):
            reply_to_case(acting_user=user, case=case, body="Hi", channel="email")


def test_phone_reply_adds_the_customers_time(world, case):
    start = timezone.now() - timedelta(minutes=10)
    reply_to_case(
        acting_user=world.alice,
        case=case,
        body="Called back",
        channel="phone",
        customer_seconds=540,
        started_at=start,
        ended_at=start + timedelta(minutes=9),
    )
    assert case.customer_seconds == 540


@pytest.mark.parametrize(
    "kwargs",
    [
        {"body": "  "},
        {"customer_seconds": -5},
        {"channel": "fax"},
        {"started_at": timezone.now(), "ended_at": timezone.now() - timedelta(hours=1)},
    ],
)
def test_bad_replies_are_refused(world, case, kwargs):
    values = {"body": "Hi", "channel": "email", **kwargs}
    with pytest.raises(InvalidInput):
        reply_to_case(acting_user=world.alice, case=case, **values)


def test_a_reply_with_only_a_file_is_fine(world, case):
    reply = reply_to_case(
        acting_user=world.alice,
        case=case,
        body="",
        channel="email",
        attachments=[AttachmentUpload("log.txt", b"lines", "text/plain")],
    )
    assert reply.attachments.get().filename == "log.txt"


def test_html_reply_is_sanitised(world, case):
    reply = reply_to_case(
        acting_user=world.alice,
        case=case,
        body="",
        channel="email",
        body_html='<p onclick="x()">Hi <a href="javascript:x">there</a></p>',
    )
    assert "onclick" not in reply.body_html and "javascript" not in reply.body_html
    assert reply.body == "Hi there"


def test_reply_to_a_merged_case_lands_on_the_survivor(world, make_case):
    source, target = make_case(), make_case(subject="Same router")
    merge_cases(acting_user=world.alice, source=source, target=target)
    reply = reply_to_case(
        acting_user=world.dave_user, case=source, body="Any news?", channel="email"
    )
    assert reply.case_id == target.pk
    assert reply.author_customer == world.dave


def test_customer_reply_never_lands_in_another_customers_case(world, make_case):
    source = make_case()
    target = make_case(customer=world.fiona)
    merge_cases(acting_user=world.carol, source=source, target=target)
    with pytest.raises(InvalidTransition):
        reply_to_case(acting_user=world.dave_user, case=source, body="Hi", channel="email")


def test_internal_note_is_internal_and_not_a_contact(world, case):
    note = add_internal_note(acting_user=world.alice, case=case, body="Customer sounds upset")
    assert note.is_internal and note.direction == "internal" and note.channel == "desk"
    case.refresh_from_db()
    assert case.contact_count == 1
    assert CaseEvent.objects.get(case=case, kind="note_added").data == {"interaction_id": note.pk}


def test_customers_and_outsiders_cannot_add_notes(world, make_case):
    case = make_case(department=world.billing)
    for user in (world.dave_user, world.alice, world.erin):
        with pytest.raises(NotAllowed):
            add_internal_note(acting_user=user, case=case, body="x")


def test_empty_notes_are_refused(world, case):
    with pytest.raises(InvalidInput):
        add_internal_note(acting_user=world.alice, case=case, body=" ")
