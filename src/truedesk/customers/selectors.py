"""Reads of customers and organisations, scoped to who is asking."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from truedesk.accounts.models import AuditEvent, User
from truedesk.customers import errors
from truedesk.customers.models import (
    ContactPoint,
    Customer,
    Membership,
    Organisation,
    PartnerAuthorisation,
    normalise_email,
    normalise_phone,
)

MAX_PAGE = 200


@dataclass(frozen=True)
class CustomerFilters:
    """Optional narrowing for list_customers; empty values mean "any"."""

    tier: str = ""
    organisation_id: int | None = None
    query: str = ""
    updated_since: datetime | None = None


@dataclass
class CustomerPage:
    """One page of customers in id order; pass next_cursor back for the next page."""

    items: list[Customer] = field(default_factory=list)
    next_cursor: int | None = None


def _with_details(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    return queryset.prefetch_related(
        Prefetch(
            "contact_points",
            queryset=ContactPoint.objects.order_by("kind", "-is_primary", "created_at", "id"),
        ),
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related(
                "organisation", "organisation__account_manager"
            ).order_by("organisation__name", "id"),
        ),
    )


def _clamp(limit: int, default: int) -> int:
    try:
        return max(1, min(int(limit), MAX_PAGE))
    except (TypeError, ValueError):
        return default


def _as_id(value: object) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _require_staff(user: User) -> None:
    if not user.is_staff_member:
        raise errors.NotAllowed()


# --- Matching (used by channels to recognise who wrote or called) ----------------


def find_customer_by_email(email: str) -> Customer | None:
    """The customer owning this email address (case-insensitive), or None."""
    cleaned = normalise_email(email)
    if cleaned is None:
        return None
    point = (
        ContactPoint.objects.select_related("customer")
        .filter(kind=ContactPoint.Kind.EMAIL, normalized=cleaned[1])
        .first()
    )
    return point.customer if point is not None else None


def find_customers_by_phone(phone: str) -> list[Customer]:
    """Every customer reached at this number (a household may share one), by name."""
    cleaned = normalise_phone(phone)
    if cleaned is None:
        return []
    return list(
        Customer.objects.filter(
            contact_points__kind=ContactPoint.Kind.PHONE, contact_points__normalized=cleaned[1]
        )
        .distinct()
        .order_by("name", "id")
    )


# --- Staff reads -----------------------------------------------------------------


def _search_condition(query: str) -> Q | None:
    """Name, email, phone digits or organisation name containing the query; None if too short."""
    text = (query or "").strip()
    if len(text) < 2:
        return None
    condition = Q(name__icontains=text) | Q(
        pk__in=Membership.objects.filter(organisation__name__icontains=text).values("customer_id")
    )
    condition |= Q(
        pk__in=ContactPoint.objects.filter(
            kind=ContactPoint.Kind.EMAIL, normalized__contains=text.lower()
        ).values("customer_id")
    )
    digits = re.sub(r"\D", "", text)
    # Only a query that is mostly a number is read as one: "Flat 12" is not a phone.
    if len(digits) >= 4 and len(digits) * 2 >= len(text.replace(" ", "")):
        condition |= Q(
            pk__in=ContactPoint.objects.filter(
                kind=ContactPoint.Kind.PHONE, normalized__contains=digits
            ).values("customer_id")
        )
    return condition


def search_customers(user: User, query: str, *, limit: int = 20) -> list[Customer]:
    """Staff search by name, email, phone digits or organisation name, by name; details loaded."""
    _require_staff(user)
    condition = _search_condition(query)
    if condition is None:
        return []
    queryset = _with_details(Customer.objects.filter(condition)).order_by("name", "id")
    return list(queryset[: _clamp(limit, 20)])


def list_customers(
    user: User,
    *,
    filters: CustomerFilters | None = None,
    cursor: int | None = None,
    limit: int = 50,
) -> CustomerPage:
    """A page of customers for staff in id order (stable under inserts), details prefetched."""
    _require_staff(user)
    filters = filters or CustomerFilters()
    queryset = Customer.objects.order_by("id")
    if cursor is not None:
        queryset = queryset.filter(id__gt=cursor)
    if filters.tier:
        queryset = queryset.filter(tier=filters.tier)
    if filters.organisation_id is not None:
        queryset = queryset.filter(
            pk__in=Membership.objects.filter(organisation_id=filters.organisation_id).values(
                "customer_id"
            )
        )
    if filters.updated_since is not None:
        queryset = queryset.filter(updated_at__gte=filters.updated_since)
    condition = _search_condition(filters.query)
    if condition is not None:
        queryset = queryset.filter(condition)
    size = _clamp(limit, 50)
    items = list(_with_details(queryset)[: size + 1])
    more = len(items) > size
    items = items[:size]
    return CustomerPage(items=items, next_cursor=items[-1].pk if more else None)


def get_customer(customer_id: int) -> Customer:
    """The customer with contact points and memberships (organisations) loaded, or not found."""
    pk = _as_id(customer_id)
    customer = _with_details(Customer.objects.filter(pk=pk)).first() if pk else None
    if customer is None:
        raise errors.CustomerNotFound()
    return customer


def get_customer_for_user(user: User, customer_id: int) -> Customer:
    """Staff see any customer; a customer his own record; a partner those who authorised it.

    A record the user may not see is reported as not found, so ids cannot be probed.
    """
    if user.is_staff_member:
        return get_customer(customer_id)
    pk = _as_id(customer_id)
    if user.is_customer and pk is not None and Customer.objects.filter(pk=pk, user=user).exists():
        return get_customer(pk)
    if user.is_partner and pk is not None and is_authorised_partner(user, pk):
        return get_customer(pk)
    raise errors.CustomerNotFound()


def list_organisations(user: User, *, query: str = "", limit: int = 100) -> list[Organisation]:
    """Organisations for staff by name, with account manager and member count."""
    _require_staff(user)
    queryset = Organisation.objects.select_related("account_manager").annotate(
        member_count=Count("memberships")
    )
    if query.strip():
        queryset = queryset.filter(name__icontains=query.strip())
    return list(queryset.order_by("name", "id")[: _clamp(limit, 100)])


def get_organisation(organisation_id: int) -> Organisation:
    """The organisation with its account manager loaded, or not found."""
    pk = _as_id(organisation_id)
    organisation = (
        Organisation.objects.select_related("account_manager").filter(pk=pk).first() if pk else None
    )
    if organisation is None:
        raise errors.OrganisationNotFound()
    return organisation


def get_organisation_for_user(user: User, organisation_id: int) -> Organisation:
    """Staff see any organisation; a customer sees the ones they belong to; others nothing."""
    if user.is_staff_member:
        return get_organisation(organisation_id)
    pk = _as_id(organisation_id)
    if (
        user.is_customer
        and pk is not None
        and Membership.objects.filter(organisation_id=pk, customer__user=user).exists()
    ):
        return get_organisation(pk)
    raise errors.OrganisationNotFound()


# --- partner authorisations ----------------------------------------------------------
# Read on every request and never cached: revoking a grant stops access at the
# partner's next request (PRODUCT.md capability 4).

ACTIVITY_LIMIT = 50


def live_authorisations() -> QuerySet[PartnerAuthorisation]:
    """Authorisations neither revoked nor expired at this moment."""
    return PartnerAuthorisation.objects.filter(revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


def authorised_customer_ids(user: object, *, follow_only: bool = False) -> QuerySet[Any]:
    """A subquery of the customer ids the partner user may act for (empty for anyone else).

    With `follow_only`, only customers who let the partner open and follow cases
    (not read-only grants).
    """
    if not isinstance(user, User) or not user.is_partner or user.partner_id is None:
        return PartnerAuthorisation.objects.none().values("customer_id")
    grants = live_authorisations().filter(partner_id=user.partner_id)
    if follow_only:
        grants = grants.filter(scope=PartnerAuthorisation.Scope.FOLLOW)
    return grants.values("customer_id")


def is_authorised_partner(user: object, customer_id: int, *, follow_only: bool = False) -> bool:
    """True when the user is an active partner user with a live grant from this customer."""
    return (
        authorised_customer_ids(user, follow_only=follow_only)
        .filter(customer_id=customer_id)
        .exists()
    )


def list_authorised_customers(user: User) -> list[Customer]:
    """The customers who authorised the user's partner, by name, details loaded."""
    if not user.is_partner:
        raise errors.NotAllowed()
    customers = Customer.objects.filter(pk__in=authorised_customer_ids(user))
    return list(_with_details(customers).order_by("name", "id"))


