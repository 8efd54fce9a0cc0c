"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), collecting what it receives.

It listens on an ephemeral loopback port and is stopped by the fixture that
started it, so nothing outlives the test.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.peers: list[Any] = []  # the client's (host, port) per message: its connection
        self.received = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.received:
            self.messages.append(message)
            self.peers.append(tuple(session.peer))
            self.received.notify_all()
        return "250 OK"


class SmtpSink:
    """What the server received; `wait_for(n)` blocks until n messages have arrived."""

    def __init__(self, collector: _Collector, port: int) -> None:
        self._collector = collector
        self.host = "127.0.0.1"
        self.port = port

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self._collector.messages)

    @property
    def connections(self) -> int:
        """How many SMTP connections the messages came over."""
        return len(set(self._collector.peers))

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        with self._collector.received:
            self._collector.received.wait_for(
                lambda: len(self._collector.messages) >= count, timeout=timeout
            )
        return self.messages


def _free_loopback_port() -> int:
    # aiosmtpd's controller connects to its own port to check it started, so it
    # needs a real port number up front rather than 0.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    collector = _Collector()
    port = _free_loopback_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSink(collector, port)
    finally:
        controller.stop()
