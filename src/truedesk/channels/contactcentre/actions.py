"""Writes of the contact-centre channel: storing queue events, folding calls, call-backs.

`record_queue_events` is the one entry for events (the API calls it after checking
the signature): all-or-nothing per request, idempotent per (integration, event id),
order-independent per call. A call becomes exactly one inbound interaction on its
caller's case when it is over (ended or abandoned); its durations fill
`customer_seconds`, which the runaround guard adds up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.actions import record_audit_event
from truedesk.accounts.models import User
from truedesk.cases import actions as case_actions
from truedesk.cases.models import Case, Interaction
from truedesk.channels.contactcentre.errors import CallbackRefused, UnknownQueue
from truedesk.channels.contactcentre.models import (
    AgentIdentity,
    Call,
    CallbackRequest,
    EventKind,
    Integration,
    QueueEvent,
)
from truedesk.customers import actions as customer_actions
from truedesk.customers.models import Customer, normalise_phone
from truedesk.customers.selectors import find_customers_by_phone
from truedesk.routing import actions as routing_actions
from truedesk.workforce.models import ContactQueue

MAX_EVENTS_PER_REQUEST = 500


@dataclass(frozen=True)
class CallEvent:
    """One parsed event (the API validates types and ranges before building it)."""

    event_id: str
    kind: str
    call_id: str
    queue: str
    occurred_at: datetime
    caller: str = ""
    agent: str = ""
    callback_id: int | None = None
    wait_seconds: float | None = None
    talk_seconds: float | None = None
    wrap_up_seconds: float | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventsRecorded:
    """What a request did: new and duplicate event ids, calls made into interactions, notes."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    interactions: list[int] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def warn(self, event: CallEvent, code: str, message: str) -> None:
        self.warnings.append({"event": event.event_id, "code": code, "message": message})


def _queues_for(events: Sequence[CallEvent]) -> dict[str, ContactQueue]:
    slugs = {event.queue for event in events}
    queues = {
        queue.slug: queue
        for queue in ContactQueue.objects.filter(slug__in=slugs, is_active=True).select_related(
            "department"
        )
    }
    missing = sorted(slugs - queues.keys())
    if missing:
        raise UnknownQueue(queues=missing)
    return queues


def record_queue_events(*, integration: Integration, events: Sequence[CallEvent]) -> EventsRecorded:
    """Store each new event once and fold it into its call; a finished call becomes an interaction.

    All-or-nothing: an unknown queue refuses the whole request (UnknownQueue) before
    anything is written. A repeated event id (a retry, a replay) is reported as a
    duplicate and changes nothing. Events are applied in time order within a request
    and fold commutatively across requests, so arrival order does not matter.
    """
    queues = _queues_for(events)
    result = EventsRecorded()
    with transaction.atomic():
        ids = [event.event_id for event in events]
        seen = set(
            QueueEvent.objects.filter(integration=integration, event_id__in=ids).values_list(
                "event_id", flat=True
            )
        )
        for event in sorted(events, key=lambda e: e.occurred_at):
            if event.event_id in seen or not _store(integration, event, queues[event.queue]):
                result.duplicates.append(event.event_id)
                continue
            seen.add(event.event_id)
            result.accepted.append(event.event_id)
            _fold(integration, event, queues[event.queue], result)
    return result


def _store(integration: Integration, event: CallEvent, queue: ContactQueue) -> bool:
    """Append the raw event; False when a concurrent request stored the same id first."""
    try:
        with transaction.atomic():
            QueueEvent.objects.create(
                integration=integration,
                event_id=event.event_id,
                kind=event.kind,
                call_id=event.call_id,
                queue=queue,
                occurred_at=event.occurred_at,
                payload=event.payload,
            )
    except IntegrityError:
        return False
    return True


def _earliest(current: datetime | None, new: datetime) -> datetime:
    return new if current is None or new < current else current


