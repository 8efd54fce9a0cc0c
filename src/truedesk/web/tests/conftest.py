"""Fixtures for tests that start `truedesk` in a separate process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Variables a developer or CI may have set that would change what a
# subprocess sees; each test sets what it needs on top of a clean slate.
CONFIG_VARIABLES = {
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
    "LOG_LEVEL",
    "EMAIL_BACKEND",
    "EMAIL_PORT",
    "LOGIN_FAILURE_LIMIT",
    "TASKS_BACKEND",
    "REDIS_URL",
    "HTTPS",
    "BEHIND_PROXY",
    "TRUSTED_PROXY",
    "DJANGO_SETTINGS_MODULE",
}


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """The current environment minus Truedesk's settings, with a fresh SQLite data directory."""
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    env["TRUEDESK_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONUNBUFFERED"] = "1"
    return env
