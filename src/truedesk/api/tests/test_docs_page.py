"""The interactive API documentation works under our Content-Security-Policy."""

from __future__ import annotations

import contextvars
import json
from urllib.parse import urlsplit

from truedesk.testing import browser as browser_harness


def test_the_openapi_document_is_public_so_integrators_can_read_it_before_having_a_token(
    client, db
):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.1")


def test_the_docs_page_loads_swagger_from_our_own_origin_under_a_strict_policy(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-eval'" not in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def _served_by_django(client):
    """Answer the browser's requests with Django's test client instead of a live server.

    A live server needs a transactional database, whose flush would also wipe
    rows that migrations seed for later tests. Playwright calls the handler in
    another greenlet, with its own context variables and so its own database
    connection; running it in a copy of the test's context keeps it on the
    test's connection and transaction.
    """
    test_context = contextvars.copy_context()

    def handle(route):
        url = urlsplit(route.request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        response = test_context.run(client.get, path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=body)

    return handle


def test_swagger_ui_renders_every_operation_without_console_errors(browser, client, db):
    context, page, errors = browser_harness.open_page(browser, "http://localhost")
    page.route("**/*", _served_by_django(client))

    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    page.locator(".opblock-summary").first.click()
    page.get_by_text("Try it out").first.click()
    operations = page.locator(".opblock").count()
    context.close()

    assert operations >= 30
    assert not errors, errors
