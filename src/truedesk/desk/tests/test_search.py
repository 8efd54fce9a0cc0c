"""Search from the desk: cases and customers in one place."""

from __future__ import annotations


def test_search_finds_cases_and_customers(world, make_case, alice_client):
    case = make_case(subject="Dial tone gone")

    page = alice_client.get("/desk/search/", {"q": "dave"}).content.decode()

    assert "Dial tone gone" in page
    assert f'href="/desk/customers/{world.dave.pk}/">Dave Davis</a>' in page
    assert f'href="/desk/cases/{case.number}/"' in page
    assert 'value="dave"' in page


def test_search_by_case_number(world, make_case, alice_client):
    case = make_case(subject="Dial tone gone")

    page = alice_client.get("/desk/search/", {"q": f"#{case.number}"}).content.decode()

    assert "Dial tone gone" in page


def test_a_search_with_no_match_says_so(world, alice_client):
    page = alice_client.get("/desk/search/", {"q": "zebra"}).content.decode()

    assert "No case matches “zebra”." in page and "No customer matches “zebra”." in page


def test_an_empty_or_too_short_search_explains_itself(world, alice_client):
    assert "Search by case number" in alice_client.get("/desk/search/").content.decode()
    assert "Type at least two characters." in alice_client.get(
        "/desk/search/", {"q": "x"}).content.decode()  # fmt: skip


def test_search_text_is_escaped(world, alice_client):
    page = alice_client.get("/desk/search/", {"q": "<b>x</b>"}).content.decode()

    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
