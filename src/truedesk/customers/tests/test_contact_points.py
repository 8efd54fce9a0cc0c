import pytest

from truedesk.accounts.models import AuditEvent
from truedesk.customers import errors
from truedesk.customers.actions import add_contact_point, remove_contact_point
from truedesk.customers.models import ContactPoint, normalise_phone


@pytest.mark.parametrize(
    ("typed", "stored", "key"),
    [
        ("+370 600 12345", "+37060012345", "37060012345"),
        ("00370-600-12345", "+37060012345", "37060012345"),
        ("(8) 600.123/45", "860012345", "860012345"),
        ("123456", "123456", "123456"),
    ],
)
def test_phone_numbers_are_normalised(typed, stored, key):
    assert normalise_phone(typed) == (stored, key)


@pytest.mark.parametrize("typed", ["12345", "+1234567890123456", "600 12 34 ext 5", "", "+"])
def test_things_that_are_not_phone_numbers_are_refused(typed):
    assert normalise_phone(typed) is None


def test_an_email_is_matched_lower_case(world):
    point = add_contact_point(
        acting_user=world.alice,
        customer=world.fiona,
        kind="email",
        value=" Fiona.Fox@Work.Example ",
    )
    assert (point.value, point.normalized) == ("Fiona.Fox@Work.Example", "fiona.fox@work.example")
    assert point.is_primary is False  # fiona already has a primary address
    event = AuditEvent.objects.get(action="customer.contact_point_added")
    assert event.object_id == str(world.fiona.pk) and event.data["kind"] == "email"


def test_the_first_phone_becomes_primary_and_a_new_primary_demotes_the_old(world):
    first = add_contact_point(
        acting_user=world.alice, customer=world.dave, kind="phone", value="+370 600 00001"
    )
    assert first.is_primary
    second = add_contact_point(
        acting_user=world.alice,
        customer=world.dave,
        kind="phone",
        value="+370 600 00002",
        is_primary=True,
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_an_email_owned_by_another_customer_is_refused(world):
    with pytest.raises(errors.ContactPointTaken) as caught:
        add_contact_point(
            acting_user=world.alice, customer=world.fiona, kind="email", value="DAVE@example.com"
        )
    assert caught.value.code == "contact_point_taken"


def test_a_customer_cannot_get_the_same_contact_twice(world):
    with pytest.raises(errors.ContactPointExists):
        add_contact_point(
            acting_user=world.alice, customer=world.dave, kind="email", value="dave@EXAMPLE.com"
        )
    add_contact_point(
        acting_user=world.alice, customer=world.dave, kind="phone", value="+37060012345"
    )
    with pytest.raises(errors.ContactPointExists):
        add_contact_point(
            acting_user=world.alice, customer=world.dave, kind="phone", value="00370 600 12345"
        )


def test_a_household_may_share_a_phone_number(world):
    add_contact_point(
        acting_user=world.alice, customer=world.dave, kind="phone", value="+37060012345"
    )
    add_contact_point(
        acting_user=world.alice, customer=world.fiona, kind="phone", value="+37060012345"
    )
    assert ContactPoint.objects.filter(normalized="37060012345").count() == 2


@pytest.mark.parametrize(
    ("kind", "value"), [("email", "dave@"), ("phone", "12"), ("fax", "+37060012345")]
)
def test_invalid_contact_points_are_refused(world, kind, value):
    with pytest.raises(errors.InvalidContactPoint):
        add_contact_point(acting_user=world.alice, customer=world.dave, kind=kind, value=value)


def test_only_staff_add_or_remove_contact_points(world):
    with pytest.raises(errors.NotAllowed):
        add_contact_point(
            acting_user=world.dave_user,
            customer=world.dave,
            kind="email",
            value="other@example.com",
        )
    point = world.dave.contact_points.get()
    with pytest.raises(errors.NotAllowed):
        remove_contact_point(acting_user=world.erin, contact_point=point)
    assert ContactPoint.objects.filter(pk=point.pk).exists()


def test_removing_the_primary_promotes_the_oldest_remaining_one(world):
    primary = world.dave.contact_points.get()
    other = add_contact_point(
        acting_user=world.alice, customer=world.dave, kind="email", value="dave@work.example"
    )
    newest = add_contact_point(
        acting_user=world.alice, customer=world.dave, kind="email", value="dave@home.example"
    )
    remove_contact_point(acting_user=world.alice, contact_point=primary)
    other.refresh_from_db()
    newest.refresh_from_db()
    assert other.is_primary and not newest.is_primary
    event = AuditEvent.objects.get(action="customer.contact_point_removed")
    assert event.data == {"kind": "email", "value": "dave@example.com"}
