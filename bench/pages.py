"""Page timings: p50/p95/max of the desk's main pages and the API on generated data.

The orchestrator (`run_backend`) gives each database its own data directory and
database, migrates it, generates data once per scale and then measures in a
separate process, because Django reads its settings once per process. The
measuring process (`python -m bench.pages measure`) signs in as the bench agent
and calls the pages in-process with django.test.Client, so the figures are the
server's own time without network or browser.

To add a page, append a `Page` to PAGES: give the URL names to try (the first
that reverses wins) or a fixed path, and what the URL is about.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from bench import DEFAULT_SEED, SCALES, Scale

Target = Literal["none", "case", "customer", "longest_case", "busiest_customer", "busiest_queue"]

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/truedesk_bench"
MARKER = "bench-marker.json"
TARGET_P95_MS = 100.0
WARMUP = 10
QUERY_COUNT_SAMPLES = 10
# A very slow page stops after this long once it has MIN_SAMPLES, so one bad page
# cannot stretch a run to hours; the report shows how many samples were taken.
PAGE_BUDGET_SECONDS = 90.0
MIN_SAMPLES = 20


@dataclass(frozen=True)
class Page:
    """One page to time: how to find its URL and what it is about."""

    key: str
    title: str
    url_names: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # fixed paths, tried with resolve() when no name fits
    target: Target = "none"
    query: str = ""
    auth: Literal["session", "token"] = "session"
    # A page about the largest object is compared with the same page on typical
    # ones: more queries there means the query count grows with the data (N+1).
    compare_with: str = ""


CASE_URLS = ("desk:case", "desk:case_detail", "cases:detail")
CUSTOMER_URLS = ("desk:customer", "desk:customer_detail", "customers:detail")
PAGES: list[Page] = [
    Page("desk_home", "Desk: my cases", url_names=("desk:home",)),
    Page("desk_queues", "Desk: queue picker", url_names=("desk:queues",)),
    Page(
        "desk_queue",
        "Desk queue (largest department queue)",
        url_names=("desk:queue",),
        target="busiest_queue",
    ),
    Page("case", "Case page (random cases)", url_names=CASE_URLS, target="case"),
    Page(
        "case_longest",
        "Case page (most interactions)",
        url_names=CASE_URLS,
        target="longest_case",
        compare_with="case",
    ),
    Page("customer", "Customer 360 (random customers)", url_names=CUSTOMER_URLS, target="customer"),
    Page(
        "customer_busiest",
        "Customer 360 (most cases)",
        url_names=CUSTOMER_URLS,
        target="busiest_customer",
        compare_with="customer",
    ),
    Page(
        "api_cases",
        "API case list (limit 50)",
        paths=("/api/v1/cases", "/api/v1/cases/"),
        query="limit=50",
        auth="token",
    ),
]

# What each target is, and the URL keyword arguments a page about it may take
# with the attribute of the object that fills them.
TARGET_KINDS = {
    "none": "",
    "case": "case",
    "longest_case": "case",
    "customer": "customer",
    "busiest_customer": "customer",
    "busiest_queue": "department",
}
KWARG_FORMS: dict[str, tuple[tuple[str, str], ...]] = {
    "department": (("slug", "slug"), ("pk", "pk"), ("department_id", "pk")),
    "case": (
        ("number", "number"),
        ("case_number", "number"),
        ("pk", "pk"),
        ("case_id", "pk"),
        ("id", "pk"),
    ),
    "customer": (("pk", "pk"), ("customer_id", "pk"), ("id", "pk")),
}


# --- orchestration (no Django in this process) --------------------------------


def backend_env(db: str, scale_name: str, data_root: Path) -> dict[str, str]:
    """The environment that points Truedesk at the bench database for `db`."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="truedesk.config.settings",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        # Persistent connections, as a production deployment configures them.
        DATABASE_CONN_MAX_AGE="600",
    )
    env.pop("SECRET_KEY", None)
    if db == "postgresql":
        env["DATABASE_URL"] = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL)
        env["TRUEDESK_DATA_DIR"] = str(data_root / "postgresql")
    else:
        env.pop("DATABASE_URL", None)
        env["TRUEDESK_DATA_DIR"] = str(data_root / f"sqlite-{scale_name}")
    # `python -m bench.*` must find this package from the child's working directory.
    repo = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo, env.get("PYTHONPATH")]))
    return env


