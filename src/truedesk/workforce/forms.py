"""Forms of the workforce pages: they parse numbers; the queueing engine judges the question."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from truedesk.workforce.calculator import DEFAULT_ANSWER_TIME_SECONDS, StaffingQuestion
from truedesk.workforce.models import ContactQueue
from truedesk.workforce.queueing import MAX_AGENTS

# The planner's example from issue 5: 360 calls an hour, 4-minute handling, 80 % in 20 s.
EXAMPLE = {
    "arrivals_per_hour": 360,
    "aht_seconds": 240,
    "target_sl": 0.8,
    "answer_time_seconds": 20,
}


def _number(**kwargs: Any) -> forms.FloatField:
    # "any" step: the browser must not refuse 0.85 or 237.5 s.
    return forms.FloatField(widget=forms.NumberInput(attrs={"step": "any"}), **kwargs)


class ErlangForm(forms.Form):
    """The staffing question, sent by GET so that an answer is a link to share."""

    arrivals_per_hour = _number(label=_("Contacts per hour"), min_value=0)
    aht_seconds = _number(
        label=_("Average handling time (seconds)"),
        help_text=_("Talk, hold and wrap-up time of one contact, on average."),
    )
    target_sl = _number(
        label=_("Service-level target"),
        required=False,
        help_text=_("A fraction: 0.8 means eight in ten contacts answered within the answer time."),
    )
    answer_time_seconds = _number(
        label=_("Answer time (seconds)"), min_value=0, initial=DEFAULT_ANSWER_TIME_SECONDS
    )
    patience_seconds = _number(
        label=_("Average patience (seconds)"),
        required=False,
        help_text=_(
            "How long callers wait before hanging up, on average. Leave it empty if nobody "
            "hangs up (Erlang C); with it the answer uses Erlang A and shows abandonment."
        ),
    )
    agents = forms.IntegerField(
        label=_("Agents"),
        required=False,
        min_value=0,
        max_value=MAX_AGENTS,
        help_text=_(
            "Leave it empty to find the fewest agents; give a number to see how that staffing "
            "performs."
        ),
    )
    max_asa_seconds = _number(
        label=_("Longest average speed of answer (seconds)"),
        required=False,
        help_text=_("Another target: answered contacts wait at most this long on average."),
    )
    max_abandon = _number(
        label=_("Largest abandonment"),
        required=False,
        help_text=_("Another target, with patience only: 0.05 means one caller in twenty."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("initial", EXAMPLE)
        super().__init__(*args, **kwargs)

    def question(self) -> StaffingQuestion:
        """The cleaned form as the calculator's question (call after is_valid())."""
        data = self.cleaned_data
        return StaffingQuestion(**{name: data[name] for name in self.fields})


INTERVAL_CHOICES = [(15, _("15 minutes")), (30, _("30 minutes")), (60, _("1 hour"))]


class PlanForm(forms.Form):
    """Which queue's plan to show, in which intervals, for which week (all optional)."""

    queue = forms.ModelChoiceField(
        label=_("Queue"),
        queryset=ContactQueue.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        empty_label=None,
    )
    interval = forms.TypedChoiceField(
        label=_("Interval"), choices=INTERVAL_CHOICES, coerce=int, initial=30, required=False
    )
    week = forms.DateField(
        label=_("Week starting"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the coming Monday."),
    )
