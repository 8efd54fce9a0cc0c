"""The partner area, the customer's Partners page in the portal and the staff admin screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from truedesk.accounts.models import AuditEvent
from truedesk.cases.actions import open_case
from truedesk.cases.models import Case
from truedesk.channels.partners.tests.conftest import signed_in
from truedesk.customers.models import PartnerAuthorisation


def test_the_home_page_sends_partner_users_to_their_area(scene, erin_client):
    response = erin_client.get("/")

    assert response.status_code == 302 and response["Location"] == "/partners/"


def test_the_partner_home_lists_authorising_customers_and_their_cases_only(scene, erin_client):
    page = erin_client.get("/partners/").content.decode()

    assert "Dave Davis" in page and "Router keeps dropping the line" in page
    assert "Fiona" not in page and "billing question" not in page


def test_without_any_grant_the_partner_is_told_how_access_is_given(world, erin_client):
    page = erin_client.get("/partners/").content.decode()

    assert "No customer has authorised your organisation yet" in page


def test_a_customers_page_is_404_unless_he_authorised_the_partner(scene, erin_client):
    world = scene.world

    assert erin_client.get(f"/partners/customers/{world.dave.pk}/").status_code == 200
    assert erin_client.get(f"/partners/customers/{world.fiona.pk}/").status_code == 404
    assert erin_client.get(f"/partners/cases/{scene.fionas_case.number}/").status_code == 404


def test_the_partner_opens_a_case_for_the_customer_from_the_page(scene, erin_client):
    world = scene.world

    response = erin_client.post(
        f"/partners/customers/{world.dave.pk}/cases/new/",
        {"subject": "Roaming in Spain", "description": "Client travels Friday.", "kind": ""},
    )

    case = Case.objects.get(subject="Roaming in Spain")
    assert response.status_code == 302
    assert response["Location"] == f"/partners/cases/{case.number}/"
    assert case.customer == world.dave
    page = erin_client.get(response["Location"]).content.decode()
    assert "Travelwise (Erin Evans) for Dave Davis" in page


def test_opening_for_a_customer_who_did_not_authorise_is_404_and_writes_nothing(scene, erin_client):
    response = erin_client.post(
        f"/partners/customers/{scene.world.fiona.pk}/cases/new/",
        {"subject": "Sneaky", "description": "x"},
    )

    assert response.status_code == 404
    assert not Case.objects.filter(subject="Sneaky").exists()


def test_an_empty_case_form_says_what_is_missing(scene, erin_client):
    response = erin_client.post(
        f"/partners/customers/{scene.world.dave.pk}/cases/new/", {"subject": ""}
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_the_partner_replies_on_the_case_page_and_never_sees_internal_notes(scene, erin_client):
    url = f"/partners/cases/{scene.daves_case.number}/"

    before = erin_client.get(url).content.decode()
    response = erin_client.post(url + "reply/", {"body": "Our client asks for an update."})
    after = erin_client.get(url).content.decode()

    assert "INTERNAL" not in before and "dslam-report" not in before
    assert "router-lights.txt" in before
    assert response.status_code == 302
    assert "Our client asks for an update." in after


def test_a_read_only_grant_shows_no_reply_or_open_forms(scene, erin_client):
    world = scene.world
    from truedesk.customers.actions import authorise_partner

    authorise_partner(
        acting_user=world.dave_user,
        customer=world.dave,
        partner=world.partner,
        scope=PartnerAuthorisation.Scope.READ,
    )

    case_page = erin_client.get(f"/partners/cases/{scene.daves_case.number}/").content.decode()
    reply = erin_client.post(f"/partners/cases/{scene.daves_case.number}/reply/", {"body": "x"})

    assert "Reply for the customer" not in case_page
    assert "read it only" in case_page
    assert reply.status_code == 200 and "not allowed" in reply.content.decode()
    assert scene.daves_case.interactions.filter(body="x").count() == 0


def test_the_partner_case_list_costs_the_same_queries_for_many_cases(scene, erin_client):
    url = f"/partners/customers/{scene.world.dave.pk}/"
    erin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        erin_client.get(url)
    for index in range(5):
        open_case(
            acting_user=scene.world.dave_user,
            customer=scene.world.dave,
            subject=f"Extra {index}",
            body="x",
            channel="portal",
        )
    with CaptureQueriesContext(connection) as many:
        erin_client.get(url)

    assert len(many) == len(few)


@pytest.mark.parametrize("persona", ["alice", "dave_user"])
def test_staff_and_customers_get_404_in_the_partner_area(scene, persona):
    client = signed_in(getattr(scene.world, persona))

    assert client.get("/partners/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/partners/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the customer's Partners page -----------------------------------------------------


def test_the_customer_grants_sees_and_revokes_a_partner_in_the_portal(world):
    dave = signed_in(world.dave_user)
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()

    granted = dave.post(
        "/portal/partners/",
        {"partner": world.partner.pk, "scope": "follow", "expires_on": expires},
    )
    grant = PartnerAuthorisation.objects.get()
    page = dave.get("/portal/partners/").content.decode()
    revoked = dave.post(f"/portal/partners/{grant.pk}/revoke/")
    after = dave.get("/portal/partners/").content.decode()

    assert granted.status_code == 302 and grant.customer == world.dave
    assert grant.expires_at is not None and grant.granted_via == "customer"
    assert "Revoke Travelwise" in page
    assert revoked.status_code == 302
    assert "Revoke Travelwise" not in after and "revoked" in after
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_a_past_expiry_day_is_refused_with_a_clear_message(world):
    dave = signed_in(world.dave_user)

    response = dave.post(
        "/portal/partners/",
        {"partner": world.partner.pk, "scope": "follow", "expires_on": "2001-01-01"},
    )

    assert response.status_code == 200
    assert "Choose a day after today." in response.content.decode()
    assert not PartnerAuthorisation.objects.exists()


def test_a_customer_cannot_revoke_another_customers_grant(scene):
    fiona = signed_in(scene.world.fiona_user)

    response = fiona.post(f"/portal/partners/{scene.grant.pk}/revoke/")

    assert response.status_code == 404
    scene.grant.refresh_from_db()
    assert scene.grant.revoked_at is None


def test_the_customer_sees_what_the_partner_did_for_him(scene):
    open_case(
        acting_user=scene.world.erin,
        customer=scene.world.dave,
        subject="Roaming",
        body="Please enable roaming.",
        channel="portal",
    )

    activity = signed_in(scene.world.dave_user).get("/portal/partners/").content.decode()
    case_page = signed_in(scene.world.dave_user).get(
        f"/portal/cases/{Case.objects.get(subject='Roaming').number}/"
    )

    assert "partner Travelwise (erin) for customer Dave Davis" in activity
    assert "opened a case" in activity
    assert "Travelwise (Erin Evans) for you" in case_page.content.decode()


def test_staff_see_partner_for_customer_on_the_desk_timeline(scene):
    case = open_case(
        acting_user=scene.world.erin,
        customer=scene.world.dave,
        subject="Roaming",
        body="Please enable roaming.",
        channel="portal",
    )

    page = signed_in(scene.world.alice).get(f"/desk/cases/{case.number}/").content.decode()

    assert "Travelwise (Erin Evans) for Dave Davis" in page
    assert "partner Travelwise (erin) for customer Dave Davis" in page


# --- staff record consent in the admin ------------------------------------------------


def test_an_admin_records_a_customers_consent_with_a_note(world):
    from truedesk.testing.personas import make_staff

    admin = make_staff("root", "admin", "Ada Admin")
    admin.is_superuser = True
    admin.save()
    client = signed_in(admin)

    missing_note = client.post(
        "/admin/customers/partnerauthorisation/add/",
        {"customer": world.fiona.pk, "partner": world.partner.pk, "scope": "read"},
    )
    assert missing_note.status_code == 200 and not PartnerAuthorisation.objects.exists()
    added = client.post(
        "/admin/customers/partnerauthorisation/add/",
        {
            "customer": world.fiona.pk,
            "partner": world.partner.pk,
            "scope": "read",
            "consent_note": "Fiona asked at the Vilnius branch; ID card checked.",
        },
    )

    assert added.status_code == 302
    grant = PartnerAuthorisation.objects.get()
    assert grant.granted_via == "staff" and grant.granted_by == admin and grant.scope == "read"
    assert AuditEvent.objects.filter(action="partner.authorised", actor=admin).exists()


def test_files_on_the_partner_case_page_download_with_the_session_internal_ones_never(
    scene, erin_client
):
    page = erin_client.get(f"/partners/cases/{scene.daves_case.number}/").content.decode()
    link = f"/api/v1/attachments/{scene.daves_file.pk}/download"

    download = erin_client.get(link)
    hidden = erin_client.get(f"/api/v1/attachments/{scene.internal_file.pk}/download")

    assert link in page
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"red red green"
    assert hidden.status_code == 404
