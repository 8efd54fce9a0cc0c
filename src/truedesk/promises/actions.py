"""Every write to the promise ledger: record, keep, break, renegotiate, and the due sweep.

Each action is keyword-only, takes the acting user, runs in one transaction,
checks permissions and invariants (raising `truedesk.promises.errors`), writes
one CaseEvent on the case's timeline and queues its messages in the same
transaction (see `emails`), so a change and the word of it commit together.

`process_due_promises` is the timer: deadlines are rows, and an indexed sweep
run by `truedesk worker` reminds, marks missed and follows up. Every effect is
claimed by a conditional UPDATE and carries a dedupe key, so two workers, or a
sweep re-run after a crash, never repeat a reminder, an alert or an email.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import User
from truedesk.cases import permissions
from truedesk.cases.errors import InvalidTransition
from truedesk.cases.events import record_case_event
from truedesk.cases.models import Case, CaseEvent, EventKind
from truedesk.lib.sweeps import for_each_due
from truedesk.promises import emails, selectors
from truedesk.promises.errors import (
    InvalidInput,
    NotAllowed,
    PromiseNotOpen,
    StaleVersion,
)
from truedesk.promises.models import MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS, Promise

logger = logging.getLogger(__name__)

Status = Promise.Status
# A due time further out than this is a typing mistake, not a promise.
MAX_AHEAD = timedelta(days=366)
SWEEP_BATCH = 200
SYSTEM = "system"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- small shared pieces -------------------------------------------------------------


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _promise_data(promise: Promise) -> dict[str, Any]:
    return {
        "promise_id": promise.pk,
        "kind": promise.kind,
        "description": promise.description,
        "due_at": promise.due_at.isoformat(),
        "owner": _user_ref(promise.owner),
    }


def _event(
    case: Case, kind: str, data: dict[str, Any], *, actor: User | None, at: datetime
) -> CaseEvent:
    # Through the one writer of case events: append-only, announced after the commit.
    acting: User | SystemActor = actor if actor is not None else SystemActor(SYSTEM)
    return record_case_event(acting_user=acting, case=case, kind=kind, data=data, at=at)


def _clean_text(value: Any, *, field: str, limit: int, missing: str) -> str:
    text = _CONTROL.sub("", str(value or "")).strip()
    if not text:
        raise InvalidInput(missing, field=field)
    if len(text) > limit:
        raise InvalidInput(_("Keep it under %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def _check_due(due_at: Any, now: datetime) -> datetime:
    if not isinstance(due_at, datetime) or timezone.is_naive(due_at):
        raise InvalidInput(_("Give the due time with its time zone."), field="due_at")
    if due_at <= now:
        raise InvalidInput(_("A promise is due in the future."), field="due_at")
    if due_at > now + MAX_AHEAD:
        raise InvalidInput(_("A promise is due within a year."), field="due_at")
    return due_at


def _check_owner(owner: Any, case: Case) -> User:
    if not permissions.is_staff(owner):
        raise InvalidInput(_("The owner must be an active staff member."), field="owner")
    if not permissions.can_work_case(owner, case):
        raise InvalidInput(_("The owner must be able to work this case."), field="owner")
    assert isinstance(owner, User)
    return owner


def _check_can_change(user: Any, promise: Promise) -> None:
    """The promise's owner, and anyone who may work the case, may settle it."""
    if not permissions.is_staff(user):
        raise NotAllowed()
    if promise.owner_id != user.pk and not permissions.can_work_case(user, promise.case):
        raise NotAllowed(_("Only the owner or someone working the case can change a promise."))


def _close(promise: Promise, *, expected_version: int | None, **values: Any) -> Promise:
    """Move an open promise out of `open` exactly once; refuse if it moved on meanwhile."""
    rows = Promise.objects.filter(pk=promise.pk, status=Status.OPEN)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1, **values):
        status, version = Promise.objects.values_list("status", "version").get(pk=promise.pk)
        if status != Status.OPEN:
            raise PromiseNotOpen(status=status)
        raise StaleVersion(
            _("Someone else changed this promise in the meantime. Reload it and try again."),
            current_version=version,
        )
    promise.refresh_from_db()
    return promise


# --- recording and settling ---------------------------------------------------------------


