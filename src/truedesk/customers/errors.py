"""Domain errors raised by customers actions and selectors (stable `code` + message)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from truedesk.accounts.errors import DomainError, NotAllowed, NotStaff

__all__ = [
    "AlreadyHasLogin",
    "AuthorisationNotFound",
    "ContactPointExists",
    "ContactPointTaken",
    "CustomerNotFound",
    "InvalidContactPoint",
    "InvalidField",
    "InvalidValue",
    "MembershipExists",
    "NotAllowed",
    "NotStaff",
    "OrganisationNotFound",
    "PartnerNotFound",
    "StaleVersion",
]


class CustomerNotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such customer.")


class OrganisationNotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such organisation.")


class StaleVersion(DomainError):
    """Someone else saved first; `details["current_version"]` says which version is current."""

    code = "stale_version"
    http_status = 409
    default_message = _(
        "Someone else changed this record while you were editing it. "
        "Reload it and apply your change again."
    )

    @property
    def current_version(self) -> int | None:
        value = self.details.get("current_version")
        return int(value) if value is not None else None


class InvalidField(DomainError):
    code = "invalid_field"
    default_message = _("That field cannot be changed here.")


class InvalidValue(DomainError):
    code = "invalid_value"
    default_message = _("That value is not valid.")


class InvalidContactPoint(DomainError):
    code = "invalid_contact_point"
    default_message = _("Enter a valid email address or phone number.")


class ContactPointTaken(DomainError):
    code = "contact_point_taken"
    http_status = 409
    default_message = _("That email address already belongs to another customer.")


class ContactPointExists(DomainError):
    code = "contact_point_exists"
    http_status = 409
    default_message = _("The customer already has that contact point.")


class MembershipExists(DomainError):
    code = "membership_exists"
    http_status = 409
    default_message = _("The customer is already a member of that organisation.")


class AlreadyHasLogin(DomainError):
    code = "customer_has_login"
    http_status = 409
    default_message = _("The customer already has a portal login.")


class PartnerNotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such partner.")


class AuthorisationNotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such partner authorisation.")
