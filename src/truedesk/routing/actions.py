"""Routing writes: enrol a case, route or hold it, presence, skills and training records.

Assignment goes through `cases.actions.assign_case` (ownership rules, the
case's own event) as the system actor "routing"; every decision adds one
`case_routed` or `case_held` event with its reason through
`cases.actions.record_case_event`. A held case gets a new event only when the
reason changes, so the periodic sweep does not flood the timeline.

Concurrency (decision 0030): the routing item row is locked first
(`select_for_update(skip_locked=True)`: a second worker skips a case already
being routed), then the chosen agent's presence row (blocking), and the
agent's load is counted again under that lock; so a case is routed at most
once and an agent's last free slot is handed out once. SQLite's IMMEDIATE
transactions serialise the same steps.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.actions import Actor, SystemActor, record_audit_event, require_supervisor
from truedesk.accounts.models import User
from truedesk.calendars.selectors import department_availability
from truedesk.cases import actions as case_actions
from truedesk.cases.events import announced_together
from truedesk.cases.models import Case, EventKind
from truedesk.lib.enqueue import drains_requested_together, request_drain
from truedesk.routing import selectors
from truedesk.routing.errors import InvalidRoutingInput, NotAllowed, SkillInUse
from truedesk.routing.models import (
    AgentPresence,
    CaseSkill,
    DepartmentSkill,
    HoldReason,
    Presence,
    QueueSkill,
    RoutingItem,
    Skill,
    TrainingModule,
    TrainingRecord,
)
from truedesk.routing.selectors import Candidate, Decision

logger = logging.getLogger(__name__)

ROUTING = SystemActor("routing")
SWEEP_LIMIT = 200
MAX_CASE_SKILLS = 20


class Outcome:
    ROUTED = "routed"
    HELD = "held"
    WITHDRAWN = "withdrawn"
    SKIPPED = "skipped"


# --- enrolment and routing ---------------------------------------------------------------


def enrol_case(*, case: Case, channel: str | None = None) -> RoutingItem | None:
    """Put an unowned active case into routing once; None for owned or finished cases.

    It is routed on `channel`, by default the one its first interaction came in
    on. Its place in the hold queue is the case's age (opened at), so a case
    found late by the sweep is not pushed behind newer ones.
    """
    if case.owner_id is not None or not case.is_active or case.merged_into_id is not None:
        return None
    item, _created = RoutingItem.objects.get_or_create(
        case=case,
        defaults={
            "channel": channel or selectors.case_channel(case),
            "entered_at": case.created_at,
        },
    )
    return item


def _finish(item: RoutingItem, state: str, now: datetime, agent: User | None = None) -> None:
    RoutingItem.objects.filter(pk=item.pk).update(
        state=state, finished_at=now, routed_to=agent, last_tried_at=now
    )


def _hold(
    item: RoutingItem, case: Case, reason: str, details: dict[str, Any], now: datetime
) -> str:
    """Keep the case waiting; a timeline event only when the reason is new."""
    changed = item.reason != reason or item.reason_data != details
    RoutingItem.objects.filter(pk=item.pk).update(
        reason=reason, reason_data=details, last_tried_at=now, attempts=item.attempts + 1
    )
    if changed:
        case_actions.record_case_event(
            acting_user=ROUTING,
            case=case,
            kind=EventKind.HELD,
            data={"reason": reason, **details},
        )
    return Outcome.HELD


def _skill_refs(skills: list[Skill]) -> list[dict[str, Any]]:
    return [{"id": s.pk, "kind": s.kind, "code": s.code, "name": s.name} for s in skills]


def _try_candidate(
    item: RoutingItem, case: Case, candidate: Candidate, decision: Decision, now: datetime
) -> bool:
    """Assign to the candidate if, under the lock of their presence row, they are still free."""
    agent = candidate.agent
    presence = AgentPresence.objects.select_for_update().filter(agent=agent).first()
    if presence is None or presence.status != Presence.AVAILABLE:
        return False
    load = selectors.load_on(agent.pk, item.channel)
    if load >= candidate.capacity:
        return False
    case_actions.assign_case(acting_user=ROUTING, case=case, owner=agent)
    case_actions.record_case_event(
        acting_user=ROUTING,
        case=case,
        kind=EventKind.ROUTED,
        data={
            "agent": {"id": agent.pk, "name": agent.display_name},
            "channel": item.channel,
            "load": load,
            "capacity": candidate.capacity,
            "skills": _skill_refs(decision.needed),
            "candidates": len(decision.candidates),
            "waited_seconds": max(0, int((now - item.entered_at).total_seconds())),
        },
    )
    AgentPresence.objects.filter(pk=presence.pk).update(last_routed_at=now)
    _finish(item, RoutingItem.State.ROUTED, now, agent)
    return True


def route_item(*, item_id: int) -> str:
    """Route one waiting case now: assign it to the best free agent, or hold it with the reason.

    Idempotent and safe under any number of workers: a case already routed,
    withdrawn or being routed by another worker is skipped.
    """
    with transaction.atomic():
        item = (
            RoutingItem.objects.select_for_update(skip_locked=True)
            .filter(pk=item_id, state=RoutingItem.State.WAITING)
            .first()
        )
        if item is None:
            return Outcome.SKIPPED
        case = Case.objects.select_related("customer", "department").get(pk=item.case_id)
        now = timezone.now()
        if case.owner_id is not None or not case.is_active:
            _finish(item, RoutingItem.State.WITHDRAWN, now)
            return Outcome.WITHDRAWN
        if case.department is not None:
            state = department_availability(case.department, now)
            if not state.open:
                details: dict[str, Any] = {
                    "department": {"id": case.department.pk, "name": case.department.name},
                    "next_open_at": state.next_open_at.isoformat() if state.next_open_at else None,
                }
                return _hold(item, case, HoldReason.DEPARTMENT_CLOSED, details, now)
        decision = selectors.decide(case, item.channel, at=now)
        for candidate in decision.candidates:
            if _try_candidate(item, case, candidate, decision, now):
                return Outcome.ROUTED
        reason = decision.reason or HoldReason.AT_CAPACITY
        details = dict(decision.details)
        if decision.needed and reason != HoldReason.MISSING_SKILL:
            details["skills"] = _skill_refs(decision.needed)
        return _hold(item, case, reason, details, now)


def route_case(*, case: Case) -> str:
    """Enrol the case if needed and route it (the task queued when an unowned case opens)."""
    item = enrol_case(case=case)
    if item is None:
        return Outcome.SKIPPED
    return route_item(item_id=item.pk)


def enrol_contact(*, case: Case, channel: str) -> RoutingItem | None:
    """A queued contact on a case (a call-back request) makes the case wait for an agent.

    The case is routed on the contact's channel (capacity and shift counted there).
    An owned or finished case needs no routing: its owner handles the contact.
    A case already waiting keeps its place; one routed or withdrawn earlier (its
    owner since removed) waits again from now. Routing is queued after the commit.
    """
    if case.owner_id is not None or not case.is_active or case.merged_into_id is not None:
        return None
    now = timezone.now()
    with transaction.atomic():
        item, created = RoutingItem.objects.select_for_update().get_or_create(
            case=case, defaults={"channel": channel, "entered_at": now}
        )
        if not created:
            values: dict[str, Any] = {"channel": channel}
            if item.state != RoutingItem.State.WAITING:
                values.update(
                    state=RoutingItem.State.WAITING, entered_at=now, finished_at=None,
                    routed_to=None, reason=HoldReason.NOT_TRIED, reason_data={},
                )  # fmt: skip
            RoutingItem.objects.filter(pk=item.pk).update(**values)
            item.refresh_from_db()
    case_id = case.pk

    def route() -> None:
        from truedesk.routing.tasks import route_case_task

        try:
            route_case_task.enqueue(case_id)
        except Exception:
            logger.exception("could not queue routing of case %s; the sweep will", case_id)

    transaction.on_commit(route)
    return item


def withdraw_case(*, case: Case) -> bool:
    """Take a waiting case out of the hold queue (its contact was withdrawn); True if it was."""
    return bool(
        RoutingItem.objects.filter(case=case, state=RoutingItem.State.WAITING).update(
            state=RoutingItem.State.WITHDRAWN, finished_at=timezone.now()
        )
    )


def withdraw_finished_items() -> int:
    """Take cases that someone took, resolved or merged out of the hold queue."""
    stale = RoutingItem.objects.filter(state=RoutingItem.State.WAITING).filter(
        Q(case__owner__isnull=False) | ~Q(case__status__in=Case.ACTIVE_STATUSES)
    )
    return stale.update(state=RoutingItem.State.WITHDRAWN, finished_at=timezone.now())


def enrol_missing_cases(*, limit: int = SWEEP_LIMIT) -> int:
    """The safety net: unowned active cases that never reached routing (a lost task) enter it."""
    missing = Case.objects.filter(
        owner__isnull=True,
        status__in=Case.ACTIVE_STATUSES,
        merged_into__isnull=True,
        routing__isnull=True,
    ).order_by("created_at")[:limit]
    count = 0
    for case in missing:
        if enrol_case(case=case) is not None:
            count += 1
    return count


def route_new_cases(*, batch_size: int = 25, seconds: float = 20.0) -> dict[str, int]:
    """Route every case that entered routing and was never tried, oldest first.

    The queued drain (decision 0032): each case in its own transaction, as
    `route_item` requires; the timeline events of a batch reach their
    subscribers together. After `seconds` another run is queued and this one
    stops, so the worker's periodic jobs get their turn.
    """
    from truedesk.routing.tasks import route_new_cases_task

    counts = {Outcome.ROUTED: 0, Outcome.HELD: 0, Outcome.WITHDRAWN: 0, Outcome.SKIPPED: 0}
    deadline = time.monotonic() + seconds
    tried: set[int] = set()  # a case another worker is routing stays untried here: skip it
    while True:
        ids = list(
            RoutingItem.objects.filter(state=RoutingItem.State.WAITING, last_tried_at__isnull=True)
            .exclude(pk__in=tried)
            .order_by("entered_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        tried.update(ids)
        with drains_requested_together(), announced_together():
            for item_id in ids:
                try:
                    counts[route_item(item_id=item_id)] += 1
                except Exception:
                    # One broken case must not stop the others; the sweep retries it.
                    logger.exception("routing item %s failed", item_id)
                    counts[Outcome.SKIPPED] += 1
        if len(ids) < batch_size:
            return counts
        if time.monotonic() >= deadline:
            request_drain(route_new_cases_task)
            return counts


def route_waiting(*, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Offer free agents the hold queue head first (priority, then age); counts per outcome."""
    counts = {Outcome.ROUTED: 0, Outcome.HELD: 0, Outcome.WITHDRAWN: 0, Outcome.SKIPPED: 0}
    ids = list(selectors.list_hold_queue().values_list("pk", flat=True)[:limit])
    for item_id in ids:
        try:
            counts[route_item(item_id=item_id)] += 1
        except Exception:
            # One broken case must not stop the queue behind it; the next sweep retries it.
            logger.exception("routing item %s failed", item_id)
    return counts


