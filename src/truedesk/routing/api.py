"""REST API v1 for routing: the hold queue, presence, skills, training records, case skills.

Staff read skills and set their own presence; supervisors read the hold queue,
set anyone's presence and keep skills and training records.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field

from truedesk.accounts.models import User
from truedesk.api.auth import api_user
from truedesk.api.errors import ApiError, error_responses
from truedesk.api.idempotency import idempotent
from truedesk.api.pagination import decode_cursor, encode_cursor
from truedesk.api.schemas import (
    IDEMPOTENCY_OPENAPI,
    DepartmentRef,
    NamedRef,
    Timestamp,
    department_ref,
    path_id,
)
from truedesk.cases import selectors as case_selectors
from truedesk.cases.errors import NotFound
from truedesk.routing import actions, selectors
from truedesk.routing.models import RoutingItem, Skill, TrainingModule, TrainingRecord
from truedesk.routing.reasons import describe_hold

router = Router(tags=["routing"])

READ = error_responses(400, 401, 403, 422)
WRITE = error_responses(401, 403, 404, 409, 422)
Id = Annotated[int, path_id("Id of the record.")]


def _staff(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_staff_member:
        raise ApiError(403, "not_allowed", _("Only staff may use routing."))
    return user


def _supervisor(request: HttpRequest) -> User:
    user = _staff(request)
    if not user.is_supervisor:
        raise ApiError(403, "not_allowed", _("Only supervisors may do this."))
    return user


# --- hold queue --------------------------------------------------------------------------


class CaseBrief(Schema):
    id: int
    number: int
    subject: str
    priority: int


class HeldOut(Schema):
    case: CaseBrief
    channel: str
    department: DepartmentRef | None
    waiting_since: Timestamp
    reason: str = Field(description="not_tried, department_closed, nobody_available, …")
    reason_text: str = Field(description="The reason in words, in the caller's language.")
    details: dict[str, object]


def _held_out(item: RoutingItem) -> HeldOut:
    case = item.case
    return HeldOut(
        case=CaseBrief(
            id=case.pk, number=case.number, subject=case.subject, priority=case.priority
        ),
        channel=item.channel,
        department=department_ref(case.department),
        waiting_since=item.entered_at,
        reason=item.reason,
        reason_text=describe_hold(item.reason, item.reason_data),
        details=item.reason_data,
    )


class PageQuery(Schema):
    cursor: str | None = Field(default=None, description="next_cursor of the previous page.")
    limit: int = Field(default=50, ge=1, le=200)


class HoldQueuePage(Schema):
    items: list[HeldOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: end.")


def _after_hold_cursor(cursor: str | None) -> Q:
    """Items after the cursor's in queue order (priority down, then entered_at, then id)."""
    value = decode_cursor(cursor)
    if value is None:
        return Q()
    try:
        priority, entered, pk = int(value["p"]), datetime.fromisoformat(value["t"]), int(value["i"])
    except (KeyError, TypeError, ValueError):
        raise ApiError(
            400, "invalid_cursor", _("The cursor is not one this API gave out.")
        ) from None
    return (
        Q(case__priority__lt=priority)
        | Q(case__priority=priority, entered_at__gt=entered)
        | Q(case__priority=priority, entered_at=entered, pk__gt=pk)
    )


