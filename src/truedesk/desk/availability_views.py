"""Who is there: the availability page, and the call-back offered when a transfer is refused.

A transfer to a closed department (or a person off shift) is refused by the
action; the transfer form then offers one click to promise the customer a
call-back at the next opening, owned by the agent, who keeps the case.
The page lists every gap between the published service levels and the
shifts (until the shifts or the published text change) and which
departments are open now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from truedesk.accounts.models import Department, User
from truedesk.calendars import selectors as calendar_selectors
from truedesk.calendars.selectors import Availability
from truedesk.cases import availability, selectors
from truedesk.cases.errors import CaseError, NotFound
from truedesk.cases.models import Case
from truedesk.desk import selectors as desk_selectors
from truedesk.desk.access import acting_user, staff_required
from truedesk.promises import actions as promise_actions
from truedesk.promises.models import Promise
from truedesk.workforce import selectors as workforce_selectors
from truedesk.workforce.staffing_plan import report_staffing_shortfalls

# --- the call-back offered on a refused transfer --------------------------------------------


@dataclass(frozen=True)
class CallbackOffer:
    """A call-back at the time a refused transfer's receiver is next there."""

    receiver: str
    opens_at: datetime
    opens_text: str
    to_department: int | None
    to_user: int | None
    reason: str
    # Whether the offer must say why: not when the form already shows the refusal.
    explain: bool
    explanation: str


def callback_offer(form: forms.Form | None) -> CallbackOffer | None:
    """For a sent transfer form naming a receiver who is not there now: the call-back to offer."""
    if form is None or not form.is_bound:
        return None
    data = getattr(form, "cleaned_data", None) or {}
    to_user, to_department = data.get("to_user"), data.get("to_department")
    if to_user is None and to_department is None:
        return None
    missing = availability.find_unavailable_receiver(
        to_user=to_user, to_department=to_department, at=timezone.now()
    )
    if missing is None or missing.next_open_at is None:
        return None
    return CallbackOffer(
        receiver=missing.receiver,
        opens_at=missing.next_open_at,
        opens_text=availability.format_opening(missing.next_open_at),
        to_department=to_department.pk if missing.is_department and to_department else None,
        to_user=to_user.pk if not missing.is_department and to_user else None,
        reason=str(data.get("reason") or ""),
        explain=not form.non_field_errors(),
        explanation=availability.refusal_message(missing),
    )


class CallbackForm(forms.Form):
    """The offer's hidden fields: who the customer waits for, and why (optional)."""

    to_department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False)
    to_user = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    reason = forms.CharField(max_length=250, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_department"].queryset = desk_selectors.list_open_departments()  # type: ignore[attr-defined]
        self.fields["to_user"].queryset = desk_selectors.list_transfer_receivers(user)  # type: ignore[attr-defined]


def _callback_description(missing: availability.Unavailable, reason: str) -> str:
    if missing.is_department:
        text = _("Call the customer back when %(receiver)s opens, to hand the case to them.")
    else:
        text = _("Call the customer back when %(receiver)s is on shift, to hand the case over.")
    text %= {"receiver": missing.receiver}
    if reason.strip():
        text += " " + _("Reason: %(reason)s") % {"reason": reason.strip()}
    return text


def _case_for(user: User, number: str) -> Case:
    try:
        return selectors.get_case_for_user(user, number)
    except NotFound:
        raise Http404 from None


@require_POST
@staff_required
def case_callback(request: HttpRequest, number: str) -> HttpResponse:
    """Promise a call-back for when the refused receiver is next there; the agent owns it."""
    user = acting_user(request)
    case = _case_for(user, number)
    form = CallbackForm(request.POST, user=user)
    back = redirect("desk:case", number=case.number)
    data = form.cleaned_data if form.is_valid() else {}
    if not data.get("to_department") and not data.get("to_user"):
        messages.error(request, _("Choose who the customer is waiting for."))
        return back
    missing = availability.find_unavailable_receiver(
        to_user=data["to_user"], to_department=data["to_department"], at=timezone.now()
    )
    if missing is None:
        messages.info(request, _("They are available now: transfer the case instead."))
        return back
    if missing.next_open_at is None:
        messages.error(request, availability.refusal_message(missing))
        return back
    try:
        promise_actions.record_promise(
            acting_user=user,
            case=case,
            kind=Promise.Kind.CALL_BACK,
            description=_callback_description(missing, data["reason"]),
            due_at=missing.next_open_at,
            owner=user,
        )
    except CaseError as err:
        messages.error(request, err.message)
        return back
    when = availability.format_opening(missing.next_open_at)
    messages.success(
        request,
        _("Call-back promised for %(when)s. You keep the case and the promise.") % {"when": when},
    )
    return back


# --- the availability page ---------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentNow:
    """A department, whether it is open now, and who is on shift for it."""

    department: Department
    state: Availability
    on_shift: list[User]
    status: str


def _status(state: Availability) -> str:
    if state.open:
        if state.closes_at is None:
            return str(OPEN_ALWAYS)
        return _("Open until %(when)s") % {"when": availability.format_opening(state.closes_at)}
    if state.next_open_at is None:
        return _("Closed; no opening within a year")
    return _("Closed; opens %(when)s") % {"when": availability.format_opening(state.next_open_at)}


OPEN_ALWAYS = gettext_lazy("Open around the clock")


@require_GET
@staff_required
def availability_page(request: HttpRequest) -> HttpResponse:
    """Gaps between the published service levels and the shifts; departments open now."""
    user = acting_user(request)
    now = timezone.now()
    reports = workforce_selectors.report_published_service_levels()
    on_shift = workforce_selectors.agents_on_shift_by_department(now)
    departments = [
        DepartmentNow(department, state, on_shift.get(department.pk, []), _status(state))
        for department, state in calendar_selectors.list_department_availability(now)
    ]
    context = {
        "nav": "availability",
        "reports": reports,
        "gap_count": sum(len(report.gaps) for report in reports),
        "departments": departments,
        "on_shift_anywhere": on_shift.get(None, []),
        "shortfalls": report_staffing_shortfalls(now=now),
        "can_edit": user.is_supervisor and user.has_perm("workforce.change_publishedservicelevel"),
    }
    return render(request, "desk/availability.html", context)
