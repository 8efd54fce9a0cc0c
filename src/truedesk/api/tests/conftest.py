"""Fixtures for API tests: a token per persona and a small JSON client around Django's."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from truedesk.accounts.actions import SystemActor, mint_api_token
from truedesk.accounts.models import User
from truedesk.api.tests.scene import Scene, build_scene
from truedesk.cases.actions import open_case
from truedesk.cases.models import Case
from truedesk.testing.personas import World

OPERATOR = SystemActor(label="test")


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any


class ApiClient:
    """Calls /api/v1 as whoever's token is given (or anonymously) and decodes the JSON."""

    def __init__(self, client: Client, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def call(
        self,
        method: str,
        path: str,
        *,
        as_: str | None = None,
        json_body: Any = None,
        raw_body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Reply:
        extra: dict[str, Any] = {}
        if as_ is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[as_]}"
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        data: Any = (
            raw_body
            if raw_body is not None
            else (json.dumps(json_body) if json_body is not None else "")
        )
        url = "/api/v1" + path
        if query:
            from urllib.parse import urlencode

            url += "?" + urlencode(query, doseq=True)
        response = self.client.generic(
            method.upper(), url, data=data, content_type="application/json", **extra
        )
        content_type = response.get("Content-Type", "")
        body = json.loads(response.content) if "json" in content_type and response.content else None
        return Reply(status=response.status_code, body=body, headers=response)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("POST", path, json_body=body if body is not None else {}, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return self.call("PATCH", path, json_body=body, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return self.call("PUT", path, json_body=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.call("DELETE", path, **kwargs)


def mint(user: User, name: str = "tests") -> str:
    return mint_api_token(acting_user=OPERATOR, user=user, name=name)[1]


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    """A live API token for every persona, by user name ("erin" is the partner)."""
    users = [world.alice, world.bob, world.carol, world.dave_user, world.fiona_user, world.erin]
    return {user.username: mint(user) for user in users}


@pytest.fixture
def api(client: Client, tokens: dict[str, str]) -> ApiClient:
    return ApiClient(client, tokens)


@pytest.fixture
def make_case(world: World) -> Callable[..., Case]:
    """Open a case for dave in Technical support (alice logs his email) unless told otherwise."""

    def make(**overrides: Any) -> Case:
        values: dict[str, Any] = {
            "acting_user": world.alice,
            "customer": world.dave,
            "subject": "Router keeps dropping the line",
            "body": "Since Monday the internet stops every evening.",
            "channel": "email",
            "department": world.support,
        }
        values.update(overrides)
        return open_case(**values)

    return make


@pytest.fixture
def daves_case(make_case: Callable[..., Case]) -> Case:
    return make_case()


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)
