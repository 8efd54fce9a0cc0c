"""Email we send to customers: agents' replies and acknowledgements, at least once.

Every message gets an unguessable Message-ID (secrets.token_urlsafe) that is
stored, so a customer's reply finds its case by In-Reply-To/References and a
guessed or forged reference finds nothing. Rows are claimed with a lease
before sending and marked afterwards; failures retry with backoff and stay
visible on the interaction in the desk. Header values are reduced to one line
(no CR/LF, encoded or not) before they reach a header.
"""

from __future__ import annotations

import email.utils
import logging
import secrets
import smtplib
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from truedesk.cases.models import Case, EventKind, Interaction
from truedesk.channels.email.models import InboundMessage, OutboundEmail, SweepMark
from truedesk.channels.email.noise import LOOP_HEADER
from truedesk.channels.email.parsing import clean_header_value
from truedesk.customers.models import ContactPoint
from truedesk.lib.enqueue import request_drain

if TYPE_CHECKING:
    from truedesk.cases.models import CaseEvent
    from truedesk.channels.email.parsing import ParsedEmail
    from truedesk.customers.models import Customer

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
# Emails claimed and sent over one SMTP connection at a time, and how long one
# queued run sends before it hands over to a new run.
BATCH_SIZE = 25
DRAIN_SECONDS = 20.0
MAX_REFERENCES = 20
# Interactions younger than this may still be uncommitted in another transaction:
# the sweep looks at them again next time before moving its mark past them.
SETTLE = timedelta(minutes=5)
Status = OutboundEmail.Status
# Public replies recorded on these channels reach the customer only by email: "email"
# always, "api" (an integration answering) when the case came in by email.
MAILED_CHANNELS = frozenset({Interaction.Channel.EMAIL, Interaction.Channel.API})


def _is_mailed(interaction: Interaction) -> bool:
    if interaction.is_internal or interaction.direction != Interaction.Direction.OUTBOUND:
        return False
    if interaction.channel == Interaction.Channel.EMAIL:
        return True
    return (
        interaction.channel == Interaction.Channel.API
        and InboundMessage.objects.filter(case_id=interaction.case_id).exists()
    )


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes between tries, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def new_message_id() -> str:
    domain = _address_of(settings.EMAIL_CHANNEL_FROM).split("@")[-1] or "truedesk.localhost"
    return f"{secrets.token_urlsafe(24)}@{domain}"


def _address_of(value: str) -> str:
    return email.utils.parseaddr(value)[1].lower()


def case_subject(case: Case, subject: str | None = None) -> str:
    text = clean_header_value(subject if subject is not None else case.subject, 200)
    return f"[#{case.number}] {text}".strip()


# --- queuing ----------------------------------------------------------------------


def on_case_event(event: CaseEvent) -> None:
    """After-commit listener: queue an email for every public email reply by staff."""
    if event.kind != EventKind.REPLY_ADDED:
        return
    data = event.data or {}
    if data.get("direction") != Interaction.Direction.OUTBOUND:
        return
    if data.get("channel") not in MAILED_CHANNELS:
        return
    interaction_id = data.get("interaction_id")
    if isinstance(interaction_id, int):
        queue_reply(interaction_id=interaction_id)


def _thread_of(case: Case) -> tuple[str, str, list[str], str]:
    """(to address, in-reply-to, references, from address) for the next mail on the case."""
    inbound = (
        InboundMessage.objects.filter(case=case, state=InboundMessage.State.PROCESSED)
        .select_related("mailbox")
        .order_by("-received_at", "-id")
        .first()
    )
    earlier = list(
        OutboundEmail.objects.filter(case=case)
        .order_by("-created_at")
        .values_list("message_id", flat=True)[:MAX_REFERENCES]
    )
    references = [*reversed(earlier)]
    in_reply_to = ""
    to_address = ""
    from_address = settings.EMAIL_CHANNEL_FROM
    if inbound is not None:
        if not inbound.message_key.startswith("sha256:"):
            in_reply_to = inbound.message_key
            references.append(in_reply_to)
        if case.customer_id is not None and inbound.sender:
            to_address = inbound.sender
        if inbound.mailbox is not None:
            from_address = inbound.mailbox.address
    if not to_address:
        point = (
            ContactPoint.objects.filter(
                customer_id=case.customer_id, kind=ContactPoint.Kind.EMAIL, is_failing=False
            )
            .order_by("-is_primary", "id")
            .first()
        )
        to_address = point.value if point is not None else ""
    return to_address, in_reply_to, references[-MAX_REFERENCES:], from_address


