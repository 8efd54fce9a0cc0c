"""Bulk benchmark data: departments, agents, organisations, customers, cases, interactions.

    python -m bench.generate --cases 100000 --interactions 1000000 --customers 20000 \
        --organisations 2000 --agents 50

Run it against a fresh, migrated database (DATABASE_URL / TRUEDESK_DATA_DIR). The
output is deterministic for a seed and a day. Rows go in with bulk_create in
batches, one transaction per chunk of cases; the case-number block is taken from
cases.numbering so the app keeps numbering after the generated cases, and every
case's counters agree with its interactions and staff contacts.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import django
from django.apps import apps

if not apps.ready:  # run as a script rather than imported by Django code or a test
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
    django.setup()

import numpy as np
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils.html import escape
from tqdm import tqdm

from bench import BENCH_AGENT, DEFAULT_SEED, SCALES
from bench.samples import (
    AGENT_SAYS,
    CUSTOMER_SAYS,
    INTERNAL_NOTES,
    NAMES,
    SUBJECTS,
    ascii_stem,
    words,
)
from truedesk.accounts.models import Department, User
from truedesk.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseStaffContact,
    EventKind,
    Interaction,
    Tag,
)
from truedesk.cases.numbering import next_case_number
from truedesk.customers.models import ContactPoint, Customer, Membership, Organisation, Tier

# A known password so a person can sign in to a generated database and look
# around (`truedesk run` with the same DATABASE_URL); bench data only.
BENCH_PASSWORD = "bench-password-1"
CASES_PER_CHUNK = 5_000
HISTORY_DAYS = 730
RECENT_DAYS = 30

M = TypeVar("M", bound=models.Model)
S = Case.Status
Ch = Interaction.Channel
Dir = Interaction.Direction


DEPARTMENTS = [  # (slug, name, weight of cases)
    ("support", "Technical support", 35),
    ("billing", "Billing", 25),
    ("orders", "Orders and delivery", 12),
    ("accounts", "Accounts and contracts", 10),
    ("sales", "Sales", 10),
    ("complaints", "Complaints", 8),
]
RECENT_STATUSES = [
    (S.NEW, 25),
    (S.OPEN, 35),
    (S.WAITING_ON_CUSTOMER, 20),
    (S.WAITING_ON_THIRD_PARTY, 5),
    (S.RESOLVED, 10),
    (S.CLOSED, 5),
]
OLD_STATUSES = [(S.OPEN, 1), (S.WAITING_ON_CUSTOMER, 1), (S.RESOLVED, 8), (S.CLOSED, 90)]
KINDS = [
    (Case.Kind.QUESTION, 40),
    (Case.Kind.SERVICE_REQUEST, 30),
    (Case.Kind.COMPLAINT, 10),
    (Case.Kind.BILLING_DISPUTE, 8),
    (Case.Kind.REGULATORY_COMPLAINT, 1),
    (Case.Kind.SALES_ENQUIRY, 11),
]
PRIORITIES = [(1, 15), (2, 60), (3, 20), (4, 5)]
SEVERITIES = [(1, 55), (2, 30), (3, 12), (4, 3)]
FIRST_CHANNELS = [
    (Ch.EMAIL, 40),
    (Ch.PHONE, 30),
    (Ch.PORTAL, 12),
    (Ch.CHAT, 10),
    (Ch.WEB_FORM, 5),
    (Ch.IN_PERSON, 3),
]
LANGUAGES = [("lt", 45), ("en", 20), ("ru", 20), ("uk", 15)]
TIME_ZONES = {
    "lt": "Europe/Vilnius",
    "en": "Europe/London",
    "ru": "Europe/Vilnius",
    "uk": "Europe/Kyiv",
}
TIERS = [(Tier.STANDARD, 80), (Tier.SILVER, 12), (Tier.GOLD, 6), (Tier.PLATINUM, 2)]
TAGS = words("""
    outage refund router fibre mobile invoice delivery contract bereavement vip callback regulator