@router.get("/hold-queue", response={200: HoldQueuePage, **READ}, operation_id="listHoldQueue")
def list_hold_queue(request: HttpRequest, query: Query[PageQuery]) -> HoldQueuePage:
    """Cases waiting for an agent, in the order they will be offered (priority, then age)."""
    _supervisor(request)
    rows = list(
        selectors.list_hold_queue().filter(_after_hold_cursor(query.cursor))[: query.limit + 1]
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    cursor = None
    if more:
        last = rows[-1]
        cursor = encode_cursor(
            {"p": last.case.priority, "t": last.entered_at.isoformat(), "i": last.pk}
        )
    return HoldQueuePage(items=[_held_out(item) for item in rows], next_cursor=cursor)


# --- presence ----------------------------------------------------------------------------


class PresenceIn(Schema):
    status: Literal["available", "busy", "away"]
    agent_id: int | None = Field(
        default=None, ge=1, description="Someone else's presence (supervisors); default: yours."
    )


class PresenceOut(Schema):
    agent: NamedRef
    status: str
    since: Timestamp


@router.put("/presence", response={200: PresenceOut, **WRITE}, operation_id="setPresence")
def set_presence(request: HttpRequest, payload: PresenceIn) -> PresenceOut:
    """Say you are available, busy or away; only available agents on shift receive cases."""
    user = _staff(request)
    agent = user
    if payload.agent_id is not None and payload.agent_id != user.pk:
        found = User.objects.filter(pk=payload.agent_id, kind=User.Kind.STAFF).first()
        if found is None:
            raise ApiError(404, "not_found", _("There is no such agent."))
        agent = found
    presence = actions.set_presence(acting_user=user, agent=agent, status=payload.status)
    return PresenceOut(
        agent=NamedRef(id=agent.pk, name=agent.display_name),
        status=presence.status,
        since=presence.changed_at,
    )


# --- skills ------------------------------------------------------------------------------


class SkillIn(Schema):
    kind: Literal["language", "product", "level"]
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)


class SkillOut(Schema):
    id: int
    kind: str
    code: str
    name: str


def _skill_out(skill: Skill) -> SkillOut:
    return SkillOut(id=skill.pk, kind=skill.kind, code=skill.code, name=skill.name)


@router.get(
    "/skills",
    response={200: list[SkillOut], **error_responses(401, 403)},
    operation_id="listSkills",
)
def list_skills(request: HttpRequest) -> list[SkillOut]:
    """Every skill (staff)."""
    _staff(request)
    return [_skill_out(skill) for skill in Skill.objects.all()]


