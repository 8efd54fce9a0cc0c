"""Django admin for configuration: logins, departments, partners, API tokens, audit trail."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.fields.related import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from truedesk.accounts.actions import record_audit_event, revoke_api_token
from truedesk.accounts.errors import DomainError
from truedesk.accounts.models import ApiToken, AuditEvent, Department, Partner, User

TRUEDESK_FIELDS = ("kind", "role", "partner", "language", "time_zone")


class AuditedAdmin(admin.ModelAdmin):
    """A model admin whose saves and deletions write an audit row, like the actions do.

    Subclasses name the thing with `audit_name`: rows read "<audit_name>.added_in_admin",
    "….changed_in_admin" (with the changed fields) and "….removed_in_admin".
    """

    audit_name = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_audit_event(
                actor=request.user,  # type: ignore[arg-type]
                action=f"{self.audit_name}.{'changed' if change else 'added'}_in_admin",
                target=obj,
                data={"fields": list(form.changed_data)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record_audit_event(
                actor=request.user,  # type: ignore[arg-type]
                action=f"{self.audit_name}.removed_in_admin",
                target=obj,
                data={"was": str(obj)},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class TruedeskUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email", *TRUEDESK_FIELDS)


class TruedeskUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    # kind, role and partner are in both forms, so the model's check constraints
    # (staff have a role, partner users have a partner) show as form errors.
    form = TruedeskUserChangeForm
    add_form = TruedeskUserCreationForm
    list_display = ("username", "email", "first_name", "last_name", "kind", "role", "is_active")
    list_filter = ("kind", "role", "departments", "partner", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Truedesk"), {"fields": TRUEDESK_FIELDS}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", *TRUEDESK_FIELDS, "password1", "password2"),
            },
        ),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deactivate instead: audit rows and cases keep pointing at the person.
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "members":
            kwargs["queryset"] = User.objects.filter(kind=User.Kind.STAFF).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.action(description=_("Revoke selected tokens"))
def revoke_tokens(modeladmin: ApiTokenAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    revoked = 0
    for token in queryset.select_related("user").filter(revoked_at__isnull=True):
        try:
            revoke_api_token(acting_user=request.user, token=token)  # type: ignore[arg-type]
        except DomainError as exc:
            modeladmin.message_user(request, f"{token}: {exc.message}", messages.ERROR)
        else:
            revoked += 1
    if revoked:
        modeladmin.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    # Tokens are minted by `truedesk token create` or the profile page, which
    # show the secret once; the admin can only look and revoke.
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    actions = [revoke_tokens]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_id")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "pretty_data",
    )
    readonly_fields = fields

    @admin.display(description=_("data"))
    def pretty_data(self, obj: AuditEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
