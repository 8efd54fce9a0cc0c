from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from truedesk.cases.actions import (
    add_internal_note,
    change_status,
    merge_cases,
    reply_to_case,
    take_case,
    transfer_case,
)
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.errors import InvalidCursor, NotAllowed, NotFound
from truedesk.cases.models import Case
from truedesk.cases.selectors import (
    CaseFilters,
    Position,
    get_attachment_for_user,
    get_case_for_user,
    get_case_timeline,
    get_transfer_for_user,
    list_cases_for_agent,
    list_cases_for_customer,
    list_cases_page,
    list_department_queue,
    list_my_cases,
    list_pending_transfers_for,
    list_transfers_for_case,
    search_cases,
)


def test_every_active_staff_member_can_open_any_case_by_number(world, make_case):
    case = make_case(department=world.billing)
    for user in (world.alice, world.bob, world.carol):
        assert get_case_for_user(user, case.number) == case
    assert get_case_for_user(world.alice, str(case.number)) == case


def test_customers_get_not_found_for_other_peoples_cases_and_nonsense(world, make_case):
    daves = make_case()
    assert get_case_for_user(world.dave_user, daves.number) == daves
    for user, number in [
        (world.fiona_user, daves.number),
        (world.erin, daves.number),
        (world.dave_user, "abc"),
        (world.dave_user, 999999),
    ]:
        with pytest.raises(NotFound):
            get_case_for_user(user, number)


def test_inactive_staff_see_nothing(world, case):
    world.bob.is_active = False
    world.bob.save()
    with pytest.raises(NotFound):
        get_case_for_user(world.bob, case.number)
    with pytest.raises(NotAllowed):
        list_cases_for_agent(world.bob)


def test_the_desk_list_filters_by_owner_and_status(world, make_case):
    mine, other, done = make_case(), make_case(), make_case()
    take_case(acting_user=world.alice, case=mine)
    change_status(acting_user=world.alice, case=done, status="resolved")
    assert set(list_cases_for_agent(world.alice)) == {mine, other, done}
    assert list(list_cases_for_agent(world.alice, owned_only=True)) == [mine]
    assert list(list_cases_for_agent(world.alice, status="resolved")) == [done]
    assert set(list_cases_for_agent(world.alice, active_only=True)) == {mine, other}
    with pytest.raises(NotAllowed):
        list_cases_for_agent(world.dave_user)


def test_desk_list_takes_a_fixed_number_of_queries(world, make_case, django_assert_max_num_queries):
    for _ in range(5):
        make_case()
    with django_assert_max_num_queries(2):
        rows = [
            (c.customer.name, c.owner, c.department.name, list(c.tags.all()))
            for c in list_cases_for_agent(world.alice)
        ]
    assert len(rows) == 5


def test_department_queue_puts_urgent_then_oldest_first_and_skips_owned(world, make_case):
    old = make_case(subject="old")
    urgent = make_case(subject="urgent", priority=Case.Priority.URGENT)
    new = make_case(subject="new")
    owned = make_case(subject="owned")
    take_case(acting_user=world.bob, case=owned)
    make_case(subject="billing", department=world.billing)
    assert list(list_department_queue(world.alice, world.support)) == [urgent, old, new]


def test_my_cases_are_my_active_ones(world, make_case):
    mine, done = make_case(), make_case()
    for case in (mine, done):
        take_case(acting_user=world.alice, case=case)
    change_status(acting_user=world.alice, case=done, status="resolved")
    assert list(list_my_cases(world.alice)) == [mine]
    assert list(list_my_cases(world.bob)) == []


def test_customers_list_only_their_own_cases(world, make_case):
    daves = make_case()
    make_case(customer=world.fiona)
    assert list(list_cases_for_customer(world.dave_user)) == [daves]
    assert list(list_cases_for_customer(world.alice)) == []
    assert list(list_cases_for_customer(world.erin)) == []


def _timeline_case(world, case):
    take_case(acting_user=world.alice, case=case)
    reply_to_case(
        acting_user=world.alice,
        case=case,
        body="Restart please",
        channel="email",
        attachments=[AttachmentUpload("steps.txt", b"1. off 2. on")],
    )
    add_internal_note(
        acting_user=world.alice,
        case=case,
        body="He was rude last time",
        attachments=[AttachmentUpload("secret.txt", b"internal")],
    )
    transfer_case(
        acting_user=world.alice,
        case=case,
        to_user=world.bob,
        reason="Shift",
        handoff_note="Restart suggested",
    )
    return case


