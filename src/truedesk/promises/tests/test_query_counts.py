"""Promise lists cost the same number of queries however many promises there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from truedesk.promises.actions import keep_promise, process_due_promises
from truedesk.promises.tests.conftest import FIVE_PM


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def signed_in(world, clock):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def _more_promises(world, case, promise_on, clock, count):
    for index in range(count):
        promise = promise_on(case, description=f"Promise {index}",
                             due_at=FIVE_PM + timedelta(minutes=index))  # fmt: skip
        if index % 3 == 0:
            keep_promise(acting_user=world.alice, promise=promise, how="Done")


def test_desk_and_portal_promise_lists_are_query_bounded(world, case, promise_on, clock, signed_in):
    alice, dave = signed_in(world.alice), signed_in(world.dave_user)
    urls = [(alice, f"/desk/cases/{case.number}/"), (alice, "/desk/"),
            (dave, f"/portal/cases/{case.number}/"), (dave, "/portal/")]  # fmt: skip
    promise_on(case)
    before = [_queries(client, url) for client, url in urls]

    _more_promises(world, case, promise_on, clock, 12)
    clock.move_to(FIVE_PM + timedelta(minutes=5))
    process_due_promises()  # misses, follow-ups and a flag in the lists too

    assert [_queries(client, url) for client, url in urls] == before
