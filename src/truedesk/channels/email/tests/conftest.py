"""Fixtures of the email channel's tests: a mail store per test and a live SMTP receiver."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from truedesk.channels.email.smtp_receiver import ReceiverController, make_receiver


@pytest.fixture(autouse=True)
def mail_store(settings: Any, tmp_path: Any) -> Any:
    settings.EMAIL_STORE_DIR = tmp_path / "mail"
    settings.EMAIL_CHANNEL_FROM = "Support <support@truedesk.test>"
    settings.EMAIL_DEFAULT_DEPARTMENT = "support"
    return settings.EMAIL_STORE_DIR


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def receiver(transactional_db: None) -> Iterator[ReceiverController]:
    """`truedesk smtpd`'s receiver on a loopback port, stopped after the test."""
    controller = make_receiver("127.0.0.1", free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
