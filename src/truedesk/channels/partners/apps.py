from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """Partner access: intermediaries open and follow cases for customers who authorised them."""

    name = "truedesk.channels.partners"
    label = "partners"
    verbose_name = _("Partner access")
