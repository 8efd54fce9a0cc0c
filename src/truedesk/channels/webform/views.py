"""The public contact form at /contact/: anyone may open a case, within spam rules and limits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truedesk.cases.errors import CaseError, InvalidInput
from truedesk.channels.webform import ratelimit, spam
from truedesk.channels.webform.actions import Submission, open_case_from_web_form
from truedesk.channels.webform.forms import HONEYPOT, ContactForm

logger = logging.getLogger(__name__)

SENT_SALT = "truedesk.webform.sent"
FIELD_NAMES = {"subject": "subject", "body": "message"}
# One submission (one stamp) opens one case: a double click or a resent
# page shows the first case again.
USED_STAMP_SECONDS = spam.MAX_AGE_SECONDS


def _limits(request: HttpRequest, email: str) -> ratelimit.Verdict:
    hour = 60 * 60
    per_ip = ratelimit.hit(
        "ip", request.META.get("REMOTE_ADDR", ""),
        limit=int(getattr(settings, "WEBFORM_PER_IP_PER_HOUR", 10)), window_seconds=hour,
    )  # fmt: skip
    per_email = ratelimit.hit(
        "email", email,
        limit=int(getattr(settings, "WEBFORM_PER_EMAIL_PER_HOUR", 5)), window_seconds=hour,
    )  # fmt: skip
    if not per_ip.allowed:
        return per_ip
    return per_email


def _sent(request: HttpRequest, number: int | None) -> HttpResponse:
    token = signing.dumps({"n": number}, salt=SENT_SALT)
    return redirect(f"{reverse('webform:sent')}?c={token}")


def _render(request: HttpRequest, form: ContactForm, status: int = 200) -> HttpResponse:
    return render(request, "webform/contact.html", {"form": form}, status=status)


def _fresh_stamp(form: ContactForm, request: HttpRequest) -> None:
    data = request.POST.copy()
    data["started"] = spam.issue_stamp()
    form.data = data


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """Show the form; on a valid, human, within-limits submission open the case."""
    if request.method != "POST":
        return _render(request, ContactForm(initial={"started": spam.issue_stamp()}))
    if request.POST.get(HONEYPOT, "").strip():
        # A bot: answer as if it worked, keep nothing.
        logger.info("web form honeypot filled from %s", request.META.get("REMOTE_ADDR"))
        return _sent(request, None)
    form = ContactForm(request.POST, request.FILES)
    if not form.is_valid():
        if form.stamp_invalid:
            _fresh_stamp(form, request)
        return _render(request, form)
    data = form.cleaned_data
    already = ratelimit.case_for_stamp(data["started"])
    if already is not None:
        return _sent(request, already)
    verdict = _limits(request, data["email"])
    if not verdict.allowed:
        minutes = max(1, verdict.retry_after_seconds // 60)
        form.add_error(
            None,
            _("You have sent several messages in a short time. Please try again in "
              "%(minutes)d minutes; your message is kept below.") % {"minutes": minutes},
        )  # fmt: skip
        return _render(request, form, status=429)
    submission = Submission(
        name=data["name"],
        email=data["email"],
        subject=data["subject"],
        message=data["message"],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        topic=data["topic"],
        attachments=[data["attachment"]] if data["attachment"] else [],
    )
    try:
        case = open_case_from_web_form(submission=submission)
    except CaseError as error:
        field = FIELD_NAMES.get(error.field) if isinstance(error, InvalidInput) else None
        form.add_error(field if field in form.fields else None, error.message)
        return _render(request, form)
    ratelimit.remember_stamp(data["started"], case.number, seconds=USED_STAMP_SECONDS)
    return _sent(request, case.number)


@require_http_methods(["GET"])
def sent(request: HttpRequest) -> HttpResponse:
    """Thank the visitor and tell him what happens next."""
    try:
        number = signing.loads(request.GET.get("c", ""), salt=SENT_SALT, max_age=3600)["n"]
    except (signing.BadSignature, KeyError, TypeError):
        number = None
    return render(request, "webform/sent.html", {"number": number})
