"""Cursor pagination: every item exactly once across pages; tampered cursors are a 400."""

from __future__ import annotations

import base64

import pytest
import time_machine

from truedesk.customers.actions import create_customer


def _walk(api, path, limit, **query):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, **query, **({"cursor": cursor} if cursor else {})}
        reply = api.get(path, as_="alice", query=params)
        assert reply.status == 200, reply.body
        assert len(reply.body["items"]) <= limit
        seen.extend(reply.body["items"])
        pages += 1
        cursor = reply.body["next_cursor"]
        if cursor is None:
            return seen, pages


def test_walking_the_case_pages_returns_every_case_once_newest_change_first(api, make_case):
    with time_machine.travel("2025-03-01 09:00:00+02:00", tick=True):
        numbers = [make_case().number for _ in range(7)]

    seen, pages = _walk(api, "/cases", 3)

    assert pages == 3
    assert sorted(item["number"] for item in seen) == sorted(numbers)
    assert len({item["number"] for item in seen}) == 7
    stamps = [item["updated_at"] for item in seen]
    assert stamps == sorted(stamps, reverse=True)


def test_cases_changed_while_paging_do_not_repeat_on_later_pages(api, make_case):
    cases = [make_case() for _ in range(4)]
    first = api.get("/cases", as_="alice", query={"limit": 2}).body
    shown = {item["number"] for item in first["items"]}
    # A case on the first page changes; it moves to the front, not into page two.
    touched = next(case for case in cases if case.number in shown)
    api.patch(
        f"/cases/{touched.number}", {"version": touched.version, "subject": "Changed"}, as_="alice"
    )

    second = api.get("/cases", as_="alice", query={"limit": 2, "cursor": first["next_cursor"]})

    assert shown.isdisjoint(item["number"] for item in second.body["items"])


def test_walking_the_customer_pages_returns_every_customer_once(api, world):
    for index in range(5):
        create_customer(acting_user=world.alice, name=f"Customer {index}")

    seen, pages = _walk(api, "/customers", 2)

    assert pages == 4
    assert len(seen) == len({item["id"] for item in seen}) == 7


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "!!!",
        base64.urlsafe_b64encode(b'{"after": "x"}').decode(),
        base64.urlsafe_b64encode(b"[1, 2, 3]").decode(),
        base64.urlsafe_b64encode(b'["2025-01-01T00:00:00", 1]').decode(),
    ],
)
@pytest.mark.parametrize("path", ["/cases", "/customers"])
def test_a_tampered_cursor_is_a_400_in_the_error_shape(api, world, path, cursor):
    reply = api.get(path, as_="alice", query={"cursor": cursor})

    assert reply.status == 400
    assert reply.body["code"] == "invalid_cursor"
    assert reply.body["message"]


@pytest.mark.parametrize("limit", [0, -1, 101, "many"])
def test_limit_is_bounded(api, world, limit):
    reply = api.get("/cases", as_="alice", query={"limit": limit})

    assert reply.status == 422
    assert reply.body["details"][0]["loc"][-1] == "limit"
