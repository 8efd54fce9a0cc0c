"""Django admin for customers and organisations, with contact points and memberships inline."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.actions import record_audit_event
from truedesk.customers.models import (
    ContactPoint,
    Customer,
    Membership,
    Organisation,
    normalise_contact_value,
)


class ContactPointForm(forms.ModelForm):
    """Applies the same normalisation and ownership rule as the add_contact_point action."""

    class Meta:
        model = ContactPoint
        fields = ("kind", "value", "is_primary", "is_failing")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), data.get("value")
        if not kind or not value:
            return data
        cleaned = normalise_contact_value(kind, value)
        if cleaned is None:
            raise forms.ValidationError(_("Enter a valid email address or phone number."))
        data["value"], self.instance.normalized = cleaned
        taken = ContactPoint.objects.filter(
            kind=ContactPoint.Kind.EMAIL, normalized=cleaned[1]
        ).exclude(pk=self.instance.pk)
        if kind == ContactPoint.Kind.EMAIL and taken.exists():
            raise forms.ValidationError(
                _("That email address already belongs to another customer.")
            )
        return data


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    form = ContactPointForm
    extra = 0


class CustomerMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation",)


class OrganisationMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("customer",)


class VersionedAdmin(admin.ModelAdmin):
    """Admin edits bump the optimistic-lock version and leave an audit row like actions do."""

    audit_action = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
        record_audit_event(
            actor=request.user,  # type: ignore[arg-type]
            action=f"{self.audit_action}.{'changed' if change else 'created'}_in_admin",
            target=obj,
            data={"fields": list(form.changed_data)},
        )


@admin.register(Customer)
class CustomerAdmin(VersionedAdmin):
    audit_action = "customer"
    list_display = ("name", "tier", "language", "user", "created_at")
    list_filter = ("tier", "language")
    search_fields = ("name", "contact_points__normalized")
    raw_id_fields = ("user",)
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = (ContactPointInline, CustomerMembershipInline)


@admin.register(Organisation)
class OrganisationAdmin(VersionedAdmin):
    audit_action = "organisation"
    list_display = ("name", "tier", "account_manager", "member_count")
    list_filter = ("tier", "account_manager")
    search_fields = ("name",)
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = (OrganisationMembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return (
            super()
            .get_queryset(request)
            .select_related("account_manager")
            .annotate(member_total=Count("memberships"))
        )

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj: Any) -> int:
        return int(obj.member_total)
