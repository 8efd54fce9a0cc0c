"""Issue 4, with real processes: kill `truedesk worker` mid-message, restart it, lose nothing.

test_inbound.py simulates the crash inside one process; here the worker is a real
`truedesk worker` process killed with SIGKILL while it works through a backlog of
stored messages, and a second worker finishes the job. The processes get their
own database (an SQLite file in a temporary data directory, or a fresh database
on the PostgreSQL server of DATABASE_URL), not pytest-django's test database.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from truedesk.channels.email.actions import BATCH_SIZE

MESSAGES = 300
DEADLINE_SECONDS = 120

_PRELUDE = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
django.setup()
"""

_LOAD = """
from email.message import EmailMessage
from django.core.management import call_command
from truedesk.accounts.models import Department
from truedesk.channels.email.store import accept_raw_message
from truedesk.customers.models import ContactPoint, Customer

call_command("createcachetable", verbosity=0)
Department.objects.create(slug="support", name="Support")
known = Customer.objects.create(name="Dave Known", language="en")
ContactPoint.objects.create(customer=known, kind="email", value="dave@example.com",
                            normalized="dave@example.com", is_primary=True)
for number in range(COUNT):
    sender = "dave@example.com" if number % 10 == 0 else f"customer{number}@example.com"
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@truedesk.test"
    msg["Subject"] = f"Problem number {number}"
    msg["Message-ID"] = f"<killed-{number}@client.test>"
    msg.set_content(f"Hello, this is problem number {number}.")
    accept_raw_message(msg.as_bytes(), source="smtp", mail_from=sender,
                       rcpt_to=["support@truedesk.test"], enqueue=True)
print(json.dumps({"stored": COUNT}))
"""

_PROGRESS = """
from truedesk.channels.email.models import InboundMessage
print(json.dumps({"received": InboundMessage.objects.filter(state="received").count()}))
"""

# A SIGKILLed worker leaves its claim (a lease) on the batch it was processing; the
# messages are taken again once the lease runs out (5 minutes), by the inbound-mail
# sweep (every 30 s), which also drains the backlog the dead worker's queued run
# would have. Rather than wait, the lease runs out now and the sweep is due now:
# exactly what the clock would do.
_EXPIRE_LEASES = """
from datetime import timedelta
from django.utils import timezone
from truedesk.channels.email.models import InboundMessage
from truedesk.web.models import PeriodicJobState
now = timezone.now()
held = InboundMessage.objects.filter(state="received", lease_until__gt=now)
in_flight = list(held.values_list("pk", flat=True))
held.update(lease_until=now - timedelta(seconds=1))
PeriodicJobState.objects.filter(name="email.process_due_inbound").update(
    last_run_at=now - timedelta(minutes=1))
print(json.dumps({"in_flight": in_flight}))
"""

_OUTCOME = """
from django.db.models import Count
from truedesk.cases.models import Case, Interaction
from truedesk.channels.email.models import InboundMessage, MessageKey, OutboundEmail
messages = InboundMessage.objects.all()
inbound = Interaction.objects.filter(channel="email", direction="inbound")
print(json.dumps({
    "messages": messages.count(),
    "states": dict(messages.values_list("state").annotate(n=Count("id")).order_by()),
    "linked_interactions": messages.exclude(interaction=None)
    .values("interaction").distinct().count(),
    "inbound_interactions": inbound.count(),
    "external_ids": inbound.values("external_id").distinct().count(),
    "message_keys": MessageKey.objects.count(),
    "keyed_messages": MessageKey.objects.values("inbound").distinct().count(),
    "cases": Case.objects.count(),
    "acknowledgements": OutboundEmail.objects.filter(kind="ack").count(),
    "acknowledged_cases": OutboundEmail.objects.filter(kind="ack")
    .values("case").distinct().count(),
}))
"""


@pytest.fixture
def child_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for the child processes: their own data directory and database."""
    env = {
        **os.environ,
        "TRUEDESK_DATA_DIR": str(tmp_path / "data"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "EMAIL_DEFAULT_DEPARTMENT": "support",
        "EMAIL_CHANNEL_FROM": "support@truedesk.test",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    (tmp_path / "data").mkdir()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg
    from psycopg import sql

    base, _, name = url.partition("?")[0].rpartition("/")
    database = f"{name or 'truedesk'}_killed_{secrets.token_hex(4)}"[:63]
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    env["DATABASE_URL"] = f"{base}/{database}"
    try:
        yield env
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )


def _truedesk(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "truedesk", *args],
        env=env, capture_output=True, text=True, timeout=DEADLINE_SECONDS, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _query(env: dict[str, str], code: str, **names: object) -> dict:
    script = _PRELUDE + "".join(f"{k} = {v!r}\n" for k, v in names.items()) + code
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env, capture_output=True, text=True, timeout=DEADLINE_SECONDS, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "truedesk", "worker", "--interval", "0.2"],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _wait_until(
    env: dict[str, str], worker: subprocess.Popen[bytes], log: Path, done: Callable[[int], bool]
) -> int:
    """Poll the number of messages still to process until `done(received)`; return it."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert worker.poll() is None, log.read_text(errors="replace")
        received = _query(env, _PROGRESS)["received"]
        if done(received):
            return int(received)
        time.sleep(0.2)
    raise AssertionError(f"the worker did not get there in time:\n{log.read_text()[-3000:]}")


def test_killing_the_worker_mid_message_loses_and_duplicates_nothing(child_env, tmp_path):
    _truedesk(child_env, "migrate", "--verbosity", "0")
    assert _query(child_env, _LOAD, COUNT=MESSAGES) == {"stored": MESSAGES}
    log = tmp_path / "worker.log"
    workers: list[subprocess.Popen[bytes]] = []
    try:
        first = _start_worker(child_env, log)
        workers.append(first)
        # Some processed, most not: the worker is busy with the backlog when it dies.
        left = _wait_until(child_env, first, log, lambda n: n <= MESSAGES - 40)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        assert left > 0

        at_kill = _query(child_env, _EXPIRE_LEASES)
        # At most the one batch the worker was in the middle of was left claimed.
        assert len(at_kill["in_flight"]) <= BATCH_SIZE

        second = _start_worker(child_env, log)
        workers.append(second)
        _wait_until(child_env, second, log, lambda n: n == 0)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=30)

    outcome = _query(child_env, _OUTCOME)
    assert outcome == {
        "messages": MESSAGES,
        "states": {"processed": MESSAGES},
        "linked_interactions": MESSAGES,
        "inbound_interactions": MESSAGES,
        "external_ids": MESSAGES,
        "message_keys": MESSAGES,
        "keyed_messages": MESSAGES,
        "cases": MESSAGES,
        "acknowledgements": MESSAGES,
        "acknowledged_cases": MESSAGES,
    }, (at_kill, log.read_text(errors="replace")[-3000:])
