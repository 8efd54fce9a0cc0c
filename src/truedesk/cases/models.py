"""Cases with one accountable owner, their interactions, transfers, links and event trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department
from truedesk.customers.models import Customer, Organisation


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseNumberCounter(models.Model):
    """One row that hands out case numbers where the database has no sequences (SQLite)."""

    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)


class Case(models.Model):
    """A customer's issue, owned by exactly one accountable person once taken."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        SERVICE_REQUEST = "service_request", _("Service request")
        COMPLAINT = "complaint", _("Complaint")
        BILLING_DISPUTE = "billing_dispute", _("Billing dispute")
        REGULATORY_COMPLAINT = "regulatory_complaint", _("Regulatory complaint")
        SALES_ENQUIRY = "sales_enquiry", _("Sales enquiry")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
        WAITING_ON_THIRD_PARTY = "waiting_on_third_party", _("Waiting on third party")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    class Severity(models.IntegerChoices):
        MINOR = 1, _("Minor")
        MODERATE = 2, _("Moderate")
        MAJOR = 3, _("Major")
        CRITICAL = 4, _("Critical")

    class Initiator(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        COMPANY = "company", _("Company")

    ACTIVE_STATUSES = (
        Status.NEW,
        Status.OPEN,
        Status.WAITING_ON_CUSTOMER,
        Status.WAITING_ON_THIRD_PARTY,
    )

    number = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=250)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="cases", verbose_name=_("customer")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("organisation"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("department"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.QUESTION)
    initiated_by = models.CharField(
        _("initiated by"), max_length=16, choices=Initiator.choices, default=Initiator.CUSTOMER
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MINOR
    )
    tags = models.ManyToManyField(Tag, related_name="cases", blank=True, verbose_name=_("tags"))
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_cases"
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_customer_activity_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every write bumps it; a write that names an older
    # version is refused (HTTP 409) instead of silently overwriting.
    version = models.PositiveIntegerField(default=1)

    # Live runaround counters (seed 003: 22 calls, 50+ employees), kept by the
    # actions that add interactions and transfers.
    contact_count = models.PositiveIntegerField(default=0)
    staff_touched_count = models.PositiveIntegerField(default=0)
    transfer_count = models.PositiveIntegerField(default=0)
    customer_seconds = models.PositiveIntegerField(default=0)

    # Set when the case needs a supervisor's eyes (a promise to the customer was
    # missed); the reason says why in one line.
    flagged_at = models.DateTimeField(_("flagged"), null=True, blank=True)
    flag_reason = models.CharField(_("flag reason"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status", "-updated_at"], name="case_owner_status"),
            models.Index(fields=["department", "status", "-created_at"], name="case_dept_queue"),
            models.Index(fields=["customer", "-created_at"], name="case_customer"),
            models.Index(fields=["organisation", "-created_at"], name="case_organisation"),
            models.Index(fields=["-updated_at", "-id"], name="case_updated"),
            # Almost every case has merged_into NULL: SQLite's statistics then
            # rate the plain foreign-key index useless and scan every case to
            # find a case's merged children. This one holds only merged cases.
            models.Index(
                fields=["merged_into"],
                name="case_merged_children",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="merged_case_is_closed",
                condition=models.Q(merged_into__isnull=True) | models.Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class CaseStaffContact(models.Model):
    """That a staff member handled the case; its row count is `staff_touched_count`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="staff_contacts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="staff_contact_once_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on #{self.case_id}"


class Interaction(models.Model):
    """One contact on the case timeline: a reply, a call, a chat or an internal note."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")
        PORTAL = "portal", _("Portal")
        WEB_FORM = "web_form", _("Web form")
        IN_PERSON = "in_person", _("In person")
        API = "api", _("API")
        DESK = "desk", _("Desk")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the customer")
        OUTBOUND = "outbound", _("To the customer")
        INTERNAL = "internal", _("Internal")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    # Internal notes are never shown to customers or partners.
    is_internal = models.BooleanField(_("internal note"), default=False)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authored_interactions",
    )
    author_customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="interactions"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_interactions",
    )
    body = models.TextField(_("text"), blank=True)
    # Sanitised with an allowlist before it is stored; never raw input.
    body_html = models.TextField(blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    customer_seconds = models.PositiveIntegerField(_("customer time (s)"), default=0)
    external_id = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-created_at", "-id"]
        indexes = [
            # With the id, newest-first pages (timeline, customer 360) read
            # these in order and stop at the page size; no sort of the history.
            models.Index(fields=["case", "-created_at", "-id"], name="interaction_case_newest"),
            models.Index(
                fields=["author_customer", "-created_at", "-id"], name="interaction_author_newest"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="internal_notes_are_internal",
                condition=models.Q(is_internal=False) | models.Q(direction="internal"),
            ),
            models.UniqueConstraint(
                fields=["case", "external_id"],
                condition=~models.Q(external_id=""),
                name="interaction_external_id_once_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_direction_display()} #{self.case_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the customer's file name is only metadata and
    # never reaches the file system.
    return f"attachments/{instance.sha256[:2]}/{instance.storage_key}"


class Attachment(models.Model):
    """A file sent with an interaction; served only as a download after authorisation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    storage_key = models.CharField(max_length=64, unique=True)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class Transfer(models.Model):
    """A hand-over of ownership that the receiver accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_sent"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_received",
    )
    to_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    reason = models.CharField(_("reason"), max_length=250)
    handoff_note = models.TextField(_("hand-off note"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="transfer_has_a_receiver",
                condition=models.Q(to_user__isnull=False) | models.Q(to_department__isnull=False),
            ),
            # At most one transfer waits for an answer: ownership stays unambiguous.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_case",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="transfer_due")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} transfer of #{self.case_id}"


class CaseLink(models.Model):
    """A typed link between two cases: duplicate, parent/child, related."""

    class Kind(models.TextChoices):
        DUPLICATE_OF = "duplicate_of", _("Duplicate of")
        CHILD_OF = "child_of", _("Child of")
        RELATED = "related", _("Related to")
        INCIDENT_OF = "incident_of", _("Incident of problem")

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case", "kind"], name="case_link_once"),
            models.CheckConstraint(
                name="case_link_not_to_itself", condition=~models.Q(from_case=models.F("to_case"))
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.from_case_id} {self.kind} #{self.to_case_id}"


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete an audit row."""


class EventKind(models.TextChoices):
    """What a CaseEvent records; `kind` holds one of these values."""

    OPENED = "case_opened", _("Case opened")
    TAKEN = "case_taken", _("Case taken")
    ASSIGNED = "case_assigned", _("Case assigned")
    UPDATED = "case_updated", _("Case details changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    REPLY_ADDED = "reply_added", _("Reply added")
    NOTE_ADDED = "note_added", _("Internal note added")
    INTERACTION_RECORDED = "interaction_recorded", _("Interaction recorded")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    TRANSFER_ACCEPTED = "transfer_accepted", _("Transfer accepted")
    TRANSFER_DECLINED = "transfer_declined", _("Transfer declined")
    TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")
    TRANSFER_EXPIRED = "transfer_expired", _("Transfer expired")
    MERGED = "case_merged", _("Merged into another case")
    MERGE_RECEIVED = "case_merge_received", _("Another case merged in")
    LINKED = "case_linked", _("Case linked")
    UNLINKED = "case_unlinked", _("Case link removed")
    FLAGGED = "case_flagged", _("Case flagged")
    FLAG_CLEARED = "case_flag_cleared", _("Flag cleared")
    # Written by truedesk.promises (the promise ledger).
    PROMISE_MADE = "promise_made", _("Promise made")
    PROMISE_KEPT = "promise_kept", _("Promise kept")
    PROMISE_BROKEN = "promise_broken", _("Promise broken")
    PROMISE_RENEGOTIATED = "promise_renegotiated", _("Promise renegotiated")
    PROMISE_MISSED = "promise_missed", _("Promise missed")
    # Written by truedesk.runaround (the runaround guard).
    RESCUED = "case_rescued", _("Rescued from a runaround")
    GUARD_RESET = "runaround_guard_reset", _("Runaround guard reset")
    SLA_BREACHED = "sla_breached", _("Service level breached")
    # Written by truedesk.routing (the routing engine).
    ROUTED = "case_routed", _("Routed to an agent")
    HELD = "case_held", _("Held for routing")


# The only events a customer may see; every other kind (and any kind added
# later) is internal by default.
CUSTOMER_VISIBLE_EVENT_KINDS = frozenset(
    {
        EventKind.OPENED,
        EventKind.TAKEN,
        EventKind.ASSIGNED,
        EventKind.STATUS_CHANGED,
        EventKind.TRANSFER_ACCEPTED,
        EventKind.MERGED,
    }
)
# Events that mirror an Interaction: timelines show the interaction instead.
INTERACTION_EVENT_KINDS = frozenset(
    {EventKind.REPLY_ADDED, EventKind.NOTE_ADDED, EventKind.INTERACTION_RECORDED}
)


class CaseEvent(models.Model):
    """Append-only trail of every change to a case: who, what, when, before and after.

    Rows are never updated or deleted: the model refuses it and database
    triggers (migration 0002) refuse it too, for writes that bypass the ORM.
    """

    case = models.ForeignKey(
        Case, on_delete=models.DO_NOTHING, related_name="events", db_constraint=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, related_name="+"
    )
    # Who acted when it was not a signed-in user: "system", "email", "api:token-name"…
    actor_label = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="event_case_time")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.case_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("case events are append-only")

    @property
    def is_internal(self) -> bool:
        """Hidden from customers unless its kind is on the customer-visible allowlist."""
        return self.kind not in CUSTOMER_VISIBLE_EVENT_KINDS
