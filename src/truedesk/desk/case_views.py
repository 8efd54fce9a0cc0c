"""The case page and every form on it: reply, note, take, transfer, status, details, link/merge.

Each POST parses one form, calls one action and redirects back to the case
(the same answer serves plain browsers and htmx, which follows the redirect
and swaps the page body). Bad input or a refused action re-renders the case
with the form still bound, so nothing the user typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truedesk.accounts.models import User
from truedesk.cases import actions, permissions, selectors
from truedesk.cases.customer_history import get_recognition
from truedesk.cases.errors import (
    AlreadyOwned,
    CaseError,
    InvalidCursor,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from truedesk.cases.models import Case, Interaction, Transfer
from truedesk.cases.selectors import Position, TimelineItem
from truedesk.desk import selectors as desk_selectors
from truedesk.desk.access import acting_user, staff_required
from truedesk.desk.availability_views import callback_offer
from truedesk.desk.forms import (
    MERGE,
    CaseEditForm,
    ClearFlagForm,
    DeclineTransferForm,
    LinkForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    TransferForm,
)
from truedesk.desk.pagination import position_from, url_with
from truedesk.desk.responses import broken_link, status_for

# The newest entries of a case's timeline shown at once; older ones are a link away.
TIMELINE_PAGE = 50


def stale_message() -> str:
    """What a user sees when an edit was refused because the case changed meanwhile."""
    return _(
        "Someone else changed this case since you opened it — reload to see their changes; "
        "your edits were not saved."
    )


def get_case(request: HttpRequest, number: str) -> Case:
    """The case with this number; 404 when it does not exist (staff may see every case)."""
    try:
        return selectors.get_case_for_user(acting_user(request), number)
    except NotFound:
        raise Http404 from None


def _pending(transfers: list[Transfer]) -> Transfer | None:
    now = timezone.now()
    return next(
        (t for t in transfers if t.status == Transfer.Status.PENDING and t.expires_at > now), None
    )


def _is_receiver(user: User, transfer: Transfer | None) -> bool:
    # The rule of cases.actions.accept_transfer: the named person, else any
    # member of the named department. Only decides which buttons to show.
    if transfer is None:
        return False
    if transfer.to_user_id is not None:
        return bool(transfer.to_user_id == user.pk)
    return permissions.is_department_member(user, transfer.to_department_id)


def _forms(
    user: User, case: Case, pending: Transfer | None, bound: dict[str, forms.Form]
) -> dict[str, forms.Form]:
    departments = desk_selectors.list_open_departments()
    allowed = sorted(actions.ALLOWED_TRANSITIONS[case.status])
    built: dict[str, forms.Form] = {
        "reply": ReplyForm(prefix="reply"),
        "note": NoteForm(prefix="note"),
        "transfer": TransferForm(
            prefix="transfer",
            receivers=desk_selectors.list_transfer_receivers(user),
            departments=departments,
        ),
        "status": StatusForm(prefix="status", allowed=allowed),
        "edit": CaseEditForm(
            prefix="edit", initial=CaseEditForm.initial_for(case), departments=departments
        ),
        "link": LinkForm(prefix="link"),
    }
    if pending is not None:
        built["decline"] = DeclineTransferForm(prefix=f"decline-{pending.pk}")
    if case.flagged_at is not None and actions.can_clear_flag(user, case):
        built["clear_flag"] = ClearFlagForm(prefix="clear_flag", initial={"version": case.version})
    built.update(bound)
    return built


def _timeline(
    request: HttpRequest, user: User, case: Case, before: Position | None
) -> dict[str, Any]:
    """One page of the timeline, newest first, with links to older entries and back."""
    items = selectors.get_case_timeline(user, case, limit=TIMELINE_PAGE + 1, before=before)
    shown: list[TimelineItem] = items[:TIMELINE_PAGE]
    # Links name the case page itself: this may render the answer to a POST.
    path = case_url(case)
    older = shown[-1].position.encode() if len(items) > TIMELINE_PAGE else None
    return {
        "timeline": shown,
        "timeline_older_url": url_with(
            request, {"before": older}, anchor="timeline-heading", path=path
        )
        if older
        else None,
        "timeline_newest_url": url_with(
            request, {"before": None}, anchor="timeline-heading", path=path
        )
        if before
        else None,
    }


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
    error: str = "",
    before: Position | None = None,
) -> HttpResponse:
    """The case page; `bound` forms (with the user's input and errors) replace the blank ones.

    The timeline shows the newest TIMELINE_PAGE entries, or those older than `before`.
    """
    user = acting_user(request)
    bound = bound or {}
    if bound or error:
        # After a refused write, show the case as it is now, not as the user saw it.
        case = selectors.get_case_for_user(user, case.number)
    pending = _pending(list(selectors.list_transfers_for_case(user, case)))
    can_work = permissions.can_work_case(user, case)
    context = {
        "nav": "",
        "case": case,
        **_timeline(request, user, case, before),
        "recognition": get_recognition(case.customer, as_of=case),
        "pending": pending,
        "pending_for_me": _is_receiver(user, pending),
        "links": selectors.list_case_links(user, case),
        "forms": _forms(user, case, pending, bound),
        "open_forms": set(bound),
        "callback_offer": callback_offer(bound.get("transfer")),
        "error": error,
        "can_work": can_work,
        "can_write": can_work and case.status != Case.Status.CLOSED,
        "can_take": case.owner_id is None
        and case.is_active
        and permissions.can_take_case(user, case),
        "can_transfer": case.is_active
        and pending is None
        and permissions.can_transfer_case(user, case),
    }
    return render(request, "desk/case.html", context, status=status_for(request, status))


@require_GET
@staff_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """Everything about one case: header, counters, customer, the timeline by page, the forms."""
    try:
        before = position_from(request)
    except InvalidCursor:
        return broken_link()
    return render_case(request, get_case(request, number), before=before)


def _add_error(form: forms.Form, err: CaseError) -> None:
    field = err.field if isinstance(err, InvalidInput) else ""
    form.add_error(field if field in form.fields else None, err.message)


Act = Callable[[User, Case, dict[str, Any]], str]


def _handle(
    request: HttpRequest, number: str, key: str, form_class: type[forms.Form], act: Act,
    **form_kwargs: Any,
) -> HttpResponse:  # fmt: skip
    """Validate the form, run the action, redirect to the case; on failure re-render it."""
    user = acting_user(request)
    case = get_case(request, number)
    form = form_class(request.POST, request.FILES, prefix=key, **form_kwargs)
    if not form.is_valid():
        return render_case(request, case, bound={key: form}, status=422)
    try:
        done = act(user, case, form.cleaned_data)
    except StaleVersion:
        form.add_error(None, stale_message())
        return render_case(request, case, bound={key: form}, status=409, error=stale_message())
    except CaseError as err:
        _add_error(form, err)
        return render_case(request, case, bound={key: form}, status=err.http_status)
    messages.success(request, done)
    return redirect("desk:case", number=case.number)


@require_POST
@staff_required
def case_reply(request: HttpRequest, number: str) -> HttpResponse:
    """A public reply (email) to the customer, with files and an optional new status."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        actions.reply_to_case(
            acting_user=user,
            case=case,
            body=data["body"],
            channel=Interaction.Channel.EMAIL,
            attachments=data["attachments"],
            set_status=data["set_status"] or None,
        )
        return _("Reply sent.")

    return _handle(request, number, "reply", ReplyForm, act)


