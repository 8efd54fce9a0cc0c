"""Domain errors of the contact-centre channel (all `accounts.errors.DomainError`).

| class            | code              | HTTP | details            |
|------------------|-------------------|------|--------------------|
| UnknownQueue     | unknown_queue     | 422  | queues (slugs)     |
| InvalidEvent     | invalid_event     | 422  | event, field       |
| QueueNotFound    | not_found         | 404  |                    |
| CallbackRefused  | callback_refused  | 409  |                    |
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from truedesk.accounts.errors import DomainError


class ContactCentreError(DomainError):
    code = "contact_centre_error"
    http_status = 422
    default_message = _("The contact-centre request could not be processed.")


class UnknownQueue(ContactCentreError):
    code = "unknown_queue"
    http_status = 422
    default_message = _("No active queue has that identifier; add it under Workforce → Queues.")


class InvalidEvent(ContactCentreError):
    code = "invalid_event"
    http_status = 422
    default_message = _("An event is not valid.")


class QueueNotFound(ContactCentreError):
    code = "not_found"
    http_status = 404
    default_message = _("There is no such queue.")


class CallbackRefused(ContactCentreError):
    code = "callback_refused"
    http_status = 409
    default_message = _("The call-back could not be arranged.")
