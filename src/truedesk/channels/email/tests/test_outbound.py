"""Agents' replies go out by SMTP, thread in the customer's client, and failures show and retry."""

from __future__ import annotations

import email
import email.policy
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from truedesk.cases import actions as case_actions
from truedesk.cases.models import Case, Interaction
from truedesk.channels.email import actions, outbound
from truedesk.channels.email.models import OutboundEmail, SweepMark
from truedesk.channels.email.store import accept_raw_message
from truedesk.channels.email.tests import mail
from truedesk.channels.email.tests.conftest import free_port

pytestmark = pytest.mark.django_db


def mailed_case(world) -> Case:
    accept_raw_message(
        mail.message(message_id="<first@client.test>"), source="smtp",
        mail_from="dave@example.com", enqueue=False,
    )  # fmt: skip
    actions.process_due_messages()
    case = Case.objects.get()
    case_actions.take_case(acting_user=world.alice, case=case)
    return Case.objects.get()


def desk_reply(client, world, case, body, django_capture_on_commit_callbacks) -> OutboundEmail:
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/desk/cases/{case.number}/reply/", {"reply-body": body, "reply-set_status": ""}
        )
    assert response.status_code == 302
    interaction = Interaction.objects.filter(direction="outbound").latest("id")
    return OutboundEmail.objects.get(interaction=interaction)


def test_an_agents_desk_reply_threads_in_the_customers_client(
    world, client, smtp_server, django_capture_on_commit_callbacks
):
    case = mailed_case(world)
    ack = OutboundEmail.objects.get(kind="ack")
    row = desk_reply(client, world, case, "Please restart it.", django_capture_on_commit_callbacks)
    assert outbound.deliver_due_outbound() == 2  # the acknowledgement and the reply
    sent = {m["Message-ID"]: m for m in smtp_server.wait_for(2)}
    message = sent[f"<{row.message_id}>"]
    assert message["In-Reply-To"] == "<first@client.test>"
    assert message["References"].split() == [f"<{ack.message_id}>", "<first@client.test>"]
    assert message["Subject"] == f"[#{case.number}] Re: Printer is broken"
    assert message["To"] == "dave@example.com"
    assert "support@truedesk.test" in message["From"] and "Alice Adams" in message["From"]
    assert message["X-Truedesk-Loop"] == "1"
    assert message.get_content().strip() == "Please restart it."
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "Email sent" in page


def test_the_customers_answer_to_the_agent_threads_back_onto_the_case(
    world, client, smtp_server, django_capture_on_commit_callbacks
):
    case = mailed_case(world)
    row = desk_reply(client, world, case, "Restart it?", django_capture_on_commit_callbacks)
    outbound.deliver_due_outbound()
    answer = mail.message(
        subject=f"Re: [#{case.number}] Re: Printer is broken", body="Done, works now.",
        headers={"In-Reply-To": f"<{row.message_id}>"},
    )  # fmt: skip
    accept_raw_message(answer, source="smtp", mail_from="dave@example.com", enqueue=False)
    actions.process_due_messages()
    assert Case.objects.count() == 1
    assert case.interactions.filter(direction="inbound").count() == 2