def sweep() -> dict[str, int]:
    """The periodic job: enrol lost cases, withdraw finished ones, route the hold queue."""
    enrolled = enrol_missing_cases()
    withdrawn = withdraw_finished_items()
    counts = route_waiting()
    counts["enrolled"] = enrolled
    counts[Outcome.WITHDRAWN] += withdrawn
    return counts


# --- presence --------------------------------------------------------------------------------


def _dispatch_on_commit() -> None:
    def dispatch() -> None:
        from truedesk.routing.tasks import dispatch_task

        try:
            dispatch_task.enqueue()
        except Exception:
            logger.exception("could not queue routing; the periodic sweep will route")

    transaction.on_commit(dispatch)


def set_presence(*, acting_user: User, agent: User, status: str) -> AgentPresence:
    """The agent (or a supervisor for them) says available, busy or away; audited.

    Becoming available queues routing of the hold queue after the commit.
    Presence never overrides shifts: an agent off shift receives nothing.
    """
    if status not in Presence.values:
        raise InvalidRoutingInput(_("Choose available, busy or away."), field="status")
    if not agent.is_staff_member:
        raise InvalidRoutingInput(_("Only active staff have a presence."), field="agent")
    if acting_user.pk != agent.pk and not acting_user.is_supervisor:
        raise NotAllowed(_("Only a supervisor can change another person's presence."))
    with transaction.atomic():
        presence, _created = AgentPresence.objects.select_for_update().get_or_create(agent=agent)
        before = presence.status
        if before != status:
            presence.status = status
            presence.changed_at = timezone.now()
            presence.save(update_fields=["status", "changed_at"])
            record_audit_event(
                actor=acting_user,
                action="routing.presence_changed",
                target=agent,
                data={"before": before, "after": status},
            )
            if status == Presence.AVAILABLE:
                _dispatch_on_commit()
    return presence


