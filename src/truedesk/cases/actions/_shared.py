"""What the case actions share: status rules, locking and writing the case row,
recording its event, cleaning input, adding an interaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.actions import SystemActor, record_audit_event
from truedesk.accounts.models import Department, User
from truedesk.cases import events, permissions
from truedesk.cases.attachments import Upload, check_uploads, store_attachment
from truedesk.cases.errors import InvalidInput, InvalidTransition, StaleVersion
from truedesk.cases.models import Case, CaseEvent, CaseStaffContact, Interaction
from truedesk.customers.models import Customer, Organisation
from truedesk.customers.selectors import partner_label
from truedesk.lib.sanitize import html_to_text, sanitize_html

Status = Case.Status
Direction = Interaction.Direction

MAX_BODY_CHARS = 200_000

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
