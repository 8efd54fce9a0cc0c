"""The demo's timeline: every story's steps placed at past moments, in the order they happen.

Hand-written stories come with their own steps; vignettes (short everyday
cases) get a customer, an agent and a stage from a seeded random generator, so
the same content always makes the same demo (only the dates follow today).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from truedesk.demo import content
from truedesk.demo.script import (
    CaseStory,
    CustomerPerson,
    Opened,
    StaffPerson,
    Step,
    Vignette,
    reply,
    said,
    status,
    take,
)

LOCAL = ZoneInfo("Europe/Vilnius")
SEED = 2024
# Nothing is planned closer to the real present than this, so the simulated
# clock never has to pass real time while the demo builds.
MARGIN = timedelta(minutes=15)

# How far a vignette has got; weights make most of them settled, some open.
STAGES = ("queue", "answered", "follow_up", "resolved", "closed")
STAGE_WEIGHTS = (2, 2, 2, 3, 3)
STAGE_DAYS_AGO = {
    "queue": (0, 2),
    "answered": (1, 6),
    "follow_up": (1, 12),
    "resolved": (3, 40),
    "closed": (12, 45),
}


@dataclass(frozen=True)
class Timed:
    """One story line at its moment; `step` None is the case being opened."""

    at: datetime
    sequence: int
    story: CaseStory
    step: Step | None


def all_stories(seed: int = SEED) -> list[CaseStory]:
    """The hand-written stories followed by the vignettes made into stories."""
    rng = random.Random(seed)  # noqa: S311 - repeatable content, not secrets
    return [*content.STORIES, *expand_vignettes(content.VIGNETTES, rng)]


def expand_vignettes(vignettes: Sequence[Vignette], rng: random.Random) -> list[CaseStory]:
    """Give each vignette a customer of its language, an agent, a stage and a date."""
    turn: dict[tuple[str, str, bool], int] = {}
    stories = []
    for index, vignette in enumerate(vignettes):
        people = _customers_for(vignette)
        # Round-robin from a random start: every customer gets some, many return.
        group = (vignette.language, vignette.speaker, vignette.home)
        position = turn.setdefault(group, rng.randrange(len(people)))
        turn[group] = position + 1
        customer = people[position % len(people)]
        stage = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
        low, high = STAGE_DAYS_AGO[stage]
        opened = Opened(
            days_ago=rng.randint(low, high),
            at=f"{rng.randint(8, 17):02d}:{rng.choice((5, 12, 20, 34, 41, 53)):02d}",
        )
        stories.append(
            CaseStory(
                key=f"vignette_{index}",
                customer=customer.key,
                subject=vignette.subject,
                body=vignette.opening,
                opened=opened,
                kind=vignette.kind,
                department=vignette.department,
                channel=rng.choice(("email", "email", "portal")),
                priority=rng.choice((1, 2, 2, 2, 3)),
                steps=_vignette_steps(vignette, stage, _agent_for(vignette, rng), rng),
            )
        )
    return stories


def _customers_for(vignette: Vignette) -> list[CustomerPerson]:
    """Customers who could have written it: same language, matching grammar, right setting."""
    people = [
        person
        for person in content.CUSTOMERS
        if person.everyday_cases
        and person.language == vignette.language
        and vignette.speaker in ("", person.gender)
        and not (vignette.home and person.organisation)
    ]
    if not people:
        raise ValueError(f"no demo customer can have written {vignette.subject!r}")
    return people


def _agent_for(vignette: Vignette, rng: random.Random) -> str:
    members = [
        person
        for person in content.STAFF
        if person.role == "agent" and vignette.department in person.departments
    ]
    speakers = [person for person in members if vignette.language in person.languages]
    chosen: StaffPerson = rng.choice(speakers or members)
    return chosen.username


def _vignette_steps(
    vignette: Vignette, stage: str, agent: str, rng: random.Random
) -> tuple[Step, ...]:
    if stage == "queue":
        return ()
    answered = round(rng.uniform(0.3, 6), 2)
    steps = [
        take(answered - 0.1, agent),
        reply(answered, agent, vignette.answer, status="waiting_on_customer"),
    ]
    if stage == "answered":
        return tuple(steps)
    followed = round(answered + rng.uniform(3, 30), 2)
    steps.append(said(followed, vignette.follow_up, channel=rng.choice(("email", "portal"))))
    if stage == "follow_up":
        return tuple(steps)
    closed_at = round(followed + rng.uniform(0.5, 20), 2)
    steps.append(reply(closed_at, agent, vignette.closing, status="resolved"))
    if stage == "closed":
        steps.append(status(closed_at + 24 * 7, agent, "closed"))
    return tuple(steps)


def opening_moment(opened: Opened, now: datetime) -> datetime:
    """The moment a story's case opens: a local time some days (or weekdays) back."""
    day = now.astimezone(LOCAL).date() - timedelta(days=opened.days_ago)
    if opened.weekday is not None:
        day -= timedelta(days=(day.weekday() - opened.weekday) % 7)
    elif opened.workday and day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)
    hour, minute = (int(part) for part in opened.at.split(":"))
    local = datetime.combine(day, time(hour, minute), tzinfo=LOCAL)
    return local + timedelta(hours=opened.after)


def schedule(stories: Sequence[CaseStory], now: datetime) -> list[Timed]:
    """Every opening and step of every story at its moment, earliest first.

    A story that would end after `now - MARGIN` (a case "today at 10:00" when
    the demo is built at 08:00) moves back by whole days, or whole weeks when
    its text names weekdays.
    """
    timed: list[Timed] = []
    for number, story in enumerate(stories):
        start = opening_moment(story.opened, now)
        offsets = [step.after for step in story.steps]
        if offsets != sorted(offsets) or any(offset <= timedelta(0) for offset in offsets):
            raise ValueError(f"demo story {story.key}: steps must come after the opening, in order")
        end = start + (offsets[-1] if offsets else timedelta(0))
        latest = now - MARGIN
        if end > latest:
            unit = timedelta(days=7 if story.opened.weekday is not None else 1)
            start -= unit * math.ceil((end - latest) / unit)
        timed.append(Timed(start, number * 1000, story, None))
        timed.extend(
            Timed(start + step.after, number * 1000 + index + 1, story, step)
            for index, step in enumerate(story.steps)
        )
    return sorted(timed, key=lambda item: (item.at, item.sequence))
