"""Process stored inbound mail into cases, and the admin's quarantine operations.

Processing is idempotent and safe to run on several workers: a message is
claimed with a lease, processed in one transaction (customer, case or reply,
attachments, Message-ID key, acknowledgement row, state), and a worker that
dies mid-message leaves the lease to expire so another retries it. New
messages are processed in batches (`process_new_messages`: one transaction, a
savepoint each); retries one by one (`process_inbound_message`).
A message that still fails after MAX_ATTEMPTS goes to quarantine with the
error; nothing is deleted.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from truedesk.accounts.actions import Actor, SystemActor, record_audit_event
from truedesk.accounts.models import Department
from truedesk.cases import actions as case_actions
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.errors import CaseError
from truedesk.cases.events import announced_together
from truedesk.cases.models import Case, Interaction
from truedesk.channels.email import noise
from truedesk.channels.email.models import InboundMessage, Mailbox, MessageKey, OutboundEmail
from truedesk.channels.email.parsing import ParsedEmail, Warning_, key_digest, parse_message
from truedesk.channels.email.store import read_raw
from truedesk.customers import actions as customer_actions
from truedesk.customers.errors import DomainError as CustomerError
from truedesk.customers.models import ContactPoint, Customer
from truedesk.customers.selectors import find_customer_by_email
from truedesk.lib.enqueue import drains_requested_together, request_drain
from truedesk.notifications.actions import notify_staff

logger = logging.getLogger(__name__)

EMAIL = SystemActor(label="email")
MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=5)
# New messages processed per transaction, and how long one queued run drains.
BATCH_SIZE = 25
DRAIN_SECONDS = 20.0
_CASE_REF = re.compile(r"\[#(\d{1,12})\]")
State = InboundMessage.State


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 60))


def _limits() -> dict[str, int]:
    return {
        "attachment_bytes": int(settings.ATTACHMENT_MAX_BYTES),
        "attachments": 20,
    }


# --- claiming ----------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return Q(state=State.RECEIVED) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))


def _claim(message_id: int, now: datetime) -> bool:
    return bool(
        InboundMessage.objects.filter(_due(now), pk=message_id).update(
            lease_until=now + LEASE, claims=F("claims") + 1
        )
    )


def process_due_messages(*, now: datetime | None = None, limit: int = 200) -> int:
    """The sweep: new messages in batches, then retries one by one (failed earlier, or
    left by a dead worker whose lease ran out); the number processed."""
    moment = now or timezone.now()
    done = 0
    while done < limit:
        processed, claimed = process_new_messages(now=moment, limit=min(BATCH_SIZE, limit - done))
        done += processed
        if not claimed:
            break
    retries = list(
        InboundMessage.objects.filter(state=State.RECEIVED, lease_until__lt=moment)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    # Alone, so a message that keeps failing (or killing its worker) holds back no other.
    return done + sum(process_inbound_message(message_id=pk, now=moment) for pk in retries)


def drain_inbound(*, batch_size: int = BATCH_SIZE, seconds: float = DRAIN_SECONDS) -> int:
    """The queued task's work: process new messages in batches until none is left.

    After `seconds` it stops and queues another run, so a long backlog does not
    keep the worker from its periodic jobs.
    """
    deadline = time.monotonic() + seconds
    done = 0
    while True:
        processed, claimed = process_new_messages(limit=batch_size)
        done += processed
        if claimed < batch_size:
            return done
        if time.monotonic() >= deadline:
            from truedesk.channels.email.tasks import process_inbound_batch_task

            request_drain(process_inbound_batch_task)
            return done


def process_new_messages(
    *, limit: int = BATCH_SIZE, now: datetime | None = None
) -> tuple[int, int]:
    """Claim up to `limit` new messages and process them in one transaction; (processed, claimed).

    One commit for the whole batch instead of several per message (decision
    0032). Each message runs in its own savepoint: one that fails is rolled
    back alone and its failure recorded, the others commit. A worker killed
    mid-batch commits nothing; the batch's leases run out and each message is
    then retried on its own (`process_due_messages`). The case events of the
    batch reach their subscribers together after the commit.
    """
    moment = now or timezone.now()
    ids = _claim_new(limit, moment)
    if not ids:
        return 0, 0
    messages = InboundMessage.objects.filter(pk__in=ids).select_related("mailbox__department")
    processed = 0
    with drains_requested_together(), announced_together(), transaction.atomic():
        mailboxes = _mailboxes()
        for message in messages.order_by("received_at", "id"):
            try:
                with transaction.atomic():
                    _process(message, mailboxes)
            except Exception as exc:
                _record_failure(message, exc, moment)
            else:
                processed += 1
    return processed, len(ids)


def _claim_new(limit: int, now: datetime) -> list[int]:
    """Lease up to `limit` messages nobody has tried yet, oldest first (one commit)."""
    with transaction.atomic():
        ids = list(
            InboundMessage.objects.select_for_update(skip_locked=True)
            .filter(state=State.RECEIVED, lease_until__isnull=True)
            .order_by("received_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            InboundMessage.objects.filter(pk__in=ids).update(
                lease_until=now + LEASE, claims=F("claims") + 1
            )
    return ids


def process_inbound_message(*, message_id: int, now: datetime | None = None) -> bool:
    """Turn one stored message into a case interaction (or ignore/quarantine it); True if done."""
    moment = now or timezone.now()
    if not _claim(message_id, moment):
        return False
    message = InboundMessage.objects.select_related("mailbox__department").get(pk=message_id)
    # Earlier claims that ended with no outcome recorded: the worker died holding it.
    deaths = message.claims - 1 - message.attempts
    if deaths >= MAX_ATTEMPTS:
        # Its workers keep dying on it (out of memory, a crash in a library):
        # trying again would only stop the next worker too.
        died = Unprocessable(
            _("A worker stopped while processing this message %(count)s times.") % {"count": deaths}
        )
        _record_failure(message, died, moment)
        return False
    try:
        with transaction.atomic():
            _process(message, _mailboxes())
    except Exception as exc:
        _record_failure(message, exc, moment)
        return False
    return True


def _record_failure(message: InboundMessage, exc: BaseException, now: datetime) -> None:
    attempts = message.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:4000]
    quarantine = attempts >= MAX_ATTEMPTS or isinstance(exc, Unprocessable)
    logger.warning("inbound email %s failed (attempt %s): %s", message.pk, attempts, error)
    InboundMessage.objects.filter(pk=message.pk).update(
        attempts=attempts,
        error=error,
        state=State.QUARANTINED if quarantine else State.RECEIVED,
        lease_until=None if quarantine else now + _backoff(attempts),
    )


class Unprocessable(Exception):
    """A message that retrying cannot fix (no sender, unreadable): straight to quarantine."""


# --- processing ----------------------------------------------------------------------


@dataclass
class _Outcome:
    state: str
    case: Case | None = None
    interaction: Interaction | None = None
    is_auto: bool = False


def _mailboxes() -> list[Mailbox]:
    return list(Mailbox.objects.select_related("department").order_by("pk"))


def _process(message: InboundMessage, mailboxes: list[Mailbox]) -> None:
    parsed = parse_message(read_raw(message), limits=_limits())  # the raw bytes go at once
    if not parsed.sender_address:
        fallback = message.envelope_from.strip("<>").lower()
        if "@" not in fallback:
            raise Unprocessable(_("The message has no sender address."))
        parsed.sender_address = fallback
    if message.mailbox is None:
        message.mailbox = _mailbox_for(message.envelope_to, mailboxes)
    outcome = _route(message, parsed, _own_addresses(mailboxes))
    InboundMessage.objects.filter(pk=message.pk).update(
        mailbox=message.mailbox,
        state=outcome.state,
        attempts=message.attempts + 1,
        error="",
        warnings=[w.as_json() for w in parsed.warnings],
        full_text=parsed.full_text,
        is_auto=outcome.is_auto,
        sender=parsed.sender_address[:254],
        subject=parsed.subject,
        processed_at=timezone.now(),
        lease_until=None,
        case=outcome.case,
        interaction=outcome.interaction,
    )


def _mailbox_for(envelope_to: str, mailboxes: list[Mailbox]) -> Mailbox | None:
    """The configured mailbox an SMTP message was addressed to (its department, its address).

    `mailboxes` are all configured mailboxes (a handful), in primary-key order,
    read once per batch for this and for `_own_addresses`.
    """
    recipients = [r.strip().strip("<>") for r in envelope_to.splitlines() if "@" in r][:20]
    wanted = {r.lower() for r in recipients}
    return next((m for m in mailboxes if m.address.lower() in wanted), None)


def _own_addresses(mailboxes: list[Mailbox]) -> set[str]:
    addresses = {m.address.lower() for m in mailboxes}
    addresses.add(_address_of(settings.EMAIL_CHANNEL_FROM))
    return addresses


def _address_of(value: str) -> str:
    import email.utils

    return email.utils.parseaddr(value)[1].lower()


def _route(message: InboundMessage, parsed: ParsedEmail, own_addresses: set[str]) -> _Outcome:
    if parsed.bounce is not None:
        _apply_bounce(parsed)
        return _Outcome(State.IGNORED, is_auto=True)
    if noise.is_loop(parsed, own_addresses):
        return _Outcome(State.IGNORED, is_auto=True)
    bounce_sender = message.source == InboundMessage.Source.SMTP and message.envelope_from in (
        "",
        "<>",
    )
    auto = bounce_sender or noise.is_auto_reply(parsed)
    if auto and _too_many_auto_replies(parsed.sender_address, message.pk):
        return _Outcome(State.IGNORED, is_auto=True)
    duplicate = MessageKey.objects.filter(
        key=key_digest(parsed.message_key), sender=parsed.sender_address
    ).first()
    if duplicate is not None:
        # SMTP retry or IMAP re-list: the first copy already made the interaction.
        return _Outcome(State.IGNORED, case=duplicate.case, is_auto=auto)
    if auto:
        # An auto-reply never creates a customer or a case: it may only join a
        # case of a customer we know.
        known = find_customer_by_email(parsed.sender_address)
        case = _thread(parsed, known) if known is not None else None
        if known is None or case is None:
            return _Outcome(State.IGNORED, is_auto=True)
        customer = known
    else:
        customer = _customer_for(parsed, message)
        case = _thread(parsed, customer)
    uploads = [
        AttachmentUpload(name=a.name, content=a.data, content_type=a.content_type)
        for a in parsed.attachments
    ]
    body = parsed.visible_text or _("(no text)")
    external_id = f"email:{key_digest(parsed.message_key)[:48]}"
    interaction = None
    if case is not None:
        try:
            with transaction.atomic():
                interaction = case_actions.reply_to_case(
                    acting_user=EMAIL, case=case, body=body, channel=Interaction.Channel.EMAIL,
                    attachments=uploads, body_html=_html_if_only(parsed),
                    external_id=external_id,
                )  # fmt: skip
        except CaseError:
            if auto:
                return _Outcome(State.IGNORED, is_auto=True)
            # A closed case takes no replies: the customer's message opens a new one.
            parsed.warnings.append(Warning_("case_closed", str(case.number)))
            case = None
    if case is None or interaction is None:
        case = _open_case(message, parsed, customer, uploads, external_id)
        interaction = case.interactions.order_by("created_at", "id").first()
        if not auto:
            _queue_acknowledgement(message, parsed, case, customer)
    else:
        # The case the reply landed on (a merged case's survivor), with what the notice needs.
        case = Case.objects.select_related("owner", "customer").get(pk=interaction.case_id)
        _notify_owner(case, interaction, parsed)
    MessageKey.objects.create(
        key=key_digest(parsed.message_key), sender=parsed.sender_address, inbound=message, case=case
    )
    return _Outcome(State.PROCESSED, case=case, interaction=interaction, is_auto=auto)


def _html_if_only(parsed: ParsedEmail) -> str:
    return "" if parsed.visible_text else parsed.html


def _too_many_auto_replies(address: str, message_pk: int) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = (
        InboundMessage.objects.filter(sender=address, is_auto=True, received_at__gte=since)
        .exclude(pk=message_pk)
        .count()
    )
    return recent >= int(settings.EMAIL_AUTO_REPLIES_PER_HOUR)


def _customer_for(parsed: ParsedEmail, message: InboundMessage) -> Customer:
    customer = find_customer_by_email(parsed.sender_address)
    if customer is not None:
        return customer
    name = parsed.sender_name or parsed.sender_address.split("@")[0]
    language = parsed.language or (message.mailbox.language if message.mailbox else "en")
    try:
        with transaction.atomic():
            return customer_actions.create_customer(
                acting_user=EMAIL, name=name[:200], emails=[parsed.sender_address],
                language=language,
            )  # fmt: skip
    except CustomerError:
        # Another worker created this sender a moment ago, or the address is odd.
        found = find_customer_by_email(parsed.sender_address)
        if found is None:
            raise
        return found


def _thread(parsed: ParsedEmail, customer: Customer) -> Case | None:
    """The case this message continues, or None; never another customer's case."""
    refs = [*parsed.in_reply_to, *parsed.references]
    if refs:
        ours = (
            OutboundEmail.objects.filter(message_id__in=refs)
            .select_related("case")
            .order_by("-created_at")
        )
        for outbound in ours:
            if outbound.case.customer_id == customer.pk:
                return outbound.case
        if ours:
            parsed.warnings.append(Warning_("foreign_reference"))
        keys = MessageKey.objects.filter(key__in=[key_digest(r) for r in refs]).select_related(
            "case"
        )
        for key in keys:
            if key.case.customer_id == customer.pk:
                return key.case
    for number in _CASE_REF.findall(parsed.subject)[:3]:
        case = Case.objects.filter(number=int(number)).first()
        if case is not None and case.customer_id == customer.pk:
            return case
        if case is not None:
            parsed.warnings.append(Warning_("foreign_reference"))
    return None


