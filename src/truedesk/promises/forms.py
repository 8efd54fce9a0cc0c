"""Forms of the promise panel on the desk: they parse input; the actions enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import User
from truedesk.lib.widgets import QuickSelect
from truedesk.promises.models import MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS, Promise


class _PromiseForm(forms.Form):
    """Labels without Django's trailing colon, like the rest of the desk."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _due_field(label: Any) -> forms.DateTimeField:
    # A datetime-local input sends "2025-03-01T17:00" in the user's own time
    # zone, which the middleware activated; the field makes it aware.
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _text_field(label: Any, limit: int, *, required: bool = True, help_text: Any = "") -> Any:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class RecordPromiseForm(_PromiseForm):
    kind = forms.ChoiceField(
        label=_("Kind of promise"), choices=Promise.Kind.choices, widget=QuickSelect
    )
    description = _text_field(
        _("What exactly was promised"),
        MAX_DESCRIPTION_CHARS,
        help_text=_("In the customer's words if you can; the customer reads this."),
    )
    due_at = _due_field(_("Due by"))
    # Every staff member who may work the case, on every case page view: written in Python.
    owner = _StaffChoiceField(label=_("Owner"), queryset=User.objects.none(), widget=QuickSelect)

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners


class _SettleForm(_PromiseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class KeepPromiseForm(_SettleForm):
    how = _text_field(_("How it was kept"), MAX_NOTE_CHARS)


class BreakPromiseForm(_SettleForm):
    reason = _text_field(
        _("Why it cannot be kept"), MAX_NOTE_CHARS, help_text=_("The customer is told this.")
    )


class RenegotiatePromiseForm(_SettleForm):
    due_at = _due_field(_("New due time"))
    reason = _text_field(
        _("Why it changes"), MAX_NOTE_CHARS, help_text=_("The customer is told this.")
    )
    description = _text_field(_("New wording (optional)"), MAX_DESCRIPTION_CHARS, required=False)
