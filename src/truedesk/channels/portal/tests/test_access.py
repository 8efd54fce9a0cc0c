"""Who may use the portal: customers only, and each only with his own cases."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from truedesk.accounts.models import User
from truedesk.cases.models import Interaction

PAGES = [
    ("get", "portal:home", False),
    ("get", "portal:new_case", False),
    ("post", "portal:new_case", False),
    ("get", "portal:case", True),
    ("post", "portal:reply", True),
]


def _url(name: str, needs_case: bool, case) -> str:
    return reverse(name, args=[case.number]) if needs_case else reverse(name)


@pytest.mark.parametrize(("method", "name", "needs_case"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, daves_case, method, name, needs_case):
    url = _url(name, needs_case, daves_case)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("carol", 403), ("erin", 404)])
@pytest.mark.parametrize(("method", "name", "needs_case"), PAGES)
def test_staff_and_partners_are_refused(
    world, daves_case, persona, status, method, name, needs_case
):
    client = Client()
    client.force_login(getattr(world, persona))

    response = getattr(client, method)(_url(name, needs_case, daves_case), {"body": "hello"})

    # Partners get 404 everywhere outside their own area (PartnerFenceMiddleware).
    assert response.status_code == status
    assert daves_case.interactions.count() == 1


def test_a_customer_login_without_a_customer_record_is_refused(world):
    orphan = User.objects.create_user("orphan", "orphan@example.com", "x" * 12, kind="customer")
    client = Client()
    client.force_login(orphan)

    assert client.get(reverse("portal:home")).status_code == 403


def test_a_deactivated_customer_cannot_use_the_portal(world, dave_client):
    User.objects.filter(pk=world.dave_user.pk).update(is_active=False)

    response = dave_client.get(reverse("portal:home"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_customers_case_is_not_found_exactly_like_a_missing_one(fiona_client, daves_case):
    theirs = fiona_client.get(reverse("portal:case", args=[daves_case.number]))
    missing = fiona_client.get(reverse("portal:case", args=[daves_case.number + 1000]))

    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert daves_case.subject not in theirs.content.decode()


def test_replying_to_another_customers_case_is_not_found_and_adds_nothing(fiona_client, daves_case):
    response = fiona_client.post(
        reverse("portal:reply", args=[daves_case.number]), {"body": "I am in your case"}
    )

    assert response.status_code == 404
    assert not Interaction.objects.filter(body__contains="I am in your case").exists()


def test_another_customers_attachment_is_not_found_by_its_id(fiona_client, daves_case):
    attachment = daves_case.attachments.get()

    response = fiona_client.get(reverse("cases:attachment", args=[attachment.pk]))

    assert response.status_code == 404


def test_the_owner_of_an_attachment_can_download_it(dave_client, daves_case):
    attachment = daves_case.attachments.get()

    response = dave_client.get(reverse("cases:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"red red green"


@pytest.mark.parametrize("number", ["99999999999999999999999", "9223372036854775808", "0"])
def test_absurd_case_numbers_are_not_found_not_a_crash(dave_client, number):
    assert dave_client.get(f"/portal/cases/{number}/").status_code == 404
    assert dave_client.post(f"/portal/cases/{number}/reply/", {"body": "x"}).status_code == 404
