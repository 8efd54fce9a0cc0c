"""My cases: what I own, transfers waiting for me and transfers I sent."""

from __future__ import annotations

import html
import re

from truedesk.cases.actions import change_status, take_case, transfer_case
from truedesk.cases.models import Transfer
from truedesk.desk import pagination


def test_my_active_cases_are_listed_with_a_returning_badge(world, make_case, alice_client):
    first = make_case(subject="Dial tone gone")
    second = make_case(subject="Bill too high")
    take_case(acting_user=world.alice, case=first)
    take_case(acting_user=world.alice, case=second)
    fionas = make_case(customer=world.fiona, subject="New phone line")
    take_case(acting_user=world.alice, case=fionas)
    resolved = make_case(subject="Old matter")
    take_case(acting_user=world.alice, case=resolved)
    change_status(acting_user=world.alice, case=resolved, status="resolved")
    bobs = make_case(subject="Bob's case")
    take_case(acting_user=world.bob, case=bobs)

    page = alice_client.get("/desk/").content.decode()

    assert "Dial tone gone" in page and "Bill too high" in page and "New phone line" in page
    assert "Old matter" not in page and "Bob&#x27;s case" not in page
    assert "returning · 3 earlier cases" in page  # dave has four cases
    fiona_row = page[page.index("Fiona Fox") : page.index("Fiona Fox") + 200]
    assert "returning" not in fiona_row


def test_with_nothing_owned_the_page_points_to_the_queues(world, alice_client):
    page = alice_client.get("/desk/").content.decode()

    assert "You own no active cases." in page
    assert 'href="/desk/queue/"' in page
    assert "No transfer you sent is waiting for an answer." in page


def test_a_transfer_to_me_shows_its_reason_and_handoff_note(world, case, bob_client):
    take_case(acting_user=world.alice, case=case)
    transfer_case(
        acting_user=world.alice, case=case, to_user=world.bob, reason="Billing question",
        handoff_note="Customer disputes the March bill.",
    )  # fmt: skip

    page = bob_client.get("/desk/").content.decode()

    assert "Transfers waiting for you" in page
    assert "From Alice Adams" in page
    assert "Billing question" in page and "Customer disputes the March bill." in page
    assert "Accept" in page and "Decline" in page


def test_transfers_i_sent_are_listed_until_answered(world, case, alice_client):
    take_case(acting_user=world.alice, case=case)
    transfer_case(acting_user=world.alice, case=case, to_department=world.billing,
                  reason="Billing", handoff_note="See the bill.")  # fmt: skip

    page = alice_client.get("/desk/").content.decode()

    assert "To the Billing department" in page
    assert "Cancel transfer" in page


def _pending(world, case):
    take_case(acting_user=world.alice, case=case)
    return transfer_case(acting_user=world.alice, case=case, to_user=world.bob,
                         reason="Billing", handoff_note="See the bill.")  # fmt: skip


def test_accepting_a_transfer_makes_me_the_owner(world, case, bob_client):
    transfer = _pending(world, case)

    response = bob_client.post(f"/desk/transfers/{transfer.pk}/accept/", {"back": "home"})

    assert response.status_code == 302 and response["Location"] == "/desk/"
    case.refresh_from_db()
    assert case.owner == world.bob and case.transfer_count == 1
    page = bob_client.get("/desk/").content.decode()
    assert f"You now own case #{case.number}." in page
    assert "Router keeps dropping the line" in page


def test_declining_needs_a_note_and_keeps_the_case_with_the_sender(world, case, bob_client):
    transfer = _pending(world, case)
    url = f"/desk/transfers/{transfer.pk}/decline/"

    refused = bob_client.post(url, {f"decline-{transfer.pk}-note": ""})
    declined = bob_client.post(url, {f"decline-{transfer.pk}-note": "Not a billing matter."})

    assert refused.status_code == 422 and "This field is required." in refused.content.decode()
    assert declined.status_code == 302
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.status == Transfer.Status.DECLINED
    assert transfer.response_note == "Not a billing matter."
    assert case.owner == world.alice
    page = bob_client.get("/desk/").content.decode()
    assert "You declined case" in page and "Alice Adams keeps it." in page


def test_declining_from_the_case_page_returns_to_the_case(world, case, bob_client):
    transfer = _pending(world, case)

    page = bob_client.get(f"/desk/cases/{case.number}/").content.decode()
    refused = bob_client.post(f"/desk/transfers/{transfer.pk}/decline/", {"back": "case"})

    assert "Accept" in page and f'name="decline-{transfer.pk}-note"' in page
    assert refused.status_code == 422
    assert "Router keeps dropping the line</h1>" in refused.content.decode()


def test_someone_else_cannot_answer_my_transfer(world, case, client_for):
    transfer = _pending(world, case)

    response = client_for(world.carol).post(f"/desk/transfers/{transfer.pk}/accept/", follow=True)

    assert "This transfer is addressed to someone else." in response.content.decode()
    case.refresh_from_db()
    assert case.owner == world.alice


def test_an_answered_transfer_cannot_be_answered_again(world, case, bob_client):
    transfer = _pending(world, case)
    bob_client.post(f"/desk/transfers/{transfer.pk}/accept/")

    response = bob_client.post(
        f"/desk/transfers/{transfer.pk}/decline/", {f"decline-{transfer.pk}-note": "no"},
        follow=True,
    )  # fmt: skip

    assert "This transfer is no longer waiting for an answer." in response.content.decode()
    case.refresh_from_db()
    assert case.owner == world.bob


def test_the_sender_can_cancel_a_transfer(world, case, alice_client):
    transfer = _pending(world, case)

    response = alice_client.post(f"/desk/transfers/{transfer.pk}/cancel/", follow=True)

    assert "Transfer cancelled." in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED


def test_a_missing_transfer_is_a_404(world, alice_client):
    assert alice_client.post("/desk/transfers/4242/accept/").status_code == 404


def _links(page: str) -> dict[str, str]:
    """The pager's links by rel ("prev"/"next"), unescaped."""
    return {
        rel: html.unescape(href)
        for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)"', page)
    }


def test_my_cases_come_a_page_at_a_time_with_links_both_ways(
    world, make_case, alice_client, monkeypatch
):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    for subject, priority in [("Low one", 1), ("Urgent one", 4), ("High one", 3)]:
        take_case(acting_user=world.alice, case=make_case(subject=subject, priority=priority))

    first = alice_client.get("/desk/").content.decode()
    second = alice_client.get(_links(first)["next"]).content.decode()

    assert "Urgent one" in first and "High one" in first and "Low one" not in first
    assert 'Cases you own <span class="badge">3</span>' in first and "Page 1 of 2" in first
    assert _links(first) == {"next": "/desk/?page=2#mine-heading"}
    assert "Low one" in second and "Urgent one" not in second
    assert _links(second) == {"prev": "/desk/#mine-heading"}


def test_a_page_past_the_end_shows_my_last_cases(world, make_case, alice_client, monkeypatch):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    for subject in ["Alpha case", "Beta case", "Gamma case"]:
        take_case(acting_user=world.alice, case=make_case(subject=subject))

    page = alice_client.get("/desk/?page=99").content.decode()

    # Same priority, so the least recently changed case is on the last page.
    assert "Page 2 of 2" in page
    assert "Alpha case" in page and "Beta case" not in page and "Gamma case" not in page
