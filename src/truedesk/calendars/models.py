"""Business calendars (hours, holidays, exceptions) and the departments and channels keeping them.

A department or channel without a binding is always open. Every change to a
calendar or its rows bumps `version` (shown, and used for optimistic locking)
and renews `revision` (the key of the process-wide cache of compiled calendars,
unique even where a rolled-back test reuses a primary key).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department
from truedesk.calendars import business_time
from truedesk.lib.timezones import validate_time_zone


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Channel(models.TextChoices):
    """A copy of cases.Interaction.Channel: calendars sit below cases and cannot import it."""

    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    PORTAL = "portal", _("Portal")
    WEB_FORM = "web_form", _("Web form")
    IN_PERSON = "in_person", _("In person")
    API = "api", _("API")
    DESK = "desk", _("Desk")


def validate_hours_text(value: str) -> None:
    """Raise ValidationError unless value reads like "09:00-13:00, 14:00-18:00"."""
    try:
        business_time.parse_intervals(value)
    except business_time.InvalidHours:
        raise ValidationError(
            _("Write opening hours like 09:00-13:00, 14:00-18:00 without overlaps.")
        ) from None


class BusinessCalendar(models.Model):
    """Opening hours per weekday in a time zone, with a country's public holidays."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Vilnius", validators=[validate_time_zone]
    )
    country = models.CharField(
        _("country for public holidays"),
        max_length=8,
        blank=True,
        help_text=_("ISO code such as LT or US; leave empty for no public holidays."),
    )
    subdivision = models.CharField(
        _("region for public holidays"),
        max_length=16,
        blank=True,
        help_text=_("Optional state or region code, such as CA for California."),
    )
    always_open = models.BooleanField(
        _("open 24/7"),
        default=False,
        help_text=_("Open every hour of every day, public holidays included."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)
    revision = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.country:
            try:
                business_time.check_region(self.country, self.subdivision or None)
            except business_time.UnknownCountry:
                raise ValidationError(
                    {"country": _("Public holidays are not known for that country or region.")}
                ) from None
        elif self.subdivision:
            raise ValidationError({"subdivision": _("Choose the country first.")})


class OpeningInterval(models.Model):
    """One opening interval on a weekday; an end at or before the start ends the next day."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("opens"))
    end = models.TimeField(
        _("closes"), help_text=_("At or before the opening time means the next day.")
    )

    class Meta:
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening intervals")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                name="opening_interval_weekday_0_6", condition=models.Q(weekday__lte=6)
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class CalendarException(models.Model):
    """A date closed (beyond public holidays) or open with its own hours (overriding a holiday)."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed")
        OPEN = "open", _("Open")

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    hours = models.CharField(
        _("hours"),
        max_length=200,
        blank=True,
        validators=[validate_hours_text],
        help_text=_("For open days: 09:00-13:00, 14:00-18:00."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_exception_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.hours}".strip()

    def clean(self) -> None:
        if self.kind == self.Kind.OPEN and not self.hours.strip():
            raise ValidationError({"hours": _("Give the hours of an open day.")})
        if self.kind == self.Kind.CLOSED and self.hours.strip():
            raise ValidationError({"hours": _("A closed day has no hours.")})

    @property
    def intervals(self) -> business_time.DayHours:
        return business_time.parse_intervals(self.hours)


class DepartmentHours(models.Model):
    """The calendar whose opening hours a department keeps."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="hours", verbose_name=_("department")
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("calendar"),
    )

    class Meta:
        verbose_name = _("department opening hours")
        verbose_name_plural = _("department opening hours")

    def __str__(self) -> str:
        return f"{self.department}: {self.calendar}"


class ChannelHours(models.Model):
    """The calendar whose opening hours a channel (phone, chat…) keeps."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="channels",
        verbose_name=_("calendar"),
    )

    class Meta:
        verbose_name = _("channel opening hours")
        verbose_name_plural = _("channel opening hours")

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.calendar}"