# --- skills, training and requirements (supervisors) ----------------------------------------


def create_skill(*, acting_user: Actor, kind: str, code: str, name: str) -> Skill:
    """A new skill; the kind and code pair is unique."""
    require_supervisor(acting_user)
    skill = Skill(kind=kind, code=code.strip().lower(), name=name.strip())
    _validate(skill)
    with transaction.atomic():
        skill.save()
        record_audit_event(actor=acting_user, action="routing.skill_created", target=skill)
    return skill


def delete_skill(*, acting_user: Actor, skill: Skill) -> None:
    """Remove a skill no module grants and no queue, department or case needs."""
    require_supervisor(acting_user)
    in_use = (
        skill.modules.exists()
        or QueueSkill.objects.filter(skill=skill).exists()
        or DepartmentSkill.objects.filter(skill=skill).exists()
        or CaseSkill.objects.filter(skill=skill).exists()
    )
    if in_use:
        raise SkillInUse()
    with transaction.atomic():
        record_audit_event(
            actor=acting_user,
            action="routing.skill_deleted",
            target=skill,
            data={"was": str(skill)},
        )
        skill.delete()


def _validate(obj: Any) -> None:
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidRoutingInput(messages[0], field=field) from None


@dataclass(frozen=True)
class TrainingInput:
    agent: User
    module: TrainingModule
    completed_on: date
    expires_on: date | None = None


