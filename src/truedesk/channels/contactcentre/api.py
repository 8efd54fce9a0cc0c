"""REST API v1 for the contact centre: signed call events in, live expected waits out.

* `POST /contact-centre/events` — one event or `{"events": [...]}`, signed with the
  integration's secret (signing.py; no bearer token). Answers 200 with the ids
  accepted and those already stored (duplicates), plus warnings.
* `GET /queues/{id or slug}/wait?position=N` — the expected wait to announce (staff,
  e.g. the contact centre's own service account with a bearer token).
* `GET /queues/{id or slug}/state` — the live state behind it (staff).
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import APIKeyHeader
from pydantic import AwareDatetime, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from truedesk.api.auth import api_user
from truedesk.api.errors import ApiError, error_responses
from truedesk.channels.contactcentre import selectors, signing
from truedesk.channels.contactcentre.actions import (
    MAX_EVENTS_PER_REQUEST,
    CallEvent,
    record_queue_events,
)
from truedesk.channels.contactcentre.models import Integration
from truedesk.channels.contactcentre.wording import announcement

events_router = Router(tags=["contact centre"])
queues_router = Router(tags=["contact centre"])

MAX_BODY_BYTES = 1_000_000
# Event clocks may run a little ahead of ours; further than this is a broken clock.
FUTURE_TOLERANCE = timedelta(minutes=5)
WEEK_SECONDS = 7 * 86_400

Identifier = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[\x21-\x7e]+$")]
Seconds = Annotated[float, Field(ge=0, le=WEEK_SECONDS, allow_inf_nan=False)]


class EventIn(Schema):
    id: Identifier = Field(description="Unique per integration: a retry sends the same id.")
    type: Literal["offered", "answered", "abandoned", "ended"]
    call_id: Identifier = Field(description="The contact centre's id of the call.")
    queue: Annotated[str, Field(min_length=1, max_length=60)] = Field(
        description="The queue's identifier (slug) in Truedesk."
    )
    occurred_at: AwareDatetime = Field(description="When it happened, ISO 8601 with an offset.")
    caller: Annotated[str, Field(max_length=40)] | None = Field(
        default=None, description="The caller's number (any common format); empty if withheld."
    )
    agent: Annotated[str, Field(max_length=120)] | None = Field(
        default=None, description="The agent's username, or the contact centre's id for him."
    )
    callback_id: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="The Truedesk call-back request this call answers."
    )
    wait_seconds: Seconds | None = Field(default=None, description="answered/abandoned: wait.")
    talk_seconds: Seconds | None = Field(default=None, description="ended: talk time.")
    wrap_up_seconds: Seconds | None = Field(default=None, description="ended: after-call work.")


class BatchIn(Schema):
    events: Annotated[list[EventIn], Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)]


class WarningOut(Schema):
    event: str
    code: str
    message: str


class EventsOut(Schema):
    accepted: list[str] = Field(description="Event ids stored by this request.")
    duplicates: list[str] = Field(description="Event ids already stored: nothing changed.")
    interactions: list[int] = Field(description="Interactions created for finished calls.")
    warnings: list[WarningOut]


_BODY = TypeAdapter(BatchIn | EventIn)


class EventSignature(APIKeyHeader):
    """`X-Truedesk-Signature: v1=<hex HMAC-SHA256>` over "<X-Truedesk-Timestamp>.<body>",
    with the key of the integration in `X-Truedesk-Integration` (docs/contact-centre.md).
    """

    param_name = signing.SIGNATURE_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> Integration:
        if len(request.body) > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", _("Send at most 500 events per request."))
        return _integration(request, request.body)


def _integration(request: HttpRequest, body: bytes) -> Integration:
    """The integration whose valid signature the request carries (401 otherwise).

    Every failure answers the same 401 `unauthenticated` (as an unknown bearer token
    does) after the same HMAC work, so a caller cannot tell an unknown key from a
    wrong secret. Only a verified
    request hears `stale_signature`: it proves the secret, so the clock hint is safe.
    """
    key = request.headers.get(signing.INTEGRATION_HEADER, "").strip()
    integration = Integration.objects.select_related("acting_user").filter(
        key=key, is_active=True
    ).first() if key else None  # fmt: skip
    timestamp = signing.read_timestamp(request.headers.get(signing.TIMESTAMP_HEADER, ""))
    matches = signing.signature_matches(
        salt=integration.secret_salt if integration is not None else signing.DUMMY_SALT,
        timestamp=timestamp if timestamp is not None else 0,
        body=body,
        signature_header=request.headers.get(signing.SIGNATURE_HEADER, ""),
    )
    if integration is None or timestamp is None or not matches:
        raise ApiError(
            401,
            "unauthenticated",
            _("Sign the request: headers X-Truedesk-Integration, -Timestamp and -Signature."),
        )
    try:
        signing.check_window(timestamp, now=time.time())
    except signing.SignatureError:
        raise ApiError(
            401,
            "stale_signature",
            _("The request was signed more than five minutes ago (or ahead): check the clock."),
        ) from None
    return integration


def _parse(body: bytes) -> list[EventIn]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(422, "invalid_json", _("The request body is not valid JSON.")) from None
    try:
        parsed = _BODY.validate_python(data)
    except PydanticValidationError as error:
        details = [
            {"loc": [str(part) for part in e["loc"]], "message": str(e["msg"])}
            for e in error.errors(include_url=False)
        ]
        raise ApiError(422, "invalid_input", _("The request is not valid."), details) from None
    events = parsed.events if isinstance(parsed, BatchIn) else [parsed]
    latest = timezone.now() + FUTURE_TOLERANCE
    for event in events:
        if event.occurred_at > latest:
            raise ApiError(
                422, "invalid_input", _("An event cannot happen in the future."),
                [{"loc": ["occurred_at"], "message": event.id}],
            )  # fmt: skip
    return events


def _call_event(event: EventIn) -> CallEvent:
    occurred: datetime = event.occurred_at
    return CallEvent(
        event_id=event.id, kind=event.type, call_id=event.call_id, queue=event.queue,
        occurred_at=occurred, caller=(event.caller or "").strip(),
        agent=(event.agent or "").strip(), callback_id=event.callback_id,
        wait_seconds=event.wait_seconds, talk_seconds=event.talk_seconds,
        wrap_up_seconds=event.wrap_up_seconds, payload=event.model_dump(mode="json"),
    )  # fmt: skip


@events_router.post(
    "/events",
    auth=EventSignature(),
    response={200: EventsOut, **error_responses(401, 403, 409, 413, 422)},
    operation_id="postContactCentreEvents",
)
def post_events(request: HttpRequest) -> EventsOut:
    """Record call events from the contact centre (HMAC-signed; see docs/contact-centre.md).

    Idempotent per event id; all or nothing per request (an unknown queue refuses all).
    """
    integration = request.auth  # type: ignore[attr-defined]
    assert isinstance(integration, Integration)
    events = [_call_event(event) for event in _parse(request.body)]
    result = record_queue_events(integration=integration, events=events)
    return EventsOut(
        accepted=result.accepted, duplicates=result.duplicates,
        interactions=result.interactions,
        warnings=[WarningOut(**warning) for warning in result.warnings],
    )  # fmt: skip


class WaitQuery(Schema):
    position: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="Place in line, 1 = next; omitted: someone joining now."
    )


class AnnounceOut(Schema):
    kind: Literal["range", "point", "none"] = Field(
        description="range for short queues, point otherwise, none when no agent is on shift."
    )
    low_minutes: int | None
    high_minutes: int | None
    text: str = Field(description="The announcement in words, in the request's language.")


class WaitOut(Schema):
    queue: dict[str, Any]
    position: int
    status: Literal["predicted", "no_agents"]
    expected_seconds: float | None
    low_seconds: float | None = Field(description="10th percentile of the wait.")
    high_seconds: float | None = Field(description="90th percentile of the wait.")
    announce: AnnounceOut
    inputs: dict[str, Any]
    computed_at: datetime


def _require_staff(request: HttpRequest) -> None:
    if not api_user(request).is_staff_member:
        raise ApiError(403, "not_allowed", _("Only staff may read queue waits."))


def _queue_ref(answer: selectors.WaitAnswer) -> dict[str, Any]:
    queue = answer.state.queue
    return {"id": queue.pk, "slug": queue.slug, "name": queue.name, "channel": queue.channel}


@queues_router.get(
    "/{reference}/wait",
    response={200: WaitOut, **error_responses(401, 403, 404, 422)},
    operation_id="getQueueWait",
)
def queue_wait(request: HttpRequest, reference: str, query: Query[WaitQuery]) -> WaitOut:
    """The expected wait to announce at a place in the queue, from its live state (staff)."""
    _require_staff(request)
    state = selectors.get_live_queue_state(selectors.get_queue(reference))
    answer = selectors.predict_wait_at(state, position=query.position)
    prediction = answer.prediction
    low, high = answer.announce if answer.announce else (None, None)
    kind: Literal["range", "point", "none"] = (
        "none" if answer.announce is None else ("point" if low == high else "range")
    )
    return WaitOut(
        queue=_queue_ref(answer),
        position=answer.position,
        status="predicted" if answer.announce is not None else "no_agents",
        expected_seconds=prediction.expected_seconds,
        low_seconds=prediction.low_seconds,
        high_seconds=prediction.high_seconds,
        announce=AnnounceOut(
            kind=kind, low_minutes=low, high_minutes=high, text=announcement(answer.announce)
        ),
        inputs={**state.inputs(), "ahead": answer.position - 1},
        computed_at=state.at,
    )


class WaitingOut(Schema):
    kind: str
    position: int
    joined_at: datetime
    waited_seconds: float


class StateOut(Schema):
    queue: dict[str, Any]
    waiting: list[WaitingOut]
    inputs: dict[str, Any]
    computed_at: datetime


@queues_router.get(
    "/{reference}/state",
    response={200: StateOut, **error_responses(401, 403, 404, 422)},
    operation_id="getQueueState",
)
def queue_state(request: HttpRequest, reference: str) -> StateOut:
    """Who is waiting (in order), agents on shift and busy, handling time, patience (staff)."""
    _require_staff(request)
    queue = selectors.get_queue(reference)
    state = selectors.get_live_queue_state(queue)
    return StateOut(
        queue={"id": queue.pk, "slug": queue.slug, "name": queue.name, "channel": queue.channel},
        waiting=[
            WaitingOut(
                kind=contact.kind,
                position=contact.position,
                joined_at=contact.joined_at,
                waited_seconds=max((state.at - contact.joined_at).total_seconds(), 0.0),
            )
            for contact in state.waiting
        ],
        inputs=state.inputs(),
        computed_at=state.at,
    )
