"""Cases through the API: open, read, change with versions, status, ownership, merge, links."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from truedesk.cases.models import Case, CaseLink, Interaction


def test_staff_open_a_case_for_any_customer(api, world):
    reply = api.post(
        "/cases",
        {
            "customer": world.fiona.pk,
            "subject": "Refund for order 7",
            "body": "The parcel never arrived.",
            "kind": "billing_dispute",
            "priority": "high",
            "department": world.billing.pk,
            "channel": "phone",
        },
        as_="bob",
    )

    assert reply.status == 201
    case = Case.objects.get(number=reply.body["number"])
    assert case.customer == world.fiona
    assert case.kind == "billing_dispute"
    assert case.priority == Case.Priority.HIGH
    assert reply.body["priority"] == "high"
    assert reply.body["department"] == {
        "id": world.billing.pk,
        "slug": "billing",
        "name": "Billing",
    }
    assert reply.body["customer"] == {"id": world.fiona.pk, "name": "Fiona Fox"}


def test_a_customer_opens_a_case_for_himself_without_naming_himself(api, world):
    reply = api.post("/cases", {"subject": "Bill too high", "body": "Twice as usual."}, as_="dave")

    assert reply.status == 201
    case = Case.objects.get(number=reply.body["number"])
    assert case.customer == world.dave
    assert case.initiated_by == "customer"
    first = case.interactions.get()
    assert (first.direction, first.channel, first.author_customer) == ("inbound", "api", world.dave)


def test_staff_must_name_the_customer(api, world):
    reply = api.post("/cases", {"subject": "Bill", "body": "Too high."}, as_="alice")

    assert reply.status == 422
    assert reply.body["details"] == {"field": "customer"}


def test_a_customer_cannot_give_his_case_an_owner(api, world):
    reply = api.post(
        "/cases", {"subject": "Bill", "body": "High.", "owner": world.alice.pk}, as_="dave"
    )

    assert reply.status == 403
    assert not Case.objects.exists()


def test_a_closed_department_is_refused_with_the_field_named(api, world):
    world.billing.is_active = False
    world.billing.save()

    reply = api.post(
        "/cases",
        {"customer": world.dave.pk, "subject": "x", "body": "y", "department": world.billing.pk},
        as_="alice",
    )

    assert reply.status == 422
    assert reply.body["code"] == "invalid_input"
    assert reply.body["details"]["field"] == "department"


def test_customers_see_no_tags_counters_or_staff_user_names(api, scene):
    api.patch(
        f"/cases/{scene.case.number}",
        {"version": scene.case.version, "tags": ["vip-angry"]},
        as_="alice",
    )

    staff = api.get(f"/cases/{scene.case.number}", as_="alice").body
    customer = api.get(f"/cases/{scene.case.number}", as_="dave").body

    assert staff["tags"] == ["vip-angry"]
    assert staff["counters"]["contact_count"] == 1
    assert staff["owner"]["username"] == "alice"
    assert customer["tags"] is None
    assert customer["counters"] is None
    assert customer["owner"] == {
        "id": scene.world.alice.pk,
        "name": "Alice Adams",
        "username": None,
    }


def test_datetimes_carry_an_offset(api, scene):
    body = api.get(f"/cases/{scene.case.number}", as_="alice").body

    assert body["created_at"].endswith("Z") or body["created_at"][-6] in "+-"


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(api, scene, world):
    before = scene.case

    reply = api.patch(
        f"/cases/{before.number}",
        {"version": before.version, "priority": "urgent", "kind": "complaint", "department": None},
        as_="alice",
    )

    assert reply.status == 200
    after = Case.objects.get(pk=before.pk)
    assert (after.priority, after.kind, after.department) == (
        Case.Priority.URGENT,
        "complaint",
        None,
    )
    assert after.subject == before.subject
    assert reply.body["version"] == before.version + 1 == after.version


def test_an_explicit_null_for_a_required_field_is_refused(api, scene):
    reply = api.patch(
        f"/cases/{scene.case.number}", {"version": scene.case.version, "subject": None}, as_="alice"
    )

    assert reply.status == 422
    assert reply.body["details"][0]["loc"][-1] == "subject"


def test_of_two_updates_from_the_same_version_the_second_gets_409_and_the_first_is_kept(api, scene):
    read_version = scene.case.version
    path = f"/cases/{scene.case.number}"

    first = api.patch(path, {"version": read_version, "subject": "Alice's wording"}, as_="alice")
    second = api.patch(path, {"version": read_version, "subject": "Bob's wording"}, as_="bob")

    assert first.status == 200
    assert second.status == 409
    assert second.body["code"] == "stale_version"
    assert second.body["details"] == {"current_version": read_version + 1}
    assert Case.objects.get(pk=scene.case.pk).subject == "Alice's wording"


def test_status_changes_follow_the_allowed_transitions(api, scene):
    path = f"/cases/{scene.case.number}/status"

    resolved = api.post(path, {"status": "resolved", "version": scene.case.version}, as_="alice")
    back_to_new = api.post(
        path, {"status": "new", "version": resolved.body["version"]}, as_="alice"
    )

    assert resolved.status == 200
    assert resolved.body["status"] == "resolved"
    assert resolved.body["resolved_at"] is not None
    assert back_to_new.status == 409
    assert back_to_new.body["code"] == "invalid_transition"


def test_a_status_change_from_a_stale_version_is_refused(api, scene):
    reply = api.post(
        f"/cases/{scene.case.number}/status",
        {"status": "resolved", "version": scene.case.version - 1},
        as_="alice",
    )

    assert reply.status == 409
    assert Case.objects.get(pk=scene.case.pk).status == "open"


def test_an_unknown_status_is_a_422_listing_the_field(api, scene):
    reply = api.post(
        f"/cases/{scene.case.number}/status",
        {"status": "done", "version": scene.case.version},
        as_="alice",
    )

    assert reply.status == 422
    assert reply.body["details"][0]["loc"][-1] == "status"


def test_taking_a_case_someone_owns_says_who_has_it(api, scene):
    reply = api.post(f"/cases/{scene.case.number}/take", as_="bob")

    assert reply.status == 409
    assert reply.body["code"] == "already_owned"
    assert reply.body["details"] == {"owner": "Alice Adams"}


def test_a_supervisor_assigns_an_owner(api, scene, world):
    reply = api.post(f"/cases/{scene.spare.number}/assign", {"owner": world.bob.pk}, as_="carol")

    assert reply.status == 200
    assert reply.body["owner"]["username"] == "bob"
    assert reply.body["status"] == "open"


def test_merging_closes_the_source_and_returns_the_survivor(api, scene):
    reply = api.post(f"/cases/{scene.spare.number}/merge", {"into": scene.case.number}, as_="alice")

    assert reply.status == 200
    assert reply.body["number"] == scene.case.number
    source = api.get(f"/cases/{scene.spare.number}", as_="alice").body
    assert source["status"] == "closed"
    assert source["merged_into"] == scene.case.number
    timeline = api.get(f"/cases/{scene.case.number}/interactions", as_="dave").body
    assert {item["case"] for item in timeline} == {scene.case.number, scene.spare.number}


def test_merging_a_case_into_itself_is_refused(api, scene):
    reply = api.post(f"/cases/{scene.case.number}/merge", {"into": scene.case.number}, as_="alice")

    assert reply.status == 422
    assert reply.body["code"] == "merge_not_allowed"


def test_links_are_created_listed_and_removed(api, scene):
    path = f"/cases/{scene.case.number}/links"

    created = api.post(path, {"to_case": scene.fiona_case.number, "kind": "related"}, as_="alice")
    listed = api.get(path, as_="alice")
    removed = api.delete(f"{path}/{created.body['id']}", as_="alice")

    assert created.status == 201
    assert created.body["from_case"] == scene.case.number
    assert created.body["to_case"] == scene.fiona_case.number
    assert {link["id"] for link in listed.body} == {scene.link.pk, created.body["id"]}
    assert removed.status == 204
    assert not CaseLink.objects.filter(pk=created.body["id"]).exists()


def test_the_same_link_twice_is_refused(api, scene):
    reply = api.post(
        f"/cases/{scene.case.number}/links",
        {"to_case": scene.spare.number, "kind": "related"},
        as_="alice",
    )

    assert reply.status == 422
    assert reply.body["code"] == "link_not_allowed"


def test_removing_a_link_of_another_case_is_a_404(api, scene):
    reply = api.delete(f"/cases/{scene.fiona_case.number}/links/{scene.link.pk}", as_="alice")

    assert reply.status == 404
    assert CaseLink.objects.filter(pk=scene.link.pk).exists()


def test_customers_see_no_links(api, scene):
    assert api.get(f"/cases/{scene.case.number}/links", as_="dave").body == []


def test_list_filters_narrow_the_cases(api, scene, world):
    def numbers(**query):
        reply = api.get("/cases", as_="alice", query=query)
        assert reply.status == 200, reply.body
        return {item["number"] for item in reply.body["items"]}

    everything = {scene.case.number, scene.spare.number, scene.fiona_case.number}
    assert numbers() == everything
    assert numbers(status=["new"]) == {scene.spare.number, scene.fiona_case.number}
    assert numbers(status=["new", "open"]) == everything
    assert numbers(owner=world.alice.pk) == {scene.case.number}
    assert numbers(unowned="true") == {scene.spare.number, scene.fiona_case.number}
    assert numbers(department=world.support.pk) == {scene.case.number, scene.spare.number}
    assert numbers(customer=world.fiona.pk) == {scene.fiona_case.number}
    assert numbers(organisation=world.acme.pk) == {scene.case.number, scene.spare.number}
    assert numbers(kind="question") == everything
    assert numbers(kind="complaint") == set()
    assert numbers(priority="normal") == everything
    assert numbers(updated_since="2999-01-01T00:00:00+02:00") == set()


def test_listing_cases_takes_the_same_number_of_queries_for_many_cases(api, scene, make_case):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/cases", as_="alice").status == 200
        return len(queries)

    count_queries()  # the token's first use of the minute records last_used_at
    few = count_queries()
    for _ in range(5):
        make_case()
    many = count_queries()

    assert many == few


def test_customers_never_see_internal_notes(api, scene):
    note = api.post(f"/cases/{scene.case.number}/notes", {"body": "Customer is rude."}, as_="alice")

    staff_view = api.get(f"/cases/{scene.case.number}/interactions", as_="alice").body
    customer_view = api.get(f"/cases/{scene.case.number}/interactions", as_="dave").body

    assert note.status == 201
    assert note.body["is_internal"] is True
    assert note.body["id"] in {item["id"] for item in staff_view}
    assert note.body["id"] not in {item["id"] for item in customer_view}
    assert all(not item["is_internal"] for item in customer_view)


def test_a_customer_reply_is_inbound_and_a_staff_reply_outbound(api, scene):
    path = f"/cases/{scene.case.number}/replies"

    mine = api.post(path, {"body": "Still broken."}, as_="dave")
    theirs = api.post(
        path, {"body": "Engineer comes Friday.", "set_status": "waiting_on_customer"}, as_="alice"
    )

    assert (mine.status, mine.body["direction"]) == (201, "inbound")
    assert mine.body["author"] == {
        "kind": "customer",
        "id": scene.world.dave.pk,
        "name": "Dave Davis",
    }
    assert (theirs.status, theirs.body["direction"]) == (201, "outbound")
    assert Case.objects.get(pk=scene.case.pk).status == "waiting_on_customer"


def test_a_customer_cannot_change_the_status_with_his_reply(api, scene):
    reply = api.post(
        f"/cases/{scene.case.number}/replies",
        {"body": "Done!", "set_status": "resolved"},
        as_="dave",
    )

    assert reply.status == 403
    assert not Interaction.objects.filter(body="Done!").exists()


def test_a_recorded_call_with_the_same_external_id_is_stored_once(api, scene):
    body = {
        "channel": "phone",
        "direction": "inbound",
        "body": "Called.",
        "external_id": "pbx-77",
        "customer_seconds": 180,
        "started_at": "2025-03-01T09:00:00+02:00",
        "ended_at": "2025-03-01T09:03:00+02:00",
    }

    first = api.post(f"/cases/{scene.case.number}/interactions", body, as_="alice")
    again = api.post(f"/cases/{scene.case.number}/interactions", body, as_="alice")

    assert first.status == again.status == 201
    assert first.body["id"] == again.body["id"]
    assert first.body["started_at"] == "2025-03-01T07:00:00Z"
    assert Interaction.objects.filter(external_id="pbx-77").count() == 1


def test_listing_interactions_takes_the_same_number_of_queries_for_many(api, scene):
    path = f"/cases/{scene.case.number}/interactions"

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path, as_="alice").status == 200
        return len(queries)

    count_queries()  # the token's first use of the minute records last_used_at
    few = count_queries()
    for index in range(4):
        api.post(f"/cases/{scene.case.number}/replies", {"body": f"Reply {index}"}, as_="bob")
        api.post(f"/cases/{scene.case.number}/notes", {"body": f"Note {index}"}, as_="bob")
    many = count_queries()

    assert many == few
