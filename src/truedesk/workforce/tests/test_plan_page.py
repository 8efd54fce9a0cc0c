"""The staffing-plan page (/desk/staffing/plan/): who may see it, what it says, its queries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from truedesk.accounts.models import Department
from truedesk.workforce.models import ContactQueue
from truedesk.workforce.tests.plan_world import make_history, make_queue, make_shifts

URL = "/desk/staffing/plan/"


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_customers_partners_and_strangers_are_kept_out(client, world):
    assert client.get(URL).status_code == 302  # to the login page
    assert _as(world.dave_user).get(URL).status_code == 403
    assert _as(world.erin).get(URL).status_code == 404  # partners: the partner fence


def test_an_agent_sees_every_queue_and_the_chosen_queues_plan(world):
    queue = make_queue(world)
    make_history(world)
    make_shifts(world)

    response = _as(world.alice).get(URL, {"queue": queue.slug, "week": "2026-03-02"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "120 contacts forecast" in text
    assert "falls short for 10 h of the week" in text
    assert 'id="plan-chart-data"' in text
    assert "(1 \u2212 shrinkage 20.0\u00a0%)" in text


def test_a_week_too_far_ahead_is_refused_next_to_the_form(world):
    make_queue(world)

    response = _as(world.alice).get(URL, {"week": "2099-01-05"})

    assert response.status_code == 200
    assert "Plans reach at most 8 weeks ahead" in response.content.decode()


def test_bad_choices_are_explained_and_the_page_still_shows(world):
    make_queue(world)

    response = _as(world.alice).get(URL, {"queue": "nope", "interval": "20", "week": "x"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Select a valid choice" in text
    assert "Enter a valid date" in text


def test_queries_grow_per_queue_not_per_interval_or_shift(world):
    make_queue(world)
    make_history(world)
    make_shifts(world)
    client = _as(world.alice)
    client.get(URL, {"week": "2026-03-02"})  # warm caches (sessions, permissions)

    with CaptureQueriesContext(connection) as one:
        client.get(URL, {"week": "2026-03-02", "interval": "15"})
    for n in range(3):
        department = Department.objects.create(name=f"Team {n}", slug=f"team-{n}")
        ContactQueue.objects.create(
            name=f"Team {n} chat", slug=f"team-{n}-chat", department=department, channel="chat"
        )
    with CaptureQueriesContext(connection) as four:
        client.get(URL, {"week": "2026-03-02", "interval": "15"})

    per_queue = (len(four) - len(one)) / 3
    assert per_queue <= 6, [q["sql"] for q in four.captured_queries]
    assert len(one) <= 20


@pytest.mark.parametrize("interval", ["15", "60"])
def test_the_interval_choice_changes_the_table(world, interval):
    queue = make_queue(world)
    make_history(world)

    response = _as(world.alice).get(
        URL, {"queue": queue.slug, "week": "2026-03-02", "interval": interval}
    )

    rows = response.content.decode().count("<time datetime=")
    assert rows == 7 * 24 * 60 // int(interval)


def test_the_availability_page_lists_queues_short_of_agents(world):
    make_queue(world)
    make_history(world)
    make_shifts(world)

    with time_machine.travel(datetime(2026, 3, 2, 6, 0, tzinfo=UTC), tick=False):
        response = _as(world.carol).get("/desk/availability/")

    text = response.content.decode()
    assert "Queues short of agents in the coming seven days" in text
    assert "Support phone: fewer agents scheduled than needed for 10 h of the week" in text
    assert "/desk/staffing/plan/?queue=support-phone&amp;week=2026-03-02" in text
