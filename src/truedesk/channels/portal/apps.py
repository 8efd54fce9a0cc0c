from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The customer portal: customers follow and open their own cases."""

    name = "truedesk.channels.portal"
    label = "portal"
    verbose_name = _("Customer portal")
