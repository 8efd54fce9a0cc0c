import pytest
from django.urls import reverse

from truedesk.accounts.models import AuditEvent, User
from truedesk.customers.models import ContactPoint, Customer


@pytest.fixture
def admin_client(world, client):
    client.force_login(User.objects.create_superuser("root", "root@truedesk.test", "x"))
    return client


def _customer_form(customer, **points):
    form = {
        "name": customer.name,
        "tier": customer.tier,
        "language": customer.language,
        "time_zone": customer.time_zone,
        "notes": "",
        "contact_points-TOTAL_FORMS": "1",
        "contact_points-INITIAL_FORMS": "0",
        "contact_points-MIN_NUM_FORMS": "0",
        "contact_points-MAX_NUM_FORMS": "1000",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    form.update({f"contact_points-0-{key}": value for key, value in points.items()})
    return form


def test_customer_and_organisation_pages_load(admin_client, world):
    for name in ("customer", "organisation"):
        assert admin_client.get(reverse(f"admin:customers_{name}_changelist")).status_code == 200
    url = reverse("admin:customers_customer_change", args=[world.dave.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and b"dave@example.com" in page.content
    page = admin_client.get(reverse("admin:customers_organisation_change", args=[world.acme.pk]))
    assert page.status_code == 200 and b"Dave Davis" in page.content


def test_contact_points_added_in_the_admin_are_normalised(admin_client, world):
    url = reverse("admin:customers_customer_change", args=[world.fiona.pk])
    response = admin_client.post(
        url, _customer_form(world.fiona, kind="phone", value="00370 600 12345")
    )
    assert response.status_code == 302
    point = ContactPoint.objects.get(customer=world.fiona, kind="phone")
    assert (point.value, point.normalized) == ("+37060012345", "37060012345")
    assert Customer.objects.get(pk=world.fiona.pk).version == 2
    assert AuditEvent.objects.filter(action="customer.changed_in_admin").exists()


def test_the_admin_refuses_an_email_that_belongs_to_someone_else(admin_client, world):
    url = reverse("admin:customers_customer_change", args=[world.fiona.pk])
    response = admin_client.post(
        url, _customer_form(world.fiona, kind="email", value="DAVE@example.com")
    )
    assert response.status_code == 200
    assert b"already belongs to another customer" in response.content
    assert world.fiona.contact_points.count() == 1
