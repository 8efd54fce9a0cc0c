"""Opening a case with its first interaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import Department, User
from truedesk.cases import permissions
from truedesk.cases.actions._shared import (
    Direction,
    Status,
    _actor_of,
    _add_interaction,
    _clean_body,
    _clean_subject,
    _named_ref,
    _NewInteraction,
    _partner_author,
    _record,
    _require_active_staff,
    _require_choice,
    _user_ref,
    _write,
)
from truedesk.cases.attachments import Upload
from truedesk.cases.errors import InvalidInput, NotAllowed
from truedesk.cases.models import Case, EventKind
from truedesk.cases.numbering import next_case_number
from truedesk.customers.models import Customer, Organisation


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


def _check_new_case_fields(
    *, kind: str, priority: int, severity: int, initiated_by: str, department: Department | None
) -> None:
    """Refuse unknown choices and an inactive department."""
    _require_choice(kind, Case.Kind.values, "kind")
    _require_choice(priority, Case.Priority.values, "priority")
    _require_choice(severity, Case.Severity.values, "severity")
    _require_choice(initiated_by, Case.Initiator.values, "initiated_by")
    if department is not None and not department.is_active:
        raise InvalidInput(_("That department is closed."), field="department")


def _first_interaction(
    acting_user: User | SystemActor,
    customer: Customer,
    *,
    by_customer: bool,
    inbound: bool,
    channel: str,
    text: str,
    safe_html: str,
    external_id: str,
    first_contact: FirstContact | None,
) -> _NewInteraction:
    """The opening message: the customer's (inbound) or the opening staff member's (outbound).

    Staff opening a case handled its first contact, unless `first_contact` says who did.
    """
    staff_actor = None if by_customer or isinstance(acting_user, SystemActor) else acting_user
    contact = first_contact if first_contact is not None else FirstContact(handled_by=staff_actor)
    return _NewInteraction(
        channel=channel,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        body=text,
        body_html=safe_html,
        author_user=_partner_author(acting_user) if inbound else staff_actor,
        author_customer=customer if inbound else None,
        handled_by=contact.handled_by,
        started_at=contact.started_at,
        ended_at=contact.ended_at,
        customer_seconds=contact.customer_seconds,
        external_id=external_id,
    )


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
    fields: dict[str, Any] = {"kind": kind, "initiated_by": initiated_by,
                              "priority": priority, "severity": severity}  # fmt: skip
    _check_new_case_fields(**fields, department=department)
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
            status=Status.OPEN if owner else Status.NEW,
            created_at=now,
            updated_at=now,
            **fields,
        )
        first = _first_interaction(
            acting_user,
            customer,
            by_customer=by_customer,
            inbound=inbound,
            channel=channel,
            text=text,
            safe_html=safe_html,
            external_id=external_id,
            first_contact=first_contact,
        )
        interaction, counters = _add_interaction(case, first, attachments, now=now)
        _write(case, **counters)
        actor, actor_label = _actor_of(acting_user)
        opened = {"subject": case.subject, "channel": channel, **fields,
                  "department": _named_ref(department), "owner": _user_ref(owner),
                  "interaction_id": interaction.pk}  # fmt: skip
        _record(case, EventKind.OPENED, opened, actor=actor, actor_label=actor_label, at=now)
    return case