@router.post(
    "/skills",
    response={201: SkillOut, **WRITE},
    operation_id="createSkill",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def create_skill(request: HttpRequest, payload: SkillIn) -> Status[SkillOut]:
    """Add a skill (supervisors)."""
    user = _supervisor(request)
    skill = actions.create_skill(
        acting_user=user, kind=payload.kind, code=payload.code, name=payload.name
    )
    return Status(201, _skill_out(skill))


@router.delete("/skills/{skill_id}", response={204: None, **WRITE}, operation_id="deleteSkill")
def delete_skill(request: HttpRequest, skill_id: Id) -> Status[None]:
    """Remove a skill nothing grants or needs (supervisors); 409 while in use."""
    user = _supervisor(request)
    skill = Skill.objects.filter(pk=skill_id).first()
    if skill is None:
        raise ApiError(404, "not_found", _("There is no such skill."))
    actions.delete_skill(acting_user=user, skill=skill)
    return Status(204, None)


# --- training records --------------------------------------------------------------------


class TrainingIn(Schema):
    agent_id: int = Field(ge=1)
    module_id: int = Field(ge=1)
    completed_on: date
    expires_on: date | None = Field(
        default=None, description="First day it no longer counts; default: the module's validity."
    )


class TrainingOut(Schema):
    id: int
    agent: NamedRef
    module: NamedRef
    completed_on: date
    expires_on: date | None
    skills: list[SkillOut]


def _training_out(record: TrainingRecord) -> TrainingOut:
    return TrainingOut(
        id=record.pk,
        agent=NamedRef(id=record.agent_id, name=record.agent.display_name),
        module=NamedRef(id=record.module_id, name=record.module.name),
        completed_on=record.completed_on,
        expires_on=record.expires_on,
        skills=[_skill_out(s) for s in record.module.skills.all()],
    )


def _training_input(payload: TrainingIn) -> actions.TrainingInput:
    agent = User.objects.filter(pk=payload.agent_id, kind=User.Kind.STAFF).first()
    if agent is None:
        raise ApiError(422, "invalid_value", _("There is no such agent."), {"field": "agent_id"})
    module = TrainingModule.objects.filter(pk=payload.module_id).first()
    if module is None:
        raise ApiError(422, "invalid_value", _("There is no such module."), {"field": "module_id"})
    return actions.TrainingInput(
        agent=agent, module=module, completed_on=payload.completed_on, expires_on=payload.expires_on
    )


def _record(record_id: int) -> TrainingRecord:
    record = selectors.list_training_records().filter(pk=record_id).first()
    if record is None:
        raise ApiError(404, "not_found", _("There is no such training record."))
    return record


class TrainingQuery(PageQuery):
    agent_id: int | None = Field(default=None, ge=1, description="Only this agent's records.")


class TrainingPage(Schema):
    items: list[TrainingOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: end.")


def _after_id(cursor: str | None) -> int:
    value = decode_cursor(cursor)
    if value is None:
        return 0
    try:
        return int(value["i"])
    except (KeyError, TypeError, ValueError):
        raise ApiError(
            400, "invalid_cursor", _("The cursor is not one this API gave out.")
        ) from None


@router.get(
    "/training-records",
    response={200: TrainingPage, **error_responses(400, 401, 403, 422)},
    operation_id="listTrainingRecords",
)
def list_training_records(request: HttpRequest, query: Query[TrainingQuery]) -> TrainingPage:
    """Training records, oldest entry first, optionally of one agent (supervisors)."""
    _supervisor(request)
    rows = (
        selectors.list_training_records()
        .prefetch_related("module__skills")
        .filter(pk__gt=_after_id(query.cursor))
        .order_by("pk")
    )
    if query.agent_id is not None:
        rows = rows.filter(agent_id=query.agent_id)
    page = list(rows[: query.limit + 1])
    cursor = encode_cursor({"i": page[query.limit - 1].pk}) if len(page) > query.limit else None
    return TrainingPage(
        items=[_training_out(record) for record in page[: query.limit]], next_cursor=cursor
    )


@router.post(
    "/training-records",
    response={201: TrainingOut, **WRITE},
    operation_id="createTrainingRecord",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def create_training_record(request: HttpRequest, payload: TrainingIn) -> Status[TrainingOut]:
    """Record a completed module; its skills count from now until it expires (supervisors)."""
    user = _supervisor(request)
    record = actions.record_training(acting_user=user, data=_training_input(payload))
    return Status(201, _training_out(record))


@router.put(
    "/training-records/{record_id}",
    response={200: TrainingOut, **WRITE},
    operation_id="updateTrainingRecord",
)
def update_training_record(request: HttpRequest, record_id: Id, payload: TrainingIn) -> TrainingOut:
    """Correct a training record (supervisors)."""
    user = _supervisor(request)
    record = actions.update_training(
        acting_user=user, record=_record(record_id), data=_training_input(payload)
    )
    return _training_out(record)


@router.delete(
    "/training-records/{record_id}",
    response={204: None, **WRITE},
    operation_id="deleteTrainingRecord",
)
def delete_training_record(request: HttpRequest, record_id: Id) -> Status[None]:
    """Remove a training record entered by mistake (supervisors)."""
    user = _supervisor(request)
    actions.delete_training(acting_user=user, record=_record(record_id))
    return Status(204, None)


# --- a case's own skills ---------------------------------------------------------------------


class CaseSkillsIn(Schema):
    skill_ids: list[int] = Field(max_length=actions.MAX_CASE_SKILLS)


@router.put(
    "/cases/{number}/skills",
    response={200: list[SkillOut], **WRITE},
    operation_id="setCaseSkills",
)
def set_case_skills(
    request: HttpRequest, number: Annotated[int, path_id("Case number.")], payload: CaseSkillsIn
) -> list[SkillOut]:
    """The skills this case needs besides its queue's and language (staff who may see it)."""
    user = _staff(request)
    try:
        case = case_selectors.get_case_for_user(user, number)
    except NotFound:
        raise ApiError(404, "not_found", _("There is no such case.")) from None
    skills = list(Skill.objects.filter(pk__in=set(payload.skill_ids)))
    if len(skills) != len(set(payload.skill_ids)):
        raise ApiError(422, "invalid_value", _("There is no such skill."), {"field": "skill_ids"})
    saved = actions.set_case_skills(acting_user=user, case=case, skills=skills)
    return [_skill_out(skill) for skill in saved]
