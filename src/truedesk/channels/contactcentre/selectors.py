"""Reads of the contact-centre channel: a queue's live state and the wait it predicts.

The live state of a `ContactQueue` at a moment comes from the calls folded from the
contact centre's events and from the portal's waiting call-back requests:

* waiting: calls offered and not yet answered, abandoned or ended, and call-backs still
  waiting, in the order they joined (first come, first served); calls and requests
  older than STALE_AFTER are taken as lost events, not as people still waiting;
* agents on shift for the queue's department and channel (workforce shifts), of whom
  `1 - shrinkage` take contacts at any moment; agents busy: calls answered, not ended;
* handling time: mean talk + wrap-up of the last AHT_SAMPLE finished calls;
* patience: theta = hang-ups / total waiting time of the last ABANDON_SAMPLE callers
  who waited and left the queue (answered or not), the censored-data maximum-likelihood
  estimate;
  with fewer than MIN_LEFT_FOR_ESTIMATE of them the queue's configured patience is used.

These feed `workforce.queueing.wait_prediction` (QL-m with exact 10-90 % ranges).
A bounded number of queries per queue whatever the traffic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from truedesk.channels.contactcentre.errors import QueueNotFound
from truedesk.channels.contactcentre.models import Call, CallbackRequest
from truedesk.customers.models import Customer
from truedesk.workforce.models import ContactQueue, Shift
from truedesk.workforce.queueing.wait_prediction import (
    QueueSnapshot,
    WaitPrediction,
    describe_wait,
    estimate_abandon_rate,
    predict_wait,
)
from truedesk.workforce.selectors import shift_spans

STALE_AFTER = timedelta(hours=4)
CALLBACK_STALE_AFTER = timedelta(hours=24)
HISTORY_WINDOW = timedelta(hours=8)
# The estimators measured in bench/wait_bench.py ("live"): AHT = mean of the last 1,000
# finished calls, theta over the last 500 callers who waited.
AHT_SAMPLE = 1000
ABANDON_SAMPLE = 500
MIN_LEFT_FOR_ESTIMATE = 20
RECENT_WAITS = 20
# Until the queue has finished calls of its own, a plain five minutes (said so in `inputs`).
ASSUMED_AHT_SECONDS = 300.0


@dataclass(frozen=True)
class WaitingContact:
    """Someone waiting in the queue: a call on hold or a call-back request."""

    kind: str  # "call" or "callback"
    pk: int
    joined_at: datetime
    position: int  # 1 = next to be answered
    customer_id: int | None


@dataclass(frozen=True)
class LiveQueueState:
    """A queue at one moment, with every input the wait prediction uses."""

    queue: ContactQueue
    at: datetime
    waiting: tuple[WaitingContact, ...]
    agents_on_shift: int
    agents_taking_contacts: int
    agents_busy: int
    aht_seconds: float
    aht_source: str  # "recent" or "assumed"
    handled_sample: int
    left_sample: int
    abandoned_in_sample: int
    abandon_rate_per_second: float
    abandon_source: str  # "recent", "queue_patience" or "none"
    recent_waits_seconds: tuple[float, ...]
    last_served_wait_seconds: float | None

    @property
    def head_of_line_seconds(self) -> float | None:
        if not self.waiting:
            return None
        return max((self.at - self.waiting[0].joined_at).total_seconds(), 0.0)

    def snapshot(self, *, ahead: int) -> QueueSnapshot:
        """The predictor's input for someone with `ahead` customers in front."""
        return QueueSnapshot(
            ahead=ahead,
            agents=self.agents_taking_contacts,
            agents_busy=self.agents_busy,
            aht_seconds=self.aht_seconds,
            abandon_rate_per_second=self.abandon_rate_per_second,
            recent_waits_seconds=self.recent_waits_seconds,
            head_of_line_seconds=self.head_of_line_seconds,
            last_served_wait_seconds=self.last_served_wait_seconds,
        )

    def inputs(self) -> dict[str, Any]:
        """The figures behind a prediction, JSON-ready (shown by the API)."""
        return {
            "waiting": len(self.waiting),
            "agents_on_shift": self.agents_on_shift,
            "agents_taking_contacts": self.agents_taking_contacts,
            "agents_busy": self.agents_busy,
            "shrinkage": self.queue.shrinkage,
            "aht_seconds": round(self.aht_seconds, 1),
            "aht_source": self.aht_source,
            "handled_sample": self.handled_sample,
            "left_sample": self.left_sample,
            "abandoned_in_sample": self.abandoned_in_sample,
            "abandon_rate_per_second": self.abandon_rate_per_second,
            "mean_patience_seconds": (
                round(1.0 / self.abandon_rate_per_second, 1)
                if self.abandon_rate_per_second > 0
                else None
            ),
            "abandon_source": self.abandon_source,
        }


