"""Portal forms: parse and check what a customer typed; the actions enforce the rules."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Partner
from truedesk.cases.attachments import MAX_ATTACHMENTS_PER_INTERACTION
from truedesk.cases.models import Case
from truedesk.customers.models import PartnerAuthorisation

# The kinds a customer may choose; regulatory complaints and sales enquiries
# are classified by staff.
CUSTOMER_KINDS = (
    Case.Kind.QUESTION,
    Case.Kind.SERVICE_REQUEST,
    Case.Kind.COMPLAINT,
    Case.Kind.BILLING_DISPUTE,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more files, each within settings.ATTACHMENT_MAX_BYTES."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        clean_one = super().clean
        files = [clean_one(item, initial) for item in items if item]
        if len(files) > MAX_ATTACHMENTS_PER_INTERACTION:
            raise forms.ValidationError(
                _("You can attach at most %(count)d files at once."),
                params={"count": MAX_ATTACHMENTS_PER_INTERACTION},
            )
        limit = int(settings.ATTACHMENT_MAX_BYTES)
        too_large = [f for f in files if f.size is not None and f.size > limit]
        if too_large:
            raise forms.ValidationError(
                [
                    forms.ValidationError(
                        _("“%(name)s” is larger than the limit of %(limit)s."),
                        params={"name": f.name, "limit": filesizeformat(limit)},
                    )
                    for f in too_large
                ]
            )
        return files


def attachment_help() -> str:
    """The hint under every file field: how many files and how large."""
    return str(
        _("Up to %(count)d files, each at most %(limit)s.")
        % {
            "count": MAX_ATTACHMENTS_PER_INTERACTION,
            "limit": filesizeformat(int(settings.ATTACHMENT_MAX_BYTES)),
        }
    )


class NewCaseForm(forms.Form):
    label_suffix = ""
    subject = forms.CharField(
        label=_("Subject"),
        max_length=250,
        help_text=_("A few words, for example “Internet drops every evening”."),
    )
    description = forms.CharField(
        label=_("Describe what happened"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you expected, what happened instead and anything you already tried."),
    )
    kind = forms.ChoiceField(
        label=_("What kind of request is it?"),
        required=False,
        choices=[("", _("I am not sure"))] + [(kind.value, kind.label) for kind in CUSTOMER_KINDS],
    )
    attachments = AttachmentsField(label=_("Attach files (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help()

    def clean_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or Case.Kind.QUESTION)


class ReplyForm(forms.Form):
    label_suffix = ""
    body = forms.CharField(
        label=_("Your reply"),
        max_length=200_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = AttachmentsField(label=_("Attach files (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        empty = not str(cleaned.get("body") or "").strip() and not cleaned.get("attachments")
        if empty and "body" not in self.errors:
            self.add_error("body", _("Write a message or attach a file."))
        return cleaned


class PartnerGrantForm(forms.Form):
    """A customer authorises a partner (travel agency, broker) to act for him."""

    label_suffix = ""
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.order_by("name"),
        empty_label=_("Choose a partner"),
    )
    scope = forms.ChoiceField(
        label=_("What may they do?"),
        choices=PartnerAuthorisation.Scope.choices,
        initial=PartnerAuthorisation.Scope.FOLLOW,
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Access ends at the start of this day. Leave empty to keep it until you revoke it."
        ),
    )

    def clean_expires_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("expires_on")
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day after today."))
        return value

    def expires_at(self) -> datetime | None:
        """The chosen day's first moment in the viewer's time zone, or None."""
        value: date | None = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        return timezone.make_aware(datetime.combine(value, time.min))