""")
SPOKEN = {Ch.PHONE, Ch.CHAT, Ch.IN_PERSON}


class GenerationError(Exception):
    """The generator was asked for something it cannot produce."""


@dataclass
class GenerationResult:
    """What was generated and how long it took."""

    counts: dict[str, int]
    seconds: float
    # CPU time of this process: on a shared machine wall time says more about the neighbours.
    cpu_seconds: float
    first_case_number: int
    last_case_number: int
    phase_seconds: dict[str, float] = field(default_factory=dict)


def counts_as_contact(direction: str) -> bool:
    """Whether an interaction adds to Case.contact_count: a contact the customer made.

    As in cases.actions: the runaround guard counts how often the customer had to
    reach out. Every customer-facing interaction (not internal notes) counts its
    `handled_by` staff member towards staff_touched_count.
    """
    return direction == Dir.INBOUND


def table_counts() -> dict[str, int]:
    """Row counts of the tables the generator fills."""
    return {
        "users": User.objects.count(),
        "departments": Department.objects.count(),
        "organisations": Organisation.objects.count(),
        "customers": Customer.objects.count(),
        "memberships": Membership.objects.count(),
        "contact_points": ContactPoint.objects.count(),
        "cases": Case.objects.count(),
        "interactions": Interaction.objects.count(),
        "staff_contacts": CaseStaffContact.objects.count(),
        "case_events": CaseEvent.objects.count(),
    }


def generate(
    *,
    cases: int,
    interactions: int,
    customers: int,
    organisations: int,
    agents: int,
    seed: int = DEFAULT_SEED,
    batch_size: int = 5_000,
    now: datetime | None = None,
    progress: bool = True,
) -> GenerationResult:
    """Fill the database; refuses if bench users exist. Same seed and `now` -> same data."""
    if cases < 1 or interactions < cases or customers < 1 or agents < 1 or organisations < 0:
        raise GenerationError(
            "need cases >= 1, interactions >= cases, customers >= 1, agents >= 1, "
            "organisations >= 0"
        )
    if User.objects.filter(username=BENCH_AGENT).exists():
        raise GenerationError("this database already holds bench data: use a fresh one")
    started, cpu_started = time.perf_counter(), time.process_time()
    phases: dict[str, float] = {}
    anchor = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    ctx = _Context(random.Random(seed), np.random.default_rng(seed), anchor, batch_size, progress)
    with _fast_writes():
        t = time.perf_counter()
        staff = _create_staff(ctx, agents)
        organisation_ids = _create_organisations(ctx, organisations, staff)
        people = _create_customers(ctx, customers, organisation_ids)
        phases["people"] = time.perf_counter() - t
        t = time.perf_counter()
        first_number = _reserve_case_numbers(cases)
        _create_cases(ctx, staff, people, cases, interactions, first_number)
        phases["cases"] = time.perf_counter() - t
        t = time.perf_counter()
        _reset_sequences()
        _analyze()
        phases["analyze"] = time.perf_counter() - t
    return GenerationResult(
        counts=table_counts(),
        seconds=round(time.perf_counter() - started, 1),
        cpu_seconds=round(time.process_time() - cpu_started, 1),
        first_case_number=first_number,
        last_case_number=first_number + cases - 1,
        phase_seconds={key: round(value, 1) for key, value in phases.items()},
    )


# --- plumbing -----------------------------------------------------------------


@dataclass
class _Context:
    rng: random.Random
    nprng: np.random.Generator
    now: datetime
    batch_size: int
    progress: bool

    _tables: dict[int, tuple[list[Any], list[int]]] = field(default_factory=dict)

    def pick(self, weighted: Sequence[tuple[Any, int]]) -> Any:
        """One value drawn by weight; the tables are module constants, so cache by identity."""
        table = self._tables.get(id(weighted))
        if table is None:
            values = [value for value, _weight in weighted]
            cumulative = list(itertools.accumulate(weight for _value, weight in weighted))
            table = self._tables[id(weighted)] = (values, cumulative)
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def bar(self, label: str, total: int | None, position: int = 0) -> tqdm[Any]:
        return tqdm(
            total=total,
            desc=f"{label:>14}",
            unit=" rows",
            unit_scale=True,
            position=position,
            disable=not self.progress,
            dynamic_ncols=True,
            smoothing=0.1,
        )

    def insert(self, model: type[M], rows: list[M], bar: tqdm[Any] | None = None) -> list[M]:
        created = model._default_manager.bulk_create(rows, batch_size=self.batch_size)
        if bar is not None:
            bar.update(len(rows))
        return created


@contextmanager
def _fast_writes() -> Iterator[None]:
    """Skip waiting for the disk while generating; a crash loses only bench data."""
    if connection.in_atomic_block:  # inside a test transaction: leave the session alone
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET synchronous_commit")
            elif connection.vendor == "sqlite":
                cursor.execute("PRAGMA synchronous = NORMAL")


def _reserve_case_numbers(count: int) -> int:
    """Take a block of `count` numbers; the app's next case is numbered after it.

    Not safe against cases opened by the app during generation: bench databases only.
    """
    with transaction.atomic():
        first = next_case_number()
        last = first + count - 1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval('cases_case_number_seq', %s)", [last])
        else:
            CaseNumberCounter.objects.filter(pk=1).update(value=last)
    return first


def _next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1


def _reset_sequences() -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's id sequences past them."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT already follows the largest id used
    tables: list[type[models.Model]] = [
        Case,
        Interaction,
        CaseStaffContact,
        CaseEvent,
        Case.tags.through,
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)


def _analyze() -> None:
    """Give the query planner statistics, as a maintained production database has."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- people -------------------------------------------------------------------


