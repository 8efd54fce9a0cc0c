from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    """SLA policies and clocks: response and resolution targets on business calendars."""

    name = "truedesk.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from truedesk.cases.actions import subscribe_to_case_events
        from truedesk.sla.triggers import on_case_event

        subscribe_to_case_events(on_case_event)
