"""Staffing schedules (shifts) and the service levels the company publishes.

A shift is either weekly (weekdays, local start and end, a time zone, the
dates it is valid) or one-off (two instants). A published service level is the
promise as printed ("Phone support 24/7") with the hours it promises; the
check in selectors compares the two.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department, User
from truedesk.calendars.models import BusinessCalendar, Channel
from truedesk.lib.timezones import validate_time_zone
from truedesk.workforce import coverage

MAX_MINIMUM_AGENTS = 1000
MAX_RESPONSE_WINDOW = timedelta(days=7)


def validate_weekdays(value: str) -> None:
    """Raise ValidationError unless value lists weekdays as digits 0 (Monday) to 6, each once."""
    if not value or any(c not in "0123456" for c in value) or len(set(value)) != len(value):
        raise ValidationError(_("Choose the weekdays of the shift."))


class Shift(models.Model):
    """When an agent works, for a department and channel (blank: all of them)."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        ONCE = "once", _("Once")

    agent = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("agent"),
        limit_choices_to={"kind": "staff", "is_active": True},
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("department"),
    )
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text=_("Leave empty when the agent answers every channel."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WEEKLY)
    weekdays = models.CharField(
        _("weekdays"),
        max_length=7,
        blank=True,
        help_text=_("Weekly shifts: the days it starts on."),
    )
    start_time = models.TimeField(_("starts at (local time)"), null=True, blank=True)
    end_time = models.TimeField(
        _("ends at (local time)"),
        null=True,
        blank=True,
        help_text=_("At or before the start means the next day: 22:00-06:00 is a night shift."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Vilnius", validators=[validate_time_zone]
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("The last day a shift starts on.")
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["agent__username", "kind", "weekdays", "start_time", "starts_at"]
        indexes = [models.Index(fields=["department", "kind"], name="shift_department_kind")]
        constraints = [
            models.CheckConstraint(
                name="shift_weekly_or_once",
                condition=(
                    Q(kind="weekly", start_time__isnull=False, end_time__isnull=False)
                    & ~Q(weekdays="")
                    & Q(starts_at__isnull=True, ends_at__isnull=True)
                )
                | (
                    Q(kind="once", starts_at__isnull=False, ends_at__isnull=False)
                    & Q(ends_at__gt=F("starts_at"))
                ),
            ),
            models.CheckConstraint(
                name="shift_valid_dates_in_order",
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.describe()}"

    def describe(self) -> str:
        """ "Mon-Fri 08:00-20:00 Europe/Vilnius" or the one-off start and end."""
        if self.kind == self.Kind.ONCE and self.starts_at and self.ends_at:
            return f"{self.starts_at:%Y-%m-%d %H:%M} \u2013 {self.ends_at:%Y-%m-%d %H:%M} UTC"
        if self.start_time is None or self.end_time is None:
            return ""
        days = coverage.format_weekdays(int(d) for d in self.weekdays if d.isdigit())
        return f"{days} {self.start_time:%H:%M}-{self.end_time:%H:%M} {self.time_zone}"

    def clean(self) -> None:
        if self.kind == self.Kind.WEEKLY:
            problems = {}
            try:
                validate_weekdays(self.weekdays)
            except ValidationError as error:
                problems["weekdays"] = error.messages
            if self.start_time is None:
                problems["start_time"] = [str(_("Give the local time the shift starts."))]
            if self.end_time is None:
                problems["end_time"] = [str(_("Give the local time the shift ends."))]
            if problems:
                raise ValidationError(problems)
            self.starts_at = self.ends_at = None
        else:
            if self.starts_at is None or self.ends_at is None:
                raise ValidationError(_("A one-off shift needs its start and end."))
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": _("The shift must end after it starts.")})
            self.weekdays, self.start_time, self.end_time = "", None, None
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The last day comes before the first.")})

    @property
    def pattern(self) -> coverage.WeeklyPattern | None:
        """The weekly pattern of a weekly shift (None for a one-off shift)."""
        if self.kind != self.Kind.WEEKLY or self.start_time is None or self.end_time is None:
            return None
        return coverage.WeeklyPattern(
            weekdays=frozenset(int(d) for d in self.weekdays),
            start=self.start_time,
            end=self.end_time,
            time_zone=self.time_zone,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


class PublishedServiceLevel(models.Model):
    """A service level as the company publishes it, with the hours it promises staff for."""

    text = models.CharField(
        _("published text"),
        max_length=200,
        help_text=_("Word for word as customers read it, e.g. “Phone support 24/7”."),
    )
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text=_("Only shifts for this channel (or for every channel) count."),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_service_levels",
        verbose_name=_("department"),
        help_text=_("Only this department's shifts count; empty means any department's."),
    )
    hours = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_service_levels",
        verbose_name=_("promised hours"),
        help_text=_("A business calendar with the promised hours; empty means 24/7."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Vilnius",
        validators=[validate_time_zone],
        help_text=_("The week is checked and gaps are described in this zone."),
    )
    minimum_agents = models.PositiveSmallIntegerField(
        _("minimum agents"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MINIMUM_AGENTS)],
        help_text=_("How many agents must be on shift at every promised moment."),
    )
    response_within = models.DurationField(
        _("response within"),
        null=True,
        blank=True,
        help_text=_(
            "For promises such as “call-back within 2 hours”: someone must also be on shift "
            "this long after the promised hours end. Written as HH:MM:SS."
        ),
    )
    is_active = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("published service level")
        verbose_name_plural = _("published service levels")
        ordering = ["text", "pk"]
        constraints = [
            models.CheckConstraint(
                name="service_level_needs_an_agent",
                condition=Q(minimum_agents__gte=1) & Q(minimum_agents__lte=MAX_MINIMUM_AGENTS),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.response_within is not None and not (
            timedelta(0) < self.response_within <= MAX_RESPONSE_WINDOW
        ):
            raise ValidationError(
                {"response_within": _("Give a response time between a minute and a week.")}
            )


class ContactQueue(models.Model):
    """A queue customers wait in: one department's contacts on one channel.

    The contact centre names it by `slug` in the events it posts; forecasts,
    staffing plans, live wait predictions and routing all work per queue, and
    the targets below are what the planner staffs it for.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(
        _("identifier"),
        max_length=60,
        unique=True,
        help_text=_("The name the contact centre uses for this queue in the events it sends."),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="contact_queues",
        verbose_name=_("department"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    target_service_level = models.FloatField(
        _("service-level target"),
        default=0.8,
        validators=[MinValueValidator(0.01), MaxValueValidator(0.999)],
        help_text=_("Share of contacts to answer within the answer time, e.g. 0.8."),
    )
    answer_time_seconds = models.PositiveIntegerField(
        _("answer time (s)"),
        default=20,
        validators=[MaxValueValidator(86_400)],
    )
    patience_seconds = models.PositiveIntegerField(
        _("average patience (s)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(86_400)],
        help_text=_("How long callers wait on average before hanging up; empty: they never do."),
    )
    handle_time_seconds = models.PositiveIntegerField(
        _("average handling time (s)"),
        default=240,
        validators=[MinValueValidator(1), MaxValueValidator(86_400)],
        help_text=_("Talk, hold and wrap-up time of one contact, used to staff the queue."),
    )
    max_asa_seconds = models.PositiveIntegerField(
        _("longest average speed of answer (s)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(86_400)],
        help_text=_("Optional second target: the average wait of answered contacts."),
    )
    max_abandon = models.FloatField(
        _("most abandonment"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.001), MaxValueValidator(0.999)],
        help_text=_("Optional, with patience: the largest share that may hang up, e.g. 0.05."),
    )
    shrinkage = models.FloatField(
        _("shrinkage"),
        default=0.3,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.95)],
        help_text=_("Share of paid time agents are not available for contacts (breaks, training)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                name="queue_target_is_a_share",
                condition=Q(target_service_level__gt=0) & Q(target_service_level__lt=1),
            ),
            models.CheckConstraint(
                name="queue_shrinkage_is_a_share",
                condition=Q(shrinkage__gte=0) & Q(shrinkage__lt=1),
            ),
            models.CheckConstraint(
                name="queue_handle_time_positive",
                condition=Q(handle_time_seconds__gt=0),
            ),
            models.CheckConstraint(
                name="queue_abandonment_is_a_share_with_patience",
                condition=Q(max_abandon__isnull=True)
                | (Q(max_abandon__gt=0) & Q(max_abandon__lt=1) & Q(patience_seconds__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.max_abandon is not None and self.patience_seconds is None:
            raise ValidationError(
                {"max_abandon": _("An abandonment target needs the callers' average patience.")}
            )


class QueueVolume(models.Model):
    """Contacts offered to a queue in one interval, from a telephony or mail system's report.

    History for forecasts from before Truedesk recorded the queue's contacts (or from a
    switchboard that logs calls nobody turned into a case). Where a report covers an
    interval it replaces the interactions recorded in it, so nothing counts twice.
    """

    queue = models.ForeignKey(
        ContactQueue, on_delete=models.CASCADE, related_name="volumes", verbose_name=_("queue")
    )
    starts_at = models.DateTimeField(_("interval starts"))
    minutes = models.PositiveSmallIntegerField(
        _("interval length (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    offered = models.PositiveIntegerField(_("contacts offered"))
    source = models.CharField(
        _("source"), max_length=80, blank=True, help_text=_("Which report the figure came from.")
    )

    class Meta:
        verbose_name = _("queue volume")
        verbose_name_plural = _("queue volumes")
        ordering = ["queue", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "starts_at"], name="queue_volume_once"),
            models.CheckConstraint(
                name="queue_volume_interval_length",
                condition=Q(minutes__gte=1) & Q(minutes__lte=60),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue}: {self.offered} @ {self.starts_at:%Y-%m-%d %H:%M}"
