"""Demo: six weeks of queue traffic, so the staffing plan has history to forecast from.

The demo's stories hold about a hundred contacts over two months: too few for a
forecast. This imports what a telephony system's and mailboxes' interval reports
would hold (QueueVolume rows, quarter-hours): for each active queue, a morning and an
afternoon peak on weekdays, quiet weekends, public holidays like Sundays and a slow
growth, drawn from a Poisson process with a fixed seed. Written in bulk; the demo's
cases and timelines are left as they are.
"""

from __future__ import annotations

import zlib
from datetime import datetime, time, timedelta

import numpy as np

from truedesk.calendars import business_time
from truedesk.workforce.models import ContactQueue, QueueVolume
from truedesk.workforce.staffing_plan import queue_calendar

WEEKS = 6
SOURCE = "demo: telephony and mailbox interval reports"
# Contacts on an ordinary Wednesday, by channel; departments scale them.
DAILY = {"phone": 110.0, "chat": 70.0, "email": 50.0}
DEPARTMENT_SCALE = {"support": 1.0, "billing": 0.6, "sales": 0.4, "complaints": 0.2}
DAY_OF_WEEK = np.array([1.25, 1.1, 1.0, 1.0, 0.9, 0.3, 0.15])
GROWTH_PER_WEEK = 0.02
HOURS = np.arange(0, 24, 0.25) + 0.125  # quarter-hour midpoints


def _intraday(channel: str) -> np.ndarray:
    """Share of a day's contacts per quarter hour (phones: 08-20 peaks; email: spread)."""
    if channel == "email":
        shape = np.exp(-0.5 * ((HOURS - 13) / 4.5) ** 2) + 0.05
    else:
        shape = np.exp(-0.5 * ((HOURS - 10.5) / 1.3) ** 2) + 0.8 * np.exp(
            -0.5 * ((HOURS - 14.5) / 1.6) ** 2
        )
        shape = np.where((HOURS > 8) & (HOURS < 20), shape + 0.05, 0.0)
    return shape / shape.sum()


def build_forecast_history_demo(*, now: datetime) -> int:
    """Import WEEKS of quarter-hour volumes before today for every active queue; returns
    the number of contacts."""
    rows: list[QueueVolume] = []
    total = 0
    for queue in ContactQueue.objects.filter(is_active=True).select_related("department"):
        calendar = queue_calendar(queue)
        zone = calendar.zone
        today = now.astimezone(zone).date()
        first = today - timedelta(weeks=WEEKS)
        holidays = calendar.holidays(first, today)
        rng = np.random.default_rng(zlib.crc32(queue.slug.encode()))
        daily = DAILY.get(queue.channel, 15.0) * DEPARTMENT_SCALE.get(queue.department.slug, 0.3)
        shape = _intraday(queue.channel)
        for d in range((today - first).days):
            day = first + timedelta(days=d)
            weekday = 6 if day in holidays else day.weekday()
            mean = daily * DAY_OF_WEEK[weekday] * (1 + GROWTH_PER_WEEK) ** (d / 7)
            counts = rng.poisson(mean * shape)
            for quarter in np.flatnonzero(counts):
                minute = int(quarter) * 15
                rows.append(
                    QueueVolume(
                        queue=queue,
                        starts_at=business_time.wall_to_utc(
                            zone, day, time(minute // 60, minute % 60)
                        ),
                        minutes=15,
                        offered=int(counts[quarter]),
                        source=SOURCE,
                    )
                )
                total += int(counts[quarter])
    QueueVolume.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return total