def test_staff_see_the_whole_timeline_newest_first(world, case):
    _timeline_case(world, case)
    items = get_case_timeline(world.bob, case)
    kinds = [item.interaction.body if item.interaction else item.event.kind for item in items]
    assert kinds == [
        "transfer_requested",
        "He was rude last time",
        "Restart please",
        "case_taken",
        "Since Monday the internet stops every evening.",
        "case_opened",
    ]
    assert items[1].is_internal


def test_customers_never_see_internal_notes_or_internal_events(world, case):
    _timeline_case(world, case)
    items = get_case_timeline(world.dave_user, case)
    assert not any(item.is_internal for item in items)
    bodies = [item.interaction.body for item in items if item.interaction]
    assert "He was rude last time" not in bodies
    assert "Restart please" in bodies
    events = {item.event.kind for item in items if item.event}
    assert events == {"case_taken", "case_opened"}


def test_other_customers_and_partners_cannot_read_the_timeline(world, case):
    for user in (world.fiona_user, world.erin):
        with pytest.raises(NotFound):
            get_case_timeline(user, case)


def test_timeline_takes_a_fixed_number_of_queries(world, case, django_assert_max_num_queries):
    _timeline_case(world, case)
    for i in range(5):
        reply_to_case(
            acting_user=world.alice,
            case=case,
            body=f"r{i}",
            channel="email",
            attachments=[AttachmentUpload(f"{i}.txt", b"x")],
        )
    with django_assert_max_num_queries(5):
        items = get_case_timeline(world.alice, case)
        for item in items:
            if item.interaction:
                list(item.interaction.attachments.all())
                str(item.interaction.author_user)
            else:
                str(item.event.actor)


def test_customer_timeline_of_a_survivor_skips_other_customers_merged_cases(world, make_case):
    daves, fionas = (
        make_case(body="dave private"),
        make_case(customer=world.fiona, body="fiona private"),
    )
    merge_cases(acting_user=world.carol, source=fionas, target=daves)
    customer_view = [
        i.interaction.body for i in get_case_timeline(world.dave_user, daves) if i.interaction
    ]
    staff_view = [
        i.interaction.body for i in get_case_timeline(world.carol, daves) if i.interaction
    ]
    assert customer_view == ["dave private"]
    assert sorted(staff_view) == ["dave private", "fiona private"]


def test_attachments_are_handed_out_only_to_those_who_may_see_them(world, case):
    _timeline_case(world, case)
    public = case.attachments.get(filename="steps.txt")
    internal = case.attachments.get(filename="secret.txt")
    assert get_attachment_for_user(world.dave_user, public.pk) == public
    assert get_attachment_for_user(world.bob, internal.pk) == internal
    for user, attachment in [
        (world.dave_user, internal),
        (world.fiona_user, public),
        (world.erin, public),
    ]:
        with pytest.raises(NotFound):
            get_attachment_for_user(user, attachment.pk)
    with pytest.raises(NotFound):
        get_attachment_for_user(world.alice, "../1")


def test_pending_transfers_reach_the_person_and_department_members(world, make_case):
    personal, departmental = make_case(), make_case()
    for case in (personal, departmental):
        take_case(acting_user=world.alice, case=case)
    to_bob = transfer_case(
        acting_user=world.alice, case=personal, to_user=world.bob, reason="r", handoff_note="n"
    )
    to_billing = transfer_case(
        acting_user=world.alice,
        case=departmental,
        reason="r",
        handoff_note="n",
        to_department=world.billing,
        expires_in=timedelta(hours=1),
    )
    assert list(list_pending_transfers_for(world.bob)) == [to_billing, to_bob]
    assert list(list_pending_transfers_for(world.carol)) == [to_billing]
    assert list(list_pending_transfers_for(world.alice)) == []
    assert list(list_transfers_for_case(world.carol, personal)) == [to_bob]
    assert get_transfer_for_user(world.bob, to_bob.pk) == to_bob
    with pytest.raises(NotFound):
        get_transfer_for_user(world.dave_user, to_bob.pk)
    with pytest.raises(NotAllowed):
        list_pending_transfers_for(world.dave_user)


