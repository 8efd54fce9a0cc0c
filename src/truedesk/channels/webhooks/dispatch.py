"""The dispatcher: sends due deliveries, one endpoint per thread, never one waiting on another.

Isolation: each endpoint is leased (a conditional UPDATE on its row) by one
dispatcher at a time and has at most one request in flight; requests run in a
small thread pool with short timeouts, so a slow or failing endpoint holds one
thread and never the others. A pass returns as soon as no endpoint has more
work waiting behind its current request; a request still in flight (a slow
endpoint) keeps its lease and is recorded by the next pass. Threads only do
HTTP; every database write happens in the calling thread.

At least once: a worker that dies mid-request leaves the delivery pending; its
lease expires and the delivery is sent again. Receivers de-duplicate on the
`webhook-id` header.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from truedesk.channels.webhooks import signing, transport
from truedesk.channels.webhooks.actions import allowed_networks, record_attempt
from truedesk.channels.webhooks.addresses import IPNetwork
from truedesk.channels.webhooks.fanout import fan_out_events
from truedesk.channels.webhooks.models import WebhookDelivery, WebhookEndpoint
from truedesk.lib.secrets_box import SealedSecretUnreadable

logger = logging.getLogger(__name__)

CONCURRENCY = 8
PASS_SECONDS = 5.0
MAX_PER_ENDPOINT_PER_PASS = 50
# Long enough that the request's result is recorded by this process's next pass
# (the periodic job goes to whichever worker claims it first), short enough
# that an endpoint held by a worker that died is picked up again soon.
LEASE = timedelta(seconds=transport.TOTAL_TIMEOUT) + timedelta(minutes=5)
# Stored with the attempt for administrators (not translated, like transport errors).
UNREADABLE_SECRET = (
    "not sent: the signing secret cannot be read with the configured SECRET_KEY "
    "(it changed without a fallback); rotate the endpoint's secret"
)


@dataclass
class _InFlight:
    endpoint_id: int
    delivery_id: int
    future: Future[transport.Outcome]
    more: bool


def _due(now: object) -> Q:
    return Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)


class Dispatcher:
    """One per worker process; `run_pass()` is its periodic job."""

    def __init__(self, *, concurrency: int = CONCURRENCY) -> None:
        self.concurrency = concurrency
        self.executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook")
        self.in_flight: dict[int, _InFlight] = {}
        self.claimed: set[int] = set()
        self.owner = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"

    # --- leases -------------------------------------------------------------------

    def _claim(self, endpoint_id: int) -> bool:
        now = timezone.now()
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=self.owner)
        claimed = (
            WebhookEndpoint.objects.filter(free, pk=endpoint_id, is_active=True).update(
                lease_until=now + LEASE, lease_owner=self.owner
            )
            == 1
        )
        if claimed:
            self.claimed.add(endpoint_id)
        return claimed

    def _release(self, endpoint_id: int) -> None:
        self.claimed.discard(endpoint_id)
        WebhookEndpoint.objects.filter(pk=endpoint_id, lease_owner=self.owner).update(
            lease_until=None, lease_owner=""
        )

    # --- one pass ----------------------------------------------------------------------

    def run_pass(self, *, max_seconds: float = PASS_SECONDS) -> int:
        """Fan out new events, then send what is due; returns the attempts recorded."""
        fan_out_events()
        allowed = allowed_networks()
        deadline = time.monotonic() + max_seconds
        sent: Counter[int] = Counter()
        stopped: set[int] = set()
        recorded = self._harvest(stopped)
        while True:
            self._fill(allowed, sent, stopped)
            waiting = [item.future for item in self.in_flight.values() if item.more]
            remaining = deadline - time.monotonic()
            if not waiting or remaining <= 0:
                break
            wait(waiting, timeout=remaining, return_when=FIRST_COMPLETED)
            recorded += self._harvest(stopped)
        for endpoint_id in list(self.claimed - set(self.in_flight)):
            self._release(endpoint_id)
        return recorded

    def finish(self, *, timeout: float = transport.TOTAL_TIMEOUT + 5) -> int:
        """Wait for the requests in flight and record them (worker shutdown, tests)."""
        wait([item.future for item in self.in_flight.values()], timeout=timeout)
        recorded = self._harvest(set())
        for endpoint_id in list(self.claimed - set(self.in_flight)):
            self._release(endpoint_id)
        return recorded

    def _harvest(self, stopped: set[int]) -> int:
        """Record every finished request; an endpoint that failed rests until its retry."""
        done = [item for item in self.in_flight.values() if item.future.done()]
        for item in done:
            del self.in_flight[item.endpoint_id]
            try:
                outcome = item.future.result()
            except Exception as exc:  # transport.post never raises; belt and braces
                outcome = transport.Outcome(None, f"{type(exc).__name__}: {exc}"[:500], "", 0)
            try:
                record_attempt(delivery_id=item.delivery_id, outcome=outcome, now=timezone.now())
            except WebhookDelivery.DoesNotExist:
                continue  # the endpoint was deleted while its request ran
            if not outcome.ok:
                logger.info(
                    "webhook delivery %s to endpoint %s failed: %s",
                    item.delivery_id,
                    item.endpoint_id,
                    outcome.error,
                )
                stopped.add(item.endpoint_id)
        return len(done)

    def _fill(self, allowed: list[IPNetwork], sent: Counter[int], stopped: set[int]) -> None:
        """Start the next request of every idle endpoint we hold, then claim more endpoints."""
        for endpoint_id in sorted(self.claimed - set(self.in_flight)):
            if endpoint_id in stopped or not self._start(endpoint_id, allowed, sent):
                # Failed, drained or at its share of this pass: rest until the next.
                stopped.add(endpoint_id)
                self._release(endpoint_id)
        free = self.concurrency - len(self.in_flight)
        if free <= 0:
            return
        busy = set(self.in_flight) | self.claimed | stopped
        now = timezone.now()
        # Endpoints another worker holds are left out here, so they cannot
        # crowd free ones out of the candidate list.
        unleased = Q(endpoint__lease_until__isnull=True) | Q(endpoint__lease_until__lt=now)
        rested = Q(endpoint__resting_until__isnull=True) | Q(endpoint__resting_until__lte=now)
        candidates = (
            WebhookDelivery.objects.filter(_due(now), unleased, rested, endpoint__is_active=True)
            .exclude(endpoint_id__in=busy)
            .values_list("endpoint_id", flat=True)
            .distinct()
            .order_by("endpoint_id")[: free * 2]
        )
        for endpoint_id in list(candidates):
            if len(self.in_flight) >= self.concurrency:
                break
            if self._claim(endpoint_id) and not self._start(endpoint_id, allowed, sent):
                stopped.add(endpoint_id)
                self._release(endpoint_id)

    def _start(self, endpoint_id: int, allowed: list[IPNetwork], sent: Counter[int]) -> bool:
        if sent[endpoint_id] >= MAX_PER_ENDPOINT_PER_PASS:
            return False
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).first()
        if endpoint is None:
            return False
        due = list(
            WebhookDelivery.objects.filter(_due(timezone.now()), endpoint_id=endpoint_id)
            .order_by("next_attempt_at", "id")
            .only("id", "payload")[:2]
        )
        if not due:
            return False
        delivery = due[0]
        body = delivery.payload.encode()
        WebhookEndpoint.objects.filter(pk=endpoint_id, lease_owner=self.owner).update(
            lease_until=timezone.now() + LEASE
        )
        try:
            headers = signing.headers(
                secret=endpoint.secret,
                message_id=delivery.message_id,
                timestamp=int(time.time()),
                body=body,
            )
        except SealedSecretUnreadable:
            # Never send unsigned or wrongly signed: fail the attempt where the
            # administrator sees it, and keep retrying until the secret is rotated.
            future: Future[transport.Outcome] = Future()
            future.set_result(transport.Outcome(None, UNREADABLE_SECRET, "", 0))
        else:
            future = self.executor.submit(
                transport.post, url=endpoint.url, body=body, headers=headers, allowed=allowed
            )
        sent[endpoint_id] += 1
        more = len(due) > 1 and sent[endpoint_id] < MAX_PER_ENDPOINT_PER_PASS
        self.in_flight[endpoint_id] = _InFlight(endpoint_id, delivery.pk, future, more)
        return True


_dispatcher: Dispatcher | None = None


def get_dispatcher() -> Dispatcher:
    """This process's dispatcher (its thread pool and requests in flight live across passes)."""
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = Dispatcher()
    return _dispatcher


def reset_dispatcher() -> None:
    """Drop this process's dispatcher after its requests finish (tests)."""
    global _dispatcher
    if _dispatcher is not None:
        _dispatcher.finish()
        _dispatcher.executor.shutdown(wait=True)
    _dispatcher = None
