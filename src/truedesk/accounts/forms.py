"""Forms for a user's own account settings."""

from __future__ import annotations

from itertools import groupby

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from truedesk.lib.timezones import available_time_zones


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """IANA zones grouped by region ("Europe", "America"…), shown with spaces for underscores."""
    grouped = groupby(available_time_zones(), key=lambda zone: zone.split("/", 1)[0])
    return [
        (region, [(zone, zone.replace("_", " ")) for zone in zones]) for region, zones in grouped
    ]


class PreferencesForm(forms.Form):
    label_suffix = ""
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times are shown in this time zone."),
    )
