"""Domain errors of the webhooks channel.

| class              | code                | HTTP |
|--------------------|---------------------|------|
| WebhookError       | webhook_error       | 400  |
| NotAllowed         | not_allowed         | 403  |
| NotFound           | not_found           | 404  |
| StaleVersion       | stale_version       | 409  |
| InvalidWebhook     | invalid_webhook     | 422  |
| BlockedAddress     | blocked_address     | 422  |
| NotRedeliverable   | not_redeliverable   | 409  |
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from truedesk.accounts.errors import DomainError


class WebhookError(DomainError):
    code = "webhook_error"
    http_status = 400
    default_message = _("The webhook could not be changed.")


class NotAllowed(WebhookError):
    code = "not_allowed"
    http_status = 403
    default_message = _("Only administrators manage webhooks.")


class NotFound(WebhookError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such webhook.")


class StaleVersion(WebhookError):
    code = "stale_version"
    http_status = 409
    default_message = _("The webhook changed since you read it; reload and try again.")


class InvalidWebhook(WebhookError):
    code = "invalid_webhook"
    http_status = 422
    default_message = _("The webhook is not valid.")


class BlockedAddress(WebhookError):
    """The URL points at a private, loopback, link-local, multicast or reserved address."""

    code = "blocked_address"
    http_status = 422
    default_message = _(
        "Webhooks are not sent to private, loopback, link-local, multicast or reserved "
        "addresses unless an administrator allows the network."
    )


class NotRedeliverable(WebhookError):
    code = "not_redeliverable"
    http_status = 409
    default_message = _("Only a delivered or dead delivery can be sent again.")
