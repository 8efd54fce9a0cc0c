"""`truedesk run`: migrate, then serve the web app with waitress and an embedded worker.

The worker is a child process (`truedesk worker --parent-pid …`) in its own
process group, so Ctrl+C reaches only the server, which then stops the worker
once and waits for its current task. The worker also exits by itself when
this process disappears without cleaning up (kill -9), and it is restarted if
it dies while the server runs.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import subprocess
import sys
import threading
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application
from django.utils.translation import gettext as _
from waitress.server import create_server

logger = logging.getLogger("truedesk.run")

# Seconds the worker gets to finish its current task when the server stops.
WORKER_STOP_SECONDS = 20
# Seconds before a worker that died unexpectedly is started again.
WORKER_RESTART_SECONDS = 5


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise ArgumentTypeError(f"must be between {low} and {high}")
        return number

    return parse


class Command(BaseCommand):
    help = _(
        "Apply migrations, then serve Truedesk with waitress and an embedded background worker."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
        parser.add_argument("--port", type=bounded_int(1, 65535), default=8000)
        parser.add_argument(
            "--threads", type=bounded_int(1, 64), default=8, help=_("Request threads (default: 8).")
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_("Do not start the embedded worker (run `truedesk worker` separately)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        quiet = max(options["verbosity"] - 1, 0)
        call_command("migrate", interactive=False, verbosity=quiet)
        call_command("createcachetable", verbosity=quiet)
        self._warn_about_host(host)
        server = self._bind(host, port, options["threads"])
        worker = None if options["no_worker"] else EmbeddedWorker()
        stop_on_signal()
        try:
            if worker is not None:
                worker.start()
            self._banner(host, port, worker)
            server.run()  # returns on SIGINT, SIGTERM or SIGHUP (see stop_on_signal)
        finally:
            self.stdout.write(_("Stopping Truedesk…"))
            if worker is not None:
                worker.stop()
            server.close()

    def _bind(self, host: str, port: int, threads: int) -> Any:
        adjustments: dict[str, Any] = {"host": host, "port": port, "threads": threads}
        adjustments["ident"] = "Truedesk"
        if settings.BEHIND_PROXY:
            # Only the proxy may say who the client is; axes counts login
            # failures per client address, so a spoofable address would let
            # anyone dodge or aim the lockout.
            adjustments["trusted_proxy"] = settings.TRUSTED_PROXY
            adjustments["trusted_proxy_headers"] = {"x-forwarded-for", "x-forwarded-proto"}
        try:
            return create_server(get_wsgi_application(), **adjustments)
        except OSError as exc:
            raise CommandError(
                _("Cannot listen on %(host)s port %(port)s: %(reason)s")
                % {"host": host, "port": port, "reason": exc.strerror or exc}
            ) from None

    def _warn_about_host(self, host: str) -> None:
        if is_loopback(host):
            return
        self.stderr.write(
            _(
                "Warning: listening on %(host)s, so other machines can reach Truedesk. "
                "Serve it behind a reverse proxy with HTTPS (HTTPS=true, BEHIND_PROXY=true)."
            )
            % {"host": host}
        )
        if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            self.stderr.write(
                _(
                    "Warning: ALLOWED_HOSTS (%(allowed)s) does not include %(host)s; "
                    "requests for other names get 400 Bad Request."
                )
                % {"allowed": ", ".join(settings.ALLOWED_HOSTS), "host": host}
            )

    def _banner(self, host: str, port: int, worker: EmbeddedWorker | None) -> None:
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        if ":" in shown_host:
            shown_host = f"[{shown_host}]"
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            where = f"SQLite {database['NAME']}"
        else:
            where = f"PostgreSQL {database['NAME']} on {database.get('HOST') or 'localhost'}"
        if worker is None:
            worker_line = _("not started (--no-worker); run `truedesk worker` alongside")
        else:
            worker_line = _("embedded, process %(pid)s") % {"pid": worker.pid}
        lines = [
            "",
            _("Truedesk is running at %(url)s") % {"url": f"http://{shown_host}:{port}/"},
            "  " + _("Database: %(where)s") % {"where": where},
            "  " + _("Data directory: %(path)s") % {"path": settings.DATA_DIR},
            "  " + _("Background worker: %(worker)s") % {"worker": worker_line},
            _("Press Ctrl+C to stop."),
            "",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def stop_on_signal() -> None:
    """Turn SIGINT, SIGTERM and SIGHUP into SystemExit, which ends waitress's loop cleanly."""

    def exit_now(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    # SIGINT too: a shell without job control starts background commands with
    # SIGINT ignored, and Python then never raises KeyboardInterrupt.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, exit_now)


class EmbeddedWorker:
    """A `truedesk worker` child process, restarted if it dies, stopped with the server."""

    def __init__(self) -> None:
        self.command = [
            sys.executable,
            "-m",
            "truedesk",
            "worker",
            "--parent-pid",
            str(os.getpid()),
        ]
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._watch, name="worker-watch", daemon=True).start()

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            # Its own process group: a Ctrl+C in the terminal goes to the server
            # only, and the server then stops the worker exactly once.
            self._process = subprocess.Popen(self.command, process_group=0)  # noqa: S603

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            code = process.wait()
            if self._stopping.is_set():
                return
            logger.error(
                "The background worker exited with code %s; restarting it in %s s",
                code,
                WORKER_RESTART_SECONDS,
            )
            if self._stopping.wait(WORKER_RESTART_SECONDS):
                return
            self._spawn()

    def stop(self) -> None:
        """Ask the worker to finish its current task and exit; kill it if it takes too long."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=WORKER_STOP_SECONDS)
        except (subprocess.TimeoutExpired, KeyboardInterrupt, SystemExit):
            process.kill()
            process.wait()
