"""Handing a case over: request, accept, decline, cancel and expire a transfer.

Taking, assigning, closing or merging a case cancels its waiting transfer here too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.models import Department, User
from truedesk.cases import availability, permissions
from truedesk.cases.actions._shared import Status, _lock, _named_ref, _record, _user_ref, _write
from truedesk.cases.errors import InvalidTransfer, NotAllowed, TransferNotPending
from truedesk.cases.models import Case, EventKind, Transfer

MAX_TRANSFER_WAIT = timedelta(days=14)


def _cancel_pending_transfers(case: Case, *, acting_user: User | None, why: str) -> None:
    """Cancel the case's waiting transfer (the case was taken, assigned, closed or merged)."""
    pending = list(Transfer.objects.filter(case=case, status=Transfer.Status.PENDING))
    for transfer in pending:
        Transfer.objects.filter(pk=transfer.pk, status=Transfer.Status.PENDING).update(
            status=Transfer.Status.CANCELLED,
            responded_at=timezone.now(),
            responded_by=acting_user,
            response_note=why,
        )
        _record(
            case,
            EventKind.TRANSFER_CANCELLED,
            {"transfer_id": transfer.pk, "why": why},
            actor=acting_user,
        )


def _check_transfer_request(
    *,
    acting_user: User,
    case: Case,
    to_user: User | None,
    to_department: Department | None,
    reason: str,
    handoff_note: str,
    expires_in: timedelta,
) -> None:
    if not case.is_active:
        raise InvalidTransfer(_("Only open cases can be transferred."))
    if to_user is None and to_department is None:
        raise InvalidTransfer(_("Choose a person or a department to transfer to."))
    if to_user is not None:
        if not permissions.is_staff(to_user):
            raise InvalidTransfer(_("Cases can be transferred only to active staff members."))
        if to_user.pk in (acting_user.pk, case.owner_id):
            raise InvalidTransfer(_("The case already belongs to that person."))
    if to_department is not None and not to_department.is_active:
        raise InvalidTransfer(_("That department is closed."))
    if not reason.strip():
        raise InvalidTransfer(_("Give a reason for the transfer."))
    if len(reason) > 250:
        raise InvalidTransfer(_("The reason is longer than 250 characters."))
    if not handoff_note.strip():
        raise InvalidTransfer(
            _("Write a hand-off note so the customer does not have to repeat everything.")
        )
    if not timedelta(0) < expires_in <= MAX_TRANSFER_WAIT:
        raise InvalidTransfer(_("A transfer must wait between a minute and 14 days."))


def transfer_case(
    *,
    acting_user: User,
    case: Case,
    to_user: User | None = None,
    to_department: Department | None = None,
    reason: str,
    handoff_note: str,
    expires_in: timedelta = timedelta(hours=4),
) -> Transfer:
    """Ask a person or department to take over; the current owner keeps the case until accepted.

    Only one transfer may wait per case. The sender (`from_user`) is the acting
    user; transfer_count grows only when a transfer is accepted. A department
    closed right now, or a person off shift, is refused (DepartmentClosed,
    AgentOffShift) with the next opening.
    """
    if not permissions.can_transfer_case(acting_user, case):
        raise NotAllowed(_("Only the owner or a supervisor can transfer this case."))
    reason, handoff_note = str(reason or "").strip(), str(handoff_note or "").strip()
    with transaction.atomic():
        _lock(case)
        _check_transfer_request(
            acting_user=acting_user,
            case=case,
            to_user=to_user,
            to_department=to_department,
            reason=reason,
            handoff_note=handoff_note,
            expires_in=expires_in,
        )
        now = timezone.now()
        availability.check_receiver_available(to_user=to_user, to_department=to_department, at=now)
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(
                    case=case,
                    from_user=acting_user,
                    to_user=to_user,
                    to_department=to_department,
                    reason=reason,
                    handoff_note=handoff_note,
                    created_at=now,
                    expires_at=now + expires_in,
                )
        except IntegrityError:
            raise InvalidTransfer(
                _("A transfer of this case is already waiting for an answer.")
            ) from None
        _write(case)
        _record(
            case,
            EventKind.TRANSFER_REQUESTED,
            {
                "transfer_id": transfer.pk,
                "from_user": _user_ref(acting_user),
                "to_user": _user_ref(to_user),
                "to_department": _named_ref(to_department),
                "reason": reason,
                "handoff_note": handoff_note,
                "expires_at": transfer.expires_at.isoformat(),
            },
            actor=acting_user,
        )
    return transfer


def _is_receiver(user: User, transfer: Transfer) -> bool:
    if not permissions.is_staff(user):
        return False
    if transfer.to_user_id is not None:
        return bool(transfer.to_user_id == user.pk)
    return permissions.is_department_member(user, transfer.to_department_id)


def _close_transfer(
    transfer: Transfer, *, status: str, by: User | None, note: str, now: datetime
) -> None:
    """Answer a pending, unexpired transfer exactly once (conditional UPDATE)."""
    answered = Transfer.objects.filter(
        pk=transfer.pk, status=Transfer.Status.PENDING, expires_at__gt=now
    ).update(status=status, responded_at=now, responded_by=by, response_note=note)
    if not answered:
        raise TransferNotPending()
    transfer.refresh_from_db()


