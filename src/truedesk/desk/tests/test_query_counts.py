"""The desk's pages cost a fixed number of queries however much history there is."""

from __future__ import annotations

import pytest

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


def _busy_case(world, make_case, customer=None):
    case = make_case(customer=customer or world.dave)
    take_case(acting_user=world.alice, case=case)
    set_tags(acting_user=world.alice, case=case, tags=["vip"])
    reply_to_case(acting_user=world.alice, case=case, body="Answer", channel="email",
                  attachments=[AttachmentUpload(name="a.txt", content=b"a")])  # fmt: skip
    add_internal_note(acting_user=world.alice, case=case, body="Note")
    return case


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
    bounded(alice_client, "/desk/", 9)
    grow()
    page = bounded(alice_client, "/desk/", 9)
    assert page.content.decode().count("<tr>") >= 31


def test_the_queue_is_query_bounded(world, make_case, alice_client, bounded):
    make_case()
    bounded(alice_client, "/desk/queue/support/", 10)
    for _index in range(30):
        make_case(customer=world.fiona)
    page = bounded(alice_client, "/desk/queue/support/", 10)
    assert page.content.decode().count('hx-post="/desk/cases/') == 31


def test_the_case_page_is_query_bounded(world, make_case, alice_client, bounded):
    case = _busy_case(world, make_case)
    bounded(alice_client, f"/desk/cases/{case.number}/", 18)
    for _index in range(30):
        reply_to_case(acting_user=world.alice, case=case, body="More", channel="email",
                      attachments=[AttachmentUpload(name="b.txt", content=b"b")])  # fmt: skip
        add_internal_note(acting_user=world.alice, case=case, body="More notes")
    merge_cases(acting_user=world.alice, source=_busy_case(world, make_case), target=case)
    transfer_case(acting_user=world.alice, case=case, to_user=world.bob, reason="r",
                  handoff_note="h")  # fmt: skip
    page = bounded(alice_client, f"/desk/cases/{case.number}/", 18)
    assert page.content.decode().count("More notes") == 30


def test_the_customer_360_is_query_bounded(world, make_case, alice_client, grow, bounded):
    _busy_case(world, make_case)
    url = f"/desk/customers/{world.dave.pk}/"
    bounded(alice_client, url, 12)
    grow()
    page = bounded(alice_client, url, 12)
    assert page.content.decode().count("/desk/cases/") >= 16
    assert get_customer(world.dave.pk).cases.count() == 16


def test_the_organisation_page_and_search_are_query_bounded(
    world, make_case, alice_client, grow, bounded
):
    grow()
    bounded(alice_client, f"/desk/organisations/{world.acme.pk}/", 8)
    bounded(alice_client, "/desk/search/?q=router", 8)
