"""`truedesk fetchmail`: poll configured IMAP mailboxes; flag or delete only after storing."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from django.utils import timezone

from truedesk.channels.email.models import InboundMessage, Mailbox, is_loopback_host
from truedesk.channels.email.secrets_box import decrypt_password
from truedesk.channels.email.store import StorageFailed, accept_raw_message

logger = logging.getLogger(__name__)

TIMEOUT = 60
MAX_PER_POLL = 500
_UID = re.compile(rb"UID (\d+)")


@dataclass
class PollResult:
    mailbox: str
    stored: int = 0
    failed: int = 0
    error: str = ""


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.imap_security == Mailbox.Security.TLS:
        return imaplib.IMAP4_SSL(
            mailbox.imap_host, mailbox.imap_port, ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT,
        )  # fmt: skip
    client = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT)
    if mailbox.imap_security == Mailbox.Security.STARTTLS:
        client.starttls(ssl_context=ssl.create_default_context())
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def poll_mailbox(mailbox: Mailbox) -> PollResult:
    """Fetch unseen messages, store each, and only then mark it seen (or delete it)."""
    result = PollResult(mailbox=mailbox.name)
    if mailbox.imap_security == Mailbox.Security.NONE and not is_loopback_host(mailbox.imap_host):
        # The admin refuses this (Mailbox.clean); a row written another way must still
        # not send the password in clear across a network: no connection at all.
        logger.error(
            "polling %s: refused to connect to %s without TLS; the password would travel "
            "in clear. Choose TLS or STARTTLS for this mailbox.",
            mailbox.name, mailbox.imap_host,
        )  # fmt: skip
        return _finish(
            mailbox, result, "refused: IMAP security “none” is only allowed for a server on "
            "this machine (localhost, 127.0.0.1, ::1); choose TLS or STARTTLS",
        )  # fmt: skip
    try:
        client = _connect(mailbox)
    except (OSError, imaplib.IMAP4.error) as exc:
        return _finish(mailbox, result, f"could not connect: {exc}")
    try:
        client.login(mailbox.imap_username, decrypt_password(mailbox.imap_password_encrypted))
        status, _data = client.select(_quoted(mailbox.imap_folder))
        if status != "OK":
            return _finish(mailbox, result, f"could not open folder {mailbox.imap_folder!r}")
        status, data = client.uid("SEARCH", "UNSEEN", "UNDELETED")
        found = (data[0] or b"").split()[:MAX_PER_POLL] if status == "OK" else []
        uids = [uid.decode("ascii") for uid in found]
        for uid in uids:
            _take(client, mailbox, uid, result)
        if mailbox.imap_delete_after_store and result.stored:
            client.expunge()
    except (OSError, imaplib.IMAP4.error) as exc:
        return _finish(mailbox, result, f"IMAP error: {exc}")
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return _finish(mailbox, result, "")


def _take(client: imaplib.IMAP4, mailbox: Mailbox, uid: str, result: PollResult) -> None:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next(
        (item[1] for item in data if isinstance(item, tuple) and len(item) > 1), None
    ) if status == "OK" else None  # fmt: skip
    if not isinstance(raw, bytes) or not raw:
        result.failed += 1
        return
    try:
        accept_raw_message(raw, source=InboundMessage.Source.IMAP, mailbox=mailbox)
    except StorageFailed:
        logger.exception("could not store IMAP message %s of %s", uid, mailbox.name)
        result.failed += 1
        return  # left unseen on the server: the next poll tries again
    flags = r"(\Deleted)" if mailbox.imap_delete_after_store else r"(\Seen)"
    client.uid("STORE", uid, "+FLAGS", flags)
    result.stored += 1


def _finish(mailbox: Mailbox, result: PollResult, error: str) -> PollResult:
    result.error = error
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_poll_error=error[:2000]
    )
    if error:
        logger.warning("polling %s: %s", mailbox.name, error)
    return result


def poll_all() -> list[PollResult]:
    return [poll_mailbox(m) for m in Mailbox.objects.filter(imap_enabled=True).order_by("name")]
