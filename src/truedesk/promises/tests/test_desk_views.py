"""The promise panel on the desk's case page, its forms, and "My promises due today"."""

from datetime import timedelta

import pytest
from django.test import Client

from truedesk.promises.actions import keep_promise, process_due_promises
from truedesk.promises.models import Promise
from truedesk.promises.tests.conftest import FIVE_PM


@pytest.fixture
def as_(world, clock):
    """A test client signed in as the named persona (logged in on the frozen clock)."""

    def make(name):
        client = Client()
        client.force_login(getattr(world, name))
        return client

    return make


def _case_url(case, tail=""):
    return f"/desk/cases/{case.number}/{tail}"


def _record(client, case, **overrides):
    data = {"promise-kind": "call_back", "promise-due_at": "2027-03-02T17:00",
            "promise-description": "We will call you back by 17:00 today.",
            "promise-owner": str(overrides.pop("owner_id", ""))}  # fmt: skip
    data.update({f"promise-{k}": v for k, v in overrides.items()})
    return client.post(_case_url(case, "promises/"), data)


def test_the_case_page_has_a_promise_panel_with_a_form_to_record_one(world, case, as_):
    page = as_("alice").get(_case_url(case)).content.decode()

    assert 'id="promises-heading"' in page
    assert "No promises on this case yet." in page
    assert "Record a promise" in page
    assert ">Bob Brown</option>" in page
    assert 'type="datetime-local"' in page


def test_alice_records_a_promise_and_sees_it_on_the_case(world, case, as_):
    client = as_("alice")

    reply = _record(client, case, owner_id=world.alice.pk)

    assert reply.status_code == 302
    assert reply["Location"] == _case_url(case)
    promise = Promise.objects.get()
    assert (promise.due_at, promise.owner, promise.kind) == (FIVE_PM, world.alice, "call_back")
    page = client.get(_case_url(case)).content.decode()
    assert "Promise recorded (due March 2, 2027, 5 p.m.); Dave Davis gets a confirmation." in page
    assert "We will call you back by 17:00 today." in page
    assert "Mark as kept" in page


def test_a_refused_promise_comes_back_with_what_was_typed_and_why(world, case, as_):
    reply = _record(as_("alice"), case, owner_id=world.alice.pk, due_at="2027-03-02T11:00")

    assert reply.status_code == 422
    page = reply.content.decode()
    assert "A promise is due in the future." in page
    assert "We will call you back by 17:00 today." in page
    assert not Promise.objects.exists()


def test_a_form_with_missing_fields_is_shown_again(world, case, as_):
    reply = _record(as_("alice"), case, owner_id=world.alice.pk, description="")

    assert reply.status_code == 422
    assert "This field is required." in reply.content.decode()


