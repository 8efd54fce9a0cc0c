"""Portal form for a call-back request: which line and the number to call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from truedesk.customers.models import normalise_phone
from truedesk.workforce.models import ContactQueue


class CallbackForm(forms.Form):
    queue = forms.ModelChoiceField(
        label=_("Which line"),
        queryset=ContactQueue.objects.none(),
        empty_label=None,
    )
    phone = forms.CharField(
        label=_("Number to call"),
        max_length=40,
        help_text=_("With the country code, e.g. +370 600 12345."),
    )

    def __init__(self, *args: Any, queues: list[ContactQueue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["queue"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ContactQueue.objects.filter(pk__in=[queue.pk for queue in queues])

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data["phone"])
        if normalise_phone(phone) is None:
            raise forms.ValidationError(_("Give a phone number we can call, e.g. +370 600 12345."))
        return phone
