"""The desk's pages cost a fixed number of queries however much history there is."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truedesk.cases import customer_history
from truedesk.cases.actions import (
    add_internal_note,
    merge_cases,
    reply_to_case,
    set_tags,
    take_case,
    transfer_case,
)
from truedesk.cases.attachments import AttachmentUpload
from truedesk.customers.selectors import get_customer
from truedesk.desk import pagination


def _busy_case(world, make_case, customer=None):
    case = make_case(customer=customer or world.dave)
    take_case(acting_user=world.alice, case=case)
    set_tags(acting_user=world.alice, case=case, tags=["vip"])
    reply_to_case(acting_user=world.alice, case=case, body="Answer", channel="email",
                  attachments=[AttachmentUpload(name="a.txt", content=b"a")])  # fmt: skip
    add_internal_note(acting_user=world.alice, case=case, body="Note")
    return case


def older_link(page: str) -> str:
    """The href of the page's "show older" link (the page must have one)."""
    found = re.search(r'<a href="([^"]+)" rel="next">Show older', page)
    assert found, "no link to older entries"
    return html.unescape(found.group(1))


@pytest.fixture
def grow(world, make_case):
    """Add 30 more cases (for dave and fiona), each with replies, notes, files and tags."""

    def more():
        for index in range(30):
            _busy_case(world, make_case, customer=world.dave if index % 2 else world.fiona)

    return more


@pytest.fixture
def bounded(django_assert_max_num_queries):
    """GET a page and fail if it took more than `bound` queries."""

    def get(client, url, bound):
        with django_assert_max_num_queries(bound):
            response = client.get(url)
        assert response.status_code == 200
        return response

    return get


def test_my_cases_page_is_query_bounded(world, make_case, alice_client, grow, bounded):
    case = _busy_case(world, make_case)
    transfer_case(acting_user=world.alice, case=case, to_user=world.bob, reason="r",
                  handoff_note="h")  # fmt: skip
    # 9, and 2 for the availability-gap notice (published levels, their shifts).
    bounded(alice_client, "/desk/", 11)
    grow()
    page = bounded(alice_client, "/desk/", 11)
    assert page.content.decode().count("<tr>") >= 31


def test_the_queue_is_query_bounded(world, make_case, alice_client, bounded, monkeypatch):
    make_case()
    bounded(alice_client, "/desk/queue/support/", 10)
    for _index in range(30):
        make_case(customer=world.fiona)
    page = bounded(alice_client, "/desk/queue/support/", 10)
    assert page.content.decode().count('hx-post="/desk/cases/') == 31
    monkeypatch.setattr(pagination, "PER_PAGE", 10)
    last = bounded(alice_client, "/desk/queue/support/?page=4", 10)
    assert last.content.decode().count('hx-post="/desk/cases/') == 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_case_page_is_query_bounded(world, make_case, alice_client, bounded):
    case = _busy_case(world, make_case)
    url = f"/desk/cases/{case.number}/"
    small = _queries(alice_client, url)
    for _index in range(30):
        reply_to_case(acting_user=world.alice, case=case, body="More", channel="email",
                      attachments=[AttachmentUpload(name="b.txt", content=b"b")])  # fmt: skip
        add_internal_note(acting_user=world.alice, case=case, body="More notes")
    merge_cases(acting_user=world.alice, source=_busy_case(world, make_case), target=case)
    transfer_case(acting_user=world.alice, case=case, to_user=world.bob, reason="r",
                  handoff_note="h")  # fmt: skip
    # 60 more interactions cost nothing; a merged case costs one query (its
    # own merged cases are looked for), whatever its size.
    page = bounded(alice_client, url, small + 1).content.decode()
    # The newest entries fill the first page; the rest are one "older" link away,
    # at the same query cost.
    assert 0 < page.count("More notes") < 30
    older = bounded(alice_client, older_link(page), small + 1).content.decode()
    assert page.count("More notes") + older.count("More notes") == 30


def test_the_case_page_asks_department_membership_once(world, make_case, bob_client):
    # Bob works alice's case as a member of its department: the page and its
    # promise panel share one answer (he still gets the forms to work it).
    case = _busy_case(world, make_case)
    with CaptureQueriesContext(connection) as captured:
        page = bob_client.get(f"/desk/cases/{case.number}/").content.decode()
    asked = [
        q for q in captured.captured_queries
        if q["sql"].startswith('SELECT 1 AS "a" FROM "accounts_department_members"')
    ]  # fmt: skip
    assert len(asked) == 1
    assert "Record promise" in page and "Send reply" in page


def test_the_customer_360_is_query_bounded(
    world, make_case, alice_client, grow, bounded, monkeypatch
):
    monkeypatch.setattr(customer_history, "INTERACTIONS_PER_PAGE", 10)
    _busy_case(world, make_case)
    url = f"/desk/customers/{world.dave.pk}/"
    bounded(alice_client, url, 12)
    grow()
    page = bounded(alice_client, url, 12).content.decode()
    assert page.count("/desk/cases/") >= 16
    assert get_customer(world.dave.pk).cases.count() == 16
    # Older contacts cost the same.
    found = re.search(r'<a href="([^"]+)" rel="next">Show older contacts', page)
    assert found, "no link to older contacts"
    bounded(alice_client, html.unescape(found.group(1)), 12)


def test_the_organisation_page_and_search_are_query_bounded(
    world, make_case, alice_client, grow, bounded
):
    grow()
    bounded(alice_client, f"/desk/organisations/{world.acme.pk}/", 8)
    bounded(alice_client, "/desk/search/?q=router", 8)
