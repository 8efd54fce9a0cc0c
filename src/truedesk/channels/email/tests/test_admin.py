"""The quarantine in the admin: listed with the error, raw .eml as a download, reprocess."""

from __future__ import annotations

import pytest
from django.urls import reverse

from truedesk.accounts.models import AuditEvent, User
from truedesk.cases.models import Case
from truedesk.channels.email import actions
from truedesk.channels.email.models import InboundMessage, Mailbox
from truedesk.channels.email.secrets_box import decrypt_password
from truedesk.channels.email.store import accept_raw_message

pytestmark = pytest.mark.django_db

HOSTILE = (
    b"Subject: <script>alert(1)</script>\r\nMessage-ID: <q@x>\r\nContent-Type: text/html\r\n\r\n"
    b"<script>alert(2)</script>\r\n"
)


@pytest.fixture
def admin_client(world, client):
    client.force_login(User.objects.create_superuser("root", "root@truedesk.test", "x"))
    return client


@pytest.fixture
def quarantined(world) -> InboundMessage:
    message = accept_raw_message(HOSTILE, source="imap", enqueue=False)  # no sender at all
    actions.process_due_messages()
    message.refresh_from_db()
    assert message.state == InboundMessage.State.QUARANTINED
    return message


def test_the_quarantine_lists_messages_with_their_error(admin_client, quarantined):
    url = reverse("admin:email_channel_inboundmessage_changelist") + "?state__exact=quarantined"
    page = admin_client.get(url).content.decode()
    assert "The message has no sender address." in page
    assert "<script>alert(1)</script>" not in page  # escaped, never markup
    assert "Download .eml" in page


def test_the_raw_message_downloads_byte_for_byte_and_never_renders(admin_client, quarantined):
    url = reverse("admin:email_channel_inboundmessage_raw", args=[quarantined.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == HOSTILE
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]


def test_only_admins_reach_the_quarantine(client, world, quarantined):
    client.force_login(world.alice)
    url = reverse("admin:email_channel_inboundmessage_raw", args=[quarantined.pk])
    assert client.get(url).status_code in (302, 403)


def test_reprocess_action_recovers_a_fixed_message(admin_client, quarantined, world):
    InboundMessage.objects.filter(pk=quarantined.pk).update(envelope_from="dave@example.com")
    response = admin_client.post(
        reverse("admin:email_channel_inboundmessage_changelist"),
        {"action": "reprocess", "_selected_action": [quarantined.pk]},
    )
    assert response.status_code == 302
    quarantined.refresh_from_db()
    assert quarantined.state == InboundMessage.State.PROCESSED
    assert Case.objects.get().customer == world.dave
    assert AuditEvent.objects.filter(action="email.reprocess").exists()


def test_the_mailbox_password_is_stored_encrypted_and_never_shown(admin_client, world):
    response = admin_client.post(
        reverse("admin:email_channel_mailbox_add"),
        {
            "name": "Support", "address": "support@truedesk.test", "language": "en",
            "imap_enabled": "on", "imap_host": "imap.example.com", "imap_port": "993",
            "imap_security": "tls", "imap_username": "support", "imap_password": "s3cret-pass",
            "imap_folder": "INBOX",
        },
    )  # fmt: skip
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert "s3cret-pass" not in mailbox.imap_password_encrypted
    assert decrypt_password(mailbox.imap_password_encrypted) == "s3cret-pass"
    page = admin_client.get(reverse("admin:email_channel_mailbox_change", args=[mailbox.pk]))
    assert b"s3cret-pass" not in page.content
    assert b"imap_password_encrypted" not in page.content
    # Saving without typing a password keeps the stored one.
    form = {
        "name": "Support", "address": "support@truedesk.test", "language": "en",
        "imap_enabled": "on", "imap_host": "imap.example.com", "imap_port": "993",
        "imap_security": "tls", "imap_username": "support", "imap_password": "",
        "imap_folder": "INBOX",
    }  # fmt: skip
    admin_client.post(reverse("admin:email_channel_mailbox_change", args=[mailbox.pk]), form)
    mailbox.refresh_from_db()
    assert decrypt_password(mailbox.imap_password_encrypted) == "s3cret-pass"


def _mailbox_form(host: str, security: str) -> dict[str, str]:
    return {
        "name": "Support", "address": "support@truedesk.test", "language": "en",
        "imap_enabled": "on", "imap_host": host, "imap_port": "143",
        "imap_security": security, "imap_username": "support", "imap_password": "s3cret-pass",
        "imap_folder": "INBOX",
    }  # fmt: skip


@pytest.mark.parametrize("host", ["imap.example.com", "localhost.example.com", "10.0.0.5"])
def test_imap_without_tls_to_another_machine_is_refused_on_the_form(admin_client, host):
    response = admin_client.post(
        reverse("admin:email_channel_mailbox_add"), _mailbox_form(host, "none")
    )
    assert response.status_code == 200
    assert (
        "the password travels in clear"
        in response.context["adminform"].form.errors["imap_security"][0]
    )
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "[::1]"])
def test_imap_without_tls_is_allowed_to_a_server_on_this_machine(admin_client, host):
    response = admin_client.post(
        reverse("admin:email_channel_mailbox_add"), _mailbox_form(host, "none")
    )
    assert response.status_code == 302
    assert Mailbox.objects.get().imap_security == "none"


def test_a_quarantined_message_opens_read_only_with_its_warnings(admin_client, quarantined):
    url = reverse("admin:email_channel_inboundmessage_change", args=[quarantined.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "The message has no sender address." in text
    assert "<script>alert(1)</script>" not in text
    outbound_list = admin_client.get(reverse("admin:email_channel_outboundemail_changelist"))
    assert outbound_list.status_code == 200


def test_reprocessing_stores_texts_in_the_sites_language_not_the_admins(
    admin_client, quarantined, settings
):
    from django.utils import translation

    with translation.override("lt"):
        actions.reprocess_message(acting_user=User.objects.get(username="root"),
                                  message=quarantined)  # fmt: skip
    quarantined.refresh_from_db()
    assert quarantined.state == InboundMessage.State.QUARANTINED
    assert quarantined.error.endswith("The message has no sender address.")
