"""The SMTP receiver behind the company's MTA: 250 only once the message is stored.

aiosmtpd runs the protocol on an event loop; storing (file + fsync + database
row) runs in a worker thread so slow disks or databases never block other
sessions. Any storage failure is answered with 451, so the sending MTA keeps the
message and retries.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import close_old_connections, connection

from truedesk.channels.email.models import InboundMessage
from truedesk.channels.email.store import accept_raw_message

logger = logging.getLogger(__name__)

STORED = "250 2.0.0 OK: stored"
TRY_LATER = "451 4.3.0 Could not store the message, please try again later"


def _store(content: bytes, mail_from: str, rcpt_tos: list[str]) -> int:
    close_old_connections()
    try:
        message = accept_raw_message(
            content, source=InboundMessage.Source.SMTP, mail_from=mail_from, rcpt_to=rcpt_tos
        )
        return message.pk
    finally:
        # A connection that failed must not be reused by the next session.
        if connection.errors_occurred:
            connection.close()


class StoringHandler:
    """aiosmtpd handler: store the DATA, answer 250 only if it is durable."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        try:
            pk = await asyncio.to_thread(
                _store, content, str(envelope.mail_from or ""), list(envelope.rcpt_tos)
            )
        except Exception:
            logger.exception("could not store a message from %s", envelope.mail_from)
            return TRY_LATER
        return f"{STORED} as {pk}"


class _LenientSMTP(SMTP):
    # RFC 5321 allows 1000-byte lines, but mail with longer ones exists (huge
    # headers, unwrapped HTML). Refusing it with a 5xx would lose it for good;
    # accept it and let parsing shorten what is too long, with a warning.
    line_length_limit = 1024 * 1024


class ReceiverController(Controller):
    """A Controller whose SMTP sessions allow 8-bit, UTF-8 and messages up to the limit."""

    def factory(self) -> SMTP:
        return _LenientSMTP(
            self.handler,
            data_size_limit=int(settings.EMAIL_MAX_MESSAGE_BYTES),
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=self.hostname,
            ident="Truedesk",
        )


def make_receiver(host: str, port: int) -> ReceiverController:
    return ReceiverController(StoringHandler(), hostname=host, port=port)
