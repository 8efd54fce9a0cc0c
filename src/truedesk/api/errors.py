"""One JSON error shape for every failure: {"code": ..., "message": ..., "details": ...}.

Domain errors carry a stable `code`; this module maps codes to HTTP statuses so
clients can rely on both. Unknown exceptions become a 500 with code
`internal_error` and no traceback in the body.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any] | list[Any] | None = None


class ApiError(Exception):
    """Raised by endpoints for interface-level failures (bad cursor, bad header…)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


# Domain error codes whose meaning is not a plain 400 "your input is wrong".
STATUS_BY_CODE: dict[str, int] = {
    "not_found": 404,
    "not_allowed": 403,
    "permission_denied": 403,
    "stale_version": 409,
    "already_owned": 409,
    "transfer_not_pending": 409,
    "department_closed": 409,
    "idempotency_in_progress": 409,
    "contact_point_taken": 409,
}

# The same error shape for every documented error status.
ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
}


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body = {"code": code, "message": str(message), "details": details}
    return api.create_response(request, body, status=status)


def _domain_error(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    code = str(getattr(exc, "code", "invalid"))
    message = str(getattr(exc, "message", "") or exc)
    details = {
        key: value
        for key in ("current_version", "next_open_at", "owner")
        if (value := getattr(exc, key, None)) is not None
    } or None
    if details and "next_open_at" in details:
        details["next_open_at"] = str(details["next_open_at"].isoformat())
    return error_response(api, request, STATUS_BY_CODE.get(code, 400), code, message, details)


def install_error_handlers(api: NinjaAPI, domain_errors: tuple[type[Exception], ...]) -> None:
    """Register the one error shape on `api` for ninja's own and the domain's exceptions."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [
            {"loc": list(e.get("loc", [])), "message": str(e.get("msg", ""))} for e in exc.errors
        ]
        return error_response(
            api, request, 422, "invalid_input", _("The request is not valid."), details
        )

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return error_response(
            api, request, 422, "invalid_input", "; ".join(exc.messages), exc.messages
        )

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api, request, 401, "unauthenticated",
            _("Send a valid API token: Authorization: Bearer <token>."),
        )

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, exc.status_code, "http_error", str(exc))

    def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 404, "not_found", _("Not found."))

    def on_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(
            api, request, 403, "permission_denied", _("You may not do that.")
        )

    def on_domain(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _domain_error(api, request, exc)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled API error", exc_info=exc)
        return error_response(
            api, request, 500, "internal_error", _("Something went wrong on our side.")
        )

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(PermissionDenied, on_denied)
    for error_class in domain_errors:
        api.add_exception_handler(error_class, on_domain)
    api.add_exception_handler(Exception, on_unexpected)
