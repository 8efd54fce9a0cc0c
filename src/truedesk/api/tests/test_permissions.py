"""Who may call each endpoint, and who must be refused.

One row per operation: how staff call it successfully, and what another
customer (fiona, against dave's records) gets. Every operation in the OpenAPI
document must have a row, so a new endpoint cannot ship without its
permission test. Anonymous callers get 401 everywhere; a partner no customer
has authorised gets 404 everywhere but his own (empty) lists and /me. Partner
scoping with authorisations is walked in channels/partners/tests/test_scope_walk.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from truedesk.api.auth import PARTNER_OPERATIONS
from truedesk.api.tests.scene import Scene
from truedesk.api.v1 import api as ninja_api

# Tags of the operations in this table; other apps' routers test their own.
OWN_TAGS = {
    "accounts",
    "cases",
    "interactions",
    "links",
    "transfers",
    "attachments",
    "customers",
    "organisations",
}


@dataclass(frozen=True)
class Op:
    method: str
    path: Callable[[Scene], str]
    body: Callable[[Scene], Any] = lambda s: None
    staff: str = "alice"
    staff_status: int = 200
    # What fiona (a customer) gets against dave's records.
    other_customer_status: int = 404
    extra: dict[str, Any] = field(default_factory=dict)


def _case(s: Scene) -> str:
    return f"/cases/{s.case.number}"


OPS: dict[str, Op] = {
    "getMe": Op("GET", lambda s: "/me", other_customer_status=200),
    "listCases": Op("GET", lambda s: "/cases", other_customer_status=200),
    "createCase": Op(
        "POST",
        lambda s: "/cases",
        lambda s: {"customer": s.world.dave.pk, "subject": "Modem", "body": "It blinks red."},
        staff_status=201,
    ),
    "getCase": Op("GET", _case),
    "updateCase": Op(
        "PATCH", _case, lambda s: {"version": s.case.version, "subject": "Line drops at 20:00"}
    ),
    "changeCaseStatus": Op(
        "POST",
        lambda s: _case(s) + "/status",
        lambda s: {"status": "waiting_on_customer", "version": s.case.version},
    ),
    "clearCaseFlag": Op(
        "POST",
        lambda s: _case(s) + "/clear-flag",
        lambda s: {"reason": "Called back", "version": s.case.version},
        staff="carol",
    ),
    "takeCase": Op("POST", lambda s: f"/cases/{s.spare.number}/take"),
    "assignCase": Op(
        "POST", lambda s: _case(s) + "/assign", lambda s: {"owner": s.world.bob.pk}, staff="carol"
    ),
    "mergeCase": Op(
        "POST", lambda s: f"/cases/{s.spare.number}/merge", lambda s: {"into": s.case.number}
    ),
    "listCaseInteractions": Op("GET", lambda s: _case(s) + "/interactions"),
    "recordInteraction": Op(
        "POST",
        lambda s: _case(s) + "/interactions",
        lambda s: {"channel": "phone", "direction": "inbound", "body": "Called about it."},
        staff_status=201,
    ),
    "replyToCase": Op(
        "POST",
        lambda s: _case(s) + "/replies",
        lambda s: {"body": "We are on it."},
        staff_status=201,
    ),
    "addInternalNote": Op(
        "POST",
        lambda s: _case(s) + "/notes",
        lambda s: {"body": "Check the DSLAM."},
        staff_status=201,
    ),
    "listCaseLinks": Op("GET", lambda s: _case(s) + "/links"),
    "linkCases": Op(
        "POST",
        lambda s: _case(s) + "/links",
        lambda s: {"to_case": s.spare.number, "kind": "duplicate_of"},
        staff_status=201,
    ),
    "unlinkCases": Op("DELETE", lambda s: _case(s) + f"/links/{s.link.pk}", staff_status=204),
    "listCaseTransfers": Op("GET", lambda s: _case(s) + "/transfers"),
    "transferCase": Op(
        "POST",
        lambda s: f"/cases/{s.spare.number}/transfers",
        lambda s: {
            "to_department": s.world.billing.pk,
            "reason": "It is about an invoice",
            "handoff_note": "Address on invoice 2291 is wrong.",
        },
        staff="carol",
        staff_status=201,
    ),
    "listPendingTransfers": Op(
        "GET", lambda s: "/transfers", staff="bob", other_customer_status=403
    ),
    "getTransfer": Op("GET", lambda s: f"/transfers/{s.transfer.pk}"),
    "acceptTransfer": Op("POST", lambda s: f"/transfers/{s.transfer.pk}/accept", staff="bob"),
    "declineTransfer": Op(
        "POST",
        lambda s: f"/transfers/{s.transfer.pk}/decline",
        lambda s: {"note": "I am off tomorrow."},
        staff="bob",
    ),
    "cancelTransfer": Op("POST", lambda s: f"/transfers/{s.transfer.pk}/cancel"),
    "getAttachment": Op("GET", lambda s: f"/attachments/{s.attachment.pk}"),
    "downloadAttachment": Op("GET", lambda s: f"/attachments/{s.attachment.pk}/download"),
    "listCustomers": Op("GET", lambda s: "/customers", other_customer_status=403),
    "createCustomer": Op(
        "POST",
        lambda s: "/customers",
        lambda s: {"name": "Gina Green"},
        staff_status=201,
        other_customer_status=403,
    ),
    "getCustomer": Op("GET", lambda s: f"/customers/{s.world.dave.pk}"),
    "updateCustomer": Op(
        "PATCH",
        lambda s: f"/customers/{s.world.dave.pk}",
        lambda s: {"version": s.world.dave.version, "name": "David Davis"},
    ),
    "addContactPoint": Op(
        "POST",
        lambda s: f"/customers/{s.world.dave.pk}/contact-points",
        lambda s: {"kind": "phone", "value": "+370 600 12345"},
        staff_status=201,
    ),
    "removeContactPoint": Op(
        "DELETE",
        lambda s: f"/customers/{s.world.dave.pk}/contact-points/{s.daves_email.pk}",
        staff_status=204,
    ),
    "addMembership": Op(
        "POST",
        lambda s: f"/customers/{s.world.dave.pk}/memberships",
        lambda s: {"organisation": s.globex.pk, "title": "Buyer"},
        staff_status=201,
    ),
    "removeMembership": Op(
        "DELETE",
        lambda s: f"/customers/{s.world.dave.pk}/memberships/{s.world.acme.pk}",
        staff_status=204,
    ),
    "listOrganisations": Op("GET", lambda s: "/organisations", other_customer_status=403),
    "createOrganisation": Op(
        "POST",
        lambda s: "/organisations",
        lambda s: {"name": "Initech"},
        staff_status=201,
        other_customer_status=403,
    ),
    "getOrganisation": Op("GET", lambda s: f"/organisations/{s.world.acme.pk}"),
    "updateOrganisation": Op(
        "PATCH",
        lambda s: f"/organisations/{s.world.acme.pk}",
        lambda s: {"version": s.world.acme.version, "tier": "gold"},
    ),
    "setAccountManager": Op(
        "PUT",
        lambda s: f"/organisations/{s.world.acme.pk}/account-manager",
        lambda s: {"account_manager": s.world.alice.pk},
    ),
}


def _operations() -> list[tuple[str, str, str, list[str]]]:
    schema = ninja_api.get_openapi_schema()
    return [
        (op["operationId"], method.upper(), path.removeprefix("/api/v1"), op.get("tags", []))
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]


ALL_OPERATIONS = _operations()
# Operations that authenticate by a signature of their own, not by user tokens.
SIGNED_OPERATIONS = {
    op["operationId"]
    for item in ninja_api.get_openapi_schema()["paths"].values()
    for op in item.values()
    if not any("BearerToken" in scheme for scheme in op.get("security", []))
}


def _call(api: Any, op: Op, scene: Scene, as_: str | None) -> Any:
    body = op.body(scene)
    return api.call(op.method, op.path(scene), as_=as_, json_body=body)


def _assert_error_shape(reply: Any, code: str) -> None:
    assert reply.body["code"] == code
    assert isinstance(reply.body["message"], str) and reply.body["message"]
    assert "details" in reply.body


def test_every_operation_of_these_routers_has_a_permission_row():
    own = {op_id for op_id, _m, _p, tags in ALL_OPERATIONS if set(tags) & OWN_TAGS}

    assert own == set(OPS)


@pytest.mark.parametrize(
    ("operation_id", "method", "path"),
    [(op_id, method, path) for op_id, method, path, _tags in ALL_OPERATIONS],
    ids=[op_id for op_id, *_rest in ALL_OPERATIONS],
)
def test_anonymous_callers_get_401_on_every_operation(api, db, operation_id, method, path):
    concrete = re.sub(r"\{[^}]+\}", "1", path)

    reply = api.call(method, concrete, json_body={})

    assert reply.status == 401
    _assert_error_shape(reply, "unauthenticated")


@pytest.mark.parametrize(
    ("operation_id", "method", "path"),
    [(op_id, method, path) for op_id, method, path, _tags in ALL_OPERATIONS],
    ids=[op_id for op_id, *_rest in ALL_OPERATIONS],
)
def test_an_unauthorised_partner_token_reaches_nothing(api, world, operation_id, method, path):
    concrete = re.sub(r"\{[^}]+\}", "1", path)
    route = "api/v1" + re.sub(r"\{([^}]+)\}", r"<\1>", path)

    reply = api.call(method, concrete, as_="erin", json_body={})

    if operation_id in SIGNED_OPERATIONS:
        # Its own signature auth (e.g. the contact-centre switch): no token gets in.
        assert reply.status == 401
    elif (method, route) not in PARTNER_OPERATIONS:
        assert reply.status == 404
        _assert_error_shape(reply, "not_found")
    elif operation_id == "getMe":
        assert reply.status == 200 and reply.body["kind"] == "partner"
    elif method == "GET" and not path.endswith("}") and "{" not in path:
        assert reply.status == 200 and reply.body["items"] == []
    else:
        # A partner operation naming a record: not found, or a body that does not parse.
        assert reply.status in (404, 422)


@pytest.mark.parametrize("operation_id", sorted(OPS))
def test_staff_can_call_every_operation(api, scene, operation_id):
    op = OPS[operation_id]

    reply = _call(api, op, scene, op.staff)

    assert reply.status == op.staff_status, reply.body


@pytest.mark.parametrize("operation_id", sorted(OPS))
def test_a_customer_cannot_reach_another_customers_records(api, scene, operation_id):
    op = OPS[operation_id]

    reply = _call(api, op, scene, "fiona")

    assert reply.status == op.other_customer_status, reply.body
    if reply.status == 404:
        _assert_error_shape(reply, "not_found")


def test_a_customer_listing_cases_sees_only_his_own(api, scene):
    reply = api.get("/cases", as_="fiona")

    assert [item["number"] for item in reply.body["items"]] == [scene.fiona_case.number]


def test_a_customer_cannot_open_a_case_for_someone_else(api, scene):
    reply = api.post(
        "/cases", {"customer": scene.world.dave.pk, "subject": "x", "body": "y"}, as_="fiona"
    )

    assert reply.status == 404
    assert scene.world.dave.cases.count() == 2


# What dave may and may not do with his own case through the API.
OWN_CASE_REFUSALS = {
    "updateCase": 403,
    "changeCaseStatus": 403,
    "clearCaseFlag": 403,
    "takeCase": 403,
    "assignCase": 403,
    "mergeCase": 403,
    "recordInteraction": 403,
    "addInternalNote": 403,
    "listCaseTransfers": 403,
    "linkCases": 403,
    "unlinkCases": 404,
    "transferCase": 403,
    "getTransfer": 404,
    "acceptTransfer": 404,
    "declineTransfer": 404,
    "cancelTransfer": 404,
    "addContactPoint": 403,
    "removeContactPoint": 403,
    "addMembership": 404,  # Globex is not his: invisible
    "removeMembership": 403,
    "updateOrganisation": 403,
    "setAccountManager": 403,
    "listCustomers": 403,
    "createCustomer": 403,
    "listOrganisations": 403,
    "createOrganisation": 403,
    "listPendingTransfers": 403,
}


@pytest.mark.parametrize("operation_id", sorted(OWN_CASE_REFUSALS))
def test_a_customer_may_not_do_staff_work_on_his_own_records(api, scene, operation_id):
    op = OPS[operation_id]

    reply = _call(api, op, scene, "dave")

    assert reply.status == OWN_CASE_REFUSALS[operation_id], reply.body


@pytest.mark.parametrize(
    "operation_id",
    sorted(set(OPS) - set(OWN_CASE_REFUSALS)),
)
def test_a_customer_may_read_and_write_to_his_own_case(api, scene, operation_id):
    op = OPS[operation_id]

    reply = _call(api, op, scene, "dave")

    assert reply.status in (200, 201), (operation_id, reply.body)


def test_an_agent_outside_the_cases_department_may_read_but_not_change_it(api, scene):
    billing_case = scene.spare
    billing_case.department = scene.world.billing
    billing_case.save(update_fields=["department"])

    read = api.get(f"/cases/{billing_case.number}", as_="alice")
    change = api.patch(
        f"/cases/{billing_case.number}",
        {"version": billing_case.version, "subject": "Hijacked"},
        as_="alice",
    )

    assert read.status == 200
    assert change.status == 403
    assert change.body["code"] == "not_allowed"


def test_a_revoked_token_is_refused(api, world, tokens):
    from truedesk.accounts.actions import revoke_api_token
    from truedesk.accounts.selectors import find_api_token

    token = find_api_token(user=world.alice, name="tests")
    revoke_api_token(acting_user=world.alice, token=token)

    reply = api.get("/me", as_="alice")

    assert reply.status == 401


def test_a_signed_in_session_can_call_the_api_without_a_token(client, world):
    client.force_login(world.dave_user)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "dave"
