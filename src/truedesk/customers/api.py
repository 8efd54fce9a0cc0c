"""REST API v1 for customers, organisations, contact points and memberships.

Staff read and write everything; a customer's token reads his own record and
the organisations he belongs to, and may change his own name, language and
time zone. Records a user may not see answer 404, like missing ones.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import AwareDatetime, Field

from truedesk.accounts.models import User
from truedesk.api.auth import api_user
from truedesk.api.errors import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, ApiError
from truedesk.api.idempotency import idempotent
from truedesk.api.lookups import get_user
from truedesk.api.pagination import decode_cursor, encode_cursor
from truedesk.api.schemas import (
    IDEMPOTENCY_OPENAPI,
    NOT_SENT,
    Id,
    NamedRef,
    Timestamp,
    UserRef,
    path_id,
    user_ref,
)
from truedesk.customers import actions, errors, selectors
from truedesk.customers.models import ContactPoint, Customer, Membership, Organisation

customers_router = Router(tags=["customers"])
organisations_router = Router(tags=["organisations"])

CustomerId = Annotated[int, path_id("The customer id.")]
OrganisationId = Annotated[int, path_id("The organisation id.")]
ContactPointId = Annotated[int, path_id("The contact point id.")]


class Tier(StrEnum):
    STANDARD = "standard"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


# --- output schemas ----------------------------------------------------------------------


class ContactPointOut(Schema):
    id: int
    kind: ContactKind
    value: str
    is_primary: bool
    is_failing: bool
    created_at: Timestamp


class MembershipOut(Schema):
    organisation: NamedRef
    title: str
    is_primary_contact: bool
    created_at: Timestamp


class CustomerOut(Schema):
    id: int
    name: str
    tier: Tier
    language: str
    time_zone: str
    notes: str | None = Field(description="Staff only; null for customers.")
    has_portal_login: bool
    contact_points: list[ContactPointOut]
    memberships: list[MembershipOut]
    version: int = Field(description="Send it back with every change; see 409 stale_version.")
    created_at: Timestamp
    updated_at: Timestamp


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class OrganisationOut(Schema):
    id: int
    name: str
    tier: Tier
    account_manager: UserRef | None
    notes: str | None = Field(description="Staff only; null for customers.")
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class OrganisationListOut(Schema):
    items: list[OrganisationOut]
    next_cursor: str | None = Field(
        description="Always null: narrow the list with `q` instead of paging."
    )


def contact_point_out(point: ContactPoint) -> ContactPointOut:
    return ContactPointOut(
        id=point.pk,
        kind=ContactKind(point.kind),
        value=point.value,
        is_primary=point.is_primary,
        is_failing=point.is_failing,
        created_at=point.created_at,
    )


def membership_out(membership: Membership) -> MembershipOut:
    organisation = membership.organisation
    return MembershipOut(
        organisation=NamedRef(id=organisation.pk, name=organisation.name),
        title=membership.title,
        is_primary_contact=membership.is_primary_contact,
        created_at=membership.created_at,
    )


def customer_out(customer: Customer, *, viewer: User) -> CustomerOut:
    return CustomerOut(
        id=customer.pk,
        name=customer.name,
        tier=Tier(customer.tier),
        language=customer.language,
        time_zone=customer.time_zone,
        notes=customer.notes if viewer.is_staff_member else None,
        has_portal_login=customer.user_id is not None,
        contact_points=[contact_point_out(p) for p in customer.contact_points.all()],
        memberships=[membership_out(m) for m in customer.memberships.all()],
        version=customer.version,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def organisation_out(organisation: Organisation, *, viewer: User) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.pk,
        name=organisation.name,
        tier=Tier(organisation.tier),
        account_manager=user_ref(organisation.account_manager, viewer=viewer),
        notes=organisation.notes if viewer.is_staff_member else None,
        version=organisation.version,
        created_at=organisation.created_at,
        updated_at=organisation.updated_at,
    )


# --- input schemas -----------------------------------------------------------------------


class CustomerListQuery(Schema):
    q: str = Field(
        default="", max_length=200, description="Name, email, phone digits or organisation."
    )
    email: str | None = Field(default=None, max_length=254, description="Exact address.")
    phone: str | None = Field(default=None, max_length=40, description="Exact number.")
    tier: Tier | None = None
    organisation: Id | None = None
    updated_since: AwareDatetime | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=selectors.MAX_PAGE)


class CustomerCreateIn(Schema):
    name: str
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)
    tier: Tier = Tier.STANDARD
    language: str = Field(default="en", max_length=8)
    time_zone: str | None = Field(default=None, max_length=64)
    organisation: Id | None = None
    notes: str = ""


class CustomerUpdateIn(Schema):
    """Only the fields sent change; `version` is the one you read."""

    version: int = Field(ge=1)
    name: str = NOT_SENT
    tier: Tier = Field(default=NOT_SENT, description="Staff only.")
    language: str = Field(default=NOT_SENT, max_length=8)
    time_zone: str = Field(default=NOT_SENT, max_length=64)
    notes: str = Field(default=NOT_SENT, description="Staff only.")


class ContactPointIn(Schema):
    kind: ContactKind
    value: str = Field(max_length=254)
    is_primary: bool = False


class MembershipIn(Schema):
    organisation: Id
    title: str = Field(default="", max_length=120)
    is_primary_contact: bool = False


class OrganisationListQuery(Schema):
    q: str = Field(default="", max_length=200, description="Part of the name.")
    limit: int = Field(default=100, ge=1, le=selectors.MAX_PAGE)


class OrganisationCreateIn(Schema):
    name: str
    tier: Tier = Tier.STANDARD
    account_manager: Id | None = Field(default=None, description="A staff member's user id.")
    notes: str = ""


class OrganisationUpdateIn(Schema):
    version: int = Field(ge=1)
    name: str = NOT_SENT
    tier: Tier = NOT_SENT
    notes: str = NOT_SENT


class AccountManagerIn(Schema):
    account_manager: Id | None = Field(description="A staff member's user id, or null for none.")


def _sent(payload: Schema) -> dict[str, Any]:
    """The fields the client sent (except version), enums as their values."""
    values = {name: getattr(payload, name) for name in payload.model_fields_set}
    values.pop("version", None)
    return {name: v.value if isinstance(v, Enum) else v for name, v in values.items()}


def _customer_cursor(cursor: str | None) -> int | None:
    value = decode_cursor(cursor)
    if value is None:
        return None
    after = value.get("after")
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ApiError(400, "invalid_cursor", _("The cursor is not one this API gave out."))
    return after


# --- customers ---------------------------------------------------------------------------


def _exact_matches(user: User, query: CustomerListQuery) -> list[Customer]:
    """Customers with exactly this email address or phone number (staff)."""
    if not user.is_staff_member:
        raise errors.NotAllowed()
    if query.q or query.tier or query.organisation or query.updated_since or query.cursor:
        raise ApiError(
            422,
            "invalid_input",
            _("email and phone are exact look-ups and cannot be combined with other filters."),
        )
    if query.email is not None:
        found = selectors.find_customer_by_email(query.email)
        return [found] if found is not None else []
    return selectors.find_customers_by_phone(query.phone or "")[: query.limit]


@customers_router.get(
    "", response={200: CustomerPageOut, **LIST_ERRORS}, operation_id="listCustomers"
)
def list_customers(request: HttpRequest, query: Query[CustomerListQuery]) -> CustomerPageOut:
    """Customers (staff), oldest first, a page at a time; or exact matches by email or phone.

    A partner user gets the customers who authorised his partner, by name, unfiltered.
    """
    user = api_user(request)
    if user.is_partner:
        if query.model_dump(exclude_defaults=True, exclude={"limit"}):
            raise ApiError(
                422, "invalid_input", _("Partners list their authorised customers unfiltered.")
            )
        authorised = selectors.list_authorised_customers(user)
        return CustomerPageOut(
            items=[customer_out(c, viewer=user) for c in authorised], next_cursor=None
        )
    if query.email is not None or query.phone is not None:
        matches = _exact_matches(user, query)
        return CustomerPageOut(
            items=[customer_out(c, viewer=user) for c in matches], next_cursor=None
        )
    filters = selectors.CustomerFilters(
        tier=query.tier.value if query.tier else "",
        organisation_id=query.organisation,
        query=query.q,
        updated_since=query.updated_since,
    )
    page = selectors.list_customers(
        user, filters=filters, cursor=_customer_cursor(query.cursor), limit=query.limit
    )
    next_cursor = encode_cursor({"after": page.next_cursor}) if page.next_cursor else None
    return CustomerPageOut(
        items=[customer_out(c, viewer=user) for c in page.items], next_cursor=next_cursor
    )


@customers_router.post(
    "",
    response={201: CustomerOut, **WRITE_ERRORS},
    operation_id="createCustomer",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def create_customer(request: HttpRequest, payload: CustomerCreateIn) -> Status[CustomerOut]:
    """Add a customer with email addresses and phone numbers (staff)."""
    user = api_user(request)
    organisation = (
        selectors.get_organisation_for_user(user, payload.organisation)
        if payload.organisation
        else None
    )
    customer = actions.create_customer(
        acting_user=user,
        name=payload.name,
        emails=payload.emails,
        phones=payload.phones,
        tier=payload.tier.value,
        language=payload.language,
        time_zone=payload.time_zone,
        organisation=organisation,
        notes=payload.notes,
    )
    return Status(201, customer_out(customer, viewer=user))


@customers_router.get(
    "/{customer_id}", response={200: CustomerOut, **READ_ERRORS}, operation_id="getCustomer"
)
def get_customer(request: HttpRequest, customer_id: CustomerId) -> CustomerOut:
    """One customer with contact points and organisations (staff, or the customer himself)."""
    user = api_user(request)
    return customer_out(selectors.get_customer_for_user(user, customer_id), viewer=user)


@customers_router.patch(
    "/{customer_id}", response={200: CustomerOut, **WRITE_ERRORS}, operation_id="updateCustomer"
)
def update_customer(
    request: HttpRequest, customer_id: CustomerId, payload: CustomerUpdateIn
) -> CustomerOut:
    """Change name, tier, language, time zone or notes; 409 `stale_version` if it moved on."""
    user = api_user(request)
    customer = actions.update_customer(
        acting_user=user,
        customer=selectors.get_customer_for_user(user, customer_id),
        expected_version=payload.version,
        **_sent(payload),
    )
    return customer_out(customer, viewer=user)


@customers_router.post(
    "/{customer_id}/contact-points",
    response={201: ContactPointOut, **WRITE_ERRORS},
    operation_id="addContactPoint",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def add_contact_point(
    request: HttpRequest, customer_id: CustomerId, payload: ContactPointIn
) -> Status[ContactPointOut]:
    """Add an email address or phone number (staff); an email belongs to one customer only."""
    user = api_user(request)
    point = actions.add_contact_point(
        acting_user=user,
        customer=selectors.get_customer_for_user(user, customer_id),
        kind=payload.kind.value,
        value=payload.value,
        is_primary=payload.is_primary,
    )
    return Status(201, contact_point_out(point))


@customers_router.delete(
    "/{customer_id}/contact-points/{contact_point_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="removeContactPoint",
)
def remove_contact_point(
    request: HttpRequest, customer_id: CustomerId, contact_point_id: ContactPointId
) -> Status[None]:
    """Remove an email address or phone number (staff)."""
    user = api_user(request)
    customer = selectors.get_customer_for_user(user, customer_id)
    point = next((p for p in customer.contact_points.all() if p.pk == contact_point_id), None)
    if point is None:
        raise ApiError(404, "not_found", _("The customer has no such contact point."))
    actions.remove_contact_point(acting_user=user, contact_point=point)
    return Status(204, None)


@customers_router.post(
    "/{customer_id}/memberships",
    response={201: MembershipOut, **WRITE_ERRORS},
    operation_id="addMembership",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def add_membership(
    request: HttpRequest, customer_id: CustomerId, payload: MembershipIn
) -> Status[MembershipOut]:
    """Make the customer a member of an organisation (staff)."""
    user = api_user(request)
    membership = actions.add_membership(
        acting_user=user,
        customer=selectors.get_customer_for_user(user, customer_id),
        organisation=selectors.get_organisation_for_user(user, payload.organisation),
        title=payload.title,
        is_primary_contact=payload.is_primary_contact,
    )
    return Status(201, membership_out(membership))


@customers_router.delete(
    "/{customer_id}/memberships/{organisation_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="removeMembership",
)
def remove_membership(
    request: HttpRequest, customer_id: CustomerId, organisation_id: OrganisationId
) -> Status[None]:
    """End the customer's membership of the organisation (staff); cases are kept."""
    user = api_user(request)
    customer = selectors.get_customer_for_user(user, customer_id)
    membership = next(
        (m for m in customer.memberships.all() if m.organisation_id == organisation_id), None
    )
    if membership is None:
        raise ApiError(404, "not_found", _("The customer is not a member of that organisation."))
    actions.remove_membership(acting_user=user, membership=membership)
    return Status(204, None)


