"""Issue 5, journey 2: a planner reads next week's staffing plan in a real browser.

The chart is drawn by plan.js from a json_script block under the CSP; the `page`
fixture fails the test on any console error, CSP violations included.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from truedesk.accounts.actions import set_user_preferences
from truedesk.testing import browser as harness
from truedesk.workforce.models import ContactQueue
from truedesk.workforce.tests.plan_world import make_history, make_queue, make_shifts, needed

pytestmark = pytest.mark.browser


def test_carol_picks_a_queue_by_keyboard_and_sees_forecast_need_and_coverage(page, live_world):
    world = live_world
    make_queue(world)
    make_history(world)
    make_shifts(world)
    ContactQueue.objects.create(
        name="Billing chat", slug="billing-chat", department=world.billing, channel="chat"
    )
    # Carol plans from London: the intervals are shown in her zone, two hours behind Vilnius.
    set_user_preferences(
        acting_user=world.carol, user=world.carol, language="en", time_zone="Europe/London"
    )
    harness.sign_in(page, "carol")
    page.goto("/desk/staffing/")
    page.get_by_role("link", name="Next week's staffing plan per queue").click()
    expect(page.get_by_role("heading", name="Staffing plan", level=1)).to_be_visible()

    summary = page.get_by_role("table", name="Forecast and under-coverage per queue")
    expect(summary.get_by_role("row", name="Billing chat")).to_contain_text(
        "not enough history to forecast"
    )

    # Keyboard only: choose the queue, the hourly view and the week, then press Enter.
    queue = page.get_by_label("Queue:", exact=True)
    queue.focus()
    queue.select_option(label="Support phone")
    page.keyboard.press("Tab")
    page.get_by_label("Interval").select_option(label="1 hour")
    page.get_by_label("Week starting").fill("2026-03-02")
    page.get_by_label("Week starting").press("Enter")

    expect(page).to_have_url(re.compile(r"queue=support-phone&interval=60&week=2026-03-02"))
    expect(page.get_by_role("heading", name="Support phone", level=2)).to_be_visible()
    facts = page.locator("#plan-facts")
    expect(facts).to_contain_text("120 contacts forecast")
    expect(facts).to_contain_text("falls short for 10 h of the week")
    row = summary.get_by_role("row", name="Support phone")
    expect(row).to_contain_text("120")
    expect(row).to_contain_text("0.0\u00a0%")  # the back-test error of a repeating week

    candidates = page.get_by_role("table", name="Forecast methods compared")
    expect(candidates.locator("tr.staffing-answer-row")).to_contain_text("chosen")
    expect(candidates.get_by_role("row")).to_have_count(5)

    page.wait_for_function(
        """() => {
            const canvas = document.getElementById("plan-chart");
            return canvas !== null && canvas.dataset.drawn === "true"
                && window.Chart.getChart(canvas) !== undefined && canvas.width > 0;
        }"""
    )
    chart = page.evaluate(
        """() => {
            const chart = window.Chart.getChart(document.getElementById("plan-chart"));
            return {labels: chart.data.labels, sets: chart.data.datasets.map(
                (d) => ({label: d.label, data: d.data}))};
        }"""
    )
    labels = [s["label"] for s in chart["sets"]]
    assert labels == [
        "Over (+) or under (-) coverage",
        "Agents needed on the schedule",
        "Agents scheduled",
        "Forecast contacts",
    ]
    _agents, on_rota = needed()
    # Vilnius 10:00 is 08:00 in London: the label and the need are at the same index.
    index = chart["labels"].index("Mon 08:00")
    assert chart["sets"][1]["data"][index] == on_rota
    assert chart["sets"][2]["data"][index] == 1.5
    assert chart["sets"][0]["data"][index] == 1.5 - on_rota

    page.get_by_text("Every interval").click()
    intervals = page.get_by_role("table", name="Forecast contacts, agents needed and scheduled")
    monday = intervals.get_by_role("row", name="Mon 2 Mar 08:00")
    expect(monday).to_contain_text("12.0")
    expect(monday).to_have_class("plan-short")


def test_a_desk_without_queues_explains_what_to_do(page, live_world):
    harness.sign_in(page, "carol")
    page.goto("/desk/staffing/plan/")

    expect(page.get_by_text("No queues yet.")).to_be_visible()
    expect(page.locator("#plan-chart")).to_have_count(0)
