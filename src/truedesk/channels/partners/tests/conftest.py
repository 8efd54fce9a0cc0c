"""Fixtures for partner access: dave authorised Travelwise (erin's partner); fiona did not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from truedesk.accounts.actions import SystemActor, mint_api_token
from truedesk.cases.actions import add_internal_note, open_case
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.models import Attachment, Case
from truedesk.customers.actions import authorise_partner
from truedesk.customers.models import PartnerAuthorisation
from truedesk.testing.personas import World

OPERATOR = SystemActor(label="test")


@dataclass
class PartnerScene:
    world: World
    grant: PartnerAuthorisation
    daves_case: Case
    fionas_case: Case
    daves_file: Attachment
    internal_file: Attachment
    fionas_file: Attachment
    token: str


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _file(case: Case, *, internal: bool = False) -> Attachment:
    interaction = case.interactions.filter(is_internal=internal).order_by("-id").first()
    assert interaction is not None
    attachment = interaction.attachments.first()
    assert attachment is not None
    return attachment


@pytest.fixture
def scene(world: World) -> PartnerScene:
    grant = authorise_partner(
        acting_user=world.dave_user, customer=world.dave, partner=world.partner
    )
    daves_case = open_case(
        acting_user=world.dave_user,
        customer=world.dave,
        subject="Router keeps dropping the line",
        body="Since Monday the internet stops every evening.",
        channel="portal",
        attachments=[AttachmentUpload("router-lights.txt", b"red red green", "text/plain")],
    )
    add_internal_note(
        acting_user=world.alice,
        case=daves_case,
        body="INTERNAL: customer's line is on the faulty DSLAM batch.",
        attachments=[AttachmentUpload("dslam-report.txt", b"internal only", "text/plain")],
    )
    fionas_case = open_case(
        acting_user=world.fiona_user,
        customer=world.fiona,
        subject="Fiona's private billing question",
        body="My account number is FX-4471 and the invoice is wrong.",
        channel="portal",
        attachments=[AttachmentUpload("fiona-invoice.txt", b"fiona's invoice", "text/plain")],
    )
    _row, token = mint_api_token(acting_user=OPERATOR, user=world.erin, name="agency system")
    return PartnerScene(
        world=world,
        grant=grant,
        daves_case=daves_case,
        fionas_case=fionas_case,
        daves_file=_file(daves_case),
        internal_file=_file(daves_case, internal=True),
        fionas_file=_file(fionas_case),
        token=token,
    )


@pytest.fixture
def erin_client(world: World) -> Client:
    return signed_in(world.erin)


@dataclass
class Reply:
    status: int
    body: Any
    text: str


def call_api(
    client: Client, method: str, path: str, *, token: str | None = None, body: Any = None
) -> Reply:
    """Call /api/v1 with a bearer token (or the client's session) and decode JSON."""
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = client.generic(
        method,
        "/api/v1" + path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **extra,
    )
    text = response.content.decode(errors="replace") if not response.streaming else ""
    is_json = "json" in response.get("Content-Type", "") and text
    return Reply(status=response.status_code, body=json.loads(text) if is_json else None, text=text)
