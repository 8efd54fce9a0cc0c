"""The SLA admin: policies saved through the action (versioned, audited); clocks read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from truedesk.accounts.models import AuditEvent, User
from truedesk.sla.models import SlaPolicy


@pytest.fixture
def admin_client(world, client):
    client.force_login(User.objects.create_superuser("root", "root@truedesk.test", "x"))
    return client


def _form(**fields):
    return {
        "name": "Gold",
        "description": "",
        "is_active": "on",
        "priority": "",
        "case_kind": "",
        "customer_tier": "gold",
        "order": "100",
        "calendar": "",
        "first_response_minutes": "60",
        "next_response_minutes": "",
        "resolution_minutes": "480",
        "warning_percent": "80",
        "warning_minutes": "",
        "escalate_to_supervisor": "on",
        "reassign_to": "",
        **fields,
    }


def test_an_admin_creates_and_changes_a_policy_through_the_action(admin_client):
    added = admin_client.post(reverse("admin:sla_slapolicy_add"), _form())
    assert added.status_code == 302
    policy = SlaPolicy.objects.get(name="Gold")

    changed = admin_client.post(
        reverse("admin:sla_slapolicy_change", args=[policy.pk]), _form(first_response_minutes="30")
    )

    assert changed.status_code == 302
    policy.refresh_from_db()
    assert (policy.version, policy.first_response_minutes) == (2, 30)
    assert AuditEvent.objects.filter(action__startswith="sla_policy.").count() == 2


def test_the_policy_form_explains_targets_in_business_time(admin_client):
    page = admin_client.get(reverse("admin:sla_slapolicy_add")).content.decode()

    assert "first response within 4 business hours" in page


def test_a_policy_without_targets_is_refused_with_a_message(admin_client):
    page = admin_client.post(
        reverse("admin:sla_slapolicy_add"), _form(first_response_minutes="", resolution_minutes="")
    )

    assert page.status_code == 200
    assert "Give at least one target." in page.content.decode()
    assert not SlaPolicy.objects.exists()


def test_clocks_can_be_looked_at_but_not_changed(admin_client, world, standard, make_case):
    case = make_case()

    listing = admin_client.get(reverse("admin:sla_slaclock_changelist"))

    assert listing.status_code == 200
    assert f"#{case.number}" in listing.content.decode()
    assert admin_client.get(reverse("admin:sla_slaclock_add")).status_code == 403
