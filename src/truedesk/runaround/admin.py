"""Django admin for the runaround guard: thresholds, department overrides, senior owners, rescues.

Every change to thresholds or senior owners is written to the audit trail.
Rescues are read-only here: they are made by the guard or on the desk.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from truedesk.accounts.actions import record_audit_event
from truedesk.accounts.models import User
from truedesk.runaround.models import (
    DepartmentRunaroundPolicy,
    Rescue,
    RunaroundPolicy,
    SeniorOwnerRule,
)

LIMITS = ("max_contacts", "max_staff", "max_transfers", "max_customer_minutes", "max_days_open")


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Saves and deletions go to the audit trail with the changed fields."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        if hasattr(obj, "updated_at"):
            obj.updated_at = timezone.now()
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            assert isinstance(request.user, User)
            record_audit_event(
                actor=request.user,
                action=f"runaround.{obj._meta.model_name}.{'changed' if change else 'added'}",
                target=obj,
                data={name: form.cleaned_data.get(name) for name in form.changed_data},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            assert isinstance(request.user, User)
            record_audit_event(
                actor=request.user,
                action=f"runaround.{obj._meta.model_name}.deleted",
                target=obj,
                data={"name": str(obj)},
            )
            super().delete_model(request, obj)


@admin.register(RunaroundPolicy)
class RunaroundPolicyAdmin(AuditedAdmin):
    list_display = ("__str__", "is_enabled", *LIMITS, "updated_at")
    fields = ("is_enabled", *LIMITS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row for the whole company (created by the migration).
        return bool(super().has_add_permission(request)) and not RunaroundPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DepartmentRunaroundPolicy)
class DepartmentRunaroundPolicyAdmin(AuditedAdmin):
    list_display = ("department", "is_enabled", *LIMITS, "updated_at")
    fields = ("department", "is_enabled", *LIMITS)
    autocomplete_fields = ()


@admin.register(SeniorOwnerRule)
class SeniorOwnerRuleAdmin(AuditedAdmin):
    list_display = ("department", "senior", "direct_phone", "is_active")
    list_filter = ("department", "is_active")
    fields = ("department", "senior", "direct_phone", "is_active")


@admin.register(Rescue)
class RescueAdmin(admin.ModelAdmin[Rescue]):
    list_display = (
        "case",
        "department",
        "rescued_at",
        "new_owner",
        "chosen_by",
        "customer_told_at",
        "ended_at",
    )
    list_filter = ("department", "chosen_by")
    list_select_related = ("case", "department", "new_owner")
    date_hierarchy = "rescued_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
