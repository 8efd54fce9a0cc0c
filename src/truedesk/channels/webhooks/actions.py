"""Writes: webhook endpoints (administrators only, audited), attempts, retries and redelivery."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.actions import Actor, record_audit_event
from truedesk.accounts.models import User
from truedesk.cases.models import EventKind, Interaction
from truedesk.channels.webhooks import addresses, errors, payloads
from truedesk.channels.webhooks.models import (
    AllowedNetwork,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    sealed_secret_fields,
)
from truedesk.channels.webhooks.signing import generate_secret
from truedesk.channels.webhooks.transport import Outcome

MAX_ATTEMPTS = 10
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
MAX_REST = timedelta(minutes=5)
MAX_EVENT_KINDS = len(EventKind.values)
_UNSET: Any = object()


def require_webhook_admin(actor: Actor) -> None:
    """Webhooks send case data to outside systems: only administrators manage them."""
    if isinstance(actor, User) and not actor.is_admin:
        raise errors.NotAllowed()


def allowed_networks() -> list[addresses.IPNetwork]:
    return addresses.parse_networks(AllowedNetwork.objects.values_list("network", flat=True))


def retry_delay(attempts: int, *, retry_after: int | None = None) -> timedelta:
    """Wait after the `attempts`-th failure: 1, 2, 4 … minutes (at most 6 h), jittered.

    "Equal jitter": between half and all of the exponential step, so endpoints
    that failed together do not retry in lockstep. A Retry-After header
    (429/503) is honoured up to the same cap.
    """
    step = min(BASE_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    delay = step / 2 + (step / 2) * random.random()  # noqa: S311 - jitter, not a secret
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_DELAY))
    return delay


def clean_url(url: str) -> str:
    url = str(url or "").strip()
    if not url or len(url) > 2000:
        raise errors.InvalidWebhook(_("Give a URL of at most 2000 characters."), field="url")
    target = addresses.parse_url(url)
    networks = allowed_networks()
    try:
        addresses.resolve(target, networks)
    except errors.BlockedAddress:
        raise
    except errors.InvalidWebhook:
        # Not resolvable now (DNS down, name not yet published): every attempt
        # resolves and checks it again, so accepting it here is safe.
        pass
    return url


def clean_kinds(kinds: Iterable[str]) -> list[str]:
    cleaned = sorted({str(kind) for kind in kinds})
    unknown = [kind for kind in cleaned if kind not in EventKind.values]
    if unknown:
        raise errors.InvalidWebhook(
            _("Unknown event kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)},
            field="event_kinds",
        )
    return cleaned


def _clean_description(description: str) -> str:
    description = " ".join(str(description or "").split())
    if len(description) > 200:
        raise errors.InvalidWebhook(
            _("The description is longer than 200 characters."), field="description"
        )
    return description


@transaction.atomic
def create_webhook(
    *,
    acting_user: Actor,
    url: str,
    description: str = "",
    event_kinds: Iterable[str] = (),
    include_internal: bool = False,
) -> tuple[WebhookEndpoint, str]:
    """Subscribe a URL to case events; returns the endpoint and its secret (shown only now)."""
    require_webhook_admin(acting_user)
    secret = generate_secret()
    endpoint = WebhookEndpoint.objects.create(
        url=clean_url(url),
        description=_clean_description(description),
        event_kinds=clean_kinds(event_kinds),
        include_internal=bool(include_internal),
        **sealed_secret_fields(secret),
        created_by=acting_user if isinstance(acting_user, User) else None,
    )
    record_audit_event(
        actor=acting_user,
        action="webhook.created",
        target=endpoint,
        data={
            "url": endpoint.url,
            "event_kinds": endpoint.event_kinds,
            "include_internal": endpoint.include_internal,
        },
    )
    return endpoint, secret


@transaction.atomic
def update_webhook(
    *,
    acting_user: Actor,
    endpoint: WebhookEndpoint,
    expected_version: int,
    url: str = _UNSET,
    description: str = _UNSET,
    event_kinds: Iterable[str] = _UNSET,
    include_internal: bool = _UNSET,
    is_active: bool = _UNSET,
) -> WebhookEndpoint:
    """Change an endpoint if nobody saved since `expected_version` (else StaleVersion)."""
    require_webhook_admin(acting_user)
    values: dict[str, Any] = {}
    if url is not _UNSET:
        values["url"] = clean_url(url)
    if description is not _UNSET:
        values["description"] = _clean_description(description)
    if event_kinds is not _UNSET:
        values["event_kinds"] = clean_kinds(event_kinds)
    if include_internal is not _UNSET:
        values["include_internal"] = bool(include_internal)
    if is_active is not _UNSET:
        values["is_active"] = bool(is_active)
    changes = {k: v for k, v in values.items() if getattr(endpoint, k) != v}
    rows = WebhookEndpoint.objects.filter(pk=endpoint.pk, version=expected_version)
    if not rows.update(version=F("version") + 1, updated_at=timezone.now(), **changes):
        current = WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("version", flat=True)
        raise errors.StaleVersion(current_version=current.first())
    endpoint.refresh_from_db()
    if changes.get("include_internal") is False:
        _withhold_internal_text(endpoint)
    if changes:
        record_audit_event(
            actor=acting_user, action="webhook.updated", target=endpoint, data={"changes": changes}
        )
    return endpoint


def _withhold_internal_text(endpoint: WebhookEndpoint) -> None:
    """Render the endpoint's deliveries again without internal text.

    They were rendered at fan-out while it could read internal text; a retry or
    a redelivery after the permission was withdrawn must not send it.
    """
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).select_related(
        "event", "event__case", "event__actor"
    )
    for delivery in deliveries.iterator():
        interaction_id = payloads.interaction_id_of(delivery.event)
        interaction = (
            Interaction.objects.filter(pk=interaction_id).first() if interaction_id else None
        )
        delivery.payload = payloads.render(
            delivery.event, interaction=interaction, include_internal=False
        )
        delivery.save(update_fields=["payload"])


@transaction.atomic
def rotate_webhook_secret(
    *, acting_user: Actor, endpoint: WebhookEndpoint
) -> tuple[WebhookEndpoint, str]:
    """Give the endpoint a new secret at once; returns it (shown only now)."""
    require_webhook_admin(acting_user)
    secret = generate_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        **sealed_secret_fields(secret),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    endpoint.refresh_from_db()
    record_audit_event(actor=acting_user, action="webhook.secret_rotated", target=endpoint)
    return endpoint, secret


@transaction.atomic
def delete_webhook(*, acting_user: Actor, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its deliveries; nothing more is sent to it."""
    require_webhook_admin(acting_user)
    record_audit_event(
        actor=acting_user, action="webhook.deleted", target=endpoint, data={"url": endpoint.url}
    )
    endpoint.delete()