def _fold(
    integration: Integration, event: CallEvent, queue: ContactQueue, result: EventsRecorded
) -> None:
    Call.objects.get_or_create(
        integration=integration, call_id=event.call_id, defaults={"queue": queue}
    )
    call = Call.objects.select_for_update().get(integration=integration, call_id=event.call_id)
    at = event.occurred_at
    if event.kind == EventKind.OFFERED:
        call.offered_at = _earliest(call.offered_at, at)
    elif event.kind == EventKind.ANSWERED:
        call.answered_at = _earliest(call.answered_at, at)
    elif event.kind == EventKind.ABANDONED:
        call.abandoned_at = _earliest(call.abandoned_at, at)
    else:
        call.ended_at = _earliest(call.ended_at, at)
    if event.kind in (EventKind.ANSWERED, EventKind.ABANDONED) and event.wait_seconds is not None:
        call.wait_seconds = event.wait_seconds
        call.offered_at = _earliest(call.offered_at, at - timedelta(seconds=event.wait_seconds))
    if event.talk_seconds is not None:
        call.talk_seconds = event.talk_seconds
    if event.wrap_up_seconds is not None:
        call.wrap_up_seconds = event.wrap_up_seconds
    if event.agent and call.agent_id is None:
        call.agent = _agent(integration, event, result)
    _link_callback(call, event, result)
    if event.caller and not call.caller:
        _identify_caller(integration, call, event, result)
    _derive(call)
    call.updated_at = timezone.now()
    call.save()
    if call.callback is not None and call.answered_at is not None:
        _close_callback(call.callback, CallbackRequest.Status.ANSWERED)
    if call.is_over and call.interaction_id is None:
        _record_call(integration, call, result, event)


def _agent(integration: Integration, event: CallEvent, result: EventsRecorded) -> User | None:
    """The agent by the contact centre's id for him, else by username; None (and a note)."""
    identity = (
        AgentIdentity.objects.select_related("user")
        .filter(integration=integration, external_id=event.agent)
        .first()
    )
    user = identity.user if identity else User.objects.filter(username=event.agent).first()
    if user is None or not user.is_staff_member:
        result.warn(
            event,
            "unknown_agent",
            _("No active agent is known as “%(agent)s”; the call is kept without one.")
            % {"agent": event.agent},
        )
        return None
    return user


def _link_callback(call: Call, event: CallEvent, result: EventsRecorded) -> None:
    if event.callback_id is None or call.callback_id is not None:
        return
    callback = (
        CallbackRequest.objects.select_related("customer")
        .filter(pk=event.callback_id, queue_id=call.queue_id)
        .first()
    )
    if callback is None:
        result.warn(event, "unknown_callback", _("No call-back request in this queue has that id."))
        return
    call.callback = callback
    if call.customer_id is None:
        call.customer = callback.customer


def _close_callback(callback: CallbackRequest, status: str) -> None:
    CallbackRequest.objects.filter(pk=callback.pk, status=CallbackRequest.Status.WAITING).update(
        status=status, closed_at=timezone.now()
    )


def _identify_caller(
    integration: Integration, call: Call, event: CallEvent, result: EventsRecorded
) -> None:
    """Keep the caller's number and find (or create) the customer it belongs to."""
    cleaned = normalise_phone(event.caller)
    if cleaned is None:
        result.warn(
            event,
            "caller_not_a_number",
            _("The caller number is missing or withheld; the call is counted but not filed."),
        )
        return
    call.caller = cleaned[0]
    if call.customer_id is None:
        call.customer = _customer_for(integration, cleaned[0])


def _customer_for(integration: Integration, number: str) -> Customer:
    """The customer at this number; a shared number picks whoever has the latest active case."""
    matches = find_customers_by_phone(number)
    if len(matches) == 1:
        return matches[0]
    if matches:
        latest = (
            Case.objects.filter(
                customer__in=matches, status__in=Case.ACTIVE_STATUSES, merged_into__isnull=True
            )
            .order_by("-updated_at")
            .values_list("customer_id", flat=True)
            .first()
        )
        by_id = {customer.pk: customer for customer in matches}
        if latest is not None and latest in by_id:
            return by_id[latest]
        return min(matches, key=lambda customer: customer.pk)
    return customer_actions.create_customer(
        acting_user=integration.acting_user, name=number, phones=[number]
    )


