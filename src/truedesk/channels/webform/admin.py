"""Topics of the public contact form, and the department each one routes to."""

from __future__ import annotations

from django.contrib import admin

from truedesk.channels.webform.models import ContactTopic


@admin.register(ContactTopic)
class ContactTopicAdmin(admin.ModelAdmin):
    list_display = ("label", "department", "kind", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "department")