@dataclass
class _Staff:
    bench_agent_id: int
    all_ids: list[int]
    by_department: dict[int, list[int]]  # without the bench agent
    department_ids: list[int]
    department_weights: list[int]
    user_names: dict[int, str]
    department_names: dict[int, str]


@dataclass
class _People:
    ids: list[int]
    languages: list[str]
    organisations: list[tuple[int, ...]]
    user_ids: list[int | None]  # portal logins


def _person(ctx: _Context, language: str) -> tuple[str, str, str]:
    """(first name, last name, ascii email stem) in the language's own script."""
    male_first, female_first, male_last, female_last = NAMES[language]
    female = ctx.rng.random() < 0.5
    first = ctx.rng.choice((female_first if female else male_first).split())
    last = ctx.rng.choice((female_last if female else male_last).split())
    return first, last, f"{ascii_stem(first)}.{ascii_stem(last)}"


def _create_staff(ctx: _Context, agents: int) -> _Staff:
    departments = []
    for slug, name, _weight in DEPARTMENTS:
        department, _ = Department.objects.get_or_create(slug=slug, defaults={"name": name})
        departments.append(department)
    password = make_password(BENCH_PASSWORD)  # hashed once: PBKDF2 per user takes minutes
    users = [
        User(
            username=BENCH_AGENT,
            first_name="Bench",
            last_name="Agent",
            kind="staff",
            role="agent",
            email="bench-agent@example.com",
            password=password,
        )
    ]
    for index in range(2, agents + 1):
        first, last, stem = _person(ctx, ctx.pick([("lt", 70), ("en", 15), ("ru", 15)]))
        role = "supervisor" if index % 10 == 0 else "agent"
        users.append(
            User(
                username=f"agent-{index:03d}",
                first_name=first,
                last_name=last,
                kind="staff",
                role=role,
                email=f"{stem}.{index}@example.com",
                password=password,
            )
        )
    users = ctx.insert(User, users)
    through = Department.members.through
    links = [through(department_id=d.pk, user_id=users[0].pk) for d in departments]
    by_department: dict[int, list[int]] = {d.pk: [] for d in departments}
    for position, user in enumerate(users[1:]):
        homes = {departments[position % len(departments)]}
        if ctx.rng.random() < 0.4:
            homes.add(ctx.rng.choice(departments))
        for department in sorted(homes, key=lambda d: d.pk):
            links.append(through(department_id=department.pk, user_id=user.pk))
            by_department[department.pk].append(user.pk)
    through.objects.bulk_create(links)
    return _Staff(
        bench_agent_id=users[0].pk,
        all_ids=[u.pk for u in users],
        by_department=by_department,
        department_ids=[d.pk for d in departments],
        department_weights=[weight for _s, _n, weight in DEPARTMENTS],
        user_names={u.pk: u.display_name for u in users},
        department_names={d.pk: d.name for d in departments},
    )


