"""Writes of the runaround guard: rescue a case, end a rescue and reset the guard, sweep.

A rescue gives the case to a named senior owner (by rule, or a supervisor's
choice), records it on the case's trail, tells the new owner and the
department's supervisors on the desk and emails the customer who now owns his
case and how to reach that person, each exactly once per rescue.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import User
from truedesk.cases import actions as case_actions
from truedesk.cases import permissions
from truedesk.cases.models import Case, EventKind
from truedesk.notifications.actions import notify_staff, queue_email
from truedesk.notifications.errors import InvalidNotification
from truedesk.runaround import selectors
from truedesk.runaround.errors import (
    AlreadyRescued,
    InvalidOwner,
    NoOpenRescue,
    NoSeniorAvailable,
    NotAllowed,
    NotRescuable,
    RunaroundError,
)
from truedesk.runaround.guard import Breach, describe_breaches
from truedesk.runaround.models import GuardBaseline, Rescue

logger = logging.getLogger(__name__)

# How the guard appears on case trails when it acts on its own.
GUARD = SystemActor(label="runaround guard")
MAX_NOTE_CHARS = 1000
# The backstop sweep re-checks cases changed this recently (a lost rescue task).
RECENT = timedelta(hours=1)


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _lock(case: Case) -> Case:
    """The case under a row lock (PostgreSQL; SQLite serialises writers), with its customer."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()
    return Case.objects.select_related("customer", "customer__user", "department", "owner").get(
        pk=case.pk
    )


def _check_rescue_actor(acting_user: User | None, new_owner: User | None) -> None:
    if acting_user is not None and not permissions.is_supervisor(acting_user):
        raise NotAllowed()
    if new_owner is not None:
        # The guard follows the rules; only a supervisor names someone.
        if acting_user is None:
            raise NotAllowed()
        if not permissions.is_staff(new_owner):
            raise InvalidOwner()


def _choose(case: Case, new_owner: User | None) -> selectors.SeniorChoice:
    if new_owner is not None:
        phone = selectors.find_direct_phone(new_owner, case.department_id)
        return selectors.SeniorChoice(new_owner, Rescue.ChosenBy.SUPERVISOR, phone)
    choice = selectors.find_senior_owner(case)
    if choice is None:
        raise NoSeniorAvailable()
    return choice


def rescue_case(
    *,
    case: Case,
    breaches: list[Breach],
    new_owner: User | None = None,
    acting_user: User | None = None,
    note: str = "",
) -> Rescue:
    """Give the case to a named senior owner and tell the customer who, with a direct contact.

    Without `acting_user` the guard acts and the owner comes from the rules;
    a supervisor may name `new_owner`. Only active cases without an open
    rescue (AlreadyRescued otherwise). Writes an assignment and a case_rescued
    event; notifies the owner and supervisors and queues one customer email.
    """
    _check_rescue_actor(acting_user, new_owner)
    note = " ".join(str(note or "").split())[:MAX_NOTE_CHARS]
    actor: User | SystemActor = acting_user or GUARD
    with transaction.atomic():
        case = _lock(case)
        if not case.is_active or case.merged_into_id is not None:
            raise NotRescuable()
        existing = selectors.find_open_rescue(case)
        if existing is not None:
            raise AlreadyRescued(owner_name=existing.new_owner.display_name)
        choice = _choose(case, new_owner)
        previous = case.owner
        case_actions.assign_case(acting_user=actor, case=case, owner=choice.owner)
        rescue = _create_rescue(case, breaches, choice, previous, acting_user, note)
        case_actions.record_case_event(
            acting_user=actor,
            case=case,
            kind=EventKind.RESCUED,
            data={
                "rescue_id": rescue.pk,
                "breaches": rescue.breaches,
                "owner": {"before": _user_ref(previous), "after": _user_ref(choice.owner)},
                "chosen_by": choice.chosen_by,
                "note": note,
            },
        )
        _notify_staff(rescue, case, acting_user)
        _tell_customer(rescue, case)
    return rescue


def _create_rescue(
    case: Case,
    breaches: list[Breach],
    choice: selectors.SeniorChoice,
    previous: User | None,
    acting_user: User | None,
    note: str,
) -> Rescue:
    try:
        # The partial unique index is the last word when two workers race.
        with transaction.atomic():
            return Rescue.objects.create(
                case=case,
                department=case.department,
                breaches=[breach.as_dict() for breach in breaches],
                note=note,
                rescued_at=timezone.now(),
                new_owner=choice.owner,
                previous_owner=previous,
                chosen_by=choice.chosen_by,
                decided_by=acting_user,
                contact_email=choice.owner.email or "",
                contact_phone=choice.direct_phone,
            )
    except IntegrityError:
        raise AlreadyRescued(owner_name=choice.owner.display_name) from None


def _case_link(case: Case) -> str:
    return reverse("desk:case", kwargs={"number": case.number})


