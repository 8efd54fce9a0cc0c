"""Transfers through the API: ask, accept, decline, cancel; each answered once."""

from __future__ import annotations

from truedesk.cases.models import Case, Transfer


def test_an_owner_asks_a_colleague_to_take_over(api, world, make_case):
    case = make_case()
    api.post(f"/cases/{case.number}/take", as_="alice")

    reply = api.post(
        f"/cases/{case.number}/transfers",
        {
            "to_user": world.bob.pk,
            "reason": "Router expert",
            "handoff_note": "Modem restarted twice.",
            "expires_in_minutes": 60,
        },
        as_="alice",
    )

    assert reply.status == 201
    assert reply.body["status"] == "pending"
    assert reply.body["from_user"]["username"] == "alice"
    assert reply.body["to_user"]["username"] == "bob"
    inbox = api.get("/transfers", as_="bob").body
    assert [item["id"] for item in inbox] == [reply.body["id"]]


def test_accepting_makes_the_receiver_the_owner_once(api, scene, world):
    path = f"/transfers/{scene.transfer.pk}/accept"

    accepted = api.post(path, as_="bob")
    again = api.post(path, as_="bob")

    assert accepted.status == 200
    assert accepted.body["status"] == "accepted"
    assert Case.objects.get(pk=scene.case.pk).owner == world.bob
    assert again.status == 409
    assert again.body["code"] == "transfer_not_pending"


def test_only_the_receiver_may_answer(api, scene):
    reply = api.post(f"/transfers/{scene.transfer.pk}/accept", as_="carol")

    assert reply.status == 403
    assert Transfer.objects.get(pk=scene.transfer.pk).status == "pending"


def test_declining_needs_a_reason_and_keeps_the_case_with_the_sender(api, scene, world):
    path = f"/transfers/{scene.transfer.pk}/decline"

    without = api.post(path, {"note": "  "}, as_="bob")
    declined = api.post(path, {"note": "On leave from tomorrow."}, as_="bob")

    assert without.status == 422
    assert without.body["code"] == "invalid_transfer"
    assert declined.status == 200
    assert declined.body["status"] == "declined"
    assert declined.body["response_note"] == "On leave from tomorrow."
    assert Case.objects.get(pk=scene.case.pk).owner == world.alice


def test_the_sender_cancels_but_nobody_else_can(api, scene):
    by_receiver = api.post(f"/transfers/{scene.transfer.pk}/cancel", as_="bob")
    by_sender = api.post(f"/transfers/{scene.transfer.pk}/cancel", as_="alice")

    assert by_receiver.status == 403
    assert by_sender.status == 200
    assert by_sender.body["status"] == "cancelled"


def test_a_second_pending_transfer_is_refused(api, scene, world):
    reply = api.post(
        f"/cases/{scene.case.number}/transfers",
        {"to_department": world.billing.pk, "reason": "Invoice", "handoff_note": "See notes."},
        as_="alice",
    )

    assert reply.status == 422
    assert reply.body["code"] == "invalid_transfer"


def test_an_unknown_receiver_is_a_404_naming_the_field(api, scene):
    reply = api.post(
        f"/cases/{scene.spare.number}/transfers",
        {"to_user": 987654, "reason": "x", "handoff_note": "y"},
        as_="carol",
    )

    assert reply.status == 404
    assert reply.body["details"] == {"field": "to_user"}


def test_the_case_lists_its_transfers_for_staff(api, scene):
    reply = api.get(f"/cases/{scene.case.number}/transfers", as_="bob")

    assert [item["id"] for item in reply.body] == [scene.transfer.pk]
    assert reply.body[0]["handoff_note"].startswith("Line drops")
