"""API v1: one NinjaAPI with each app's router, at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from truedesk.accounts.errors import DomainError
from truedesk.api.auth import BearerToken, StaffOrCustomerSession, api_user
from truedesk.api.errors import error_responses, install_error_handlers
from truedesk.calendars.api import departments_router
from truedesk.calendars.api import router as calendars_router
from truedesk.cases.api import attachments_router, transfers_router
from truedesk.cases.api import router as cases_router
from truedesk.cases.errors import CaseError
from truedesk.channels.contactcentre.api import events_router as contact_centre_router
from truedesk.channels.contactcentre.api import queues_router
from truedesk.channels.webhooks.api import router as webhooks_router
from truedesk.customers.api import customers_router, organisations_router
from truedesk.promises.api import router as promises_router
from truedesk.routing.api import router as routing_router
from truedesk.sla.api import router as sla_router
from truedesk.workforce.api import router as workforce_router
from truedesk.workforce.levels_api import router as published_levels_router

api = NinjaAPI(
    title="Truedesk API",
    version="1",
    description=(
        "Cases, customers, organisations and transfers. Authenticate with "
        "`Authorization: Bearer <token>` (mint one with `truedesk token create`). "
        "Creates accept an `Idempotency-Key` header. Updates carry the `version` you read; "
        "a stale version gets 409 `stale_version`. Lists return `{items, next_cursor}`. "
        "Times are ISO 8601 with an offset. Every error has the shape "
        '`{"code", "message", "details"}`.'
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI (ninja's template, its JS and CSS from our static files) runs
    # under the site-wide CSP unchanged: it sets styles through the CSSOM,
    # which style-src does not restrict. test_docs_page.py holds it to that.
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


@api.get(
    "/me",
    response={200: MeOut, **error_responses(401, 403)},
    tags=["accounts"],
    operation_id="getMe",
)
def me(request: HttpRequest) -> MeOut:
    """The user the token or session belongs to."""
    user = api_user(request)
    return MeOut(id=user.pk, username=user.username, name=user.display_name, kind=user.kind,
                 role=user.role, language=user.language, time_zone=user.time_zone)  # fmt: skip


api.add_router("/cases", cases_router)
api.add_router("/transfers", transfers_router)
api.add_router("/attachments", attachments_router)
api.add_router("/customers", customers_router)
api.add_router("/organisations", organisations_router)
api.add_router("/promises", promises_router)
api.add_router("/sla", sla_router)
api.add_router("/workforce", workforce_router)
api.add_router("/calendars", calendars_router)
api.add_router("/departments", departments_router)
api.add_router("/published-service-levels", published_levels_router)
api.add_router("/routing", routing_router)
api.add_router("/contact-centre", contact_centre_router)
api.add_router("/queues", queues_router)
api.add_router("/webhooks", webhooks_router)


def _domain_errors() -> tuple[type[Exception], ...]:
    # Each app's error base: accounts.DomainError also covers customers.errors.
    return (CaseError, DomainError)


install_error_handlers(api, _domain_errors())
