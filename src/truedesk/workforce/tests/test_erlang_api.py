"""Issue 5: the planner's Erlang calculator through the API, POST /api/v1/workforce/erlang."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.test import Client

from truedesk.accounts.actions import SystemActor, mint_api_token
from truedesk.accounts.models import User
from truedesk.testing.personas import World
from truedesk.workforce.queueing import evaluate, required_agents

URL = "/api/v1/workforce/erlang"
PLANNER = {
    "arrivals_per_hour": 360,
    "aht_seconds": 240,
    "target_sl": 0.8,
    "answer_time_seconds": 20,
}
METRICS = ("p_wait", "service_level", "asa_seconds", "average_wait_seconds", "occupancy")


def _token(user: User) -> str:
    name = f"tests-{user.api_tokens.count()}"
    return mint_api_token(acting_user=SystemActor(label="test"), user=user, name=name)[1]


def _post(client: Client, body: Any, user: User | None = None, raw: str | None = None) -> Any:
    headers = {} if user is None else {"HTTP_AUTHORIZATION": f"Bearer {_token(user)}"}
    data = raw if raw is not None else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_anonymous_callers_get_401(client: Client, db: None) -> None:
    response = _post(client, PLANNER)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [("dave_user", 403, "not_allowed"), ("erin", 404, "not_found")],  # partners: 404
)
def test_customers_and_partners_are_refused_with_403(
    client: Client, world: World, persona: str, status: int, code: str
) -> None:
    response = _post(client, PLANNER, getattr(world, persona))

    assert response.status_code == status
    assert response.json()["code"] == code
    assert "agents" not in response.json()


def test_an_agent_gets_the_planners_answer_with_the_engines_figures(
    client: Client, world: World
) -> None:
    response = _post(client, PLANNER, world.alice)

    assert response.status_code == 200
    body = response.json()
    expected = evaluate(arrivals_per_hour=360, aht_seconds=240, agents=29, answer_time_seconds=20)
    assert (
        body["agents"]
        == 29
        == required_agents(
            arrivals_per_hour=360, aht_seconds=240, target_sl=0.8, answer_time_seconds=20
        )
    )
    assert (body["model"], body["mode"], body["meets_targets"]) == ("erlang_c", "search", True)
    assert body["load_erlangs"] == pytest.approx(24.0)
    assert body["p_abandon"] is None
    for name in METRICS:
        assert body[name] == pytest.approx(getattr(expected, name), rel=1e-12), name


def test_the_curve_runs_from_the_first_stable_staffing_to_ten_above_the_answer(
    client: Client, world: World
) -> None:
    body = _post(client, PLANNER, world.carol).json()

    agents = [point["agents"] for point in body["curve"]]
    assert agents == list(range(25, 40))  # 24 Erlangs: 24 agents or fewer never keep up
    levels = [point["service_level"] for point in body["curve"]]
    assert levels == sorted(levels)
    at_answer = next(point for point in body["curve"] if point["agents"] == 29)
    assert at_answer["service_level"] == body["service_level"]


def test_with_patience_the_answer_is_erlang_a_with_the_abandonment_rate(
    client: Client, world: World
) -> None:
    body = _post(client, {**PLANNER, "patience_seconds": 180}, world.bob).json()

    expected = evaluate(
        arrivals_per_hour=360, aht_seconds=240, agents=27, answer_time_seconds=20,
        patience_seconds=180,
    )  # fmt: skip
    assert (body["model"], body["agents"]) == ("erlang_a", 27)
    assert body["p_abandon"] == pytest.approx(expected.p_abandon, rel=1e-12)
    assert 0 < body["p_abandon"] < 0.1
    assert [p["agents"] for p in body["curve"]] == list(range(17, 38))
    assert all(p["p_abandon"] is not None for p in body["curve"])


def test_given_agents_are_evaluated_against_the_targets_instead_of_searched(
    client: Client, world: World
) -> None:
    body = _post(client, {**PLANNER, "agents": 26}, world.alice).json()

    assert (body["mode"], body["agents"], body["meets_targets"]) == ("evaluate", 26, False)
    assert body["service_level"] < 0.8


def test_a_staffing_without_targets_is_evaluated_and_meets_nothing_in_particular(
    client: Client, world: World
) -> None:
    body = _post(
        client, {"arrivals_per_hour": 360, "aht_seconds": 240, "agents": 30}, world.alice
    ).json()

    assert (body["agents"], body["meets_targets"]) == (30, None)
    assert body["occupancy"] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"target_sl": 80}, "strictly between 0 and 1"),
        ({"aht_seconds": 0}, "average handling time must be more than zero"),
        ({"arrivals_per_hour": -5}, "arrivals per hour must be zero or more"),
        ({"target_sl": None}, "Give at least one target"),
        ({"agents": 20}, "cannot keep up"),
        ({"max_abandon": 0.05}, "needs the callers' average patience"),
        ({"arrivals_per_hour": 1e12}, "No staffing up to 1,000,000 agents"),
    ],
)
def test_questions_without_an_answer_get_422_with_the_engines_explanation(
    client: Client, world: World, change: dict[str, Any], words: str
) -> None:
    response = _post(client, {**PLANNER, **change}, world.alice)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert words in body["message"]
    assert "%%" not in body["message"]


@pytest.mark.parametrize(
    "raw",
    [
        '{"arrivals_per_hour": NaN, "aht_seconds": 240, "target_sl": 0.8}',
        '{"arrivals_per_hour": 360, "aht_seconds": Infinity, "target_sl": 0.8}',
        '{"arrivals_per_hour": 360, "aht_seconds": 1e999, "target_sl": 0.8}',
    ],
)
def test_not_a_number_and_infinity_are_refused_not_echoed(
    client: Client, world: World, raw: str
) -> None:
    response = _post(client, None, world.alice, raw=raw)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert "finite" in response.json()["message"]


@pytest.mark.parametrize(
    "change",
    [
        {"agents": 10**400},
        {"agents": 2.5},
        {"agents": True},
        {"arrivals_per_hour": "360"},
        {"aht_seconds": None},
        {"target_sl": [0.8]},
    ],
)
def test_badly_typed_input_is_a_422_in_the_error_shape(
    client: Client, world: World, change: dict[str, Any]
) -> None:
    response = _post(client, {**PLANNER, **change}, world.alice)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert set(body) == {"code", "message", "details"}


def test_no_figure_in_any_answer_is_nan_or_infinite(client: Client, world: World) -> None:
    questions = [
        {"arrivals_per_hour": 0, "aht_seconds": 240, "target_sl": 0.8},
        {"arrivals_per_hour": 1, "aht_seconds": 1, "target_sl": 0.999, "patience_seconds": 0.5},
        {"arrivals_per_hour": 36000, "aht_seconds": 600, "max_asa_seconds": 5},
    ]
    for question in questions:
        response = _post(client, question, world.alice)
        assert response.status_code == 200, response.content
        body = response.json()
        numbers = [body[n] for n in METRICS] + [p[n] for p in body["curve"] for n in METRICS]
        assert all(math.isfinite(number) for number in numbers)


def test_the_operation_is_documented_with_the_error_shape(client: Client, db: None) -> None:
    document = client.get("/api/v1/openapi.json").json()

    operation = document["paths"][URL]["post"]
    assert operation["operationId"] == "calculateErlang"
    for status in ("401", "403", "422"):
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorOut"}