def record_promise(
    *,
    acting_user: User,
    case: Case,
    kind: str,
    description: str,
    due_at: datetime,
    owner: User | None = None,
) -> Promise:
    """Record a promise to the case's customer; he is emailed a list of his open promises.

    The acting user must be able to work the case; the owner (default: the
    acting user) must be active staff who can work it; the due time lies in
    the future (within a year). Closed cases take no new promises.
    """
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    owner = _check_owner(owner or acting_user, case)
    if kind not in Promise.Kind.values:
        raise InvalidInput(_("Choose what kind of promise it is."), field="kind")
    text = _clean_text(description, field="description", limit=MAX_DESCRIPTION_CHARS,
                       missing=_("Write what exactly was promised."))  # fmt: skip
    now = timezone.now()
    _check_due(due_at, now)
    if case.status == Case.Status.CLOSED:
        raise InvalidTransition(_("A closed case takes no new promises."))
    with transaction.atomic():
        promise = Promise.objects.create(
            case=case, kind=kind, description=text, due_at=due_at, owner=owner,
            made_by=acting_user, made_at=now,
        )  # fmt: skip
        _event(case, EventKind.PROMISE_MADE, _promise_data(promise), actor=acting_user, at=now)
        emails.confirm_promise(promise)
    return promise


def keep_promise(
    *, acting_user: User, promise: Promise, how: str, expected_version: int | None = None
) -> Promise:
    """Record that an open promise was kept, when and how; the customer is told."""
    _check_can_change(acting_user, promise)
    note = _clean_text(how, field="how", limit=MAX_NOTE_CHARS,
                       missing=_("Say how the promise was kept."))  # fmt: skip
    with transaction.atomic():
        now = timezone.now()
        _close(promise, expected_version=expected_version, status=Status.KEPT, kept_at=now,
               kept_note=note, closed_at=now, closed_by=acting_user)  # fmt: skip
        data = {**_promise_data(promise), "how": note, "on_time": now <= promise.due_at}
        _event(promise.case, EventKind.PROMISE_KEPT, data, actor=acting_user, at=now)
        emails.tell_kept(promise)
    return promise


def break_promise(
    *, acting_user: User, promise: Promise, reason: str, expected_version: int | None = None
) -> Promise:
    """Give up an open promise with a reason the customer is told."""
    _check_can_change(acting_user, promise)
    why = _clean_text(reason, field="reason", limit=MAX_NOTE_CHARS,
                      missing=_("Tell the customer why the promise cannot be kept."))  # fmt: skip
    with transaction.atomic():
        now = timezone.now()
        _close(promise, expected_version=expected_version, status=Status.BROKEN, reason=why,
               closed_at=now, closed_by=acting_user)  # fmt: skip
        data = {**_promise_data(promise), "reason": why}
        _event(promise.case, EventKind.PROMISE_BROKEN, data, actor=acting_user, at=now)
        emails.tell_broken(promise)
    return promise


def renegotiate_promise(
    *,
    acting_user: User,
    promise: Promise,
    due_at: datetime,
    reason: str,
    description: str = "",
    expected_version: int | None = None,
) -> Promise:
    """Replace an open promise with one due later (or sooner); returns the successor.

    A reason is required and the customer is told it with the new due time.
    The successor keeps the kind and the owner (the acting user when the
    owner can no longer work the case) and, unless given, the description.
    """
    _check_can_change(acting_user, promise)
    why = _clean_text(reason, field="reason", limit=MAX_NOTE_CHARS,
                      missing=_("Tell the customer why the promise changes."))  # fmt: skip
    text = promise.description
    if str(description or "").strip():
        text = _clean_text(description, field="description", limit=MAX_DESCRIPTION_CHARS,
                           missing="")  # fmt: skip
    now = timezone.now()
    _check_due(due_at, now)
    owner = promise.owner
    if not (permissions.is_staff(owner) and permissions.can_work_case(owner, promise.case)):
        owner = acting_user
    with transaction.atomic():
        successor = Promise.objects.create(
            case=promise.case, kind=promise.kind, description=text, due_at=due_at, owner=owner,
            made_by=acting_user, made_at=now,
        )  # fmt: skip
        before = promise.due_at
        _close(promise, expected_version=expected_version, status=Status.RENEGOTIATED,
               reason=why, replaced_by=successor, closed_at=now, closed_by=acting_user)  # fmt: skip
        data = {
            **_promise_data(successor),
            "replaces": promise.pk,
            "due_at_before": before.isoformat(),
            "reason": why,
        }
        _event(promise.case, EventKind.PROMISE_RENEGOTIATED, data, actor=acting_user, at=now)
        emails.tell_renegotiated(promise, successor)
    return successor


# --- the due sweep ------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    """What one sweep did: owners reminded, promises marked missed, misses followed up."""

    reminded: int = 0
    missed: int = 0
    followed_up: int = 0


def _each(ids: Callable[[], QuerySet[Promise]], step: Callable[[int], bool]) -> int:
    """Run `step` on every due id, a batch at a time (see truedesk.lib.sweeps)."""
    return for_each_due(ids, step, batch=SWEEP_BATCH, what="promise")


def remind_owner(promise_id: int, *, now: datetime, lead: timedelta) -> bool:
    """Remind the owner of one promise falling due within `lead`, once; True if this call did."""
    with transaction.atomic():
        claimed = Promise.objects.filter(
            pk=promise_id, status=Status.OPEN, reminded_at__isnull=True,
            due_at__gt=now, due_at__lte=now + lead,
        ).update(reminded_at=now)  # fmt: skip
        if not claimed:
            return False
        promise = Promise.objects.select_related("case__customer", "owner").get(pk=promise_id)
        emails.remind_owner(promise)
    return True


