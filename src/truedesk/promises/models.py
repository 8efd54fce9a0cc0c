"""The promise ledger: what we told a customer we would do, by when, and who answers for it.

A promise is open until it is kept, broken (with a reason), renegotiated (a
successor replaces it) or missed (its due time passed while it was open; the
sweep then puts a follow-up promise in its place). Deadlines live in these rows,
so timers survive restarts: an indexed sweep finds what is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.cases.models import Case

MAX_DESCRIPTION_CHARS = 1000
MAX_NOTE_CHARS = 2000


class Promise(models.Model):
    """One commitment to the customer of a case, with a due time and one owner."""

    class Kind(models.TextChoices):
        CALL_BACK = "call_back", _("Call-back")
        FIX = "fix", _("Fix")
        REFUND = "refund", _("Refund")
        VISIT = "visit", _("Visit")
        INFORMATION = "information", _("Information")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Kept")
        MISSED = "missed", _("Missed")
        BROKEN = "broken", _("Broken")
        RENEGOTIATED = "renegotiated", _("Renegotiated")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="promises", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # What exactly was promised, in the customer's words where possible.
    description = models.TextField(_("what was promised"), max_length=MAX_DESCRIPTION_CHARS)
    due_at = models.DateTimeField(_("due"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_promises",
        verbose_name=_("owner"),
    )
    # None when the system made it (the follow-up of a missed promise).
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    made_at = models.DateTimeField(_("made"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    # When it stopped being open (kept, broken, renegotiated or missed) and by whom.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kept_at = models.DateTimeField(_("kept"), null=True, blank=True)
    kept_note = models.TextField(_("how it was kept"), blank=True)
    # Why it was broken or renegotiated; the customer is told this text.
    reason = models.TextField(_("reason"), blank=True)
    # The promise that took this one's place: the renegotiated one, or the
    # follow-up the sweep made when this one was missed.
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    # Markers that make the sweep's side effects happen once: set in the same
    # transaction as the notifications they stand for.
    reminded_at = models.DateTimeField(null=True, blank=True)
    missed_handled_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every change bumps it; a change naming an older
    # version is refused (HTTP 409).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep: open promises by due time. Partial, so the index holds
            # only what can still fall due however long the ledger grows.
            models.Index(
                fields=["due_at"], condition=models.Q(status="open"), name="promise_open_due"
            ),
            # Missed promises whose follow-up (alerts, new promise) is not done yet:
            # normally empty; after a crash, what the next sweep must finish.
            models.Index(
                fields=["closed_at"],
                condition=models.Q(status="missed", missed_handled_at__isnull=True),
                name="promise_breach_pending",
            ),
            models.Index(fields=["owner", "status", "due_at"], name="promise_owner_due"),
            models.Index(fields=["case", "due_at"], name="promise_case_due"),
            models.Index(fields=["due_at", "status"], name="promise_outcomes"),
        ]
        constraints = [
            models.CheckConstraint(
                name="kept_promise_has_kept_at",
                condition=~models.Q(status="kept") | models.Q(kept_at__isnull=False),
            ),
            models.CheckConstraint(
                name="broken_or_renegotiated_promise_has_reason",
                condition=~models.Q(status__in=["broken", "renegotiated"]) | ~models.Q(reason=""),
            ),
            models.CheckConstraint(
                name="renegotiated_promise_has_successor",
                condition=~models.Q(status="renegotiated") | models.Q(replaced_by__isnull=False),
            ),
            models.CheckConstraint(
                name="open_promise_is_not_closed",
                condition=~models.Q(status="open") | models.Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due_at:%Y-%m-%d %H:%M} (#{self.case_id})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Open and past its due time (the sweep will mark it missed)."""
        return self.is_open and self.due_at <= (now or timezone.now())


class PromiseSettings(models.Model):
    """The ledger's knobs: one row (key 1); without it the defaults apply."""

    key = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    reminder_lead = models.DurationField(
        _("remind the owner this long before the due time"), default=timedelta(minutes=30)
    )
    recovery_time = models.DurationField(
        _("time given to keep the follow-up of a missed promise"), default=timedelta(hours=2)
    )

    class Meta:
        verbose_name = _("promise settings")
        verbose_name_plural = _("promise settings")
        constraints = [
            models.CheckConstraint(name="promise_settings_single_row", condition=models.Q(key=1)),
            models.CheckConstraint(
                name="promise_settings_positive",
                condition=models.Q(reminder_lead__gt=timedelta(0))
                & models.Q(recovery_time__gt=timedelta(0)),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Promise settings"))
