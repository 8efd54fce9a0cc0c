"""The contact-centre channel: integrations, raw queue events, calls and call-back requests.

A contact-centre switch posts signed events (offered, answered, abandoned, ended)
about calls in our queues (`workforce.ContactQueue`, named by slug). Every event is
kept as received (`QueueEvent`, append-only, once per integration and event id);
`Call` is the per-call summary folded from them in any order, and becomes one
interaction on the caller's case when the call is over. A `CallbackRequest` is a
customer waiting in a queue from the portal instead of on the line.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.cases.models import Case, Interaction
from truedesk.customers.models import Customer
from truedesk.workforce.models import ContactQueue


def new_secret_salt() -> str:
    return secrets.token_urlsafe(32)


class Integration(models.Model):
    """One contact-centre system allowed to post events, with the secret it signs them with.

    The signing secret is never stored: it is derived from `secret_salt` and the
    server's SECRET_KEY (see signing.py), so a copy of the database alone cannot
    forge events. Events are recorded on cases as `acting_user`.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    key = models.SlugField(
        _("key"),
        max_length=60,
        unique=True,
        help_text=_("Sent in the X-Truedesk-Integration header of every request."),
    )
    secret_salt = models.CharField(max_length=64, default=new_secret_salt, editable=False)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("records calls as"),
        limit_choices_to={"kind": "staff", "role__in": ["supervisor", "admin"], "is_active": True},
        help_text=_(
            "A supervisor account (e.g. “contact-centre”): calls appear on cases as its work."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    secret_rotated_at = models.DateTimeField(_("secret changed"), default=timezone.now)

    class Meta:
        verbose_name = _("contact-centre integration")
        verbose_name_plural = _("contact-centre integrations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentIdentity(models.Model):
    """The contact centre's own id for an agent, when it is not the agent's username."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="agent_identities"
    )
    external_id = models.CharField(_("id in the contact centre"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agent"),
        limit_choices_to={"kind": "staff"},
    )

    class Meta:
        verbose_name = _("agent identity")
        verbose_name_plural = _("agent identities")
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "external_id"], name="agent_identity_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.external_id} → {self.user}"


class EventKind(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned")
    ENDED = "ended", _("Ended")


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete a stored queue event."""


class QueueEvent(models.Model):
    """One event exactly as the contact centre sent it; never changed, never deleted."""

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    call_id = models.CharField(max_length=120)
    queue = models.ForeignKey(ContactQueue, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField()

    class Meta:
        verbose_name = _("queue event")
        verbose_name_plural = _("queue events")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "event_id"], name="queue_event_once")
        ]
        indexes = [
            models.Index(fields=["queue", "occurred_at"], name="queue_event_queue_time"),
            models.Index(fields=["integration", "call_id"], name="queue_event_call"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("queue events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("queue events are append-only")


class CallbackRequest(models.Model):
    """A customer asked to be called back: he waits in the queue without holding the line."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ANSWERED = "answered", _("Called back")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="callbacks")
    queue = models.ForeignKey(ContactQueue, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone number"), max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The case the request is handled on; its owner (routing picks one) calls back.
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("case"),
    )  # fmt: skip
    opened_case = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("call-back request")
        verbose_name_plural = _("call-back requests")
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(fields=["queue", "status", "requested_at"], name="callback_waiting"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "queue"],
                condition=models.Q(status="waiting"),
                name="one_waiting_callback_per_queue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} in {self.queue}"

    @property
    def agent(self) -> Any:
        """The agent who owns calling back: the case's owner (None while it waits)."""
        return self.case.owner if self.case is not None else None


class Call(models.Model):
    """One call folded from its events, whatever order they arrived in.

    Each time is the one its event reported; durations are the contact centre's
    when it sent them, else derived from the times. `interaction` is set once,
    by the first event that ends the call (answered-and-ended or abandoned).
    """

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="calls")
    call_id = models.CharField(max_length=120)
    queue = models.ForeignKey(ContactQueue, on_delete=models.PROTECT, related_name="+")
    caller = models.CharField(max_length=32, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    callback = models.ForeignKey(
        CallbackRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.FloatField(null=True, blank=True)
    talk_seconds = models.FloatField(null=True, blank=True)
    wrap_up_seconds = models.FloatField(null=True, blank=True)
    # Derived on every fold, for the live state's aggregates: when and after how long the
    # caller left the queue (answered or hung up), and the agent's time (talk + wrap-up).
    left_queue_at = models.DateTimeField(null=True, blank=True)
    waited_seconds = models.FloatField(null=True, blank=True)
    handled_seconds = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-offered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["integration", "call_id"], name="call_once")]
        indexes = [
            models.Index(fields=["queue", "offered_at"], name="call_queue_offered"),
            models.Index(fields=["queue", "ended_at"], name="call_queue_ended"),
            models.Index(fields=["queue", "answered_at"], name="call_queue_answered"),
            models.Index(fields=["queue", "left_queue_at"], name="call_queue_left"),
        ]

    def __str__(self) -> str:
        return self.call_id

    @property
    def is_over(self) -> bool:
        return self.abandoned_at is not None or self.ended_at is not None
