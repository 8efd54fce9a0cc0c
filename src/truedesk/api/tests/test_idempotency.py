"""Idempotency-Key on creates: the same key twice creates one case."""

from __future__ import annotations

import pytest

from truedesk.cases import actions as case_actions
from truedesk.cases.models import Case
from truedesk.customers.models import Customer

NEW_CASE = {"subject": "Modem blinks red", "body": "Since the storm."}


def _create(api, body, key, as_="dave", path="/cases"):
    return api.post(path, body, as_=as_, headers={"Idempotency-Key": key})


def test_the_same_key_twice_creates_one_case_and_replays_the_first_answer(api, world):
    first = _create(api, NEW_CASE, "3f6c0a4e-retry")
    second = _create(api, NEW_CASE, "3f6c0a4e-retry")

    assert first.status == second.status == 201
    assert second.body == first.body
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Case.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused(api, world):
    _create(api, NEW_CASE, "key-1")

    reply = _create(api, {**NEW_CASE, "subject": "Something else"}, "key-1")

    assert reply.status == 422
    assert reply.body["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_without_a_key_every_request_creates(api, world):
    api.post("/cases", NEW_CASE, as_="dave")
    api.post("/cases", NEW_CASE, as_="dave")

    assert Case.objects.count() == 2


def test_keys_belong_to_one_user(api, world):
    dave = _create(api, NEW_CASE, "shared-key", as_="dave")
    fiona = _create(api, NEW_CASE, "shared-key", as_="fiona")

    assert dave.status == fiona.status == 201
    assert dave.body["number"] != fiona.body["number"]
    assert fiona.body["customer"]["name"] == "Fiona Fox"


def test_a_refused_create_is_not_remembered_so_the_client_can_fix_and_retry(api, world):
    refused = _create(api, {"subject": " ", "body": "x"}, "fix-me")
    fixed = _create(api, {"subject": "Fixed", "body": "x"}, "fix-me")

    assert refused.status == 422
    assert fixed.status == 201
    assert "Idempotent-Replayed" not in fixed.headers


def test_a_repeat_that_arrives_while_the_first_still_runs_gets_409(api, world, monkeypatch):
    original = case_actions.open_case
    overlapping = []

    def slow_open_case(**kwargs):
        # The client gives up waiting and retries while the first request runs.
        overlapping.append(_create(api, NEW_CASE, "racing"))
        return original(**kwargs)

    monkeypatch.setattr(case_actions, "open_case", slow_open_case)

    first = _create(api, NEW_CASE, "racing")

    assert first.status == 201
    assert overlapping[0].status == 409
    assert overlapping[0].body["code"] == "idempotency_in_progress"
    assert Case.objects.count() == 1


def test_an_overlong_key_is_refused(api, world):
    reply = _create(api, NEW_CASE, "k" * 201)

    assert reply.status == 422
    assert reply.body["code"] == "invalid_idempotency_key"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/customers", {"name": "Gina Green"}),
        ("/organisations", {"name": "Initech"}),
    ],
)
def test_customers_and_organisations_are_created_once_per_key(api, world, path, body):
    first = _create(api, body, "once", as_="alice", path=path)
    second = _create(api, body, "once", as_="alice", path=path)

    assert first.status == second.status == 201
    assert first.body["id"] == second.body["id"]


def test_a_customer_created_twice_with_one_key_exists_once(api, world):
    for _ in range(2):
        _create(api, {"name": "Gina Green"}, "gina", as_="alice", path="/customers")

    assert Customer.objects.filter(name="Gina Green").count() == 1


def test_a_reply_sent_twice_with_one_key_is_stored_once(api, scene):
    path = f"/cases/{scene.case.number}/replies"

    first = _create(api, {"body": "Is it fixed?"}, "reply-1", path=path)
    second = _create(api, {"body": "Is it fixed?"}, "reply-1", path=path)

    assert first.status == second.status == 201
    assert first.body["id"] == second.body["id"]
    assert scene.case.interactions.filter(body="Is it fixed?").count() == 1
