"""Every read of cases, timelines, transfers and attachments, scoped to what the user may see.

Selectors own permission scoping and the select_related / prefetch_related
that keep the number of queries fixed however many rows come back. Things a
user may not see raise NotFound, exactly like things that do not exist.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from truedesk.accounts.models import Department, User
from truedesk.cases import permissions
from truedesk.cases.errors import InvalidCursor, NotAllowed, NotFound
from truedesk.cases.models import (
    CUSTOMER_VISIBLE_EVENT_KINDS,
    INTERACTION_EVENT_KINDS,
    Attachment,
    Case,
    CaseEvent,
    CaseLink,
    Interaction,
    Transfer,
)
from truedesk.customers.models import ContactPoint, Customer
from truedesk.customers.selectors import authorised_customer_ids

SEARCH_LIMIT = 50
PAGE_LIMIT_MAX = 100
MAX_MERGE_DEPTH = 20


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "customer", "organisation", "department", "owner"
    ).prefetch_related("tags")


def _listed_cases() -> QuerySet[Case]:
    # Desk lists show the customer and department of each case, never tags,
    # organisation or owner: loading those cost more than rendering a row.
    return Case.objects.select_related("customer", "department")


def _require_staff(user: Any) -> User:
    if not permissions.is_staff(user):
        raise NotAllowed()
    assert isinstance(user, User)
    return user


def _visible_cases(user: Any) -> QuerySet[Case]:
    """All cases for staff, the own customer's cases for a customer, the authorised
    customers' cases for a partner user (a subquery, evaluated per request), else nothing."""
    if permissions.is_staff(user):
        return _cases()
    own = permissions.customer_id_of(user)
    if own is not None:
        return _cases().filter(customer_id=own)
    if permissions.is_partner_user(user):
        return _cases().filter(customer_id__in=authorised_customer_ids(user))
    return Case.objects.none()


def _statuses(status: str | Sequence[str] | None) -> list[str] | None:
    if status is None:
        return None
    return [status] if isinstance(status, str) else list(status)


# --- lists for staff -----------------------------------------------------------


def list_cases_for_agent(
    user: User,
    *,
    owned_only: bool = False,
    status: str | Sequence[str] | None = None,
    active_only: bool = False,
    department: Department | None = None,
    customer: Customer | None = None,
) -> QuerySet[Case]:
    """Cases for the desk, newest activity first; staff only (every case is readable)."""
    staff = _require_staff(user)
    cases = _cases()
    if owned_only:
        cases = cases.filter(owner=staff)
    statuses = _statuses(status)
    if statuses is not None:
        cases = cases.filter(status__in=statuses)
    if active_only:
        cases = cases.filter(status__in=Case.ACTIVE_STATUSES)
    if department is not None:
        cases = cases.filter(department=department)
    if customer is not None:
        cases = cases.filter(customer=customer)
    return cases.order_by("-updated_at", "-id")


def list_department_queue(user: User, department: Department) -> QuerySet[Case]:
    """Unowned active cases of a department: most urgent first, then oldest first."""
    _require_staff(user)
    return (
        _listed_cases()
        .filter(department=department, owner__isnull=True, status__in=Case.ACTIVE_STATUSES)
        .order_by("-priority", "-severity", "created_at", "id")
    )


def list_my_cases(user: User) -> QuerySet[Case]:
    """The user's own active cases, most urgent first, then most recently changed."""
    staff = _require_staff(user)
    return (
        _listed_cases()
        .filter(owner=staff, status__in=Case.ACTIVE_STATUSES)
        .order_by("-priority", "-updated_at", "-id")
    )


def list_pending_transfers_for(user: User) -> QuerySet[Transfer]:
    """Unexpired transfers waiting for this user or for a department he belongs to."""
    staff = _require_staff(user)
    # A subquery, not a join through the members: the join needed DISTINCT over
    # six selected tables, which PostgreSQL spent milliseconds planning.
    my_departments = Department.members.through.objects.filter(user_id=staff.pk).values(
        "department_id"
    )
    return (
        Transfer.objects.filter(status=Transfer.Status.PENDING, expires_at__gt=timezone.now())
        .filter(Q(to_user=staff) | Q(to_user__isnull=True, to_department_id__in=my_departments))
        .select_related(
            "case", "case__customer", "case__owner", "from_user", "to_user", "to_department"
        )
        .order_by("expires_at", "id")
    )


