"""Build test messages the way real clients write them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid


def message(
    *,
    sender: str = "Dave Davis <dave@example.com>",
    to: str = "support@truedesk.test",
    subject: str = "Printer is broken",
    body: str = "Hello, my printer does not print.",
    charset: str = "utf-8",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    html: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="client.test")
    for name, value in (headers or {}).items():
        msg[name] = value
    if html is not None and not body:
        msg.set_content(html, subtype="html", charset=charset)
    else:
        msg.set_content(body, charset=charset)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    for name, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def legacy(
    *,
    charset: str,
    subject: str,
    body: str,
    sender: str = "dave@example.com",
    message_id: str = "<legacy-1@client.test>",
    declared: str | None = None,
) -> bytes:
    """An 8-bit message in a legacy charset, as old clients send it (optionally mislabelled)."""
    head = (
        f"From: {sender}\r\nTo: support@truedesk.test\r\nMessage-ID: {message_id}\r\n"
        f"Subject: {subject}\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={declared or charset}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode("ascii") + body.encode(charset) + b"\r\n"
