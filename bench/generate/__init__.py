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
import json
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import django
from django.apps import apps

if not apps.ready:  # run as a script rather than imported by Django code or a test
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
    django.setup()

import numpy as np

from bench import BENCH_AGENT, DEFAULT_SEED, SCALES
from bench.generate.cases import counts_as_contact, create_cases
from bench.generate.people import create_customers, create_organisations, create_staff
from bench.generate.plumbing import (
    Context,
    analyze,
    fast_writes,
    reserve_case_numbers,
    reset_sequences,
)
from truedesk.accounts.models import Department, User
from truedesk.cases.models import Case, CaseEvent, CaseStaffContact, Interaction
from truedesk.customers.models import ContactPoint, Customer, Membership, Organisation

__all__ = [
    "GenerationError",
    "GenerationResult",
    "counts_as_contact",
    "generate",
    "main",
    "table_counts",
]


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
    ctx = Context(random.Random(seed), np.random.default_rng(seed), anchor, batch_size, progress)
    with fast_writes():
        t = time.perf_counter()
        staff = create_staff(ctx, agents)
        organisation_ids = create_organisations(ctx, organisations, staff)
        people = create_customers(ctx, customers, organisation_ids)
        phases["people"] = time.perf_counter() - t
        t = time.perf_counter()
        first_number = reserve_case_numbers(cases)
        create_cases(ctx, staff, people, cases, interactions, first_number)
        phases["cases"] = time.perf_counter() - t
        t = time.perf_counter()
        reset_sequences()
        analyze()
        phases["analyze"] = time.perf_counter() - t
    return GenerationResult(
        counts=table_counts(),
        seconds=round(time.perf_counter() - started, 1),
        cpu_seconds=round(time.process_time() - cpu_started, 1),
        first_case_number=first_number,
        last_case_number=first_number + cases - 1,
        phase_seconds={key: round(value, 1) for key, value in phases.items()},
    )


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
