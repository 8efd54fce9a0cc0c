"""Every write of the SLA app: policies, applying case events to clocks, and the due sweep.

Clocks follow the case's event trail (see `replay`): the post-commit listener
applies each case's new events at once, and the sweep applies any it missed
(after a crash between a commit and its listener). Events are applied once, in
order, under a lock on the case's CaseSla row, so both may try.

`process_sla_clocks` is the timer: deadlines are rows, and an indexed sweep run
by `truedesk worker` warns owners and escalates breaches. Each effect is claimed
by a conditional UPDATE and every message carries a dedupe key, so two workers
or a re-run after a crash never repeat a warning, a breach or an email.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from truedesk.accounts.actions import Actor, SystemActor, record_audit_event, require_supervisor
from truedesk.accounts.models import User
from truedesk.calendars.models import BusinessCalendar
from truedesk.cases.actions import assign_case
from truedesk.cases.errors import CaseError, InvalidInput
from truedesk.cases.events import record_case_event
from truedesk.cases.models import Case, CaseEvent, EventKind
from truedesk.lib.sweeps import for_each_due
from truedesk.sla import clocks, emails, selectors
from truedesk.sla.models import CaseSla, SlaClock, SlaCursor, SlaPolicy
from truedesk.sla.replay import Replay

logger = logging.getLogger(__name__)

SYSTEM = SystemActor("sla")
# The kind of the CaseEvent written when a clock breaches.
SLA_BREACHED = "sla_breached"
SWEEP_BATCH = 200
CATCH_UP_BATCH = 500
CATCH_UP_MAX_BATCHES = 20
# Event ids are handed out before commit, so a slow transaction can commit an
# id below one already seen. The catch-up mark passes only events older than this.
COMMIT_MARGIN = timedelta(minutes=2)
# Fields the event replay owns; the sweep owns warned_at and breached_at.
CLOCK_FIELDS = [
    "policy", "policy_name", "policy_version", "calendar", "target", "warn_after", "due_at",
    "warn_at", "paused_at", "paused_business", "stopped_at", "met",
]  # fmt: skip


# --- policies ---------------------------------------------------------------------------


def _policy_audit(policy: SlaPolicy) -> dict[str, Any]:
    names = (
        "name", "calendar_id", "priority", "case_kind", "customer_tier", "order",
        "first_response_minutes", "next_response_minutes", "resolution_minutes",
        "warning_percent", "warning_minutes", "escalate_to_supervisor", "reassign_on_breach",
        "reassign_to_id", "is_active", "version",
    )  # fmt: skip
    return {name: getattr(policy, name) for name in names}


def save_policy(*, acting_user: Actor, policy: SlaPolicy) -> SlaPolicy:
    """Create or change a policy (supervisors); validated, version bumped, audited.

    Running clocks keep the targets they started with; cases opened (or whose
    priority or kind changes) from now on get the new ones.
    """
    require_supervisor(acting_user)
    try:
        policy.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(messages[0], field="" if field == "__all__" else field) from None
    with transaction.atomic():
        created = policy.pk is None
        if not created:
            current = SlaPolicy.objects.select_for_update().values_list("version", flat=True)
            policy.version = current.get(pk=policy.pk) + 1
        policy.updated_at = timezone.now()
        policy.save()
        record_audit_event(
            actor=acting_user,
            action="sla_policy.created" if created else "sla_policy.changed",
            target=policy,
            data=_policy_audit(policy),
        )
    return policy


# --- applying case events ------------------------------------------------------------------


def _lock_state(case_id: int) -> tuple[CaseSla, bool] | None:
    """The case's SLA row under lock, created when missing; None if the case is gone."""
    # The row exists for every case that has had an event applied: one locked read.
    state = CaseSla.objects.select_for_update().filter(case_id=case_id).first()
    if state is not None:
        return state, False  # the row cascades with its case, so the case is there
    if not Case.objects.filter(pk=case_id).exists():
        return None
    try:
        with transaction.atomic():
            # The inserted row stays ours (locked) until this transaction ends.
            return CaseSla.objects.create(case_id=case_id), True
    except IntegrityError:
        # Another worker created it a moment ago: wait for its lock.
        return CaseSla.objects.select_for_update().get(case_id=case_id), False


def _installed_after() -> int:
    cursor = SlaCursor.objects.filter(key=1).first()
    return cursor.installed_after_event_id if cursor else 0


