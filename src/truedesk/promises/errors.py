"""Domain errors of the promise ledger.

Promise actions raise the case errors for what they share with cases
(`NotAllowed` 403, `NotFound` 404, `StaleVersion` 409, `InvalidInput` 422 with
`field`), re-exported here, and one of their own:

| class           | code              | HTTP | details |
|-----------------|-------------------|------|---------|
| PromiseNotOpen  | promise_not_open  | 409  | status  |
"""

from __future__ import annotations

from django.utils.functional import Promise as LazyText
from django.utils.translation import gettext_lazy as _

from truedesk.cases.errors import CaseError, InvalidInput, NotAllowed, NotFound, StaleVersion

__all__ = [
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "PromiseError",
    "PromiseNotOpen",
    "StaleVersion",
]


class PromiseError(CaseError):
    """Base of the promise ledger's own errors."""

    code = "promise_error"
    http_status = 400
    default_message = _("The promise could not be changed.")


class PromiseNotOpen(PromiseError):
    """The promise was already kept, broken, renegotiated or missed (HTTP 409)."""

    code = "promise_not_open"
    http_status = 409
    default_message = _("This promise is no longer open.")

    def __init__(self, message: str | LazyText | None = None, *, status: str) -> None:
        super().__init__(message, status=status)
        self.status = status
