"""Reads for routing: who holds which skill now, who is on shift, loads, the hold queue.

Skills are computed from training records at the moment asked (`at`), never
stored: a certification that expired yesterday grants nothing today.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from truedesk.accounts.models import User
from truedesk.cases.models import Case, Interaction
from truedesk.routing.models import (
    AgentCapacity,
    AgentPresence,
    CaseSkill,
    DepartmentSkill,
    Presence,
    QueueSkill,
    RoutingItem,
    Skill,
    TrainingRecord,
    default_capacity,
)
from truedesk.workforce import selectors as workforce_selectors
from truedesk.workforce.models import ContactQueue, Shift

# Cases that occupy an agent's capacity: new or open. Waiting on the customer
# or a third party frees the slot until the case comes back.
IN_HAND_STATUSES = (Case.Status.NEW, Case.Status.OPEN)
EXPIRY_WARNING = timedelta(days=30)
# A weekly shift is stored with local dates; two days either side covers every zone.
_DATE_SLACK = timedelta(days=2)


def routing_day(at: datetime) -> date:
    """The day training records are judged on: the local date of `at` in the site's zone."""
    return timezone.localdate(at)


def _valid_records(at: datetime) -> QuerySet[TrainingRecord]:
    day = routing_day(at)
    return TrainingRecord.objects.filter(completed_on__lte=day).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=day)
    )


def skills_by_agent(agent_ids: Iterable[int], *, at: datetime) -> dict[int, set[int]]:
    """Skill ids each agent holds at `at` through completed, unexpired training (one query)."""
    held: dict[int, set[int]] = defaultdict(set)
    rows = (
        _valid_records(at)
        .filter(agent_id__in=list(agent_ids), module__skills__isnull=False)
        .values_list("agent_id", "module__skills")
    )
    for agent_id, skill_id in rows:
        held[agent_id].add(skill_id)
    return held


def list_agent_skills(agent: User, *, at: datetime | None = None) -> list[Skill]:
    """The skills `agent` holds now (or at `at`), by kind and name."""
    ids = skills_by_agent([agent.pk], at=at or timezone.now()).get(agent.pk, set())
    return list(Skill.objects.filter(pk__in=ids))


def agent_has_skill(agent: User, skill: Skill, *, at: datetime | None = None) -> bool:
    """Whether a completed, unexpired training record grants `skill` to `agent` at `at`."""
    return skill.pk in skills_by_agent([agent.pk], at=at or timezone.now()).get(agent.pk, set())


def case_channel(case: Case) -> str:
    """The channel the case came in on (its first interaction); "desk" if it has none."""
    first = (
        Interaction.objects.filter(case=case)
        .order_by("created_at", "id")
        .values_list("channel", flat=True)
        .first()
    )
    return first or Interaction.Channel.DESK


def needed_skills(case: Case, channel: str) -> list[Skill]:
    """What the case needs: its queue's and department's skills, its customer's language, staff's.

    The language counts only when a language skill with the customer's code exists.
    """
    query = Q(case_needs__case=case)
    if case.department_id is not None:
        queues = ContactQueue.objects.filter(
            department_id=case.department_id, channel=channel, is_active=True
        )
        query |= Q(pk__in=QueueSkill.objects.filter(queue__in=queues).values("skill_id"))
        query |= Q(
            pk__in=DepartmentSkill.objects.filter(department_id=case.department_id).values(
                "skill_id"
            )
        )
    language = case.customer.language
    query |= Q(kind=Skill.Kind.LANGUAGE, code=language)
    return list(Skill.objects.filter(query).distinct())


def list_case_skills(case: Case) -> list[Skill]:
    """The skills staff added to this case by hand."""
    return list(Skill.objects.filter(pk__in=CaseSkill.objects.filter(case=case).values("skill")))


def _first_channel() -> Subquery:
    return Subquery(
        Interaction.objects.filter(case=OuterRef("pk"))
        .order_by("created_at", "id")
        .values("channel")[:1]
    )


