import pytest

from truedesk.cases.actions import CaseChanges, take_case, update_case
from truedesk.cases.errors import InvalidInput, NotAllowed, StaleVersion
from truedesk.cases.models import Case, CaseEvent
from truedesk.customers.models import Organisation


def test_changes_are_saved_and_listed_before_and_after(world, case):
    version = case.version
    update_case(
        acting_user=world.alice,
        case=case,
        expected_version=version,
        changes=CaseChanges(
            subject="No internet at all", priority=Case.Priority.URGENT, department=world.billing
        ),
    )
    stored = Case.objects.get(pk=case.pk)
    assert stored.subject == "No internet at all"
    assert stored.priority == Case.Priority.URGENT
    assert stored.department == world.billing
    assert stored.version == version + 1
    event = CaseEvent.objects.get(case=case, kind="case_updated")
    assert event.data["changes"]["subject"] == {
        "before": "Router keeps dropping the line",
        "after": "No internet at all",
    }
    assert event.data["changes"]["priority"] == {"before": 2, "after": 4}
    assert event.data["changes"]["department"] == {
        "before": {"id": world.support.pk, "name": "Technical support"},
        "after": {"id": world.billing.pk, "name": "Billing"},
    }
    assert set(event.data["changes"]) == {"subject", "priority", "department"}


def test_the_second_of_two_edits_from_the_same_version_is_refused(world, case):
    version = case.version
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    update_case(
        acting_user=world.alice,
        case=first,
        expected_version=version,
        changes=CaseChanges(subject="First edit"),
    )
    with pytest.raises(StaleVersion) as error:
        update_case(
            acting_user=world.bob,
            case=second,
            expected_version=version,
            changes=CaseChanges(subject="Second edit"),
        )
    assert error.value.current_version == version + 1
    assert error.value.code == "stale_version"
    assert Case.objects.get(pk=case.pk).subject == "First edit"


def test_an_edit_with_no_real_change_writes_nothing(world, case):
    version = case.version
    update_case(
        acting_user=world.alice,
        case=case,
        expected_version=version,
        changes=CaseChanges(subject=case.subject),
    )
    assert Case.objects.get(pk=case.pk).version == version
    assert not CaseEvent.objects.filter(case=case, kind="case_updated").exists()


def test_organisation_can_be_cleared_but_only_set_to_the_customers_own(world, case):
    update_case(
        acting_user=world.alice,
        case=case,
        expected_version=case.version,
        changes=CaseChanges(organisation=None),
    )
    assert Case.objects.get(pk=case.pk).organisation is None
    with pytest.raises(InvalidInput):
        update_case(
            acting_user=world.alice,
            case=case,
            expected_version=case.version,
            changes=CaseChanges(organisation=Organisation.objects.create(name="Other")),
        )


def test_tags_change_through_update_and_are_recorded(world, case):
    update_case(
        acting_user=world.alice,
        case=case,
        expected_version=case.version,
        changes=CaseChanges(tags=["Fibre", "outage"]),
    )
    assert sorted(case.tags.values_list("name", flat=True)) == ["fibre", "outage"]
    event = CaseEvent.objects.get(case=case, kind="case_updated")
    assert event.data["changes"]["tags"] == {"before": [], "after": ["fibre", "outage"]}


@pytest.mark.parametrize(
    "changes",
    [
        CaseChanges(kind="nonsense"),
        CaseChanges(priority=7),
        CaseChanges(subject=""),
        CaseChanges(severity=-1),
    ],
)
def test_invalid_values_are_refused(world, case, changes):
    with pytest.raises(InvalidInput):
        update_case(
            acting_user=world.alice, case=case, expected_version=case.version, changes=changes
        )


def test_agents_outside_the_department_cannot_edit_but_the_owner_can(world, make_case):
    case = make_case(department=world.billing)
    with pytest.raises(NotAllowed):
        update_case(
            acting_user=world.alice,
            case=case,
            expected_version=case.version,
            changes=CaseChanges(subject="x"),
        )
    take_case(acting_user=world.bob, case=case)
    update_case(
        acting_user=world.bob,
        case=case,
        expected_version=case.version,
        changes=CaseChanges(department=world.support),
    )
    assert case.department == world.support


def test_customers_cannot_edit_case_details(world, case):
    with pytest.raises(NotAllowed):
        update_case(
            acting_user=world.dave_user,
            case=case,
            expected_version=case.version,
            changes=CaseChanges(priority=4),
        )