class _Lookups:
    """The replay's lazy reads for one case: policies, the customer's tier, calendars, cycles."""

    def __init__(self, case_id: int) -> None:
        self.case_id = case_id
        self._policies: list[SlaPolicy] | None = None
        self._tier: str | None = None
        self._calendars: dict[int | None, clocks.Calendar] = {None: clocks.ALWAYS}
        self._cycles: dict[str, int] = {}

    def find_policy(self, priority: int | None, kind: str) -> SlaPolicy | None:
        if self._policies is None:
            self._policies = selectors.list_active_policies()
        if not self._policies:
            return None
        if self._tier is None:
            self._tier = str(
                Case.objects.filter(pk=self.case_id).values_list("customer__tier", flat=True)[0]
            )
        return selectors.match_policy(self._policies, priority=priority, kind=kind, tier=self._tier)

    def calendar_for(self, calendar_id: int | None) -> clocks.Calendar:
        if calendar_id is not None and calendar_id not in self._calendars:
            stored = BusinessCalendar.objects.filter(pk=calendar_id).first()
            self._calendars[calendar_id] = clocks.calendar_value(stored)
        return self._calendars[calendar_id]

    def next_cycle(self, metric: str) -> int:
        if metric not in self._cycles:
            found = SlaClock.objects.filter(case_id=self.case_id, metric=metric).aggregate(
                last=Max("cycle")
            )["last"]
            self._cycles[metric] = found or 0
        self._cycles[metric] += 1
        return self._cycles[metric]


def _save_clocks(touched: list[SlaClock]) -> None:
    # Stop and change existing clocks before inserting new ones, so a metric
    # never has two unstopped clocks, even for a moment.
    for clock in touched:
        if clock.pk is not None:
            clock.save(update_fields=CLOCK_FIELDS)
    for clock in touched:
        if clock.pk is None:
            clock.save()


def sync_case_clocks(*, case_id: int) -> int:
    """Apply the case's not-yet-applied events to its clocks, once and in order.

    Idempotent: returns how many events this call applied (0 when up to date).
    Cases opened before SLA tracking was installed get no clocks.
    """
    with transaction.atomic():
        locked = _lock_state(case_id)
        if locked is None:
            return 0
        state, created = locked
        events = list(
            CaseEvent.objects.filter(case_id=case_id, pk__gt=state.last_event_id).order_by("pk")
        )
        if not events:
            return 0
        if created and (events[0].kind != EventKind.OPENED or events[0].pk <= _installed_after()):
            state.tracked = False
        if state.tracked:
            running = {
                clock.metric: clock
                for clock in SlaClock.objects.filter(case_id=case_id, stopped_at__isnull=True)
            }
            lookups = _Lookups(case_id)
            replay = Replay(state, running, lookups.find_policy, lookups.calendar_for,
                            lookups.next_cycle)  # fmt: skip
            for event in events:
                replay.apply(event)
            _save_clocks(replay.touched)
        state.last_event_id = events[-1].pk
        state.save()
    return len(events)


def _behind(rows: list[tuple[int, int, datetime]]) -> list[int]:
    """Of the cases in a batch of events, those whose SLA row has not applied their newest."""
    newest: dict[int, int] = {}
    for pk, case_id, _at in rows:
        newest[case_id] = pk
    applied = dict(
        CaseSla.objects.filter(case_id__in=list(newest)).values_list("case_id", "last_event_id")
    )
    return [case_id for case_id, pk in newest.items() if applied.get(case_id, 0) < pk]


def catch_up_case_events(*, now: datetime | None = None) -> int:
    """Apply every case event the listener missed; returns how many events were applied.

    Moves the catch-up mark past events older than COMMIT_MARGIN only, so an
    event that commits late with a lower id is still found.
    """
    moment = now or timezone.now()
    cursor, _created = SlaCursor.objects.get_or_create(key=1)
    mark = scan = cursor.last_event_id
    applied = 0
    failed: set[int] = set()
    for _batch in range(CATCH_UP_MAX_BATCHES):
        rows = list(
            CaseEvent.objects.filter(pk__gt=scan)
            .order_by("pk")
            .values_list("pk", "case_id", "created_at")[:CATCH_UP_BATCH]
        )
        for case_id in _behind(rows):
            try:
                applied += sync_case_clocks(case_id=case_id)
            except Exception:
                # That case's events are retried on the next sweep; the rest go on.
                logger.exception("SLA catch-up failed for case %s", case_id)
                failed.add(case_id)
        for pk, case_id, at in rows:
            if mark != scan or at > moment - COMMIT_MARGIN or case_id in failed:
                break
            mark = scan = pk
        scan = rows[-1][0] if rows else scan
        if len(rows) < CATCH_UP_BATCH:
            break
    if mark > cursor.last_event_id:
        SlaCursor.objects.filter(key=1, last_event_id__lt=mark).update(last_event_id=mark)
    return applied