def queue_reply(*, interaction_id: int) -> OutboundEmail | None:
    """Queue the email for an agent's public reply once; returns the row (None if not email)."""
    existing = OutboundEmail.objects.filter(interaction_id=interaction_id).first()
    if existing is not None:
        return existing
    interaction = (
        Interaction.objects.select_related("case", "case__customer", "author_user")
        .filter(pk=interaction_id)
        .first()
    )
    if interaction is None or not _is_mailed(interaction):
        return None
    case = interaction.case
    to_address, in_reply_to, references, from_address = _thread_of(case)
    author = interaction.author_user.display_name if interaction.author_user else ""
    row = OutboundEmail(
        kind=OutboundEmail.Kind.REPLY,
        case=case,
        interaction=interaction,
        message_id=new_message_id(),
        in_reply_to=in_reply_to,
        references=" ".join(references),
        from_address=_with_name(author, from_address),
        to_address=to_address,
        subject=case_subject(case, f"Re: {case.subject}"),
        body=interaction.body,
        language=case.customer.language,
    )
    if not to_address:
        row.status = Status.FAILED
        row.last_error = "The customer has no working email address."
    return _insert(row, lambda: OutboundEmail.objects.filter(interaction_id=interaction_id).first())


def _with_name(name: str, address: str) -> str:
    """The From value as stored: `"Name" <address>`, readable; encoded when the mail is built."""
    clean = clean_header_value(name, 100)
    plain = _address_of(address) or address
    if not clean:
        return plain
    quoted = clean.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{plain}>'


def _insert(row: OutboundEmail, again: object) -> OutboundEmail | None:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Another worker queued the same interaction or message first.
        return again() if callable(again) else None
    if row.status == Status.PENDING:
        from truedesk.channels.email.tasks import deliver_outbound_batch_task

        request_drain(deliver_outbound_batch_task)
    return row


def queue_acknowledgement(
    *, message: InboundMessage, parsed: ParsedEmail, case: Case, customer: Customer
) -> OutboundEmail | None:
    """Tell the customer their message opened case #N, in their language; once per message."""
    language = customer.language or "en"
    context = {"case": case, "customer": customer, "subject": case.subject}
    with translation.override(language):
        subject = render_to_string("email_channel/ack_subject.txt", context)
        body = render_to_string("email_channel/ack_body.txt", context)
    mailbox = message.mailbox
    refs = [*parsed.references, parsed.message_id] if parsed.message_id else parsed.references
    row = OutboundEmail(
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        case=case,
        answers=message,
        message_id=new_message_id(),
        in_reply_to=parsed.message_id,
        references=" ".join(refs[-MAX_REFERENCES:]),
        from_address=mailbox.address if mailbox else settings.EMAIL_CHANNEL_FROM,
        to_address=parsed.sender_address,
        subject=case_subject(case, clean_header_value(subject, 200)),
        body=body.strip() + "\n",
        language=language,
    )
    return _insert(row, lambda: OutboundEmail.objects.filter(answers=message).first())


# --- sending ------------------------------------------------------------------------


def _claim(outbound_id: int, now: datetime) -> bool:
    return bool(
        OutboundEmail.objects.filter(_due(now), pk=outbound_id).update(
            status=Status.SENDING, lease_until=now + LEASE
        )
    )


def build_message(row: OutboundEmail) -> EmailMessage:
    headers = {
        "Message-ID": f"<{row.message_id}>",
        "Auto-Submitted": "auto-replied"
        if row.kind == OutboundEmail.Kind.ACKNOWLEDGEMENT
        else "no",
        LOOP_HEADER: "1",
    }
    if row.in_reply_to:
        headers["In-Reply-To"] = f"<{clean_header_value(row.in_reply_to, 300)}>"
    ids = [clean_header_value(i, 300) for i in row.references.split() if i]
    if ids:
        headers["References"] = " ".join(f"<{i}>" for i in ids)
    message = EmailMessage(
        subject=clean_header_value(row.subject, 250),
        body=row.body,
        from_email=_one_line_address(row.from_address),
        to=[_one_line_address(row.to_address)],
        headers=headers,
    )
    if row.interaction_id is not None:
        for attachment in row.interaction.attachments.all() if row.interaction else []:
            with attachment.file.open("rb") as handle:
                message.attach(
                    clean_header_value(attachment.filename, 255),
                    handle.read(),
                    attachment.content_type,
                )
    return message


def _one_line_address(value: str) -> str:
    name, address = email.utils.parseaddr(clean_header_value(value, 400))
    return email.utils.formataddr((clean_header_value(name, 100), address)) if name else address


def deliver_outbound(*, outbound_id: int, now: datetime | None = None) -> bool:
    """Send one queued email if due and unclaimed; True if it was sent now."""
    moment = now or timezone.now()
    if not _claim(outbound_id, moment):
        return False
    return _send_claimed(outbound_id, moment)


