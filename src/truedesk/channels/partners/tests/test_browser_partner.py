"""Issue 4 item 7 in a real browser: dave authorises Travelwise, erin opens a case for him,
dave revokes, and erin's next page load no longer shows dave or his case."""

from __future__ import annotations

from typing import Any

import pytest

from truedesk.cases.models import Case
from truedesk.testing import browser as harness
from truedesk.testing.browser import sign_in

pytestmark = pytest.mark.browser


def test_grant_open_for_the_customer_revoke_and_access_stops_at_once(
    page: Any, browser: Any, live_server: Any, live_world: Any
) -> None:
    # dave authorises his travel agency in the portal.
    sign_in(page, "dave")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partners").click()
    page.get_by_label("Partner:", exact=True).select_option(label="Travelwise")
    page.get_by_label("Open and follow cases").check()
    page.get_by_role("button", name="Authorise").click()
    assert page.get_by_text("Travelwise may now act for you.").is_visible()

    # erin, at Travelwise, opens a case for him.
    context, erin, erin_errors = harness.open_page(browser, live_server.url)
    try:
        sign_in(erin, "erin")
        assert erin.get_by_role("heading", name="Travelwise: customers you act for").is_visible()
        erin.get_by_role("link", name="Dave Davis").click()
        erin.get_by_role("link", name="Open a case for this customer").click()
        erin.get_by_label("Subject").fill("Roaming for a trip to Spain")
        erin.get_by_label("What the customer needs").fill("Dave flies on Friday; enable roaming.")
        erin.get_by_role("button", name="Open the case").click()
        case = Case.objects.get(subject="Roaming for a trip to Spain")
        assert erin.get_by_text(f"Case #{case.number} is open for Dave Davis.").is_visible()
        assert erin.get_by_text("Travelwise (Erin Evans) for Dave Davis").is_visible()
        case_url = erin.url

        # dave sees who opened it for him, then revokes the agency.
        page.goto(f"/portal/cases/{case.number}/")
        assert page.get_by_text("Travelwise (Erin Evans) for you").is_visible()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Partners").click()
        assert page.get_by_text("opened a case").is_visible()
        page.get_by_role("button", name="Revoke Travelwise").click()
        assert page.get_by_text("Travelwise can no longer act for you.").is_visible()

        # erin's very next page loads: the case and the customer are gone.
        response = erin.goto(case_url)
        assert response is not None and response.status == 404
        erin.goto("/partners/")
        assert erin.get_by_text("No customer has authorised your organisation yet").is_visible()
        assert erin.get_by_text("Dave Davis").count() == 0
        assert erin.get_by_text("Roaming for a trip to Spain").count() == 0
    finally:
        context.close()
    # The only console error allowed is the browser noting the 404 page load.
    assert all("404" in error for error in erin_errors), erin_errors
