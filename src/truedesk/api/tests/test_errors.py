"""Bad input gets a clear JSON error in one shape, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from truedesk.api.errors import domain_error_details, domain_error_status
from truedesk.cases.errors import AlreadyOwned, StaleVersion
from truedesk.cases.models import Case
from truedesk.customers import errors as customer_errors


def _assert_shape(reply, status, code=None):
    assert reply.status == status, reply.body
    assert set(reply.body) == {"code", "message", "details"}
    if code:
        assert reply.body["code"] == code


def test_a_body_that_is_not_json_is_a_422(api, world):
    reply = api.call("POST", "/cases", as_="alice", raw_body="{subject: oops")

    _assert_shape(reply, 422, "invalid_json")


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_a_422(api, world, body):
    reply = api.call("POST", "/cases", as_="alice", raw_body=body)

    _assert_shape(reply, 422, "invalid_input")


def test_wrong_types_name_every_field_at_fault(api, world):
    reply = api.post(
        "/cases",
        {"customer": "dave", "subject": 5, "body": ["x"], "priority": "very high"},
        as_="alice",
    )

    _assert_shape(reply, 422, "invalid_input")
    fields = {tuple(problem["loc"])[-1] for problem in reply.body["details"]}
    assert {"customer", "subject", "body", "priority"} <= fields


@pytest.mark.parametrize(
    "path",
    [
        "/cases/99999999999999999999999999",
        "/cases/-1",
        "/cases/abc",
        "/customers/0",
        "/organisations/1e9",
        "/attachments/18446744073709551616",
        "/transfers/1.5",
    ],
)
def test_absurd_ids_are_a_422_not_a_database_error(api, world, path):
    reply = api.get(path, as_="alice")

    _assert_shape(reply, 422, "invalid_input")


def test_an_unknown_id_is_a_404(api, world):
    _assert_shape(api.get("/cases/424242", as_="alice"), 404, "not_found")
    _assert_shape(api.get("/customers/424242", as_="alice"), 404, "not_found")


def test_a_naive_datetime_filter_is_refused(api, world):
    reply = api.get("/cases", as_="alice", query={"updated_since": "2025-01-01T10:00:00"})

    _assert_shape(reply, 422, "invalid_input")


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "big-one"}])
def test_a_request_larger_than_the_limit_is_a_413(api, world, settings, headers):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    reply = api.post(
        "/cases",
        {"customer": world.dave.pk, "subject": "x", "body": "y" * 2000},
        as_="alice",
        headers=headers,
    )

    _assert_shape(reply, 413, "too_large")
    assert not Case.objects.exists()


def test_domain_errors_keep_their_own_status_and_details():
    stale = StaleVersion(current_version=7)
    owned = AlreadyOwned(owner_name="Bob Brown")
    customer_stale = customer_errors.StaleVersion(current_version=3)

    assert (domain_error_status(stale), domain_error_details(stale)) == (
        409,
        {"current_version": 7},
    )
    assert domain_error_details(owned) == {"owner": "Bob Brown"}
    assert domain_error_status(customer_stale) == 409
    assert domain_error_details(customer_stale) == {"current_version": 3}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
CASE_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        name: JSON_VALUES
        for name in (
            "customer",
            "subject",
            "body",
            "kind",
            "priority",
            "department",
            "version",
            "status",
            "tags",
            "owner",
            "organisation",
            "channel",
        )
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=CASE_FIELDS)
def test_no_body_makes_the_case_endpoints_fail_with_a_500(api, scene, body):
    for method, path in (
        ("POST", "/cases"),
        ("PATCH", f"/cases/{scene.case.number}"),
        ("POST", f"/cases/{scene.case.number}/status"),
        ("POST", f"/cases/{scene.case.number}/replies"),
    ):
        reply = api.call(method, path, as_="alice", raw_body=json.dumps(body))
        assert reply.status < 500, (method, path, body, reply.body)
        if reply.status >= 400:
            assert set(reply.body) == {"code", "message", "details"}
    assert Case.objects.filter(merged_into__isnull=False).count() == 0


@pytest.mark.parametrize("path", ["/no-such-thing", "/cases/1/no-such-action", "/v2-typo/cases"])
def test_an_unknown_address_under_the_api_is_a_json_404(api, world, path):
    reply = api.get(path, as_="alice")

    _assert_shape(reply, 404, "not_found")
    assert reply.body["details"] == {"path": "/api/v1" + path}


def test_an_unknown_address_outside_the_api_keeps_the_html_page(client, world):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_method_the_address_does_not_take_is_a_json_405_naming_the_allowed_ones(api, world):
    reply = api.call("DELETE", "/cases", as_="alice")

    _assert_shape(reply, 405, "method_not_allowed")
    assert "GET" in reply.body["details"]["allowed"]
    assert "POST" in reply.body["details"]["allowed"]
    assert "DELETE" not in reply.headers["Allow"]