def accept_transfer(*, acting_user: User, transfer: Transfer) -> Transfer:
    """The receiver (or a member of the receiving department) becomes the owner.

    Moves the case to the receiving department when one was named; counts one
    hand-over in transfer_count.
    """
    if not _is_receiver(acting_user, transfer):
        raise NotAllowed(_("This transfer is addressed to someone else."))
    with transaction.atomic():
        case = _lock(transfer.case)
        now = timezone.now()
        _close_transfer(transfer, status=Transfer.Status.ACCEPTED, by=acting_user, note="", now=now)
        before_owner, before_dept = case.owner, case.department
        values: dict[str, Any] = {
            "owner": acting_user,
            "transfer_count": F("transfer_count") + 1,
            "updated_at": now,
        }
        if transfer.to_department is not None:
            values["department"] = transfer.to_department
        if case.status == Status.NEW:
            values["status"] = Status.OPEN
        _write(case, **values)
        data: dict[str, Any] = {
            "transfer_id": transfer.pk,
            "owner": {"before": _user_ref(before_owner), "after": _user_ref(acting_user)},
        }
        if case.department_id != (before_dept.pk if before_dept else None):
            data["department"] = {
                "before": _named_ref(before_dept),
                "after": _named_ref(case.department),
            }
        _record(case, EventKind.TRANSFER_ACCEPTED, data, actor=acting_user)
    return transfer


def _return_to_sender(case: Case, transfer: Transfer, now: datetime) -> dict[str, Any]:
    # The case never became ownerless: its owner stayed while the transfer
    # waited. Only a case that had no owner (a supervisor's transfer from the
    # queue) goes to the sender.
    if case.owner_id is None:
        return {"owner": transfer.from_user, "updated_at": now}
    return {"updated_at": now}


def decline_transfer(*, acting_user: User, transfer: Transfer, note: str) -> Transfer:
    """The receiver says no, with a reason; the case stays with (or returns to) the sender."""
    if not _is_receiver(acting_user, transfer):
        raise NotAllowed(_("This transfer is addressed to someone else."))
    note = str(note or "").strip()
    if not note:
        raise InvalidTransfer(_("Tell the sender why you decline."))
    with transaction.atomic():
        case = _lock(transfer.case)
        now = timezone.now()
        _close_transfer(
            transfer, status=Transfer.Status.DECLINED, by=acting_user, note=note, now=now
        )
        _write(case, **_return_to_sender(case, transfer, now))
        _record(
            case,
            EventKind.TRANSFER_DECLINED,
            {"transfer_id": transfer.pk, "note": note, "owner": _user_ref(case.owner)},
            actor=acting_user,
        )
    return transfer


def cancel_transfer(*, acting_user: User, transfer: Transfer) -> Transfer:
    """The sender withdraws a pending transfer; ownership is unchanged."""
    if transfer.from_user_id != acting_user.pk or not permissions.is_staff(acting_user):
        raise NotAllowed(_("Only the sender can cancel this transfer."))
    with transaction.atomic():
        case = _lock(transfer.case)
        now = timezone.now()
        _close_transfer(
            transfer, status=Transfer.Status.CANCELLED, by=acting_user, note="", now=now
        )
        _write(case, updated_at=now)
        _record(case, EventKind.TRANSFER_CANCELLED, {"transfer_id": transfer.pk}, actor=acting_user)
    return transfer


def _expire_one(transfer_id: int, now: datetime) -> bool:
    with transaction.atomic():
        rows = Transfer.objects.filter(
            pk=transfer_id, status=Transfer.Status.PENDING, expires_at__lte=now
        ).select_related("case", "from_user")
        if connection.vendor == "postgresql":
            # Two workers sweeping at once split the rows instead of queuing.
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        transfer = rows.first()
        if transfer is None:
            return False
        if not Transfer.objects.filter(pk=transfer.pk, status=Transfer.Status.PENDING).update(
            status=Transfer.Status.EXPIRED, responded_at=now
        ):
            return False
        case = _lock(transfer.case)
        _write(case, **_return_to_sender(case, transfer, now))
        _record(
            case,
            EventKind.TRANSFER_EXPIRED,
            {"transfer_id": transfer.pk, "owner": _user_ref(case.owner)},
            actor=None,
            actor_label="system",
        )
    return True


def expire_transfers(*, now: datetime | None = None) -> int:
    """Expire unanswered transfers past their deadline; the case stays with the sender.

    Idempotent and safe to run from several workers; returns how many expired.
    """
    moment = now or timezone.now()
    count = 0
    while True:
        due = list(
            Transfer.objects.filter(status=Transfer.Status.PENDING, expires_at__lte=moment)
            .order_by("expires_at", "pk")
            .values_list("pk", flat=True)[:200]
        )
        expired = sum(_expire_one(pk, moment) for pk in due)
        count += expired
        if len(due) < 200 or not expired:
            return count
