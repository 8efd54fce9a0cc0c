# ruff: noqa: RUF001 - the demo mail is written in Lithuanian, Ukrainian and Russian on purpose
"""The email channel in the demo: a support mailbox and mail that went through the real pipeline.

Every message is built as raw RFC 5322 bytes with the stdlib `email` package
(legacy charsets, quoted history, HTML, an attachment, an auto-reply, one
without a sender), stored with `accept_raw_message` exactly as `truedesk smtpd`
stores it, and processed by `process_inbound_message`, as the worker would.
Agents answer through `reply_to_case` on the email channel, as the desk's reply
form does, and the reply is queued with `queue_reply`, as the after-commit
listener would (the whole demo is one transaction, and a customer's answer
in it must find the reply's Message-ID).

No demo mail leaves the machine: outbound mail is delivered during the build
with Django's in-memory backend, and the one failing delivery tries a
loopback port that nothing listens on. Its next try is due about an hour
after the build, when `truedesk run`'s worker sends it with the configured
backend (the console by default).

`EmailDemo(now).entries(go_live)` returns timed steps that
`truedesk.demo.build` runs on its simulated clock, inside its transaction.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr
from typing import Any
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.utils import timezone

from truedesk.accounts.actions import record_audit_event
from truedesk.accounts.models import Department, User
from truedesk.cases import actions as case_actions
from truedesk.cases.models import Case, Interaction
from truedesk.channels.email.actions import process_inbound_message
from truedesk.channels.email.models import InboundMessage, Mailbox, OutboundEmail
from truedesk.channels.email.outbound import _backoff as retry_delay
from truedesk.channels.email.outbound import deliver_outbound, queue_reply
from truedesk.channels.email.store import accept_raw_message

Timed = tuple[datetime, str, Callable[[], Any]]

MAILBOX_NAME = "Support"
MAILBOX_ADDRESS = "support@balticfibre.example"
MAILBOX_DEPARTMENT = "support"
VILNIUS = ZoneInfo("Europe/Vilnius")
# The failing reply tries this often before the demo's "now"; its next try is due
# about an hour after it (the backoff doubles from one minute).
FAILED_ATTEMPTS = 7

# --- what the customers and agents wrote ---------------------------------------------------

ONA = ("Ona Kazlauskienė", "ona.kazlauskiene@pastas.example")
ONA_SUBJECT = "Neveikia televizija po audros"
ONA_BODY = (
    "Laba diena,\n\n"
    "po vakarykštės audros neberodo televizija: dėžutė rašo „Nėra signalo“, o internetas "
    "veikia. Dėžutę perkroviau du kartus, nepadėjo.\n\n"
    "Gal galite patikrinti iš savo pusės?\n\n"
    "Ona Kazlauskienė\n"
)
RASA_ANSWER = (
    "Laba diena, Ona,\n\n"
    "patikrinome: po audros jūsų gatvės skirstomojoje spintoje sugedo stiprintuvas. Technikas "
    "jį pakeis rytoj iki 12 val., tada televizija vėl turėtų rodyti. Parašykite, jei ir po to "
    "nebus signalo.\n\n"
    "Rasa"
)
ONA_THANKS = (
    "Ačiū, Rasa! Technikas buvo, televizija vėl rodo. Tik dabar pultelis neperjungia kanalų, "
    "gal reikia ką nors nustatyti?"
)
ONA_SIGNATURE = "-- \nOna Kazlauskienė\nTel. +370 612 34001\n"

MARIA = ("Марія Савчук", "maria.savchuk@poshta.example")
MARIA_SUBJECT = "Не працює інтернет після переїзду"
MARIA_BODY = (
    "Доброго дня!\n\n"
    "Ми переїхали в іншу квартиру в тому ж будинку (з кв. 12 до кв. 47). Роутер перенесли, "
    "але інтернет не з'являється: індикатор PON блимає червоним.\n\n"
    "Що нам робити?\n\n"
    "З повагою,\nМарія Савчук\n"
)
OKSANA_ANSWER = (
    "Доброго дня, Маріє!\n\n"
    "Після переїзду роутер треба зареєструвати на новій оптичній розетці. Я вже створила "
    "заявку: майстер зателефонує вам сьогодні до 18:00 і домовиться про візит.\n\n"
    "Оксана"
)

DMITRY = ("Дмитрий Соколов", "d.sokolov@pochta.example")
DMITRY_SUBJECT = "Медленный интернет по вечерам"
DMITRY_BODY = (
    "Здравствуйте!\n\n"
    "Уже неделю по вечерам скорость падает до 5 Мбит/с вместо 300 по тарифу. Днём всё "
    "нормально. Проверял по кабелю, не по Wi-Fi.\n\n"
    "Спасибо,\nДмитрий\n"
)

IAN = ("Ian Irving", "ian.irving@acme.example")
IAN_SUBJECT = "VPN to the warehouse drops every 20 minutes"
IAN_BODY = (
    "Hi,\n\n"
    "since Monday the site-to-site VPN from our Vilnius warehouse drops every 20 minutes or so "
    "and comes back after a minute. The router log from this morning is attached.\n\n"
    "Best regards,\nIan Irving\nIT manager, Acme Ltd\n"
)
ROUTER_LOG_NAME = "router-log.txt"
ROUTER_LOG = (
    "08:01:12 gw01 ipsec: peer 203.0.113.7: DPD timeout, tunnel down\n"
    "08:02:05 gw01 ipsec: peer 203.0.113.7: tunnel up\n"
    "08:21:40 gw01 ipsec: peer 203.0.113.7: DPD timeout, tunnel down\n"
    "08:22:31 gw01 ipsec: peer 203.0.113.7: tunnel up\n"
)
OUT_OF_OFFICE = ("Acme Procurement", "procurement@acme.example")
OUT_OF_OFFICE_BODY = (
    "I am out of the office until Monday and have no access to email. For anything urgent "
    "please call reception on +44 113 496 0000.\n"
)

GEORGE = ("George Green", "george.green@example.net")
GEORGE_SUBJECT = "New router: which port for the fibre cable?"
REMOTE_IMAGE = "https://images.greenandsons.example/logo.png"
GEORGE_HTML = (
    "<html><head><style>p { font-family: Arial; }</style></head><body>"
    "<p>Hello,</p>"
    "<p>the new router arrived today. Which port does the <b>fibre cable</b> go into, the "
    "green one or the grey one? The leaflet only shows the old model.</p>"
    "<p>Thanks,<br>George Green</p>"
    f'<p><img src="{REMOTE_IMAGE}" alt="Green &amp; Sons" width="120"></p>'
    "</body></html>"
)

MONITORING_SUBJECT = "PROBLEM: gw01 uplink down"
MONITORING_BODY = (
    "Trigger: Uplink down on gw01\nSeverity: High\nHost: gw01 (warehouse)\n"
    "Original event ID: 48213\n"
)


# --- building raw mail -----------------------------------------------------------------------


def _charset(name: str, body_encoding: int | None) -> Charset:
    """`name` with the body encoding an old mail client would use (None: plain 8-bit)."""
    charset = Charset(name)
    # None is 8-bit, as in the stdlib's own charset table (typeshed only allows the int codes).
    charset.body_encoding = body_encoding  # type: ignore[assignment]
    charset.header_encoding = body_encoding or QP
    return charset


def _headers(
    message: Message,
    *,
    sender: tuple[str, str] | None,
    subject: str,
    charset: Charset,
    key: str,
    extra: dict[str, str] | None = None,
) -> bytes:
    if sender is not None:
        message["From"] = formataddr(sender, charset=charset)
    message["To"] = formataddr(("Baltic Fibre", MAILBOX_ADDRESS))
    message["Subject"] = subject if subject.isascii() else Header(subject, charset).encode()
    message["Date"] = format_datetime(timezone.now().astimezone(VILNIUS))
    domain = sender[1].split("@")[1] if sender else "gw01.acme.example"
    message["Message-ID"] = f"<{timezone.now():%Y%m%d%H%M%S}.{key}@{domain}>"
    for name, value in (extra or {}).items():
        message[name] = value
    return message.as_bytes(policy=compat32.clone(linesep="\r\n"))


def _text_mail(
    *,
    sender: tuple[str, str] | None,
    subject: str,
    body: str,
    charset: Charset,
    key: str,
    extra: dict[str, str] | None = None,
) -> bytes:
    # A character the legacy charset lacks raises here: a mistake in the content.
    message = MIMENonMultipart("text", "plain")
    message.set_payload(body, charset)
    return _headers(message, sender=sender, subject=subject, charset=charset, key=key, extra=extra)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


# --- the steps ---------------------------------------------------------------------------


@contextmanager
def _mail_stays_here() -> Iterator[None]:
    """Django's in-memory email backend: delivered as far as the demo is concerned."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        yield


