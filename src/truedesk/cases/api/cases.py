"""Case endpoints: list, open, read, update, status, take, assign, merge, interactions, links.

Every endpoint parses, resolves what the request names through a scoped
selector (invisible is the same as missing: 404), calls one action or
selector and serialises the result. The rules live in `actions` and
`permissions`; customers reach only their own cases and never internal notes;
partner users only their authorised customers' cases, through the operations
in `api.auth.PARTNER_OPERATIONS` (404 elsewhere).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from truedesk.api.auth import api_user
from truedesk.api.errors import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, ApiError
from truedesk.api.idempotency import idempotent
from truedesk.api.lookups import get_department, get_user
from truedesk.api.schemas import IDEMPOTENCY_OPENAPI, path_id
from truedesk.cases import actions, permissions, selectors
from truedesk.cases.api.schemas import (
    AssignIn,
    CaseCreateIn,
    CaseListQuery,
    CaseOut,
    CasePageOut,
    CaseUpdateIn,
    ClearFlagIn,
    InteractionIn,
    InteractionListQuery,
    InteractionOut,
    LinkIn,
    LinkOut,
    MergeIn,
    NoteIn,
    ReplyIn,
    StatusIn,
    case_out,
    interaction_out,
    link_out,
    priority_number,
    severity_number,
)
from truedesk.cases.models import Case
from truedesk.customers.selectors import get_customer_for_user, get_organisation_for_user

router = Router(tags=["cases"])

CaseNumber = Annotated[int, path_id("The case number (as shown to people, e.g. 1042).")]
LinkId = Annotated[int, path_id("The link id.")]


# --- cases -------------------------------------------------------------------------------


def visible_case(request: HttpRequest, number: int) -> Case:
    """The case with this number if the requesting user may see it; 404 otherwise."""
    return selectors.get_case_for_user(api_user(request), number)


@router.get("", response={200: CasePageOut, **LIST_ERRORS}, operation_id="listCases")
def list_cases(request: HttpRequest, query: Query[CaseListQuery]) -> CasePageOut:
    """Cases you may see, most recently changed first, a page at a time."""
    user = api_user(request)
    filters = selectors.CaseFilters(
        status=tuple(s.value for s in query.status),
        active_only=query.active,
        owner_id=query.owner,
        unowned=query.unowned,
        department_id=query.department,
        customer_id=query.customer,
        organisation_id=query.organisation,
        kind=query.kind.value if query.kind else None,
        priority=priority_number(query.priority) if query.priority else None,
        tag=query.tag,
        updated_since=query.updated_since,
    )
    page = selectors.list_cases_page(user, filters=filters, cursor=query.cursor, limit=query.limit)
    return CasePageOut(
        items=[case_out(case, viewer=user) for case in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "",
    response={201: CaseOut, **WRITE_ERRORS},
    operation_id="createCase",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def create_case(request: HttpRequest, payload: CaseCreateIn) -> Status[CaseOut]:
    """Open a case with its first message (staff for any customer, a customer for himself,
    a partner user for a customer who authorised his partner)."""
    user = api_user(request)
    customer_id = payload.customer or permissions.customer_id_of(user)
    if customer_id is None:
        raise ApiError(422, "invalid_input", _("Name the customer."), {"field": "customer"})
    organisation = payload.organisation
    case = actions.open_case(
        acting_user=user,
        customer=get_customer_for_user(user, customer_id),
        subject=payload.subject,
        body=payload.body,
        body_html=payload.body_html,
        channel=payload.channel.value,
        kind=payload.kind.value,
        priority=priority_number(payload.priority),
        severity=severity_number(payload.severity),
        initiated_by=payload.initiated_by.value,
        department=get_department(payload.department) if payload.department else None,
        organisation=get_organisation_for_user(user, organisation) if organisation else None,
        owner=get_user(payload.owner, field="owner", viewer=user) if payload.owner else None,
        external_id=payload.external_id,
    )
    return Status(201, case_out(case, viewer=user))


@router.get("/{number}", response={200: CaseOut, **READ_ERRORS}, operation_id="getCase")
def get_case(request: HttpRequest, number: CaseNumber) -> CaseOut:
    """One case."""
    return case_out(visible_case(request, number), viewer=api_user(request))


@router.patch("/{number}", response={200: CaseOut, **WRITE_ERRORS}, operation_id="updateCase")
def update_case(request: HttpRequest, number: CaseNumber, payload: CaseUpdateIn) -> CaseOut:
    """Change subject, kind, priority, severity, department, organisation or tags.

    Send the `version` you read; if someone changed the case since, nothing is
    changed and the answer is 409 `stale_version` with `details.current_version`.
    """
    user = api_user(request)
    case = visible_case(request, number)
    sent = payload.model_fields_set
    changes: dict[str, Any] = {}
    for name in ("subject", "tags"):
        if name in sent:
            changes[name] = getattr(payload, name)
    if "kind" in sent:
        changes["kind"] = payload.kind.value
    if "priority" in sent:
        changes["priority"] = priority_number(payload.priority)
    if "severity" in sent:
        changes["severity"] = severity_number(payload.severity)
    if "department" in sent:
        changes["department"] = get_department(payload.department) if payload.department else None
    if "organisation" in sent:
        org = payload.organisation
        changes["organisation"] = get_organisation_for_user(user, org) if org else None
    case = actions.update_case(
        acting_user=user,
        case=case,
        expected_version=payload.version,
        changes=actions.CaseChanges(**changes),
    )
    return case_out(case, viewer=user)


@router.post(
    "/{number}/status", response={200: CaseOut, **WRITE_ERRORS}, operation_id="changeCaseStatus"
)
def change_case_status(request: HttpRequest, number: CaseNumber, payload: StatusIn) -> CaseOut:
    """Move the case to another status (new → open → waiting → resolved → closed)."""
    user = api_user(request)
    case = actions.change_status(
        acting_user=user,
        case=visible_case(request, number),
        status=payload.status.value,
        expected_version=payload.version,
    )
    return case_out(case, viewer=user)


@router.post("/{number}/take", response={200: CaseOut, **WRITE_ERRORS}, operation_id="takeCase")
def take_case(request: HttpRequest, number: CaseNumber) -> CaseOut:
    """Become the owner of an unowned case; 409 `already_owned` if someone was faster."""
    user = api_user(request)
    return case_out(
        actions.take_case(acting_user=user, case=visible_case(request, number)), viewer=user
    )


@router.post("/{number}/assign", response={200: CaseOut, **WRITE_ERRORS}, operation_id="assignCase")
def assign_case(request: HttpRequest, number: CaseNumber, payload: AssignIn) -> CaseOut:
    """Supervisors: make someone the owner."""
    user = api_user(request)
    case = actions.assign_case(
        acting_user=user,
        case=visible_case(request, number),
        owner=get_user(payload.owner, field="owner", viewer=user),
    )
    return case_out(case, viewer=user)


@router.post(
    "/{number}/clear-flag", response={200: CaseOut, **WRITE_ERRORS}, operation_id="clearCaseFlag"
)
def clear_case_flag(request: HttpRequest, number: CaseNumber, payload: ClearFlagIn) -> CaseOut:
    """The owner or a supervisor clears the case's flag with a reason (timeline and audit).

    Idempotent: an unflagged case is answered as it is. Send the `version` you
    read; if the flagged case changed since, the answer is 409 `stale_version`.
    """
    user = api_user(request)
    case = actions.clear_case_flag(
        acting_user=user,
        case=visible_case(request, number),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return case_out(case, viewer=user)


@router.post("/{number}/merge", response={200: CaseOut, **WRITE_ERRORS}, operation_id="mergeCase")
def merge_case(request: HttpRequest, number: CaseNumber, payload: MergeIn) -> CaseOut:
    """Close this case as merged into `into`; returns the surviving case."""
    user = api_user(request)
    target = actions.merge_cases(
        acting_user=user,
        source=visible_case(request, number),
        target=visible_case(request, payload.into),
    )
    return case_out(target, viewer=user)


# --- interactions ------------------------------------------------------------------------


@router.get(
    "/{number}/interactions",
    response={200: list[InteractionOut], **READ_ERRORS},
    operation_id="listCaseInteractions",
    tags=["interactions"],
)
def list_case_interactions(
    request: HttpRequest, number: CaseNumber, query: Query[InteractionListQuery]
) -> list[InteractionOut]:
    """Messages, calls and (for staff) internal notes, newest first, merged cases included."""
    user = api_user(request)
    timeline = selectors.get_case_timeline(user, visible_case(request, number), limit=query.limit)
    return [
        interaction_out(item.interaction, case_number=item.case_number, viewer=user)
        for item in timeline
        if item.interaction is not None
    ]


@router.post(
    "/{number}/replies",
    response={201: InteractionOut, **WRITE_ERRORS},
    operation_id="replyToCase",
    tags=["interactions"],
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def reply_to_case(
    request: HttpRequest, number: CaseNumber, payload: ReplyIn
) -> Status[InteractionOut]:
    """A public reply: to the customer from staff, or from the case's own customer."""
    user = api_user(request)
    interaction = actions.reply_to_case(
        acting_user=user,
        case=visible_case(request, number),
        body=payload.body,
        body_html=payload.body_html,
        channel=payload.channel.value,
        set_status=payload.set_status.value if payload.set_status else None,
        customer_seconds=payload.customer_seconds,
    )
    return Status(
        201, interaction_out(interaction, case_number=interaction.case.number, viewer=user)
    )


