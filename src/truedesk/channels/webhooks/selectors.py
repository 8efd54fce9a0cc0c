"""Reads: endpoints and their deliveries, for administrators only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from truedesk.accounts.models import User
from truedesk.channels.webhooks import errors
from truedesk.channels.webhooks.models import WebhookDelivery, WebhookEndpoint

MAX_PAGE = 200


def _require_admin(user: User) -> None:
    if not user.is_admin:
        raise errors.NotAllowed()


def list_webhooks(user: User) -> list[WebhookEndpoint]:
    """Every endpoint, oldest first (administrators)."""
    _require_admin(user)
    return list(WebhookEndpoint.objects.order_by("id"))


def get_webhook(user: User, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint (administrators) or NotFound."""
    _require_admin(user)
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise errors.NotFound()
    return endpoint


def list_deliveries(
    user: User,
    endpoint: WebhookEndpoint,
    *,
    status: str = "",
    before_id: int | None = None,
    limit: int = 50,
) -> list[WebhookDelivery]:
    """An endpoint's deliveries, newest first, `limit` + 1 rows to tell if more follow."""
    _require_admin(user)
    rows: QuerySet[WebhookDelivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    if status:
        rows = rows.filter(status=status)
    if before_id is not None:
        rows = rows.filter(pk__lt=before_id)
    return list(rows.defer("payload").order_by("-id")[: min(limit, MAX_PAGE) + 1])


def get_delivery(user: User, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """One delivery of the endpoint (administrators) or NotFound."""
    _require_admin(user)
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise errors.NotFound(_("There is no such delivery."))
    return delivery
