"""Schemas of the cases API: enums of the models' choice values, outputs, inputs.

Outputs are built by the `*_out` functions, which decide what a viewer may
see: customers get no tags, counters, staff user names or internal notes.
"""

from __future__ import annotations

from enum import StrEnum

from django.urls import reverse
from ninja import Schema
from pydantic import AwareDatetime, Field

from truedesk.accounts.models import User
from truedesk.api.schemas import (
    NOT_SENT,
    DepartmentRef,
    Id,
    NamedRef,
    Timestamp,
    UserRef,
    department_ref,
    named_ref,
    user_ref,
)
from truedesk.cases import permissions, selectors
from truedesk.cases.models import Attachment, Case, CaseLink, Interaction, Transfer

# --- enums: the models' choice values, as named string enums -----------------------------


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CaseKind(StrEnum):
    QUESTION = "question"
    SERVICE_REQUEST = "service_request"
    COMPLAINT = "complaint"
    BILLING_DISPUTE = "billing_dispute"
    REGULATORY_COMPLAINT = "regulatory_complaint"
    SALES_ENQUIRY = "sales_enquiry"


class CasePriority(StrEnum):
    """Priority by name; the database keeps Case.Priority's numbers."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseSeverity(StrEnum):
    MINOR = "minor"
    MODERATE = "moderate"
    MAJOR = "major"
    CRITICAL = "critical"


class CaseInitiator(StrEnum):
    CUSTOMER = "customer"
    COMPANY = "company"


class InteractionChannel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    PORTAL = "portal"
    WEB_FORM = "web_form"
    IN_PERSON = "in_person"
    API = "api"
    DESK = "desk"


class InteractionDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class TransferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class LinkKind(StrEnum):
    DUPLICATE_OF = "duplicate_of"
    CHILD_OF = "child_of"
    RELATED = "related"
    INCIDENT_OF = "incident_of"


def priority_number(name: CasePriority) -> int:
    return int(Case.Priority[name.name])


def severity_number(name: CaseSeverity) -> int:
    return int(Case.Severity[name.name])


# --- output schemas ----------------------------------------------------------------------


class CaseCounters(Schema):
    """Runaround counters: contacts, distinct staff, hand-overs, the customer's own time."""

    contact_count: int
    staff_touched_count: int
    transfer_count: int
    customer_seconds: int


class CaseFlagOut(Schema):
    reason: str
    flagged_at: Timestamp


class CaseOut(Schema):
    number: int
    subject: str
    status: CaseStatus
    kind: CaseKind
    priority: CasePriority
    severity: CaseSeverity
    initiated_by: CaseInitiator
    customer: NamedRef
    organisation: NamedRef | None
    department: DepartmentRef | None
    owner: UserRef | None
    merged_into: int | None = Field(description="Number of the case this one was merged into.")
    tags: list[str] | None = Field(description="Staff only; null for customers.")
    counters: CaseCounters | None = Field(description="Staff only; null for customers.")
    flag: CaseFlagOut | None = Field(
        default=None,
        description="Staff only: why the case is flagged (e.g. a missed promise); null when "
        "it is not flagged, and for customers.",
    )
    version: int = Field(description="Send it back with every change; see 409 stale_version.")
    created_at: Timestamp
    updated_at: Timestamp
    resolved_at: Timestamp | None
    closed_at: Timestamp | None


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class AttachmentOut(Schema):
    id: int
    case: int = Field(description="Number of the case the file was sent on.")
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: Timestamp
    download_url: str


class AuthorOut(Schema):
    kind: str = Field(
        description="`staff`, `customer` or `partner` (a partner user writing for the case's "
        'customer; `id` is the partner user\'s, `name` says "P (user) for customer").'
    )
    id: int
    name: str


class InteractionOut(Schema):
    id: int
    case: int = Field(description="Number of the case (merged cases keep their own number).")
    channel: InteractionChannel
    direction: InteractionDirection
    is_internal: bool
    author: AuthorOut | None
    handled_by: UserRef | None
    body: str
    body_html: str
    started_at: Timestamp
    ended_at: Timestamp | None
    customer_seconds: int
    external_id: str
    created_at: Timestamp
    attachments: list[AttachmentOut]


