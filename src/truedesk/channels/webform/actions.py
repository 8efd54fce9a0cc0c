"""Opening a case from the public contact form."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import Department
from truedesk.cases.actions import open_case
from truedesk.cases.attachments import Upload
from truedesk.cases.models import Case, Interaction
from truedesk.channels.webform.models import ContactTopic, WebFormSender
from truedesk.customers.actions import create_customer
from truedesk.customers.errors import ContactPointTaken
from truedesk.customers.models import Customer
from truedesk.customers.selectors import find_customer_by_email
from truedesk.notifications.actions import queue_email
from truedesk.notifications.errors import InvalidNotification

logger = logging.getLogger(__name__)

WEB_FORM = SystemActor(label="web form")


@dataclass(frozen=True)
class Submission:
    """What a visitor sent, already parsed and checked by the form."""

    name: str
    email: str
    subject: str
    message: str
    language: str
    topic: ContactTopic | None = None
    attachments: Sequence[Upload] = ()


def _customer_for(submission: Submission) -> tuple[Customer, bool]:
    """The customer owning the address (and True), or a new one (and False).

    An existing record is never changed: the visitor has not proved he owns the address.
    """
    existing = find_customer_by_email(submission.email)
    if existing is not None:
        return existing, True
    try:
        with transaction.atomic():
            created = create_customer(
                acting_user=WEB_FORM,
                name=submission.name,
                emails=[submission.email],
                language=submission.language,
            )
            return created, False
    except ContactPointTaken:
        # Another submission with the same address created the customer first.
        found = find_customer_by_email(submission.email)
        assert found is not None
        return found, True


def default_department() -> Department | None:
    """The department for cases without a topic: WEBFORM_DEFAULT_DEPARTMENT's slug, if active."""
    slug = str(getattr(settings, "WEBFORM_DEFAULT_DEPARTMENT", "") or "")
    if not slug:
        return None
    return Department.objects.filter(slug=slug, is_active=True).first()


def open_case_from_web_form(*, submission: Submission) -> Case:
    """Match or create the customer, open the case (channel web_form), queue the confirmation.

    The case goes to the topic's department queue (or the default department).
    A WebFormSender row keeps the typed address and name; a known address marks
    the interaction "sender not verified" on the desk. The visitor's answer is
    the same whether or not the address was known; the confirmation goes to
    the address, so its real owner learns of the case.
    The confirmation email is sent by the worker after the commit; a refused
    address does not undo the case.
    """
    topic = submission.topic
    with transaction.atomic():
        customer, address_was_known = _customer_for(submission)
        case = open_case(
            acting_user=WEB_FORM,
            customer=customer,
            subject=submission.subject,
            body=submission.message,
            channel=Interaction.Channel.WEB_FORM,
            kind=topic.kind if topic is not None else Case.Kind.QUESTION,
            department=topic.department if topic is not None else default_department(),
            attachments=submission.attachments,
        )
        first = case.interactions.order_by("id").first()
        assert first is not None
        # The desk marks the interaction "sender not verified" when the address was known.
        WebFormSender.objects.create(
            interaction=first,
            email=submission.email,
            typed_name=submission.name,
            address_was_known=address_was_known,
        )
        portal_url = settings.SITE_URL + reverse("portal:case", kwargs={"number": case.number})
        try:
            queue_email(
                to=submission.email,
                template="webform/email/confirmation",
                context={
                    # The record's name: for a known address the typed name is a
                    # stranger's claim, not something to greet the owner with.
                    "name": customer.name,
                    "number": case.number,
                    "subject": case.subject,
                    "portal_url": portal_url,
                    "has_login": case.customer.user_id is not None,
                },
                language=submission.language,
                dedupe_key=f"webform.confirmation:{case.pk}",
            )
        except InvalidNotification:
            logger.warning("web form case %s: confirmation address refused", case.number)
    return case
