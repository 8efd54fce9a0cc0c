"""Domain errors of schedules and published service levels.

| class           | code              | HTTP | details |
|-----------------|-------------------|------|---------|
| InvalidSchedule | invalid_schedule  | 422  | field   |
| InvalidPlan     | invalid_plan      | 422  |         |

Permission refusals are accounts.errors.NotAllowed (403).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.errors import DomainError


class WorkforceError(DomainError):
    """Base of every workforce-domain error."""

    code = "workforce_error"
    http_status = 400
    default_message = _("The schedule could not be changed.")


class InvalidSchedule(WorkforceError):
    """A shift or service level breaks a rule (HTTP 422); `field` names the value at fault."""

    code = "invalid_schedule"
    http_status = 422
    default_message = _("Some of the schedule's values are not valid.")

    def __init__(self, message: str | Promise | None = None, *, field: str = "") -> None:
        super().__init__(message, **({"field": field} if field else {}))
        self.field = field

    @classmethod
    def from_validation(cls, error: ValidationError) -> InvalidSchedule:
        """The first problem of a model's full_clean, with its field."""
        if hasattr(error, "error_dict"):
            field, problems = next(iter(error.error_dict.items()))
            messages = [m for problem in problems for m in problem.messages]
            return cls(messages[0] if messages else None, field="" if field == "__all__" else field)
        return cls(error.messages[0] if error.messages else None)


class InvalidPlan(WorkforceError):
    """A staffing plan that cannot be made as asked, e.g. for a week too far ahead (422)."""

    code = "invalid_plan"
    http_status = 422
    default_message = _("The staffing plan cannot be made as asked.")
