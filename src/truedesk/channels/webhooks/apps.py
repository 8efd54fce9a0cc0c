from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Outbound webhooks: case events signed and delivered to integrators' URLs."""

    name = "truedesk.channels.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")
