"""The durable raw store: a message is on disk (fsynced) and recorded before anyone is told "OK".

`accept_raw_message` is the only way mail enters Truedesk. It writes the exact
bytes to a randomly named file under EMAIL_STORE_DIR, fsyncs the file and its
directory, then inserts the InboundMessage row. Only when it returns may the
SMTP receiver answer 250 or the IMAP poller flag the message; if it raises, the
sender must keep the message (451 / leave unflagged). Processing happens later,
from the store (tasks.py and the periodic sweep).
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import logging
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from truedesk.channels.email.models import InboundMessage, Mailbox
from truedesk.channels.email.parsing import header_text, message_key_of, parse_sender
from truedesk.lib.enqueue import request_drain

logger = logging.getLogger(__name__)

# Only the header block is parsed at accept time, and only this much of it.
_HEADER_PEEK = 256 * 1024


class StorageFailed(Exception):
    """The message could not be stored durably; the sender must try again later."""


def store_dir() -> Path:
    return Path(settings.EMAIL_STORE_DIR)


def raw_file(message: InboundMessage) -> Path:
    return store_dir() / message.raw_path


def read_raw(message: InboundMessage) -> bytes:
    return raw_file(message).read_bytes()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(raw: bytes) -> str:
    now = timezone.now()
    relative = Path(now.strftime("%Y/%m/%d")) / f"{secrets.token_hex(16)}.eml"
    final = store_dir() / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_suffix(".part")
    with open(partial, "wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, final)
    _fsync_dir(final.parent)
    return str(relative)


def _peek_headers(raw: bytes) -> tuple[str, str, str]:
    """(message key, sender address, subject) from the header block; never raises."""
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(
            raw[:_HEADER_PEEK]
        )
        return (
            message_key_of(headers, raw),
            parse_sender(headers)[1],
            header_text(headers, "Subject")[:250],
        )
    except Exception:
        logger.warning("unreadable header block; stored as is", exc_info=True)
        return "sha256:" + hashlib.sha256(raw).hexdigest(), "", ""


def accept_raw_message(
    raw: bytes,
    *,
    source: str,
    mail_from: str = "",
    rcpt_to: Sequence[str] = (),
    mailbox: Mailbox | None = None,
    enqueue: bool = True,
) -> InboundMessage:
    """Store the exact bytes durably, record them, and only then return; else StorageFailed."""
    if not isinstance(raw, bytes | bytearray) or not raw:
        raise StorageFailed("empty message")
    raw = bytes(raw)
    key, sender, subject = _peek_headers(raw)
    try:
        relative = _write_durably(raw)
    except OSError as exc:
        raise StorageFailed(f"could not write the message: {exc}") from exc
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                source=source,
                mailbox=mailbox,
                raw_path=relative,
                size=len(raw),
                sha256=hashlib.sha256(raw).hexdigest(),
                message_key=key[:300],
                envelope_from=_clean(mail_from)[:300],
                envelope_to="\n".join(_clean(rcpt) for rcpt in rcpt_to)[:5000],
                sender=sender[:254],
                subject=subject,
            )
            if enqueue:
                from truedesk.channels.email.tasks import process_inbound_batch_task

                # With the database task backend, a waiting run is reused or a new
                # one commits with the message row (decision 0032).
                request_drain(process_inbound_batch_task)
    except Exception as exc:
        # No row, no acceptance: the sender keeps the message and retries, so the
        # file is only a stray copy.
        (store_dir() / relative).unlink(missing_ok=True)
        raise StorageFailed(f"could not record the message: {exc}") from exc
    return message


def _clean(value: str) -> str:
    return "".join(ch for ch in str(value) if ch >= " " and ch != "\x7f")