def _create_organisations(ctx: _Context, count: int, staff: _Staff) -> list[int]:
    first = [
        "Baltic",
        "Nord",
        "Amber",
        "Neris",
        "Vilnius",
        "Kaunas",
        "Green",
        "Rapid",
        "Union",
        "Sigma",
    ]
    second = [
        "Logistics",
        "Foods",
        "Energy",
        "Travel",
        "Software",
        "Clinic",
        "Hotels",
        "Motors",
        "Telecom",
        "Build",
    ]
    forms = ["UAB", "AB", "Ltd", "LLC"]
    combos = len(first) * len(second) * len(forms)
    rows = []
    for index in range(count):
        name = f"{forms[index % 4]} {first[(index // 4) % 10]} {second[(index // 40) % 10]}"
        if index >= combos:
            name += f" {index // combos + 1}"
        manager = ctx.rng.choice(staff.all_ids) if ctx.rng.random() < 0.3 else None
        rows.append(Organisation(name=name, tier=ctx.pick(TIERS), account_manager_id=manager))
    with ctx.bar("organisations", count) as bar:
        return [org.pk for org in ctx.insert(Organisation, rows, bar)]


def _create_customers(ctx: _Context, count: int, organisation_ids: list[int]) -> _People:
    org_weights = ctx.nprng.lognormal(0.0, 1.0, len(organisation_ids)) if organisation_ids else None
    drafts = []
    for index in range(count):
        language = ctx.pick(LANGUAGES)
        first, last, stem = _person(ctx, language)
        email = f"{stem}.{index + 1}@example.{('com', 'net', 'org')[index % 3]}"
        drafts.append((language, first, last, email, ctx.rng.random() < 0.1))
    portal_users = [
        User(
            username=email,
            email=email,
            first_name=first,
            last_name=last,
            kind="customer",
            role="",
            language=language,
            password=make_password(None),
        )
        for language, first, last, email, has_login in drafts
        if has_login
    ]
    with ctx.bar("customers", count) as bar:
        user_ids = iter(u.pk for u in ctx.insert(User, portal_users))
        rows = [
            Customer(
                name=f"{first} {last}",
                language=language,
                time_zone=TIME_ZONES[language],
                tier=ctx.pick(TIERS),
                user_id=next(user_ids) if has_login else None,
            )
            for language, first, last, email, has_login in drafts
        ]
        created = ctx.insert(Customer, rows, bar)
    points, memberships, people = [], [], _People([], [], [], [])
    primary_taken: set[int] = set()
    for customer, (language, _first, _last, email, _login) in zip(created, drafts, strict=True):
        points.append(
            ContactPoint(
                customer_id=customer.pk,
                kind="email",
                value=email,
                normalized=email.lower(),
                is_primary=True,
            )
        )
        if ctx.rng.random() < 0.6:
            digits = f"3706{ctx.rng.randrange(10**7):07d}"
            points.append(
                ContactPoint(
                    customer_id=customer.pk, kind="phone", value=f"+{digits}", normalized=digits
                )
            )
        orgs: tuple[int, ...] = ()
        if org_weights is not None and ctx.rng.random() < 0.35:
            size = 2 if ctx.rng.random() < 0.05 else 1
            orgs = tuple(
                dict.fromkeys(ctx.rng.choices(organisation_ids, org_weights.tolist(), k=size))
            )
            for org in orgs:
                memberships.append(
                    Membership(
                        customer_id=customer.pk,
                        organisation_id=org,
                        is_primary_contact=org not in primary_taken,
                    )
                )
                primary_taken.add(org)
        people.ids.append(customer.pk)
        people.languages.append(language)
        people.organisations.append(orgs)
        people.user_ids.append(customer.user_id)
    with ctx.bar("contact points", len(points) + len(memberships)) as bar:
        ctx.insert(ContactPoint, points, bar)
        ctx.insert(Membership, memberships, bar)
    return people