@router.post(
    "/{number}/notes",
    response={201: InteractionOut, **WRITE_ERRORS},
    operation_id="addInternalNote",
    tags=["interactions"],
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def add_internal_note(
    request: HttpRequest, number: CaseNumber, payload: NoteIn
) -> Status[InteractionOut]:
    """Staff: a note customers never see."""
    user = api_user(request)
    interaction = actions.add_internal_note(
        acting_user=user,
        case=visible_case(request, number),
        body=payload.body,
        body_html=payload.body_html,
    )
    return Status(201, interaction_out(interaction, case_number=number, viewer=user))


@router.post(
    "/{number}/interactions",
    response={201: InteractionOut, **WRITE_ERRORS},
    operation_id="recordInteraction",
    tags=["interactions"],
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def record_interaction(
    request: HttpRequest, number: CaseNumber, payload: InteractionIn
) -> Status[InteractionOut]:
    """Staff and integrations: log a call, chat or visit that happened elsewhere."""
    user = api_user(request)
    handled_by = payload.handled_by
    interaction = actions.record_interaction(
        acting_user=user,
        case=visible_case(request, number),
        channel=payload.channel.value,
        direction=payload.direction.value,
        body=payload.body,
        handled_by=get_user(handled_by, field="handled_by", viewer=user) if handled_by else None,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        customer_seconds=payload.customer_seconds,
        external_id=payload.external_id,
    )
    return Status(
        201, interaction_out(interaction, case_number=interaction.case.number, viewer=user)
    )


# --- links -------------------------------------------------------------------------------


@router.get(
    "/{number}/links",
    response={200: list[LinkOut], **READ_ERRORS},
    operation_id="listCaseLinks",
    tags=["links"],
)
def list_case_links(request: HttpRequest, number: CaseNumber) -> list[LinkOut]:
    """Links from and to the case (staff; customers see none)."""
    user = api_user(request)
    links = selectors.list_case_links(user, visible_case(request, number))
    return [link_out(link, viewer=user) for link in links]


@router.post(
    "/{number}/links",
    response={201: LinkOut, **WRITE_ERRORS},
    operation_id="linkCases",
    tags=["links"],
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def link_cases(request: HttpRequest, number: CaseNumber, payload: LinkIn) -> Status[LinkOut]:
    """Link this case to another: duplicate_of, child_of, related or incident_of."""
    user = api_user(request)
    link = actions.link_cases(
        acting_user=user,
        from_case=visible_case(request, number),
        to_case=visible_case(request, payload.to_case),
        kind=payload.kind.value,
    )
    return Status(201, link_out(link, viewer=user))


@router.delete(
    "/{number}/links/{link_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="unlinkCases",
    tags=["links"],
)
def unlink_cases(request: HttpRequest, number: CaseNumber, link_id: LinkId) -> Status[None]:
    """Remove a link of this case."""
    user = api_user(request)
    links = selectors.list_case_links(user, visible_case(request, number))
    link = next((link for link in links if link.pk == link_id), None)
    if link is None:
        raise ApiError(404, "not_found", _("This case has no such link."))
    actions.unlink_cases(acting_user=user, link=link)
    return Status(204, None)
