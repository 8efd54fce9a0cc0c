"""The wait in plain words, in the customer's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from truedesk.channels.contactcentre.wording import announcement


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        ((1, 1), "A minute or less"),
        ((12, 12), "About 12 minutes"),
        ((1, 4), "Up to 4 minutes"),
        ((2, 5), "Between 2 and 5 minutes"),
        ((30, 120), "Between 30 minutes and two hours or more"),
        ((120, 120), "Two hours or more"),
        (None, "Nobody is answering this line right now, so we cannot say how long it will be."),
    ],
)
def test_announcements_read_as_people_say_them(minutes, words):
    with translation.override("en"):
        assert announcement(minutes) == words
