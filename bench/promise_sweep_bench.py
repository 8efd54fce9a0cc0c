"""The promise sweep over a million open promises: how long one `process_due_promises` takes.

Run from the repository root:  .venv/bin/python -m bench.promise_sweep_bench [--db sqlite]
Writes markdown to stdout and a section of docs/benchmarks.md (unless --no-write). The
issue's target: at most 50 ms per sweep on PostgreSQL and on SQLite, through indexes.

Data (generated once per database and reused while the promise count matches): N open
promises on N/20 cases, due over 90 days from a day after NOW. Each run adds a fresh
cohort of 100 promises falling due in the 100 minutes before NOW (the previous run's
cohort and its follow-ups are deleted first). Measured: a whole sweep when nothing is
due (the usual minute), the sweep's three id look-ups on their own, and the sweep at
NOW that marks the cohort missed and follows each one up (events, flags, new promises,
notifications).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import children

COMMAND = ".venv/bin/python -m bench.promise_sweep_bench"
TARGET_MS = 50.0
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/truedesk_promise_bench"  # + _<promises>
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE_COHORT = 100
PROMISES_PER_CASE = 20
BATCH = 5000
FUTURE_SUBJECT = "promise bench"
DUE_SUBJECT = "promise bench due"
HERE = Path(__file__).resolve().parent


# --- inside one database (a child process: Django reads settings once) -------------------


def _owner() -> Any:
    from truedesk.accounts.models import User

    owner = User.objects.filter(username="bench-promiser").first()
    return owner or User.objects.create_user(
        username="bench-promiser", password=None, kind="staff", role="agent"
    )


def _new_cases(customer: Any, count: int, subject: str, at: datetime) -> list[Any]:
    from truedesk.cases.models import Case

    first = (Case.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return Case.objects.bulk_create(
        Case(number=first + i, subject=subject, customer=customer, status="open",
             created_at=at, updated_at=at)
        for i in range(count)
    )  # fmt: skip


def _generate(promises: int) -> float:
    """Insert the open promises unless this database has them; the seconds it took."""
    from django.core.management import call_command
    from django.db import transaction

    from truedesk.customers.models import Customer
    from truedesk.promises.models import Promise

    call_command("migrate", verbosity=0)
    # One database per size (see run_child): data is generated once and reused.
    if Promise.objects.filter(case__subject=FUTURE_SUBJECT).exists():
        return 0.0
    started = time.perf_counter()
    owner = _owner()
    customer = Customer.objects.create(name="Promise bench customer")
    made = NOW - timedelta(days=1)
    minutes = 90 * 24 * 60
    for offset in range(0, promises, BATCH):
        size = min(BATCH, promises - offset)
        with transaction.atomic():
            cases = _new_cases(customer, -(-size // PROMISES_PER_CASE), FUTURE_SUBJECT, made)
            # Due from a day after NOW over 90 days, spread by a multiplicative hash.
            Promise.objects.bulk_create(
                Promise(case=cases[i // PROMISES_PER_CASE], kind="call_back",
                        description="Call back about the line", owner=owner, made_by=owner,
                        made_at=made,
                        due_at=NOW + timedelta(days=1, minutes=((offset + i) * 7919) % minutes))
                for i in range(size)
            )  # fmt: skip
    children.analyze()
    return time.perf_counter() - started


def _fresh_due_cohort() -> None:
    """Delete the last run's due promises and their follow-ups; add DUE_COHORT falling due."""
    from django.db import transaction

    from truedesk.customers.models import Customer
    from truedesk.promises.models import Promise

    with transaction.atomic():
        old = Promise.objects.filter(case__subject=DUE_SUBJECT)
        old.update(replaced_by=None)
        old.delete()
        case = (
            _case_with_subject(DUE_SUBJECT)
            or _new_cases(Customer.objects.get(name="Promise bench customer"), 1, DUE_SUBJECT,
                          NOW - timedelta(days=1))[0]
        )  # fmt: skip
        owner = _owner()
        Promise.objects.bulk_create(
            Promise(case=case, kind="fix", description="Fix the router", owner=owner,
                    made_by=owner, made_at=NOW - timedelta(days=1),
                    due_at=NOW - timedelta(minutes=1 + i))
            for i in range(DUE_COHORT)
        )  # fmt: skip


def _case_with_subject(subject: str) -> Any:
    from truedesk.cases.models import Case

    return Case.objects.filter(subject=subject).first()


