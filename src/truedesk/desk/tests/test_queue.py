"""Queues: unowned cases wait per department, and exactly one person takes each."""

from __future__ import annotations

from truedesk.cases.actions import take_case
from truedesk.desk import pagination


def test_the_picker_lists_my_departments_with_their_waiting_counts(world, make_case, client_for):
    make_case()
    make_case()
    make_case(department=world.billing)

    alice = client_for(world.alice).get("/desk/queue/").content.decode()
    bob = client_for(world.bob).get("/desk/queue/").content.decode()

    assert 'href="/desk/queue/support/">Technical support <span class="badge">2</span>' in alice
    assert "/desk/queue/billing/" not in alice
    assert 'href="/desk/queue/billing/">Billing <span class="badge">1</span>' in bob


def test_the_queue_shows_unowned_active_cases_with_a_take_button(world, make_case, alice_client):
    waiting = make_case(subject="Waiting case", priority=4)
    owned = make_case(subject="Owned case")
    take_case(acting_user=world.bob, case=owned)

    page = alice_client.get("/desk/queue/support/").content.decode()

    assert "Waiting case" in page and "Owned case" not in page
    assert f'hx-post="/desk/cases/{waiting.number}/take/"' in page
    assert 'aria-current="page"' in page


def test_an_empty_queue_says_so(world, alice_client):
    assert (
        "Nothing is waiting in this queue."
        in alice_client.get("/desk/queue/support/").content.decode()
    )


def test_a_queue_of_another_department_can_be_read_but_not_taken_from(
    world, make_case, alice_client
):
    case = make_case(department=world.billing, subject="Billing case")

    page = alice_client.get("/desk/queue/billing/").content.decode()
    response = alice_client.post(f"/desk/cases/{case.number}/take/", follow=True)

    assert "Billing case" in page and "/take/" not in page
    assert "You can take cases only from your departments" in response.content.decode()
    case.refresh_from_db()
    assert case.owner is None


def test_taking_from_a_queue_row_answers_with_the_row(world, case, alice_client):
    response = alice_client.post(
        f"/desk/cases/{case.number}/take/", {"view": "row"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    row = response.content.decode()
    assert row.startswith("<tr") and "Taken by you" in row
    case.refresh_from_db()
    assert case.owner == world.alice


def test_without_javascript_taking_returns_to_the_queue(world, case, alice_client):
    response = alice_client.post(
        f"/desk/cases/{case.number}/take/", {"view": "row", "next": "/desk/queue/support/"}
    )

    assert response.status_code == 302 and response["Location"] == "/desk/queue/support/"
    page = alice_client.get("/desk/queue/support/").content.decode()
    assert f"You took case #{case.number}." in page


def test_the_take_never_redirects_off_site(world, case, alice_client):
    response = alice_client.post(
        f"/desk/cases/{case.number}/take/", {"next": "https://evil.example/"}
    )

    assert response["Location"] == f"/desk/cases/{case.number}/"


def test_when_two_take_at_once_the_second_sees_who_won(world, case, alice_client, bob_client):
    first = bob_client.post(
        f"/desk/cases/{case.number}/take/", {"view": "row"}, HTTP_HX_REQUEST="true"
    )
    second = alice_client.post(
        f"/desk/cases/{case.number}/take/", {"view": "row"}, HTTP_HX_REQUEST="true"
    )

    assert "Taken by you" in first.content.decode()
    assert "Already taken by Bob Brown." in second.content.decode()
    case.refresh_from_db()
    assert case.owner == world.bob


def test_cases_without_a_department_wait_in_the_general_queue(world, make_case, alice_client):
    case = make_case(department=None, subject="Came in through the web form")

    page = alice_client.get("/desk/unrouted/").content.decode()

    assert "Came in through the web form" in page
    assert f"/desk/cases/{case.number}/take/" in page


def test_a_long_queue_comes_a_page_at_a_time_most_urgent_first(
    world, make_case, alice_client, monkeypatch
):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    make_case(subject="Routine", priority=1)
    make_case(subject="Burning", priority=4)
    make_case(subject="Pressing", priority=3)

    first = alice_client.get("/desk/queue/support/").content.decode()
    second = alice_client.get("/desk/queue/support/?page=2").content.decode()

    assert "Burning" in first and "Pressing" in first and "Routine" not in first
    assert 'Waiting for an owner <span class="badge">3</span>' in first
    assert 'href="/desk/queue/support/?page=2#queue-heading" rel="next"' in first
    assert "Routine" in second and "Burning" not in second
    assert 'href="/desk/queue/support/#queue-heading" rel="prev"' in second
    # Taking from page 2 without JavaScript comes back to page 2.
    assert 'name="next" value="/desk/queue/support/?page=2"' in second
