"""Django admin for shifts and published service levels; the levels list shows their gaps now."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.admin import AuditedAdmin
from truedesk.calendars.models import Weekday
from truedesk.workforce import selectors
from truedesk.workforce.models import ContactQueue, PublishedServiceLevel, QueueVolume, Shift


class ShiftForm(forms.ModelForm):
    """Weekdays as check boxes; stored as digits, Monday = 0."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("weekdays"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Weekly shifts: the days it starts on."),
    )

    class Meta:
        model = Shift
        fields = (
            "agent", "department", "channel", "kind", "weekdays", "start_time", "end_time",
            "time_zone", "valid_from", "valid_until", "starts_at", "ends_at", "note",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.weekdays:
            self.initial["weekdays"] = [int(day) for day in self.instance.weekdays]

    def clean_weekdays(self) -> str:
        return "".join(str(day) for day in sorted(set(self.cleaned_data.get("weekdays") or [])))


@admin.register(Shift)
class ShiftAdmin(AuditedAdmin):
    form = ShiftForm
    audit_name = "shift"
    list_display = ("agent", "department", "channel", "schedule", "valid_from", "valid_until")
    list_filter = ("kind", "department", "channel")
    list_select_related = ("agent", "department")
    search_fields = ("agent__username", "agent__first_name", "agent__last_name", "note")

    @admin.display(description=_("when"))
    def schedule(self, obj: Shift) -> str:
        return obj.describe()


@admin.register(PublishedServiceLevel)
class PublishedServiceLevelAdmin(AuditedAdmin):
    audit_name = "service_level"
    list_display = ("text", "channel", "department", "promised_hours", "minimum_agents",
                    "is_active", "gaps")  # fmt: skip
    list_filter = ("is_active", "channel", "department")
    search_fields = ("text",)
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PublishedServiceLevel]:
        return selectors.list_published_service_levels(active_only=False)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("promised hours"))
    def promised_hours(self, obj: PublishedServiceLevel) -> str:
        return obj.hours.name if obj.hours is not None else gettext("24/7")

    @admin.display(description=_("gaps in the coming week"))
    def gaps(self, obj: PublishedServiceLevel) -> str:
        if not obj.is_active:
            return gettext("not published")
        found = selectors.check_published_service_levels(levels=[obj])
        if not found:
            return gettext("none: staffed as published")
        hours = sum(gap.hours_per_week for gap in found)
        summary = ngettext(
            "%(count)d gap, %(hours)s h/week", "%(count)d gaps, %(hours)s h/week", len(found)
        ) % {"count": len(found), "hours": selectors.format_hours(hours)}
        return f"{summary}: {found[0].what}" + (" …" if len(found) > 1 else "")


@admin.register(ContactQueue)
class ContactQueueAdmin(AuditedAdmin):
    audit_name = "contact_queue"
    list_display = (
        "name", "slug", "department", "channel", "target_service_level",
        "answer_time_seconds", "handle_time_seconds", "patience_seconds", "shrinkage",
        "is_active",
    )  # fmt: skip
    list_filter = ("channel", "department", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(QueueVolume)
class QueueVolumeAdmin(AuditedAdmin):
    audit_name = "queue_volume"
    list_display = ("queue", "starts_at", "minutes", "offered", "source")
    list_filter = ("queue",)
    date_hierarchy = "starts_at"
