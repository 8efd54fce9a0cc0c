"""Every write to a case: opening, ownership, replies, notes, transfers, merges, links, tags.

Each action is keyword-only, takes the acting user, runs in one transaction,
checks permissions and invariants (raising `truedesk.cases.errors`), writes one
CaseEvent per changed case with before/after data, bumps `Case.version` and
`updated_at` on every case write, and announces its events to subscribers only
after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case as DbCase
from django.db.models import F, Value, When
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from truedesk.accounts.actions import SystemActor, record_audit_event
from truedesk.accounts.models import Department, User
from truedesk.cases import availability, events, permissions
from truedesk.cases.attachments import Upload, check_uploads, store_attachment
from truedesk.cases.errors import (
    AlreadyOwned,
    InvalidInput,
    InvalidTransfer,
    InvalidTransition,
    LinkNotAllowed,
    MergeNotAllowed,
    NotAllowed,
    StaleVersion,
    TransferNotPending,
)
from truedesk.cases.events import (
    RECORDABLE_EVENT_KINDS,
    record_case_event,
    subscribe_to_case_events,
    unsubscribe_from_case_events,
)
from truedesk.cases.models import (
    Case,
    CaseEvent,
    CaseLink,
    CaseStaffContact,
    EventKind,
    Interaction,
    Tag,
    Transfer,
)
from truedesk.cases.numbering import next_case_number
from truedesk.customers.models import Customer, Organisation
from truedesk.customers.selectors import partner_label
from truedesk.lib.sanitize import html_to_text, sanitize_html

logger = logging.getLogger(__name__)

Status = Case.Status
Direction = Interaction.Direction

MAX_BODY_CHARS = 200_000
MAX_TAGS = 20
MAX_TRANSFER_WAIT = timedelta(days=14)
MAX_MERGE_DEPTH = 20

# Closed is reached only from resolved (or by merge_cases); a closed case is final.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_THIRD_PARTY, Status.RESOLVED}
    ),
    Status.OPEN: frozenset(
        {Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_THIRD_PARTY, Status.RESOLVED}
    ),
    Status.WAITING_ON_CUSTOMER: frozenset(
        {Status.OPEN, Status.WAITING_ON_THIRD_PARTY, Status.RESOLVED}
    ),
    Status.WAITING_ON_THIRD_PARTY: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.RESOLVED}
    ),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# A customer's message means the case needs attention again.
REOPENED_BY_CUSTOMER = frozenset(
    {Status.RESOLVED, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_THIRD_PARTY}
)

# --- after-commit announcements (truedesk.cases.events) -------------------------

__all__ = [
    "RECORDABLE_EVENT_KINDS",
    "record_case_event",
    "subscribe_to_case_events",
    "unsubscribe_from_case_events",
]


# --- small shared pieces -------------------------------------------------------------


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


_actor_of = events.actor_of


def _named_ref(obj: Department | Organisation | None) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _record(
    case: Case,
    kind: str,
    data: dict[str, Any],
    *,
    actor: User | None,
    actor_label: str = "",
    at: datetime | None = None,
) -> CaseEvent:
    if actor is not None and permissions.is_partner_user(actor):
        actor_label = _audit_partner_action(case, kind, actor)
    return events.write_event(case, kind, data, actor=actor, actor_label=actor_label, at=at)


def _audit_partner_action(case: Case, kind: str, user: User) -> str:
    """Audit a partner user's case action on the customer; return "partner P for customer C"."""
    label = partner_label(user=user, customer=case.customer)
    record_audit_event(
        actor=user,
        action=f"partner.{kind}",
        target=case.customer,
        data={"case": case.number, "partner_id": user.partner_id},
        label=label,
    )
    return label


def _partner_author(acting: User | SystemActor) -> User | None:
    """The partner user who writes for the customer (shown as "partner P for customer C")."""
    return acting if isinstance(acting, User) and permissions.is_partner_user(acting) else None


def _lock(case: Case) -> Case:
    """Reload the case under a row lock (PostgreSQL); SQLite's IMMEDIATE transactions serialise."""
    case.refresh_from_db(from_queryset=Case.objects.select_for_update())
    return case


def _write(case: Case, *, expected_version: int | None = None, **values: Any) -> Case:
    """UPDATE the case row, bumping version and updated_at; refuse if the version moved on."""
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    values.setdefault("updated_at", timezone.now())
    if not rows.update(version=F("version") + 1, **values):
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise StaleVersion(current_version=current)
    case.refresh_from_db()
    return case


