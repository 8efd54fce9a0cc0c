from __future__ import annotations

import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from truedesk.config import env


def truedesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "truedesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("DATABASE_URL", "mysql://shop@db.example/shop"),
        ("DEBUG", "maybe"),
        ("SECRET_KEY", "short"),
        ("LOGIN_FAILURE_LIMIT", "0"),
        ("EMAIL_PORT", "smtp"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("LOG_LEVEL", "LOUD"),
        ("TRUEDESK_DATA_DIR", "/dev/null/truedesk"),
    ],
)
def test_a_bad_setting_stops_truedesk_with_one_line_naming_the_variable(clean_env, variable, value):
    result = truedesk("check", env={**clean_env, variable: value})

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


def test_a_database_password_is_never_printed_in_the_error(clean_env):
    result = truedesk("check", env={**clean_env, "DATABASE_URL": "mysql://shop:hunter2@db/shop"})

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "hunter2" not in result.stderr


def test_default_settings_pass_the_checks_and_print_emails_to_the_console(clean_env):
    check = truedesk("check", env=clean_env)
    backend = truedesk(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        env=clean_env,
    )

    assert check.returncode == 0, check.stderr
    assert (
        backend.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"
    )


def test_the_secret_key_is_generated_once_owner_only_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    first = env.secret_key(tmp_path)
    second = env.secret_key(tmp_path)

    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]


def test_processes_starting_together_agree_on_one_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    keys: list[str] = []
    start = threading.Barrier(8)

    def read_key() -> None:
        start.wait()
        keys.append(env.secret_key(tmp_path))

    threads = [threading.Thread(target=read_key) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(keys) == 8
    assert len(set(keys)) == 1


def test_a_secret_key_from_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    env.secret_key(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "k" * 40)

    assert env.secret_key(tmp_path) == "k" * 40


def test_a_truncated_secret_key_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("abc")

    with pytest.raises(env.ConfigError, match="SECRET_KEY"):
        env.secret_key(tmp_path)


def test_postgresql_and_sqlite_urls_are_understood(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://truedesk:pw@db.internal:5433/desk")
    postgres = env.env_database("DATABASE_URL", "sqlite:///x", conn_max_age=60)
    monkeypatch.delenv("DATABASE_URL")
    sqlite = env.env_database("DATABASE_URL", "sqlite:////srv/truedesk.sqlite3", conn_max_age=0)

    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["HOST"], postgres["PORT"], postgres["NAME"]) == ("db.internal", 5433, "desk")
    assert postgres["CONN_MAX_AGE"] == 60
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == "/srv/truedesk.sqlite3"


def test_every_variable_the_settings_read_is_documented_in_env_example():
    root = Path(__file__).resolve().parents[4]
    settings_source = (root / "src/truedesk/config/settings.py").read_text()
    read = set(re.findall(r'env_[a-z_]+\(\s*"([A-Z_]+)"', settings_source))
    read |= {"TRUEDESK_DATA_DIR", "SECRET_KEY"}  # read by truedesk.config.env itself
    documented = set(re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.M))

    assert len(read) > 20
    assert read - documented == set()
    assert documented - read == set()


def test_choosing_both_tls_and_ssl_for_email_is_refused(clean_env):
    result = truedesk("check", env={**clean_env, "EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "1"})

    assert result.returncode != 0
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL" in result.stderr
