"""Building blocks shared by every resource's schemas: ids, references to people and things.

Ids are bounded to the database's 64-bit range so an absurd number is a 422,
never an overflow deep in the database driver.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Schema
from ninja.params.functions import Path as PathParam
from pydantic import AfterValidator, Field

from truedesk.accounts.models import Department, User

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _in_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC)


# Every datetime the API sends: ISO 8601 in UTC ("2025-03-01T07:00:00.000Z"),
# whatever offset it arrived with.
Timestamp = Annotated[datetime, AfterValidator(_in_utc)]

# The default of optional PATCH fields that may not be null: pydantic does not
# validate defaults, so "not sent" is None while an explicit null is still
# refused (422). Typed Any so that `name: str = NOT_SENT` type-checks; read
# such a field only when it is in `model_fields_set`.
NOT_SENT: Any = None


def path_id(description: str) -> Any:
    """A bounded integer path parameter: `number: Annotated[int, path_id("…")]`."""
    return PathParam(..., ge=1, le=MAX_ID, description=description)


class UserRef(Schema):
    """A staff member as others see him; `username` is for staff eyes only."""

    id: int
    name: str
    username: str | None = Field(default=None, description="Only shown to staff.")


class DepartmentRef(Schema):
    id: int
    slug: str
    name: str


class NamedRef(Schema):
    """A customer or organisation by id and name."""

    id: int
    name: str


def user_ref(user: User | None, *, viewer: User) -> UserRef | None:
    if user is None:
        return None
    username = user.username if viewer.is_staff_member else None
    return UserRef(id=user.pk, name=user.display_name, username=username)


def department_ref(department: Department | None) -> DepartmentRef | None:
    if department is None:
        return None
    return DepartmentRef(id=department.pk, slug=department.slug, name=department.name)


def named_ref(obj: Any) -> NamedRef | None:
    return None if obj is None else NamedRef(id=obj.pk, name=obj.name)


# Documents the Idempotency-Key header on create operations (`openapi_extra=`).
IDEMPOTENCY_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 200},
            "description": (
                "Any unique string (a UUID). Sending the same key again within 24 hours "
                "returns the first response (with `Idempotent-Replayed: true`) instead of "
                "creating a second resource; the same key with a different body is a 422."
            ),
        }
    ]
}
