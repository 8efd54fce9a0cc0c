from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromisesConfig(AppConfig):
    """The promise ledger: commitments to customers, tracked until kept, with reminders."""

    name = "truedesk.promises"
    label = "promises"
    verbose_name = _("Promises")
