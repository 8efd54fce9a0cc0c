"""End to end over real commits and a real SMTP server: the customer is told once, by name."""

from __future__ import annotations

import pytest

from truedesk.cases.actions import open_case, reply_to_case, take_case
from truedesk.notifications.actions import deliver_due_emails
from truedesk.runaround.models import Rescue, SeniorOwnerRule
from truedesk.testing.personas import make_staff


@pytest.mark.django_db(transaction=True)
def test_the_customer_gets_one_email_naming_his_senior_owner_and_how_to_reach_her(
    live_world, smtp_server, immediate_tasks
):
    world = live_world
    rita = make_staff("rita", "agent", "Rita Rescuer")
    SeniorOwnerRule.objects.create(department=world.support, senior=rita,
                                   direct_phone="+370 611 00000")  # fmt: skip
    case = open_case(
        acting_user=world.dave_user,
        customer=world.dave,
        subject="No dial tone",
        body="The line is dead.",
        channel="portal",
        department=world.support,
    )
    take_case(acting_user=world.alice, case=case)
    # The opening message and three more from dave: the fourth contact crosses 3.
    for author in (world.alice, world.dave_user, world.alice, world.dave_user, world.dave_user):
        reply_to_case(acting_user=author, case=case, body="Any news?", channel="portal")
    assert deliver_due_emails() == 0

    received = smtp_server.wait_for(1)
    assert len(received) == 1
    message = received[0]
    assert message["To"] == "dave@example.com"
    assert message["Subject"] == (
        f"Case #{case.number}: Rita Rescuer is now personally responsible for it"
    )
    body = message.get_content()
    assert "has been given to Rita Rescuer, a senior member of our team" in body
    assert (
        "You can reach Rita directly at rita@truedesk.test or by phone at +370 611 00000." in body
    )
    rescue = Rescue.objects.get()
    assert rescue.customer_email.status == "sent"
    assert rescue.customer_told_at is not None
