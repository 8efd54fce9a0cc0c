"""SLA messages: desk notifications and email to staff about warnings, breaches, hand-overs.

Each function runs inside the sweep's transaction and names its fact in a
dedupe key ("sla:12:warn"), so a message commits with the breach it reports and
is never recorded twice however often the sweep runs. Staff read them in their
own language and time zone. Templates: templates/sla/email/<name>_{subject,body}.txt.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from truedesk.accounts.models import User
from truedesk.cases.models import Case
from truedesk.notifications.actions import notify_staff, queue_email
from truedesk.notifications.errors import InvalidNotification
from truedesk.sla import wording
from truedesk.sla.models import SlaClock

logger = logging.getLogger(__name__)

TEMPLATES = "sla/email/"


def _desk_link(case: Case) -> str:
    return reverse("desk:case", kwargs={"number": case.number})


def _facts(clock: SlaClock, user: User) -> dict[str, str]:
    with translation.override(user.language):
        return {
            "number": str(clock.case.number),
            "metric": str(clock.get_metric_display()),
            "due": wording.local_moment(clock.due_at, zone=user.time_zone),
        }


def _email(user: User, *, template: str, key: str, clock: SlaClock, **extra: Any) -> None:
    if not user.email:
        return
    context = {
        "recipient_name": user.display_name,
        "case": clock.case,
        "clock": clock,
        "metric": clock.get_metric_display(),
        "desk_url": settings.SITE_URL + _desk_link(clock.case),
        **extra,
    }
    try:
        with timezone.override(wording.zone_named(user.time_zone)):
            queue_email(to=user.email, template=TEMPLATES + template, context=context,
                        language=user.language, dedupe_key=key)  # fmt: skip
    except InvalidNotification:
        # A bad address must not undo the breach; the desk shows it anyway.
        logger.warning("not emailing %r for %s: not an address", user.email, key)


def warn(clock: SlaClock, recipients: list[User]) -> None:
    """A desk notification that a target is close; the owner's key is sla:<clock>:warn."""
    for user in recipients:
        if not user.is_staff_member:
            continue
        key = f"sla:{clock.pk}:warn"
        if user.pk != clock.case.owner_id:
            key = f"{key}:{user.pk}"
        with translation.override(user.language):
            title = _("Case #%(number)s: %(metric)s due %(due)s") % _facts(clock, user)
        notify_staff(
            recipient=user, kind="sla_warning", title=title, body=clock.case.subject,
            dedupe_key=key, link=_desk_link(clock.case),
        )  # fmt: skip


def breach(clock: SlaClock, recipients: list[User]) -> None:
    """A desk notification and an email to each recipient (owner, supervisors) about a breach."""
    for user in recipients:
        if not user.is_staff_member:
            continue
        key = f"sla:{clock.pk}:breach:{user.pk}"
        with translation.override(user.language):
            title = _("SLA breached on case #%(number)s: %(metric)s was due %(due)s") % _facts(
                clock, user
            )
        notify_staff(
            recipient=user, kind="sla_breached", title=title, body=clock.case.subject,
            dedupe_key=key, link=_desk_link(clock.case),
        )  # fmt: skip
        _email(user, template="breach", key=key, clock=clock,
               is_owner=user.pk == clock.case.owner_id)  # fmt: skip


def reassigned(clock: SlaClock, new_owner: User) -> None:
    """Tell the new owner that a breached case is now his."""
    key = f"sla:{clock.pk}:reassigned:{new_owner.pk}"
    with translation.override(new_owner.language):
        title = _("Case #%(number)s is now yours: its %(metric)s target was breached") % (
            _facts(clock, new_owner)
        )
    notify_staff(recipient=new_owner, kind="sla_reassigned", title=title,
                 body=clock.case.subject, dedupe_key=key, link=_desk_link(clock.case))  # fmt: skip
    _email(new_owner, template="reassigned", key=key, clock=clock)
