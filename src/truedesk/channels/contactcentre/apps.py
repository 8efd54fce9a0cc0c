from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactCentreConfig(AppConfig):
    name = "truedesk.channels.contactcentre"
    label = "contactcentre"
    verbose_name = _("Contact centre")
