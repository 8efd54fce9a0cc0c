"""The customer 360 and the organisation page: one history any staff member opens at once."""

from __future__ import annotations

import html
import re

from truedesk.cases import customer_history
from truedesk.cases.actions import add_internal_note, record_interaction, take_case
from truedesk.customers.models import ContactPoint, Membership, Organisation


def test_the_customer_360_shows_contacts_organisations_recognition_cases_and_every_contact(
    world, make_case, alice_client
):
    ContactPoint.objects.create(customer=world.dave, kind="phone", value="+370 600 12345",
                                normalized="37060012345")  # fmt: skip
    first = make_case(subject="Dial tone gone", channel="phone")
    second = make_case(subject="Bill too high", department=world.billing)
    take_case(acting_user=world.alice, case=first)
    record_interaction(acting_user=world.alice, case=first, channel="chat",
                       direction="inbound", body="Chat: still no dial tone")  # fmt: skip
    add_internal_note(acting_user=world.alice, case=first, body="Exchange fault suspected")

    page = alice_client.get(f"/desk/customers/{world.dave.pk}/").content.decode()

    assert "<h1>Dave Davis</h1>" in page
    assert "dave@example.com" in page and "+370 600 12345" in page
    assert "Acme Ltd" in page and "IT manager" in page and "Account manager: Carol Clark" in page
    assert "Returning customer" in page
    assert "Dial tone gone" in page and "Bill too high" in page
    assert page.index("Bill too high") < page.index("Dial tone gone")  # newest case first
    assert "Chat: still no dial tone" in page
    assert "Exchange fault suspected" in page and "Internal note" in page
    assert f'href="/desk/cases/{second.number}/"' in page


def test_a_customer_without_cases_gets_helpful_empty_states(world, alice_client):
    page = alice_client.get(f"/desk/customers/{world.fiona.pk}/").content.decode()

    assert "This customer has no cases yet." in page
    assert "No contacts recorded yet." in page
    assert "Not a member of any organisation." in page


def test_the_organisation_page_lists_members_account_manager_and_cases(
    world, make_case, alice_client
):
    make_case(subject="Office line down")
    Membership.objects.create(
        customer=world.fiona, organisation=world.acme, is_primary_contact=True
    )

    page = alice_client.get(f"/desk/organisations/{world.acme.pk}/").content.decode()

    assert "<h1>Acme Ltd</h1>" in page
    assert "Carol Clark" in page
    assert "Dave Davis" in page and "Fiona Fox" in page and "primary contact" in page
    assert "Office line down" in page and "(1 open)" in page


def test_an_organisation_without_anything_says_so(world, alice_client):
    empty = Organisation.objects.create(name="Empty Ltd")

    page = alice_client.get(f"/desk/organisations/{empty.pk}/").content.decode()

    assert "No cases for this organisation yet." in page
    assert "Nobody named yet." in page and "No members yet." in page


def test_the_360_pages_long_histories_and_keeps_every_contact_reachable(
    world, make_case, alice_client, monkeypatch
):
    monkeypatch.setattr(customer_history, "CASES_PER_PAGE", 2)
    monkeypatch.setattr(customer_history, "INTERACTIONS_PER_PAGE", 2)
    for n in range(1, 4):
        make_case(subject=f"Case number {n}", body=f"Message {n}")
    url = f"/desk/customers/{world.dave.pk}/"

    first = alice_client.get(url).content.decode()
    links = dict(re.findall(r'<a href="([^"]+)" rel="next">([^<]+)</a>', first))
    links = {text.split()[0]: html.unescape(href) for href, text in links.items()}
    next_cases = alice_client.get(links["Next"]).content.decode()
    older = alice_client.get(links["Show"]).content.decode()

    assert "Case number 3" in first and "Case number 2" in first and "Case number 1" not in first
    assert 'Cases <span class="badge">3</span>' in first and "Page 1 of 2" in first
    assert "Message 3" in first and "Message 2" in first and "Message 1" not in first
    assert "Case number 1" in next_cases and "Case number 3" not in next_cases
    assert "Message 1" in older and "Message 3" not in older
    assert "Back to the newest contacts" in older and "Show older contacts" not in older


def test_a_broken_link_to_older_contacts_is_a_clear_error(world, alice_client):
    response = alice_client.get(f"/desk/customers/{world.dave.pk}/?before=%%%")

    assert response.status_code == 400
    assert "This link to older entries is broken" in response.content.decode()
