"""Mail is acknowledged only once stored: the SMTP receiver (smtplib) and IMAP polling (dovecot)."""

from __future__ import annotations

import hashlib
import os
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError

from truedesk.cases.models import Case, Interaction
from truedesk.channels.email import actions, store
from truedesk.channels.email.imap import poll_all
from truedesk.channels.email.models import InboundMessage, Mailbox
from truedesk.channels.email.secrets_box import encrypt_password
from truedesk.channels.email.tests import mail
from truedesk.channels.email.tests.conftest import free_port
from truedesk.channels.email.tests.dovecot import dovecot
from truedesk.testing.personas import build_world


def send(receiver, raw: bytes, sender: str = "dave@example.com") -> dict:
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=30) as client:
        return client.sendmail(sender, ["support@truedesk.test"], raw)


def test_smtp_stores_the_exact_bytes_before_answering_250(receiver, mail_store):
    raw = mail.message(body="Grüße, Привет, Labas", charset="utf-8")
    assert send(receiver, raw) == {}
    stored = InboundMessage.objects.get()
    on_disk = store.read_raw(stored)
    assert hashlib.sha256(on_disk).hexdigest() == stored.sha256
    assert on_disk.rstrip(b"\r\n") == raw.rstrip(b"\r\n")
    assert stored.envelope_from == "dave@example.com"
    assert stored.envelope_to == "support@truedesk.test"
    assert str(store.store_dir()) in str(store.raw_file(stored))


