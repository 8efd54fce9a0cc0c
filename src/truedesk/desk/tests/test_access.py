"""Desk pages are for signed-in staff: visitors must sign in, customers and partners are refused."""

from __future__ import annotations

import pytest
from django.test import Client

GET_PAGES = [
    "/desk/",
    "/desk/queue/",
    "/desk/queue/support/",
    "/desk/unrouted/",
    "/desk/search/?q=router",
    "/desk/cases/{case}/",
    "/desk/customers/{customer}/",
    "/desk/organisations/{organisation}/",
]
POST_ACTIONS = [
    "/desk/cases/{case}/reply/",
    "/desk/cases/{case}/note/",
    "/desk/cases/{case}/take/",
    "/desk/cases/{case}/transfer/",
    "/desk/cases/{case}/status/",
    "/desk/cases/{case}/edit/",
    "/desk/cases/{case}/link/",
    "/desk/transfers/1/accept/",
    "/desk/transfers/1/decline/",
    "/desk/transfers/1/cancel/",
]


def _url(template, world, case):
    return template.format(case=case.number, customer=world.dave.pk, organisation=world.acme.pk)


@pytest.mark.parametrize("page", GET_PAGES + POST_ACTIONS)
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(world, case, page):
    url = _url(page, world, case)
    response = Client().post(url) if page in POST_ACTIONS else Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("page", GET_PAGES + POST_ACTIONS)
@pytest.mark.parametrize(("persona", "status"), [("dave_user", 403), ("erin", 404)])
def test_customers_and_partners_are_refused(world, case, client_for, page, persona, status):
    client = client_for(getattr(world, persona))
    url = _url(page, world, case)

    response = client.post(url, {"reply-body": "hi"}) if page in POST_ACTIONS else client.get(url)

    # Partners get 404 outside their own area (accounts.middleware.PartnerFenceMiddleware).
    assert response.status_code == status
    case.refresh_from_db()
    assert case.interactions.count() == 1 and case.owner_id is None


@pytest.mark.parametrize("page", GET_PAGES)
@pytest.mark.parametrize("persona", ["alice", "bob", "carol"])
def test_every_staff_member_may_open_every_desk_page(world, case, client_for, page, persona):
    response = client_for(getattr(world, persona)).get(_url(page, world, case))

    assert response.status_code == 200
    assert b'id="desk-page"' in response.content


def test_an_inactive_staff_member_is_refused(world, case, client_for):
    client = client_for(world.bob)
    world.bob.is_active = False
    world.bob.save()

    response = client.get("/desk/")

    assert response.status_code in (302, 403)


def test_the_desk_nav_marks_the_current_page(alice_client):
    page = alice_client.get("/desk/queue/").content.decode()

    assert '<a href="/desk/queue/" aria-current="page">Queues</a>' in page
    assert '<a href="/desk/" aria-current="page">' not in page
    assert 'data-shortcut="/"' in page


@pytest.mark.parametrize(
    "url",
    [
        "/desk/cases/99999/",
        "/desk/cases/1234567890123456789012/",
        "/desk/customers/99999/",
        "/desk/organisations/99999/",
        "/desk/queue/no-such-department/",
    ],
)
def test_a_missing_object_is_a_404_not_an_error(world, alice_client, url):
    assert alice_client.get(url).status_code == 404
