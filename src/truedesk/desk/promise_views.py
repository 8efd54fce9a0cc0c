"""The promise panel's forms on the case page: record, keep, break, renegotiate.

Each POST parses one form, calls one promise action and redirects back to the
case. Bad input or a refused action re-renders the case page with the form
still bound (left in `request.promise_forms` for the panel's template tag), so
nothing the user typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truedesk.accounts.models import User
from truedesk.cases.errors import CaseError, InvalidInput
from truedesk.cases.models import Case
from truedesk.desk.access import acting_user, staff_required
from truedesk.desk.case_views import get_case, render_case
from truedesk.promises import actions, selectors
from truedesk.promises.errors import NotFound
from truedesk.promises.forms import (
    BreakPromiseForm,
    KeepPromiseForm,
    RecordPromiseForm,
    RenegotiatePromiseForm,
)
from truedesk.promises.models import Promise
from truedesk.promises.templatetags.promise_tags import RECORD, settle_prefix

Act = Callable[[User, dict[str, Any]], str]


def _when(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _again(
    request: HttpRequest, case: Case, key: str, form: forms.Form, status: int, error: str = ""
) -> HttpResponse:
    """The case page with this promise form bound and open, answering `status`.

    `error` is also shown above the page: the form may be gone (the promise
    was settled meanwhile), and the user must still learn why nothing changed.
    """
    request.promise_forms = {key: form}  # type: ignore[attr-defined]
    # After a refused write, show the case as it is now.
    return render_case(request, get_case(request, str(case.number)), status=status, error=error)


def _run(request: HttpRequest, case: Case, key: str, form: forms.Form, act: Act) -> HttpResponse:
    """Validate the form, run the action, redirect to the case; on failure show the form."""
    if not form.is_valid():
        return _again(request, case, key, form, 422)
    try:
        done = act(acting_user(request), form.cleaned_data)
    except InvalidInput as err:
        form.add_error(err.field if err.field in form.fields else None, err.message)
        return _again(request, case, key, form, err.http_status)
    except CaseError as err:
        form.add_error(None, err.message)
        return _again(request, case, key, form, err.http_status, error=err.message)
    messages.success(request, done)
    return redirect("desk:case", number=case.number)


def _promise(request: HttpRequest, pk: str) -> Promise:
    try:
        return selectors.get_promise_for_user(acting_user(request), int(pk))
    except NotFound:
        raise Http404 from None


@require_POST
@staff_required
def record_promise(request: HttpRequest, number: str) -> HttpResponse:
    """Record a promise on the case; the customer is emailed a confirmation."""
    case = get_case(request, number)
    form = RecordPromiseForm(
        request.POST, prefix="promise", owners=selectors.list_possible_owners(case)
    )

    def act(user: User, data: dict[str, Any]) -> str:
        promise = actions.record_promise(
            acting_user=user, case=case, kind=data["kind"], description=data["description"],
            due_at=data["due_at"], owner=data["owner"],
        )  # fmt: skip
        return _("Promise recorded (due %(due)s); %(customer)s gets a confirmation.") % {
            "due": _when(promise.due_at),
            "customer": case.customer.name,
        }

    return _run(request, case, RECORD, form, act)


@require_POST
@staff_required
def keep_promise(request: HttpRequest, pk: str) -> HttpResponse:
    """Record that the promise was kept, and how; the customer is told."""
    promise = _promise(request, pk)
    key = settle_prefix("keep", promise.pk)
    form = KeepPromiseForm(request.POST, prefix=key)

    def act(user: User, data: dict[str, Any]) -> str:
        actions.keep_promise(acting_user=user, promise=promise, how=data["how"],
                             expected_version=data["version"])  # fmt: skip
        return _("Promise marked as kept; the customer is told.")

    return _run(request, promise.case, key, form, act)


@require_POST
@staff_required
def break_promise(request: HttpRequest, pk: str) -> HttpResponse:
    """Give the promise up with a reason the customer is told."""
    promise = _promise(request, pk)
    key = settle_prefix("break", promise.pk)
    form = BreakPromiseForm(request.POST, prefix=key)

    def act(user: User, data: dict[str, Any]) -> str:
        actions.break_promise(acting_user=user, promise=promise, reason=data["reason"],
                              expected_version=data["version"])  # fmt: skip
        return _("Promise given up; the customer is told why.")

    return _run(request, promise.case, key, form, act)


@require_POST
@staff_required
def renegotiate_promise(request: HttpRequest, pk: str) -> HttpResponse:
    """Move the promise's due time, with a reason the customer is told."""
    promise = _promise(request, pk)
    key = settle_prefix("renegotiate", promise.pk)
    form = RenegotiatePromiseForm(request.POST, prefix=key)

    def act(user: User, data: dict[str, Any]) -> str:
        successor = actions.renegotiate_promise(
            acting_user=user, promise=promise, due_at=data["due_at"], reason=data["reason"],
            description=data["description"], expected_version=data["version"],
        )  # fmt: skip
        return _("Promise moved to %(due)s; the customer is told why.") % {
            "due": _when(successor.due_at)
        }

    return _run(request, promise.case, key, form, act)
