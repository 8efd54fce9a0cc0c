"""Every URL the site serves, walked with a partner's token and session: nothing out of scope.

The URL list comes from Django's resolver, so an endpoint or page added later
is walked too. Outside the partner's operations (api.auth.PARTNER_OPERATIONS)
and pages (the `partners:` namespace plus a few account pages) the answer
must be 404 (405 for a method the route does not have), whatever object the
URL names. The partner's own operations and pages are probed with another
customer's records and with internal files of an authorised case: 404 too.
A new partner operation or page fails here until it gets a probe below.
Machine endpoints with their own signature auth may answer 401 instead: they
refuse the partner's token before looking any record up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from truedesk.accounts.middleware import PARTNER_OPEN_URL_NAMES
from truedesk.api.auth import PARTNER_OPERATIONS
from truedesk.channels.partners.tests.conftest import PartnerScene, call_api, signed_in

API_PREFIX = "api/v1/"
# Served to anyone, signed in or not; they describe the API and hold no records.
PUBLIC_API_ROUTES = {"api/v1/openapi.json", "api/v1/docs"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.name or ""


ROUTES = sorted(set(_walk(get_resolver().url_patterns)))
SITE_ROUTES = [
    r for r in ROUTES if not r[0].startswith(API_PREFIX) and not r[0].startswith("admin/")
]
ADMIN_ROUTES = [r for r in ROUTES if r[0].startswith("admin/")]
API_ROUTES = sorted({r[0] for r in ROUTES if r[0].startswith(API_PREFIX)})

_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def concrete(route: str, values: dict[str, str]) -> str:
    """The route with each parameter replaced by the value for its name ("1" if none)."""
    filled = _CONVERTER.sub(lambda m: values.get(m.group(1), "1"), route)
    filled = _NAMED_GROUP.sub(lambda m: values.get(m.group(1), "1"), filled)
    return "/" + filled.replace("^", "").replace("$", "").replace("\\", "")


def out_of_scope(scene: PartnerScene) -> list[dict[str, str]]:
    """Parameter values naming records the partner must never reach."""
    world = scene.world
    other_customer = {
        "number": str(scene.fionas_case.number),
        "customer_id": str(world.fiona.pk),
        "attachment_id": str(scene.fionas_file.pk),
        "pk": str(scene.fionas_file.pk),
        "object_id": str(world.fiona.pk),
        "app_label": "customers",
        "slug": world.support.slug,
    }
    internal = {
        **other_customer,
        # An authorised customer's case: fine to read through the partner's
        # operations, never through anything else; its internal note's file never.
        "number": str(scene.daves_case.number),
        "customer_id": str(world.dave.pk),
        "attachment_id": str(scene.internal_file.pk),
        "pk": str(scene.internal_file.pk),
    }
    return [other_customer, internal]


def _no_foreign_data(text: str, scene: PartnerScene) -> None:
    for secret in ("Fiona", "FX-4471", "fiona-invoice", "INTERNAL", "dslam-report"):
        assert secret not in text, secret


# --- the partner's own API operations: probed with out-of-scope records -------------------


def _api_probe(method: str, path: str, body: Any = None) -> Callable[[Client, PartnerScene], None]:
    def probe(client: Client, scene: PartnerScene) -> None:
        for values in out_of_scope(scene)[:1]:
            sent = body(scene) if callable(body) else body
            url = concrete(path, values)[len("/api/v1") :]
            reply = call_api(client, method, url, token=scene.token, body=sent)
            assert reply.status == 404, (path, reply.status, reply.text)

    return probe


def _internal_file_probe(suffix: str) -> Callable[[Client, PartnerScene], None]:
    def probe(client: Client, scene: PartnerScene) -> None:
        _api_probe("GET", "api/v1/attachments/<attachment_id>" + suffix)(client, scene)
        reply = call_api(
            client, "GET", f"/attachments/{scene.internal_file.pk}{suffix}", token=scene.token
        )
        assert reply.status == 404

    return probe


def _list_probe(
    path: str, allowed: Callable[[PartnerScene], set[Any]], key: str
) -> Callable[[Client, PartnerScene], None]:
    def probe(client: Client, scene: PartnerScene) -> None:
        reply = call_api(client, "GET", path, token=scene.token)
        assert reply.status == 200
        assert {item[key] for item in reply.body["items"]} <= allowed(scene)
        _no_foreign_data(reply.text, scene)

    return probe


def _me(client: Client, scene: PartnerScene) -> None:
    reply = call_api(client, "GET", "/me", token=scene.token)
    assert reply.status == 200 and reply.body["kind"] == "partner"


def _interactions(client: Client, scene: PartnerScene) -> None:
    _api_probe("GET", "api/v1/cases/<number>/interactions")(client, scene)
    reply = call_api(
        client, "GET", f"/cases/{scene.daves_case.number}/interactions", token=scene.token
    )
    assert reply.status == 200
    _no_foreign_data(reply.text, scene)


API_PROBES: dict[tuple[str, str], Callable[[Client, PartnerScene], None]] = {
    ("GET", "api/v1/me"): _me,
    ("GET", "api/v1/cases"): _list_probe("/cases", lambda s: {s.daves_case.number}, "number"),
    ("POST", "api/v1/cases"): _api_probe(
        "POST",
        "api/v1/cases",
        lambda s: {"customer": s.world.fiona.pk, "subject": "x", "body": "y"},
    ),
    ("GET", "api/v1/cases/<number>"): _api_probe("GET", "api/v1/cases/<number>"),
    ("GET", "api/v1/cases/<number>/interactions"): _interactions,
    ("POST", "api/v1/cases/<number>/replies"): _api_probe(
        "POST", "api/v1/cases/<number>/replies", {"body": "x"}
    ),
    ("GET", "api/v1/attachments/<attachment_id>"): _internal_file_probe(""),
    ("GET", "api/v1/attachments/<attachment_id>/download"): _internal_file_probe("/download"),
    ("GET", "api/v1/customers"): _list_probe("/customers", lambda s: {s.world.dave.pk}, "id"),
    ("GET", "api/v1/customers/<customer_id>"): _api_probe("GET", "api/v1/customers/<customer_id>"),
}


def test_every_partner_operation_has_an_out_of_scope_probe():
    assert set(API_PROBES) == set(PARTNER_OPERATIONS)
    assert {route for _method, route in PARTNER_OPERATIONS} <= set(API_ROUTES)


@pytest.mark.parametrize("route", API_ROUTES)
def test_no_api_route_reaches_anything_out_of_a_partners_scope(client, scene, route):
    if route in PUBLIC_API_ROUTES:
        response = client.get("/" + route, HTTP_AUTHORIZATION=f"Bearer {scene.token}")
        assert response.status_code == 200
        _no_foreign_data(response.content.decode(), scene)
        return
    statuses = []
    for method in METHODS:
        if (method, route) in PARTNER_OPERATIONS:
            API_PROBES[(method, route)](client, scene)
            continue
        for values in out_of_scope(scene):
            path = concrete(route, values)[len("/api/v1") :]
            reply = call_api(client, method, path, token=scene.token, body={})
            # 401: an endpoint with its own signature auth (the contact-centre
            # switch, webhooks) refuses the token before looking anything up.
            assert reply.status in (401, 404, 405), (method, path, reply.status, reply.text)
            if reply.status == 404:
                assert reply.body["code"] == "not_found"
            statuses.append(reply.status)
    operations = {method for method, known in PARTNER_OPERATIONS if known == route}
    # Every route has at least one method: it was refused or probed above.
    assert {401, 404} & set(statuses) or operations


# --- pages ---------------------------------------------------------------------------------


def _page_probe(name: str, path: str) -> Callable[[Client, PartnerScene], None]:
    def probe(client: Client, scene: PartnerScene) -> None:
        url = concrete(path, out_of_scope(scene)[0])
        assert client.get(url).status_code in (404, 405), (name, url)
        assert client.post(url, {"subject": "x", "description": "y", "body": "z"}).status_code in (
            404,
            405,
        )

    return probe


def _partner_home(client: Client, scene: PartnerScene) -> None:
    response = client.get("/partners/")
    assert response.status_code == 200
    _no_foreign_data(response.content.decode(), scene)


PAGE_PROBES: dict[str, Callable[[Client, PartnerScene], None]] = {
    "home": _partner_home,
    "customer": _page_probe("customer", "partners/customers/<int:customer_id>/"),
    "new_case": _page_probe("new_case", "partners/customers/<int:customer_id>/cases/new/"),
    "case": _page_probe("case", "partners/cases/<int:number>/"),
    "reply": _page_probe("reply", "partners/cases/<int:number>/reply/"),
}


def test_every_partner_page_has_an_out_of_scope_probe():
    partner_pages = {name for _route, namespace, name in SITE_ROUTES if namespace == "partners"}

    assert partner_pages == set(PAGE_PROBES)


def test_the_account_pages_open_to_partners_are_the_ones_listed():
    open_pages = [
        name
        for _route, namespace, name in ROUTES
        if not namespace and name in PARTNER_OPEN_URL_NAMES
    ]

    # Each open name belongs to exactly one route: a second page reusing one of
    # these names would slip through the fence unnoticed.
    assert sorted(open_pages) == sorted(PARTNER_OPEN_URL_NAMES)


@pytest.mark.parametrize(
    ("route", "namespace", "name"), SITE_ROUTES, ids=[r[0] or "/" for r in SITE_ROUTES]
)
def test_no_page_reaches_anything_out_of_a_partners_scope(scene, route, namespace, name):
    client = signed_in(scene.world.erin)
    if namespace == "partners":
        PAGE_PROBES[name](client, scene)
        return
    if not namespace and name in PARTNER_OPEN_URL_NAMES:
        # Sign-in/out, preferences, language, health and the home redirect: the
        # partner's own account, no customer records.
        response = client.get("/" + route)
        assert response.status_code in (200, 302, 405)
        _no_foreign_data(response.content.decode(), scene)
        return
    for values in out_of_scope(scene):
        url = concrete(route, values)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_no_admin_page_opens_for_a_partner(scene):
    client = signed_in(scene.world.erin)
    values = out_of_scope(scene)[0]

    for route, _namespace, _name in ADMIN_ROUTES:
        url = concrete(route, values)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
