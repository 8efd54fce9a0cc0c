""" "Our promises to you" in the customer portal: his own promises only, missed ones honestly."""

from datetime import timedelta

import pytest
from django.test import Client

from truedesk.promises.actions import keep_promise, process_due_promises
from truedesk.promises.tests.conftest import FIVE_PM


@pytest.fixture
def dave(world, clock):
    client = Client()
    client.force_login(world.dave_user)
    return client


@pytest.fixture
def fiona(world, clock):
    client = Client()
    client.force_login(world.fiona_user)
    return client


def test_dave_sees_the_promise_on_his_case_in_his_own_time_zone(world, case, promise, dave):
    world.dave_user.time_zone = "Europe/London"
    world.dave_user.save()

    page = dave.get(f"/portal/cases/{case.number}/").content.decode()

    assert "Our promises to you" in page
    assert "We will call you back by 17:00 today about the dial tone." in page
    assert "by March 2, 2027, 3 p.m." in page  # 17:00 in Vilnius
    assert "Alice Adams" in page


def test_dave_sees_his_open_promises_on_his_portal_home(world, case, promise, dave):
    page = dave.get("/portal/").content.decode()

    assert "Our promises to you" in page
    assert "We will call you back by 17:00 today about the dial tone." in page
    assert f'href="/portal/cases/{case.number}/"' in page


def test_a_missed_promise_is_shown_as_missed_with_who_now_answers_for_it_and_by_when(
    world, case, promise, dave, clock
):
    clock.move_to(FIVE_PM + timedelta(minutes=1))
    late = dave.get(f"/portal/cases/{case.number}/").content.decode()
    assert '<span class="badge bad">Late</span>' in late

    process_due_promises()
    page = dave.get(f"/portal/cases/{case.number}/").content.decode()
    assert '<span class="badge bad">Missed</span>' in page
    assert "We did not keep this promise. We are sorry." in page
    assert "Alice Adams now answers for it, by March 2, 2027, 7:01 p.m. at the latest." in page
    home = dave.get("/portal/").content.decode()
    assert "This replaces a promise we missed (due March 2, 2027, 5 p.m.)." in home


def test_a_kept_promise_says_when_and_how(world, case, promise, dave):
    keep_promise(acting_user=world.alice, promise=promise, how="We called you at 12:00.")

    page = dave.get(f"/portal/cases/{case.number}/").content.decode()

    assert '<span class="badge good">Done</span>' in page
    assert "We called you at 12:00." in page
    assert "Our promises to you" not in dave.get("/portal/").content.decode()


def test_fiona_never_sees_daves_promises(world, case, promise, fiona):
    assert fiona.get(f"/portal/cases/{case.number}/").status_code == 404
    assert "dial tone" not in fiona.get("/portal/").content.decode()


def test_text_in_a_promise_is_escaped_on_the_page(world, case, promise_on, dave):
    promise_on(case, description="<script>alert('x')</script> call back")

    page = dave.get(f"/portal/cases/{case.number}/").content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; call back" in page
