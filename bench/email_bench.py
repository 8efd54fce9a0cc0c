"""Inbound email end to end: messages over SMTP to `truedesk smtpd`, processed by workers.

Run from the repository root:  .venv/bin/python -m bench.email_bench [--db postgresql]
Writes markdown to stdout and the `email` section of docs/benchmarks.md (unless
--no-write). The issue's aim: ≥ 200 messages/s from accept to case interaction with
PostgreSQL, ≤ 256 MB peak memory per worker, with a 20 MB attachment in the mix.

Each run uses a fresh data directory (and database): `truedesk migrate`, a support
department and a third of the senders as known customers; then it starts the real
`truedesk smtpd` and W `truedesk worker` processes, sends N generated messages over
S parallel SMTP connections (mixed English, Lithuanian, Ukrainian and Russian in
UTF-8, windows-1251, koi8-r, ISO-8859-13, windows-1257 and ISO-8859-5; a third are
replies threading on the sender's earlier message; some HTML-only; some with small
attachments; one with a 20 MB attachment) and waits until every stored message is
processed. Acknowledgements are sent through Django's dummy email backend.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import smtplib
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bench import children

COMMAND = ".venv/bin/python -m bench.email_bench"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/truedesk_email_bench"
TARGET_RATE = 200.0
TARGET_RSS_MB = 256.0
HERE = Path(__file__).resolve().parent

TEXTS = [
    ("utf-8", "Internet is down", "Hello, the internet has been down since yesterday evening."),
    ("utf-8", "Sąskaita", "Laba diena, sąskaitoje dvigubas mokestis, prašau patikrinti."),
    ("windows-1251", "Рахунок", "Доброго дня, отримав подвійний рахунок за квітень, що робити?"),
    ("koi8-r", "Счёт", "Добрый день, счёт выставлен неверно, прошу проверить и исправить."),
    ("iso-8859-13", "Užsakymas", "Sveiki, užsakymas vėluoja jau savaitę, kada jį gausiu?"),
    ("windows-1257", "Ryšys", "Labas, mobilusis ryšys nutrūksta kiekvieną vakarą po septintos."),
    ("iso-8859-5", "Роутер", "Добрый вечер, роутер перезагружается каждые пять минут."),
    ("windows-1251", "Роутер", "Здравствуйте, роутер не раздаёт Wi-Fi после обновления."),
]
QUOTE = "\n\nOn Mon, 3 Jun 2024 at 10:00, Support <support@bench.test> wrote:\n> How can we help?\n"


# --- generating messages (in the parent) -----------------------------------------------


def _sender(index: int) -> str:
    return f"customer{index}@bench.test"


def generate(count: int, senders: int, seed: int = 4) -> list[bytes]:
    rng = random.Random(seed)
    sent_by: dict[str, str] = {}
    messages = []
    big_at = count // 2
    for number in range(count):
        charset, subject, body = TEXTS[number % len(TEXTS)]
        address = _sender(rng.randrange(senders))
        msg = EmailMessage()
        msg["From"] = f"Customer {address.split('@')[0]} <{address}>"
        msg["To"] = "support@bench.test"
        msg["Message-ID"] = f"<bench-{number}-{rng.getrandbits(48):x}@client.test>"
        earlier = sent_by.get(address)
        if earlier and rng.random() < 0.33:
            msg["Subject"] = f"Re: {subject}"
            msg["In-Reply-To"] = earlier
            msg["References"] = earlier
            text = body + QUOTE
        else:
            msg["Subject"] = subject
            text = body + "\n-- \nA customer"
        if number % 20 == 7:
            msg.set_content(f"<p>{text}</p><img src='https://tracker.example/p.gif'>",
                            subtype="html", charset=charset)  # fmt: skip
        else:
            msg.set_content(text, charset=charset)
        if number == big_at:
            msg.add_attachment(os.urandom(20 * 1024 * 1024), maintype="application",
                               subtype="zip", filename="backup.zip")  # fmt: skip
        elif number % 10 == 3:
            msg.add_attachment(os.urandom(rng.randrange(10_000, 100_000)), maintype="image",
                               subtype="jpeg", filename=f"photo-{number}.jpg")  # fmt: skip
        sent_by[address] = str(msg["Message-ID"])
        messages.append(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    return messages


# --- the run (in a child process per database) ----------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("truedesk smtpd exited")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("truedesk smtpd did not start")


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _prepare(senders: int) -> None:
    from django.core.management import call_command

    from truedesk.accounts.models import Department
    from truedesk.customers.models import ContactPoint, Customer

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    Department.objects.get_or_create(slug="support", defaults={"name": "Support"})
    known = [Customer(name=f"Known {i}", language="en") for i in range(0, senders, 3)]
    Customer.objects.bulk_create(known)
    ContactPoint.objects.bulk_create(
        ContactPoint(customer=c, kind="email", value=_sender(i * 3), normalized=_sender(i * 3),
                     is_primary=True)
        for i, c in enumerate(Customer.objects.filter(name__startswith="Known ").order_by("id"))
    )  # fmt: skip


def _send_all(port: int, messages: list[bytes], connections: int) -> float:
    chunks = [messages[i::connections] for i in range(connections)]
    errors: list[str] = []

    def send(chunk: list[bytes]) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=300) as client:
            for raw in chunk:
                try:
                    client.sendmail("sender@bench.test", ["support@bench.test"], raw)
                except smtplib.SMTPException as exc:
                    errors.append(str(exc))

    started = time.perf_counter()
    threads = [threading.Thread(target=send, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{len(errors)} messages refused, e.g. {errors[0]}")
    return time.perf_counter() - started


def child(count: int, workers: int, connections: int, senders: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ["EMAIL_DEFAULT_DEPARTMENT"] = "support"
    os.environ["EMAIL_CHANNEL_FROM"] = "support@bench.test"
    os.environ["LOG_LEVEL"] = "WARNING"
    django.setup()
    from django.db import connection

    from truedesk.channels.email.models import InboundMessage

    _prepare(senders)
    messages = generate(count, senders)
    megabytes = sum(len(m) for m in messages) / 1024 / 1024
    port = _free_port()
    truedesk = [sys.executable, "-m", "truedesk"]
    smtpd = subprocess.Popen([*truedesk, "smtpd", "--host", "127.0.0.1", "--port", str(port)],
                             stdout=subprocess.DEVNULL)  # fmt: skip
    pool = [
        subprocess.Popen([*truedesk, "worker", "--interval", "0.2"], stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        _wait_for_port(port, smtpd)
        started = time.perf_counter()
        send_seconds = _send_all(port, messages, connections)
        while True:
            left = InboundMessage.objects.filter(state="received").count()
            done = InboundMessage.objects.exclude(state="received").count()
            if done >= count and not left:
                break
            time.sleep(0.2)
        total = time.perf_counter() - started
        worker_rss = [_peak_rss_mb(p.pid) for p in pool]
        smtpd_rss = _peak_rss_mb(smtpd.pid)
    finally:
        for process in [smtpd, *pool]:
            process.terminate()
        for process in [smtpd, *pool]:
            process.wait(timeout=60)
    states = {
        state: InboundMessage.objects.filter(state=state).count()
        for state in ("processed", "ignored", "quarantined")
    }
    from truedesk.cases.models import Case, Interaction

    print(json.dumps({
        "vendor": connection.vendor, "count": count, "megabytes": megabytes,
        "workers": workers, "connections": connections, "send_seconds": send_seconds,
        "total_seconds": total, "worker_rss": worker_rss, "smtpd_rss": smtpd_rss,
        "states": states, "cases": Case.objects.count(),
        "interactions": Interaction.objects.count(),
    }))  # fmt: skip


# --- the parent ---------------------------------------------------------------------------


def run_child(db: str, args: argparse.Namespace) -> dict[str, Any]:
    data_name = f"email-{{db}}-{args.count}"
    shutil.rmtree(children.data_root() / data_name.format(db=db), ignore_errors=True)
    url = os.environ.get("EMAIL_BENCH_POSTGRES_URL", POSTGRES_URL)
    if db == "postgresql":
        _drop_postgres_database(url)
    return children.run_child(
        module="bench.email_bench", db=db, data_name=data_name, postgres_url=url,
        args=["--count", str(args.count), "--workers", str(args.workers),
              "--connections", str(args.connections), "--senders", str(args.senders)],
    )  # fmt: skip


def _drop_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))  # fmt: skip


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    cpus = os.cpu_count()
    lines = [
        "## Inbound email",
        "",
        f"`{COMMAND} --count {args.count} --workers {args.workers}` — {args.count:,} generated "
        f"messages over {args.connections} SMTP connections to `truedesk smtpd`, processed by "
        f"{args.workers} `truedesk worker` processes; {platform.python_implementation()} "
        f"{platform.python_version()}, {cpus} CPUs shared by the receiver, the workers, the "
        f"sender and the database, load average {os.getloadavg()[0]:.1f}. Aim: ≥ "
        f"{TARGET_RATE:.0f} messages/s on PostgreSQL, ≤ {TARGET_RSS_MB:.0f} MB per worker.",
        "",
        "| database | messages (MB) | accepted/s (SMTP 250) | processed/s (accept → "
        "interaction) | peak RSS per worker (MB) | smtpd peak RSS (MB) | outcome | aims met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | :---: |",
    ]
    for r in results:
        rate = r["count"] / r["total_seconds"]
        accepted = r["count"] / r["send_seconds"]
        rss = max(r["worker_rss"] or [0])
        met = rate >= TARGET_RATE and rss <= TARGET_RSS_MB
        states = ", ".join(f"{k} {v:,}" for k, v in r["states"].items())
        lines.append(
            f"| {r['vendor']} | {r['count']:,} ({r['megabytes']:.0f}) | {accepted:.0f} | "
            f"{rate:.0f} | {', '.join(f'{x:.0f}' for x in r['worker_rss'])} | "
            f"{r['smtpd_rss']:.0f} | {states}; {r['cases']:,} cases | "
            f"{'yes' if met else 'no'} |"
        )
    lines += [
        "",
        "Processed/s counts from the first SMTP connection to the moment the last stored "
        "message is processed, so it includes accepting. Duplicates and auto-replies are "
        '"ignored"; nothing may be quarantined.',
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="postgresql")
    parser.add_argument("--count", type=int, default=10_000, help="messages to send")
    parser.add_argument("--workers", type=int, default=2, help="truedesk worker processes")
    parser.add_argument("--connections", type=int, default=4, help="parallel SMTP sessions")
    parser.add_argument("--senders", type=int, default=3000, help="distinct customer addresses")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.count, args.workers, args.connections, args.senders)
        return
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    text = report([run_child(db, args) for db in databases], args)
    print(text)
    if not args.no_write:
        from bench.report import write_standalone

        write_standalone("email", text)


if __name__ == "__main__":
    main()
