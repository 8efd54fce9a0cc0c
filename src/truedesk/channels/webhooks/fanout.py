"""Fan-out: turn new case events into one pending delivery per interested endpoint.

Reads the CaseEvent table directly (the append-only trail is the source of
truth), so no writer has to remember to call us. The scan starts above a
cursor; PostgreSQL can commit a lower event id after a higher one was seen, so
events above the cursor are remembered one by one (FannedOutEvent) and the
cursor moves only past events that were fanned out more than SAFETY_WINDOW
ago. A transaction that stays open longer than the window could still be
missed; Truedesk's writes take milliseconds. The unique (endpoint, event)
constraint makes a repeated or concurrent fan-out harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from truedesk.cases.models import CaseEvent, Interaction
from truedesk.channels.webhooks import payloads
from truedesk.channels.webhooks.models import (
    FannedOutEvent,
    FanOutCursor,
    WebhookDelivery,
    WebhookEndpoint,
)

SAFETY_WINDOW = timedelta(minutes=10)
BATCH = 500
MAX_BATCHES_PER_PASS = 20


def _cursor() -> FanOutCursor:
    cursor = FanOutCursor.objects.filter(pk=1).first()
    if cursor is not None:
        return cursor
    try:
        with transaction.atomic():
            return FanOutCursor.objects.create(pk=1, event_id=0)
    except IntegrityError:
        return FanOutCursor.objects.get(pk=1)


def _advance(cursor: FanOutCursor, now: datetime) -> int:
    """Move the cursor past events fanned out before the safety window; forget them."""
    settled = FannedOutEvent.objects.filter(at__lt=now - SAFETY_WINDOW).aggregate(
        top=Max("event_id")
    )["top"]
    if settled is not None and settled > cursor.event_id:
        FanOutCursor.objects.filter(pk=cursor.pk, event_id__lt=settled).update(event_id=settled)
        cursor.refresh_from_db()
    FannedOutEvent.objects.filter(event_id__lte=cursor.event_id).delete()
    return cursor.event_id


def wants(endpoint: WebhookEndpoint, event: CaseEvent) -> bool:
    """An active endpoint receives events recorded since it was created, of its kinds."""
    kinds = endpoint.event_kinds or []
    return (
        endpoint.is_active
        and event.created_at >= endpoint.created_at
        and (not kinds or event.kind in kinds)
    )


def _fan_out_batch(
    events: Sequence[CaseEvent], endpoints: Sequence[WebhookEndpoint], now: datetime
) -> int:
    interaction_ids = {i for e in events if (i := payloads.interaction_id_of(e)) is not None}
    interactions = Interaction.objects.in_bulk(interaction_ids) if interaction_ids else {}
    deliveries = []
    for event in events:
        interaction_id = payloads.interaction_id_of(event)
        interaction = interactions.get(interaction_id) if interaction_id is not None else None
        rendered: dict[bool, str] = {}
        for endpoint in endpoints:
            if not wants(endpoint, event):
                continue
            internal = endpoint.include_internal
            if internal not in rendered:
                rendered[internal] = payloads.render(
                    event, interaction=interaction, include_internal=internal
                )
            deliveries.append(
                WebhookDelivery(
                    endpoint=endpoint,
                    event=event,
                    event_kind=event.kind,
                    payload=rendered[internal],
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        FannedOutEvent.objects.bulk_create(
            [FannedOutEvent(event_id=event.pk, at=now) for event in events],
            ignore_conflicts=True,
        )
    return len(deliveries)


def fan_out_events(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Create the deliveries for case events not yet fanned out; returns how many were created."""
    moment = now or timezone.now()
    cursor = _cursor()
    floor = _advance(cursor, moment)
    latest = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True).order_by("id"))
    if not endpoints:
        # Nobody listens: nothing to remember. New endpoints only receive
        # events recorded after they were created.
        FanOutCursor.objects.filter(pk=cursor.pk, event_id__lt=latest).update(event_id=latest)
        FannedOutEvent.objects.filter(event_id__lte=latest).delete()
        return 0
    created = 0
    for _round in range(MAX_BATCHES_PER_PASS):
        seen = FannedOutEvent.objects.filter(event_id__gt=floor).values("event_id")
        events = list(
            CaseEvent.objects.filter(id__gt=floor)
            .exclude(id__in=seen)
            .select_related("case", "actor")
            .order_by("id")[:batch]
        )
        if not events:
            break
        created += _fan_out_batch(events, endpoints, moment)
        if len(events) < batch:
            break
    return created