# --- cases --------------------------------------------------------------------


@dataclass
class _Chunk:
    cases: list[Case] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    contacts: list[CaseStaffContact] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    tag_links: list[Any] = field(default_factory=list)


def _create_cases(
    ctx: _Context, staff: _Staff, people: _People, cases: int, interactions: int, first_number: int
) -> None:
    """Stream cases in chunks so memory stays flat at a million interactions."""
    customer_weights = ctx.nprng.lognormal(0.0, 1.0, len(people.ids))
    owners_of = ctx.nprng.choice(
        len(people.ids), size=cases, p=customer_weights / customer_weights.sum()
    )
    # At least one interaction per case; the rest spread with a long tail.
    spread = ctx.nprng.gamma(1.5, size=cases)
    per_case = 1 + ctx.nprng.multinomial(interactions - cases, spread / spread.sum())
    history = HISTORY_DAYS * 86_400
    offsets = np.sort(ctx.nprng.uniform(0, history, cases))
    start = ctx.now - timedelta(seconds=history)
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in TAGS]
    builder = _CaseBuilder(
        ctx, staff, people, tag_ids, case_id=_next_id(Case), interaction_id=_next_id(Interaction)
    )
    with ExitStack() as stack:
        bars = [
            stack.enter_context(ctx.bar(label, total, position))
            for position, (label, total) in enumerate(
                [
                    ("cases", cases),
                    ("interactions", interactions),
                    ("staff contacts", None),
                    ("case events", cases),
                ]
            )
        ]
        for chunk_start in range(0, cases, CASES_PER_CHUNK):
            chunk = _Chunk()
            for index in range(chunk_start, min(cases, chunk_start + CASES_PER_CHUNK)):
                created_at = start + timedelta(seconds=float(offsets[index]))
                builder.build(
                    chunk,
                    number=first_number + index,
                    created_at=created_at,
                    customer=int(owners_of[index]),
                    interactions=int(per_case[index]),
                )
            with transaction.atomic():
                ctx.insert(Case, chunk.cases, bars[0])
                ctx.insert(Case.tags.through, chunk.tag_links)
                ctx.insert(Interaction, chunk.interactions, bars[1])
                ctx.insert(CaseStaffContact, chunk.contacts, bars[2])
                ctx.insert(CaseEvent, chunk.events, bars[3])


