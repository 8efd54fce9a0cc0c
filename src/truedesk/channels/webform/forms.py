"""The public contact form: what a visitor typed, parsed and checked (spam rules in spam.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from truedesk.channels.webform import spam
from truedesk.channels.webform.models import ContactTopic

HONEYPOT = "website"


def max_links() -> int:
    return int(getattr(settings, "WEBFORM_MAX_LINKS", 3))


def _no_line_breaks(value: str) -> str:
    return " ".join(str(value).split())


class TopicField(forms.ModelChoiceField):
    """Topics by their label in the visitor's language."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.label_in() if isinstance(obj, ContactTopic) else str(obj)


class ContactForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send the confirmation and our answers here."),
    )
    topic = TopicField(
        label=_("What is it about?"), queryset=ContactTopic.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    message = forms.CharField(
        label=_("Your message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachment = forms.FileField(label=_("Attach a file (optional)"), required=False)
    # People never see or fill these two; see spam.py.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    stamp_invalid = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = ContactTopic.objects.filter(is_active=True, department__is_active=True)
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, TopicField)
        topic_field.queryset = topics
        topic_field.empty_label = str(_("Something else"))
        limit = int(settings.ATTACHMENT_MAX_BYTES)
        self.fields["attachment"].help_text = str(
            _("At most %(limit)s.") % {"limit": filesizeformat(limit)}
        )

    @property
    def is_bot(self) -> bool:
        """True when the honeypot was filled (only call after is_valid)."""
        return bool(self.cleaned_data.get(HONEYPOT, "").strip())

    def clean_name(self) -> str:
        name = _no_line_breaks(self.cleaned_data["name"])
        if spam.count_links(name):
            raise forms.ValidationError(_("A name cannot contain a link."))
        return name

    def clean_subject(self) -> str:
        return _no_line_breaks(self.cleaned_data["subject"])

    def clean_message(self) -> str:
        message = str(self.cleaned_data["message"]).replace("\x00", "").strip()
        if spam.count_links(message) + spam.count_links(self.data.get("subject", "")) > max_links():
            raise forms.ValidationError(
                _("Please include at most %(count)d links; describe the rest in words."),
                params={"count": max_links()},
            )
        return message

    def clean_attachment(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("attachment")
        limit = int(settings.ATTACHMENT_MAX_BYTES)
        if upload is not None and upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)s."),
                params={"limit": filesizeformat(limit)},
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            # The fields need fixing first: nothing is stored, and a note about speed on
            # top of "this field is required" only confuses a person.
            return cleaned
        minimum = float(getattr(settings, "WEBFORM_MIN_FILL_SECONDS", 3))
        check = spam.check_stamp(str(cleaned.get("started") or ""), min_seconds=minimum)
        if check.too_fast:
            self.add_error(
                None,
                _("That was quicker than we expected from a person. Please check your "
                  "message and send it again."),
            )  # fmt: skip
        elif not check.ok:
            self.stamp_invalid = True
            self.add_error(
                None, _("This form was open too long or was changed. Please send it again.")
            )
        return cleaned
