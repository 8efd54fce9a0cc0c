"""Django admin for skills, training, capacity, presence and routing defaults; all audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from truedesk.accounts.admin import AuditedAdmin
from truedesk.routing.models import (
    AgentCapacity,
    AgentPresence,
    DepartmentSkill,
    QueueSkill,
    RoutingItem,
    Skill,
    TrainingModule,
    TrainingRecord,
)


@admin.register(Skill)
class SkillAdmin(AuditedAdmin):
    audit_name = "skill"
    list_display = ("name", "kind", "code")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(TrainingModule)
class TrainingModuleAdmin(AuditedAdmin):
    audit_name = "training_module"
    list_display = ("name", "valid_for_days")
    filter_horizontal = ("skills",)
    search_fields = ("name",)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedAdmin):
    audit_name = "training_record"
    list_display = ("agent", "module", "completed_on", "expires_on")
    list_filter = ("module",)
    list_select_related = ("agent", "module")
    search_fields = ("agent__username", "agent__first_name", "agent__last_name", "module__name")
    date_hierarchy = "expires_on"
    readonly_fields = ("created_at",)


@admin.register(AgentCapacity)
class AgentCapacityAdmin(AuditedAdmin):
    audit_name = "agent_capacity"
    list_display = ("agent", "channel", "limit")
    list_filter = ("channel",)
    list_select_related = ("agent",)


@admin.register(AgentPresence)
class AgentPresenceAdmin(AuditedAdmin):
    audit_name = "agent_presence"
    list_display = ("agent", "status", "changed_at", "last_routed_at")
    list_filter = ("status",)
    list_select_related = ("agent",)
    readonly_fields = ("changed_at", "last_routed_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # "Idle since" counts from the change, as when the agent sets it in the desk.
        if "status" in form.changed_data:
            obj.changed_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(QueueSkill)
class QueueSkillAdmin(AuditedAdmin):
    audit_name = "queue_skill"
    list_display = ("queue", "skill")
    list_select_related = ("queue", "skill")


@admin.register(DepartmentSkill)
class DepartmentSkillAdmin(AuditedAdmin):
    audit_name = "department_skill"
    list_display = ("department", "skill")
    list_select_related = ("department", "skill")


@admin.register(RoutingItem)
class RoutingItemAdmin(admin.ModelAdmin):
    """Read-only: the engine writes routing items; the admin only shows them."""

    list_display = ("case", "channel", "state", "reason", "entered_at", "routed_to")
    list_filter = ("state", "reason", "channel")
    list_select_related = ("case", "routed_to")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
