"""Page numbers and links that keep the rest of the query string."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from truedesk.desk.pagination import page_links, page_number, url_with


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 1),
        ("page=3", 3),
        ("page=0", 1),
        ("page=-2", 1),
        ("page=abc", 1),
        ("page=" + "9" * 40, 1),
    ],
)
def test_a_missing_or_nonsense_page_number_means_the_first_page(query, expected):
    assert page_number(RequestFactory().get(f"/desk/?{query}")) == expected


def test_links_change_one_parameter_and_keep_the_others():
    request = RequestFactory().get("/desk/customers/7/?cases_page=2&before=abc")

    assert url_with(request, {"before": None}, anchor="x") == "/desk/customers/7/?cases_page=2#x"
    assert url_with(request, {"cases_page": 3}) == "/desk/customers/7/?cases_page=3&before=abc"
    assert (
        url_with(request, {"before": "d"}, path="/elsewhere/")
        == "/elsewhere/?cases_page=2&before=d"
    )


def test_the_first_page_link_drops_the_page_and_the_ends_have_no_link():
    request = RequestFactory().get("/desk/?page=2&q=router")

    middle = page_links(request, number=2, pages=3, total=120)
    last = page_links(request, number=3, pages=3, total=120)
    only = page_links(request, number=1, pages=1, total=4)

    assert (middle.previous_url, middle.next_url) == ("/desk/?q=router", "/desk/?page=3&q=router")
    assert last.next_url is None and last.previous_url == "/desk/?page=2&q=router"
    assert not only.is_paginated and only.previous_url is None and only.next_url is None
