"""Webhooks in the admin: subscribe with the secret shown once, allow a network, redeliver."""

from __future__ import annotations

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.urls import reverse

from truedesk.accounts.models import AuditEvent, User
from truedesk.cases.actions import open_case
from truedesk.channels.webhooks.fanout import fan_out_events
from truedesk.channels.webhooks.models import (
    AllowedNetwork,
    WebhookDelivery,
    WebhookEndpoint,
    sealed_secret_fields,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world, client):
    root = User.objects.create_superuser("root", "root@truedesk.test", "x")
    client.force_login(root)
    return client


def test_adding_an_endpoint_shows_its_secret_once_and_is_audited(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"url": "https://93.184.215.14/hook", "description": "CRM", "event_kinds": "[]",
         "is_active": "on"},
        follow=True,
    )  # fmt: skip
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert AuditEvent.objects.filter(action="webhook.created").count() == 1
    page = admin_client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()
    assert endpoint.secret_hint in page.content.decode()


def _cookies_as_text(response) -> str:
    """Every cookie the response sets, raw and, where it is a message cookie, decoded."""
    parts = []
    for morsel in response.cookies.values():
        parts.append(morsel.value)
        parts.extend(str(m) for m in CookieStorage(HttpRequest())._decode(morsel.value) or [])
    return "\n".join(parts)


def test_the_new_secret_never_travels_in_a_cookie(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"url": "https://93.184.215.14/hook", "event_kinds": "[]", "is_active": "on"},
    )
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    secret = WebhookEndpoint.objects.get().secret
    assert secret in page.content.decode()  # still shown once, from the session
    assert secret not in _cookies_as_text(response) + _cookies_as_text(page)


def test_an_internal_url_is_refused_on_the_form(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"url": "http://10.0.0.8/hook", "event_kinds": "[]", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "allow its network first" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_allowed_network_must_be_a_network(admin_client):
    url = reverse("admin:webhooks_allowednetwork_add")
    assert admin_client.post(url, {"network": "intranet"}).status_code == 200
    admin_client.post(url, {"network": "10.20.0.7/16", "note": "receivers"})
    assert AllowedNetwork.objects.get().network == "10.20.0.0/16"


def test_opening_and_closing_a_network_is_audited(admin_client):
    url = reverse("admin:webhooks_allowednetwork_add")
    admin_client.post(url, {"network": "10.20.0.0/16", "note": "receivers"})
    network = AllowedNetwork.objects.get()
    admin_client.post(
        reverse("admin:webhooks_allowednetwork_delete", args=[network.pk]), {"post": "yes"}
    )
    assert not AllowedNetwork.objects.exists()
    trail = AuditEvent.objects.filter(action__startswith="webhook_allowed_network.")
    assert sorted(trail.values_list("action", "actor__username")) == [
        ("webhook_allowed_network.added_in_admin", "root"),
        ("webhook_allowed_network.removed_in_admin", "root"),
    ]


def test_dead_deliveries_are_listed_and_can_be_redelivered(admin_client, world):
    endpoint = WebhookEndpoint.objects.create(
        url="https://93.184.215.14/h", **sealed_secret_fields("whsec_x")
    )
    open_case(acting_user=world.alice, customer=world.dave, subject="S", body="B", channel="desk")
    fan_out_events()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="dead", last_error="HTTP 500")
    url = reverse("admin:webhooks_webhookdelivery_changelist")
    page = admin_client.get(url, {"status__exact": "dead"})
    assert "HTTP 500" in page.content.decode()
    admin_client.post(
        url, {"action": "redeliver_selected", "_selected_action": [delivery.pk]}, follow=True
    )
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
