"""Where a worker's time goes: N stored messages processed in one process, by stage.

Run from the repository root:  .venv/bin/python -m bench.email_profile [--db postgresql]
Prints markdown (it writes nothing to docs/benchmarks.md; the email benchmark's
section quotes it). The messages are bench.email_bench's (same generator, the
20 MB one left out) and are stored as `truedesk smtpd` stores them; then, in one
process and with no task worker, the stages a worker runs are timed one after
the other: processing (batches of 25), routing the new cases, sending the
acknowledgements (Django's dummy email backend). CPU time and queries per message.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import children

COMMAND = ".venv/bin/python -m bench.email_profile"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/truedesk_email_profile"


def _stage(run: Callable[[], object], count: int) -> dict[str, float]:
    from django.db import connection

    executed = 0

    def counting(execute: Callable[..., Any], *args: Any) -> Any:
        nonlocal executed
        executed += 1
        return execute(*args)

    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counting):
        run()
    return {
        "wall_ms": 1000 * (time.perf_counter() - wall) / count,
        "cpu_ms": 1000 * (time.process_time() - cpu) / count,
        "queries": executed / count,
    }


def child(count: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ["EMAIL_DEFAULT_DEPARTMENT"] = "support"
    os.environ["EMAIL_CHANNEL_FROM"] = "support@bench.test"
    os.environ["LOG_LEVEL"] = "WARNING"
    django.setup()
    from django.db import connection

    from bench.email_bench import _prepare, generate
    from truedesk.channels.email.actions import process_due_messages
    from truedesk.channels.email.outbound import drain_outbound
    from truedesk.channels.email.store import accept_raw_message
    from truedesk.routing.actions import route_new_cases

    _prepare(3000)
    messages = [m for m in generate(count + 1, 3000) if len(m) < 1_000_000][:count]
    for raw in messages:
        accept_raw_message(raw, source="smtp", mail_from="sender@bench.test",
                           rcpt_to=["support@bench.test"])  # fmt: skip
    stages = {
        "processing": _stage(lambda: process_due_messages(limit=count), count),
        "routing the new case": _stage(route_new_cases, count),
        "sending the acknowledgement": _stage(drain_outbound, count),
    }
    print(json.dumps({"vendor": connection.vendor, "count": count, "stages": stages}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--count", type=int, default=500, help="messages to process")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.count)
        return
    data_name = f"email-profile-{args.db}"
    shutil.rmtree(children.data_root() / data_name, ignore_errors=True)
    url = os.environ.get("EMAIL_PROFILE_POSTGRES_URL", POSTGRES_URL)
    if args.db == "postgresql":
        from bench.email_bench import _drop_postgres_database

        _drop_postgres_database(url)
    result: dict[str, Any] = children.run_child(
        module="bench.email_profile", db=args.db, data_name=data_name, postgres_url=url,
        args=["--count", str(args.count)],
    )  # fmt: skip
    lines = [
        f"`{COMMAND} --db {args.db} --count {args.count}` ({result['vendor']}, one process):",
        "",
        "| stage | CPU ms per message | wall ms per message | queries per message |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, stage in result["stages"].items():
        lines.append(f"| {name} | {stage['cpu_ms']:.1f} | {stage['wall_ms']:.1f} | "
                     f"{stage['queries']:.1f} |")  # fmt: skip
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
