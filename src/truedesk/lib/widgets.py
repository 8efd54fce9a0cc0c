"""Form widgets shared by the desk's forms and the panels other apps put on desk pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """A select whose options are written in Python instead of one template each.

    The case page shows a dozen selects, two of them with staff members:
    rendered option by option they were the costliest part of the page.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                ("" if option["value"] is None else option["value"], selected, option["label"])
                for _name, group, _index in widget["optgroups"]
                for option in group
                for selected in [mark_safe(" selected") if option["selected"] else ""]
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )
