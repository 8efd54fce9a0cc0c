"""Fixtures for runaround tests: cases through the real actions, a senior named by rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from truedesk.accounts.models import User
from truedesk.cases.actions import open_case, record_interaction, reply_to_case, take_case
from truedesk.cases.models import Case
from truedesk.runaround.models import RunaroundPolicy, SeniorOwnerRule
from truedesk.testing.personas import World, make_staff

SAM_PHONE = "+370 600 12345"


@pytest.fixture
def make_case(world: World) -> Callable[..., Case]:
    """Open a case for dave in Technical support (alice logs his email) unless told otherwise."""

    def make(**overrides: Any) -> Case:
        values: dict[str, Any] = {
            "acting_user": world.alice,
            "customer": world.dave,
            "subject": "No dial tone since the fibre switch",
            "body": "The line has been dead for two days.",
            "channel": "email",
            "department": world.support,
        }
        values.update(overrides)
        return open_case(**values)

    return make


@pytest.fixture
def case(world: World, make_case: Callable[..., Case]) -> Case:
    """Dave's case, taken by alice: one contact so far."""
    opened = make_case()
    take_case(acting_user=world.alice, case=opened)
    opened.refresh_from_db()
    return opened


@pytest.fixture
def sam(world: World) -> User:
    """Sam Senior, named by rule as the senior owner of Technical support, with a direct line."""
    user = make_staff("sam", "agent", "Sam Senior")
    world.support.members.add(user)
    SeniorOwnerRule.objects.create(department=world.support, senior=user, direct_phone=SAM_PHONE)
    return user


@pytest.fixture
def limits() -> Callable[..., RunaroundPolicy]:
    """Set the company's thresholds (the row may be gone after a flushing test)."""

    def set_limits(**values: Any) -> RunaroundPolicy:
        policy, _created = RunaroundPolicy.objects.update_or_create(
            pk=RunaroundPolicy.SINGLETON_ID, defaults=values
        )
        return policy

    return set_limits


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Queued tasks run at once, in the test's thread."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def reply(world: World) -> Callable[..., None]:
    """One more contact by the customer each time: a call alice takes, or dave's
    own portal message when `as_customer` (only contacts the customer makes count)."""

    def add(case: Case, *, as_customer: bool = False, times: int = 1) -> None:
        for _index in range(times):
            if as_customer:
                reply_to_case(
                    acting_user=world.dave_user,
                    case=case,
                    body="Still no dial tone.",
                    channel="portal",
                )
            else:
                record_interaction(
                    acting_user=world.alice,
                    case=case,
                    channel="phone",
                    direction="inbound",
                    body="Dave called again: still no dial tone.",
                    handled_by=world.alice,
                )

    return add


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """A test client signed in as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
