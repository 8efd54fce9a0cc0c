from datetime import datetime, timedelta

import pytest

from truedesk.promises import selectors
from truedesk.promises.actions import (
    break_promise,
    keep_promise,
    process_due_promises,
    renegotiate_promise,
)
from truedesk.promises.errors import InvalidInput, NotAllowed, NotFound
from truedesk.promises.models import PromiseSettings
from truedesk.promises.tests.conftest import FIVE_PM, NOON, VILNIUS


def test_staff_and_the_cases_customer_see_its_promises(world, case, promise):
    for viewer in (world.alice, world.bob, world.carol, world.dave_user):
        assert selectors.list_promises_for_case(viewer, case) == [promise]


@pytest.mark.parametrize("who", ["fiona_user", "erin"])
def test_nobody_else_sees_a_cases_promises_or_learns_they_exist(world, case, promise, who):
    viewer = getattr(world, who)
    with pytest.raises(NotFound):
        selectors.list_promises_for_case(viewer, case)
    with pytest.raises(NotFound):
        selectors.get_promise_for_user(viewer, promise.pk)
    with pytest.raises(NotFound):
        selectors.get_promise_for_user(world.alice, promise.pk + 1000)


def test_a_customers_open_promises_span_his_cases_and_leave_out_settled_ones(
    world, case, make_case, promise_on
):
    first = promise_on(case)
    kept = promise_on(case, description="Send a new router")
    keep_promise(acting_user=world.alice, promise=kept, how="Posted today")
    other = promise_on(make_case(subject="Refund"), kind="refund", due_at=FIVE_PM + timedelta(1))
    fionas = promise_on(make_case(customer=world.fiona))

    assert selectors.list_open_promises_for_customer(world.dave_user) == [first, other]
    assert selectors.list_open_promises_for_customer(world.fiona_user) == [fionas]
    assert selectors.list_open_promises_for_customer(world.alice) == []
    assert selectors.list_open_promises_for_customer(world.erin) == []


def test_staffs_open_promises_are_the_ones_they_own(world, case, promise_on):
    mine = promise_on(case)
    promise_on(case, owner=world.bob)

    assert selectors.list_open_promises_for_user(world.alice) == [mine]


def test_due_today_lists_the_owners_promises_until_midnight_including_late_and_missed_ones(
    world, case, promise_on, clock
):
    missed = promise_on(case, due_at=NOON + timedelta(minutes=30), description="Call at 12:30")
    due = promise_on(case)
    promise_on(case, due_at=datetime(2027, 3, 3, 0, 30, tzinfo=VILNIUS), description="Tomorrow")
    promise_on(case, owner=world.bob, description="Bob's")
    clock.move_to(NOON + timedelta(minutes=31))

    assert selectors.list_promises_due_today(world.alice) == [missed, due]  # overdue, not swept
    process_due_promises()
    listed = selectors.list_promises_due_today(world.alice)
    assert [p.description for p in listed] == ["Call at 12:30", "Call at 12:30", due.description]
    assert [p.status for p in listed] == ["missed", "open", "open"]
    assert selectors.list_promises_due_today(world.dave_user) == []


def test_today_is_the_owners_own_day(world, case, promise_on):
    late_evening_in_new_york = promise_on(
        case, due_at=datetime(2027, 3, 3, 3, 0, tzinfo=VILNIUS), description="20:00 in New York"
    )
    assert selectors.list_promises_due_today(world.alice) == []

    world.alice.time_zone = "America/New_York"
    world.alice.save()

    assert selectors.list_promises_due_today(world.alice) == [late_evening_in_new_york]


def test_the_possible_owners_are_the_staff_who_may_work_the_case(world, case, make_case):
    assert list(selectors.list_possible_owners(case)) == [world.alice, world.bob, world.carol]
    billing = make_case(department=world.billing, owner=world.bob, acting_user=world.bob)
    assert list(selectors.list_possible_owners(billing)) == [world.bob, world.carol]


def test_settings_default_until_saved(db):
    assert selectors.get_promise_settings().reminder_lead == timedelta(minutes=30)
    assert selectors.get_promise_settings().recovery_time == timedelta(hours=2)
    PromiseSettings.objects.create(recovery_time=timedelta(hours=1))
    assert selectors.get_promise_settings().recovery_time == timedelta(hours=1)


def test_the_kept_rate_counts_promises_kept_by_their_due_time(
    world, case, make_case, promise_on, clock
):
    kept = promise_on(case, description="Kept in time")
    promise_on(case, description="Missed")
    bobs = promise_on(case, owner=world.bob, description="Broken")
    moved = promise_on(case, owner=world.bob, description="Moved")
    billing = make_case(department=world.billing, owner=world.bob, acting_user=world.bob)
    bob_kept = promise_on(billing, acting_user=world.bob, description="Billing, kept")
    keep_promise(acting_user=world.alice, promise=kept, how="Called")
    break_promise(acting_user=world.bob, promise=bobs, reason="Engineer ill")
    keep_promise(acting_user=world.bob, promise=bob_kept, how="Refunded")
    renegotiate_promise(acting_user=world.bob, promise=moved, due_at=FIVE_PM + timedelta(days=5),
                        reason="Customer away")  # fmt: skip
    clock.move_to(FIVE_PM + timedelta(minutes=1))
    process_due_promises()
    window = {"since": NOON, "until": FIVE_PM + timedelta(hours=1)}

    by_agent = selectors.promise_kept_rate(world.carol, by="agent", **window)
    assert [(r.name, r.made, r.kept, r.rate) for r in by_agent] == [
        ("Alice Adams", 2, 1, 0.5),
        ("Bob Brown", 2, 1, 0.5),
    ]
    by_department = selectors.promise_kept_rate(world.carol, by="department", **window)
    assert {r.name: (r.made, r.kept) for r in by_department} == {
        "Technical support": (3, 1),
        "Billing": (1, 1),
    }


def test_only_supervisors_read_kept_rates_and_only_by_agent_or_department(world):
    window = {"since": NOON, "until": FIVE_PM}
    with pytest.raises(NotAllowed):
        selectors.promise_kept_rate(world.alice, by="agent", **window)
    with pytest.raises(NotAllowed):
        selectors.promise_kept_rate(world.dave_user, by="agent", **window)
    with pytest.raises(InvalidInput):
        selectors.promise_kept_rate(world.carol, by="weather", **window)
    assert selectors.promise_kept_rate(world.carol, by="agent", **window) == []
