"""SLA on the desk (badges, the case panel) and on the portal (plain words), per viewer."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from truedesk.cases.actions import change_status
from truedesk.sla.tests.conftest import VILNIUS


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=VILNIUS)


@pytest.fixture
def signed_in(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


# --- the desk ---------------------------------------------------------------------------------


def test_the_case_page_shows_each_clock_with_its_time_left(
    world, standard, make_case, signed_in, clock
):
    case = make_case()
    clock.move_to(at(13, 15, 50))

    page = signed_in(world.alice).get(f"/desk/cases/{case.number}/").content.decode()

    assert "Service level" in page
    assert "First response" in page and "3 h 10 min left" in page
    assert "Policy: Standard." in page


def test_the_case_page_says_when_no_policy_applies(world, make_case, signed_in):
    case = make_case()

    page = signed_in(world.alice).get(f"/desk/cases/{case.number}/").content.decode()

    assert "No SLA policy applies to this case." in page


def test_the_queue_shows_a_badge_in_words_for_every_case(
    world, standard, make_case, signed_in, clock
):
    cases = [make_case(subject=f"Case {n}") for n in range(3)]
    clock.move_to(at(17, 10, 35))

    page = signed_in(world.alice).get("/desk/queue/support/").content.decode()

    assert page.count("First response: overdue by 35 min") == 3
    assert 'class="badge sla bad"' in page
    assert all(f"#{case.number}" in page for case in cases)


def test_my_cases_show_paused_clocks_as_paused(world, standard, make_case, signed_in, committed):
    case = make_case(owner=world.alice)
    with committed():
        change_status(acting_user=world.alice, case=case, status="waiting_on_customer")

    page = signed_in(world.alice).get("/desk/").content.decode()

    assert "paused — waiting on customer" in page


def test_lists_without_any_clock_show_no_sla_column(world, make_case, signed_in):
    make_case()

    page = signed_in(world.alice).get("/desk/queue/support/").content.decode()

    assert ">SLA</th>" not in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/desk/queue/support/", "/desk/"])
def test_badges_cost_one_query_however_many_rows(world, standard, make_case, signed_in, url):
    client = signed_in(world.alice)
    make_case(owner=world.alice)
    make_case()
    _queries(client, url)  # the calendar is compiled once per process
    few = _queries(client, url)
    for n in range(15):
        make_case(subject=f"More {n}", owner=world.alice if n % 2 else None)

    many = _queries(client, url)

    assert many == few


def test_customers_never_reach_the_desk_panel(world, standard, make_case, signed_in):
    case = make_case()

    response = signed_in(world.dave_user).get(f"/desk/cases/{case.number}/")

    assert response.status_code in (302, 403, 404)
    assert b"Service level" not in response.content


# --- the portal -------------------------------------------------------------------------------


def test_the_customer_reads_his_expectations_in_plain_words(
    world, standard, make_case, signed_in, clock
):
    case = make_case()

    page = signed_in(world.dave_user).get(f"/portal/cases/{case.number}/").content.decode()

    assert "We aim to answer by Tuesday 10:00." in page
    # More than a week ahead, the date is given in full.
    assert "We aim to resolve your case by Feb. 23, 2026 10:00." in page
    assert "Standard" not in page


def test_the_expectations_are_in_the_customers_own_time_zone(
    world, standard, make_case, signed_in, clock
):
    world.dave.time_zone = "Europe/London"
    world.dave.save()
    case = make_case()

    page = signed_in(world.dave_user).get(f"/portal/cases/{case.number}/").content.decode()

    assert "We aim to answer by Tuesday 08:00." in page


def test_the_customer_is_told_the_clock_waits_for_him(
    world, standard, make_case, signed_in, committed
):
    case = make_case()
    with committed():
        change_status(acting_user=world.alice, case=case, status="waiting_on_customer")

    page = signed_in(world.dave_user).get(f"/portal/cases/{case.number}/").content.decode()

    assert "We are waiting for your reply. Our clock is paused until you answer." in page
    assert "We aim to answer" not in page


def test_a_late_answer_is_admitted(world, standard, make_case, signed_in, clock):
    case = make_case()
    clock.move_to(at(17, 11))

    page = signed_in(world.dave_user).get(f"/portal/cases/{case.number}/").content.decode()

    assert "Sorry: we meant to answer by Tuesday 10:00 and are running late." in page


def test_another_customer_sees_nothing_of_the_case(world, standard, make_case, signed_in):
    case = make_case()

    response = signed_in(world.fiona_user).get(f"/portal/cases/{case.number}/")

    assert response.status_code == 404
    assert b"We aim to" not in response.content
