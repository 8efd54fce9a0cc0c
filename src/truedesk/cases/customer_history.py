"""One history per customer and organisation: the customer 360 and recognition.

Lives in cases because it reads cases and interactions; customers must not
import cases (cases -> customers -> accounts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from truedesk.accounts.errors import NotAllowed
from truedesk.accounts.models import User
from truedesk.cases.models import Case, Interaction
from truedesk.cases.selectors import Position
from truedesk.customers.models import Customer, Membership, Organisation
from truedesk.customers.selectors import get_customer, get_organisation

MAX_LIMIT = 500
CASES_PER_PAGE = 50
INTERACTIONS_PER_PAGE = 50


@dataclass(frozen=True)
class Recognition:
    """What staff should know at a glance: tier, returning badge and lifetime figures.

    Merged duplicates are not counted: they are the same issue told twice.
    """

    tier: str
    returning: bool
    earlier_cases: int
    first_contact_at: datetime | None
    lifetime_cases: int
    open_cases: int


@dataclass(frozen=True)
class Customer360:
    """One customer on one page: a page of cases and the newest `limit` interactions.

    `cases` is page `cases_page` (newest first) of `cases_total` cases, merged
    ones included; `interactions` come after `before` when it is given, and
    `older` is the position to continue from while more remain.
    """

    customer: Customer
    cases: list[Case]
    cases_page: int
    cases_pages: int
    cases_total: int
    interactions: list[Interaction]
    interactions_truncated: bool
    older: Position | None
    recognition: Recognition


@dataclass(frozen=True)
class OrganisationOverview:
    """An organisation with its members, account manager and newest cases."""

    organisation: Organisation
    account_manager: User | None
    members: list[Membership]
    cases: list[Case]
    cases_truncated: bool
    open_cases: int


def _require_staff(user: User) -> None:
    if not user.is_staff_member:
        raise NotAllowed()


def _bounded(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def _case_figures(customer: Customer, *, as_of: Case | None = None) -> dict[str, Any]:
    """Every count the recognition and the 360 need, in one aggregate query."""
    counted = Q(merged_into__isnull=True)
    earlier = Q(pk__in=[])
    if as_of is not None:
        earlier = Q(created_at__lt=as_of.created_at) | Q(
            created_at=as_of.created_at, pk__lt=as_of.pk
        )
    return Case.objects.filter(customer=customer).aggregate(
        total=Count("pk"),
        lifetime=Count("pk", filter=counted),
        open=Count("pk", filter=counted & Q(status__in=Case.ACTIVE_STATUSES)),
        first=Min("created_at", filter=counted),
        earlier=Count("pk", filter=counted & earlier),
    )


def _recognition_from(
    customer: Customer, figures: dict[str, Any], *, as_of: Case | None = None
) -> Recognition:
    lifetime = figures["lifetime"]
    earlier_cases = figures["earlier"] if as_of is not None else max(lifetime - 1, 0)
    return Recognition(
        tier=customer.tier,
        returning=earlier_cases > 0,
        earlier_cases=earlier_cases,
        first_contact_at=figures["first"],
        lifetime_cases=lifetime,
        open_cases=figures["open"],
    )


def get_recognition(customer: Customer, *, as_of: Case | None = None) -> Recognition:
    """Recognition in one query; with as_of, "earlier" means opened before that case."""
    return _recognition_from(customer, _case_figures(customer, as_of=as_of), as_of=as_of)


def _newest(
    interactions: QuerySet[Interaction], before: Position | None, limit: int
) -> QuerySet[Interaction]:
    if before is not None:
        interactions = interactions.filter(
            Q(created_at__lt=before.at) | Q(created_at=before.at, pk__lt=before.pk)
        )
    return interactions.order_by("-created_at", "-id")[:limit]


def _customer_interactions(
    customer: Customer, *, before: Position | None, limit: int
) -> list[Interaction]:
    """The newest `limit` interactions on the customer's cases or written by him, in 2 queries.

    One query with "case's customer OR author" cannot use an index and read
    every interaction; each half alone walks an index and stops at `limit`.
    """
    # Ids first: sorting thousands of full rows of a long history cost more
    # than fetching the chosen few by primary key.
    on_cases = _newest(Interaction.objects.filter(case__customer=customer), before, limit)
    by_customer = _newest(Interaction.objects.filter(author_customer=customer), before, limit)
    rows = Interaction.objects.select_related("case", "handled_by", "author_user")
    found = {row.pk: row for row in rows.filter(pk__in=on_cases.values("pk"))}
    found.update((row.pk, row) for row in rows.filter(pk__in=by_customer.values("pk")))
    newest = sorted(found.values(), key=lambda row: (row.created_at, row.pk), reverse=True)
    return newest[:limit]


def _customer_with_details(customer: Customer) -> Customer:
    # The desk view has already loaded the customer with contact points and
    # memberships while authorising; loading them again would cost 3 queries.
    loaded = getattr(customer, "_prefetched_objects_cache", {})
    if "contact_points" in loaded and "memberships" in loaded:
        return customer
    return get_customer(customer.pk)


def get_customer_360(
    *,
    user: User,
    customer: Customer,
    limit: int | None = None,
    before: Position | None = None,
    cases_page: int = 1,
    cases_per_page: int | None = None,
) -> Customer360:
    """A page of the customer's cases and his newest interactions on every channel (staff only).

    A fixed number of queries whatever the size of the history; a page number
    past the end shows the last page.
    """
    _require_staff(user)
    limit = _bounded(limit or INTERACTIONS_PER_PAGE)
    per_page = _bounded(cases_per_page or CASES_PER_PAGE)
    customer = _customer_with_details(customer)
    figures = _case_figures(customer)
    pages = max(1, -(-figures["total"] // per_page))
    page = min(max(1, int(cases_page)), pages)
    offset = (page - 1) * per_page
    cases = list(
        Case.objects.filter(customer=customer)
        .select_related("owner", "department")
        .order_by("-created_at", "-id")[offset : offset + per_page]
    )
    interactions = _customer_interactions(customer, before=before, limit=limit + 1)
    shown = interactions[:limit]
    truncated = len(interactions) > limit
    return Customer360(
        customer=customer,
        cases=cases,
        cases_page=page,
        cases_pages=pages,
        cases_total=figures["total"],
        interactions=shown,
        interactions_truncated=truncated,
        older=Position(at=shown[-1].created_at, pk=shown[-1].pk) if truncated else None,
        recognition=_recognition_from(customer, figures),
    )


def get_organisation_overview(
    *, user: User, organisation: Organisation, limit: int = 100
) -> OrganisationOverview:
    """The organisation's members, account manager and newest cases (staff only)."""
    _require_staff(user)
    limit = _bounded(limit)
    organisation = get_organisation(organisation.pk)
    members = list(
        Membership.objects.filter(organisation=organisation)
        .select_related("customer")
        .order_by("-is_primary_contact", "customer__name", "id")
    )
    org_cases = Case.objects.filter(organisation=organisation)
    cases = list(
        org_cases.select_related("customer", "owner", "department").order_by("-created_at", "-id")[
            : limit + 1
        ]
    )
    return OrganisationOverview(
        organisation=organisation,
        account_manager=organisation.account_manager,
        members=members,
        cases=cases[:limit],
        cases_truncated=len(cases) > limit,
        open_cases=org_cases.filter(status__in=Case.ACTIVE_STATUSES).count(),
    )
