"""Domain errors raised by accounts actions and selectors.

Every error carries a stable machine-readable `code` (for the API and tests),
the HTTP status an API answers with and a translated message for people;
`details` holds structured extras (the field at fault, the current version).
Other apps derive their errors from `DomainError` so interfaces can render all
of them the same way.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refused operation: stable `code`, translated `message`, optional `details`."""

    code: ClassVar[str] = "invalid"
    http_status: ClassVar[int] = 422
    default_message: ClassVar[str | Promise] = _("The request could not be completed.")

    def __init__(self, message: str | Promise | None = None, **details: Any) -> None:
        # Translate when raised, so the message is in the language active for
        # the request that triggered it.
        self.message = str(self.default_message if message is None else message)
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        """The error as an API body: code, message and any details."""
        return {"code": self.code, "message": self.message, **self.details}


class NotAllowed(DomainError):
    code = "not_allowed"
    http_status = 403
    default_message = _("You are not allowed to do that.")


class UserNotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such user.")


class InvalidUsername(DomainError):
    code = "invalid_username"
    default_message = _("Enter a user name of letters, digits and @ . + - _ only.")


class InvalidName(DomainError):
    code = "invalid_name"
    default_message = _("Names are limited to 150 characters.")


class UsernameTaken(DomainError):
    code = "username_taken"
    http_status = 409
    default_message = _("That user name is already in use.")


class InvalidEmail(DomainError):
    code = "invalid_email"
    default_message = _("Enter a valid email address.")


class WeakPassword(DomainError):
    code = "weak_password"
    default_message = _("That password is too weak.")


class InvalidRole(DomainError):
    code = "invalid_role"
    default_message = _("That is not a staff role.")


class InvalidPreference(DomainError):
    code = "invalid_preference"
    default_message = _("That language or time zone is not available.")


class NotStaff(DomainError):
    code = "not_staff"
    default_message = _("Only active staff members can be given this.")


class AlreadyMember(DomainError):
    code = "already_member"
    http_status = 409
    default_message = _("That person is already a member of this department.")


class NotMember(DomainError):
    code = "not_member"
    http_status = 409
    default_message = _("That person is not a member of this department.")


class TokenNameTaken(DomainError):
    code = "token_name_taken"
    http_status = 409
    default_message = _("This user already has a token with that name.")


class InvalidTokenName(DomainError):
    code = "invalid_token_name"
    default_message = _("Give the token a name of 1 to 100 characters.")


class InvalidTokenLifetime(DomainError):
    code = "invalid_token_lifetime"
    default_message = _("A token must last between 1 and 3650 days.")


class TokenAlreadyRevoked(DomainError):
    code = "token_revoked"
    http_status = 409
    default_message = _("That token has already been revoked.")
