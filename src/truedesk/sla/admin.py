"""SLA policies in Django's admin (saved through the action), and a read-only view of clocks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from truedesk.accounts import errors as account_errors
from truedesk.sla.actions import save_policy
from truedesk.sla.models import SlaClock, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "priority",
        "case_kind",
        "customer_tier",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "calendar",
        "is_active",
        "order",
        "version",
    )
    list_filter = ("is_active", "priority", "case_kind", "customer_tier")
    search_fields = ("name", "description")
    readonly_fields = ("version", "created_at", "updated_at")
    raw_id_fields = ("reassign_to",)
    fieldsets = (
        (None, {"fields": ("name", "description", "is_active", "version")}),
        (
            _("Which cases"),
            {
                "description": _(
                    "Empty criteria match everything. The policy matching the most "
                    "criteria wins; among equals, the lowest order."
                ),
                "fields": ("priority", "case_kind", "customer_tier", "order"),
            },
        ),
        (
            _("Targets in business time"),
            {
                "fields": (
                    "calendar",
                    "first_response_minutes",
                    "next_response_minutes",
                    "resolution_minutes",
                )
            },
        ),
        (_("Warnings"), {"fields": ("warning_percent", "warning_minutes")}),
        (
            _("On a breach"),
            {"fields": ("escalate_to_supervisor", "reassign_on_breach", "reassign_to")},
        ),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    def save_model(
        self, request: HttpRequest, obj: SlaPolicy, form: ModelForm[Any], change: bool
    ) -> None:
        # Through the action: supervisors only, version bumped, audited.
        try:
            save_policy(acting_user=request.user, policy=obj)  # type: ignore[arg-type]
        except account_errors.NotAllowed:
            raise PermissionDenied from None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Clocks keep a snapshot of their policy; switch a policy off rather than delete it.
        return False


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = (
        "case",
        "metric",
        "cycle",
        "policy_name",
        "started_at",
        "due_at",
        "paused_at",
        "stopped_at",
        "met",
        "warned_at",
        "breached_at",
    )
    list_filter = ("metric", "met")
    search_fields = ("case__number", "policy_name")
    date_hierarchy = "due_at"
    list_select_related = ("case",)

    # Clocks move only with the case's events and the sweep; the admin is for looking.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
