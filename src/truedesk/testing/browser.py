"""Playwright harness: headless Debian Chromium against pytest-django's live server.

Browser tests fail, never skip, when Chromium is missing: CI installs it.
Console errors and CSP violations fail the test, so a page that needs inline
script, or a broken htmx swap, cannot pass unnoticed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

from truedesk.testing.personas import PASSWORD

CHROMIUM = os.environ.get("TRUEDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def launch_browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install chromium) or set TRUEDESK_CHROMIUM."
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # guard would otherwise refuse the test's own database calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class PageErrors(list[str]):
    """Console errors and uncaught exceptions collected from a page."""


def open_page(
    browser: Any, base_url: str, *, time_zone: str = "Europe/Vilnius", locale: str = "en-GB"
) -> tuple[Any, Any, PageErrors]:
    context = browser.new_context(base_url=base_url, timezone_id=time_zone, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = PageErrors()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