class _CaseBuilder:
    """Builds one case with its interactions, staff contacts and opening event."""

    def __init__(
        self,
        ctx: _Context,
        staff: _Staff,
        people: _People,
        tag_ids: list[int],
        *,
        case_id: int,
        interaction_id: int,
    ) -> None:
        self.ctx, self.rng, self.staff, self.people = ctx, ctx.rng, staff, people
        self.tag_ids = tag_ids
        self.case_id, self.interaction_id = case_id, interaction_id
        # The bench agent owns about as many cases as any other agent.
        self.bench_share = 1 / max(1, len(staff.all_ids))

    def build(
        self, chunk: _Chunk, *, number: int, created_at: datetime, customer: int, interactions: int
    ) -> None:
        rng, ctx = self.rng, self.ctx
        case_id, self.case_id = self.case_id, self.case_id + 1
        language = self.people.languages[customer]
        department = rng.choices(self.staff.department_ids, self.staff.department_weights)[0]
        recent = created_at > ctx.now - timedelta(days=RECENT_DAYS)
        status = ctx.pick(RECENT_STATUSES if recent else OLD_STATUSES)
        owned = status != S.NEW and rng.random() < (
            0.97 if status in (S.RESOLVED, S.CLOSED) else 0.9
        )
        owner = self._staff_member(department) if owned else None
        lifespan = timedelta(hours=min(24 * 90, rng.lognormvariate(3.2, 1.3)))
        end = min(created_at + lifespan, ctx.now - timedelta(minutes=1))
        end = max(end, created_at)
        orgs = self.people.organisations[customer]
        initiated = Case.Initiator.COMPANY if rng.random() < 0.08 else Case.Initiator.CUSTOMER
        case = Case(
            id=case_id,
            number=number,
            subject=rng.choice(SUBJECTS[language]),
            customer_id=self.people.ids[customer],
            department_id=department,
            owner_id=owner,
            organisation_id=rng.choice(orgs) if orgs and rng.random() < 0.6 else None,
            kind=ctx.pick(KINDS),
            initiated_by=initiated,
            status=status,
            priority=ctx.pick(PRIORITIES),
            severity=ctx.pick(SEVERITIES),
            created_at=created_at,
            resolved_at=end if status in (S.RESOLVED, S.CLOSED) else None,
            closed_at=end if status == S.CLOSED else None,
        )
        channel = ctx.pick(FIRST_CHANNELS)
        first = self._interactions(
            chunk, case, count=interactions, end=end, channel=channel, language=language
        )
        if status in (S.RESOLVED, S.CLOSED):
            case.updated_at = end
        chunk.cases.append(case)
        chunk.events.append(self._opened_event(case, first, customer))
        if rng.random() < 0.25:
            for tag in rng.sample(self.tag_ids, rng.choice((1, 1, 2))):
                chunk.tag_links.append(Case.tags.through(case_id=case_id, tag_id=tag))

    def _opened_event(self, case: Case, first: Interaction, customer: int) -> CaseEvent:
        """The event open_case writes, with the same data; the opener is who took the contact."""
        actor = first.handled_by_id
        if actor is None and first.channel in (Ch.PORTAL, Ch.WEB_FORM):
            actor = self.people.user_ids[customer]
        department = case.department_id
        return CaseEvent(
            case_id=case.id,
            actor_id=actor,
            actor_label="" if actor else str(first.channel),
            kind=EventKind.OPENED,
            created_at=case.created_at,
            data={
                "subject": case.subject,
                "channel": str(first.channel),
                "kind": str(case.kind),
                "initiated_by": str(case.initiated_by),
                "priority": case.priority,
                "severity": case.severity,
                "department": {"id": department, "name": self.staff.department_names[department]}
                if department
                else None,
                "owner": {"id": case.owner_id, "name": self.staff.user_names[case.owner_id]}
                if case.owner_id
                else None,
                "interaction_id": first.id,
            },
        )

    def _staff_member(self, department: int) -> int:
        members = self.staff.by_department[department]
        if not members or self.rng.random() < self.bench_share:
            return self.staff.bench_agent_id
        return self.rng.choice(members)

    def _interactions(
        self, chunk: _Chunk, case: Case, *, count: int, end: datetime, channel: str, language: str
    ) -> Interaction:
        """Add the interactions, set the counters from exactly those rows; return the first."""
        rng = self.rng
        span = (end - case.created_at).total_seconds()
        later = sorted(rng.random() * span for _ in range(count - 1))
        moments = [case.created_at, *(case.created_at + timedelta(seconds=s) for s in later)]
        touched: dict[int, datetime] = {}
        untouched = case.status == S.NEW  # nobody has answered yet: only the customer writes
        rows = []
        for position, at in enumerate(moments):
            direction = self._direction(position, case, untouched)
            row = self._interaction(case, at, direction, channel, language, untouched)
            rows.append(row)
            if counts_as_contact(direction):
                case.contact_count += 1
            if (
                direction != Dir.INTERNAL
                and row.handled_by_id is not None
                and row.handled_by_id not in touched
            ):
                touched[row.handled_by_id] = at
            case.customer_seconds += row.customer_seconds
            if direction == Dir.INBOUND:
                case.last_customer_activity_at = at
        case.updated_at = moments[-1]
        case.staff_touched_count = len(touched)
        chunk.interactions.extend(rows)
        chunk.contacts.extend(
            CaseStaffContact(case_id=case.id, user_id=user, first_at=at)
            for user, at in touched.items()
        )
        return rows[0]

    def _direction(self, position: int, case: Case, untouched: bool) -> str:
        if untouched:
            return Dir.INBOUND
        if position == 0:
            return Dir.OUTBOUND if case.initiated_by == Case.Initiator.COMPANY else Dir.INBOUND
        draw = self.rng.random()
        return Dir.INTERNAL if draw < 0.1 else Dir.OUTBOUND if draw < 0.55 else Dir.INBOUND

    def _interaction(
        self,
        case: Case,
        at: datetime,
        direction: str,
        first_channel: str,
        language: str,
        untouched: bool,
    ) -> Interaction:
        rng = self.rng
        channel = first_channel if rng.random() < 0.7 else self.ctx.pick(FIRST_CHANNELS)
        author_user = handled_by = author_customer = None
        seconds = 0
        if direction == Dir.INTERNAL:
            channel, body = Ch.DESK, rng.choice(INTERNAL_NOTES)
            author_user = self._agent_for(case)
        elif direction == Dir.OUTBOUND:
            channel = Ch.EMAIL if channel == Ch.WEB_FORM else channel
            body = " ".join(rng.sample(AGENT_SAYS[language], 2))
            author_user = handled_by = self._agent_for(case)
        else:
            body = " ".join(rng.sample(CUSTOMER_SAYS[language], rng.randint(1, 3)))
            author_customer = case.customer_id
            if channel in SPOKEN and not untouched:
                handled_by = self._agent_for(case)
        if direction != Dir.INTERNAL:
            if channel in SPOKEN:
                seconds = int(rng.lognormvariate(5.9, 0.7))  # a few minutes, long tail
            elif direction == Dir.INBOUND:
                seconds = rng.randint(60, 600)  # writing the message
        interaction_id, self.interaction_id = self.interaction_id, self.interaction_id + 1
        return Interaction(
            id=interaction_id,
            case_id=case.id,
            channel=channel,
            direction=direction,
            is_internal=direction == Dir.INTERNAL,
            author_user_id=author_user,
            author_customer_id=author_customer,
            handled_by_id=handled_by,
            body=body,
            body_html=f"<p>{escape(body)}</p>" if channel == Ch.EMAIL else "",
            started_at=at,
            ended_at=at + timedelta(seconds=seconds) if channel in SPOKEN else None,
            customer_seconds=seconds,
            created_at=at,
            external_id=f"<bench-{interaction_id}@mail.example.com>"
            if channel == Ch.EMAIL and direction == Dir.INBOUND
            else "",
        )

    def _agent_for(self, case: Case) -> int:
        """Mostly the owner; sometimes a colleague, which is how runarounds start."""
        if case.owner_id is not None and self.rng.random() < 0.7:
            return int(case.owner_id)
        assert case.department_id is not None
        return self._staff_member(case.department_id)


# --- command line -----------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", choices=sorted(SCALES), help="preset sizes (options override)")
    for name in ("cases", "interactions", "customers", "organisations", "agents"):
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--result-file", type=Path, help="write the result as JSON here")
    parser.add_argument("--status", action="store_true", help="print row counts and exit")
    args = parser.parse_args(argv)
    if args.status:
        print(json.dumps(table_counts()))
        return 0
    sizes = SCALES[args.scale or "small"].as_dict()
    sizes.update({key: getattr(args, key) for key in sizes if getattr(args, key) is not None})
    try:
        result = generate(
            cases=sizes["cases"],
            interactions=sizes["interactions"],
            customers=sizes["customers"],
            organisations=sizes["organisations"],
            agents=sizes["agents"],
            seed=args.seed,
            batch_size=args.batch_size,
            progress=not args.no_progress,
        )
    except GenerationError as exc:
        print(f"bench.generate: {exc}", file=sys.stderr)
        return 2
    summary = {"sizes": sizes, "seed": args.seed, **asdict(result)}
    if args.result_file:
        args.result_file.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(
        f"generated in {result.seconds:.1f} s ({result.cpu_seconds:.1f} s CPU): "
        f"{json.dumps(result.counts)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