def list_live_authorisations_for_partner(user: User) -> list[PartnerAuthorisation]:
    """The partner's live grants with their customers, by customer name (partner users only)."""
    if not user.is_partner:
        raise errors.NotAllowed()
    return list(
        live_authorisations()
        .filter(partner=user.partner)
        .select_related("customer")
        .order_by("customer__name", "id")
    )


def list_authorisations_for_customer(customer: Customer) -> list[PartnerAuthorisation]:
    """Every grant the customer gave, live or not, newest first, with who granted/revoked."""
    return list(
        PartnerAuthorisation.objects.filter(customer=customer)
        .select_related("partner", "granted_by", "revoked_by")
        .order_by("-granted_at", "-id")
    )


def get_authorisation_for_customer(
    customer: Customer, authorisation_id: object
) -> PartnerAuthorisation:
    """One of the customer's own grants; AuthorisationNotFound for any other id."""
    pk = _as_id(authorisation_id)
    found = (
        PartnerAuthorisation.objects.filter(pk=pk, customer=customer)
        .select_related("partner")
        .first()
        if pk
        else None
    )
    if found is None:
        raise errors.AuthorisationNotFound()
    return found


def list_partner_activity(customer: Customer, *, limit: int = ACTIVITY_LIMIT) -> list[AuditEvent]:
    """Audit rows about partner access to this customer (grants, partner actions), newest first."""
    return list(
        AuditEvent.objects.filter(
            object_type=Customer._meta.label_lower,
            object_id=str(customer.pk),
            action__startswith="partner.",
        ).order_by("-created_at", "-id")[: _clamp(limit, ACTIVITY_LIMIT)]
    )


def partner_label(*, user: User, customer: Customer) -> str:
    """How a partner user's action is recorded: "partner P (user) for customer C"."""
    partner = user.partner.name if user.partner is not None else "?"
    return f"partner {partner} ({user.username}) for customer {customer.name}"[:120]
