from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """`truedesk demo`: a believable service organisation to try Truedesk on."""

    name = "truedesk.demo"
    label = "demo"
    verbose_name = _("Demo data")