def _open_case_of(customer: Customer, queue: ContactQueue) -> Case | None:
    """The customer's active case, preferring the queue's department, latest activity first."""
    active = Case.objects.filter(
        customer=customer, status__in=Case.ACTIVE_STATUSES, merged_into__isnull=True
    ).order_by("-updated_at", "-pk")
    return active.filter(department_id=queue.department_id).first() or active.first()


def _seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def call_wait_seconds(call: Call) -> float | None:
    """How long the caller waited before an agent answered or he hung up."""
    if call.wait_seconds is not None:
        return call.wait_seconds
    left = call.answered_at or call.abandoned_at
    if left is None and call.talk_seconds is None:
        left = call.ended_at  # ended without an answer: he waited until then
    return _seconds_between(call.offered_at, left)


def call_talk_seconds(call: Call) -> float | None:
    """How long the caller spoke with an agent (None if never answered or not known)."""
    if call.talk_seconds is not None:
        return call.talk_seconds
    return _seconds_between(call.answered_at, call.ended_at)


def _derive(call: Call) -> None:
    """Refresh the derived figures the live queue state aggregates over."""
    call.left_queue_at = call.answered_at or call.abandoned_at
    if call.left_queue_at is None and call.ended_at is not None and call.talk_seconds is None:
        call.left_queue_at = call.ended_at  # ended unanswered: the caller left the line
    call.waited_seconds = call_wait_seconds(call) if call.left_queue_at is not None else None
    talk = call_talk_seconds(call)
    finished = call.ended_at is not None and (call.answered_at is not None or talk is not None)
    call.handled_seconds = (talk or 0.0) + (call.wrap_up_seconds or 0.0) if finished else None


def _summary(call: Call, wait: float, talk: float | None) -> str:
    values = {"queue": call.queue.name, "wait": round(wait), "talk": round(talk or 0)}
    if call.answered_at is None and call.talk_seconds is None:
        return _("Call to %(queue)s: the caller hung up after waiting %(wait)s s.") % values
    return _("Call to %(queue)s: waited %(wait)s s, talked %(talk)s s.") % values


def _record_call(
    integration: Integration, call: Call, result: EventsRecorded, event: CallEvent
) -> None:
    """File the finished call on the customer's open case, or a new one in its department."""
    if call.customer is None:
        return
    wait = call_wait_seconds(call) or 0.0
    talk = call_talk_seconds(call)
    times = [t for t in (call.offered_at, call.answered_at, call.abandoned_at, call.ended_at) if t]
    started, ended = min(times), max(times)
    agent = call.agent if call.agent is not None and call.agent.is_staff_member else None
    customer_seconds = round(wait + (talk or 0.0))
    external_id = f"contact-centre:{integration.key}:{call.call_id}"[:300]
    channel = call.queue.channel if call.queue.channel in Interaction.Channel.values else "phone"
    case = _open_case_of(call.customer, call.queue)
    if case is not None:
        interaction = case_actions.record_interaction(
            acting_user=integration.acting_user, case=case, channel=channel,
            direction=Interaction.Direction.INBOUND, body=_summary(call, wait, talk),
            handled_by=agent, started_at=started, ended_at=ended,
            customer_seconds=customer_seconds, external_id=external_id,
        )  # fmt: skip
    else:
        department = call.queue.department if call.queue.department.is_active else None
        case = case_actions.open_case(
            acting_user=integration.acting_user, customer=call.customer,
            subject=_("Call to %(queue)s") % {"queue": call.queue.name},
            body=_summary(call, wait, talk), channel=channel, department=department,
            external_id=external_id,
            first_contact=case_actions.FirstContact(
                handled_by=agent, started_at=started, ended_at=ended,
                customer_seconds=customer_seconds,
            ),
        )  # fmt: skip
        interaction = case.interactions.get(external_id=external_id)
    Call.objects.filter(pk=call.pk).update(case=interaction.case_id, interaction=interaction)
    call.case_id, call.interaction_id = interaction.case_id, interaction.pk
    result.interactions.append(interaction.pk)


