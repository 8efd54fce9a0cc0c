"""Routing in the demo: skills, training (one certification lapsed, one expiring), presence,
capacity, a queue's skill, and a case held because nobody available has what it needs.

Called once near the end of `truedesk.demo.build.build_demo`, inside its transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import User
from truedesk.cases import actions as case_actions
from truedesk.customers.models import Customer
from truedesk.routing import actions
from truedesk.routing.models import (
    AgentCapacity,
    AgentPresence,
    Presence,
    QueueSkill,
    Skill,
    TrainingModule,
)
from truedesk.workforce.models import ContactQueue

DEMO = SystemActor("demo")

LANGUAGES = {"en": "English", "lt": "Lithuanian", "uk": "Ukrainian", "ru": "Russian"}
# username -> languages they answer in (as in demo/content/people.py)
AGENT_LANGUAGES = {
    "alice": ("en",),
    "bob": ("en",),
    "rasa": ("lt", "en", "ru"),
    "lukas": ("lt", "en"),
    "oksana": ("uk", "ru", "en"),
    "petro": ("uk", "ru", "en"),
    "igor": ("ru", "uk", "en"),
    "vera": ("ru", "lt", "en"),
    "carol": ("en",),
}
# username, module, completed so many days ago (expiry: the module's validity)
CERTIFICATIONS = (
    ("alice", "Fibre installation", 340),  # expires in 25 days: on the watch list
    ("bob", "Fibre installation", 400),  # lapsed 35 days ago: no fibre cases for bob
    ("rasa", "Second-line troubleshooting", 120),
    ("rasa", "Mobile plans", 60),
    ("oksana", "Fibre installation", 30),
    ("oksana", "Second-line troubleshooting", 200),
    ("igor", "Second-line troubleshooting", 700),  # expires in 30 days
    ("vera", "Mobile plans", 90),
)
PRESENCE = {"alice": Presence.AVAILABLE, "rasa": Presence.AVAILABLE, "oksana": Presence.BUSY}
CAPACITY = {"alice": {"phone": 1, "chat": 3, "email": 8}, "rasa": {"phone": 1, "email": 6}}


def _skills() -> dict[str, Skill]:
    skills = {
        code: Skill.objects.create(kind=Skill.Kind.LANGUAGE, code=code, name=name)
        for code, name in LANGUAGES.items()
    }
    skills["fibre"] = Skill.objects.create(kind=Skill.Kind.PRODUCT, code="fibre", name="Fibre")
    skills["mobile"] = Skill.objects.create(kind=Skill.Kind.PRODUCT, code="mobile", name="Mobile")
    skills["l2"] = Skill.objects.create(kind=Skill.Kind.LEVEL, code="l2", name="Second line")
    return skills


def _modules(skills: dict[str, Skill]) -> dict[str, TrainingModule]:
    specs: dict[str, tuple[int | None, list[str]]] = {
        "Fibre installation": (365, ["fibre"]),
        "Mobile plans": (365, ["mobile"]),
        "Second-line troubleshooting": (730, ["l2"]),
    }
    for code, name in LANGUAGES.items():
        specs[f"Language assessment: {name}"] = (None, [code])
    modules = {}
    for name, (days, codes) in specs.items():
        module = TrainingModule.objects.create(name=name, valid_for_days=days)
        module.skills.set([skills[code] for code in codes])
        modules[name] = module
    return modules


def _train(users: dict[str, User], modules: dict[str, TrainingModule], now: datetime) -> None:
    today = timezone.localdate(now)
    for username, codes in AGENT_LANGUAGES.items():
        for code in codes:
            actions.record_training(
                acting_user=DEMO,
                data=actions.TrainingInput(
                    agent=users[username],
                    module=modules[f"Language assessment: {LANGUAGES[code]}"],
                    completed_on=today - timedelta(days=400),
                ),
            )
    for username, module, days_ago in CERTIFICATIONS:
        actions.record_training(
            acting_user=DEMO,
            data=actions.TrainingInput(
                agent=users[username],
                module=modules[module],
                completed_on=today - timedelta(days=days_ago),
            ),
        )


def build_routing_demo(*, now: datetime) -> None:
    """Skills, training, presence and capacity for the demo agents, and one held case."""
    users = {u.username: u for u in User.objects.filter(username__in=AGENT_LANGUAGES)}
    skills = _skills()
    modules = _modules(skills)
    _train(users, modules, now)
    for username, status in PRESENCE.items():
        AgentPresence.objects.update_or_create(
            agent=users[username], defaults={"status": status, "changed_at": now}
        )
    for username, limits in CAPACITY.items():
        for channel, limit in limits.items():
            AgentCapacity.objects.create(agent=users[username], channel=channel, limit=limit)
    complaints = ContactQueue.objects.filter(slug="complaints-email").first()
    if complaints is not None:
        QueueSkill.objects.create(queue=complaints, skill=skills["l2"])
    # Only this case is routed now, so the stories' cases stay as written; the
    # worker's sweep offers the others to available agents once `make run` starts.
    _held_case(users, skills)


def _held_case(users: dict[str, User], skills: dict[str, Skill]) -> None:
    """A fibre fault that needs second line: nobody available holds both, so it waits."""
    # Not dave or fiona: the stories count their cases.
    customer = (
        Customer.objects.filter(language="en")
        .exclude(user__username__in=("dave", "fiona"))
        .order_by("pk")
        .first()
    )
    if customer is None:
        return
    case = case_actions.open_case(
        acting_user=users["carol"],
        customer=customer,
        subject="Fibre drops every evening after the router update",
        body="The fibre line drops at about 19:00 every day since the router updated itself.",
        channel="phone",
        department=users["carol"].departments.filter(slug="support").first(),
        priority=3,
    )
    actions.set_case_skills(
        acting_user=users["carol"], case=case, skills=[skills["fibre"], skills["l2"]]
    )
    actions.route_case(case=case)
