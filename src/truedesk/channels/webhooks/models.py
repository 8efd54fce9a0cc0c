"""Webhook endpoints, the durable outbox of deliveries and the fan-out bookkeeping.

The outbox is rows, not a queue: a case event is fanned out into one
WebhookDelivery per interested endpoint (unique per endpoint and event), and
the dispatcher sends due deliveries, recording every attempt. Nothing is lost
when a worker dies: a delivery stays pending until an attempt succeeds or the
retry limit turns it dead, where an administrator can redeliver it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.cases.models import CaseEvent
from truedesk.lib.secrets_box import seal, unseal

SECRET_PURPOSE = "truedesk-webhook-signing-secret"


def sealed_secret_fields(secret: str) -> dict[str, str]:
    """The stored fields for a signing secret: sealed, plus a recognisable prefix."""
    return {"sealed_secret": seal(secret, purpose=SECRET_PURPOSE), "secret_prefix": secret[:10]}


class WebhookEndpoint(models.Model):
    """An integrator's URL subscribed to case events, with the secret that signs them."""

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Event kinds (CaseEvent.kind values) to send; empty means every kind.
    event_kinds = models.JSONField(_("event kinds"), default=list, blank=True)
    # Internal notes' text and other staff-only free text are sent only to
    # endpoints an administrator allowed them (see docs/webhooks.md).
    include_internal = models.BooleanField(_("include internal text"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # The signing key must be readable to sign with, so unlike API tokens it
    # cannot be hashed: it is sealed under SECRET_KEY (lib/secrets_box.py) and
    # the API and admin show it once, at creation or rotation. Use `secret`.
    sealed_secret = models.TextField(editable=False)
    secret_prefix = models.CharField(max_length=16, editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # A dispatcher that claimed the endpoint sends its deliveries, one at a
    # time, until then; other workers leave it alone (per-endpoint isolation).
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_owner = models.CharField(max_length=80, blank=True, editable=False)
    # After a failed attempt the whole endpoint rests (until the failed
    # delivery's retry, at most MAX_REST): a receiver that is down gets one
    # request per retry step, not one per waiting delivery.
    resting_until = models.DateTimeField(_("resting until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def secret(self) -> str:
        """The signing secret; raises SealedSecretUnreadable if SECRET_KEY changed since."""
        return unseal(self.sealed_secret, purpose=SECRET_PURPOSE)

    @secret.setter
    def secret(self, value: str) -> None:
        for name, sealed in sealed_secret_fields(value).items():
            setattr(self, name, sealed)

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to recognise it, not to use it."""
        return f"{self.secret_prefix}…" if self.secret_prefix else ""


class AllowedNetwork(models.Model):
    """A private network an administrator lets webhooks reach (e.g. an intranet receiver)."""

    network = models.CharField(
        _("network"),
        max_length=64,
        unique=True,
        help_text=_("An address or network in CIDR form, e.g. 10.20.0.0/16 or fd00::/8."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("allowed webhook network")
        verbose_name_plural = _("allowed webhook networks")
        ordering = ["network"]

    def __str__(self) -> str:
        return self.network


class WebhookDelivery(models.Model):
    """One case event for one endpoint: pending until delivered, or dead after the last retry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Dead (retries exhausted)")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(CaseEvent, on_delete=models.DO_NOTHING, related_name="+")
    event_kind = models.CharField(_("event"), max_length=40)
    # The JSON body, rendered once at fan-out: every retry sends the same bytes.
    payload = models.TextField()
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        constraints = [
            # The fan-out may see an event twice (its safety window); it is sent once.
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "status", "next_attempt_at"], name="webhook_delivery_due"
            ),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event_kind} → {self.endpoint_id} ({self.status})"

    @property
    def message_id(self) -> str:
        """The `webhook-id` header: the same for every retry, for receivers to de-duplicate."""
        return f"whd_{self.pk}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what came back, or why nothing did."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} at {self.at}"


class FanOutCursor(models.Model):
    """One row: every case event with an id up to `event_id` has been fanned out."""

    event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.event_id)


class FannedOutEvent(models.Model):
    """A case event above the cursor that was already fanned out (the safety window's memory).

    PostgreSQL hands out ids before commit, so a transaction can commit event 7
    after event 8 was seen. The fan-out therefore remembers recent events
    individually and moves the cursor only past events fanned out longer ago
    than the safety window (see fanout.py).
    """

    event_id = models.BigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return str(self.event_id)
