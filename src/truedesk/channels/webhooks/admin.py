"""Webhooks in Django's admin: endpoints, allowed private networks, deliveries with redeliver."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truedesk.accounts.admin import AuditedAdmin
from truedesk.accounts.models import User
from truedesk.channels.webhooks import actions, addresses
from truedesk.channels.webhooks.errors import WebhookError
from truedesk.channels.webhooks.models import (
    AllowedNetwork,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class AllowedNetworkForm(forms.ModelForm):
    class Meta:
        model = AllowedNetwork
        fields = ["network", "note"]

    def clean_network(self) -> str:
        value = str(self.cleaned_data["network"]).strip()
        networks = addresses.parse_networks([value])
        if not networks:
            raise forms.ValidationError(_("Enter an address or a network like 10.20.0.0/16."))
        return str(networks[0])


@admin.register(AllowedNetwork)
class AllowedNetworkAdmin(AuditedAdmin):
    # Opening a network lets webhooks reach inside it: every change is audited.
    audit_name = "webhook_allowed_network"
    form = AllowedNetworkForm
    list_display = ("network", "note", "created_at")


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=2000, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "event_kinds", "include_internal", "is_active"]

    def clean_url(self) -> str:
        try:
            return actions.clean_url(self.cleaned_data["url"])
        except WebhookError as error:
            raise forms.ValidationError(error.message) from None

    def clean_event_kinds(self) -> list[str]:
        kinds = self.cleaned_data.get("event_kinds") or []
        if not isinstance(kinds, list):
            raise forms.ValidationError(_('Give a list of event kinds, e.g. ["case_opened"].'))
        try:
            return actions.clean_kinds(kinds)
        except WebhookError as error:
            raise forms.ValidationError(error.message) from None


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Endpoints are created through the actions, so the secret is shown once and audited."""

    form = WebhookEndpointForm
    list_display = ("id", "url", "description", "is_active", "include_internal", "created_at")
    list_filter = ("is_active", "include_internal")
    fields = ("url", "description", "event_kinds", "include_internal", "is_active", "hint")
    readonly_fields = ("hint",)

    @admin.display(description=gettext_lazy("secret"))
    def hint(self, obj: WebhookEndpoint) -> str:
        return obj.secret_hint

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        user = _user(request)
        if change:
            current = WebhookEndpoint.objects.get(pk=obj.pk)
            actions.update_webhook(
                acting_user=user,
                endpoint=current,
                expected_version=current.version,
                url=obj.url,
                description=obj.description,
                event_kinds=obj.event_kinds or [],
                include_internal=obj.include_internal,
                is_active=obj.is_active,
            )
            return
        created, secret = actions.create_webhook(
            acting_user=user,
            url=obj.url,
            description=obj.description,
            event_kinds=obj.event_kinds or [],
            include_internal=obj.include_internal,
        )
        obj.pk = created.pk
        messages.warning(
            request,
            _("The signing secret, shown only now: %(secret)s") % {"secret": secret},
        )

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        actions.delete_webhook(acting_user=_user(request), endpoint=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        # One audited action per endpoint, not a silent bulk DELETE.
        for endpoint in queryset:
            actions.delete_webhook(acting_user=_user(request), endpoint=endpoint)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("at", "status_code", "error", "duration_ms", "response_excerpt")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries change through the dispatcher and the redeliver action."""

    list_display = ("id", "endpoint", "event_kind", "status", "attempts", "next_attempt_at",
                    "last_status_code", "last_error")  # fmt: skip
    list_filter = ("status", "endpoint")
    inlines = [WebhookAttemptInline]
    actions = ["redeliver_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Send the selected deliveries again"))
    def redeliver_selected(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = 0
        for delivery in queryset:
            try:
                actions.redeliver(acting_user=_user(request), delivery=delivery)
            except WebhookError as error:
                messages.error(request, f"#{delivery.pk}: {error.message}")
            else:
                done += 1
        if done:
            messages.success(request, _("%(count)d deliveries queued again.") % {"count": done})