class TransferOut(Schema):
    id: int
    case: int
    status: TransferStatus
    from_user: UserRef
    to_user: UserRef | None
    to_department: DepartmentRef | None
    reason: str
    handoff_note: str
    created_at: Timestamp
    expires_at: Timestamp
    responded_at: Timestamp | None
    responded_by: UserRef | None
    response_note: str


class LinkOut(Schema):
    id: int
    kind: LinkKind
    from_case: int
    to_case: int
    created_by: UserRef | None
    created_at: Timestamp


def case_out(case: Case, *, viewer: User) -> CaseOut:
    staff = permissions.can_view_internal(viewer)
    merged_into = case.merged_into.number if case.merged_into_id and case.merged_into else None
    counters = CaseCounters(
        contact_count=case.contact_count,
        staff_touched_count=case.staff_touched_count,
        transfer_count=case.transfer_count,
        customer_seconds=case.customer_seconds,
    )
    return CaseOut(
        number=case.number,
        subject=case.subject,
        status=CaseStatus(case.status),
        kind=CaseKind(case.kind),
        priority=CasePriority(Case.Priority(case.priority).name.lower()),
        severity=CaseSeverity(Case.Severity(case.severity).name.lower()),
        initiated_by=CaseInitiator(case.initiated_by),
        customer=NamedRef(id=case.customer.pk, name=case.customer.name),
        organisation=named_ref(case.organisation),
        department=department_ref(case.department),
        owner=user_ref(case.owner, viewer=viewer),
        merged_into=merged_into,
        tags=sorted(tag.name for tag in case.tags.all()) if staff else None,
        counters=counters if staff else None,
        flag=CaseFlagOut(reason=case.flag_reason, flagged_at=case.flagged_at)
        if staff and case.flagged_at is not None
        else None,
        version=case.version,
        created_at=case.created_at,
        updated_at=case.updated_at,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
    )


def attachment_out(attachment: Attachment, *, case_number: int) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        case=case_number,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        created_at=attachment.created_at,
        download_url=reverse("api-v1:attachment-download", args=[attachment.pk]),
    )


def _author(interaction: Interaction) -> AuthorOut | None:
    user = interaction.author_user
    if user is not None and interaction.author_customer is not None:
        customer = interaction.author_customer
        label = f"{user.partner} ({user.display_name}) for {customer.name}"
        return AuthorOut(kind="partner", id=user.pk, name=label)
    if interaction.author_customer is not None:
        customer = interaction.author_customer
        return AuthorOut(kind="customer", id=customer.pk, name=customer.name)
    if interaction.author_user is not None:
        user = interaction.author_user
        return AuthorOut(kind="staff", id=user.pk, name=user.display_name)
    return None


def interaction_out(interaction: Interaction, *, case_number: int, viewer: User) -> InteractionOut:
    return InteractionOut(
        id=interaction.pk,
        case=case_number,
        channel=InteractionChannel(interaction.channel),
        direction=InteractionDirection(interaction.direction),
        is_internal=interaction.is_internal,
        author=_author(interaction),
        handled_by=user_ref(interaction.handled_by, viewer=viewer),
        body=interaction.body,
        body_html=interaction.body_html,
        started_at=interaction.started_at,
        ended_at=interaction.ended_at,
        customer_seconds=interaction.customer_seconds,
        external_id=interaction.external_id,
        created_at=interaction.created_at,
        attachments=[
            attachment_out(a, case_number=case_number) for a in interaction.attachments.all()
        ],
    )


def transfer_out(
    transfer: Transfer, *, viewer: User, case_number: int | None = None
) -> TransferOut:
    """`case_number` spares a query per transfer when the caller already knows the case."""
    from_user = user_ref(transfer.from_user, viewer=viewer)
    assert from_user is not None
    return TransferOut(
        id=transfer.pk,
        case=case_number if case_number is not None else transfer.case.number,
        status=TransferStatus(transfer.status),
        from_user=from_user,
        to_user=user_ref(transfer.to_user, viewer=viewer),
        to_department=department_ref(transfer.to_department),
        reason=transfer.reason,
        handoff_note=transfer.handoff_note,
        created_at=transfer.created_at,
        expires_at=transfer.expires_at,
        responded_at=transfer.responded_at,
        responded_by=user_ref(transfer.responded_by, viewer=viewer),
        response_note=transfer.response_note,
    )


