from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notifications for staff and reliable outbound notification email."""

    name = "truedesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
