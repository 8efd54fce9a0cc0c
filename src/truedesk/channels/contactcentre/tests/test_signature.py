"""Signed events: only the integration's secret, within five minutes, once."""

from __future__ import annotations

import json
import time

from django.test import Client

from truedesk.channels.contactcentre import signing
from truedesk.channels.contactcentre.models import QueueEvent
from truedesk.channels.contactcentre.tests.conftest import (
    EVENTS_URL,
    event,
    minutes_ago,
    signed_headers,
)


def _body(call: str = "c1") -> bytes:
    return json.dumps(event("offered", call, minutes_ago(1), caller="+37060012345")).encode()


def test_a_correctly_signed_event_is_stored(queue, integration):
    body = _body()
    response = Client().post(
        EVENTS_URL, data=body, content_type="application/json",
        **signed_headers(integration, body),
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == ["c1-offered"]
    assert QueueEvent.objects.filter(integration=integration, event_id="c1-offered").exists()


def test_a_wrong_secret_is_refused_and_nothing_is_stored(queue, integration):
    body = _body()
    headers = signed_headers(integration, body, secret="not-the-secret")
    response = Client().post(EVENTS_URL, data=body, content_type="application/json", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert not QueueEvent.objects.exists()


def test_a_body_changed_after_signing_is_refused(queue, integration):
    body = _body()
    headers = signed_headers(integration, body)
    tampered = body.replace(b"+37060012345", b"+37060099999")
    response = Client().post(EVENTS_URL, data=tampered, content_type="application/json", **headers)
    assert response.status_code == 401
    assert not QueueEvent.objects.exists()


def test_a_signature_older_than_five_minutes_is_refused_as_stale(queue, integration):
    body = _body()
    old = int(time.time()) - signing.REPLAY_WINDOW_SECONDS - 5
    response = Client().post(
        EVENTS_URL, data=body, content_type="application/json",
        **signed_headers(integration, body, timestamp=old),
    )  # fmt: skip
    assert response.status_code == 401
    assert response.json()["code"] == "stale_signature"
    assert "clock" in response.json()["message"]
    assert not QueueEvent.objects.exists()


def test_a_replayed_request_within_the_window_changes_nothing(queue, integration):
    body = _body()
    headers = signed_headers(integration, body)
    first = Client().post(EVENTS_URL, data=body, content_type="application/json", **headers)
    again = Client().post(EVENTS_URL, data=body, content_type="application/json", **headers)
    assert first.json()["accepted"] == ["c1-offered"]
    assert again.status_code == 200
    assert again.json()["accepted"] == []
    assert again.json()["duplicates"] == ["c1-offered"]
    assert QueueEvent.objects.count() == 1


def _refusals(integration, body):
    """Every way to fail authentication, each answer as (status, code, message)."""
    post = Client().post
    answers = {}
    answers["wrong secret"] = post(
        EVENTS_URL, data=body, content_type="application/json",
        **signed_headers(integration, body, secret="not-the-secret"),
    )  # fmt: skip
    answers["no headers"] = post(EVENTS_URL, data=body, content_type="application/json")
    unknown = signed_headers(integration, body)
    unknown["HTTP_X_TRUEDESK_INTEGRATION"] = "someone-else"
    answers["unknown key"] = post(EVENTS_URL, data=body, content_type="application/json", **unknown)
    garbled = signed_headers(integration, body)
    garbled["HTTP_X_TRUEDESK_TIMESTAMP"] = "yesterday"
    answers["bad timestamp"] = post(
        EVENTS_URL, data=body, content_type="application/json", **garbled
    )
    old = int(time.time()) - signing.REPLAY_WINDOW_SECONDS - 5
    stale_unknown = signed_headers(integration, body, timestamp=old)
    stale_unknown["HTTP_X_TRUEDESK_INTEGRATION"] = "someone-else"
    answers["stale, unknown key"] = post(
        EVENTS_URL, data=body, content_type="application/json", **stale_unknown
    )
    answers["stale, wrong secret"] = post(
        EVENTS_URL, data=body, content_type="application/json",
        **signed_headers(integration, body, timestamp=old, secret="not-the-secret"),
    )  # fmt: skip
    integration.is_active = False
    integration.save()
    answers["inactive"] = post(
        EVENTS_URL, data=body, content_type="application/json",
        **signed_headers(integration, body),
    )  # fmt: skip
    return {
        name: (r.status_code, r.json()["code"], r.json()["message"]) for name, r in answers.items()
    }


def test_every_authentication_failure_gets_the_same_answer(queue, integration):
    # Whether a key exists must not be learnable: one status, code and message for all.
    answers = _refusals(integration, _body())
    assert set(answers.values()) == {
        (
            401,
            "unauthenticated",
            "Sign the request: headers X-Truedesk-Integration, -Timestamp and -Signature.",
        )
    }, answers
    assert not QueueEvent.objects.exists()


def test_an_unknown_key_costs_the_same_signature_work_as_a_wrong_secret(
    queue, integration, monkeypatch
):
    body = _body()
    compared = []
    real = signing.hmac.compare_digest

    def counting(a, b):
        compared.append(len(a))
        return real(a, b)

    monkeypatch.setattr(signing.hmac, "compare_digest", counting)
    wrong = signed_headers(integration, body, secret="not-the-secret")
    Client().post(EVENTS_URL, data=body, content_type="application/json", **wrong)
    for_known_key = list(compared)
    compared.clear()
    wrong["HTTP_X_TRUEDESK_INTEGRATION"] = "someone-else"
    Client().post(EVENTS_URL, data=body, content_type="application/json", **wrong)
    assert for_known_key and compared == for_known_key


def test_a_bearer_token_is_not_a_signature(queue, integration, world):
    body = _body()
    response = Client().post(
        EVENTS_URL, data=body, content_type="application/json",
        HTTP_AUTHORIZATION="Bearer td_whatever",
    )  # fmt: skip
    assert response.status_code == 401


def test_the_secret_is_not_in_the_database_and_survives_a_key_rotation(
    queue, integration, settings
):
    secret = signing.derive_secret(integration.secret_salt)
    assert secret not in json.dumps(list(type(integration).objects.values()), default=str)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-server-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]
    body = _body()
    response = Client().post(
        EVENTS_URL, data=body, content_type="application/json",
        **signed_headers(integration, body, secret=secret),
    )  # fmt: skip
    assert response.status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    later = _body("c2")
    refused = Client().post(
        EVENTS_URL, data=later, content_type="application/json",
        **signed_headers(integration, later, secret=secret),
    )  # fmt: skip
    assert refused.status_code == 401
