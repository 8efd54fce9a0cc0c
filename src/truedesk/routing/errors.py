"""Refusals of routing, skills and training writes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from truedesk.accounts.errors import DomainError, NotAllowed

__all__ = ["InvalidRoutingInput", "NotAllowed", "RoutingNotFound", "SkillInUse"]


class InvalidRoutingInput(DomainError):
    code = "invalid_value"
    http_status = 422
    default_message = _("Check the values entered.")


class RoutingNotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such record.")


class SkillInUse(DomainError):
    code = "skill_in_use"
    http_status = 409
    default_message = _("The skill is still granted by training or needed by a queue or case.")
