import pytest

from truedesk.accounts import errors
from truedesk.accounts.actions import (
    SystemActor,
    add_department_member,
    create_staff_user,
    remove_department_member,
    set_user_preferences,
)
from truedesk.accounts.models import AuditEvent, User

STRONG = "a-long-unusual-passphrase"


@pytest.fixture
def admin(world):
    return create_staff_user(
        acting_user=SystemActor("cli"), username="root", email="root@truedesk.test", role="admin"
    )


def test_an_admin_creates_a_staff_member_who_can_sign_in(world, admin):
    user = create_staff_user(
        acting_user=admin,
        username="gina",
        email="gina@truedesk.test",
        role="agent",
        first_name="Gina",
        last_name="Gray",
        password=STRONG,
    )
    assert (user.kind, user.role, user.is_staff) == ("staff", "agent", False)
    assert user.check_password(STRONG)
    event = AuditEvent.objects.get(action="user.created", object_id=str(user.pk))
    assert event.actor == admin
    assert event.data["role"] == "agent"


def test_administrators_also_get_the_django_admin(world, admin):
    assert admin.is_staff and admin.is_admin


def test_without_a_password_the_new_login_cannot_sign_in_until_reset(world, admin):
    user = create_staff_user(acting_user=admin, username="gina", email="g@t.test", role="agent")
    assert not user.has_usable_password()


def test_agents_and_supervisors_may_not_create_staff(world):
    for actor in (world.alice, world.carol):
        with pytest.raises(errors.NotAllowed):
            create_staff_user(acting_user=actor, username="gina", email="g@t.test", role="agent")
    assert not User.objects.filter(username="gina").exists()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"role": "overlord"}, errors.InvalidRole),
        ({"username": "ALICE"}, errors.UsernameTaken),
        ({"username": "has space"}, errors.InvalidUsername),
        ({"username": ""}, errors.InvalidUsername),
        ({"email": "not-an-address"}, errors.InvalidEmail),
        ({"password": "123"}, errors.WeakPassword),
        ({"first_name": "x" * 151}, errors.InvalidName),
    ],
)
def test_staff_creation_refuses_bad_input(world, admin, kwargs, error):
    arguments = {"username": "gina", "email": "g@t.test", "role": "agent", **kwargs}
    with pytest.raises(error):
        create_staff_user(acting_user=admin, **arguments)
    assert not AuditEvent.objects.filter(action="user.created", actor=admin).exists()


def test_a_weak_password_error_says_why(world, admin):
    with pytest.raises(errors.WeakPassword) as caught:
        create_staff_user(
            acting_user=admin, username="gina", email="g@t.test", role="agent", password="123"
        )
    assert "too short" in caught.value.message


def test_users_set_their_own_language_and_time_zone(world):
    set_user_preferences(
        acting_user=world.alice, user=world.alice, language="lt", time_zone="Europe/Kyiv"
    )
    world.alice.refresh_from_db()
    assert (world.alice.language, world.alice.time_zone) == ("lt", "Europe/Kyiv")
    event = AuditEvent.objects.get(action="user.preferences_changed")
    assert event.data["before"] == {"language": "en", "time_zone": "Europe/Vilnius"}


def test_only_the_user_or_an_admin_sets_preferences(world, admin):
    with pytest.raises(errors.NotAllowed):
        set_user_preferences(
            acting_user=world.carol, user=world.alice, language="lt", time_zone="UTC"
        )
    set_user_preferences(acting_user=admin, user=world.alice, language="ru", time_zone="UTC")
    world.alice.refresh_from_db()
    assert world.alice.language == "ru"


@pytest.mark.parametrize(
    ("language", "time_zone", "field"),
    [("xx", "UTC", "language"), ("en", "Mars/Olympus", "time_zone"), ("en", "", "time_zone")],
)
def test_unknown_language_or_time_zone_is_refused(world, language, time_zone, field):
    with pytest.raises(errors.InvalidPreference) as caught:
        set_user_preferences(
            acting_user=world.alice, user=world.alice, language=language, time_zone=time_zone
        )
    assert caught.value.details["field"] == field
    world.alice.refresh_from_db()
    assert world.alice.language == "en"


def test_a_supervisor_adds_and_removes_department_members(world):
    add_department_member(acting_user=world.carol, department=world.billing, user=world.alice)
    assert world.billing.members.filter(pk=world.alice.pk).exists()
    remove_department_member(acting_user=world.carol, department=world.billing, user=world.alice)
    assert not world.billing.members.filter(pk=world.alice.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(world.billing.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["department.member_added", "department.member_removed"]


def test_agents_may_not_change_department_membership(world):
    with pytest.raises(errors.NotAllowed):
        add_department_member(acting_user=world.alice, department=world.billing, user=world.alice)
    with pytest.raises(errors.NotAllowed):
        remove_department_member(acting_user=world.alice, department=world.support, user=world.bob)


def test_only_active_staff_join_departments(world):
    with pytest.raises(errors.NotStaff):
        add_department_member(
            acting_user=world.carol, department=world.support, user=world.dave_user
        )
    world.alice.is_active = False
    world.alice.save()
    with pytest.raises(errors.NotStaff):
        add_department_member(acting_user=world.carol, department=world.billing, user=world.alice)


def test_membership_changes_that_change_nothing_are_refused(world):
    with pytest.raises(errors.AlreadyMember):
        add_department_member(acting_user=world.carol, department=world.support, user=world.alice)
    with pytest.raises(errors.NotMember):
        remove_department_member(
            acting_user=world.carol, department=world.billing, user=world.alice
        )
