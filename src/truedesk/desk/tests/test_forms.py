"""QuickSelect writes the same select as Django's template-rendered one."""

from __future__ import annotations

import re

import pytest
from django import forms

from truedesk.desk.forms import QuickSelect

CHOICES = [("", "— none —"), ("a", "A & <b>"), (3, "Three")]


class Plain(forms.Form):
    k = forms.ChoiceField(choices=CHOICES)


class Quick(forms.Form):
    k = forms.ChoiceField(choices=CHOICES, widget=QuickSelect)


def _parts(html: str) -> tuple[frozenset[str], list[str]]:
    """The select's attributes (in any order) and its options, as written."""
    opening = re.match(r"<select ([^>]*)>", html.strip())
    assert opening
    return frozenset(opening.group(1).split()), re.findall(r"<option[^>]*>[^<]*</option>", html)


@pytest.mark.parametrize("data", [None, {"k": "a"}, {"k": ""}, {"k": "3"}])
def test_quick_select_matches_djangos_select_escaped_selected_and_marked_invalid(data):
    plain, quick = str(Plain(data)["k"]), str(Quick(data)["k"])

    assert _parts(quick) == _parts(plain)
    assert "A &amp; &lt;b&gt;" in quick
