"""Demo data for the contact form: one topic per demo department."""

from __future__ import annotations

from truedesk.accounts.models import Department
from truedesk.channels.webform.models import ContactTopic


def build_webform_demo() -> None:
    """Offer every active department as a topic on /contact/ (idempotent)."""
    departments = Department.objects.filter(is_active=True).order_by("name")
    for position, department in enumerate(departments):
        ContactTopic.objects.get_or_create(
            department=department, defaults={"label": department.name, "position": position}
        )
