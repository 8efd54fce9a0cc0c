"""Run one benchmark in a child process per database (the settings bind the database).

Each benchmark keeps its generated data in its own data directory under the bench
root, and on PostgreSQL in its own database, so data is generated once and reused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def data_root() -> Path:
    """Where benchmark data lives between runs (BENCH_DATA_ROOT, else the temp dir)."""
    return Path(os.environ.get("BENCH_DATA_ROOT") or Path(tempfile.gettempdir()) / "truedesk-bench")


def ensure_postgres_database(url: str) -> None:
    """Create the database a PostgreSQL URL names, if it does not exist yet."""
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_child(
    *, module: str, db: str, data_name: str, postgres_url: str, args: list[str]
) -> dict[str, Any]:
    """Run `python -m <module> --child <args>` against `db`; return the JSON it prints last.

    `data_name` may contain `{db}`; it names the data directory under the bench root.
    """
    env = dict(os.environ)
    if db == "postgresql":
        ensure_postgres_database(postgres_url)
        env["DATABASE_URL"] = postgres_url
    else:
        env.pop("DATABASE_URL", None)
    env["TRUEDESK_DATA_DIR"] = str(data_root() / data_name.format(db=db))
    Path(env["TRUEDESK_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        env=env, capture_output=True, text=True, cwd=HERE.parent, check=False,
    )  # fmt: skip
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {db} run of {module} failed")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (ANALYZE on both databases)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(run: Any, repeat: int) -> list[float]:
    """Milliseconds of `repeat` calls of `run`, one sample each."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def plan(queryset: Any) -> str:
    """The plan's lines that say how rows are found (index or scan; PostgreSQL nests them)."""
    lines = [line.strip().lstrip("-> ").strip() for line in queryset.explain().splitlines()]
    found = [line for line in lines if any(w in line for w in ("Index", "INDEX", "Scan", "SCAN"))]
    return " / ".join(found or lines[:3])