# --- Call-back requests (the portal) --------------------------------------------------


def request_callback(
    *, acting_user: User, customer: Customer, queue: ContactQueue, phone: str
) -> CallbackRequest:
    """A customer asks to be called back from a phone queue; he then waits in it.

    Only for himself, an active phone queue and a valid number; one waiting request per
    queue (CallbackRefused). Audited.
    """
    if getattr(acting_user, "customer", None) != customer or not acting_user.is_customer:
        raise CallbackRefused(_("You can only ask for a call-back for yourself."))
    if not queue.is_active or queue.channel != "phone":
        raise CallbackRefused(_("That line does not take call-back requests."))
    cleaned = normalise_phone(phone)
    if cleaned is None:
        raise CallbackRefused(_("Give a phone number we can call, e.g. +370 600 12345."))
    try:
        with transaction.atomic():
            callback = CallbackRequest.objects.create(
                customer=customer, queue=queue, phone=cleaned[0]
            )
            _file_callback(acting_user, callback)
            record_audit_event(
                actor=acting_user, action="callback.requested", target=callback,
                data={"queue": queue.slug, "phone": cleaned[0], "case": callback.case_id},
            )  # fmt: skip
    except IntegrityError:
        raise CallbackRefused(
            _("You are already waiting for a call-back from that line.")
        ) from None
    return callback


def _file_callback(acting_user: User, callback: CallbackRequest) -> None:
    """Put the request on the customer's open case in the queue's department, or a new phone case.

    The case then waits for an agent on the phone channel (routing decides who, with
    its capacity, skills, shifts and hold queue); its owner is the one who calls back.
    """
    queue = callback.queue
    values = {"queue": queue.name, "phone": callback.phone}
    body = _("Please call me back at %(phone)s (call-back requested from %(queue)s).") % values
    department = queue.department if queue.department.is_active else None
    active = Case.objects.filter(
        customer=callback.customer, status__in=Case.ACTIVE_STATUSES, merged_into__isnull=True
    )
    case = active.filter(department=department).order_by("-updated_at", "-pk").first()
    opened = case is None
    if case is None:
        case = case_actions.open_case(
            acting_user=acting_user, customer=callback.customer,
            subject=_("Call-back request: %(queue)s") % values, body=body,
            channel=Interaction.Channel.PHONE, department=department,
        )  # fmt: skip
    else:
        case_actions.reply_to_case(
            acting_user=acting_user, case=case, body=body, channel=Interaction.Channel.PORTAL
        )
    CallbackRequest.objects.filter(pk=callback.pk).update(case=case, opened_case=opened)
    callback.case, callback.opened_case = case, opened
    routing_actions.enrol_contact(case=case, channel=Interaction.Channel.PHONE)


def cancel_callback(*, acting_user: User, callback: CallbackRequest) -> CallbackRequest:
    """The customer no longer wants the call-back; a no-op when it is not waiting. Audited."""
    if getattr(acting_user, "customer", None) != callback.customer:
        raise CallbackRefused(_("You can only cancel your own call-back."))
    with transaction.atomic():
        changed = CallbackRequest.objects.filter(
            pk=callback.pk, status=CallbackRequest.Status.WAITING
        ).update(status=CallbackRequest.Status.CANCELLED, closed_at=timezone.now())
        if changed:
            record_audit_event(actor=acting_user, action="callback.cancelled", target=callback)
            if callback.opened_case and callback.case is not None:
                # The case existed only for this call-back: nobody needs to take it now.
                routing_actions.withdraw_case(case=callback.case)
    callback.refresh_from_db()
    return callback
