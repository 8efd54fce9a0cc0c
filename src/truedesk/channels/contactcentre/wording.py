"""An expected wait in plain words, in the active language (API text and the portal)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from truedesk.workforce.queueing.wait_prediction import ANNOUNCE_CAP_MINUTES


def announcement(minutes: tuple[int, int] | None) -> str:
    """ "About 12 minutes", "Between 2 and 5 minutes", "A minute or less"; no agent: say so."""
    if minutes is None:
        return _("Nobody is answering this line right now, so we cannot say how long it will be.")
    low, high = minutes
    if high >= ANNOUNCE_CAP_MINUTES:
        if low >= ANNOUNCE_CAP_MINUTES:
            return _("Two hours or more")
        return ngettext(
            "Between %(low)d minute and two hours or more",
            "Between %(low)d minutes and two hours or more",
            low,
        ) % {"low": low}
    if low == high:
        if low <= 1:
            return _("A minute or less")
        return ngettext("About %(n)d minute", "About %(n)d minutes", low) % {"n": low}
    if low <= 1:
        return ngettext("Up to %(high)d minute", "Up to %(high)d minutes", high) % {"high": high}
    return ngettext(
        "Between %(low)d and %(high)d minute", "Between %(low)d and %(high)d minutes", high
    ) % {"low": low, "high": high}
