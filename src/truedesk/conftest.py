"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from truedesk.testing import append_only
from truedesk.testing import browser as browser_harness
from truedesk.testing.personas import World, build_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_language_leaks() -> Any:
    # Django's LocaleMiddleware activates the request's language in the thread and
    # leaves it there; the test client runs requests in the test's own thread, so
    # reset it or a Russian page would make the next test's output Russian.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(scope="session", autouse=True)
def _no_files_in_the_data_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Class-level test data (setUpTestData, where the demo is built) is written before
    # the per-test fixtures apply: its raw mail and attachments go here, not to var/.
    with override_settings(
        EMAIL_STORE_DIR=tmp_path_factory.mktemp("mail"), MEDIA_ROOT=tmp_path_factory.mktemp("files")
    ):
        yield


@pytest.fixture(autouse=True)
def _append_only_tables_survive_flush(request: pytest.FixtureRequest) -> None:
    # SQLite flushes transactional tests with DELETE, which the append-only
    # triggers refuse; those tests run without the DELETE triggers, every other
    # database test gets them back (see truedesk.testing.append_only).
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server", "live_world"} & names) or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        append_only.drop_delete_triggers()
    elif marker or {"db", "world"} & names:
        request.getfixturevalue("db")
        append_only.restore_delete_triggers()


@pytest.fixture
def world(db: None) -> World:
    """alice, bob (agents), carol (supervisor), dave and fiona (customers), erin (partner)."""
    return build_world()


@pytest.fixture
def live_world(transactional_db: None) -> World:
    """The persona world, committed, for tests that drive the live server."""
    return build_world()


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    """A real SMTP server on 127.0.0.1; Django's email goes to it during the test."""
    from truedesk.testing.smtp import smtp_sink

    with smtp_sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


@pytest.fixture(scope="session")
def browser() -> Any:
    """Headless Debian Chromium driven by Playwright (one per test session)."""
    yield from browser_harness.launch_browser()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Any:
    """A fresh browser tab on the live server; console errors fail the test."""
    context, tab, errors = browser_harness.open_page(browser, live_server.url)
    yield tab
    context.close()
    assert not errors, f"the page logged errors: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    # In CI a test that cannot run is a failure, never a silent skip: a skip
    # usually hides a missing install step (a browser, a server binary).
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which counts as a failure: {report.longrepr}"
