"""Webhook test fixtures: real HTTP receivers on 127.0.0.1, an administrator, a dispatcher."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from truedesk.accounts.models import User
from truedesk.channels.webhooks.dispatch import Dispatcher
from truedesk.channels.webhooks.models import AllowedNetwork
from truedesk.testing.personas import make_staff


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What a test receiver got; `respond(n)` decides the answer to the n-th request (1-based)."""

    url: str
    port: int
    requests: list[Received] = field(default_factory=list)
    respond: Callable[[int], tuple[int, dict[str, str]]] = lambda n: (200, {})
    before_answer: Callable[[int], None] = lambda n: None
    lock: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.lock:
            self.lock.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
            return list(self.requests)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with receiver.lock:
                receiver.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                number = len(receiver.requests)
                receiver.lock.notify_all()
            receiver.before_answer(number)
            status, headers = receiver.respond(number)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def receiver_server() -> Iterator[Receiver]:
    receiver = Receiver(url="", port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = int(server.server_address[1])
    receiver.url = f"http://127.0.0.1:{receiver.port}/hooks/truedesk"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiver_server() as running:
        yield running


@pytest.fixture
def second_receiver() -> Iterator[Receiver]:
    with receiver_server() as running:
        yield running


@pytest.fixture
def loopback_allowed(db: None) -> AllowedNetwork:
    """The administrator's allow-list entry that lets webhooks reach the test receivers."""
    return AllowedNetwork.objects.create(network="127.0.0.1/32", note="test receivers")


@pytest.fixture
def grace(db: None) -> User:
    """An administrator: the only role that manages webhooks."""
    return make_staff("grace", "admin", "Grace Admin")


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    running = Dispatcher(concurrency=4)
    yield running
    running.finish()
    running.executor.shutdown(wait=True)
