"""Web form fixtures: the shared cache's table, topics, a submission helper."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command

from truedesk.channels.webform.models import ContactTopic
from truedesk.channels.webform.spam import issue_stamp


@pytest.fixture(autouse=True)
def cache_table(request: pytest.FixtureRequest) -> None:
    """The database cache the rate limits count in (`truedesk run` creates it in production)."""
    live = "live_server" in request.fixturenames
    request.getfixturevalue("transactional_db" if live else "db")
    call_command("createcachetable", verbosity=0)
    cache.clear()


@pytest.fixture
def billing_topic(world: Any) -> ContactTopic:
    return ContactTopic.objects.create(
        label="A bill or a payment", label_lt="Sąskaita ar mokėjimas", department=world.billing,
        kind="billing_dispute",
    )  # fmt: skip


@pytest.fixture
def no_fill_time(settings: Any) -> None:
    settings.WEBFORM_MIN_FILL_SECONDS = 0


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Nora Visitor",
        "email": "nora@example.net",
        "subject": "My parcel never arrived",
        "message": "I ordered on Monday and nothing came.",
        "website": "",
        "started": issue_stamp(),
    }
    data.update(overrides)
    return data
