"""The ledger in Django's admin: read-only promises (they change through actions), settings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from truedesk.promises.models import Promise, PromiseSettings


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):
    list_display = ("id", "case", "kind", "status", "due_at", "owner")
    list_filter = ("status", "kind")
    search_fields = ("description", "case__number")
    raw_id_fields = ("case", "owner", "made_by", "closed_by", "replaced_by")
    date_hierarchy = "due_at"

    # Promises change only through the actions, which write the timeline and
    # tell the customer; the admin is for looking.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PromiseSettings)
class PromiseSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reminder_lead", "recovery_time")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not PromiseSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