@contextmanager
def _staged_failure() -> Iterator[None]:
    """Keep the channel's warnings about a failure the demo makes on purpose off the terminal."""
    channel_log = logging.getLogger("truedesk.channels.email")
    level = channel_log.level
    channel_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        channel_log.setLevel(level)


@contextmanager
def _relay_unreachable() -> Iterator[None]:
    """Django's SMTP settings aimed at a loopback port that is bound but never listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        # Bound and not listening: a connection is refused at once, and nobody else
        # can take the port while the demo uses it.
        holder.bind(("127.0.0.1", 0))
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=holder.getsockname()[1],
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ):
            yield


class EmailDemo:
    """Timed steps for the demo builder; keeps the messages and replies it made for later steps."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.inbound: dict[str, InboundMessage] = {}
        self.replies: dict[str, OutboundEmail] = {}

    def entries(self, go_live: datetime) -> list[Timed]:
        now = self.now
        minute = timedelta(minutes=1)
        timed: list[Timed] = [
            (go_live + timedelta(minutes=40), "email: support mailbox", self._mailbox)
        ]
        # Ona writes from her old Windows PC; rasa answers and Ona thanks her from her phone.
        ona_at = now - timedelta(days=2, hours=5)
        timed += self._arrival(ona_at, "ona", ONA, self._ona_writes, acknowledged=True)
        rasa_at = now - timedelta(days=2, hours=3)
        timed += [
            (rasa_at, "email: rasa answers ona", self._answer("ona", "rasa", RASA_ANSWER)),
            (rasa_at + minute, "email: rasa's answer sent", self._deliver_reply("ona")),
        ]
        thanks_at = now - timedelta(days=1, hours=20)
        timed += self._arrival(thanks_at, "ona-thanks", ONA, self._ona_thanks)
        ian_at = now - timedelta(days=1, hours=6)
        timed += self._arrival(ian_at, "ian", IAN, self._ian_writes, acknowledged=True)
        timed += self._arrival(
            ian_at + 2 * minute, "out-of-office", OUT_OF_OFFICE, self._out_of_office
        )
        george_at = now - timedelta(days=1, hours=2)
        timed += self._arrival(george_at, "george", GEORGE, self._george_writes, acknowledged=True)
        timed += self._arrival(now - timedelta(hours=9), "monitoring", None, self._monitoring)
        maria_at = now - timedelta(hours=3)
        timed += self._arrival(maria_at, "maria", MARIA, self._maria_writes, acknowledged=True)
        dmitry_at = now - timedelta(minutes=100)
        timed += self._arrival(dmitry_at, "dmitry", DMITRY, self._dmitry_writes, acknowledged=True)
        # oksana answers Maria while the outgoing relay is down: every try is refused.
        oksana_at = now - timedelta(minutes=72)
        timed.append(
            (oksana_at, "email: oksana answers maria", self._answer("maria", "oksana",
                                                                       OKSANA_ANSWER))
        )  # fmt: skip
        attempt_at = oksana_at + timedelta(seconds=30)
        for attempt in range(1, FAILED_ATTEMPTS + 1):
            timed.append((attempt_at, f"email: try {attempt} to send", self._fail_reply("maria")))
            # The outbound module's own retry schedule, so each try finds the email due.
            attempt_at += retry_delay(attempt) + timedelta(seconds=10)
        return timed

    # Set-up -----------------------------------------------------------------------------

    def _mailbox(self) -> None:
        # No action creates mailboxes; the administrator adds them in the admin. The
        # support address is relayed to `truedesk smtpd`, so no IMAP login is stored.
        mailbox, created = Mailbox.objects.get_or_create(
            address=MAILBOX_ADDRESS,
            defaults={
                "name": MAILBOX_NAME,
                "department": Department.objects.get(slug=MAILBOX_DEPARTMENT),
                "language": "en",
            },
        )
        if created:
            record_audit_event(
                actor=User.objects.get(username="admin"),
                action="mailbox.created",
                target=mailbox,
                data={"address": mailbox.address},
            )

    # Arrivals -----------------------------------------------------------------------------

    def _arrival(
        self,
        at: datetime,
        key: str,
        sender: tuple[str, str] | None,
        build: Callable[[], bytes],
        *,
        acknowledged: bool = False,
    ) -> list[Timed]:
        """Store and process one message at `at`; the acknowledgement goes a minute later.

        No sender is SMTP's null envelope sender (`MAIL FROM:<>`).
        """

        def run() -> None:
            stored = accept_raw_message(
                build(), source="smtp", mail_from=sender[1] if sender else "<>",
                rcpt_to=[MAILBOX_ADDRESS], enqueue=False,
            )  # fmt: skip
            with _staged_failure() if sender is None else nullcontext():
                process_inbound_message(message_id=stored.pk)
            stored.refresh_from_db()
            self.inbound[key] = stored

        steps: list[Timed] = [(at, f"email: {key} writes", run)]
        if acknowledged:
            steps.append((at + timedelta(minutes=1), f"email: {key} acknowledged",
                          self._deliver_acknowledgement(key)))  # fmt: skip
        return steps

    def _ona_writes(self) -> bytes:
        # Outlook on an old PC: windows-1257, 8-bit, the name and subject in encoded words.
        return _text_mail(sender=ONA, subject=ONA_SUBJECT, body=ONA_BODY,
                          charset=_charset("windows-1257", None), key="ona")  # fmt: skip

    def _ona_thanks(self) -> bytes:
        # Her phone's mail app: ISO-8859-13, quoted-printable, reply on top, signature,
        # then the quoted answer; threaded by In-Reply-To and References.
        reply = self.replies["ona"]
        sent_at = (reply.sent_at or reply.created_at).astimezone(VILNIUS)
        body = (
            f"{ONA_THANKS}\n\n{ONA_SIGNATURE}\n"
            f"{sent_at:%Y-%m-%d %H:%M}, Rasa Vaitkutė <{MAILBOX_ADDRESS}> rašė:\n"
            f"{_quoted(RASA_ANSWER)}\n"
        )
        first = self.inbound["ona"].message_key
        return _text_mail(
            sender=ONA, subject=f"RE: {reply.subject}", body=body,
            charset=_charset("iso-8859-13", QP), key="ona-thanks",
            extra={"In-Reply-To": f"<{reply.message_id}>",
                   "References": f"<{first}> <{reply.message_id}>"},
        )  # fmt: skip

    def _maria_writes(self) -> bytes:
        return _text_mail(sender=MARIA, subject=MARIA_SUBJECT, body=MARIA_BODY,
                          charset=_charset("windows-1251", None), key="maria")  # fmt: skip

    def _dmitry_writes(self) -> bytes:
        return _text_mail(sender=DMITRY, subject=DMITRY_SUBJECT, body=DMITRY_BODY,
                          charset=_charset("koi8-r", BASE64), key="dmitry")  # fmt: skip

    def _ian_writes(self) -> bytes:
        message = MIMEMultipart("mixed")
        message.attach(MIMEText(IAN_BODY, "plain", "us-ascii"))
        log = MIMEText(ROUTER_LOG, "plain", "us-ascii")
        log.add_header("Content-Disposition", "attachment", filename=ROUTER_LOG_NAME)
        message.attach(log)
        # Ian copied procurement, whose out-of-office answers everyone.
        extra = {"Cc": formataddr(OUT_OF_OFFICE)}
        return _headers(message, sender=IAN, subject=IAN_SUBJECT,
                        charset=Charset("us-ascii"), key="ian", extra=extra)  # fmt: skip

    def _out_of_office(self) -> bytes:
        original = self.inbound["ian"].message_key
        return _text_mail(
            sender=OUT_OF_OFFICE, subject=f"Automatic reply: {IAN_SUBJECT}",
            body=OUT_OF_OFFICE_BODY, charset=_charset("utf-8", QP), key="out-of-office",
            extra={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All",
                   "In-Reply-To": f"<{original}>", "References": f"<{original}>"},
        )  # fmt: skip

    def _george_writes(self) -> bytes:
        # HTML only, with a remote logo: sanitised to text, the image never fetched.
        message = MIMEText(GEORGE_HTML, "html", "utf-8")
        return _headers(message, sender=GEORGE, subject=GEORGE_SUBJECT,
                        charset=Charset("utf-8"), key="george")  # fmt: skip

    def _monitoring(self) -> bytes:
        # A customer's monitoring script sends with neither From nor an envelope sender:
        # nobody to open a case for, so it waits in the quarantine for the administrator.
        return _text_mail(sender=None, subject=MONITORING_SUBJECT, body=MONITORING_BODY,
                          charset=Charset("us-ascii"), key="monitoring")  # fmt: skip

    # Agents and delivery ------------------------------------------------------------------

    def _case_of(self, key: str) -> Case:
        message = self.inbound[key]
        return Case.objects.get(pk=message.case_id or 0)

    def _answer(self, key: str, username: str, body: str) -> Callable[[], None]:
        """The agent takes the case and answers from the desk's reply form (email)."""

        def run() -> None:
            agent = User.objects.get(username=username)
            case = case_actions.take_case(acting_user=agent, case=self._case_of(key))
            interaction = case_actions.reply_to_case(
                acting_user=agent, case=case, body=body, channel=Interaction.Channel.EMAIL
            )
            reply = queue_reply(interaction_id=interaction.pk)
            assert reply is not None
            self.replies[key] = reply

        return run

    def _deliver_reply(self, key: str) -> Callable[[], None]:
        def run() -> None:
            with _mail_stays_here():
                deliver_outbound(outbound_id=self.replies[key].pk)
            self.replies[key].refresh_from_db()

        return run

    def _deliver_acknowledgement(self, key: str) -> Callable[[], None]:
        def run() -> None:
            acknowledgement = OutboundEmail.objects.get(answers=self.inbound[key])
            with _mail_stays_here():
                deliver_outbound(outbound_id=acknowledgement.pk)

        return run

    def _fail_reply(self, key: str) -> Callable[[], None]:
        def run() -> None:
            with _relay_unreachable(), _staged_failure():
                deliver_outbound(outbound_id=self.replies[key].pk)

        return run
