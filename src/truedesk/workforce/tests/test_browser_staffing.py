"""Issue 5, user journey 1: a planner asks the staffing page how many agents, in a real browser.

The chart is drawn by our own script from a json_script block under the CSP; the
`page` fixture fails the test on any console error, CSP violations included.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from truedesk.testing import browser as harness
from truedesk.workforce.queueing import evaluate

pytestmark = pytest.mark.browser


def _chart_is_drawn(page) -> bool:
    # Scripts are deferred: wait (bounded by the page's default timeout) for the
    # chart to be drawn rather than checking at one instant.
    page.wait_for_function(
        """() => {
            const canvas = document.getElementById("staffing-chart");
            return canvas !== null && canvas.dataset.drawn === "true"
                && window.Chart !== undefined && window.Chart.getChart(canvas) !== undefined
                && canvas.width > 0 && canvas.height > 0;
        }"""
    )
    return True


def test_carol_finds_the_agents_needed_then_adds_patience_and_sees_abandonment(page, live_world):
    harness.sign_in(page, "carol")
    page.goto("/desk/staffing/")
    expect(page.get_by_role("heading", name="Staffing calculator")).to_be_visible()
    expect(page.get_by_text("Change the figures to yours")).to_be_visible()

    page.get_by_label("Contacts per hour").fill("360")
    page.get_by_label("Average handling time (seconds)").fill("240")
    page.get_by_label("Service-level target").fill("0.8")
    page.get_by_label("Answer time (seconds)").fill("20")
    page.get_by_role("button", name="Calculate").click()

    summary = page.locator("#staffing-summary")
    expect(summary).to_contain_text("You need 29 agents")
    expect(page).to_have_url(re.compile(r"/desk/staffing/\?.*arrivals_per_hour=360"))
    assert _chart_is_drawn(page)
    expect(page.get_by_role("table")).to_contain_text("Service level")
    expect(page.locator("tr.staffing-answer-row")).to_contain_text("29")

    page.get_by_label("Average patience (seconds)").fill("180")
    page.get_by_role("button", name="Calculate").click()

    erlang_a = evaluate(
        arrivals_per_hour=360, aht_seconds=240, agents=27, answer_time_seconds=20,
        patience_seconds=180,
    )  # fmt: skip
    abandon = f"{100 * erlang_a.p_abandon:.1f}"
    expect(summary).to_contain_text("You need 27 agents")
    expect(summary).to_contain_text(re.compile(rf"{re.escape(abandon)}\s%\shang up before answer"))
    assert _chart_is_drawn(page)
    datasets = page.evaluate(
        """() => window.Chart.getChart(document.getElementById("staffing-chart"))
                 .data.datasets.map((d) => d.label)"""
    )
    assert datasets == ["Service level (%)", "Abandonment (%)", "Service-level target (%)"]


def test_bad_input_shows_the_explanation_next_to_the_form(page, live_world):
    harness.sign_in(page, "alice")
    page.goto(
        "/desk/staffing/?arrivals_per_hour=360&aht_seconds=240&target_sl=80&answer_time_seconds=20"
    )

    expect(page.get_by_role("alert")).to_contain_text("strictly between 0 and 1")
    expect(page.locator("#staffing-chart")).to_have_count(0)
