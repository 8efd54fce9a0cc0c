"""API v1: one NinjaAPI with each app's router, at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from truedesk.api.auth import BearerToken, StaffOrCustomerSession, api_user
from truedesk.api.errors import ERROR_RESPONSES, install_error_handlers

api = NinjaAPI(
    title="Truedesk API",
    version="1",
    description=(
        "Cases, customers, organisations and transfers. Authenticate with "
        "`Authorization: Bearer <token>` (mint one with `truedesk token create`). "
        "Creates accept an `Idempotency-Key` header. Updates carry the `version` you read; "
        "a stale version gets 409 `stale_version`. Every error has the shape "
        '`{"code", "message", "details"}`.'
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[BearerToken(), StaffOrCustomerSession()],
)


class MeOut(Schema):
    id: int
    username: str
    name: str
    kind: str
    role: str
    language: str
    time_zone: str


@api.get("/me", response={200: MeOut, **ERROR_RESPONSES}, tags=["accounts"])
def me(request: HttpRequest) -> MeOut:
    """The user the token or session belongs to."""
    user = api_user(request)
    return MeOut(id=user.pk, username=user.username, name=user.display_name, kind=user.kind,
                 role=user.role, language=user.language, time_zone=user.time_zone)


def _domain_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = []
    return tuple(errors)


install_error_handlers(api, _domain_errors())
