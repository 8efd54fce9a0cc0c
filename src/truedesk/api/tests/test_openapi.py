"""The OpenAPI document: valid 3.1, every path, every error response documented."""

from __future__ import annotations

import json
import re

import pytest

from truedesk.cases.api import schemas as case_schemas
from truedesk.cases.models import Case, CaseLink, Interaction, Transfer
from truedesk.customers import api as customer_api
from truedesk.customers.models import ContactPoint, Tier

EXPECTED_PATHS = {
    "/api/v1/me",
    "/api/v1/cases",
    "/api/v1/cases/{number}",
    "/api/v1/cases/{number}/status",
    "/api/v1/cases/{number}/take",
    "/api/v1/cases/{number}/assign",
    "/api/v1/cases/{number}/merge",
    "/api/v1/cases/{number}/interactions",
    "/api/v1/cases/{number}/replies",
    "/api/v1/cases/{number}/notes",
    "/api/v1/cases/{number}/links",
    "/api/v1/cases/{number}/links/{link_id}",
    "/api/v1/cases/{number}/transfers",
    "/api/v1/transfers",
    "/api/v1/transfers/{transfer_id}",
    "/api/v1/transfers/{transfer_id}/accept",
    "/api/v1/transfers/{transfer_id}/decline",
    "/api/v1/transfers/{transfer_id}/cancel",
    "/api/v1/attachments/{attachment_id}",
    "/api/v1/attachments/{attachment_id}/download",
    "/api/v1/customers",
    "/api/v1/customers/{customer_id}",
    "/api/v1/customers/{customer_id}/contact-points",
    "/api/v1/customers/{customer_id}/contact-points/{contact_point_id}",
    "/api/v1/customers/{customer_id}/memberships",
    "/api/v1/customers/{customer_id}/memberships/{organisation_id}",
    "/api/v1/organisations",
    "/api/v1/organisations/{organisation_id}",
    "/api/v1/organisations/{organisation_id}/account-manager",
}
ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture
def document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_document_is_openapi_3_1_and_lists_every_path(document):
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert document["info"]["title"] == "Truedesk API"
    assert set(document["paths"]) >= EXPECTED_PATHS


def test_every_operation_has_a_unique_camel_case_id_a_tag_and_a_summary(document):
    ids = [op["operationId"] for _p, _m, op in _operations(document)]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z]+", op_id) for op_id in ids)
    assert all(op.get("tags") and op.get("description") for _p, _m, op in _operations(document))


def test_every_operation_documents_its_errors_in_the_error_shape(document):
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        has_input = "{" in path or "requestBody" in operation or operation.get("parameters")
        expected = {"401", "403"}
        if has_input:
            expected.add("422")
        if "{" in path:
            expected.add("404")
        if method in {"post", "patch", "put", "delete"} and path != "/api/v1/me":
            expected.add("409")
        if method == "get" and "cursor" in json.dumps(operation.get("parameters", [])):
            expected.add("400")
        assert expected <= set(map(str, responses)), (method, path, sorted(responses))
        for status in expected:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, status)


def test_the_error_shape_has_code_message_and_details(document):
    schema = document["components"]["schemas"]["ErrorOut"]

    assert set(schema["properties"]) == {"code", "message", "details"}
    assert set(schema["required"]) == {"code", "message"}


def test_bearer_tokens_are_the_documented_security_scheme(document):
    schemes = document["components"]["securitySchemes"]

    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerToken"].items()
    assert all(op.get("security") for _p, _m, op in _operations(document))


def test_every_create_documents_the_idempotency_key_header(document):
    creates = [op for _p, _m, op in _operations(document) if "201" in map(str, op["responses"])]

    assert len(creates) >= 10
    for create in creates:
        headers = [p for p in create.get("parameters", []) if p["in"] == "header"]
        assert [h["name"] for h in headers] == ["Idempotency-Key"], create["operationId"]


def test_updates_require_the_version(document):
    schemas = document["components"]["schemas"]

    for name in ("CaseUpdateIn", "StatusIn", "CustomerUpdateIn", "OrganisationUpdateIn"):
        assert "version" in schemas[name]["required"], name


@pytest.mark.parametrize(
    ("api_enum", "model_values"),
    [
        (case_schemas.CaseStatus, Case.Status.values),
        (case_schemas.CaseKind, Case.Kind.values),
        (case_schemas.CaseInitiator, Case.Initiator.values),
        (case_schemas.InteractionChannel, Interaction.Channel.values),
        (case_schemas.InteractionDirection, Interaction.Direction.values),
        (case_schemas.TransferStatus, Transfer.Status.values),
        (case_schemas.LinkKind, CaseLink.Kind.values),
        (customer_api.Tier, Tier.values),
        (customer_api.ContactKind, ContactPoint.Kind.values),
        (case_schemas.CasePriority, [p.name.lower() for p in Case.Priority]),
        (case_schemas.CaseSeverity, [s.name.lower() for s in Case.Severity]),
    ],
)
def test_the_api_enums_are_exactly_the_models_choices(api_enum, model_values):
    assert [member.value for member in api_enum] == list(model_values)