@require_POST
@staff_required
def case_note(request: HttpRequest, number: str) -> HttpResponse:
    """An internal note, with files; customers never see it."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        actions.add_internal_note(
            acting_user=user, case=case, body=data["body"], attachments=data["attachments"]
        )
        return _("Internal note added.")

    return _handle(request, number, "note", NoteForm, act)


@require_POST
@staff_required
def case_transfer(request: HttpRequest, number: str) -> HttpResponse:
    """Ask a person or department to take the case over, with a reason and hand-off note."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        transfer = actions.transfer_case(
            acting_user=user,
            case=case,
            to_user=data["to_user"],
            to_department=data["to_department"],
            reason=data["reason"],
            handoff_note=data["handoff_note"],
        )
        receiver = transfer.to_user.display_name if transfer.to_user else transfer.to_department
        return _("Transfer sent to %(receiver)s. You own the case until they accept.") % {
            "receiver": receiver
        }

    user = acting_user(request)
    return _handle(
        request, number, "transfer", TransferForm, act,
        receivers=desk_selectors.list_transfer_receivers(user),
        departments=desk_selectors.list_open_departments(),
    )  # fmt: skip


@require_POST
@staff_required
def case_status(request: HttpRequest, number: str) -> HttpResponse:
    """Move the case to another status (the action enforces the allowed transitions)."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        actions.change_status(acting_user=user, case=case, status=data["status"])
        return _("Status changed to “%(status)s”.") % {"status": Case.Status(data["status"]).label}

    return _handle(request, number, "status", StatusForm, act)


@require_POST
@staff_required
def case_clear_flag(request: HttpRequest, number: str) -> HttpResponse:
    """The owner or a supervisor clears the case's flag, saying why (409 if it changed)."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        actions.clear_case_flag(
            acting_user=user, case=case, reason=data["reason"], expected_version=data["version"]
        )
        return _("Flag cleared.")

    return _handle(request, number, "clear_flag", ClearFlagForm, act)


