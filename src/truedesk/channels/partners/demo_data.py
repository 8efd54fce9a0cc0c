"""Demo data for partner access: one customer authorises the demo partner, which opens a case."""

from __future__ import annotations

from datetime import datetime, timedelta

from truedesk.accounts.models import Department, Partner, User
from truedesk.cases import actions as case_actions
from truedesk.cases.models import Interaction
from truedesk.customers import actions as customer_actions
from truedesk.customers.models import Customer, PartnerAuthorisation

DEMO_CUSTOMER_LOGIN = "dave"
# Roaming is a service change: the sales queue takes it (any active queue if none).
DEMO_DEPARTMENT = "sales"


def build_partner_demo(*, now: datetime) -> None:
    """Dave authorises the first partner in the portal; its user opens a case for him.

    Does nothing when the demo has no partner user or no such customer login.
    """
    partner = Partner.objects.order_by("pk").first()
    partner_user = (
        User.objects.filter(kind=User.Kind.PARTNER, partner=partner).order_by("pk").first()
    )
    customer = Customer.objects.filter(user__username=DEMO_CUSTOMER_LOGIN).first()
    if partner is None or partner_user is None or customer is None or customer.user is None:
        return
    departments = Department.objects.filter(is_active=True)
    department = departments.filter(slug=DEMO_DEPARTMENT).first() or departments.first()
    customer_actions.authorise_partner(
        acting_user=customer.user,
        customer=customer,
        partner=partner,
        scope=PartnerAuthorisation.Scope.FOLLOW,
        expires_at=now + timedelta(days=90),
    )
    case_actions.open_case(
        acting_user=partner_user,
        customer=customer,
        subject="Holiday abroad: roaming for two weeks in Spain",
        body=(
            "Booking a trip for our client Dave Davis (the 15th to the 29th of next month). "
            "Please confirm roaming is enabled on his mobile line and what it will cost."
        ),
        channel=Interaction.Channel.PORTAL,
        department=department,
    )
