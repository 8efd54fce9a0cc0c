"""Routing fixtures: time frozen on a Wednesday noon in Vilnius, skills, training, cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from truedesk.cases.actions import open_case
from truedesk.routing.actions import TrainingInput, record_training, set_presence
from truedesk.routing.models import AgentCapacity, Skill, TrainingModule

VILNIUS = ZoneInfo("Europe/Vilnius")
WEDNESDAY_NOON = datetime(2026, 3, 4, 12, tzinfo=VILNIUS)
TODAY = date(2026, 3, 4)


@pytest.fixture
def clock() -> Any:
    """Time stands still at Wednesday 4 March 2026 12:00 Vilnius until the test moves it."""
    with time_machine.travel(WEDNESDAY_NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Queued tasks run at once, in the test's thread."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def broadband(db: None) -> Skill:
    return Skill.objects.create(kind=Skill.Kind.PRODUCT, code="broadband", name="Broadband")


@pytest.fixture
def broadband_course(broadband: Skill) -> TrainingModule:
    module = TrainingModule.objects.create(name="Broadband basics", valid_for_days=365)
    module.skills.add(broadband)
    return module


def train(world: Any, agent: Any, module: TrainingModule, completed_on: date, expires_on=None):
    return record_training(
        acting_user=world.carol,
        data=TrainingInput(
            agent=agent, module=module, completed_on=completed_on, expires_on=expires_on
        ),
    )


def available(*agents: Any) -> None:
    for agent in agents:
        set_presence(acting_user=agent, agent=agent, status="available")


def capacity(agent: Any, channel: str, limit: int) -> None:
    AgentCapacity.objects.update_or_create(agent=agent, channel=channel, defaults={"limit": limit})


def new_case(world: Any, *, channel: str = "chat", department: Any = None, priority: int = 2,
             subject: str = "No signal") -> Any:  # fmt: skip
    return open_case(
        acting_user=world.carol,
        customer=world.dave,
        subject=subject,
        body="Nothing works since this morning.",
        channel=channel,
        department=department if department is not None else world.support,
        priority=priority,
    )
