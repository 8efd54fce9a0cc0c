"""The customer portal: a customer lists, opens, follows and answers his own cases.

Only signed-in customer users linked to a Customer record get in; staff and
partners are refused. Every case is fetched through the case selectors, which
scope it to the customer, and anything else is a 404 exactly like a case that
does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truedesk.accounts.models import User
from truedesk.cases import actions, permissions, selectors
from truedesk.cases.errors import CaseError, InvalidInput, NotFound
from truedesk.cases.models import Case, Interaction
from truedesk.channels.portal import wording
from truedesk.channels.portal.forms import NewCaseForm, ReplyForm
from truedesk.customers.models import Customer

CASES_PER_PAGE = 25
# Form fields that the actions' InvalidInput.field names map onto.
FIELD_NAMES = {"subject": "subject", "body": "description", "kind": "kind"}

P = ParamSpec("P")
PortalView = Callable[Concatenate[HttpRequest, Customer, P], HttpResponse]


def customer_required(view: PortalView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Anonymous visitors go to sign in; signed-in users without a customer record get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if permissions.customer_id_of(user) is None:
            raise PermissionDenied
        assert isinstance(user, User)
        return view(request, user.customer, *args, **kwargs)

    return wrapped


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # customer_required let only customer users in
    return user


def _get_case(request: HttpRequest, number: int) -> Case:
    try:
        return selectors.get_case_for_user(request.user, number)
    except NotFound:
        raise Http404 from None


@customer_required
def home(request: HttpRequest, customer: Customer) -> HttpResponse:
    """My cases, most recently changed first, with who is handling each."""
    cases = selectors.list_cases_for_customer(request.user)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "case": case,
            "status": wording.status_words(case),
            "tone": wording.status_tone(case),
            "owner": wording.owner_words(case),
        }
        for case in page.object_list
    ]
    return render(request, "portal/home.html", {"page": page, "rows": rows, "nav": "home"})


@customer_required
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Open a case for oneself through the portal, with optional files."""
    form = NewCaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.open_case(
                acting_user=_user(request),
                customer=customer,
                subject=data["subject"],
                body=data["description"],
                channel=Interaction.Channel.PORTAL,
                kind=data["kind"],
                attachments=data["attachments"],
            )
        except CaseError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("Thank you. Your case #%(number)s is open; we answer here.")
                % {"number": case.number},
            )
            return redirect("portal:case", number=case.number)
    return render(request, "portal/new_case.html", {"form": form, "nav": "new_case"})


def _add_error(form: NewCaseForm | ReplyForm, error: CaseError) -> None:
    field = FIELD_NAMES.get(error.field) if isinstance(error, InvalidInput) else None
    if field is not None and field in form.fields:
        form.add_error(field, error.message)
    else:
        form.add_error(None, error.message)


def _render_case(request: HttpRequest, case: Case, form: ReplyForm) -> HttpResponse:
    entries = wording.customer_timeline(selectors.get_case_timeline(request.user, case))
    survivor = None
    if case.merged_into_id is not None:
        try:
            survivor = selectors.get_surviving_case(request.user, case)
        except NotFound:
            survivor = None  # merged into another customer's case: only say it is closed
    context = {
        "case": case,
        "status": wording.status_words(case),
        "tone": wording.status_tone(case),
        "owner": wording.owner_words(case),
        "entries": entries,
        "survivor": survivor,
        "form": form,
        "can_reply": case.status != Case.Status.CLOSED,
        "nav": "case",
    }
    return render(request, "portal/case.html", context)


@customer_required
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, customer: Customer, number: int) -> HttpResponse:
    """One of the customer's cases: owner, status and the public conversation."""
    case = _get_case(request, number)
    return _render_case(request, case, ReplyForm())


@customer_required
@require_POST
def reply(request: HttpRequest, customer: Customer, number: int) -> HttpResponse:
    """Add the customer's reply (and files); a reply to a resolved case reopens it."""
    case = _get_case(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        was_resolved = case.status == Case.Status.RESOLVED
        try:
            actions.reply_to_case(
                acting_user=_user(request),
                case=case,
                body=form.cleaned_data["body"],
                channel=Interaction.Channel.PORTAL,
                attachments=form.cleaned_data["attachments"],
            )
        except CaseError as error:
            form.add_error(None, error.message)
        else:
            if was_resolved:
                messages.success(request, _("Your reply was added and your case is open again."))
            else:
                messages.success(request, _("Your reply was added."))
            return redirect("portal:case", number=case.number)
    # Re-rendered with 200 like any Django form page: browsers log 4xx pages
    # as console errors, and the answer is the page, not a failure.
    return _render_case(request, case, form)
