"""Portal call-back pages: who may see them, asking, cancelling and the wait panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from truedesk.channels.contactcentre.actions import request_callback
from truedesk.channels.contactcentre.models import CallbackRequest
from truedesk.workforce.models import ContactQueue, Shift


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staffed(world, queue):
    now = timezone.now()
    Shift.objects.create(
        agent=world.bob, department=world.billing, kind="once",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
    )  # fmt: skip
    return queue


def test_dave_asks_for_a_call_back_and_sees_his_place_and_wait(world, staffed):
    client = _client(world.dave_user)
    home = client.get("/portal/")
    assert "Ask us to call you back" in home.content.decode()

    response = client.post(
        "/portal/call-back/", {"queue": staffed.pk, "phone": "+370 600 12345"}, follow=True
    )

    callback = CallbackRequest.objects.get(customer=world.dave)
    assert callback.phone == "+37060012345"
    page = response.content.decode()
    assert "Expected wait" in page
    # bob is on shift and free: Dave is next, and a free agent means about a minute.
    assert "You are next in line." in page
    assert "A minute or less" in page
    assert f'hx-get="/portal/call-back/{callback.pk}/wait/"' in page
    assert (
        "You are waiting for a call-back from Billing phone"
        in client.get("/portal/").content.decode()
    )


def test_the_wait_panel_alone_is_served_for_htmx_and_stops_polling_once_answered(world, staffed):
    callback = request_callback(
        acting_user=world.dave_user, customer=world.dave, queue=staffed, phone="+37060012345"
    )
    client = _client(world.dave_user)
    panel = client.get(f"/portal/call-back/{callback.pk}/wait/").content.decode()
    assert panel.startswith('<section id="callback-wait"')
    assert "hx-trigger" in panel

    CallbackRequest.objects.filter(pk=callback.pk).update(status="answered")
    done = client.get(f"/portal/call-back/{callback.pk}/wait/").content.decode()
    assert "We called you back" in done
    assert "hx-trigger" not in done


def test_nobody_on_shift_is_said_plainly(world, queue):
    callback = request_callback(
        acting_user=world.dave_user, customer=world.dave, queue=queue, phone="+37060012345"
    )
    page = _client(world.dave_user).get(f"/portal/call-back/{callback.pk}/").content.decode()
    assert "Nobody is answering this line right now" in page


def test_a_bad_number_or_a_second_request_is_explained_on_the_form(world, staffed):
    client = _client(world.dave_user)
    bad = client.post("/portal/call-back/", {"queue": staffed.pk, "phone": "call me"})
    assert bad.status_code == 200
    assert "Give a phone number we can call" in bad.content.decode()
    client.post("/portal/call-back/", {"queue": staffed.pk, "phone": "+37060012345"})
    twice = client.post("/portal/call-back/", {"queue": staffed.pk, "phone": "+37060012345"})
    assert "already waiting for a call-back" in twice.content.decode()
    assert CallbackRequest.objects.filter(customer=world.dave).count() == 1


def test_only_phone_queues_are_offered(world, staffed):
    chat = ContactQueue.objects.create(
        name="Billing chat", slug="billing-chat", department=world.billing, channel="chat"
    )
    client = _client(world.dave_user)
    form = client.get("/portal/call-back/").content.decode()
    assert "Billing phone" in form and "Billing chat" not in form
    refused = client.post("/portal/call-back/", {"queue": chat.pk, "phone": "+37060012345"})
    assert not CallbackRequest.objects.exists()
    assert refused.status_code == 200


def test_cancelling_leaves_the_line(world, staffed):
    callback = request_callback(
        acting_user=world.dave_user, customer=world.dave, queue=staffed, phone="+37060012345"
    )
    response = _client(world.dave_user).post(f"/portal/call-back/{callback.pk}/cancel/")
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.status == "cancelled"


def test_other_customers_staff_and_visitors_cannot_see_a_call_back(world, staffed):
    callback = request_callback(
        acting_user=world.dave_user, customer=world.dave, queue=staffed, phone="+37060012345"
    )
    url = f"/portal/call-back/{callback.pk}/"
    assert _client(world.fiona_user).get(url).status_code == 404
    assert _client(world.fiona_user).post(url + "cancel/").status_code == 404
    assert _client(world.alice).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    callback.refresh_from_db()
    assert callback.status == "waiting"