def list_transfers_for_case(user: User, case: Case) -> QuerySet[Transfer]:
    """Every transfer of the case, newest first (staff only: reasons are internal)."""
    _require_staff(user)
    return (
        Transfer.objects.filter(case=case)
        .select_related("from_user", "to_user", "to_department", "responded_by")
        .order_by("-created_at", "-id")
    )


def get_transfer_for_user(user: User, transfer_id: int) -> Transfer:
    """One transfer for a staff member; NotFound for anyone else or a wrong id."""
    if not permissions.is_staff(user):
        raise NotFound()
    try:
        return Transfer.objects.select_related(
            "case", "case__owner", "from_user", "to_user", "to_department"
        ).get(pk=int(transfer_id))
    except (Transfer.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def list_case_links(user: User, case: Case) -> list[CaseLink]:
    """Links from and to the case (staff only; customers get none: links are internal)."""
    if not permissions.can_view_internal(user):
        return []
    return list(
        CaseLink.objects.filter(Q(from_case=case) | Q(to_case=case))
        .select_related("from_case", "to_case", "created_by")
        .order_by("-created_at", "-id")
    )


# --- one case --------------------------------------------------------------------


def get_case_for_user(user: Any, number: int | str) -> Case:
    """The case with this number if the user may see it; NotFound otherwise (never reveals it)."""
    try:
        value = int(number)
    except (TypeError, ValueError):
        raise NotFound() from None
    case = _visible_cases(user).select_related("merged_into").filter(number=value).first()
    if case is None:
        raise NotFound()
    return case


def get_surviving_case(user: Any, case: Case) -> Case:
    """Follow a chain of merges to the case that survives, if the user may see it."""
    current = case
    for _depth in range(MAX_MERGE_DEPTH):
        if current.merged_into_id is None:
            break
        current = _cases().get(pk=current.merged_into_id)
    if not permissions.can_view_case(user, current):
        raise NotFound()
    return current


@dataclass(frozen=True)
class Position:
    """Where a newest-first list stopped: the last row's time, id and rank (the tie-break).

    Rows come after a position when (at, rank, pk) is smaller. Timelines rank
    interactions 1 and events 0: at one instant the interaction is listed first.
    """

    at: datetime
    pk: int
    rank: int = 0

    def encode(self) -> str:
        """An opaque, URL-safe cursor for "show older" links."""
        raw = json.dumps([self.at.isoformat(), self.pk, self.rank]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        """The position a cursor from `encode` names; InvalidCursor for anything else."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            stamp, pk, rank = json.loads(base64.urlsafe_b64decode(padded.encode()))
            moment = datetime.fromisoformat(stamp)
            if moment.tzinfo is None or type(pk) is not int or rank not in (0, 1):
                raise ValueError
            return cls(at=moment, pk=pk, rank=rank)
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise InvalidCursor() from None


@dataclass(frozen=True)
class TimelineItem:
    """One entry of a case timeline: an interaction or an event, with the case it happened on."""

    at: datetime
    case_number: int
    interaction: Interaction | None = None
    event: CaseEvent | None = None

    @property
    def kind(self) -> str:
        return "interaction" if self.interaction is not None else "event"

    @property
    def is_internal(self) -> bool:
        if self.interaction is not None:
            return bool(
                self.interaction.is_internal
                or self.interaction.direction == Interaction.Direction.INTERNAL
            )
        return self.event is not None and self.event.is_internal

    @property
    def position(self) -> Position:
        """Where a timeline page ending with this item stops."""
        obj = self.interaction or self.event
        return Position(
            at=self.at, pk=obj.pk if obj else 0, rank=1 if self.interaction is not None else 0
        )

    @property
    def _order(self) -> tuple[datetime, int, int]:
        position = self.position
        return (position.at, position.rank, position.pk)


def _merged_family(case: Case, *, same_customer_only: bool) -> dict[int, int]:
    """Map id -> number for the case and every case merged into it, directly or by chain."""
    family = {case.pk: case.number}
    frontier = [case.pk]
    for _depth in range(MAX_MERGE_DEPTH):
        if not frontier:
            break
        # No ordering: the default one made SQLite scan every case instead of
        # using the merged_into index.
        children = Case.objects.filter(merged_into_id__in=frontier).order_by()
        if same_customer_only:
            # A supervisor may merge across customers; a customer still sees
            # only his own conversations.
            children = children.filter(customer_id=case.customer_id)
        rows = list(children.values_list("pk", "number"))
        frontier = [pk for pk, _number in rows if pk not in family]
        family.update(rows)
    return family


def _older_than(before: Position, *, rank: int) -> Q:
    """Rows of the given rank that sort after `before` in a newest-first timeline."""
    if rank < before.rank:
        return Q(created_at__lte=before.at)
    if rank > before.rank:
        return Q(created_at__lt=before.at)
    return Q(created_at__lt=before.at) | Q(created_at=before.at, pk__lt=before.pk)


def get_case_timeline(
    user: Any, case: Case, *, limit: int | None = None, before: Position | None = None
) -> list[TimelineItem]:
    """Interactions (with those of merged cases) and events, newest first.

    Customers get no internal notes, internal interactions or internal events.
    Events that only mirror an interaction are left out: the interaction shows.
    With `before`, only what comes after that position (older entries).
    """
    if not permissions.can_view_case(user, case):
        raise NotFound()
    staff = permissions.can_view_internal(user)
    family = _merged_family(case, same_customer_only=not staff)
    interactions = (
        Interaction.objects.filter(case_id__in=family)
        .select_related("author_user__partner", "author_customer", "handled_by")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
    events = (
        CaseEvent.objects.filter(case=case)
        .exclude(kind__in=INTERACTION_EVENT_KINDS)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    if not staff:
        interactions = interactions.filter(is_internal=False).exclude(
            direction=Interaction.Direction.INTERNAL
        )
        events = events.filter(kind__in=CUSTOMER_VISIBLE_EVENT_KINDS)
    if before is not None:
        interactions = interactions.filter(_older_than(before, rank=1))
        events = events.filter(_older_than(before, rank=0))
    if limit is not None:
        interactions, events = interactions[:limit], events[:limit]
    items = [
        TimelineItem(at=i.created_at, case_number=family[i.case_id], interaction=i)
        for i in interactions
    ] + [TimelineItem(at=e.created_at, case_number=case.number, event=e) for e in events]
    items.sort(key=lambda item: item._order, reverse=True)
    return items[:limit] if limit is not None else items


def get_attachment_for_user(user: Any, attachment_id: int | str) -> Attachment:
    """An attachment the user may download; NotFound otherwise.

    Staff may fetch any; a customer only those of his own cases, a partner user
    those of his authorised customers' cases; never of an internal note or
    internal interaction to anyone but staff.
    """
    try:
        pk = int(attachment_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    attachments = Attachment.objects.select_related("case", "interaction")
    if not permissions.is_staff(user):
        own = permissions.customer_id_of(user)
        if own is not None:
            attachments = attachments.filter(case__customer_id=own)
        elif permissions.is_partner_user(user):
            attachments = attachments.filter(case__customer_id__in=authorised_customer_ids(user))
        else:
            raise NotFound()
        attachments = attachments.filter(interaction__is_internal=False).exclude(
            interaction__direction=Interaction.Direction.INTERNAL
        )
    attachment = attachments.filter(pk=pk).first()
    if attachment is None:
        raise NotFound()
    return attachment


# --- customers ---------------------------------------------------------------------


def list_cases_for_customer(user: Any) -> QuerySet[Case]:
    """The signed-in customer's own cases, most recently changed first (empty for anyone else)."""
    own = permissions.customer_id_of(user)
    if own is None:
        return Case.objects.none()
    return (
        _cases()
        .select_related("merged_into")
        .filter(customer_id=own)
        .order_by("-updated_at", "-id")
    )


def list_cases_for_partner(user: Any, *, customer: Customer | None = None) -> QuerySet[Case]:
    """The partner user's authorised customers' cases (optionally one customer's), newest first."""
    if not permissions.is_partner_user(user):
        return Case.objects.none()
    cases = _visible_cases(user).select_related("merged_into")
    if customer is not None:
        cases = cases.filter(customer=customer)
    return cases.order_by("-updated_at", "-id")


# --- search ---------------------------------------------------------------------------


def search_cases(user: Any, query: str, *, limit: int = SEARCH_LIMIT) -> list[Case]:
    """Cases whose number, subject, customer name or email, or message text match (≤50).

    Customers search only their own cases and never match internal notes.
    """
    text = " ".join(str(query or "").split())[:200]
    if len(text) < 2 and not text.isdigit():
        return []
    staff = permissions.is_staff(user)
    messages = Interaction.objects.filter(case=OuterRef("pk"), body__icontains=text)
    if not staff:
        messages = messages.filter(is_internal=False).exclude(
            direction=Interaction.Direction.INTERNAL
        )
    emails = ContactPoint.objects.filter(
        customer=OuterRef("customer_id"), normalized__icontains=text.lower()
    )
    match = (
        Q(subject__icontains=text)
        | Q(customer__name__icontains=text)
        | Exists(emails)
        | Exists(messages)
    )
    number = text.lstrip("#")
    if number.isdigit() and len(number) < 19:
        match |= Q(number=int(number))
    cases = _visible_cases(user).filter(match).order_by("-updated_at", "-id")
    return list(cases[: max(1, min(limit, SEARCH_LIMIT))])


# --- cursor pagination for API lists --------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    """Filters for list_cases_page; None / empty means "any"."""

    status: tuple[str, ...] = ()
    active_only: bool = False
    owner_id: int | None = None
    unowned: bool = False
    department_id: int | None = None
    customer_id: int | None = None
    organisation_id: int | None = None
    kind: str | None = None
    priority: int | None = None
    tag: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True)
class CasePage:
    """One page of cases and the opaque cursor of the next page (None on the last page)."""

    items: list[Case]
    next_cursor: str | None


def _encode_cursor(case: Case) -> str:
    raw = json.dumps([case.updated_at.isoformat(), case.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None or not isinstance(pk, int):
            raise ValueError
        return moment, pk
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise InvalidCursor() from None


def _apply_filters(cases: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    lookups: dict[str, Any] = {
        "status__in": list(filters.status) or None,
        "owner_id": filters.owner_id,
        "department_id": filters.department_id,
        "customer_id": filters.customer_id,
        "organisation_id": filters.organisation_id,
        "kind": filters.kind,
        "priority": filters.priority,
        "tags__name": filters.tag,
        "updated_at__gte": filters.updated_since,
    }
    cases = cases.filter(**{key: value for key, value in lookups.items() if value is not None})
    if filters.active_only:
        cases = cases.filter(status__in=Case.ACTIVE_STATUSES)
    if filters.unowned:
        cases = cases.filter(owner__isnull=True)
    return cases


def list_cases_page(
    user: Any,
    *,
    filters: CaseFilters | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> CasePage:
    """A page of visible cases ordered by (-updated_at, -id) with an opaque next cursor.

    Staff page through every case, customers through their own, partner users
    through their authorised customers'; anyone else gets NotAllowed. A
    tampered cursor raises InvalidCursor.
    """
    if not (
        permissions.is_staff(user)
        or permissions.customer_id_of(user) is not None
        or permissions.is_partner_user(user)
    ):
        raise NotAllowed()
    size = max(1, min(int(limit), PAGE_LIMIT_MAX))
    cases = _apply_filters(_visible_cases(user), filters or CaseFilters())
    if cursor:
        moment, pk = _decode_cursor(cursor)
        cases = cases.filter(Q(updated_at__lt=moment) | Q(updated_at=moment, pk__lt=pk))
    rows = list(cases.order_by("-updated_at", "-id")[: size + 1])
    items = rows[:size]
    next_cursor = _encode_cursor(items[-1]) if len(rows) > size else None
    return CasePage(items=items, next_cursor=next_cursor)
