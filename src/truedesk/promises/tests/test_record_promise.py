from datetime import datetime, timedelta

import pytest

from truedesk.accounts.models import Department
from truedesk.cases.actions import change_status
from truedesk.cases.errors import InvalidTransition
from truedesk.cases.models import CaseEvent
from truedesk.customers.models import ContactPoint
from truedesk.notifications.models import EmailDelivery
from truedesk.promises.actions import record_promise
from truedesk.promises.errors import InvalidInput, NotAllowed
from truedesk.promises.models import Promise
from truedesk.promises.tests.conftest import FIVE_PM, NOON


def test_an_agent_records_a_promise_on_the_case_timeline(world, case, promise_on):
    promise = promise_on(case)

    assert promise.status == "open"
    assert promise.owner == world.alice
    assert promise.made_by == world.alice
    assert promise.made_at == NOON
    assert promise.due_at == FIVE_PM
    assert promise.version == 1
    event = CaseEvent.objects.get(case=case, kind="promise_made")
    assert event.actor == world.alice
    assert event.data["promise_id"] == promise.pk
    assert event.data["kind"] == "call_back"
    assert event.data["owner"] == {"id": world.alice.pk, "name": "Alice Adams"}
    assert event.is_internal


def test_the_customer_is_emailed_a_confirmation_listing_all_his_open_promises(
    world, case, make_case, promise_on
):
    other_case = make_case(subject="Refund for March")
    promise_on(other_case, kind="refund", description="Refund of 12.40 EUR by Friday",
               due_at=FIVE_PM + timedelta(days=3))  # fmt: skip
    promise = promise_on(case)

    email = EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:made")
    assert email.to_address == "dave@example.com"
    assert email.language == "en"
    assert (
        email.subject == f"Our promise on case #{case.number}: Call-back by March 2, 2027, 5 p.m."
    )
    assert "We will call you back by 17:00 today about the dial tone." in email.body
    assert "Refund of 12.40 EUR by Friday" in email.body
    assert f"/portal/cases/{case.number}/" in email.body


def test_the_confirmation_is_in_the_customers_language_and_time_zone(world, case, promise_on):
    world.dave.language = "lt"
    world.dave.time_zone = "Europe/London"
    world.dave.save()

    promise = promise_on(case)

    email = EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:made")
    assert email.language == "lt"
    # 17:00 in Vilnius is 15:00 in London, written the Lithuanian way.
    assert "15:00" in email.subject
    assert "2027" in email.subject


def test_the_confirmation_is_queued_with_the_promise_and_handed_over_after_the_commit(
    world, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record_promise(acting_user=world.alice, case=case, kind="fix",
                       description="Fix the line", due_at=FIVE_PM)  # fmt: skip
        assert EmailDelivery.objects.count() == 1

    # The email's hand-over to the mailer and the promise_made event's announcement.
    assert len(callbacks) == 2


def test_a_customer_without_a_working_email_address_still_gets_the_promise_recorded(
    world, case, promise_on
):
    ContactPoint.objects.filter(customer=world.dave).update(is_failing=True)

    promise = promise_on(case)

    assert promise.status == "open"
    assert EmailDelivery.objects.count() == 0


def test_the_owner_may_be_a_colleague_who_can_work_the_case(world, case, promise_on):
    promise = promise_on(case, owner=world.bob)

    assert promise.owner == world.bob
    assert promise.made_by == world.alice


def test_text_is_trimmed_and_control_characters_are_dropped(world, case, promise_on):
    promise = promise_on(case, description="  Call back\x00 at 5\x07  ")

    assert promise.description == "Call back at 5"


def _nothing_written(case):
    assert not Promise.objects.exists()
    assert not CaseEvent.objects.filter(case=case, kind="promise_made").exists()
    assert not EmailDelivery.objects.exists()


@pytest.mark.parametrize("who", ["dave_user", "fiona_user", "erin"])
def test_customers_and_partners_cannot_record_promises(world, case, promise_on, who):
    with pytest.raises(NotAllowed):
        promise_on(case, acting_user=getattr(world, who))
    _nothing_written(case)


def test_an_agent_outside_the_cases_department_cannot_record_a_promise(world, make_case):
    billing_case = make_case(department=world.billing, owner=world.bob, acting_user=world.bob)

    with pytest.raises(NotAllowed):
        record_promise(acting_user=world.alice, case=billing_case, kind="fix",
                       description="Fix it", due_at=FIVE_PM)  # fmt: skip
    _nothing_written(billing_case)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "miracle"}, "kind"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 1001}, "description"),
        ({"due_at": NOON}, "due_at"),
        ({"due_at": NOON - timedelta(minutes=1)}, "due_at"),
        ({"due_at": datetime(2027, 3, 2, 17, 0)}, "due_at"),
        ({"due_at": "tomorrow"}, "due_at"),
        ({"due_at": NOON + timedelta(days=400)}, "due_at"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, case, promise_on, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        promise_on(case, **overrides)
    assert refused.value.field == field
    _nothing_written(case)


def test_the_owner_must_be_active_staff_who_can_work_the_case(world, case, promise_on):
    field_team = Department.objects.create(name="Field engineers", slug="field")
    with pytest.raises(InvalidInput) as customer_owner:
        promise_on(case, owner=world.dave_user)
    assert customer_owner.value.field == "owner"

    world.bob.is_active = False
    world.bob.save()
    with pytest.raises(InvalidInput):
        promise_on(case, owner=world.bob)

    case.department = field_team
    case.owner = None
    case.save()
    with pytest.raises(InvalidInput) as outsider:
        promise_on(case, acting_user=world.carol, owner=world.alice)
    assert outsider.value.field == "owner"
    _nothing_written(case)


def test_a_closed_case_takes_no_new_promises(world, case, promise_on):
    change_status(acting_user=world.alice, case=case, status="resolved")
    change_status(acting_user=world.alice, case=case, status="closed")

    with pytest.raises(InvalidTransition):
        promise_on(case)
    assert not Promise.objects.exists()
