"""Admin: mailboxes (passwords never shown back), the quarantine, and outbound mail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from truedesk.channels.email.actions import reprocess_message
from truedesk.channels.email.models import InboundMessage, Mailbox, OutboundEmail
from truedesk.channels.email.outbound import retry_outbound
from truedesk.channels.email.secrets_box import encrypt_password
from truedesk.channels.email.store import raw_file


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again; leave empty to keep the current one."),
    )

    class Meta:
        model = Mailbox
        fields = [  # noqa: RUF100
            "name", "address", "department", "language", "imap_enabled", "imap_host",
            "imap_port", "imap_security", "imap_username", "imap_folder",
            "imap_delete_after_store",
        ]  # fmt: skip

    def save(self, commit: bool = True) -> Mailbox:
        mailbox: Mailbox = super().save(commit=False)
        password = self.cleaned_data.get("imap_password") or ""
        if password:
            mailbox.imap_password_encrypted = encrypt_password(password)
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    form = MailboxForm
    list_display = ("name", "address", "department", "imap_enabled", "last_polled_at", "has_error")
    readonly_fields = ("last_polled_at", "last_poll_error")

    @admin.display(boolean=True, description=_("polling error"))
    def has_error(self, obj: Mailbox) -> bool:
        return bool(obj.last_poll_error)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    list_display = ("received_at", "sender", "subject", "state", "attempts", "short_error", "raw")
    list_filter = ("state", "source", "is_auto")
    search_fields = ("sender", "subject", "message_key")
    actions = ["reprocess"]
    ordering = ("-received_at",)
    readonly_fields = [f.name for f in InboundMessage._meta.fields] + ["raw"]
    exclude = ("full_text",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a message accepted is a message kept

    @admin.display(description=_("error"))
    def short_error(self, obj: InboundMessage) -> str:
        return obj.error[:120]

    @admin.display(description=_("raw message"))
    def raw(self, obj: InboundMessage) -> str:
        url = reverse("admin:email_channel_inboundmessage_raw", args=[obj.pk])
        return format_html('<a href="{}" download>{}</a>', url, gettext("Download .eml"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/raw/",
                self.admin_site.admin_view(self.download_raw),
                name="email_channel_inboundmessage_raw",
            )
        ]
        return own + super().get_urls()

    def download_raw(self, request: HttpRequest, pk: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise Http404
        message = get_object_or_404(InboundMessage, pk=pk)
        try:
            handle = raw_file(message).open("rb")
        except OSError:
            raise Http404 from None
        # Never rendered inline: a hostile message is a download, not a page.
        response = FileResponse(
            handle, as_attachment=True, filename=f"message-{message.pk}.eml",
            content_type="application/octet-stream",
        )  # fmt: skip
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response

    @admin.action(description=_("Process the selected messages again"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        if not request.user.is_superuser and not getattr(request.user, "is_admin", False):
            self.message_user(request, gettext("Only administrators may do that."), messages.ERROR)
            return
        done = 0
        for message in queryset.exclude(state=InboundMessage.State.PROCESSED):
            result = reprocess_message(acting_user=request.user, message=message)  # type: ignore[arg-type]
            done += result.state == InboundMessage.State.PROCESSED
        self.message_user(
            request, gettext("%(count)d message(s) processed.") % {"count": done}, messages.INFO
        )


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin[OutboundEmail]):
    list_display = ("created_at", "kind", "to_address", "subject", "status", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("to_address", "subject", "message_id")
    actions = ["retry"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Try sending the selected failed emails again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        for outbound in queryset.filter(status=OutboundEmail.Status.FAILED):
            retry_outbound(outbound=outbound)
        self.message_user(request, gettext("Queued again."), messages.INFO)
