"""Forms of the agent desk: they parse and check input; the case actions enforce the rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department, User
from truedesk.cases.actions import MAX_BODY_CHARS, MAX_FLAG_NOTE_CHARS, MAX_TAGS
from truedesk.cases.attachments import MAX_ATTACHMENTS_PER_INTERACTION
from truedesk.cases.models import Case, CaseLink
from truedesk.lib.widgets import QuickSelect as QuickSelect  # re-exported: tests import it here

MERGE = "merge"


class DeskForm(forms.Form):
    """Labels without Django's trailing colon: they read as headings of their fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (up to the per-message limit) from one <input type=file multiple>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if len(files) > MAX_ATTACHMENTS_PER_INTERACTION:
            raise forms.ValidationError(
                _("Attach at most %(count)d files at once."),
                params={"count": MAX_ATTACHMENTS_PER_INTERACTION},
            )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class _MessageForm(DeskForm):
    body = forms.CharField(
        label=_("Reply to the customer"),
        required=False,
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"data-shortcut": "r", "rows": 5}),
    )
    attachments = MultipleFileField(label=_("Attach files"))

    empty_message = _("Write a message or attach a file.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("attachments"):
            self.add_error("body", self.empty_message)
        return data


class ReplyForm(_MessageForm):
    """A public reply to the customer, optionally moving the case on at the same time."""

    STATUS_CHOICES = [
        ("", _("Keep the current status")),
        (Case.Status.WAITING_ON_CUSTOMER, Case.Status.WAITING_ON_CUSTOMER.label),
        (Case.Status.WAITING_ON_THIRD_PARTY, Case.Status.WAITING_ON_THIRD_PARTY.label),
        (Case.Status.RESOLVED, Case.Status.RESOLVED.label),
    ]

    set_status = forms.ChoiceField(
        label=_("Then set the status to"),
        choices=STATUS_CHOICES,
        required=False,
        widget=QuickSelect,
    )
    empty_message = _("Write a reply or attach a file.")


class NoteForm(_MessageForm):
    """An internal note: staff only, never shown to the customer."""

    body = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"data-shortcut": "n", "rows": 3}),
        help_text=_("Only staff see internal notes."),
    )
    empty_message = _("Write a note or attach a file.")


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class TransferForm(DeskForm):
    """Hand the case to a person or a department; the reason and hand-off note travel with it."""

    to_user = StaffChoiceField(
        label=_("To a person"), queryset=User.objects.none(), required=False,
        empty_label=_("— nobody in particular —"), widget=QuickSelect,
    )  # fmt: skip
    to_department = forms.ModelChoiceField(
        label=_("To a department"), queryset=Department.objects.none(), required=False,
        empty_label=_("— keep the department —"), widget=QuickSelect,
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=250)
    handoff_note = forms.CharField(
        label=_("Hand-off note"),
        widget=forms.Textarea,
        max_length=MAX_BODY_CHARS,
        help_text=_("What has been done and what is next, so the customer need not repeat it."),
    )

    def __init__(
        self,
        *args: Any,
        receivers: Any = None,
        departments: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if receivers is not None:
            self.fields["to_user"].queryset = receivers  # type: ignore[attr-defined]
        if departments is not None:
            self.fields["to_department"].queryset = departments  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("to_user") and not data.get("to_department"):
            raise forms.ValidationError(_("Choose a person or a department to transfer to."))
        return data


class DeclineTransferForm(DeskForm):
    """Saying no to a transfer needs a reason for the sender."""

    note = forms.CharField(label=_("Why do you decline?"), max_length=2000)


class StatusForm(DeskForm):
    """The next status; `allowed` narrows the choices to the moves the case can make now."""

    status = forms.ChoiceField(
        label=_("Move the case to"), choices=Case.Status.choices, widget=QuickSelect
    )

    def __init__(self, *args: Any, allowed: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            wanted = set(allowed)
            field = self.fields["status"]
            field.choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in Case.Status.choices if value in wanted
            ]


class TagsField(forms.CharField):
    """Tags typed as "billing, vip": a list of names; the action slugifies them."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        names = [part.strip() for part in text.replace("\n", ",").split(",")]
        return [name for name in names if name]

    def validate(self, value: Any) -> None:
        if len(value) > MAX_TAGS:
            raise forms.ValidationError(
                _("A case can have at most %(count)d tags."), params={"count": MAX_TAGS}
            )


class CaseEditForm(DeskForm):
    """The case's details; `version` is the one the user saw, so a stale edit is refused."""

    subject = forms.CharField(label=_("Subject"), max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices, widget=QuickSelect)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Case.Priority.choices, coerce=int, widget=QuickSelect
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Case.Severity.choices, coerce=int, widget=QuickSelect
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False,
        empty_label=_("— not routed —"), widget=QuickSelect,
    )  # fmt: skip
    tags = TagsField(
        label=_("Tags"), required=False, max_length=1100,
        help_text=_("Separate tags with commas."),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, case: Case) -> dict[str, Any]:
        return {
            "subject": case.subject,
            "kind": case.kind,
            "priority": case.priority,
            "severity": case.severity,
            "department": case.department_id,
            "tags": ", ".join(tag.name for tag in case.tags.all()),
            "version": case.version,
        }


class LinkForm(DeskForm):
    """Link this case to another one, or merge it into the other one (after confirmation)."""

    KIND_CHOICES = [
        *CaseLink.Kind.choices,
        (MERGE, _("Merge this case into it")),
    ]

    other = forms.CharField(label=_("Other case number"), max_length=24)
    kind = forms.ChoiceField(
        label=_("How are they related?"), choices=KIND_CHOICES, widget=QuickSelect
    )
    confirm_merge = forms.BooleanField(
        label=_("Yes, merge: this case is closed and its history shows on the other case."),
        required=False,
    )

    def clean_other(self) -> int:
        text = self.cleaned_data["other"].strip().lstrip("#")
        if not text.isdigit() or len(text) > 18:
            raise forms.ValidationError(_("Enter a case number, such as 1042."))
        return int(text)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == MERGE and not data.get("confirm_merge"):
            self.add_error(
                "confirm_merge",
                _("Merging cannot be undone. Tick the box to confirm."),
            )
        return data


class SearchForm(DeskForm):
    q = forms.CharField(label=_("Search cases and customers"), max_length=200, required=False)


class ClearFlagForm(DeskForm):
    """Why the case's flag can go; `version` is the case the user saw (409 if it moved on)."""

    reason = forms.CharField(
        label=_("Why can the flag be cleared?"),
        max_length=MAX_FLAG_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the timeline and kept in the audit trail."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
