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
from truedesk.channels.webform.models import ContactTopic
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


def _customer_for(submission: Submission) -> Customer:
    """The customer owning the address, or a new one; an existing record is never changed."""
    existing = find_customer_by_email(submission.email)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return create_customer(
                acting_user=WEB_FORM,
                name=submission.name,
                emails=[submission.email],
                language=submission.language,
            )
    except ContactPointTaken:
        # Another submission with the same address created the customer first.
        found = find_customer_by_email(submission.email)
        assert found is not None
        return found


def default_department() -> Department | None:
    """The department for cases without a topic: WEBFORM_DEFAULT_DEPARTMENT's slug, if active."""
    slug = str(getattr(settings, "WEBFORM_DEFAULT_DEPARTMENT", "") or "")
    if not slug:
        return None
    return Department.objects.filter(slug=slug, is_active=True).first()


def open_case_from_web_form(*, submission: Submission) -> Case:
    """Match or create the customer, open the case (channel web_form), queue the confirmation.

    The case goes to the topic's department queue (or the default department).
    The confirmation email is sent by the worker after the commit; a refused
    address does not undo the case.
    """
    topic = submission.topic
    with transaction.atomic():
        customer = _customer_for(submission)
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
