"""GET /api/v1/sla/cases/{number}: staff and the case's own customer; everyone else 404."""

from __future__ import annotations

import pytest
from django.test import Client

from truedesk.accounts.actions import SystemActor, mint_api_token

OPERATOR = SystemActor(label="test")


@pytest.fixture
def get_as(world, client: Client):
    tokens: dict[int, str] = {}

    def get(user, path):
        headers = {}
        if user is not None:
            if user.pk not in tokens:
                tokens[user.pk] = mint_api_token(acting_user=OPERATOR, user=user, name="sla")[1]
            headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
        return client.get("/api/v1" + path, **headers)

    return get


def test_staff_read_the_clocks_of_a_case(world, standard, make_case, get_as, clock):
    case = make_case()

    response = get_as(world.alice, f"/sla/cases/{case.number}")

    assert response.status_code == 200
    body = response.json()
    assert body["case"] == case.number
    first, resolution = body["clocks"]
    assert (first["metric"], first["policy"], first["due_at"]) == (
        "first_response",
        "Standard",
        "2026-02-17T08:00:00Z",
    )
    assert first["remaining_seconds"] == 4 * 3600
    assert (first["paused"], first["met"], first["breached"], first["warning"]) == (
        False,
        None,
        False,
        False,
    )
    assert first["text"] == "4 h left"
    assert resolution["metric"] == "resolution"


def test_the_customer_reads_his_own_case_without_policy_names(world, standard, make_case, get_as):
    case = make_case()

    response = get_as(world.dave_user, f"/sla/cases/{case.number}")

    assert response.status_code == 200
    assert {clock["policy"] for clock in response.json()["clocks"]} == {None}


def test_another_customer_gets_not_found(world, standard, make_case, get_as):
    case = make_case()

    response = get_as(world.fiona_user, f"/sla/cases/{case.number}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert set(response.json()) == {"code", "message", "details"}


def test_partners_are_refused(world, standard, make_case, get_as):
    case = make_case()

    response = get_as(world.erin, f"/sla/cases/{case.number}")

    # Partners get 404 outside their operations (truedesk.api.auth.PARTNER_OPERATIONS).
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_an_unknown_case_is_not_found_and_a_bad_number_is_invalid(world, get_as):
    assert get_as(world.alice, "/sla/cases/999999").status_code == 404
    bad = get_as(world.alice, "/sla/cases/0")
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_input")


def test_without_a_token_the_api_asks_for_one(world, standard, make_case, get_as):
    case = make_case()

    response = get_as(None, f"/sla/cases/{case.number}")

    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_a_case_without_a_policy_has_no_clocks(world, make_case, get_as):
    case = make_case()

    assert get_as(world.alice, f"/sla/cases/{case.number}").json()["clocks"] == []
