from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone

from truedesk.notifications import actions
from truedesk.notifications.errors import InvalidNotification
from truedesk.notifications.models import EmailDelivery, Notification
from truedesk.notifications.selectors import count_unread_notifications, list_notifications

TEMPLATE = "notifications/tests/hello"


def _queue(key="case-7-news", to="dave@example.com", name="Dave"):
    return actions.queue_email(
        to=to,
        template=TEMPLATE,
        context={"name": name, "number": 7},
        language="en",
        dedupe_key=key,
    )


def test_a_fact_is_notified_once_however_often_it_is_raised(world):
    first = actions.notify_staff(
        recipient=world.alice,
        kind="promise_due",
        title="Call Dave",
        dedupe_key="promise-1-reminder",
        link="/desk/cases/1001/",
    )
    again = actions.notify_staff(
        recipient=world.alice,
        kind="promise_due",
        title="Call Dave",
        dedupe_key="promise-1-reminder",
    )
    assert first.pk == again.pk
    assert Notification.objects.count() == 1
    assert count_unread_notifications(world.alice) == 1
    assert [n.title for n in list_notifications(world.alice)] == ["Call Dave"]


def test_customers_get_no_desk_notifications_and_links_stay_inside(world):
    with pytest.raises(InvalidNotification):
        actions.notify_staff(recipient=world.dave_user, kind="x", title="t", dedupe_key="k1")
    with pytest.raises(InvalidNotification):
        actions.notify_staff(
            recipient=world.alice,
            kind="x",
            title="t",
            dedupe_key="k2",
            link="https://evil.example/",
        )
    with pytest.raises(InvalidNotification):
        actions.notify_staff(
            recipient=world.alice, kind="x", title="t", dedupe_key="k3", link="//evil.example/"
        )


def test_marking_read_touches_only_the_users_own(world):
    actions.notify_staff(recipient=world.alice, kind="x", title="a", dedupe_key="a")
    actions.notify_staff(recipient=world.bob, kind="x", title="b", dedupe_key="b")
    assert actions.mark_notifications_read(acting_user=world.alice) == 1
    assert count_unread_notifications(world.alice) == 0
    assert count_unread_notifications(world.bob) == 1


@pytest.mark.django_db
def test_queued_email_is_rendered_in_the_language_and_sent_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery = _queue()
    assert _queue().pk == delivery.pk
    assert actions.deliver_email(delivery_id=delivery.pk) is True
    assert actions.deliver_email(delivery_id=delivery.pk) is False
    assert actions.deliver_due_emails() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello Dave"
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


@pytest.mark.django_db
def test_line_breaks_in_names_never_reach_the_subject_header(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery = _queue(name="Dave\r\nBcc: victim@example.com")
    assert "\n" not in delivery.subject and "\r" not in delivery.subject
    actions.deliver_email(delivery_id=delivery.pk)
    assert mail.outbox[0].bcc == []


@pytest.mark.django_db
def test_a_bad_address_is_refused_before_anything_is_queued():
    with pytest.raises(InvalidNotification):
        _queue(to="not an address")
    assert EmailDelivery.objects.count() == 0


class _FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPException("451 try again later")


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_backoff_and_kept_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = f"{__name__}._FailingBackend"
    delivery = _queue()
    now = timezone.now()
    assert actions.deliver_email(delivery_id=delivery.pk, now=now) is False
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.PENDING
    assert delivery.attempts == 1 and "451" in delivery.last_error
    assert delivery.next_attempt_at > now
    # Not due yet: the sweep leaves it alone.
    assert actions.deliver_due_emails(now=now) == 0
    for _ in range(actions.MAX_ATTEMPTS - 1):
        actions.deliver_email(delivery_id=delivery.pk, now=now + timedelta(days=1))
        now += timedelta(days=1)
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.attempts == actions.MAX_ATTEMPTS


@pytest.mark.django_db
def test_an_email_claimed_by_a_dead_worker_is_sent_after_its_lease(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery = _queue()
    now = timezone.now()
    # A worker claims it and dies before sending.
    assert actions._claim(delivery.pk, now)
    assert actions.deliver_due_emails(now=now) == 0
    assert actions.deliver_due_emails(now=now + actions.LEASE + timedelta(seconds=1)) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_notification_email_reaches_a_real_smtp_server(smtp_server):
    delivery = _queue(to="dave@example.com")
    assert actions.deliver_email(delivery_id=delivery.pk) is True
    received = smtp_server.wait_for(1)
    assert received[0]["To"] == "dave@example.com"
    assert received[0]["Subject"] == "Hello Dave"
    assert received[0]["Auto-Submitted"] == "auto-generated"
    assert "Your case 7 has news." in received[0].get_content()
