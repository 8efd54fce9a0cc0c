from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from truedesk.lib import periodic
from truedesk.web.management.commands.run import Command as RunCommand
from truedesk.web.management.commands.run import is_loopback
from truedesk.web.models import PeriodicJobState


@task()
def add(a: int, b: int) -> int:
    return a + b


@pytest.fixture
def empty_registry():
    """An empty periodic-job registry for the test; the apps' jobs come back afterwards."""
    # Discover first: an app's periodic module registers its jobs only on its
    # first import, which must not land in the throwaway registry.
    periodic.discover_periodic_jobs()
    saved = dict(periodic._registry)
    periodic._registry.clear()
    yield
    periodic._registry.clear()
    periodic._registry.update(saved)


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_queued_tasks_and_due_periodic_jobs(empty_registry):
    swept = []
    periodic.register_periodic("test-sweep", timedelta(minutes=1), lambda: swept.append(1))
    result = add.enqueue(2, 3)

    call_command("worker", "--once")

    result.refresh()
    assert result.return_value == 5
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert swept == [1]
    assert PeriodicJobState.objects.filter(name="test-sweep").exists()


def test_the_worker_runs_the_case_transfer_sweep_every_minute(monkeypatch):
    calls = []
    monkeypatch.setattr("truedesk.cases.actions.expire_transfers", lambda: calls.append(1))

    periodic.discover_periodic_jobs()
    jobs = {job.name: job for job in periodic.registered_jobs()}
    jobs["cases.expire_transfers"].func()

    assert jobs["cases.expire_transfers"].every == timedelta(minutes=1)
    assert calls == [1]


def test_worker_refuses_a_meaningless_interval():
    with pytest.raises(CommandError, match="--interval: must be more than 0"):
        call_command("worker", "--interval", "0")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.0.2.7", False),
        ("desk.example.com", False),
    ],
)
def test_loopback_addresses_are_recognised(host, loopback):
    assert is_loopback(host) is loopback


def test_run_warns_when_listening_beyond_this_machine(settings):
    settings.ALLOWED_HOSTS = ["desk.example.com"]
    err = io.StringIO()

    RunCommand(stderr=err)._warn_about_host("0.0.0.0")

    text = err.getvalue()
    assert "other machines can reach Truedesk" in text
    assert "ALLOWED_HOSTS" in text


def test_run_says_nothing_about_a_loopback_host(settings):
    err = io.StringIO()

    RunCommand(stderr=err)._warn_about_host("127.0.0.1")

    assert err.getvalue() == ""


# --- The processes themselves ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def worker_pids_of(parent: int) -> list[int]:
    # Every thread's children: the server restarts its worker from a watcher thread.
    pids = []
    for children in Path(f"/proc/{parent}/task").glob("*/children"):
        try:
            pids += [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            continue  # the thread ended while we looked
    return [pid for pid in sorted(pids) if is_running(pid)]


class Server:
    def __init__(self, env: dict[str, str], *extra: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "truedesk", "run", "--port", str(self.port), *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_until_serving(self) -> None:
        if not wait_until(self.healthy, 90):
            self.process.kill()
            pytest.fail(self.output())

    def healthy(self) -> bool:
        if self.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health/", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def worker_pid(self) -> int:
        assert wait_until(lambda: worker_pids_of(self.process.pid), 10)
        return worker_pids_of(self.process.pid)[0]

    def output(self) -> str:
        """Everything the server printed, once it has exited (killed after 40 s)."""
        try:
            return self.process.communicate(timeout=40)[0]
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.communicate(timeout=30)[0]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def server(clean_env):
    started: list[Server] = []

    def start(*extra: str) -> Server:
        started.append(Server(clean_env, *extra))
        return started[-1]

    yield start
    for each in started:
        each.stop()


def test_run_serves_the_app_with_a_worker_and_stops_both_on_sigterm(server):
    running = server()
    running.wait_until_serving()
    worker = running.worker_pid()

    running.process.send_signal(signal.SIGTERM)
    output = running.output()

    assert running.process.returncode == 0
    assert f"Truedesk is running at http://127.0.0.1:{running.port}/" in output
    assert f"Background worker: embedded, process {worker}" in output
    assert not is_running(worker)
    assert "Traceback" not in output


def test_run_without_a_worker_starts_no_worker(server):
    running = server("--no-worker")
    running.wait_until_serving()

    assert worker_pids_of(running.process.pid) == []
    running.process.send_signal(signal.SIGINT)
    assert "not started (--no-worker)" in running.output()


def test_the_worker_exits_by_itself_when_the_server_is_killed(server):
    running = server()
    running.wait_until_serving()
    worker = running.worker_pid()

    running.process.kill()
    running.process.wait(timeout=30)

    assert wait_until(lambda: not is_running(worker), 15)


def test_a_worker_that_dies_is_started_again(server):
    running = server()
    running.wait_until_serving()
    first = running.worker_pid()

    os.kill(first, signal.SIGKILL)

    assert wait_until(lambda: worker_pids_of(running.process.pid) not in ([], [first]), 20)
    running.process.send_signal(signal.SIGTERM)
    assert "restarting it" in running.output()


def test_run_on_a_busy_port_fails_with_a_clear_message(clean_env):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "truedesk", "run", "--port", str(port)],
            env=clean_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert result.returncode != 0
    assert f"Cannot listen on 127.0.0.1 port {port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_standalone_worker_stops_cleanly_on_sigterm(clean_env):
    subprocess.run(
        [sys.executable, "-m", "truedesk", "migrate", "--no-input", "-v", "0"],
        env=clean_env,
        check=True,
        timeout=120,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "truedesk", "worker", "--interval", "1"],
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first_line = worker.stdout.readline()
        worker.send_signal(signal.SIGTERM)
        output = first_line + worker.communicate(timeout=30)[0]
    finally:
        if worker.poll() is None:
            worker.kill()

    assert "started" in first_line, output
    assert worker.returncode == 0, output
    assert "stopped" in output


def test_the_worker_exits_when_the_process_that_started_it_dies(clean_env):
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time\n"
            "child = subprocess.Popen([sys.executable, '-m', 'truedesk', 'worker',"
            " '--parent-pid', str(os.getpid())])\n"
            "print(child.pid, flush=True)\n"
            "time.sleep(120)\n",
        ],
        env=clean_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    worker = int(launcher.stdout.readline())
    assert is_running(worker)

    launcher.kill()
    launcher.wait(timeout=30)

    assert wait_until(lambda: not is_running(worker), 20)