@dataclass(frozen=True)
class WaitAnswer:
    """A predicted wait for one place in the line, with the minutes to announce."""

    state: LiveQueueState
    position: int  # 1 = next
    prediction: WaitPrediction
    announce: tuple[int, int] | None  # (low, high) minutes; equal = a point; None = no agents


def get_queue(reference: str) -> ContactQueue:
    """An active queue by id or slug (QueueNotFound otherwise)."""
    rows = ContactQueue.objects.select_related("department").filter(is_active=True)
    condition = Q(slug=reference)
    if reference.isdigit() and len(reference) < 19:
        condition |= Q(pk=int(reference))
    queue = rows.filter(condition).first()
    if queue is None:
        raise QueueNotFound()
    return queue


def count_agents_on_shift(queue: ContactQueue, at: datetime) -> int:
    """Distinct active agents whose shift for this department (and channel, or all) runs at `at`."""
    until = at + timedelta(microseconds=1)
    weekly = Q(kind=Shift.Kind.WEEKLY) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=(at - timedelta(days=2)).date())
    )
    shifts = Shift.objects.filter(
        weekly | Q(kind=Shift.Kind.ONCE, starts_at__lte=at, ends_at__gt=at),
        department_id=queue.department_id,
        channel__in=("", queue.channel),
        agent__is_active=True,
        agent__kind="staff",
    )
    return len({shift.agent_id for shift in shifts if shift_spans(shift, at, until)})


def _waiting(queue: ContactQueue, at: datetime) -> tuple[WaitingContact, ...]:
    calls = Call.objects.filter(
        queue=queue, offered_at__gt=at - STALE_AFTER, offered_at__lte=at,
        answered_at__isnull=True, abandoned_at__isnull=True, ended_at__isnull=True,
    ).values_list("pk", "offered_at", "customer_id")  # fmt: skip
    callbacks = CallbackRequest.objects.filter(
        queue=queue, status=CallbackRequest.Status.WAITING,
        requested_at__gt=at - CALLBACK_STALE_AFTER, requested_at__lte=at,
    ).values_list("pk", "requested_at", "customer_id")  # fmt: skip
    joined: list[tuple[str, int, datetime, int | None]] = []
    joined += [("call", pk, when, who) for pk, when, who in calls if when is not None]
    joined += [("callback", pk, when, who) for pk, when, who in callbacks]
    joined.sort(key=lambda row: (row[2], row[0], row[1]))
    return tuple(
        WaitingContact(kind=kind, pk=pk, joined_at=when, position=index + 1, customer_id=customer)
        for index, (kind, pk, when, customer) in enumerate(joined)
    )


def _handling(queue: ContactQueue, at: datetime) -> tuple[float, str, int]:
    """Mean talk + wrap-up of the last AHT_SAMPLE finished calls (assumed if none yet)."""
    recent = (
        Call.objects.filter(
            queue=queue,
            ended_at__gt=at - HISTORY_WINDOW,
            ended_at__lte=at,
            handled_seconds__gt=0,
        )
        .order_by("-ended_at", "-pk")
        .values("pk")[:AHT_SAMPLE]
    )
    figures = Call.objects.filter(pk__in=recent).aggregate(
        mean=Avg("handled_seconds"), count=Count("pk")
    )
    if not figures["count"]:
        return ASSUMED_AHT_SECONDS, "assumed", 0
    return float(figures["mean"]), "recent", int(figures["count"])


@dataclass(frozen=True)
class _Patience:
    rate: float
    source: str
    sample: int
    hung_up: int


def _patience(queue: ContactQueue, at: datetime) -> _Patience:
    """theta-hat over the last ABANDON_SAMPLE callers who waited and left the queue."""
    recent = (
        Call.objects.filter(
            queue=queue,
            left_queue_at__gt=at - HISTORY_WINDOW,
            left_queue_at__lte=at,
            waited_seconds__gt=0,
        )
        .order_by("-left_queue_at", "-pk")
        .values("pk")[:ABANDON_SAMPLE]
    )
    figures = Call.objects.filter(pk__in=recent).aggregate(
        count=Count("pk"),
        waited=Sum("waited_seconds"),
        hung_up=Count("pk", filter=Q(answered_at__isnull=True, talk_seconds__isnull=True)),
    )
    count, hung_up = int(figures["count"]), int(figures["hung_up"])
    if count >= MIN_LEFT_FOR_ESTIMATE:
        rate = estimate_abandon_rate(abandoned=hung_up, waiting_seconds=float(figures["waited"]))
        return _Patience(rate, "recent", count, hung_up)
    if queue.patience_seconds:
        return _Patience(1.0 / queue.patience_seconds, "queue_patience", count, hung_up)
    return _Patience(0.0, "none", count, hung_up)