@transaction.atomic
def redeliver(*, acting_user: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a dead (or delivered) delivery again from the start of its retry schedule."""
    require_webhook_admin(acting_user)
    now = timezone.now()
    rows = WebhookDelivery.objects.filter(
        pk=delivery.pk,
        status__in=[WebhookDelivery.Status.DEAD, WebhookDelivery.Status.DELIVERED],
    )
    if not rows.update(status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=now):
        raise errors.NotRedeliverable()
    # Someone asked for it now: the endpoint's rest after failures does not apply.
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(resting_until=None)
    delivery.refresh_from_db()
    record_audit_event(
        actor=acting_user,
        action="webhook.redelivered",
        target=delivery,
        data={"endpoint_id": delivery.endpoint_id, "event_id": delivery.event_id},
    )
    return delivery


@transaction.atomic
def record_attempt(*, delivery_id: int, outcome: Outcome, now: datetime) -> WebhookDelivery:
    """Keep one attempt's result: delivered, retried later with backoff, or dead at the limit."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    WebhookAttempt.objects.create(
        delivery=delivery,
        at=now,
        status_code=outcome.status_code,
        error=outcome.error[:500],
        duration_ms=outcome.duration_ms,
        response_excerpt=outcome.excerpt[:500],
    )
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:500]
    if outcome.ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.DEAD
    else:
        delivery.next_attempt_at = now + retry_delay(
            delivery.attempts, retry_after=outcome.retry_after
        )
    delivery.save()
    endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    if outcome.ok:
        endpoint.exclude(resting_until=None).update(resting_until=None)
    else:
        retry_at = (
            delivery.next_attempt_at
            if delivery.status == WebhookDelivery.Status.PENDING
            else now + BASE_DELAY
        )
        endpoint.update(resting_until=min(retry_at, now + MAX_REST))
    return delivery
