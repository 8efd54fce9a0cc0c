"""SLA policies (targets per priority, kind and tier on a business calendar) and their clocks.

A policy says how quickly cases it matches must get a first response, a next
response after each customer message, and a resolution, counted in business
minutes of its calendar. A clock is one such target running on one case; its
deadline lives in the row (`due_at`), so a restart loses nothing and an indexed
sweep finds what is due. See docs/decisions/0017-sla-clocks.md.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.calendars.models import BusinessCalendar
from truedesk.cases.models import Case
from truedesk.customers.models import Tier

MAX_TARGET_MINUTES = 366 * 24 * 60


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Targets for the cases it matches; the most specific active match wins, then `order`."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("business calendar"),
        help_text=_(
            "Targets count only the opening hours of this calendar (holidays excluded). "
            "Leave empty to count around the clock, 24/7."
        ),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=Case.Priority.choices,
        null=True,
        blank=True,
        help_text=_("Match only cases of this priority; empty matches every priority."),
    )
    case_kind = models.CharField(
        _("case kind"),
        max_length=32,
        choices=Case.Kind.choices,
        blank=True,
        help_text=_("Match only cases of this kind; empty matches every kind."),
    )
    customer_tier = models.CharField(
        _("customer tier"),
        max_length=16,
        choices=Tier.choices,
        blank=True,
        help_text=_("Match only customers of this tier; empty matches every tier."),
    )
    order = models.PositiveIntegerField(
        _("order"),
        default=100,
        help_text=_("When two policies match a case equally closely, the lower number wins."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response (business minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "The first public answer to a customer's new case is due within this many "
            "business minutes, e.g. 240 = first response within 4 business hours. "
            "Empty: no first-response target."
        ),
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (business minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "After each customer message, the next public answer is due within this many "
            "business minutes, e.g. 480 = within one 8-hour business day. Empty: no target."
        ),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "The case is to be resolved within this many business minutes of opening "
            "(or reopening), e.g. 2400 = five 8-hour business days. Empty: no target."
        ),
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of target)"),
        default=80,
        help_text=_(
            "Warn the owner once this share of a target has passed, e.g. 80. 0 turns "
            "the share-based warning off."
        ),
    )
    warning_minutes = models.PositiveIntegerField(
        _("warn before (business minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "Or warn this many business minutes before the deadline; when both are set, "
            "the earlier warning wins."
        ),
    )
    escalate_to_supervisor = models.BooleanField(
        _("escalate breaches to supervisors"),
        default=True,
        help_text=_(
            "On a breach, the department's supervisors are told as well as the owner "
            "(on the desk and by email)."
        ),
    )
    reassign_on_breach = models.BooleanField(
        _("reassign on breach"),
        default=False,
        help_text=_("On a breach, give the case to someone who can act on it at once."),
    )
    reassign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "staff", "is_active": True},
        verbose_name=_("reassign to"),
        help_text=_(
            "Who takes a breached case over; empty: the supervisor of the case's "
            "department who owns the fewest active cases."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Bumped by every change; clocks record the version they were started under.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                name="sla_policy_warning_percent_below_100", condition=Q(warning_percent__lt=100)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        targets = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
        values = [getattr(self, name) for name in targets]
        if all(value is None for value in values):
            raise ValidationError(_("Give at least one target."))
        for name, value in zip(targets, values, strict=True):
            if value is not None and not 0 < value <= MAX_TARGET_MINUTES:
                raise ValidationError({name: _("A target lies between 1 minute and a year.")})
        if self.warning_percent is not None and self.warning_percent >= 100:
            raise ValidationError({"warning_percent": _("Warn before the whole target passes.")})

    @property
    def specificity(self) -> int:
        """How many criteria the policy sets; more criteria means a closer match."""
        return sum((self.priority is not None, bool(self.case_kind), bool(self.customer_tier)))

    def target_for(self, metric: str) -> timedelta | None:
        """The business time allowed for a metric, or None when the policy sets no target."""
        minutes = getattr(self, f"{metric}_minutes", None)
        return None if minutes is None else timedelta(minutes=minutes)

    def warning_after(self, target: timedelta) -> timedelta | None:
        """Business time into a target at which its owner is warned, or None for no warning."""
        candidates = []
        if self.warning_percent:
            candidates.append(target * self.warning_percent / 100)
        if self.warning_minutes:
            candidates.append(target - timedelta(minutes=self.warning_minutes))
        useful = [after for after in candidates if after > timedelta(0)]
        return min(useful) if useful else None


class CaseSla(models.Model):
    """Per case: the policy in force and the SLA view of the case, replayed from its events.

    `last_event_id` is the newest CaseEvent applied; events are applied once and
    in order, so the listener and the catch-up sweep may both try without harm.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="sla"
    )
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_event_id = models.PositiveBigIntegerField(default=0)
    # False for cases opened before SLA tracking was installed: they get no clocks.
    tracked = models.BooleanField(default=True)
    status = models.CharField(max_length=32, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=32, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    customer_initiated = models.BooleanField(default=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    # The first customer message since our last public answer; None when none waits.
    awaiting_reply_since = models.DateTimeField(null=True, blank=True)
    # Since when the case has been active (opened or last reopened).
    active_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case SLA state")
        verbose_name_plural = _("case SLA states")

    def __str__(self) -> str:
        return f"SLA of case {self.case_id}"


class SlaCursor(models.Model):
    """One row: events up to `last_event_id` are known to be applied (the catch-up sweep's mark).

    `installed_after_event_id` is the newest event when the app was installed;
    cases opened before it are not tracked.
    """

    key = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_event_id = models.PositiveBigIntegerField(default=0)
    installed_after_event_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(name="sla_cursor_single_row", condition=Q(key=1))]

    def __str__(self) -> str:
        return f"SLA events applied up to {self.last_event_id}"


class SlaClock(models.Model):
    """One target running on one case: started, maybe paused, due, warned, breached, stopped.

    `due_at` = add_business_time(calendar, started_at, target + paused_business):
    time spent waiting on the customer does not count. While paused, `due_at`
    keeps the value from before the pause and the sweep ignores the clock.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="sla_clocks", verbose_name=_("case")
    )
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    # 1 for the first clock of a metric on the case; next responses and
    # resolutions after a reopen count on.
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    policy = models.ForeignKey(
        SlaPolicy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clocks",
        verbose_name=_("policy"),
    )
    # A snapshot: later edits of the policy do not move a running clock.
    policy_name = models.CharField(_("policy name"), max_length=120)
    policy_version = models.PositiveIntegerField(default=1)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business calendar"),
    )
    target = models.DurationField(_("target (business time)"))
    warn_after = models.DurationField(_("warn after (business time)"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_business = models.DurationField(_("paused (business time)"), default=timedelta(0))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    # True: stopped in time; False: stopped late; None: running, or stopped
    # without a verdict (case closed or merged, target dropped).
    met = models.BooleanField(_("met"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep's breach query. Partial: only clocks that can still
            # breach, so it stays small however many clocks have stopped.
            models.Index(
                fields=["due_at"],
                condition=Q(
                    stopped_at__isnull=True, paused_at__isnull=True, breached_at__isnull=True
                ),
                name="sla_clock_due",
            ),
            # The sweep's warning query, partial for the same reason.
            models.Index(
                fields=["warn_at"],
                condition=Q(
                    stopped_at__isnull=True,
                    paused_at__isnull=True,
                    breached_at__isnull=True,
                    warned_at__isnull=True,
                ),
                name="sla_clock_warn",
            ),
            models.Index(fields=["case", "-started_at"], name="sla_clock_case"),
            models.Index(fields=["due_at", "metric"], name="sla_clock_attainment"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "metric"],
                condition=Q(stopped_at__isnull=True),
                name="sla_one_running_clock_per_metric",
            ),
            models.CheckConstraint(
                name="sla_clock_verdict_only_when_stopped",
                condition=Q(met__isnull=True) | Q(stopped_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} #{self.case_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None

    @property
    def is_paused(self) -> bool:
        return self.stopped_at is None and self.paused_at is not None
