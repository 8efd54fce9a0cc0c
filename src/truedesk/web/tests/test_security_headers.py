from __future__ import annotations

import re
from pathlib import Path

import pytest

from truedesk.testing.personas import PASSWORD

PACKAGE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password-reset/", "/health/"])
def test_every_page_carries_the_security_headers(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_out_of_reach_of_scripts(client, world):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_choosing_a_language_changes_the_page_language(client, db):
    response = client.post("/i18n/setlang/", {"language": "lt", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/")
    assert '<html lang="lt">' in page.content.decode()
    assert page["Content-Language"] == "lt"


def test_the_language_switch_never_redirects_to_another_site(client, db):
    response = client.post("/i18n/setlang/", {"language": "uk", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_an_unknown_language_is_ignored(client, db):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/accounts/login/"})

    page = client.get("/accounts/login/")
    assert '<html lang="en">' in page.content.decode()


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE), "inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "on…= event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style_that_the_policy_would_block():
    templates = sorted(PACKAGE_DIR.glob("**/templates/**/*.html"))
    problems = []
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE_CODE:
            if pattern.search(text):
                problems.append(f"{template.relative_to(PACKAGE_DIR)}: {what}")

    assert len(templates) >= 5  # the scan really looked at the templates
    assert problems == []


def test_footer_language_switch_is_saved_for_a_signed_in_user(client, world):
    client.force_login(world.alice)
    response = client.post("/i18n/setlang/", {"language": "uk", "next": "/desk/"})
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.language == "uk"
    page = client.get("/accounts/password-reset/")
    assert page.headers["Content-Language"] == "uk"
