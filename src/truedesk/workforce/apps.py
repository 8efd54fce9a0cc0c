from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "truedesk.workforce"
    label = "workforce"
    verbose_name = _("Queues and workforce")

    def ready(self) -> None:
        # Cases sit below workforce: they ask about shifts through this check,
        # so a transfer to a person who is off shift is refused.
        from truedesk.cases import availability
        from truedesk.workforce import selectors

        availability.set_shift_check(selectors.agent_shift_availability)
