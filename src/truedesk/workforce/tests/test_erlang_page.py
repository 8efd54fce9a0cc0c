"""Issue 5: the staffing calculator on the desk, /desk/staffing/ (server-rendered parts)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from truedesk.accounts.models import User
from truedesk.testing.personas import World
from truedesk.workforce.queueing import evaluate

PLANNER = {
    "arrivals_per_hour": "360",
    "aht_seconds": "240",
    "target_sl": "0.8",
    "answer_time_seconds": "20",
}
NBSP = "\u00a0"


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, query: dict[str, str] | None = None) -> Any:
    return client.get(reverse("workforce:erlang"), query or {})


def _text(response: Any) -> str:
    return response.content.decode().replace(NBSP, " ")


def test_the_page_lives_at_desk_staffing() -> None:
    assert reverse("workforce:erlang") == "/desk/staffing/"


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = _get(client, PLANNER)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("persona", "status"), [("dave_user", 403), ("erin", 404)])
def test_customers_and_partners_are_refused(world: World, persona: str, status: int) -> None:
    response = _get(_as(getattr(world, persona)), PLANNER)

    # Partners get 404 outside their own area (accounts.middleware.PartnerFenceMiddleware).
    assert response.status_code == status


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_agents_and_supervisors_see_the_form_prefilled_with_the_planners_example(
    world: World, persona: str
) -> None:
    response = _get(_as(getattr(world, persona)))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="arrivals_per_hour" value="360"' in html
    assert 'name="aht_seconds" value="240"' in html
    assert 'name="target_sl" value="0.8"' in html
    assert 'name="answer_time_seconds" value="20' in html
    assert "Change the figures to yours and press Calculate" in html
    assert 'id="staffing-chart"' not in html
    assert "chart.umd.min.js" not in html


def test_the_planners_question_is_answered_in_plain_words(world: World) -> None:
    response = _get(_as(world.alice), PLANNER)

    assert response.status_code == 200
    text = _text(response)
    expected = evaluate(arrivals_per_hour=360, aht_seconds=240, agents=29, answer_time_seconds=20)
    sentence = (
        f"You need 29 agents: {100 * expected.service_level:.1f} % answered within 20 s, "
        f"average speed of answer {expected.asa_seconds:.1f} s, "
        f"occupancy {100 * expected.occupancy:.1f} %, {100 * expected.p_wait:.1f} % wait at all."
    )
    assert sentence in text
    assert "hang up" not in response.context["summary"]
    assert "Erlang C: offered load 24.00 Erlangs" in text


def test_the_answer_has_a_table_of_the_curve_and_chart_data_for_the_script(world: World) -> None:
    response = _get(_as(world.bob), PLANNER)

    rows = response.context["rows"]
    assert [row["agents"] for row in rows] == list(range(25, 40))
    assert [row["agents"] for row in rows if row["is_answer"]] == [29]
    html = response.content.decode()
    assert "<caption" in html and 'aria-describedby="staffing-curve-caption"' in html
    data = json.loads(
        html.split('id="staffing-chart-data" type="application/json">')[1].split("<")[0]
    )
    assert data["agents"] == list(range(25, 40))
    assert data["target"] == 80
    assert data["abandon"] is None
    assert data["service_level"] == sorted(data["service_level"])
    assert "vendor/chart.js/chart.umd.min.js" in html and "workforce/staffing.js" in html


def test_with_patience_the_page_adds_how_many_hang_up(world: World) -> None:
    response = _get(_as(world.carol), {**PLANNER, "patience_seconds": "180"})

    expected = evaluate(
        arrivals_per_hour=360, aht_seconds=240, agents=27, answer_time_seconds=20,
        patience_seconds=180,
    )  # fmt: skip
    text = _text(response)
    assert "You need 27 agents:" in text
    assert f"{100 * expected.p_abandon:.1f} % hang up before answer." in text
    assert "callers hang up after 180 s on average" in text
    assert response.context["chart"]["abandon"] is not None
    assert '<th scope="col">Abandonment</th>' in text


def test_a_given_staffing_is_checked_against_the_targets(world: World) -> None:
    response = _get(_as(world.alice), {**PLANNER, "agents": "26"})

    text = _text(response)
    assert "With 26 agents:" in text
    assert "This misses your targets." in text


def test_one_agent_is_spoken_of_in_the_singular(world: World) -> None:
    response = _get(
        _as(world.alice), {"arrivals_per_hour": "1", "aht_seconds": "60", "target_sl": "0.8",
                           "answer_time_seconds": "20"},
    )  # fmt: skip

    assert "You need 1 agent:" in _text(response)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"target_sl": "80"}, "strictly between 0 and 1"),
        ({"aht_seconds": "0"}, "more than zero seconds"),
        ({"target_sl": ""}, "Give at least one target"),
        ({"agents": "20"}, "cannot keep up"),
        ({"arrivals_per_hour": "1e12"}, "No staffing up to 1,000,000 agents"),
    ],
)
def test_questions_without_an_answer_show_the_engines_explanation(
    world: World, change: dict[str, str], words: str
) -> None:
    response = _get(_as(world.alice), {**PLANNER, **change})

    assert response.status_code == 200
    assert words in response.content.decode()
    assert response.context["answer"] is None
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"arrivals_per_hour": "lots"}, "arrivals_per_hour"),
        ({"arrivals_per_hour": "-1"}, "arrivals_per_hour"),
        ({"aht_seconds": "nan"}, "aht_seconds"),
        ({"answer_time_seconds": "inf"}, "answer_time_seconds"),
        ({"agents": "2.5"}, "agents"),
        ({"agents": "9" * 40}, "agents"),
        ({"aht_seconds": ""}, "aht_seconds"),
    ],
)
def test_unreadable_numbers_are_field_errors_not_crashes(
    world: World, change: dict[str, str], field: str
) -> None:
    response = _get(_as(world.alice), {**PLANNER, **change})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()


def test_numbers_are_written_the_way_the_users_language_writes_them(world: World) -> None:
    world.alice.language = "lt"
    world.alice.save(update_fields=["language"])

    response = _get(_as(world.alice), PLANNER)

    assert response.status_code == 200
    # Lithuanian writes a decimal comma.
    assert "82,8" in response.context["summary"]


def test_the_desk_navigation_is_on_the_page_and_marks_staffing(world: World) -> None:
    html = _get(_as(world.alice)).content.decode()

    assert reverse("desk:home") in html
    assert f'href="{reverse("workforce:erlang")}" aria-current="page"' in html


def test_only_get_is_allowed(world: World) -> None:
    response = _as(world.alice).post(reverse("workforce:erlang"), PLANNER)

    assert response.status_code == 405