def _status_values(old: str, new: str, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {"status": new}
    if new == Status.RESOLVED:
        values["resolved_at"] = now
    elif new != Status.CLOSED and old == Status.RESOLVED:
        values["resolved_at"] = None
    if new == Status.CLOSED:
        values["closed_at"] = now
    return values


def _check_transition(old: str, new: str) -> None:
    if new not in Status.values:
        raise InvalidInput(_("Unknown status."), field="status")
    if new not in ALLOWED_TRANSITIONS[old]:
        raise InvalidTransition(
            _("A case that is “%(old)s” cannot become “%(new)s”.")
            % {"old": Status(old).label, "new": Status(new).label}
        )


def _require_choice(value: Any, choices: Sequence[Any], field: str) -> None:
    if value not in choices:
        raise InvalidInput(_("“%(value)s” is not a valid choice.") % {"value": value}, field=field)


def _clean_subject(subject: str) -> str:
    # Subjects become email headers: no line breaks, no runs of whitespace.
    cleaned = " ".join(str(subject).split())
    if not cleaned:
        raise InvalidInput(_("Write a subject."), field="subject")
    if len(cleaned) > 250:
        raise InvalidInput(_("The subject is longer than 250 characters."), field="subject")
    return cleaned


def _clean_body(body: str, body_html: str, *, allow_empty: bool) -> tuple[str, str]:
    safe_html = sanitize_html(body_html) if body_html else ""
    text = str(body or "").replace("\x00", "").strip() or html_to_text(safe_html)
    if not text and not allow_empty:
        raise InvalidInput(_("Write a message."), field="body")
    if len(text) > MAX_BODY_CHARS or len(safe_html) > 2 * MAX_BODY_CHARS:
        raise InvalidInput(_("The message is too long."), field="body")
    return text, safe_html


def _require_active_staff(user: User | None, field: str) -> User:
    if user is None or not permissions.is_staff(user):
        raise InvalidInput(_("Choose an active staff member."), field=field)
    return user


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


def _note_staff_contact(case: Case, user: User | None) -> dict[str, Any]:
    """Count a staff member once per case; returns the counter update for the case row."""
    if user is None or user.kind != User.Kind.STAFF:
        return {}
    _row, created = CaseStaffContact.objects.get_or_create(case=case, user=user)
    return {"staff_touched_count": F("staff_touched_count") + 1} if created else {}


@dataclass(frozen=True)
class _NewInteraction:
    channel: str
    direction: str
    body: str
    body_html: str = ""
    author_user: User | None = None
    author_customer: Customer | None = None
    handled_by: User | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    customer_seconds: int = 0
    external_id: str = ""


def _add_interaction(
    case: Case, new: _NewInteraction, uploads: Sequence[Upload], *, now: datetime | None = None
) -> tuple[Interaction, dict[str, Any]]:
    """Create the interaction and its files; return it with the case counter updates.

    Counters: contact_count +1 per contact the customer made (inbound: each
    time they had to call, write or come in — the runaround guard counts these,
    seed 003's 22 calls); staff_touched_count counts distinct staff who handled
    a customer-facing interaction; customer_seconds adds the customer's own time.
    """
    _require_choice(new.channel, Interaction.Channel.values, "channel")
    _require_choice(new.direction, Direction.values, "direction")
    if new.customer_seconds < 0:
        raise InvalidInput(_("Customer time cannot be negative."), field="customer_seconds")
    if new.started_at and new.ended_at and new.ended_at < new.started_at:
        raise InvalidInput(_("An interaction cannot end before it starts."), field="ended_at")
    if len(new.external_id) > 300:
        raise InvalidInput(_("The external id is too long."), field="external_id")
    check_uploads(list(uploads))
    now = now or timezone.now()
    internal = new.direction == Direction.INTERNAL
    interaction = Interaction.objects.create(
        case=case,
        channel=new.channel,
        direction=new.direction,
        is_internal=internal,
        author_user=new.author_user,
        author_customer=new.author_customer,
        handled_by=new.handled_by,
        body=new.body,
        body_html=new.body_html,
        started_at=new.started_at or now,
        ended_at=new.ended_at,
        customer_seconds=new.customer_seconds,
        external_id=new.external_id,
        created_at=now,
    )
    stored = []
    try:
        for upload in uploads:
            stored.append(store_attachment(case=case, interaction=interaction, upload=upload))
    except Exception:
        # The transaction rolls back the rows; the files are ours to remove.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    counters: dict[str, Any] = {}
    if new.direction == Direction.INBOUND:
        counters["contact_count"] = F("contact_count") + 1
    if not internal:
        counters.update(_note_staff_contact(case, new.handled_by))
    if new.customer_seconds:
        counters["customer_seconds"] = F("customer_seconds") + new.customer_seconds
    if new.direction == Direction.INBOUND:
        counters["last_customer_activity_at"] = now
    return interaction, counters


# --- opening ---------------------------------------------------------------------


def _check_open_case_actor(
    acting_user: User | SystemActor, customer: Customer, owner: User | None
) -> bool:
    """Return True when the customer opens his own case; refuse everyone else but staff.

    A SystemActor is an inbound channel (email) writing for the customer it matched.
    """
    if isinstance(acting_user, SystemActor):
        if owner is not None:
            raise NotAllowed()
        return True
    if permissions.customer_id_of(acting_user) is not None or permissions.is_partner_user(
        acting_user
    ):
        # A customer opens for himself; a partner user for a customer who authorised it.
        if not permissions.can_act_for_customer(acting_user, customer.pk) or owner is not None:
            raise NotAllowed()
        return True
    if not permissions.is_staff(acting_user):
        raise NotAllowed()
    if owner is not None:
        _require_active_staff(owner, "owner")
        if owner.pk != acting_user.pk and not acting_user.is_supervisor:
            raise NotAllowed(_("Only a supervisor can give a new case to someone else."))
    return False


def _organisation_for(customer: Customer, organisation: Organisation | None) -> Organisation | None:
    memberships = list(customer.memberships.values_list("organisation_id", flat=True)[:2])
    if organisation is None:
        # One organisation only: the case is clearly on its behalf.
        if len(memberships) == 1:
            return Organisation.objects.get(pk=memberships[0])
        return None
    if not customer.memberships.filter(organisation=organisation).exists():
        raise InvalidInput(
            _("The customer does not belong to that organisation."), field="organisation"
        )
    return organisation


@dataclass(frozen=True)
class FirstContact:
    """Facts of a case's first contact that happened elsewhere (a contact-centre call).

    Given to open_case, `handled_by` replaces the default (the staff member opening
    the case; None when nobody answered) and the times fill the first interaction.
    """

    handled_by: User | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    customer_seconds: int = 0


def open_case(
    *,
    acting_user: User | SystemActor,
    customer: Customer,
    subject: str,
    body: str,
    channel: str,
    kind: str = Case.Kind.QUESTION,
    department: Department | None = None,
    organisation: Organisation | None = None,
    priority: int = Case.Priority.NORMAL,
    severity: int = Case.Severity.MINOR,
    initiated_by: str = Case.Initiator.CUSTOMER,
    attachments: Sequence[Upload] = (),
    owner: User | None = None,
    body_html: str = "",
    external_id: str = "",
    first_contact: FirstContact | None = None,
) -> Case:
    """Open a case with its first interaction (inbound when customer-initiated).

    Staff open for any customer; a customer only for himself (always
    customer-initiated, no owner). With an owner the case starts open.
    `first_contact` (channels recording a call) says who handled it and its times.
    """
    by_customer = _check_open_case_actor(acting_user, customer, owner)
    if by_customer:
        initiated_by = Case.Initiator.CUSTOMER
    _require_choice(kind, Case.Kind.values, "kind")
    _require_choice(priority, Case.Priority.values, "priority")
    _require_choice(severity, Case.Severity.values, "severity")
    _require_choice(initiated_by, Case.Initiator.values, "initiated_by")
    if department is not None and not department.is_active:
        raise InvalidInput(_("That department is closed."), field="department")
    subject = _clean_subject(subject)
    text, safe_html = _clean_body(body, body_html, allow_empty=bool(attachments))
    inbound = initiated_by == Case.Initiator.CUSTOMER
    with transaction.atomic():
        now = timezone.now()
        case = Case.objects.create(
            number=next_case_number(),
            subject=subject,
            customer=customer,
            organisation=_organisation_for(customer, organisation),
            department=department,
            owner=owner,
            kind=kind,
            initiated_by=initiated_by,
            status=Status.OPEN if owner else Status.NEW,
            priority=priority,
            severity=severity,
            created_at=now,
            updated_at=now,
        )
        staff_actor = None if by_customer or isinstance(acting_user, SystemActor) else acting_user
        interaction, counters = _add_interaction(
            case,
            _NewInteraction(
                channel=channel,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                body=text,
                body_html=safe_html,
                author_user=_partner_author(acting_user) if inbound else staff_actor,
                author_customer=customer if inbound else None,
                handled_by=staff_actor if first_contact is None else first_contact.handled_by,
                started_at=first_contact.started_at if first_contact is not None else None,
                ended_at=first_contact.ended_at if first_contact is not None else None,
                customer_seconds=first_contact.customer_seconds if first_contact else 0,
                external_id=external_id,
            ),
            attachments,
            now=now,
        )
        _write(case, **counters)
        actor, actor_label = _actor_of(acting_user)
        _record(
            case,
            EventKind.OPENED,
            {
                "subject": case.subject,
                "channel": channel,
                "kind": kind,
                "initiated_by": initiated_by,
                "priority": priority,
                "severity": severity,
                "department": _named_ref(department),
                "owner": _user_ref(owner),
                "interaction_id": interaction.pk,
            },
            actor=actor,
            actor_label=actor_label,
            at=now,
        )
    return case


# --- ownership ---------------------------------------------------------------------


def _cancel_pending_transfers(case: Case, *, acting_user: User | None, why: str) -> None:
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


# --- details and status -----------------------------------------------------------------


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class CaseChanges:
    """Fields to change in update_case; a field left UNSET stays as it is."""

    subject: str = UNSET
    kind: str = UNSET
    priority: int = UNSET
    severity: int = UNSET
    department: Department | None = UNSET
    organisation: Organisation | None = UNSET
    tags: list[str] = UNSET

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if not isinstance(getattr(self, f.name), _Unset)
        }


