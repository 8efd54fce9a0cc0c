"""The benchmark data generator (bench/generate/) produces data the app can live with."""

from collections import defaultdict
from datetime import UTC, datetime

import pytest
from django.db import transaction

# bench/ sits beside src/; pytest's `pythonpath = ["."]` makes it importable.
from bench import BENCH_AGENT
from bench.generate import GenerationError, generate
from truedesk.accounts.models import Department, User
from truedesk.cases.models import Case, CaseEvent, CaseStaffContact, EventKind, Interaction
from truedesk.cases.numbering import next_case_number

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
SIZES = {"cases": 60, "interactions": 500, "customers": 20, "organisations": 4, "agents": 6}

pytestmark = pytest.mark.django_db


def _generate(**overrides):
    return generate(**{**SIZES, **overrides}, progress=False, now=NOW)


def test_generator_makes_exactly_the_requested_numbers_of_rows():
    result = _generate()
    assert result.counts["cases"] == 60
    assert result.counts["interactions"] == 500
    assert result.counts["customers"] == 20
    assert result.counts["organisations"] == 4
    assert User.objects.filter(kind="staff").count() == 6
    assert result.last_case_number - result.first_case_number == 59


def test_case_counters_match_the_interactions_and_staff_contacts_on_the_case():
    _generate()
    contacts = defaultdict(int)
    seconds = defaultdict(int)
    staff = defaultdict(set)
    # The rule cases.actions keeps: a contact is one the customer made (inbound);
    # the handler of any customer-facing interaction has touched the case.
    for row in Interaction.objects.values("case_id", "direction", "customer_seconds", "handled_by"):
        seconds[row["case_id"]] += row["customer_seconds"]
        if row["direction"] == "inbound":
            contacts[row["case_id"]] += 1
        if row["direction"] != "internal":
            staff[row["case_id"]] |= {row["handled_by"]} - {None}
    recorded = defaultdict(set)
    for case_id, user_id in CaseStaffContact.objects.values_list("case_id", "user_id"):
        recorded[case_id].add(user_id)
    for case in Case.objects.all():
        assert case.contact_count == contacts[case.pk], case.number
        assert case.customer_seconds == seconds[case.pk], case.number
        assert recorded[case.pk] == staff[case.pk], case.number
        assert case.staff_touched_count == len(staff[case.pk]), case.number
        assert case.transfer_count == 0


def test_case_numbers_are_unique_and_the_app_numbers_new_cases_after_them():
    result = _generate()
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) == 60
    assert max(numbers) == result.last_case_number
    assert next_case_number() == result.last_case_number + 1


def test_every_case_has_a_customer_an_opening_event_and_an_owner_from_its_department():
    _generate()
    members = {
        department.pk: set(department.members.values_list("pk", flat=True))
        for department in Department.objects.all()
    }
    opened = set(CaseEvent.objects.filter(kind=EventKind.OPENED).values_list("case_id", flat=True))
    cases = list(Case.objects.select_related("customer"))
    for case in cases:
        assert case.customer.name
        assert case.pk in opened
        assert case.interactions.exists()
        if case.owner_id is not None:
            assert case.owner_id in members[case.department_id]
    assert any(case.owner_id is None and case.is_active for case in cases), "nothing in queues"
    assert any(case.owner_id is not None for case in cases)
    assert any(case.staff_touched_count > 1 for case in cases), "no case was passed around"


def test_the_bench_agent_is_a_member_of_every_department():
    _generate()
    agent = User.objects.get(username=BENCH_AGENT)
    assert agent.is_staff_member
    assert set(agent.departments.all()) == set(Department.objects.all())
    assert Department.objects.count() >= 3


def test_the_app_can_add_cases_and_interactions_after_generation():
    _generate()
    case = Case.objects.create(
        number=next_case_number(), subject="After the bench", customer=Case.objects.first().customer
    )
    Interaction.objects.create(case=case, channel="email", direction="inbound", body="Hello")
    assert Case.objects.count() == 61
    assert Interaction.objects.count() == 501


def test_the_same_seed_gives_the_same_data():
    def fingerprint():
        return list(
            Case.objects.order_by("created_at").values_list(
                "subject", "status", "customer__name", "contact_count", "customer_seconds"
            )
        )

    with transaction.atomic():
        _generate(seed=7)
        first = fingerprint()
        transaction.set_rollback(True)
    _generate(seed=7)
    assert fingerprint() == first
    assert len(first) == 60


def test_generator_refuses_a_database_that_already_holds_bench_data():
    _generate()
    with pytest.raises(GenerationError):
        _generate()


def test_generator_refuses_fewer_interactions_than_cases():
    with pytest.raises(GenerationError):
        _generate(cases=10, interactions=5)
