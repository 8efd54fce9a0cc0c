from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunaroundConfig(AppConfig):
    """The runaround guard: counts each case's runaround live and rescues crossed cases."""

    name = "truedesk.runaround"
    label = "runaround"
    verbose_name = _("Runaround guard")

    def ready(self) -> None:
        from truedesk.cases.actions import subscribe_to_case_events
        from truedesk.runaround.triggers import on_case_event

        subscribe_to_case_events(on_case_event)
