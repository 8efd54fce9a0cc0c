"""The email channel in the demo, as a user sees it right after `truedesk demo`.

One shared build (setUpTestData); the raw mail and attachments it stores go to
directories of the class, which the tests that read them point the settings at.
"""

from __future__ import annotations

import email
import shutil
import tempfile
from datetime import datetime, time, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from truedesk.accounts.models import AuditEvent, User
from truedesk.cases.models import Case, Interaction
from truedesk.channels.email.demo_data import MAILBOX_ADDRESS, REMOTE_IMAGE, ROUTER_LOG
from truedesk.channels.email.models import InboundMessage, Mailbox, OutboundEmail
from truedesk.channels.email.store import read_raw
from truedesk.customers.models import Customer
from truedesk.demo.build import build_demo

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
VILNIUS = ZoneInfo("Europe/Vilnius")


def inbound_from(sender: str, subject_part: str = "") -> InboundMessage:
    return InboundMessage.objects.get(sender=sender, subject__startswith=subject_part)


class TestEmailInTheDemo(TestCase):
    store: Path
    media: Path
    built_at: datetime

    @classmethod
    def setUpClass(cls) -> None:
        cls.store = Path(tempfile.mkdtemp(prefix="demo-mail-"))
        cls.media = Path(tempfile.mkdtemp(prefix="demo-files-"))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(cls.store, ignore_errors=True)
        shutil.rmtree(cls.media, ignore_errors=True)

    @classmethod
    def setUpTestData(cls) -> None:
        cls.built_at = timezone.now()
        with override_settings(
            PASSWORD_HASHERS=FAST_HASHERS, EMAIL_STORE_DIR=cls.store, MEDIA_ROOT=cls.media
        ):
            call_command("demo", stdout=StringIO(), stderr=StringIO())

    def page(self, username: str, url: str) -> str:
        self.client.force_login(User.objects.get(username=username))
        response = self.client.get(url)
        assert response.status_code == 200, url
        return response.content.decode()

    def case_page(self, case: Case | None, username: str = "alice") -> str:
        assert case is not None
        return self.page(username, f"/desk/cases/{case.number}/")

    def test_support_has_an_smtp_mailbox_without_imap_credentials(self):
        mailbox = Mailbox.objects.get()
        assert mailbox.address == MAILBOX_ADDRESS == "support@balticfibre.example"
        assert mailbox.department is not None and mailbox.department.slug == "support"
        assert not mailbox.imap_enabled
        assert (mailbox.imap_username, mailbox.imap_password_encrypted) == ("", "")
        assert not InboundMessage.objects.exclude(source="smtp").exists()
        # The quarantined one never got as far as matching its recipient to the mailbox.
        assert set(
            InboundMessage.objects.exclude(mailbox=mailbox).values_list("state", flat=True)
        ) == {"quarantined"}
        assert "support@balticfibre.example" in self.page("admin", "/admin/email_channel/mailbox/")

    def test_legacy_charsets_become_readable_cases_in_the_senders_language(self):
        ona = Customer.objects.get(user__username="ona")
        expected = [
            ("ona.kazlauskiene@pastas.example", "Neveikia", b"windows-1257",
             "vakarykštės audros", "lt"),
            ("maria.savchuk@poshta.example", "", b"windows-1251", "індикатор PON", "uk"),
            ("d.sokolov@pochta.example", "", b"koi8-r", "скорость падает", "ru"),
        ]  # fmt: skip
        for sender, subject, charset, phrase, language in expected:
            message = inbound_from(sender, subject)
            with self.settings(EMAIL_STORE_DIR=self.store):
                raw = read_raw(message)
            # Sent in the legacy charset, not UTF-8, and read back correctly.
            assert charset in raw.lower() and phrase.encode() not in raw, sender
            case = Case.objects.get(pk=message.case_id)
            assert case.department.slug == "support"
            assert case.customer.language == language
            first = case.interactions.order_by("created_at").first()
            assert phrase in first.body and first.channel == "email"
            assert phrase in self.case_page(case)
        # Ona is the demo's own customer; the other two are new customers.
        assert Case.objects.get(pk=inbound_from(*expected[0][:2]).case_id).customer == ona
        maria = Customer.objects.get(name="Марія Савчук")
        assert maria.user is None and maria.cases.count() == 1
        assert Customer.objects.get(name="Дмитрий Соколов").language == "ru"

    def test_the_customers_reply_joins_the_case_of_the_agents_email_without_its_quote(self):
        first = inbound_from("ona.kazlauskiene@pastas.example", "Neveikia")
        reply = inbound_from("ona.kazlauskiene@pastas.example", "RE: ")
        agents_email = OutboundEmail.objects.get(kind="reply", case_id=first.case_id)
        assert agents_email.status == "sent"
        assert agents_email.interaction.author_user.username == "rasa"
        with self.settings(EMAIL_STORE_DIR=self.store):
            assert f"<{agents_email.message_id}>".encode() in read_raw(reply)
        assert reply.case_id == first.case_id == agents_email.case_id
        assert reply.interaction.direction == "inbound"
        visible = reply.interaction.body
        assert visible.startswith("Ačiū, Rasa!")
        for hidden in ("rašė", "> ", "Tel. +370", "skirstomojoje"):
            assert hidden not in visible
            assert hidden in reply.full_text
        page = self.case_page(reply.case)
        assert "Show the whole email" in page and "Email sent" in page

    def test_html_only_mail_is_shown_as_text_and_its_remote_image_is_dropped(self):
        message = inbound_from("george.green@example.net")
        with self.settings(EMAIL_STORE_DIR=self.store):
            html = email.message_from_bytes(read_raw(message)).get_payload(decode=True)
        assert f'<img src="{REMOTE_IMAGE}"'.encode() in html
        interaction = message.interaction
        assert "Which port does the fibre cable go into" in interaction.body
        for stored in (interaction.body, interaction.body_html, message.full_text):
            assert "<img" not in stored and REMOTE_IMAGE not in stored
        page = self.case_page(message.case)
        assert "fibre cable" in page and REMOTE_IMAGE not in page and "greenandsons" not in page

    def test_the_attachment_is_kept_on_the_case(self):
        message = inbound_from("ian.irving@acme.example")
        attachment = message.interaction.attachments.get()
        assert attachment.filename == "router-log.txt"
        with self.settings(MEDIA_ROOT=self.media), attachment.file.open("rb") as handle:
            # Text lines travel with CRLF, and the file is kept as it came.
            assert handle.read() == ROUTER_LOG.replace("\n", "\r\n").encode()
        assert "router-log.txt" in self.case_page(message.case)

    def test_the_out_of_office_reply_is_ignored_and_makes_no_case_or_customer(self):
        message = inbound_from("procurement@acme.example")
        assert message.subject.startswith("Automatic reply")
        assert (message.state, message.is_auto, message.case_id) == ("ignored", True, None)
        assert not Customer.objects.filter(name__icontains="procurement").exists()
        assert not OutboundEmail.objects.filter(answers=message).exists()

    def test_the_quarantine_holds_the_message_without_a_sender_for_the_admin(self):
        quarantined = InboundMessage.objects.get(state="quarantined")
        assert quarantined.sender == "" and quarantined.envelope_from == "<>"
        assert "no sender address" in quarantined.error
        page = self.page("admin", "/admin/email_channel/inboundmessage/?state__exact=quarantined")
        raw_url = f"/admin/email_channel/inboundmessage/{quarantined.pk}/raw/"
        assert "PROBLEM: gw01 uplink down" in page and raw_url in page
        with self.settings(EMAIL_STORE_DIR=self.store):
            download = self.client.get(raw_url)
            assert b"".join(download.streaming_content) == read_raw(quarantined)
            response = self.client.post(
                "/admin/email_channel/inboundmessage/",
                {"action": "reprocess", "_selected_action": [quarantined.pk]},
            )
        assert response.status_code == 302
        quarantined.refresh_from_db()
        # Still no sender: back in the quarantine (the error now in the admin's language).
        assert quarantined.state == "quarantined" and quarantined.attempts == 1
        assert quarantined.error.startswith("Unprocessable:")
        assert AuditEvent.objects.filter(action="email.reprocess").count() == 1

    def test_new_senders_got_acknowledgements_delivered_within_the_demo(self):
        acknowledgements = OutboundEmail.objects.filter(kind="ack")
        opened = InboundMessage.objects.filter(state="processed").values("case").distinct()
        assert acknowledgements.count() == opened.count() == 5
        assert set(acknowledgements.values_list("status", flat=True)) == {"sent"}
        assert set(acknowledgements.values_list("from_address", flat=True)) == {MAILBOX_ADDRESS}

    def test_the_failed_delivery_shows_its_error_and_next_attempt_on_the_case(self):
        failing = OutboundEmail.objects.get(status="pending")
        assert failing.interaction.author_user.username == "oksana"
        assert failing.to_address == "maria.savchuk@poshta.example"
        assert failing.attempts == 7 and "ConnectionRefusedError" in failing.last_error
        # Due again about an hour after the build: the worker of `truedesk run` retries it.
        assert self.built_at + timedelta(minutes=30) < failing.next_attempt_at
        assert failing.next_attempt_at < self.built_at + timedelta(minutes=90)
        page = self.case_page(failing.case)
        assert "Email waiting to be sent" in page and "7 failed attempts" in page
        assert "ConnectionRefusedError" in page
        assert timezone.localtime(failing.next_attempt_at, VILNIUS).isoformat() in page

    def test_every_email_case_page_opens_for_alice(self):
        cases = Case.objects.filter(interactions__channel=Interaction.Channel.EMAIL).filter(
            pk__in=InboundMessage.objects.values("case")
        )
        assert cases.distinct().count() == 5
        for case in cases.distinct():
            self.case_page(case)

    def test_a_second_run_with_if_empty_adds_no_mail(self):
        counts = (Mailbox.objects.count(), InboundMessage.objects.count(),
                  OutboundEmail.objects.count())  # fmt: skip
        call_command("demo", "--if-empty", stdout=StringIO(), stderr=StringIO())
        assert counts == (
            Mailbox.objects.count(), InboundMessage.objects.count(), OutboundEmail.objects.count()
        )  # fmt: skip


def test_the_mail_arrives_relative_to_whenever_the_demo_is_built(db, settings, tmp_path):
    # Built just after midnight three days ago: every message lies before that "now",
    # and the failing reply is still due after it.
    settings.EMAIL_STORE_DIR = tmp_path / "mail"
    day = (timezone.now() - timedelta(days=3)).astimezone(VILNIUS).date()
    now = datetime.combine(day, time(0, 20), tzinfo=VILNIUS)

    build_demo(now=now)

    received = InboundMessage.objects.values_list("received_at", flat=True)
    assert len(received) == 8 and max(received) < now
    assert min(received) > now - timedelta(days=3)
    assert OutboundEmail.objects.get(status="pending").next_attempt_at > now
    assert InboundMessage.objects.filter(state="quarantined").count() == 1
