"""The demo's partner data: dave authorises the partner, whose user opens a case for him."""

from __future__ import annotations

from django.utils import timezone

from truedesk.cases.models import CaseEvent, EventKind
from truedesk.channels.partners.demo_data import build_partner_demo
from truedesk.customers.models import PartnerAuthorisation
from truedesk.customers.selectors import is_authorised_partner


def test_the_demo_partner_acts_for_dave_under_its_own_name(world):
    build_partner_demo(now=timezone.now())

    grant = PartnerAuthorisation.objects.get()
    assert (grant.customer, grant.partner, grant.scope) == (world.dave, world.partner, "follow")
    assert grant.expires_at is not None
    assert is_authorised_partner(world.erin, world.dave.pk, follow_only=True)
    opened = CaseEvent.objects.get(kind=EventKind.OPENED)
    assert opened.case.customer == world.dave and opened.case.department is not None
    assert opened.actor_label == "partner Travelwise (erin) for customer Dave Davis"
