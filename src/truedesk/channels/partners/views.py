"""The partner area: a partner user sees the customers who authorised his partner,
their cases (public conversation only), opens cases for them and replies.

Every object comes through the scoped selectors (customers.selectors,
cases.selectors), which read the live authorisations on each request: a
customer, case or page outside the partner's scope is a 404, exactly like one
that does not exist. The rest of the site is closed to partner users by
accounts.middleware.PartnerFenceMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truedesk.accounts.errors import DomainError
from truedesk.accounts.models import User
from truedesk.cases import actions, permissions, selectors
from truedesk.cases.errors import CaseError, NotFound
from truedesk.cases.models import Case, EventKind, Interaction
from truedesk.channels.partners.forms import PartnerCaseForm, PartnerReplyForm
from truedesk.customers import selectors as customer_selectors
from truedesk.customers.models import Customer

CASES_PER_PAGE = 25

P = ParamSpec("P")
PartnerView = Callable[Concatenate[HttpRequest, User, P], HttpResponse]


def partner_required(view: PartnerView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Anonymous visitors sign in; anyone but an active partner user gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if not permissions.is_partner_user(user):
            raise Http404
        assert isinstance(user, User)
        return view(request, user, *args, **kwargs)

    return wrapped


def _customer(user: User, customer_id: int) -> Customer:
    try:
        return customer_selectors.get_customer_for_user(user, customer_id)
    except DomainError:
        raise Http404 from None


def _case(user: User, number: int) -> Case:
    try:
        return selectors.get_case_for_user(user, number)
    except NotFound:
        raise Http404 from None


@partner_required
def home(request: HttpRequest, user: User) -> HttpResponse:
    """The customers who authorised the partner, with scope and expiry, and their latest cases."""
    grants = customer_selectors.list_live_authorisations_for_partner(user)
    cases = selectors.list_cases_for_partner(user)[:CASES_PER_PAGE]
    return render(request, "partners/home.html", {"grants": grants, "cases": cases, "nav": "home"})


@partner_required
def customer_cases(request: HttpRequest, user: User, customer_id: int) -> HttpResponse:
    """One authorised customer's cases, newest activity first."""
    customer = _customer(user, customer_id)
    cases = selectors.list_cases_for_partner(user, customer=customer)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "customer": customer,
        "page": page,
        "can_open": permissions.can_act_for_customer(user, customer.pk),
        "nav": "home",
    }
    return render(request, "partners/customer.html", context)


@partner_required
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest, user: User, customer_id: int) -> HttpResponse:
    """Open a case for an authorised customer (needs an "open and follow" grant)."""
    customer = _customer(user, customer_id)
    form = PartnerCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.open_case(
                acting_user=user,
                customer=customer,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["description"],
                channel=Interaction.Channel.PORTAL,
                kind=form.cleaned_data["kind"],
            )
        except CaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Case #%(number)s is open for %(customer)s.")
                % {"number": case.number, "customer": customer.name},
            )
            return redirect("partners:case", number=case.number)
    context = {
        "customer": customer,
        "form": form,
        "can_open": permissions.can_act_for_customer(user, customer.pk),
        "nav": "home",
    }
    return render(request, "partners/new_case.html", context)


def _render_case(
    request: HttpRequest, user: User, case: Case, form: PartnerReplyForm
) -> HttpResponse:
    labels = dict(EventKind.choices)
    timeline = [
        (item, labels.get(item.event.kind, "") if item.event is not None else "")
        for item in reversed(selectors.get_case_timeline(user, case))
        # The selector already drops internal items for partners; this is the
        # second lock on the same door.
        if not item.is_internal
    ]
    context = {
        "case": case,
        "timeline": timeline,
        "form": form,
        "can_reply": case.status != Case.Status.CLOSED
        and permissions.can_reply_as_customer(user, case),
        "nav": "case",
    }
    return render(request, "partners/case.html", context)


@partner_required
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, user: User, number: int) -> HttpResponse:
    """One case of an authorised customer: status, owner and the public conversation."""
    return _render_case(request, user, _case(user, number), PartnerReplyForm())


@partner_required
@require_POST
def reply(request: HttpRequest, user: User, number: int) -> HttpResponse:
    """Reply on the customer's side of the case (needs an "open and follow" grant)."""
    case = _case(user, number)
    form = PartnerReplyForm(request.POST)
    if form.is_valid():
        try:
            actions.reply_to_case(
                acting_user=user,
                case=case,
                body=form.cleaned_data["body"],
                channel=Interaction.Channel.PORTAL,
            )
        except CaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your reply was added."))
            return redirect("partners:case", number=case.number)
    return _render_case(request, user, case, form)
