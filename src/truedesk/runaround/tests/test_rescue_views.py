"""The desk's rescue pages: the report, rescuing by hand, resetting; the case page and portal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from truedesk.runaround.actions import rescue_case
from truedesk.runaround.guard import Reading
from truedesk.runaround.models import Rescue

OVER = [Reading(metric="contacts", value=4, limit=3)]
REPORT = "/desk/rescues/"


def _rescue_url(case, suffix=""):
    return f"/desk/cases/{case.number}/rescue/{suffix}"


@pytest.fixture
def carol_client(world, client_for):
    return client_for(world.carol)


@pytest.fixture
def rescued(case, sam):
    return rescue_case(case=case, breaches=OVER)


def test_agents_customers_partners_and_strangers_cannot_see_the_report(world, client_for):
    for user in (world.alice, world.dave_user):
        assert client_for(user).get(REPORT).status_code == 403
    assert client_for(world.erin).get(REPORT).status_code == 404  # partners: 404 off their area
    anonymous = Client().get(REPORT)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_only_supervisors_rescue_or_reset_a_case(world, case, sam, client_for):
    for user in (world.alice, world.dave_user):
        client = client_for(user)
        assert client.post(_rescue_url(case), {"rescue-new_owner": sam.pk}).status_code == 403
        assert client.post(_rescue_url(case, "reset/")).status_code == 403
    assert not Rescue.objects.exists()


def test_the_report_says_when_why_who_took_over_and_whether_the_customer_was_told(
    world, case, rescued, carol_client
):
    page = carol_client.get(REPORT).content.decode()
    assert f"#{case.number}" in page
    assert "Contacts 4 (limit 3)" in page
    assert "Sam Senior" in page and "Senior owner rule" in page
    assert "Alice Adams" in page
    assert "email queued" in page
    assert "Rescues per 100 cases opened" in page and "<dd>100.0</dd>" in page
    assert "Contacts per resolved case" in page


def test_the_report_filters_by_department_and_period(world, case, rescued, make_case, carol_client):
    billing = make_case(department=world.billing)
    rescue_case(case=billing, breaches=OVER)
    page = carol_client.get(REPORT, {"department": world.support.pk}).content.decode()
    assert f"#{case.number}" in page and f"#{billing.number}" not in page
    last_year = (timezone.localdate() - timedelta(days=365)).isoformat()
    old = carol_client.get(REPORT, {"since": last_year, "until": last_year}).content.decode()
    assert "No case was rescued in this period." in old


def test_a_bad_filter_is_explained_not_a_crash(carol_client):
    backwards = carol_client.get(REPORT, {"since": "2026-03-10", "until": "2026-03-01"})
    assert backwards.status_code == 422
    assert "The period ends before it starts." in backwards.content.decode()
    assert carol_client.get(REPORT, {"since": "yesterday-ish"}).status_code == 422
    assert carol_client.get(REPORT, {"department": "999999999"}).status_code == 422


def test_the_report_costs_the_same_queries_for_one_rescue_or_many(
    world, sam, make_case, carol_client
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert carol_client.get(REPORT).status_code == 200
        return len(queries)

    rescue_case(case=make_case(), breaches=OVER)
    few = count()
    for _index in range(12):
        rescue_case(case=make_case(customer=world.fiona), breaches=OVER)
    assert count() == few


def test_the_case_page_shows_the_gauges_against_the_thresholds(world, case, reply, client_for):
    reply(case, times=3)
    page = client_for(world.alice).get(f"/desk/cases/{case.number}/").content.decode()
    assert "Runaround guard" in page
    assert '<dt>Contacts</dt><dd>4 / 3 <span class="badge bad">over</span>' in page
    assert "<dt>Staff involved</dt><dd>1 / 3</dd>" in page
    assert "Rescue now" not in page  # agents cannot


def test_a_supervisor_rescues_from_the_case_page_and_chooses_the_senior_owner(
    world, case, sam, carol_client
):
    page = carol_client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "Rescue now / choose the senior owner" in page
    response = carol_client.post(
        _rescue_url(case), {"rescue-new_owner": world.carol.pk, "rescue-note": "VIP customer"}
    )
    assert response.status_code == 302
    rescue = Rescue.objects.get()
    assert (rescue.new_owner, rescue.chosen_by, rescue.note) == (
        world.carol, Rescue.ChosenBy.SUPERVISOR, "VIP customer",
    )  # fmt: skip
    after = carol_client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "Rescued from a runaround: Carol Clark owns this case" in after
    assert "Rescued by a supervisor." in after


def test_choosing_someone_who_is_not_a_senior_is_refused(world, case, sam, carol_client):
    response = carol_client.post(_rescue_url(case), {"rescue-new_owner": world.dave_user.pk})
    assert response.status_code == 422
    assert "Choose a senior owner from the list." in response.content.decode()
    assert not Rescue.objects.exists()


def test_rescuing_a_rescued_case_says_who_has_it(world, case, rescued, carol_client):
    response = carol_client.post(_rescue_url(case), {"rescue-new_owner": ""})
    assert response.status_code == 409
    assert "Sam Senior has already taken this case over." in response.content.decode()


def test_the_banner_shows_the_rescue_and_a_supervisor_can_end_it(world, case, rescued, client_for):
    agent_page = client_for(world.alice).get(f"/desk/cases/{case.number}/").content.decode()
    assert "Rescued from a runaround: Sam Senior owns this case" in agent_page
    assert "Over the limit: Contacts 4 (limit 3)." in agent_page
    assert "the customer was emailed who owns the case now." in agent_page
    assert "End the rescue" not in agent_page
    carol = client_for(world.carol)
    assert (
        "End the rescue and reset the guard"
        in carol.get(f"/desk/cases/{case.number}/").content.decode()
    )
    assert carol.post(_rescue_url(case, "reset/")).status_code == 302
    rescued.refresh_from_db()
    assert rescued.ended_at is not None
    again = carol.post(_rescue_url(case, "reset/"))
    assert again.status_code == 409


def test_the_rescues_link_is_in_the_navigation_for_supervisors_only(world, client_for):
    assert 'href="/desk/rescues/"' in client_for(world.carol).get("/desk/").content.decode()
    assert 'href="/desk/rescues/"' not in client_for(world.alice).get("/desk/").content.decode()


def test_the_customer_sees_his_senior_owner_and_how_to_reach_him_on_the_portal(
    world, case, rescued, client_for
):
    page = client_for(world.dave_user).get(f"/portal/cases/{case.number}/").content.decode()
    assert "has been given to Sam Senior, a senior member of our team" in page
    assert 'href="mailto:sam@truedesk.test"' in page
    assert 'href="tel:+370%20600%2012345"' in page
