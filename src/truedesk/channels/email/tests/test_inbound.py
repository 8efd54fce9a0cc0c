"""Inbound mail becomes cases: customers, threading, duplicates, noise, bounces, crashes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from truedesk.cases import actions as case_actions
from truedesk.cases.models import Case, Interaction
from truedesk.channels.email import actions
from truedesk.channels.email.models import InboundMessage, MessageKey, OutboundEmail
from truedesk.channels.email.store import accept_raw_message
from truedesk.channels.email.tests import mail
from truedesk.customers.models import ContactPoint, Customer
from truedesk.notifications.models import Notification

pytestmark = pytest.mark.django_db


def deliver(raw: bytes, **kwargs) -> InboundMessage:
    message = accept_raw_message(raw, source="smtp", mail_from="x@example.com", enqueue=False)
    actions.process_due_messages(**kwargs)
    message.refresh_from_db()
    return message


def ack_of(case: Case) -> OutboundEmail:
    return OutboundEmail.objects.get(case=case, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT)


def test_a_known_customer_gets_a_case_in_the_default_department_and_an_acknowledgement(world):
    stored = deliver(mail.message(body="My router blinks red.\n\n-- \nDave"))
    case = Case.objects.get()
    assert (case.customer, case.department, case.subject) == (world.dave, world.support,
                                                             "Printer is broken")  # fmt: skip
    first = case.interactions.get()
    assert first.body == "My router blinks red."
    assert first.channel == Interaction.Channel.EMAIL and first.author_customer == world.dave
    assert stored.state == InboundMessage.State.PROCESSED and stored.interaction == first
    assert "Dave" in stored.full_text
    ack = ack_of(case)
    assert ack.to_address == "dave@example.com"
    assert f"[#{case.number}]" in ack.subject


def test_an_unknown_sender_becomes_a_customer_and_is_answered_in_their_language(world):
    deliver(mail.message(sender="Іван Петренко <ivan@example.ua>", subject="Рахунок",
                         body="Доброго дня, отримав подвійний рахунок. Що робити?"))  # fmt: skip
    customer = Customer.objects.get(contact_points__normalized="ivan@example.ua")
    assert customer.name == "Іван Петренко"
    assert customer.language == "uk"
    ack = ack_of(Case.objects.get(customer=customer))
    assert ack.language == "uk" and ack.to_address == "ivan@example.ua"


def _reply_to(outbound: OutboundEmail, **kwargs) -> bytes:
    kwargs.setdefault("subject", "Re: Printer is broken")
    headers = {"In-Reply-To": f"<{outbound.message_id}>", "References": f"<{outbound.message_id}>",
               **kwargs.pop("headers", {})}  # fmt: skip
    return mail.message(headers=headers, **kwargs)


def test_a_reply_to_our_message_threads_onto_the_case_and_reaches_the_owner(world):
    deliver(mail.message())
    case = Case.objects.get()
    case_actions.take_case(acting_user=world.alice, case=case)
    deliver(_reply_to(ack_of(case), body="Still broken.\n\nOn Monday Support wrote:\n> We got it"))
    assert Case.objects.count() == 1
    reply = case.interactions.filter(direction="inbound").order_by("-created_at", "-id").first()
    assert reply.body == "Still broken."
    note = Notification.objects.get(recipient=world.alice)
    assert f"#{case.number}" in note.title and note.link == f"/desk/cases/{case.number}/"


def test_a_forged_reference_to_another_customers_case_never_attaches(world):
    deliver(mail.message())
    daves = Case.objects.get()
    forged = _reply_to(ack_of(daves), sender="fiona@example.com", body="Let me in")
    stored = deliver(forged)
    assert daves.interactions.count() == 1
    fionas = Case.objects.get(customer=world.fiona)
    assert stored.case == fionas
    assert {"code": "foreign_reference", "detail": ""} in stored.warnings


def test_a_guessed_reference_opens_a_new_case(world):
    deliver(mail.message())
    guessed = mail.message(headers={"In-Reply-To": "<1@truedesk.test>"}, subject="Re: hi")
    deliver(guessed)
    assert Case.objects.filter(customer=world.dave).count() == 2


def test_a_subject_reference_works_only_for_the_cases_own_customer(world):
    deliver(mail.message())
    case = Case.objects.get()
    deliver(mail.message(subject=f"Re: [#{case.number}] Printer", body="more info"))
    assert case.interactions.count() == 2
    deliver(mail.message(sender="fiona@example.com", subject=f"[#{case.number}] hijack"))
    assert case.interactions.count() == 2
    assert Case.objects.filter(customer=world.fiona).count() == 1


def test_a_reply_to_a_closed_case_opens_a_new_one(world):
    deliver(mail.message())
    case = Case.objects.get()
    case_actions.change_status(acting_user=world.carol, case=case, status="resolved")
    case_actions.change_status(acting_user=world.carol, case=Case.objects.get(), status="closed")
    deliver(_reply_to(ack_of(case)))
    assert Case.objects.count() == 2


def test_the_same_message_id_twice_is_one_interaction(world):
    raw = mail.message(message_id="<same-1@client.test>")
    first = deliver(raw)
    second = deliver(raw)
    assert Interaction.objects.count() == 1
    assert first.state == InboundMessage.State.PROCESSED
    assert second.state == InboundMessage.State.IGNORED
    assert OutboundEmail.objects.count() == 1  # one acknowledgement


@pytest.mark.parametrize(
    "headers,subject",
    [
        ({"Auto-Submitted": "auto-replied"}, "Printer"),
        ({"Precedence": "bulk"}, "Printer"),
        ({"Precedence": "junk"}, "Printer"),
        ({"Precedence": "list"}, "Printer"),
        ({"X-Autoreply": "yes"}, "Printer"),
        ({"X-Autorespond": "yes"}, "Printer"),
        ({"X-Auto-Response-Suppress": "All"}, "Printer"),
        ({}, "Automatic reply: Printer"),
        ({}, "Out of Office: Printer"),
        ({}, "Автоответ: Printer"),
    ],
)
def test_auto_replies_open_no_case_and_get_no_acknowledgement(world, headers, subject):
    stored = deliver(mail.message(headers=headers, subject=subject))
    assert stored.state == InboundMessage.State.IGNORED and stored.is_auto
    assert not Case.objects.exists() and not OutboundEmail.objects.exists()


def test_an_auto_reply_to_our_mail_is_kept_on_the_case_but_not_acknowledged(world):
    deliver(mail.message())
    case = Case.objects.get()
    deliver(_reply_to(ack_of(case), headers={"Auto-Submitted": "auto-replied"},
                      subject="Out of office"))  # fmt: skip
    assert case.interactions.count() == 2
    assert OutboundEmail.objects.count() == 1


def test_at_most_a_few_auto_replies_per_address_per_hour(world, settings):
    settings.EMAIL_AUTO_REPLIES_PER_HOUR = 3
    deliver(mail.message())
    case = Case.objects.get()
    for _n in range(6):
        deliver(mail.message(headers={"Auto-Submitted": "auto-replied",
                                      "In-Reply-To": f"<{ack_of(case).message_id}>"}))  # fmt: skip
    assert case.interactions.count() == 1 + 3


def test_our_own_mail_coming_back_is_a_loop_and_ignored(world):
    stored = deliver(mail.message(headers={"X-Truedesk-Loop": "1"}))
    assert stored.state == InboundMessage.State.IGNORED
    deliver(mail.message(sender="support@truedesk.test"))
    assert not Case.objects.exists()


def test_a_bounce_marks_our_message_and_the_customers_address_as_failing(world):
    deliver(mail.message())
    ack = ack_of(Case.objects.get())
    dsn = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: support@truedesk.test\r\nSubject: Undelivered\r\n"
        b"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nMessage-ID: <dsn-1@mx.example>\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n"
        b"\r\nFinal-Recipient: rfc822; dave@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n"
        b"--R\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        + f"Message-ID: <{ack.message_id}>\r\n".encode()
        + b"\r\n--R--\r\n"
    )
    stored = deliver(dsn)
    ack.refresh_from_db()
    assert ack.status == OutboundEmail.Status.BOUNCED and "No such user" in ack.last_error
    assert ContactPoint.objects.get(normalized="dave@example.com").is_failing
    assert stored.state == InboundMessage.State.IGNORED
    assert Case.objects.count() == 1


def test_attachments_become_case_files(world):
    deliver(mail.message(attachments=[("photo.png", b"\x89PNG fake", "image/png")]))
    attachment = Case.objects.get().attachments.get()
    assert attachment.filename == "photo.png" and attachment.file.read() == b"\x89PNG fake"


def test_an_oversize_attachment_keeps_the_message_with_a_visible_warning(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 10_000
    stored = deliver(mail.message(attachments=[("big.bin", b"x" * 20_000, "application/zip")]))
    assert stored.state == InboundMessage.State.PROCESSED
    assert stored.warnings[0]["code"] == "attachment_too_large"
    assert not Case.objects.get().attachments.exists()


def test_a_null_envelope_sender_is_treated_as_automatic(world):
    message = accept_raw_message(mail.message(), source="smtp", mail_from="<>", enqueue=False)
    actions.process_due_messages()
    message.refresh_from_db()
    assert message.state == InboundMessage.State.IGNORED and message.is_auto
    assert not OutboundEmail.objects.exists()


def test_a_message_without_a_sender_is_quarantined_not_lost(world):
    raw = b"Subject: who am I\r\nMessage-ID: <nosender@x>\r\n\r\nbody\r\n"
    message = accept_raw_message(raw, source="imap", enqueue=False)
    actions.process_due_messages()
    message.refresh_from_db()
    assert message.state == InboundMessage.State.QUARANTINED
    assert "no sender" in message.error


def test_repeated_failures_end_in_quarantine_and_reprocessing_recovers(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(actions, "parse_message", broken)
    message = accept_raw_message(
        mail.message(), source="smtp", mail_from="dave@example.com", enqueue=False
    )
    later = timezone.now()
    for _attempt in range(actions.MAX_ATTEMPTS):
        actions.process_due_messages(now=later)
        later += timedelta(hours=2)
    message.refresh_from_db()
    assert message.state == InboundMessage.State.QUARANTINED
    assert message.attempts == actions.MAX_ATTEMPTS and "parser exploded" in message.error
    monkeypatch.undo()
    actions.reprocess_message(acting_user=world.carol, message=message)
    message.refresh_from_db()
    assert message.state == InboundMessage.State.PROCESSED
    assert Case.objects.count() == 1


def test_a_worker_killed_mid_message_loses_and_duplicates_nothing(world, monkeypatch):
    message = accept_raw_message(
        mail.message(), source="smtp", mail_from="dave@example.com", enqueue=False
    )
    real_create = MessageKey.objects.create

    def die(**kwargs):
        raise SystemExit("killed")  # not an Exception: nothing catches it, like SIGKILL

    monkeypatch.setattr(MessageKey.objects, "create", die)
    with pytest.raises(SystemExit):
        actions.process_due_messages()
    monkeypatch.setattr(MessageKey.objects, "create", real_create)
    assert not Case.objects.exists()  # the transaction died with the worker
    assert actions.process_due_messages() == 0  # the dead worker's lease still holds
    assert actions.process_due_messages(now=timezone.now() + actions.LEASE * 2) == 1
    message.refresh_from_db()
    assert message.state == InboundMessage.State.PROCESSED
    assert Case.objects.count() == 1 and Interaction.objects.count() == 1
    assert OutboundEmail.objects.count() == 1
    assert actions.process_due_messages(now=timezone.now() + actions.LEASE * 4) == 0


def test_mail_to_a_configured_mailbox_goes_to_its_department_and_is_answered_from_it(world):
    from truedesk.channels.email.models import Mailbox

    Mailbox.objects.create(name="Billing", address="Billing@truedesk.test",
                           department=world.billing)  # fmt: skip
    message = accept_raw_message(
        mail.message(to="billing@truedesk.test"), source="smtp", mail_from="dave@example.com",
        rcpt_to=["billing@truedesk.test"], enqueue=False,
    )  # fmt: skip
    actions.process_due_messages()
    case = Case.objects.get()
    assert case.department == world.billing
    assert ack_of(case).from_address == "Billing@truedesk.test"
    message.refresh_from_db()
    assert message.mailbox.name == "Billing"


def test_an_auto_reply_from_a_stranger_creates_no_customer(world):
    deliver(mail.message(sender="robot@elsewhere.test", headers={"Auto-Submitted": "auto-replied"}))
    assert not Customer.objects.filter(contact_points__normalized="robot@elsewhere.test").exists()


def test_an_auto_reply_to_a_closed_case_opens_nothing(world):
    deliver(mail.message())
    case = Case.objects.get()
    case_actions.change_status(acting_user=world.carol, case=case, status="resolved")
    case_actions.change_status(acting_user=world.carol, case=Case.objects.get(), status="closed")
    deliver(_reply_to(ack_of(case), headers={"Auto-Submitted": "auto-replied"}))
    assert Case.objects.count() == 1


def test_a_stranger_naming_himself_after_the_customer_never_writes_on_his_case(world):
    # Security review: the display name decodes to dave's address, the real sender is not
    # dave; with dave's case reference in the subject the message must not land on it.
    case = case_actions.open_case(
        acting_user=world.dave_user, customer=world.dave, subject="Router",
        body="It blinks.", channel="portal",
    )  # fmt: skip
    raw = (
        b"From: =?utf-8?q?dave=40example=2Ecom?= <attacker@evil.example>\r\n"
        b"To: support@truedesk.test\r\n"
        + f"Subject: Re: [#{case.number}] Router\r\n".encode()
        + b"Message-ID: <x1@evil.example>\r\n\r\n"
        b"Please send my invoices to attacker@evil.example.\r\n"
    )

    stored = deliver(raw)

    assert stored.sender == "attacker@evil.example"
    assert not case.interactions.filter(body__contains="attacker").exists()


def test_a_stranger_sending_first_under_the_customers_message_id_cannot_swallow_it(world):
    # Security review: the stranger was CC'd and raced dave's message in with its
    # Message-ID; dave's own message must still reach us as his.
    stranger = (
        b"From: Mallory <mallory@evil.example>\r\nTo: support@truedesk.test\r\n"
        b"Subject: Printer\r\nMessage-ID: <shared-id@example.com>\r\n\r\nIgnore dave.\r\n"
    )
    deliver(stranger)
    daves = mail.message(body="My router blinks red.", message_id="<shared-id@example.com>")

    stored = deliver(daves)

    assert stored.state == InboundMessage.State.PROCESSED
    assert Interaction.objects.filter(
        case__customer=world.dave, body="My router blinks red."
    ).exists()
    # The same message delivered again (an SMTP retry) is still one interaction.
    assert deliver(daves).state == InboundMessage.State.IGNORED
    assert Interaction.objects.filter(body="My router blinks red.").count() == 1


def test_a_failing_message_in_a_batch_is_rolled_back_alone(world, monkeypatch):
    real_parse = actions.parse_message

    def parse(raw, **kwargs):
        if b"explode" in raw:
            raise RuntimeError("parser exploded")
        return real_parse(raw, **kwargs)

    monkeypatch.setattr(actions, "parse_message", parse)
    stored = [
        accept_raw_message(mail.message(message_id=f"<b-{n}@client.test>", subject=f"Case {n}",
                                        body="explode" if n == 1 else f"Problem {n}"),
                           source="smtp", mail_from="dave@example.com", enqueue=False)
        for n in range(3)
    ]  # fmt: skip
    assert actions.process_new_messages(limit=10) == (2, 3)
    states = []
    for message in stored:
        message.refresh_from_db()
        states.append(message.state)
    assert states == ["processed", "received", "processed"]
    assert stored[1].attempts == 1 and "parser exploded" in stored[1].error
    assert sorted(Case.objects.values_list("subject", flat=True)) == ["Case 0", "Case 2"]


@pytest.mark.django_db(transaction=True)  # real commits: subscribers hear committed events
def test_every_case_of_a_batch_reaches_the_subscribers(world):
    from truedesk.routing.models import RoutingItem
    from truedesk.sla.models import CaseSla

    for n in range(3):
        accept_raw_message(mail.message(message_id=f"<s-{n}@client.test>", subject=f"Case {n}"),
                           source="smtp", mail_from="dave@example.com", enqueue=False)  # fmt: skip
    assert actions.process_new_messages(limit=10) == (3, 3)
    cases = set(Case.objects.values_list("pk", flat=True))
    assert set(CaseSla.objects.values_list("case_id", flat=True)) == cases
    assert set(RoutingItem.objects.values_list("case_id", flat=True)) == cases


def test_a_message_that_keeps_killing_its_worker_is_quarantined_not_retried_forever(
    world, monkeypatch
):
    raw = mail.message(message_id="<poison@client.test>", body="poison")
    poison = accept_raw_message(raw, source="smtp", mail_from="dave@example.com", enqueue=False)
    real_parse = actions.parse_message

    def parse(raw, **kwargs):
        if b"poison" in raw:
            raise SystemExit("killed")  # like the kernel's OOM killer: nothing is recorded
        return real_parse(raw, **kwargs)

    monkeypatch.setattr(actions, "parse_message", parse)
    later = timezone.now()
    for _death in range(actions.MAX_ATTEMPTS):
        with pytest.raises(SystemExit):
            actions.process_due_messages(now=later)
        later += actions.LEASE * 2  # the dead worker's lease runs out
    healthy = accept_raw_message(mail.message(message_id="<fine@client.test>"), source="smtp",
                                 mail_from="dave@example.com", enqueue=False)  # fmt: skip
    assert actions.process_due_messages(now=later) == 1  # the healthy one; the poison is set aside
    poison.refresh_from_db()
    healthy.refresh_from_db()
    assert poison.state == InboundMessage.State.QUARANTINED
    assert "stopped while processing this message 3 times" in poison.error
    assert healthy.state == InboundMessage.State.PROCESSED
