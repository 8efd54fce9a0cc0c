"""authorise_partner / revoke_partner_authorisation and the live-grant selectors."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from truedesk.accounts.models import AuditEvent, Partner
from truedesk.customers import errors
from truedesk.customers.actions import authorise_partner, revoke_partner_authorisation
from truedesk.customers.models import PartnerAuthorisation
from truedesk.customers.selectors import (
    get_customer_for_user,
    is_authorised_partner,
    list_authorisations_for_customer,
    list_authorised_customers,
    list_partner_activity,
)


def _audit(customer, action):
    return AuditEvent.objects.filter(
        object_type="customers.customer", object_id=str(customer.pk), action=action
    )


def test_a_customer_authorises_a_partner_and_its_users_see_him_at_once(world):
    assert not is_authorised_partner(world.erin, world.dave.pk)

    grant = authorise_partner(
        acting_user=world.dave_user, customer=world.dave, partner=world.partner
    )

    assert grant.granted_via == "customer" and grant.scope == "follow"
    assert is_authorised_partner(world.erin, world.dave.pk)
    assert is_authorised_partner(world.erin, world.dave.pk, follow_only=True)
    assert not is_authorised_partner(world.erin, world.fiona.pk)
    assert list_authorised_customers(world.erin) == [world.dave]
    assert get_customer_for_user(world.erin, world.dave.pk) == world.dave
    row = _audit(world.dave, "partner.authorised").get()
    assert row.actor == world.dave_user and row.data["partner"] == "Travelwise"


def test_revoking_stops_access_on_the_very_next_check_and_is_audited_once(world):
    grant = authorise_partner(
        acting_user=world.dave_user, customer=world.dave, partner=world.partner
    )

    revoke_partner_authorisation(acting_user=world.dave_user, authorisation=grant)
    revoke_partner_authorisation(acting_user=world.dave_user, authorisation=grant)

    assert not is_authorised_partner(world.erin, world.dave.pk)
    assert list_authorised_customers(world.erin) == []
    with pytest.raises(errors.CustomerNotFound):
        get_customer_for_user(world.erin, world.dave.pk)
    grant.refresh_from_db()
    assert grant.revoked_by == world.dave_user and grant.revoked_at is not None
    assert _audit(world.dave, "partner.revoked").count() == 1


def test_an_expired_grant_gives_nothing(world):
    authorise_partner(
        acting_user=world.dave_user,
        customer=world.dave,
        partner=world.partner,
        expires_at=timezone.now() + timedelta(days=2),
    )

    with time_machine.travel(timezone.now() + timedelta(days=2, seconds=1)):
        assert not is_authorised_partner(world.erin, world.dave.pk)
        assert list_authorised_customers(world.erin) == []
    assert is_authorised_partner(world.erin, world.dave.pk)


def test_a_read_only_grant_does_not_let_the_partner_open_or_reply(world):
    authorise_partner(
        acting_user=world.dave_user,
        customer=world.dave,
        partner=world.partner,
        scope=PartnerAuthorisation.Scope.READ,
    )

    assert is_authorised_partner(world.erin, world.dave.pk)
    assert not is_authorised_partner(world.erin, world.dave.pk, follow_only=True)


def test_granting_again_replaces_the_live_grant(world):
    first = authorise_partner(
        acting_user=world.dave_user, customer=world.dave, partner=world.partner
    )

    second = authorise_partner(
        acting_user=world.dave_user,
        customer=world.dave,
        partner=world.partner,
        scope=PartnerAuthorisation.Scope.READ,
    )

    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert list_authorisations_for_customer(world.dave) == [second, first]
    assert not is_authorised_partner(world.erin, world.dave.pk, follow_only=True)


def test_only_one_live_grant_per_customer_and_partner_in_the_database(world):
    authorise_partner(acting_user=world.dave_user, customer=world.dave, partner=world.partner)

    with pytest.raises(IntegrityError):
        PartnerAuthorisation.objects.create(
            customer=world.dave,
            partner=world.partner,
            granted_via="customer",
            granted_by=world.dave_user,
        )


def test_staff_record_consent_only_with_a_note_of_it(world):
    with pytest.raises(errors.InvalidValue) as refused:
        authorise_partner(acting_user=world.alice, customer=world.dave, partner=world.partner)
    assert refused.value.details["field"] == "consent_note"

    grant = authorise_partner(
        acting_user=world.alice,
        customer=world.dave,
        partner=world.partner,
        consent_note="Dave phoned on 3 May; identity checked with date of birth.",
    )

    assert grant.granted_via == "staff" and grant.granted_by == world.alice
    row = _audit(world.dave, "partner.authorised").get()
    assert row.data["consent_note"].startswith("Dave phoned")


@pytest.mark.parametrize("who", ["fiona_user", "erin"])
def test_nobody_else_grants_or_revokes_for_a_customer(world, who):
    with pytest.raises(errors.NotAllowed):
        authorise_partner(
            acting_user=getattr(world, who), customer=world.dave, partner=world.partner
        )
    grant = authorise_partner(
        acting_user=world.dave_user, customer=world.dave, partner=world.partner
    )
    with pytest.raises(errors.NotAllowed):
        revoke_partner_authorisation(acting_user=getattr(world, who), authorisation=grant)
    assert is_authorised_partner(world.erin, world.dave.pk)


def test_an_expiry_in_the_past_or_an_unknown_scope_is_refused(world):
    with pytest.raises(errors.InvalidValue) as past:
        authorise_partner(
            acting_user=world.dave_user,
            customer=world.dave,
            partner=world.partner,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
    with pytest.raises(errors.InvalidValue) as scope:
        authorise_partner(
            acting_user=world.dave_user, customer=world.dave, partner=world.partner, scope="all"
        )

    assert past.value.details["field"] == "expires_at"
    assert scope.value.details["field"] == "scope"
    assert not PartnerAuthorisation.objects.exists()


def test_another_partners_users_see_nothing(world):
    other = Partner.objects.create(name="Brokerly")
    authorise_partner(acting_user=world.dave_user, customer=world.dave, partner=other)

    assert not is_authorised_partner(world.erin, world.dave.pk)


def test_a_deactivated_partner_user_loses_access(world):
    authorise_partner(acting_user=world.dave_user, customer=world.dave, partner=world.partner)
    world.erin.is_active = False
    world.erin.save()

    assert not is_authorised_partner(world.erin, world.dave.pk)


def test_the_customer_sees_grants_and_revocations_in_his_partner_activity(world):
    grant = authorise_partner(
        acting_user=world.dave_user, customer=world.dave, partner=world.partner
    )
    revoke_partner_authorisation(acting_user=world.dave_user, authorisation=grant)

    actions = [event.action for event in list_partner_activity(world.dave)]

    assert actions == ["partner.revoked", "partner.authorised"]
    assert list_partner_activity(world.fiona) == []
