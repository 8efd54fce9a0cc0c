"""Errors raised by notification actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from truedesk.accounts.errors import DomainError


class InvalidNotification(DomainError):
    code = "invalid_notification"
    default_message = _("The notification is not valid.")
