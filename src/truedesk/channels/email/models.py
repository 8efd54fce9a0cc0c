"""The email channel's rows: raw inbound messages, mailboxes, outbound mail and its threading."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department
from truedesk.cases.models import Case, Interaction


class Mailbox(models.Model):
    """An address customers write to; optionally polled over IMAP by `truedesk fetchmail`."""

    class Security(models.TextChoices):
        TLS = "tls", _("TLS (IMAPS)")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("None (a server on this machine only)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(
        _("address"), unique=True, help_text=_("Mail to this address opens cases.")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department for new cases"),
    )
    language = models.CharField(
        _("default language"),
        max_length=8,
        default="en",
        help_text=_("For acknowledgements to new customers whose language cannot be told."),
    )
    imap_enabled = models.BooleanField(_("poll over IMAP"), default=False)
    imap_host = models.CharField(_("IMAP host"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=Security.choices, default=Security.TLS
    )
    imap_username = models.CharField(_("IMAP user name"), max_length=200, blank=True)
    # Encrypted with a key derived from SECRET_KEY (see secrets_box.py); never shown back.
    imap_password_encrypted = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    imap_delete_after_store = models.BooleanField(
        _("delete from the server once stored"),
        default=False,
        help_text=_("Otherwise stored messages are flagged as seen and skipped next time."),
    )
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_poll_error = models.TextField(_("last polling error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def clean(self) -> None:
        super().clean()
        if self.imap_security == self.Security.NONE and not is_loopback_host(self.imap_host):
            raise ValidationError(
                {
                    "imap_security": _(
                        "Without TLS the password travels in clear: choose TLS or STARTTLS, "
                        "or use “None” only with a server on this machine (localhost, "
                        "127.0.0.1 or ::1)."
                    )
                }
            )


def is_loopback_host(host: str) -> bool:
    """True for 'localhost' or a loopback IP literal; names are never resolved (DNS can lie)."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class InboundMessage(models.Model):
    """One received message: the exact bytes are on disk before this row is committed."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored (auto-reply or loop)")
        QUARANTINED = "quarantined", _("Quarantined")

    class Source(models.TextChoices):
        SMTP = "smtp", _("SMTP receiver")
        IMAP = "imap", _("IMAP polling")
        OTHER = "other", _("Other")

    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    # Path of the raw .eml relative to the email store directory (random name).
    raw_path = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Message-ID as sent (without <>), or "sha256:<digest>" when the message has none.
    message_key = models.CharField(max_length=300)
    envelope_from = models.CharField(max_length=300, blank=True)
    envelope_to = models.TextField(blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Visible warnings for the agent (guessed charset, dropped attachment…).
    warnings = models.JSONField(default=list, blank=True)
    # The whole visible text, quoted history and signature included.
    full_text = models.TextField(blank=True)
    is_auto = models.BooleanField(_("automatic reply"), default=False)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Times a worker took the message; more than `attempts` by the number of
    # workers that died holding it (killed, out of memory) before any outcome.
    claims = models.PositiveSmallIntegerField(_("claims"), default=0)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound email")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "received_at"], name="inbound_email_due"),
            models.Index(fields=["message_key"], name="inbound_email_key"),
            models.Index(fields=["sender", "is_auto", "received_at"], name="inbound_email_auto"),
        ]

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject or self.message_key}"


class OutboundEmail(models.Model):
    """One email we send to a customer (an agent's reply or an acknowledgement), at least once."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        ACKNOWLEDGEMENT = "ack", _("Acknowledgement")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    interaction = models.OneToOneField(
        Interaction, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The inbound message an acknowledgement answers (one acknowledgement per message).
    answers = models.OneToOneField(
        InboundMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Unguessable (secrets.token_urlsafe), without <>; replies find their case by it.
    message_id = models.CharField(max_length=200, unique=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField(max_length=254)
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound email")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address}"


class SweepMark(models.Model):
    """How far the outbound sweep has looked through interactions (one row, by name)."""

    name = models.CharField(max_length=50, unique=True)
    last_interaction_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_interaction_id}"


class MessageKey(models.Model):
    """A Message-ID we have turned into an interaction: the same message twice is one interaction.

    `key` is the SHA-256 of the normalised Message-ID, so any length fits; it is
    unique per sender, so a concurrent second delivery fails instead of
    duplicating, while a stranger who sends first under a Message-ID the customer
    will use (he was CC'd, say) cannot make the customer's own message a "duplicate".
    """

    key = models.CharField(max_length=64, db_index=True)
    sender = models.CharField(max_length=254, blank=True)
    inbound = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "sender"], name="email_message_key_per_sender")
        ]

    def __str__(self) -> str:
        return self.key
