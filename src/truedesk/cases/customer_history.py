"""One history per customer and organisation: the customer 360 and recognition.

Lives in cases because it reads cases and interactions; customers must not
import cases (cases -> customers -> accounts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q

from truedesk.accounts.errors import NotAllowed
from truedesk.accounts.models import User
from truedesk.cases.models import Case, Interaction
from truedesk.customers.models import Customer, Membership, Organisation
from truedesk.customers.selectors import get_customer, get_organisation

MAX_LIMIT = 500


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
    """Everything about one customer on one page; interactions are the newest `limit`."""

    customer: Customer
    cases: list[Case]
    interactions: list[Interaction]
    interactions_truncated: bool
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


def _recognition_from(customer: Customer, cases: Iterable[Case]) -> Recognition:
    counted = [case for case in cases if case.merged_into_id is None]
    return Recognition(
        tier=customer.tier,
        returning=len(counted) > 1,
        earlier_cases=max(len(counted) - 1, 0),
        first_contact_at=min((case.created_at for case in counted), default=None),
        lifetime_cases=len(counted),
        open_cases=sum(1 for case in counted if case.is_active),
    )


def get_recognition(customer: Customer, *, as_of: Case | None = None) -> Recognition:
    """Recognition in one query; with as_of, "earlier" means opened before that case."""
    counted = Case.objects.filter(customer=customer, merged_into__isnull=True)
    earlier = Q(pk__in=[])
    if as_of is not None:
        earlier = Q(created_at__lt=as_of.created_at) | Q(
            created_at=as_of.created_at, pk__lt=as_of.pk
        )
    figures = counted.aggregate(
        lifetime=Count("pk"),
        open=Count("pk", filter=Q(status__in=Case.ACTIVE_STATUSES)),
        first=Min("created_at"),
        earlier=Count("pk", filter=earlier),
    )
    earlier_cases = figures["earlier"] if as_of is not None else max(figures["lifetime"] - 1, 0)
    return Recognition(
        tier=customer.tier,
        returning=earlier_cases > 0,
        earlier_cases=earlier_cases,
        first_contact_at=figures["first"],
        lifetime_cases=figures["lifetime"],
        open_cases=figures["open"],
    )


def get_customer_360(*, user: User, customer: Customer, limit: int = 100) -> Customer360:
    """The customer's cases and newest interactions on every channel (staff only).

    A fixed number of queries whatever the size of the history.
    """
    _require_staff(user)
    limit = _bounded(limit)
    customer = get_customer(customer.pk)
    cases = list(
        Case.objects.filter(customer=customer)
        .select_related("owner", "department", "organisation")
        .order_by("-created_at", "-id")
    )
    interactions = list(
        Interaction.objects.filter(Q(case__customer=customer) | Q(author_customer=customer))
        .select_related("case", "handled_by", "author_user")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    return Customer360(
        customer=customer,
        cases=cases,
        interactions=interactions[:limit],
        interactions_truncated=len(interactions) > limit,
        recognition=_recognition_from(customer, cases),
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
