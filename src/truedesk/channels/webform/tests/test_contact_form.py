"""The public contact form: a visitor opens a case; spam rules and rate limits hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from truedesk.cases.models import Case, Interaction
from truedesk.channels.webform.spam import issue_stamp
from truedesk.channels.webform.tests.conftest import form_data
from truedesk.customers.models import Customer
from truedesk.notifications.actions import deliver_due_emails
from truedesk.notifications.models import EmailDelivery

pytestmark = pytest.mark.django_db


def post(client, **overrides):
    address = overrides.pop("ip", "203.0.113.7")
    return client.post("/contact/", form_data(**overrides), REMOTE_ADDR=address)


def test_the_form_is_public_and_hides_its_honeypot(world, billing_topic):
    response = Client().get("/contact/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html and 'name="message"' in html and 'name="started"' in html
    assert 'class="field webform-hp" aria-hidden="true"' in html
    assert "A bill or a payment" in html


def test_the_form_speaks_the_visitors_language(world, billing_topic):
    client = Client()
    client.post("/i18n/setlang/", {"language": "lt", "next": "/contact/"})
    html = client.get("/contact/").content.decode()
    assert '<html lang="lt">' in html
    assert "Sąskaita ar mokėjimas" in html


def test_a_visitor_opens_a_case_in_the_topics_queue_and_gets_a_confirmation(
    world, billing_topic, no_fill_time, smtp_server
):
    response = post(Client(), topic=str(billing_topic.pk))
    assert response.status_code == 302 and "/contact/sent/" in response["Location"]
    case = Case.objects.get(subject="My parcel never arrived")
    assert case.department == world.billing and case.kind == "billing_dispute"
    assert case.status == Case.Status.NEW and case.owner is None
    first = case.interactions.get()
    assert first.channel == Interaction.Channel.WEB_FORM
    assert first.direction == Interaction.Direction.INBOUND
    assert first.body == "I ordered on Monday and nothing came."
    customer = Customer.objects.get(contact_points__value="nora@example.net")
    assert case.customer == customer and customer.name == "Nora Visitor"

    thanks = Client().get(response["Location"]).content.decode()
    assert f"#{case.number}" in thanks

    assert deliver_due_emails() == 1
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "nora@example.net"
    assert f"#{case.number}" in mail["Subject"]
    assert f"http://127.0.0.1:8000/portal/cases/{case.number}/" in mail.get_content()
    assert "If you have no portal account yet" in mail.get_content()


def test_a_known_address_is_matched_to_its_customer_without_changing_him(world, no_fill_time):
    email = world.dave.contact_points.get(kind="email").value
    post(Client(), email=email.upper(), name="Someone Else")
    case = Case.objects.get(subject="My parcel never arrived")
    assert case.customer == world.dave
    world.dave.refresh_from_db()
    assert world.dave.name != "Someone Else"
    assert case.department is None
    # Dave has a portal login: his confirmation does not offer the email route.
    body = EmailDelivery.objects.get().body
    assert f"/portal/cases/{case.number}/" in body and "no portal account" not in body


def test_a_stranger_using_a_customers_address_does_not_write_his_greeting(world, no_fill_time):
    email = world.dave.contact_points.get(kind="email").value
    post(Client(), email=email, name="Security team: call +1 555 0100 to unlock your account")
    body = EmailDelivery.objects.get().body
    assert body.startswith(f"Hello {world.dave.name},")
    assert "unlock your account" not in body


def test_an_attachment_is_kept_with_the_case(world, no_fill_time):
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    post(Client(), attachment=upload)
    case = Case.objects.get(subject="My parcel never arrived")
    assert [a.filename for a in case.attachments.all()] == ["receipt.pdf"]


def test_a_filled_honeypot_looks_like_success_but_opens_nothing(world, no_fill_time):
    response = post(Client(), website="http://spam.example/")
    assert response.status_code == 302
    assert not Case.objects.exists() and not EmailDelivery.objects.exists()


def test_a_form_sent_faster_than_a_person_could_is_refused_and_keeps_the_input(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        stamp = issue_stamp()
        traveller.shift(timedelta(seconds=2))
        response = post(Client(), started=stamp)
        assert response.status_code == 200
        assert "quicker than we expected" in response.content.decode()
        assert 'value="My parcel never arrived"' in response.content.decode()
        assert "I ordered on Monday and nothing came." in response.content.decode()
        assert not Case.objects.exists()
        traveller.shift(timedelta(seconds=2))
        assert post(Client(), started=stamp).status_code == 302
    assert Case.objects.count() == 1


def test_an_empty_form_sent_at_once_only_asks_for_the_missing_fields(world):
    # The browser walk: "quicker than we expected" on top of "required" confused people.
    response = post(Client(), started=issue_stamp(), subject="", message="", email="")

    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "quicker than we expected" not in page
    assert not Case.objects.exists()


def test_a_forged_or_missing_stamp_is_refused_and_replaced(world):
    response = post(Client(), started="forged:value")
    assert response.status_code == 200
    assert "changed. Please send it again" in response.content.decode()
    assert 'value="forged:value"' not in response.content.decode()
    assert not Case.objects.exists()


def test_a_message_with_too_many_links_gets_an_error_next_to_it(world, no_fill_time):
    links = " ".join(f"https://shop{n}.example/deal" for n in range(4))
    response = post(Client(), message=f"Cheap offers {links}")
    assert response.status_code == 200
    assert response.context["form"].errors["message"] == [
        "Please include at most 3 links; describe the rest in words."
    ]
    html = response.content.decode()
    assert 'id="id_message_error"' in html and 'aria-invalid="true"' in html
    assert "Cheap offers https://shop0.example/deal" in html
    assert not Case.objects.exists()


def test_a_link_in_the_name_is_refused(world, no_fill_time):
    response = post(Client(), name="www.cheap-pills.example")
    assert response.context["form"].errors["name"] == ["A name cannot contain a link."]


def test_validation_errors_keep_what_was_typed(world, no_fill_time):
    response = post(Client(), email="not-an-address")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert 'value="not-an-address"' in response.content.decode()
    assert 'value="Nora Visitor"' in response.content.decode()


def test_the_same_form_sent_twice_opens_one_case(world, no_fill_time):
    stamp = issue_stamp()
    first = post(Client(), started=stamp)
    second = post(Client(), started=stamp)
    assert Case.objects.count() == 1
    number = Case.objects.get().number
    # Both answers thank the visitor for the same case.
    for answer in (first, second):
        assert f"#{number}." in Client().get(answer["Location"]).content.decode()


@pytest.fixture
def early_in_an_hour():
    """Counting windows are clock hours: start well inside one, so no test straddles two."""
    start = timezone.now().replace(minute=5, second=0, microsecond=0)
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


def test_one_address_is_limited_per_hour(world, no_fill_time, settings, early_in_an_hour):
    settings.WEBFORM_PER_IP_PER_HOUR = 2
    client = Client()
    for number in range(2):
        assert post(client, email=f"v{number}@example.net").status_code == 302
    refused = post(client, email="v9@example.net")
    assert refused.status_code == 429
    assert "several messages in a short time" in refused.content.decode()
    assert 'value="v9@example.net"' in refused.content.decode()
    assert Case.objects.count() == 2
    # Another visitor is not affected.
    assert post(client, email="v10@example.net", ip="198.51.100.4").status_code == 302
    early_in_an_hour.shift(timedelta(hours=1))
    assert post(client, email="v11@example.net").status_code == 302


def test_one_email_address_is_limited_per_hour_from_any_address(
    world, no_fill_time, settings, early_in_an_hour
):
    settings.WEBFORM_PER_EMAIL_PER_HOUR = 2
    client = Client()
    for number in range(2):
        assert post(client, ip=f"198.51.100.{number + 1}").status_code == 302
    assert post(client, ip="198.51.100.50", email="NORA@example.net").status_code == 429
    assert Case.objects.count() == 2


def test_the_demo_offers_each_department_as_a_topic(world):
    from truedesk.channels.webform.demo_data import build_webform_demo
    from truedesk.channels.webform.models import ContactTopic

    build_webform_demo()
    build_webform_demo()
    assert set(ContactTopic.objects.values_list("department__slug", flat=True)) == {
        world.support.slug,
        world.billing.slug,
    }


def test_without_a_topic_the_default_department_gets_the_case(world, no_fill_time, settings):
    settings.WEBFORM_DEFAULT_DEPARTMENT = world.support.slug
    post(Client())
    assert Case.objects.get().department == world.support