def _department_for(message: InboundMessage) -> Department | None:
    department: Department | None
    if message.mailbox is not None and message.mailbox.department is not None:
        department = message.mailbox.department
    else:
        slug = settings.EMAIL_DEFAULT_DEPARTMENT
        department = Department.objects.filter(slug=slug).first() if slug else None
    return department if department is not None and department.is_active else None


def _open_case(
    message: InboundMessage,
    parsed: ParsedEmail,
    customer: Customer,
    uploads: list[AttachmentUpload],
    external_id: str,
) -> Case:
    subject = _CASE_REF.sub("", parsed.subject).strip() or _("(no subject)")
    return case_actions.open_case(
        acting_user=EMAIL,
        customer=customer,
        subject=subject[:250],
        body=parsed.visible_text or _("(no text)"),
        body_html=_html_if_only(parsed),
        channel=Interaction.Channel.EMAIL,
        department=_department_for(message),
        attachments=uploads,
        external_id=external_id,
    )


def _notify_owner(case: Case, interaction: Interaction, parsed: ParsedEmail) -> None:
    if case.owner is None or not case.owner.is_staff_member:
        return
    notify_staff(
        recipient=case.owner,
        kind="email_reply",
        title=_("#%(number)s: %(customer)s replied by email")
        % {"number": case.number, "customer": case.customer.name},
        body=parsed.visible_text[:500],
        link=f"/desk/cases/{case.number}/",
        dedupe_key=f"email-reply:{interaction.pk}",
    )


