"""Replies, internal notes and interactions recorded from elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import User
from truedesk.cases import permissions
from truedesk.cases.actions._shared import (
    MAX_BODY_CHARS,
    REOPENED_BY_CUSTOMER,
    Direction,
    Status,
    _actor_of,
    _add_interaction,
    _check_transition,
    _clean_body,
    _lock,
    _NewInteraction,
    _partner_author,
    _record,
    _require_active_staff,
    _status_values,
    _write,
)
from truedesk.cases.attachments import Upload
from truedesk.cases.errors import InvalidInput, InvalidTransition, NotAllowed
from truedesk.cases.models import Case, EventKind, Interaction

MAX_MERGE_DEPTH = 20


def _survivor(case: Case) -> Case:
    """The case that a chain of merges ends in (the case itself when not merged)."""
    current = case
    for _depth in range(MAX_MERGE_DEPTH):
        if current.merged_into_id is None:
            return current
        current = Case.objects.get(pk=current.merged_into_id)
    return current


def _lock_survivor(case: Case) -> Case:
    """Lock the case and, when it was merged, the surviving case; return the survivor."""
    _lock(case)
    if case.merged_into_id is None:
        return case
    return _lock(_survivor(case))


def reply_to_case(
    *,
    acting_user: User | SystemActor,
    case: Case,
    body: str,
    channel: str,
    attachments: Sequence[Upload] = (),
    customer_seconds: int = 0,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    set_status: str | None = None,
    body_html: str = "",
    external_id: str = "",
) -> Interaction:
    """Add a public reply: outbound from staff, inbound from the case's own customer.

    A reply to a merged case lands on the surviving case. A customer's reply
    reopens a resolved or waiting case; staff change the status only through
    `set_status`. Closed cases take no replies (InvalidTransition). A SystemActor
    is an inbound channel that has already matched the sender to the case's
    customer: its reply is the customer's.
    """
    as_customer = isinstance(acting_user, SystemActor) or permissions.can_reply_as_customer(
        acting_user, case
    )
    if not as_customer and not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    if as_customer and set_status is not None:
        raise NotAllowed()
    text, safe_html = _clean_body(body, body_html, allow_empty=bool(attachments))
    staff = None if as_customer or isinstance(acting_user, SystemActor) else acting_user
    with transaction.atomic():
        target = _lock_survivor(case)
        _check_reply_target(acting_user, case, target, as_customer=as_customer)
        interaction, values = _add_interaction(
            target,
            _NewInteraction(
                channel=channel,
                direction=Direction.INBOUND if as_customer else Direction.OUTBOUND,
                body=text,
                body_html=safe_html,
                author_user=staff or _partner_author(acting_user),
                author_customer=case.customer if as_customer else None,
                handled_by=staff,
                started_at=started_at,
                ended_at=ended_at,
                customer_seconds=customer_seconds,
                external_id=external_id,
            ),
            attachments,
        )
        old = target.status
        new = Status.OPEN if as_customer and old in REOPENED_BY_CUSTOMER else set_status
        if new is not None and new != old:
            _check_transition(old, new)
            values.update(_status_values(old, new, timezone.now()))
        _write(target, **values)
        data: dict[str, Any] = {"interaction_id": interaction.pk, "channel": channel,
                                "direction": interaction.direction}  # fmt: skip
        if target.status != old:
            data["status"] = {"before": old, "after": target.status}
        actor, actor_label = _actor_of(acting_user)
        _record(target, EventKind.REPLY_ADDED, data, actor=actor, actor_label=actor_label)
    return interaction


def _check_reply_target(
    acting_user: User | SystemActor, case: Case, target: Case, *, as_customer: bool
) -> None:
    if target.status == Status.CLOSED or (
        # A merge across customers must not let one customer write into
        # another's case.
        as_customer and target.customer_id != case.customer_id
    ):
        raise InvalidTransition(_("This case is closed. Open a new case instead."))
    if (
        target.pk != case.pk
        and not as_customer
        and not permissions.can_work_case(acting_user, target)
    ):
        raise NotAllowed()


def add_internal_note(
    *,
    acting_user: User,
    case: Case,
    body: str,
    attachments: Sequence[Upload] = (),
    body_html: str = "",
) -> Interaction:
    """Add a note only staff can see; it never counts as a customer contact."""
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    text, safe_html = _clean_body(body, body_html, allow_empty=bool(attachments))
    with transaction.atomic():
        _lock(case)
        interaction, values = _add_interaction(
            case,
            _NewInteraction(
                channel=Interaction.Channel.DESK,
                direction=Direction.INTERNAL,
                body=text,
                body_html=safe_html,
                author_user=acting_user,
            ),
            attachments,
        )
        _write(case, **values)
        _record(case, EventKind.NOTE_ADDED, {"interaction_id": interaction.pk},
                actor=acting_user)  # fmt: skip
    return interaction


def record_interaction(
    *,
    acting_user: User,
    case: Case,
    channel: str,
    direction: str,
    body: str = "",
    handled_by: User | None = None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    customer_seconds: int = 0,
    external_id: str = "",
) -> Interaction:
    """Log a call, chat or visit that happened elsewhere (agents, CTI integrations).

    Idempotent on `external_id`: a repeat returns the first interaction and
    changes nothing. Works on closed cases (a fact is a fact) but reopens only
    resolved or waiting ones when the contact came from the customer.
    """
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    if handled_by is not None:
        _require_active_staff(handled_by, "handled_by")
    text = str(body or "").replace("\x00", "").strip()
    if len(text) > MAX_BODY_CHARS:
        raise InvalidInput(_("The message is too long."), field="body")
    with transaction.atomic():
        target = _lock_survivor(case)
        if target.pk != case.pk and not permissions.can_work_case(acting_user, target):
            raise NotAllowed()
        if external_id:
            existing = Interaction.objects.filter(
                case__in={case.pk, target.pk}, external_id=external_id
            ).first()
            if existing is not None:
                return existing
        interaction, values = _add_interaction(
            target,
            _NewInteraction(
                channel=channel,
                direction=direction,
                body=text,
                author_user=acting_user,
                handled_by=handled_by,
                started_at=started_at,
                ended_at=ended_at,
                customer_seconds=customer_seconds,
                external_id=external_id,
            ),
            (),
        )
        old = target.status
        if direction == Direction.INBOUND and old in REOPENED_BY_CUSTOMER:
            values.update(_status_values(old, Status.OPEN, timezone.now()))
        _write(target, **values)
        data: dict[str, Any] = {"interaction_id": interaction.pk, "channel": channel,
                                "direction": direction}  # fmt: skip
        if target.status != old:
            data["status"] = {"before": old, "after": target.status}
        _record(target, EventKind.INTERACTION_RECORDED, data, actor=acting_user)
    return interaction