def run_backend(
    *,
    db: str,
    scale_name: str,
    samples: int,
    data_root: Path,
    regenerate: bool = False,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Prepare (or reuse) the bench database for `db`, then measure every page on it."""
    scale = SCALES[scale_name]
    env = backend_env(db, scale_name, data_root)
    data_dir = Path(env["TRUEDESK_DATA_DIR"])
    generation = None if regenerate else _reusable_generation(env, data_dir, scale, seed)
    if generation is None:
        print(f"== {db}: preparing a fresh database for scale {scale_name}", file=sys.stderr)
        _fresh_database(db, env, data_dir)
        _run([sys.executable, "-m", "truedesk", "migrate", "--no-input"], env, data_dir, "migrate")
        _run([sys.executable, "-m", "truedesk", "createcachetable"], env, data_dir, "cache")
        result_file = data_dir / "generation.json"
        _run(
            [
                sys.executable,
                "-m",
                "bench.generate",
                *scale.as_args(),
                "--seed",
                str(seed),
                "--result-file",
                str(result_file),
            ],
            env,
            data_dir,
            None,
        )
        generation = json.loads(result_file.read_text(encoding="utf-8"))
        generation["reused"] = False
        marker = {"scale": scale.as_dict(), "seed": seed, "generation": generation}
        (data_dir / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    else:
        print(f"== {db}: reusing the {scale_name} data in {data_dir}", file=sys.stderr)
    out = data_dir / "measurement.json"
    _run(
        [
            sys.executable,
            "-m",
            "bench.pages",
            "measure",
            "--samples",
            str(samples),
            "--seed",
            str(seed),
            "--out",
            str(out),
        ],
        env,
        data_dir,
        None,
    )
    measured = json.loads(out.read_text(encoding="utf-8"))
    return {
        "db": db,
        "scale_name": scale_name,
        "scale": scale.as_dict(),
        "generation": generation,
        **measured,
    }


def _reusable_generation(
    env: dict[str, str], data_dir: Path, scale: Scale, seed: int
) -> dict[str, Any] | None:
    """The marker's generation record if the database still holds exactly that data."""
    try:
        marker = json.loads((data_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if marker.get("scale") != scale.as_dict() or marker.get("seed") != seed:
        return None
    status = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--status"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if status.returncode != 0:
        return None
    try:
        counts = json.loads(status.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    if counts.get("cases") != scale.cases or counts.get("interactions") != scale.interactions:
        return None
    return {**marker["generation"], "reused": True}


def _fresh_database(db: str, env: dict[str, str], data_dir: Path) -> None:
    """An empty data directory and, on PostgreSQL, a dropped and re-created database."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    if db != "postgresql":
        return
    import psycopg
    from psycopg import sql

    url = urlsplit(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    with psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _run(command: list[str], env: dict[str, str], data_dir: Path, log_name: str | None) -> None:
    """Run a step; a quiet step's output goes to a log that is shown only if it fails."""
    if log_name is None:
        subprocess.run(command, env=env, check=True)
        return
    log = data_dir / f"{log_name}.log"
    with log.open("w", encoding="utf-8") as handle:
        finished = subprocess.run(
            command, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False
        )
    if finished.returncode != 0:
        print(log.read_text(encoding="utf-8")[-4000:], file=sys.stderr)
        raise subprocess.CalledProcessError(finished.returncode, command)


# --- measuring (inside the bench database's own process) ----------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(*, samples: int, seed: int, warmup: int = WARMUP) -> dict[str, Any]:
    """Time every page in PAGES on the configured database; returns a JSON-able report."""
    # Imported here: this process is the one whose settings point at the bench database.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
    django.setup()
    import sqlite3

    from django.db import connection
    from django.test import Client

    from bench import BENCH_AGENT
    from bench.generate import table_counts
    from truedesk.accounts.models import User

    agent = User.objects.get(username=BENCH_AGENT)
    session = Client()
    session.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    token_client, auth_note = _token_client(agent, session)
    targets = _targets(samples, random.Random(seed))
    load_before = os.getloadavg()[0]
    results = []
    for page in PAGES:
        client = token_client if page.auth == "token" else session
        results.append(_measure_page(page, client, targets, samples, warmup))
    _flag_query_growth(results)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        version = f"SQLite {sqlite3.sqlite_version}"
    return {
        "database": version,
        "django": django.get_version(),
        "counts": table_counts(),
        "auth_note": auth_note,
        "samples": samples,
        # A shared machine's load skews wall-clock figures; the report shows it.
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "pages": results,
    }


def _flag_query_growth(results: list[dict[str, Any]]) -> None:
    """Mark pages that need more queries for the largest object than for typical ones."""
    by_key = {row["key"]: row for row in results}
    for page in PAGES:
        row = by_key[page.key]
        typical = by_key.get(page.compare_with)
        if row["status"] != "ok" or typical is None or typical["status"] != "ok":
            continue
        row["query_growth"] = row["queries_max"] > typical["queries_max"]


def _token_client(agent: Any, session: Any) -> tuple[Any, str]:
    """A client that sends a bearer token minted through the accounts actions, if they exist."""
    from django.test import Client

    try:
        from truedesk.accounts.actions import mint_api_token

        _token, raw = mint_api_token(
            acting_user=agent, user=agent, name=f"bench {time.strftime('%Y-%m-%d %H:%M:%S')}"
        )
    except Exception as exc:  # the accounts app may not have it yet: measure with the session
        return session, f"API measured with a session login: no token ({type(exc).__name__})"
    return Client(headers={"authorization": f"Bearer {raw}"}), "API measured with a bearer token"


def _targets(samples: int, rng: random.Random) -> dict[str, list[Any]]:
    """The objects the pages are about: random cases and customers, and the worst cases."""
    from django.db.models import Count

    from truedesk.accounts.models import Department
    from truedesk.cases.models import Case, Interaction
    from truedesk.customers.models import Customer

    # Ordered, so that one seed picks the same sample on every run and database.
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    customer_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    picked_cases = rng.sample(case_ids, min(samples, len(case_ids)))
    picked_customers = rng.sample(customer_ids, min(samples, len(customer_ids)))
    longest = (
        Interaction.objects.values("case").annotate(n=Count("id")).order_by("-n", "case").first()
    )
    busiest = (
        Case.objects.values("customer").annotate(n=Count("id")).order_by("-n", "customer").first()
    )
    queue = (
        Case.objects.filter(owner__isnull=True, status__in=Case.ACTIVE_STATUSES)
        .exclude(department=None)
        .values("department")
        .annotate(n=Count("id"))
        .order_by("-n", "department")
        .first()
    )
    cases = Case.objects.in_bulk(picked_cases)
    customers = Customer.objects.in_bulk(picked_customers)
    return {
        "none": [None],
        "case": [cases[pk] for pk in picked_cases],
        "customer": [customers[pk] for pk in picked_customers],
        "longest_case": [Case.objects.get(pk=longest["case"])] if longest else [],
        "busiest_customer": [Customer.objects.get(pk=busiest["customer"])] if busiest else [],
        "busiest_queue": [Department.objects.get(pk=queue["department"])] if queue else [],
    }


def _urls(page: Page, objects: list[Any]) -> tuple[list[str], str]:
    """The page's URL for each object, or ([], why not) when the page does not exist yet."""
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    suffix = f"?{page.query}" if page.query else ""
    if page.paths:
        for path in page.paths:
            try:
                resolve(path)
            except Resolver404:
                continue
            return [path + suffix], ""
        return [], f"no route at {' or '.join(page.paths)}"
    if not objects:
        return [], "no data for this page"
    kind = TARGET_KINDS[page.target]
    for name in page.url_names:
        if not kind:
            try:
                return [reverse(name) + suffix], ""
            except NoReverseMatch:
                continue
        for kwarg, attribute in KWARG_FORMS[kind]:
            try:
                urls = [
                    reverse(name, kwargs={kwarg: getattr(obj, attribute)}) + suffix
                    for obj in objects
                ]
            except NoReverseMatch:
                continue
            return urls, ""
    return [], f"no URL named {', '.join(page.url_names)}"


def _measure_page(
    page: Page, client: Any, targets: dict[str, list[Any]], samples: int, warmup: int
) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    row: dict[str, Any] = {"key": page.key, "title": page.title}
    urls, why = _urls(page, targets[page.target])
    if not urls:
        return {**row, "status": "not yet available", "note": why}
    row["url"] = urls[0]
    try:
        for index in range(warmup):
            _get(client, urls[index % len(urls)])
        timings, cpu = [], []
        budget_ends = time.perf_counter() + PAGE_BUDGET_SECONDS
        for index in range(samples):
            if index >= MIN_SAMPLES and time.perf_counter() > budget_ends:
                break
            started, cpu_started = time.perf_counter(), time.process_time()
            _get(client, urls[index % len(urls)])
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        queries = []
        for url in urls[:QUERY_COUNT_SAMPLES]:
            with CaptureQueriesContext(connection) as captured:
                _get(client, url)
            queries.append(len(captured.captured_queries))
    except _PageError as exc:
        return {**row, "status": "error", "note": str(exc)}
    return {
        **row,
        "status": "ok",
        "samples": len(timings),
        "p50_ms": round(percentile(timings, 0.50), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        # This process's CPU per request: the Python side without waiting for a busy
        # machine (and, on PostgreSQL, without the server's own work).
        "cpu_p50_ms": round(percentile(cpu, 0.50), 1),
        "queries_min": min(queries),
        "queries_max": max(queries),
        "distinct_urls": len(set(urls)),
    }


class _PageError(Exception):
    """A page answered with something other than 200, or raised."""


def _get(client: Any, url: str) -> None:
    try:
        response = client.get(url)
    except Exception as exc:
        raise _PageError(f"{url} raised {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        where = f" to {response['Location']}" if response.has_header("Location") else ""
        raise _PageError(f"{url} answered HTTP {response.status_code}{where}")


# --- command line ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages")
    commands = parser.add_subparsers(dest="command", required=True)
    measuring = commands.add_parser("measure", help="time the pages on the configured database")
    measuring.add_argument("--samples", type=int, default=200)
    measuring.add_argument("--seed", type=int, default=DEFAULT_SEED)
    measuring.add_argument("--out", type=Path, required=True)
    running = commands.add_parser("run", help="prepare a bench database and measure it")
    running.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    running.add_argument("--scale", choices=sorted(SCALES), default="small")
    running.add_argument("--samples", type=int, default=200)
    running.add_argument("--data-root", type=Path, default=default_data_root())
    running.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "measure":
        report = measure(samples=args.samples, seed=args.seed)
        args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
        return 0
    result = run_backend(
        db=args.db,
        scale_name=args.scale,
        samples=args.samples,
        data_root=args.data_root,
        regenerate=args.regenerate,
    )
    print(json.dumps(result, indent=2))
    return 0


def default_data_root() -> Path:
    """Where bench databases live: outside the repository, kept between runs."""
    return Path(os.environ.get("BENCH_DATA_ROOT") or Path(tempfile.gettempdir()) / "truedesk-bench")


if __name__ == "__main__":
    raise SystemExit(main())
