"""REST API v1 for webhook endpoints and their deliveries (administrators only).

The secret is in the response to create and to rotate-secret only; reads show
a hint of it. Deliveries list newest first with a cursor; a dead (or
delivered) delivery can be sent again with redeliver.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field

from truedesk.api.auth import api_user
from truedesk.api.errors import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, ApiError
from truedesk.api.idempotency import idempotent
from truedesk.api.pagination import decode_cursor, encode_cursor
from truedesk.api.schemas import IDEMPOTENCY_OPENAPI, NOT_SENT, Timestamp, path_id
from truedesk.channels.webhooks import actions, selectors
from truedesk.channels.webhooks.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])

WebhookId = Annotated[int, path_id("The webhook endpoint's id.")]
DeliveryId = Annotated[int, path_id("The delivery's id.")]


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    event_kinds: list[str] = Field(description="Event kinds sent; empty means all.")
    include_internal: bool = Field(description="Internal notes' text and staff-only text.")
    is_active: bool
    secret_hint: str = Field(description="The start of the secret, to recognise it.")
    resting_until: Timestamp | None = Field(
        description="After a failed attempt, no request is sent before this time."
    )
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="The signing secret. Shown only in this response.")


class WebhookIn(Schema):
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    event_kinds: list[str] = Field(default_factory=list, max_length=100)
    include_internal: bool = False


class WebhookUpdateIn(Schema):
    version: int = Field(ge=1)
    url: str = Field(default=NOT_SENT, max_length=2000)
    description: str = Field(default=NOT_SENT, max_length=200)
    event_kinds: list[str] = Field(default=NOT_SENT, max_length=100)
    include_internal: bool = NOT_SENT
    is_active: bool = NOT_SENT


class WebhookPageOut(Schema):
    items: list[WebhookOut]
    next_cursor: str | None = Field(default=None, description="Always null: one page.")


class DeliveryOut(Schema):
    id: int
    event_id: int
    event_kind: str
    status: str
    attempts: int
    next_attempt_at: Timestamp | None
    last_attempt_at: Timestamp | None
    last_status_code: int | None
    last_error: str
    delivered_at: Timestamp | None
    created_at: Timestamp


class DeliveryPageOut(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryListQuery(Schema):
    status: WebhookDelivery.Status | None = None
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=selectors.MAX_PAGE)


def webhook_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(
        id=endpoint.pk,
        url=endpoint.url,
        description=endpoint.description,
        event_kinds=list(endpoint.event_kinds or []),
        include_internal=endpoint.include_internal,
        is_active=endpoint.is_active,
        secret_hint=endpoint.secret_hint,
        resting_until=endpoint.resting_until,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
        version=endpoint.version,
    )


def _with_secret(endpoint: WebhookEndpoint, secret: str) -> WebhookWithSecretOut:
    return WebhookWithSecretOut(**webhook_out(endpoint).model_dump(), secret=secret)


def delivery_out(delivery: WebhookDelivery) -> DeliveryOut:
    pending = delivery.status == WebhookDelivery.Status.PENDING
    return DeliveryOut(
        id=delivery.pk,
        event_id=delivery.event_id,
        event_kind=delivery.event_kind,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if pending else None,
        last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
    )


def _before_id(cursor: str | None) -> int | None:
    value = decode_cursor(cursor)
    if value is None:
        return None
    before = value.get("before")
    if not isinstance(before, int) or isinstance(before, bool) or before < 1:
        raise ApiError(400, "invalid_cursor", _("The cursor is not one this API gave out."))
    return before


@router.get("", response={200: WebhookPageOut, **LIST_ERRORS}, operation_id="listWebhooks")
def list_webhooks(request: HttpRequest) -> WebhookPageOut:
    """Every webhook endpoint (administrators), in one page."""
    endpoints = selectors.list_webhooks(api_user(request))
    return WebhookPageOut(items=[webhook_out(e) for e in endpoints], next_cursor=None)


@router.post(
    "",
    response={201: WebhookWithSecretOut, **WRITE_ERRORS},
    operation_id="createWebhook",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[WebhookWithSecretOut]:
    """Subscribe a URL to case events; the response holds the secret, shown this once."""
    endpoint, secret = actions.create_webhook(
        acting_user=api_user(request),
        url=payload.url,
        description=payload.description,
        event_kinds=payload.event_kinds,
        include_internal=payload.include_internal,
    )
    return Status(201, _with_secret(endpoint, secret))


@router.get("/{webhook_id}", response={200: WebhookOut, **READ_ERRORS}, operation_id="getWebhook")
def get_webhook(request: HttpRequest, webhook_id: WebhookId) -> WebhookOut:
    """One webhook endpoint (administrators)."""
    return webhook_out(selectors.get_webhook(api_user(request), webhook_id))


@router.patch(
    "/{webhook_id}", response={200: WebhookOut, **WRITE_ERRORS}, operation_id="updateWebhook"
)
def update_webhook(
    request: HttpRequest, webhook_id: WebhookId, payload: WebhookUpdateIn
) -> WebhookOut:
    """Change URL, description, kinds, internal text or pause it; 409 if `version` is stale."""
    user = api_user(request)
    sent: dict[str, Any] = {name: getattr(payload, name) for name in payload.model_fields_set}
    sent.pop("version", None)
    endpoint = actions.update_webhook(
        acting_user=user,
        endpoint=selectors.get_webhook(user, webhook_id),
        expected_version=payload.version,
        **sent,
    )
    return webhook_out(endpoint)


@router.delete("/{webhook_id}", response={204: None, **WRITE_ERRORS}, operation_id="deleteWebhook")
def delete_webhook(request: HttpRequest, webhook_id: WebhookId) -> Status[None]:
    """Remove the endpoint and its deliveries."""
    user = api_user(request)
    actions.delete_webhook(acting_user=user, endpoint=selectors.get_webhook(user, webhook_id))
    return Status(204, None)


@router.post(
    "/{webhook_id}/rotate-secret",
    response={200: WebhookWithSecretOut, **WRITE_ERRORS},
    operation_id="rotateWebhookSecret",
)
def rotate_secret(request: HttpRequest, webhook_id: WebhookId) -> WebhookWithSecretOut:
    """A new secret at once (the old one stops working); shown in this response only."""
    user = api_user(request)
    endpoint, secret = actions.rotate_webhook_secret(
        acting_user=user, endpoint=selectors.get_webhook(user, webhook_id)
    )
    return _with_secret(endpoint, secret)


@router.get(
    "/{webhook_id}/deliveries",
    response={200: DeliveryPageOut, **LIST_ERRORS, 404: READ_ERRORS[404]},
    operation_id="listWebhookDeliveries",
)
def list_deliveries(
    request: HttpRequest, webhook_id: WebhookId, query: Query[DeliveryListQuery]
) -> DeliveryPageOut:
    """The endpoint's deliveries, newest first; filter by status (`dead` for the dead letters)."""
    user = api_user(request)
    endpoint = selectors.get_webhook(user, webhook_id)
    rows = selectors.list_deliveries(
        user,
        endpoint,
        status=query.status.value if query.status else "",
        before_id=_before_id(query.cursor),
        limit=query.limit,
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = encode_cursor({"before": rows[-1].pk}) if more and rows else None
    return DeliveryPageOut(items=[delivery_out(d) for d in rows], next_cursor=next_cursor)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={200: DeliveryOut, **WRITE_ERRORS},
    operation_id="redeliverWebhookDelivery",
)
def redeliver(request: HttpRequest, webhook_id: WebhookId, delivery_id: DeliveryId) -> DeliveryOut:
    """Queue a dead (or delivered) delivery again, from the first retry step; 409 if pending."""
    user = api_user(request)
    endpoint = selectors.get_webhook(user, webhook_id)
    delivery = actions.redeliver(
        acting_user=user, delivery=selectors.get_delivery(user, endpoint, delivery_id)
    )
    return delivery_out(delivery)
