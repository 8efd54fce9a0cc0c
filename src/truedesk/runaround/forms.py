"""Forms of the runaround guard on the desk: rescue a case by hand, filter the rescue report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department, User

DEFAULT_REPORT_DAYS = 30


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class RescueForm(forms.Form):
    """A supervisor rescues a case now, by the rules or with the senior owner of his choice."""

    new_owner = StaffChoiceField(
        label=_("Senior owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("As the rules choose"),
    )
    note = forms.CharField(
        label=_("Why (for the report)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime
    department: Department | None

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.since).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.until - timedelta(days=1)).date()


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ReportFilterForm(forms.Form):
    """The report's period (whole days, both included) and department; default: last 30 days."""

    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("All departments"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An empty field means the default period; show it.
        today = timezone.localdate()
        self.fields["until"].initial = today
        self.fields["since"].initial = today - timedelta(days=DEFAULT_REPORT_DAYS - 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def period(self) -> Period:
        """The chosen period as [start of the first day, start of the day after the last)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        today = timezone.localdate()
        until_day: date = data.get("until") or today
        since_day: date = data.get("since") or until_day - timedelta(days=DEFAULT_REPORT_DAYS - 1)
        return Period(
            since=_start_of(since_day),
            until=_start_of(until_day + timedelta(days=1)),
            department=data.get("department"),
        )
