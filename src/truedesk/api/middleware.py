"""Give /api/ 404s and 405s that never reached an endpoint the API's JSON error shape.

Django answers an unknown path with its HTML 404 page and django-ninja answers a
method an operation does not have with an empty 405. Clients of the API parse
every failure as {"code", "message", "details"} (api/errors.py), so this
middleware rewrites exactly those two cases: a response under /api/ with status
404 or 405 whose body is not already JSON.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            body = {
                "code": "not_found",
                "message": _("There is no such address in the API."),
                "details": {"path": request.path},
            }
            return JsonResponse(body, status=404)
        allowed = sorted(
            method.strip() for method in response.get("Allow", "").split(",") if method.strip()
        )
        body = {
            "code": "method_not_allowed",
            "message": _("This address does not accept %(method)s.") % {"method": request.method},
            "details": {"allowed": allowed},
        }
        replacement = JsonResponse(body, status=405)
        if allowed:
            replacement["Allow"] = ", ".join(allowed)
        return replacement