def mark_missed(promise_id: int, *, now: datetime) -> bool:
    """Mark one open promise past its due time as missed; True if this call did (one winner)."""
    with transaction.atomic():
        if not Promise.objects.filter(pk=promise_id, status=Status.OPEN, due_at__lte=now).update(
            status=Status.MISSED, closed_at=now, version=F("version") + 1
        ):
            return False
        promise = Promise.objects.select_related("case", "owner").get(pk=promise_id)
        _event(promise.case, EventKind.PROMISE_MISSED, _promise_data(promise), actor=None, at=now)
    return True


def _follow_up_owner(case: Case, supervisors: list[User], missed: Promise) -> User:
    if case.owner is not None and case.owner.is_staff_member:
        return case.owner
    return supervisors[0] if supervisors else missed.owner


def _flag(case: Case, missed: Promise, now: datetime) -> None:
    """Flag the case for a supervisor (once; a flagged case keeps its first reason)."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Promise missed: %(kind)s due %(due)s") % {
            "kind": missed.get_kind_display(),
            # The site's own time zone: the flag is read by staff anywhere.
            "due": timezone.localtime(missed.due_at, timezone.get_default_timezone()).strftime(
                "%Y-%m-%d %H:%M"
            ),
        }
    if Case.objects.filter(pk=case.pk, flagged_at__isnull=True).update(
        flagged_at=now, flag_reason=reason[:250], version=F("version") + 1, updated_at=now
    ):
        _event(case, EventKind.FLAGGED, {"reason": reason, "promise_id": missed.pk},
               actor=None, at=now)  # fmt: skip


def _claim_unhandled(promise_id: int) -> Promise | None:
    rows = Promise.objects.filter(
        pk=promise_id, status=Status.MISSED, missed_handled_at__isnull=True
    )
    if connection.vendor == "postgresql":
        # A second worker skips a breach the first is handling instead of
        # waiting for it and then finding it done.
        rows = rows.select_for_update(skip_locked=True)
    return rows.first()


def follow_up_missed(promise_id: int, *, now: datetime, recovery: timedelta) -> bool:
    """Finish one missed promise: flag the case, make the follow-up promise, alert the
    department's supervisors, tell the customer who now owns it and by when. Once."""
    with transaction.atomic():
        missed = _claim_unhandled(promise_id)
        if missed is None:
            return False
        case = Case.objects.select_related("owner", "customer").get(pk=missed.case_id)
        supervisors = selectors.list_supervisors_for(case)
        follow_up = missed.replaced_by
        if follow_up is None:
            follow_up = Promise.objects.create(
                case=case, kind=missed.kind, description=missed.description,
                due_at=now + recovery, owner=_follow_up_owner(case, supervisors, missed),
                made_by=None, made_at=now,
            )  # fmt: skip
            data = {**_promise_data(follow_up), "follows": missed.pk}
            _event(case, EventKind.PROMISE_MADE, data, actor=None, at=now)
        _flag(case, missed, now)
        emails.alert_supervisors(missed, follow_up, supervisors)
        emails.tell_follow_up_owner(follow_up, missed)
        emails.tell_missed(missed, follow_up)
        Promise.objects.filter(pk=missed.pk).update(missed_handled_at=now, replaced_by=follow_up)
    return True


def process_due_promises(*, now: datetime | None = None) -> SweepResult:
    """The timer of the ledger: mark overdue promises missed and follow each one up, then
    remind owners of promises due within the reminder lead time.

    At least once and idempotent: safe on any number of workers and after a
    crash at any point (a missed promise not yet followed up is finished by
    the next sweep). Returns what this call did.
    """
    moment = now or timezone.now()
    config = selectors.get_promise_settings()
    open_promises = Promise.objects.filter(status=Status.OPEN).order_by("due_at", "pk")
    missed = _each(
        lambda: open_promises.filter(due_at__lte=moment),
        lambda pk: mark_missed(pk, now=moment),
    )
    followed_up = _each(
        lambda: Promise.objects.filter(
            status=Status.MISSED, missed_handled_at__isnull=True
        ).order_by("closed_at", "pk"),
        lambda pk: follow_up_missed(pk, now=moment, recovery=config.recovery_time),
    )
    reminded = _each(
        lambda: open_promises.filter(
            due_at__gt=moment, due_at__lte=moment + config.reminder_lead,
            reminded_at__isnull=True,
        ),
        lambda pk: remind_owner(pk, now=moment, lead=config.reminder_lead),
    )  # fmt: skip
    return SweepResult(reminded=reminded, missed=missed, followed_up=followed_up)
