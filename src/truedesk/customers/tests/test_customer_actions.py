import pytest

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import AuditEvent
from truedesk.customers import errors
from truedesk.customers.actions import create_customer, update_customer
from truedesk.customers.models import Customer


def test_staff_create_a_customer_with_contacts_and_organisation(world):
    customer = create_customer(
        acting_user=world.alice,
        name="  Gita Green ",
        emails=["Gita@Example.COM", "gita.work@example.com"],
        phones=["+370 (600) 123-45"],
        tier="gold",
        language="lt",
        time_zone="Europe/Vilnius",
        organisation=world.acme,
        notes="Prefers email.",
    )
    assert (customer.name, customer.tier, customer.language) == ("Gita Green", "gold", "lt")
    points = {(p.kind, p.normalized, p.is_primary) for p in customer.contact_points.all()}
    assert points == {
        ("email", "gita@example.com", True),
        ("email", "gita.work@example.com", False),
        ("phone", "37060012345", True),
    }
    assert list(customer.organisations.all()) == [world.acme]
    event = AuditEvent.objects.get(action="customer.created")
    assert event.actor == world.alice and event.object_id == str(customer.pk)


def test_a_single_address_given_as_a_string_is_one_contact_point(world):
    customer = create_customer(
        acting_user=world.alice, name="Gita", emails="gita@example.com", phones="+37060012345"
    )
    assert sorted(customer.contact_points.values_list("value", flat=True)) == [
        "+37060012345",
        "gita@example.com",
    ]


def test_a_system_component_may_create_customers(world):
    customer = create_customer(acting_user=SystemActor("email"), name="Walk In")
    assert customer.time_zone == "Europe/Vilnius"
    assert AuditEvent.objects.get(action="customer.created").actor_label == "email"


@pytest.mark.parametrize("actor", ["dave_user", "erin"])
def test_customers_and_partners_may_not_create_customers(world, actor):
    with pytest.raises(errors.NotAllowed):
        create_customer(acting_user=getattr(world, actor), name="Gita Green")
    assert not Customer.objects.filter(name="Gita Green").exists()


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"name": "  "}, errors.InvalidValue, "invalid_value"),
        ({"tier": "diamond"}, errors.InvalidValue, "invalid_value"),
        ({"language": "de"}, errors.InvalidValue, "invalid_value"),
        ({"time_zone": "Nowhere/Land"}, errors.InvalidValue, "invalid_value"),
        ({"emails": ["DAVE@example.com"]}, errors.ContactPointTaken, "contact_point_taken"),
        ({"emails": ["not-an-email"]}, errors.InvalidContactPoint, "invalid_contact_point"),
        ({"phones": ["call me maybe"]}, errors.InvalidContactPoint, "invalid_contact_point"),
    ],
)
def test_customer_creation_refuses_bad_input_and_creates_nothing(world, kwargs, error, code):
    before = Customer.objects.count()
    with pytest.raises(error) as caught:
        create_customer(acting_user=world.alice, **{"name": "Gita Green", **kwargs})
    assert caught.value.code == code
    assert Customer.objects.count() == before
    assert not AuditEvent.objects.filter(action="customer.created").exists()


def test_update_changes_fields_bumps_the_version_and_records_before_and_after(world):
    dave = world.dave
    update_customer(
        acting_user=world.alice, customer=dave, expected_version=1, tier="gold", notes="VIP"
    )
    assert (dave.tier, dave.notes, dave.version) == ("gold", "VIP", 2)
    assert Customer.objects.get(pk=dave.pk).tier == "gold"
    event = AuditEvent.objects.get(action="customer.updated")
    assert event.data["changes"] == {"tier": ["standard", "gold"], "notes": ["", "VIP"]}
    assert event.data["version"] == 2


def test_a_second_editor_with_an_old_version_gets_stale_version(world):
    first_view = Customer.objects.get(pk=world.dave.pk)
    second_view = Customer.objects.get(pk=world.dave.pk)
    update_customer(acting_user=world.alice, customer=first_view, expected_version=1, tier="gold")
    with pytest.raises(errors.StaleVersion) as caught:
        update_customer(
            acting_user=world.bob, customer=second_view, expected_version=1, tier="silver"
        )
    assert caught.value.code == "stale_version"
    assert caught.value.current_version == 2
    assert caught.value.as_dict()["current_version"] == 2
    assert Customer.objects.get(pk=world.dave.pk).tier == "gold"


def test_an_update_that_changes_nothing_keeps_the_version(world):
    update_customer(
        acting_user=world.alice, customer=world.dave, expected_version=1, name="Dave Davis"
    )
    assert world.dave.version == 1
    assert not AuditEvent.objects.filter(action="customer.updated").exists()


def test_update_refuses_unknown_fields_and_bad_values(world):
    with pytest.raises(errors.InvalidField) as caught:
        update_customer(acting_user=world.alice, customer=world.dave, expected_version=1, version=7)
    assert caught.value.details == {"field": "version"}
    with pytest.raises(errors.InvalidValue):
        update_customer(
            acting_user=world.alice, customer=world.dave, expected_version=1, name="x" * 201
        )


def test_updating_a_deleted_customer_says_not_found(world):
    ghost = Customer.objects.create(name="Ghost")
    Customer.objects.filter(pk=ghost.pk).delete()
    with pytest.raises(errors.CustomerNotFound):
        update_customer(acting_user=world.alice, customer=ghost, expected_version=1, name="Boo")


def test_customers_change_their_own_name_language_and_time_zone(world):
    update_customer(
        acting_user=world.dave_user,
        customer=world.dave,
        expected_version=1,
        language="uk",
        time_zone="Europe/Kyiv",
    )
    assert (world.dave.language, world.dave.time_zone) == ("uk", "Europe/Kyiv")


def test_customers_may_not_change_their_tier_or_notes_or_anyone_else(world):
    with pytest.raises(errors.NotAllowed):
        update_customer(
            acting_user=world.dave_user, customer=world.dave, expected_version=1, tier="platinum"
        )
    with pytest.raises(errors.NotAllowed):
        update_customer(
            acting_user=world.fiona_user, customer=world.dave, expected_version=1, name="Hacked"
        )
    with pytest.raises(errors.NotAllowed):
        update_customer(
            acting_user=world.erin, customer=world.dave, expected_version=1, name="Hacked"
        )
    world.dave.refresh_from_db()
    assert (world.dave.tier, world.dave.name) == ("standard", "Dave Davis")


def test_errors_render_as_a_stable_code_message_and_details_for_the_api(world):
    with pytest.raises(errors.InvalidValue) as caught:
        create_customer(acting_user=world.alice, name="Gita", tier="diamond")
    assert caught.value.as_dict() == {
        "code": "invalid_value",
        "message": "That value is not valid.",
        "field": "tier",
    }
    assert caught.value.http_status == 422
