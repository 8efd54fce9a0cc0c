"""Fixtures for contact-centre tests: a billing phone queue, an integration, a signed poster."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from truedesk.accounts.models import User
from truedesk.channels.contactcentre import signing
from truedesk.channels.contactcentre.models import Integration
from truedesk.testing.personas import World, make_staff
from truedesk.workforce.models import ContactQueue

EVENTS_URL = "/api/v1/contact-centre/events"


@pytest.fixture
def service_user(world: World) -> User:
    return make_staff("switch", "supervisor", "Contact Centre")


@pytest.fixture
def queue(world: World) -> ContactQueue:
    return ContactQueue.objects.create(
        name="Billing phone", slug="billing-phone", department=world.billing, channel="phone",
        patience_seconds=300, shrinkage=0.0,
    )  # fmt: skip


@pytest.fixture
def integration(service_user: User) -> Integration:
    return Integration.objects.create(name="Switch", key="switch", acting_user=service_user)


def signed_headers(
    integration: Integration, body: bytes, *, timestamp: int | None = None, secret: str = ""
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    key = secret or signing.derive_secret(integration.secret_salt)
    return {
        "HTTP_X_TRUEDESK_INTEGRATION": integration.key,
        "HTTP_X_TRUEDESK_TIMESTAMP": str(ts),
        "HTTP_X_TRUEDESK_SIGNATURE": signing.sign(key, ts, body),
    }


Poster = Callable[..., Any]


@pytest.fixture
def post_events(integration: Integration) -> Poster:
    """POST a body (dict or list of events) signed like a well-behaved contact centre."""

    def post(payload: Any, **kwargs: Any) -> Any:
        if isinstance(payload, list):
            payload = {"events": payload}
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return Client().post(
            EVENTS_URL, data=body, content_type="application/json",
            **signed_headers(integration, body, **kwargs),
        )  # fmt: skip

    return post


def event(
    kind: str,
    call: str,
    at: datetime,
    *,
    queue: str = "billing-phone",
    event_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One event as the contact centre sends it."""
    return {
        "id": event_id or f"{call}-{kind}",
        "type": kind,
        "call_id": call,
        "queue": queue,
        "occurred_at": at.isoformat(),
        **extra,
    }


def minutes_ago(minutes: float) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)
