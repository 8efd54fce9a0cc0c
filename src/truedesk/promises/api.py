"""Promise endpoints: record, list, read, keep, break and renegotiate promises to customers.

Every endpoint parses, resolves the case or promise through a scoped selector
(invisible is the same as missing: 404), calls one action or selector and
serialises the result. Customers may read the promises on their own cases;
only staff who may work a case record or settle them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import AwareDatetime, Field

from truedesk.accounts.models import User
from truedesk.api.auth import api_user
from truedesk.api.errors import READ_ERRORS, WRITE_ERRORS
from truedesk.api.idempotency import idempotent
from truedesk.api.lookups import get_user
from truedesk.api.schemas import IDEMPOTENCY_OPENAPI, Id, Timestamp, UserRef, path_id, user_ref
from truedesk.cases import selectors as case_selectors
from truedesk.promises import actions, selectors
from truedesk.promises.models import MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS, Promise

router = Router(tags=["promises"])

PromiseId = Annotated[int, path_id("The promise id.")]


class PromiseKind(StrEnum):
    CALL_BACK = "call_back"
    FIX = "fix"
    REFUND = "refund"
    VISIT = "visit"
    INFORMATION = "information"


class PromiseStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    MISSED = "missed"
    BROKEN = "broken"
    RENEGOTIATED = "renegotiated"


class PromiseOut(Schema):
    id: int
    case: int = Field(description="The case number.")
    kind: PromiseKind
    status: PromiseStatus
    overdue: bool = Field(description="Open and past its due time (about to be marked missed).")
    description: str = Field(description="What exactly was promised.")
    due_at: Timestamp
    owner: UserRef
    made_by: UserRef | None = Field(description="Null when the system made it (a follow-up).")
    made_at: Timestamp
    closed_at: Timestamp | None
    kept_at: Timestamp | None
    kept_note: str = Field(description="How it was kept.")
    reason: str = Field(description="Why it was broken or renegotiated (the customer is told).")
    replaced_by: int | None = Field(description="The promise that took its place.")
    replaces: int | None = Field(description="The promise this one took the place of.")
    version: int


def promise_out(promise: Promise, *, viewer: User) -> PromiseOut:
    return PromiseOut(
        id=promise.pk,
        case=promise.case.number,
        kind=PromiseKind(promise.kind),
        status=PromiseStatus(promise.status),
        overdue=promise.is_overdue(),
        description=promise.description,
        due_at=promise.due_at,
        owner=user_ref(promise.owner, viewer=viewer),  # type: ignore[arg-type]
        made_by=user_ref(promise.made_by, viewer=viewer),
        made_at=promise.made_at,
        closed_at=promise.closed_at,
        kept_at=promise.kept_at,
        kept_note=promise.kept_note,
        reason=promise.reason,
        replaced_by=promise.replaced_by_id,
        replaces=_replaces_id(promise),
        version=promise.version,
    )


def _replaces_id(promise: Promise) -> int | None:
    try:
        return int(promise.replaces.pk)
    except Promise.DoesNotExist:  # reverse one-to-one: raises when there is none
        return None


class PromiseListQuery(Schema):
    case: Id | None = Field(
        default=None,
        description="A case number: every promise on that case. Without it: your open "
        "promises (staff: those you own; customers: those on your cases).",
    )


class PromiseCreateIn(Schema):
    case: Id = Field(description="The case number.")
    kind: PromiseKind
    description: str = Field(max_length=MAX_DESCRIPTION_CHARS, description="What exactly.")
    due_at: AwareDatetime = Field(description="ISO 8601 with offset; in the future.")
    owner: Id | None = Field(default=None, description="Staff user id; default: you.")


class KeepIn(Schema):
    version: int = Field(ge=1, description="The version you read.")
    how: str = Field(max_length=MAX_NOTE_CHARS, description="How it was kept.")


class BreakIn(Schema):
    version: int = Field(ge=1, description="The version you read.")
    reason: str = Field(max_length=MAX_NOTE_CHARS, description="Why; the customer is told.")


class RenegotiateIn(Schema):
    version: int = Field(ge=1, description="The version you read.")
    due_at: AwareDatetime = Field(description="The new due time, ISO 8601 with offset.")
    reason: str = Field(max_length=MAX_NOTE_CHARS, description="Why; the customer is told.")
    description: str = Field(
        default="", max_length=MAX_DESCRIPTION_CHARS, description="New wording, if it changes."
    )


@router.get("", response={200: list[PromiseOut], **READ_ERRORS}, operation_id="listPromises")
def list_promises(request: HttpRequest, query: Query[PromiseListQuery]) -> list[PromiseOut]:
    """The promises on a case (`?case=`), or your open promises, soonest due first."""
    user = api_user(request)
    if query.case is not None:
        case = case_selectors.get_case_for_user(user, query.case)
        promises = selectors.list_promises_for_case(user, case)
    else:
        promises = selectors.list_open_promises_for_user(user)
    return [promise_out(p, viewer=user) for p in promises]


@router.post(
    "",
    response={201: PromiseOut, **WRITE_ERRORS},
    operation_id="createPromise",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def create_promise(request: HttpRequest, payload: PromiseCreateIn) -> Status[PromiseOut]:
    """Record a promise to the case's customer (staff who may work the case)."""
    user = api_user(request)
    case = case_selectors.get_case_for_user(user, payload.case)
    owner = get_user(payload.owner, field="owner", viewer=user) if payload.owner else None
    promise = actions.record_promise(
        acting_user=user, case=case, kind=payload.kind.value, description=payload.description,
        due_at=payload.due_at, owner=owner,
    )  # fmt: skip
    return Status(201, promise_out(promise, viewer=user))


