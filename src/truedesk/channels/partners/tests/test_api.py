"""Partner API tokens: cases, replies, files and customers of authorising customers only."""

from __future__ import annotations

import pytest

from truedesk.cases.models import Case
from truedesk.channels.partners.tests.conftest import call_api, signed_in
from truedesk.customers.actions import revoke_partner_authorisation


def test_a_partner_token_lists_only_authorised_customers_cases(client, scene):
    reply = call_api(client, "GET", "/cases", token=scene.token)

    assert reply.status == 200
    assert [item["number"] for item in reply.body["items"]] == [scene.daves_case.number]
    assert "Fiona" not in reply.text


def test_a_partner_token_opens_a_case_for_an_authorised_customer(client, scene):
    world = scene.world

    reply = call_api(
        client,
        "POST",
        "/cases",
        token=scene.token,
        body={"customer": world.dave.pk, "subject": "Roaming", "body": "Trip to Spain."},
    )

    assert reply.status == 201, reply.body
    case = Case.objects.get(number=reply.body["number"])
    assert case.customer == world.dave
    interactions = call_api(client, "GET", f"/cases/{case.number}/interactions", token=scene.token)
    author = interactions.body[0]["author"]
    assert author["kind"] == "partner" and author["id"] == world.erin.pk
    assert author["name"] == "Travelwise (Erin Evans) for Dave Davis"


def test_opening_for_an_unauthorised_customer_is_404_and_writes_nothing(client, scene):
    reply = call_api(
        client,
        "POST",
        "/cases",
        token=scene.token,
        body={"customer": scene.world.fiona.pk, "subject": "Sneaky", "body": "x"},
    )

    assert reply.status == 404 and reply.body["code"] == "not_found"
    assert not Case.objects.filter(subject="Sneaky").exists()


def test_a_partner_replies_and_reads_the_public_conversation_only(client, scene):
    number = scene.daves_case.number

    posted = call_api(
        client, "POST", f"/cases/{number}/replies", token=scene.token, body={"body": "Update?"}
    )
    listed = call_api(client, "GET", f"/cases/{number}/interactions", token=scene.token)

    assert posted.status == 201, posted.body
    assert posted.body["direction"] == "inbound"
    bodies = [item["body"] for item in listed.body]
    assert "Update?" in bodies
    assert not any("INTERNAL" in body for body in bodies)
    assert all(not item["is_internal"] for item in listed.body)


def test_files_download_for_authorised_cases_only_never_internal_ones(client, scene):
    ok = client.get(
        f"/api/v1/attachments/{scene.daves_file.pk}/download",
        HTTP_AUTHORIZATION=f"Bearer {scene.token}",
    )

    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == b"red red green"
    for hidden in (scene.internal_file, scene.fionas_file):
        for suffix in ("", "/download"):
            reply = call_api(client, "GET", f"/attachments/{hidden.pk}{suffix}", token=scene.token)
            assert reply.status == 404


def test_customers_are_listed_and_read_only_when_they_authorised_the_partner(client, scene):
    world = scene.world

    listed = call_api(client, "GET", "/customers", token=scene.token)
    dave = call_api(client, "GET", f"/customers/{world.dave.pk}", token=scene.token)
    fiona = call_api(client, "GET", f"/customers/{world.fiona.pk}", token=scene.token)
    filtered = call_api(client, "GET", "/customers?email=fiona@example.com", token=scene.token)

    assert [item["name"] for item in listed.body["items"]] == ["Dave Davis"]
    assert dave.status == 200 and dave.body["notes"] is None
    assert fiona.status == 404
    assert filtered.status == 422


def test_revocation_stops_the_token_on_its_next_request(client, scene):
    number = scene.daves_case.number
    assert call_api(client, "GET", f"/cases/{number}", token=scene.token).status == 200

    revoke_partner_authorisation(acting_user=scene.world.dave_user, authorisation=scene.grant)

    assert call_api(client, "GET", f"/cases/{number}", token=scene.token).status == 404
    assert call_api(client, "GET", "/cases", token=scene.token).body["items"] == []
    reply = call_api(
        client, "POST", f"/cases/{number}/replies", token=scene.token, body={"body": "Still?"}
    )
    assert reply.status == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", "/cases/{n}"), ("POST", "/cases/{n}/notes"), ("POST", "/cases/{n}/take"),
     ("GET", "/cases/{n}/links"), ("GET", "/transfers"), ("GET", "/promises")],
)  # fmt: skip
def test_operations_outside_partner_scope_are_404_even_on_authorised_cases(
    client, scene, method, path
):
    reply = call_api(
        client, method, path.format(n=scene.daves_case.number), token=scene.token, body={}
    )

    assert reply.status == 404 and reply.body["code"] == "not_found"


def test_a_partner_session_gets_the_same_scope_as_its_token(scene):
    session = signed_in(scene.world.erin)

    mine = call_api(session, "GET", f"/cases/{scene.daves_case.number}")
    theirs = call_api(session, "GET", f"/cases/{scene.fionas_case.number}")
    staff_only = call_api(session, "GET", "/organisations")

    assert (mine.status, theirs.status, staff_only.status) == (200, 404, 404)
