"""Small strict readers for settings that come from the environment.

A bad value stops the process at start with a message naming the variable,
instead of surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import zoneinfo
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


class ConfigError(ImproperlyConfigured):
    """A configuration value from the environment is missing or malformed."""


def env_str(name: str, default: str) -> str:
    """Return the variable as a string, or the default when unset or empty."""
    value = os.environ.get(name, "")
    return value if value.strip() else default


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean variable; accepts 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Parse an integer variable, optionally with a lower bound."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}.")
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    """Return the variable if it is one of the choices (compared case-insensitively)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise ConfigError(f"{name}={raw!r} is not one of: {', '.join(choices)}.")


def env_time_zone(name: str, default: str) -> str:
    """Return the variable if it names a time zone in the system's IANA database."""
    value = env_str(name, default).strip()
    if value not in zoneinfo.available_timezones():
        raise ConfigError(f"{name}={value!r} is not a known time zone, e.g. Europe/Vilnius or UTC.")
    return value


def env_database(name: str, default: str, *, conn_max_age: int) -> dict[str, Any]:
    """Parse a database URL; only SQLite and PostgreSQL are supported."""
    url = env_str(name, default).strip()
    scheme, separator, _rest = url.partition("://")
    scheme = scheme.lower()
    # Only the scheme is ever echoed back: the rest of the URL may hold a password.
    if not separator or scheme not in _DATABASE_SCHEMES:
        got = f"scheme {scheme!r}" if separator else "no scheme"
        raise ConfigError(
            f"{name} must look like sqlite:///path/to/file.sqlite3 or "
            f"postgres://user:password@host:5432/name (got {got})."
        )
    try:
        return dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    except ValueError:
        raise ConfigError(f"{name} is not a valid {scheme} URL.") from None


_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Parse a comma-separated list; blanks are dropped."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """The directory that holds the SQLite database, the secret key and uploaded files."""
    path = Path(env_str("TRUEDESK_DATA_DIR", "./var")).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"TRUEDESK_DATA_DIR={path} cannot be created: {exc}") from None
    return path


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into the data directory."""
    value = os.environ.get("SECRET_KEY", "").strip()
    if value:
        if len(value) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long.")
        return value
    key_file = directory / "secret_key"
    if not key_file.exists():
        _write_new_key(key_file)
    try:
        value = key_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"SECRET_KEY file {key_file} cannot be read: {exc.strerror}") from None
    if len(value) < 32:
        raise ConfigError(f"SECRET_KEY file {key_file} holds a key shorter than 32 characters.")
    return value


def _write_new_key(key_file: Path) -> None:
    """Create the key file with owner-only permissions, atomically, unless it already exists."""
    # The key signs sessions and password-reset links, hence mode 0600. It is
    # written under a temporary name and hard-linked into place, so a process
    # starting at the same moment sees either no file or the whole key, never a
    # half-written one; when several race, the first link wins and the others
    # read what it wrote.
    temporary = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
        with contextlib.suppress(FileExistsError):  # another process won the race
            os.link(temporary, key_file)
    except OSError as exc:
        raise ConfigError(f"SECRET_KEY file {key_file} cannot be written: {exc.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
