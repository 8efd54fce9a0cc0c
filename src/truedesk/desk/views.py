"""Desk pages around the case: my cases, queues, transfers, customer 360, organisations, search.

Views only parse, authorise, call one selector or action and render; the
case page and its forms live in case_views.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truedesk.accounts.errors import DomainError
from truedesk.accounts.models import Department
from truedesk.cases import actions, permissions, selectors
from truedesk.cases.customer_history import get_customer_360, get_organisation_overview
from truedesk.cases.errors import CaseError, NotFound
from truedesk.cases.models import Case, Transfer
from truedesk.customers.selectors import (
    get_customer_for_user,
    get_organisation_for_user,
    search_customers,
)
from truedesk.desk import selectors as desk_selectors
from truedesk.desk.access import acting_user, staff_required
from truedesk.desk.case_views import render_case
from truedesk.desk.forms import DeclineTransferForm, SearchForm
from truedesk.desk.responses import status_for

LIST_LIMIT = 200


def _case_rows(cases: list[Case]) -> list[dict[str, Any]]:
    counts = desk_selectors.count_cases_per_customer({case.customer_id for case in cases})
    return [{"case": case, "customer_cases": counts.get(case.customer_id, 0)} for case in cases]


def _render_home(
    request: HttpRequest, *, bound: DeclineTransferForm | None = None, status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    cases = list(selectors.list_my_cases(user)[: LIST_LIMIT + 1])
    incoming = list(selectors.list_pending_transfers_for(user))
    decline_forms = [
        (
            transfer,
            bound
            if bound is not None and bound.prefix == f"decline-{transfer.pk}"
            else DeclineTransferForm(prefix=f"decline-{transfer.pk}"),
        )
        for transfer in incoming
    ]
    context = {
        "nav": "home",
        "rows": _case_rows(cases[:LIST_LIMIT]),
        "truncated": len(cases) > LIST_LIMIT,
        "incoming": decline_forms,
        "outgoing": desk_selectors.list_pending_transfers_sent(user),
    }
    return render(request, "desk/home.html", context, status=status_for(request, status))


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """My cases: my active cases, transfers waiting for my answer and transfers I sent."""
    return _render_home(request)


@require_GET
@staff_required
def queues(request: HttpRequest) -> HttpResponse:
    """The department picker: my departments with how many cases wait unowned in each."""
    user = acting_user(request)
    context = {
        "nav": "queues",
        "departments": desk_selectors.list_queue_departments(user),
        "unrouted": desk_selectors.count_unrouted_cases(),
    }
    return render(request, "desk/queues.html", context)


def _render_queue(
    request: HttpRequest, *, title: str, cases: list[Case], department: Department | None
) -> HttpResponse:
    user = acting_user(request)
    shown = cases[:LIST_LIMIT]
    context = {
        "nav": "queues",
        "title": title,
        "department": department,
        "departments": desk_selectors.list_queue_departments(user),
        "unrouted": desk_selectors.count_unrouted_cases(),
        "unrouted_page": department is None,
        "rows": _case_rows(shown),
        "truncated": len(cases) > LIST_LIMIT,
        # Every case of one queue falls under the same rule, so one check serves all rows.
        "can_take": bool(shown) and permissions.can_take_case(user, shown[0]),
    }
    return render(request, "desk/queue.html", context)


@require_GET
@staff_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """A department's unowned active cases, most urgent first, each with a Take button."""
    user = acting_user(request)
    department = desk_selectors.find_department(slug)
    if department is None:
        raise Http404
    cases = list(selectors.list_department_queue(user, department)[: LIST_LIMIT + 1])
    return _render_queue(request, title=department.name, cases=cases, department=department)


@require_GET
@staff_required
def unrouted(request: HttpRequest) -> HttpResponse:
    """The general queue: active cases with no department and no owner yet."""
    cases = desk_selectors.list_unrouted_cases(LIST_LIMIT + 1)
    return _render_queue(request, title=_("Not yet routed"), cases=cases, department=None)


