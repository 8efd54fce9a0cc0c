"""The SLA sweep over a million open clocks: how long one `process_sla_clocks` takes.

Run from the repository root:  .venv/bin/python -m bench.sla_sweep_bench [--db sqlite]
Writes markdown to stdout and a section of docs/benchmarks.md (unless --no-write). The
issue's target: at most 50 ms per sweep on PostgreSQL and on SQLite, through indexes.

Data (generated once per database and reused while the clock count matches): N/2
cases with two unstopped clocks each (first response and resolution) due over the
next 30 days. Measured: a whole sweep when nothing is due (the usual minute), the
breach and warning look-ups on their own, and a sweep that breaches 20 clocks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from typing import Any

from bench import children

COMMAND = ".venv/bin/python -m bench.sla_sweep_bench"
TARGET_MS = 50.0
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/truedesk_sla_bench"  # + _<clocks>
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HERE = Path(__file__).resolve().parent


# --- inside one database (a child process: Django reads settings once) -------------------


def _generate(clocks: int) -> None:
    from django.core.management import call_command

    from truedesk.calendars.actions import create_calendar
    from truedesk.cases.models import Case
    from truedesk.customers.models import Customer
    from truedesk.sla.models import SlaClock, SlaPolicy

    call_command("migrate", verbosity=0)
    # One database per size (see run_child): data is generated once and reused.
    if SlaClock.objects.exists():
        return
    from truedesk.accounts.actions import SystemActor

    calendar = _calendar() or create_calendar(
        acting_user=SystemActor("bench"), name="Bench office", country="LT",
        hours={day: [(wall(8), wall(17))] for day in range(5)},
    )  # fmt: skip
    policy, _ = SlaPolicy.objects.get_or_create(
        name="Bench", defaults={"calendar": calendar, "first_response_minutes": 240,
                                "resolution_minutes": 2400},
    )  # fmt: skip
    customer = Customer.objects.create(name="Bench customer")
    start = NOW - timedelta(days=1)
    pairs = clocks // 2
    first = (Case.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    for offset in range(0, pairs, 5000):
        size = min(5000, pairs - offset)
        cases = Case.objects.bulk_create(
            Case(number=first + offset + i, subject="sla bench", customer=customer,
                 status="open", created_at=start, updated_at=start)
            for i in range(size)
        )  # fmt: skip
        rows = []
        for index, case in enumerate(cases):
            # Due from a minute after NOW to 30 days later, about 12 cases a minute;
            # those due after the first day warn 48 minutes ahead.
            due = NOW + timedelta(minutes=1 + ((offset + index) * 7919) % (30 * 24 * 60))
            warn = due - timedelta(minutes=48) if due > NOW + timedelta(days=1) else None
            for metric in ("first_response", "resolution"):
                rows.append(SlaClock(
                    case=case, metric=metric, policy=policy, policy_name="Bench",
                    calendar=calendar, target=timedelta(hours=4), started_at=start,
                    due_at=due, warn_at=warn,
                ))  # fmt: skip
        SlaClock.objects.bulk_create(rows, batch_size=5000)
    children.analyze()


def _calendar() -> Any:
    from truedesk.calendars.models import BusinessCalendar

    return BusinessCalendar.objects.filter(name="Bench office").first()


def _measure(clocks: int, repeat: int) -> dict[str, Any]:
    import time_machine
    from django.db import connection

    from truedesk.sla.actions import process_sla_clocks
    from truedesk.sla.models import SlaClock

    _generate(clocks)
    # A previous run breached the first minute's clocks: make them due again.
    SlaClock.objects.filter(breached_at__isnull=False, case__subject="sla bench").update(
        breached_at=None
    )
    unstopped = SlaClock.objects.filter(
        stopped_at__isnull=True, paused_at__isnull=True, breached_at__isnull=True
    )
    open_clocks = unstopped.count()
    idle_at = NOW - timedelta(hours=1)
    due = unstopped.filter(due_at__lte=idle_at).order_by("due_at", "pk")[:200]
    warn = unstopped.filter(
        warned_at__isnull=True, warn_at__lte=idle_at, due_at__gt=idle_at
    ).order_by("warn_at", "pk")[:200]
    with time_machine.travel(idle_at, tick=False):
        process_sla_clocks(now=idle_at)  # warm: connection, caches, catch-up mark
        idle = children.timed(lambda: process_sla_clocks(now=idle_at), repeat)
        lookups = children.timed(
            lambda: (list(due.values_list("pk")), list(warn.values_list("pk"))), repeat
        )
    # The first minute's clocks fall due: the sweep breaches them (an event, desk
    # notifications and email for each).
    busy_at = NOW + timedelta(minutes=1)
    with time_machine.travel(busy_at, tick=False):
        busy_started = time.perf_counter()
        result = process_sla_clocks(now=busy_at)
        busy_ms = (time.perf_counter() - busy_started) * 1000
    return {
        "vendor": connection.vendor,
        "open_clocks": open_clocks,
        "idle": idle,
        "lookups": lookups,
        "busy_ms": busy_ms,
        "busy_breached": result.breached,
        "busy_warned": result.warned,
        "plan_due": children.plan(due),
        "plan_warn": children.plan(warn),
    }


def child(clocks: int, repeat: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
    django.setup()
    figures = _measure(clocks, repeat)
    print(json.dumps(figures))


# --- the parent: one child per database, then the report --------------------------------


def run_child(db: str, clocks: int, repeat: int) -> dict[str, Any]:
    url = f"{os.environ.get('SLA_BENCH_POSTGRES_URL', POSTGRES_URL)}_{clocks}"
    return children.run_child(
        module="bench.sla_sweep_bench",
        db=db,
        data_name=f"sla-{{db}}-{clocks}",
        postgres_url=url,
        args=["--clocks", str(clocks), "--repeat", str(repeat)],
    )


def report(results: list[dict[str, Any]], clocks: int, repeat: int) -> str:
    lines = [
        "## SLA sweep",
        "",
        f"`{COMMAND}` — {clocks:,} open clocks, {repeat} sweeps per figure, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}. Target: ≤ {TARGET_MS:.0f} ms per sweep.",
        "",
        "| database | open clocks | sweep, nothing due (p50 / max ms) | due + warning look-ups "
        "(p50 ms) | sweep with breaches (ms) | target met |",
        "| --- | ---: | ---: | ---: | ---: | :---: |",
    ]
    for r in results:
        idle = statistics.median(r["idle"])
        lines.append(
            f"| {r['vendor']} | {r['open_clocks']:,} | {idle:.1f} / {max(r['idle']):.1f} | "
            f"{statistics.median(r['lookups']):.2f} | {r['busy_ms']:.0f} "
            f"({r['busy_breached']} breached) | {'yes' if idle <= TARGET_MS else 'no'} |"
        )
    lines += ["", "Query plans of the look-ups:", ""]
    for r in results:
        lines.append(f"- {r['vendor']}, due: `{r['plan_due']}`")
        lines.append(f"- {r['vendor']}, warning: `{r['plan_warn']}`")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clocks", type=int, default=1_000_000, help="open clocks")
    parser.add_argument("--repeat", type=int, default=30, help="sweeps per figure")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.clocks, args.repeat)
        return
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    text = report([run_child(db, args.clocks, args.repeat) for db in databases], args.clocks,
                  args.repeat)  # fmt: skip
    print(text)
    if not args.no_write:
        from bench.report import write_standalone

        write_standalone("sla-sweep", text)


if __name__ == "__main__":
    main()
