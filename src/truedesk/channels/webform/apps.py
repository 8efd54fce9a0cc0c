from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebformConfig(AppConfig):
    """The public contact form: a visitor opens a case without an account."""

    name = "truedesk.channels.webform"
    label = "webform"
    verbose_name = _("Web form")