# --- transfers ---------------------------------------------------------------------


def _transfer(request: HttpRequest, pk: str) -> Transfer:
    try:
        return selectors.get_transfer_for_user(acting_user(request), int(pk))
    except NotFound:
        raise Http404 from None


def _after_transfer(request: HttpRequest, transfer: Transfer) -> HttpResponse:
    if request.POST.get("back") == "case":
        return redirect("desk:case", number=transfer.case.number)
    return redirect("desk:home")


@require_POST
@staff_required
def accept_transfer(request: HttpRequest, pk: str) -> HttpResponse:
    """The receiver becomes the case's owner."""
    transfer = _transfer(request, pk)
    try:
        actions.accept_transfer(acting_user=acting_user(request), transfer=transfer)
    except CaseError as err:
        messages.error(request, err.message)
        return _after_transfer(request, transfer)
    messages.success(request, _("You now own case #%(number)s.") % {"number": transfer.case.number})
    return _after_transfer(request, transfer)


@require_POST
@staff_required
def decline_transfer(request: HttpRequest, pk: str) -> HttpResponse:
    """The receiver says no, with a reason; the case stays with the sender."""
    transfer = _transfer(request, pk)
    form = DeclineTransferForm(request.POST, prefix=f"decline-{transfer.pk}")
    if form.is_valid():
        try:
            actions.decline_transfer(
                acting_user=acting_user(request), transfer=transfer, note=form.cleaned_data["note"]
            )
        except CaseError as err:
            messages.error(request, err.message)
            return _after_transfer(request, transfer)
        messages.success(
            request,
            _("You declined case #%(number)s; %(name)s keeps it.")
            % {"number": transfer.case.number, "name": transfer.from_user.display_name},
        )
        return _after_transfer(request, transfer)
    if request.POST.get("back") == "case":
        return render_case(request, transfer.case, bound={"decline": form}, status=422)
    return _render_home(request, bound=form, status=422)


@require_POST
@staff_required
def cancel_transfer(request: HttpRequest, pk: str) -> HttpResponse:
    """The sender withdraws a transfer nobody has answered; ownership is unchanged."""
    transfer = _transfer(request, pk)
    try:
        actions.cancel_transfer(acting_user=acting_user(request), transfer=transfer)
    except CaseError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Transfer cancelled."))
    return _after_transfer(request, transfer)


# --- customers and organisations ---------------------------------------------------------


@require_GET
@staff_required
def customer(request: HttpRequest, pk: str) -> HttpResponse:
    """The customer 360: contacts, organisations, recognition, every case and interaction."""
    user = acting_user(request)
    try:
        record = get_customer_for_user(user, int(pk))
        view = get_customer_360(user=user, customer=record)
    except DomainError:
        raise Http404 from None
    return render(request, "desk/customer.html", {"nav": "", "view": view})


@require_GET
@staff_required
def organisation(request: HttpRequest, pk: str) -> HttpResponse:
    """An organisation: account manager, members and cases."""
    user = acting_user(request)
    try:
        record = get_organisation_for_user(user, int(pk))
        view = get_organisation_overview(user=user, organisation=record)
    except DomainError:
        raise Http404 from None
    return render(request, "desk/organisation.html", {"nav": "", "view": view})


# --- search ----------------------------------------------------------------------------


@require_GET
@staff_required
def search(request: HttpRequest) -> HttpResponse:
    """Cases and customers matching a number, name, email, phone or message text."""
    user = acting_user(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    cases = selectors.search_cases(user, query) if query else []
    customers = search_customers(user, query) if query else []
    context = {
        "nav": "search",
        "form": form,
        "query": query,
        "rows": _case_rows(cases),
        "customers": customers,
        "too_short": bool(query) and len(query) < 2 and not query.isdigit(),
    }
    return render(request, "desk/search.html", context)
