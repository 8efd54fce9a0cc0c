"""What agents see of an email on the desk: warnings, the whole original, in few queries."""

from __future__ import annotations

import pytest

from truedesk.cases.models import Case, Interaction
from truedesk.channels.email import actions
from truedesk.channels.email.display import email_states
from truedesk.channels.email.store import accept_raw_message
from truedesk.channels.email.tests import mail

pytestmark = pytest.mark.django_db

BODY = "Здравствуйте! Оплата прошла дважды, верните, пожалуйста, лишние деньги на карту."


def _mailed(raw: bytes) -> Case:
    accept_raw_message(raw, source="smtp", mail_from="dave@example.com", enqueue=False)
    actions.process_due_messages()
    return Case.objects.get()


def test_agents_see_the_warning_and_can_open_the_whole_email(world, client):
    raw = mail.legacy(charset="windows-1251", declared="utf-8", subject="Payment",
                      body=BODY + "\n\n-- \nDave, +370 600 00000")  # fmt: skip
    case = _mailed(raw)
    client.force_login(world.alice)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "character set was wrong or missing" in page
    assert "Show the whole email" in page
    assert "+370 600 00000" in page.split("Show the whole email")[1]  # only in the original


def test_hostile_text_in_the_original_is_escaped(world, client):
    case = _mailed(mail.message(body="hi\n-- \n<script>alert(1)</script>"))
    client.force_login(world.alice)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_customers_never_see_the_email_internals_on_the_desk(world, client):
    case = _mailed(mail.message())
    client.force_login(world.dave_user)
    assert client.get(f"/desk/cases/{case.number}/").status_code == 403


def test_email_states_of_a_whole_timeline_take_two_queries(world, django_assert_num_queries):
    for number in range(5):
        raw = mail.message(subject=f"Case {number}", message_id=f"<m{number}@x>")
        accept_raw_message(raw, source="smtp", mail_from="d@x", enqueue=False)
    actions.process_due_messages()
    ids = list(Interaction.objects.values_list("pk", flat=True))
    with django_assert_num_queries(2):
        states = email_states(ids)
    assert len(states) == 5 and all(s.inbound is not None for s in states.values())
