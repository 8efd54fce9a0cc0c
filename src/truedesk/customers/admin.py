"""Django admin: customers, organisations (contact points, memberships inline), partner grants."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.actions import record_audit_event
from truedesk.accounts.models import User
from truedesk.customers.actions import authorise_partner, revoke_partner_authorisation
from truedesk.customers.models import (
    ContactPoint,
    Customer,
    Membership,
    Organisation,
    PartnerAuthorisation,
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


class PartnerAuthorisationForm(forms.ModelForm):
    """Staff record consent a customer gave by phone, letter or at a desk; a note is required."""

    class Meta:
        model = PartnerAuthorisation
        fields = ("customer", "partner", "scope", "expires_at", "consent_note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "consent_note" in self.fields:
            self.fields["consent_note"].required = True
            self.fields["consent_note"].help_text = _(
                "How and when the customer gave consent (e.g. “phoned on 3 May, "
                "identity checked with date of birth”)."
            )

    def clean_expires_at(self) -> Any:
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return value


@admin.action(description=_("Revoke the selected authorisations now"))
def revoke_authorisations(
    modeladmin: PartnerAuthorisationAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    user = request.user
    assert isinstance(user, User)  # the admin requires a signed-in staff user
    for grant in queryset.select_related("customer", "partner"):
        revoke_partner_authorisation(acting_user=user, authorisation=grant)


@admin.register(PartnerAuthorisation)
class PartnerAuthorisationAdmin(admin.ModelAdmin):
    """Grants are written through the authorise/revoke actions (audited), never edited."""

    form = PartnerAuthorisationForm
    list_display = ("customer", "partner", "scope", "granted_via", "granted_at", "expires_at",
                    "revoked_at")  # fmt: skip
    list_filter = ("partner", "scope", "granted_via")
    search_fields = ("customer__name", "partner__name")
    autocomplete_fields = ("customer",)
    actions = [revoke_authorisations]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("customer", "partner", "scope", "expires_at", "consent_note", "granted_via",
                "granted_by", "granted_at", "revoked_at", "revoked_by")  # fmt: skip

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user = request.user
        assert isinstance(user, User)
        if change:
            return  # read-only after creation: revoke and grant again instead
        # The form checked what the action checks, so the action does not refuse here.
        grant = authorise_partner(
            acting_user=user,
            customer=obj.customer,
            partner=obj.partner,
            scope=obj.scope,
            expires_at=obj.expires_at,
            consent_note=obj.consent_note,
        )
        obj.pk, obj.granted_via, obj.granted_at = grant.pk, grant.granted_via, grant.granted_at

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