def _send_claimed(
    outbound_id: int, moment: datetime, connection: BaseEmailBackend | None = None
) -> bool:
    """Send a row this worker has claimed; record success, or the failure and next attempt."""
    row = OutboundEmail.objects.select_related("interaction").get(pk=outbound_id)
    try:
        message = build_message(row)
        message.connection = connection
        message.send(fail_silently=False)
    except Exception as exc:
        attempts = row.attempts + 1
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused) and all(
            500 <= code < 600 for code, _msg in exc.recipients.values()
        )
        failed = permanent or attempts >= MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=outbound_id).update(
            status=Status.FAILED if failed else Status.PENDING,
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=moment + _backoff(attempts),
            lease_until=None,
        )
        logger.warning("outbound email %s failed (attempt %s): %s", outbound_id, attempts, exc)
        return False
    OutboundEmail.objects.filter(pk=outbound_id, status=Status.SENDING).update(
        status=Status.SENT,
        attempts=row.attempts + 1,
        sent_at=timezone.now(),
        lease_until=None,
        last_error="",
    )
    return True


def _due(now: datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, lease_until__lt=now
    )


def deliver_due_outbound(*, now: datetime | None = None, limit: int = 100) -> int:
    """Send what is due, in batches over one SMTP connection each; the number sent."""
    moment = now or timezone.now()
    sent = 0
    remaining = limit
    while remaining > 0:
        ids = _claim_batch(min(BATCH_SIZE, remaining), moment)
        if not ids:
            break
        sent += _send_batch(ids, moment)
        remaining -= len(ids)
    return sent


def drain_outbound(*, seconds: float = DRAIN_SECONDS) -> int:
    """The queued task's work: send due email in batches until none is left.

    After `seconds` it stops and queues another run (the worker's periodic jobs
    get their turn); the batch's claims are never held past their lease.
    """
    deadline = time.monotonic() + seconds
    sent = 0
    while True:
        moment = timezone.now()
        ids = _claim_batch(BATCH_SIZE, moment)
        if ids:
            sent += _send_batch(ids, moment)
        if len(ids) < BATCH_SIZE:
            return sent
        if time.monotonic() >= deadline:
            from truedesk.channels.email.tasks import deliver_outbound_batch_task

            request_drain(deliver_outbound_batch_task)
            return sent


def _claim_batch(limit: int, now: datetime) -> list[int]:
    """Claim up to `limit` due emails for this worker (one commit)."""
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboundEmail.objects.filter(pk__in=ids).update(
                status=Status.SENDING, lease_until=now + LEASE
            )
    return ids


def _send_batch(ids: list[int], moment: datetime) -> int:
    """Send claimed emails over one SMTP connection; give back what the lease cannot cover."""
    # Stop well before the lease runs out, so no other worker can take a row
    # this one is still sending (EMAIL_TIMEOUT bounds each send).
    stop_at = time.monotonic() + (LEASE.total_seconds() - 2 * float(settings.EMAIL_TIMEOUT or 30))
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception:
        # Each send tries to connect itself and records its own failure.
        logger.warning("could not open an SMTP connection for %s emails", len(ids), exc_info=True)
    sent = 0
    try:
        for index, outbound_id in enumerate(ids):
            if time.monotonic() >= stop_at:
                OutboundEmail.objects.filter(pk__in=ids[index:], status=Status.SENDING).update(
                    status=Status.PENDING, lease_until=None
                )
                break
            if _send_claimed(outbound_id, moment, connection):
                sent += 1
            else:
                connection.close()  # a broken session is not reused; the next send reconnects
    finally:
        connection.close()
    return sent


def retry_outbound(*, outbound: OutboundEmail) -> None:
    """Try a failed email again now (admin action)."""
    from truedesk.channels.email.tasks import deliver_outbound_batch_task

    OutboundEmail.objects.filter(pk=outbound.pk, status=Status.FAILED).update(
        status=Status.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    request_drain(deliver_outbound_batch_task)


def sweep_unqueued_replies(*, now: datetime | None = None, batch: int = 500) -> int:
    """Queue email for public email replies the listener missed (a crash after commit).

    Walks interactions by primary key from a stored mark (an indexed range
    scan); the mark only passes interactions older than SETTLE.
    """
    moment = now or timezone.now()
    mark = SweepMark.objects.filter(name="outbound_replies").first()
    if mark is None:
        # Start at the present: replies from before email went out are history.
        start = (
            Interaction.objects.filter(created_at__lt=moment - SETTLE)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        mark, _created = SweepMark.objects.get_or_create(
            name="outbound_replies", defaults={"last_interaction_id": start or 0}
        )
    rows = list(
        Interaction.objects.filter(pk__gt=mark.last_interaction_id)
        .order_by("pk")
        .values_list("pk", "channel", "direction", "is_internal", "created_at")[:batch]
    )
    queued = 0
    settled = mark.last_interaction_id
    settling = True
    for pk, channel, direction, internal, created_at in rows:
        if (
            channel in MAILED_CHANNELS
            and direction == Interaction.Direction.OUTBOUND
            and not internal
            and not OutboundEmail.objects.filter(interaction_id=pk).exists()
            and queue_reply(interaction_id=pk) is not None
        ):
            queued += 1
        if settling and created_at < moment - SETTLE:
            settled = pk
        else:
            settling = False
    if settled != mark.last_interaction_id:
        SweepMark.objects.filter(pk=mark.pk).update(last_interaction_id=settled)
    return queued