def _recent_answered_waits(queue: ContactQueue, at: datetime) -> tuple[float, ...]:
    """Waits of the last RECENT_WAITS answered callers, oldest first (for the comparators)."""
    waits = (
        Call.objects.filter(
            queue=queue,
            answered_at__isnull=False,
            left_queue_at__gt=at - HISTORY_WINDOW,
            left_queue_at__lte=at,
            waited_seconds__isnull=False,
        )
        .order_by("-left_queue_at", "-pk")
        .values_list("waited_seconds", flat=True)[:RECENT_WAITS]
    )
    return tuple(float(wait) for wait in reversed(list(waits)) if wait is not None)


def get_live_queue_state(queue: ContactQueue, *, at: datetime | None = None) -> LiveQueueState:
    """The queue's live state at `at` (default now); seven queries whatever the traffic."""
    at = at or timezone.now()
    on_shift = count_agents_on_shift(queue, at)
    busy = Call.objects.filter(
        queue=queue, answered_at__gt=at - STALE_AFTER, answered_at__lte=at,
        ended_at__isnull=True, abandoned_at__isnull=True,
    ).count()  # fmt: skip
    # Shrinkage: of the agents rostered, this share is on a break, in training… at any
    # moment. Agents seen on calls are taking contacts whatever the roster says.
    taking = round(on_shift * (1.0 - queue.shrinkage))
    if on_shift > 0:
        taking = max(taking, 1)
    taking = max(taking, busy)
    aht, aht_source, handled = _handling(queue, at)
    patience = _patience(queue, at)
    answered_waits = _recent_answered_waits(queue, at)
    return LiveQueueState(
        queue=queue,
        at=at,
        waiting=_waiting(queue, at),
        agents_on_shift=on_shift,
        agents_taking_contacts=taking,
        agents_busy=busy,
        aht_seconds=aht,
        aht_source=aht_source,
        handled_sample=handled,
        left_sample=patience.sample,
        abandoned_in_sample=patience.hung_up,
        abandon_rate_per_second=patience.rate,
        abandon_source=patience.source,
        recent_waits_seconds=answered_waits,
        last_served_wait_seconds=answered_waits[-1] if answered_waits else None,
    )


def predict_wait_at(state: LiveQueueState, *, position: int | None = None) -> WaitAnswer:
    """The wait for the customer at `position` (1 = next), or for someone joining now."""
    place = len(state.waiting) + 1 if position is None else position
    prediction = predict_wait(state.snapshot(ahead=place - 1))
    return WaitAnswer(
        state=state, position=place, prediction=prediction, announce=describe_wait(prediction)
    )


def list_waiting_callbacks(customer: Customer) -> list[CallbackRequest]:
    """The customer's call-back requests still waiting, oldest first, with their queue."""
    return list(
        CallbackRequest.objects.select_related("queue")
        .filter(customer=customer, status=CallbackRequest.Status.WAITING)
        .order_by("requested_at", "pk")
    )


def get_callback_for_customer(customer: Customer, callback_id: int) -> CallbackRequest:
    """One of the customer's own call-back requests (QueueNotFound hides everyone else's)."""
    callback = (
        CallbackRequest.objects.select_related("queue", "queue__department", "case__owner")
        .filter(customer=customer, pk=callback_id)
        .first()
    )
    if callback is None:
        raise QueueNotFound()
    return callback


def callback_wait(callback: CallbackRequest, *, at: datetime | None = None) -> WaitAnswer | None:
    """The live predicted wait of a waiting call-back request; None once it is not waiting."""
    if callback.status != CallbackRequest.Status.WAITING:
        return None
    state = get_live_queue_state(callback.queue, at=at)
    for contact in state.waiting:
        if contact.kind == "callback" and contact.pk == callback.pk:
            return predict_wait_at(state, position=contact.position)
    return None


def list_phone_queues() -> list[ContactQueue]:
    """Active phone queues a customer may ask to be called back from, by name."""
    return list(ContactQueue.objects.filter(is_active=True, channel="phone").order_by("name"))
