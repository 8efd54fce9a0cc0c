"""Cases with their interactions, staff contacts, opening events and tags.

Cases are built in memory a chunk at a time and written in one transaction per
chunk; every counter on a case is computed from exactly the rows written for it.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.html import escape

from bench.generate.people import People, Staff
from bench.generate.plumbing import Context, next_id
from bench.samples import AGENT_SAYS, CUSTOMER_SAYS, INTERNAL_NOTES, SUBJECTS, words
from truedesk.cases.models import Case, CaseEvent, CaseStaffContact, EventKind, Interaction, Tag

CASES_PER_CHUNK = 5_000
HISTORY_DAYS = 730
RECENT_DAYS = 30

S = Case.Status
Ch = Interaction.Channel
Dir = Interaction.Direction

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
TAGS = words("""
    outage refund router fibre mobile invoice delivery contract bereavement vip callback regulator
""")
SPOKEN = {Ch.PHONE, Ch.CHAT, Ch.IN_PERSON}


def counts_as_contact(direction: str) -> bool:
    """Whether an interaction adds to Case.contact_count: a contact the customer made.

    As in cases.actions: the runaround guard counts how often the customer had to
    reach out. Every customer-facing interaction (not internal notes) counts its
    `handled_by` staff member towards staff_touched_count.
    """
    return direction == Dir.INBOUND


@dataclass
class _Chunk:
    cases: list[Case] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    contacts: list[CaseStaffContact] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    tag_links: list[Any] = field(default_factory=list)


def create_cases(
    ctx: Context, staff: Staff, people: People, cases: int, interactions: int, first_number: int
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
        ctx, staff, people, tag_ids, case_id=next_id(Case), interaction_id=next_id(Interaction)
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
        ctx: Context,
        staff: Staff,
        people: People,
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
        """Add one case with its interactions, staff contacts, opening event and tags."""
        rng, ctx = self.rng, self.ctx
        language = self.people.languages[customer]
        case, end = self._case(number, created_at=created_at, customer=customer, language=language)
        channel = ctx.pick(FIRST_CHANNELS)
        first = self._interactions(
            chunk, case, count=interactions, end=end, channel=channel, language=language
        )
        if case.status in (S.RESOLVED, S.CLOSED):
            case.updated_at = end
        chunk.cases.append(case)
        chunk.events.append(self._opened_event(case, first, customer))
        if rng.random() < 0.25:
            for tag in rng.sample(self.tag_ids, rng.choice((1, 1, 2))):
                chunk.tag_links.append(Case.tags.through(case_id=case.id, tag_id=tag))

    def _case(
        self, number: int, *, created_at: datetime, customer: int, language: str
    ) -> tuple[Case, datetime]:
        """The case row without counters, and when its last interaction may be at the latest."""
        rng, ctx = self.rng, self.ctx
        case_id, self.case_id = self.case_id, self.case_id + 1
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
        return case, end

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
        seconds = self._customer_seconds(channel, direction)
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

    def _customer_seconds(self, channel: str, direction: str) -> int:
        """Time the customer spent: on a spoken channel, or writing an inbound message."""
        if direction == Dir.INTERNAL:
            return 0
        if channel in SPOKEN:
            return int(self.rng.lognormvariate(5.9, 0.7))  # a few minutes, long tail
        if direction == Dir.INBOUND:
            return self.rng.randint(60, 600)  # writing the message
        return 0

    def _agent_for(self, case: Case) -> int:
        """Mostly the owner; sometimes a colleague, which is how runarounds start."""
        if case.owner_id is not None and self.rng.random() < 0.7:
            return int(case.owner_id)
        assert case.department_id is not None
        return self._staff_member(case.department_id)
