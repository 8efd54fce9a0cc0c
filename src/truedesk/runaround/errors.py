"""Domain errors of the runaround guard.

| class             | code               | HTTP | details |
|-------------------|--------------------|------|---------|
| NotAllowed        | not_allowed        | 403  |         |
| AlreadyRescued    | already_rescued    | 409  | owner   |
| NotRescuable      | not_rescuable      | 409  |         |
| NoOpenRescue      | no_open_rescue     | 409  |         |
| NoSeniorAvailable | no_senior          | 422  |         |
| InvalidOwner      | invalid_owner      | 422  |         |
| InvalidPeriod     | invalid_period     | 422  |         |
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from truedesk.accounts import errors as account_errors
from truedesk.accounts.errors import DomainError


class RunaroundError(DomainError):
    """Base of every runaround-guard error."""

    code = "runaround_error"
    default_message = _("The case could not be rescued.")


class NotAllowed(RunaroundError, account_errors.NotAllowed):
    """Only supervisors rescue by hand, choose the owner, reset the guard, read the report."""

    code = "not_allowed"
    http_status = 403
    default_message = _("Only a supervisor can do this.")


class AlreadyRescued(RunaroundError):
    """The case already has an open rescue (HTTP 409); `owner` names who took it."""

    code = "already_rescued"
    http_status = 409

    def __init__(self, message: str | Promise | None = None, *, owner_name: str) -> None:
        if message is None:
            message = gettext_now("%(name)s has already taken this case over.") % {
                "name": owner_name
            }
        super().__init__(message, owner=owner_name)
        self.owner_name = owner_name


class NotRescuable(RunaroundError):
    """The case is resolved, closed or merged: there is nothing to rescue (HTTP 409)."""

    code = "not_rescuable"
    http_status = 409
    default_message = _("Only open cases can be rescued.")


class NoOpenRescue(RunaroundError):
    """The guard of this case is not holding a rescue, so there is nothing to reset (HTTP 409)."""

    code = "no_open_rescue"
    http_status = 409
    default_message = _("This case has no rescue to end.")


class NoSeniorAvailable(RunaroundError):
    """No senior owner rule, department supervisor or supervisor is available (HTTP 422)."""

    code = "no_senior"
    default_message = _(
        "Nobody can take this case over: add a senior owner rule or a supervisor to the department."
    )


class InvalidOwner(RunaroundError):
    """The chosen senior owner is not an active staff member (HTTP 422)."""

    code = "invalid_owner"
    default_message = _("Choose an active staff member as the senior owner.")


class InvalidPeriod(RunaroundError):
    """A report period that ends before it starts or is too long (HTTP 422)."""

    code = "invalid_period"
    default_message = _("Choose a period that ends after it starts and lasts at most two years.")