# --- the due sweep ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    """What one sweep did: events applied late, owners warned, clocks breached."""

    caught_up: int = 0
    warned: int = 0
    breached: int = 0


def _each(ids: Callable[[], QuerySet[SlaClock]], step: Callable[[int], bool]) -> int:
    """Run `step` on every due id, a batch at a time (see truedesk.lib.sweeps)."""
    return for_each_due(ids, step, batch=SWEEP_BATCH, what="SLA")


def _with_case(clock_id: int) -> SlaClock:
    return SlaClock.objects.select_related(
        "case",
        "case__owner",
        "case__customer",
        "case__department",
        "policy",
        "policy__reassign_to",
    ).get(pk=clock_id)


def warn_clock(clock_id: int, *, now: datetime) -> bool:
    """Warn the owner (or, for an unowned case, its supervisors) once that a target is
    close; True if this call did."""
    with transaction.atomic():
        claimed = SlaClock.objects.filter(
            pk=clock_id, stopped_at__isnull=True, paused_at__isnull=True,
            breached_at__isnull=True, warned_at__isnull=True, warn_at__lte=now, due_at__gt=now,
        ).update(warned_at=now)  # fmt: skip
        if not claimed:
            return False
        clock = _with_case(clock_id)
        owner = clock.case.owner
        recipients = [owner] if owner is not None and owner.is_staff_member else []
        emails.warn(clock, recipients or selectors.list_supervisors_for(clock.case))
    return True


def _breach_recipients(clock: SlaClock) -> list[User]:
    owner = clock.case.owner
    recipients = [owner] if owner is not None and owner.is_staff_member else []
    # A deleted policy leaves no setting: escalating is the safe default.
    escalate = clock.policy is None or clock.policy.escalate_to_supervisor
    if escalate or not recipients:
        recipients += [s for s in selectors.list_supervisors_for(clock.case) if s not in recipients]
    return recipients


def _reassign(clock: SlaClock, policy: SlaPolicy) -> None:
    case = clock.case
    chosen = policy.reassign_to
    if chosen is None or not chosen.is_staff_member:
        chosen = selectors.find_least_loaded_supervisor(case)
    if chosen is None or chosen.pk == case.owner_id:
        return
    try:
        with transaction.atomic():
            assign_case(acting_user=SYSTEM, case=case, owner=chosen)
    except CaseError as error:
        # The breach and its alerts stand; only the hand-over did not happen.
        logger.warning("SLA reassignment of case %s failed: %s", case.pk, error)
        return
    emails.reassigned(clock, chosen)


def breach_clock(clock_id: int, *, now: datetime) -> bool:
    """Record one breach (one winner among workers): a case event, the owner and the
    supervisors told on the desk and by email, and a reassignment if the policy asks."""
    with transaction.atomic():
        claimed = SlaClock.objects.filter(
            pk=clock_id, stopped_at__isnull=True, paused_at__isnull=True,
            breached_at__isnull=True, due_at__lte=now,
        ).update(breached_at=now)  # fmt: skip
        if not claimed:
            return False
        clock = _with_case(clock_id)
        data = {
            "clock_id": clock.pk, "metric": clock.metric, "cycle": clock.cycle,
            "due_at": clock.due_at.isoformat(), "policy": clock.policy_name,
            "owner": None if clock.case.owner is None
            else {"id": clock.case.owner.pk, "name": clock.case.owner.display_name},
        }  # fmt: skip
        record_case_event(acting_user=SYSTEM, case=clock.case, kind=SLA_BREACHED, data=data,
                          at=now)  # fmt: skip
        emails.breach(clock, _breach_recipients(clock))
        if clock.policy is not None and clock.policy.reassign_on_breach:
            _reassign(clock, clock.policy)
    return True


def process_sla_clocks(*, now: datetime | None = None) -> SweepResult:
    """The SLA timer: apply missed case events, escalate breaches, then warn owners.

    At least once and idempotent: safe on any number of workers and after a
    crash at any point. Returns what this call did.
    """
    moment = now or timezone.now()
    caught_up = catch_up_case_events(now=moment)
    unstopped = SlaClock.objects.filter(
        stopped_at__isnull=True, paused_at__isnull=True, breached_at__isnull=True
    )
    breached = _each(
        lambda: unstopped.filter(due_at__lte=moment).order_by("due_at", "pk"),
        lambda pk: breach_clock(pk, now=moment),
    )
    warned = _each(
        lambda: unstopped.filter(
            warned_at__isnull=True, warn_at__lte=moment, due_at__gt=moment
        ).order_by("warn_at", "pk"),
        lambda pk: warn_clock(pk, now=moment),
    )
    return SweepResult(caught_up=caught_up, warned=warned, breached=breached)
