import pytest

from truedesk.cases.actions import link_cases, set_tags, unlink_cases
from truedesk.cases.errors import InvalidInput, LinkNotAllowed, NotAllowed
from truedesk.cases.models import CaseEvent, CaseLink
from truedesk.cases.selectors import list_case_links


def test_linking_records_the_link_on_both_cases(world, make_case):
    a, b = make_case(), make_case()
    link = link_cases(acting_user=world.alice, from_case=a, to_case=b, kind="duplicate_of")
    assert link.created_by == world.alice
    assert CaseEvent.objects.get(case=a, kind="case_linked").data["to"]["number"] == b.number
    assert CaseEvent.objects.get(case=b, kind="case_linked").data["from"]["number"] == a.number
    assert list_case_links(world.bob, b) == [link]
    assert list_case_links(world.dave_user, b) == []


def test_links_to_itself_repeats_and_contradictions_are_refused(world, make_case):
    a, b = make_case(), make_case()
    with pytest.raises(LinkNotAllowed):
        link_cases(acting_user=world.alice, from_case=a, to_case=a, kind="related")
    link_cases(acting_user=world.alice, from_case=a, to_case=b, kind="child_of")
    with pytest.raises(LinkNotAllowed):
        link_cases(acting_user=world.alice, from_case=a, to_case=b, kind="child_of")
    with pytest.raises(LinkNotAllowed):
        link_cases(acting_user=world.alice, from_case=b, to_case=a, kind="child_of")
    assert CaseLink.objects.count() == 1


def test_unknown_link_kinds_are_invalid(world, make_case):
    with pytest.raises(InvalidInput):
        link_cases(
            acting_user=world.alice, from_case=make_case(), to_case=make_case(), kind="cousin_of"
        )


def test_customers_cannot_link(world, make_case):
    with pytest.raises(NotAllowed):
        link_cases(
            acting_user=world.dave_user, from_case=make_case(), to_case=make_case(), kind="related"
        )


def test_unlinking_removes_the_link_and_records_it(world, make_case):
    a, b = make_case(), make_case()
    link = link_cases(acting_user=world.alice, from_case=a, to_case=b, kind="related")
    with pytest.raises(NotAllowed):
        unlink_cases(acting_user=world.erin, link=link)
    unlink_cases(acting_user=world.bob, link=link)
    assert not CaseLink.objects.exists()
    assert CaseEvent.objects.filter(kind="case_unlinked").count() == 2


def test_tags_are_slugified_deduplicated_and_recorded(world, case):
    set_tags(acting_user=world.alice, case=case, tags=["Fibre Outage", "fibre-outage", "VIP", ""])
    assert sorted(case.tags.values_list("name", flat=True)) == ["fibre-outage", "vip"]
    event = CaseEvent.objects.get(case=case, kind="tags_changed")
    assert event.data["tags"] == {"before": [], "after": ["fibre-outage", "vip"]}
    version = case.version
    set_tags(acting_user=world.alice, case=case, tags=["vip", "fibre outage"])
    assert case.version == version


def test_more_than_twenty_tags_are_refused(world, case):
    with pytest.raises(InvalidInput):
        set_tags(acting_user=world.alice, case=case, tags=[f"t{i}" for i in range(21)])
    with pytest.raises(InvalidInput):
        set_tags(acting_user=world.alice, case=case, tags="not-a-list")


def test_customers_cannot_tag(world, case):
    with pytest.raises(NotAllowed):
        set_tags(acting_user=world.dave_user, case=case, tags=["x"])
