import pytest
from django.db import DatabaseError, transaction

from truedesk.cases.models import AppendOnlyError, Case, CaseEvent
from truedesk.cases.numbering import next_case_number


@pytest.mark.django_db
def test_case_numbers_increase_without_repeats():
    numbers = [next_case_number() for _ in range(5)]
    assert numbers == sorted(set(numbers))
    assert numbers[0] >= 1000


def _case(world):
    return Case.objects.create(
        number=next_case_number(), subject="Router down", customer=world.dave
    )


def test_case_events_cannot_be_changed_through_the_model(world):
    event = CaseEvent.objects.create(case=_case(world), kind="opened", actor=world.alice)
    event.kind = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_case_events_cannot_be_rewritten_even_by_raw_queryset_writes(world):
    event = CaseEvent.objects.create(case=_case(world), kind="opened", actor=world.alice)
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(kind="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.get(pk=event.pk).kind == "opened"


@pytest.mark.django_db
def test_case_numbers_continue_after_the_counter_row_was_flushed(world):
    first = _case(world)
    from truedesk.cases.models import CaseNumberCounter

    CaseNumberCounter.objects.all().delete()
    assert next_case_number() > first.number
