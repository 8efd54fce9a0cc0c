"""The runaround guard's rows: the company's thresholds, senior owners, rescues and resets.

Thresholds are per organisation, i.e. per company running Truedesk: one
RunaroundPolicy row an administrator edits, optionally overridden per
department. A case that goes over any threshold is rescued: a named senior
owner takes it and the customer is told who (issue 3, seed 003: 22 calls,
50+ employees, 12 hours over 5 days).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department
from truedesk.cases.models import Case
from truedesk.notifications.models import EmailDelivery


class Metric(models.TextChoices):
    """What the guard counts for each case."""

    CONTACTS = "contacts", _("Contacts")
    STAFF = "staff", _("Staff involved")
    TRANSFERS = "transfers", _("Transfers")
    CUSTOMER_MINUTES = "customer_minutes", _("Customer's minutes")
    DAYS_OPEN = "days_open", _("Days open")


# Issue 3 defaults; the days-open limit is ours (seed 003 lasted five days).
DEFAULT_LIMITS: dict[str, int] = {
    Metric.CONTACTS: 3,
    Metric.STAFF: 3,
    Metric.TRANSFERS: 2,
    Metric.CUSTOMER_MINUTES: 60,
    Metric.DAYS_OPEN: 5,
}
# The policy field holding each metric's limit.
LIMIT_FIELDS: dict[str, str] = {
    Metric.CONTACTS: "max_contacts",
    Metric.STAFF: "max_staff",
    Metric.TRANSFERS: "max_transfers",
    Metric.CUSTOMER_MINUTES: "max_customer_minutes",
    Metric.DAYS_OPEN: "max_days_open",
}
LIMIT_CEILING = 100_000


def _limit(metric: str, *, null: bool) -> Any:
    labels: dict[str, Any] = {
        Metric.CONTACTS: _("most contacts"),
        Metric.STAFF: _("most staff involved"),
        Metric.TRANSFERS: _("most transfers"),
        Metric.CUSTOMER_MINUTES: _("most customer minutes"),
        Metric.DAYS_OPEN: _("most days open"),
    }
    help_text = (
        _("Leave empty to use the company's limit.")
        if null
        else _("A case that goes over this number is rescued.")
    )
    return models.PositiveIntegerField(
        labels[metric],
        null=null,
        blank=null,
        default=None if null else DEFAULT_LIMITS[metric],
        validators=[MinValueValidator(1), MaxValueValidator(LIMIT_CEILING)],
        help_text=help_text,
    )


class RunaroundPolicy(models.Model):
    """The company's runaround thresholds: exactly one row (id 1), edited by an administrator."""

    SINGLETON_ID = 1

    is_enabled = models.BooleanField(
        _("guard on"), default=True, help_text=_("Switch off to stop all automatic rescues.")
    )
    max_contacts = _limit(Metric.CONTACTS, null=False)
    max_staff = _limit(Metric.STAFF, null=False)
    max_transfers = _limit(Metric.TRANSFERS, null=False)
    max_customer_minutes = _limit(Metric.CUSTOMER_MINUTES, null=False)
    max_days_open = _limit(Metric.DAYS_OPEN, null=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("runaround policy")
        verbose_name_plural = _("runaround policy")
        constraints = [
            models.CheckConstraint(name="runaround_policy_is_one_row", condition=models.Q(pk=1)),
        ]

    def __str__(self) -> str:
        return str(_("Company runaround thresholds"))


class DepartmentRunaroundPolicy(models.Model):
    """A department's own thresholds; an empty field uses the company's."""

    department = models.OneToOneField(
        Department,
        on_delete=models.CASCADE,
        related_name="runaround_policy",
        verbose_name=_("department"),
    )
    is_enabled = models.BooleanField(
        _("guard on"),
        null=True,
        blank=True,
        help_text=_("Empty: as the company. Off stops automatic rescues in this department."),
    )
    max_contacts = _limit(Metric.CONTACTS, null=True)
    max_staff = _limit(Metric.STAFF, null=True)
    max_transfers = _limit(Metric.TRANSFERS, null=True)
    max_customer_minutes = _limit(Metric.CUSTOMER_MINUTES, null=True)
    max_days_open = _limit(Metric.DAYS_OPEN, null=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("department runaround thresholds")
        verbose_name_plural = _("department runaround thresholds")

    def __str__(self) -> str:
        return str(self.department)


class SeniorOwnerRule(models.Model):
    """Who takes a rescued case of a department; without a department, of any department.

    Among several seniors the one with the fewest active cases is chosen; with no
    rule, the department's least busy supervisor is.
    """

    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="senior_owner_rules",
        verbose_name=_("department"),
        help_text=_("Empty: for departments without a rule of their own."),
    )
    senior = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="senior_owner_rules",
        limit_choices_to={"kind": "staff", "is_active": True},
        verbose_name=_("senior owner"),
    )
    direct_phone = models.CharField(
        _("direct phone"),
        max_length=40,
        blank=True,
        help_text=_("A number that reaches this person directly; the customer is given it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("senior owner rule")
        verbose_name_plural = _("senior owner rules")
        ordering = ["department__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "senior"], name="senior_owner_once_per_department"
            ),
            models.UniqueConstraint(
                fields=["senior"],
                condition=models.Q(department__isnull=True),
                name="senior_owner_once_company_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department or _('any department')}: {self.senior}"


class Rescue(models.Model):
    """A case taken over by a named senior owner because it crossed a runaround threshold.

    At most one rescue of a case is open at a time; while it is open the guard
    leaves the case alone. A supervisor's reset ends it.
    """

    class ChosenBy(models.TextChoices):
        RULE = "rule", _("Senior owner rule")
        SUPERVISOR = "supervisor", _("Supervisor's choice")
        FALLBACK = "fallback", _("Least busy supervisor")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="rescues", verbose_name=_("case")
    )
    # The case's department when it was rescued: what the report filters on.
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    # [{"metric": "contacts", "value": 4, "limit": 3}, …]; empty when a supervisor
    # rescued a case that was under every threshold.
    breaches = models.JSONField(_("thresholds crossed"), default=list, blank=True)
    note = models.TextField(_("supervisor's note"), blank=True)
    rescued_at = models.DateTimeField(_("rescued"), default=timezone.now)
    new_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rescues_taken",
        verbose_name=_("senior owner"),
    )
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous owner"),
    )
    chosen_by = models.CharField(_("chosen by"), max_length=16, choices=ChosenBy.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    # What the customer was given as the direct way to reach the new owner.
    contact_email = models.EmailField(_("direct email"), blank=True)
    contact_phone = models.CharField(_("direct phone"), max_length=40, blank=True)
    customer_email = models.ForeignKey(
        EmailDelivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("email to the customer"),
    )
    customer_told_at = models.DateTimeField(_("customer told"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("rescue")
        verbose_name_plural = _("rescues")
        ordering = ["-rescued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_rescue_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["-rescued_at", "-id"], name="rescue_time"),
            models.Index(fields=["department", "-rescued_at"], name="rescue_department_time"),
        ]

    def __str__(self) -> str:
        return f"rescue of #{self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class GuardBaseline(models.Model):
    """Where the guard counts from after a supervisor reset it: the case's counters at the reset.

    No row means the guard counts from the case's opening.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="runaround_baseline"
    )
    contacts = models.PositiveIntegerField(default=0)
    staff = models.PositiveIntegerField(default=0)
    transfers = models.PositiveIntegerField(default=0)
    customer_seconds = models.PositiveIntegerField(default=0)
    since = models.DateTimeField()
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("runaround guard reset")
        verbose_name_plural = _("runaround guard resets")

    def __str__(self) -> str:
        return f"guard of #{self.case_id} since {self.since:%Y-%m-%d}"
