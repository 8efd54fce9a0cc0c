"""Issue 5 item 4 in a real browser: an agent says she is available from the desk header
(keyboard only) and the waiting case comes to her; the supervisor's routing page shows
what still waits and why.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from truedesk.cases.models import Case
from truedesk.routing.actions import route_case, set_case_skills
from truedesk.routing.models import Skill
from truedesk.routing.tests.conftest import new_case
from truedesk.testing import browser as harness

pytestmark = pytest.mark.browser


@pytest.fixture
def waiting_cases(live_world, immediate_tasks):
    world = live_world
    plain = new_case(world, subject="Chat keeps dropping")
    special = new_case(world, subject="Fibre install question")
    fibre = Skill.objects.create(kind=Skill.Kind.PRODUCT, code="fibre", name="Fibre")
    set_case_skills(acting_user=world.carol, case=special, skills=[fibre])
    route_case(case=plain)
    route_case(case=special)
    return plain, special


def test_alice_sets_herself_available_and_the_held_case_is_routed_to_her(
    page, live_world, waiting_cases
):
    plain, special = waiting_cases
    harness.sign_in(page, "alice")
    page.goto("/desk/")
    control = page.get_by_label("Presence")
    expect(control).to_have_value("away")

    control.focus()
    control.select_option("available")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Set presence")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text("You are now available.")).to_be_visible()
    expect(page.get_by_label("Presence")).to_have_value("available")
    assert Case.objects.get(pk=plain.pk).owner == live_world.alice
    assert Case.objects.get(pk=special.pk).owner is None

    page.goto(f"/desk/cases/{plain.number}/")
    expect(page.get_by_text("Routed to Alice Adams: available, on shift")).to_be_visible()


def test_carol_sees_the_hold_queue_with_reasons_and_the_agents(page, live_world, waiting_cases):
    harness.sign_in(page, "carol")
    page.goto("/desk/")
    page.get_by_role("link", name="Routing").click()

    expect(page.get_by_role("heading", name="Routing", exact=True)).to_be_visible()
    queue = page.locator("table.hold-queue")
    expect(queue.get_by_role("row")).to_have_count(3)  # header + two waiting cases
    expect(queue).to_contain_text("Chat keeps dropping")
    expect(queue).to_contain_text("Fibre install question")
    expect(queue).to_contain_text("Held: nobody in the department is available and on shift.")
    agents = page.locator("table.agents")
    expect(agents.get_by_role("row", name="Alice Adams")).to_contain_text("Away")
    expect(page.get_by_text("No certification expires in the next 30 days.")).to_be_visible()