def _queue_acknowledgement(
    message: InboundMessage, parsed: ParsedEmail, case: Case, customer: Customer
) -> None:
    from truedesk.channels.email.outbound import queue_acknowledgement

    queue_acknowledgement(message=message, parsed=parsed, case=case, customer=customer)


def _apply_bounce(parsed: ParsedEmail) -> None:
    assert parsed.bounce is not None
    bounce = parsed.bounce
    reason = " ".join(filter(None, [bounce.status, bounce.diagnostic]))[:2000]
    originals = OutboundEmail.objects.filter(message_id__in=list(bounce.original_message_ids))
    addresses = set(bounce.recipients)
    for outbound in originals:
        OutboundEmail.objects.filter(pk=outbound.pk).update(
            status=OutboundEmail.Status.BOUNCED,
            last_error=reason or _("The recipient's mail server returned it."),
        )
        addresses.add(outbound.to_address.lower())
    if not originals:
        return  # not a bounce of ours: nothing to mark
    points = ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, normalized__in=addresses)
    for point in points:
        if not point.is_failing:
            ContactPoint.objects.filter(pk=point.pk).update(is_failing=True)
            record_audit_event(
                actor=EMAIL,
                action="customer.contact_point_failing",
                target=point.customer,
                data={"value": point.value, "reason": reason},
            )


# --- quarantine -------------------------------------------------------------------------


def reprocess_message(*, acting_user: Actor, message: InboundMessage) -> InboundMessage:
    """Send a quarantined (or ignored) message through processing again, now."""
    with transaction.atomic():
        InboundMessage.objects.filter(pk=message.pk).update(
            state=State.RECEIVED, attempts=0, claims=0, lease_until=None
        )
        record_audit_event(
            actor=acting_user,
            action="email.reprocess",
            target=message,
            data={"previous_state": message.state, "error": message.error[:500]},
        )
    # As a worker would: texts stored with the message or its case (the error, "(no
    # subject)") are in the site's language, not the admin's who clicked.
    with translation.override(settings.LANGUAGE_CODE):
        process_inbound_message(message_id=message.pk)
    message.refresh_from_db()
    return message
