"""Business-time throughput: deadlines and elapsed business time over random moments of a year.

Run from the repository root:  .venv/bin/python -m bench.business_time_bench
Writes markdown to stdout and a section of docs/benchmarks.md. The issue's target is
at least 100,000 clock evaluations per second.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from functools import partial
from importlib import metadata
from pathlib import Path

from bench.report import write_standalone
from truedesk.calendars import business_time as bt

COMMAND = ".venv/bin/python -m bench.business_time_bench"
TARGET = 100_000


def calendars() -> dict[str, bt.BusinessCalendar]:
    return {
        "Vilnius office, Mon-Fri 08-17, LT holidays": bt.BusinessCalendar(
            time_zone="Europe/Vilnius",
            weekly=bt.WeeklyHours.on_days(range(5), clock(8), clock(17)),
            country="LT",
        ),
        "New York, Mon-Fri 09-12 + 13-17, Sat 10-14, US holidays": bt.BusinessCalendar(
            time_zone="America/New_York",
            weekly=bt.WeeklyHours.from_mapping(
                {
                    **{d: [(clock(9), clock(12)), (clock(13), clock(17))] for d in range(5)},
                    5: [(clock(10), clock(14))],
                }
            ),
            country="US",
        ),
    }


DURATIONS = {
    "4 business hours": timedelta(hours=4),
    "8 business hours": timedelta(hours=8),
    "3 business days (27 h)": timedelta(hours=27),
}


def random_starts(count: int, seed: int = 20260101) -> list[datetime]:
    """Moments spread over 2026 to the microsecond, weekends, nights and holidays included."""
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    year = 365 * 86_400 * 1_000_000
    return [base + timedelta(microseconds=rng.randrange(year)) for _ in range(count)]


def rate(run: Callable[[], object], evaluations: int, repeat: int) -> float:
    """Median evaluations per CPU second of this process over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return evaluations / statistics.median(times)


def _add_all(
    calendar: bt.BusinessCalendar, starts: list[datetime], duration: timedelta
) -> list[datetime]:
    return [bt.add_business_time(calendar, start, duration) for start in starts]


def _between_all(
    calendar: bt.BusinessCalendar, pairs: list[tuple[datetime, datetime]]
) -> list[timedelta]:
    return [bt.business_time_between(calendar, start, end) for start, end in pairs]


def cold_compile_ms(calendar: bt.BusinessCalendar) -> float:
    """Milliseconds for the first question to a fresh calendar: three years compiled."""
    bt._year_spans.cache_clear()
    bt._holidays_in.cache_clear()
    fresh = bt.BusinessCalendar(
        time_zone=calendar.time_zone,
        weekly=calendar.weekly,
        country=calendar.country,
        name="fresh",
    )
    start = time.process_time()
    bt.is_open(fresh, datetime(2026, 6, 1, tzinfo=UTC))
    return (time.process_time() - start) * 1000


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
        f"Python {platform.python_version()}; holidays {metadata.version('holidays')}"
    )


def measure(count: int, repeat: int) -> list[str]:
    starts = random_starts(count)
    lines = [
        "| calendar | duration | `add_business_time` / s | `business_time_between` / s |",
        "|---|---|---:|---:|",
    ]
    rates = []
    for name, calendar in calendars().items():
        bt.is_open(calendar, starts[0])  # compile the year once, as a running process has
        for label, duration in DURATIONS.items():
            deadlines = [bt.add_business_time(calendar, s, duration) for s in starts]
            assert all(
                bt.business_time_between(calendar, s, d) == duration
                for s, d in zip(starts, deadlines, strict=True)
            )
            adds = rate(partial(_add_all, calendar, starts, duration), count, repeat)
            pairs = list(zip(starts, deadlines, strict=True))
            betweens = rate(partial(_between_all, calendar, pairs), count, repeat)
            rates += [adds, betweens]
            lines.append(f"| {name} | {label} | {adds:,.0f} | {betweens:,.0f} |")
    calendar = next(iter(calendars().values()))
    opens = rate(lambda: [bt.is_open(calendar, s) for s in starts], count, repeat)
    nexts = rate(lambda: [bt.next_open(calendar, s) for s in starts], count, repeat)
    verdict = "met" if min(rates) >= TARGET else "NOT met"
    lines += [
        "",
        f"Also on the Vilnius calendar: `is_open` {opens:,.0f} / s, `next_open` {nexts:,.0f} / s.",
        "",
        f"Slowest figure {min(rates):,.0f} evaluations / s: the target of {TARGET:,} is "
        f"**{verdict}**.",
        "",
        f"First question to a calendar not seen before (three local years compiled, "
        f"holidays looked up): {cold_compile_ms(calendar):.1f} ms; later years compile on demand.",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000, help="start moments per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = measure(args.count, args.repeat)
    text = "\n".join(
        [
            "## Business-time arithmetic throughput",
            "",
            f"Command: `{COMMAND}` · run {now} · {machine()}",
            "",
            f"Each figure is the median of {args.repeat} runs over {args.count:,} start moments "
            "drawn uniformly from 2026 (seeded; nights, weekends, holidays and both clock "
            "changes included), in CPU seconds of the benchmark process, one core. Every "
            "deadline is checked: business time from start to deadline equals the duration.",
            "",
            *body,
            "",
        ]
    )
    print(text)
    if not args.no_write:
        write_standalone("business-time", text)


if __name__ == "__main__":
    main()
