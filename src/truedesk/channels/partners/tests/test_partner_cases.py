"""A partner user opens and follows cases for a customer who authorised it, and only then.

Every partner action is recorded as "partner P (user) for customer C": on the
case event, on the interaction's author and in the audit trail on the customer.
"""

from __future__ import annotations

import pytest

from truedesk.accounts.models import AuditEvent
from truedesk.cases import selectors
from truedesk.cases.actions import open_case, reply_to_case
from truedesk.cases.errors import NotAllowed, NotFound
from truedesk.cases.models import CaseEvent, EventKind, Interaction
from truedesk.customers.actions import authorise_partner, revoke_partner_authorisation
from truedesk.customers.models import PartnerAuthorisation

LABEL = "partner Travelwise (erin) for customer Dave Davis"


def _open_for_dave(world, **overrides):
    values = {
        "acting_user": world.erin,
        "customer": world.dave,
        "subject": "Roaming for a trip to Spain",
        "body": "Our client travels on Friday; please enable roaming.",
        "channel": "portal",
    }
    values.update(overrides)
    return open_case(**values)


def test_a_partner_opens_a_case_for_an_authorising_customer_recorded_as_partner_for_customer(
    scene,
):
    world = scene.world

    case = _open_for_dave(world)

    assert case.customer == world.dave and case.initiated_by == "customer"
    first = case.interactions.get()
    assert first.direction == Interaction.Direction.INBOUND
    assert first.author_user == world.erin and first.author_customer == world.dave
    assert first.handled_by is None
    opened = CaseEvent.objects.get(case=case, kind=EventKind.OPENED)
    assert opened.actor == world.erin and opened.actor_label == LABEL
    audit = AuditEvent.objects.get(action="partner.case_opened", object_id=str(world.dave.pk))
    assert audit.actor_label == LABEL and audit.data["case"] == case.number


def test_a_partner_reply_is_the_customers_side_and_recorded_as_partner_for_customer(scene):
    world = scene.world

    reply = reply_to_case(
        acting_user=world.erin, case=scene.daves_case, body="Any news?", channel="portal"
    )

    assert reply.direction == Interaction.Direction.INBOUND
    assert reply.author_user == world.erin and reply.author_customer == world.dave
    event = CaseEvent.objects.filter(case=scene.daves_case, kind=EventKind.REPLY_ADDED).latest("id")
    assert event.actor_label == LABEL
    assert AuditEvent.objects.filter(action="partner.reply_added", actor=world.erin).count() == 1


def test_a_partner_cannot_open_or_reply_for_a_customer_who_did_not_authorise_it(scene):
    world = scene.world

    with pytest.raises(NotAllowed):
        _open_for_dave(world, customer=world.fiona)
    with pytest.raises(NotAllowed):
        reply_to_case(
            acting_user=world.erin, case=scene.fionas_case, body="Hello", channel="portal"
        )

    assert scene.fionas_case.interactions.count() == 1


def test_a_read_only_grant_lets_the_partner_read_but_not_write(scene):
    world = scene.world
    authorise_partner(
        acting_user=world.dave_user,
        customer=world.dave,
        partner=world.partner,
        scope=PartnerAuthorisation.Scope.READ,
    )

    assert selectors.get_case_for_user(world.erin, scene.daves_case.number) == scene.daves_case
    with pytest.raises(NotAllowed):
        _open_for_dave(world)
    with pytest.raises(NotAllowed):
        reply_to_case(acting_user=world.erin, case=scene.daves_case, body="Hi", channel="portal")


def test_a_partner_may_not_give_the_case_an_owner(scene):
    with pytest.raises(NotAllowed):
        _open_for_dave(scene.world, owner=scene.world.alice)


def test_after_revocation_the_partner_can_neither_read_nor_write(scene):
    world = scene.world
    revoke_partner_authorisation(acting_user=world.dave_user, authorisation=scene.grant)

    with pytest.raises(NotFound):
        selectors.get_case_for_user(world.erin, scene.daves_case.number)
    with pytest.raises(NotAllowed):
        reply_to_case(acting_user=world.erin, case=scene.daves_case, body="Hi", channel="portal")
    assert list(selectors.list_cases_for_partner(world.erin)) == []


def test_the_partner_sees_authorised_cases_but_never_internal_notes_or_their_files(scene):
    world = scene.world

    cases = list(selectors.list_cases_for_partner(world.erin))
    timeline = selectors.get_case_timeline(world.erin, scene.daves_case)

    assert cases == [scene.daves_case]
    bodies = [item.interaction.body for item in timeline if item.interaction is not None]
    assert bodies == ["Since Monday the internet stops every evening."]
    assert all(not item.is_internal for item in timeline)
    assert selectors.get_attachment_for_user(world.erin, scene.daves_file.pk) == scene.daves_file
    for hidden in (scene.internal_file, scene.fionas_file):
        with pytest.raises(NotFound):
            selectors.get_attachment_for_user(world.erin, hidden.pk)
    assert [c.number for c in selectors.search_cases(world.erin, "DSLAM")] == []
    assert selectors.search_cases(world.erin, "invoice") == []
    with pytest.raises(NotFound):
        selectors.get_case_timeline(world.erin, scene.fionas_case)
