"""One JSON error shape for every failure: {"code": ..., "message": ..., "details": ...}.

Domain errors carry a stable `code` and the HTTP status the API answers with
(`http_status`); codes without one are mapped here, so clients can rely on
both. Unknown exceptions become a 500 with code `internal_error` and no
traceback in the body.

| code                     | HTTP | when                                                   |
|--------------------------|------|--------------------------------------------------------|
| invalid_input            | 422  | the body, query or path does not match the schema      |
| invalid_json             | 422  | the body is not JSON at all                            |
| invalid_cursor           | 400  | a cursor this API did not give out                     |
| unauthenticated          | 401  | no valid bearer token or session                       |
| not_allowed              | 403  | the user may not do this to an object he may see       |
| not_found                | 404  | no such object, or one the user may not see (partners: |
|                          |      | also every operation outside their scope)              |
|                          |      | (also: no such address under /api/, api/middleware.py) |
| method_not_allowed       | 405  | the address exists but not for this HTTP method        |
| stale_version            | 409  | the object changed since `version` was read            |
| idempotency_key_reused   | 422  | an Idempotency-Key sent again with a different request |
| idempotency_in_progress  | 409  | the first request with the key is still running        |
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    """Every error response: a stable machine-readable code, a message for people, extras."""

    code: str = Field(description="Stable machine-readable code, e.g. stale_version.")
    message: str = Field(description="A translated explanation for people.")
    details: dict[str, Any] | list[Any] | None = Field(
        default=None,
        description="Extras: the field at fault, current_version, or per-field problems.",
    )


class ApiError(Exception):
    """Raised by endpoints for interface-level failures (bad cursor, bad header…)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


# Statuses for domain error codes whose exception does not say (`http_status`).
STATUS_BY_CODE: dict[str, int] = {
    "not_found": 404,
    "not_allowed": 403,
    "permission_denied": 403,
    "stale_version": 409,
    "already_owned": 409,
    "invalid_transition": 409,
    "transfer_not_pending": 409,
    "department_closed": 409,
    "idempotency_in_progress": 409,
    "contact_point_taken": 409,
    "contact_point_exists": 409,
    "membership_exists": 409,
    "customer_has_login": 409,
    "invalid_cursor": 400,
}

# Attributes that errors without a `details` dict may carry and clients need
# (reload at current_version, say who owns the case, highlight the field).
DETAIL_ATTRIBUTES = ("current_version", "owner", "field", "next_open_at")

# Ninja's own HttpError (CSRF failure, bad content type…) by status.
CODE_BY_HTTP_STATUS = {
    400: "bad_request",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "throttled",
}

ALL_ERROR_STATUSES = (400, 401, 403, 404, 409, 422)


def error_responses(*statuses: int) -> dict[int, type[Schema]]:
    """Documented error responses: `response={200: Out, **error_responses(401, 404)}`."""
    return {status: ErrorOut for status in sorted(set(statuses))}


# Every status with the error shape; prefer error_responses() naming the ones that apply.
ERROR_RESPONSES: dict[int, type[Schema]] = error_responses(*ALL_ERROR_STATUSES)
# The usual sets: lists (a bad cursor is a 400), reads and writes of one object,
# and lists without parameters.
LIST_ERRORS = error_responses(400, 401, 403, 422)
READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)
INBOX_ERRORS = error_responses(401, 403)


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body = {"code": code, "message": str(message), "details": details}
    return api.create_response(request, body, status=status)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def domain_error_details(exc: Exception) -> dict[str, Any] | None:
    """The structured extras of a domain error, JSON-ready; None when it has none.

    DomainError subclasses carry `details`; for other exceptions the
    well-known attributes are collected.
    """
    own = getattr(exc, "details", None)
    if isinstance(own, dict):
        details = dict(own)
    else:
        details = {
            key: value
            for key in DETAIL_ATTRIBUTES
            if (value := getattr(exc, key, None)) not in (None, "")
        }
    return {key: _json_value(value) for key, value in details.items()} or None


def domain_error_status(exc: Exception) -> int:
    """The HTTP status of a domain error: its own `http_status`, else by code, else 400."""
    status = getattr(exc, "http_status", None)
    if isinstance(status, int) and 400 <= status < 600:
        return status
    return STATUS_BY_CODE.get(str(getattr(exc, "code", "")), 400)


def _domain_error(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    code = str(getattr(exc, "code", "invalid"))
    message = str(getattr(exc, "message", "") or exc)
    return error_response(
        api, request, domain_error_status(exc), code, message, domain_error_details(exc)
    )


def _validation_details(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in e.get("loc", [])], "message": str(e.get("msg", ""))}
        for e in errors
    ]


def install_error_handlers(api: NinjaAPI, domain_errors: tuple[type[Exception], ...]) -> None:
    """Register the one error shape on `api` for ninja's own and the domain's exceptions."""

    # Ninja types a handler's exception loosely (instance or class); each
    # handler below is only ever called with an instance of its class.

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api, request, 422, "invalid_input", _("The request is not valid."),
            _validation_details(exc.errors),
        )  # fmt: skip

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api, request, 422, "invalid_input", "; ".join(exc.messages), exc.messages
        )

    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error_response(
            api, request, 401, "unauthenticated",
            _("Send a valid API token: Authorization: Bearer <token>."),
        )  # fmt: skip
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # Ninja wraps the JSON parser's error in a 400; a body that is not
            # JSON is invalid input like any other, so it gets the same 422.
            return error_response(
                api, request, 422, "invalid_json", _("The request body is not valid JSON.")
            )
        code = CODE_BY_HTTP_STATUS.get(exc.status_code, "http_error")
        return error_response(api, request, exc.status_code, code, str(exc))

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 413, "too_large", _("The request is too large."))

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 404, "not_found", _("Not found."))

    def on_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 403, "not_allowed", _("You may not do that."))

    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        return _domain_error(api, request, exc)

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("unhandled API error", exc_info=exc)
        return error_response(
            api, request, 500, "internal_error", _("Something went wrong on our side.")
        )

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(PermissionDenied, on_denied)
    for error_class in domain_errors:
        api.add_exception_handler(error_class, on_domain)
    api.add_exception_handler(Exception, on_unexpected)