def link_out(link: CaseLink, *, viewer: User) -> LinkOut:
    return LinkOut(
        id=link.pk,
        kind=LinkKind(link.kind),
        from_case=link.from_case.number,
        to_case=link.to_case.number,
        created_by=user_ref(link.created_by, viewer=viewer),
        created_at=link.created_at,
    )


# --- input schemas -----------------------------------------------------------------------


class CaseListQuery(Schema):
    status: list[CaseStatus] = Field(
        default_factory=list, description="Repeat for several: ?status=new&status=open."
    )
    active: bool = Field(default=False, description="Only new, open and waiting cases.")
    owner: Id | None = Field(default=None, description="Owner's user id.")
    unowned: bool = Field(default=False, description="Only cases nobody owns yet.")
    department: Id | None = None
    customer: Id | None = None
    organisation: Id | None = None
    kind: CaseKind | None = None
    priority: CasePriority | None = None
    tag: str | None = Field(default=None, max_length=50)
    updated_since: AwareDatetime | None = Field(
        default=None, description="ISO 8601 with offset, e.g. 2025-03-01T09:00:00+02:00."
    )
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=selectors.PAGE_LIMIT_MAX)


class CaseCreateIn(Schema):
    customer: Id | None = Field(
        default=None, description="Required for staff; a customer's token opens for himself."
    )
    subject: str
    body: str = Field(description="The first message, plain text.")
    body_html: str = Field(default="", description="Optional rich text; sanitised.")
    channel: InteractionChannel = InteractionChannel.API
    kind: CaseKind = CaseKind.QUESTION
    priority: CasePriority = CasePriority.NORMAL
    severity: CaseSeverity = CaseSeverity.MINOR
    initiated_by: CaseInitiator = CaseInitiator.CUSTOMER
    department: Id | None = None
    organisation: Id | None = None
    owner: Id | None = Field(default=None, description="Staff only: who owns it from the start.")
    external_id: str = Field(default="", max_length=300)


class CaseUpdateIn(Schema):
    """Only the fields sent change; `version` is the one you read."""

    version: int = Field(ge=1)
    subject: str = NOT_SENT
    kind: CaseKind = NOT_SENT
    priority: CasePriority = NOT_SENT
    severity: CaseSeverity = NOT_SENT
    department: Id | None = Field(default=None, description="null moves it to the general queue.")
    organisation: Id | None = None
    tags: list[str] = Field(default=NOT_SENT, max_length=100)


class ClearFlagIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why the flag can go.")
    version: int = Field(ge=1, description="The case version you read (409 if it moved on).")


class StatusIn(Schema):
    status: CaseStatus
    version: int = Field(ge=1)


class AssignIn(Schema):
    owner: Id


class InteractionListQuery(Schema):
    limit: int = Field(default=100, ge=1, le=500)


class ReplyIn(Schema):
    body: str
    body_html: str = ""
    channel: InteractionChannel = InteractionChannel.API
    set_status: CaseStatus | None = Field(default=None, description="Staff only.")
    customer_seconds: int = Field(default=0, ge=0, le=86_400)


class NoteIn(Schema):
    body: str
    body_html: str = ""


class InteractionIn(Schema):
    channel: InteractionChannel
    direction: InteractionDirection
    body: str = ""
    handled_by: Id | None = None
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    customer_seconds: int = Field(default=0, ge=0, le=86_400)
    external_id: str = Field(
        default="", max_length=300, description="Your id; a repeat returns the first one."
    )


class TransferCreateIn(Schema):
    to_user: Id | None = None
    to_department: Id | None = None
    reason: str
    handoff_note: str = Field(
        description="What the receiver needs so the customer need not repeat."
    )
    expires_in_minutes: int = Field(default=240, ge=1, le=14 * 24 * 60)


class DeclineIn(Schema):
    note: str = Field(description="Why, for the sender.")


class MergeIn(Schema):
    into: Id = Field(description="Number of the case that survives.")


class LinkIn(Schema):
    to_case: Id = Field(description="Number of the other case.")
    kind: LinkKind