def loads(agent_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Cases in hand (new or open) per agent and channel (one query)."""
    rows = (
        Case.objects.filter(owner_id__in=list(agent_ids), status__in=IN_HAND_STATUSES)
        .annotate(channel=_first_channel())
        .values("owner_id", "channel")
        .annotate(n=Count("id"))
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        found[row["owner_id"]][row["channel"] or Interaction.Channel.DESK] = row["n"]
    return found


def load_on(agent_id: int, channel: str) -> int:
    """Cases the agent has in hand on `channel`."""
    return loads([agent_id]).get(agent_id, {}).get(channel, 0)


def capacities(agent_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Capacity rows per agent and channel (absent channels use default_capacity)."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for row in AgentCapacity.objects.filter(agent_id__in=list(agent_ids)):
        found[row.agent_id][row.channel] = row.limit
    return found


def capacity_on(caps: dict[int, dict[str, int]], agent_id: int, channel: str) -> int:
    """The agent's limit on `channel`: its row, else the default."""
    return caps.get(agent_id, {}).get(channel, default_capacity(channel))


def on_shift(
    agent_ids: Iterable[int], *, department_id: int | None, channel: str, at: datetime
) -> set[int]:
    """Agents on shift at `at` for the department and channel (one query).

    As in decision 0018 a person who keeps no current or future shifts is
    always there; one who keeps shifts is there only inside a shift for this
    department (or all) and this channel (or all).
    """
    ids = list(agent_ids)
    weekly = Q(kind=Shift.Kind.WEEKLY) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=(at - _DATE_SLACK).date())
    )
    shifts = Shift.objects.filter(
        weekly | Q(kind=Shift.Kind.ONCE, ends_at__gt=at), agent_id__in=ids
    )
    keeps: set[int] = set()
    inside: set[int] = set()
    until = at + timedelta(microseconds=1)
    for shift in shifts:
        keeps.add(shift.agent_id)
        if department_id is not None and shift.department_id not in (None, department_id):
            continue
        if shift.channel not in ("", channel):
            continue
        if workforce_selectors.shift_spans(shift, at, until):
            inside.add(shift.agent_id)
    return {agent_id for agent_id in ids if agent_id not in keeps or agent_id in inside}


# --- the decision -----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    agent: User
    load: int
    capacity: int
    idle_since: datetime


@dataclass
class Decision:
    """Who may take the case, best first; or why nobody may (a HoldReason and its details)."""

    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""
    details: dict[str, object] = field(default_factory=dict)
    needed: list[Skill] = field(default_factory=list)


def _pool(case: Case) -> QuerySet[User]:
    """Active staff who could own the case: members of its department, if it has one."""
    users = User.objects.filter(kind=User.Kind.STAFF, is_active=True)
    if case.department_id is not None:
        users = users.filter(departments=case.department_id)
    return users


def _skill_ref(skill: Skill) -> dict[str, object]:
    return {"id": skill.pk, "kind": skill.kind, "code": skill.code, "name": skill.name}


def decide(case: Case, channel: str, *, at: datetime) -> Decision:
    """Rank the agents who may take `case` now; a bounded number of queries.

    Eligible: presence available, on shift for the case's department and
    channel, every needed skill, spare capacity on the channel. Best first:
    least loaded on the channel, then idle longest, then lowest id. The
    department's opening hours are the caller's check (it needs a calendar).
    """
    needed = needed_skills(case, channel)
    presences = {
        p.agent_id: p
        for p in AgentPresence.objects.filter(
            agent__in=_pool(case), status=Presence.AVAILABLE
        ).select_related("agent")
    }
    working = on_shift(presences, department_id=case.department_id, channel=channel, at=at)
    if not working:
        return Decision(reason="nobody_available", needed=needed)
    held = skills_by_agent(working, at=at)
    need_ids = {skill.pk for skill in needed}
    skilled = [agent_id for agent_id in working if need_ids <= held.get(agent_id, set())]
    if not skilled:
        present: set[int] = set().union(*(held.get(a, set()) for a in working))
        missing = [s for s in needed if s.pk not in present]
        return Decision(
            reason="missing_skill",
            details={"skills": [_skill_ref(s) for s in (missing or needed)], "all": not missing},
            needed=needed,
        )
    load = loads(skilled)
    caps = capacities(skilled)
    candidates = [
        Candidate(
            agent=presences[agent_id].agent,
            load=load.get(agent_id, {}).get(channel, 0),
            capacity=capacity_on(caps, agent_id, channel),
            idle_since=presences[agent_id].idle_since,
        )
        for agent_id in skilled
    ]
    free = [c for c in candidates if c.load < c.capacity]
    if not free:
        return Decision(reason="at_capacity", details={"agents": len(candidates)}, needed=needed)
    free.sort(key=lambda c: (c.load, c.idle_since, c.agent.pk))
    return Decision(candidates=free, needed=needed)