def test_a_storage_failure_answers_451_so_the_sender_retries(receiver, mail_store, monkeypatch):
    def disk_full(raw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_write_durably", disk_full)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(receiver, mail.message())
    assert refused.value.smtp_code == 451
    assert not InboundMessage.objects.exists()


def test_a_database_failure_answers_451_then_the_retry_is_processed(
    receiver, mail_store, monkeypatch
):
    build_world()
    real_create = InboundMessage.objects.create

    def database_down(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(InboundMessage.objects, "create", database_down)
    raw = mail.message(message_id="<retry-1@client.test>")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(receiver, raw)
    assert refused.value.smtp_code == 451
    assert not list(Path(mail_store).rglob("*.eml"))  # no stray copy left behind
    monkeypatch.setattr(InboundMessage.objects, "create", real_create)
    assert send(receiver, raw) == {}  # the sending MTA retries once the database is back
    actions.process_due_messages()
    assert Interaction.objects.count() == 1


def test_a_20_mb_attachment_is_accepted_and_kept(receiver, mail_store, settings):
    build_world()
    settings.ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024
    big = os.urandom(20 * 1024 * 1024)
    assert send(receiver, mail.message(attachments=[("dump.bin", big, "application/zip")])) == {}
    actions.process_due_messages()
    attachment = Case.objects.get().attachments.get()
    assert attachment.size == len(big)
    assert attachment.sha256 == hashlib.sha256(big).hexdigest()


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("truedesk smtpd did not start")


def test_truedesk_smtpd_with_its_database_unreachable_answers_451(tmp_path):
    port = free_port()
    closed = free_port()
    env = {
        **os.environ,
        "TRUEDESK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed}/truedesk",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "truedesk", "smtpd", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for_port(port, process)
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=30) as client,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            client.sendmail("dave@example.com", ["support@truedesk.test"], mail.message())
        assert refused.value.smtp_code == 451
        assert not list((tmp_path / "mail").rglob("*.eml"))
    finally:
        process.terminate()
        process.wait(timeout=20)


# --- IMAP -------------------------------------------------------------------------------


@pytest.fixture
def imap_server():
    with dovecot() as server:
        yield server


def _mailbox(server, *, delete: bool = False) -> Mailbox:
    return Mailbox.objects.create(
        name="Support", address="support@truedesk.test", imap_enabled=True,
        imap_host=server.host, imap_port=server.port, imap_security=Mailbox.Security.NONE,
        imap_username=server.user, imap_password_encrypted=encrypt_password(server.password),
        imap_delete_after_store=delete,
    )  # fmt: skip


@pytest.mark.django_db
def test_fetchmail_stores_then_flags_and_the_next_poll_takes_nothing(imap_server, world):
    _mailbox(imap_server)
    imap_server.append(mail.message(subject="First"))
    imap_server.append(mail.message(subject="Second"))
    [result] = poll_all()
    assert (result.stored, result.failed, result.error) == (2, 0, "")
    assert all("\\Seen" in flags for flags in imap_server.flags())
    assert [m.subject for m in InboundMessage.objects.order_by("id")] == ["First", "Second"]
    assert poll_all()[0].stored == 0
    actions.process_due_messages()
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_fetchmail_can_delete_after_storing(imap_server, world):
    _mailbox(imap_server, delete=True)
    imap_server.append(mail.message())
    assert poll_all()[0].stored == 1
    assert imap_server.flags() == []


@pytest.mark.django_db
def test_fetchmail_leaves_a_message_it_could_not_store_unseen(imap_server, world, monkeypatch):
    _mailbox(imap_server)
    imap_server.append(mail.message())

    def disk_full(raw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_write_durably", disk_full)
    assert poll_all()[0].failed == 1
    assert "\\Seen" not in imap_server.flags()[0]
    monkeypatch.undo()
    assert poll_all()[0].stored == 1


@pytest.mark.django_db
def test_an_imap_relist_after_a_lost_flag_is_still_one_interaction(imap_server, world, monkeypatch):
    _mailbox(imap_server)
    imap_server.append(mail.message(message_id="<relist@client.test>"))
    import imaplib

    real_uid = imaplib.IMAP4.uid

    def lose_store(self, command, *args):
        if command == "STORE":
            raise imaplib.IMAP4.abort("connection lost")
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", lose_store)
    assert poll_all()[0].error  # stored, but the flag never reached the server
    monkeypatch.undo()
    assert poll_all()[0].stored == 1  # listed again
    actions.process_due_messages()
    assert InboundMessage.objects.count() == 2
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_a_wrong_imap_password_is_reported_not_raised(imap_server, world):
    mailbox = _mailbox(imap_server)
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password_encrypted=encrypt_password("no"))
    [result] = poll_all()
    assert result.error and result.stored == 0
    mailbox.refresh_from_db()
    assert mailbox.last_poll_error


@pytest.mark.django_db
def test_fetchmail_refuses_plain_imap_to_another_machine_without_connecting(
    world, monkeypatch, caplog
):
    # Written around the admin's check (a script, a shell, an old row): still refused.
    Mailbox.objects.create(
        name="Support", address="support@truedesk.test", imap_enabled=True,
        imap_host="imap.example.com", imap_port=143, imap_security=Mailbox.Security.NONE,
        imap_username="support", imap_password_encrypted=encrypt_password("s3cret-pass"),
    )  # fmt: skip
    attempts = []

    def no_network(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("no connection may be attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    with caplog.at_level("ERROR", logger="truedesk.channels.email.imap"):
        [result] = poll_all()
    assert attempts == []
    assert result.stored == 0 and "TLS or STARTTLS" in result.error
    assert any(
        r.levelname == "ERROR" and "imap.example.com" in r.getMessage() for r in caplog.records
    )
    assert "TLS or STARTTLS" in Mailbox.objects.get().last_poll_error


def test_a_message_with_a_huge_header_line_is_accepted_and_processed(receiver, mail_store):
    build_world()
    raw = mail.message(headers={"X-Huge": "x" * 200_000}, subject="Huge header")
    assert send(receiver, raw) == {}
    actions.process_due_messages()
    stored = InboundMessage.objects.get()
    assert stored.state == InboundMessage.State.PROCESSED
    assert {"code": "header_truncated", "detail": ""} in stored.warnings
