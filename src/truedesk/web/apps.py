from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """Shared page layout, static files, sign-in pages and the `truedesk` commands."""

    name = "truedesk.web"
    label = "web"
    verbose_name = _("Web interface")
