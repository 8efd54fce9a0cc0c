import pytest
from django.contrib.auth.models import AnonymousUser

from truedesk.cases import permissions
from truedesk.cases.actions import assign_case, take_case


@pytest.fixture
def billing_case(world, make_case):
    return make_case(department=world.billing)


def test_every_active_staff_member_can_read_every_case(world, billing_case):
    for user in (world.alice, world.bob, world.carol):
        assert permissions.can_view_case(user, billing_case)
        assert permissions.can_view_internal(user)


def test_customers_see_only_their_own_cases_and_never_internal_items(world, billing_case):
    assert permissions.can_view_case(world.dave_user, billing_case)
    assert not permissions.can_view_case(world.fiona_user, billing_case)
    assert not permissions.can_view_internal(world.dave_user)
    assert permissions.can_reply_as_customer(world.dave_user, billing_case)
    assert not permissions.can_reply_as_customer(world.fiona_user, billing_case)


def test_partners_anonymous_and_inactive_users_get_nothing(world, billing_case):
    world.bob.is_active = False
    world.dave_user.is_active = False
    for user in (world.erin, AnonymousUser(), world.bob, world.dave_user, None):
        assert not permissions.can_view_case(user, billing_case)
        assert not permissions.can_work_case(user, billing_case)
        assert not permissions.can_take_case(user, billing_case)
        assert not permissions.can_transfer_case(user, billing_case)
        assert not permissions.can_view_internal(user)


def test_department_members_and_supervisors_work_a_case(world, billing_case):
    assert permissions.can_work_case(world.bob, billing_case)
    assert permissions.can_work_case(world.carol, billing_case)
    assert not permissions.can_work_case(world.alice, billing_case)
    assert not permissions.can_work_case(world.dave_user, billing_case)


def test_the_owner_works_a_case_outside_her_departments(world, billing_case):
    assign_case(acting_user=world.carol, case=billing_case, owner=world.alice)
    assert permissions.can_work_case(world.alice, billing_case)


def test_take_follows_department_membership(world, billing_case, make_case):
    assert permissions.can_take_case(world.bob, billing_case)
    assert not permissions.can_take_case(world.alice, billing_case)
    assert permissions.can_take_case(world.carol, billing_case)
    assert permissions.can_take_case(world.alice, make_case(department=None))


def test_only_owner_or_supervisor_transfers(world, billing_case):
    assert not permissions.can_transfer_case(world.bob, billing_case)
    assert permissions.can_transfer_case(world.carol, billing_case)
    take_case(acting_user=world.bob, case=billing_case)
    assert permissions.can_transfer_case(world.bob, billing_case)


def test_merging_across_customers_needs_a_supervisor(world, make_case):
    daves, other_daves, fionas = make_case(), make_case(), make_case(customer=world.fiona)
    assert permissions.can_merge_cases(world.alice, daves, other_daves)
    assert not permissions.can_merge_cases(world.alice, daves, fionas)
    assert permissions.can_merge_cases(world.carol, daves, fionas)