def _validated_changes(case: Case, changes: CaseChanges) -> dict[str, Any]:
    values = changes.given()
    values.pop("tags", None)
    if "subject" in values:
        values["subject"] = _clean_subject(values["subject"])
    if "kind" in values:
        _require_choice(values["kind"], Case.Kind.values, "kind")
    if "priority" in values:
        _require_choice(values["priority"], Case.Priority.values, "priority")
    if "severity" in values:
        _require_choice(values["severity"], Case.Severity.values, "severity")
    department = values.get("department")
    if department is not None and not department.is_active:
        raise InvalidInput(_("That department is closed."), field="department")
    organisation = values.get("organisation")
    if (
        organisation is not None
        and not case.customer.memberships.filter(organisation=organisation).exists()
    ):
        raise InvalidInput(
            _("The customer does not belong to that organisation."), field="organisation"
        )
    return values


def _as_json(value: Any) -> Any:
    if isinstance(value, Department | Organisation):
        return _named_ref(value)
    return value


def update_case(
    *, acting_user: User, case: Case, expected_version: int, changes: CaseChanges
) -> Case:
    """Change subject, kind, priority, severity, department, organisation or tags.

    Optimistic locking: raises StaleVersion unless `expected_version` is the
    current version. The event lists each changed field before→after; nothing
    changed means no write and no event. Moving the case into a department
    that is closed right now raises DepartmentClosed.
    """
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    with transaction.atomic():
        _lock(case)
        if case.version != expected_version:
            raise StaleVersion(current_version=case.version)
        values = _validated_changes(case, changes)
        diff: dict[str, dict[str, Any]] = {}
        for name, after in values.items():
            before = getattr(case, name)
            if before != after:
                diff[name] = {"before": _as_json(before), "after": _as_json(after)}
        if "department" in diff and values["department"] is not None:
            # Routing a case into a closed department strands the customer there.
            availability.check_receiver_available(
                to_user=None, to_department=values["department"], at=timezone.now()
            )
        if "tags" in changes.given():
            names = _normalise_tags(changes.tags)
            before_tags = sorted(case.tags.values_list("name", flat=True))
            if before_tags != sorted(names):
                _apply_tags(case, names)
                diff["tags"] = {"before": before_tags, "after": sorted(names)}
        if not diff:
            return case
        _write(
            case,
            expected_version=expected_version,
            **{k: v for k, v in values.items() if k in diff},
        )
        _record(case, EventKind.UPDATED, {"changes": diff}, actor=acting_user)
    return case