def test_expired_transfers_are_not_listed_as_pending(world, case):
    take_case(acting_user=world.alice, case=case)
    transfer_case(
        acting_user=world.alice,
        case=case,
        to_user=world.bob,
        reason="r",
        handoff_note="n",
        expires_in=timedelta(minutes=1),
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert list(list_pending_transfers_for(world.bob)) == []


def test_search_matches_subject_number_customer_email_and_messages(world, make_case):
    router = make_case(subject="Router on fire")
    billing = make_case(customer=world.fiona, subject="Invoice", body="refund for March")
    add_internal_note(acting_user=world.alice, case=billing, body="secretword")
    assert search_cases(world.alice, "router") == [router]
    assert search_cases(world.alice, f"#{billing.number}") == [billing]
    assert search_cases(world.alice, "fiona@example") == [billing]
    assert search_cases(world.alice, "Fiona Fox") == [billing]
    assert search_cases(world.alice, "refund") == [billing]
    assert search_cases(world.alice, "secretword") == [billing]
    assert search_cases(world.alice, "x") == []


def test_customers_search_only_their_cases_and_never_notes(world, make_case):
    daves = make_case(subject="Router on fire")
    make_case(customer=world.fiona, subject="Router too")
    add_internal_note(acting_user=world.alice, case=daves, body="secretword")
    assert search_cases(world.dave_user, "router") == [daves]
    assert search_cases(world.dave_user, "secretword") == []
    assert search_cases(world.erin, "router") == []


def test_search_returns_at_most_fifty(world, make_case):
    for _ in range(52):
        Case.objects.create(
            number=Case.objects.count() + 5000, subject="Outage", customer=world.dave
        )
    assert len(search_cases(world.alice, "outage")) == 50


def test_pages_walk_every_case_once_newest_change_first(world, make_case):
    cases = [make_case(subject=f"c{i}") for i in range(7)]
    seen, cursor = [], None
    while True:
        page = list_cases_page(world.alice, cursor=cursor, limit=3)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(cases))


def test_pages_apply_filters_and_customer_scope(world, make_case):
    daves = make_case(priority=Case.Priority.HIGH)
    make_case(customer=world.fiona)
    take_case(acting_user=world.bob, case=daves)
    assert list_cases_page(world.alice, filters=CaseFilters(owner_id=world.bob.pk)).items == [daves]
    assert list_cases_page(world.alice, filters=CaseFilters(priority=3)).items == [daves]
    assert len(list_cases_page(world.alice, filters=CaseFilters(unowned=True)).items) == 1
    assert list_cases_page(world.dave_user).items == [daves]
    # A partner no customer has authorised pages through nothing.
    assert list_cases_page(world.erin).items == []
    with pytest.raises(NotAllowed):
        list_cases_page(AnonymousUser())


@pytest.mark.parametrize("cursor", ["nonsense", "eyJ4IjogMX0", "WyIyMDI0LTAxLTAxIiwgMV0"])
def test_a_tampered_cursor_is_a_clear_error(world, case, cursor):
    with pytest.raises(InvalidCursor):
        list_cases_page(world.alice, cursor=cursor)


def _page_through(user, case, size):
    """Every timeline item, read `size` at a time by following each page's last position."""
    pages, before = [], None
    while True:
        page = get_case_timeline(user, case, limit=size, before=before)
        pages.append(page)
        if len(page) < size:
            return pages
        before = page[-1].position


@pytest.mark.parametrize("size", [1, 2, 3])
def test_reading_a_timeline_page_by_page_gives_every_item_once_in_order(world, case, size):
    # Items that share one instant (an event and two interactions) are where a
    # page boundary could skip or repeat one; time stands still to force ties.
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        take_case(acting_user=world.alice, case=case)
        reply_to_case(acting_user=world.alice, case=case, body="Same instant", channel="email")
        add_internal_note(acting_user=world.alice, case=case, body="Same instant, internal")
    change_status(acting_user=world.alice, case=case, status="waiting_on_customer")
    everything = get_case_timeline(world.alice, case)

    pages = _page_through(world.alice, case, size)

    assert [item for page in pages for item in page] == everything
    assert all(len(page) <= size for page in pages)


def test_a_timeline_position_survives_its_cursor_and_a_tampered_one_is_refused(world, case):
    last = get_case_timeline(world.alice, case)[-1].position

    assert Position.decode(last.encode()) == last
    for bad in [
        "",
        "not-a-cursor",
        "W10",
        "WyJ4IiwgMSwgMF0",
    ]:  # W10 is "[]", the last is ["x", 1, 0]
        with pytest.raises(InvalidCursor):
            Position.decode(bad)


def test_customers_page_through_their_timeline_without_internal_items(world, case):
    _timeline_case(world, case)
    visible = get_case_timeline(world.dave_user, case)

    pages = _page_through(world.dave_user, case, 1)

    assert [item for page in pages for item in page] == visible
    assert not any(item.is_internal for page in pages for item in page)
