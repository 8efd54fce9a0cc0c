"""Fixtures for portal tests: signed-in customers and cases opened through the real actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from truedesk.cases.actions import open_case
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.models import Case
from truedesk.testing.personas import World


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dave_client(world: World) -> Client:
    return signed_in(world.dave_user)


@pytest.fixture
def fiona_client(world: World) -> Client:
    return signed_in(world.fiona_user)


@pytest.fixture
def open_portal_case(world: World) -> Callable[..., Case]:
    """Open a case as its customer would through the portal (dave unless told otherwise)."""

    def make(**overrides: Any) -> Case:
        values: dict[str, Any] = {
            "acting_user": world.dave_user,
            "customer": world.dave,
            "subject": "Router keeps dropping the line",
            "body": "Since Monday the internet stops every evening.",
            "channel": "portal",
        }
        values.update(overrides)
        return open_case(**values)

    return make


@pytest.fixture
def daves_case(open_portal_case: Callable[..., Case]) -> Case:
    return open_portal_case(
        attachments=[AttachmentUpload("router-lights.txt", b"red red green", "text/plain")]
    )


@pytest.fixture
def fionas_case(world: World, open_portal_case: Callable[..., Case]) -> Case:
    return open_portal_case(
        acting_user=world.fiona_user,
        customer=world.fiona,
        subject="Fiona's private billing question",
        body="My account number is FX-4471 and the invoice is wrong.",
        attachments=[AttachmentUpload("fiona-invoice.pdf", b"%PDF-1.7 fiona", "application/pdf")],
    )
