"""Domain errors raised by case actions and selectors.

Every error is an `accounts.errors.DomainError`: a stable snake_case `code`
(for API clients and logs), a translated human `message`, the HTTP status the
API answers with (`http_status`) and structured `details`. Interfaces map
errors by class or code; they never parse messages.

| class               | code                  | HTTP | details                 |
|---------------------|-----------------------|------|-------------------------|
| NotAllowed          | not_allowed           | 403  |                         |
| NotFound            | not_found             | 404  |                         |
| StaleVersion        | stale_version         | 409  | current_version         |
| AlreadyOwned        | already_owned         | 409  | owner (display name)    |
| InvalidTransition   | invalid_transition    | 409  |                         |
| TransferNotPending  | transfer_not_pending  | 409  |                         |
| DepartmentClosed    | department_closed     | 409  | next_open_at, department|
| AgentOffShift       | agent_off_shift       | 409  | next_open_at, agent     |
| InvalidTransfer     | invalid_transfer      | 422  |                         |
| AttachmentRejected  | attachment_rejected   | 422  |                         |
| MergeNotAllowed     | merge_not_allowed     | 422  |                         |
| LinkNotAllowed      | link_not_allowed      | 422  |                         |
| InvalidInput        | invalid_input         | 422  | field                   |
| InvalidCursor       | invalid_cursor        | 400  |                         |
"""

from __future__ import annotations

from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from truedesk.accounts import errors as account_errors
from truedesk.accounts.errors import DomainError


class CaseError(DomainError):
    """Base of every case-domain error."""

    code = "case_error"
    http_status = 400
    default_message = _("The case could not be changed.")


class NotAllowed(CaseError, account_errors.NotAllowed):
    """The acting user may not do this (HTTP 403). Selectors use NotFound to hide existence."""

    code = "not_allowed"
    http_status = 403
    default_message = _("You are not allowed to do this.")


class NotFound(CaseError):
    """No such object, or the user may not see it (HTTP 404; existence is never revealed)."""

    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class StaleVersion(CaseError):
    """Someone changed the case since the caller read it (HTTP 409); reload and retry."""

    code = "stale_version"
    http_status = 409
    default_message = _("Someone else changed this case in the meantime. Reload it and try again.")

    def __init__(
        self, message: str | Promise | None = None, *, current_version: int | None
    ) -> None:
        super().__init__(message, current_version=current_version)
        self.current_version = current_version


class AlreadyOwned(CaseError):
    """Someone else took the case first (HTTP 409); `owner_name` (details "owner") says who."""

    code = "already_owned"
    http_status = 409

    def __init__(self, message: str | Promise | None = None, *, owner_name: str) -> None:
        if message is None:
            message = gettext_now("%(name)s has already taken this case.") % {"name": owner_name}
        super().__init__(message, owner=owner_name)
        self.owner_name = owner_name
        self.owner = owner_name


class InvalidTransition(CaseError):
    """The case's current status does not allow this change (HTTP 409)."""

    code = "invalid_transition"
    http_status = 409
    default_message = _("The case cannot move to that status from its current status.")


class TransferNotPending(CaseError):
    """The transfer was already accepted, declined, cancelled or has expired (HTTP 409)."""

    code = "transfer_not_pending"
    http_status = 409
    default_message = _("This transfer is no longer waiting for an answer.")


class ReceiverUnavailable(CaseError):
    """The department or person a case would go to is not there now (HTTP 409).

    `next_open_at` (aware UTC, or None when not within a year) says when they
    are; details carry it as an ISO 8601 string for API clients.
    """

    code = "receiver_unavailable"
    http_status = 409
    default_message = _("Nobody is there to take the case now.")
    receiver_key = "receiver"

    def __init__(
        self, message: str | Promise | None = None, *, receiver: str, next_open_at: datetime | None
    ) -> None:
        iso = next_open_at.isoformat() if next_open_at is not None else None
        super().__init__(message, **{"next_open_at": iso, self.receiver_key: receiver})
        self.receiver = receiver
        self.next_open_at = next_open_at


class DepartmentClosed(ReceiverUnavailable):
    """The department is closed by its opening hours; details: next_open_at, department."""

    code = "department_closed"
    default_message = _("That department is closed now.")
    receiver_key = "department"


class AgentOffShift(ReceiverUnavailable):
    """The person keeps shifts and is not on one now; details: next_open_at, agent."""

    code = "agent_off_shift"
    default_message = _("That person is not on shift now.")
    receiver_key = "agent"


class InvalidTransfer(CaseError):
    """The transfer breaks a rule: receiver, reason, hand-off note, one pending (HTTP 422)."""

    code = "invalid_transfer"
    http_status = 422
    default_message = _("This transfer is not possible.")


class AttachmentRejected(CaseError):
    """A file was refused: too large, too many or unreadable (HTTP 422)."""

    code = "attachment_rejected"
    http_status = 422
    default_message = _("The file was not accepted.")


class MergeNotAllowed(CaseError):
    """The cases cannot be merged: same case, already merged, other customer (HTTP 422)."""

    code = "merge_not_allowed"
    http_status = 422
    default_message = _("These cases cannot be merged.")


class LinkNotAllowed(CaseError):
    """The link would point to the case itself, repeat or contradict one (HTTP 422)."""

    code = "link_not_allowed"
    http_status = 422
    default_message = _("These cases cannot be linked that way.")


class InvalidInput(CaseError):
    """A value is missing or malformed (HTTP 422); `field` (also in details) names it."""

    code = "invalid_input"
    http_status = 422
    default_message = _("Some of the values are not valid.")

    def __init__(self, message: str | Promise | None = None, *, field: str = "") -> None:
        if field:
            super().__init__(message, field=field)
        else:
            super().__init__(message)
        self.field = field


class InvalidCursor(CaseError):
    """A pagination cursor was not produced by this server (HTTP 400)."""

    code = "invalid_cursor"
    http_status = 400
    default_message = _("The page cursor is not valid. Start again from the first page.")
