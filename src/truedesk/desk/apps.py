from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The agent desk: server-rendered pages for staff."""

    name = "truedesk.desk"
    label = "desk"
    verbose_name = _("Agent desk")
