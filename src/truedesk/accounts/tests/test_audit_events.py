import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from truedesk.accounts.actions import SystemActor, record_audit_event
from truedesk.accounts.models import AppendOnlyError, AuditEvent, User


def test_audit_rows_name_the_actor_and_the_object(world):
    event = record_audit_event(
        actor=world.alice, action="customer.updated", target=world.dave, data={"a": 1}
    )
    assert (event.actor, event.actor_label) == (world.alice, "alice")
    assert (event.object_type, event.object_id) == ("customers.customer", str(world.dave.pk))


def test_system_actors_are_recorded_by_label(world):
    event = record_audit_event(actor=SystemActor("email"), action="customer.created")
    assert (event.actor, event.actor_label, event.object_type) == (None, "email", "")


def test_audit_rows_cannot_be_changed_through_the_model(world):
    event = record_audit_event(actor=world.alice, action="x.y")
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_audit_rows_cannot_be_rewritten_even_by_raw_queryset_writes(world):
    event = record_audit_event(actor=world.alice, action="x.y")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "x.y"


def test_createsuperuser_makes_a_staff_administrator(db):
    call_command(
        "createsuperuser", "--no-input", "--username", "root", "--email", "root@example.com"
    )
    root = User.objects.get(username="root")
    assert (root.kind, root.role, root.is_superuser) == ("staff", "admin", True)
    assert root.is_admin