def _notify_staff(rescue: Rescue, case: Case, acting_user: User | None) -> None:
    owner = rescue.new_owner
    with translation.override(owner.language):
        notify_staff(
            recipient=owner,
            kind="case_rescued",
            title=_("Case #%(number)s is now yours: rescued from a runaround")
            % {"number": case.number},
            body=describe_breaches(rescue.breaches) or rescue.note,
            link=_case_link(case),
            dedupe_key=f"runaround-rescue-{rescue.pk}-owner",
        )
    for supervisor in selectors.list_supervisors_to_notify(case.department_id):
        if supervisor.pk in (owner.pk, getattr(acting_user, "pk", None)):
            continue
        with translation.override(supervisor.language):
            notify_staff(
                recipient=supervisor,
                kind="case_rescued",
                title=_("Case #%(number)s was rescued: %(name)s took it over")
                % {"number": case.number, "name": owner.display_name},
                body=describe_breaches(rescue.breaches) or rescue.note,
                link=_case_link(case),
                dedupe_key=f"runaround-rescue-{rescue.pk}-supervisor-{supervisor.pk}",
            )


def _portal_url(case: Case) -> str:
    if case.customer.user_id is None:
        return ""
    return settings.SITE_URL + reverse("portal:case", kwargs={"number": case.number})


def _tell_customer(rescue: Rescue, case: Case) -> None:
    """Queue the customer's email once per rescue; without an address the portal tells him."""
    address = selectors.find_customer_email(case.customer)
    if not address:
        return
    owner = rescue.new_owner
    context = {
        "customer_name": case.customer.name,
        "number": case.number,
        "subject": case.subject,
        "owner_name": owner.display_name,
        "owner_first_name": owner.first_name or owner.display_name,
        "owner_email": rescue.contact_email,
        "owner_phone": rescue.contact_phone,
        "portal_url": _portal_url(case),
    }
    try:
        delivery = queue_email(
            to=address,
            template="runaround/email/rescued",
            context=context,
            language=case.customer.language,
            dedupe_key=f"runaround-rescue-{rescue.pk}-customer",
        )
    except InvalidNotification:
        logger.warning("case %s rescued; customer address %r is unusable", case.pk, address)
        return
    rescue.customer_email = delivery
    rescue.customer_told_at = timezone.now()
    rescue.save(update_fields=["customer_email", "customer_told_at"])


def reset_guard(*, acting_user: User, case: Case) -> GuardBaseline:
    """End the case's open rescue; the guard counts again from the case's counters now.

    Supervisors only; raises NoOpenRescue when the guard is not holding one.
    Writes a runaround_guard_reset event.
    """
    if not permissions.is_supervisor(acting_user):
        raise NotAllowed()
    with transaction.atomic():
        case = _lock(case)
        now = timezone.now()
        ended = Rescue.objects.filter(case=case, ended_at__isnull=True).update(
            ended_at=now, ended_by=acting_user
        )
        if not ended:
            raise NoOpenRescue()
        baseline, _created = GuardBaseline.objects.update_or_create(
            case=case,
            defaults={
                "contacts": case.contact_count,
                "staff": case.staff_touched_count,
                "transfers": case.transfer_count,
                "customer_seconds": case.customer_seconds,
                "since": now,
                "reset_by": acting_user,
            },
        )
        case_actions.record_case_event(
            acting_user=acting_user,
            case=case,
            kind=EventKind.GUARD_RESET,
            data={
                "contacts": case.contact_count,
                "staff": case.staff_touched_count,
                "transfers": case.transfer_count,
                "customer_seconds": case.customer_seconds,
            },
        )
    return baseline


def guard_case(*, case_id: int, now: datetime | None = None) -> Rescue | None:
    """The guard's automatic path: rescue the case if it is over a threshold and not rescued yet.

    Returns the new rescue, or None when nothing was due or someone was faster.
    Logs, and returns None, when nobody can take the case.
    """
    state = selectors.find_guard_state(case_id)
    if state is None or not state.needs_rescue(now):
        return None
    try:
        return rescue_case(case=state.case, breaches=state.breaches(now))
    except (AlreadyRescued, NotRescuable):
        return None
    except RunaroundError as err:
        logger.warning("runaround guard could not rescue case %s: %s", case_id, err.message)
        return None


def sweep_runaround(*, now: datetime | None = None) -> int:
    """Rescue cases open too long (time passes without events) and any rescue a lost task missed.

    Idempotent: a rescued case is skipped; returns how many were rescued.
    """
    moment = now or timezone.now()
    due = selectors.list_cases_open_too_long(now=moment)
    due += selectors.list_recent_cases_over_counters(since=moment - RECENT)
    rescued = 0
    for case_id in dict.fromkeys(due):
        if guard_case(case_id=case_id, now=moment) is not None:
            rescued += 1
    return rescued
