"""/api/v1/webhooks: administrators only; the secret shown once; deliveries and redeliver."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from truedesk.accounts.actions import SystemActor, mint_api_token
from truedesk.cases.actions import open_case
from truedesk.channels.webhooks.fanout import fan_out_events
from truedesk.channels.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db
URL = "https://93.184.215.14/hooks"


class Api:
    def __init__(self, user):
        _token, raw = mint_api_token(acting_user=SystemActor("test"), user=user, name="t")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def __call__(self, method, path, body=None, **headers):
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
        response = self.client.generic(
            method, "/api/v1/webhooks" + path,
            data=json.dumps(body) if body is not None else "",
            content_type="application/json", **extra,
        )  # fmt: skip
        content = json.loads(response.content) if response.content else None
        return response.status_code, content


@pytest.fixture
def admin_api(grace):
    return Api(grace)


def test_agents_and_supervisors_cannot_see_or_create_webhooks(world):
    for user in (world.alice, world.carol):
        api = Api(user)
        assert api("GET", "")[0] == 403
        status, body = api("POST", "", {"url": URL})
        assert status == 403 and body["code"] == "not_allowed"


def test_customers_cannot_touch_webhooks(world):
    assert Api(world.dave_user)("GET", "")[0] == 403


def test_an_admin_creates_a_webhook_and_sees_the_secret_once(admin_api):
    status, created = admin_api("POST", "", {"url": URL, "event_kinds": ["case_opened"]})
    assert status == 201
    assert created["secret"].startswith("whsec_")
    assert created["secret_hint"] == created["secret"][:10] + "…"
    status, shown = admin_api("GET", f"/{created['id']}")
    assert status == 200 and "secret" not in shown
    assert shown["event_kinds"] == ["case_opened"]
    status, listed = admin_api("GET", "")
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]


def test_create_is_idempotent_with_a_key(admin_api):
    first = admin_api("POST", "", {"url": URL}, **{"Idempotency-Key": "k-1"})
    again = admin_api("POST", "", {"url": URL}, **{"Idempotency-Key": "k-1"})
    assert first == again
    assert len(admin_api("GET", "")[1]["items"]) == 1


def test_internal_addresses_and_unknown_kinds_are_422(admin_api):
    status, body = admin_api("POST", "", {"url": "http://169.254.169.254/latest"})
    assert status == 422 and body["code"] == "blocked_address"
    assert body["details"] == {"field": "url"}
    status, body = admin_api("POST", "", {"url": URL, "event_kinds": ["case_exploded"]})
    assert status == 422 and body["code"] == "invalid_webhook"


def test_update_needs_the_current_version(admin_api):
    _s, created = admin_api("POST", "", {"url": URL})
    status, updated = admin_api("PATCH", f"/{created['id']}", {"version": 1, "is_active": False})
    assert status == 200 and updated["is_active"] is False and updated["version"] == 2
    status, body = admin_api("PATCH", f"/{created['id']}", {"version": 1, "description": "x"})
    assert status == 409 and body["code"] == "stale_version"
    assert body["details"]["current_version"] == 2


def test_rotating_the_secret_shows_a_new_one(admin_api):
    _s, created = admin_api("POST", "", {"url": URL})
    status, rotated = admin_api("POST", f"/{created['id']}/rotate-secret")
    assert status == 200 and rotated["secret"] != created["secret"]


def test_deliveries_list_and_redeliver_a_dead_letter(world, admin_api):
    _s, created = admin_api("POST", "", {"url": URL})
    for number in range(3):
        open_case(acting_user=world.alice, customer=world.dave, subject=f"S{number}", body="B",
                  channel="desk")  # fmt: skip
    fan_out_events()
    WebhookDelivery.objects.filter(pk=WebhookDelivery.objects.order_by("id").first().pk).update(
        status="dead", attempts=10, last_error="HTTP 500"
    )
    path = f"/{created['id']}/deliveries"
    status, page = admin_api("GET", path + "?limit=2")
    assert status == 200 and len(page["items"]) == 2 and page["next_cursor"]
    _s, rest = admin_api("GET", f"{path}?limit=2&cursor={page['next_cursor']}")
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    _s, dead = admin_api("GET", path + "?status=dead")
    [letter] = dead["items"]
    assert letter["last_error"] == "HTTP 500"

    status, again = admin_api("POST", f"{path}/{letter['id']}/redeliver")
    assert status == 200 and again["status"] == "pending" and again["attempts"] == 0
    status, body = admin_api("POST", f"{path}/{letter['id']}/redeliver")
    assert status == 409 and body["code"] == "not_redeliverable"
    assert admin_api("GET", f"{path}?cursor=nonsense")[0] == 400


def test_deleting_a_webhook(admin_api):
    _s, created = admin_api("POST", "", {"url": URL})
    assert admin_api("DELETE", f"/{created['id']}")[0] == 204
    assert admin_api("GET", f"/{created['id']}")[0] == 404
