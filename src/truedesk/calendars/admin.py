"""Django admin for business calendars (hours and exceptions inline) and their bindings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.actions import record_audit_event
from truedesk.calendars import business_time, errors, selectors
from truedesk.calendars.models import (
    BusinessCalendar,
    CalendarException,
    ChannelHours,
    DepartmentHours,
    OpeningInterval,
)


def _local(moment: datetime, value: business_time.BusinessCalendar) -> str:
    return timezone.localtime(moment, value.zone).strftime("%a %Y-%m-%d %H:%M %Z")


def describe_availability(calendar: BusinessCalendar, at: datetime | None = None) -> str:
    """ "Open until …" or "Closed, opens …" in the calendar's own time zone, for admin lists."""
    try:
        value = selectors.business_calendar(calendar)
    except errors.CalendarError:
        return gettext("invalid calendar")
    state = selectors.calendar_availability(value, at or timezone.now())
    if state.open:
        if state.closes_at is None:
            return gettext("Open")
        return gettext("Open until %(time)s") % {"time": _local(state.closes_at, value)}
    if state.next_open_at is None:
        return gettext("Closed for the next year")
    return gettext("Closed, opens %(time)s") % {"time": _local(state.next_open_at, value)}


class OpeningIntervalFormSet(forms.BaseInlineFormSet):
    """Refuses overlapping intervals on one weekday, as set_weekly_hours does."""

    def clean(self) -> None:
        super().clean()
        hours: dict[int, list[business_time.Interval]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("start") is None or data.get("end") is None:
                continue
            hours.setdefault(int(data["weekday"]), []).append((data["start"], data["end"]))
        try:
            business_time.WeeklyHours.from_mapping(hours)
        except business_time.InvalidHours:
            raise forms.ValidationError(
                _("Opening intervals on the same weekday must not overlap.")
            ) from None


class OpeningIntervalInline(admin.TabularInline):
    model = OpeningInterval
    formset = OpeningIntervalFormSet
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ("name", "time_zone", "country", "subdivision", "always_open")

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country") or "").strip().upper()


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ("name", "time_zone", "country", "always_open", "availability", "version")
    list_filter = ("always_open", "country")
    search_fields = ("name",)
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = (OpeningIntervalInline, CalendarExceptionInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[BusinessCalendar]:
        return super().get_queryset(request).prefetch_related("intervals", "exceptions")

    @admin.display(description=_("now"))
    def availability(self, obj: BusinessCalendar) -> str:
        return describe_availability(obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Inline rows change the calendar too, so every admin save is a new
        # version and a new revision (selectors cache compiled calendars by it).
        if change:
            obj.version += 1
        obj.revision = uuid.uuid4()
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        record_audit_event(
            actor=request.user,  # type: ignore[arg-type]
            action=f"calendar.{'changed' if change else 'created'}_in_admin",
            target=obj,
            data={"fields": list(form.changed_data)},
        )


class BindingAdmin(admin.ModelAdmin):
    """Department and channel bindings; saves are audited like the assign actions."""

    audit_action = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("calendar")
            .prefetch_related("calendar__intervals", "calendar__exceptions")
        )

    @admin.display(description=_("now"))
    def availability(self, obj: Any) -> str:
        return describe_availability(obj.calendar)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_audit_event(
            actor=request.user,  # type: ignore[arg-type]
            action=f"{self.audit_action}.calendar_assigned_in_admin",
            target=obj,
            data={"calendar": obj.calendar_id},
        )


@admin.register(DepartmentHours)
class DepartmentHoursAdmin(BindingAdmin):
    audit_action = "department"
    list_display = ("department", "calendar", "availability")
    list_select_related = ("department", "calendar")


@admin.register(ChannelHours)
class ChannelHoursAdmin(BindingAdmin):
    audit_action = "channel"
    list_display = ("channel", "calendar", "availability")
