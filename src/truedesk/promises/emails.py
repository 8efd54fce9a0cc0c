"""The ledger's messages: email to customers and staff, desk notifications to staff.

Each function queues its message inside the caller's transaction under a
dedupe key that names the fact ("promise 12 missed, customer told"), so the
message commits with the change it reports, is sent at least once by the
worker, and is never queued twice however often the fact is processed.
Customers get their own language and time zone; staff theirs. Templates live
in templates/promises/email/<name>_subject.txt and <name>_body.txt.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from truedesk.accounts.models import User
from truedesk.cases.models import Case
from truedesk.notifications.actions import notify_staff, queue_email
from truedesk.notifications.errors import InvalidNotification
from truedesk.promises import selectors
from truedesk.promises.models import Promise

logger = logging.getLogger(__name__)

TEMPLATES = "promises/email/"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _local_text(moment: datetime, *, zone: str, language: str) -> str:
    """A moment as the recipient reads it: his time zone, his language's format."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment, _zone(zone)), "DATETIME_FORMAT")


def _desk_link(case: Case) -> str:
    return reverse("desk:case", kwargs={"number": case.number})


def _send(*, to: str, zone: str, language: str, template: str, key: str, context: Any) -> None:
    """Queue one email, rendered in the recipient's language and time zone."""
    if not to:
        return
    try:
        with timezone.override(_zone(zone)):
            queue_email(
                to=to, template=TEMPLATES + template, context=context, language=language,
                dedupe_key=key,
            )  # fmt: skip
    except InvalidNotification:
        # A bad address must not undo the promise change; the desk still shows it.
        logger.warning("not emailing %r for %s: not an address", to, key)


def _to_customer(case: Case, template: str, key: str, context: dict[str, Any]) -> None:
    customer = case.customer
    address = selectors.find_customer_email(customer)
    if address is None:
        logger.info("customer %s has no working email address; %s not sent", customer.pk, key)
        return
    portal = settings.SITE_URL + reverse("portal:case", kwargs={"number": case.number})
    base = {"customer_name": customer.name, "case": case, "portal_url": portal}
    _send(to=address, zone=customer.time_zone, language=customer.language, template=template,
          key=key, context={**base, **context})  # fmt: skip


def _to_staff(user: User, template: str, key: str, context: dict[str, Any]) -> None:
    desk = settings.SITE_URL + _desk_link(context["case"])
    _send(to=user.email, zone=user.time_zone, language=user.language, template=template, key=key,
          context={"recipient_name": user.display_name, "desk_url": desk, **context})  # fmt: skip


def confirm_promise(promise: Promise) -> None:
    """Tell the customer what was promised, listing all his open promises."""
    case = promise.case
    _to_customer(case, "confirmation", f"promise:{promise.pk}:made", {
        "promise": promise,
        "open_promises": selectors.list_open_promises_of(case.customer),
    })  # fmt: skip


def tell_kept(promise: Promise) -> None:
    """Tell the customer the promise was kept, and how."""
    _to_customer(promise.case, "kept", f"promise:{promise.pk}:kept", {"promise": promise})


def tell_broken(promise: Promise) -> None:
    """Tell the customer the promise will not be kept, and why."""
    _to_customer(promise.case, "broken", f"promise:{promise.pk}:broken", {"promise": promise})


def tell_renegotiated(old: Promise, new: Promise) -> None:
    """Tell the customer the new due time and why it moved."""
    _to_customer(old.case, "renegotiated", f"promise:{old.pk}:renegotiated",
                 {"promise": old, "successor": new})  # fmt: skip


def tell_missed(missed: Promise, follow_up: Promise) -> None:
    """Tell the customer, unasked, that we missed it, who now owns it and by when."""
    _to_customer(missed.case, "missed_customer", f"promise:{missed.pk}:missed:customer",
                 {"promise": missed, "follow_up": follow_up})  # fmt: skip


def remind_owner(promise: Promise) -> None:
    """A desk notification and an email to the owner before the promise falls due."""
    owner, case = promise.owner, promise.case
    if not owner.is_staff_member:
        return
    key = f"promise:{promise.pk}:reminder"
    with translation.override(owner.language):
        title = _("Promise to %(customer)s due %(due)s: %(what)s") % {
            "customer": case.customer.name,
            "due": _local_text(promise.due_at, zone=owner.time_zone, language=owner.language),
            "what": promise.get_kind_display(),
        }
    notify_staff(recipient=owner, kind="promise_due", title=title, body=promise.description,
                 dedupe_key=key, link=_desk_link(case))  # fmt: skip
    _to_staff(owner, "reminder", key, {"case": case, "promise": promise})


def alert_supervisors(missed: Promise, follow_up: Promise, supervisors: list[User]) -> None:
    """Each supervisor gets a desk notification and an email about the missed promise."""
    case = missed.case
    for supervisor in supervisors:
        key = f"promise:{missed.pk}:missed:supervisor:{supervisor.pk}"
        with translation.override(supervisor.language):
            title = _("Missed promise on case #%(number)s: %(owner)s, due %(due)s") % {
                "number": case.number,
                "owner": missed.owner.display_name,
                "due": _local_text(
                    missed.due_at, zone=supervisor.time_zone, language=supervisor.language
                ),
            }
        notify_staff(recipient=supervisor, kind="promise_missed", title=title,
                     body=missed.description, dedupe_key=key, link=_desk_link(case))  # fmt: skip
        _to_staff(supervisor, "missed_supervisor", key,
                  {"case": case, "promise": missed, "follow_up": follow_up})  # fmt: skip


def tell_follow_up_owner(follow_up: Promise, missed: Promise) -> None:
    """The owner of a follow-up promise learns on the desk that it is his now."""
    owner, case = follow_up.owner, follow_up.case
    if not owner.is_staff_member:
        return
    with translation.override(owner.language):
        title = _("You own the follow-up of a missed promise on case #%(number)s, due %(due)s") % {
            "number": case.number,
            "due": _local_text(follow_up.due_at, zone=owner.time_zone, language=owner.language),
        }
    notify_staff(recipient=owner, kind="promise_follow_up", title=title,
                 body=missed.description, dedupe_key=f"promise:{follow_up.pk}:follow-up-owner",
                 link=_desk_link(case))  # fmt: skip
