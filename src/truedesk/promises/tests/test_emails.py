"""The ledger's email: every message in every language, plain text, through a real SMTP server."""

from datetime import timedelta

import pytest

from truedesk.notifications.actions import deliver_due_emails
from truedesk.notifications.models import EmailDelivery
from truedesk.promises.actions import (
    break_promise,
    keep_promise,
    process_due_promises,
    renegotiate_promise,
)
from truedesk.promises.tests.conftest import FIVE_PM

MESSAGES = {
    "made": "confirmation",
    "reminder": "reminder to the owner",
    "missed:customer": "missed, to the customer",
    "missed:supervisor": "missed, to the supervisor",
    "kept": "kept",
    "broken": "broken",
    "renegotiated": "renegotiated",
}


def _every_message(world, case, promise_on, clock):
    """Drive promises through every state; returns {message: delivery}."""
    missed = promise_on(case, description="Call Dave's <home> & office numbers")
    kept = promise_on(case, description="Post the new router")
    broken = promise_on(case, description="Visit on Thursday")
    moved = promise_on(case, description="Refund the March fee")
    keep_promise(acting_user=world.alice, promise=kept, how="Posted by courier")
    break_promise(acting_user=world.alice, promise=broken, reason="No engineer that day")
    renegotiate_promise(acting_user=world.alice, promise=moved, reason="Bank holiday",
                        due_at=FIVE_PM + timedelta(days=2))  # fmt: skip
    clock.move_to(FIVE_PM - timedelta(minutes=10))
    process_due_promises()
    clock.move_to(FIVE_PM + timedelta(minutes=1))
    process_due_promises()
    found = {}
    for delivery in EmailDelivery.objects.all():
        _promise, pk, *fact = delivery.dedupe_key.split(":")
        fact = ":".join(fact[:2])
        if int(pk) in (missed.pk, kept.pk, broken.pk, moved.pk) and fact in MESSAGES:
            found.setdefault(fact, delivery)
    return found


@pytest.mark.parametrize("language", ["en", "lt", "uk", "ru"])
def test_every_message_renders_in_every_language_of_its_recipient(
    world, case, promise_on, clock, language
):
    for person in (world.dave, world.alice, world.carol):
        person.language = language
        person.save()

    found = _every_message(world, case, promise_on, clock)

    assert set(found) == set(MESSAGES)
    for fact, delivery in found.items():
        assert delivery.language == language, fact
        assert delivery.subject and "\n" not in delivery.subject, fact
        assert f"#{case.number}" in delivery.subject + delivery.body, fact
        assert "{%" not in delivery.body and "{{" not in delivery.body, fact


def test_email_is_plain_text_with_nothing_escaped(world, case, promise_on, clock):
    found = _every_message(world, case, promise_on, clock)

    assert "Call Dave's <home> & office numbers" in found["missed:customer"].body
    assert "&amp;" not in found["made"].body
    assert "&#x27;" not in found["missed:supervisor"].body


def test_dave_receives_the_confirmation_and_the_miss_through_a_real_smtp_server(
    world, case, promise_on, clock, smtp_server
):
    promise_on(case)
    assert deliver_due_emails() == 1
    confirmation = smtp_server.wait_for(1)[0]
    assert confirmation["To"] == "dave@example.com"
    assert confirmation["Subject"].startswith(f"Our promise on case #{case.number}")
    assert confirmation["Auto-Submitted"] == "auto-generated"

    clock.move_to(FIVE_PM + timedelta(minutes=1))
    process_due_promises()
    assert deliver_due_emails() == 2  # dave and his case's supervisor, carol
    received = smtp_server.wait_for(3)
    by_address = {message["To"]: message for message in received[1:]}
    told = by_address["dave@example.com"]
    assert told["Subject"] == f"We missed our promise on case #{case.number}"
    assert "Alice Adams now answers for it" in told.get_content()
    assert "carol@truedesk.test" in by_address
    assert deliver_due_emails() == 0