def _expiry(data: TrainingInput) -> date | None:
    if data.expires_on is not None or data.module.valid_for_days is None:
        return data.expires_on
    return data.completed_on + timedelta(days=data.module.valid_for_days)


def _check_training(data: TrainingInput) -> None:
    if data.agent.kind != User.Kind.STAFF:
        raise InvalidRoutingInput(_("Training records are for staff."), field="agent")
    if data.completed_on > timezone.localdate():
        raise InvalidRoutingInput(_("The completion date is in the future."), field="completed_on")
    expires = _expiry(data)
    if expires is not None and expires <= data.completed_on:
        raise InvalidRoutingInput(
            _("A certification expires after it is completed."), field="expires_on"
        )


def record_training(*, acting_user: Actor, data: TrainingInput) -> TrainingRecord:
    """Record a completed module; expiry defaults to the module's validity. Audited."""
    require_supervisor(acting_user)
    _check_training(data)
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            agent=data.agent,
            module=data.module,
            completed_on=data.completed_on,
            expires_on=_expiry(data),
        )
        record_audit_event(
            actor=acting_user,
            action="routing.training_recorded",
            target=record,
            data={"agent": data.agent.pk, "module": data.module.pk},
        )
    _dispatch_on_commit()
    return record


def update_training(
    *, acting_user: Actor, record: TrainingRecord, data: TrainingInput
) -> TrainingRecord:
    """Correct a training record (dates, module); the skills it grants change at once."""
    require_supervisor(acting_user)
    _check_training(data)
    with transaction.atomic():
        before = {"completed_on": str(record.completed_on), "expires_on": str(record.expires_on)}
        record.agent, record.module = data.agent, data.module
        record.completed_on, record.expires_on = data.completed_on, _expiry(data)
        record.save()
        record_audit_event(
            actor=acting_user,
            action="routing.training_changed",
            target=record,
            data={"before": before},
        )
    _dispatch_on_commit()
    return record


def delete_training(*, acting_user: Actor, record: TrainingRecord) -> None:
    """Remove a training record (entered by mistake); its skills go with it."""
    require_supervisor(acting_user)
    with transaction.atomic():
        record_audit_event(
            actor=acting_user,
            action="routing.training_deleted",
            target=record,
            data={"was": str(record), "completed_on": str(record.completed_on)},
        )
        record.delete()


def set_case_skills(*, acting_user: User, case: Case, skills: list[Skill]) -> list[Skill]:
    """Staff say which skills this case needs besides its queue's; replaces the earlier list."""
    if not acting_user.is_staff_member:
        raise NotAllowed()
    if len(skills) > MAX_CASE_SKILLS:
        raise InvalidRoutingInput(_("Too many skills."), field="skills")
    with transaction.atomic():
        wanted = {s.pk for s in skills}
        CaseSkill.objects.filter(case=case).exclude(skill_id__in=wanted).delete()
        have = set(CaseSkill.objects.filter(case=case).values_list("skill_id", flat=True))
        CaseSkill.objects.bulk_create(
            CaseSkill(case=case, skill_id=pk, added_by=acting_user) for pk in wanted - have
        )
        record_audit_event(
            actor=acting_user,
            action="routing.case_skills_set",
            target=case,
            data={"skills": sorted(wanted)},
        )
        RoutingItem.objects.filter(case=case, state=RoutingItem.State.WAITING).update(
            reason=HoldReason.NOT_TRIED, reason_data={}
        )
    _dispatch_on_commit()
    return selectors.list_case_skills(case)