def test_under_htmx_a_refused_form_answers_200_so_the_page_is_swapped(world, case, as_):
    reply = as_("alice").post(
        _case_url(case, "promises/"),
        {"promise-kind": "fix", "promise-due_at": "2027-03-02T11:00",
         "promise-description": "Fix it", "promise-owner": str(world.alice.pk)},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip

    assert reply.status_code == 200
    assert "A promise is due in the future." in reply.content.decode()


def test_keeping_breaking_and_renegotiating_from_the_panel(world, case, promise_on, as_):
    client = as_("alice")
    kept, broken, moved = (promise_on(case, description=d) for d in ("Call", "Visit", "Refund"))

    assert client.post(f"/desk/promises/{kept.pk}/keep/",
                       {f"keep-{kept.pk}-how": "Called at 16:00",
                        f"keep-{kept.pk}-version": "1"}).status_code == 302  # fmt: skip
    assert client.post(f"/desk/promises/{broken.pk}/break/",
                       {f"break-{broken.pk}-reason": "No engineer",
                        f"break-{broken.pk}-version": "1"}).status_code == 302  # fmt: skip
    reply = client.post(f"/desk/promises/{moved.pk}/renegotiate/",
                        {f"renegotiate-{moved.pk}-due_at": "2027-03-03T10:00",
                         f"renegotiate-{moved.pk}-reason": "Bank holiday",
                         f"renegotiate-{moved.pk}-version": "1"}, follow=True)  # fmt: skip

    statuses = dict(Promise.objects.filter(replaces__isnull=True).values_list("pk", "status"))
    assert (statuses[kept.pk], statuses[broken.pk]) == ("kept", "broken")
    assert Promise.objects.get(pk=moved.pk).status == "renegotiated"
    page = reply.content.decode()
    assert "Promise moved to March 3, 2027, 10 a.m.; the customer is told why." in page
    assert "Kept March 2, 2027, noon: Called at 16:00" in page
    assert "No engineer" in page


def test_a_stale_form_is_refused_with_an_explanation(world, promise, as_):
    keep_promise(acting_user=world.bob, promise=promise, how="Bob called", expected_version=1)

    reply = as_("alice").post(f"/desk/promises/{promise.pk}/keep/",
                              {f"keep-{promise.pk}-how": "I called",
                               f"keep-{promise.pk}-version": "1"})  # fmt: skip

    assert reply.status_code == 409
    assert "This promise is no longer open." in reply.content.decode()
    assert Promise.objects.get(pk=promise.pk).kept_note == "Bob called"


def test_breaking_without_a_reason_keeps_the_promise_open(world, promise, as_):
    reply = as_("alice").post(f"/desk/promises/{promise.pk}/break/",
                              {f"break-{promise.pk}-reason": "",
                               f"break-{promise.pk}-version": "1"})  # fmt: skip

    assert reply.status_code == 422
    assert Promise.objects.get(pk=promise.pk).status == "open"


def _posts(case, promise):
    return [
        (_case_url(case, "promises/"), {"promise-kind": "fix", "promise-description": "x",
                                        "promise-due_at": "2027-03-02T17:00"}),
        (f"/desk/promises/{promise.pk}/keep/", {f"keep-{promise.pk}-how": "x",
                                               f"keep-{promise.pk}-version": "1"}),
        (f"/desk/promises/{promise.pk}/break/", {f"break-{promise.pk}-reason": "x",
                                                f"break-{promise.pk}-version": "1"}),
        (f"/desk/promises/{promise.pk}/renegotiate/",
         {f"renegotiate-{promise.pk}-reason": "x", f"renegotiate-{promise.pk}-version": "1",
          f"renegotiate-{promise.pk}-due_at": "2027-03-03T10:00"}),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(4))
def test_every_promise_form_refuses_visitors_customers_and_partners(
    world, case, promise, as_, index
):
    url, data = _posts(case, promise)[index]

    assert Client().post(url, data).status_code == 302  # to the sign-in page
    for name in ("dave_user", "fiona_user"):
        assert as_(name).post(url, data).status_code == 403
    # Partners get 404 outside their own area (accounts.middleware.PartnerFenceMiddleware).
    assert as_("erin").post(url, data).status_code == 404
    assert as_("alice").get(url).status_code == 405
    assert Promise.objects.get(pk=promise.pk).status == "open"
    assert Promise.objects.count() == 1


def test_an_agent_who_cannot_work_the_case_is_refused(world, make_case, promise_on, as_):
    billing = make_case(department=world.billing, owner=world.bob, acting_user=world.bob)
    promise = promise_on(billing, acting_user=world.bob)

    record = _record(as_("alice"), billing, owner_id=world.bob.pk)
    keep = as_("alice").post(
        f"/desk/promises/{promise.pk}/keep/",
        {f"keep-{promise.pk}-how": "x", f"keep-{promise.pk}-version": "1"},
    )

    assert (record.status_code, keep.status_code) == (403, 403)
    assert Promise.objects.get(pk=promise.pk).status == "open"
    assert "Mark as kept" not in as_("alice").get(_case_url(billing)).content.decode()


def test_an_unknown_promise_is_a_404(world, as_):
    assert as_("alice").post("/desk/promises/999999/keep/", {}).status_code == 404


def test_an_overdue_promise_shows_red_and_after_the_sweep_missed_with_its_follow_up(
    world, case, promise, as_, clock
):
    client = as_("alice")
    clock.move_to(FIVE_PM + timedelta(minutes=1))

    overdue = client.get(_case_url(case)).content.decode()
    assert '<span class="badge bad">Overdue</span>' in overdue

    process_due_promises()
    page = client.get(_case_url(case)).content.decode()
    assert '<span class="badge bad">Missed</span>' in page
    assert "Replaced by a promise due March 2, 2027, 7:01 p.m." in page
    assert "Flagged" in page
    assert "(follow-up)" in page


def test_my_promises_due_today_are_on_the_desk_home(world, case, promise, as_, clock):
    mine = as_("alice").get("/desk/").content.decode()
    assert "My promises due today" in mine
    assert f'href="/desk/cases/{case.number}/#promise-{promise.pk}"' in mine
    assert "No promises of yours are due today." in as_("bob").get("/desk/").content.decode()

    clock.move_to(FIVE_PM + timedelta(minutes=1))
    process_due_promises()
    later = as_("alice").get("/desk/").content.decode()
    assert '<span class="badge bad">Missed</span>' in later
    assert "(follow-up due March 2, 2027, 7:01 p.m.)" in later
