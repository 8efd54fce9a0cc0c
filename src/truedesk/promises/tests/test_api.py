"""/api/v1/promises: record, list, read, keep, break, renegotiate — and who is refused."""

from datetime import timedelta

import pytest

from truedesk.api.tests.conftest import ApiClient, mint
from truedesk.promises.models import Promise
from truedesk.promises.tests.conftest import FIVE_PM, NOON

DUE = FIVE_PM.isoformat()


@pytest.fixture
def api(client, world, clock):
    users = [world.alice, world.bob, world.carol, world.dave_user, world.fiona_user, world.erin]
    return ApiClient(client, {user.username: mint(user) for user in users})


def _create(api, on_case, as_="alice", **overrides):
    body = {
        "case": on_case.number,
        "kind": "call_back",
        "due_at": DUE,
        "description": "We will call you back by 17:00 today.",
    }
    body.update(overrides)
    return api.post("/promises", body, as_=as_)


def test_an_agent_records_a_promise(api, world, case):
    reply = _create(api, case)

    assert reply.status == 201, reply.body
    body = reply.body
    assert body["case"] == case.number
    assert body["kind"] == "call_back"
    assert body["status"] == "open"
    assert body["overdue"] is False
    assert body["due_at"] == "2027-03-02T15:00:00Z"
    assert body["owner"] == {"id": world.alice.pk, "name": "Alice Adams", "username": "alice"}
    assert body["made_by"]["id"] == world.alice.pk
    assert body["version"] == 1
    assert body["replaces"] is None


