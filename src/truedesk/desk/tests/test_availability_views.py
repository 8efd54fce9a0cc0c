"""The desk side of availability: a refused transfer offers a call-back; the availability page.

Billing keeps Mon-Fri 08:00-17:00 in Vilnius; 7 March 2026 is a Saturday.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truedesk.accounts.models import Department
from truedesk.calendars.actions import assign_department_calendar, create_calendar
from truedesk.cases.actions import take_case
from truedesk.cases.models import Case, Transfer
from truedesk.promises.models import Promise
from truedesk.workforce.actions import ServiceLevelTerms, add_weekly_shift, publish_service_level
from truedesk.workforce.coverage import WeeklyPattern

VILNIUS = ZoneInfo("Europe/Vilnius")
SATURDAY_10 = datetime(2026, 3, 7, 10, tzinfo=VILNIUS)
MONDAY_08_UTC = datetime(2026, 3, 9, 6, tzinfo=UTC)
WEEKDAYS_8_TO_20 = WeeklyPattern(frozenset(range(5)), time(8), time(20), "Europe/Vilnius")


@pytest.fixture
def billing_hours(world):
    calendar = create_calendar(
        acting_user=world.carol,
        name="Billing office",
        hours={day: [(time(8), time(17))] for day in range(5)},
    )
    assign_department_calendar(acting_user=world.carol, department=world.billing, calendar=calendar)


@pytest.fixture
def saturday():
    with time_machine.travel(SATURDAY_10, tick=False):
        yield


@pytest.fixture
def owned(world, case):
    return take_case(acting_user=world.alice, case=case)


def _transfer_form(**fields):
    form = {
        "transfer-reason": "Double charge",
        "transfer-handoff_note": "Dave was charged twice for March.",
    }
    form.update({f"transfer-{key}": value for key, value in fields.items()})
    return form


def test_a_refused_transfer_says_when_billing_opens_and_offers_a_call_back(
    world, billing_hours, saturday, owned, alice_client
):
    answer = alice_client.post(
        f"/desk/cases/{owned.number}/transfer/", _transfer_form(to_department=world.billing.pk)
    )

    page = answer.content.decode()
    assert answer.status_code == 409
    assert "Billing is closed now. It opens Monday 08:00." in page
    assert "Schedule a call-back for the customer then" in page
    assert f'name="to_department" value="{world.billing.pk}"' in page
    assert not Transfer.objects.filter(case=owned).exists()


def test_one_click_promises_a_call_back_when_billing_opens_and_the_agent_keeps_the_case(
    world, billing_hours, saturday, owned, alice_client
):
    answer = alice_client.post(
        f"/desk/cases/{owned.number}/callback/",
        {"to_department": world.billing.pk, "reason": "Double charge"},
    )

    assert answer.status_code == 302
    promise = Promise.objects.get(case=owned)
    assert promise.kind == Promise.Kind.CALL_BACK
    assert promise.due_at == MONDAY_08_UTC
    assert promise.owner == world.alice and promise.made_by == world.alice
    assert "Billing" in promise.description and "Double charge" in promise.description
    assert Case.objects.get(pk=owned.pk).owner == world.alice
    page = alice_client.get(answer["Location"]).content.decode()
    assert "Call-back promised for Monday 08:00. You keep the case and the promise." in page


def test_no_call_back_is_promised_while_the_department_is_open(
    world, billing_hours, owned, alice_client
):
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=VILNIUS), tick=False):
        answer = alice_client.post(
            f"/desk/cases/{owned.number}/callback/", {"to_department": world.billing.pk}
        )

    assert answer.status_code == 302
    assert not Promise.objects.exists()


def test_a_person_off_shift_is_refused_with_their_next_shift(
    world, billing_hours, saturday, owned, alice_client
):
    add_weekly_shift(acting_user=world.carol, agent=world.bob, pattern=WEEKDAYS_8_TO_20)

    answer = alice_client.post(
        f"/desk/cases/{owned.number}/transfer/", _transfer_form(to_user=world.bob.pk)
    )
    promised = alice_client.post(f"/desk/cases/{owned.number}/callback/", {"to_user": world.bob.pk})

    assert "Bob Brown is off shift now. The next shift starts Monday 08:00." in (
        answer.content.decode()
    )
    assert f'name="to_user" value="{world.bob.pk}"' in answer.content.decode()
    assert promised.status_code == 302
    assert Promise.objects.get(case=owned).due_at == MONDAY_08_UTC


def test_customers_cannot_ask_for_call_backs_on_the_desk(world, billing_hours, owned, client_for):
    answer = client_for(world.dave_user).post(
        f"/desk/cases/{owned.number}/callback/", {"to_department": world.billing.pk}
    )

    assert answer.status_code == 403
    assert not Promise.objects.exists()


def test_a_call_back_without_a_receiver_is_refused_plainly(world, owned, alice_client):
    answer = alice_client.post(f"/desk/cases/{owned.number}/callback/", {"to_department": "x"})

    assert answer.status_code == 302
    assert not Promise.objects.exists()
    page = alice_client.get(answer["Location"]).content.decode()
    assert "Choose who the customer is waiting for." in page


# --- the availability page ---------------------------------------------------------------


@pytest.fixture
def phone_promise(world):
    add_weekly_shift(
        acting_user=world.carol, agent=world.alice, pattern=WEEKDAYS_8_TO_20, channel="phone"
    )
    return publish_service_level(
        acting_user=world.carol,
        terms=ServiceLevelTerms(text="Phone support 24/7", channel="phone"),
    )


def test_the_availability_page_lists_the_gaps_and_who_is_open(
    world, billing_hours, phone_promise, saturday, alice_client
):
    page = alice_client.get("/desk/availability/").content.decode()

    assert "Phone support 24/7" in page
    assert "nobody scheduled Fri 20:00 \u2013 Mon 08:00 (60 h/week)" in page
    assert "5 gaps between what is published and who is scheduled." in page
    assert "Closed; opens Monday 08:00" in page
    assert "Open around the clock" in page
    assert "/admin/" not in page


def test_the_gap_disappears_when_the_schedule_covers_it(
    world, phone_promise, saturday, alice_client
):
    nights = WeeklyPattern(frozenset(range(7)), time(20), time(8), "Europe/Vilnius")
    weekend = WeeklyPattern(frozenset({5, 6}), time(8), time(20), "Europe/Vilnius")
    for pattern in (nights, weekend):
        add_weekly_shift(acting_user=world.carol, agent=world.bob, pattern=pattern)

    page = alice_client.get("/desk/availability/").content.decode()

    assert "Every published service level is staffed." in page
    assert "nobody scheduled Fri" not in page
    assert "Bob Brown" in page  # on shift on Saturday morning


def test_supervisors_who_may_edit_see_the_admin_links(world, phone_promise, client_for):
    world.carol.user_permissions.add(
        Permission.objects.get(codename="change_publishedservicelevel")
    )

    page = client_for(world.carol).get("/desk/availability/").content.decode()

    assert f"/admin/workforce/publishedservicelevel/{phone_promise.pk}/change/" in page
    assert "/admin/workforce/shift/" in page


def test_only_staff_see_the_availability_page(world, client, client_for):
    assert client.get("/desk/availability/").status_code == 302
    assert client_for(world.dave_user).get("/desk/availability/").status_code == 403
    assert client_for(world.erin).get("/desk/availability/").status_code == 404  # partner fence


def test_the_availability_page_costs_the_same_queries_for_more_levels_and_departments(
    world, billing_hours, phone_promise, saturday, alice_client
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get("/desk/availability/").status_code == 200
        return len(queries)

    few = count()
    for n in range(3):
        department = Department.objects.create(name=f"Sales {n}", slug=f"sales-{n}")
        add_weekly_shift(
            acting_user=world.carol,
            agent=world.bob,
            pattern=WEEKDAYS_8_TO_20,
            department=department,
        )
        publish_service_level(
            acting_user=world.carol,
            terms=ServiceLevelTerms(text=f"Sales {n} on weekdays", department=department),
        )

    assert count() == few
