"""A queue with three weeks of history and a small schedule, for the staffing-plan tests.

Mon-Fri 10:00-12:00 Vilnius, CALLS_PER_HALF_HOUR inbound calls each half hour, the
same every week (so every forecast method agrees exactly); alice on the phone Mon-Fri
10:00-11:00, bob on Monday 10:15-10:45 for any department, and a billing shift that
must not count.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from truedesk.cases.models import Case, Interaction
from truedesk.cases.numbering import next_case_number
from truedesk.testing.personas import World
from truedesk.workforce.actions import add_one_off_shift, add_weekly_shift
from truedesk.workforce.coverage import WeeklyPattern
from truedesk.workforce.models import ContactQueue
from truedesk.workforce.queueing import required_agents

VILNIUS = ZoneInfo("Europe/Vilnius")
WEEK = date(2026, 3, 2)  # a Monday; the history is the three weeks before it
CALLS_PER_HALF_HOUR = 6


def local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VILNIUS)


def make_queue(world: World) -> ContactQueue:
    return ContactQueue.objects.create(
        name="Support phone",
        slug="support-phone",
        department=world.support,
        channel="phone",
        target_service_level=0.8,
        answer_time_seconds=20,
        handle_time_seconds=240,
        shrinkage=0.2,
    )


def make_history(world: World) -> None:
    case = Case.objects.create(
        number=next_case_number(), subject="Calls", customer=world.dave,
        department=world.support,
    )  # fmt: skip
    other = Case.objects.create(
        number=next_case_number(), subject="Billing calls", customer=world.dave,
        department=world.billing,
    )  # fmt: skip
    rows = []
    for d in range(21):
        day = WEEK - timedelta(days=21 - d)
        if day.weekday() >= 5:
            continue
        for slot in range(4):
            for k in range(CALLS_PER_HALF_HOUR):
                at = local(day, 10 + slot // 2, 30 * (slot % 2) + 4 * k)
                rows.append(Interaction(case=case, channel="phone", direction="inbound",
                                        started_at=at))  # fmt: skip
        # Not this queue: another department, another channel, our own replies.
        at = local(day, 15, 0)
        rows += [
            Interaction(case=other, channel="phone", direction="inbound", started_at=at),
            Interaction(case=case, channel="email", direction="inbound", started_at=at),
            Interaction(case=case, channel="phone", direction="outbound", started_at=at),
        ]
    Interaction.objects.bulk_create(rows)


def make_shifts(world: World) -> None:
    add_weekly_shift(
        acting_user=world.carol, agent=world.alice, department=world.support, channel="phone",
        pattern=WeeklyPattern(frozenset(range(5)), time(10), time(11), "Europe/Vilnius"),
    )  # fmt: skip
    add_one_off_shift(
        acting_user=world.carol, agent=world.bob,
        starts_at=local(WEEK, 10, 15), ends_at=local(WEEK, 10, 45),
    )  # fmt: skip
    add_weekly_shift(
        acting_user=world.carol, agent=world.bob, department=world.billing, channel="phone",
        pattern=WeeklyPattern(frozenset(range(5)), time(11), time(12), "Europe/Vilnius"),
    )  # fmt: skip


def needed() -> tuple[int, int]:
    """Agents needed answering, and on the schedule (shrinkage 0.2), in a busy half hour."""
    agents = int(
        required_agents(
            arrivals_per_hour=2 * CALLS_PER_HALF_HOUR,
            aht_seconds=240,
            target_sl=0.8,
            answer_time_seconds=20,
        )
    )
    return agents, math.ceil(agents / 0.8)
