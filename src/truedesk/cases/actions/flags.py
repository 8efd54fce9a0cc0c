"""Clearing a case's flag (e.g. a missed promise)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from truedesk.accounts.actions import record_audit_event
from truedesk.accounts.models import User
from truedesk.cases import permissions
from truedesk.cases.actions._shared import _lock, _record, _write
from truedesk.cases.errors import InvalidInput, NotAllowed, StaleVersion
from truedesk.cases.models import Case, EventKind

MAX_FLAG_NOTE_CHARS = 500


def can_clear_flag(user: Any, case: Case) -> bool:
    """The case's owner, or a supervisor who can see it, may clear its flag."""
    if not permissions.can_view_case(user, case) or not permissions.is_staff(user):
        return False
    return permissions.is_supervisor(user) or case.owner_id == getattr(user, "pk", None)


def clear_case_flag(
    *, acting_user: User, case: Case, reason: str, expected_version: int | None = None
) -> Case:
    """Clear the case's flag (e.g. a missed promise), saying why; on the timeline and audited.

    The owner or a supervisor. Idempotent: an unflagged case is returned
    unchanged (a retry after success changes nothing). With `expected_version`,
    a caller who read a case that has changed since gets StaleVersion.
    """
    if not can_clear_flag(acting_user, case):
        raise NotAllowed()
    note = " ".join(str(reason or "").split())
    if not note:
        raise InvalidInput(_("Say why the flag can be cleared."), field="reason")
    if len(note) > MAX_FLAG_NOTE_CHARS:
        raise InvalidInput(
            _("Keep the reason under %(count)d characters.") % {"count": MAX_FLAG_NOTE_CHARS},
            field="reason",
        )
    with transaction.atomic():
        _lock(case)
        if case.flagged_at is None:
            return case
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(current_version=case.version)
        flag = {"reason": case.flag_reason, "flagged_at": case.flagged_at.isoformat()}
        _write(case, flagged_at=None, flag_reason="")
        _record(case, EventKind.FLAG_CLEARED, {"reason": note, "flag": flag}, actor=acting_user)
        record_audit_event(
            actor=acting_user,
            action="case.flag_cleared",
            target=case,
            data={"case": case.number, "reason": note, "flag": flag},
        )
    return case
