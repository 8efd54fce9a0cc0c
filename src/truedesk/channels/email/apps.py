from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailChannelConfig(AppConfig):
    """Email in (SMTP receiver, IMAP polling) and out (agents' replies), durably stored."""

    name = "truedesk.channels.email"
    label = "email_channel"
    verbose_name = _("Email channel")

    def ready(self) -> None:
        from truedesk.cases.actions import subscribe_to_case_events
        from truedesk.channels.email.outbound import on_case_event

        # An agent's public email reply is queued right after its commit; the
        # periodic sweep (periodic.py) catches any the process died before queuing.
        subscribe_to_case_events(on_case_event)
