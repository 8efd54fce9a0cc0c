"""A case's details (subject, kind, priority, department, tags…) and its status."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.models import Department, User
from truedesk.cases import availability, permissions
from truedesk.cases.actions._shared import (
    Status,
    _check_transition,
    _clean_subject,
    _lock,
    _named_ref,
    _record,
    _require_choice,
    _status_values,
    _write,
)
from truedesk.cases.actions.tags import _apply_tags, _normalise_tags
from truedesk.cases.actions.transfers import _cancel_pending_transfers
from truedesk.cases.errors import InvalidInput, NotAllowed, StaleVersion
from truedesk.cases.models import Case, EventKind
from truedesk.customers.models import Organisation


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class CaseChanges:
    """Fields to change in update_case; a field left UNSET stays as it is."""

    subject: str = UNSET
    kind: str = UNSET
    priority: int = UNSET
    severity: int = UNSET
    department: Department | None = UNSET
    organisation: Organisation | None = UNSET
    tags: list[str] = UNSET

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if not isinstance(getattr(self, f.name), _Unset)
        }


def _validated_changes(case: Case, changes: CaseChanges) -> dict[str, Any]:
    values = changes.given()
    values.pop("tags", None)
    if "subject" in values:
        values["subject"] = _clean_subject(values["subject"])
    if "kind" in values:
        _require_choice(values["kind"], Case.Kind.values, "kind")
    if "priority" in values:
        _require_choice(values["priority"], Case.Priority.values, "priority")
    if "severity" in values:
        _require_choice(values["severity"], Case.Severity.values, "severity")
    department = values.get("department")
    if department is not None and not department.is_active:
        raise InvalidInput(_("That department is closed."), field="department")
    organisation = values.get("organisation")
    if (
        organisation is not None
        and not case.customer.memberships.filter(organisation=organisation).exists()
    ):
        raise InvalidInput(
            _("The customer does not belong to that organisation."), field="organisation"
        )
    return values


def _as_json(value: Any) -> Any:
    if isinstance(value, Department | Organisation):
        return _named_ref(value)
    return value


def update_case(
    *, acting_user: User, case: Case, expected_version: int, changes: CaseChanges
) -> Case:
    """Change subject, kind, priority, severity, department, organisation or tags.

    Optimistic locking: raises StaleVersion unless `expected_version` is the
    current version. The event lists each changed field before→after; nothing
    changed means no write and no event. Moving the case into a department
    that is closed right now raises DepartmentClosed.
    """
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    with transaction.atomic():
        _lock(case)
        if case.version != expected_version:
            raise StaleVersion(current_version=case.version)
        values = _validated_changes(case, changes)
        diff: dict[str, dict[str, Any]] = {}
        for name, after in values.items():
            before = getattr(case, name)
            if before != after:
                diff[name] = {"before": _as_json(before), "after": _as_json(after)}
        if "department" in diff and values["department"] is not None:
            # Routing a case into a closed department strands the customer there.
            availability.check_receiver_available(
                to_user=None, to_department=values["department"], at=timezone.now()
            )
        if "tags" in changes.given():
            names = _normalise_tags(changes.tags)
            before_tags = sorted(case.tags.values_list("name", flat=True))
            if before_tags != sorted(names):
                _apply_tags(case, names)
                diff["tags"] = {"before": before_tags, "after": sorted(names)}
        if not diff:
            return case
        _write(
            case,
            expected_version=expected_version,
            **{k: v for k, v in values.items() if k in diff},
        )
        _record(case, EventKind.UPDATED, {"changes": diff}, actor=acting_user)
    return case


def change_status(
    *, acting_user: User, case: Case, status: str, expected_version: int | None = None
) -> Case:
    """Move the case along ALLOWED_TRANSITIONS; sets resolved_at / closed_at.

    The same status again changes nothing. With `expected_version`, a stale
    caller gets StaleVersion.
    """
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    with transaction.atomic():
        _lock(case)
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(current_version=case.version)
        old = case.status
        if status == old:
            return case
        _check_transition(old, status)
        if status == Status.CLOSED:
            _cancel_pending_transfers(case, acting_user=acting_user, why="closed")
        _write(case, **_status_values(old, status, timezone.now()))
        _record(
            case,
            EventKind.STATUS_CHANGED,
            {"status": {"before": old, "after": status}},
            actor=acting_user,
        )
    return case
