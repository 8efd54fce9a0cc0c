"""Journey 4: an integrator mints a token, reads the OpenAPI document and works through the API."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from truedesk.cases.models import Case
from truedesk.customers.models import Customer, Organisation


def test_an_integrator_mints_a_token_reads_the_document_and_manages_records(client, world):
    out, err = StringIO(), StringIO()
    call_command("token", "create", "--user", "alice", "--name", "ci", stdout=out, stderr=err)
    token = out.getvalue().strip()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def send(method, path, body=None):
        response = client.generic(
            method,
            "/api/v1" + path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            **auth,
        )
        return response.status_code, response.json()

    document = client.get("/api/v1/openapi.json").json()
    operations = {
        op["operationId"]: (method.upper(), path)
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert operations["createCase"] == ("POST", "/api/v1/cases")

    status, organisation = send("POST", "/organisations", {"name": "Northwind", "tier": "gold"})
    assert status == 201
    status, customer = send(
        "POST",
        "/customers",
        {
            "name": "Nina North",
            "emails": ["nina@northwind.example"],
            "organisation": organisation["id"],
        },
    )
    assert status == 201
    status, renamed = send(
        "PATCH",
        f"/customers/{customer['id']}",
        {"version": customer["version"], "name": "Nina Northwood"},
    )
    assert (status, renamed["name"]) == (200, "Nina Northwood")
    status, case = send(
        "POST",
        "/cases",
        {
            "customer": customer["id"],
            "subject": "Bulk licence renewal",
            "body": "We need 40 more seats.",
            "kind": "sales_enquiry",
            "organisation": organisation["id"],
            "department": world.support.pk,
        },
    )
    assert status == 201
    assert case["organisation"] == {"id": organisation["id"], "name": "Northwind"}
    status, updated = send(
        "PATCH",
        f"/cases/{case['number']}",
        {"version": case["version"], "priority": "high", "tags": ["renewal"]},
    )
    assert status == 200
    assert (updated["priority"], updated["tags"]) == ("high", ["renewal"])

    stored = Case.objects.get(number=case["number"])
    assert stored.customer == Customer.objects.get(name="Nina Northwood")
    assert stored.organisation == Organisation.objects.get(name="Northwind")
    assert stored.priority == Case.Priority.HIGH
    assert stored.events.filter(actor=world.alice).exists()