def test_a_failed_delivery_shows_on_the_interaction_and_is_retried_with_backoff(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 5
    case = mailed_case(world)
    row = desk_reply(client, world, case, "Hello", django_capture_on_commit_callbacks)
    outbound.deliver_outbound(outbound_id=row.pk)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING and row.attempts == 1
    assert row.last_error and row.next_attempt_at > timezone.now()
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "Email waiting to be sent" in page and "1 failed attempt" in page
    assert outbound.deliver_outbound(outbound_id=row.pk) is False  # not due yet: backoff
    moment = timezone.now()
    for _attempt in range(outbound.MAX_ATTEMPTS):
        moment += timedelta(hours=7)
        outbound.deliver_due_outbound(now=moment)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert "Email not delivered" in client.get(f"/desk/cases/{case.number}/").content.decode()


def test_names_and_subjects_cannot_inject_headers(
    world, client, smtp_server, django_capture_on_commit_callbacks
):
    world.alice.first_name = "Alice\r\nBcc: evil@example.com"
    world.alice.save()
    case = mailed_case(world)
    Case.objects.filter(pk=case.pk).update(subject="Hi\r\nBcc: evil2@example.com\nX-Evil: 1")
    row = desk_reply(client, world, case, "Body", django_capture_on_commit_callbacks)
    outbound.deliver_outbound(outbound_id=row.pk)
    message = smtp_server.wait_for(1)[0]
    raw = message.as_bytes()
    assert b"\nBcc:" not in raw and b"\nX-Evil:" not in raw
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["To"] == "dave@example.com"


def test_encoded_newlines_from_an_inbound_subject_do_not_reach_our_headers(world, smtp_server):
    raw = (
        b"From: dave@example.com\r\nTo: support@truedesk.test\r\nMessage-ID: <enc@x>\r\n"
        b"Subject: =?utf-8?q?Help=0D=0ABcc:_evil@example.com?=\r\n\r\nhelp\r\n"
    )
    accept_raw_message(raw, source="smtp", mail_from="dave@example.com", enqueue=False)
    actions.process_due_messages()
    outbound.deliver_due_outbound()
    message = smtp_server.wait_for(1)[0]
    assert message["Bcc"] is None
    assert b"\nBcc:" not in message.as_bytes()


def test_replies_the_listener_missed_are_found_by_the_sweep(world, smtp_server):
    case = mailed_case(world)
    outbound.sweep_unqueued_replies()  # sets the mark at the present
    # A reply committed without its after-commit listener (the process died).
    interaction = case_actions.reply_to_case(
        acting_user=world.alice, case=case, body="Missed?", channel="email"
    )
    assert not OutboundEmail.objects.filter(interaction=interaction).exists()
    assert outbound.sweep_unqueued_replies() == 1
    assert outbound.sweep_unqueued_replies() == 0
    later = timezone.now() + timedelta(minutes=10)
    outbound.sweep_unqueued_replies(now=later)
    assert SweepMark.objects.get().last_interaction_id == interaction.pk
    assert OutboundEmail.objects.filter(interaction=interaction).count() == 1


def test_internal_notes_and_phone_replies_are_never_emailed(world, smtp_server):
    case = mailed_case(world)
    note = case_actions.add_internal_note(acting_user=world.alice, case=case, body="secret")
    phone = case_actions.reply_to_case(
        acting_user=world.alice, case=case, body="x", channel="phone"
    )
    assert outbound.queue_reply(interaction_id=note.pk) is None
    assert outbound.queue_reply(interaction_id=phone.pk) is None


def test_message_ids_are_unguessable_and_unique():
    ids = {outbound.new_message_id() for _n in range(200)}
    assert len(ids) == 200
    assert all(len(i.split("@")[0]) >= 32 for i in ids)


def test_acknowledgements_are_marked_auto_replied(world, smtp_server):
    mailed_case(world)
    outbound.deliver_due_outbound()
    ack = smtp_server.wait_for(1)[0]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<first@client.test>"
    parsed = email.message_from_bytes(ack.as_bytes(), policy=email.policy.default)
    assert "Thank you for writing" in parsed.get_content()


def test_an_integrations_api_reply_on_a_mailed_in_case_is_emailed(
    world, client, smtp_server, django_capture_on_commit_callbacks
):
    from truedesk.accounts.actions import SystemActor, mint_api_token

    case = mailed_case(world)
    token = mint_api_token(acting_user=SystemActor("test"), user=world.alice, name="crm")[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/cases/{case.number}/replies", {"body": "From our CRM."},
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip
    assert response.status_code == 201
    row = OutboundEmail.objects.get(interaction_id=response.json()["id"])
    outbound.deliver_outbound(outbound_id=row.pk)
    sent = smtp_server.wait_for(1)[0]
    assert sent["Subject"] == f"[#{case.number}] Re: Printer is broken"
    assert sent.get_content().strip() == "From our CRM."


def test_an_api_reply_on_a_case_that_never_came_by_email_is_not_mailed(world):
    case = case_actions.open_case(acting_user=world.alice, customer=world.dave, subject="Call",
                                  body="Phoned in", channel="phone")  # fmt: skip
    reply = case_actions.reply_to_case(acting_user=world.alice, case=case, body="ok", channel="api")
    assert outbound.queue_reply(interaction_id=reply.pk) is None


def test_queued_mail_goes_out_in_one_smtp_session_and_each_result_is_kept(world, smtp_server):
    for number in range(4):
        accept_raw_message(
            mail.message(message_id=f"<batch-{number}@client.test>", subject=f"Problem {number}"),
            source="smtp", mail_from="dave@example.com", enqueue=False,
        )  # fmt: skip
    actions.process_due_messages()
    assert outbound.drain_outbound() == 4
    assert len(smtp_server.wait_for(4)) == 4
    assert smtp_server.connections == 1
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_batch_gives_back_what_its_lease_cannot_cover(world, smtp_server, monkeypatch, settings):
    for number in range(3):
        accept_raw_message(
            mail.message(message_id=f"<slow-{number}@client.test>", subject=f"Problem {number}"),
            source="smtp", mail_from="dave@example.com", enqueue=False,
        )  # fmt: skip
    actions.process_due_messages()
    # Sends may take up to EMAIL_TIMEOUT each: with 1 s of them and a 2.3 s lease,
    # a batch may start sending for 0.3 s. The first send takes longer than that.
    settings.EMAIL_TIMEOUT = 1
    monkeypatch.setattr(outbound, "LEASE", timedelta(seconds=2.3))
    real_send = outbound._send_claimed

    def slow_send(*args, **kwargs):
        sent = real_send(*args, **kwargs)
        time.sleep(0.5)
        return sent

    monkeypatch.setattr(outbound, "_send_claimed", slow_send)
    assert outbound.drain_outbound() == 1
    statuses = sorted(OutboundEmail.objects.values_list("status", "lease_until"))
    assert statuses == [("pending", None), ("pending", None), ("sent", None)]


def test_an_agents_name_in_any_script_is_stored_readable_and_sent_encoded(
    world, client, smtp_server, django_capture_on_commit_callbacks
):
    world.alice.first_name, world.alice.last_name = "Rūta", 'Žukauskienė "RŽ"'
    world.alice.save()
    case = mailed_case(world)
    row = desk_reply(client, world, case, "Labas.", django_capture_on_commit_callbacks)
    assert row.from_address == '"Rūta Žukauskienė \\"RŽ\\"" <support@truedesk.test>'
    outbound.deliver_due_outbound()
    sent = {m["Message-ID"]: m for m in smtp_server.wait_for(2)}[f"<{row.message_id}>"]
    assert sent["From"].addresses[0].display_name == 'Rūta Žukauskienė "RŽ"'
    assert sent["From"].addresses[0].addr_spec == "support@truedesk.test"