def change_status(
    *, acting_user: User, case: Case, status: str, expected_version: int | None = None
) -> Case:
    """Move the case along ALLOWED_TRANSITIONS; sets resolved_at / closed_at.

    The same status again changes nothing. With `expected_version`, a stale
    caller gets StaleVersion.
    """
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    with transaction.atomic():
        _lock(case)
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(current_version=case.version)
        old = case.status
        if status == old:
            return case
        _check_transition(old, status)
        if status == Status.CLOSED:
            _cancel_pending_transfers(case, acting_user=acting_user, why="closed")
        _write(case, **_status_values(old, status, timezone.now()))
        _record(
            case,
            EventKind.STATUS_CHANGED,
            {"status": {"before": old, "after": status}},
            actor=acting_user,
        )
    return case


# --- interactions -----------------------------------------------------------------------


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


# --- transfers ----------------------------------------------------------------------------


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


# --- merge and links ---------------------------------------------------------------------------


def merge_cases(*, acting_user: User, source: Case, target: Case) -> Case:
    """Close `source` as merged into `target`; nothing is moved or deleted.

    The target's timeline shows the merged cases' interactions; its counters
    add the source's contacts, customer time and hand-overs, and its staff
    count includes the source's staff. Across customers only supervisors may
    merge. Returns the target.
    """
    if source.pk == target.pk:
        raise MergeNotAllowed(_("A case cannot be merged into itself."))
    if not (
        permissions.can_work_case(acting_user, source)
        and permissions.can_work_case(acting_user, target)
    ):
        raise NotAllowed()
    with transaction.atomic():
        # Lock in id order so two opposite merges cannot deadlock.
        for locked in sorted((source, target), key=lambda c: c.pk):
            _lock(locked)
        _check_merge(acting_user, source, target)
        _cancel_pending_transfers(source, acting_user=acting_user, why="merged")
        now = timezone.now()
        before_status = source.status
        _write(
            source,
            merged_into=target,
            status=Status.CLOSED,
            closed_at=now,
            updated_at=now,
        )
        for user_id in CaseStaffContact.objects.filter(case=source).values_list(
            "user_id", flat=True
        ):
            CaseStaffContact.objects.get_or_create(case=target, user_id=user_id)
        _write(
            target,
            contact_count=F("contact_count") + source.contact_count,
            customer_seconds=F("customer_seconds") + source.customer_seconds,
            transfer_count=F("transfer_count") + source.transfer_count,
            staff_touched_count=CaseStaffContact.objects.filter(case=target).count(),
            updated_at=now,
        )
        _record(
            source,
            EventKind.MERGED,
            {"into": {"id": target.pk, "number": target.number},
             "status": {"before": before_status, "after": Status.CLOSED}},
            actor=acting_user,
        )  # fmt: skip
        _record(
            target,
            EventKind.MERGE_RECEIVED,
            {"from": {"id": source.pk, "number": source.number}},
            actor=acting_user,
        )
    return target