def test_the_same_idempotency_key_records_one_promise(api, case):
    first = api.call("POST", "/promises", as_="alice", headers={"Idempotency-Key": "k-1"},
                     json_body={"case": case.number, "kind": "fix", "due_at": DUE,
                                "description": "Fix the line"})  # fmt: skip
    again = api.call("POST", "/promises", as_="alice", headers={"Idempotency-Key": "k-1"},
                     json_body={"case": case.number, "kind": "fix", "due_at": DUE,
                                "description": "Fix the line"})  # fmt: skip

    assert (first.status, again.status) == (201, 201)
    assert again.body["id"] == first.body["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Promise.objects.count() == 1


def test_the_owner_may_be_named(api, world, case):
    assert _create(api, case, owner=world.bob.pk).body["owner"]["id"] == world.bob.pk
    missing = _create(api, case, owner=999_999)
    assert (missing.status, missing.body["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"due_at": NOON.isoformat()}, "due_at"),
        ({"description": " "}, "description"),
    ],
)
def test_bad_values_are_a_422_naming_the_field(api, case, overrides, field):
    reply = _create(api, case, **overrides)

    assert reply.status == 422
    assert reply.body["code"] == "invalid_input"
    assert reply.body["details"]["field"] == field


@pytest.mark.parametrize(
    "overrides",
    [{"due_at": "2027-03-02T17:00:00"}, {"kind": "miracle"}, {"due_at": "soon"}, {"case": 0}],
)
def test_malformed_requests_are_a_422(api, case, overrides):
    reply = _create(api, case, **overrides)

    assert (reply.status, reply.body["code"]) == (422, "invalid_input")


def test_customers_cannot_record_promises_and_cannot_see_other_customers_cases(api, case):
    own = _create(api, case, as_="dave")
    other = _create(api, case, as_="fiona")

    assert (own.status, own.body["code"]) == (403, "not_allowed")
    assert (other.status, other.body["code"]) == (404, "not_found")
    assert not Promise.objects.exists()


def test_listing_a_cases_promises(api, world, case, promise):
    staff = api.get("/promises", query={"case": case.number}, as_="bob")
    own = api.get("/promises", query={"case": case.number}, as_="dave")
    other = api.get("/promises", query={"case": case.number}, as_="fiona")

    assert [p["id"] for p in staff.body] == [promise.pk]
    assert [p["id"] for p in own.body] == [promise.pk]
    assert own.body[0]["owner"] == {"id": world.alice.pk, "name": "Alice Adams", "username": None}
    assert (other.status, other.body["code"]) == (404, "not_found")


def test_without_a_case_the_list_is_your_own_open_promises(api, world, case, promise):
    assert [p["id"] for p in api.get("/promises", as_="alice").body] == [promise.pk]
    assert api.get("/promises", as_="bob").body == []
    assert [p["id"] for p in api.get("/promises", as_="dave").body] == [promise.pk]
    assert api.get("/promises", as_="fiona").body == []


def test_reading_one_promise(api, promise):
    assert api.get(f"/promises/{promise.pk}", as_="dave").body["id"] == promise.pk
    hidden = api.get(f"/promises/{promise.pk}", as_="fiona")
    assert (hidden.status, hidden.body["code"]) == (404, "not_found")
    assert api.get("/promises/99999999", as_="alice").status == 404


def test_keeping_a_promise_needs_the_current_version(api, promise):
    stale = api.post(f"/promises/{promise.pk}/keep", {"version": 5, "how": "Called"}, as_="alice")
    assert (stale.status, stale.body["code"]) == (409, "stale_version")
    assert stale.body["details"]["current_version"] == 1

    kept = api.post(f"/promises/{promise.pk}/keep", {"version": 1, "how": "Called"}, as_="alice")
    assert kept.status == 200
    assert (kept.body["status"], kept.body["kept_note"], kept.body["version"]) == (
        "kept",
        "Called",
        2,
    )

    again = api.post(f"/promises/{promise.pk}/keep", {"version": 2, "how": "Called"}, as_="alice")
    assert (again.status, again.body["code"]) == (409, "promise_not_open")
    assert again.body["details"]["status"] == "kept"


def test_breaking_a_promise_needs_a_reason(api, promise):
    empty = api.post(f"/promises/{promise.pk}/break", {"version": 1, "reason": ""}, as_="alice")
    assert (empty.status, empty.body["details"]["field"]) == (422, "reason")

    broken = api.post(f"/promises/{promise.pk}/break", {"version": 1, "reason": "No engineer"},
                      as_="alice")  # fmt: skip
    assert (broken.status, broken.body["status"], broken.body["reason"]) == (
        200,
        "broken",
        "No engineer",
    )


def test_renegotiating_returns_the_new_promise(api, promise):
    new_due = (FIVE_PM + timedelta(days=1)).isoformat()
    reply = api.post(f"/promises/{promise.pk}/renegotiate",
                     {"version": 1, "due_at": new_due, "reason": "Customer away"},
                     as_="alice")  # fmt: skip

    assert reply.status == 200, reply.body
    assert reply.body["id"] != promise.pk
    assert reply.body["replaces"] == promise.pk
    assert reply.body["due_at"] == "2027-03-03T15:00:00Z"
    old = api.get(f"/promises/{promise.pk}", as_="alice").body
    assert (old["status"], old["replaced_by"]) == ("renegotiated", reply.body["id"])


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("keep", {"version": 1, "how": "x"}),
        ("break", {"version": 1, "reason": "x"}),
        ("renegotiate", {"version": 1, "reason": "x", "due_at": "2027-03-04T10:00:00+02:00"}),
    ],
)
def test_customers_may_not_settle_promises(api, promise, action, body):
    own = api.post(f"/promises/{promise.pk}/{action}", body, as_="dave")
    other = api.post(f"/promises/{promise.pk}/{action}", body, as_="fiona")

    assert (own.status, own.body["code"]) == (403, "not_allowed")
    assert (other.status, other.body["code"]) == (404, "not_found")
    assert Promise.objects.get(pk=promise.pk).status == "open"


def test_an_agent_who_cannot_work_the_case_may_read_but_not_settle(api, world, make_case,
                                                                  promise_on):  # fmt: skip
    billing = make_case(department=world.billing, owner=world.bob, acting_user=world.bob)
    promise = promise_on(billing, acting_user=world.bob)

    assert api.get(f"/promises/{promise.pk}", as_="alice").status == 200
    refused = api.post(f"/promises/{promise.pk}/keep", {"version": 1, "how": "x"}, as_="alice")
    assert (refused.status, refused.body["code"]) == (403, "not_allowed")


def test_anonymous_and_partner_callers_are_refused(api, promise):
    assert api.get("/promises").status == 401
    # Partners get 404 outside their operations (truedesk.api.auth.PARTNER_OPERATIONS).
    assert api.get(f"/promises/{promise.pk}", as_="erin").status == 404