# --- organisations -----------------------------------------------------------------------


@organisations_router.get(
    "", response={200: OrganisationListOut, **LIST_ERRORS}, operation_id="listOrganisations"
)
def list_organisations(
    request: HttpRequest, query: Query[OrganisationListQuery]
) -> OrganisationListOut:
    """Organisations by name (staff); at most `limit`, narrowed by `q`."""
    user = api_user(request)
    organisations = selectors.list_organisations(user, query=query.q, limit=query.limit)
    return OrganisationListOut(
        items=[organisation_out(o, viewer=user) for o in organisations], next_cursor=None
    )


@organisations_router.post(
    "",
    response={201: OrganisationOut, **WRITE_ERRORS},
    operation_id="createOrganisation",
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def create_organisation(
    request: HttpRequest, payload: OrganisationCreateIn
) -> Status[OrganisationOut]:
    """Add an organisation (staff)."""
    user = api_user(request)
    manager = payload.account_manager
    organisation = actions.create_organisation(
        acting_user=user,
        name=payload.name,
        tier=payload.tier.value,
        account_manager=get_user(manager, field="account_manager", viewer=user)
        if manager
        else None,
        notes=payload.notes,
    )
    return Status(201, organisation_out(organisation, viewer=user))


@organisations_router.get(
    "/{organisation_id}",
    response={200: OrganisationOut, **READ_ERRORS},
    operation_id="getOrganisation",
)
def get_organisation(request: HttpRequest, organisation_id: OrganisationId) -> OrganisationOut:
    """One organisation (staff, or a customer who belongs to it)."""
    user = api_user(request)
    return organisation_out(selectors.get_organisation_for_user(user, organisation_id), viewer=user)


@organisations_router.patch(
    "/{organisation_id}",
    response={200: OrganisationOut, **WRITE_ERRORS},
    operation_id="updateOrganisation",
)
def update_organisation(
    request: HttpRequest, organisation_id: OrganisationId, payload: OrganisationUpdateIn
) -> OrganisationOut:
    """Change name, tier or notes (staff); 409 `stale_version` if it moved on."""
    user = api_user(request)
    organisation = actions.update_organisation(
        acting_user=user,
        organisation=selectors.get_organisation_for_user(user, organisation_id),
        expected_version=payload.version,
        **_sent(payload),
    )
    return organisation_out(organisation, viewer=user)


@organisations_router.put(
    "/{organisation_id}/account-manager",
    response={200: OrganisationOut, **WRITE_ERRORS},
    operation_id="setAccountManager",
)
def set_account_manager(
    request: HttpRequest, organisation_id: OrganisationId, payload: AccountManagerIn
) -> OrganisationOut:
    """Name the staff member who looks after the organisation, or nobody (staff)."""
    user = api_user(request)
    manager = payload.account_manager
    organisation = actions.set_account_manager(
        acting_user=user,
        organisation=selectors.get_organisation_for_user(user, organisation_id),
        manager=get_user(manager, field="account_manager", viewer=user) if manager else None,
    )
    return organisation_out(organisation, viewer=user)
