"""Django admin: contact-centre integrations (secret shown once), agent ids, events, calls."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.actions import record_audit_event
from truedesk.channels.contactcentre import signing
from truedesk.channels.contactcentre.models import (
    AgentIdentity,
    Call,
    CallbackRequest,
    Integration,
    QueueEvent,
    new_secret_salt,
)


def _show_secret(request: HttpRequest, integration: Integration) -> None:
    # Shown once, to the admin who created or rotated it; never stored (derived).
    messages.warning(
        request,
        _(
            "Signing secret for “%(name)s”: %(secret)s — copy it into the contact centre now; "
            "it is not shown again."
        )
        % {"name": integration.name, "secret": signing.derive_secret(integration.secret_salt)},
    )


class AgentIdentityInline(admin.TabularInline):
    model = AgentIdentity
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "acting_user", "is_active", "secret_rotated_at")
    readonly_fields = ("created_at", "secret_rotated_at")
    inlines = (AgentIdentityInline,)
    actions = ("rotate_secret",)

    def save_model(
        self, request: HttpRequest, obj: Integration, form: ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        record_audit_event(
            actor=request.user,  # type: ignore[arg-type]
            action=f"contact_centre.integration_{'changed' if change else 'created'}",
            target=obj,
            data={"key": obj.key, "active": obj.is_active},
        )  # fmt: skip
        if not change:
            _show_secret(request, obj)

    @admin.action(description=_("Replace the signing secret (the old one stops working)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        for integration in queryset:
            integration.secret_salt = new_secret_salt()
            integration.secret_rotated_at = timezone.now()
            integration.save(update_fields=["secret_salt", "secret_rotated_at"])
            record_audit_event(
                actor=request.user,  # type: ignore[arg-type]
                action="contact_centre.secret_rotated",
                target=integration,
            )
            _show_secret(request, integration)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QueueEvent)
class QueueEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "call_id", "queue", "integration", "received_at")
    list_filter = ("kind", "queue", "integration")
    search_fields = ("call_id", "event_id")


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("call_id", "queue", "caller", "customer", "agent", "offered_at", "case")
    list_filter = ("queue",)
    search_fields = ("call_id", "caller")


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = ("customer", "queue", "phone", "status", "requested_at", "case", "closed_at")
    list_filter = ("status", "queue")
    readonly_fields = ("customer", "queue", "phone", "requested_at", "case")
