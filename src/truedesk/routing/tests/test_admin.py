"""The routing admin: training records and capacities are kept there, every change audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from truedesk.accounts.models import AuditEvent, User
from truedesk.routing.models import TrainingRecord


@pytest.fixture
def admin_client(world, client):
    client.force_login(User.objects.create_superuser("root", "root@truedesk.test", "x"))
    return client


def test_adding_a_training_record_in_the_admin_is_audited(world, admin_client, broadband_course):
    response = admin_client.post(
        reverse("admin:routing_trainingrecord_add"),
        {
            "agent": world.alice.pk,
            "module": broadband_course.pk,
            "completed_on": "2026-01-05",
            "expires_on": "2027-01-05",
        },
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert record.agent == world.alice
    audit = AuditEvent.objects.get(action="training_record.added_in_admin")
    assert audit.object_id == str(record.pk)


def test_an_expiry_before_completion_is_refused_in_the_admin(world, admin_client, broadband_course):
    response = admin_client.post(
        reverse("admin:routing_trainingrecord_add"),
        {
            "agent": world.alice.pk,
            "module": broadband_course.pk,
            "completed_on": "2026-01-05",
            "expires_on": "2025-01-05",
        },
    )
    assert response.status_code == 200
    assert not TrainingRecord.objects.exists()


def test_routing_items_are_read_only_in_the_admin(world, admin_client):
    assert admin_client.get(reverse("admin:routing_routingitem_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:routing_routingitem_add")).status_code == 403
