"""Customers, contact points, memberships and organisations through the API."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from truedesk.customers.actions import create_customer
from truedesk.customers.models import ContactPoint, Customer, Membership, Organisation


def test_staff_add_a_customer_with_contact_points_and_an_organisation(api, world):
    reply = api.post(
        "/customers",
        {
            "name": "Gina Green",
            "emails": ["Gina@Example.com"],
            "phones": ["+370 600 11111"],
            "tier": "gold",
            "language": "lt",
            "organisation": world.acme.pk,
        },
        as_="alice",
    )

    assert reply.status == 201
    customer = Customer.objects.get(pk=reply.body["id"])
    assert (customer.name, customer.tier, customer.language) == ("Gina Green", "gold", "lt")
    assert {(p["kind"], p["value"], p["is_primary"]) for p in reply.body["contact_points"]} == {
        ("email", "Gina@Example.com", True),
        ("phone", "+37060011111", True),
    }
    assert reply.body["memberships"][0]["organisation"] == {"id": world.acme.pk, "name": "Acme Ltd"}


def test_an_email_address_of_another_customer_is_refused(api, world):
    reply = api.post(
        "/customers", {"name": "Imposter", "emails": ["DAVE@example.com"]}, as_="alice"
    )

    assert reply.status == 409
    assert reply.body["code"] == "contact_point_taken"
    assert not Customer.objects.filter(name="Imposter").exists()


def test_an_invalid_tier_is_a_422(api, world):
    reply = api.post("/customers", {"name": "Gina", "tier": "diamond"}, as_="alice")

    assert reply.status == 422
    assert reply.body["details"][0]["loc"][-1] == "tier"


def test_a_stale_customer_update_gets_409_with_the_current_version(api, world):
    path = f"/customers/{world.dave.pk}"

    first = api.patch(path, {"version": 1, "notes": "Prefers email."}, as_="alice")
    second = api.patch(path, {"version": 1, "notes": "Prefers phone."}, as_="bob")

    assert first.status == 200
    assert first.body["version"] == 2
    assert second.status == 409
    assert second.body["details"] == {"current_version": 2}
    assert Customer.objects.get(pk=world.dave.pk).notes == "Prefers email."


def test_a_customer_may_rename_himself_but_not_change_his_tier(api, world):
    path = f"/customers/{world.dave.pk}"

    rename = api.patch(path, {"version": 1, "name": "David Davis", "language": "uk"}, as_="dave")
    upgrade = api.patch(path, {"version": rename.body["version"], "tier": "platinum"}, as_="dave")

    assert rename.status == 200
    assert rename.body["name"] == "David Davis"
    assert rename.body["notes"] is None
    assert upgrade.status == 403
    assert Customer.objects.get(pk=world.dave.pk).tier == "standard"


def test_an_invalid_time_zone_names_the_field(api, world):
    reply = api.patch(
        f"/customers/{world.dave.pk}", {"version": 1, "time_zone": "Mars/Olympus"}, as_="alice"
    )

    assert reply.status == 422
    assert reply.body["code"] == "invalid_value"
    assert reply.body["details"] == {"field": "time_zone"}


def test_contact_points_are_added_and_removed(api, world):
    added = api.post(
        f"/customers/{world.dave.pk}/contact-points",
        {"kind": "email", "value": "dave@work.example", "is_primary": True},
        as_="alice",
    )
    removed = api.delete(
        f"/customers/{world.dave.pk}/contact-points/{added.body['id']}", as_="alice"
    )

    assert added.status == 201
    assert added.body["is_primary"] is True
    assert removed.status == 204
    assert not ContactPoint.objects.filter(pk=added.body["id"]).exists()
    assert ContactPoint.objects.get(customer=world.dave, kind="email").is_primary


def test_an_invalid_phone_number_is_refused(api, world):
    reply = api.post(
        f"/customers/{world.dave.pk}/contact-points",
        {"kind": "phone", "value": "call me maybe"},
        as_="alice",
    )

    assert reply.status == 422
    assert reply.body["code"] == "invalid_contact_point"


def test_removing_another_customers_contact_point_is_a_404(api, world):
    fionas = world.fiona.contact_points.get()

    reply = api.delete(f"/customers/{world.dave.pk}/contact-points/{fionas.pk}", as_="alice")

    assert reply.status == 404
    assert ContactPoint.objects.filter(pk=fionas.pk).exists()


def test_memberships_are_added_once_and_removed(api, world):
    path = f"/customers/{world.fiona.pk}/memberships"

    added = api.post(path, {"organisation": world.acme.pk, "title": "CFO"}, as_="alice")
    again = api.post(path, {"organisation": world.acme.pk}, as_="alice")
    removed = api.delete(f"{path}/{world.acme.pk}", as_="alice")

    assert added.status == 201
    assert added.body["title"] == "CFO"
    assert again.status == 409
    assert again.body["code"] == "membership_exists"
    assert removed.status == 204
    assert not Membership.objects.filter(customer=world.fiona).exists()


def test_customers_are_found_by_text_by_exact_email_and_by_exact_phone(api, world):
    api.post(
        f"/customers/{world.fiona.pk}/contact-points",
        {"kind": "phone", "value": "+370 600 22222"},
        as_="alice",
    )

    def names(**query):
        reply = api.get("/customers", as_="alice", query=query)
        assert reply.status == 200, reply.body
        return [item["name"] for item in reply.body["items"]]

    assert names(q="fox") == ["Fiona Fox"]
    assert names(q="acme") == ["Dave Davis"]
    assert names(email="FIONA@example.com") == ["Fiona Fox"]
    assert names(email="fiona@example.co") == []
    assert names(phone="00370 600 22222") == ["Fiona Fox"]
    assert names(organisation=world.acme.pk) == ["Dave Davis"]
    assert names(tier="standard") == ["Dave Davis", "Fiona Fox"]


def test_an_exact_look_up_cannot_be_combined_with_other_filters(api, world):
    reply = api.get("/customers", as_="alice", query={"email": "dave@example.com", "q": "dave"})

    assert reply.status == 422


def test_organisations_are_created_listed_read_and_updated_with_versions(api, world):
    created = api.post(
        "/organisations",
        {"name": "Initech", "tier": "silver", "account_manager": world.carol.pk},
        as_="alice",
    )
    path = f"/organisations/{created.body['id']}"
    listed = api.get("/organisations", as_="alice", query={"q": "init"})
    updated = api.patch(path, {"version": 1, "name": "Initech Ltd"}, as_="alice")
    stale = api.patch(path, {"version": 1, "tier": "gold"}, as_="bob")

    assert created.status == 201
    assert created.body["account_manager"]["username"] == "carol"
    assert [item["name"] for item in listed.body["items"]] == ["Initech"]
    assert listed.body["next_cursor"] is None
    assert updated.status == 200
    assert updated.body["name"] == "Initech Ltd"
    assert stale.status == 409
    assert Organisation.objects.get(pk=created.body["id"]).tier == "silver"


def test_an_account_manager_must_be_staff(api, world):
    path = f"/organisations/{world.acme.pk}/account-manager"

    customer = api.put(path, {"account_manager": world.dave_user.pk}, as_="alice")
    nobody = api.put(path, {"account_manager": None}, as_="alice")

    assert customer.status == 422
    assert customer.body["code"] == "not_staff"
    assert nobody.status == 200
    assert nobody.body["account_manager"] is None


def test_a_member_sees_his_organisation_without_staff_notes(api, world):
    world.acme.notes = "Pays late."
    world.acme.save()

    mine = api.get(f"/organisations/{world.acme.pk}", as_="dave")
    not_mine = api.get(f"/organisations/{world.acme.pk}", as_="fiona")

    assert mine.status == 200
    assert mine.body["notes"] is None
    assert mine.body["account_manager"]["username"] is None
    assert not_mine.status == 404


def test_listing_customers_takes_the_same_number_of_queries_for_many(api, world):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/customers", as_="alice").status == 200
        return len(queries)

    count_queries()  # the token's first use of the minute records last_used_at
    few = count_queries()
    for index in range(4):
        create_customer(
            acting_user=world.alice,
            name=f"Customer {index}",
            emails=[f"c{index}@example.com"],
            phones=["+370 600 00000"],
            organisation=world.acme,
        )
    many = count_queries()

    assert many == few