# --- pages and API -----------------------------------------------------------------------


def list_hold_queue() -> QuerySet[RoutingItem]:
    """Cases waiting for an agent, highest priority first, then longest waiting (one query)."""
    return (
        RoutingItem.objects.filter(
            state=RoutingItem.State.WAITING,
            case__owner__isnull=True,
            case__status__in=Case.ACTIVE_STATUSES,
        )
        .select_related("case", "case__customer", "case__department")
        .order_by("-case__priority", "entered_at", "pk")
    )


@dataclass(frozen=True)
class AgentRow:
    agent: User
    presence: str
    presence_since: datetime | None
    on_shift: bool
    loads: dict[str, int]
    capacities: dict[str, int]
    skills: list[Skill]

    @property
    def channels(self) -> list[tuple[str, int, int]]:
        """(channel, cases in hand, limit) for each channel with load or a limit row."""
        names = sorted(set(self.loads) | set(self.capacities))
        return [
            (name, self.loads.get(name, 0), self.capacities.get(name, default_capacity(name)))
            for name in names
        ]


def list_agent_board(*, at: datetime | None = None) -> list[AgentRow]:
    """Every active staff member with presence, shift now, load per channel and skills."""
    moment = at or timezone.now()
    agents = list(User.objects.filter(kind=User.Kind.STAFF, is_active=True).order_by("username"))
    ids = [a.pk for a in agents]
    presences = {p.agent_id: p for p in AgentPresence.objects.filter(agent_id__in=ids)}
    working = on_shift(ids, department_id=None, channel="", at=moment)
    held = skills_by_agent(ids, at=moment)
    skills = {s.pk: s for s in Skill.objects.filter(pk__in=set().union(*held.values(), set()))}
    load = loads(ids)
    caps = capacities(ids)
    rows = []
    for agent in agents:
        presence = presences.get(agent.pk)
        channels = set(load.get(agent.pk, {})) | set(caps.get(agent.pk, {}))
        rows.append(
            AgentRow(
                agent=agent,
                presence=presence.status if presence else Presence.AWAY,
                presence_since=presence.changed_at if presence else None,
                on_shift=agent.pk in working,
                loads=dict(load.get(agent.pk, {})),
                capacities={c: capacity_on(caps, agent.pk, c) for c in sorted(channels)},
                skills=sorted(
                    (skills[i] for i in held.get(agent.pk, set())), key=lambda s: (s.kind, s.name)
                ),
            )
        )
    return rows


def list_expiring_records(
    *, at: datetime | None = None, within: timedelta = EXPIRY_WARNING
) -> QuerySet[TrainingRecord]:
    """Records still valid that expire within `within` (default 30 days), soonest first."""
    day = routing_day(at or timezone.now())
    return (
        TrainingRecord.objects.filter(
            expires_on__gt=day, expires_on__lte=day + within, completed_on__lte=day
        )
        .select_related("agent", "module")
        .order_by("expires_on", "agent__username")
    )


def list_training_records(*, agent: User | None = None) -> QuerySet[TrainingRecord]:
    """Training records with agent and module, optionally of one agent."""
    rows = TrainingRecord.objects.select_related("agent", "module").order_by(
        "agent__username", "-completed_on", "pk"
    )
    return rows.filter(agent=agent) if agent is not None else rows


def get_presence(agent: User) -> str:
    """The agent's presence (away when never set)."""
    row = AgentPresence.objects.filter(agent=agent).values_list("status", flat=True).first()
    return row or Presence.AWAY
