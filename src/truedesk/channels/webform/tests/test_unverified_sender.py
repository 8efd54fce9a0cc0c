"""A stranger may type a customer's address: agents are warned, the visitor learns nothing."""

from __future__ import annotations

import re

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from truedesk.cases.models import Case
from truedesk.channels.webform.tests.conftest import form_data
from truedesk.notifications.models import EmailDelivery

pytestmark = pytest.mark.django_db

MARKER = "Submitted through the web form with this customer's address"


def post(client, **overrides):
    return client.post("/contact/", form_data(**overrides), REMOTE_ADDR="203.0.113.7")


def _desk_page(world, case):
    agent = Client()
    agent.force_login(world.alice)
    response = agent.get(f"/desk/cases/{case.number}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_on_a_known_address_is_marked_sender_not_verified_for_agents(world, no_fill_time):
    address = world.dave.contact_points.get(kind="email").value
    before = model_to_dict(world.dave)
    points_before = list(world.dave.contact_points.values_list("kind", "value", "is_primary"))
    visitor = Client()
    visitor.post("/i18n/setlang/", {"language": "lt", "next": "/contact/"})
    post(visitor, email=address, name="Mallory <b>Admin</b>")

    case = Case.objects.get(subject="My parcel never arrived")
    assert case.customer == world.dave
    page = _desk_page(world, case)
    assert "Sender not verified" in page
    assert MARKER in page
    # What the stranger typed is shown to agents as text, never as markup.
    assert "Mallory &lt;b&gt;Admin&lt;/b&gt;" in page and "<b>Admin</b>" not in page
    # The record keeps its own name, language and addresses.
    world.dave.refresh_from_db()
    assert model_to_dict(world.dave) == before
    assert list(world.dave.contact_points.values_list("kind", "value", "is_primary")) == (
        points_before
    )
    # The confirmation goes to the address, so its real owner learns of the case.
    assert EmailDelivery.objects.get().to_address == address


def test_a_new_visitors_case_carries_no_warning(world, no_fill_time):
    post(Client(), email="nora@example.net")
    case = Case.objects.get(subject="My parcel never arrived")
    page = _desk_page(world, case)
    assert "Sender not verified" not in page


def test_the_visitor_gets_the_same_answer_whether_or_not_the_address_is_known(world, no_fill_time):
    known = world.dave.contact_points.get(kind="email").value
    answers = []
    for address in (known, "nora@example.net"):
        visitor = Client()
        response = post(visitor, email=address)
        assert response.status_code == 302
        number = Case.objects.order_by("-number").first().number
        page = visitor.get(response["Location"]).content.decode()
        # Per-request tokens differ by design; everything else must match.
        page = re.sub(r"[^\n]*(csrf|nonce)[^\n]*\n", "", page, flags=re.IGNORECASE)
        token = response["Location"].split("c=", 1)[1]
        answers.append(page.replace(token, "TOKEN").replace(f"#{number}", "#N"))
    assert answers[0] == answers[1]
