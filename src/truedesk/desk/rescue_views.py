"""Runaround rescues on the desk: a supervisor rescues a case or resets its guard; the report.

Supervisors only; agents get 403 (customers and partners never reach the desk).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truedesk.accounts.models import User
from truedesk.cases import permissions
from truedesk.desk.access import acting_user, staff_required
from truedesk.desk.case_views import get_case, render_case
from truedesk.desk.pagination import paginate
from truedesk.desk.responses import status_for
from truedesk.runaround import actions, selectors
from truedesk.runaround.errors import RunaroundError
from truedesk.runaround.forms import ReportFilterForm, RescueForm

RESCUES_PER_PAGE = 50


def _supervisor(request: HttpRequest) -> User:
    user = acting_user(request)
    if not permissions.is_supervisor(user):
        raise PermissionDenied
    return user


@require_POST
@staff_required
def case_rescue(request: HttpRequest, number: str) -> HttpResponse:
    """Rescue the case now: the rules pick the senior owner unless the supervisor names one."""
    user = _supervisor(request)
    case = get_case(request, number)
    form = RescueForm(request.POST, prefix="rescue", candidates=selectors.list_senior_candidates())
    if not form.is_valid():
        return render_case(request, case, error=_("Choose a senior owner from the list."),
                           status=422)  # fmt: skip
    state = selectors.find_guard_state(case.pk)
    try:
        rescue = actions.rescue_case(
            case=case,
            breaches=state.breaches() if state else [],
            new_owner=form.cleaned_data["new_owner"],
            acting_user=user,
            note=form.cleaned_data["note"],
        )
    except RunaroundError as err:
        return render_case(request, case, error=err.message, status=err.http_status)
    messages.success(
        request,
        _("%(name)s now owns the case and the customer is being told.")
        % {"name": rescue.new_owner.display_name},
    )
    return redirect("desk:case", number=case.number)


@require_POST
@staff_required
def case_rescue_reset(request: HttpRequest, number: str) -> HttpResponse:
    """End the case's rescue; the guard counts again from now."""
    user = _supervisor(request)
    case = get_case(request, number)
    try:
        actions.reset_guard(acting_user=user, case=case)
    except RunaroundError as err:
        return render_case(request, case, error=err.message, status=err.http_status)
    messages.success(request, _("The rescue has ended; the guard counts again from now."))
    return redirect("desk:case", number=case.number)


@require_GET
@staff_required
def rescues(request: HttpRequest) -> HttpResponse:
    """Rescued cases of a period: when, why, who took over, whether the customer was told."""
    user = _supervisor(request)
    form = ReportFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"nav": "rescues", "form": form, "rows": [], "pages": None, "period": None}
        return render(request, "desk/rescues.html", context, status=status_for(request, 422))
    period = form.period()
    try:
        rows = selectors.list_rescues(
            user, since=period.since, until=period.until, department=period.department
        )
        per_100 = selectors.rescues_per_100_cases(period.since, period.until, period.department)
        contacts = selectors.contacts_per_resolved_case(
            period.since, period.until, period.department
        )
    except RunaroundError as err:
        form.add_error(None, err.message)
        context = {"nav": "rescues", "form": form, "rows": [], "pages": None, "period": None}
        return render(request, "desk/rescues.html", context, status=status_for(request, 422))
    shown, pages = paginate(request, rows, per_page=RESCUES_PER_PAGE, anchor="rescues-heading")
    context = {
        "nav": "rescues",
        "form": form,
        "period": period,
        "rows": shown,
        "pages": pages,
        "rescues_per_100": per_100,
        "contacts_per_resolved": contacts,
    }
    return render(request, "desk/rescues.html", context)
