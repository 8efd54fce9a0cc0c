"""The routing page, the presence control, the routing API and routing entries on the timeline."""

from __future__ import annotations

import json
from datetime import date

import pytest

from truedesk.accounts.models import AuditEvent
from truedesk.routing.actions import route_case, set_case_skills
from truedesk.routing.models import AgentPresence, Skill, TrainingRecord
from truedesk.routing.tests.conftest import available, new_case, train

pytestmark = pytest.mark.usefixtures("clock")


def _put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_only_supervisors_open_the_routing_page(client, world):
    client.force_login(world.alice)
    assert client.get("/desk/routing/").status_code == 403
    client.force_login(world.dave_user)
    assert client.get("/desk/routing/").status_code == 403


def test_the_routing_page_shows_the_hold_queue_reasons_agents_and_expiring_training(
    client, world, broadband, broadband_course, django_assert_max_num_queries
):
    case = new_case(world, subject="Router keeps rebooting")
    set_case_skills(acting_user=world.carol, case=case, skills=[broadband])
    available(world.alice)
    route_case(case=case)
    train(world, world.bob, broadband_course, date(2025, 3, 20), expires_on=date(2026, 3, 20))
    client.force_login(world.carol)

    with django_assert_max_num_queries(20):
        response = client.get("/desk/routing/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Router keeps rebooting" in page
    assert "Held: nobody available has Broadband." in page
    assert "Alice Adams" in page and "Available" in page
    assert "Broadband basics" in page  # bob's certification expires on 20 March


def test_the_presence_control_sets_the_agents_own_presence_and_is_audited(client, world):
    client.force_login(world.alice)
    page = client.get("/desk/").content.decode()
    assert 'id="presence-status"' in page

    response = client.post("/desk/routing/presence/", {"status": "available", "next": "/desk/"})

    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert AgentPresence.objects.get(agent=world.alice).status == "available"
    assert AuditEvent.objects.filter(action="routing.presence_changed").count() == 1
    bad = client.post("/desk/routing/presence/", {"status": "asleep", "next": "https://evil.test/"})
    assert bad["Location"] == "/desk/"
    assert AgentPresence.objects.get(agent=world.alice).status == "available"


def test_a_case_timeline_reads_the_routing_decisions(client, world):
    case = new_case(world)
    route_case(case=case)  # nobody available
    available(world.bob)
    route_case(case=case)
    client.force_login(world.carol)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "Held: nobody in the department is available and on shift." in page
    assert "Routed to Bob Brown: available, on shift; 0 of 3 chat cases in hand" in page


def test_api_hold_queue_for_supervisors_only(client, world):
    case = new_case(world)
    route_case(case=case)
    client.force_login(world.alice)
    assert client.get("/api/v1/routing/hold-queue").status_code == 403
    client.force_login(world.carol)
    body = client.get("/api/v1/routing/hold-queue").json()["items"]
    assert [row["case"]["number"] for row in body] == [case.number]
    assert body[0]["reason"] == "nobody_available"
    assert body[0]["reason_text"].startswith("Held:")


def test_api_hold_queue_pages_in_queue_order(client, world, clock):
    from datetime import timedelta

    numbers = []
    for priority in (2, 4, 2, 1, 4):
        clock.shift(timedelta(minutes=1))
        case = new_case(world, priority=priority)
        route_case(case=case)
        numbers.append((-priority, case.number))
    expected = [number for _p, number in sorted(numbers)]
    client.force_login(world.carol)

    seen, cursor = [], None
    for _page in range(5):
        url = "/api/v1/routing/hold-queue?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [row["case"]["number"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert client.get("/api/v1/routing/hold-queue?cursor=bm9wZQ").status_code == 400


def test_api_presence_own_and_others_for_supervisors(client, world):
    client.force_login(world.alice)
    response = _put(client, "/api/v1/routing/presence", {"status": "busy"})
    assert response.status_code == 200 and response.json()["status"] == "busy"
    refused = _put(client, "/api/v1/routing/presence", {"status": "away", "agent_id": world.bob.pk})
    assert refused.status_code == 403
    invalid = _put(client, "/api/v1/routing/presence", {"status": "sleeping"})
    assert invalid.status_code == 422
    client.force_login(world.carol)
    done = _put(client, "/api/v1/routing/presence", {"status": "away", "agent_id": world.alice.pk})
    assert done.status_code == 200
    assert AgentPresence.objects.get(agent=world.alice).status == "away"


def test_api_skills_and_training_records_crud_for_supervisors(client, world, broadband_course):
    client.force_login(world.alice)
    second_line = {"kind": "level", "code": "l2", "name": "Second line"}
    assert _post(client, "/api/v1/routing/skills", second_line).status_code == 403
    client.force_login(world.carol)
    created = _post(
        client, "/api/v1/routing/skills", {"kind": "level", "code": "l2", "name": "Second line"}
    )
    assert created.status_code == 201
    again = _post(
        client, "/api/v1/routing/skills", {"kind": "level", "code": "l2", "name": "Second line"}
    )
    assert again.status_code == 422

    body = {
        "agent_id": world.bob.pk,
        "module_id": broadband_course.pk,
        "completed_on": "2026-02-01",
    }
    record = _post(client, "/api/v1/routing/training-records", body)
    assert record.status_code == 201
    assert record.json()["expires_on"] == "2027-02-01"
    assert [s["name"] for s in record.json()["skills"]] == ["Broadband"]
    record_id = record.json()["id"]

    future = _post(
        client, "/api/v1/routing/training-records", {**body, "completed_on": "2026-12-01"}
    )
    assert future.status_code == 422
    backwards = _put(
        client,
        f"/api/v1/routing/training-records/{record_id}",
        {**body, "expires_on": "2026-01-01"},
    )
    assert backwards.status_code == 422

    listed = client.get(f"/api/v1/routing/training-records?agent_id={world.bob.pk}").json()
    assert [row["id"] for row in listed["items"]] == [record_id]
    assert listed["next_cursor"] is None
    in_use = client.delete(f"/api/v1/routing/skills/{Skill.objects.get(code='broadband').pk}")
    assert in_use.status_code == 409
    assert client.delete(f"/api/v1/routing/training-records/{record_id}").status_code == 204
    assert not TrainingRecord.objects.exists()
    assert client.delete(f"/api/v1/routing/training-records/{record_id}").status_code == 404


def test_api_case_skills_are_set_by_staff_who_see_the_case(client, world, broadband):
    case = new_case(world)
    client.force_login(world.alice)
    response = _put(
        client, f"/api/v1/routing/cases/{case.number}/skills", {"skill_ids": [broadband.pk]}
    )
    assert response.status_code == 200 and response.json()[0]["name"] == "Broadband"
    missing = _put(client, f"/api/v1/routing/cases/{case.number}/skills", {"skill_ids": [999]})
    assert missing.status_code == 422
    client.force_login(world.dave_user)
    refused = _put(client, f"/api/v1/routing/cases/{case.number}/skills", {"skill_ids": []})
    assert refused.status_code == 403


def test_api_a_repeated_training_record_create_with_the_same_key_records_once(
    client, world, broadband_course
):
    client.force_login(world.carol)
    body = json.dumps(
        {"agent_id": world.alice.pk, "module_id": broadband_course.pk, "completed_on": "2026-02-01"}
    )
    first, second = (
        client.post(
            "/api/v1/routing/training-records",
            data=body,
            content_type="application/json",
            headers={"Idempotency-Key": "train-alice-1"},
        )
        for _ in range(2)
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert TrainingRecord.objects.count() == 1