@router.get("/{promise_id}", response={200: PromiseOut, **READ_ERRORS}, operation_id="getPromise")
def get_promise(request: HttpRequest, promise_id: PromiseId) -> PromiseOut:
    """One promise, if you may see its case."""
    user = api_user(request)
    return promise_out(selectors.get_promise_for_user(user, promise_id), viewer=user)


@router.post(
    "/{promise_id}/keep", response={200: PromiseOut, **WRITE_ERRORS}, operation_id="keepPromise"
)
def keep_promise(request: HttpRequest, promise_id: PromiseId, payload: KeepIn) -> PromiseOut:
    """Record that the promise was kept and how; 409 `promise_not_open` if it is settled."""
    user = api_user(request)
    promise = actions.keep_promise(
        acting_user=user, promise=selectors.get_promise_for_user(user, promise_id),
        how=payload.how, expected_version=payload.version,
    )  # fmt: skip
    return promise_out(promise, viewer=user)


@router.post(
    "/{promise_id}/break", response={200: PromiseOut, **WRITE_ERRORS}, operation_id="breakPromise"
)
def break_promise(request: HttpRequest, promise_id: PromiseId, payload: BreakIn) -> PromiseOut:
    """Give the promise up with a reason the customer is told."""
    user = api_user(request)
    promise = actions.break_promise(
        acting_user=user, promise=selectors.get_promise_for_user(user, promise_id),
        reason=payload.reason, expected_version=payload.version,
    )  # fmt: skip
    return promise_out(promise, viewer=user)


@router.post(
    "/{promise_id}/renegotiate",
    response={200: PromiseOut, **WRITE_ERRORS},
    operation_id="renegotiatePromise",
)
def renegotiate_promise(
    request: HttpRequest, promise_id: PromiseId, payload: RenegotiateIn
) -> PromiseOut:
    """Move the due time, with a reason the customer is told; returns the new promise."""
    user = api_user(request)
    successor = actions.renegotiate_promise(
        acting_user=user, promise=selectors.get_promise_for_user(user, promise_id),
        due_at=payload.due_at, reason=payload.reason, description=payload.description,
        expected_version=payload.version,
    )  # fmt: skip
    return promise_out(successor, viewer=user)
