"""Who owns a case: an agent takes it, a supervisor (or system component) assigns it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import User
from truedesk.cases import permissions
from truedesk.cases.actions._shared import (
    Status,
    _actor_of,
    _lock,
    _record,
    _require_active_staff,
    _user_ref,
    _write,
)
from truedesk.cases.actions.transfers import _cancel_pending_transfers
from truedesk.cases.errors import AlreadyOwned, InvalidTransition, NotAllowed
from truedesk.cases.models import Case, EventKind


def take_case(*, acting_user: User, case: Case) -> Case:
    """Make the acting agent the owner of an unowned active case; new becomes open.

    Of two people taking at once exactly one wins (a conditional UPDATE); the
    other gets AlreadyOwned naming the winner. Taking a case one already owns
    changes nothing.
    """
    if not permissions.can_take_case(acting_user, case):
        raise NotAllowed(_("You can take cases only from your departments' queues."))
    with transaction.atomic():
        before_status = Case.objects.values_list("status", flat=True).get(pk=case.pk)
        taken = Case.objects.filter(
            pk=case.pk, owner__isnull=True, status__in=Case.ACTIVE_STATUSES
        ).update(
            owner=acting_user,
            status=DbCase(When(status=Status.NEW, then=Value(Status.OPEN)), default=F("status")),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not taken:
            current = Case.objects.select_related("owner").get(pk=case.pk)
            if current.owner is not None and current.owner_id == acting_user.pk:
                case.refresh_from_db()
                return case
            if current.owner is not None:
                raise AlreadyOwned(owner_name=current.owner.display_name)
            raise InvalidTransition(_("Only open cases can be taken."))
        case.refresh_from_db()
        _cancel_pending_transfers(case, acting_user=acting_user, why="taken")
        _record(
            case,
            EventKind.TAKEN,
            {
                "owner": {"before": None, "after": _user_ref(acting_user)},
                "status": {"before": before_status, "after": case.status},
            },
            actor=acting_user,
        )
    return case


def assign_case(*, acting_user: User | SystemActor, case: Case, owner: User) -> Case:
    """A supervisor (or a system component, e.g. the runaround guard) makes `owner` the owner.

    A pending transfer is cancelled. Replacing an existing owner counts as one
    hand-over in transfer_count. A system actor is recorded by its label.
    """
    by_system = isinstance(acting_user, SystemActor)
    if not by_system and not permissions.can_assign_case(acting_user, case):
        raise NotAllowed(_("Only a supervisor can assign cases."))
    actor, actor_label = _actor_of(acting_user)
    _require_active_staff(owner, "owner")
    with transaction.atomic():
        _lock(case)
        if not case.is_active:
            raise InvalidTransition(_("Only open cases can be assigned."))
        if case.owner_id == owner.pk:
            return case
        before_owner, before_status = case.owner, case.status
        values: dict[str, Any] = {"owner": owner}
        if case.status == Status.NEW:
            values["status"] = Status.OPEN
        if before_owner is not None:
            values["transfer_count"] = F("transfer_count") + 1
        _cancel_pending_transfers(case, acting_user=actor, why="assigned")
        _write(case, **values)
        _record(
            case,
            EventKind.ASSIGNED,
            {
                "owner": {"before": _user_ref(before_owner), "after": _user_ref(owner)},
                "status": {"before": before_status, "after": case.status},
            },
            actor=actor,
            actor_label=actor_label,
        )
    return case
