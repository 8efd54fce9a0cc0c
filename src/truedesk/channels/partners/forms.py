"""Partner forms: parse what a partner user typed; the case actions enforce the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from truedesk.cases.models import Case

PARTNER_KINDS = (
    Case.Kind.QUESTION,
    Case.Kind.SERVICE_REQUEST,
    Case.Kind.COMPLAINT,
    Case.Kind.BILLING_DISPUTE,
)


class PartnerCaseForm(forms.Form):
    label_suffix = ""
    subject = forms.CharField(label=_("Subject"), max_length=250)
    description = forms.CharField(
        label=_("What the customer needs"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of request"),
        required=False,
        choices=[("", _("Not sure"))] + [(kind.value, kind.label) for kind in PARTNER_KINDS],
    )

    def clean_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or Case.Kind.QUESTION)


class PartnerReplyForm(forms.Form):
    label_suffix = ""
    body = forms.CharField(
        label=_("Your reply for the customer"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
