import pytest

from truedesk.accounts.models import AuditEvent
from truedesk.customers import errors
from truedesk.customers.actions import (
    add_membership,
    create_organisation,
    remove_membership,
    set_account_manager,
    update_organisation,
)
from truedesk.customers.models import Membership, Organisation


def test_staff_create_an_organisation_with_an_account_manager(world):
    org = create_organisation(
        acting_user=world.alice,
        name=" Globex ",
        tier="platinum",
        account_manager=world.carol,
        notes="Key account",
    )
    assert (org.name, org.tier, org.account_manager) == ("Globex", "platinum", world.carol)
    event = AuditEvent.objects.get(action="organisation.created")
    assert event.data["account_manager_id"] == world.carol.pk


def test_organisations_are_created_by_staff_only(world):
    with pytest.raises(errors.NotAllowed):
        create_organisation(acting_user=world.dave_user, name="Globex")
    assert not Organisation.objects.filter(name="Globex").exists()


def test_an_account_manager_must_be_active_staff(world):
    with pytest.raises(errors.NotStaff):
        create_organisation(acting_user=world.alice, name="Globex", account_manager=world.erin)
    with pytest.raises(errors.NotStaff) as caught:
        set_account_manager(
            acting_user=world.alice, organisation=world.acme, manager=world.dave_user
        )
    assert caught.value.code == "not_staff"
    world.acme.refresh_from_db()
    assert world.acme.account_manager == world.carol


def test_setting_the_account_manager_bumps_the_version_and_is_audited(world):
    set_account_manager(acting_user=world.carol, organisation=world.acme, manager=world.alice)
    assert (world.acme.account_manager, world.acme.version) == (world.alice, 2)
    event = AuditEvent.objects.get(action="organisation.account_manager_set")
    assert event.data == {"before": world.carol.pk, "after": world.alice.pk}
    set_account_manager(acting_user=world.carol, organisation=world.acme, manager=None)
    assert world.acme.account_manager is None


def test_organisation_updates_use_optimistic_locking(world):
    stale = Organisation.objects.get(pk=world.acme.pk)
    update_organisation(
        acting_user=world.alice, organisation=world.acme, expected_version=1, name="Acme Group"
    )
    assert (world.acme.name, world.acme.version) == ("Acme Group", 2)
    with pytest.raises(errors.StaleVersion) as caught:
        update_organisation(
            acting_user=world.bob, organisation=stale, expected_version=1, tier="gold"
        )
    assert caught.value.current_version == 2
    assert AuditEvent.objects.filter(action="organisation.updated").count() == 1


def test_organisation_updates_refuse_other_fields_and_non_staff(world):
    with pytest.raises(errors.InvalidField):
        update_organisation(
            acting_user=world.alice,
            organisation=world.acme,
            expected_version=1,
            account_manager=world.bob,
        )
    with pytest.raises(errors.NotAllowed):
        update_organisation(
            acting_user=world.dave_user, organisation=world.acme, expected_version=1, name="Mine"
        )


def test_a_person_can_belong_to_several_organisations(world):
    globex = create_organisation(acting_user=world.alice, name="Globex")
    membership = add_membership(
        acting_user=world.alice, customer=world.dave, organisation=globex, title="Consultant"
    )
    assert set(world.dave.organisations.values_list("name", flat=True)) == {"Acme Ltd", "Globex"}
    assert membership.title == "Consultant"
    event = AuditEvent.objects.get(action="organisation.member_added")
    assert event.object_id == str(globex.pk) and event.data["customer_id"] == world.dave.pk


def test_a_person_joins_an_organisation_only_once(world):
    with pytest.raises(errors.MembershipExists):
        add_membership(acting_user=world.alice, customer=world.dave, organisation=world.acme)


def test_a_primary_contact_elsewhere_does_not_change_this_organisation(world):
    add_membership(
        acting_user=world.alice,
        customer=world.fiona,
        organisation=world.acme,
        is_primary_contact=True,
    )
    globex = create_organisation(acting_user=world.alice, name="Globex")
    add_membership(
        acting_user=world.alice, customer=world.dave, organisation=globex, is_primary_contact=True
    )
    primaries = Membership.objects.filter(organisation=world.acme, is_primary_contact=True)
    assert [m.customer for m in primaries] == [world.fiona]


def test_a_new_primary_contact_replaces_the_old_one(world):
    Membership.objects.filter(customer=world.dave).update(is_primary_contact=True)
    add_membership(
        acting_user=world.alice,
        customer=world.fiona,
        organisation=world.acme,
        is_primary_contact=True,
    )
    dave_membership = Membership.objects.get(customer=world.dave, organisation=world.acme)
    assert not dave_membership.is_primary_contact


def test_membership_titles_are_bounded(world):
    with pytest.raises(errors.InvalidValue):
        add_membership(
            acting_user=world.alice, customer=world.fiona, organisation=world.acme, title="x" * 121
        )


def test_removing_a_membership_is_staff_only_and_audited(world):
    membership = Membership.objects.get(customer=world.dave, organisation=world.acme)
    with pytest.raises(errors.NotAllowed):
        remove_membership(acting_user=world.dave_user, membership=membership)
    remove_membership(acting_user=world.alice, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action="organisation.member_removed")
    assert event.data == {"customer_id": world.dave.pk}
