import pytest

from truedesk.cases.actions import (
    merge_cases,
    reply_to_case,
    take_case,
    transfer_case,
)
from truedesk.cases.errors import MergeNotAllowed, NotAllowed
from truedesk.cases.models import Case, CaseEvent, Transfer
from truedesk.cases.selectors import get_case_timeline, get_surviving_case


def test_merging_closes_the_source_and_points_it_at_the_target(world, make_case):
    source, target = make_case(subject="Duplicate"), make_case(subject="Original")
    reply_to_case(acting_user=world.bob, case=source, body="On it", channel="email")
    merge_cases(acting_user=world.alice, source=source, target=target)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.status == "closed" and source.closed_at is not None
    assert source.merged_into == target
    assert target.status == "new"
    assert target.contact_count == 2
    assert target.staff_touched_count == 2
    assert CaseEvent.objects.get(case=source, kind="case_merged").data["into"] == {
        "id": target.pk,
        "number": target.number,
    }
    assert CaseEvent.objects.get(case=target, kind="case_merge_received").data["from"] == {
        "id": source.pk,
        "number": source.number,
    }


def test_merged_interactions_stay_on_the_source_but_show_on_the_target(world, make_case):
    source, target = make_case(body="first problem"), make_case(body="second problem")
    merge_cases(acting_user=world.alice, source=source, target=target)
    assert source.interactions.count() == 1
    bodies = [
        item.interaction.body for item in get_case_timeline(world.alice, target) if item.interaction
    ]
    assert sorted(bodies) == ["first problem", "second problem"]


def test_chains_of_merges_resolve_to_the_survivor(world, make_case):
    a, b, c = make_case(body="a"), make_case(body="b"), make_case(body="c")
    merge_cases(acting_user=world.alice, source=a, target=b)
    merge_cases(acting_user=world.alice, source=b, target=c)
    assert get_surviving_case(world.alice, a) == c
    numbers = {item.case_number for item in get_case_timeline(world.alice, c) if item.interaction}
    assert numbers == {a.number, b.number, c.number}
    reply = reply_to_case(acting_user=world.dave_user, case=a, body="hello?", channel="email")
    assert reply.case_id == c.pk


def test_a_case_cannot_be_merged_into_itself_twice_or_into_a_merged_case(world, make_case):
    a, b, c = make_case(), make_case(), make_case()
    with pytest.raises(MergeNotAllowed):
        merge_cases(acting_user=world.alice, source=a, target=a)
    merge_cases(acting_user=world.alice, source=a, target=b)
    with pytest.raises(MergeNotAllowed):
        merge_cases(acting_user=world.alice, source=a, target=c)
    with pytest.raises(MergeNotAllowed):
        merge_cases(acting_user=world.alice, source=c, target=a)


def test_only_a_supervisor_merges_cases_of_different_customers(world, make_case):
    daves, fionas = make_case(), make_case(customer=world.fiona)
    with pytest.raises(MergeNotAllowed):
        merge_cases(acting_user=world.alice, source=daves, target=fionas)
    merge_cases(acting_user=world.carol, source=daves, target=fionas)
    assert Case.objects.get(pk=daves.pk).merged_into_id == fionas.pk


def test_merging_needs_the_right_to_work_both_cases(world, make_case):
    source, target = make_case(), make_case(department=world.billing)
    with pytest.raises(NotAllowed):
        merge_cases(acting_user=world.alice, source=source, target=target)
    with pytest.raises(NotAllowed):
        merge_cases(acting_user=world.dave_user, source=source, target=make_case())


def test_merging_cancels_a_waiting_transfer_of_the_source(world, make_case):
    source, target = make_case(), make_case()
    take_case(acting_user=world.alice, case=source)
    transfer_case(
        acting_user=world.alice, case=source, to_user=world.bob, reason="r", handoff_note="n"
    )
    merge_cases(acting_user=world.alice, source=source, target=target)
    assert Transfer.objects.get().status == "cancelled"
