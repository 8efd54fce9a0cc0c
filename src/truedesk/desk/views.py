"""Desk pages around the case: my cases, queues, transfers, customer 360, organisations, search.

Views only parse, authorise, call one selector or action and render; the
case page and its forms live in case_views.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truedesk.accounts.errors import DomainError
from truedesk.accounts.models import Department
from truedesk.cases import actions, permissions, selectors
from truedesk.cases.customer_history import get_customer_360, get_organisation_overview
from truedesk.cases.errors import CaseError, InvalidCursor, NotFound
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
from truedesk.desk.pagination import page_links, page_number, paginate, position_from, url_with
from truedesk.desk.responses import broken_link, status_for
from truedesk.desk.rows import case_rows, interaction_rows


def _render_home(
    request: HttpRequest, *, bound: DeclineTransferForm | None = None, status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    cases, pages = paginate(request, selectors.list_my_cases(user), anchor="mine-heading")
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
        "rows": case_rows(cases),
        "pages": pages,
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
    context = {"nav": "queues", "picker": desk_selectors.get_queue_picker(acting_user(request))}
    return render(request, "desk/queues.html", context)


def _render_queue(
    request: HttpRequest, *, title: str, cases: QuerySet[Case], department: Department | None
) -> HttpResponse:
    """One page of a queue; the picker's count is the queue's length, so paging adds no COUNT."""
    user = acting_user(request)
    picker = desk_selectors.get_queue_picker(user)
    waiting = picker.unrouted if department is None else picker.waiting_in(department)
    shown, pages = paginate(request, cases, total=waiting, anchor="queue-heading")
    context = {
        "nav": "queues",
        "title": title,
        "department": department,
        "picker": picker,
        "unrouted_page": department is None,
        "rows": case_rows(shown),
        "pages": pages,
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
    cases = selectors.list_department_queue(user, department)
    return _render_queue(request, title=department.name, cases=cases, department=department)


@require_GET
@staff_required
def unrouted(request: HttpRequest) -> HttpResponse:
    """The general queue: active cases with no department and no owner yet."""
    cases = desk_selectors.list_unrouted_cases()
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
    """The customer 360: contacts, organisations, recognition, cases and interactions by page."""
    user = acting_user(request)
    try:
        before = position_from(request)
    except InvalidCursor:
        return broken_link()
    try:
        record = get_customer_for_user(user, int(pk))
        view = get_customer_360(
            user=user, customer=record, before=before, cases_page=page_number(request, "cases_page")
        )
    except DomainError:
        raise Http404 from None
    context = {
        "nav": "",
        "view": view,
        "case_rows": case_rows(view.cases, with_customer=False),
        "contact_rows": interaction_rows(view.interactions),
        "case_pages": page_links(
            request,
            number=view.cases_page,
            pages=view.cases_pages,
            total=view.cases_total,
            name="cases_page",
            anchor="cases-heading",
        ),
        "older_url": url_with(request, {"before": view.older.encode()}, anchor="contacts-heading")
        if view.older
        else None,
        "newest_url": url_with(request, {"before": None}, anchor="contacts-heading")
        if before
        else None,
    }
    return render(request, "desk/customer.html", context)


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
        "rows": case_rows(cases),
        "customers": customers,
        "too_short": bool(query) and len(query) < 2 and not query.isdigit(),
    }
    return render(request, "desk/search.html", context)
