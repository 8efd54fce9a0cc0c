import pytest

from truedesk.accounts import errors as account_errors
from truedesk.accounts.models import AuditEvent
from truedesk.customers import errors
from truedesk.customers.actions import create_customer, create_customer_login


@pytest.fixture
def gita(world):
    return create_customer(acting_user=world.alice, name="Gita Green", emails=["gita@example.com"])


def test_staff_give_a_customer_a_portal_login(world, gita):
    user = create_customer_login(
        acting_user=world.alice, customer=gita, username="gita", email="gita@example.com"
    )
    gita.refresh_from_db()
    assert gita.user == user
    assert (user.kind, user.role, user.first_name, user.last_name) == (
        "customer",
        "",
        "Gita",
        "Green",
    )
    assert user.is_customer and not user.is_staff_member
    assert not user.has_usable_password()  # set through password reset
    event = AuditEvent.objects.get(action="customer.login_created")
    assert event.data == {"user_id": user.pk, "username": "gita"}


def test_a_customer_with_a_login_cannot_get_a_second(world):
    with pytest.raises(errors.AlreadyHasLogin):
        create_customer_login(
            acting_user=world.alice, customer=world.dave, username="dave2", email="dave@example.com"
        )


def test_customer_logins_follow_the_same_username_and_password_rules(world, gita):
    with pytest.raises(account_errors.UsernameTaken):
        create_customer_login(
            acting_user=world.alice, customer=gita, username="Fiona", email="gita@example.com"
        )
    with pytest.raises(account_errors.WeakPassword):
        create_customer_login(
            acting_user=world.alice,
            customer=gita,
            username="gita",
            email="gita@example.com",
            password="gitagreen",
        )
    gita.refresh_from_db()
    assert gita.user is None


def test_only_staff_create_customer_logins(world, gita):
    for actor in (world.dave_user, world.erin):
        with pytest.raises(errors.NotAllowed):
            create_customer_login(
                acting_user=actor, customer=gita, username="gita", email="gita@example.com"
            )
