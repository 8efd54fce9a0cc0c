from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Skills, training, presence and capacity; the routing engine and its hold queue."""

    name = "truedesk.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        # Cases sit below routing and never import it: new unowned cases and
        # freed agents reach the engine through this after-commit subscription
        # (a queued task), with the periodic sweep as the safety net.
        from truedesk.cases.actions import subscribe_to_case_events
        from truedesk.routing.triggers import on_case_event

        subscribe_to_case_events(on_case_event)
