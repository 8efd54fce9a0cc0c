"""Spam rules of the public form, without third-party services.

- A honeypot field people never see (hidden by the stylesheet, skipped by the
  keyboard, ignored by autofill); a bot that fills it is answered as if it
  succeeded and nothing is stored.
- A signed timestamp issued with the form: a submission sooner than the
  minimum fill time, or with a missing, forged or day-old stamp, is refused
  with a message a person can act on (send again), input kept.
- Link counting: more links than a person needs in a support message is
  refused; any link in the name is refused.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.core import signing

SALT = "truedesk.webform.started"
MAX_AGE_SECONDS = 24 * 60 * 60
_LINK = re.compile(r"(?:https?://|www\.|\[url[=\]]|<a\s)", re.IGNORECASE)


def issue_stamp() -> str:
    """A signed "the form was shown at" value for the hidden field."""
    return signing.dumps({"shown": time.time()}, salt=SALT, compress=False)


@dataclass(frozen=True)
class StampCheck:
    ok: bool
    too_fast: bool = False


def check_stamp(stamp: str, *, min_seconds: float) -> StampCheck:
    """Valid when signed by us, younger than a day and at least `min_seconds` old."""
    try:
        value = signing.loads(stamp, salt=SALT, max_age=MAX_AGE_SECONDS)
        shown = float(value["shown"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return StampCheck(ok=False)
    if time.time() - shown < min_seconds:
        return StampCheck(ok=False, too_fast=True)
    return StampCheck(ok=True)


def count_links(text: str) -> int:
    return len(_LINK.findall(text or ""))