def _check_merge(acting_user: User, source: Case, target: Case) -> None:
    if source.merged_into_id is not None:
        raise MergeNotAllowed(_("This case has already been merged."))
    if target.merged_into_id is not None:
        raise MergeNotAllowed(
            _("The target case was itself merged into another case; merge into that one.")
        )
    if source.customer_id != target.customer_id and not permissions.is_supervisor(acting_user):
        raise MergeNotAllowed(_("Only a supervisor can merge cases of different customers."))


def link_cases(*, acting_user: User, from_case: Case, to_case: Case, kind: str) -> CaseLink:
    """Link two cases (duplicate, child, related, incident); refuses self, repeats, cycles."""
    if not permissions.can_work_case(acting_user, from_case) or not permissions.can_view_case(
        acting_user, to_case
    ):
        raise NotAllowed()
    _require_choice(kind, CaseLink.Kind.values, "kind")
    if from_case.pk == to_case.pk:
        raise LinkNotAllowed(_("A case cannot be linked to itself."))
    directed = kind != CaseLink.Kind.RELATED
    with transaction.atomic():
        _lock(from_case)
        reverse = CaseLink.objects.filter(from_case=to_case, to_case=from_case, kind=kind)
        if directed and reverse.exists():
            raise LinkNotAllowed(_("The other case is already linked this way to this one."))
        try:
            with transaction.atomic():
                link = CaseLink.objects.create(
                    from_case=from_case, to_case=to_case, kind=kind, created_by=acting_user
                )
        except IntegrityError:
            raise LinkNotAllowed(_("These cases are already linked this way.")) from None
        data = {"link_id": link.pk, "kind": kind}
        _write(from_case)
        _record(from_case, EventKind.LINKED,
                {**data, "to": {"id": to_case.pk, "number": to_case.number}},
                actor=acting_user)  # fmt: skip
        _record(to_case, EventKind.LINKED,
                {**data, "from": {"id": from_case.pk, "number": from_case.number}},
                actor=acting_user)  # fmt: skip
    return link


