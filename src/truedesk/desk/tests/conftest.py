"""Fixtures for desk tests: cases are opened through the real actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from truedesk.accounts.models import User
from truedesk.cases.actions import open_case
from truedesk.cases.models import Case
from truedesk.testing.personas import World


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
def case(make_case: Callable[..., Case]) -> Case:
    return make_case()


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """A test client signed in as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def alice_client(world: World, client_for: Callable[[User], Client]) -> Client:
    return client_for(world.alice)


@pytest.fixture
def bob_client(world: World, client_for: Callable[[User], Client]) -> Client:
    return client_for(world.bob)
