"""The portal home: the customer's own cases with status and owner in plain words."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from truedesk.cases import actions


def test_a_customer_without_cases_is_invited_to_open_one(world, dave_client):
    response = dave_client.get(reverse("portal:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "You have no cases yet" in html
    assert f'href="{reverse("portal:new_case")}"' in html
    assert "Open a case" in html


def test_my_cases_lists_number_subject_status_and_who_is_handling_it(
    world, dave_client, open_portal_case
):
    waiting = open_portal_case(subject="Bill is twice as high")
    taken = open_portal_case(subject="Router keeps dropping the line")
    actions.take_case(acting_user=world.alice, case=taken)

    html = dave_client.get(reverse("portal:home")).content.decode()

    assert f"#{waiting.number}" in html
    assert f"#{taken.number}" in html
    assert "Bill is twice as high" in html
    assert "Waiting for the next available agent" in html
    assert "Alice Adams is handling your case" in html
    assert "In progress" in html
    assert "Received" in html
    assert f'href="{reverse("portal:case", args=[taken.number])}"' in html


def test_most_recently_updated_cases_come_first(world, dave_client, open_portal_case):
    older = open_portal_case(subject="First problem")
    open_portal_case(subject="Second problem")
    actions.reply_to_case(
        acting_user=world.alice, case=older, body="We are on it.", channel="portal"
    )

    html = dave_client.get(reverse("portal:home")).content.decode()

    assert html.index("First problem") < html.index("Second problem")


def test_another_customers_cases_never_appear(world, dave_client, fionas_case, daves_case):
    html = dave_client.get(reverse("portal:home")).content.decode()

    assert daves_case.subject in html
    assert fionas_case.subject not in html
    assert f"#{fionas_case.number}<" not in html


def test_a_resolved_case_says_so_and_who_handled_it(world, dave_client, daves_case):
    actions.take_case(acting_user=world.alice, case=daves_case)
    actions.change_status(acting_user=world.alice, case=daves_case, status="resolved")

    html = dave_client.get(reverse("portal:home")).content.decode()

    assert "Resolved" in html
    assert "Alice Adams handled your case" in html


def test_the_page_costs_the_same_queries_for_two_cases_or_twenty(
    world, dave_client, open_portal_case
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert dave_client.get(reverse("portal:home")).status_code == 200
        return len(queries)

    for number in range(2):
        actions.take_case(acting_user=world.alice, case=open_portal_case(subject=f"A {number}"))
    few = count_queries()
    for number in range(18):
        case = open_portal_case(subject=f"B {number}")
        if number % 2:
            actions.take_case(acting_user=world.bob, case=case)

    assert count_queries() == few
    assert few <= 12


def test_many_cases_are_split_into_pages(world, dave_client, open_portal_case):
    for number in range(27):
        open_portal_case(subject=f"Problem number {number:02d}")

    first = dave_client.get(reverse("portal:home")).content.decode()
    second = dave_client.get(reverse("portal:home"), {"page": 2}).content.decode()

    assert "Problem number 26" in first and "Problem number 00" not in first
    assert "Problem number 00" in second and "Page 2 of 2" in second
    assert dave_client.get(reverse("portal:home"), {"page": "x"}).status_code == 200