def _measure(promises: int, repeat: int) -> dict[str, Any]:
    import time_machine
    from django.db import connection

    from truedesk.promises.actions import SWEEP_BATCH, process_due_promises
    from truedesk.promises.models import Promise
    from truedesk.promises.selectors import get_promise_settings

    generate_seconds = _generate(promises)
    _fresh_due_cohort()
    open_promises = Promise.objects.filter(status="open").count()
    # Three hours before NOW nothing is due and nothing falls within the reminder lead.
    idle_at = NOW - timedelta(hours=3)
    lead = get_promise_settings().reminder_lead
    open_ones = Promise.objects.filter(status="open").order_by("due_at", "pk")
    due = open_ones.filter(due_at__lte=idle_at)
    pending = Promise.objects.filter(status="missed", missed_handled_at__isnull=True).order_by(
        "closed_at", "pk"
    )
    remind = open_ones.filter(
        due_at__gt=idle_at, due_at__lte=idle_at + lead, reminded_at__isnull=True
    )

    def lookups() -> None:
        for queryset in (due, pending, remind):
            list(queryset.values_list("pk", flat=True)[:SWEEP_BATCH])

    with time_machine.travel(idle_at, tick=False):
        process_due_promises(now=idle_at)  # warm: connection, settings row
        idle = children.timed(lambda: process_due_promises(now=idle_at), repeat)
        lookup = children.timed(lookups, repeat)
    # The cohort falls due: the sweep marks each missed and follows it up.
    with time_machine.travel(NOW, tick=False):
        busy_started = time.perf_counter()
        result = process_due_promises(now=NOW)
        busy_ms = (time.perf_counter() - busy_started) * 1000
    return {
        "vendor": connection.vendor,
        "open_promises": open_promises,
        "generate_seconds": generate_seconds,
        "idle": idle,
        "lookups": lookup,
        "busy_ms": busy_ms,
        "busy_missed": result.missed,
        "busy_followed_up": result.followed_up,
        "plan_due": children.plan(due.values_list("pk", flat=True)[:SWEEP_BATCH]),
        "plan_pending": children.plan(pending.values_list("pk", flat=True)[:SWEEP_BATCH]),
        "plan_remind": children.plan(remind.values_list("pk", flat=True)[:SWEEP_BATCH]),
    }


def child(promises: int, repeat: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
    django.setup()
    print(json.dumps(_measure(promises, repeat)))


# --- the parent: one child per database, then the report --------------------------------


def run_child(db: str, promises: int, repeat: int) -> dict[str, Any]:
    url = f"{os.environ.get('PROMISE_BENCH_POSTGRES_URL', POSTGRES_URL)}_{promises}"
    return children.run_child(
        module="bench.promise_sweep_bench",
        db=db,
        data_name=f"promise-{{db}}-{promises}",
        postgres_url=url,
        args=["--promises", str(promises), "--repeat", str(repeat)],
    )


def report(results: list[dict[str, Any]], promises: int, repeat: int) -> str:
    lines = [
        "## Promise sweep",
        "",
        f"`{COMMAND} --promises {promises}` — {datetime.now(UTC):%Y-%m-%d}, "
        f"{platform.machine()} {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}; {repeat} sweeps per figure. "
        f"Target: ≤ {TARGET_MS:.0f} ms per sweep.",
        "",
        "| database | open promises | sweep, nothing due (p50 / max ms) | the three look-ups "
        f"(p50 ms) | sweep with {DUE_COHORT} due (ms) | target met |",
        "| --- | ---: | ---: | ---: | ---: | :---: |",
    ]
    for r in results:
        idle = statistics.median(r["idle"])
        lines.append(
            f"| {r['vendor']} | {r['open_promises']:,} | {idle:.1f} / {max(r['idle']):.1f} | "
            f"{statistics.median(r['lookups']):.2f} | {r['busy_ms']:.0f} "
            f"({r['busy_missed']} missed, {r['busy_followed_up']} followed up) | "
            f"{'yes' if idle <= TARGET_MS else 'no'} |"
        )
    lines += ["", "Query plans of the look-ups (due, follow-up pending, reminders):", ""]
    for r in results:
        for name in ("due", "pending", "remind"):
            lines.append(f"- {r['vendor']}, {name}: `{r['plan_' + name]}`")
    generated = [r for r in results if r["generate_seconds"]]
    if generated:
        lines.append("")
        lines.append("Generation this run: " + ", ".join(
            f"{r['vendor']} {r['generate_seconds']:.0f} s" for r in generated
        ) + ".")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--promises", type=int, default=1_000_000, help="open promises")
    parser.add_argument("--repeat", type=int, default=30, help="sweeps per figure")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.promises, args.repeat)
        return
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    text = report([run_child(db, args.promises, args.repeat) for db in databases],
                  args.promises, args.repeat)  # fmt: skip
    print(text)
    if not args.no_write:
        from bench.report import write_standalone

        write_standalone("promise-sweep", text)


if __name__ == "__main__":
    main()