def unlink_cases(*, acting_user: User, link: CaseLink) -> None:
    """Remove a link; both cases record it."""
    from_case, to_case = link.from_case, link.to_case
    if not permissions.can_work_case(acting_user, from_case):
        raise NotAllowed()
    with transaction.atomic():
        _lock(from_case)
        data = {"link_id": link.pk, "kind": link.kind}
        CaseLink.objects.filter(pk=link.pk).delete()
        _write(from_case)
        _record(from_case, EventKind.UNLINKED,
                {**data, "to": {"id": to_case.pk, "number": to_case.number}},
                actor=acting_user)  # fmt: skip
        _record(to_case, EventKind.UNLINKED,
                {**data, "from": {"id": from_case.pk, "number": from_case.number}},
                actor=acting_user)  # fmt: skip


# --- tags ------------------------------------------------------------------------------------


def _normalise_tags(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str):
        raise InvalidInput(_("Tags must be a list."), field="tags")
    names: list[str] = []
    for raw in tags:
        name = slugify(str(raw), allow_unicode=True)
        if not name:
            continue
        if len(name) > 50:
            raise InvalidInput(_("A tag is longer than 50 characters."), field="tags")
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise InvalidInput(
            _("A case can have at most %(count)d tags.") % {"count": MAX_TAGS}, field="tags"
        )
    return names


def _apply_tags(case: Case, names: list[str]) -> None:
    tags = [Tag.objects.get_or_create(name=name)[0] for name in names]
    case.tags.set(tags)


def set_tags(*, acting_user: User, case: Case, tags: Sequence[str]) -> Case:
    """Replace the case's tags with the slugified, de-duplicated list (at most 20)."""
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    names = _normalise_tags(tags)
    with transaction.atomic():
        _lock(case)
        before = sorted(case.tags.values_list("name", flat=True))
        if before == sorted(names):
            return case
        _apply_tags(case, names)
        _write(case)
        _record(
            case,
            EventKind.TAGS_CHANGED,
            {"tags": {"before": before, "after": sorted(names)}},
            actor=acting_user,
        )
    return case


# --- flags -------------------------------------------------------------------------------

MAX_FLAG_NOTE_CHARS = 500


def can_clear_flag(user: Any, case: Case) -> bool:
    """The case's owner, or a supervisor who can see it, may clear its flag."""
    if not permissions.can_view_case(user, case) or not permissions.is_staff(user):
        return False
    return permissions.is_supervisor(user) or case.owner_id == getattr(user, "pk", None)


def clear_case_flag(
    *, acting_user: User, case: Case, reason: str, expected_version: int | None = None
) -> Case:
    """Clear the case's flag (e.g. a missed promise), saying why; on the timeline and audited.

    The owner or a supervisor. Idempotent: an unflagged case is returned
    unchanged (a retry after success changes nothing). With `expected_version`,
    a caller who read a case that has changed since gets StaleVersion.
    """
    if not can_clear_flag(acting_user, case):
        raise NotAllowed()
    note = " ".join(str(reason or "").split())
    if not note:
        raise InvalidInput(_("Say why the flag can be cleared."), field="reason")
    if len(note) > MAX_FLAG_NOTE_CHARS:
        raise InvalidInput(
            _("Keep the reason under %(count)d characters.") % {"count": MAX_FLAG_NOTE_CHARS},
            field="reason",
        )
    with transaction.atomic():
        _lock(case)
        if case.flagged_at is None:
            return case
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(current_version=case.version)
        flag = {"reason": case.flag_reason, "flagged_at": case.flagged_at.isoformat()}
        _write(case, flagged_at=None, flag_reason="")
        _record(case, EventKind.FLAG_CLEARED, {"reason": note, "flag": flag}, actor=acting_user)
        record_audit_event(
            actor=acting_user,
            action="case.flag_cleared",
            target=case,
            data={"case": case.number, "reason": note, "flag": flag},
        )
    return case