@require_POST
@staff_required
def case_edit(request: HttpRequest, number: str) -> HttpResponse:
    """Change the case's details; refused, not overwritten, when someone changed it meanwhile."""

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        actions.update_case(
            acting_user=user,
            case=case,
            expected_version=data["version"],
            changes=actions.CaseChanges(
                subject=data["subject"],
                kind=data["kind"],
                priority=data["priority"],
                severity=data["severity"],
                department=data["department"],
                tags=data["tags"],
            ),
        )
        return _("Case details saved.")

    return _handle(
        request, number, "edit", CaseEditForm, act,
        departments=desk_selectors.list_open_departments(),
    )  # fmt: skip


@require_POST
@staff_required
def case_link(request: HttpRequest, number: str) -> HttpResponse:
    """Link the case to another one, or merge it into the other one (confirmed)."""
    merged_into: list[Case] = []

    def act(user: User, case: Case, data: dict[str, Any]) -> str:
        try:
            other = selectors.get_case_for_user(user, data["other"])
        except NotFound:
            raise InvalidInput(_("There is no case with that number."), field="other") from None
        if data["kind"] == MERGE:
            merged_into.append(actions.merge_cases(acting_user=user, source=case, target=other))
            return _("Case #%(source)s was merged into this case.") % {"source": case.number}
        actions.link_cases(acting_user=user, from_case=case, to_case=other, kind=data["kind"])
        return _("Linked with case #%(number)s.") % {"number": other.number}

    response = _handle(request, number, "link", LinkForm, act)
    if merged_into and response.status_code == 302:
        return redirect("desk:case", number=merged_into[0].number)
    return response


@require_POST
@staff_required
def case_take(request: HttpRequest, number: str) -> HttpResponse:
    """Take an unowned case; from a queue row under htmx, answer with the updated row."""
    user = acting_user(request)
    case = get_case(request, number)
    taken, outcome = False, ""
    try:
        actions.take_case(acting_user=user, case=case)
    except AlreadyOwned as err:
        outcome = _("Already taken by %(name)s.") % {"name": err.owner_name}
    except CaseError as err:
        outcome = err.message
    else:
        taken, outcome = True, _("You took case #%(number)s.") % {"number": case.number}
    if getattr(request, "htmx", False) and request.POST.get("view") == "row":
        # The row replaces itself and says what happened; no message is queued.
        # The outcome spans the row's other cells: customer, status, priority, waiting
        # since, owner, and the SLA badge when the queue shows that column.
        span = 6 if request.POST.get("sla_column") == "1" else 5
        context = {"case": case, "taken": taken, "outcome": outcome, "span": span}
        return render(request, "desk/partials/queue_row_result.html", context)
    (messages.success if taken else messages.error)(request, outcome)
    return redirect(_safe_next(request, case))


def _safe_next(request: HttpRequest, case: Case) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(case_url(case))


def case_url(case: Case) -> str:
    return reverse("desk:case", kwargs={"number": case.number})
